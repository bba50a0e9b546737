//! The consolidation as a DataFusion table (feature `datafusion`): the profiles of the
//! orders and customers tables of a [`SessionContext`](datafusion::prelude::SessionContext),
//! computed per hash partition of the contact key by DataFusion's own executor.
//!
//! **Use.** Register the shop's `orders` (and `customers`) tables in a session as you
//! would for any query (Parquet, CSV, memory, a table of your own), then register a
//! [`ProfilesTable`] over them and query it like any table:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> datafusion::error::Result<()> {
//! use std::sync::Arc;
//! use datafusion::arrow::array::{ArrayRef, StringArray};
//! use datafusion::arrow::record_batch::RecordBatch;
//! use datafusion::datasource::MemTable;
//! use datafusion::prelude::{SessionConfig, SessionContext};
//! use relance::customer::{ConsolidationPolicy, Currency};
//! use relance::io::datafusion::ProfilesTable;
//!
//! let column = |v: Vec<&str>| -> ArrayRef { Arc::new(StringArray::from(v)) };
//! let orders = RecordBatch::try_from_iter([
//!     ("order_id", column(vec!["1", "2"])),
//!     ("customer_id", column(vec!["", ""])),
//!     ("email", column(vec!["ann@example.com", "bob@example.com"])),
//!     ("placed_at", column(vec!["2024-05-01T10:00:00Z", "2024-06-01T10:00:00Z"])),
//!     ("status", column(vec!["completed", "completed"])),
//!     ("amount", column(vec!["19.90", "5.00"])),
//!     ("currency", column(vec!["EUR", "EUR"])),
//! ])?;
//! let ctx = SessionContext::new_with_config(SessionConfig::new().with_target_partitions(4));
//! ctx.register_table("orders", Arc::new(MemTable::try_new(orders.schema(), vec![vec![orders]])?))?;
//!
//! let as_of = relance::io::csv::parse_instant("2025-01-01T00:00:00Z").unwrap();
//! let policy = ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::UTC);
//! let profiles = ProfilesTable::new(ctx.table_provider("orders").await?, policy);
//! ctx.register_table("profiles", Arc::new(profiles))?;
//! let rows: usize = ctx.table("profiles").await?.collect().await?.iter().map(|b| b.num_rows()).sum();
//! assert_eq!(rows, 2);
//! # Ok(()) }
//! ```
//!
//! With DataFusion's `sql` feature enabled in your own dependency on the same version,
//! `ctx.sql("SELECT email, revenue FROM profiles WHERE orders_count > 1")` works the same;
//! this crate enables none of DataFusion's optional features.
//!
//! **Input.** The tables and columns of [`io::arrow`](crate::io::arrow) (any types it
//! accepts; columns matched by name). The orders' `customer_id` is resolved against the
//! customers as [`read_dir`](crate::io::csv::read_dir) does (a later customer row with the
//! same id wins; each customer row is a contact of its own email); an order whose
//! `customer_id` is not a customer's goes by its own email.
//! Deliveries, carts and logins are not read by this table: the fields computed from them
//! are empty (consolidate with [`read_batches`](crate::io::arrow::read_batches) for those).
//!
//! **Plan.** Each order row gets its contact key (the normalised email of its customer, or
//! its own) in a column `relance_contact_key`; the plan asks DataFusion for the orders
//! hash-partitioned on that column into the session's target partitions (DataFusion's
//! `RepartitionExec`, which its optimizer places and which a distributed scheduler turns
//! into a shuffle), reads the customers once and splits them with the same hash, and then
//! consolidates each partition alone: every contact's rows are in one partition, so each
//! profile equals the in-memory run's. Memory: the customers table twice for the whole
//! query (as read, with its keys, and split into partitions), then per running partition
//! its orders and their consolidation.
//!
//! **Output.** The schema of [`profiles_schema`] with
//! the reporting currency's number of decimals, one batch per partition, in no particular
//! order. RFM scores are not computed (they compare contacts across the whole shop).
//!
//! **Distributed.** The plan is DataFusion's own operators plus two of this crate's
//! ([`ProfilesExec`] and the key-tagging step below the repartition). On Ballista, a
//! scheduler splits it into stages at the `RepartitionExec` (the shuffle) and runs the
//! stages on executors; the executors must be built with this crate and a
//! `PhysicalExtensionCodec` that (de)serialises those two operators (their state is the
//! consolidation policy and the target partition count). The documentation page
//! `docs/distributed.md` of the repository describes this and the Spark equivalent.

