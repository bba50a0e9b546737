//! The sync engine: what changed goes out, what the service confirms is recorded.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use futures_util::stream;

use super::batch::{Batch, Pending, lock, take};
use super::consent::{ConsentChange, ConsentGuard};
use super::fields;
use super::mirror::{self, DEFAULT_MIRROR_LIMIT, Mirror};
use super::record::{SyncRecord, record_email};
use super::report::{Progress, SyncReport};
use super::store::{Fingerprints, MemoryStore, StateStore};
use super::target::{Erased, SegmentOutcome, Subscribed, SyncTarget};
use crate::customer::clv::PredictedValues;
use crate::customer::par::in_parallel;
use crate::customer::segment::SegmentSpec;
use crate::customer::{Consolidation, ProfileField};
use crate::error::{Error, Result, StateError};
use crate::http::BulkEvent;

/// How often a long run reports its progress (a `tracing` event at level `INFO`).
const PROGRESS_EVERY: Duration = Duration::from_secs(10);

/// Pushes what changed to a [`SyncTarget`], remembering confirmed pushes in a
/// [`StateStore`].
///
/// Each [`run`](Self::run):
/// 1. checks that the store describes the target's account, and takes the store's run lock
///    (a second run of the same account fails at once with
///    [`StateError::Locked`](crate::error::StateError::Locked));
/// 2. provisions the fields on the service (once per run, surviving single faults);
/// 3. streams the records: a record whose values equal its last confirmed push is counted
///    unchanged, the others go to the target, which pulls them as it sends;
/// 4. records every chunk the service confirmed as soon as it is confirmed, so a crash
///    loses nothing confirmed and the next run sends only what was not.
///
/// Memory stays bounded by the loaded fingerprints (about 54 bytes per contact) and the
/// records in flight, whatever the number of records.
///
/// ```no_run
/// # async fn run(profiles: relance::customer::Consolidation<'_>) -> relance::Result<()> {
/// use relance::sync::store::SqliteStore;
/// use relance::sync::{SendethicTarget, SyncRecord, SyncTarget, Syncer};
///
/// let target = SendethicTarget::new(relance::sendethic::Client::from_env()?);
/// let store = SqliteStore::open("sync-state.sqlite", target.scope()?)?;
/// let mut syncer = Syncer::new(target, store);
/// let report = syncer.run(SyncRecord::all(&profiles)).await?;
/// println!("sync: {report}");
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Syncer<T, S> {
    pub(super) target: T,
    pub(super) store: S,
    pub(super) fields: Vec<ProfileField>,
    pub(super) prepared: bool,
    pub(super) mirror: Mirror,
    pub(super) mirror_limit: f64,
    consent: ConsentGuard,
    guard_consent: bool,
    list_unchanged: bool,
    progress: Option<ProgressHook>,
}

/// A progress callback and how often it is called.
#[derive(Clone)]
struct ProgressHook {
    every: Duration,
    call: Arc<dyn Fn(&Progress) + Send + Sync>,
}

impl std::fmt::Debug for ProgressHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProgressHook")
            .field("every", &self.every)
            .finish_non_exhaustive()
    }
}

/// How many profiles [`Syncer::run_profiles`] builds and compares per step (split across
/// the threads): small enough to keep memory flat, large enough to pay for the threads.
pub(super) const PROFILE_BLOCK: usize = 16_384;

impl<T: SyncTarget> Syncer<T, MemoryStore> {
    /// A syncer whose memory lives only as long as this process (a [`MemoryStore`] for the
    /// target's account): for one-off runs and tests. Nightly jobs want a durable store
    /// ([`SqliteStore`](super::store::SqliteStore), `PostgresStore`).
    ///
    /// ```
    /// use relance::sync::{SendethicTarget, Syncer};
    /// let client = relance::sendethic::Client::builder("12345", "key").build()?;
    /// let syncer = Syncer::in_memory(SendethicTarget::new(client))?;
    /// # let _ = syncer;
    /// # Ok::<(), relance::Error>(())
    /// ```
    pub fn in_memory(target: T) -> Result<Self> {
        let store = MemoryStore::new(target.scope()?);
        Ok(Self::new(target, store))
    }
}

