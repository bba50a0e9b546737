//! Consolidation benchmark on generated data (1 M orders / 100 k customers by default; set
//! `RELANCE_BENCH_ORDERS` to change the order count, customers = orders / 10).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use relance::customer::{ConsolidationPolicy, Currency, RfmConfig};
use relance::io::{csv, synth};

fn bench(c: &mut Criterion) {
    let orders: usize = std::env::var("RELANCE_BENCH_ORDERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let shop = synth::generate(&synth::SynthConfig::new(orders, orders / 10, 42));
    let mut policy = ConsolidationPolicy::new(
        Currency::EUR,
        csv::parse_instant("2025-01-01T00:00:00Z").unwrap(),
        chrono_tz::Europe::Paris,
    );
    for r in &shop.rates {
        policy = policy.rate(r.from, r.rate);
    }
    let mut g = c.benchmark_group("consolidate");
    g.sample_size(10);
    g.bench_function(format!("full_profiles_{orders}_orders"), |b| {
        b.iter(|| black_box(shop.dataset.consolidate(black_box(&policy)).unwrap().len()));
    });
    g.bench_function(format!("full_profiles_{orders}_orders_1_thread"), |b| {
        let one = policy.clone().threads(1);
        b.iter(|| black_box(shop.dataset.consolidate(black_box(&one)).unwrap().len()));
    });
    let base = shop.dataset.consolidate(&policy).unwrap();
    g.bench_function(format!("rfm_quartiles_{orders}_orders"), |b| {
        b.iter(|| {
            let mut c = base.clone();
            black_box(c.apply_rfm(&RfmConfig::default()))
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
