//! Reading text that holds no quote and no carriage return, where CSV has nothing left to
//! parse: each non-empty line is one record and its fields are split on commas, as the
//! `csv` crate reads them. Chunks of whole lines are searched for quotes and CRs first
//! (`memchr`) and checked as UTF-8 once; from the first chunk that holds either, or is not
//! UTF-8, the `csv` crate reads the rest, from that chunk's first line. Quoting, escapes,
//! CR line ends and encoding errors are therefore all the `csv` crate's.
//!
//! Why: most shop exports hold no quote at all, and the `csv` crate's reading (its state
//! machine, each record copied and checked as UTF-8) was a fifth of a whole run's processor
//! time; reading quote-free text this way takes about 6 % off it (see `benches/README.md`).

use std::fs::File;
use std::io::{self, Read};

/// Bytes read at a time (a few in unit tests, so that their texts cross many chunks).
#[cfg(not(test))]
const CHUNK: usize = 1 << 20;
#[cfg(test)]
const CHUNK: usize = 7;

/// Where the quote-free reader is.
pub(super) enum Step {
    /// A record: its offset from where reading started, and its line number from there.
    Record(u64, u64),
    /// The end of the file.
    End,
    /// Text from this offset (a line start) on, line number from there, must be read by the
    /// `csv` reader.
    HandOver(u64, u64),
}

/// The quote-free reader of a file from some offset on.
pub(super) struct QuoteFree {
    file: File,
    /// Whole lines, checked.
    text: String,
    /// Bytes read past the last whole line.
    tail: Vec<u8>,
    /// Offset of `text`'s first byte from where reading started.
    base: u64,
    /// Next line's start in `text`.
    pos: usize,
    /// Next line's number.
    line: u64,
    eof: bool,
    /// The current record's span in `text`, and the offsets of its commas.
    record: (usize, usize),
    commas: Vec<usize>,
}

impl QuoteFree {
    pub(super) fn new(file: File) -> Self {
        Self {
            file,
            text: String::new(),
            tail: Vec::new(),
            base: 0,
            pos: 0,
            line: 1,
            eof: false,
            record: (0, 0),
            commas: Vec::new(),
        }
    }

    /// Reads the next chunk of whole lines; `false` when the chunk must go to `csv`.
    fn fill(&mut self) -> io::Result<bool> {
        self.base += self.text.len() as u64;
        self.pos = 0;
        let mut buf = std::mem::take(&mut self.text).into_bytes();
        buf.clear();
        buf.append(&mut self.tail);
        let cut = loop {
            let from = buf.len();
            let got = (&mut self.file).take(CHUNK as u64).read_to_end(&mut buf)?;
            if got == 0 {
                self.eof = true;
                break buf.len();
            }
            if let Some(i) = memchr::memrchr(b'\n', &buf[from..]) {
                break from + i + 1;
            }
        };
        self.tail.extend_from_slice(&buf[cut..]);
        buf.truncate(cut);
        if memchr::memchr2(b'"', b'\r', &buf).is_some() {
            return Ok(false);
        }
        match String::from_utf8(buf) {
            Ok(text) => {
                self.text = text;
                Ok(true)
            }
            Err(_) => Ok(false),
        }
    }

    /// Moves to the next record (empty lines skipped, as `csv` does). Like `csv`, a record
    /// is placed where reading it started: at the first of the empty lines before it.
    pub(super) fn next(&mut self) -> io::Result<Step> {
        let mut first = None;
        loop {
            if self.pos >= self.text.len() {
                if self.eof && self.tail.is_empty() {
                    return Ok(Step::End);
                }
                let at = self.base + self.text.len() as u64;
                let (from, line) = first.unwrap_or((at, self.line));
                if !self.fill()? {
                    return Ok(Step::HandOver(from, line));
                }
                if self.text.is_empty() {
                    return Ok(Step::End);
                }
            }
            let rest = &self.text.as_bytes()[self.pos..];
            let len = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
            let start = self.pos;
            let at = *first.get_or_insert((self.base + start as u64, self.line));
            self.pos += len + 1;
            self.line += 1;
            if len == 0 {
                continue;
            }
            self.record = (start, start + len);
            self.commas.clear();
            self.commas
                .extend(memchr::memchr_iter(b',', &rest[..len]).map(|i| start + i));
            return Ok(Step::Record(at.0, at.1));
        }
    }

    /// Offset of the next line from where reading started.
    pub(super) fn after(&self) -> u64 {
        self.base + self.pos.min(self.text.len()) as u64
    }

