//! The execution plan of [`ProfilesTable`](super::ProfilesTable): the orders tagged with
//! their contact key, hash-partitioned on it by DataFusion, the customers split with the
//! same hash, and each partition consolidated alone.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::physical_expr::expressions::Column;
use datafusion::physical_expr::{EquivalenceProperties, PhysicalExpr};
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::metrics::Time;
use datafusion::physical_plan::repartition::{BatchPartitioner, RepartitionExec};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, Distribution, ExecutionPlan, ExecutionPlanProperties,
    Partitioning, PlanProperties,
};
use futures_util::{StreamExt, TryStreamExt};
use tokio::sync::OnceCell;

use crate::customer::{ConsolidationPolicy, normalize_email};
use crate::io::arrow::{ShopBatches, profiles_to_batch, read_batches};

/// The column holding each order's contact key (its customer's normalised email, or its
/// own), on which the orders are hash-partitioned.
pub const CONTACT_KEY_COLUMN: &str = "relance_contact_key";

/// The customers, read once: each row tagged with its contact key (its own normalised
/// email), and the key of each customer id (a later row with the same id wins, as in the
/// file readers).
struct Customers {
    key_of_id: HashMap<String, String>,
    batches: Vec<RecordBatch>,
}

/// What the tagging step and the consolidation share: the customers' plan, read once.
struct Shared {
    plan: Option<Arc<dyn ExecutionPlan>>,
    customers: OnceCell<Arc<Customers>>,
    buckets: OnceCell<Arc<Vec<Vec<RecordBatch>>>>,
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shared")
            .field("customers", &self.plan.is_some())
            .finish_non_exhaustive()
    }
}

impl Shared {
    /// The customers, read (all partitions, in order) by the first caller.
    async fn customers(&self, ctx: &Arc<TaskContext>) -> Result<Arc<Customers>> {
        let loaded = self.customers.get_or_try_init(|| async {
            let mut batches = Vec::new();
            if let Some(plan) = &self.plan {
                for p in 0..plan.output_partitioning().partition_count() {
                    batches.extend(collect(plan, p, ctx).await?);
                }
            }
            tag_customers(&batches).map(Arc::new)
        });
        loaded.await.cloned()
    }

    /// The customers split into `n` partitions with the hash the orders were split with.
    async fn buckets(
        &self,
        ctx: &Arc<TaskContext>,
        n: usize,
    ) -> Result<Arc<Vec<Vec<RecordBatch>>>> {
        let split = self.buckets.get_or_try_init(|| async {
            let customers = self.customers(ctx).await?;
            let mut buckets = vec![Vec::new(); n.max(1)];
            if n <= 1 {
                buckets[0].clone_from(&customers.batches);
                return Ok(Arc::new(buckets));
            }
            let Some(first) = customers.batches.first() else {
                return Ok(Arc::new(buckets));
            };
            let hashing = Partitioning::Hash(vec![key_expr(&first.schema())?], n);
            let mut partitioner = BatchPartitioner::try_new(hashing, Time::new(), 0, 1)?;
            for batch in &customers.batches {
                partitioner.partition(batch.clone(), |i, part| {
                    buckets[i].push(part);
                    Ok(())
                })?;
            }
            Ok(Arc::new(buckets))
        });
        split.await.cloned()
    }
}

/// Every batch of partition `p` of `plan`.
async fn collect(
    plan: &Arc<dyn ExecutionPlan>,
    p: usize,
    ctx: &Arc<TaskContext>,
) -> Result<Vec<RecordBatch>> {
    plan.execute(p, ctx.clone())?.try_collect().await
}

/// The key column of a tagged schema, as a physical expression.
fn key_expr(schema: &Schema) -> Result<Arc<dyn PhysicalExpr>> {
    let index = schema.index_of(CONTACT_KEY_COLUMN)?;
    Ok(Arc::new(Column::new(CONTACT_KEY_COLUMN, index)))
}

/// A column by name (case-insensitive) as text; `None` when absent.
fn text(batch: &RecordBatch, name: &str) -> Result<Option<StringArray>> {
    let schema = batch.schema();
    let Some(i) = schema
        .fields()
        .iter()
        .position(|f| f.name().trim().eq_ignore_ascii_case(name))
    else {
        return Ok(None);
    };
    let column = cast(batch.column(i), &DataType::Utf8)?;
    Ok(Some(column.as_string::<i32>().clone()))
}

/// Row `i` of a text column, trimmed; empty when null or absent.
fn value(column: Option<&StringArray>, i: usize) -> &str {
    column
        .filter(|c| !c.is_null(i))
        .map_or("", |c| c.value(i).trim())
}

