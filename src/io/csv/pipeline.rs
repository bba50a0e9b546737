//! Reading tables on several threads: each table, cut into parts (byte ranges of a few MB,
//! or runs of row groups), is parsed (fields split, numbers, instants and amounts read) into
//! batches by workers of its own, all tables at once, while the calling thread folds the
//! batches into the dataset, table after table, part after part (the deliveries, which
//! touch only the orders, beside the carts and logins).
//!
//! Worker `w` of `k` parses parts `w, w + k, w + 2k, ...` in turn and sends their batches of
//! [`BATCH`] rows down one channel, at most [`AHEAD_BYTES`] of rows ahead of the folding
//! thread, which takes part `p`'s batches from worker `p % k` and hands each batch back,
//! emptied, to be filled again. So parsed rows wait only briefly, and a batch's memory is
//! written once: a table cut into as many parts as threads made each later part wait,
//! parsed whole, until the parts before it were folded, and then be copied (a gigabyte of
//! rows in flight, and a quarter of the page faults, for a 10 M-order shop).

use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};
use std::thread::Scope;

use super::CsvError;
use super::reader::Rows;

/// Rows per batch handed from the parsing thread.
const BATCH: usize = 8192;

/// Parsed rows and the text their string fields point into.
pub(super) struct Batch<S> {
    pub(super) text: Text,
    pub(super) rows: S,
}

/// What a batch holds its rows in: a `Vec` of rows, or columns.
pub(super) trait Rowset {
    /// Room for `n` rows.
    fn with_capacity(n: usize) -> Self;
    /// Rows held.
    fn len(&self) -> usize;
    /// Bytes a row takes, besides its text.
    const ROW_BYTES: usize;
    /// Forgets every row, keeping the room they took.
    fn clear(&mut self);
    /// Whether the rows may leave the parsing thread (rows waiting for something else to
    /// be read first keep the batch back, past its size).
    fn ready(&self) -> bool {
        true
    }
}

impl<T> Rowset for Vec<T> {
    const ROW_BYTES: usize = std::mem::size_of::<T>();
    fn with_capacity(n: usize) -> Self {
        Vec::with_capacity(n)
    }
    fn clear(&mut self) {
        self.clear();
    }
    fn len(&self) -> usize {
        self.len()
    }
}

/// The text of a batch's string fields, named by spans.
#[derive(Default)]
pub(super) struct Text(String);

impl Text {
    /// The text of a span.
    pub(super) fn get(&self, span: &Range<usize>) -> &str {
        self.0.get(span.clone()).unwrap_or("")
    }

    /// Keeps `s`; the span names it.
    pub(super) fn keep(&mut self, s: &str) -> Range<usize> {
        let start = self.0.len();
        self.0.push_str(s);
        start..self.0.len()
    }

    /// Forgets everything kept.
    pub(super) fn clear(&mut self) {
        self.0.clear();
    }
}

impl<S: Rowset> Batch<S> {
    pub(super) fn new() -> Self {
        Self {
            text: Text::default(),
            rows: S::with_capacity(BATCH),
        }
    }

    /// A batch folded and sent back (emptied), else a new one.
    fn reused(back: &Receiver<Self>) -> Self {
        back.try_recv().map_or_else(
            |_| Self::new(),
            |mut b| {
                b.text.clear();
                b.rows.clear();
                b
            },
        )
    }
}

impl<S> Batch<S> {
    /// Keeps `s` in the batch's text; the span names it there.
    pub(super) fn keep(&mut self, s: &str) -> Range<usize> {
        self.text.keep(s)
    }
}

/// What a worker sends for each of its parts: batches in file order, then the end of the
/// part (see [`Rows::handoff`]) or the error that stopped it.
pub(super) enum Piece<S> {
    Rows(Batch<S>),
    End(Option<(usize, u64)>),
    Failed(CsvError),
}

/// The batches of one table: one stream per worker (the pieces of its parts, part after
/// part) and the way back of its folded batches (filled again: the rows' memory is written
/// once, where a new batch each time cost a page fault per 4 KiB), and which parts are
/// skipped (read again by the part before; their worker stops parsing them).
pub(super) struct Parsed<S> {
    workers: Vec<Worker<S>>,
    skipped: Arc<[AtomicBool]>,
}

/// A worker's pieces, and the way back of its batches.
type Worker<S> = (Receiver<Piece<S>>, Sender<Batch<S>>);

/// Bytes of rows a worker may parse ahead of the thread folding them: enough for the
/// workers to use a core the folding thread leaves idle (a quarter of this or less made
/// loading slower), few next to the dataset.
const AHEAD_BYTES: usize = 16 << 20;

/// [`AHEAD_BYTES`] in batches of `S` (between 4 and 64).
fn ahead<S: Rowset>() -> usize {
    (AHEAD_BYTES / (BATCH * S::ROW_BYTES.max(1))).clamp(4, 64)
}