mod exec;

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::{Session, TableProvider};
use datafusion::error::Result;
use datafusion::logical_expr::{Expr, TableType};
use datafusion::physical_plan::ExecutionPlan;

pub use exec::{CONTACT_KEY_COLUMN, ProfilesExec};

use crate::customer::ConsolidationPolicy;
use crate::io::arrow::profiles_schema;

/// The consolidated profiles of an orders table (and a customers table) as a DataFusion
/// table: see the [module docs](self).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> datafusion::error::Result<()> {
/// # use std::sync::Arc;
/// # use datafusion::datasource::MemTable;
/// # use datafusion::arrow::datatypes::{DataType, Field, Schema};
/// use relance::customer::{ConsolidationPolicy, Currency};
/// let schema = Arc::new(Schema::new(vec![Field::new("order_id", DataType::Utf8, true)]));
/// let orders = Arc::new(MemTable::try_new(schema, vec![vec![]])?);
/// let as_of = relance::io::csv::parse_instant("2025-01-01T00:00:00Z").unwrap();
/// let table = relance::io::datafusion::ProfilesTable::new(
///     orders,
///     ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::UTC),
/// );
/// assert_eq!(datafusion::catalog::TableProvider::schema(&table).field(0).name(), "customer_id");
/// # Ok(()) }
/// ```
pub struct ProfilesTable {
    orders: Arc<dyn TableProvider>,
    customers: Option<Arc<dyn TableProvider>>,
    policy: ConsolidationPolicy,
    schema: SchemaRef,
}

impl fmt::Debug for ProfilesTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProfilesTable")
            .field("customers", &self.customers.is_some())
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl ProfilesTable {
    /// The profiles of the buyers of `orders`, consolidated with `policy` (its rates
    /// included).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use datafusion::datasource::MemTable;
    /// # use datafusion::arrow::datatypes::Schema;
    /// use relance::customer::{ConsolidationPolicy, Currency};
    /// let orders = Arc::new(MemTable::try_new(Arc::new(Schema::empty()), vec![vec![]]).unwrap());
    /// let as_of = relance::io::csv::parse_instant("2025-01-01T00:00:00Z").unwrap();
    /// let policy = ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::UTC);
    /// let table = relance::io::datafusion::ProfilesTable::new(orders, policy);
    /// # let _ = table;
    /// ```
    #[must_use]
    pub fn new(orders: Arc<dyn TableProvider>, policy: ConsolidationPolicy) -> Self {
        let scale = i8::try_from(policy.reporting_currency.exponent()).unwrap_or(2);
        Self {
            orders,
            customers: None,
            schema: profiles_schema(scale, false),
            policy,
        }
    }

    /// Adds the customers table (customer rows are contacts even without orders, and give
    /// the orders' `customer_id` its contact).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use datafusion::datasource::MemTable;
    /// # use datafusion::arrow::datatypes::Schema;
    /// use relance::customer::{ConsolidationPolicy, Currency};
    /// let empty = || Arc::new(MemTable::try_new(Arc::new(Schema::empty()), vec![vec![]]).unwrap());
    /// let as_of = relance::io::csv::parse_instant("2025-01-01T00:00:00Z").unwrap();
    /// let policy = ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::UTC);
    /// let table = relance::io::datafusion::ProfilesTable::new(empty(), policy).customers(empty());
    /// # let _ = table;
    /// ```
    #[must_use]
    pub fn customers(mut self, customers: Arc<dyn TableProvider>) -> Self {
        self.customers = Some(customers);
        self
    }
}

#[async_trait]
impl TableProvider for ProfilesTable {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn table_type(&self) -> TableType {
        TableType::View
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        _limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let partitions = state.config().target_partitions().max(1);
        let orders = self.orders.scan(state, None, &[], None).await?;
        let customers = match &self.customers {
            Some(table) => Some(table.scan(state, None, &[], None).await?),
            None => None,
        };
        let exec = ProfilesExec::try_new(
            orders,
            customers,
            self.policy.clone(),
            self.schema.clone(),
            partitions,
            projection.cloned(),
        )?;
        Ok(Arc::new(exec))
    }
}
