//! Minimal, allocation-light CSV reading and writing of shop data and profiles (RFC 4180
//! quoting; `,` separator; first line = header, columns matched by name, unknown columns
//! ignored, missing optional columns treated as empty).
//!
//! Files of a shop directory (only `orders.csv` is required):
//! - `orders.csv`: `order_id,customer_id,email,placed_at,status,amount,currency,refunded_amount`
//!   (+ optional `cart_id,delivered_at`, and `parent_order_id`: a row with one, other than
//!   empty or `0`, is a marketplace seller's child order and not read as the buyer's; see
//!   [`read_marketplace_dir`]). `customer_id` empty for guests (then `email` is the
//!   key); `placed_at` RFC 3339; `amount`/`refunded_amount` plain decimals with `.`; `status`
//!   one of `pending, paid, processing, shipped, completed, cancelled, refunded` or any other
//!   string; `currency` ISO 4217.
//! - `customers.csv`: `customer_id,email,first_name,last_name,civility,birth_date,phone,postcode,
//!   signed_up_at,updated_at,newsletter_optin,group_ids,shop_id` (+ optional
//!   `newsletter_optin_at,last_login_at,is_guest`); `birth_date` `YYYY-MM-DD`; `newsletter_optin` `yes`/`no`/`1`/`0`/`true`/`false`
//!   or empty (unknown); `group_ids` comma-separated inside one (quoted) field.
//! - `carts.csv`: `cart_id,customer_id,email,created_at,updated_at,item_count,total,currency,
//!   converted_order_id`.
//! - `logins.csv`: `customer_id,at`.
//! - `deliveries.csv`: `order_id,delivered_at` (folded into the order's `delivered_at`, max).
//! - `rates.csv`: `currency,rate` (1 unit of `currency` = `rate` units of the reporting currency).
//!
//! Rows referencing an unknown `customer_id` create a bare customer row with that id; orders and
//! carts with neither `customer_id` nor `email` are skipped.
//!
//! Threads ([`read_dir`]): every table is parsed at once, files of 16 MiB and more cut into
//! parts (byte ranges) of about 8 MiB that the table's workers (one per core) take in turn,
//! while the calling thread folds the rows into the dataset in file order, each worker at
//! most 16 MiB of rows ahead of it. A part starts at a guessed
//! line start and is only used when that guess is a record boundary (the part before reads
//! on otherwise), so quoted line breaks, results and error lines are those of one reader.

mod id_index;
mod known;
mod marketplace;
mod order_rows;
mod partition;
mod pipeline;
mod profiles;
mod quote_free;
mod read;
mod reader;
mod sellers;
mod split;
mod write;
mod writer;

use std::fmt;
use std::io;
use std::path::PathBuf;

use chrono::{DateTime, SecondsFormat, Utc};

use crate::customer::order_columns::At;

pub use marketplace::{MarketplaceDir, read_marketplace_dir, write_marketplace_dir};
pub use partition::{partition_dir, partition_path, partitions};
pub use profiles::{
    PROFILE_COLUMNS, write_profiles, write_profiles_file, write_profiles_file_with,
    write_profiles_with,
};
#[cfg(feature = "arrow")]
pub(crate) use profiles::{ProfileSink, emit_profiles};
pub use read::read_dir;
#[cfg(feature = "arrow")]
pub(crate) use read::{ShopTables, read_tables};
#[cfg(feature = "parquet")]
pub(crate) use reader::Reader;
#[cfg(feature = "arrow")]
pub(crate) use reader::{Rows, float_minor, position, text_at, text_id, text_instant, trim};
pub use sellers::{EVENT_COLUMNS, SELLER_COLUMNS, write_events, write_seller_profiles};
#[cfg(feature = "parquet")]
pub(crate) use split::{MIN_SPLIT, part_count};
pub(crate) use write::ShopWriter;
pub use write::write_dir;

/// A CSV reading error.
#[derive(Debug)]
pub enum CsvError {
    /// I/O failure on a file.
    Io(PathBuf, io::Error),
    /// A bad value.
    Parse {
        /// File.
        file: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What was wrong.
        message: String,
    },
}

impl CsvError {
    /// The error with `lines` added to its line number (an error of a part of a file read
    /// in parts, numbered from the part's start).
    pub(crate) fn lines_after(self, lines: u64) -> Self {
        match self {
            Self::Parse {
                file,
                line,
                message,
            } => Self::Parse {
                file,
                line: line.saturating_add(usize::try_from(lines).unwrap_or(usize::MAX)),
                message,
            },
            io @ Self::Io(..) => io,
        }
    }
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(p, e) => write!(f, "{}: {e}", p.display()),
            Self::Parse {
                file,
                line,
                message,
            } => write!(f, "{}:{line}: {message}", file.display()),
        }
    }
}

impl std::error::Error for CsvError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io(_, e) => Some(e),
            Self::Parse { .. } => None,
        }
    }
}

/// Parses an RFC 3339 instant (also accepts a space instead of `T`).
///
/// ```
/// let t = relance::io::csv::parse_instant("2024-03-31T23:30:00+02:00").unwrap();
/// assert_eq!(t.to_rfc3339(), "2024-03-31T21:30:00+00:00");
/// let z = relance::io::csv::parse_instant("2024-03-31T21:30:00Z").unwrap();
/// assert_eq!(z, t);
/// assert!(relance::io::csv::parse_instant("2024-02-30T00:00:00Z").is_none());
/// ```
#[must_use]
pub fn parse_instant(s: &str) -> Option<DateTime<Utc>> {
    let s = reader::trim(s);
    utc_seconds(s.as_bytes()).or_else(|| {
        DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|d| d.with_timezone(&Utc))
    })
}

