//! The latest login and delivery of every contact when the contacts span several buckets
//! and the work is split over several threads (the logins folded before the order scan, the
//! delivery events reserved by a counting pass), against the latest computed by hand.

use chrono::{Duration, TimeZone, Utc};
use relance::customer::*;

#[test]
fn latest_login_and_delivery_over_buckets_and_threads() {
    // 9 000 contacts with one order each: buckets of 4 096 contacts, so three buckets.
    let n = 9_000u32;
    let base = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let as_of = Utc.with_ymd_and_hms(2024, 6, 1, 0, 0, 0).unwrap();
    let mut ds = Dataset::new();
    let mut want_login = Vec::new();
    let mut want_delivery = Vec::new();
    for k in 0..n {
        let c = ds.add_customer(Customer {
            id: k.to_string(),
            email: format!("c{k}@x.io"),
            ..Customer::default()
        });
        let status = if k % 5 == 0 {
            OrderStatus::Cancelled
        } else {
            OrderStatus::Paid
        };
        let placed = base + Duration::hours(i64::from(k % 97));
        let o = ds.add_order(Order::new(
            OrderId(u64::from(k)),
            Buyer::Customer(c),
            placed,
            status,
            Money::new(1_000, Currency::EUR),
        ));
        // logins: none for every seventh contact, else up to three, one of them after as_of
        let mut latest_login = None;
        for j in 0..(k % 7).min(3) {
            let t = base + Duration::minutes(i64::from((k * 31 + j * 1_009) % 200_000));
            ds.add_login(Login { customer: c, at: t });
            latest_login = latest_login.max(Some(t));
        }
        if k % 3 == 0 {
            ds.add_login(Login {
                customer: c,
                at: as_of + Duration::days(1),
            });
        }
        want_login.push(latest_login);
        // deliveries of counted orders only, the latest at or before as_of
        let mut latest_delivery = None;
        for j in 0..(k % 4) {
            let t = placed + Duration::hours(i64::from(1 + (k + j * 13) % 400));
            ds.add_delivery(Delivery {
                order: o,
                delivered_at: t,
            });
            if status == OrderStatus::Paid && t <= as_of {
                latest_delivery = latest_delivery.max(Some(t));
            }
        }
        want_delivery.push(latest_delivery);
    }
    for threads in [1, 2, 3, 5] {
        let policy =
            ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::UTC).threads(threads);
        let out = ds.consolidate(&policy).unwrap();
        assert_eq!(out.iter().count(), n as usize);
        let mut with_login = 0;
        for p in out.iter() {
            let k: usize = p.customer_id().unwrap().parse().unwrap();
            assert_eq!(
                p.last_login_at(),
                want_login[k],
                "contact {k}, {threads} threads"
            );
            assert_eq!(
                p.last_delivery_at(),
                want_delivery[k],
                "contact {k}, {threads} threads"
            );
            with_login += usize::from(p.last_login_at().is_some());
        }
        assert!(with_login > 5_000, "{with_login}");
    }
}
