//! Hand-computed golden tests for every consolidated field and every edge case of the
//! customer-metrics reference (§3, §6).

use std::time::Duration;

use chrono::{TimeZone, Utc};
use relance::customer::*;
use relance::io::{csv, synth};

use super::at;

fn eur(cents: i64) -> Money {
    Money::new(cents, Currency::EUR)
}

fn customer(id: &str, email: &str) -> Customer {
    Customer {
        id: id.into(),
        email: email.into(),
        ..Customer::default()
    }
}

fn order(id: u64, buyer: Buyer, placed: &str, status: OrderStatus, amount: Money) -> Order {
    Order::new(OrderId(id), buyer, at(placed), status, amount)
}

fn policy(as_of: &str) -> ConsolidationPolicy {
    ConsolidationPolicy::new(Currency::EUR, at(as_of), chrono_tz::UTC)
}

fn approx(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-6, "{a} != {b}");
}

fn only<'a, 'd>(c: &'a Consolidation<'d>, email: &str) -> &'a CustomerProfile<'d> {
    c.by_email(email)
        .unwrap_or_else(|| panic!("no profile for {email}"))
}

/// §6 worked example: every order field and the BTYD summary.
#[test]
fn btyd_worked_example() {
    let mut ds = Dataset::new();
    let c = Buyer::Customer(ds.add_customer(customer("1", "a@x.io")));
    ds.add_order(order(
        1,
        c,
        "2024-01-01T09:00:00Z",
        OrderStatus::Paid,
        eur(1000),
    ));
    ds.add_order(order(
        2,
        c,
        "2024-01-01T18:00:00Z",
        OrderStatus::Paid,
        eur(500),
    ));
    ds.add_order(order(
        3,
        c,
        "2024-01-11T12:00:00Z",
        OrderStatus::Completed,
        eur(2000),
    ));
    ds.add_order(order(
        4,
        c,
        "2024-01-31T08:00:00Z",
        OrderStatus::Shipped,
        eur(3000),
    ));
    let out = ds.consolidate(&policy("2024-03-01T00:00:00Z")).unwrap();
    let p = only(&out, "a@x.io");
    assert_eq!(p.orders_count(), 4);
    assert_eq!(p.revenue().to_decimal_string(), "65.00");
    assert_eq!(p.first_order_at(), Some(at("2024-01-01T09:00:00Z")));
    assert_eq!(p.last_order_at(), Some(at("2024-01-31T08:00:00Z")));
    assert_eq!(p.last_order_amount(), Some(eur(3000)));
    assert_eq!(p.last_order_id(), Some(OrderId(4)));
    approx(p.avg_days_between_orders().unwrap(), 29.958_333_333 / 3.0);
    approx(p.avg_days_between_orders().unwrap(), 9.986_111);
    let b = p.btyd().unwrap();
    assert_eq!(b.frequency, 2);
    assert_eq!(b.recency, 30.0);
    assert_eq!(b.t, 60.0);
    assert_eq!(b.monetary_value, 25.0);
    // identity: recency / frequency = Days-mode average
    let days = ds
        .consolidate(&policy("2024-03-01T00:00:00Z").frequency_mode(FrequencyMode::Days))
        .unwrap();
    assert_eq!(only(&days, "a@x.io").avg_days_between_orders(), Some(15.0));
}