impl<T: SyncTarget, S: StateStore> Syncer<T, S> {
    /// A syncer pushing every [`ProfileField`] but the email (the contact key) to `target`,
    /// with its memory in `store`.
    ///
    /// ```no_run
    /// # fn f(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sync::store::{MemoryStore, Scope};
    /// use relance::sync::{SendethicTarget, Syncer};
    /// let store = MemoryStore::new(Scope::new("sendethic", client.account_id())?);
    /// let syncer = Syncer::new(SendethicTarget::new(client), store);
    /// # let _ = syncer;
    /// # Ok(()) }
    /// ```
    pub fn new(target: T, store: S) -> Self {
        Self {
            target,
            store,
            fields: ProfileField::ALL
                .into_iter()
                .filter(fields::is_value)
                .collect(),
            prepared: false,
            mirror: Mirror::Keep,
            mirror_limit: DEFAULT_MIRROR_LIMIT,
            consent: ConsentGuard::default(),
            guard_consent: false,
            list_unchanged: false,
            progress: None,
        }
    }

    /// What whole-shop runs ([`run_profiles`](Self::run_profiles),
    /// [`run_predicted`](Self::run_predicted)) do with contacts that left the shop's data
    /// (default [`Mirror::Keep`]). At most [`mirror_limit`](Self::mirror_limit) of the known
    /// contacts are removed in one run; above it nothing is, and the report says why.
    ///
    /// ```no_run
    /// # fn f(syncer: relance::sync::Syncer<relance::sync::SendethicTarget, relance::sync::store::MemoryStore>) {
    /// let syncer = syncer.mirror(relance::sync::Mirror::Delete);
    /// # let _ = syncer;
    /// # }
    /// ```
    #[must_use]
    pub fn mirror(mut self, mode: Mirror) -> Self {
        self.mirror = mode;
        self
    }

    /// The largest share (0 to 1) of the known contacts one run may remove under the
    /// [`mirror`](Self::mirror) policy (default [`DEFAULT_MIRROR_LIMIT`], 10 %).
    ///
    /// ```no_run
    /// # fn f(syncer: relance::sync::Syncer<relance::sync::SendethicTarget, relance::sync::store::MemoryStore>) {
    /// let syncer = syncer.mirror(relance::sync::Mirror::Unsubscribe).mirror_limit(0.25);
    /// # let _ = syncer;
    /// # }
    /// ```
    #[must_use]
    pub fn mirror_limit(mut self, share: f64) -> Self {
        self.mirror_limit = share;
        self
    }

    /// A newsletter sign-up, at once: writes this one contact subscribed (attached to the
    /// target's sign-up list or source, with Sendsay's double opt-in when configured) and
    /// records the push in the store, so that the nightly run does not send it again while
    /// its values stay the same. Provisions the fields first if this syncer has not yet.
    /// Does not take the run lock: a sign-up may land while a nightly run is going on.
    ///
    /// ```no_run
    /// # async fn f(mut syncer: relance::sync::Syncer<relance::sync::SendethicTarget, relance::sync::store::MemoryStore>) -> relance::Result<()> {
    /// use relance::customer::ProfileField;
    /// use relance::sync::{SyncRecord, SyncValue};
    /// let ann = SyncRecord::new("ann@example.com").with(ProfileField::NewsletterOptIn, SyncValue::OptIn(true));
    /// let state = syncer.subscribe(ann).await?;
    /// # Ok(()) }
    /// ```
    pub async fn subscribe(&mut self, mut record: SyncRecord) -> Result<Subscribed> {
        self.check_scope()?;
        self.ensure_prepared().await?;
        record.retain(|f| self.fields.binary_search(f).is_ok());
        record.check()?;
        let fingerprint = record.fingerprint();
        let state = self.target.subscribe(&record).await?;
        self.store.record(&[(record.email(), fingerprint)]).await?;
        Ok(state)
    }

