//! Lenient, streaming CSV parsing for the files Sendethic exports (activity exports, contact
//! exports, import and purge reports), and reading them out of zip archives.
//!
//! The layout of these files is undocumented, so the parser is lenient on purpose:
//! - the separator is detected from the header line (`;`, `,`, tab or `|`);
//! - each field is decoded as UTF-8 when valid, otherwise as ISO-8859-1, so a file in either
//!   encoding (or a mix) reads correctly; a UTF-8 byte-order mark is dropped;
//! - quoted fields (with doubled quotes and embedded separators or line breaks) are supported;
//! - a row with more fields than the header keeps them under `column_<n>` names; a row with
//!   fewer simply lacks the missing columns ([`Record::get`] returns `None`);
//! - rows are read one at a time: memory stays flat in the number of rows.

use std::io::{BufRead, BufReader, Read};
use std::sync::Arc;

use crate::error::{Error, Result};

/// One CSV row: values by header name, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    headers: Arc<[String]>,
    values: Vec<String>,
    line: u64,
}

impl Record {
    /// The value of column `name` (exact header match first, then case-insensitive).
    /// `None` when the file has no such column or this row is too short.
    ///
    /// ```
    /// # fn show(r: &relance::sendethic::Record) {
    /// if let Some(email) = r.get("email") { println!("{email}"); }
    /// # }
    /// ```
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        let idx = self.headers.iter().position(|h| h == name).or_else(|| {
            self.headers
                .iter()
                .position(|h| h.eq_ignore_ascii_case(name))
        })?;
        self.values.get(idx).map(String::as_str)
    }

    /// The value of column `name` when present and non-empty after trimming.
    ///
    /// ```
    /// # fn show(r: &relance::sendethic::Record) {
    /// let city = r.non_empty("city").unwrap_or("unknown");
    /// # }
    /// ```
    #[must_use]
    pub fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).map(str::trim).filter(|v| !v.is_empty())
    }

    /// `(header, value)` pairs in file order (extra fields under `column_<n>`).
    ///
    /// ```
    /// # fn show(r: &relance::sendethic::Record) {
    /// for (column, value) in r.iter() { println!("{column} = {value}"); }
    /// # }
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers
            .iter()
            .map(String::as_str)
            .zip(self.values.iter().map(String::as_str))
    }

    /// The 1-based line number where this row starts in the file.
    ///
    /// ```
    /// # fn show(r: &relance::sendethic::Record) {
    /// println!("row at line {}", r.line());
    /// # }
    /// ```
    #[must_use]
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The number of fields in this row.
    ///
    /// ```
    /// # fn show(r: &relance::sendethic::Record) {
    /// println!("{} fields", r.len());
    /// # }
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether the row has no field.
    ///
    /// ```
    /// # fn show(r: &relance::sendethic::Record) {
    /// assert!(!r.is_empty());
    /// # }
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Parses column `name` as an integer (`None` when absent, empty or not a number).
    ///
    /// ```
    /// # fn show(r: &relance::sendethic::Record) {
    /// let opens = r.int("emailopenings").unwrap_or(0);
    /// # }
    /// ```
    #[must_use]
    pub fn int(&self, name: &str) -> Option<i64> {
        parse_number(self.non_empty(name)?).and_then(|v| {
            #[allow(clippy::cast_possible_truncation)]
            (v.fract() == 0.0).then_some(v as i64)
        })
    }
}

/// Typed accessors for the column names the API documents (contact export fields, §5.5 of the
/// reference); each is `None` when the file has no such column or the value is empty or
/// unparseable.
impl Record {
    /// The `email` column.
    ///
    /// ```
    /// # fn show(r: &relance::sendethic::Record) {
    /// println!("{:?}", r.email());
    /// # }
    /// ```
    #[must_use]
    pub fn email(&self) -> Option<&str> {
        self.non_empty("email")
    }

    /// The `emailopenings` column: how many times the recipient opened.
    ///
    /// ```
    /// # fn show(r: &relance::sendethic::Record) {
    /// let opened = r.openings().unwrap_or(0) > 0;
    /// # }
    /// ```
    #[must_use]
    pub fn openings(&self) -> Option<i64> {
        self.int("emailopenings")
    }

