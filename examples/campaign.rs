//! A campaign from start to statistics: segment → email operation → test send → approve →
//! wait until sent → activity statistics printed as a small table.
//!
//! ```text
//! cargo run --example campaign
//! ```
//!
//! Offline against the embedded fake by default. With `SENDETHIC_ACCOUNT` and
//! `SENDETHIC_API_KEY` set (and optionally `SENDETHIC_BASE_URL`) it runs against the real
//! service — and **really sends**: set `RELANCE_CAMPAIGN_TEST_ONLY=1` to stop after the test
//! send.

use std::time::Duration;

use chrono::Utc;
use relance::sendethic::{
    ActivityRange, Client, Contact, Criteria, Criterion, FieldFormat, FieldSpec, JobWait, Mode,
    NewEmail, OperationStatus, Receivers, Schedule, SegmentDefinition, TestEmail,
};
use relance::testing::FakeSendethic;

/// What `--help` prints.
const USAGE: &str = "campaign: a segment, an email operation, a test send, the approval, the wait and the statistics.\n\nusage: cargo run --example campaign\nOffline against the embedded fake unless SENDETHIC_ACCOUNT, SENDETHIC_API_KEY (and SENDETHIC_BASE_URL) are set.";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::args().skip(1).any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return Ok(());
    }
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

    // 1. A field and a segment: customers with 2 orders or more.
    let orders = client
        .fields()
        .ensure(FieldSpec::new(
            "relance_orders_count",
            "[relance] Orders",
            FieldFormat::Number,
        ))
        .await?
        .field
        .id;
    if !real {
        let contacts = (0..200).map(move |i| {
            Contact::new(format!("customer{i:03}@example.com"))
                .first_name(format!("Customer {i}"))
                .custom(orders, (i % 4).to_string())
        });
        let report = client.contacts().upsert_many(contacts).await?;
        println!("seeded {} contacts", report.totals().written);
    }
    let segment = client
        .segments()
        .ensure(SegmentDefinition::new(
            "relance_repeat",
            "[relance] Repeat customers",
            Mode::Intersect,
            Criteria::new().with(Criterion::number_at_least(orders, 2)),
        ))
        .await?
        .segment;
    println!("segment {} \"{}\"", segment.id, segment.name);

    // 2. The campaign (creating does not send).
    let op = client
        .emailing()
        .create(
            NewEmail::new(
                "Repeat customers – thank you",
                "A gift for you",
                "shop@example.com",
            )
            .from("My Shop", "shop@example.com")
            .html("<p>Hello **mb_firstname**, here is 10% off your next order.</p>")
            .receivers(Receivers::new().segment(segment.id))
            .schedule(Schedule::Asap),
        )
        .await?;
    println!("created operation {} ({:?})", op.id, op.status);

    // 3. A test send.
    client
        .emailing()
        .test(
            op.id,
            TestEmail::new("qa@example.com").title_prefix("[TEST] "),
        )
        .await?;
    println!("test sent to qa@example.com");
    if real && std::env::var("RELANCE_CAMPAIGN_TEST_ONLY").is_ok() {
        return Ok(());
    }

    // 4. Approve (this sends; never retried), then wait until it is completed.
    let approved_at = Utc::now();
    client.emailing().approve(op.id).await?;
    println!("approved");
    wait_until_completed(&client, op.id, real).await?;

    // 5. Statistics from the activity export.
    let activity = client
        .stats()
        .activity(
            op.id,
            ActivityRange::new(approved_at - chrono::Duration::hours(1), Utc::now()),
            JobWait::new(Duration::from_secs(900)).interval(Duration::from_millis(if real {
                5_000
            } else {
                10
            })),
        )
        .await?;
    print_table(&activity.stats());
    Ok(())
}

fn print_table(stats: &relance::sendethic::CampaignStats) {
    println!();
    println!(
        "{:<24} {:>10} {:>8} {:>8}",
        "column", "recipients", "total", "rate"
    );
    println!(
        "{:<24} {:>10} {:>8} {:>8}",
        "(rows)", stats.recipients, "", ""
    );
    for c in &stats.columns {
        let total = c.total.map_or_else(String::new, |t| format!("{t:.0}"));
        println!(
            "{:<24} {:>10} {:>8} {:>7.1}%",
            c.column,
            c.recipients_with_event,
            total,
            c.rate * 100.0
        );
    }
}

async fn wait_until_completed(
    client: &Client,
    id: relance::sendethic::OperationId,
    real: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    let started = tokio::time::Instant::now();
    loop {
        let status = client.emailing().get(id).await?.status;
        println!(
            "status: {}",
            status.as_ref().map_or("?", OperationStatus::as_str)
        );
        if status == Some(OperationStatus::Completed) {
            return Ok(());
        }
        if started.elapsed() > Duration::from_secs(600) {
            return Err("the campaign did not complete in 10 minutes".into());
        }
        tokio::time::sleep(Duration::from_secs(if real { 15 } else { 0 })).await;
    }
}