    /// Reads the newsletter consent changes made at the provider since `since` (everything
    /// the provider knows when `None`), for the shop to apply to its data, and remembers
    /// them: from now on this syncer never pushes a shop consent that differs from one of
    /// them unless the shop's consent instant ([`ProfileField::NewsletterOptInAt`]) is
    /// newer. When the provider's change has no instant (Sendsay's stop-list), or the shop's
    /// consent has none, the provider's wins: an unsubscribe made there is never undone by a
    /// stale opt-in. Such a contact's other values are still pushed, with a warning in the
    /// report. What each provider can tell: Sendethic dates an unsubscription, and an
    /// opt-in only by the contact's last modification (an approximation: any write moves
    /// it); Sendsay's stop-list is undated, and a removal from it (a re-subscription) is not
    /// seen at all. Call it at the start of the nightly job (or let runs do it, see
    /// [`guard_consent`](Self::guard_consent)).
    ///
    /// ```no_run
    /// # async fn f(mut syncer: relance::sync::Syncer<relance::sync::SendethicTarget, relance::sync::store::MemoryStore>) -> relance::Result<()> {
    /// for change in syncer.consent_changes(None).await? {
    ///     println!("{} {}", change.email, if change.subscribed { "subscribed" } else { "unsubscribed" });
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn consent_changes(
        &mut self,
        since: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<Vec<ConsentChange>> {
        let changes = self.target.consent_changes(since).await?;
        self.consent.learn(&changes);
        Ok(changes)
    }

    /// Whether each run first reads the provider's consent changes itself (as
    /// [`consent_changes`](Self::consent_changes)`(None)`) to apply the newer-consent rule;
    /// a run then fails if they cannot be read. Default `false`: the nightly job calls
    /// `consent_changes` once, applies the changes to the shop, and runs.
    ///
    /// ```no_run
    /// # fn f(syncer: relance::sync::Syncer<relance::sync::SendethicTarget, relance::sync::store::MemoryStore>) {
    /// let syncer = syncer.guard_consent(true);
    /// # let _ = syncer;
    /// # }
    /// ```
    #[must_use]
    pub fn guard_consent(mut self, yes: bool) -> Self {
        self.guard_consent = yes;
        self
    }

    /// Calls `f` with the run's [`Progress`] at most every `every` while records settle, and
    /// once more when the run is over (`done`), for a progress bar or a job's heartbeat.
    /// Runs also log their progress as `tracing` events every 10 s.
    ///
    /// ```no_run
    /// # fn f(syncer: relance::sync::Syncer<relance::sync::SendethicTarget, relance::sync::store::MemoryStore>) {
    /// use std::time::Duration;
    /// let syncer = syncer.on_progress(Duration::from_secs(1), |p| {
    ///     eprintln!("pushed {} of {} considered", p.pushed, p.considered);
    /// });
    /// # let _ = syncer;
    /// # }
    /// ```
    #[must_use]
    pub fn on_progress(
        mut self,
        every: Duration,
        f: impl Fn(&Progress) + Send + Sync + 'static,
    ) -> Self {
        self.progress = Some(ProgressHook {
            every,
            call: Arc::new(f),
        });
        self
    }

    /// Whether the report lists the unchanged contacts by email too
    /// ([`SyncReport::unchanged_contacts`]); default `false` (their count is always there).
    ///
    /// ```no_run
    /// # fn f(syncer: relance::sync::Syncer<relance::sync::SendethicTarget, relance::sync::store::MemoryStore>) {
    /// let syncer = syncer.list_unchanged(true);
    /// # let _ = syncer;
    /// # }
    /// ```
    #[must_use]
    pub fn list_unchanged(mut self, yes: bool) -> Self {
        self.list_unchanged = yes;
        self
    }

    /// Pushes only these fields (others in the records are ignored; the email is the contact
    /// key, never a pushed field).
    ///
    /// ```no_run
    /// # fn f(syncer: relance::sync::Syncer<relance::sync::SendethicTarget, relance::sync::store::MemoryStore>) {
    /// use relance::customer::ProfileField;
    /// let syncer = syncer.fields([ProfileField::Revenue, ProfileField::OrdersCount, ProfileField::LastOrderAt]);
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

    /// The target.
    ///
    /// ```no_run
    /// # fn f(syncer: relance::sync::Syncer<relance::sync::SendethicTarget, relance::sync::store::MemoryStore>) {
    /// let target = syncer.target();
    /// # }
    /// ```
    pub fn target(&self) -> &T {
        &self.target
    }

    /// The store.
    ///
    /// ```no_run
    /// # fn f(syncer: relance::sync::Syncer<relance::sync::SendethicTarget, relance::sync::store::MemoryStore>) {
    /// use relance::sync::store::StateStore;
    /// println!("{}", syncer.store().scope());
    /// # }
    /// ```
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Runs one sync: provisions the fields, then pushes the records whose values changed
    /// since their last confirmed push, recording each confirmed chunk in the store as it is
    /// confirmed. Fails only when the run cannot go on (the store is locked by another run,
    /// describes another account or cannot be written; provisioning failed past its retry
    /// budget); everything about individual contacts is in the [`SyncReport`].
    ///
    /// ```no_run
    /// # async fn f(mut syncer: relance::sync::Syncer<relance::sync::SendethicTarget, relance::sync::store::MemoryStore>) -> relance::Result<()> {
    /// let report = syncer.run(Vec::new()).await?;
    /// for (email, error) in &report.rejected { eprintln!("{email}: {error}"); }
    /// println!("sync: {report}");
    /// # Ok(()) }
    /// ```
    pub async fn run<I>(&mut self, records: I) -> Result<SyncReport>
    where
        I: IntoIterator<Item = SyncRecord>,
        I::IntoIter: Send,
    {
        let records = records.into_iter();
        self.run_batches(false, move |fields, previous| {
            records.map(move |record| Batch::of([record], &fields, &previous))
        })
        .await
    }

    /// [`run`](Self::run) on every profile of a consolidation, building and comparing the
    /// records on all the threads the machine has (an unchanged run of a million contacts
    /// spends most of its time there).
    ///
    /// ```no_run
    /// # async fn f(mut syncer: relance::sync::Syncer<relance::sync::SendethicTarget, relance::sync::store::MemoryStore>, profiles: relance::customer::Consolidation<'_>) -> relance::Result<()> {
    /// let report = syncer.run_profiles(&profiles).await?;
    /// println!("sync: {report}");
    /// # Ok(()) }
    /// ```
    pub async fn run_profiles(&mut self, profiles: &Consolidation<'_>) -> Result<SyncReport> {
        self.run_consolidated(profiles, None).await
    }

    /// [`run_profiles`](Self::run_profiles) with the predicted values of each profile (see
    /// [`SyncRecord::with_predictions`]); they are pushed only for the predicted fields
    /// given to [`fields`](Self::fields).
    ///
    /// ```no_run
    /// # async fn f(mut syncer: relance::sync::Syncer<relance::sync::SendethicTarget, relance::sync::store::MemoryStore>, profiles: relance::customer::Consolidation<'_>, predicted: relance::customer::clv::PredictedValues) -> relance::Result<()> {
    /// let report = syncer.run_predicted(&profiles, &predicted).await?;
    /// # Ok(()) }
    /// ```
    pub async fn run_predicted(
        &mut self,
        profiles: &Consolidation<'_>,
        predicted: &PredictedValues,
    ) -> Result<SyncReport> {
        self.run_consolidated(profiles, Some(predicted)).await
    }

    async fn run_consolidated(
        &mut self,
        profiles: &Consolidation<'_>,
        predicted: Option<&PredictedValues>,
    ) -> Result<SyncReport> {
        let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        self.run_batches(true, move |fields, previous| {
            profiles
                .runs()
                .flat_map(|run| run.chunks(PROFILE_BLOCK))
                .map(move |block| {
                    let share = block.len().div_ceil(threads).max(1);
                    let batches = in_parallel(block.chunks(share).collect(), |part| {
                        Batch::of_profiles(part, predicted, &fields, &previous)
                    });
                    Batch::merge(batches)
                })
        })
        .await
    }

    /// Erases contacts for the right to erasure: each is deleted at the service, then
    /// forgotten by the store, and reported by email. Safe to repeat after any failure or
    /// crash: a contact the store still knows but the service no longer has counts as
    /// erased. An email neither knows is an [`Error::InvalidInput`] naming it; the others
    /// still go through. Holds the run lock, like a run.
    ///
    /// ```no_run
    /// # async fn f(mut syncer: relance::sync::Syncer<relance::sync::SendethicTarget, relance::sync::store::MemoryStore>) -> relance::Result<()> {
    /// for (email, result) in syncer.erase(["ann@example.com"]).await? {
    ///     if let Err(e) = result { eprintln!("{email}: {e}"); }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn erase<I>(&mut self, emails: I) -> Result<Vec<(String, Result<Erased>)>>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.check_scope()?;
        let lock = self.store.lock().await?;
        let known = self.store.load().await?;
        let mut out = Vec::new();
        for email in emails {
            let email = record_email(email.as_ref()).into_owned();
            let result = match self.target.erase(&email).await {
                Ok(Erased::Absent) if known.get(&email).is_none() => Err(Error::invalid(
                    email.clone(),
                    "no such contact, at the service or in the sync state",
                )),
                Ok(erased) => self.store.forget(&[&email]).await.map(|()| erased),
                Err(e) => Err(e),
            };
            out.push((email, result));
        }
        lock.release().await?;
        Ok(out)
    }

