//! Lifecycle events delivered exactly once: three nights, a crash in the middle of the
//! second with an ambiguous delivery, and every event in the fake's history once.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use relance::customer::events::{EventKind, EventPolicy, LifecycleEvent, lifecycle_events};
use relance::customer::seller::{Marketplace, Product, Seller, SellerPolicy, SubOrder};
use relance::customer::{
    Buyer, ConsolidationPolicy, Currency, Customer, Dataset, Money, Order, OrderId, OrderStatus,
};
use relance::sync::store::SqliteStore;
use relance::sync::{SendethicTarget, SendsayTarget, SyncTarget, Syncer};
use relance::testing::{FakeSendethic, FakeSendsay, Fault};

use super::sendsay::client_in_moscow;

fn day(d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 6, d, 3, 0, 0).unwrap()
}

/// Buyers ordering for the first time and sellers selling, spread over June 1st–4th.
fn data() -> (Dataset, Marketplace) {
    let eur = |m| Money::new(m, Currency::EUR);
    let mut shop = Dataset::new();
    let mut market = Marketplace::new();
    for i in 0..9u32 {
        let at = day(1) + TimeDelta::hours(i64::from(i) * 8 + 1);
        let c = shop.add_customer(Customer {
            id: i.to_string(),
            email: format!("b{i}@e.example"),
            ..Customer::default()
        });
        shop.add_order(Order::new(
            OrderId(u64::from(i)),
            Buyer::Customer(c),
            at,
            OrderStatus::Paid,
            eur(100),
        ));
        let s = market.add_seller(Seller::new(
            format!("s{i}"),
            format!("s{i}@e.example"),
            Some(day(1) - TimeDelta::days(60)),
        ));
        market.add_product(Product::new(
            format!("p{i}"),
            s,
            day(1) - TimeDelta::days(59),
            true,
        ));
        market.add_sub_order(SubOrder::new(
            OrderId(u64::from(i)),
            s,
            at,
            OrderStatus::Paid,
            eur(100),
        ));
    }
    (shop, market)
}

fn night(since: DateTime<Utc>, as_of: DateTime<Utc>) -> Vec<LifecycleEvent> {
    let (shop, market) = data();
    let policy = ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::UTC);
    let buyers = shop.consolidate(&policy).unwrap();
    let sellers = market
        .consolidate(&shop, &policy, &SellerPolicy::default())
        .unwrap();
    lifecycle_events(
        since,
        &buyers,
        &policy,
        &sellers,
        &SellerPolicy::default(),
        &EventPolicy::default(),
    )
}

fn target(fake: &FakeSendethic) -> SendethicTarget {
    SendethicTarget::new(fake.client())
        .event_operation(EventKind::FirstOrder, 501)
        .event_operation(EventKind::FirstSale, 502)
}

fn syncer(fake: &FakeSendethic, path: &std::path::Path) -> Syncer<SendethicTarget, SqliteStore> {
    let t = target(fake);
    let store = SqliteStore::open(path, t.scope().unwrap()).unwrap();
    Syncer::new(t, store)
}

#[tokio::test]
async fn three_nights_with_a_crash_deliver_every_event_exactly_once() {
    let fake = FakeSendethic::start().await;
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.sqlite");
    // The contacts exist at the service (the nightly sync pushed them).
    for i in 0..9 {
        for who in ["b", "s"] {
            fake.client()
                .contacts()
                .upsert(relance::sendethic::Contact::new(format!(
                    "{who}{i}@e.example"
                )))
                .await
                .unwrap();
        }
    }
    let mut all = Vec::new();

    // Night 1.
    let events = night(day(1), day(2));
    assert!(events.len() >= 4, "{events:?}");
    let report = syncer(&fake, &state).deliver_events(&events).await.unwrap();
    assert_eq!(report.delivered.len(), events.len());
    all.extend(events);

    // Night 2: the second delivery's answer is lost after the service wrote it, and the
    // process dies after the third event.
    let events = night(day(2), day(3));
    assert!(events.len() >= 4, "{events:?}");
    {
        let mut first = syncer(&fake, &state);
        let r = first.deliver_events(&events[..1]).await.unwrap();
        assert_eq!(r.delivered.len(), 1);
        fake.inject(
            Fault::status(503)
                .after_processing()
                .on("POST", "/contact/history")
                .times(1),
        );
        let r = first.deliver_events(&events[1..3]).await.unwrap();
        assert_eq!((r.delivered.len(), r.ambiguous.len()), (1, 1), "{r:?}");
    } // crash: the rest of the night never ran
    let posts = fake.hits("POST", "/contact/history");
    let rerun = syncer(&fake, &state).deliver_events(&events).await.unwrap();
    // Two were recorded delivered; the ambiguous one is found in the history and recorded
    // without being sent again; only the rest go out.
    assert_eq!(rerun.already_delivered, 2);
    assert_eq!(rerun.delivered.len(), events.len() - 2, "{rerun:?}");
    assert_eq!(
        fake.hits("POST", "/contact/history"),
        posts + events.len() - 3
    );
    all.extend(events);

    // Night 3, and a rerun of it.
    let events = night(day(3), day(4));
    let report = syncer(&fake, &state).deliver_events(&events).await.unwrap();
    assert_eq!(report.delivered.len(), events.len());
    let again = syncer(&fake, &state).deliver_events(&events).await.unwrap();
    assert!(again.delivered.is_empty() && again.already_delivered == events.len());
    all.extend(events);

    // Every event once in its contact's history, with its operation.
    assert!(all.len() >= 12);
    for e in &all {
        let key = e.key();
        let entries: Vec<_> = fake
            .contact_history(&e.email)
            .into_iter()
            .filter(|l| l.title.as_deref() == Some(key.as_str()))
            .collect();
        assert_eq!(entries.len(), 1, "{key}");
        let op = if e.kind == EventKind::FirstOrder {
            501
        } else {
            502
        };
        assert_eq!(entries[0].operation_id, op);
    }
}

