//! The low-level writer: CSV rows with RFC 4180 quoting, instants and amounts in the
//! formats the reader accepts.

use std::fmt;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use chrono::{DateTime, Utc};

use super::format_instant;
use crate::customer::Money;
use crate::customer::money::write_decimal;

/// Appends one CSV field (quoted when needed).
fn field(out: &mut String, s: &str) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

/// Appends [`format_instant`]'s text of `t`: whole seconds of years 0–9999 (all real
/// data) written digit by digit, anything else through chrono (a `String` per instant made
/// chrono's formatting a tenth of writing the profiles).
fn push_instant(out: &mut String, t: DateTime<Utc>) {
    use chrono::{Datelike, Timelike};
    let y = match u32::try_from(t.year()) {
        Ok(y) if y <= 9999 && t.nanosecond() == 0 => y,
        _ => {
            out.push_str(&format_instant(t));
            return;
        }
    };
    let mut b = *b"0000-00-00T00:00:00Z";
    let mut put = |at: usize, width: usize, mut v: u32| {
        for i in (at..at + width).rev() {
            // a digit: v % 10 < 10
            b[i] = b'0' + u8::try_from(v % 10).unwrap_or(0);
            v /= 10;
        }
    };
    put(0, 4, y);
    put(5, 2, t.month());
    put(8, 2, t.day());
    put(11, 2, t.hour());
    put(14, 2, t.minute());
    put(17, 2, t.second());
    out.push_str(std::str::from_utf8(&b).unwrap_or_default());
}

/// One output row being built: fields are appended with a separator, [`Row::end`] writes
/// the line and starts the next one.
pub(super) struct Row {
    s: String,
    first: bool,
}

impl Row {
    pub(super) fn new() -> Self {
        Self {
            s: String::with_capacity(256),
            first: true,
        }
    }
    fn sep(&mut self) {
        if !self.first {
            self.s.push(',');
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
    pub(super) fn num<T: fmt::Display>(&mut self, v: Option<T>) -> &mut Self {
        use fmt::Write as _;
        self.sep();
        if let Some(v) = v {
            let _ = write!(self.s, "{v}");
        }
        self
    }
    pub(super) fn at(&mut self, v: Option<DateTime<Utc>>) -> &mut Self {
        self.sep();
        if let Some(v) = v {
            push_instant(&mut self.s, v);
        }
        self
    }
    pub(super) fn money(&mut self, v: Option<Money>) -> &mut Self {
        self.sep();
        if let Some(m) = v {
            write_decimal(&mut self.s, m.minor, m.currency.exponent());
        }
        self
    }
    /// Ends the row into `out` (no I/O).
    pub(super) fn end_into(&mut self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.s.as_bytes());
        out.push(b'\n');
        self.s.clear();
        self.first = true;
    }
    pub(super) fn end(&mut self, w: &mut impl Write) -> io::Result<()> {
        self.s.push('\n');
        w.write_all(self.s.as_bytes())?;
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
    fn money(&mut self, v: Option<Money>) {
        Row::money(self, v);
    }
    fn int(&mut self, v: Option<i64>) {
        self.num(v);
    }
    fn float(&mut self, v: Option<f64>) {
        self.num(v);
    }
    fn date(&mut self, v: Option<chrono::NaiveDate>) {
        self.num(v);
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

    use super::{format_instant, push_instant};

    #[test]
    fn instants_are_written_as_format_instant_writes_them() {
        let mut cases: Vec<DateTime<Utc>> = vec![
            Utc.with_ymd_and_hms(2024, 1, 1, 9, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(1, 12, 31, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(9999, 2, 28, 0, 0, 1).unwrap(),
            Utc.with_ymd_and_hms(10000, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(-5, 6, 7, 8, 9, 10).unwrap(),
            Utc.timestamp_opt(1_700_000_000, 120_000_000).unwrap(),
        ];
        // every 7 hours 13 minutes 17 seconds over ~30 years
        let start = Utc
            .with_ymd_and_hms(1995, 3, 1, 0, 0, 0)
            .unwrap()
            .timestamp();
        cases.extend((0..40_000).map(|i| Utc.timestamp_opt(start + i * 25_997, 0).unwrap()));
        for t in cases {
            let mut s = String::new();
            push_instant(&mut s, t);
            assert_eq!(s, format_instant(t), "{t:?}");
        }
    }
}