/// §3.6 worked example: instants vs days, UTC vs Europe/Paris across the DST change.
#[test]
fn frequency_modes_and_dst_day_boundaries() {
    let mut ds = Dataset::new();
    let c = Buyer::Customer(ds.add_customer(customer("1", "a@x.io")));
    ds.add_order(order(
        1,
        c,
        "2024-03-30T10:00:00Z",
        OrderStatus::Paid,
        eur(100),
    ));
    ds.add_order(order(
        2,
        c,
        "2024-03-31T21:30:00Z",
        OrderStatus::Paid,
        eur(100),
    ));
    ds.add_order(order(
        3,
        c,
        "2024-04-02T22:30:00Z",
        OrderStatus::Paid,
        eur(100),
    ));
    let as_of = "2024-04-10T00:00:00Z";
    let inst = ds.consolidate(&policy(as_of)).unwrap();
    approx(
        only(&inst, "a@x.io").avg_days_between_orders().unwrap(),
        1.760_417,
    );
    let utc = ds
        .consolidate(&policy(as_of).frequency_mode(FrequencyMode::Days))
        .unwrap();
    assert_eq!(only(&utc, "a@x.io").avg_days_between_orders(), Some(1.5));
    let paris_policy = ConsolidationPolicy::new(Currency::EUR, at(as_of), chrono_tz::Europe::Paris)
        .frequency_mode(FrequencyMode::Days);
    let paris = ds.consolidate(&paris_policy).unwrap();
    let p = only(&paris, "a@x.io");
    assert_eq!(p.avg_days_between_orders(), Some(2.0));
    // BTYD uses the shop-local days: 30 Mar, 31 Mar, 3 Apr (00:30 CEST); as_of = 10 Apr 02:00 local
    let b = p.btyd().unwrap();
    assert_eq!((b.frequency, b.recency, b.t), (2, 4.0, 11.0));
    // UTC days: 30, 31 Mar, 2 Apr
    let b = only(&utc, "a@x.io").btyd().unwrap();
    assert_eq!((b.frequency, b.recency, b.t), (2, 3.0, 11.0));
}

/// Refunds (partial, full, above the amount), net vs gross, cancellations, zero-value orders.
#[test]
fn refunds_cancellations_and_clamp() {
    let mut ds = Dataset::new();
    let c = Buyer::Customer(ds.add_customer(customer("1", "a@x.io")));
    let mut partial = order(
        1,
        c,
        "2024-01-01T10:00:00Z",
        OrderStatus::Completed,
        eur(10_000),
    );
    partial.refunded_minor = 3_000;
    ds.add_order(partial);
    let mut over = order(
        2,
        c,
        "2024-01-05T10:00:00Z",
        OrderStatus::Completed,
        eur(5_000),
    );
    over.refunded_minor = 8_000; // refund above the amount: clamped at 0, still counted
    ds.add_order(over);
    let mut full = order(
        3,
        c,
        "2024-01-06T10:00:00Z",
        OrderStatus::Refunded,
        eur(4_000),
    );
    full.refunded_minor = 4_000;
    ds.add_order(full);
    ds.add_order(order(
        4,
        c,
        "2024-01-07T10:00:00Z",
        OrderStatus::Cancelled,
        eur(7_000),
    ));
    ds.add_order(order(
        5,
        c,
        "2024-01-03T10:00:00Z",
        OrderStatus::Pending,
        eur(900),
    ));
    let net = ds.consolidate(&policy("2024-02-01T00:00:00Z")).unwrap();
    let p = only(&net, "a@x.io");
    assert_eq!(p.orders_count(), 2);
    assert_eq!(p.revenue(), eur(7_000));
    assert_eq!(p.last_order_at(), Some(at("2024-01-05T10:00:00Z")));
    assert_eq!(p.last_order_amount(), Some(eur(0)));
    let gross = ds
        .consolidate(&policy("2024-02-01T00:00:00Z").refund_policy(RefundPolicy::Gross))
        .unwrap();
    let p = only(&gross, "a@x.io");
    assert_eq!(p.revenue(), eur(15_000));
    assert_eq!(p.last_order_amount(), Some(eur(5_000)));
    // every standard status counted: refunded (net 0) and cancelled join the population
    let all = ds
        .consolidate(&policy("2024-02-01T00:00:00Z").counted_statuses(StatusSet::all_standard()))
        .unwrap();
    let p = only(&all, "a@x.io");
    assert_eq!(p.orders_count(), 5);
    assert_eq!(p.revenue(), eur(7_000 + 7_000 + 900));
    assert_eq!(p.last_order_id(), Some(OrderId(4)));
}

