//! The lenient, streaming CSV parser behind [`RecordReader`].

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};
use std::sync::Arc;

use super::Record;
use crate::error::{Error, Result};

/// How many physical lines one row may span (quoted fields with line breaks) before an
/// unclosed quote is reported as a malformed line.
pub const MAX_RECORD_LINES: usize = 100;

/// A streaming reader of [`Record`]s over any `Read`. Malformed lines are reported with
/// their line number and reading goes on.
///
/// The layout of these files is undocumented, so the parser is lenient on purpose:
/// - the separator is detected from the header line (`;`, `,`, tab or `|`);
/// - each field is decoded as UTF-8 when valid, otherwise as ISO-8859-1, so a file in either
///   encoding (or a mix) reads correctly; a UTF-8 byte-order mark is dropped;
/// - quoted fields (with doubled quotes and embedded separators or line breaks) are supported;
/// - a row with more fields than the header keeps them under `column_<n>` names; a row with
///   fewer simply lacks the missing columns ([`Record::get`] returns `None`). A field count
///   different from the header's is **not** an error (exports may carry trailing separators):
///   [`Record::field_count_matches`] flags it;
/// - rows are read one at a time: memory stays flat in the number of rows.
///
/// # Malformed lines
///
/// A row is **malformed** when its quoting is broken:
/// - a quoted field is never closed (end of file, or still open after
///   [`MAX_RECORD_LINES`] physical lines), or
/// - a quoted field that spans several lines is closed by a quote followed by something other
///   than a separator or the end of the line (the typical trace of a quote left open that
///   swallowed the next lines).
///
/// Text after a closing quote on the field's own line is tolerated and kept
/// (`"c,d"@x.fr` reads `c,d@x.fr`), as is a quote inside an unquoted field (`Bo"b`).
///
/// The reader then yields an [`Error::InvalidInput`] whose `item` is `line <n>` (the 1-based
/// line where the row starts) and **carries on** with the next physical line, so one bad
/// line never hides the rest of the file.
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
    input: BufReader<R>,
    headers: Arc<[String]>,
    separator: u8,
    /// Physical lines read ahead by a malformed row, to be read again.
    pending: VecDeque<(u64, Vec<u8>)>,
    /// The number of the next line read from `input`.
    next_line: u64,
    /// Whether `input` returned an error (then reading stops).
    failed: bool,
}

/// A row's first line number and raw fields.
type RawRow = (u64, Vec<Vec<u8>>);

