//! The engine against a naive, obviously-correct re-implementation of the reference's
//! definitions, on generated shops under many policy combinations.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use relance::customer::*;
use relance::io::{csv, synth};

use crate::at;

#[derive(Debug, Default, Clone, PartialEq)]
struct Expected {
    n: u32,
    revenue: i64,
    first: Option<DateTime<Utc>>,
    last: Option<(DateTime<Utc>, OrderId, i64)>,
    max_any: Option<DateTime<Utc>>,
    days: Vec<(NaiveDate, i64)>,
    login: Option<DateTime<Utc>>,
    delivery: Option<DateTime<Utc>>,
    cart: Option<DateTime<Utc>>,
}

fn counted(ds: &Dataset, p: &ConsolidationPolicy, s: OrderStatus) -> bool {
    match s {
        OrderStatus::Other(_) => p
            .counted_statuses
            .custom()
            .iter()
            .any(|c| c == ds.status_name(s)),
        s => p.counted_statuses.contains_standard(s),
    }
}

fn value(p: &ConsolidationPolicy, o: &Order) -> i64 {
    let raw = match p.refund_policy {
        RefundPolicy::Net => o.amount.minor - o.refunded_minor,
        RefundPolicy::Gross => o.amount.minor,
    }
    .max(0);
    if o.amount.currency == p.reporting_currency {
        return raw;
    }
    let r = p
        .rates
        .iter()
        .find(|r| r.from == o.amount.currency)
        .unwrap();
    let scale = 10f64
        .powi(i32::from(p.reporting_currency.exponent()) - i32::from(o.amount.currency.exponent()));
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
    let v = (raw as f64 * (r.rate * scale)).round() as i64;
    v
}

fn reference(ds: &Dataset, p: &ConsolidationPolicy) -> HashMap<ContactIdx, Expected> {
    let as_of = p.as_of;
    let resolve = |b: Buyer| -> Option<ContactIdx> {
        let c = ds.contact_of(b);
        if matches!(b, Buyer::Guest(_))
            && !p.attach_guest_orders
            && ds.contact_rows(c).next().is_some()
        {
            return None;
        }
        Some(c)
    };
    let mut m: HashMap<ContactIdx, Expected> = HashMap::new();
    for o in ds.orders().iter().filter(|o| o.placed_at <= as_of) {
        let Some(c) = resolve(o.buyer) else { continue };
        let e = m.entry(c).or_default();
        e.max_any = e.max_any.max(Some(o.placed_at));
        if !counted(ds, p, o.status) {
            continue;
        }
        let v = value(p, &o);
        e.n += 1;
        e.revenue += v;
        e.first = Some(e.first.map_or(o.placed_at, |f| f.min(o.placed_at)));
        if e.last
            .is_none_or(|(t, id, _)| (o.placed_at, o.id) > (t, id))
        {
            e.last = Some((o.placed_at, o.id, v));
        }
        e.days
            .push((o.placed_at.with_timezone(&p.shop_tz).date_naive(), v));
        let delivered = match p.last_delivery_source {
            DeliverySource::DeliveredAt => o.delivered_at.filter(|d| *d <= as_of),
            DeliverySource::OrderDate => Some(o.placed_at),
        };
        e.delivery = e.delivery.max(delivered);
    }
    for (l, c) in ds
        .logins()
        .iter()
        .map(|l| (l, ds.contact_of(Buyer::Customer(l.customer))))
    {
        if l.at <= as_of {
            let e = m.entry(c).or_default();
            e.login = e.login.max(Some(l.at));
        }
    }
    for (i, cu) in ds.customers().iter().enumerate() {
        let c = ds.contact_of(Buyer::Customer(CustomerIdx(u32::try_from(i).unwrap())));
        let e = m.entry(c).or_default();
        e.login = e.login.max(cu.last_login_at.filter(|t| *t <= as_of));
    }
    let delay = TimeDelta::from_std(p.abandoned_cart_delay).unwrap();
    let mut carts: HashMap<ContactIdx, Vec<&Cart>> = HashMap::new();
    for cart in ds.carts() {
        if cart.created_at > as_of || cart.updated_at > as_of {
            continue;
        }
        if let Some(c) = resolve(cart.owner) {
            carts.entry(c).or_default().push(cart);
        }
    }
    for (c, list) in carts {
        let e = m.entry(c).or_default();
        let later = match p.abandoned_cart_converted_by {
            ConvertedBy::AnyOrder => e.max_any,
            ConvertedBy::CountedOrders => e.last.map(|l| l.0),
        };
        let qualifies = |k: &Cart| {
            let clock = match p.abandoned_cart_clock {
                CartClock::UpdatedAt => k.updated_at,
                CartClock::CreatedAt => k.created_at,
            };
            k.item_count > 0
                && k.converted_order.is_none()
                && later.is_none_or(|t| t < k.updated_at)
                && clock <= as_of - delay
                && p.abandoned_cart_max_age
                    .is_none_or(|a| clock >= as_of - TimeDelta::from_std(a).unwrap())
        };
        e.cart = match p.abandoned_cart_scope {
            CartScope::AnyQualifying => list
                .iter()
                .filter(|k| qualifies(k))
                .map(|k| k.updated_at)
                .max(),
            CartScope::MostRecent => list
                .iter()
                .max_by_key(|k| (k.updated_at, k.id))
                .filter(|k| qualifies(k))
                .map(|k| k.updated_at),
        };
    }
    m
}

