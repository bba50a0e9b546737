//! The low-level reader: one RFC 4180 record at a time into a reused buffer, columns
//! matched by header name.

use std::fs::File;
use std::io::{self, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::quote_free::{QuoteFree, Step};
use super::split::{self, Part};
use super::{CsvError, parse_at, parse_instant};
use crate::customer::money::parse_decimal_minor;
use crate::customer::order_columns::At;
use crate::customer::{Currency, Money};

/// A CSV file being read (RFC 4180; a field may hold quoted commas, quotes and newlines):
/// quote-free text as [`QuoteFree`] reads it, the rest with the `csv` crate; its header's
/// column names and the current record.
pub(crate) struct Reader {
    path: PathBuf,
    /// The reader; a later part's is opened when the part is first read (a buffer
    /// each for a hundred parts waiting their turn was 100 MB of memory).
    inner: Source,
    rec: csv::StringRecord,
    line_no: usize,
    columns: Vec<String>,
    /// Set when the file is read in parts ([`Reader::open_parts`]).
    part: Option<Part>,
}

/// The `csv` reader of a file (or of the part of it from where `file` is), with a buffer of
/// `buffer` bytes.
fn csv_reader(file: File, buffer: usize) -> csv::Reader<File> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(buffer)
        .from_reader(file)
}

/// What reads a file or part: nothing yet, the quote-free reader, or `csv` from an offset
/// and line number on.
enum Source {
    Closed,
    Fast(QuoteFree),
    Csv(csv::Reader<File>, u64, u64),
}

/// Buffer of the reader of a file or part.
const BUFFER: usize = 1 << 20;

/// The file `path` from byte `start` on.
fn open_at(path: &std::path::Path, start: u64) -> io::Result<File> {
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(start))?;
    Ok(file)
}

/// Where the first record read from byte `start` of `path` starts (absolute offset, and line
/// number counted from `start`), as a part's reader from there finds it; `(u64::MAX, 0)`
/// when it finds none (the end, or an error first).
fn first_record(path: &std::path::Path, start: u64) -> io::Result<(u64, u64)> {
    let mut r = csv_reader(open_at(path, start)?, 1 << 13);
    let mut rec = csv::StringRecord::new();
    Ok(match (r.read_record(&mut rec), rec.position()) {
        (Ok(true), Some(p)) => (start + p.byte(), p.line()),
        _ => (u64::MAX, 0),
    })
}

impl Reader {
    pub(crate) fn open(path: PathBuf) -> Result<Option<Self>, CsvError> {
        let file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(CsvError::Io(path, e)),
        };
        let mut r = Self {
            path,
            inner: Source::Fast(QuoteFree::new(file)),
            rec: csv::StringRecord::new(),
            line_no: 0,
            columns: Vec::new(),
            part: None,
        };
        if r.next()? {
            r.columns = (0..r.len())
                .map(|i| r.raw(i).trim().to_ascii_lowercase())
                .collect();
        }
        Ok(Some(r))
    }

    /// The file read in up to `n` parts split by byte ranges (see [`super::split`]), to be
    /// read on several threads; the rows of the parts, in order and handed over as
    /// each part says ([`Rows::handoff`]), are the file's. One part when the file is smaller
    /// than `min_split` bytes.
    pub(crate) fn open_parts(
        path: PathBuf,
        n: usize,
        min_split: u64,
    ) -> Result<Option<Vec<Self>>, CsvError> {
        let Some(mut first) = Self::open(path)? else {
            return Ok(None);
        };
        let path = first.path.clone();
        let io_err = |e| CsvError::Io(path.clone(), e);
        let size = std::fs::metadata(&path).map_err(io_err)?.len();
        if n < 2 || size < min_split {
            return Ok(Some(vec![first]));
        }
        let after_header = match &first.inner {
            Source::Fast(q) => q.after(),
            Source::Csv(r, base, _) => base + r.position().byte(),
            Source::Closed => 0,
        };
        let guesses = split::guesses(&path, size, n, after_header).map_err(io_err)?;
        // each part's first record found now: a part reading on into the next ones never
        // waits for a worker busy with a part before them
        let starts: Arc<[split::Start]> = guesses
            .iter()
            .map(|&start| Ok((start, first_record(&path, start)?)))
            .collect::<io::Result<_>>()
            .map_err(io_err)?;
        let mut parts = Vec::with_capacity(starts.len() + 1);
        first.part = Some(Part::new(0, 0, Arc::clone(&starts)));
        parts.push(first);
        for (k, &(start, _)) in starts.iter().enumerate() {
            parts.push(Self {
                path: path.clone(),
                inner: Source::Closed,
                rec: csv::StringRecord::new(),
                line_no: 0,
                columns: parts[0].columns.clone(),
                part: Some(Part::new(k + 1, start, Arc::clone(&starts))),
            });
        }
        Ok(Some(parts))
    }
}

impl Reader {
    /// Fields in the current record.
    pub(super) fn len(&self) -> usize {
        match &self.inner {
            Source::Fast(q) => q.len(),
            _ => self.rec.len(),
        }
    }

