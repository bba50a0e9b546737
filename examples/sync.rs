//! The whole job of a shop integration: consolidate the shop's data into customer profiles,
//! push them to Sendethic, provision the default segments, then push only what changed.
//!
//! ```text
//! cargo run --example sync
//! ```
//!
//! Offline against the embedded fake with a generated shop by default. With
//! `SENDETHIC_ACCOUNT` and `SENDETHIC_API_KEY` (and optionally `SENDETHIC_BASE_URL`) it writes
//! to the real account — generated contacts included, so use a test account.

use std::time::Instant;

use chrono::Utc;
use relance::customer::{ConsolidationPolicy, Currency, ProfileField, segment};
use relance::io::synth;
use relance::sendethic::Client;
use relance::sync::{SendethicTarget, SyncRecord, SyncState, SyncValue, Syncer};
use relance::testing::FakeSendethic;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let real =
        std::env::var("SENDETHIC_ACCOUNT").is_ok() && std::env::var("SENDETHIC_API_KEY").is_ok();
    let (client, _fake) = if real {
        println!("Using the real Sendethic service.");
        (Client::from_env()?, None)
    } else {
        let fake = FakeSendethic::start().await;
        println!("Offline: using the embedded fake at {}", fake.base_url());
        (fake.client(), Some(fake))
    };

    // 1. The shop's data (here generated) and its consolidation.
    let shop = synth::generate(&synth::SynthConfig::new(20_000, 2_000, 42));
    let mut policy = ConsolidationPolicy::new(Currency::EUR, Utc::now(), chrono_tz::Europe::Paris);
    for rate in &shop.rates {
        policy = policy.rate(rate.from, rate.rate);
    }
    let started = Instant::now();
    let profiles = shop.dataset.consolidate(&policy)?;
    println!(
        "consolidated {} orders into {} profiles in {:?}",
        shop.dataset.orders().len(),
        profiles.len(),
        started.elapsed()
    );

    // 2. First sync: fields are provisioned, every contact is pushed.
    let mut syncer = Syncer::new(SendethicTarget::new(client.clone()), SyncState::default());
    let started = Instant::now();
    let report = syncer.run(SyncRecord::all(&profiles)).await?;
    println!(
        "first sync: {} pushed, {} unchanged, {} rejected, {} failed, in {:?}",
        report.pushed,
        report.unchanged,
        report.rejected.len(),
        report.failed.len(),
        started.elapsed()
    );

    // 3. The default segments, from their data description.
    for outcome in syncer
        .ensure_segments(&segment::relance_defaults(&policy))
        .await?
    {
        match outcome.result {
            Ok((id, created)) => println!(
                "segment {:<22} id {id:>5} {}",
                outcome.tag,
                if created { "created" } else { "exists" }
            ),
            Err(e) => println!("segment {:<22} not provisioned: {e}", outcome.tag),
        }
    }

    // 4. Next run: only what changed goes out (here, one customer ordered again).
    let state = syncer.state().to_text();
    let mut syncer = Syncer::new(SendethicTarget::new(client), SyncState::from_text(&state)?);
    let changed_email = profiles
        .iter()
        .next()
        .map(|p| p.email().to_owned())
        .unwrap_or_default();
    let records = SyncRecord::all(&profiles).map(|mut r| {
        if r.email() == changed_email {
            r.set(ProfileField::OrdersCount, SyncValue::int(999));
        }
        r
    });
    let report = syncer.run(records).await?;
    println!(
        "second sync: {} pushed, {} unchanged",
        report.pushed, report.unchanged
    );
    Ok(())
}
