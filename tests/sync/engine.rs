//! The engine's guarantees that do not depend on the provider: one run per account at a time,
//! a state tied to its account, and exactly the changed contacts pushed the next night.

use std::collections::{BTreeMap, BTreeSet};

use chrono::TimeDelta;
use relance::Error;
use relance::customer::{ConsolidationPolicy, Currency, Dataset, FxRate};
use relance::error::StateError;
use relance::io::{csv, synth};
use relance::sync::store::{MemoryStore, Scope, SqliteStore};
use relance::sync::{SendethicTarget, SyncRecord, SyncTarget, Syncer};
use relance::testing::FakeSendethic;

use super::record;

#[tokio::test]
async fn a_second_run_of_the_same_account_fails_fast_and_the_first_completes() {
    let fake = FakeSendethic::start().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.sqlite");
    let scope = SendethicTarget::new(fake.client()).scope().unwrap();
    let mut first = Syncer::new(
        SendethicTarget::new(fake.client()),
        SqliteStore::open(&path, scope.clone()).unwrap(),
    );
    let mut second = Syncer::new(
        SendethicTarget::new(fake.client()),
        SqliteStore::open(&path, scope).unwrap(),
    );
    // The first run is slowed down by the service, so the second starts while it holds the
    // lock.
    fake.inject(
        relance::testing::Fault::delay(std::time::Duration::from_millis(300))
            .on("GET", "/account/contactattribute")
            .times(1),
    );
    let started = std::time::Instant::now();
    let (a, b) = tokio::join!(first.run((0..50).map(|i| record(i, 1))), async {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let result = second.run((0..50).map(|i| record(i, 1))).await;
        (result, started.elapsed())
    });
    let a = a.unwrap();
    assert_eq!((a.pushed, a.failed_count()), (50, 0));
    let (b, when) = b;
    match b {
        Err(Error::State(StateError::Locked { .. })) => {}
        other => panic!("the second run should fail fast: {other:?}"),
    }
    assert!(
        when < std::time::Duration::from_millis(300),
        "failed after {when:?}, not at once"
    );
    // Once the first run is over, the lock is free again and nothing is left to push.
    let again = second.run((0..50).map(|i| record(i, 1))).await.unwrap();
    assert_eq!((again.pushed, again.unchanged), (0, 50));
}

#[tokio::test]
async fn a_state_of_another_account_is_refused_before_anything_is_sent() {
    let fake = FakeSendethic::start().await;
    let store = MemoryStore::new(Scope::new("sendethic", "another-account").unwrap());
    let mut syncer = Syncer::new(SendethicTarget::new(fake.client()), store);
    let err = syncer.run([record(1, 1)]).await.unwrap_err();
    match err {
        Error::State(StateError::OtherScope { expected, found }) => {
            assert_eq!(expected.account(), fake.client().account_id());
            assert_eq!(found.account(), "another-account");
        }
        other => panic!("{other:?}"),
    }
    assert!(fake.requests().is_empty(), "nothing sent");
    let sendsay = Scope::new("sendsay", fake.client().account_id()).unwrap();
    let mut syncer = Syncer::new(
        SendethicTarget::new(fake.client()),
        MemoryStore::new(sendsay),
    );
    assert!(matches!(
        syncer.run([record(1, 1)]).await,
        Err(Error::State(StateError::OtherScope { .. }))
    ));
}

/// A generated shop written as CSV files, so that a "next night" can change it the way a
/// shop's export would.
fn shop_files(dir: &std::path::Path) -> (Dataset, Vec<FxRate>) {
    let shop = synth::generate(&synth::SynthConfig::new(20_000, 2_000, 11));
    csv::write_dir(&shop.dataset, &shop.rates, dir).unwrap();
    csv::read_dir(dir).unwrap()
}

/// The next night's export: every 100th order becomes refunded (1 % of the orders).
fn refund_one_percent(dir: &std::path::Path) -> usize {
    let path = dir.join("orders.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let status = header.split(',').position(|c| c == "status").unwrap();
    let mut out = vec![header.to_owned()];
    let mut changed = 0;
    for (i, line) in lines.enumerate() {
        let mut cols: Vec<&str> = line.split(',').collect();
        if i % 100 == 0 && cols[status] != "refunded" {
            cols[status] = "refunded";
            changed += 1;
        }
        out.push(cols.join(","));
    }
    std::fs::write(&path, out.join("\n") + "\n").unwrap();
    changed
}

fn records(
    ds: &Dataset,
    rates: &[FxRate],
    as_of: chrono::DateTime<chrono::Utc>,
) -> Vec<SyncRecord> {
    let mut policy = ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::Europe::Paris);
    for r in rates {
        policy = policy.rate(r.from, r.rate);
    }
    let profiles = ds.consolidate(&policy).unwrap();
    SyncRecord::all(&profiles).collect()
}

/// The emails of every contact the fake received in bulk writes since `from`.
pub(super) fn pushed_emails(fake: &FakeSendethic, from: usize) -> BTreeSet<String> {
    let mut emails = BTreeSet::new();
    for r in fake.requests().into_iter().skip(from) {
        if r.method == "POST" && r.path == "/contacts/attribute" {
            let body: serde_json::Value = serde_json::from_str(&r.body).unwrap();
            for c in body.as_array().unwrap() {
                emails.insert(c["contactKey"].as_str().unwrap().to_owned());
            }
        }
    }
    emails
}