fn check(ds: &Dataset, p: &ConsolidationPolicy, label: &str) {
    let out = ds.consolidate(p).unwrap();
    assert_eq!(out.len(), ds.contact_count());
    let want = reference(ds, p);
    let as_of_day = p.as_of.with_timezone(&p.shop_tz).date_naive();
    let mut checked = 0;
    for prof in out.iter() {
        let e = want.get(&prof.contact()).cloned().unwrap_or_default();
        let ctx = format!("{label} {}", prof.email());
        assert_eq!(prof.orders_count(), e.n, "{ctx}");
        assert_eq!(prof.revenue().minor, e.revenue, "{ctx}");
        assert_eq!(prof.first_order_at(), e.first, "{ctx}");
        assert_eq!(prof.last_order_at(), e.last.map(|l| l.0), "{ctx}");
        assert_eq!(prof.last_order_id(), e.last.map(|l| l.1), "{ctx}");
        assert_eq!(
            prof.last_order_amount().map(|m| m.minor),
            e.last.map(|l| l.2),
            "{ctx}"
        );
        assert_eq!(prof.last_login_at(), e.login, "{ctx}");
        assert_eq!(prof.last_delivery_at(), e.delivery, "{ctx}");
        assert_eq!(prof.last_abandoned_cart_at(), e.cart, "{ctx}");
        let mut days: Vec<NaiveDate> = e.days.iter().map(|d| d.0).collect();
        days.sort();
        days.dedup();
        let avg = match p.frequency_mode {
            FrequencyMode::Instants => (e.n >= 2).then(|| {
                #[allow(clippy::cast_precision_loss)]
                let span = (e.last.unwrap().0 - e.first.unwrap())
                    .num_microseconds()
                    .unwrap() as f64
                    / 86_400e6;
                span / f64::from(e.n - 1)
            }),
            FrequencyMode::Days => (days.len() >= 2).then(|| {
                #[allow(clippy::cast_precision_loss)]
                let r = (days[days.len() - 1] - days[0]).num_days() as f64;
                #[allow(clippy::cast_precision_loss)]
                let k = (days.len() - 1) as f64;
                r / k
            }),
        };
        match (prof.avg_days_between_orders(), avg) {
            (Some(a), Some(b)) => assert!((a - b).abs() < 1e-9, "{ctx} avg {a} {b}"),
            (a, b) => assert_eq!(a, b, "{ctx}"),
        }
        match prof.btyd() {
            None => assert!(days.is_empty(), "{ctx}"),
            Some(b) => {
                let first = days[0];
                let first_sum: i64 = e.days.iter().filter(|d| d.0 == first).map(|d| d.1).sum();
                let freq = u32::try_from(days.len() - 1).unwrap();
                assert_eq!(b.frequency, freq, "{ctx}");
                #[allow(clippy::cast_precision_loss)]
                let recency = (days[days.len() - 1] - first).num_days() as f64;
                #[allow(clippy::cast_precision_loss)]
                let t = (as_of_day - first).num_days() as f64;
                assert_eq!((b.recency, b.t), (recency, t), "{ctx}");
                #[allow(clippy::cast_precision_loss)]
                let mv = if freq == 0 {
                    0.0
                } else {
                    (e.revenue - first_sum) as f64 / f64::from(freq) / 100.0
                };
                assert!((b.monetary_value - mv).abs() < 1e-9, "{ctx} monetary");
            }
        }
        checked += usize::from(e.n > 0);
    }
    assert!(checked > 100, "{label}: too few buyers ({checked})");
}

