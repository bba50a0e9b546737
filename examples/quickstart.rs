//! Quickstart: provision the contact fields a shop integration needs and read the credits.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! With `SENDETHIC_ACCOUNT` and `SENDETHIC_API_KEY` set (and optionally
//! `SENDETHIC_BASE_URL`) it talks to the real service; otherwise it starts the embedded fake
//! server and runs offline.

use relance::sendethic::{Client, CreditType, FieldFormat, FieldSpec};
use relance::testing::FakeSendethic;

/// What `--help` prints.
const USAGE: &str = "quickstart: provision the contact fields a shop integration needs and read the credits.\n\nusage: cargo run --example quickstart\nOffline against the embedded fake unless SENDETHIC_ACCOUNT, SENDETHIC_API_KEY (and SENDETHIC_BASE_URL) are set.";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::args().skip(1).any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return Ok(());
    }
    let credentials =
        std::env::var("SENDETHIC_ACCOUNT").is_ok() && std::env::var("SENDETHIC_API_KEY").is_ok();
    // Keep the fake alive for the whole run when it is used.
    let (client, _fake) = if credentials {
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

    // The fields a shop integration pushes, found by tag or created: safe on every start.
    let specs = [
        FieldSpec::new("relance_revenue", "[relance] Revenue", FieldFormat::Number),
        FieldSpec::new(
            "relance_orders_count",
            "[relance] Orders",
            FieldFormat::Number,
        ),
        FieldSpec::new(
            "relance_last_order_at",
            "[relance] Last order",
            FieldFormat::DateTime,
        ),
        FieldSpec::new(
            "relance_optin",
            "[relance] Newsletter opt-in",
            FieldFormat::SingleSelection,
        )
        .values(["No", "Yes"]),
    ];
    for spec in specs {
        let ensured = client.fields().ensure(spec).await?;
        println!(
            "{} field {:>4} {:<32} ({}){}",
            if ensured.created {
                "created "
            } else {
                "found   "
            },
            ensured.field.id,
            ensured.field.name,
            ensured.field.format,
            if ensured.values.is_empty() {
                String::new()
            } else {
                format!(
                    " values: {}",
                    ensured
                        .values
                        .iter()
                        .map(|v| format!("{}={}", v.text, v.id))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        );
    }
    // Running it again changes nothing.
    let again = client
        .fields()
        .ensure(FieldSpec::new(
            "relance_revenue",
            "[relance] Revenue",
            FieldFormat::Number,
        ))
        .await?;
    println!("ensure again: created = {}", again.created);

    println!(
        "{} fields in the account",
        client.fields().list().await?.len()
    );
    for kind in [
        CreditType::Marketing,
        CreditType::Transactional,
        CreditType::Sms,
    ] {
        let c = client.account().credits(kind).await?;
        println!(
            "credits {:<13} used {:>6} / {:>6}, {:>6} left",
            kind.as_str(),
            c.used,
            c.total,
            c.remaining
        );
    }
    Ok(())
}