/// `batch` with the key column appended.
fn with_keys(batch: &RecordBatch, keys: StringArray) -> Result<RecordBatch> {
    let schema = tagged_schema(&batch.schema());
    let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
    columns.push(Arc::new(keys));
    Ok(RecordBatch::try_new(schema, columns)?)
}

fn tagged_schema(schema: &Schema) -> SchemaRef {
    let mut fields: Vec<Field> = schema.fields().iter().map(|f| f.as_ref().clone()).collect();
    fields.push(Field::new(CONTACT_KEY_COLUMN, DataType::Utf8, false));
    Arc::new(Schema::new(fields))
}

/// The customers with their keys: each row is a contact of its own email (and goes with
/// it); the last row of an id gives the key of that id's orders.
fn tag_customers(batches: &[RecordBatch]) -> Result<Customers> {
    let mut key_of_id = HashMap::new();
    let mut tagged = Vec::with_capacity(batches.len());
    for b in batches {
        let (ids, emails) = (text(b, "customer_id")?, text(b, "email")?);
        let keys: StringArray = (0..b.num_rows())
            .map(|i| {
                let key = normalize_email(value(emails.as_ref(), i));
                let id = value(ids.as_ref(), i);
                if !id.is_empty() {
                    key_of_id.insert(id.to_owned(), key.clone());
                }
                Some(key)
            })
            .collect();
        tagged.push(with_keys(b, keys)?);
    }
    Ok(Customers {
        key_of_id,
        batches: tagged,
    })
}

/// An orders batch with its keys: the key of its customer when the id is a customer's,
/// its own email's otherwise.
fn tag_orders(batch: &RecordBatch, customers: &Customers) -> Result<RecordBatch> {
    let (ids, emails) = (text(batch, "customer_id")?, text(batch, "email")?);
    let keys: StringArray = (0..batch.num_rows())
        .map(|i| {
            let id = value(ids.as_ref(), i);
            let known = (!id.is_empty())
                .then(|| customers.key_of_id.get(id))
                .flatten();
            Some(
                known
                    .cloned()
                    .unwrap_or_else(|| normalize_email(value(emails.as_ref(), i))),
            )
        })
        .collect();
    with_keys(batch, keys)
}

/// The one input given to a plan of one input.
fn only_child(
    children: &mut Vec<Arc<dyn ExecutionPlan>>,
    plan: &str,
) -> Result<Arc<dyn ExecutionPlan>> {
    match (children.pop(), children.is_empty()) {
        (Some(child), true) => Ok(child),
        _ => Err(DataFusionError::Internal(format!("{plan} takes one input"))),
    }
}

fn properties(schema: SchemaRef, partitions: usize, emission: EmissionType) -> Arc<PlanProperties> {
    Arc::new(PlanProperties::new(
        EquivalenceProperties::new(schema),
        Partitioning::UnknownPartitioning(partitions),
        emission,
        Boundedness::Bounded,
    ))
}

/// Tags each order row with its contact key ([`CONTACT_KEY_COLUMN`]).
#[derive(Debug)]
struct ContactKeyExec {
    input: Arc<dyn ExecutionPlan>,
    shared: Arc<Shared>,
    schema: SchemaRef,
    properties: Arc<PlanProperties>,
}

impl ContactKeyExec {
    fn new(input: Arc<dyn ExecutionPlan>, shared: Arc<Shared>) -> Self {
        let schema = tagged_schema(&input.schema());
        let partitions = input.output_partitioning().partition_count();
        Self {
            properties: properties(schema.clone(), partitions, EmissionType::Incremental),
            input,
            shared,
            schema,
        }
    }
}

impl DisplayAs for ContactKeyExec {
    fn fmt_as(&self, _: DisplayFormatType, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ContactKeyExec")
    }
}

impl ExecutionPlan for ContactKeyExec {
    fn name(&self) -> &'static str {
        "ContactKeyExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }

