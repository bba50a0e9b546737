//! Seller consolidation at marketplace scale: 1 000 000 sub-orders across 10 000 sellers
//! (and 200 000 products), consolidated into seller profiles; beside it, for scale, the
//! customer consolidation of as many orders on the same machine in the same run.
//!
//! ```text
//! cargo run --release --example seller_bench -- [--sub-orders N] [--sellers S] [--rounds R]
//! ```
//!
//! Prints each round's times, then the medians.

use std::time::{Duration, Instant};

use chrono::{TimeDelta, TimeZone, Utc};
use relance::customer::seller::{Marketplace, Product, Seller, SellerIdx, SellerPolicy, SubOrder};
use relance::customer::{ConsolidationPolicy, Currency, Money, OrderId, OrderStatus};
use relance::io::synth;

/// What `--help` prints.
const USAGE: &str = "seller_bench: seller profiles from N sub-orders across S sellers, beside the customer consolidation of as many orders.\n\nusage: cargo run --release --example seller_bench -- [--sub-orders N] [--sellers S] [--rounds R]";

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::args().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return Ok(());
    }
    let (n, sellers, rounds) = (
        arg("--sub-orders", 1_000_000),
        arg("--sellers", 10_000),
        arg("--rounds", 5),
    );
    let start = Utc
        .with_ymd_and_hms(2022, 1, 1, 0, 0, 0)
        .single()
        .ok_or("date")?;
    let span = 3 * 365 * 24 * 3600;
    let mut rng = fastrand::Rng::with_seed(7);
    let mut market = Marketplace::new();
    for i in 0..sellers {
        let at = start + TimeDelta::seconds(rng.i64(0..span));
        market.add_seller(Seller::new(
            format!("v{i}"),
            format!("vendor{i}@example.com"),
            Some(at),
        ));
    }
    let seller = |rng: &mut fastrand::Rng| {
        // Skewed: a few sellers make most sales.
        let u = rng.f64();
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        SellerIdx((u * u * sellers as f64) as u32)
    };
    for i in 0..sellers * 20 {
        let at = start + TimeDelta::seconds(rng.i64(0..span));
        market.add_product(Product::new(
            format!("p{i}"),
            seller(&mut rng),
            at,
            rng.f64() < 0.9,
        ));
    }
    let statuses = [
        OrderStatus::Paid,
        OrderStatus::Completed,
        OrderStatus::Shipped,
        OrderStatus::Cancelled,
    ];
    for i in 0..n {
        let at = start + TimeDelta::seconds(rng.i64(0..span));
        let status = statuses[rng.usize(0..statuses.len())];
        market.add_sub_order(SubOrder::new(
            OrderId(i as u64 / 2),
            seller(&mut rng),
            at,
            status,
            Money::new(rng.i64(100..50_000), Currency::EUR),
        ));
    }
    let as_of = start + TimeDelta::days(3 * 365);
    let policy = ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::UTC);
    let shop = synth::generate(&synth::SynthConfig::new(n, n / 10, 7));
    let mut shop_policy = ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::UTC);
    for r in &shop.rates {
        shop_policy = shop_policy.rate(r.from, r.rate);
    }
    let (mut seller_times, mut customer_times) = (Vec::new(), Vec::new());
    for round in 1..=rounds {
        let t = Instant::now();
        let profiles = market.consolidate(&shop.dataset, &policy, &SellerPolicy::default())?;
        let took = t.elapsed();
        let milestones = profiles
            .iter()
            .filter(|p| p.milestone == Some(1000))
            .count();
        println!(
            "round {round}: sellers {took:.2?} ({} profiles, {milestones} at 1 000 sales)",
            profiles.len()
        );
        seller_times.push(took);
        let t = Instant::now();
        let customers = shop.dataset.consolidate(&shop_policy)?;
        let took = t.elapsed();
        println!(
            "round {round}: customers {took:.2?} ({} profiles)",
            customers.len()
        );
        customer_times.push(took);
    }
    println!(
        "{n} sub-orders, {sellers} sellers: seller consolidation median {:.2?}; customer consolidation of {n} orders median {:.2?}",
        median(seller_times),
        median(customer_times)
    );
    Ok(())
}
