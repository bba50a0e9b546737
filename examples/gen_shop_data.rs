//! Generates a deterministic synthetic shop as CSV files.
//!
//! ```text
//! cargo run --release --example gen_shop_data -- --out DIR --orders N --customers M --seed S [--partitions P]
//! ```
//!
//! Same arguments → same bytes (splitmix64 PRNG, no clock). Rows are written as they are
//! made (`relance::io::synth::write_shop`): only the customers are held in memory, so a
//! shop of any number of orders fits. With `--partitions P` the shop is written already
//! split by contact into `DIR/part-00000` … (the files `partition_shop` would make of it),
//! ready for `consolidate_csv --in DIR`. Data model: see
//! `relance::io::synth` (skewed customer popularity `⌊u²·M⌋`, `placed_at` uniform over 3
//! years from 2022-01-01 unsorted, lognormal amounts, status valid/cancelled/refunded
//! 0.90/0.05/0.05, ~3 % guest orders, ~3 % USD orders, carts, logins, deliveries).
//!
//! Files written in `DIR` (header line first, `,` separator, RFC 4180 quoting, instants RFC 3339
//! UTC, amounts plain decimals with `.`, empty = unknown):
//! - `customers.csv`: `customer_id,email,first_name,last_name,civility,birth_date,phone,postcode,signed_up_at,updated_at,newsletter_optin,group_ids,shop_id,newsletter_optin_at,last_login_at,is_guest`
//!   (`civility` Mr/Mrs/Miss/other; `birth_date` YYYY-MM-DD; `newsletter_optin` yes/no;
//!   `group_ids` comma-separated, quoted; `is_guest` yes or empty);
//! - `orders.csv`: `order_id,customer_id,email,placed_at,status,amount,currency,refunded_amount`
//!   (`customer_id` empty for guest orders; `status` pending, paid, processing, shipped,
//!   completed, cancelled, refunded or any other string);
//! - `carts.csv`: `cart_id,customer_id,email,created_at,updated_at,item_count,total,currency,converted_order_id`;
//! - `logins.csv`: `customer_id,at`;
//! - `deliveries.csv`: `order_id,delivered_at`;
//! - `rates.csv`: `currency,rate` (1 USD = `rate` EUR; the reporting currency is EUR).

use std::error::Error;
use std::path::PathBuf;

use relance::io::synth;

/// What `--help` prints.
const USAGE: &str = "gen_shop_data: a deterministic synthetic shop as CSV files.\n\nusage: cargo run --release --example gen_shop_data -- --out DIR --orders N --customers M --seed S [--partitions P]";

fn main() -> Result<(), Box<dyn Error>> {
    if std::env::args().skip(1).any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return Ok(());
    }
    let mut out: Option<PathBuf> = None;
    let (mut orders, mut customers, mut seed) = (1_000_000usize, 100_000usize, 42u64);
    let mut partitions = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--out" => out = Some(val()?.into()),
            "--orders" => orders = val()?.parse()?,
            "--customers" => customers = val()?.parse()?,
            "--seed" => seed = val()?.parse()?,
            "--partitions" => partitions = Some(val()?.parse()?),
            _ => return Err(format!("unknown argument {a}\n{USAGE}").into()),
        }
    }
    let out = out.ok_or("--out DIR is required")?;
    let config = synth::SynthConfig::new(orders, customers, seed);
    let per_part = synth::write_shop(&config, &out, partitions)?;
    let written: u64 = per_part.iter().sum();
    let (smallest, largest) = (
        per_part.iter().min().copied().unwrap_or(0),
        per_part.iter().max().copied().unwrap_or(0),
    );
    eprintln!(
        "gen_shop_data: {written} orders, {customers} customers, {} carts, {} logins -> {} ({} part(s), {smallest} to {largest} orders each)",
        orders / 4,
        if customers > 0 { orders / 2 } else { 0 },
        out.display(),
        per_part.len()
    );
    Ok(())
}
