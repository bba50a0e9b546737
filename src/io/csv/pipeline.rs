//! Reading tables on several threads: each table's rows are parsed (fields split, numbers,
//! instants and amounts read) into batches on a thread of its own, all tables at once, while
//! the calling thread folds the batches into the dataset, table after table, in file order
//! (the deliveries, which touch only the orders, beside the carts and logins).
//! A file's first part goes in batches of [`BATCH`] rows, at most [`AHEAD`] of them ahead of
//! the folding thread; a later part, whose rows wait for the parts before it anyway, in one
//! batch (large allocations, which go back to the system once folded, where thousands of
//! small ones stayed with the allocator; batches of a million rows measured slower).

use std::ops::Range;
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};
use std::thread::Scope;

use super::CsvError;
use super::reader::Rows;

/// Rows per batch handed from the parsing thread.
const BATCH: usize = 8192;

/// Rows a later part's thread reads between two signs of life ([`Piece::Alive`]): a part
/// read again by the part before (whose receiver is then dropped) stops within as many.
const ALIVE_EVERY: usize = if cfg!(test) { 16 } else { BATCH * 128 };

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
    /// Whether the rows may leave the parsing thread (rows waiting for something else to
    /// be read first keep the batch back, past its size).
    fn ready(&self) -> bool {
        true
    }
}

impl<T> Rowset for Vec<T> {
    fn with_capacity(n: usize) -> Self {
        Vec::with_capacity(n)
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

    /// Bytes kept.
    pub(super) fn len(&self) -> usize {
        self.0.len()
    }

    /// Forgets everything kept.
    pub(super) fn clear(&mut self) {
        self.0.clear();
    }
}

impl<S: Rowset> Batch<S> {
    pub(super) fn new() -> Self {
        Self {
            text: Text(String::with_capacity(BATCH * 32)),
            rows: S::with_capacity(BATCH),
        }
    }
}

impl<S> Batch<S> {
    /// Keeps `s` in the batch's text; the span names it there.
    pub(super) fn keep(&mut self, s: &str) -> Range<usize> {
        self.text.keep(s)
    }
}

/// What a parsing thread sends: batches in file order, then the end of its part (see
/// [`Rows::handoff`]) or the error that stopped it.
pub(super) enum Piece<S> {
    Rows(Batch<S>),
    /// A later part's thread still reading its one batch.
    Alive,
    End(Option<(usize, u64)>),
    Failed(CsvError),
}

/// The batches of one table, one stream per part of it.
pub(super) struct Parsed<S>(Vec<Receiver<Piece<S>>>);

/// Where a parsing thread sends its pieces: the first part of a table runs at most
/// [`AHEAD`] batches ahead of the folding thread; the later parts are not held back, as
/// their rows wait for the parts before them to be folded (holding them back would leave a
/// core idle). Their batch is the dataset's rows soon after.
enum Tx<S> {
    Bounded(SyncSender<Piece<S>>),
    Unbounded(Sender<Piece<S>>),
}

impl<S> Tx<S> {
    /// Sends `piece`; `Err` when the receiver is gone.
    fn send(&self, piece: Piece<S>) -> Result<(), ()> {
        match self {
            Self::Bounded(tx) => tx.send(piece).map_err(drop),
            Self::Unbounded(tx) => tx.send(piece).map_err(drop),
        }
    }
}

/// Batches the first part of a table may run ahead of the thread folding them: enough for
/// the parsers to use a core the folding thread leaves idle, a few tens of MB at most.
const AHEAD: usize = 32;

/// Starts parsing each part of a table on a thread of `scope`, where the parser `make`
/// returns adds the next row to a batch (`false` at the end; it may skip rows). Folding the
/// batches ([`fold`]) gives the rows and the first error of a sequential read. A thread
/// stops when its receiver is dropped.
pub(super) fn spawn_parser<'scope, R, S, P>(
    scope: &'scope Scope<'scope, '_>,
    parts: Vec<R>,
    make: impl Fn() -> P,
) -> Parsed<S>
where
    R: Rows + Send + 'scope,
    S: Rowset + Send + 'scope,
    P: FnMut(&mut R, &mut Batch<S>) -> Result<bool, CsvError> + Send + 'scope,
{
    let receivers = parts
        .into_iter()
        .enumerate()
        .map(|(i, rows)| {
            let (tx, rx) = if i == 0 {
                let (tx, rx) = sync_channel::<Piece<S>>(AHEAD);
                (Tx::Bounded(tx), rx)
            } else {
                let (tx, rx) = channel::<Piece<S>>();
                (Tx::Unbounded(tx), rx)
            };
            let parse = make();
            let limit = if i == 0 { BATCH } else { usize::MAX };
            scope.spawn(move || parse_part(rows, parse, &tx, limit));
            rx
        })
        .collect();
    Parsed(receivers)
}

