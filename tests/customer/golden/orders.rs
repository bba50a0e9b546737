//! Order fields: the worked examples, refunds, statuses, currencies, ties, `as_of`,
//! deliveries and logins.

use relance::customer::*;

use super::{approx, at, customer, eur, only, order, policy};

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