    /// The `emailclicks` column: how many times the recipient clicked.
    ///
    /// ```
    /// # fn show(r: &relance::sendethic::Record) {
    /// let clicked = r.clicks().unwrap_or(0) > 0;
    /// # }
    /// ```
    #[must_use]
    pub fn clicks(&self) -> Option<i64> {
        self.int("emailclicks")
    }

    /// The `emailopeninglastdate` column.
    ///
    /// ```
    /// # fn show(r: &relance::sendethic::Record) {
    /// println!("{:?}", r.last_opening_at());
    /// # }
    /// ```
    #[must_use]
    pub fn last_opening_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        super::types::Timestamp::parse(self.non_empty("emailopeninglastdate")?).datetime()
    }

    /// The `emailclickinglastdate` column.
    ///
    /// ```
    /// # fn show(r: &relance::sendethic::Record) {
    /// println!("{:?}", r.last_click_at());
    /// # }
    /// ```
    #[must_use]
    pub fn last_click_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        super::types::Timestamp::parse(self.non_empty("emailclickinglastdate")?).datetime()
    }

    /// The `emailclickinglastlink` column.
    ///
    /// ```
    /// # fn show(r: &relance::sendethic::Record) {
    /// println!("{:?}", r.last_click_link());
    /// # }
    /// ```
    #[must_use]
    pub fn last_click_link(&self) -> Option<&str> {
        self.non_empty("emailclickinglastlink")
    }

    /// The `emailstatus` column (free text; values such as `Soft` are seen in bounce exports).
    ///
    /// ```
    /// # fn show(r: &relance::sendethic::Record) {
    /// println!("{:?}", r.email_status());
    /// # }
    /// ```
    #[must_use]
    pub fn email_status(&self) -> Option<&str> {
        self.non_empty("emailstatus")
    }
}

/// Parses `12`, `12.5` or `12,5` (decimal comma) as a number.
pub(crate) fn parse_number(s: &str) -> Option<f64> {
    let s = s.trim();
    s.parse::<f64>()
        .ok()
        .or_else(|| s.replace(',', ".").parse::<f64>().ok())
        .filter(|v| v.is_finite())
}

/// A streaming reader of [`Record`]s over any `Read`.
///
/// ```
/// use relance::sendethic::RecordReader;
///
/// let data = "email;emailopenings\na@x.fr;3\n\"b;c\"@x.fr;0\n";
/// let mut reader = RecordReader::new(data.as_bytes())?;
/// assert_eq!(reader.headers(), ["email", "emailopenings"]);
/// let rows: Vec<_> = reader.collect::<Result<_, _>>()?;
/// assert_eq!(rows[1].get("email"), Some("b;c@x.fr"));
/// assert_eq!(rows[0].int("emailopenings"), Some(3));
/// # Ok::<(), relance::Error>(())
/// ```
#[derive(Debug)]
pub struct RecordReader<R: Read> {
    csv: csv::Reader<BufReader<R>>,
    headers: Arc<[String]>,
    separator: u8,
    record: csv::ByteRecord,
}

impl<R: Read> RecordReader<R> {
    /// Reads the header line, detecting the separator.
    ///
    /// ```
    /// let reader = relance::sendethic::RecordReader::new("a,b\n1,2\n".as_bytes())?;
    /// assert_eq!(reader.separator(), b',');
    /// # Ok::<(), relance::Error>(())
    /// ```
    pub fn new(reader: R) -> Result<Self> {
        let mut buffered = BufReader::with_capacity(64 * 1024, reader);
        let separator = {
            let head = buffered.fill_buf().map_err(|e| file_error(&e))?;
            detect_separator(head)
        };
        Self::with_separator_inner(buffered, separator)
    }

    /// Reads the header line with a known separator.
    ///
    /// ```
    /// let reader = relance::sendethic::RecordReader::with_separator("a|b\n1|2\n".as_bytes(), b'|')?;
    /// assert_eq!(reader.headers(), ["a", "b"]);
    /// # Ok::<(), relance::Error>(())
    /// ```
    pub fn with_separator(reader: R, separator: u8) -> Result<Self> {
        Self::with_separator_inner(BufReader::with_capacity(64 * 1024, reader), separator)
    }

