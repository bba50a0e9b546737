//! The marketplace job: read a marketplace directory, consolidate buyers and sellers, write
//! the seller profiles, sync every person (buyers, sellers, administrators: one contact per
//! email, with its roles) and the default segments, and deliver the lifecycle events of the
//! window since the last run to the provider's automations, each exactly once.
//!
//! ```text
//! cargo run --release --example marketplace -- --in DIR --as-of RFC3339 --state PATH --out OUT_DIR
//!     [--tz IANA_NAME] [--provider sendethic|sendsay] [--admin EMAIL]... [--event KIND=ID]...
//!     [--since RFC3339]
//! ```
//!
//! - `--in DIR`: what `gen_marketplace_data` writes (`sellers.csv` and `orders.csv` required;
//!   see `relance::io::csv::read_marketplace_dir`). Without it, a small marketplace is
//!   generated and two nights are run, the second one day later.
//! - `--as-of`: the consolidation instant (required with `--in`; default 2025-01-01).
//! - `--state PATH`: the SQLite store of the sync state, the delivered events and the
//!   events' window (created when missing); without it, in memory for this run.
//! - `--out OUT_DIR` (default `marketplace-out`): `sellers.csv`, one row per seller
//!   (`seller_id,email,products_count,first_sale_at,last_sale_at,sales_count,revenue,
//!   milestone,milestone_at,stuck_without_products,stuck_without_sales`), and `events.csv`
//!   (`kind,email,role,at,detail`): the events this run emitted (the header alone when none).
//! - `--event KIND=ID`: the automation of an event kind (`first_sale=4242`): a Sendethic
//!   triggered operation id, or a Sendsay workflow id. Offline, every kind is mapped to an
//!   automation of the fake; with a real service, an unmapped event is reported, not sent.
//! - `--since`: where the first run's window starts (default: one day before `--as-of`);
//!   later runs start where the last complete one ended.
//!
//! The real service is used when `SENDETHIC_ACCOUNT`/`SENDETHIC_API_KEY` (or, with
//! `--provider sendsay`, `SENDSAY_ACCOUNT`/`SENDSAY_API_KEY`) are set, with the same
//! `*_BASE_URL` variables as the other examples; otherwise the embedded fake. The exit code
//! is 0 only when no contact and no event failed and no delivery is ambiguous.

use std::collections::{BTreeMap, HashSet};
use std::error::Error;
use std::fs::File;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, TimeDelta, Utc};
use relance::customer::events::{EventKind, EventPolicy, LifecycleEvent, lifecycle_events};
use relance::customer::seller::{SellerPolicy, marketplace_defaults, people};
use relance::customer::{ConsolidationPolicy, Currency, ProfileField, segment};
use relance::io::csv::{self, MarketplaceDir};
use relance::io::synth;
use relance::sync::store::{MemoryStore, SqliteStore, StateStore};
use relance::sync::{SendethicTarget, SendsayTarget, SyncTarget, Syncer, marketplace_records};
use relance::testing::{FakeSendethic, FakeSendsay};

const USAGE: &str = "usage: marketplace [--in DIR --as-of RFC3339] [--state PATH] [--out OUT_DIR] \
[--tz IANA_NAME] [--provider sendethic|sendsay] [--admin EMAIL]... [--event KIND=ID]... [--since RFC3339]";

/// What the command line asked for.
struct Args {
    dir: Option<PathBuf>,
    as_of: Option<DateTime<Utc>>,
    since: Option<DateTime<Utc>>,
    tz: chrono_tz::Tz,
    state: Option<PathBuf>,
    out: PathBuf,
    sendsay: bool,
    admins: Vec<String>,
    events: BTreeMap<EventKind, i64>,
}

fn instant(s: &str, what: &str) -> Result<DateTime<Utc>, String> {
    csv::parse_instant(s).ok_or_else(|| format!("bad {what} (RFC 3339)"))
}

