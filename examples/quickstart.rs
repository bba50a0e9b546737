//! Quickstart: the nightly job a shop runs, told as a story, in seconds.
//!
//! ```text
//! cargo run --example quickstart [-- --provider sendethic|sendsay] [--approve]
//! ```
//!
//! A generated shop is consolidated into profiles; the profiles are synced with their state
//! in an embedded store (fields and default segments provisioned on the way); the next
//! night brings new orders, an unsubscribe made at the provider (read back and applied to
//! the shop), a customer who asked to be erased and a later clock, and the incremental sync
//! pushes only what changed; finally an email campaign for one segment is created, tested
//! and approved.
//!
//! With credentials in the environment it talks to the real service and says so first:
//! `SENDETHIC_ACCOUNT` and `SENDETHIC_API_KEY` (and optionally `SENDETHIC_BASE_URL`), or with
//! `--provider sendsay` `SENDSAY_ACCOUNT` and `SENDSAY_API_KEY` (and optionally
//! `SENDSAY_BASE_URL`, `SENDSAY_TIMEZONE`). Against a real service the unsubscribe is not
//! simulated, and the campaign is approved (sent) only with `--approve`. Otherwise it runs
//! offline against the embedded fakes.

use chrono::{DateTime, TimeDelta, Utc};
use relance::customer::segment::relance_defaults;
use relance::customer::{
    Buyer, Consolidation, ConsolidationPolicy, Currency, Dataset, Money, OptIn, Order, OrderId,
    OrderStatus,
};
use relance::io::synth;
use relance::sendethic::{Contact, NewEmail, Receivers, Schedule, SegmentId, TestEmail};
use relance::sendsay::{IssueSend, Letter, NewDraft};
use relance::sync::store::{SqliteStore, StateStore};
use relance::sync::{Erased, SegmentRef, SendethicTarget, SendsayTarget, SyncTarget, Syncer};
use relance::testing::{FakeSendethic, FakeSendsay};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// What `--help` prints.
const USAGE: &str = "quickstart: the nightly job on a generated shop: consolidate, sync with a stored state, segments, the next night (new orders, an unsubscribe at the provider, an erasure), a campaign.\n\nusage: cargo run --example quickstart [-- --provider sendethic|sendsay] [--approve]\nOffline against the embedded fakes unless SENDETHIC_ACCOUNT and SENDETHIC_API_KEY (or, for Sendsay, SENDSAY_ACCOUNT and SENDSAY_API_KEY) are set; against a real service the campaign is approved (sent) only with --approve.";

/// The account timezone the Sendsay story uses offline (the real one comes from
/// `SENDSAY_TIMEZONE`).
const SENDSAY_TZ: chrono_tz::Tz = chrono_tz::Europe::Moscow;