/// The common case, `YYYY-MM-DDTHH:MM:SSZ`, without chrono's general parser (about ten
/// times faster); anything else is left to it.
fn utc_seconds(b: &[u8]) -> Option<DateTime<Utc>> {
    if b.len() != 20 || b[19] != b'Z' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let date = ymd(b)?;
    let time = chrono::NaiveTime::from_hms_opt(
        digits(b, 11..13)?,
        digits(b, 14..16)?,
        digits(b, 17..19)?,
    )?;
    Some(date.and_time(time).and_utc())
}

/// [`parse_instant`] as the order columns keep instants: the common shape,
/// `YYYY-MM-DDTHH:MM:SSZ`, straight to µs (no calendar type in between), anything else
/// through [`parse_instant`]. Accepts and rejects what [`parse_instant`] does.
pub(crate) fn parse_at(s: &str) -> Option<At> {
    utc_micros(reader::trim(s).as_bytes())
        .map(At::Us)
        .or_else(|| parse_instant(s).map(At::from))
}

/// `YYYY-MM-DDTHH:MM:SSZ` in µs; `None` for anything else (a leap second included).
fn utc_micros(b: &[u8]) -> Option<i64> {
    if b.len() != 20
        || b[19] != b'Z'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let (h, m, sec) = (digits(b, 11..13)?, digits(b, 14..16)?, digits(b, 17..19)?);
    if h > 23 || m > 59 || sec > 59 {
        return None; // as `NaiveTime::from_hms_opt`
    }
    let secs = epoch_days(b)? * 86_400 + i64::from(h * 3600 + m * 60 + sec);
    Some(secs * 1_000_000)
}

/// Days from 1970-01-01 to the `YYYY-MM-DD` date at the start of `b` (`None` unless it
/// is a date of the proleptic Gregorian calendar, as `NaiveDate::from_ymd_opt` says).
fn epoch_days(b: &[u8]) -> Option<i64> {
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, m, d) = (digits(b, 0..4)?, digits(b, 5..7)?, digits(b, 8..10)?);
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let month_days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if d == 0 || d > month_days {
        return None;
    }
    // days from civil: years counted from March, so that the leap day ends a year
    let y = i64::from(y) - i64::from(m <= 2);
    let (era, yoe) = (y.div_euclid(400), y.rem_euclid(400));
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// A `YYYY-MM-DD` date: the common shape read directly, anything else by chrono's
/// `%Y-%m-%d` (which also takes unpadded months and days).
pub(crate) fn parse_date(s: &str) -> Option<chrono::NaiveDate> {
    if s.len() == 10
        && let Some(d) = ymd(s.as_bytes())
    {
        return Some(d);
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// The `YYYY-MM-DD` date at the start of `b`.
fn ymd(b: &[u8]) -> Option<chrono::NaiveDate> {
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    chrono::NaiveDate::from_ymd_opt(
        i32::try_from(digits(b, 0..4)?).ok()?,
        digits(b, 5..7)?,
        digits(b, 8..10)?,
    )
}

/// The number the bytes `b[r]` write in decimal; `None` unless all are digits.
fn digits(b: &[u8], r: std::ops::Range<usize>) -> Option<u32> {
    b[r].iter().try_fold(0u32, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

/// Formats an instant as RFC 3339 UTC with a `Z` suffix (sub-second digits only if present).
///
/// ```
/// use chrono::{TimeZone, Utc};
/// let t = Utc.with_ymd_and_hms(2024, 1, 1, 9, 0, 0).unwrap();
/// assert_eq!(relance::io::csv::format_instant(t), "2024-01-01T09:00:00Z");
/// ```
#[must_use]
pub fn format_instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

#[cfg(test)]
mod tests {
    use super::{At, parse_at, parse_instant};

    /// `parse_at` against `parse_instant` turned into µs.
    fn same(s: &str) {
        assert_eq!(parse_at(s), parse_instant(s).map(At::from), "{s:?}");
    }

    #[test]
    fn instants_to_micros_as_chrono_reads_them() {
        // every month and day number (valid or not) of many years, leap rules included
        let years = (0..=2100).chain((2101..9990).step_by(7)).chain(9990..=9999);
        for y in years {
            for m in 0..=13 {
                for d in 0..=32 {
                    same(&format!("{y:04}-{m:02}-{d:02}T12:34:56Z"));
                }
            }
        }
        for h in 0..=25 {
            for (m, s) in [(0, 0), (59, 59), (60, 0), (0, 60), (7, 9)] {
                same(&format!("2024-02-29T{h:02}:{m:02}:{s:02}Z"));
                same(&format!("1969-12-31 {h:02}:{m:02}:{s:02}Z"));
            }
        }
        for other in [
            " 2024-03-31T21:30:00Z ",
            "2024-03-31t21:30:00Z",
            "2024-03-31T21:30:00.5Z",
            "2024-03-31T21:30:00.000001Z",
            "2024-03-31T21:30:00.0000001Z",
            "2016-12-31T23:59:60Z",
            "2024-03-31T23:30:00+02:00",
            "2024-3-31T21:30:00Z",
            "2024-03-31T21:30:0xZ",
            "+024-03-31T21:30:00Z",
            "2024-03-31T21-30:00Z",
            "2024-03-31X21:30:00Z",
            "",
        ] {
            same(other);
        }
        assert_eq!(
            parse_at("1970-01-01T00:00:01Z"),
            Some(At::Us(1_000_000)),
            "the epoch's first second"
        );
    }
}
