//! Quickstart: the nightly job a shop runs, told as a story, in seconds.
//!
//! ```text
//! cargo run --example quickstart [-- --approve]
//! ```
//!
//! A generated shop is consolidated into profiles; the profiles are synced to Sendethic with
//! their state in an embedded store (fields and default segments provisioned on the way);
//! the next night brings new orders, a later clock and a customer who asked to be erased,
//! and the incremental sync pushes only what changed; finally an email campaign for one
//! segment is created, tested and approved.
//!
//! With `SENDETHIC_ACCOUNT` and `SENDETHIC_API_KEY` set (and optionally
//! `SENDETHIC_BASE_URL`) it talks to the real service and says so first; it then approves the
//! campaign (which sends it) only with `--approve`. Otherwise it runs offline against the
//! embedded fake.

use chrono::TimeDelta;
use relance::customer::segment::relance_defaults;
use relance::customer::{
    Buyer, Consolidation, ConsolidationPolicy, Currency, Dataset, Money, Order, OrderId,
    OrderStatus,
};
use relance::io::synth;
use relance::sendethic::{Client, NewEmail, Receivers, Schedule, SegmentId, TestEmail};
use relance::sync::store::{SqliteStore, StateStore};
use relance::sync::{Erased, SendethicTarget, SyncTarget, Syncer};
use relance::testing::FakeSendethic;

/// What `--help` prints.
const USAGE: &str = "quickstart: the nightly job on a generated shop: consolidate, sync with a stored state, segments, the next night, an erasure, a campaign.\n\nusage: cargo run --example quickstart [-- --approve]\nOffline against the embedded fake unless SENDETHIC_ACCOUNT, SENDETHIC_API_KEY (and SENDETHIC_BASE_URL) are set; against the real service the campaign is approved (sent) only with --approve.";

/// The shop's policy at `as_of`, with its currency rates.
fn policy(shop: &synth::SynthShop, as_of: chrono::DateTime<chrono::Utc>) -> ConsolidationPolicy {
    let mut policy = ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::Europe::Paris);
    for r in &shop.rates {
        policy = policy.rate(r.from, r.rate);
    }
    policy
}

/// One line on the profiles of a night.
fn tell(night: &str, profiles: &Consolidation<'_>) {
    let buyers = profiles.iter().filter(|p| p.orders_count() > 0).count();
    println!(
        "{night}: {} contacts consolidated ({buyers} with orders)",
        profiles.len()
    );
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return Ok(());
    }
    let real =
        std::env::var("SENDETHIC_ACCOUNT").is_ok() && std::env::var("SENDETHIC_API_KEY").is_ok();
    let (client, _fake) = if real {
        println!("Using the real Sendethic service (credentials from the environment).");
        (Client::from_env()?, None)
    } else {
        let fake = FakeSendethic::start().await;
        println!(
            "Offline: the embedded Sendethic fake at {}",
            fake.base_url()
        );
        (fake.client(), Some(fake))
    };

    // Night 1: a shop's data, consolidated into one profile per contact.
    let mut shop = synth::generate(&synth::SynthConfig::new(5_000, 500, 7));
    let as_of = relance::io::csv::parse_instant("2025-01-01T03:00:00Z").ok_or("bad instant")?;
    let profiles = shop.dataset.consolidate(&policy(&shop, as_of))?;
    tell("night 1", &profiles);

    // The sync, with its state in an embedded store (a file a nightly job keeps).
    let dir = tempfile::tempdir()?;
    let target = SendethicTarget::new(client.clone());
    let store = SqliteStore::open(dir.path().join("sync-state.sqlite"), target.scope()?)?;
    let mut syncer = Syncer::new(target, store);
    let first = syncer.run_profiles(&profiles).await?;
    println!("night 1 sync: {first}");
    let segments = syncer
        .ensure_segments(&relance_defaults(&policy(&shop, as_of)))
        .await?;
    let mut repeat = None;
    for s in &segments {
        match &s.result {
            Ok((id, created)) => {
                let verb = if *created { "created" } else { "found" };
                println!("  segment {:<28} {verb} (id {id})", s.tag);
                if s.tag == "relance_repeat" {
                    repeat = id.sendethic();
                }
            }
            Err(e) => println!("  segment {:<28} not provisioned: {e}", s.tag),
        }
    }
    drop(profiles);

    // Night 2: new orders from three customers and a new guest, the clock a day later, and
    // a customer who asked to be erased.
    let next = as_of + TimeDelta::days(1);
    add_orders(&mut shop.dataset, next - TimeDelta::hours(5));
    let profiles = shop.dataset.consolidate(&policy(&shop, next))?;
    tell("night 2", &profiles);
    let second = syncer.run_profiles(&profiles).await?;
    println!("night 2 sync: {second}  (only what changed is pushed)");
    let erased_email = profiles
        .iter()
        .find(|p| p.orders_count() == 0)
        .map(|p| p.email().to_owned())
        .ok_or("no prospect to erase")?;
    for (email, result) in syncer.erase([&erased_email]).await? {
        match result {
            Ok(done) => {
                let what = match done {
                    Erased::Deleted => "deleted at the service",
                    Erased::Absent => "already absent at the service",
                };
                println!("erasure of {email}: {what}, forgotten by the sync state");
            }
            Err(e) => println!("erasure of {email} failed: {e}"),
        }
    }
    let known = syncer.store().load().await?.len();
    println!("the sync state now knows {known} contacts");

    let segment = repeat.ok_or("the repeat-customers segment was not provisioned")?;
    let approve = !real || args.iter().any(|a| a == "--approve");
    campaign(&client, segment, approve).await
}

/// A campaign for the repeat customers: created, tested, and approved when `approve`.
async fn campaign(
    client: &Client,
    segment: SegmentId,
    approve: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    let op = client
        .emailing()
        .create(
            NewEmail::new(
                "Thank you for coming back",
                "A gift for you",
                "shop@example.com",
            )
            .from("My Shop", "shop@example.com")
            .html("<p>Hello **mb_firstname**, here is 10% off your next order.</p>")
            .receivers(Receivers::new().segment(segment))
            .schedule(Schedule::Asap),
        )
        .await?;
    println!("campaign {} created for segment {segment}", op.id);
    client
        .emailing()
        .test(
            op.id,
            TestEmail::new("qa@example.com").title_prefix("[TEST] "),
        )
        .await?;
    println!("campaign {} tested (a copy to qa@example.com)", op.id);
    if approve {
        client.emailing().approve(op.id).await?;
        println!("campaign {} approved: the service sends it now", op.id);
    } else {
        println!("not approved: against the real service, add --approve to send it");
    }
    Ok(())
}

/// Night 2's new orders: three existing customers buy again, and a new guest buys.
fn add_orders(ds: &mut Dataset, at: chrono::DateTime<chrono::Utc>) {
    let paid = OrderStatus::Paid;
    let mut next_id = 1_000_000;
    let emails = [
        "returning.guest@example.com",
        "c1@example.com",
        "c2@example.com",
        "c3@example.com",
    ];
    for email in emails {
        if let Some(guest) = ds.guest(email) {
            next_id += 1;
            ds.add_order(Order::new(
                OrderId(next_id),
                Buyer::Guest(guest),
                at,
                paid,
                Money::new(4_990, Currency::EUR),
            ));
        }
    }
}
