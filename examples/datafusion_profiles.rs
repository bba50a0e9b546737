//! The consolidation on DataFusion, per hash partition, against the same consolidation in
//! memory, on the same record batches of a shop's Parquet files.
//!
//! ```text
//! cargo run --release --features datafusion,parquet --example datafusion_profiles -- --in DIR --as-of RFC3339 [--partitions N] [--rounds R]
//! ```
//!
//! Reads `DIR/orders.parquet` and `DIR/customers.parquet` into record batches once, then,
//! alternating for `R` rounds (default 3): the in-memory path (`io::arrow::read_batches`,
//! `Dataset::consolidate`, `profiles_to_batch`) and a DataFusion session with `N` target
//! partitions (default 2) querying a `ProfilesTable` over the same batches registered as
//! memory tables. Prints each round's times, the medians and their ratio, and checks that
//! both give as many profiles with the same order counts and revenue totals. Amounts in
//! USD are converted at the generator's rate (`io::synth::USD_TO_EUR`).

use std::error::Error;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use relance::arrow::array::{AsArray, RecordBatch};
use relance::arrow::datatypes::{Decimal128Type, Int64Type};
use relance::customer::{ConsolidationPolicy, Currency};
use relance::datafusion::datasource::MemTable;
use relance::datafusion::prelude::{SessionConfig, SessionContext};
use relance::io::arrow::{ShopBatches, profiles_to_batch, read_batches};
use relance::io::datafusion::ProfilesTable;
use relance::io::{csv, synth};
use relance::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

/// What `--help` prints.
const USAGE: &str = "datafusion_profiles: the consolidation on DataFusion against the same in memory.\n\nusage: cargo run --release --features datafusion,parquet --example datafusion_profiles -- --in DIR --as-of RFC3339 [--partitions N] [--rounds R]";

fn batches(path: &Path) -> Result<Vec<RecordBatch>, Box<dyn Error>> {
    let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(path)?)?
        .with_batch_size(65_536)
        .build()?;
    Ok(reader.collect::<Result<Vec<_>, _>>()?)
}

/// The number of profiles, their total order count and their total revenue (minor units).
fn totals(batches: &[RecordBatch]) -> (usize, i64, i128) {
    let (mut rows, mut orders, mut revenue) = (0, 0, 0);
    for b in batches {
        rows += b.num_rows();
        let schema = b.schema();
        if let Ok(i) = schema.index_of("orders_count") {
            let c = b.column(i).as_primitive::<Int64Type>();
            orders += c.iter().flatten().sum::<i64>();
        }
        if let Ok(i) = schema.index_of("revenue") {
            let c = b.column(i).as_primitive::<Decimal128Type>();
            revenue += c.iter().flatten().sum::<i128>();
        }
    }
    (rows, orders, revenue)
}

/// `batches` in `parts` partitions of whole batches, as a memory table.
fn table(batches: &[RecordBatch], parts: usize) -> Result<Arc<MemTable>, Box<dyn Error>> {
    let schema = batches.first().ok_or("an empty table")?.schema();
    let mut partitions = vec![Vec::new(); parts.max(1)];
    for (i, b) in batches.iter().enumerate() {
        partitions[i % parts.max(1)].push(b.clone());
    }
    Ok(Arc::new(MemTable::try_new(schema, partitions)?))
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    if std::env::args().skip(1).any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return Ok(());
    }
    let (mut dir, mut as_of, mut partitions, mut rounds) = (None::<PathBuf>, None, 2usize, 3usize);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--in" => dir = Some(val()?.into()),
            "--as-of" => as_of = Some(csv::parse_instant(&val()?).ok_or("--as-of: RFC 3339")?),
            "--partitions" => partitions = val()?.parse()?,
            "--rounds" => rounds = val()?.parse()?,
            _ => return Err(format!("unknown argument {a}\n{USAGE}").into()),
        }
    }
    let dir = dir.ok_or(USAGE)?;
    let as_of = as_of.ok_or(USAGE)?;
    let policy = ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::UTC)
        .rate(Currency::USD, synth::USD_TO_EUR);

    let started = Instant::now();
    let orders = batches(&dir.join("orders.parquet"))?;
    let customers = batches(&dir.join("customers.parquet"))?;
    let rows: usize = orders.iter().map(RecordBatch::num_rows).sum();
    println!(
        "read {rows} orders and {} customers in {:.2?}",
        customers.iter().map(RecordBatch::num_rows).sum::<usize>(),
        started.elapsed()
    );

    let (mut in_memory, mut on_datafusion) = (Vec::new(), Vec::new());
    for round in 1..=rounds {
        let t = Instant::now();
        let mut shop = ShopBatches::default();
        shop.customers.clone_from(&customers);
        shop.orders.clone_from(&orders);
        let (dataset, _) = read_batches(&shop)?;
        let consolidated = dataset.consolidate(&policy)?;
        let expected = totals(&[profiles_to_batch(&consolidated, None)?]);
        drop(consolidated);
        in_memory.push(t.elapsed());

        let t = Instant::now();
        let ctx = SessionContext::new_with_config(
            SessionConfig::new().with_target_partitions(partitions),
        );
        let profiles = ProfilesTable::new(table(&orders, partitions)?, policy.clone())
            .customers(table(&customers, partitions)?);
        ctx.register_table("profiles", Arc::new(profiles))?;
        let got = totals(&ctx.table("profiles").await?.collect().await?);
        on_datafusion.push(t.elapsed());
        assert_eq!(
            got, expected,
            "DataFusion's profiles differ from the in-memory run's"
        );
        println!(
            "round {round}: in memory {:.2?}, DataFusion ({partitions} partitions) {:.2?}; {} profiles, {} orders counted",
            in_memory[round - 1],
            on_datafusion[round - 1],
            got.0,
            got.1
        );
    }
    let (m, d) = (median(in_memory), median(on_datafusion));
    println!(
        "median: in memory {m:.2?}, DataFusion {d:.2?}, ratio DataFusion/in memory {:.2}",
        d.as_secs_f64() / m.as_secs_f64()
    );
    if let Some(peak) = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_owned)
        })
    {
        println!(
            "peak resident memory: {}",
            peak.trim_start_matches("VmHWM:").trim()
        );
    }
    Ok(())
}