/// Custom statuses are interned and can be counted by name.
#[test]
fn custom_statuses() {
    let mut ds = Dataset::new();
    let c = Buyer::Customer(ds.add_customer(customer("1", "a@x.io")));
    let hold = ds.status("on-hold");
    assert_eq!(ds.status_name(hold), "on-hold");
    ds.add_order(order(1, c, "2024-01-01T10:00:00Z", hold, eur(1_000)));
    ds.add_order(order(
        2,
        c,
        "2024-01-02T10:00:00Z",
        OrderStatus::Paid,
        eur(500),
    ));
    let p = policy("2024-02-01T00:00:00Z");
    assert_eq!(
        only(&ds.consolidate(&p).unwrap(), "a@x.io").orders_count(),
        1
    );
    let with = p.counted_statuses(StatusSet::default().with_custom("on-hold"));
    let out = ds.consolidate(&with).unwrap();
    assert_eq!(only(&out, "a@x.io").revenue(), eur(1_500));
}

/// Multi-currency: conversion with rates and exponents, missing-rate error naming the order.
#[test]
fn multi_currency() {
    let jpy = Currency::from_code("JPY").unwrap();
    let mut ds = Dataset::new();
    let c = Buyer::Customer(ds.add_customer(customer("1", "a@x.io")));
    ds.add_order(order(
        1,
        c,
        "2024-01-01T10:00:00Z",
        OrderStatus::Paid,
        eur(1_000),
    ));
    ds.add_order(order(
        2,
        c,
        "2024-01-02T10:00:00Z",
        OrderStatus::Paid,
        Money::new(1_000, Currency::USD),
    ));
    ds.add_order(order(
        3,
        c,
        "2024-01-03T10:00:00Z",
        OrderStatus::Paid,
        Money::new(1_000, jpy),
    ));
    // a cancelled GBP order needs no rate
    ds.add_order(order(
        4,
        c,
        "2024-01-04T10:00:00Z",
        OrderStatus::Cancelled,
        Money::new(1, Currency::GBP),
    ));
    let p = policy("2024-02-01T00:00:00Z")
        .rate(Currency::USD, 0.9)
        .rate(jpy, 0.0062);
    let out = ds.consolidate(&p).unwrap();
    let prof = only(&out, "a@x.io");
    assert_eq!(prof.revenue(), eur(1_000 + 900 + 620));
    assert_eq!(prof.last_order_amount(), Some(eur(620)));
    // missing JPY rate: the error names order 3
    let err = ds
        .consolidate(&policy("2024-02-01T00:00:00Z").rate(Currency::USD, 0.9))
        .unwrap_err();
    assert_eq!(
        err,
        ConsolidationError::MissingRate {
            order: OrderId(3),
            currency: jpy
        }
    );
    assert!(err.to_string().contains("order 3"));
    // the first offending order in dataset order is named
    let err = ds.consolidate(&policy("2024-02-01T00:00:00Z")).unwrap_err();
    assert_eq!(
        err,
        ConsolidationError::MissingRate {
            order: OrderId(2),
            currency: Currency::USD
        }
    );
    // orders after as_of need no rate
    assert!(ds.consolidate(&policy("2024-01-01T12:00:00Z")).is_ok());
    // skipping instead of failing: USD and JPY orders leave the counted population
    let skip = policy("2024-02-01T00:00:00Z").on_missing_fx(MissingFx::Skip);
    let out = ds.consolidate(&skip).unwrap();
    assert_eq!(out.skipped_orders(), 2);
    let prof = only(&out, "a@x.io");
    assert_eq!((prof.orders_count(), prof.revenue()), (1, eur(1_000)));
    let bad = policy("2024-02-01T00:00:00Z").rate(Currency::USD, f64::NAN);
    assert!(matches!(
        ds.consolidate(&bad),
        Err(ConsolidationError::InvalidRate { .. })
    ));
}

