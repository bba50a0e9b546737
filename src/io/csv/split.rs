//! Reading one CSV file on several threads, split by byte ranges.
//!
//! The file is cut at guesses (the first line start after each `k / n` of its size); each
//! part is read from its guess by a reader of its own. Where each part's first record
//! starts, as its reader finds it, is read when the file is opened (so that no part waits
//! for another to be started). A part reads on past the next guess until its first record
//! starting there or later, and hands over when that record is the next part's first: the
//! guess was a record boundary, and the rows after it are the next part's. When it is not
//! (the guess fell inside a quoted field holding a line break), the next part's rows are
//! discarded and this part reads on to the guess after it. So quoted line breaks are read
//! exactly as by one reader, and line numbers are carried over at each hand-over.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;

/// Files below this size are read by one reader.
pub(crate) const MIN_SPLIT: u64 = 16 << 20;

/// Bytes per part of a file read in parts: small enough that the rows a worker parses ahead
/// of the folding thread stay few, large enough that a part's start (a file opened, its
/// first record found) costs nothing next to its reading.
pub(crate) const PART_BYTES: u64 = 8 << 20;

/// The parts the file at `path` is read in: one per [`PART_BYTES`] (one when it cannot be
/// read; opening it says why).
pub(crate) fn part_count(path: &Path) -> usize {
    std::fs::metadata(path).map_or(1, |m| {
        usize::try_from(m.len().div_ceil(PART_BYTES)).unwrap_or(usize::MAX)
    })
}

/// About how many rows the CSV file at `path` has, from its size and the lines of its first
/// 64 KiB (0 when it cannot be read): room reserved once where growing cost copies. Never
/// more than one row per 16 bytes (a head of short lines does not ask for more).
pub(crate) fn estimated_rows(path: &Path) -> usize {
    use std::io::Read;
    let Ok(file) = std::fs::File::open(path) else {
        return 0;
    };
    let size = file.metadata().map_or(0, |m| m.len());
    let mut head = Vec::with_capacity(1 << 16);
    if file.take(1 << 16).read_to_end(&mut head).is_err() || head.is_empty() {
        return 0;
    }
    // 64 KiB once per file: not worth a crate
    #[allow(clippy::naive_bytecount)]
    let lines = head.iter().filter(|&&b| b == b'\n').count().max(1) as u64;
    let estimate = size.saturating_mul(lines) / head.len() as u64;
    usize::try_from(estimate.min(size / 16)).unwrap_or(0)
}

/// Threads parsing each table: one per core.
pub(crate) fn workers() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

/// Where a part starts (absolute byte offset) and where its first record starts: absolute
/// byte offset and the part's own line number (`u64::MAX` when the part has no record).
pub(super) type Start = (u64, (u64, u64));

/// A part's place among the others.
pub(super) struct Part {
    /// Index of this part.
    pub(super) index: usize,
    /// Absolute offset of the part's first byte.
    pub(super) start: u64,
    /// The starts of parts `1..n`, found when the file is opened (one list for all parts).
    starts: Arc<[Start]>,
    /// How many of the parts after this one it reads into.
    aim: usize,
    /// Set when the part ends: the next part whose rows follow, and the line-number
    /// difference between this part's numbering and that part's.
    pub(super) handoff: Option<(usize, u64)>,
}

impl Part {
    pub(super) fn new(index: usize, start: u64, starts: Arc<[Start]>) -> Self {
        Self {
            index,
            start,
            starts,
            aim: 0,
            handoff: None,
        }
    }

    /// Called with each record read (absolute start, this part's line number): whether the
    /// record belongs to the next part, this part ending there.
    pub(super) fn ends_at(&mut self, at: u64, line: u64) -> bool {
        // part `index + 1 + aim` is `starts[index + aim]`
        while let Some(&(start, (their_at, their_line))) = self.starts.get(self.index + self.aim) {
            if at < start {
                return false;
            }
            if their_at == at {
                self.handoff = Some((self.index + 1 + self.aim, line.saturating_sub(their_line)));
                return true;
            }
            self.aim += 1; // the guess was inside a record: that part's rows are discarded
        }
        false
    }

    /// Called at the end of the file.
    pub(super) fn at_end(&mut self) {
        self.handoff = Some((self.starts.len() + 1, 0));
    }
}

