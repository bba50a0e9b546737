//! Exact shop-local calendar days with a cached UTC-offset table.

use chrono::{DateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

const MIXED: i32 = i32::MIN;
/// At most 2^16 days (~179 years) are tabulated; instants outside use chrono-tz directly.
const MAX_DAYS: i64 = 1 << 16;

/// Maps UTC instants to local day numbers (days since 1970-01-01 in the shop timezone).
///
/// One entry per UTC day holds the UTC offset valid for the whole day, read at the day's first
/// and last second; a day whose offset differs at both ends (a DST or zone change) is marked
/// mixed and its instants go through chrono-tz, so the result stays exact across DST (a day
/// with two transitions cancelling each other does not occur in the tz database). The table
/// is a few KB for years of data, so lookups stay in L1.
#[derive(Debug)]
pub(crate) struct DayTable {
    tz: Tz,
    start_day: i64,
    /// first covered instant in microseconds (`None` if it does not fit `i64`)
    start_micros: Option<i64>,
    day_offsets: Vec<i32>,
}

const DAY_MICROS: i64 = 86_400_000_000;

fn offset_at(tz: Tz, secs: i64) -> i32 {
    match DateTime::<Utc>::from_timestamp(secs, 0) {
        Some(dt) => tz
            .offset_from_utc_datetime(&dt.naive_utc())
            .fix()
            .local_minus_utc(),
        None => 0,
    }
}

impl DayTable {
    /// A table covering `[min_secs, max_secs]` (clamped to the most recent `MAX_DAYS`).
    pub(crate) fn new(tz: Tz, min_secs: i64, max_secs: i64) -> Self {
        let hi = max_secs.div_euclid(86_400);
        let lo = min_secs.div_euclid(86_400).max(hi - MAX_DAYS + 1).min(hi);
        // The offset at each day's start, and at the next day's start for its end: a transition
        // exactly at midnight UTC marks a day mixed although it is not (safe: mixed days take
        // the exact path), and halves the chrono-tz lookups.
        let starts: Vec<i32> = (lo..=hi + 1).map(|d| offset_at(tz, d * 86_400)).collect();
        let day_offsets = starts
            .windows(2)
            .map(|w| if w[0] == w[1] { w[0] } else { MIXED })
            .collect();
        Self {
            tz,
            start_day: lo,
            start_micros: lo.checked_mul(DAY_MICROS),
            day_offsets,
        }
    }

    /// First and last local day numbers of the covered range (inclusive).
    pub(crate) fn day_range(&self) -> (i32, i32) {
        let end = (self.start_day + i64::try_from(self.day_offsets.len()).unwrap_or(0)) * 86_400;
        (
            self.day_of_secs(self.start_day * 86_400),
            self.day_of_secs(end - 1),
        )
    }

    /// Local day number of an instant given in whole seconds since the epoch.
    #[inline]
    pub(crate) fn day_of_secs(&self, secs: i64) -> i32 {
        let off = usize::try_from(secs.div_euclid(86_400) - self.start_day)
            .ok()
            .and_then(|d| self.day_offsets.get(d).copied())
            .filter(|&o| o != MIXED)
            .unwrap_or_else(|| offset_at(self.tz, secs));
        i32::try_from((secs + i64::from(off)).div_euclid(86_400)).unwrap_or(i32::MAX)
    }

    /// Local day number of an instant given in microseconds since the epoch.
    #[inline]
    pub(crate) fn day_of_micros(&self, micros: i64) -> i32 {
        // Fast path (covered, unmixed day): two unsigned divisions instead of three signed
        // ones; `⌊(⌊µs/10⁶⌋ + off)/86400⌋ = ⌊(µs + off·10⁶)/(86400·10⁶)⌋`. The dividend is
        // biased by one day so that it stays non-negative when the offset is negative.
        if let Some(rel) = self
            .start_micros
            .and_then(|s| micros.checked_sub(s))
            .and_then(|r| u64::try_from(r).ok())
        {
            #[allow(clippy::cast_sign_loss)]
            let d = rel / DAY_MICROS as u64;
            if let Some(&off) = usize::try_from(d)
                .ok()
                .and_then(|d| self.day_offsets.get(d))
                && off != MIXED
            {
                #[allow(clippy::cast_sign_loss, clippy::cast_possible_wrap)]
                let local = (rel + DAY_MICROS as u64)
                    .wrapping_add_signed(i64::from(off) * 1_000_000)
                    / DAY_MICROS as u64;
                #[allow(clippy::cast_possible_wrap)]
                let day = self.start_day + local as i64 - 1;
                return i32::try_from(day).unwrap_or(i32::MAX);
            }
        }
        self.day_of_secs(micros.div_euclid(1_000_000))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use chrono::Datelike;

    #[test]
    fn matches_chrono_tz_around_transitions() {
        for tz in [
            chrono_tz::Europe::Paris,
            chrono_tz::America::New_York,
            chrono_tz::Australia::Lord_Howe,
            chrono_tz::Asia::Kolkata,
            chrono_tz::Pacific::Apia,
            chrono_tz::UTC,
        ] {
            let lo = Utc
                .with_ymd_and_hms(2010, 1, 1, 0, 0, 0)
                .unwrap()
                .timestamp();
            let hi = Utc
                .with_ymd_and_hms(2013, 1, 1, 0, 0, 0)
                .unwrap()
                .timestamp();
            let t = DayTable::new(tz, lo, hi);
            let mut s = lo - 86_400 * 3;
            while s < hi + 86_400 * 3 {
                let dt = DateTime::<Utc>::from_timestamp(s, 0)
                    .unwrap()
                    .with_timezone(&tz);
                let want = dt.date_naive().num_days_from_ce() - 719_163;
                assert_eq!(t.day_of_secs(s), want, "{tz} {s}");
                s += 601; // odd step crosses every minute offset
            }
            // microsecond instants agree with whole seconds (incl. around midnight and DST)
            let mut us = lo * 1_000_000 - 86_400_000_000 * 3 + 1;
            while us < (hi + 86_400 * 3) * 1_000_000 {
                for x in [us, us + 999_999, us - 1] {
                    assert_eq!(
                        t.day_of_micros(x),
                        t.day_of_secs(x.div_euclid(1_000_000)),
                        "{tz} {x}"
                    );
                }
                us += 600_000_001;
            }
            // instants before the table fall back to chrono-tz
            for s in [lo - 400 * 86_400 + 7, lo - 86_400 * 3000 + 99] {
                let dt = DateTime::<Utc>::from_timestamp(s, 0)
                    .unwrap()
                    .with_timezone(&tz);
                assert_eq!(
                    t.day_of_secs(s),
                    dt.date_naive().num_days_from_ce() - 719_163
                );
            }
        }
    }
}
