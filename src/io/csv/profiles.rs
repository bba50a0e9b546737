//! Writing consolidated profiles, one CSV row per contact.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use super::writer::Row;
use crate::customer::clv::PredictedValues;
use crate::customer::{Civility, Consolidation, ProfileField};

/// Column names of [`write_profiles`], in order.
pub const PROFILE_COLUMNS: [&str; 31] = [
    "customer_id",
    "email",
    "first_name",
    "last_name",
    "civility",
    "birth_date",
    "phone",
    "postcode",
    "signed_up_at",
    "last_login_at",
    "revenue",
    "currency",
    "last_abandoned_cart_at",
    "first_order_at",
    "last_order_at",
    "last_order_amount",
    "last_order_id",
    "last_delivery_at",
    "orders_count",
    "avg_days_between_orders",
    "newsletter_optin",
    "newsletter_optin_at",
    "customer_group_ids",
    "shop_id",
    "btyd_frequency",
    "btyd_recency",
    "btyd_t",
    "btyd_monetary_value",
    "rfm_r",
    "rfm_f",
    "rfm_m",
];

/// Writes one CSV row per profile with a [`PROFILE_COLUMNS`] header: instants RFC 3339 UTC,
/// amounts plain decimals in the reporting currency, floats in shortest round-trip form,
/// empty when undefined.
///
/// ```
/// # use chrono::{TimeZone, Utc}; use relance::customer::*;
/// let mut ds = Dataset::new();
/// ds.guest("a@x.io");
/// let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(), chrono_tz::UTC)).unwrap();
/// let mut out = Vec::new();
/// relance::io::csv::write_profiles(&c, &mut out).unwrap();
/// let text = String::from_utf8(out).unwrap();
/// assert!(text.starts_with("customer_id,email,"));
/// assert_eq!(text.lines().nth(1).unwrap(), ",a@x.io,,,,,,,,,0.00,EUR,,,,,,,0,,Unknown,,,,,,,,,,");
/// ```
pub fn write_profiles(c: &Consolidation<'_>, w: impl Write) -> io::Result<()> {
    write_profiles_with(c, None, w)
}

/// [`write_profiles`], with the columns of the predicted fields appended when `predicted` is
/// given: `p_alive, expected_purchases, expected_avg_value, expected_value` (shortest
/// round-trip floats; empty for contacts without prediction).
///
/// ```
/// # use chrono::{TimeZone, Utc}; use relance::customer::*;
/// let mut ds = Dataset::new();
/// ds.guest("a@x.io");
/// let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(), chrono_tz::UTC)).unwrap();
/// let none = relance::customer::clv::PredictedValues::default();
/// let mut out = Vec::new();
/// relance::io::csv::write_profiles_with(&c, Some(&none), &mut out).unwrap();
/// let text = String::from_utf8(out).unwrap();
/// assert!(text.lines().next().unwrap().ends_with(",rfm_m,p_alive,expected_purchases,expected_avg_value,expected_value"));
/// assert!(text.lines().nth(1).unwrap().ends_with(",,,,"));
/// ```
pub fn write_profiles_with(
    c: &Consolidation<'_>,
    predicted: Option<&PredictedValues>,
    mut w: impl Write,
) -> io::Result<()> {
    w.write_all(PROFILE_COLUMNS.join(",").as_bytes())?;
    if predicted.is_some() {
        for field in ProfileField::PREDICTED {
            w.write_all(b",")?;
            w.write_all(field.name().as_bytes())?;
        }
    }
    w.write_all(b"\n")?;
    let mut row = Row::new();
    let mut groups = String::new();
    for p in c.iter() {
        groups.clear();
        for (i, g) in p.customer_group_ids().iter().enumerate() {
            if i > 0 {
                groups.push(',');
            }
            groups.push_str(g);
        }
        let (revenue, btyd, rfm) = (p.revenue(), p.btyd(), p.rfm());
        row.opt(p.customer_id())
            .str(p.email())
            .opt(p.first_name())
            .opt(p.last_name())
            .opt(p.civility().map(Civility::as_str))
            .num(p.birth_date())
            .opt(p.phone())
            .opt(p.postcode())
            .at(p.signed_up_at())
            .at(p.last_login_at())
            .money(Some(revenue))
            .str(revenue.currency.code())
            .at(p.last_abandoned_cart_at())
            .at(p.first_order_at())
            .at(p.last_order_at())
            .money(p.last_order_amount())
            .num(p.last_order_id().map(|o| o.0))
            .at(p.last_delivery_at())
            .num(Some(p.orders_count()))
            .num(p.avg_days_between_orders())
            .str(p.newsletter_optin().as_str())
            .at(p.newsletter_optin_at())
            .str(&groups)
            .opt(p.shop_id())
            .num(btyd.map(|b| b.frequency))
            .num(btyd.map(|b| b.recency))
            .num(btyd.map(|b| b.t))
            .num(btyd.map(|b| b.monetary_value))
            .num(rfm.map(|r| r.r))
            .num(rfm.map(|r| r.f))
            .num(rfm.map(|r| r.m));
        if let Some(t) = predicted {
            for field in ProfileField::PREDICTED {
                row.num(t.value(p.contact(), &field));
            }
        }
        row.end(&mut w)?;
    }
    w.flush()
}

/// Writes a dataset's profiles to a file path (convenience for [`write_profiles`]).
///
/// ```no_run
/// # use chrono::{TimeZone, Utc}; use relance::customer::*;
/// let ds = Dataset::new();
/// let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(), chrono_tz::UTC)).unwrap();
/// relance::io::csv::write_profiles_file(&c, "profiles.csv".as_ref())?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn write_profiles_file(c: &Consolidation<'_>, path: &Path) -> io::Result<()> {
    write_profiles(c, BufWriter::with_capacity(1 << 20, File::create(path)?))
}

/// [`write_profiles_with`] to a file path.
///
/// ```no_run
/// # fn f(c: &relance::customer::Consolidation<'_>, t: &relance::customer::clv::PredictedValues) -> std::io::Result<()> {
/// relance::io::csv::write_profiles_file_with(c, Some(t), "profiles.csv".as_ref())?;
/// # Ok(()) }
/// ```
pub fn write_profiles_file_with(
    c: &Consolidation<'_>,
    predicted: Option<&PredictedValues>,
    path: &Path,
) -> io::Result<()> {
    write_profiles_with(
        c,
        predicted,
        BufWriter::with_capacity(1 << 20, File::create(path)?),
    )
}

#[cfg(test)]
mod tests {
    use super::PROFILE_COLUMNS;
    use crate::customer::ProfileField;

    #[test]
    fn every_profile_field_is_a_column_under_its_name() {
        for field in ProfileField::ALL {
            assert!(PROFILE_COLUMNS.contains(&field.name()), "{field}");
        }
    }
}
