//! Contacts: bulk-upsert 10 000 generated contacts (some invalid) and print the report, create
//! a segment from typed criteria, then add and read a contact's history.
//!
//! ```text
//! cargo run --example contacts             # debug build
//! cargo run --release --example contacts   # optimised build
//! ```
//!
//! With `SENDETHIC_ACCOUNT` and `SENDETHIC_API_KEY` set (and optionally
//! `SENDETHIC_BASE_URL`) it talks to the real service; otherwise it starts the embedded fake
//! server and runs offline. `RELANCE_EXAMPLE_CONTACTS` overrides the number of contacts.

use std::time::Instant;

use chrono::{DateTime, Duration, TimeZone, Utc};
use relance::sendethic::{
    BulkReport, Client, Contact, Criteria, Criterion, FieldFormat, FieldId, FieldSpec, Mode,
    NewContactLog, OptIn, SegmentDefinition,
};
use relance::testing::FakeSendethic;

/// What `--help` prints.
const USAGE: &str = "contacts: bulk-upsert generated contacts (some invalid) and print the report, a segment from typed criteria, a contact's history.\n\nusage: cargo run --example contacts\nOffline against the embedded fake unless SENDETHIC_ACCOUNT, SENDETHIC_API_KEY (and SENDETHIC_BASE_URL) are set.";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::args().skip(1).any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return Ok(());
    }
    let credentials =
        std::env::var("SENDETHIC_ACCOUNT").is_ok() && std::env::var("SENDETHIC_API_KEY").is_ok();
    let (client, fake) = if credentials {
        println!("Using the real Sendethic service (credentials from the environment).");
        (Client::from_env()?, None)
    } else {
        let fake = FakeSendethic::start().await;
        println!(
            "No SENDETHIC_ACCOUNT/SENDETHIC_API_KEY: using the embedded fake at {}",
            fake.base_url()
        );
        (fake.client(), Some(fake))
    };
    let total: usize = std::env::var("RELANCE_EXAMPLE_CONTACTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);

    // The fields the contacts carry, found by tag or created.
    let mut ids = Vec::new();
    for (tag, name, format) in [
        ("relance_revenue", "[relance] Revenue", FieldFormat::Number),
        (
            "relance_orders_count",
            "[relance] Orders",
            FieldFormat::Number,
        ),
        (
            "relance_last_order_at",
            "[relance] Last order",
            FieldFormat::DateTime,
        ),
    ] {
        let ensured = client
            .fields()
            .ensure(FieldSpec::new(tag, name, format))
            .await?;
        ids.push(ensured.field.id);
    }
    let [revenue, orders, last_order] = ids[..] else {
        return Err("three fields expected".into());
    };
    let catalog = client.fields().catalog().await?;

    // 10 000 contacts; a few are invalid on purpose.
    let base = Utc
        .with_ymd_and_hms(2026, 1, 1, 9, 0, 0)
        .single()
        .ok_or("bad date")?;
    let contacts = generated(total, base, revenue, orders, last_order);

    let started = Instant::now();
    let report = client
        .contacts()
        .upsert_many(contacts)
        .catalog(catalog)
        .concurrency(4)
        .await?;
    let elapsed = started.elapsed();

    print_report(&report, elapsed);

    // A segment from typed criteria, provisioned idempotently by tag.
    let criteria = Criteria::new()
        .with(Criterion::number_at_least(orders, 2))
        .with(Criterion::number_greater_than(revenue, 100));
    let segment = client
        .segments()
        .ensure(SegmentDefinition::new(
            "relance_repeat_buyers",
            "[relance] Repeat buyers",
            Mode::Intersect,
            criteria,
        ))
        .await?;
    println!(
        "segment {} {:?} ({}), criteria: {}",
        segment.segment.id,
        segment.segment.name,
        if segment.created { "created" } else { "found" },
        segment.segment.details
    );
    let count = client.segments().refresh_count(segment.segment.id).await?;
    println!("segment count refreshed: {}", count.text());

    show_history(&client, base).await?;
    if let Some(fake) = fake {
        println!("the fake now holds {} contacts", fake.contact_count());
    }
    Ok(())
}

/// `total` generated contacts; a few are invalid on purpose (about 1 in 400).
fn generated(
    total: usize,
    base: DateTime<Utc>,
    revenue_id: FieldId,
    orders_id: FieldId,
    last_order_id: FieldId,
) -> impl Iterator<Item = Contact> + Send + 'static {
    (0..total).map(move |i| {
        let email = if i % 997 == 13 {
            format!("broken{i}.example.com") // no `@`
        } else {
            format!("customer{i}@example.com")
        };
        let mut c = Contact::new(email.clone())
            .email(email)
            .first_name(format!("Customer {i}"))
            .email_optin(if i % 10 == 0 { OptIn::No } else { OptIn::True })
            .custom(orders_id, (i % 7).to_string())
            .custom_datetime(
                last_order_id,
                base + Duration::minutes(i64::try_from(i).unwrap_or(0)),
            );
        c = if i % 1499 == 7 {
            c.custom(revenue_id, "12,50") // decimal comma: refused
        } else {
            c.custom(revenue_id, format!("{}.{:02}", i % 900, i % 100))
        };
        if i % 2003 == 5 {
            c = c.mobile("06 12 34 56 78"); // not E.164
        } else if i % 3 == 0 {
            c = c.mobile(format!("+336{i:08}"));
        }
        c
    })
}

fn print_report(report: &BulkReport, elapsed: std::time::Duration) {
    let t = report.totals();
    println!(
        "bulk upsert of {} contacts: {} confirmed written, {} rejected, {} failed, in {:.3} s",
        t.submitted,
        t.written,
        t.rejected,
        t.failed,
        elapsed.as_secs_f64()
    );
    for r in report.rejected.iter().take(5) {
        println!("  rejected #{:<5} {}", r.index, r.reason);
    }
    if report.rejected.len() > 5 {
        println!("  ... and {} more", report.rejected.len() - 5);
    }
    for f in &report.failed {
        println!("  {} contacts failed: {}", f.indices.len(), f.error);
    }
}

/// Adds two entries to a contact's history and reads it back.
async fn show_history(client: &Client, base: DateTime<Utc>) -> relance::Result<()> {
    // A contact's history.
    let key = "customer42@example.com";
    client
        .contacts()
        .add_history(
            key,
            [
                NewContactLog::new("Order #1001 placed", base).operation_id(1001),
                NewContactLog::new("Order #1001 shipped", base + Duration::days(2))
                    .operation_id(1001),
            ],
        )
        .await?;
    let history = client.contacts().history(key, 10).await?;
    println!("history of {key} ({} records):", history.records);
    for log in &history.logs {
        println!(
            "  {} {}",
            log.log_date.as_ref().map_or("?", |d| d.as_str()),
            log.title.as_deref().unwrap_or("")
        );
    }
    Ok(())
}