/// Single orders, same-day orders, zero-value orders.
#[test]
fn single_and_same_day_orders() {
    let mut ds = Dataset::new();
    let one = Buyer::Customer(ds.add_customer(customer("1", "one@x.io")));
    let same = Buyer::Customer(ds.add_customer(customer("2", "same@x.io")));
    let zero = Buyer::Customer(ds.add_customer(customer("3", "zero@x.io")));
    ds.add_order(order(
        1,
        one,
        "2024-01-10T10:00:00Z",
        OrderStatus::Paid,
        eur(1_000),
    ));
    ds.add_order(order(
        2,
        same,
        "2024-01-10T08:00:00Z",
        OrderStatus::Paid,
        eur(1_000),
    ));
    ds.add_order(order(
        3,
        same,
        "2024-01-10T20:00:00Z",
        OrderStatus::Paid,
        eur(3_000),
    ));
    ds.add_order(order(
        4,
        zero,
        "2024-01-10T20:00:00Z",
        OrderStatus::Paid,
        eur(0),
    ));
    let out = ds.consolidate(&policy("2024-01-20T00:00:00Z")).unwrap();
    let p = only(&out, "one@x.io");
    assert_eq!(p.avg_days_between_orders(), None);
    assert_eq!(
        p.btyd(),
        Some(Btyd {
            frequency: 0,
            recency: 0.0,
            t: 10.0,
            monetary_value: 0.0
        })
    );
    let p = only(&out, "same@x.io");
    approx(p.avg_days_between_orders().unwrap(), 0.5);
    let b = p.btyd().unwrap();
    assert_eq!((b.frequency, b.recency, b.monetary_value), (0, 0.0, 0.0));
    let days = ds
        .consolidate(&policy("2024-01-20T00:00:00Z").frequency_mode(FrequencyMode::Days))
        .unwrap();
    assert_eq!(only(&days, "same@x.io").avg_days_between_orders(), None);
    let min3 = ds
        .consolidate(&policy("2024-01-20T00:00:00Z").frequency_min_orders(3))
        .unwrap();
    assert_eq!(only(&min3, "same@x.io").avg_days_between_orders(), None);
    let p = only(&out, "zero@x.io");
    assert_eq!((p.orders_count(), p.revenue()), (1, eur(0)));
}

/// Orders inserted out of order; ties on the last instant broken by the larger order id.
#[test]
fn out_of_order_and_ties() {
    let mut ds = Dataset::new();
    let c = Buyer::Customer(ds.add_customer(customer("1", "a@x.io")));
    ds.add_order(order(
        9,
        c,
        "2024-01-05T10:00:00Z",
        OrderStatus::Paid,
        eur(900),
    ));
    ds.add_order(order(
        3,
        c,
        "2024-01-01T10:00:00Z",
        OrderStatus::Paid,
        eur(300),
    ));
    ds.add_order(order(
        5,
        c,
        "2024-01-05T10:00:00Z",
        OrderStatus::Paid,
        eur(500),
    ));
    ds.add_order(order(
        12,
        c,
        "2024-01-02T10:00:00Z",
        OrderStatus::Paid,
        eur(1200),
    ));
    let out = ds.consolidate(&policy("2024-02-01T00:00:00Z")).unwrap();
    let p = only(&out, "a@x.io");
    assert_eq!(p.last_order_id(), Some(OrderId(9)));
    assert_eq!(p.last_order_amount(), Some(eur(900)));
    assert_eq!(p.first_order_at(), Some(at("2024-01-01T10:00:00Z")));
    approx(p.avg_days_between_orders().unwrap(), 4.0 / 3.0);
}