#[tokio::test]
async fn the_next_night_pushes_exactly_the_contacts_whose_values_changed() {
    let dir = tempfile::tempdir().unwrap();
    let (night1, rates) = shop_files(dir.path());
    let as_of = csv::parse_instant("2025-01-01T00:00:00Z").unwrap();
    let before = records(&night1, &rates, as_of);

    let fake = FakeSendethic::start().await;
    let mut syncer = Syncer::in_memory(SendethicTarget::new(fake.client())).unwrap();
    let first = syncer.run(before.clone()).await.unwrap();
    assert_eq!(first.pushed, before.len());
    assert!(first.is_complete(), "{first:?}");

    // Next night: 1 % of the orders refunded, and the clock one day later.
    let refunded = refund_one_percent(dir.path());
    assert!(refunded >= 150, "{refunded}");
    let (night2, rates) = csv::read_dir(dir.path()).unwrap();
    let after = records(&night2, &rates, as_of + TimeDelta::days(1));

    // What changed, computed independently of the engine: the records whose values differ.
    let old: BTreeMap<&str, &SyncRecord> = before.iter().map(|r| (r.email(), r)).collect();
    let expected: BTreeSet<String> = after
        .iter()
        .filter(|r| old.get(r.email()).is_none_or(|o| *o != *r))
        .map(|r| r.email().to_owned())
        .collect();
    let carts_only = after
        .iter()
        .filter(|r| {
            let o = old[r.email()];
            o != *r
                && o.get(&relance::customer::ProfileField::Revenue)
                    == r.get(&relance::customer::ProfileField::Revenue)
        })
        .count();
    assert!(
        carts_only > 0,
        "some contacts change with the clock alone (carts crossing the delay)"
    );
    assert!(expected.len() < after.len() / 4, "{}", expected.len());

    let seen = fake.requests().len();
    let next = syncer.run(after.clone()).await.unwrap();
    assert_eq!(next.pushed, expected.len(), "{next:?}");
    assert_eq!(next.unchanged, after.len() - expected.len());
    assert_eq!(pushed_emails(&fake, seen), expected);

    // And the night after with nothing new pushes nothing.
    let seen = fake.requests().len();
    let quiet = syncer.run(after).await.unwrap();
    assert_eq!(quiet.pushed, 0);
    assert!(pushed_emails(&fake, seen).is_empty());
}

#[tokio::test]
async fn profiles_compared_on_every_core_give_the_same_state_as_records_one_by_one() {
    use relance::sync::store::StateStore;
    let dir = tempfile::tempdir().unwrap();
    let (shop, rates) = shop_files(dir.path());
    let as_of = csv::parse_instant("2025-01-01T00:00:00Z").unwrap();
    let mut policy = ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::Europe::Paris);
    for r in &rates {
        policy = policy.rate(r.from, r.rate);
    }
    let profiles = shop.consolidate(&policy).unwrap();

    let one = FakeSendethic::start().await;
    let mut by_record = Syncer::in_memory(SendethicTarget::new(one.client())).unwrap();
    let a = by_record.run(SyncRecord::all(&profiles)).await.unwrap();
    let other = FakeSendethic::start().await;
    let mut by_profile = Syncer::in_memory(SendethicTarget::new(other.client())).unwrap();
    let b = by_profile.run_profiles(&profiles).await.unwrap();
    assert_eq!((a.considered, a.pushed), (b.considered, b.pushed));
    assert_eq!(b.considered, profiles.len());
    let (sa, sb) = (
        by_record.store().load().await.unwrap(),
        by_profile.store().load().await.unwrap(),
    );
    assert_eq!(sa.len(), sb.len());
    for p in profiles.iter() {
        assert_eq!(sa.get(p.email()), sb.get(p.email()), "{}", p.email());
    }
    let again = by_profile.run_profiles(&profiles).await.unwrap();
    assert_eq!((again.pushed, again.unchanged), (0, profiles.len()));
}

#[tokio::test]
async fn a_plan_says_what_a_run_would_push_and_writes_nothing() {
    let fake = FakeSendethic::start().await;
    let mut syncer = Syncer::in_memory(SendethicTarget::new(fake.client())).unwrap();
    let first = syncer.plan((0..4).map(|i| record(i, 1))).await.unwrap();
    assert_eq!(
        (first.considered, first.to_push.len(), first.new),
        (4, 4, 4)
    );
    assert!(
        fake.requests().iter().all(|r| r.method == "GET"),
        "a plan only reads"
    );
    syncer.run((0..4).map(|i| record(i, 1))).await.unwrap();

    // Contact 2 gets a second order, contact 9 is new; the rest is unchanged.
    let next = (0..4)
        .map(|i| record(i, if i == 2 { 2 } else { 1 }))
        .chain([record(9, 1)]);
    let seen = fake.requests().len();
    let plan = syncer.plan(next.clone()).await.unwrap();
    assert_eq!(
        plan.to_push,
        ["customer002@example.com", "customer009@example.com"]
    );
    assert_eq!((plan.considered, plan.unchanged, plan.new), (5, 3, 1));
    assert_eq!(fake.requests().len(), seen, "still nothing sent");
    assert_eq!(
        plan.to_string(),
        "considered 5, would push 2 (1 new), unchanged 3, would reject 0, would remove 0; would create 0 fields and 0 segments, adopt 0 fields, update 0 segments"
    );
    // The run then does what the plan said.
    let report = syncer.run(next).await.unwrap();
    assert_eq!((report.pushed, report.unchanged), (2, 3));
}