    /// The header's column names.
    #[cfg(test)]
    pub(super) fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The current record's line.
    #[cfg(test)]
    pub(super) fn line(&self) -> usize {
        self.line_no
    }

    /// Field `col` of the current record, untrimmed.
    pub(super) fn raw(&self, col: usize) -> &str {
        match &self.inner {
            Source::Fast(q) => q.get(col),
            _ => self.rec.get(col).unwrap_or(""),
        }
    }

    /// Reads the next record as the source finds it: where it starts (offset and line
    /// number from where the file or part starts), none at the end. Text is read
    /// quote-free until some needs the `csv` reader, which reads the rest.
    fn step(&mut self) -> Result<Option<(u64, u64)>, CsvError> {
        let start = self.part.as_ref().map_or(0, |p| p.start);
        let io_err = |e| CsvError::Io(self.path.clone(), e);
        loop {
            match &mut self.inner {
                Source::Closed => {
                    self.inner =
                        Source::Fast(QuoteFree::new(open_at(&self.path, start).map_err(io_err)?));
                }
                Source::Fast(q) => match q.next().map_err(io_err)? {
                    Step::Record(at, line) => return Ok(Some((at, line))),
                    Step::End => return Ok(None),
                    Step::HandOver(at, line) => {
                        let file = open_at(&self.path, start + at).map_err(io_err)?;
                        self.inner = Source::Csv(csv_reader(file, BUFFER), at, line - 1);
                    }
                },
                Source::Csv(inner, at, lines) => {
                    let (at, lines) = (*at, *lines);
                    return match inner.read_record(&mut self.rec) {
                        Ok(false) => Ok(None),
                        Ok(true) => Ok(Some(
                            self.rec
                                .position()
                                .map_or((0, self.line_no as u64 + 1), |p| {
                                    (at + p.byte(), lines + p.line())
                                }),
                        )),
                        Err(e) => {
                            let line = e
                                .position()
                                .map_or(self.line_no as u64 + 1, |p| lines + p.line());
                            Err(match e.into_kind() {
                                csv::ErrorKind::Io(io) => CsvError::Io(self.path.clone(), io),
                                kind => CsvError::Parse {
                                    file: self.path.clone(),
                                    line: usize::try_from(line).unwrap_or(0),
                                    message: format!("{kind:?}"),
                                },
                            })
                        }
                    };
                }
            }
        }
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

    /// Reads the next record (blank lines skipped); `false` at end of file, or at the end
    /// of a part.
    fn next(&mut self) -> Result<bool, CsvError> {
        loop {
            let Some((at, line)) = self.step()? else {
                if let Some(part) = &mut self.part {
                    part.at_end();
                }
                return Ok(false);
            };
            self.line_no = usize::try_from(line).unwrap_or(0);
            if let Some(part) = &mut self.part
                && part.ends_at(part.start + at, line)
            {
                return Ok(false);
            }
            if self.len() == 1 && self.raw(0).trim().is_empty() {
                continue;
            }
            return Ok(true);
        }
    }

    fn field(&self, col: usize) -> &str {
        trim(self.raw(col))
    }

    fn handoff(&self) -> Option<(usize, u64)> {
        self.part.as_ref().and_then(|p| p.handoff)
    }
}

/// `str::trim`, with the common case (an ASCII non-space at both ends) checked first: the
/// Unicode-aware trim was about 4 % of loading.
pub(crate) fn trim(s: &str) -> &str {
    let solid = |b: &u8| *b > b' ' && b.is_ascii();
    match s.as_bytes() {
        [] => s,
        [first, .., last] if solid(first) && solid(last) => s,
        [only] if solid(only) => s,
        _ => s.trim(),
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

    /// For a part of a file read in parts, once [`next`](Self::next) said `false`: the
    /// index of the part whose rows come next (parts between are skipped), and what to add
    /// to that part's line numbers beyond this part's. `None` for a whole source.
    fn handoff(&self) -> Option<(usize, u64)> {
        None
    }

    fn opt(&self, col: usize) -> Option<&str> {
        Some(self.field(col)).filter(|s| !s.is_empty())
    }

    /// An instant (empty: `None`).
    fn instant(&self, col: usize) -> Result<Option<DateTime<Utc>>, CsvError> {
        text_instant(self, col)
    }

    /// [`instant`](Self::instant) as the order columns keep it.
    fn at(&self, col: usize) -> Result<Option<At>, CsvError> {
        text_at(self, col)
    }

    /// A required numeric id.
    fn id(&self, col: usize, name: &str) -> Result<u64, CsvError> {
        text_id(self, col, name)
    }

    /// The field as a number when its column is a typed integer column (whose text is
    /// then the number's decimal); `None` for a text column (a CSV file's), a null or a
    /// negative value, which are read from their text.
    fn uint(&self, _col: usize) -> Option<u64> {
        None
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
            if let Some(minor) = self.float_minor(col, currency.exponent()) {
                return Ok(minor);
            }
            match self.opt(col) {
                None => Ok(0),
                Some(s) => parse_decimal_minor(s, currency.exponent())
                    .ok_or_else(|| self.err(format!("bad amount {s:?}"))),
            }
        };
        Ok((Money::new(dec(amount)?, currency), dec(refunded)?))
    }

    /// The field in minor units of `exponent` digits when its column is a typed float
    /// column and the value is one its text would give ([`float_minor`]); `None` to read
    /// the text.
    fn float_minor(&self, _col: usize, _exponent: u8) -> Option<i64> {
        None
    }
}

/// `v` in minor units of `exponent` digits when the decimal of at most `exponent`
/// fraction digits that reads back as `v` exists (then it is the float's shortest text,
/// or has its value, and that text read as an amount gives the same minor units), and
/// `|v| * 10^exponent` is below 10^15 (exact in a float); `None` otherwise (more digits,
/// not finite, too large), for the text to decide.
#[cfg(any(feature = "arrow", test))]
pub(crate) fn float_minor(v: f64, exponent: u8) -> Option<i64> {
    let scale = 10f64.powi(i32::from(exponent));
    let scaled = v * scale;
    if scaled.is_nan() || scaled.abs() >= 1e15 {
        return None;
    }
    let m = scaled.round();
    // m is an integer below 10^15 and scale a power of ten up to 10^255 read exactly
    // only up to 10^22: beyond, nothing is accepted
    #[allow(clippy::float_cmp)]
    let exact = exponent <= 22 && m / scale == v;
    #[allow(clippy::cast_possible_truncation)]
    exact.then_some(m as i64)
}

/// [`Rows::instant`] read from the field's text.
pub(crate) fn text_instant<R: Rows + ?Sized>(
    r: &R,
    col: usize,
) -> Result<Option<DateTime<Utc>>, CsvError> {
    match r.opt(col) {
        None => Ok(None),
        Some(s) => parse_instant(s)
            .map(Some)
            .ok_or_else(|| r.err(bad_instant(s))),
    }
}

/// [`Rows::at`] read from the field's text.
pub(crate) fn text_at<R: Rows + ?Sized>(r: &R, col: usize) -> Result<Option<At>, CsvError> {
    match r.opt(col) {
        None => Ok(None),
        Some(s) => parse_at(s).map(Some).ok_or_else(|| r.err(bad_instant(s))),
    }
}

/// The error message of a field that is not an instant.
fn bad_instant(s: &str) -> String {
    format!("bad RFC 3339 instant {s:?}")
}

/// [`Rows::id`] read from the field's text.
pub(crate) fn text_id<R: Rows + ?Sized>(r: &R, col: usize, name: &str) -> Result<u64, CsvError> {
    r.field(col)
        .parse()
        .map_err(|_| r.err(format!("bad {name} {:?}", r.field(col))))
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
    fn handoff(&self) -> Option<(usize, u64)> {
        (**self).handoff()
    }
    fn instant(&self, col: usize) -> Result<Option<DateTime<Utc>>, CsvError> {
        (**self).instant(col)
    }
    fn at(&self, col: usize) -> Result<Option<At>, CsvError> {
        (**self).at(col)
    }
    fn id(&self, col: usize, name: &str) -> Result<u64, CsvError> {
        (**self).id(col, name)
    }
    fn uint(&self, col: usize) -> Option<u64> {
        (**self).uint(col)
    }
    fn float_minor(&self, col: usize, exponent: u8) -> Option<i64> {
        (**self).float_minor(col, exponent)
    }
}

#[cfg(test)]
mod tests {
    use super::float_minor;
    use crate::customer::money::parse_decimal_minor;