    /// Provisions the fields once per syncer (runs provision again each time).
    async fn ensure_prepared(&mut self) -> Result<()> {
        if !self.prepared {
            self.target.prepare(&self.fields).await?;
            self.prepared = true;
        }
        Ok(())
    }

    /// Refuses a store that describes another account than the target's.
    pub(super) fn check_scope(&self) -> Result<()> {
        let scope = self.target.scope()?;
        if scope != *self.store.scope() {
            return Err(Error::State(StateError::OtherScope {
                expected: scope,
                found: self.store.scope().clone(),
            }));
        }
        Ok(())
    }

    /// One run around a source of batches (made from the pushed fields and the last
    /// confirmed fingerprints): scope check, lock, provisioning, state, push.
    async fn run_batches<B, F>(&mut self, whole_shop: bool, source: F) -> Result<SyncReport>
    where
        F: FnOnce(Arc<[ProfileField]>, Arc<Fingerprints>) -> B,
        B: Iterator<Item = Batch> + Send,
    {
        self.check_scope()?;
        let lock = self.store.lock().await?;
        self.target.prepare(&self.fields).await?;
        self.prepared = true;
        if self.guard_consent {
            let changes = self.target.consent_changes(None).await?;
            self.consent.learn(&changes);
        }
        let previous = Arc::new(self.store.load().await?);
        let batches = source(self.fields.as_slice().into(), Arc::clone(&previous));
        let pushed = self.push_changed(batches, previous.len()).await.map(
            |(mut report, seen, unchanged_at)| {
                if self.list_unchanged {
                    report.unchanged_contacts = unchanged_at
                        .into_iter()
                        .filter_map(|at| previous.email_at(at).map(str::to_owned))
                        .collect();
                }
                (report, seen)
            },
        );
        let report = match pushed {
            Ok((mut report, seen)) if whole_shop => {
                let absent = mirror::absent(&previous, &seen);
                let removals = mirror::remove(
                    &self.target,
                    &self.store,
                    self.mirror,
                    &absent,
                    previous.len(),
                    self.mirror_limit,
                )
                .await;
                match removals {
                    Ok(removals) => {
                        for (email, result) in removals {
                            match result {
                                Ok(mode) => report.removed.push((email, mode)),
                                Err(e) => report.failed.push((vec![email], e)),
                            }
                        }
                    }
                    Err(e) => report.failed.push((Vec::new(), e)),
                }
                Ok(report)
            }
            other => other.map(|(report, _)| report),
        };
        drop(previous);
        lock.release().await?;
        report
    }

