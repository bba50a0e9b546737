//! What one sync run did.

use std::fmt;

use crate::error::Error;

/// The result of one [`Syncer::run`](super::Syncer::run).
///
/// Nothing is counted as pushed that the service did not confirm. A rejected contact was
/// refused (by validation or by the service) and will be refused again until its values
/// change; a failed contact's request failed after the retries: it stays dirty and is pushed
/// again next run.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct SyncReport {
    /// Records considered.
    pub considered: usize,
    /// Records identical to their last confirmed push (not sent).
    pub unchanged: usize,
    /// Records the service confirmed written in this run.
    pub pushed: usize,
    /// Records refused, by email, with the reason.
    pub rejected: Vec<(String, Error)>,
    /// Records whose push failed, by email, grouped by the request that failed.
    pub failed: Vec<(Vec<String>, Error)>,
    /// Records pushed without one of their values, by email, with the reason (a phone
    /// number that cannot be read as one, say): they count in `pushed` or elsewhere too.
    pub warnings: Vec<(String, Error)>,
    /// Contacts that left the shop's data and were removed at the provider under the
    /// syncer's [`Mirror`](super::Mirror) policy (unsubscribed or deleted), by email; those
    /// whose removal failed are in `failed`.
    pub removed: Vec<(String, super::Mirror)>,
}

impl SyncReport {
    /// Whether every changed record was written.
    ///
    /// ```
    /// assert!(relance::sync::SyncReport::default().is_complete());
    /// ```
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.rejected.is_empty() && self.failed.is_empty()
    }

    /// How many contacts were rejected.
    ///
    /// ```
    /// assert_eq!(relance::sync::SyncReport::default().rejected_count(), 0);
    /// ```
    #[must_use]
    pub fn rejected_count(&self) -> usize {
        self.rejected.len()
    }

    /// How many contacts failed (and stay dirty).
    ///
    /// ```
    /// assert_eq!(relance::sync::SyncReport::default().failed_count(), 0);
    /// ```
    #[must_use]
    pub fn failed_count(&self) -> usize {
        self.failed.iter().map(|(emails, _)| emails.len()).sum()
    }
}

/// `considered N, pushed P, unchanged U, rejected R, failed F`.
impl fmt::Display for SyncReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "considered {}, pushed {}, unchanged {}, rejected {}, failed {}",
            self.considered,
            self.pushed,
            self.unchanged,
            self.rejected_count(),
            self.failed_count()
        )
    }
}

/// What a run would push, from [`Syncer::plan`](super::Syncer::plan): a dry run that reads
/// the store and writes nothing anywhere.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct SyncPlan {
    /// Records considered.
    pub considered: usize,
    /// Records identical to their last confirmed push.
    pub unchanged: usize,
    /// Records a run would push (new or changed since their last confirmed push), by email,
    /// in input order.
    pub to_push: Vec<String>,
    /// Of those, the ones never confirmed pushed before (new to the service, as far as the
    /// store knows).
    pub new: usize,
    /// Records a run would refuse before sending (a value that does not fit its field), by
    /// email, with the reason.
    pub rejected: Vec<(String, Error)>,
}

impl fmt::Display for SyncPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "considered {}, would push {} ({} new), unchanged {}, would reject {}",
            self.considered,
            self.to_push.len(),
            self.new,
            self.unchanged,
            self.rejected.len()
        )
    }
}
