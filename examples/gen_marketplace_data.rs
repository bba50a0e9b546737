//! Generates a deterministic synthetic marketplace as CSV files.
//!
//! ```text
//! cargo run --release --example gen_marketplace_data -- --out DIR --sellers N --buyers M --orders K --seed S
//! ```
//!
//! Same arguments → same bytes. Data model: see `relance::io::synth::generate_marketplace`
//! (the buyers' shop of `gen_shop_data`, sellers registered over six years, products for
//! ~88 % of them, each order sold by one to three sellers with skewed popularity).
//!
//! Files written in `DIR`: the shop files of `gen_shop_data` (`customers.csv`, `orders.csv`,
//! `carts.csv`, `logins.csv`, `deliveries.csv`, `rates.csv`), with `orders.csv` carrying two
//! more columns, `parent_order_id,seller_id` (an order of one seller on one row; an order of
//! several sellers as its parent row, `seller_id` empty, and one child row per seller with
//! `parent_order_id` set), plus
//! - `sellers.csv`: `seller_id,email,registered_at,status` (active, pending, new, disabled);
//! - `products.csv`: `product_id,seller_id,created_at,active` (yes/no).

use std::error::Error;
use std::path::PathBuf;

use relance::io::{csv, synth};

/// What `--help` prints.
const USAGE: &str = "gen_marketplace_data: a deterministic synthetic marketplace as CSV files.\n\nusage: cargo run --release --example gen_marketplace_data -- --out DIR --sellers N --buyers M --orders K --seed S";

fn main() -> Result<(), Box<dyn Error>> {
    if std::env::args().skip(1).any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return Ok(());
    }
    let mut out: Option<PathBuf> = None;
    let (mut sellers, mut buyers, mut orders, mut seed) =
        (1_000usize, 100_000usize, 1_000_000usize, 42u64);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--out" => out = Some(val()?.into()),
            "--sellers" => sellers = val()?.parse()?,
            "--buyers" => buyers = val()?.parse()?,
            "--orders" => orders = val()?.parse()?,
            "--seed" => seed = val()?.parse()?,
            _ => return Err(format!("unknown argument {a}\n{USAGE}").into()),
        }
    }
    let out = out.ok_or("--out DIR is required")?;
    let m = synth::generate_marketplace(&synth::MarketplaceConfig::new(
        sellers, buyers, orders, seed,
    ));
    csv::write_marketplace_dir(&m.shop.dataset, &m.shop.rates, &m.market, &out)?;
    eprintln!(
        "gen_marketplace_data: {} sellers, {} products, {} orders split into {} sub-orders, {} buyers -> {}",
        m.market.sellers().len(),
        m.market.products().len(),
        m.shop.dataset.orders().len(),
        m.market.sub_orders().len(),
        m.shop.dataset.customer_count(),
        out.display()
    );
    Ok(())
}