    /// Records what one event of the target says about the records in flight.
    async fn settle(
        &self,
        event: BulkEvent,
        pending: &Mutex<Pending>,
        report: &mut SyncReport,
        unattributed: &mut Option<Error>,
    ) -> Result<()> {
        match event {
            BulkEvent::Written(indices) => {
                let confirmed = take(pending, &indices);
                let pairs: Vec<(&str, u64)> =
                    confirmed.iter().map(|(e, f, _)| (e.as_str(), *f)).collect();
                self.store.record(&pairs).await?;
                report.pushed += pairs.len();
                for (email, _, known) in confirmed {
                    if known {
                        report.updated.push(email);
                    } else {
                        report.created.push(email);
                    }
                }
            }
            BulkEvent::Rejected { index, error, .. } => {
                if let Some((email, _, _)) = take(pending, &[index]).pop() {
                    report.rejected.push((email, error));
                }
            }
            BulkEvent::Failed { indices, error } if indices.is_empty() => {
                *unattributed = Some(error);
            }
            BulkEvent::Failed { indices, error } => {
                let emails = take(pending, &indices).into_iter().map(|(e, _, _)| e);
                report.failed.push((emails.collect(), error));
            }
            BulkEvent::Warned { index, key, error } => {
                let email = lock(pending)
                    .in_flight
                    .get(&index)
                    .map_or(key, |(e, _, _)| e.clone());
                report.warnings.push((email, error));
            }
        }
        Ok(())
    }