    fn apply_expressions(
        &self,
        _: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn with_new_children(
        self: Arc<Self>,
        mut children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let input = only_child(&mut children, "ContactKeyExec")?;
        Ok(Arc::new(Self::new(input, self.shared.clone())))
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        let input = self.input.execute(partition, context.clone())?;
        let shared = self.shared.clone();
        let tagged = futures_util::stream::once(async move {
            let customers = shared.customers(&context).await?;
            Ok::<_, DataFusionError>(input.map(move |b| tag_orders(&b?, &customers)))
        })
        .try_flatten();
        Ok(Box::pin(RecordBatchStreamAdapter::new(
            self.schema.clone(),
            tagged,
        )))
    }
}

/// Consolidates each hash partition of the tagged orders with the customers of the same
/// partition: one batch of profiles per partition (see
/// [`ProfilesTable`](super::ProfilesTable)).
#[derive(Debug)]
pub struct ProfilesExec {
    orders: Arc<dyn ExecutionPlan>,
    shared: Arc<Shared>,
    policy: ConsolidationPolicy,
    schema: SchemaRef,
    projection: Option<Vec<usize>>,
    properties: Arc<PlanProperties>,
}

impl ProfilesExec {
    /// The plan over these scans of the orders and the customers, in `partitions` hash
    /// partitions, producing the columns of `schema` (the profiles' schema) at
    /// `projection`.
    pub(super) fn try_new(
        orders: Arc<dyn ExecutionPlan>,
        customers: Option<Arc<dyn ExecutionPlan>>,
        policy: ConsolidationPolicy,
        schema: SchemaRef,
        partitions: usize,
        projection: Option<Vec<usize>>,
    ) -> Result<Self> {
        let shared = Arc::new(Shared {
            plan: customers,
            customers: OnceCell::new(),
            buckets: OnceCell::new(),
        });
        let tagged: Arc<dyn ExecutionPlan> = Arc::new(ContactKeyExec::new(orders, shared.clone()));
        let hashing = Partitioning::Hash(vec![key_expr(&tagged.schema())?], partitions);
        let orders = Arc::new(RepartitionExec::try_new(tagged, hashing)?);
        Self::over(orders, shared, policy, schema, projection)
    }

    fn over(
        orders: Arc<dyn ExecutionPlan>,
        shared: Arc<Shared>,
        policy: ConsolidationPolicy,
        schema: SchemaRef,
        projection: Option<Vec<usize>>,
    ) -> Result<Self> {
        let output = match &projection {
            Some(p) => Arc::new(schema.project(p)?),
            None => schema.clone(),
        };
        let partitions = orders.output_partitioning().partition_count();
        Ok(Self {
            properties: properties(output, partitions, EmissionType::Final),
            orders,
            shared,
            policy,
            schema,
            projection,
        })
    }
}

impl DisplayAs for ProfilesExec {
    fn fmt_as(&self, _: DisplayFormatType, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ProfilesExec: as_of={}, customers={}",
            self.policy.as_of,
            self.shared.plan.is_some()
        )
    }
}

impl ExecutionPlan for ProfilesExec {
    fn name(&self) -> &'static str {
        "ProfilesExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn required_input_distribution(&self) -> Vec<Distribution> {
        let key = key_expr(&self.orders.schema())
            .map_or(Distribution::UnspecifiedDistribution, |k| {
                Distribution::KeyPartitioned(vec![k])
            });
        vec![key]
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.orders]
    }

    fn apply_expressions(
        &self,
        _: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn with_new_children(
        self: Arc<Self>,
        mut children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let orders = only_child(&mut children, "ProfilesExec")?;
        let exec = Self::over(
            orders,
            self.shared.clone(),
            self.policy.clone(),
            self.schema.clone(),
            self.projection.clone(),
        )?;
        Ok(Arc::new(exec))
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        let partitions = self.orders.output_partitioning().partition_count();
        if partitions > 1
            && !matches!(self.orders.output_partitioning(), Partitioning::Hash(on, _) if on.len() == 1)
        {
            return Err(DataFusionError::Internal(
                "ProfilesExec needs its orders hash-partitioned on the contact key".into(),
            ));
        }
        let (orders, shared) = (self.orders.clone(), self.shared.clone());
        let (policy, schema) = (self.policy.clone(), self.schema.clone());
        let projection = self.projection.clone();
        let profiles = futures_util::stream::once(async move {
            let buckets = shared.buckets(&context, partitions).await?;
            let shop = ShopBatches {
                customers: buckets.get(partition).cloned().unwrap_or_default(),
                orders: collect(&orders, partition, &context).await?,
                ..ShopBatches::default()
            };
            let batch = consolidate(&shop, &policy, &schema)?;
            match &projection {
                Some(p) => Ok(batch.project(p)?),
                None => Ok(batch),
            }
        });
        Ok(Box::pin(RecordBatchStreamAdapter::new(
            self.properties.eq_properties.schema().clone(),
            profiles,
        )))
    }
}

/// The profiles of one partition's shop.
fn consolidate(
    shop: &ShopBatches,
    policy: &ConsolidationPolicy,
    schema: &SchemaRef,
) -> Result<RecordBatch> {
    let external = |e: Box<dyn std::error::Error + Send + Sync>| DataFusionError::External(e);
    let (dataset, _) = read_batches(shop).map_err(|e| external(Box::new(e)))?;
    let profiles = dataset
        .consolidate(policy)
        .map_err(|e| external(Box::new(e)))?;
    if profiles.is_empty() {
        return Ok(RecordBatch::new_empty(schema.clone()));
    }
    Ok(profiles_to_batch(&profiles, None)?)
}