/// Orders, logins, deliveries and carts after `as_of` are ignored; an order exactly at
/// `as_of` is included.
#[test]
fn as_of_boundaries() {
    let as_of = "2024-03-01T12:00:00Z";
    let mut ds = Dataset::new();
    let cx = ds.add_customer(customer("1", "a@x.io"));
    let c = Buyer::Customer(cx);
    let mut o1 = order(
        1,
        c,
        "2024-02-01T10:00:00Z",
        OrderStatus::Completed,
        eur(1_000),
    );
    o1.delivered_at = Some(at("2024-03-02T10:00:00Z")); // delivered after as_of
    ds.add_order(o1);
    ds.add_order(order(2, c, as_of, OrderStatus::Paid, eur(2_000)));
    ds.add_order(order(
        3,
        c,
        "2024-03-01T12:00:01Z",
        OrderStatus::Paid,
        eur(4_000),
    ));
    ds.add_login(Login {
        customer: cx,
        at: at("2024-02-20T00:00:00Z"),
    });
    ds.add_login(Login {
        customer: cx,
        at: at("2024-03-05T00:00:00Z"),
    });
    let late_only = Buyer::Customer(ds.add_customer(customer("2", "late@x.io")));
    ds.add_order(order(
        4,
        late_only,
        "2024-04-01T00:00:00Z",
        OrderStatus::Paid,
        eur(1),
    ));
    let out = ds.consolidate(&policy(as_of)).unwrap();
    let p = only(&out, "a@x.io");
    assert_eq!(p.orders_count(), 2);
    assert_eq!(p.revenue(), eur(3_000));
    assert_eq!(p.last_order_at(), Some(at(as_of)));
    assert_eq!(p.last_login_at(), Some(at("2024-02-20T00:00:00Z")));
    assert_eq!(p.last_delivery_at(), None);
    assert_eq!(p.btyd().unwrap().t, 29.0);
    let late = only(&out, "late@x.io");
    assert_eq!(
        (late.orders_count(), late.btyd(), late.first_order_at()),
        (0, None, None)
    );
    // an order at as_of: T = 0
    let out = ds.consolidate(&policy("2024-02-01T10:00:00Z")).unwrap();
    let b = only(&out, "a@x.io").btyd().unwrap();
    assert_eq!((b.frequency, b.recency, b.t), (0, 0.0, 0.0));
}

/// Last delivery: max over counted orders, events, order-date proxy; logins over rows.
#[test]
fn deliveries_and_logins() {
    let mut ds = Dataset::new();
    let cx = ds.add_customer(Customer {
        last_login_at: Some(at("2024-02-25T00:00:00Z")),
        ..customer("1", "a@x.io")
    });
    let c = Buyer::Customer(cx);
    let mut o1 = order(
        1,
        c,
        "2024-02-01T10:00:00Z",
        OrderStatus::Completed,
        eur(1_000),
    );
    o1.delivered_at = Some(at("2024-02-04T10:00:00Z"));
    ds.add_order(o1);
    let mut o2 = order(
        2,
        c,
        "2024-02-10T10:00:00Z",
        OrderStatus::Cancelled,
        eur(1_000),
    );
    o2.delivered_at = Some(at("2024-02-12T10:00:00Z")); // not counted: ignored
    ds.add_order(o2);
    let o3 = ds.add_order(order(
        3,
        c,
        "2024-02-11T10:00:00Z",
        OrderStatus::Shipped,
        eur(1_000),
    ));
    ds.add_delivery(Delivery {
        order: o3,
        delivered_at: at("2024-02-14T09:00:00Z"),
    });
    ds.add_delivery(Delivery {
        order: o3,
        delivered_at: at("2024-03-14T09:00:00Z"),
    }); // after as_of
    ds.add_login(Login {
        customer: cx,
        at: at("2024-02-20T00:00:00Z"),
    });
    let out = ds.consolidate(&policy("2024-03-01T00:00:00Z")).unwrap();
    let p = only(&out, "a@x.io");
    assert_eq!(p.last_delivery_at(), Some(at("2024-02-14T09:00:00Z")));
    assert_eq!(p.last_login_at(), Some(at("2024-02-25T00:00:00Z")));
    let proxy = ds
        .consolidate(
            &policy("2024-03-01T00:00:00Z").last_delivery_source(DeliverySource::OrderDate),
        )
        .unwrap();
    assert_eq!(
        only(&proxy, "a@x.io").last_delivery_at(),
        Some(at("2024-02-11T10:00:00Z"))
    );
    assert!(ds.set_delivered_at(o3, at("2024-02-20T09:00:00Z")));
    let out = ds.consolidate(&policy("2024-03-01T00:00:00Z")).unwrap();
    assert_eq!(
        only(&out, "a@x.io").last_delivery_at(),
        Some(at("2024-02-20T09:00:00Z"))
    );
}

