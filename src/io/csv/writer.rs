//! The low-level writer: CSV rows with RFC 4180 quoting, instants and amounts in the
//! formats the reader accepts.

use std::fmt;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};

use super::format_instant;
use crate::customer::Money;
use crate::customer::money::write_decimal;

/// Appends one CSV field (quoted when needed).
fn field(out: &mut Vec<u8>, s: &str) {
    // bytes, not a `char` pattern: every profile has a dozen fields to look through
    if s.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        out.push(b'"');
        out.extend_from_slice(s.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(s.as_bytes());
    }
}

/// Appends [`format_instant`]'s text of `t`: whole seconds from 0000-03-01 to 9999-12-31
/// (all real data) written digit by digit from the Unix time, anything else through chrono
/// (a `String` per instant made chrono's formatting a tenth of writing the profiles, and
/// its calendar fields a tenth again).
fn push_instant(out: &mut Vec<u8>, t: DateTime<Utc>) {
    if t.timestamp_subsec_nanos() != 0 || !push_secs(out, t.timestamp()) {
        out.extend_from_slice(format_instant(t).as_bytes());
    }
}

/// [`push_instant`] of `micros` µs since the epoch (none when chrono cannot hold it), without
/// building the calendar type when it is whole seconds.
fn push_micros(out: &mut Vec<u8>, micros: i64) {
    if (micros % 1_000_000 != 0 || !push_secs(out, micros / 1_000_000))
        && let Some(t) = DateTime::from_timestamp_micros(micros)
    {
        push_instant(out, t);
    }
}

/// Appends the instant `secs` seconds after the epoch as [`format_instant`] writes it, when it
/// is between 0000-03-01T00:00:00Z and 9999-12-31T23:59:59Z; `false` (nothing written)
/// otherwise.
fn push_secs(out: &mut Vec<u8>, secs: i64) -> bool {
    /// 0000-03-01T00:00:00Z and 9999-12-31T23:59:59Z in Unix seconds.
    const FIRST: i64 = -62_162_035_200;
    const LAST: i64 = 253_402_300_799;
    let Some(since) = secs.checked_sub(FIRST).and_then(|s| u64::try_from(s).ok()) else {
        return false;
    };
    if secs > LAST {
        return false;
    }
    // days from 0000-03-01 (under 3.7 M) and seconds into the day: both fit a u32
    let days = u32::try_from(since / 86_400).unwrap_or(0);
    let time = u32::try_from(since % 86_400).unwrap_or(0);
    let (year, month, day) = civil(days);
    let mut text = *b"0000-00-00T00:00:00Z";
    put2(&mut text[0..2], year / 100);
    put2(&mut text[2..4], year % 100);
    put2(&mut text[5..7], month);
    put2(&mut text[8..10], day);
    put2(&mut text[11..13], time / 3600);
    put2(&mut text[14..16], time / 60 % 60);
    put2(&mut text[17..19], time % 60);
    out.extend_from_slice(&text);
    true
}

/// Appends a date as `YYYY-MM-DD` (chrono's `Display` for years 0–9999, which it is for
/// anything else).
fn push_date(out: &mut Vec<u8>, date: NaiveDate) {
    use chrono::Datelike;
    match u32::try_from(date.year()) {
        Ok(y @ 0..=9999) => {
            let mut b = *b"0000-00-00";
            put2(&mut b[0..2], y / 100);
            put2(&mut b[2..4], y % 100);
            put2(&mut b[5..7], date.month());
            put2(&mut b[8..10], date.day());
            out.extend_from_slice(&b);
        }
        _ => out.extend_from_slice(date.to_string().as_bytes()),
    }
}

/// Writes `v` (under 100) as two digits into `to`.
fn put2(to: &mut [u8], v: u32) {
    const DIGITS: &[u8; 200] =
        b"00010203040506070809101112131415161718192021222324252627282930313233343536373839\
        40414243444546474849505152535455565758596061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899";
    let i = usize::try_from(v % 100).unwrap_or(0) * 2;
    to.copy_from_slice(&DIGITS[i..i + 2]);
}