    fn with_separator_inner(reader: BufReader<R>, separator: u8) -> Result<Self> {
        let mut csv = csv::ReaderBuilder::new()
            .delimiter(separator)
            .has_headers(false)
            .flexible(true)
            .from_reader(reader);
        let mut header = csv::ByteRecord::new();
        let found = csv
            .read_byte_record(&mut header)
            .map_err(|e| csv_error(&e))?;
        if !found {
            return Err(Error::invalid("file", "the file is empty (no header line)"));
        }
        let mut headers: Vec<String> = header.iter().map(decode_field).collect();
        if let Some(first) = headers.first_mut()
            && let Some(stripped) = first.strip_prefix('\u{feff}')
        {
            *first = stripped.to_owned();
        }
        for h in &mut headers {
            *h = h.trim().to_owned();
        }
        Ok(Self {
            csv,
            headers: headers.into(),
            separator,
            record: csv::ByteRecord::new(),
        })
    }

    /// The header names.
    ///
    /// ```
    /// let reader = relance::sendethic::RecordReader::new("x;y\n".as_bytes())?;
    /// assert_eq!(reader.headers(), ["x", "y"]);
    /// # Ok::<(), relance::Error>(())
    /// ```
    #[must_use]
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The separator in use.
    ///
    /// ```
    /// let reader = relance::sendethic::RecordReader::new("x\ty\n".as_bytes())?;
    /// assert_eq!(reader.separator(), b'\t');
    /// # Ok::<(), relance::Error>(())
    /// ```
    #[must_use]
    pub fn separator(&self) -> u8 {
        self.separator
    }
}

impl<R: Read> Iterator for RecordReader<R> {
    type Item = Result<Record>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.csv.read_byte_record(&mut self.record) {
                Ok(false) => return None,
                Err(e) => return Some(Err(csv_error(&e))),
                Ok(true) => {}
            }
            // Skip blank lines.
            if self.record.len() == 1 && self.record[0].iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let line = self.record.position().map_or(0, csv::Position::line);
            let values: Vec<String> = self.record.iter().map(decode_field).collect();
            let headers = if values.len() > self.headers.len() {
                let mut h = self.headers.to_vec();
                h.extend((h.len()..values.len()).map(|i| format!("column_{}", i + 1)));
                h.into()
            } else {
                self.headers.clone()
            };
            return Some(Ok(Record {
                headers,
                values,
                line,
            }));
        }
    }
}

/// UTF-8 when valid, otherwise ISO-8859-1 (every byte is a code point).
fn decode_field(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

/// Picks the separator that occurs most often, outside quotes, in the first line.
fn detect_separator(head: &[u8]) -> u8 {
    let mut counts = [0usize; 4];
    let candidates = [b';', b',', b'\t', b'|'];
    let mut quoted = false;
    for &b in head {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            _ if !quoted => {
                if let Some(i) = candidates.iter().position(|&c| c == b) {
                    counts[i] += 1;
                }
            }
            _ => {}
        }
    }
    let best = (0..candidates.len())
        .max_by_key(|&i| (counts[i], usize::MAX - i))
        .unwrap_or(0);
    if counts[best] == 0 {
        b';'
    } else {
        candidates[best]
    }
}

fn csv_error(e: &csv::Error) -> Error {
    let line = e.position().map(csv::Position::line);
    Error::invalid(
        line.map_or_else(|| "file".to_owned(), |l| format!("line {l}")),
        format!("cannot read the CSV file: {e}"),
    )
}

fn file_error(e: &std::io::Error) -> Error {
    Error::invalid("file", format!("cannot read the file: {e}"))
}