/// Starts parsing the parts of a table on `workers` threads of `scope` (fewer when there
/// are fewer parts), where the parser `make` returns for a part adds its next row to a
/// batch (`false` at the end; it may skip rows). Folding the batches ([`fold`]) gives the
/// rows and the first error of a sequential read. A worker stops when its receiver is
/// dropped.
pub(super) fn spawn_parser<'scope, R, S, P>(
    scope: &'scope Scope<'scope, '_>,
    parts: Vec<R>,
    workers: usize,
    make: impl Fn() -> P,
) -> Parsed<S>
where
    R: Rows + Send + 'scope,
    S: Rowset + Send + 'scope,
    P: FnMut(&mut R, &mut Batch<S>) -> Result<bool, CsvError> + Send + 'scope,
{
    let k = workers.clamp(1, parts.len().max(1));
    let skipped: Arc<[AtomicBool]> = parts.iter().map(|_| AtomicBool::new(false)).collect();
    let mut shares: Vec<Vec<(usize, R, P)>> = (0..k).map(|_| Vec::new()).collect();
    for (i, rows) in parts.into_iter().enumerate() {
        shares[i % k].push((i, rows, make()));
    }
    let workers = shares
        .into_iter()
        .map(|share| {
            let (tx, rx) = sync_channel::<Piece<S>>(ahead::<S>());
            let (back, folded) = channel::<Batch<S>>();
            let skipped = Arc::clone(&skipped);
            scope.spawn(move || {
                for (i, rows, parse) in share {
                    if parse_part(rows, parse, &tx, &folded, &skipped[i]).is_err() {
                        return; // nobody folds these rows any more
                    }
                }
            });
            (rx, back)
        })
        .collect();
    Parsed { workers, skipped }
}

/// Parses one part into batches (new, or from `folded`) sent down `tx`, then its end;
/// `Err` when the receiver is gone. A part found `skipped` ends at its next row.
fn parse_part<R: Rows, S: Rowset>(
    mut rows: R,
    mut parse: impl FnMut(&mut R, &mut Batch<S>) -> Result<bool, CsvError>,
    tx: &SyncSender<Piece<S>>,
    folded: &Receiver<Batch<S>>,
    skipped: &AtomicBool,
) -> Result<(), ()> {
    let send = |piece| tx.send(piece).map_err(drop);
    let mut batch = Batch::reused(folded);
    loop {
        if skipped.load(Ordering::Relaxed) {
            return send(Piece::End(None));
        }
        match parse(&mut rows, &mut batch) {
            Ok(true) if batch.rows.len() < BATCH || !batch.rows.ready() => {}
            Ok(true) => send(Piece::Rows(std::mem::replace(
                &mut batch,
                Batch::reused(folded),
            )))?,
            Ok(false) => {
                if batch.rows.len() > 0 {
                    send(Piece::Rows(batch))?;
                }
                return send(Piece::End(rows.handoff()));
            }
            Err(e) => {
                if batch.rows.len() > 0 {
                    send(Piece::Rows(batch))?;
                }
                return send(Piece::Failed(e));
            }
        }
    }
}