fn cart(id: u64, owner: Buyer, updated: &str, items: u32) -> Cart {
    Cart {
        id: CartId(id),
        owner,
        created_at: at(updated) - chrono::TimeDelta::hours(1),
        updated_at: at(updated),
        item_count: items,
        total: None,
        converted_order: None,
    }
}

/// §3.8 worked example.
#[test]
fn abandoned_cart_worked_example() {
    let mut ds = Dataset::new();
    let c = Buyer::Customer(ds.add_customer(customer("1", "a@x.io")));
    ds.add_cart(cart(1, c, "2024-05-01T08:00:00Z", 2)); // A
    ds.add_cart(cart(2, c, "2024-05-01T10:30:00Z", 1)); // B: too recent
    ds.add_cart(cart(3, c, "2024-04-30T10:00:00Z", 3)); // C: converted by a later order
    ds.add_order(order(
        1,
        c,
        "2024-04-30T10:20:00Z",
        OrderStatus::Paid,
        eur(1_000),
    ));
    let out = ds.consolidate(&policy("2024-05-01T12:00:00Z")).unwrap();
    assert_eq!(
        only(&out, "a@x.io").last_abandoned_cart_at(),
        Some(at("2024-05-01T08:00:00Z"))
    );
    // B crosses the 3 h threshold at 13:30
    let out = ds.consolidate(&policy("2024-05-01T13:30:00Z")).unwrap();
    assert_eq!(
        only(&out, "a@x.io").last_abandoned_cart_at(),
        Some(at("2024-05-01T10:30:00Z"))
    );
    // a later order by the same email (as a guest, other case) converts A and B
    let g = Buyer::Guest(ds.guest(" A@X.IO ").unwrap());
    ds.add_order(order(
        2,
        g,
        "2024-05-01T14:00:00Z",
        OrderStatus::Pending,
        eur(1_000),
    ));
    let out = ds.consolidate(&policy("2024-05-01T15:00:00Z")).unwrap();
    assert_eq!(only(&out, "a@x.io").last_abandoned_cart_at(), None);
    // ... but not for counted-orders conversion (the order is pending)
    let counted =
        policy("2024-05-01T15:00:00Z").abandoned_cart_converted_by(ConvertedBy::CountedOrders);
    let out = ds.consolidate(&counted).unwrap();
    assert_eq!(
        only(&out, "a@x.io").last_abandoned_cart_at(),
        Some(at("2024-05-01T10:30:00Z"))
    );
}