/// The proleptic Gregorian (year, month, day) of `days` since 0000-03-01 (days to civil,
/// years counted from March so that the leap day ends a year).
fn civil(days: u32) -> (u32, u32, u32) {
    let era = days / 146_097;
    let doe = days % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + u32::from(m <= 2), m, d)
}

/// Appends `v` as `Display` writes it (shortest round-trip digits, the closest to `v` of
/// them, never an exponent): a whole number through `itoa`, others through `ryu` (already
/// in the tree through `csv`; several times faster than `fmt`), its `1.0` shortened to
/// `1`. `ryu` and `Display` differ only on an exact tie between two shortest candidates
/// (`ryu` keeps the even one, `Display` the one away from zero), which needs `v` to end
/// exactly one decimal after the candidates: those, an exponent, and values that are not
/// finite go through `Display`.
fn push_float(out: &mut Vec<u8>, v: f64) {
    /// 2^53: the integers below it are floats exactly.
    const EXACT: f64 = 9_007_199_254_740_992.0;
    if v.fract() == 0.0 && v.abs() < EXACT && !(v == 0.0 && v.is_sign_negative()) {
        // a whole number (day counts): its digits (`-0` is `Display`'s)
        #[allow(clippy::cast_possible_truncation)] // whole and below 2^53: exact
        let n = v as i64;
        return out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    }
    if v.is_finite() {
        let mut buf = ryu::Buffer::new();
        let s = buf.format_finite(v);
        if !s.contains('e') {
            let s = s.strip_suffix(".0").unwrap_or(s);
            let decimals = s.split_once('.').map_or(0, |(_, f)| f.len());
            if exact_decimals(v) != decimals + 1 {
                return out.extend_from_slice(s.as_bytes());
            }
        }
    }
    out.extend_from_slice(v.to_string().as_bytes());
}

/// How many decimals the exact value of a finite `v` has (`m·2^e` with `m` odd has `-e`
/// when `e < 0`, none otherwise).
fn exact_decimals(v: f64) -> usize {
    let bits = v.to_bits();
    let biased = (bits >> 52) & 0x7ff;
    let fraction = bits & ((1 << 52) - 1);
    let (m, e) = if biased == 0 {
        (fraction, -1074)
    } else {
        (
            fraction | (1 << 52),
            i64::try_from(biased).unwrap_or(0) - 1075,
        )
    };
    if m == 0 {
        return 0;
    }
    usize::try_from(-(e + i64::from(m.trailing_zeros()))).unwrap_or(0)
}

/// One output row being built: fields are appended with a separator, [`Row::end`] writes
/// the line and starts the next one. Rows may also be gathered in the row's own buffer
/// ([`Row::with`], [`Row::next_line`], [`Row::into_text`]).
pub(super) struct Row {
    s: Vec<u8>,
    first: bool,
}

impl Row {
    pub(super) fn new() -> Self {
        Self::with(Vec::with_capacity(256))
    }
    /// A row appended to `text`.
    pub(super) fn with(text: Vec<u8>) -> Self {
        Self {
            s: text,
            first: true,
        }
    }
    fn sep(&mut self) {
        if !self.first {
            self.s.push(b',');
        }
        self.first = false;
    }
    pub(super) fn str(&mut self, v: &str) -> &mut Self {
        self.sep();
        field(&mut self.s, v);
        self
    }
    pub(super) fn opt(&mut self, v: Option<&str>) -> &mut Self {
        self.str(v.unwrap_or(""))
    }
    /// A field written by `push` when `v` is set, empty otherwise.
    fn field_of<T>(&mut self, v: Option<T>, push: impl FnOnce(&mut Vec<u8>, T)) -> &mut Self {
        self.sep();
        if let Some(v) = v {
            push(&mut self.s, v);
        }
        self
    }
    pub(super) fn num<T: fmt::Display>(&mut self, v: Option<T>) -> &mut Self {
        self.field_of(v, |s, v| {
            let _ = write!(s, "{v}");
        })
    }
    pub(super) fn int(&mut self, v: Option<i64>) -> &mut Self {
        self.field_of(v, |s, v| {
            s.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
        })
    }
    pub(super) fn float(&mut self, v: Option<f64>) -> &mut Self {
        self.field_of(v, push_float)
    }
    pub(super) fn date(&mut self, v: Option<NaiveDate>) -> &mut Self {
        self.field_of(v, push_date)
    }
    pub(super) fn at(&mut self, v: Option<DateTime<Utc>>) -> &mut Self {
        self.field_of(v, push_instant)
    }
    pub(super) fn micros(&mut self, v: Option<i64>) -> &mut Self {
        self.field_of(v, push_micros)
    }
    pub(super) fn money(&mut self, v: Option<Money>) -> &mut Self {
        self.field_of(v, |s, m| write_decimal(s, m.minor, m.currency.exponent()))
    }
    /// Ends the row in the row's own buffer; the next one follows it there.
    pub(super) fn next_line(&mut self) {
        self.s.push(b'\n');
        self.first = true;
    }
    /// The rows gathered so far.
    pub(super) fn into_text(self) -> Vec<u8> {
        self.s
    }
    pub(super) fn end(&mut self, w: &mut impl Write) -> io::Result<()> {
        self.s.push(b'\n');
        w.write_all(&self.s)?;
        self.s.clear();
        self.first = true;
        Ok(())
    }
}

