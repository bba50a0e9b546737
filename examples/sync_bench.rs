//! Measures the sync engine at scale: a first sync of N generated contacts, then an unchanged
//! run, with the state in SQLite; prints each run's time and the process's peak memory.
//!
//! ```text
//! cargo run --release --example fake_sendethic_server      # in another terminal: export its 3 lines
//! cargo run --release --example sync_bench -- [--contacts N] [--state PATH] [--profiles]
//! ```
//!
//! With `--profiles` the records come from a real consolidation (a generated shop of ten
//! orders per customer) through `Syncer::run_profiles`, which builds and compares them on
//! every core; the consolidation's own memory then counts in the peak.
//!
//! With `SENDETHIC_ACCOUNT`, `SENDETHIC_API_KEY` and `SENDETHIC_BASE_URL` set it writes to that
//! service (the fake in its own process, so that the fake's memory is not counted); otherwise
//! to an in-process fake, whose memory then counts in the figures. Records are generated on
//! the fly (about 15 values each), as `SyncRecord::all` produces them from a consolidation.

use std::error::Error;
use std::path::PathBuf;
use std::time::Instant;

use chrono::{TimeZone, Utc};
use relance::customer::ProfileField as F;
use relance::customer::{ConsolidationPolicy, Currency};
use relance::io::synth;
use relance::sync::store::{SqliteStore, StateStore};
use relance::sync::{SendethicTarget, SyncRecord, SyncTarget, SyncValue, Syncer};
use relance::testing::FakeSendethic;

fn peak_mib() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = s
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

/// Contact `i` as a consolidation would describe it.
fn record(i: u32) -> SyncRecord {
    let at = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap()
        + chrono::TimeDelta::minutes(i64::from(i % 500_000));
    SyncRecord::new(format!("customer{i}@example.com"))
        .with(F::FirstName, SyncValue::text(Some("Ann")))
        .with(F::LastName, SyncValue::text(Some("Martin")))
        .with(F::Postcode, SyncValue::text(Some("75011")))
        .with(F::CustomerId, SyncValue::text(Some(&i.to_string())))
        .with(F::SignedUpAt, SyncValue::instant(Some(at)))
        .with(F::LastLoginAt, SyncValue::instant(Some(at)))
        .with(
            F::Revenue,
            SyncValue::decimal(f64::from(i % 10_000) / 7.0, 2),
        )
        .with(F::FirstOrderAt, SyncValue::instant(Some(at)))
        .with(F::LastOrderAt, SyncValue::instant(Some(at)))
        .with(
            F::LastOrderAmount,
            SyncValue::decimal(f64::from(i % 300), 2),
        )
        .with(F::OrdersCount, SyncValue::int(i64::from(i % 40)))
        .with(F::AvgDaysBetweenOrders, SyncValue::decimal(12.5, 2))
        .with(F::NewsletterOptIn, SyncValue::OptIn(i.is_multiple_of(3)))
        .with(F::CustomerGroupIds, SyncValue::text(Some("1,4")))
        .with(F::ShopId, SyncValue::text(Some("1")))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let (mut contacts, mut state, mut profiles) = (1_000_000u32, None, false);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--contacts" => contacts = val()?.parse()?,
            "--state" => state = Some(PathBuf::from(val()?)),
            "--profiles" => profiles = true,
            "--help" | "-h" => {
                println!("usage: sync_bench [--contacts N] [--state PATH] [--profiles]");
                return Ok(());
            }
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let (client, _fake) = if std::env::var("SENDETHIC_BASE_URL").is_ok() {
        (relance::sendethic::Client::from_env()?, None)
    } else {
        eprintln!("note: in-process fake; its memory counts in the peak");
        let fake = FakeSendethic::start().await;
        (fake.client(), Some(fake))
    };
    let dir = tempfile::tempdir()?;
    let path = state.unwrap_or_else(|| dir.path().join("state.sqlite"));
    let target = SendethicTarget::new(client);
    let store = SqliteStore::open(&path, target.scope()?)?;
    let mut syncer = Syncer::new(target, store).fields(
        F::ALL
            .into_iter()
            .filter(|f| *f != F::Civility && *f != F::Phone),
    );
    println!(
        "{contacts} contacts, state {}, peak before {:.0} MiB",
        path.display(),
        peak_mib().unwrap_or(0.0)
    );
    let shop = profiles.then(|| {
        let n = contacts as usize;
        synth::generate(&synth::SynthConfig::new(n * 10, n, 7))
    });
    let consolidation = match &shop {
        Some(shop) => {
            let as_of = relance::io::csv::parse_instant("2025-01-01T00:00:00Z").ok_or("as-of")?;
            let mut policy = ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::UTC);
            for r in &shop.rates {
                policy = policy.rate(r.from, r.rate);
            }
            let c = shop.dataset.consolidate(&policy)?;
            println!(
                "consolidated {} contacts; peak {:.0} MiB",
                c.len(),
                peak_mib().unwrap_or(0.0)
            );
            Some(c)
        }
        None => None,
    };
    for run in ["first sync", "unchanged run"] {
        let started = Instant::now();
        let report = match &consolidation {
            Some(c) => syncer.run_profiles(c).await?,
            None => syncer.run((0..contacts).map(record)).await?,
        };
        let secs = started.elapsed().as_secs_f64();
        println!(
            "{run}: {secs:.2} s; {report}; peak {:.0} MiB",
            peak_mib().unwrap_or(0.0)
        );
    }
    let started = Instant::now();
    let loaded = syncer.store().load().await?;
    println!(
        "reading the store: {:.2} s ({} contacts)",
        started.elapsed().as_secs_f64(),
        loaded.len()
    );
    drop(loaded);
    let started = Instant::now();
    let fingerprints: u64 = match &consolidation {
        Some(c) => SyncRecord::all(c)
            .map(|r| r.fingerprint())
            .fold(0, u64::wrapping_add),
        None => (0..contacts)
            .map(|i| record(i).fingerprint())
            .fold(0, u64::wrapping_add),
    };
    println!(
        "building and fingerprinting the records alone, on one thread: {:.2} s ({fingerprints:x})",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