#[test]
fn engine_matches_naive_reference() {
    for seed in [1, 2, 3] {
        let shop = synth::generate(&synth::SynthConfig::new(6_000, 600, seed));
        let ds = &shop.dataset;
        let as_of = csv::parse_instant("2023-10-29T01:30:00Z").unwrap(); // a DST night in Paris
        let base = ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::Europe::Paris)
            .rate(Currency::USD, synth::USD_TO_EUR);
        let policies = vec![
            ("default", base.clone()),
            (
                "days+gross+utc+1thread",
                ConsolidationPolicy {
                    shop_tz: chrono_tz::UTC,
                    ..base.clone()
                }
                .frequency_mode(FrequencyMode::Days)
                .refund_policy(RefundPolicy::Gross)
                .threads(1),
            ),
            (
                "carts",
                base.clone()
                    .abandoned_cart_scope(CartScope::MostRecent)
                    .abandoned_cart_clock(CartClock::CreatedAt)
                    .abandoned_cart_converted_by(ConvertedBy::CountedOrders)
                    .abandoned_cart_delay(Duration::from_secs(24 * 3600))
                    .abandoned_cart_max_age(Some(Duration::from_secs(200 * 86_400)))
                    .threads(3),
            ),
            (
                "all-statuses+detached+new-york+proxy",
                ConsolidationPolicy {
                    shop_tz: chrono_tz::America::New_York,
                    ..base.clone()
                }
                .counted_statuses(StatusSet::all_standard())
                .attach_guest_orders(false)
                .last_delivery_source(DeliverySource::OrderDate)
                .frequency_mode(FrequencyMode::Days),
            ),
        ];
        for (label, p) in policies {
            check(ds, &p, &format!("seed {seed} {label}"));
        }
    }
}

/// Orders the engine reads from their rows rather than its columns: currencies past the
/// 255 the columns hold, refunds, custom statuses, deliveries set after the order.
#[test]
fn engine_matches_naive_reference_past_the_order_columns() {
    let mut ds = Dataset::new();
    let late = ds.status("shipped-late");
    let ignored = ds.status("on-hold");
    #[allow(clippy::cast_possible_truncation)]
    let currencies: Vec<Currency> = (0..300u32)
        .map(|i| Currency::new([b'X', b'A' + (i / 26) as u8, b'A' + (i % 26) as u8], 2))
        .collect();
    let as_of = at("2024-12-31T00:00:00Z");
    let mut policy = ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::Europe::Paris)
        .counted_statuses(StatusSet::of(&[OrderStatus::Paid]).with_custom("shipped-late"));
    for (i, &c) in currencies.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let rate = 0.5 + i as f64 / 64.0;
        policy = policy.rate(c, rate);
    }
    let statuses = [OrderStatus::Paid, late, ignored, OrderStatus::Cancelled];
    let mut id = 0;
    for g in 0..400u32 {
        let guest = ds.guest(&format!("g{g}@x.io")).unwrap();
        for k in 0..4u32 {
            id += 1;
            let currency = currencies[((g * 7 + k * 31) % 300) as usize];
            let placed = at("2024-01-01T08:00:00Z") + TimeDelta::hours(i64::from(g * 13 + k * 300));
            let mut o = Order::new(
                OrderId(id),
                Buyer::Guest(guest),
                placed,
                statuses[((g + k) % 4) as usize],
                Money::new(i64::from(1000 + g * 3 + k), currency),
            );
            if (g + k) % 5 == 0 {
                o.refunded_minor = i64::from(k * 100 + 1);
            }
            if k == 1 {
                o.delivered_at = Some(placed + TimeDelta::days(2));
            }
            let idx = ds.add_order(o);
            if k == 2 && g % 3 == 0 {
                assert!(ds.set_delivered_at(idx, placed + TimeDelta::days(5)));
            }
        }
    }
    for p in [
        policy.clone(),
        policy.clone().refund_policy(RefundPolicy::Gross).threads(3),
    ] {
        check(&ds, &p, "columns");
    }
    // a counted order in a currency without a rate, past the first 255: named in the error
    let g = ds.guest("late@x.io").unwrap();
    let unknown = Currency::new(*b"QQQ", 2);
    let last = (0..300).map(|i| currencies[i]).chain([unknown]);
    for c in last {
        ds.add_order(Order::new(
            OrderId(900_000),
            Buyer::Guest(g),
            at("2024-06-01T00:00:00Z"),
            OrderStatus::Paid,
            Money::new(5, c),
        ));
    }
    match ds.consolidate(&policy) {
        Err(ConsolidationError::MissingRate { order, currency }) => {
            assert_eq!((order, currency), (OrderId(900_000), unknown));
        }
        other => panic!("expected a missing rate, got {other:?}"),
    }
    let skipped = ds
        .consolidate(&policy.clone().on_missing_fx(MissingFx::Skip))
        .unwrap();
    assert_eq!(skipped.skipped_orders(), 1);
}
