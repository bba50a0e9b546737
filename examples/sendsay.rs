//! Sendsay tour: upsert members, build a segment, send a test email issue and an SMS issue,
//! read statistics.
//!
//! ```text
//! cargo run --example sendsay
//! ```
//!
//! With `SENDSAY_ACCOUNT` and `SENDSAY_API_KEY` set (and optionally `SENDSAY_BASE_URL`,
//! `SENDSAY_TIMEZONE`) it talks to the real service; the test email then goes to
//! `SENDSAY_TEST_EMAIL` and the SMS to `SENDSAY_TEST_PHONE`, each skipped when unset (the free
//! tier allows a single test copy, to the registration address). Otherwise it starts the
//! embedded fake server and runs offline.

use std::time::Duration;

use relance::JobWait;
use relance::sendsay::{
    AddrType, Client, Condition, Filter, IssueSend, Letter, MemberId, MemberSet, NewDraft,
    NewGroup, StatQuery,
};
use relance::testing::FakeSendsay;

#[tokio::main]
#[allow(clippy::too_many_lines)] // a linear tour reads best in one function
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    let real = env("SENDSAY_ACCOUNT").is_some() && env("SENDSAY_API_KEY").is_some();
    let (client, fake) = if real {
        println!("Using the real Sendsay service (credentials from the environment).");
        (Client::from_env()?, None)
    } else {
        let fake = FakeSendsay::start().await;
        println!(
            "No SENDSAY_ACCOUNT/SENDSAY_API_KEY: using the embedded fake at {}",
            fake.base_url()
        );
        // The fake knows one confirmed sender, as a real account would.
        fake.client()
            .senders()
            .add_email("shop@example.com", "Example shop")
            .await?;
        (fake.client(), Some(fake))
    };
    let test_email = env("SENDSAY_TEST_EMAIL").or(fake.as_ref().map(|_| "me@example.com".into()));
    let test_phone = env("SENDSAY_TEST_PHONE").or(fake.as_ref().map(|_| "79990000000".into()));

    let pong = client.pong().await?;
    println!("authenticated as {:?} on {:?}", pong.sublogin, pong.account);
    if let Some(prefix) = client.redirect_prefix() {
        println!("the service redirected us to {prefix}");
    }

    // 1. A list of buyers, and buyers upserted with data keys.
    let groups = client.groups().list().await?;
    if !groups.iter().any(|g| g.id.as_deref() == Some("relbuyers")) {
        client
            .groups()
            .create(NewGroup::list("[relance] Buyers").id("relbuyers"))
            .await?;
        println!("created list relbuyers");
    }
    for (email, name, spent) in [
        ("anna@example.com", "Anna", 1500),
        ("boris@example.com", "Boris", 80),
        ("vera@example.com", "Vera", 4200),
    ] {
        client
            .members()
            .set(
                MemberSet::new(email)
                    .set("base.firstName", name)
                    .set("custom.spent", spent)
                    .add_to_group("relbuyers"),
            )
            .await?;
        println!("upserted {email}");
    }

    // 2. A segment of the big spenders.
    let segment = client
        .segments()
        .create_with_filter(
            None,
            "[relance] Big spenders",
            Filter::new().and(Condition::ge("custom.spent", "1000")),
        )
        .await?;
    println!("segment {segment} created");
    if let Some(fake) = &fake {
        println!("  members: {:?}", fake.group_members(&segment));
    }

    // 3. A test copy of an email issue to the segment.
    let draft = client
        .drafts()
        .set(
            NewDraft::email(
                "[relance] Thanks",
                "Thank you!",
                "<p>Thanks for shopping</p>",
            )
            .field("from", "shop@example.com"),
        )
        .await?;
    let draft_id = draft.id.unwrap_or_default();
    if let Some(to) = &test_email {
        client
            .issues()
            .send_test(
                IssueSend::to_group(&segment, Letter::draft(&draft_id)),
                [to.as_str()],
            )
            .await?;
        println!("test copy of draft {draft_id} sent to {to}");
    }
    // A transactional email (needs a confirmed sender).
    if fake.is_some() {
        let letter = Letter::inline("Your order A-1", "shop@example.com")
            .from_name("Example shop")
            .html("<p>Your order A-1 has shipped.</p>");
        let job = client
            .issues()
            .send(IssueSend::personal("anna@example.com", letter))
            .await?;
        let done = client
            .track(job.clone())
            .wait(JobWait::new(Duration::from_secs(10)).interval(Duration::from_millis(10)))
            .await?;
        println!(
            "transactional email job {job}: {}",
            done.status.description()
        );
    }

    // 4. An SMS issue from an SMS draft.
    if let Some(phone) = &test_phone {
        client
            .members()
            .set(MemberSet::new(MemberId::new(
                phone.as_str(),
                AddrType::Msisdn,
            )))
            .await?;
        let sms = client
            .drafts()
            .set(NewDraft::sms("[relance] Shipped", "Your order has shipped"))
            .await?;
        let job = client
            .issues()
            .send(IssueSend::sms_personal(
                phone.as_str(),
                sms.id.unwrap_or_default(),
            ))
            .await?;
        let done = client
            .track(job.clone())
            .wait(JobWait::new(Duration::from_secs(60)).interval(Duration::from_millis(10)))
            .await?;
        println!("SMS job {job}: {}", done.status.description());
    }

    // 5. Deliveries per issue.
    let rows = client
        .stats()
        .uni(StatQuery::new(["deliv.issue.id", "count(*)"]).order_asc("deliv.issue.id"))
        .await?;
    for r in 0..rows.rows.len() {
        println!(
            "issue {:>6}: {} deliveries",
            rows.text(r, 0).unwrap_or_default(),
            rows.int(r, 1).unwrap_or(0)
        );
    }
    Ok(())
}