fn args() -> Result<Option<Args>, Box<dyn Error>> {
    let mut out = Args {
        dir: None,
        as_of: None,
        since: None,
        tz: chrono_tz::UTC,
        state: None,
        out: PathBuf::from("marketplace-out"),
        sendsay: false,
        admins: Vec::new(),
        events: BTreeMap::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--help" | "-h" => return Ok(None),
            "--in" => out.dir = Some(PathBuf::from(val()?)),
            "--as-of" => out.as_of = Some(instant(&val()?, "--as-of")?),
            "--since" => out.since = Some(instant(&val()?, "--since")?),
            "--tz" => out.tz = val()?.parse().map_err(|e| format!("bad --tz: {e}"))?,
            "--state" => out.state = Some(PathBuf::from(val()?)),
            "--out" => out.out = PathBuf::from(val()?),
            "--admin" => out.admins.push(val()?),
            "--event" => {
                let v = val()?;
                let (kind, id) = v.split_once('=').ok_or("--event needs KIND=ID")?;
                out.events.insert(kind.parse()?, id.trim().parse()?);
            }
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

/// Every event kind the default policies can emit.
fn kinds(sellers: &SellerPolicy) -> Vec<EventKind> {
    let mut kinds = vec![
        EventKind::RegisteredWithoutOrder,
        EventKind::FirstOrder,
        EventKind::CartAbandoned,
        EventKind::BecameInactive,
        EventKind::Delivered,
        EventKind::SellerWithoutProducts,
        EventKind::SellerWithoutSales,
        EventKind::FirstSale,
    ];
    kinds.extend(
        sellers
            .milestones
            .iter()
            .filter(|&&m| m > 1)
            .map(|&m| EventKind::Milestone(m)),
    );
    kinds
}

/// What one night did, for the last line and the exit code.
#[derive(Default)]
struct Night {
    pushed: usize,
    contacts_failed: usize,
    emitted: usize,
    delivered: usize,
    unmapped: usize,
    ambiguous: usize,
    events_failed: usize,
}

impl Night {
    fn ok(&self) -> bool {
        self.contacts_failed == 0 && self.events_failed == 0 && self.ambiguous == 0
    }
}

async fn night<T: SyncTarget, S: StateStore>(
    syncer: &mut Syncer<T, S>,
    shop: &MarketplaceDir,
    args: &Args,
    as_of: DateTime<Utc>,
) -> Result<Night, Box<dyn Error>> {
    let mut policy = ConsolidationPolicy::new(
        shop.dataset.most_common_currency().unwrap_or(Currency::EUR),
        as_of,
        args.tz,
    );
    for r in &shop.rates {
        policy = policy.rate(r.from, r.rate);
    }
    let seller_policy = SellerPolicy::default();
    let started = std::time::Instant::now();
    let buyers = shop.dataset.consolidate(&policy)?;
    let sellers = shop
        .market
        .consolidate(&shop.dataset, &policy, &seller_policy)?;
    println!(
        "as of {as_of}: {} buyer contacts and {} sellers consolidated in {:.2} s",
        buyers.len(),
        sellers.len(),
        started.elapsed().as_secs_f64()
    );
    std::fs::create_dir_all(&args.out)?;
    csv::write_seller_profiles(&sellers, File::create(args.out.join("sellers.csv"))?)?;

    // The segments, evaluated here on the same values the provider gets.
    let admins: Vec<&str> = args.admins.iter().map(String::as_str).collect();
    let everyone = people(&buyers, &sellers, &admins);
    let specs = marketplace_defaults(&seller_policy.milestones);
    for spec in &specs {
        let n = everyone
            .iter()
            .filter(|p| spec.matches_person(p, as_of))
            .count();
        println!("  segment {:<32} {n:>7} people", spec.tag);
    }

    // Every person, one contact each, then the segments on the provider.
    let report = syncer
        .run(marketplace_records(&buyers, &sellers, &admins))
        .await?;
    println!("sync: {report}");
    let mut segments = segment::relance_defaults(&policy);
    segments.extend(specs);
    let outcomes = syncer.ensure_segments(&segments).await?;
    for o in &outcomes {
        if let Err(e) = &o.result {
            println!("  segment {} not provisioned: {e}", o.tag);
        }
    }

    // The events of the window since the last complete run.
    let since = syncer
        .events_since()
        .await?
        .or(args.since)
        .unwrap_or(as_of - TimeDelta::days(1));
    let events = lifecycle_events(
        since,
        &buyers,
        &policy,
        &sellers,
        &seller_policy,
        &EventPolicy::default(),
    );
    let delivery = syncer.deliver_window(as_of, &events).await?;
    let mut emitted_keys: HashSet<&str> = delivery.delivered.iter().map(String::as_str).collect();
    emitted_keys.extend(delivery.unmapped.iter().map(String::as_str));
    emitted_keys.extend(delivery.ambiguous.iter().map(|(k, _)| k.as_str()));
    emitted_keys.extend(delivery.failed.iter().map(|(k, _)| k.as_str()));
    let emitted: Vec<LifecycleEvent> = events
        .into_iter()
        .filter(|e| emitted_keys.contains(e.key().as_str()))
        .collect();
    csv::write_events(
        &emitted,
        &buyers,
        &sellers,
        File::create(args.out.join("events.csv"))?,
    )?;
    println!(
        "events since {since}: {} emitted, {} delivered, {} already delivered, {} unmapped, {} ambiguous, {} failed",
        emitted.len(),
        delivery.delivered.len(),
        delivery.already_delivered,
        delivery.unmapped.len(),
        delivery.ambiguous.len(),
        delivery.failed.len()
    );
    for (key, e) in delivery.ambiguous.iter().chain(&delivery.failed).take(5) {
        println!("  {key}: {e}");
    }
    Ok(Night {
        pushed: report.pushed,
        contacts_failed: report.failed_count(),
        emitted: emitted.len(),
        delivered: delivery.delivered.len(),
        unmapped: delivery.unmapped.len(),
        ambiguous: delivery.ambiguous.len(),
        events_failed: delivery.failed.len(),
    })
}

async fn nights<T: SyncTarget>(target: T, args: &Args) -> Result<Night, Box<dyn Error>> {
    let scope = target.scope()?;
    let fields = ProfileField::ALL
        .into_iter()
        .chain(ProfileField::MARKETPLACE);
    if let Some(path) = &args.state {
        println!("state: {} ({scope})", path.display());
        let store = SqliteStore::open(path, scope)?;
        run_nights(Syncer::new(target, store).fields(fields), args).await
    } else {
        println!("state: in memory for this run ({scope})");
        run_nights(
            Syncer::new(target, MemoryStore::new(scope)).fields(fields),
            args,
        )
        .await
    }
}

async fn run_nights<T: SyncTarget, S: StateStore>(
    mut syncer: Syncer<T, S>,
    args: &Args,
) -> Result<Night, Box<dyn Error>> {
    let shop = if let Some(dir) = &args.dir {
        csv::read_marketplace_dir(dir)?
    } else {
        let m = synth::generate_marketplace(&synth::MarketplaceConfig::new(200, 2_000, 20_000, 42));
        let dir = args.out.join("generated");
        csv::write_marketplace_dir(&m.shop.dataset, &m.shop.rates, &m.market, &dir)?;
        println!("generated a small marketplace in {}", dir.display());
        csv::read_marketplace_dir(&dir)?
    };
    println!(
        "marketplace: {} sellers, {} products, {} sub-orders, {} orders, {} customers",
        shop.market.sellers().len(),
        shop.market.products().len(),
        shop.market.sub_orders().len(),
        shop.dataset.orders().len(),
        shop.dataset.customer_count()
    );
    let as_of = match args.as_of {
        Some(t) => t,
        None => instant("2025-01-01T00:00:00Z", "as-of")?,
    };
    let mut last = night(&mut syncer, &shop, args, as_of).await?;
    if args.dir.is_none() {
        println!("-- next night: the same marketplace one day later");
        last = night(&mut syncer, &shop, args, as_of + TimeDelta::days(1)).await?;
    }
    Ok(last)
}

async fn job(args: &mut Args) -> Result<Night, Box<dyn Error>> {
    let offline_automations = |args: &mut Args| {
        for (i, kind) in kinds(&SellerPolicy::default()).into_iter().enumerate() {
            args.events
                .entry(kind)
                .or_insert(9_000 + i64::try_from(i).unwrap_or(0));
        }
    };
    if args.sendsay {
        if std::env::var("SENDSAY_ACCOUNT").is_ok() && std::env::var("SENDSAY_API_KEY").is_ok() {
            println!("Using the real Sendsay service.");
            let target = workflows(
                SendsayTarget::new(relance::sendsay::Client::from_env()?),
                args,
            );
            return nights(target, args).await;
        }
        let fake = FakeSendsay::start().await;
        println!("Offline: the embedded Sendsay fake at {}", fake.base_url());
        offline_automations(args);
        let client = fake
            .client_builder()
            .timezone(chrono_tz::Europe::Moscow)
            .build()?;
        let night = nights(workflows(SendsayTarget::new(client), args), args).await?;
        println!(
            "the fake started {} workflows",
            fake.workflow_starts().len()
        );
        Ok(night)
    } else {
        if std::env::var("SENDETHIC_ACCOUNT").is_ok() && std::env::var("SENDETHIC_API_KEY").is_ok()
        {
            println!("Using the real Sendethic service.");
            let target = operations(
                SendethicTarget::new(relance::sendethic::Client::from_env()?),
                args,
            );
            return nights(target, args).await;
        }
        let fake = FakeSendethic::start().await;
        println!(
            "Offline: the embedded Sendethic fake at {}",
            fake.base_url()
        );
        offline_automations(args);
        nights(operations(SendethicTarget::new(fake.client()), args), args).await
    }
}

fn operations(mut target: SendethicTarget, args: &Args) -> SendethicTarget {
    for (&kind, &id) in &args.events {
        target = target.event_operation(kind, id);
    }
    target
}

fn workflows(mut target: SendsayTarget, args: &Args) -> SendsayTarget {
    for (&kind, &id) in &args.events {
        target = target.event_workflow(kind, id);
    }
    target
}

#[tokio::main]
async fn main() -> ExitCode {
    let mut args = match args() {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("marketplace: {e}");
            return ExitCode::from(2);
        }
    };
    match job(&mut args).await {
        Ok(n) => {
            println!(
                "marketplace: pushed {}, contacts failed {}, events emitted {}, delivered {}, unmapped {}, ambiguous {}, failed {}",
                n.pushed,
                n.contacts_failed,
                n.emitted,
                n.delivered,
                n.unmapped,
                n.ambiguous,
                n.events_failed
            );
            if n.ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("marketplace: {e}");
            ExitCode::FAILURE
        }
    }
}
