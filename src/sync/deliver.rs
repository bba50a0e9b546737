//! Lifecycle events delivered exactly once: what the store records as delivered is never
//! sent again, an ambiguous delivery is resolved by reading back where the service allows
//! and otherwise reported, never resent automatically.

use super::engine::Syncer;
use super::store::StateStore;
use super::target::{EventDelivery, SyncTarget};
use chrono::{DateTime, Utc};

use crate::customer::events::LifecycleEvent;
use crate::error::{Error, Result};

/// The store checkpoint where the lifecycle events' next window starts (see
/// [`Syncer::deliver_window`]).
pub const EVENTS_CHECKPOINT: &str = "lifecycle_events";

/// The store's marker of an event whose delivery was ambiguous.
fn unresolved(key: &str) -> String {
    format!("unresolved/{key}")
}

/// What [`Syncer::deliver_events`] did, by event key.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct EventReport {
    /// Delivered and confirmed by the service in this call (or found delivered by reading
    /// back an earlier ambiguous delivery).
    pub delivered: Vec<String>,
    /// Recorded delivered before: not sent again.
    pub already_delivered: usize,
    /// No automation is configured for their kind: nothing sent, nothing recorded.
    pub unmapped: Vec<String>,
    /// The delivery may or may not have reached the service, and the service cannot tell:
    /// not resent automatically (see [`Syncer::resolve_event`]).
    pub ambiguous: Vec<(String, Error)>,
    /// Refused (not delivered, safe to try again after fixing the cause).
    pub failed: Vec<(String, Error)>,
}

impl<T: SyncTarget, S: StateStore> Syncer<T, S> {
    /// Delivers lifecycle events (from
    /// [`lifecycle_events`](crate::customer::events::lifecycle_events)) to the target's
    /// automations, each at most once: an event the store records delivered is skipped; a
    /// confirmed delivery is recorded at once (a crash re-delivers only the unconfirmed); a
    /// delivery that may have reached the service is marked unresolved, then on the next
    /// call read back where the service allows (Sendethic: the contact's history) and
    /// delivered again only if it did not land, or else left reported as ambiguous. Holds
    /// the run lock.
    ///
    /// ```no_run
    /// # async fn f(mut syncer: relance::sync::Syncer<relance::sync::SendethicTarget, relance::sync::store::MemoryStore>, events: Vec<relance::customer::events::LifecycleEvent>) -> relance::Result<()> {
    /// let report = syncer.deliver_events(&events).await?;
    /// println!("{} delivered, {} ambiguous", report.delivered.len(), report.ambiguous.len());
    /// # Ok(()) }
    /// ```
    pub async fn deliver_events(&mut self, events: &[LifecycleEvent]) -> Result<EventReport> {
        self.check_scope()?;
        let lock = self.store.lock().await?;
        let keys: Vec<String> = events.iter().map(LifecycleEvent::key).collect();
        let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        let done = self.store.delivered(&refs).await?;
        let marks: Vec<String> = keys.iter().map(|k| unresolved(k)).collect();
        let mark_refs: Vec<&str> = marks.iter().map(String::as_str).collect();
        let pending = self.store.delivered(&mark_refs).await?;
        let mut report = EventReport::default();
        for (i, event) in events.iter().enumerate() {
            let key = &keys[i];
            if done[i] {
                report.already_delivered += 1;
                continue;
            }
            if pending[i] {
                match self.target.event_landed(event).await {
                    Ok(Some(true)) => {
                        self.store.mark_delivered(&[key]).await?;
                        report.delivered.push(key.clone());
                        continue;
                    }
                    Ok(Some(false)) => {}
                    Ok(None) => {
                        let e = Error::Protocol(
                            "an earlier delivery may have reached the service, which cannot tell; resolve it with Syncer::resolve_event".into(),
                        );
                        report.ambiguous.push((key.clone(), e));
                        continue;
                    }
                    Err(e) => {
                        report.ambiguous.push((key.clone(), e));
                        continue;
                    }
                }
            }
            match self.target.deliver_event(event).await {
                Ok(EventDelivery::Delivered) => {
                    self.store.mark_delivered(&[key]).await?;
                    report.delivered.push(key.clone());
                }
                Ok(_) => report.unmapped.push(key.clone()),
                Err(e) if e.was_refused() => report.failed.push((key.clone(), e)),
                Err(e) => {
                    self.store.mark_delivered(&[&unresolved(key)]).await?;
                    report.ambiguous.push((key.clone(), e));
                }
            }
        }
        lock.release().await?;
        Ok(report)
    }

    /// Where the next window of lifecycle events starts: the `as_of` of the last
    /// [`deliver_window`](Self::deliver_window) whose events all landed (`None` before the
    /// first: the caller chooses how far back a first run looks).
    ///
    /// ```no_run
    /// # async fn f(syncer: relance::sync::Syncer<relance::sync::SendethicTarget, relance::sync::store::MemoryStore>) -> relance::Result<()> {
    /// # let as_of = chrono::Utc::now();
    /// let since = syncer.events_since().await?.unwrap_or(as_of - chrono::TimeDelta::days(1));
    /// # Ok(()) }
    /// ```
    pub async fn events_since(&self) -> Result<Option<DateTime<Utc>>> {
        self.store.checkpoint(EVENTS_CHECKPOINT).await
    }

    /// [`deliver_events`](Self::deliver_events) for the events of the window
    /// `(events_since, as_of]`, then, when none failed and none is ambiguous, moves the
    /// window's start to `as_of`: the next run looks only at what happened since, and a
    /// rerun at the same `as_of` has an empty window. Otherwise the start stays, the next
    /// run computes the window again, and only what is not recorded delivered goes out.
    /// Unmapped events are reported and do not hold the window back.
    ///
    /// ```no_run
    /// # async fn f(mut syncer: relance::sync::Syncer<relance::sync::SendethicTarget, relance::sync::store::MemoryStore>, events: Vec<relance::customer::events::LifecycleEvent>, as_of: chrono::DateTime<chrono::Utc>) -> relance::Result<()> {
    /// let report = syncer.deliver_window(as_of, &events).await?;
    /// assert!(report.failed.is_empty() || syncer.events_since().await? != Some(as_of));
    /// # Ok(()) }
    /// ```
    pub async fn deliver_window(
        &mut self,
        as_of: DateTime<Utc>,
        events: &[LifecycleEvent],
    ) -> Result<EventReport> {
        let report = self.deliver_events(events).await?;
        if report.failed.is_empty()
            && report.ambiguous.is_empty()
            && self.events_since().await?.is_none_or(|s| s < as_of)
        {
            self.store.set_checkpoint(EVENTS_CHECKPOINT, as_of).await?;
        }
        Ok(report)
    }

    /// Settles an ambiguous delivery the service cannot read back, once the user checked
    /// it landed (in the service's interface, say): it is recorded delivered and never sent
    /// again. (One that did not land is sent by hand: sending it automatically could send
    /// it twice.)
    ///
    /// ```no_run
    /// # async fn f(syncer: relance::sync::Syncer<relance::sync::SendsayTarget, relance::sync::store::MemoryStore>) -> relance::Result<()> {
    /// syncer.resolve_event("ann@example.com/seller/first_sale/1717236000").await?;
    /// # Ok(()) }
    /// ```
    pub async fn resolve_event(&self, key: &str) -> Result<()> {
        self.store.mark_delivered(&[key]).await
    }
}
