//! The nightly job: read the shop, consolidate it, provision the fields and the default
//! segments, and push to Sendethic or Sendsay only the contacts whose values changed since
//! the last confirmed push, with the sync state in a SQLite file.
//!
//! ```text
//! cargo run --release --example sync -- --in DIR --as-of RFC3339 [--tz IANA_NAME]
//!     [--state PATH] [--provider sendethic|sendsay]
//! ```
//!
//! - `--in DIR`: the shop files `consolidate_csv` reads (`orders.csv` required, `customers.csv`,
//!   `carts.csv`, `logins.csv`, `deliveries.csv`, `rates.csv` when present). Without it, a
//!   small shop is generated and two nights are run (the second one day later).
//! - `--as-of`: the consolidation instant (required with `--in`; default 2025-01-01 for the
//!   generated shop).
//! - `--tz`: the shop timezone for calendar days (default `UTC`).
//! - `--state PATH`: the SQLite sync state (created when missing, tied to the provider
//!   account); without it the state lives in memory for this run only.
//! - `--provider`: `sendethic` (default) or `sendsay`.
//!
//! The real service is used when `SENDETHIC_ACCOUNT` and `SENDETHIC_API_KEY` (optionally
//! `SENDETHIC_BASE_URL`) are set — or, with `--provider sendsay`, `SENDSAY_ACCOUNT` and
//! `SENDSAY_API_KEY` (optionally `SENDSAY_BASE_URL`, `SENDSAY_TIMEZONE`); otherwise the
//! embedded fake. The last line is
//! `sync: considered N, pushed P, unchanged U, rejected R, failed F` (P counts the contacts the
//! service confirmed written in this run); the exit code is 0 only when nothing failed.

use std::error::Error;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use chrono::{DateTime, TimeDelta, Utc};
use relance::customer::{ConsolidationPolicy, Currency, Dataset, FxRate, segment};
use relance::io::{csv, synth};
use relance::sync::store::{MemoryStore, SqliteStore, StateStore};
use relance::sync::{SendethicTarget, SendsayTarget, SyncReport, SyncTarget, Syncer};
use relance::testing::{FakeSendethic, FakeSendsay};

const USAGE: &str = "usage: sync [--in DIR --as-of RFC3339] [--tz IANA_NAME] [--state PATH] \
[--provider sendethic|sendsay]";

/// What the command line asked for.
struct Args {
    dir: Option<PathBuf>,
    as_of: Option<DateTime<Utc>>,
    tz: chrono_tz::Tz,
    state: Option<PathBuf>,
    sendsay: bool,
}

fn args() -> Result<Option<Args>, Box<dyn Error>> {
    let mut out = Args {
        dir: None,
        as_of: None,
        tz: chrono_tz::UTC,
        state: None,
        sendsay: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--help" | "-h" => return Ok(None),
            "--in" => out.dir = Some(PathBuf::from(val()?)),
            "--as-of" => {
                out.as_of = Some(csv::parse_instant(&val()?).ok_or("bad --as-of (RFC 3339)")?);
            }
            "--tz" => out.tz = val()?.parse().map_err(|e| format!("bad --tz: {e}"))?,
            "--state" => out.state = Some(PathBuf::from(val()?)),
            "--provider" => match val()?.as_str() {
                "sendethic" => out.sendsay = false,
                "sendsay" => out.sendsay = true,
                other => return Err(format!("unknown provider `{other}`").into()),
            },
            other => return Err(format!("unknown argument {other}\n{USAGE}").into()),
        }
    }
    if out.dir.is_some() && out.as_of.is_none() {
        return Err(format!("--as-of is required with --in\n{USAGE}").into());
    }
    Ok(Some(out))
}

/// The shop: read from `--in`, or generated.
fn shop(args: &Args) -> Result<(Dataset, Vec<FxRate>), Box<dyn Error>> {
    let started = Instant::now();
    let (dataset, rates) = if let Some(dir) = &args.dir {
        csv::read_dir(dir)?
    } else {
        let shop = synth::generate(&synth::SynthConfig::new(20_000, 2_000, 42));
        (shop.dataset, shop.rates)
    };
    println!(
        "shop: {} orders, {} customers ({:.1} s)",
        dataset.orders().len(),
        dataset.customer_count(),
        started.elapsed().as_secs_f64()
    );
    Ok((dataset, rates))
}