/// Opens the first `.csv`/`.txt` entry (or the first entry) of a zip archive held in memory.
pub(crate) fn csv_from_zip(bytes: bytes::Bytes) -> Result<RecordReader<std::io::Cursor<Vec<u8>>>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| Error::invalid("archive", format!("not a readable zip archive: {e}")))?;
    let index = (0..archive.len())
        .find(|&i| {
            archive.name_for_index(i).is_some_and(|n| {
                std::path::Path::new(n)
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("csv") || e.eq_ignore_ascii_case("txt"))
            })
        })
        .unwrap_or(0);
    let mut entry = archive
        .by_index(index)
        .map_err(|e| Error::invalid("archive", format!("cannot open the archive entry: {e}")))?;
    let mut content = Vec::new();
    entry
        .read_to_end(&mut content)
        .map_err(|e| file_error(&e))?;
    RecordReader::new(std::io::Cursor::new(content))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(data: &[u8]) -> (Vec<String>, Vec<Record>) {
        let reader = RecordReader::new(data).unwrap();
        let headers = reader.headers().to_vec();
        (headers, reader.collect::<Result<Vec<_>>>().unwrap())
    }

    #[test]
    fn semicolon_and_comma_files() {
        let (h, r) = rows(b"email;emailopenings;emailclicks\na@x.fr;2;1\nb@x.fr;0;0\n");
        assert_eq!(h, ["email", "emailopenings", "emailclicks"]);
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].int("emailclicks"), Some(1));
        let (_, r) = rows(b"email,emailopenings\r\n\"c,d\"@x.fr,4\r\n");
        assert_eq!(r[0].get("email"), Some("c,d@x.fr"));
        assert_eq!(r[0].int("EMAILOPENINGS"), Some(4));
    }

    #[test]
    fn quoted_fields_with_quotes_and_newlines() {
        let (_, r) = rows(b"a;b\n\"say \"\"hi\"\"\";\"two\nlines\"\nx;y\n");
        assert_eq!(r[0].get("a"), Some("say \"hi\""));
        assert_eq!(r[0].get("b"), Some("two\nlines"));
        assert_eq!(r[1].line(), 4);
    }

    #[test]
    fn utf8_latin1_and_bom() {
        let (h, r) = rows("\u{feff}pr\u{e9}nom;ville\nJos\u{e9};Orl\u{e9}ans\n".as_bytes());
        assert_eq!(h[0], "prénom");
        assert_eq!(r[0].get("ville"), Some("Orléans"));
        let latin1: &[u8] = b"pr\xe9nom;ville\nJos\xe9;Orl\xe9ans\n";
        let (h, r) = rows(latin1);
        assert_eq!(h[0], "prénom");
        assert_eq!(r[0].get("prénom"), Some("José"));
    }

    #[test]
    fn extra_and_missing_columns() {
        let (_, r) = rows(b"a;b;c\n1;2;3;4;5\n1\n\n7;8;9\n");
        assert_eq!(r.len(), 3, "the blank line is skipped");
        assert_eq!(r[0].get("column_5"), Some("5"));
        assert_eq!(r[1].get("a"), Some("1"));
        assert_eq!(r[1].get("c"), None);
        assert_eq!(r[2].get("c"), Some("9"));
    }

    #[test]
    fn separator_detection() {
        assert_eq!(detect_separator(b"a;b;c\n"), b';');
        assert_eq!(detect_separator(b"a,b,c\n"), b',');
        assert_eq!(detect_separator(b"a\tb\n"), b'\t');
        assert_eq!(detect_separator(b"a|b|c\n"), b'|');
        assert_eq!(detect_separator(b"\"x;y\",b,c\n"), b',');
        assert_eq!(detect_separator(b"single\n"), b';');
    }

    #[test]
    fn empty_file_is_an_error() {
        assert!(matches!(
            RecordReader::new(&b""[..]),
            Err(Error::InvalidInput { .. })
        ));
    }

    #[test]
    fn reads_the_csv_entry_of_a_zip() {
        use std::io::Write;
        let mut out = std::io::Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut out);
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            zip.start_file("readme.md", opts).unwrap();
            zip.write_all(b"not this one").unwrap();
            zip.start_file("export.CSV", opts).unwrap();
            zip.write_all(b"email,emailclicks\na@x.fr,1\n").unwrap();
            zip.finish().unwrap();
        }
        let reader = csv_from_zip(out.into_inner().into()).unwrap();
        let rows: Vec<_> = reader.collect::<Result<_>>().unwrap();
        assert_eq!(rows[0].clicks(), Some(1));
        assert_eq!(rows[0].email(), Some("a@x.fr"));
        assert!(matches!(
            csv_from_zip(bytes::Bytes::from_static(b"not a zip")),
            Err(Error::InvalidInput { .. })
        ));
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_number("12,5"), Some(12.5));
        assert_eq!(parse_number(" 3 "), Some(3.0));
        assert_eq!(parse_number("x"), None);
        assert_eq!(parse_number("NaN"), None);
    }
}
