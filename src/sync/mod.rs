//! Incremental sync: consolidated contacts → a marketing service.
//!
//! 1. Turn each consolidated profile into a provider-neutral [`SyncRecord`] (the values the
//!    contact should have: revenue, orders, dates, opt-in...).
//! 2. A [`SyncTarget`] ([`SendethicTarget`], [`SendsayTarget`]) provisions a place for each
//!    [`ProfileField`] once (idempotently: fields tagged `relance_<name>` on Sendethic, a
//!    Sendsay questionnaire) and pushes records in bulk.
//! 3. [`Syncer`] pushes only the records whose values differ from what was last pushed
//!    successfully ([`SyncState`]): exact change detection, including retractions (refunds,
//!    cancellations) and time-driven changes (a cart that just became abandoned), because
//!    the comparison is on the values themselves. A contact whose push failed stays dirty
//!    and is pushed again next run; nothing is marked pushed that was not written.
//!
//! Dates are pushed as dates, not ages ("days since"), so the provider's relative segment
//! operators stay right without daily re-pushes.
//!
//! ```no_run
//! # async fn run() -> relance::Result<()> {
//! use relance::customer::ProfileField;
//! use relance::sync::{SendethicTarget, SyncRecord, SyncState, SyncValue, Syncer};
//!
//! let client = relance::sendethic::Client::from_env()?;
//! let previous = SyncState::default(); // or SyncState::from_text(&saved)?
//! let mut syncer = Syncer::new(SendethicTarget::new(client), previous);
//! let records = vec![
//!     SyncRecord::new("ann@example.com")
//!         .with(ProfileField::OrdersCount, SyncValue::int(3))
//!         .with(ProfileField::Revenue, SyncValue::Number("129.90".into())),
//! ];
//! let report = syncer.run(records).await?;
//! println!("{} pushed, {} unchanged", report.pushed, report.unchanged);
//! let saved = syncer.state().to_text(); // persist for the next run
//! # let _ = saved;
//! # Ok(()) }
//! ```

mod fields;
mod profile;
mod record;
mod sendethic;
mod sendsay;
mod state;
pub mod store;

use std::future::Future;

use crate::customer::ProfileField;
use crate::customer::segment::SegmentSpec;

pub use fields::{label, tag};
pub use record::{SyncRecord, SyncValue};
pub use sendethic::SendethicTarget;
pub use sendsay::SendsayTarget;
pub use state::SyncState;

use crate::error::{Error, Result};

/// What a push did with each record, by position in the pushed slice.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct PushOutcome {
    /// Records written.
    pub written: Vec<usize>,
    /// Records refused before sending (invalid values), with the reason.
    pub rejected: Vec<(usize, Error)>,
    /// Records whose request failed, grouped by the request (chunk) that failed.
    pub failed: Vec<(Vec<usize>, Error)>,
}

/// A service the sync engine can push to.
pub trait SyncTarget {
    /// Makes sure the service has a place for each field; idempotent, safe on every run.
    fn prepare(&mut self, fields: &[ProfileField]) -> impl Future<Output = Result<()>> + Send;

    /// Pushes records (fields already prepared); reports every record's fate.
    fn push(&self, records: &[SyncRecord]) -> impl Future<Output = Result<PushOutcome>> + Send;

    /// Creates each segment on the service unless one with its tag exists (fields already
    /// prepared). A segment the service cannot express is reported with the reason; the
    /// others still go through.
    fn ensure_segments(
        &self,
        segments: &[SegmentSpec],
    ) -> impl Future<Output = Result<Vec<SegmentOutcome>>> + Send;
}

/// What [`SyncTarget::ensure_segments`] did with one segment.
#[derive(Debug)]
#[non_exhaustive]
pub struct SegmentOutcome {
    /// The segment's tag.
    pub tag: String,
    /// The service's id of the segment and whether this call created it, or why it could
    /// not be provisioned.
    pub result: Result<(String, bool)>,
}

/// The result of one [`Syncer::run`].
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct SyncReport {
    /// Records considered.
    pub considered: usize,
    /// Records identical to their last push (not sent).
    pub unchanged: usize,
    /// Records written.
    pub pushed: usize,
    /// Records refused before sending, by email, with the reason.
    pub rejected: Vec<(String, Error)>,
    /// Records whose push failed, by email, grouped by the request that failed (they stay
    /// dirty and are pushed again next run).
    pub failed: Vec<(Vec<String>, Error)>,
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
}

/// Pushes what changed to a [`SyncTarget`], keeping the [`SyncState`].
#[derive(Debug)]
pub struct Syncer<T> {
    target: T,
    state: SyncState,
    fields: Vec<ProfileField>,
    prepared: bool,
}

