//! Writing consolidated profiles, one CSV row per contact.

use std::io::{self, BufWriter, Write};
use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};

use super::writer::Row;
use crate::customer::clv::PredictedValues;
use crate::customer::{Civility, Consolidation, CustomerProfile, Money, OrderId, ProfileField};
use crate::io::replace::replace_file;

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
    let pieces: Vec<&[CustomerProfile<'_>]> = c.runs().flat_map(|run| run.chunks(PIECE)).collect();
    let workers = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(pieces.len());
    if workers <= 1 {
        let mut text = Vec::new();
        for piece in pieces {
            format_piece(piece, predicted, &mut text);
            w.write_all(&text)?;
        }
        return w.flush();
    }
    // Workers format pieces `w, w + workers, ...`; this thread writes them in order and
    // hands each worker its written buffers back (fresh ones cost a page fault per 4 KiB).
    std::thread::scope(|scope| {
        let pieces = &pieces;
        let workers: Vec<_> = (0..workers)
            .map(|first| {
                let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(2);
                let (back, used) = std::sync::mpsc::channel::<Vec<u8>>();
                scope.spawn(move || {
                    for piece in pieces.iter().skip(first).step_by(workers) {
                        let mut text = used.try_recv().unwrap_or_default();
                        format_piece(piece, predicted, &mut text);
                        if tx.send(text).is_err() {
                            return; // the writer stopped on an error
                        }
                    }
                });
                (rx, back)
            })
            .collect();
        for i in 0..pieces.len() {
            let (rx, back) = &workers[i % workers.len()];
            let text = rx
                .recv()
                .map_err(|_| io::Error::other("a formatting thread stopped"))?;
            w.write_all(&text)?;
            let _ = back.send(text); // the worker may be done
        }
        w.flush()
    })
}

/// Profiles per piece of text formatted by one thread.
const PIECE: usize = 8192;

