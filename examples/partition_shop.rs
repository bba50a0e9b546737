//! Splits a shop directory of CSV files into partitions by contact, so that each can be
//! consolidated alone (`relance::customer::partition` says how a contact's partition is
//! computed, the same way in any engine).
//!
//! ```text
//! cargo run --release --example partition_shop -- --in DIR --out PARTS_DIR --partitions N
//! cargo run --release --example consolidate_csv -- --in PARTS_DIR --as-of RFC3339 --out profiles.csv
//! ```
//!
//! Writes `PARTS_DIR/part-00000` ... `part-NNNNN`, each a shop directory with the same files,
//! and prints the orders of each partition.

use std::error::Error;
use std::path::PathBuf;
use std::time::Instant;

/// What `--help` prints.
const USAGE: &str = "partition_shop: a shop directory split into partitions by contact.\n\nusage: cargo run --release --example partition_shop -- --in DIR --out PARTS_DIR --partitions N";

fn main() -> Result<(), Box<dyn Error>> {
    let (mut src, mut dst, mut n) = (None, None, 8u32);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--in" => src = Some(PathBuf::from(val()?)),
            "--out" => dst = Some(PathBuf::from(val()?)),
            "--partitions" => n = val()?.parse()?,
            "--help" | "-h" => {
                println!("{USAGE}");
                return Ok(());
            }
            _ => return Err(format!("unknown argument {a}\n{USAGE}").into()),
        }
    }
    let (src, dst) = (
        src.ok_or("--in DIR is required")?,
        dst.ok_or("--out PARTS_DIR is required")?,
    );
    let started = Instant::now();
    let orders = relance::io::csv::partition_dir(&src, &dst, n)?;
    for (i, count) in orders.iter().enumerate() {
        println!("part-{i:05}: {count} orders");
    }
    eprintln!("partition: {:.3} s", started.elapsed().as_secs_f64());
    Ok(())
}