/// Folds a table's batches in order with `apply` (which takes their rows, leaving the
/// batch to be filled again), part after part as each hands over, up to the first error
/// (its line number counted from the file's start).
pub(super) fn fold<S>(
    parsed: Parsed<S>,
    mut apply: impl FnMut(&mut Batch<S>) -> Result<(), CsvError>,
) -> Result<(), CsvError> {
    let Parsed { workers, skipped } = parsed;
    let k = workers.len();
    let (mut i, mut lines) = (0, 0u64);
    while i < skipped.len() {
        let mut next = i + 1;
        let (rx, back) = &workers[i % k];
        // a worker gone before the part's end panicked: the scope resumes the panic
        while let Ok(piece) = rx.recv() {
            match piece {
                Piece::Rows(mut batch) => {
                    apply(&mut batch)?;
                    let _ = back.send(batch); // the worker may be done
                }
                Piece::Failed(e) => return Err(e.lines_after(lines)),
                Piece::End(handoff) => {
                    if let Some((part, more)) = handoff {
                        next = part;
                        lines += more;
                    }
                    break;
                }
            }
        }
        // parts read again by the part before: their pieces are dropped
        for (q, skip) in skipped.iter().enumerate().take(next).skip(i + 1) {
            skip.store(true, Ordering::Relaxed);
            while let Ok(Piece::Rows(_)) = workers[q % k].0.recv() {}
        }
        i = next;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::mpsc::{SyncSender, channel, sync_channel};

    use super::{BATCH, Batch, Piece, Rowset, ahead, fold, parse_part, spawn_parser};
    use crate::io::csv::CsvError;
    use crate::io::csv::reader::{Reader, Rows};

    /// A file of `n` one-field rows `0`, `1`, ...
    fn numbers(dir: &std::path::Path, n: usize) -> Reader {
        let path = dir.join("t.csv");
        let rows: Vec<String> = (0..n).map(|i| i.to_string()).collect();
        std::fs::write(&path, format!("n\n{}\n", rows.join("\n"))).unwrap();
        Reader::open(path).unwrap().unwrap()
    }

    fn parse(r: &mut Reader, b: &mut Batch<Vec<String>>) -> Result<bool, CsvError> {
        let more = r.next()?;
        if more {
            b.rows.push(r.field(0).to_owned());
        }
        Ok(more)
    }

    /// [`parse_part`] of a part of `n` rows ([`numbers`]), no batch to fill again.
    fn part_of(
        n: usize,
        parse: impl FnMut(&mut Reader, &mut Batch<Vec<String>>) -> Result<bool, CsvError>,
        tx: &SyncSender<Piece<Vec<String>>>,
        skipped: &AtomicBool,
    ) -> Result<(), ()> {
        let dir = tempfile::tempdir().unwrap();
        parse_part(numbers(dir.path(), n), parse, tx, &channel().1, skipped)
    }

    #[test]
    fn a_part_is_sent_in_batches_then_its_end() {
        let (tx, rx) = sync_channel(64);
        let done = part_of(BATCH * 2 + 5, parse, &tx, &AtomicBool::new(false));
        assert_eq!(done, Ok(()));
        drop(tx);
        let pieces: Vec<_> = rx.iter().collect();
        let sizes: Vec<usize> = pieces
            .iter()
            .filter_map(|p| match p {
                Piece::Rows(b) => Some(b.rows.len()),
                _ => None,
            })
            .collect();
        assert_eq!(sizes, vec![BATCH, BATCH, 5]);
        assert!(matches!(pieces.last(), Some(Piece::End(None))));
    }

    #[test]
    fn a_skipped_part_ends_at_its_next_row() {
        let skipped = AtomicBool::new(false);
        let (tx, rx) = sync_channel(64);
        let mut read = 0;
        let counting = |r: &mut Reader, b: &mut Batch<Vec<String>>| {
            read += 1;
            if read == BATCH + 3 {
                skipped.store(true, Ordering::Relaxed); // the fold found it read again
            }
            parse(r, b)
        };
        let done = part_of(BATCH * 5, counting, &tx, &skipped);
        assert_eq!((done, read), (Ok(()), BATCH + 3));
        drop(tx);
        let pieces: Vec<_> = rx.iter().collect();
        assert_eq!(pieces.len(), 2, "one batch, then the end");
        assert!(matches!(pieces.last(), Some(Piece::End(None))));
    }

    #[test]
    fn a_part_nobody_folds_stops_at_its_first_batch() {
        let (tx, rx) = sync_channel(64);
        drop(rx);
        let mut read = 0;
        let counting = |r: &mut Reader, b: &mut Batch<Vec<String>>| {
            read += 1;
            parse(r, b)
        };
        let done = part_of(BATCH * 5, counting, &tx, &AtomicBool::new(false));
        assert_eq!((done, read), (Err(()), BATCH));
    }

    /// Rows that count the batches made for them.
    struct Counted(Vec<u64>);

    static MADE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

    impl Rowset for Counted {
        // large rows: few batches ahead
        const ROW_BYTES: usize = 1 << 20;
        fn with_capacity(n: usize) -> Self {
            MADE.fetch_add(1, Ordering::Relaxed);
            Self(Vec::with_capacity(n))
        }
        fn len(&self) -> usize {
            self.0.len()
        }
        fn clear(&mut self) {
            self.0.clear();
        }
    }

    #[test]
    fn folded_batches_are_filled_again() {
        let dir = tempfile::tempdir().unwrap();
        let n = BATCH * 40;
        let (mut rows, mut sum) = (0, 0);
        std::thread::scope(|scope| {
            let parts = vec![numbers(dir.path(), n)];
            let parsed = spawn_parser(scope, parts, 1, || {
                |r: &mut Reader, b: &mut Batch<Counted>| {
                    let more = r.next()?;
                    if more {
                        b.rows.0.push(r.field(0).parse().unwrap());
                    }
                    Ok(more)
                }
            });
            fold(parsed, |b| {
                rows += b.rows.0.len();
                sum += b.rows.0.drain(..).sum::<u64>();
                Ok(())
            })
        })
        .unwrap();
        assert_eq!((rows, sum), (n, (n as u64 - 1) * n as u64 / 2));
        let made = MADE.load(Ordering::Relaxed);
        assert_eq!(ahead::<Counted>(), 4);
        // in the channel, with the worker, with the fold, on the way back
        assert!((1..=8).contains(&made), "{made} batches made for 40");
    }
}
