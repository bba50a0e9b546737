//! The low-level reader: one RFC 4180 record at a time into a reused buffer, columns
//! matched by header name.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::PathBuf;

use chrono::{DateTime, Utc};

use super::{CsvError, parse_instant};
use crate::customer::money::parse_decimal_minor;
use crate::customer::{Currency, Money};

/// A reusable record: unescaped fields stored in one buffer.
struct Record {
    buf: String,
    ends: Vec<usize>,
}

impl Record {
    fn get(&self, i: usize) -> &str {
        if i >= self.ends.len() {
            return "";
        }
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.buf[start..self.ends[i]]
    }
}

/// A CSV file being read: its header's column names and the current record.
pub(super) struct Reader {
    path: PathBuf,
    inner: BufReader<File>,
    line: String,
    line_no: usize,
    rec: Record,
    columns: Vec<String>,
}

impl Reader {
    pub(super) fn open(path: PathBuf) -> Result<Option<Self>, CsvError> {
        let file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(CsvError::Io(path, e)),
        };
        let mut r = Self {
            path,
            inner: BufReader::with_capacity(1 << 20, file),
            line: String::new(),
            line_no: 0,
            rec: Record {
                buf: String::new(),
                ends: Vec::new(),
            },
            columns: Vec::new(),
        };
        if r.next()? {
            r.columns = (0..r.rec.ends.len())
                .map(|i| r.rec.get(i).trim().to_ascii_lowercase())
                .collect();
        }
        Ok(Some(r))
    }

    pub(super) fn col(&self, name: &str) -> usize {
        self.columns
            .iter()
            .position(|c| c == name)
            .unwrap_or(usize::MAX)
    }

    pub(super) fn err(&self, message: String) -> CsvError {
        CsvError::Parse {
            file: self.path.clone(),
            line: self.line_no,
            message,
        }
    }

    /// Reads the next record; `false` at end of file.
    pub(super) fn next(&mut self) -> Result<bool, CsvError> {
        self.rec.buf.clear();
        self.rec.ends.clear();
        let mut in_quotes = false;
        let mut any = false;
        loop {
            self.line.clear();
            let n = self
                .inner
                .read_line(&mut self.line)
                .map_err(|e| CsvError::Io(self.path.clone(), e))?;
            if n == 0 {
                if any {
                    self.rec.ends.push(self.rec.buf.len());
                }
                return Ok(any);
            }
            self.line_no += 1;
            let line = self.line.trim_end_matches(['\n', '\r']);
            if !any && line.is_empty() {
                continue;
            }
            if any {
                self.rec.buf.push('\n');
            }
            any = true;
            let mut chars = line.chars().peekable();
            while let Some(ch) = chars.next() {
                if in_quotes {
                    if ch == '"' {
                        if chars.peek() == Some(&'"') {
                            chars.next();
                            self.rec.buf.push('"');
                        } else {
                            in_quotes = false;
                        }
                    } else {
                        self.rec.buf.push(ch);
                    }
                } else if ch == '"' {
                    in_quotes = true;
                } else if ch == ',' {
                    self.rec.ends.push(self.rec.buf.len());
                } else {
                    self.rec.buf.push(ch);
                }
            }
            if !in_quotes {
                self.rec.ends.push(self.rec.buf.len());
                return Ok(true);
            }
        }
    }

    pub(super) fn field(&self, col: usize) -> &str {
        self.rec.get(col).trim()
    }

    pub(super) fn opt(&self, col: usize) -> Option<&str> {
        Some(self.field(col)).filter(|s| !s.is_empty())
    }

    pub(super) fn instant(&self, col: usize) -> Result<Option<DateTime<Utc>>, CsvError> {
        match self.opt(col) {
            None => Ok(None),
            Some(s) => parse_instant(s)
                .map(Some)
                .ok_or_else(|| self.err(format!("bad RFC 3339 instant {s:?}"))),
        }
    }

    /// A required numeric id.
    pub(super) fn id(&self, col: usize, name: &str) -> Result<u64, CsvError> {
        self.field(col)
            .parse()
            .map_err(|_| self.err(format!("bad {name} {:?}", self.field(col))))
    }

    /// An amount and its refund (empty = 0) in the row's currency; `seen` remembers the
    /// codes already parsed.
    pub(super) fn money(
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