/// The shop's policy at `as_of`, with its currency rates.
fn policy(shop: &synth::SynthShop, as_of: DateTime<Utc>) -> ConsolidationPolicy {
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

/// What the story needs from one provider beyond the sync: an unsubscribe made at the
/// service (offline only) and a campaign.
trait Provider {
    /// Sets the embedded fake's clock (offline only): the story's nights are in the past.
    fn set_clock(&self, at: DateTime<Utc>);
    /// A contact unsubscribes at the service, as a click in a newsletter does.
    async fn unsubscribe_at_service(&self, email: &str, at: DateTime<Utc>) -> Result<()>;
    /// A campaign to a segment: created, tested, approved when `approve`.
    async fn campaign(&self, segment: &SegmentRef, approve: bool) -> Result<()>;
}

#[tokio::main]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return Ok(());
    }
    let approve_flag = args.iter().any(|a| a == "--approve");
    let provider = args
        .iter()
        .position(|a| a == "--provider")
        .and_then(|i| args.get(i + 1))
        .map_or("sendethic", String::as_str);
    let dir = tempfile::tempdir()?;
    let state = dir.path().join("sync-state.sqlite");
    match provider {
        "sendethic" => {
            let real = std::env::var("SENDETHIC_ACCOUNT").is_ok()
                && std::env::var("SENDETHIC_API_KEY").is_ok();
            let (client, fake) = if real {
                println!("Using the real Sendethic service (credentials from the environment).");
                (relance::sendethic::Client::from_env()?, None)
            } else {
                let fake = FakeSendethic::start().await;
                println!(
                    "Offline: the embedded Sendethic fake at {}",
                    fake.base_url()
                );
                (fake.client(), Some(fake))
            };
            let target = SendethicTarget::new(client.clone());
            let provider = SendethicStory { client, fake };
            story(target, &state, &provider, !real || approve_flag).await
        }
        "sendsay" => {
            let real = std::env::var("SENDSAY_ACCOUNT").is_ok()
                && std::env::var("SENDSAY_API_KEY").is_ok();
            let (client, fake) = if real {
                println!("Using the real Sendsay service (credentials from the environment).");
                (relance::sendsay::Client::from_env()?, None)
            } else {
                let fake = FakeSendsay::start().await;
                println!("Offline: the embedded Sendsay fake at {}", fake.base_url());
                let client = fake.client_builder().timezone(SENDSAY_TZ).build()?;
                (client, Some(fake))
            };
            let target = SendsayTarget::new(client.clone());
            let provider = SendsayStory { client, fake };
            story(target, &state, &provider, !real || approve_flag).await
        }
        other => Err(format!("unknown provider `{other}` (sendethic or sendsay)").into()),
    }
}

/// The two nights and the campaign, on any target.
async fn story<T: SyncTarget>(
    target: T,
    state: &std::path::Path,
    provider: &impl Provider,
    approve: bool,
) -> Result<()> {
    // Night 1: a shop's data, consolidated into one profile per contact.
    let mut shop = synth::generate(&synth::SynthConfig::new(5_000, 500, 7));
    let as_of = relance::io::csv::parse_instant("2025-01-01T03:00:00Z").ok_or("bad instant")?;
    let profiles = shop.dataset.consolidate(&policy(&shop, as_of))?;
    tell("night 1", &profiles);
    provider.set_clock(as_of);

    // The sync, with its state in an embedded store (a file a nightly job keeps).
    let store = SqliteStore::open(state, target.scope()?)?;
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
                    repeat = Some(id.clone());
                }
            }
            Err(e) => println!("  segment {:<28} not provisioned: {e}", s.tag),
        }
    }
    let subscriber = profiles
        .iter()
        .find(|p| p.newsletter_optin() == OptIn::Yes)
        .map(|p| p.email().to_owned());
    drop(profiles);

    // During the day, a subscriber unsubscribes at the service.
    let next = as_of + TimeDelta::days(1);
    if let Some(email) = &subscriber {
        provider.set_clock(next - TimeDelta::hours(12));
        provider
            .unsubscribe_at_service(email, next - TimeDelta::hours(12))
            .await?;
    }
    provider.set_clock(next);
    // Night 2 starts by reading the consent changes made at the service, and the shop
    // applies them to its own data (the syncer remembers them, and would not push an older
    // consent over them anyway).
    let changes = syncer.consent_changes(Some(as_of)).await?;
    let mut rows = 0;
    for c in &changes {
        let optin = if c.subscribed { OptIn::Yes } else { OptIn::No };
        rows += shop.dataset.set_newsletter_optin(&c.email, optin, c.at);
        if !c.subscribed {
            println!("consent change from the service: {} unsubscribed", c.email);
        }
    }
    println!(
        "{} consent change(s) read from the service, applied to {rows} shop row(s)",
        changes.len()
    );

    // Then new orders from three customers and a new guest, and the clock a day later.
    add_orders(&mut shop.dataset, next - TimeDelta::hours(5));
    let profiles = shop.dataset.consolidate(&policy(&shop, next))?;
    tell("night 2", &profiles);
    let second = syncer.run_profiles(&profiles).await?;
    println!(
        "night 2 sync: {second}  (only what changed is pushed: {} created, {} updated)",
        second.created.len(),
        second.updated.len()
    );

    // A customer deleted their account and asked to be erased.
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
    provider.campaign(&segment, approve).await
}

