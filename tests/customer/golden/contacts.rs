//! Contacts (guest merge, duplicate emails), thread counts and internal limits.

use chrono::{TimeZone, Utc};
use relance::customer::*;
use relance::io::{csv, synth};

use super::{approx, at, customer, eur, only, order, policy};

/// Guest orders join the registered customer by normalised email; guest-only contacts get a
/// profile; `attach_guest_orders = false`.
#[test]
fn guest_merge() {
    let mut ds = Dataset::new();
    let alice = Buyer::Customer(ds.add_customer(Customer {
        newsletter_optin: OptIn::Yes,
        ..customer("7", "Alice@Example.com")
    }));
    let guest_alice = Buyer::Guest(ds.guest("  alice@EXAMPLE.com").unwrap());
    let guest_bob = Buyer::Guest(ds.guest("bob@example.com").unwrap());
    ds.add_order(order(
        1,
        alice,
        "2024-01-01T10:00:00Z",
        OrderStatus::Paid,
        eur(1_000),
    ));
    ds.add_order(order(
        2,
        guest_alice,
        "2024-01-03T10:00:00Z",
        OrderStatus::Paid,
        eur(2_000),
    ));
    ds.add_order(order(
        3,
        guest_bob,
        "2024-01-04T10:00:00Z",
        OrderStatus::Paid,
        eur(500),
    ));
    let out = ds.consolidate(&policy("2024-02-01T00:00:00Z")).unwrap();
    assert_eq!(out.len(), 2);
    let p = only(&out, "alice@example.com");
    assert_eq!((p.orders_count(), p.revenue()), (2, eur(3_000)));
    assert_eq!(p.customer_id(), Some("7"));
    assert_eq!(p.newsletter_optin(), OptIn::Yes);
    let g = only(&out, "bob@example.com");
    assert_eq!((g.customer_id(), g.orders_count()), (None, 1));
    assert_eq!(g.newsletter_optin(), OptIn::Unknown);
    assert_eq!(g.signed_up_at(), None);
    let detached = ds
        .consolidate(&policy("2024-02-01T00:00:00Z").attach_guest_orders(false))
        .unwrap();
    assert_eq!(only(&detached, "alice@example.com").orders_count(), 1);
    assert_eq!(only(&detached, "bob@example.com").orders_count(), 1);
}

/// Duplicate emails: one contact, deterministic chosen row, group union, logins over rows.
#[test]
fn duplicate_emails() {
    let mut ds = Dataset::new();
    let old_registered = ds.add_customer(Customer {
        first_name: Some("Old".into()),
        updated_at: Some(at("2023-01-01T00:00:00Z")),
        group_ids: vec!["3".into(), "1".into()],
        last_login_at: Some(at("2024-01-20T00:00:00Z")),
        ..customer("10", "dup@x.io")
    });
    let newer_guest_row = ds.add_customer(Customer {
        first_name: Some("Guest".into()),
        updated_at: Some(at("2024-01-01T00:00:00Z")),
        is_guest: true,
        group_ids: vec!["9".into()],
        ..customer("11", "DUP@x.io")
    });
    let newer_registered = ds.add_customer(Customer {
        first_name: Some("New".into()),
        updated_at: Some(at("2023-06-01T00:00:00Z")),
        group_ids: vec!["2".into(), "1".into(), "1".into()],
        ..customer("12", " dup@X.io")
    });
    assert_eq!(ds.contact_count(), 1);
    for (i, c) in [old_registered, newer_guest_row, newer_registered]
        .into_iter()
        .enumerate()
    {
        ds.add_order(order(
            i as u64,
            Buyer::Customer(c),
            "2024-01-0{}T10:00:00Z"
                .replace("{}", &(i + 1).to_string())
                .as_str(),
            OrderStatus::Paid,
            eur(100),
        ));
    }
    ds.add_login(Login {
        customer: newer_guest_row,
        at: at("2024-01-15T00:00:00Z"),
    });
    let out = ds.consolidate(&policy("2024-02-01T00:00:00Z")).unwrap();
    assert_eq!(out.len(), 1);
    let p = only(&out, "dup@x.io");
    assert_eq!(p.orders_count(), 3);
    assert_eq!(p.customer_id(), Some("12")); // registered beats guest rows; then latest updated_at
    assert_eq!(p.first_name(), Some("New"));
    assert_eq!(p.customer_group_ids(), ["1", "2", "3", "9"]);
    assert_eq!(p.last_login_at(), Some(at("2024-01-20T00:00:00Z")));
    let chosen = ds
        .consolidate(&policy("2024-02-01T00:00:00Z").group_ids(GroupIdsMode::ChosenRow))
        .unwrap();
    assert_eq!(only(&chosen, "dup@x.io").customer_group_ids(), ["1", "2"]);
}