impl super::profiles::ProfileSink for Row {
    fn text(&mut self, v: Option<&str>) {
        self.opt(v);
    }
    fn at(&mut self, v: Option<DateTime<Utc>>) {
        Row::at(self, v);
    }
    fn micros(&mut self, v: Option<i64>) {
        Row::micros(self, v);
    }
    fn money(&mut self, v: Option<Money>) {
        Row::money(self, v);
    }
    fn int(&mut self, v: Option<i64>) {
        Row::int(self, v);
    }
    fn float(&mut self, v: Option<f64>) {
        Row::float(self, v);
    }
    fn date(&mut self, v: Option<NaiveDate>) {
        Row::date(self, v);
    }
}

/// A new buffered file `name` in `dir`.
pub(super) fn create(dir: &Path, name: &str) -> io::Result<BufWriter<File>> {
    Ok(BufWriter::with_capacity(
        1 << 20,
        File::create(dir.join(name))?,
    ))
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, TimeZone, Utc};

    use super::{format_instant, push_date, push_float, push_instant, push_micros};
    use crate::customer::money::write_decimal;

    #[test]
    fn instants_are_written_as_format_instant_writes_them() {
        let mut cases: Vec<DateTime<Utc>> = vec![
            Utc.with_ymd_and_hms(2024, 1, 1, 9, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(1, 12, 31, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(9999, 2, 28, 0, 0, 1).unwrap(),
            Utc.with_ymd_and_hms(10000, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(-5, 6, 7, 8, 9, 10).unwrap(),
            Utc.with_ymd_and_hms(0, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(0, 2, 29, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(0, 3, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(400, 2, 29, 1, 2, 3).unwrap(),
            Utc.with_ymd_and_hms(-1, 12, 31, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(1969, 12, 31, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(2000, 2, 29, 12, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2100, 3, 1, 0, 0, 0).unwrap(),
            Utc.timestamp_opt(1_700_000_000, 120_000_000).unwrap(),
        ];
        // every 7 hours 13 minutes 17 seconds over ~30 years
        let start = Utc
            .with_ymd_and_hms(1995, 3, 1, 0, 0, 0)
            .unwrap()
            .timestamp();
        cases.extend((0..40_000).map(|i| Utc.timestamp_opt(start + i * 25_997, 0).unwrap()));
        cases.push(Utc.timestamp_opt(-1, 999_999_000).unwrap());
        cases.push(Utc.timestamp_opt(-86_401, 1_000).unwrap());
        for t in cases {
            let mut s = Vec::new();
            push_instant(&mut s, t);
            assert_eq!(s, format_instant(t).as_bytes(), "{t:?}");
            let mut m = Vec::new();
            push_micros(&mut m, t.timestamp_micros());
            assert_eq!(m, s, "{t:?} from its µs");
        }
    }

    #[test]
    fn micros_chrono_cannot_hold_are_written_as_nothing() {
        for micros in [i64::MIN, i64::MAX, i64::MIN + 1, i64::MAX - 999_999] {
            let mut m = Vec::new();
            push_micros(&mut m, micros);
            let expected = DateTime::from_timestamp_micros(micros)
                .map(format_instant)
                .unwrap_or_default();
            assert_eq!(String::from_utf8(m).unwrap(), expected, "{micros}");
        }
    }

    /// A small generator of varied bits (xorshift), so that the cases are many and fixed.
    fn bits(n: usize) -> impl Iterator<Item = u64> {
        let mut x = 0x9E37_79B9_7F4A_7C15_u64;
        (0..n).map(move |_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        })
    }

    /// `n` (under 2^53) as a float, exactly.
    fn exact(n: u64) -> f64 {
        let (high, low) = (n >> 32, n & 0xffff_ffff);
        f64::from(u32::try_from(high).unwrap()) * 4_294_967_296.0
            + f64::from(u32::try_from(low).unwrap())
    }

    #[test]
    fn floats_are_written_as_display_writes_them() {
        let mut cases = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            0.5,
            1.5,
            365.0,
            1e-5,
            1e-7,
            1.234_567_890_123_456_7e-300,
            1e15,
            1e16,
            1e17,
            123_456_789_012_345_680.0,
            9_007_199_254_740_993.0,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        // any bit pattern; then amounts and day counts as the profiles hold them
        cases.extend(bits(200_000).map(f64::from_bits));
        cases.extend(bits(200_000).map(|b| exact(b % 10_000_000) / 100.0 / 3.0));
        cases.extend(bits(100_000).map(|b| exact(b % 100_000) / 7.0));
        // whole numbers, either sign, up to 2^53 and past it
        cases.extend(bits(50_000).map(|b| exact(b % (1 << 53))));
        cases.extend(bits(50_000).map(|b| -exact(b % 100_000)));
        cases.extend(bits(1_000).map(|b| exact(b % (1 << 53)) * 4096.0));
        // exact ties between two shortest candidates: 17 digits of which the last is a 5
        cases.extend(bits(100_000).map(|b| exact(b % (1 << 53)) / f64::from(1 << (b % 20))));
        for v in cases {
            let mut s = Vec::new();
            push_float(&mut s, v);
            assert_eq!(s, format!("{v}").as_bytes(), "{:#x}", v.to_bits());
        }
    }

    #[test]
    fn dates_are_written_as_display_writes_them() {
        let mut cases: Vec<chrono::NaiveDate> =
            [(0, 1, 1), (9999, 12, 31), (10_000, 1, 1), (-1, 6, 1)]
                .iter()
                .map(|&(y, m, d)| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap())
                .collect();
        cases.extend(bits(50_000).filter_map(|b| {
            chrono::NaiveDate::from_num_days_from_ce_opt((b % 4_000_000) as i32 - 100_000)
        }));
        for d in cases {
            let mut s = Vec::new();
            push_date(&mut s, d);
            assert_eq!(s, d.to_string().as_bytes(), "{d:?}");
        }
    }

    #[test]
    fn decimals_are_written_digit_for_digit() {
        let mut cases = vec![
            0,
            1,
            -1,
            9,
            10,
            99,
            100,
            -100,
            101,
            i64::MAX,
            i64::MIN,
            1_000_005,
        ];
        cases.extend(bits(50_000).map(|b| i64::from_ne_bytes(b.to_ne_bytes()) >> (b % 60)));
        for minor in cases {
            for exponent in 0u8..=4 {
                let mut s = Vec::new();
                write_decimal(&mut s, minor, exponent);
                let scale = 10u64.pow(u32::from(exponent));
                let abs = minor.unsigned_abs();
                let sign = if minor < 0 { "-" } else { "" };
                let expected = if exponent == 0 {
                    minor.to_string()
                } else {
                    format!(
                        "{sign}{}.{:0w$}",
                        abs / scale,
                        abs % scale,
                        w = usize::from(exponent)
                    )
                };
                assert_eq!(s, expected.as_bytes(), "{minor} {exponent}");
            }
        }
    }
}