    /// A float's minor units are those of its text (`Display`: the shortest text that
    /// reads back as the value, as Arrow writes it) wherever [`float_minor`] answers, and
    /// it answers for every amount of at most `exponent` fraction digits.
    #[test]
    fn float_minor_gives_the_minor_units_of_the_text() {
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut cases = vec![
            0.0, -0.0, 0.01, 11.51, -3.5, 1e-7, 0.125, 1e13, 9.99e12, 1e300,
        ];
        for _ in 0..300_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            cases.push(f64::from_bits(x));
            #[allow(clippy::cast_precision_loss)]
            let cents = (x % 2_000_000_000_000) as f64 - 1e12;
            cases.push(cents / 100.0);
            cases.push(cents / 1000.0);
            cases.push((cents / 7.0).round());
        }
        for v in cases {
            for exponent in [0u8, 2, 3, 4] {
                let text = parse_decimal_minor(&format!("{v}"), exponent);
                match float_minor(v, exponent) {
                    Some(m) => assert_eq!(Some(m), text, "{v:?} at {exponent}"),
                    None => assert!(
                        text.is_none() || v.abs() * 10f64.powi(i32::from(exponent)) >= 1e15,
                        "{v:?} at {exponent}: {text:?}"
                    ),
                }
            }
        }
    }
}
