//! Shop data from Arrow record batches and consolidated profiles to them (feature `arrow`),
//! and the same as Parquet files (feature `parquet`).
//!
//! **Input.** The tables and columns are those of the [CSV files](crate::io::csv), matched
//! by name (case-insensitive; unknown columns ignored, missing optional ones read as null).
//! Each value is read exactly as the same value written in a CSV file, so both inputs give
//! the same dataset, and the same profiles:
//! - text columns (`Utf8`) as they are;
//! - instants as `Timestamp` of any unit (a timestamp without a time zone is read as UTC)
//!   or as RFC 3339 text;
//! - amounts as `Decimal128`/`Decimal256`, floats or decimal text (`11.51`);
//! - ids and counts as integers or text; `birth_date` as `Date32` or `YYYY-MM-DD`;
//!   `newsletter_optin` and `is_guest` as booleans or text;
//! - any other type through Arrow's cast to text (dictionary-encoded strings included).
//!
//! Integer ids, `Float64` amounts and timestamps are read from their values without a
//! detour through text (a quarter of a Parquet load's CPU was that detour); the result is
//! the one their text gives, errors included.
//!
//! A null is an empty field. Errors are [`CsvError`]s naming the table (or the file) and
//! the 1-based row.
//!
//! **Output.** [`profiles_to_batch`] gives the profiles as one typed record batch
//! ([`profiles_schema`]).
//!
//! ```
//! use std::sync::Arc;
//! use arrow::array::{ArrayRef, StringArray};
//! use arrow::record_batch::RecordBatch;
//! let column = |v: &str| -> ArrayRef { Arc::new(StringArray::from(vec![v])) };
//! let orders = RecordBatch::try_from_iter([
//!     ("order_id", column("1")), ("customer_id", column("")), ("email", column("ann@example.com")),
//!     ("placed_at", column("2024-05-01T10:00:00Z")), ("status", column("completed")),
//!     ("amount", column("19.90")), ("currency", column("EUR")),
//! ])?;
//! let mut shop = relance::io::arrow::ShopBatches::default();
//! shop.orders.push(orders);
//! let (dataset, _rates) = relance::io::arrow::read_batches(&shop)?;
//! assert_eq!(dataset.orders().len(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod profiles;
mod rows;

#[cfg(feature = "parquet")]
mod parquet;

use arrow::record_batch::RecordBatch;

#[cfg(feature = "parquet")]
pub use parquet::{read_parquet_dir, write_profiles_parquet};
pub use profiles::{profiles_schema, profiles_to_batch};

use crate::customer::{Dataset, FxRate};
use crate::io::csv::{CsvError, ShopTables, read_tables};
use rows::BatchRows;

/// The tables of a shop as record batches; an empty table is as good as an absent one.
///
/// ```
/// let shop = relance::io::arrow::ShopBatches::default();
/// assert!(shop.orders.is_empty());
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ShopBatches {
    /// `customers`.
    pub customers: Vec<RecordBatch>,
    /// `orders`.
    pub orders: Vec<RecordBatch>,
    /// `deliveries`.
    pub deliveries: Vec<RecordBatch>,
    /// `carts`.
    pub carts: Vec<RecordBatch>,
    /// `logins`.
    pub logins: Vec<RecordBatch>,
    /// `rates`.
    pub rates: Vec<RecordBatch>,
}

/// Reads a shop from record batches, as [`read_dir`](crate::io::csv::read_dir) reads its
/// files (see the [module docs](self) for the accepted types; no `orders` batch reads as a
/// shop without orders). Returns the dataset and the rates.
///
/// ```
/// let (dataset, rates) = relance::io::arrow::read_batches(&Default::default())?;
/// assert!(dataset.orders().is_empty() && rates.is_empty());
/// # Ok::<(), relance::io::csv::CsvError>(())
/// ```
pub fn read_batches(shop: &ShopBatches) -> Result<(Dataset, Vec<FxRate>), CsvError> {
    type Cloned<'a> = std::iter::Map<
        std::iter::Cloned<std::slice::Iter<'a, RecordBatch>>,
        fn(RecordBatch) -> Result<RecordBatch, arrow::error::ArrowError>,
    >;
    fn rows<'a>(name: &str, batches: &'a [RecordBatch]) -> Option<BatchRows<Cloned<'a>>> {
        let schema = batches.first().map(RecordBatch::schema)?;
        let batches: Cloned<'a> = batches.iter().cloned().map(Ok);
        Some(BatchRows::new(name, &schema, batches))
    }
    // No orders: the other tables are still read (customers without orders are contacts).
    let orders = rows("orders", &shop.orders).unwrap_or_else(|| {
        let none: Cloned<'_> = [].iter().cloned().map(Ok);
        BatchRows::new("orders", &arrow::datatypes::Schema::empty(), none)
    });
    read_tables(ShopTables {
        customer_rows: 0,
        customers: rows("customers", &shop.customers).into_iter().collect(),
        orders: vec![orders],
        deliveries: rows("deliveries", &shop.deliveries).into_iter().collect(),
        carts: rows("carts", &shop.carts).into_iter().collect(),
        logins: rows("logins", &shop.logins).into_iter().collect(),
        rates: rows("rates", &shop.rates),
    })
}