/// Why a row could not be read.
enum RowError {
    Malformed(u64, &'static str),
    Io(std::io::Error),
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
            let head = buffered.fill_buf().map_err(file_error)?;
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

    fn with_separator_inner(input: BufReader<R>, separator: u8) -> Result<Self> {
        let mut this = Self {
            input,
            headers: Arc::from(Vec::new()),
            separator,
            pending: VecDeque::new(),
            next_line: 1,
            failed: false,
        };
        let header = match this.read_row() {
            Ok(Some((_, fields))) => fields,
            Ok(None) => {
                return Err(Error::invalid("file", "the file is empty (no header line)"));
            }
            Err(RowError::Io(e)) => return Err(file_error(e)),
            Err(RowError::Malformed(line, why)) => {
                return Err(Error::invalid(
                    format!("line {line}"),
                    format!("cannot read the header line: {why}"),
                ));
            }
        };
        let mut headers: Vec<String> = header.iter().map(|h| decode_field(h)).collect();
        if let Some(first) = headers.first_mut()
            && let Some(stripped) = first.strip_prefix('\u{feff}')
        {
            *first = stripped.to_owned();
        }
        for h in &mut headers {
            *h = h.trim().to_owned();
        }
        this.headers = headers.into();
        Ok(this)
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

    /// The next physical line (with its terminator) and its number.
    fn physical_line(&mut self) -> std::io::Result<Option<(u64, Vec<u8>)>> {
        if let Some(line) = self.pending.pop_front() {
            return Ok(Some(line));
        }
        if self.failed {
            return Ok(None);
        }
        let mut buf = Vec::new();
        match self.input.read_until(b'\n', &mut buf) {
            Ok(0) => Ok(None),
            Ok(_) => {
                let n = self.next_line;
                self.next_line += 1;
                Ok(Some((n, buf)))
            }
            Err(e) => {
                self.failed = true;
                Err(e)
            }
        }
    }

    /// Reads one row (skipping blank lines): its first line number and raw fields.
    fn read_row(&mut self) -> std::result::Result<Option<RawRow>, RowError> {
        loop {
            let Some((start, first)) = self.physical_line().map_err(RowError::Io)? else {
                return Ok(None);
            };
            if first.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let mut used = vec![(start, first)];
            match parse_row(&mut used, self.separator, |lines| {
                if lines.len() >= MAX_RECORD_LINES {
                    return Ok(None);
                }
                self.physical_line()
            }) {
                Ok(fields) => return Ok(Some((start, fields))),
                Err(e) => {
                    // Read the lines after the row's first line again.
                    for line in used.into_iter().skip(1).rev() {
                        self.pending.push_front(line);
                    }
                    return Err(match e {
                        RowError::Malformed(_, why) => RowError::Malformed(start, why),
                        io @ RowError::Io(_) => io,
                    });
                }
            }
        }
    }
}

/// Splits the row starting with `lines[0]` into raw fields, pulling more physical lines
/// with `more` while a quoted field is open (appending them to `lines`).
fn parse_row(
    lines: &mut Vec<(u64, Vec<u8>)>,
    sep: u8,
    mut more: impl FnMut(&[(u64, Vec<u8>)]) -> std::io::Result<Option<(u64, Vec<u8>)>>,
) -> std::result::Result<Vec<Vec<u8>>, RowError> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Start,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let mut fields = Vec::new();
    let mut cur = Vec::new();
    let mut state = State::Start;
    let mut index = 0;
    let mut quote_start = 0;
    loop {
        let line = &lines[index].1;
        let body_len =
            line.len() - usize::from(line.ends_with(b"\n")) - usize::from(line.ends_with(b"\r\n"));
        let (body, terminator) = line.split_at(body_len);
        for &b in body {
            state = match (state, b) {
                (State::Start, b'"') => {
                    quote_start = index;
                    State::Quoted
                }
                (State::Start | State::Unquoted | State::QuoteInQuoted, b) if b == sep => {
                    fields.push(std::mem::take(&mut cur));
                    State::Start
                }
                (State::Start | State::Unquoted, b) => {
                    cur.push(b);
                    State::Unquoted
                }
                (State::Quoted, b'"') => State::QuoteInQuoted,
                (State::Quoted, b) => {
                    cur.push(b);
                    State::Quoted
                }
                (State::QuoteInQuoted, b'"') => {
                    cur.push(b'"');
                    State::Quoted
                }
                (State::QuoteInQuoted, b) if quote_start == index => {
                    cur.push(b);
                    State::Unquoted
                }
                (State::QuoteInQuoted, _) => {
                    return Err(RowError::Malformed(
                        0,
                        "a quoted field spanning lines is closed by a quote followed by more text",
                    ));
                }
            };
        }
        if state != State::Quoted {
            fields.push(cur);
            return Ok(fields);
        }
        // A quoted field goes on on the next line.
        cur.extend_from_slice(terminator);
        match more(lines).map_err(RowError::Io)? {
            Some(next) => {
                lines.push(next);
                index += 1;
            }
            None => {
                return Err(RowError::Malformed(0, "a quoted field is never closed"));
            }
        }
    }
}

impl<R: Read> Iterator for RecordReader<R> {
    type Item = Result<Record>;