#[tokio::test]
async fn unmapped_and_unresolvable_events_are_reported_not_sent() {
    let fake = FakeSendsay::start().await;
    let t = SendsayTarget::new(client_in_moscow(&fake)).event_workflow(EventKind::FirstSale, 12);
    let mut syncer = Syncer::in_memory(t).unwrap();
    let events = night(day(1), day(2));
    let sales = events
        .iter()
        .filter(|e| e.kind == EventKind::FirstSale)
        .count();
    // The first sale goes through (and the client learns the service's REDIRECT); the
    // next start's answer is lost after the service acted on it.
    let first = events
        .iter()
        .position(|e| e.kind == EventKind::FirstSale)
        .unwrap();
    let warm = syncer.deliver_events(&events[first..=first]).await.unwrap();
    assert_eq!(warm.delivered.len(), 1);
    fake.inject(Fault::status(503).after_processing().times(1));
    let report = syncer.deliver_events(&events).await.unwrap();
    assert_eq!(
        report.unmapped.len(),
        events.len() - sales,
        "first orders have no workflow"
    );
    assert_eq!(report.already_delivered, 1);
    assert_eq!(report.ambiguous.len(), 1, "{report:?}");
    assert_eq!(report.delivered.len(), sales - 2);
    // Every first sale reached the service once (the lost answer's start too), each
    // seller with the configured workflow.
    let starts = fake.workflow_starts();
    assert_eq!(starts.len(), sales);
    assert!(
        starts
            .iter()
            .all(|(id, email)| *id == 12 && email.starts_with('s'))
    );
    // Sendsay cannot tell whether the lost start happened: it stays ambiguous, unsent.
    let starts = fake.hits("sequence.member.start");
    let again = syncer.deliver_events(&events).await.unwrap();
    assert_eq!(again.ambiguous.len(), 1);
    assert_eq!(fake.hits("sequence.member.start"), starts);
    // Once the user checked it landed, it is settled.
    syncer.resolve_event(&again.ambiguous[0].0).await.unwrap();
    let settled = syncer.deliver_events(&events).await.unwrap();
    assert!(settled.ambiguous.is_empty());
}

#[tokio::test]
async fn the_window_moves_only_when_every_event_landed() {
    let fake = FakeSendethic::start().await;
    for i in 0..9 {
        for who in ["b", "s"] {
            fake.client()
                .contacts()
                .upsert(relance::sendethic::Contact::new(format!(
                    "{who}{i}@e.example"
                )))
                .await
                .unwrap();
        }
    }
    let mut syncer = Syncer::in_memory(target(&fake)).unwrap();
    assert_eq!(syncer.events_since().await.unwrap(), None);
    // Night 1: one delivery refused (4xx): the window stays where it was.
    let events = night(day(1), day(2));
    fake.inject(Fault::status(400).on("POST", "/contact/history").times(1));
    let report = syncer.deliver_window(day(2), &events).await.unwrap();
    assert_eq!(report.failed.len(), 1, "{report:?}");
    assert_eq!(report.delivered.len(), events.len() - 1);
    assert_eq!(syncer.events_since().await.unwrap(), None);
    // The next run computes the same window again: only the refused event goes out.
    let since = syncer.events_since().await.unwrap().unwrap_or(day(1));
    let events = night(since, day(2));
    let posts = fake.hits("POST", "/contact/history");
    let report = syncer.deliver_window(day(2), &events).await.unwrap();
    assert_eq!(report.delivered.len(), 1, "{report:?}");
    assert_eq!(report.already_delivered, events.len() - 1);
    assert_eq!(fake.hits("POST", "/contact/history"), posts + 1);
    assert_eq!(syncer.events_since().await.unwrap(), Some(day(2)));
    // A rerun at the same `as_of` has an empty window.
    let since = syncer.events_since().await.unwrap().unwrap();
    assert!(night(since, day(2)).is_empty());
    // An unmapped event does not hold the window back.
    let mut unmapped = Syncer::in_memory(SendethicTarget::new(fake.client())).unwrap();
    let report = unmapped
        .deliver_window(day(3), &night(day(2), day(3)))
        .await
        .unwrap();
    assert!(!report.unmapped.is_empty() && report.delivered.is_empty());
    assert_eq!(unmapped.events_since().await.unwrap(), Some(day(3)));
}
