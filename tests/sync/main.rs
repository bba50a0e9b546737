//! The sync engine (`relance::sync`) against the stateful fakes, one module per target, and
//! the whole pipeline from a shop to provisioned segments.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod clv;
mod consent;
mod engine;
mod erase;
mod events;
mod faults;
mod fields;
mod marketplace;
mod mirror;
mod pipeline;
mod plan;
mod report;
mod resume;
mod segments;
mod sendethic;
mod sendsay;
mod store;
mod subscribe;

use chrono::{NaiveDate, TimeZone, Utc};
use relance::customer::ProfileField;
use relance::sync::{SyncRecord, SyncValue};

/// A shop of guests `0..n` but those in `gone` (`guest00@example.com`...).
fn guests(n: usize, gone: &[usize]) -> relance::customer::Dataset {
    let mut ds = relance::customer::Dataset::new();
    for i in (0..n).filter(|i| !gone.contains(i)) {
        ds.guest(&format!("guest{i:02}@example.com"));
    }
    ds
}

/// A policy in EUR at 2024-06-01 00:00 UTC.
fn june_policy() -> relance::customer::ConsolidationPolicy {
    let as_of = Utc.with_ymd_and_hms(2024, 6, 1, 0, 0, 0).unwrap();
    relance::customer::ConsolidationPolicy::new(
        relance::customer::Currency::EUR,
        as_of,
        chrono_tz::UTC,
    )
}

/// Contact `i` with `orders` orders and a few typed values.
fn record(i: u32, orders: i64) -> SyncRecord {
    SyncRecord::new(format!("Customer{i:03}@Example.com"))
        .with(ProfileField::FirstName, SyncValue::text(Some("Ann")))
        .with(ProfileField::OrdersCount, SyncValue::int(orders))
        .with(
            ProfileField::Revenue,
            SyncValue::decimal(12.5 * f64::from(i), 2),
        )
        .with(
            ProfileField::LastOrderAt,
            SyncValue::instant(Some(Utc.with_ymd_and_hms(2024, 5, 1, 10, 0, 0).unwrap())),
        )
        .with(
            ProfileField::NewsletterOptIn,
            SyncValue::OptIn(i.is_multiple_of(2)),
        )
        .with(
            ProfileField::BirthDate,
            SyncValue::Date(NaiveDate::from_ymd_opt(1990, 12, 10).unwrap()),
        )
        .with(ProfileField::LastAbandonedCartAt, SyncValue::Empty)
}
