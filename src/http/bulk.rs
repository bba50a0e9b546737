//! What a bulk write reports about each item it was given, in both provider wings.

use crate::error::Error;

/// What a bulk write (Sendethic contact upserts, Sendsay member writes) did with the items of
/// its input, each named by its position in that input.
///
/// Nothing is reported written that the service did not confirm: items whose request failed,
/// or whose confirmation was missing or short after the retries, are [`Failed`](Self::Failed)
/// (they may or may not have been written, and are safe to send again: bulk writes are
/// idempotent upserts), and items the service refused or dropped are
/// [`Rejected`](Self::Rejected) with the reason.
///
/// ```
/// use relance::BulkEvent;
/// let event = BulkEvent::Written(vec![0, 1, 2]);
/// assert_eq!(event.indices(), vec![0, 1, 2]);
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum BulkEvent {
    /// The service confirmed these items were written.
    Written(Vec<usize>),
    /// This item was refused, before sending (invalid input) or by the service, with the
    /// reason; it will be refused again unless it changes.
    Rejected {
        /// Position in the input.
        index: usize,
        /// The item's key (the contact key or member identifier).
        key: String,
        /// Why.
        error: Error,
    },
    /// These items' request failed after the retries (or their confirmation never came):
    /// they are not confirmed written.
    Failed {
        /// Positions in the input.
        indices: Vec<usize>,
        /// The last error.
        error: Error,
    },
    /// This item goes on without one of its values, which could not be written (a phone
    /// number that is not a number, say): its own fate comes in another event.
    Warned {
        /// Position in the input.
        index: usize,
        /// The item's key.
        key: String,
        /// What was left out, and why.
        error: Error,
    },
}

impl BulkEvent {
    /// The positions of the items this event is about.
    ///
    /// ```
    /// let event = relance::BulkEvent::Failed {
    ///     indices: vec![4, 5],
    ///     error: relance::Error::Timeout { source: None },
    /// };
    /// assert_eq!(event.indices(), vec![4, 5]);
    /// ```
    #[must_use]
    pub fn indices(&self) -> Vec<usize> {
        match self {
            Self::Written(indices) | Self::Failed { indices, .. } => indices.clone(),
            Self::Rejected { index, .. } | Self::Warned { index, .. } => vec![*index],
        }
    }
}

/// An item of a bulk write refused, before sending or by the service.
#[derive(Debug)]
#[non_exhaustive]
pub struct Rejected {
    /// Its position in the input (0-based).
    pub index: usize,
    /// Its key, as given.
    pub key: String,
    /// Why: [`Error::InvalidInput`] naming the item when validation refused it, the
    /// service's error ([`Error::Api`]) when the service refused it alone, or
    /// [`Error::Protocol`] when the service answered but did not count it (dropped).
    pub reason: Error,
}

/// Items of a bulk write whose request failed after the retries: not confirmed written.
#[derive(Debug)]
#[non_exhaustive]
pub struct FailedWrite {
    /// Their positions in the input.
    pub indices: Vec<usize>,
    /// The last error.
    pub error: Error,
}

/// Totals of a [`BulkReport`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct BulkTotals {
    /// Items read from the input.
    pub submitted: usize,
    /// Items the service confirmed written.
    pub written: usize,
    /// Items refused (by validation or by the service).
    pub rejected: usize,
    /// Items whose request failed (not confirmed).
    pub failed: usize,
}

/// The result of a bulk write (Sendethic contact upserts, Sendsay member writes): every
/// input item is exactly one of written (confirmed by the service), rejected (with the
/// reason) or failed (with the error).
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct BulkReport {
    /// Items read from the input.
    pub submitted: usize,
    /// Positions of the items the service confirmed written, in input order.
    pub written: Vec<usize>,
    /// Items refused, in input order.
    pub rejected: Vec<Rejected>,
    /// Items whose request failed, by request.
    pub failed: Vec<FailedWrite>,
    /// Items written without one of their values, with the reason, in input order.
    pub warned: Vec<Rejected>,
}

impl BulkReport {
    /// The report of these events.
    pub(crate) fn of(submitted: usize, events: Vec<BulkEvent>) -> Self {
        let mut report = Self {
            submitted,
            ..Self::default()
        };
        for event in events {
            match event {
                BulkEvent::Written(indices) => report.written.extend(indices),
                BulkEvent::Rejected { index, key, error } => report.rejected.push(Rejected {
                    index,
                    key,
                    reason: error,
                }),
                BulkEvent::Failed { indices, error } => {
                    report.failed.push(FailedWrite { indices, error });
                }
                BulkEvent::Warned { index, key, error } => report.warned.push(Rejected {
                    index,
                    key,
                    reason: error,
                }),
            }
        }
        report.written.sort_unstable();
        report.warned.sort_by_key(|r| r.index);
        report.rejected.sort_by_key(|r| r.index);
        report
    }

    /// The totals.
    ///
    /// ```
    /// let t = relance::BulkReport::default().totals();
    /// assert_eq!(t.submitted, 0);
    /// ```
    #[must_use]
    pub fn totals(&self) -> BulkTotals {
        BulkTotals {
            submitted: self.submitted,
            written: self.written.len(),
            rejected: self.rejected.len(),
            failed: self.failed.iter().map(|f| f.indices.len()).sum(),
        }
    }

    /// Whether every contact was written.
    ///
    /// ```
    /// assert!(relance::BulkReport::default().is_complete());
    /// ```
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.rejected.is_empty() && self.failed.is_empty()
    }
}

/// Folds `source` into batches of at most `size` items (`size` ≥ 1): `open(n)` starts a
/// batch whose first item is the `n`th of the input, `add` folds each item into it as it is
/// pulled. What both wings' bulk writes send, one batch per request.
///
/// Folding as they come (rather than collecting the items first) lets a large item be
/// serialised and dropped at once, while it is still in cache, and keeps a batch's memory to
/// what it sends (the Sendethic contact is about 1 KB in memory, a few hundred bytes on the
/// wire).
pub(crate) fn numbered_batches<S: futures_util::Stream, B>(
    source: S,
    size: usize,
    mut open: impl FnMut(usize) -> B,
    mut add: impl FnMut(&mut B, S::Item),
) -> impl futures_util::Stream<Item = B> {
    use std::task::Poll;
    let mut source = Box::pin(source);
    let (mut next, mut done) = (0usize, false);
    let mut batch: Option<(B, usize)> = None;
    futures_util::stream::poll_fn(move |cx| {
        if done {
            return Poll::Ready(None);
        }
        loop {
            match source.as_mut().poll_next(cx) {
                Poll::Ready(Some(item)) => {
                    let (b, len) = batch.get_or_insert_with(|| (open(next), 0));
                    add(b, item);
                    *len += 1;
                    next += 1;
                    if *len == size {
                        return Poll::Ready(batch.take().map(|(b, _)| b));
                    }
                }
                Poll::Ready(None) => {
                    done = true;
                    return Poll::Ready(batch.take().map(|(b, _)| b));
                }
                Poll::Pending => return Poll::Pending,
            }
        }
    })
}