impl<T: SyncTarget> Syncer<T> {
    /// A syncer pushing every [`ProfileField`] (but the email, the contact key), starting from
    /// `state` (what was pushed before).
    ///
    /// ```no_run
    /// # fn f(client: relance::sendethic::Client) {
    /// use relance::sync::{SendethicTarget, SyncState, Syncer};
    /// let syncer = Syncer::new(SendethicTarget::new(client), SyncState::default());
    /// # let _ = syncer;
    /// # }
    /// ```
    pub fn new(target: T, state: SyncState) -> Self {
        Self {
            target,
            state,
            fields: ProfileField::ALL
                .into_iter()
                .filter(fields::is_value)
                .collect(),
            prepared: false,
        }
    }

    /// Pushes only these fields (others in the records are ignored; the email is the contact
    /// key, never a pushed field).
    ///
    /// ```no_run
    /// # fn f(client: relance::sendethic::Client) {
    /// use relance::customer::ProfileField;
    /// use relance::sync::{SendethicTarget, SyncState, Syncer};
    /// let syncer = Syncer::new(SendethicTarget::new(client), SyncState::default())
    ///     .fields([ProfileField::Revenue, ProfileField::OrdersCount, ProfileField::LastOrderAt]);
    /// # let _ = syncer;
    /// # }
    /// ```
    #[must_use]
    pub fn fields(mut self, fields: impl IntoIterator<Item = ProfileField>) -> Self {
        let mut fields: Vec<ProfileField> = fields.into_iter().filter(fields::is_value).collect();
        fields.sort_unstable();
        fields.dedup();
        self.fields = fields;
        self.prepared = false;
        self
    }

    /// The state, to persist after a run ([`SyncState::to_text`]).
    ///
    /// ```no_run
    /// # fn f(syncer: relance::sync::Syncer<relance::sync::SendethicTarget>) {
    /// let text = syncer.state().to_text();
    /// # }
    /// ```
    pub fn state(&self) -> &SyncState {
        &self.state
    }

    /// The target.
    ///
    /// ```no_run
    /// # fn f(syncer: relance::sync::Syncer<relance::sync::SendethicTarget>) {
    /// let target = syncer.target();
    /// # }
    /// ```
    pub fn target(&self) -> &T {
        &self.target
    }

    /// Prepares the fields (once per syncer), then pushes the records whose values changed
    /// since their last successful push, and records the ones written.
    ///
    /// ```no_run
    /// # async fn f(mut syncer: relance::sync::Syncer<relance::sync::SendethicTarget>) -> relance::Result<()> {
    /// let report = syncer.run(Vec::new()).await?;
    /// for (emails, error) in &report.failed { eprintln!("{} contacts: {error}", emails.len()); }
    /// # Ok(()) }
    /// ```
    pub async fn run(
        &mut self,
        records: impl IntoIterator<Item = SyncRecord>,
    ) -> Result<SyncReport> {
        if !self.prepared {
            self.target.prepare(&self.fields).await?;
            self.prepared = true;
        }
        let mut report = SyncReport::default();
        let mut dirty = Vec::new();
        for record in records {
            report.considered += 1;
            let record = self.restrict(record);
            if self.state.is_dirty(&record) {
                dirty.push(record);
            } else {
                report.unchanged += 1;
            }
        }
        if dirty.is_empty() {
            return Ok(report);
        }
        let outcome = self.target.push(&dirty).await?;
        for i in outcome.written {
            if let Some(r) = dirty.get(i) {
                self.state.mark_pushed(r);
                report.pushed += 1;
            }
        }
        let email = |i: usize| {
            dirty
                .get(i)
                .map(|r| r.email().to_owned())
                .unwrap_or_default()
        };
        report.rejected = outcome
            .rejected
            .into_iter()
            .map(|(i, e)| (email(i), e))
            .collect();
        report.failed = outcome
            .failed
            .into_iter()
            .map(|(indices, e)| (indices.into_iter().map(email).collect(), e))
            .collect();
        Ok(report)
    }

    /// Prepares the fields if needed, then provisions the segments (for example
    /// [`relance_defaults`](crate::customer::segment::relance_defaults)) on the service.
    ///
    /// ```no_run
    /// # async fn f(mut syncer: relance::sync::Syncer<relance::sync::SendethicTarget>, policy: relance::customer::ConsolidationPolicy) -> relance::Result<()> {
    /// let outcomes = syncer.ensure_segments(&relance::customer::segment::relance_defaults(&policy)).await?;
    /// for o in outcomes {
    ///     if let Err(e) = &o.result { eprintln!("{}: {e}", o.tag); }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn ensure_segments(
        &mut self,
        segments: &[SegmentSpec],
    ) -> Result<Vec<SegmentOutcome>> {
        if !self.prepared {
            self.target.prepare(&self.fields).await?;
            self.prepared = true;
        }
        self.target.ensure_segments(segments).await
    }

    fn restrict(&self, mut record: SyncRecord) -> SyncRecord {
        record.retain(|field| self.fields.binary_search(field).is_ok());
        record
    }
}
