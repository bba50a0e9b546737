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
            Self::Rejected { index, .. } => vec![*index],
        }
    }
}
