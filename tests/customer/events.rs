//! Lifecycle events from state transitions: each one in the window it happened in, none on
//! a rerun at the same `as_of`, none twice across consecutive nights.

use std::collections::HashSet;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use relance::customer::events::{EventKind, EventPolicy, LifecycleEvent, Role, lifecycle_events};
use relance::customer::seller::{Marketplace, Product, Seller, SellerPolicy, SubOrder};
use relance::customer::{
    Buyer, ConsolidationPolicy, Currency, Customer, Dataset, Money, Order, OrderId, OrderStatus,
};
use relance::io::synth;

fn t(d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 6, d, h, 0, 0).unwrap()
}

fn events(
    shop: &Dataset,
    market: &Marketplace,
    since: DateTime<Utc>,
    as_of: DateTime<Utc>,
) -> Vec<LifecycleEvent> {
    let policy = ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::UTC)
        .rate(Currency::USD, synth::USD_TO_EUR);
    let buyers = shop.consolidate(&policy).unwrap();
    let sellers = market
        .consolidate(shop, &policy, &SellerPolicy::default().milestones([1, 3]))
        .unwrap();
    lifecycle_events(
        since,
        &buyers,
        &policy,
        &sellers,
        &SellerPolicy::default().milestones([1, 3]),
        &EventPolicy::default(),
    )
}

fn kinds(e: &[LifecycleEvent]) -> Vec<(String, Role, EventKind, DateTime<Utc>)> {
    let mut v: Vec<_> = e
        .iter()
        .map(|e| (e.email.clone(), e.role, e.kind, e.at))
        .collect();
    v.sort();
    v
}

#[test]
fn each_event_falls_in_its_window_by_hand() {
    let eur = |m| Money::new(m, Currency::EUR);
    let mut shop = Dataset::new();
    // Signed up on June 1st 10:00, no order: 7 days later is June 8th 10:00.
    shop.add_customer(Customer {
        id: "1".into(),
        email: "new@b.example".into(),
        signed_up_at: Some(t(1, 10)),
        ..Customer::default()
    });
    // First order June 9th 09:00, delivered June 9th 18:00.
    let buyer = shop.add_customer(Customer {
        id: "2".into(),
        email: "buy@b.example".into(),
        ..Customer::default()
    });
    let o = shop.add_order(Order::new(
        OrderId(1),
        Buyer::Customer(buyer),
        t(9, 9),
        OrderStatus::Paid,
        eur(100),
    ));
    shop.set_delivered_at(o, t(9, 18));
    let mut market = Marketplace::new();
    // Registered May 26th 10:00 without products: stuck 14 days later, June 9th 10:00.
    market.add_seller(Seller::new(
        "s1",
        "idle@s.example",
        Some(t(1, 10) - TimeDelta::days(6)),
    ));
    // Three sales: the first June 2nd, the third (milestone 3) June 9th 12:00.
    let s = market.add_seller(Seller::new("s2", "top@s.example", Some(t(1, 0))));
    market.add_product(Product::new("p", s, t(1, 1), true));
    for (i, at) in [t(2, 8), t(5, 8), t(9, 12)].into_iter().enumerate() {
        market.add_sub_order(SubOrder::new(
            OrderId(10 + i as u64),
            s,
            at,
            OrderStatus::Paid,
            eur(10),
        ));
    }

    let night = events(&shop, &market, t(8, 23) + TimeDelta::hours(1), t(10, 0));
    assert_eq!(
        kinds(&night),
        [
            (
                "buy@b.example".into(),
                Role::Buyer,
                EventKind::FirstOrder,
                t(9, 9)
            ),
            (
                "buy@b.example".into(),
                Role::Buyer,
                EventKind::Delivered,
                t(9, 18)
            ),
            (
                "idle@s.example".into(),
                Role::Seller,
                EventKind::SellerWithoutProducts,
                t(9, 10)
            ),
            (
                "top@s.example".into(),
                Role::Seller,
                EventKind::Milestone(3),
                t(9, 12)
            ),
        ]
    );
    // The night before saw the registration without order (June 8th 10:00) and nothing of
    // the 9th.
    let before = events(&shop, &market, t(8, 0), t(9, 0));
    assert_eq!(
        kinds(&before),
        [(
            "new@b.example".into(),
            Role::Buyer,
            EventKind::RegisteredWithoutOrder,
            t(8, 10)
        )]
    );
    // A rerun at the same as_of emits nothing.
    assert!(events(&shop, &market, t(10, 0), t(10, 0)).is_empty());
    // Keys name events forever.
    assert_eq!(
        night[0].key(),
        format!("buy@b.example/buyer/first_order/{}", t(9, 9).timestamp())
    );
}

#[test]
fn consecutive_nights_never_emit_an_event_twice_and_stable_events_are_all_seen() {
    let shop = synth::generate(&synth::SynthConfig::new(20_000, 2_000, 5)).dataset;
    let market = Marketplace::new();
    let nights: Vec<DateTime<Utc>> = (0..6)
        .map(|n| Utc.with_ymd_and_hms(2024, 3, 1, 2, 0, 0).unwrap() + TimeDelta::days(n))
        .collect();
    let mut seen = HashSet::new();
    let mut stable = HashSet::new();
    let mut total = 0;
    for w in nights.windows(2) {
        for e in events(&shop, &market, w[0], w[1]) {
            total += 1;
            assert!(seen.insert(e.key()), "{} emitted twice", e.key());
            if matches!(e.kind, EventKind::FirstOrder | EventKind::Delivered) {
                stable.insert(e.key());
            }
        }
    }
    assert!(total > 50, "the check must not be vacuous ({total})");
    // First orders and deliveries are facts of the past: the nights together saw exactly
    // what one run over the whole span sees.
    let whole: HashSet<String> = events(&shop, &market, nights[0], nights[5])
        .into_iter()
        .filter(|e| matches!(e.kind, EventKind::FirstOrder | EventKind::Delivered))
        .map(|e| e.key())
        .collect();
    assert_eq!(stable, whole);
}
