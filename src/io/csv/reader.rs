//! The low-level reader: one RFC 4180 record at a time into a reused buffer, columns
//! matched by header name.

use std::fs::File;
use std::io;
use std::path::PathBuf;

use chrono::{DateTime, Utc};

use super::{CsvError, parse_instant};
use crate::customer::money::parse_decimal_minor;
use crate::customer::{Currency, Money};

/// A CSV file being read with the `csv` crate (RFC 4180; a field may hold quoted commas,
/// quotes and newlines): its header's column names and the current record.
pub(crate) struct Reader {
    path: PathBuf,
    inner: csv::Reader<File>,
    rec: csv::StringRecord,
    line_no: usize,
    columns: Vec<String>,
}

impl Reader {
    pub(crate) fn open(path: PathBuf) -> Result<Option<Self>, CsvError> {
        let file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(CsvError::Io(path, e)),
        };
        let inner = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(1 << 20)
            .from_reader(file);
        let mut r = Self {
            path,
            inner,
            rec: csv::StringRecord::new(),
            line_no: 0,
            columns: Vec::new(),
        };
        if r.next()? {
            r.columns = r
                .rec
                .iter()
                .map(|c| c.trim().to_ascii_lowercase())
                .collect();
        }
        Ok(Some(r))
    }
}

impl Rows for Reader {
    fn col(&self, name: &str) -> usize {
        position(&self.columns, name)
    }

    fn err(&self, message: String) -> CsvError {
        CsvError::Parse {
            file: self.path.clone(),
            line: self.line_no,
            message,
        }
    }

    /// Reads the next record (blank lines skipped); `false` at end of file.
    fn next(&mut self) -> Result<bool, CsvError> {
        loop {
            match self.inner.read_record(&mut self.rec) {
                Ok(more) => {
                    self.line_no = self
                        .rec
                        .position()
                        .map_or(self.line_no + 1, |p| usize::try_from(p.line()).unwrap_or(0));
                    if more && self.rec.len() == 1 && self.rec[0].trim().is_empty() {
                        continue;
                    }
                    return Ok(more);
                }
                Err(e) => {
                    let line = e
                        .position()
                        .map_or(self.line_no + 1, |p| usize::try_from(p.line()).unwrap_or(0));
                    return Err(match e.into_kind() {
                        csv::ErrorKind::Io(io) => CsvError::Io(self.path.clone(), io),
                        kind => CsvError::Parse {
                            file: self.path.clone(),
                            line,
                            message: format!("{kind:?}"),
                        },
                    });
                }
            }
        }
    }

    fn field(&self, col: usize) -> &str {
        self.rec.get(col).unwrap_or("").trim()
    }
}

/// The position of column `name` among `columns` (lower-case names); `usize::MAX` when
/// absent, which reads as an empty field.
pub(crate) fn position(columns: &[String], name: &str) -> usize {
    columns.iter().position(|c| c == name).unwrap_or(usize::MAX)
}

/// A source of rows read by column position: a CSV file, or Arrow record batches. The shop
/// readers are written once against it, so that both inputs give the same dataset and the
/// same errors.
pub(crate) trait Rows {
    /// The position of a column by its (lower-case) name; `usize::MAX` when absent (its
    /// fields then read as empty).
    fn col(&self, name: &str) -> usize;
    /// An error about the current row.
    fn err(&self, message: String) -> CsvError;
    /// Moves to the next row; `false` at the end.
    fn next(&mut self) -> Result<bool, CsvError>;
    /// A field of the current row, trimmed; empty when absent or null.
    fn field(&self, col: usize) -> &str;

    fn opt(&self, col: usize) -> Option<&str> {
        Some(self.field(col)).filter(|s| !s.is_empty())
    }

    fn instant(&self, col: usize) -> Result<Option<DateTime<Utc>>, CsvError> {
        match self.opt(col) {
            None => Ok(None),
            Some(s) => parse_instant(s)
                .map(Some)
                .ok_or_else(|| self.err(format!("bad RFC 3339 instant {s:?}"))),
        }
    }

    /// A required numeric id.
    fn id(&self, col: usize, name: &str) -> Result<u64, CsvError> {
        self.field(col)
            .parse()
            .map_err(|_| self.err(format!("bad {name} {:?}", self.field(col))))
    }

    /// An amount and its refund (empty = 0) in the row's currency; `seen` remembers the
    /// codes already parsed.
    fn money(
        &self,
        (amount, refunded, currency): (usize, usize, usize),
        seen: &mut Vec<(String, Currency)>,
    ) -> Result<(Money, i64), CsvError> {
        let code = self.field(currency);
        let currency = if let Some(&(_, c)) = seen.iter().find(|(c, _)| c == code) {
            c
        } else {
            let c = Currency::from_code(code)
                .ok_or_else(|| self.err(format!("bad currency {code:?}")))?;
            seen.push((code.to_owned(), c));
            c
        };
        let dec = |col: usize| -> Result<i64, CsvError> {
            match self.opt(col) {
                None => Ok(0),
                Some(s) => parse_decimal_minor(s, currency.exponent())
                    .ok_or_else(|| self.err(format!("bad amount {s:?}"))),
            }
        };
        Ok((Money::new(dec(amount)?, currency), dec(refunded)?))
    }
}

impl<R: Rows + ?Sized> Rows for Box<R> {
    fn col(&self, name: &str) -> usize {
        (**self).col(name)
    }
    fn err(&self, message: String) -> CsvError {
        (**self).err(message)
    }
    fn next(&mut self) -> Result<bool, CsvError> {
        (**self).next()
    }
    fn field(&self, col: usize) -> &str {
        (**self).field(col)
    }
}