/// One parsing thread's loop.
fn parse_part<R: Rows, S: Rowset>(
    mut rows: R,
    mut parse: impl FnMut(&mut R, &mut Batch<S>) -> Result<bool, CsvError>,
    tx: &Tx<S>,
    limit: usize,
) {
    let mut batch = Batch::new();
    loop {
        match parse(&mut rows, &mut batch) {
            Ok(true) if batch.rows.len() < limit || !batch.rows.ready() => {
                if limit == usize::MAX
                    && batch.rows.len().is_multiple_of(ALIVE_EVERY)
                    && tx.send(Piece::Alive).is_err()
                {
                    return; // read by the part before: nobody waits for these rows
                }
            }
            Ok(true) => {
                let full = std::mem::replace(&mut batch, Batch::new());
                if tx.send(Piece::Rows(full)).is_err() {
                    return;
                }
            }
            Ok(false) => {
                if batch.rows.len() == 0 || tx.send(Piece::Rows(batch)).is_ok() {
                    let _ = tx.send(Piece::End(rows.handoff()));
                }
                return;
            }
            Err(e) => {
                if batch.rows.len() == 0 || tx.send(Piece::Rows(batch)).is_ok() {
                    let _ = tx.send(Piece::Failed(e));
                }
                return;
            }
        }
    }
}

/// Folds a table's batches in order with `apply`, part after part as each hands over, up
/// to the first error (its line number counted from the file's start).
pub(super) fn fold<S>(
    parsed: Parsed<S>,
    mut apply: impl FnMut(Batch<S>) -> Result<(), CsvError>,
) -> Result<(), CsvError> {
    let mut parts: Vec<Option<Receiver<Piece<S>>>> = parsed.0.into_iter().map(Some).collect();
    let (mut i, mut lines) = (0, 0u64);
    while let Some(rx) = parts.get_mut(i).and_then(Option::take) {
        let mut next = i + 1;
        for piece in rx {
            match piece {
                Piece::Rows(batch) => apply(batch)?,
                Piece::Alive => {}
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
        for skipped in parts.iter_mut().take(next).skip(i + 1) {
            *skipped = None; // read again by the part before: its thread stops
        }
        i = next;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc::channel;

    use super::{ALIVE_EVERY, Batch, Piece, Tx, parse_part};
    use crate::io::csv::reader::{Reader, Rows};

    #[test]
    fn a_later_part_nobody_waits_for_stops_within_its_signs_of_life() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let rows: Vec<String> = (0..ALIVE_EVERY * 5).map(|i| i.to_string()).collect();
        std::fs::write(&path, format!("n\n{}\n", rows.join("\n"))).unwrap();
        let parse = |r: &mut Reader, b: &mut Batch<Vec<String>>| {
            let more = r.next()?;
            if more {
                b.rows.push(r.field(0).to_owned());
            }
            Ok(more)
        };
        // the part's rows read again by the part before: its receiver is gone
        let (tx, rx) = channel::<Piece<Vec<String>>>();
        drop(rx);
        let mut read = 0;
        let counting = |r: &mut Reader, b: &mut Batch<Vec<String>>| {
            read += 1;
            parse(r, b)
        };
        let reader = Reader::open(path.clone()).unwrap().unwrap();
        parse_part(reader, counting, &Tx::Unbounded(tx), usize::MAX);
        assert_eq!(read, ALIVE_EVERY, "stopped at its first sign of life");
        // waited for: every row in one batch, then the end
        let (tx, rx) = channel::<Piece<Vec<String>>>();
        let reader = Reader::open(path).unwrap().unwrap();
        parse_part(reader, parse, &Tx::Unbounded(tx), usize::MAX);
        let pieces: Vec<_> = rx.iter().collect();
        let alive = pieces.iter().filter(|p| matches!(p, Piece::Alive)).count();
        let batches: Vec<usize> = pieces
            .iter()
            .filter_map(|p| match p {
                Piece::Rows(b) => Some(b.rows.len()),
                _ => None,
            })
            .collect();
        assert_eq!((alive, batches), (5, vec![ALIVE_EVERY * 5]));
        assert!(matches!(pieces.last(), Some(Piece::End(None))));
    }
}
