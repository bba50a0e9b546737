//! Reading tables on several threads: each table's rows are parsed (fields split, numbers,
//! instants and amounts read) into batches on a thread of its own, all tables at once, while
//! the calling thread folds the batches into the dataset, table after table, in file order.

use std::ops::Range;
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};
use std::thread::Scope;

use super::CsvError;
use super::reader::Rows;

/// Rows per batch handed from the parsing thread.
const BATCH: usize = 8192;

/// Parsed rows and the text their string fields point into.
pub(super) struct Batch<T> {
    pub(super) text: Text,
    pub(super) rows: Vec<T>,
}

/// The text of a batch's string fields, named by spans.
pub(super) struct Text(String);

impl Text {
    /// The text of a span.
    pub(super) fn get(&self, span: &Range<usize>) -> &str {
        self.0.get(span.clone()).unwrap_or("")
    }
}

impl<T> Batch<T> {
    fn new() -> Self {
        Self {
            text: Text(String::with_capacity(BATCH * 32)),
            rows: Vec::with_capacity(BATCH),
        }
    }

    /// Keeps `s` in the batch's text; the span names it there.
    pub(super) fn keep(&mut self, s: &str) -> Range<usize> {
        let start = self.text.0.len();
        self.text.0.push_str(s);
        start..self.text.0.len()
    }
}

/// What a parsing thread sends: batches in file order, then the end of its part (see
/// [`Rows::handoff`]) or the error that stopped it.
pub(super) enum Piece<T> {
    Rows(Batch<T>),
    End(Option<(usize, u64)>),
    Failed(CsvError),
}

/// The batches of one table, one stream per part of it.
pub(super) struct Parsed<T>(Vec<Receiver<Piece<T>>>);

/// Where a parsing thread sends its pieces: the first part of a table runs at most
/// [`AHEAD`] batches ahead of the folding thread; the later parts are not held back, as
/// their rows wait for the parts before them to be folded (holding them back would leave a
/// core idle). Their batches are the dataset's rows soon after.
enum Tx<T> {
    Bounded(SyncSender<Piece<T>>),
    Unbounded(Sender<Piece<T>>),
}

impl<T> Tx<T> {
    /// Sends `piece`; `Err` when the receiver is gone.
    fn send(&self, piece: Piece<T>) -> Result<(), ()> {
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
pub(super) fn spawn_parser<'scope, R, T, P>(
    scope: &'scope Scope<'scope, '_>,
    parts: Vec<R>,
    make: impl Fn() -> P,
) -> Parsed<T>
where
    R: Rows + Send + 'scope,
    T: Send + 'scope,
    P: FnMut(&mut R, &mut Batch<T>) -> Result<bool, CsvError> + Send + 'scope,
{
    let receivers = parts
        .into_iter()
        .enumerate()
        .map(|(i, rows)| {
            let (tx, rx) = if i == 0 {
                let (tx, rx) = sync_channel::<Piece<T>>(AHEAD);
                (Tx::Bounded(tx), rx)
            } else {
                let (tx, rx) = channel::<Piece<T>>();
                (Tx::Unbounded(tx), rx)
            };
            let parse = make();
            scope.spawn(move || parse_part(rows, parse, &tx));
            rx
        })
        .collect();
    Parsed(receivers)
}

/// One parsing thread's loop.
fn parse_part<R: Rows, T>(
    mut rows: R,
    mut parse: impl FnMut(&mut R, &mut Batch<T>) -> Result<bool, CsvError>,
    tx: &Tx<T>,
) {
    let mut batch = Batch::new();
    loop {
        match parse(&mut rows, &mut batch) {
            Ok(true) if batch.rows.len() < BATCH => {}
            Ok(true) => {
                let full = std::mem::replace(&mut batch, Batch::new());
                if tx.send(Piece::Rows(full)).is_err() {
                    return;
                }
            }
            Ok(false) => {
                if batch.rows.is_empty() || tx.send(Piece::Rows(batch)).is_ok() {
                    let _ = tx.send(Piece::End(rows.handoff()));
                }
                return;
            }
            Err(e) => {
                if batch.rows.is_empty() || tx.send(Piece::Rows(batch)).is_ok() {
                    let _ = tx.send(Piece::Failed(e));
                }
                return;
            }
        }
    }
}

/// Folds a table's batches in order with `apply`, part after part as each hands over, up
/// to the first error (its line number counted from the file's start).
pub(super) fn fold<T>(
    parsed: Parsed<T>,
    mut apply: impl FnMut(Batch<T>) -> Result<(), CsvError>,
) -> Result<(), CsvError> {
    let mut parts: Vec<Option<Receiver<Piece<T>>>> = parsed.0.into_iter().map(Some).collect();
    let (mut i, mut lines) = (0, 0u64);
    while let Some(rx) = parts.get_mut(i).and_then(Option::take) {
        let mut next = i + 1;
        for piece in rx {
            match piece {
                Piece::Rows(batch) => apply(batch)?,
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