/// The guessed starts of parts `1..n` of a file of `size` bytes: the first byte after a
/// line feed at or after each `k * size / n`, strictly increasing, past `after` (the
/// header) and before the end.
pub(super) fn guesses(path: &Path, size: u64, n: usize, after: u64) -> io::Result<Vec<u64>> {
    let mut file = File::open(path)?;
    let mut starts: Vec<u64> = Vec::new();
    let mut buf = vec![0u8; 1 << 16];
    for k in 1..n as u64 {
        let from = (size / n as u64) * k;
        let from = from.max(after).max(starts.last().copied().unwrap_or(0));
        file.seek(SeekFrom::Start(from))?;
        let mut at = from;
        let found = loop {
            let got = file.read(&mut buf)?;
            if got == 0 {
                break None;
            }
            if let Some(i) = buf[..got].iter().position(|&b| b == b'\n') {
                break Some(at + i as u64 + 1);
            }
            at += got as u64;
        };
        match found {
            Some(s) if s < size && starts.last().is_none_or(|&l| s > l) => starts.push(s),
            _ => break,
        }
    }
    Ok(starts)
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;
    use std::path::Path;

    use crate::io::csv::CsvError;
    use crate::io::csv::pipeline::{fold, spawn_parser};
    use crate::io::csv::reader::{Reader, Rows};

    /// A temporary file holding `text`, removed when the returned path is dropped.
    fn file(text: &str) -> tempfile::TempPath {
        let mut f = tempfile::Builder::new()
            .prefix("relance-split-")
            .suffix(".csv")
            .tempfile()
            .unwrap();
        std::io::Write::write_all(&mut f, text.as_bytes()).unwrap();
        f.into_temp_path()
    }

    /// The rows (fields of columns `id`, `note`) as read through the pipeline from `n`
    /// parts, or the first error.
    fn read(path: &Path, n: usize) -> Result<(usize, Vec<(String, String)>), CsvError> {
        read_on(path, n, 2)
    }

    /// [`read`] by `workers` threads.
    fn read_on(
        path: &Path,
        n: usize,
        workers: usize,
    ) -> Result<(usize, Vec<(String, String)>), CsvError> {
        let parts = Reader::open_parts(path.to_path_buf(), n, 0)
            .unwrap()
            .unwrap();
        let count = parts.len();
        let (ci, cn) = (parts[0].col("id"), parts[0].col("note"));
        let mut rows = Vec::new();
        std::thread::scope(|scope| {
            let parsed = spawn_parser(scope, parts, workers, || {
                move |r: &mut Reader,
                      batch: &mut super::super::pipeline::Batch<Vec<(String, String)>>| {
                    if !r.next()? {
                        return Ok(false);
                    }
                    if r.field(ci) == "bad" {
                        return Err(r.err("bad row".into()));
                    }
                    batch
                        .rows
                        .push((r.field(ci).to_owned(), r.field(cn).to_owned()));
                    Ok(true)
                }
            });
            fold(parsed, |batch| {
                rows.append(&mut batch.rows);
                Ok(())
            })
        })?;
        Ok((count, rows))
    }

    /// A file whose rows hold quoted line breaks, quotes and blank lines everywhere, so that
    /// some guesses fall inside records.
    fn tricky(rows: usize) -> String {
        let mut s = String::from("id,note\n");
        for i in 0..rows {
            match i % 5 {
                0 => write!(s, "{i},\"two\nlines\"\n").unwrap(),
                1 => write!(s, "{i},\"a \"\"quote\"\"\n\n and a blank line\"\n").unwrap(),
                2 => write!(s, "{i},plain\r\n").unwrap(),
                3 => write!(s, "\n{i},after a blank line\n").unwrap(),
                _ => writeln!(s, "{i},\"{}\"", "x\n".repeat(i % 7)).unwrap(),
            }
        }
        s
    }

    /// Mostly plain rows (read without the `csv` crate until a quote or CR comes), with a
    /// quoted line break, quotes and a CR line end every `every` rows.
    fn sparse(rows: usize, every: usize) -> String {
        let mut s = String::from("id,note\n");
        for i in 0..rows {
            match (i % every == every - 1, i % 2) {
                (true, 0) => write!(s, "{i},\"two\nlines, \"\"quoted\"\"\"\n").unwrap(),
                (true, _) => write!(s, "{i},plain\r\n\n").unwrap(),
                _ => writeln!(s, "{i},plain {i}").unwrap(),
            }
        }
        s
    }

    #[test]
    fn parts_read_the_rows_of_one_reader_whatever_the_cuts() {
        let tricky = [0, 1, 2, 7, 50, 333].map(|n| (tricky(n), n));
        let sparse = [(400, 97), (333, 50), (60, 1000)].map(|(n, e)| (sparse(n, e), n));
        for (text, rows) in tricky.into_iter().chain(sparse) {
            let path = file(&text);
            let (_, whole) = read(&path, 1).unwrap();
            assert_eq!(whole.len(), rows);
            for n in [2, 3, 5, 8, 13] {
                for workers in [1, 2, 3] {
                    let (count, split) = read_on(&path, n, workers).unwrap();
                    assert!(rows < 50 || count > 1, "{rows} rows: split in {count}");
                    assert_eq!(split, whole, "{rows} rows in {n} parts, {workers} workers");
                }
            }
        }
    }

    #[test]
    fn an_error_in_a_later_part_names_the_line_of_one_reader() {
        let mut text = tricky(300);
        text.push_str("bad,row\n");
        text.push_str(&tricky(40)[8..]);
        let path = file(&text);
        let want = read(&path, 1).unwrap_err().to_string();
        assert!(want.ends_with(": bad row"), "{want}");
        for n in [2, 3, 4, 9] {
            let (count, _) = read(&file(&tricky(300)), n).unwrap();
            assert!(count > 1);
            for workers in [1, 3] {
                let got = read_on(&path, n, workers).unwrap_err().to_string();
                assert_eq!(got, want, "{n} parts, {workers} workers");
            }
        }
    }

    #[test]
    fn rows_are_estimated_from_the_first_64_kib() {
        let rows = |n: usize| {
            (0..n).fold(String::new(), |mut t, i| {
                let _ = writeln!(t, "{i:08},someone{i:08}@example.com");
                t
            })
        };
        // whole file read: exact
        assert_eq!(super::estimated_rows(&file(&rows(1_000))), 1_000);
        // rows of one length: within 0.1 % of the truth (the head's last row is cut)
        let estimate = super::estimated_rows(&file(&rows(20_000)));
        assert!(estimate.abs_diff(20_000) <= 20, "{estimate}");
        assert_eq!(
            super::estimated_rows(Path::new("/nonexistent/relance.csv")),
            0
        );
        assert_eq!(super::estimated_rows(&file("")), 0);
        // a head of short lines asks for one row per 16 bytes at most
        let mut short = "a\n".repeat(40_000);
        short.push_str(&"x".repeat(1 << 20));
        let path = file(&short);
        let size = std::fs::metadata(&path).unwrap().len();
        assert_eq!(super::estimated_rows(&path) as u64, size / 16);
    }
}