struct SendethicStory {
    client: relance::sendethic::Client,
    fake: Option<FakeSendethic>,
}

impl Provider for SendethicStory {
    fn set_clock(&self, at: DateTime<Utc>) {
        if let Some(fake) = &self.fake {
            fake.set_now(at);
        }
    }

    async fn unsubscribe_at_service(&self, email: &str, at: DateTime<Utc>) -> Result<()> {
        if self.fake.is_none() {
            println!("(real service: no unsubscribe is simulated)");
            return Ok(());
        }
        let when =
            relance::sendethic::Timestamp::parse(at.format("%Y-%m-%d %H:%M:%S+0000").to_string());
        self.client
            .contacts()
            .update(
                Contact::new(email)
                    .email_optin(relance::sendethic::OptIn::No)
                    .email_unsubscription_date(when),
            )
            .await?;
        println!("{email} unsubscribed at Sendethic (a click in a newsletter)");
        Ok(())
    }

    async fn campaign(&self, segment: &SegmentRef, approve: bool) -> Result<()> {
        let segment: SegmentId = segment.sendethic().ok_or("not a Sendethic segment")?;
        let emailing = self.client.emailing();
        let op = emailing
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
        emailing
            .test(
                op.id,
                TestEmail::new("qa@example.com").title_prefix("[TEST] "),
            )
            .await?;
        println!("campaign {} tested (a copy to qa@example.com)", op.id);
        if approve {
            emailing.approve(op.id).await?;
            println!("campaign {} approved: the service sends it now", op.id);
        } else {
            println!("not approved: against the real service, add --approve to send it");
        }
        Ok(())
    }
}

struct SendsayStory {
    client: relance::sendsay::Client,
    fake: Option<FakeSendsay>,
}

impl Provider for SendsayStory {
    fn set_clock(&self, at: DateTime<Utc>) {
        if let Some(fake) = &self.fake {
            fake.set_now(at, SENDSAY_TZ);
        }
    }

    async fn unsubscribe_at_service(&self, email: &str, _at: DateTime<Utc>) -> Result<()> {
        match &self.fake {
            Some(fake) => {
                fake.unsubscribe(email);
                println!("{email} unsubscribed at Sendsay (on the stop-list)");
            }
            None => println!("(real service: no unsubscribe is simulated)"),
        }
        Ok(())
    }

    async fn campaign(&self, segment: &SegmentRef, approve: bool) -> Result<()> {
        let group = segment.sendsay().ok_or("not a Sendsay segment")?;
        let draft = self
            .client
            .drafts()
            .set(
                NewDraft::email(
                    "Thank you for coming back",
                    "A gift for you",
                    "<p>Here is 10% off your next order.</p><p><a href=\"[% param.url_unsub %]\">Unsubscribe</a></p>",
                )
                .field("from", "shop@example.com"),
            )
            .await?;
        let draft_id = draft.id.unwrap_or_default();
        println!("campaign draft {draft_id} created for segment {group}");
        let issue = || IssueSend::to_group(group, Letter::draft(&draft_id));
        self.client
            .issues()
            .send_test(issue(), ["qa@example.com"])
            .await?;
        println!("campaign draft {draft_id} tested (a copy to qa@example.com)");
        if approve {
            let track = self.client.issues().send(issue()).await?;
            println!("campaign sent to segment {group} (track {track})");
        } else {
            println!("not sent: against the real service, add --approve to send it");
        }
        Ok(())
    }
}

/// Night 2's new orders: three existing customers buy again, and a new guest buys.
fn add_orders(ds: &mut Dataset, at: DateTime<Utc>) {
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
