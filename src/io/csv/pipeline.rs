//! Reading a table on two threads: one parses the rows (fields split, numbers, instants and
//! amounts read) into batches, the other folds the batches into the dataset, in file order.

use std::ops::Range;
use std::sync::mpsc::sync_channel;

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

/// Reads `rows` on a second thread, where `parse` adds the next row to a batch (`false` at
/// the end; it may skip rows), while `apply` folds each batch on this thread. Batches come
/// in file order and a parsing error after the rows before it, so the result and the first
/// error are those of a sequential read. Parsing stops when `apply` fails.
pub(super) fn pipelined<R, T, P, A>(rows: R, mut parse: P, mut apply: A) -> Result<(), CsvError>
where
    R: Rows + Send,
    T: Send,
    P: FnMut(&mut R, &mut Batch<T>) -> Result<bool, CsvError> + Send,
    A: FnMut(Batch<T>) -> Result<(), CsvError>,
{
    std::thread::scope(|scope| {
        let (tx, rx) = sync_channel::<Result<Batch<T>, CsvError>>(4);
        scope.spawn(move || {
            let mut rows = rows;
            let mut batch = Batch::new();
            loop {
                match parse(&mut rows, &mut batch) {
                    Ok(true) if batch.rows.len() < BATCH => {}
                    Ok(true) => {
                        let full = std::mem::replace(&mut batch, Batch::new());
                        if tx.send(Ok(full)).is_err() {
                            return;
                        }
                    }
                    Ok(false) => {
                        if !batch.rows.is_empty() {
                            let _ = tx.send(Ok(batch));
                        }
                        return;
                    }
                    Err(e) => {
                        if batch.rows.is_empty() || tx.send(Ok(batch)).is_ok() {
                            let _ = tx.send(Err(e));
                        }
                        return;
                    }
                }
            }
        });
        for batch in rx {
            apply(batch?)?;
        }
        Ok(())
    })
}
