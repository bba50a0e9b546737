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
    AddrType, Client, Filter, FilterRule, GroupId, IssueSend, Letter, MemberId, MemberSet,
    NewDraft, NewGroup, StatQuery,
};
use relance::testing::FakeSendsay;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// What `--help` prints.
const USAGE: &str = "sendsay: members, a segment, a test email issue and an SMS issue, statistics.\n\nusage: cargo run --example sendsay\nOffline against the embedded fake unless SENDSAY_ACCOUNT and SENDSAY_API_KEY (or SENDSAY_LOGIN/SENDSAY_PASSWORD) are set.";

#[tokio::main]
async fn main() -> Result<()> {
    if std::env::args().skip(1).any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return Ok(());
    }
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

    buyers(&client).await?;
    let segment = big_spenders(&client, fake.as_ref()).await?;
    email_issues(&client, &segment, test_email.as_deref(), fake.is_some()).await?;
    if let Some(phone) = &test_phone {
        sms_issue(&client, phone).await?;
    }
    deliveries(&client).await
}

/// Step 1: a list of buyers, and buyers upserted with data keys.
async fn buyers(client: &Client) -> Result<()> {
    let groups = client.groups().list().await?;
    if !groups.iter().any(|g| g.id == Some("relbuyers".into())) {
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
    Ok(())
}

/// Step 2: a segment of the big spenders.
async fn big_spenders(client: &Client, fake: Option<&FakeSendsay>) -> Result<GroupId> {
    let segment = client
        .segments()
        .create_with_filter(
            None,
            "[relance] Big spenders",
            Filter::new().and(FilterRule::ge("custom.spent", "1000")),
        )
        .await?;
    println!("segment {segment} created");
    if let Some(fake) = fake {
        println!("  members: {:?}", fake.group_members(segment.as_str()));
    }
    Ok(segment)
}

/// Step 3: a test copy of an email issue to the segment, and a transactional email (it needs a
/// confirmed sender, which the fake has).
async fn email_issues(
    client: &Client,
    segment: &GroupId,
    test_email: Option<&str>,
    offline: bool,
) -> Result<()> {
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
    if let Some(to) = test_email {
        client
            .issues()
            .send_test(IssueSend::to_group(segment, Letter::draft(&draft_id)), [to])
            .await?;
        println!("test copy of draft {draft_id} sent to {to}");
    }
    if offline {
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
    Ok(())
}

/// Step 4: an SMS issue from an SMS draft.
async fn sms_issue(client: &Client, phone: &str) -> Result<()> {
    client
        .members()
        .set(MemberSet::new(MemberId::new(phone, AddrType::Msisdn)))
        .await?;
    let sms = client
        .drafts()
        .set(NewDraft::sms("[relance] Shipped", "Your order has shipped"))
        .await?;
    let job = client
        .issues()
        .send(IssueSend::sms_personal(phone, sms.id.unwrap_or_default()))
        .await?;
    let done = client
        .track(job.clone())
        .wait(JobWait::new(Duration::from_secs(60)).interval(Duration::from_millis(10)))
        .await?;
    println!("SMS job {job}: {}", done.status.description());
    Ok(())
}

/// Step 5: deliveries per issue.
async fn deliveries(client: &Client) -> Result<()> {
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