/// Appends the CSV rows of `profiles` to `out`.
fn format_piece(
    profiles: &[CustomerProfile<'_>],
    predicted: Option<&PredictedValues>,
    out: &mut Vec<u8>,
) {
    out.clear();
    let mut row = Row::with(std::mem::take(out));
    emit_profiles(profiles, predicted, &mut row, Row::next_line);
    *out = row.into_text();
}

/// [`emit_profile`] for each of `profiles` in turn, `end` called after each. Their last
/// orders' ids are gathered first, in one tight loop: each is a read at random in the
/// orders' ids (a cache miss), which that loop overlaps and a profile's formatting did
/// not (three quarters of the formatting's own time went waiting for them).
pub(crate) fn emit_profiles<S: ProfileSink>(
    profiles: &[CustomerProfile<'_>],
    predicted: Option<&PredictedValues>,
    sink: &mut S,
    mut end: impl FnMut(&mut S),
) {
    let ids: Vec<Option<OrderId>> = profiles
        .iter()
        .map(CustomerProfile::last_order_id)
        .collect();
    let mut groups = String::new();
    for (p, id) in profiles.iter().zip(ids) {
        emit_profile(p, id, predicted, &mut groups, sink);
        end(sink);
    }
}

/// Where one profile's values go, in [`PROFILE_COLUMNS`] order (then the predicted ones):
/// a CSV row, or Arrow column builders. One sequence of calls, [`emit_profiles`], feeds both.
pub(crate) trait ProfileSink {
    /// A text value; `None` is empty (CSV) or null (Arrow).
    fn text(&mut self, v: Option<&str>);
    /// An instant.
    fn at(&mut self, v: Option<DateTime<Utc>>);
    /// An instant as µs since the epoch (`None`, or one chrono cannot hold, as [`at`]'s
    /// `None`).
    ///
    /// [`at`]: Self::at
    fn micros(&mut self, v: Option<i64>) {
        self.at(v.and_then(DateTime::from_timestamp_micros));
    }
    /// An amount in the reporting currency.
    fn money(&mut self, v: Option<Money>);
    /// An integer.
    fn int(&mut self, v: Option<i64>);
    /// A float.
    fn float(&mut self, v: Option<f64>);
    /// A calendar date.
    fn date(&mut self, v: Option<NaiveDate>);
}

/// Feeds one profile's values to `sink`, in column order; `last_order_id` is the profile's
/// ([`CustomerProfile::last_order_id`]), `groups` scratch space.
fn emit_profile(
    p: &CustomerProfile<'_>,
    last_order_id: Option<OrderId>,
    predicted: Option<&PredictedValues>,
    groups: &mut String,
    sink: &mut impl ProfileSink,
) {
    groups.clear();
    for (i, g) in p.customer_group_ids().iter().enumerate() {
        if i > 0 {
            groups.push(',');
        }
        groups.push_str(g);
    }
    let (revenue, btyd, rfm, raw) = (p.revenue(), p.btyd(), p.rfm(), p.raw_instants());
    sink.text(p.customer_id());
    sink.text(Some(p.email()));
    sink.text(p.first_name());
    sink.text(p.last_name());
    sink.text(p.civility().map(Civility::as_str));
    sink.date(p.birth_date());
    sink.text(p.phone());
    sink.text(p.postcode());
    sink.at(p.signed_up_at());
    sink.micros(raw.last_login);
    sink.money(Some(revenue));
    sink.text(Some(revenue.currency.code()));
    sink.micros(raw.last_abandoned_cart);
    sink.micros(raw.first_order);
    sink.micros(raw.last_order);
    sink.money(p.last_order_amount());
    sink.int(last_order_id.map(|o| i64::try_from(o.0).unwrap_or(i64::MAX)));
    sink.micros(raw.last_delivery);
    sink.int(Some(i64::from(p.orders_count())));
    sink.float(p.avg_days_between_orders());
    sink.text(Some(p.newsletter_optin().as_str()));
    sink.at(p.newsletter_optin_at());
    sink.text(Some(groups));
    sink.text(p.shop_id());
    sink.int(btyd.map(|b| i64::from(b.frequency)));
    sink.float(btyd.map(|b| b.recency));
    sink.float(btyd.map(|b| b.t));
    sink.float(btyd.map(|b| b.monetary_value));
    sink.int(rfm.map(|r| i64::from(r.r)));
    sink.int(rfm.map(|r| i64::from(r.f)));
    sink.int(rfm.map(|r| i64::from(r.m)));
    if let Some(t) = predicted {
        for field in ProfileField::PREDICTED {
            sink.float(t.value(p.contact(), &field));
        }
    }
}

/// Writes a dataset's profiles to a file path (convenience for [`write_profiles`]).
///
/// No reader ever sees a partial file: the previous file at `path` is removed, the rows are
/// written beside it under a hidden temporary name (`.NAME.XXXXXX.tmp`), and that file is
/// moved to `path` once complete. A failed write removes it and leaves `path` absent. A
/// symbolic link at `path` is replaced, not written through.
///
/// ```no_run
/// # use chrono::{TimeZone, Utc}; use relance::customer::*;
/// let ds = Dataset::new();
/// let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(), chrono_tz::UTC)).unwrap();
/// relance::io::csv::write_profiles_file(&c, "profiles.csv".as_ref())?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn write_profiles_file(c: &Consolidation<'_>, path: &Path) -> io::Result<()> {
    write_profiles_file_with(c, None, path)
}

/// [`write_profiles_with`] to a file path, which it replaces once complete (as
/// [`write_profiles_file`]).
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
    replace_file(path, |file| {
        write_profiles_with(c, predicted, BufWriter::with_capacity(1 << 20, file))
    })
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

    /// Each raw instant read as an instant is its accessor's value, with and without one.
    #[test]
    fn raw_instants_are_the_accessors_instants() {
        use crate::customer::ConsolidationPolicy;
        use crate::io::synth;
        let shop = synth::generate(&synth::SynthConfig::new(2_000, 300, 5));
        let as_of = crate::io::csv::parse_instant("2025-01-01T00:00:00Z").unwrap();
        let policy =
            ConsolidationPolicy::new(crate::customer::Currency::EUR, as_of, chrono_tz::UTC)
                .rate(crate::customer::Currency::USD, synth::USD_TO_EUR);
        let c = shop.dataset.consolidate(&policy).unwrap();
        let read = |m: Option<i64>| m.and_then(chrono::DateTime::from_timestamp_micros);
        let (mut some, mut none) = (0, 0);
        for p in c.iter() {
            let raw = p.raw_instants();
            let pairs = [
                (raw.last_login, p.last_login_at()),
                (raw.last_abandoned_cart, p.last_abandoned_cart_at()),
                (raw.first_order, p.first_order_at()),
                (raw.last_order, p.last_order_at()),
                (raw.last_delivery, p.last_delivery_at()),
            ];
            for (raw, accessor) in pairs {
                assert_eq!(read(raw), accessor, "{}", p.email());
                if accessor.is_some() {
                    some += 1;
                } else {
                    none += 1;
                }
            }
        }
        assert!(some > 1_000 && none > 100, "{some} with, {none} without");
    }
}