/// Carts converted by an order referencing them, by the shop's link, emptied carts,
/// orders after `as_of`, max age, clock and scope knobs.
#[test]
fn abandoned_cart_rules() {
    let as_of = "2024-05-10T12:00:00Z";
    let mut ds = Dataset::new();
    let a = Buyer::Customer(ds.add_customer(customer("1", "a@x.io")));
    let b = Buyer::Customer(ds.add_customer(customer("2", "b@x.io")));
    // a: cart 10 referenced by an order of another contact placed BEFORE the cart update
    ds.add_cart(cart(10, a, "2024-05-05T10:00:00Z", 1));
    let mut o = order(1, b, "2024-05-05T09:00:00Z", OrderStatus::Paid, eur(1_000));
    o.cart = Some(CartId(10));
    ds.add_order(o);
    // a: cart 11 linked by the shop to an order
    let mut linked = cart(11, a, "2024-05-06T10:00:00Z", 1);
    linked.converted_order = Some(OrderId(99));
    ds.add_cart(linked);
    // a: cart 12 empty
    ds.add_cart(cart(12, a, "2024-05-07T10:00:00Z", 0));
    // a: cart 13 qualifies
    ds.add_cart(cart(13, a, "2024-05-02T10:00:00Z", 4));
    // b: cart 20 converted only by an order after as_of -> still abandoned at as_of
    ds.add_cart(cart(20, b, "2024-05-08T10:00:00Z", 1));
    ds.add_order(order(
        2,
        b,
        "2024-05-11T10:00:00Z",
        OrderStatus::Paid,
        eur(1_000),
    ));
    // b: cart updated after as_of is ignored
    ds.add_cart(cart(21, b, "2024-05-10T13:00:00Z", 1));
    let out = ds.consolidate(&policy(as_of)).unwrap();
    assert_eq!(
        only(&out, "a@x.io").last_abandoned_cart_at(),
        Some(at("2024-05-02T10:00:00Z"))
    );
    assert_eq!(
        only(&out, "b@x.io").last_abandoned_cart_at(),
        Some(at("2024-05-08T10:00:00Z"))
    );
    // max age 5 days: a's cart 13 (8 days old) drops out
    let aged = policy(as_of).abandoned_cart_max_age(Some(Duration::from_secs(5 * 86_400)));
    let out = ds.consolidate(&aged).unwrap();
    assert_eq!(only(&out, "a@x.io").last_abandoned_cart_at(), None);
    assert_eq!(
        only(&out, "b@x.io").last_abandoned_cart_at(),
        Some(at("2024-05-08T10:00:00Z"))
    );
    // most recent cart only: a's most recent cart (12, empty) does not qualify
    let recent = policy(as_of).abandoned_cart_scope(CartScope::MostRecent);
    let out = ds.consolidate(&recent).unwrap();
    assert_eq!(only(&out, "a@x.io").last_abandoned_cart_at(), None);
    assert_eq!(
        only(&out, "b@x.io").last_abandoned_cart_at(),
        Some(at("2024-05-08T10:00:00Z"))
    );
    // delay of 24 h on created_at: b's cart 20 was created 2024-05-08T09:00
    let created = policy("2024-05-09T09:30:00Z")
        .abandoned_cart_delay(Duration::from_secs(24 * 3600))
        .abandoned_cart_clock(CartClock::CreatedAt);
    let out = ds.consolidate(&created).unwrap();
    assert_eq!(
        only(&out, "b@x.io").last_abandoned_cart_at(),
        Some(at("2024-05-08T10:00:00Z"))
    );
    let updated =
        policy("2024-05-09T09:30:00Z").abandoned_cart_delay(Duration::from_secs(24 * 3600));
    let out = ds.consolidate(&updated).unwrap();
    assert_eq!(only(&out, "b@x.io").last_abandoned_cart_at(), None);
}

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

/// An order placed exactly at the cart's `updated_at` converts it (`placed_at ≥ updated_at`).
#[test]
fn cart_conversion_boundary_is_inclusive() {
    let mut ds = Dataset::new();
    let c = Buyer::Customer(ds.add_customer(customer("1", "a@x.io")));
    ds.add_cart(cart(1, c, "2024-05-01T08:00:00Z", 1));
    ds.add_order(order(
        1,
        c,
        "2024-05-01T07:59:59.999999Z",
        OrderStatus::Paid,
        eur(1),
    ));
    let out = ds.consolidate(&policy("2024-05-02T00:00:00Z")).unwrap();
    assert_eq!(
        only(&out, "a@x.io").last_abandoned_cart_at(),
        Some(at("2024-05-01T08:00:00Z"))
    );
    ds.add_order(order(
        2,
        c,
        "2024-05-01T08:00:00Z",
        OrderStatus::Paid,
        eur(1),
    ));
    let out = ds.consolidate(&policy("2024-05-02T00:00:00Z")).unwrap();
    assert_eq!(only(&out, "a@x.io").last_abandoned_cart_at(), None);
}