    /// Fields in the current record.
    pub(super) fn len(&self) -> usize {
        self.commas.len() + 1
    }

    /// Field `i` of the current record (empty when absent).
    pub(super) fn get(&self, i: usize) -> &str {
        if i > self.commas.len() {
            return "";
        }
        let start = if i == 0 {
            self.record.0
        } else {
            self.commas[i - 1] + 1
        };
        let end = self.commas.get(i).copied().unwrap_or(self.record.1);
        self.text.get(start..end).unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::super::CsvError;
    use super::super::reader::{Reader, Rows};

    /// What a reader gives: each record's line and fields, then the end or the line of
    /// the error that stopped it.
    type Reading = (Vec<(usize, Vec<String>)>, Option<usize>);

    /// The shop reader's records of `text` (the header first).
    fn shop(text: &[u8], dir: &std::path::Path) -> Reading {
        let path = dir.join("t.csv");
        std::fs::write(&path, text).expect("written");
        let mut got = Vec::new();
        let mut r = match Reader::open(path) {
            Ok(Some(r)) => r,
            Ok(None) => return (got, Some(usize::MAX)),
            Err(e) => return (got, Some(line_of(&e))),
        };
        got.push((0, r.columns().to_vec()));
        loop {
            match r.next() {
                Ok(true) => got.push((
                    r.line(),
                    (0..r.len()).map(|i| r.raw(i).to_owned()).collect(),
                )),
                Ok(false) => return (got, None),
                Err(e) => return (got, Some(line_of(&e))),
            }
        }
    }

    fn line_of(e: &CsvError) -> usize {
        match e {
            CsvError::Parse { line, .. } => *line,
            CsvError::Io(..) => usize::MAX,
        }
    }

    /// The `csv` crate's records of `text`, read as the shop reader reads them (first record
    /// as the header, lower-cased; records of one blank field skipped).
    fn reference(text: &[u8]) -> Reading {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text);
        let mut got = Vec::new();
        let mut rec = csv::StringRecord::new();
        let mut header = true;
        loop {
            match r.read_record(&mut rec) {
                Ok(true) => {
                    if rec.len() == 1 && rec[0].trim().is_empty() {
                        continue;
                    }
                    let line =
                        usize::try_from(rec.position().map_or(0, csv::Position::line)).unwrap_or(0);
                    if header {
                        header = false;
                        got.push((
                            0,
                            rec.iter().map(|c| c.trim().to_ascii_lowercase()).collect(),
                        ));
                    } else {
                        got.push((line, rec.iter().map(str::to_owned).collect()));
                    }
                }
                Ok(false) => {
                    if header {
                        got.push((0, Vec::new()));
                    }
                    return (got, None);
                }
                Err(e) => {
                    let line = e.position().map_or(0, csv::Position::line);
                    return (got, Some(usize::try_from(line).unwrap_or(0)));
                }
            }
        }
    }

    #[test]
    fn quote_free_text_and_any_other_read_as_the_csv_crate_reads_them() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let pieces: [&[u8]; 10] = [
            b"a",
            b"bc",
            b",",
            b",",
            b"\n",
            b"\n",
            b" ",
            b"\"",
            b"\r",
            "\u{e9}".as_bytes(),
        ];
        let mut rng = fastrand::Rng::with_seed(7);
        let mut quote_free = 0;
        for n in 0..3000 {
            let mut text = Vec::new();
            let len = rng.usize(0..60);
            // a third quote-free, a third with quotes and CRs only near the end (read
            // quote-free over several chunks, then handed over), a third anywhere
            let from = match n % 3 {
                0 => usize::MAX,
                1 => len * 2 / 3,
                _ => 0,
            };
            for i in 0..len {
                let k = if i >= from {
                    rng.usize(0..pieces.len())
                } else {
                    [0, 1, 2, 3, 4, 5, 6, 9][rng.usize(0..8)]
                };
                text.extend_from_slice(pieces[k]);
            }
            if n % 97 == 0 {
                let at = rng.usize(0..=text.len());
                text.insert(at, 0xff);
            }
            if !text.iter().any(|&b| b == b'"' || b == b'\r') {
                quote_free += 1;
            }
            let want = reference(&text);
            assert_eq!(
                shop(&text, dir.path()),
                want,
                "{:?}",
                String::from_utf8_lossy(&text)
            );
        }
        assert!(quote_free > 900, "{quote_free} quote-free texts");
    }
}