    fn next(&mut self) -> Option<Self::Item> {
        let (line, fields) = match self.read_row() {
            Ok(Some(row)) => row,
            Ok(None) => return None,
            Err(RowError::Io(e)) => return Some(Err(file_error(e))),
            Err(RowError::Malformed(line, why)) => {
                return Some(Err(Error::invalid(
                    format!("line {line}"),
                    format!("malformed CSV line: {why}"),
                )));
            }
        };
        let values: Vec<String> = fields.iter().map(|f| decode_field(f)).collect();
        let headers = if values.len() > self.headers.len() {
            let mut h = self.headers.to_vec();
            h.extend((h.len()..values.len()).map(|i| format!("column_{}", i + 1)));
            h.into()
        } else {
            self.headers.clone()
        };
        Some(Ok(Record {
            headers,
            values,
            line,
            columns: self.headers.len(),
        }))
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

fn file_error(e: std::io::Error) -> Error {
    Error::io("cannot read the file", e)
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

    fn outcomes(data: &[u8]) -> Vec<std::result::Result<(u64, Vec<String>), String>> {
        RecordReader::new(data)
            .unwrap()
            .map(|r| match r {
                Ok(r) => Ok((r.line(), r.values.clone())),
                Err(Error::InvalidInput { item, .. }) => Err(item),
                Err(e) => Err(e.to_string()),
            })
            .collect()
    }

    #[test]
    fn an_unclosed_quote_is_reported_and_the_next_lines_still_read() {
        let out = outcomes(b"email;name\na@x.fr;Ann\nb@x.fr;\"Bob\nc@x.fr;Carl\nd@x.fr;\"Dee\"\n");
        assert_eq!(
            out,
            vec![
                Ok((2, vec!["a@x.fr".into(), "Ann".into()])),
                Err("line 3".into()),
                Ok((4, vec!["c@x.fr".into(), "Carl".into()])),
                Ok((5, vec!["d@x.fr".into(), "Dee".into()])),
            ]
        );
    }

    #[test]
    fn a_quote_left_open_that_swallows_the_next_line_is_malformed() {
        let out = outcomes(b"a;b\nb@x.fr;\"Bob\nc@x.fr;\"Carl\";2\nx;3\n");
        assert_eq!(
            out,
            vec![
                Err("line 2".into()),
                Ok((3, vec!["c@x.fr".into(), "Carl".into(), "2".into()])),
                Ok((4, vec!["x".into(), "3".into()])),
            ]
        );
        // On its own line, text after a closing quote is kept.
        let out = outcomes(b"a;b\n\"Bob \"the man\";1\n");
        assert_eq!(out, vec![Ok((2, vec!["Bob the man\"".into(), "1".into()]))]);
    }

    #[test]
    fn an_unclosed_quote_at_the_end_of_the_file() {
        let out = outcomes(b"a;b\n1;2\n3;\"4\n");
        assert_eq!(
            out,
            vec![Ok((2, vec!["1".into(), "2".into()])), Err("line 3".into())]
        );
    }

    #[test]
    fn an_unclosed_quote_gives_up_after_max_record_lines() {
        let mut data = b"a;b\n1;\"open\n".to_vec();
        for i in 0..(MAX_RECORD_LINES + 5) {
            data.extend_from_slice(format!("r{i};v\n").as_bytes());
        }
        let out = outcomes(&data);
        assert_eq!(out[0], Err("line 2".into()));
        assert_eq!(
            out.len(),
            1 + MAX_RECORD_LINES + 5,
            "every other line is read"
        );
        assert_eq!(out[1], Ok((3, vec!["r0".into(), "v".into()])));
        assert!(out[1..].iter().all(Result::is_ok));
    }

    #[test]
    fn literal_quotes_inside_unquoted_fields_are_kept() {
        let out = outcomes(b"a;b\nBo\"b;1\n");
        assert_eq!(out, vec![Ok((2, vec!["Bo\"b".into(), "1".into()]))]);
    }

    #[test]
    fn field_count_is_a_flag_not_an_error() {
        let rows: Vec<Record> = RecordReader::new(&b"a;b\n1;2\n1\n1;2;3\n"[..])
            .unwrap()
            .collect::<Result<_>>()
            .unwrap();
        let flags: Vec<bool> = rows.iter().map(Record::field_count_matches).collect();
        assert_eq!(flags, [true, false, false]);
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
}
