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
            self.s.push_str(&format_instant(v));
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