/// Results do not depend on the number of threads.
#[test]
fn thread_count_does_not_change_results() {
    let shop = synth::generate(&synth::SynthConfig::new(20_000, 2_000, 5));
    let mut p = ConsolidationPolicy::new(
        Currency::EUR,
        Utc.with_ymd_and_hms(2024, 6, 1, 0, 0, 0).unwrap(),
        chrono_tz::Europe::Paris,
    );
    for r in &shop.rates {
        p = p.rate(r.from, r.rate);
    }
    let render = |threads: usize| {
        let mut c = shop
            .dataset
            .consolidate(&p.clone().threads(threads))
            .unwrap();
        c.apply_rfm(&RfmConfig::default());
        let mut out = Vec::new();
        csv::write_profiles(&c, &mut out).unwrap();
        out
    };
    let one = render(1);
    assert_eq!(one, render(2));
    assert_eq!(one, render(3));
    assert!(one.len() > 100_000);
}

/// Values above 32 bits and instants far before `as_of` (internal packing limits).
#[test]
fn large_values_and_old_instants() {
    let mut ds = Dataset::new();
    let c = Buyer::Customer(ds.add_customer(customer("1", "a@x.io")));
    ds.add_order(order(
        1,
        c,
        "2024-01-01T10:00:00Z",
        OrderStatus::Paid,
        eur(5_000_000_000),
    ));
    ds.add_order(order(
        2,
        c,
        "2024-01-02T10:00:00Z",
        OrderStatus::Paid,
        eur(4_294_967_294),
    ));
    ds.add_order(order(
        3,
        c,
        "2023-12-31T10:00:00Z",
        OrderStatus::Paid,
        eur(1),
    ));
    let out = ds.consolidate(&policy("2024-02-01T00:00:00Z")).unwrap();
    let p = only(&out, "a@x.io");
    assert_eq!(p.revenue(), eur(5_000_000_000 + 4_294_967_294 + 1));
    assert_eq!(p.last_order_amount(), Some(eur(4_294_967_294)));
    approx(p.btyd().unwrap().monetary_value, 46_474_836.47);
    ds.add_order(order(
        4,
        c,
        "1850-01-01T00:00:00Z",
        OrderStatus::Paid,
        eur(1),
    ));
    let err = ds.consolidate(&policy("2024-02-01T00:00:00Z")).unwrap_err();
    assert_eq!(err, ConsolidationError::TooOld { order: OrderId(4) });
    // a login that old is simply ignored
    let mut ds = Dataset::new();
    let cx = ds.add_customer(customer("1", "a@x.io"));
    ds.add_login(Login {
        customer: cx,
        at: at("1850-01-01T00:00:00Z"),
    });
    let out = ds.consolidate(&policy("2024-02-01T00:00:00Z")).unwrap();
    assert_eq!(only(&out, "a@x.io").last_login_at(), None);
}

/// Orders older than the cached day table (~119 years) still count their days exactly.
#[test]
fn very_old_orders_use_the_exact_fallback() {
    let mut ds = Dataset::new();
    let c = Buyer::Customer(ds.add_customer(customer("1", "a@x.io")));
    ds.add_order(order(
        1,
        c,
        "1900-01-01T10:00:00Z",
        OrderStatus::Paid,
        eur(100),
    ));
    ds.add_order(order(
        2,
        c,
        "1900-01-01T20:00:00Z",
        OrderStatus::Paid,
        eur(100),
    ));
    ds.add_order(order(
        3,
        c,
        "2024-01-01T10:00:00Z",
        OrderStatus::Paid,
        eur(300),
    ));
    let paris = ConsolidationPolicy::new(
        Currency::EUR,
        at("2024-02-01T00:00:00Z"),
        chrono_tz::Europe::Paris,
    );
    let out = ds.consolidate(&paris).unwrap();
    let b = only(&out, "a@x.io").btyd().unwrap();
    // Paris was UTC+0:09:21 in 1900: both 1900 orders fall on 1 Jan local time
    assert_eq!(
        (b.frequency, b.recency, b.t, b.monetary_value),
        (1, 45_290.0, 45_321.0, 3.0)
    );
}