/// One night: consolidate at `as_of`, sync, provision the default segments.
async fn night<T: SyncTarget, S: StateStore>(
    syncer: &mut Syncer<T, S>,
    dataset: &Dataset,
    rates: &[FxRate],
    as_of: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> Result<SyncReport, Box<dyn Error>> {
    let currency = dataset.most_common_currency().unwrap_or(Currency::EUR);
    let mut policy = ConsolidationPolicy::new(currency, as_of, tz);
    for rate in rates {
        policy = policy.rate(rate.from, rate.rate);
    }
    let started = Instant::now();
    let profiles = dataset.consolidate(&policy)?;
    println!(
        "as of {as_of}: {} contacts consolidated in {:.2} s",
        profiles.len(),
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let report = syncer.run_profiles(&profiles).await?;
    println!(
        "pushed {} contacts in {:.1} s",
        report.pushed,
        started.elapsed().as_secs_f64()
    );
    for (email, error) in report.rejected.iter().take(5) {
        println!("  rejected {email}: {error}");
    }
    for (emails, error) in report.failed.iter().take(5) {
        println!("  {} contacts failed: {error}", emails.len());
    }
    let segments = syncer
        .ensure_segments(&segment::relance_defaults(&policy))
        .await?;
    let ready = segments.iter().filter(|s| s.result.is_ok()).count();
    println!("segments: {ready} of {} provisioned", segments.len());
    for s in segments.iter().filter(|s| s.result.is_err()) {
        if let Err(e) = &s.result {
            println!("  segment {} not provisioned: {e}", s.tag);
        }
    }
    Ok(report)
}

/// Every night the command line asks for, with the state in the store it names.
async fn nights<T: SyncTarget>(target: T, args: &Args) -> Result<SyncReport, Box<dyn Error>> {
    let scope = target.scope()?;
    if let Some(path) = &args.state {
        println!("state: {} ({scope})", path.display());
        let store = SqliteStore::open(path, scope)?;
        run_nights(Syncer::new(target, store), args).await
    } else {
        println!("state: in memory for this run ({scope})");
        run_nights(Syncer::new(target, MemoryStore::new(scope)), args).await
    }
}

async fn run_nights<T: SyncTarget, S: StateStore>(
    mut syncer: Syncer<T, S>,
    args: &Args,
) -> Result<SyncReport, Box<dyn Error>> {
    let (dataset, rates) = shop(args)?;
    let default_as_of = csv::parse_instant("2025-01-01T00:00:00Z").ok_or("bad default as-of")?;
    let as_of = args.as_of.unwrap_or(default_as_of);
    let mut report = night(&mut syncer, &dataset, &rates, as_of, args.tz).await?;
    if args.dir.is_none() {
        println!("sync: {report}");
        println!("-- next night: the same shop one day later (carts abandoned since, ...)");
        report = night(
            &mut syncer,
            &dataset,
            &rates,
            as_of + TimeDelta::days(1),
            args.tz,
        )
        .await?;
    }
    Ok(report)
}

async fn job(args: &Args) -> Result<SyncReport, Box<dyn Error>> {
    if args.sendsay {
        let real =
            std::env::var("SENDSAY_ACCOUNT").is_ok() && std::env::var("SENDSAY_API_KEY").is_ok();
        if real {
            println!("Using the real Sendsay service.");
            let client = relance::sendsay::Client::from_env()?;
            return nights(SendsayTarget::new(client), args).await;
        }
        let fake = FakeSendsay::start().await;
        println!("Offline: the embedded Sendsay fake at {}", fake.base_url());
        let client = fake
            .client_builder()
            .timezone(chrono_tz::Europe::Moscow)
            .build()?;
        nights(SendsayTarget::new(client), args).await
    } else {
        let real = std::env::var("SENDETHIC_ACCOUNT").is_ok()
            && std::env::var("SENDETHIC_API_KEY").is_ok();
        if real {
            println!("Using the real Sendethic service.");
            let client = relance::sendethic::Client::from_env()?;
            return nights(SendethicTarget::new(client), args).await;
        }
        let fake = FakeSendethic::start().await;
        println!(
            "Offline: the embedded Sendethic fake at {}",
            fake.base_url()
        );
        nights(SendethicTarget::new(fake.client()), args).await
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match args() {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("sync: {e}");
            return ExitCode::from(2);
        }
    };
    match job(&args).await {
        Ok(report) => {
            println!("sync: {report}");
            if report.failed_count() == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("sync: {e}");
            ExitCode::FAILURE
        }
    }
}
