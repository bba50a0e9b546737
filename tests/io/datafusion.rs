//! The consolidation as a DataFusion table, per hash partition, gives the profiles of the
//! in-memory run.

use std::sync::Arc;

use arrow::array::RecordBatch;
use arrow::util::display::{ArrayFormatter, FormatOptions};
use relance::customer::FxRate;
use relance::datafusion::datasource::MemTable;
use relance::datafusion::physical_plan::ExecutionPlanProperties;
use relance::datafusion::prelude::{SessionConfig, SessionContext};
use relance::io::arrow::{ShopBatches, profiles_to_batch, read_batches};
use relance::io::datafusion::ProfilesTable;
use relance::io::{csv, synth};

use crate::support::{policy, temp_dir, text_batch};

/// A generated shop's customers and orders as text batches, plus rows that test the
/// routing: customer id 90001 given twice (each row a contact; the later one gets the
/// id's orders), ordered under the earlier email and under none; an order under an id no
/// customer has.
fn shop(name: &str) -> (RecordBatch, RecordBatch, Vec<FxRate>) {
    let dir = temp_dir(name);
    let shop = synth::generate(&synth::SynthConfig::new(4_000, 500, 5));
    csv::write_dir(&shop.dataset, &shop.rates, &dir).unwrap();
    let extra = |file: &str, lines: &[&str]| {
        let path = dir.join(file);
        let mut text = std::fs::read_to_string(&path).unwrap();
        for l in lines {
            text.push_str(l);
            text.push('\n');
        }
        std::fs::write(path, text).unwrap();
    };
    extra(
        "customers.csv",
        &[
            "90001,first@example.com,Zoé,,,,,,,,no,,,,,",
            "90001,Second@Example.com,Zoé,,,,,,,,no,,,,,",
        ],
    );
    extra(
        "orders.csv",
        &[
            "90002,90001,first@example.com,2024-03-01T10:00:00Z,completed,12.00,EUR,",
            "90003,90001,,2024-04-01T10:00:00Z,completed,8.00,EUR,",
            "90004,777777,stranger@example.com,2024-04-02T10:00:00Z,completed,3.00,EUR,",
        ],
    );
    let customers = text_batch(&dir.join("customers.csv"));
    let orders = text_batch(&dir.join("orders.csv"));
    (customers, orders, shop.rates)
}

/// Each row of the batches as its values' text, sorted.
fn rows(batches: &[RecordBatch]) -> Vec<String> {
    let options = FormatOptions::default();
    let mut rows = Vec::new();
    for b in batches {
        let formatters: Vec<ArrayFormatter<'_>> = b
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options).unwrap())
            .collect();
        for i in 0..b.num_rows() {
            let values: Vec<String> = formatters.iter().map(|f| f.value(i).to_string()).collect();
            rows.push(values.join("|"));
        }
    }
    rows.sort();
    rows
}

/// A table in `parts` partitions of about equal slices.
fn table(batch: &RecordBatch, parts: usize) -> Arc<MemTable> {
    let size = batch.num_rows().div_ceil(parts);
    let slices = (0..parts)
        .map(|p| {
            let start = (p * size).min(batch.num_rows());
            let len = size.min(batch.num_rows() - start);
            vec![batch.slice(start, len)]
        })
        .collect();
    Arc::new(MemTable::try_new(batch.schema(), slices).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_hash_partition_gives_the_profiles_of_the_in_memory_run() {
    let (customers, orders, rates) = shop("datafusion-partitions");
    let mut whole = ShopBatches::default();
    whole.customers = vec![customers.clone()];
    whole.orders = vec![orders.clone()];
    let (dataset, _) = read_batches(&whole).unwrap();
    let consolidated = dataset.consolidate(&policy(&rates)).unwrap();
    let expected = rows(&[profiles_to_batch(&consolidated, None).unwrap()]);
    assert!(expected.len() > 500, "{} profiles", expected.len());
    assert!(expected.iter().any(|r| r.contains("second@example.com")));
    assert!(expected.iter().any(|r| r.contains("first@example.com")));
    assert!(expected.iter().any(|r| r.contains("stranger@example.com")));

    for partitions in [1, 3, 8] {
        let config = SessionConfig::new().with_target_partitions(partitions);
        let ctx = SessionContext::new_with_config(config);
        ctx.register_table("orders", table(&orders, 3)).unwrap();
        ctx.register_table("customers", table(&customers, 2))
            .unwrap();
        let profiles =
            ProfilesTable::new(ctx.table_provider("orders").await.unwrap(), policy(&rates))
                .customers(ctx.table_provider("customers").await.unwrap());
        ctx.register_table("profiles", Arc::new(profiles)).unwrap();

        let frame = ctx.table("profiles").await.unwrap();
        let plan = frame.clone().create_physical_plan().await.unwrap();
        assert_eq!(plan.output_partitioning().partition_count(), partitions);
        let batches = frame.collect().await.unwrap();
        let non_empty = batches.iter().filter(|b| b.num_rows() > 0).count();
        assert!(partitions == 1 || non_empty > 1, "{partitions} partitions");
        assert_eq!(rows(&batches), expected, "{partitions} partitions");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_projection_of_the_profiles_holds_the_same_values() {
    let (customers, orders, rates) = shop("datafusion-projection");
    let ctx = SessionContext::new_with_config(SessionConfig::new().with_target_partitions(4));
    let profiles =
        ProfilesTable::new(table(&orders, 2), policy(&rates)).customers(table(&customers, 1));
    ctx.register_table("profiles", Arc::new(profiles)).unwrap();
    let frame = ctx.table("profiles").await.unwrap();
    let all = frame.clone().collect().await.unwrap();
    let picked = frame
        .select_columns(&["email", "orders_count"])
        .unwrap()
        .collect()
        .await
        .unwrap();
    let expected: Vec<RecordBatch> = all
        .iter()
        .map(|b| {
            let schema = b.schema();
            let email = schema.index_of("email").unwrap();
            let count = schema.index_of("orders_count").unwrap();
            b.project(&[email, count]).unwrap()
        })
        .collect();
    assert_eq!(picked.first().map(RecordBatch::num_columns), Some(2));
    assert_eq!(rows(&picked), rows(&expected));
}