    /// Streams the changed records to the target and records what it confirms.
    async fn push_changed(
        &self,
        batches: impl Iterator<Item = Batch> + Send,
        known: usize,
    ) -> Result<(SyncReport, Vec<bool>, Vec<usize>)> {
        let pending = Mutex::new(Pending {
            seen: vec![false; known],
            ..Pending::default()
        });
        let changed = batches.flat_map(|batch| lock(&pending).admit(batch, &self.consent));
        let mut report = SyncReport::default();
        let mut unattributed = None;
        let mut events = self.target.push(Box::pin(stream::iter(changed)));
        let mut last_progress = Instant::now();
        let mut last_hook = Instant::now();
        let progress = |report: &SyncReport, done: bool| {
            let p = lock(&pending);
            Progress {
                considered: p.considered,
                unchanged: p.unchanged,
                pushed: report.pushed,
                rejected: report.rejected_count() + p.refused.len(),
                failed: report.failed_count(),
                done,
            }
        };
        while let Some(event) = events.next().await {
            self.settle(event, &pending, &mut report, &mut unattributed)
                .await?;
            if let Some(hook) = &self.progress
                && last_hook.elapsed() >= hook.every
            {
                last_hook = Instant::now();
                (hook.call)(&progress(&report, false));
            }
            if last_progress.elapsed() >= PROGRESS_EVERY {
                last_progress = Instant::now();
                tracing::info!(
                    pushed = report.pushed,
                    rejected = report.rejected_count(),
                    failed = report.failed_count(),
                    "sync in progress"
                );
            }
        }
        drop(events);
        let last = progress(&report, true);
        let p = pending
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        report.considered = p.considered;
        report.unchanged = p.unchanged;
        report.rejected.extend(p.refused);
        report.warnings.extend(p.warnings);
        if !p.in_flight.is_empty() {
            // Records the target ended without a word on (or failed as a whole): they are not
            // confirmed.
            let emails = p.in_flight.into_values().map(|(e, _, _)| e).collect();
            report.failed.push((
                emails,
                unattributed.unwrap_or_else(|| {
                    Error::Protocol("the target reported nothing for these records".into())
                }),
            ));
        }
        if let Some(hook) = &self.progress {
            (hook.call)(&Progress {
                failed: report.failed_count(),
                ..last
            });
        }
        tracing::info!(%report, "sync finished");
        Ok((report, p.seen, p.unchanged_at))
    }

    /// Provisions the fields if this syncer has not yet, then the segments (for example
    /// [`relance_defaults`](crate::customer::segment::relance_defaults)) on the service.
    ///
    /// ```no_run
    /// # async fn f(mut syncer: relance::sync::Syncer<relance::sync::SendethicTarget, relance::sync::store::MemoryStore>, policy: relance::customer::ConsolidationPolicy) -> relance::Result<()> {
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
        self.ensure_prepared().await?;
        self.target.ensure_segments(segments).await
    }
}
