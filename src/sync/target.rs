//! What the sync engine needs from a provider.

use std::future::Future;

use futures_util::stream::BoxStream;

use super::record::SyncRecord;
use super::store::Scope;
use crate::customer::ProfileField;
use crate::customer::events::LifecycleEvent;
use crate::customer::segment::SegmentSpec;
use crate::error::Result;
use crate::http::BulkEvent;

/// A service the sync engine can push to.
///
/// Implemented by [`SendethicTarget`](super::SendethicTarget) and
/// [`SendsayTarget`](super::SendsayTarget); implement it to sync to another service.
pub trait SyncTarget: Send + Sync {
    /// The provider account this target writes to: a state store must describe the same one.
    ///
    /// ```
    /// use relance::sync::{SendethicTarget, SyncTarget};
    /// let client = relance::sendethic::Client::builder("12345", "key").build()?;
    /// let scope = SendethicTarget::new(client).scope()?;
    /// assert_eq!((scope.provider(), scope.account()), ("sendethic", "12345"));
    /// # Ok::<(), relance::Error>(())
    /// ```
    fn scope(&self) -> Result<Scope>;

    /// Makes sure the service has a place for each field; idempotent, safe on every run, and
    /// surviving single faults (a failed creation is checked by a read before it is tried
    /// again). The engine calls it once per run.
    fn prepare(&mut self, fields: &[ProfileField]) -> impl Future<Output = Result<()>> + Send;

    /// What [`prepare`](Self::prepare) would create or adopt for these fields, read from the
    /// service without writing anything; it may remember what it found (existing fields'
    /// ids) so that [`plan_segments`](Self::plan_segments) can translate conditions. The
    /// default plans nothing.
    fn plan_fields(
        &mut self,
        fields: &[ProfileField],
    ) -> impl Future<Output = Result<super::Provisioning>> + Send {
        let _ = fields;
        async { Ok(super::Provisioning::default()) }
    }

    /// What [`ensure_segments`](Self::ensure_segments) would create or update, read from
    /// the service without writing anything (after [`plan_fields`](Self::plan_fields) or
    /// [`prepare`](Self::prepare)). The default plans nothing.
    fn plan_segments(
        &self,
        segments: &[SegmentSpec],
    ) -> impl Future<Output = Result<super::Provisioning>> + Send {
        let _ = segments;
        async { Ok(super::Provisioning::default()) }
    }

    /// Pushes records (fields already prepared), pulling them from `records` as it goes,
    /// and reports each one's fate as [`BulkEvent`]s naming records by their position in
    /// `records`. Only records the service confirmed may be reported
    /// [`Written`](BulkEvent::Written).
    fn push<'a>(&'a self, records: BoxStream<'a, SyncRecord>) -> BoxStream<'a, BulkEvent>;

    /// Creates each segment on the service unless one with its tag exists (fields already
    /// prepared). A segment the service cannot express is reported with the reason; the
    /// others still go through.
    fn ensure_segments(
        &self,
        segments: &[SegmentSpec],
    ) -> impl Future<Output = Result<Vec<SegmentOutcome>>> + Send;

    /// Deletes one contact from the service, for the right to erasure, and says whether the
    /// service had it: [`Erased::Deleted`] only once the service confirmed the deletion,
    /// [`Erased::Absent`] when it does not have the contact (already deleted, or never
    /// pushed). Safe to call again after any failure. The default refuses: a target that
    /// cannot delete says so.
    fn erase(&self, email: &str) -> impl Future<Output = Result<Erased>> + Send {
        let email = email.to_owned();
        async move {
            Err(crate::error::Error::config(format!(
                "this target cannot erase contacts ({email})"
            )))
        }
    }

    /// The newsletter consent changes made at the service since `since` (all it knows when
    /// `None`), for the shop to apply. The default refuses: a target that cannot read them
    /// says so.
    fn consent_changes(
        &self,
        since: Option<chrono::DateTime<chrono::Utc>>,
    ) -> impl Future<Output = Result<Vec<super::ConsentChange>>> + Send {
        let _ = since;
        async {
            Err(crate::error::Error::config(
                "this target cannot read consent changes",
            ))
        }
    }

    /// Writes one contact at once for a newsletter sign-up (fields already prepared),
    /// subscribed, and attached to the target's sign-up list when it has one; says whether
    /// the contact is subscribed or still has to confirm (double opt-in). Done only when the
    /// service confirmed the write. The default refuses.
    fn subscribe(&self, record: &SyncRecord) -> impl Future<Output = Result<Subscribed>> + Send {
        let email = record.email().to_owned();
        async move {
            Err(crate::error::Error::config(format!(
                "this target cannot subscribe contacts ({email})"
            )))
        }
    }

    /// Delivers one lifecycle event to the automation configured for its kind: done only
    /// when the service confirmed the call; [`EventDelivery::Unmapped`] when no automation
    /// is configured for the kind. Never retried automatically (a delivery triggers mail).
    /// The default refuses.
    fn deliver_event(
        &self,
        event: &LifecycleEvent,
    ) -> impl Future<Output = Result<EventDelivery>> + Send {
        let key = event.key();
        async move {
            Err(crate::error::Error::config(format!(
                "this target cannot deliver events ({key})"
            )))
        }
    }

    /// Whether an event whose delivery was ambiguous reached the service, read back:
    /// `Some(true)` it did, `Some(false)` it did not (it may be delivered again), `None` the
    /// service cannot tell (the default).
    fn event_landed(
        &self,
        event: &LifecycleEvent,
    ) -> impl Future<Output = Result<Option<bool>>> + Send {
        let _ = event;
        async { Ok(None) }
    }

    /// Unsubscribes one contact from the service's marketing mail (for contacts that left
    /// the shop, under [`Mirror::Unsubscribe`](super::Mirror::Unsubscribe)); done when the
    /// service confirmed it or does not have the contact. Safe to call again. The default
    /// refuses: a target that cannot unsubscribe says so.
    fn unsubscribe(&self, email: &str) -> impl Future<Output = Result<()>> + Send {
        let email = email.to_owned();
        async move {
            Err(crate::error::Error::config(format!(
                "this target cannot unsubscribe contacts ({email})"
            )))
        }
    }
}

/// What [`SyncTarget::deliver_event`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventDelivery {
    /// The service confirmed it.
    Delivered,
    /// No automation is configured for the event's kind: nothing was sent.
    Unmapped,
}

/// Where a sign-up ([`SyncTarget::subscribe`]) left the contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Subscribed {
    /// Subscribed: it receives the newsletter.
    Subscribed,
    /// Written, and sent the double-opt-in letter: it receives nothing until it clicks the
    /// confirmation link (Sendsay `member.lockconfirm`).
    AwaitingConfirmation,
}

/// What [`SyncTarget::erase`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Erased {
    /// The service had the contact and confirmed its deletion.
    Deleted,
    /// The service does not have the contact.
    Absent,
}

/// What [`SyncTarget::ensure_segments`] did with one segment.
#[derive(Debug)]
#[non_exhaustive]
pub struct SegmentOutcome {
    /// The segment's tag.
    pub tag: String,
    /// The service's id of the segment and whether this call created it, or why it could
    /// not be provisioned.
    pub result: Result<(SegmentRef, bool)>,
}

/// A provisioned segment's id on its service, typed.
///
/// ```
/// use relance::sync::SegmentRef;
/// let s = SegmentRef::Sendethic(relance::sendethic::SegmentId(42));
/// assert_eq!((s.sendethic(), s.to_string()), (Some(relance::sendethic::SegmentId(42)), "42".to_owned()));
/// assert!(s.sendsay().is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SegmentRef {
    /// A Sendethic segment.
    Sendethic(crate::sendethic::SegmentId),
    /// A Sendsay group (a filter segment).
    Sendsay(crate::sendsay::GroupId),
    /// Another target's id, as text.
    Other(String),
}

impl SegmentRef {
    /// The Sendethic segment id, if it is one.
    ///
    /// ```
    /// assert!(relance::sync::SegmentRef::Other("x".into()).sendethic().is_none());
    /// ```
    #[must_use]
    pub fn sendethic(&self) -> Option<crate::sendethic::SegmentId> {
        match self {
            Self::Sendethic(id) => Some(*id),
            _ => None,
        }
    }

    /// The Sendsay group id, if it is one.
    ///
    /// ```
    /// let s = relance::sync::SegmentRef::Sendsay("relancerepeat".into());
    /// assert_eq!(s.sendsay().map(|g| g.as_str()), Some("relancerepeat"));
    /// ```
    #[must_use]
    pub fn sendsay(&self) -> Option<&crate::sendsay::GroupId> {
        match self {
            Self::Sendsay(id) => Some(id),
            _ => None,
        }
    }
}

impl std::fmt::Display for SegmentRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sendethic(id) => write!(f, "{id}"),
            Self::Sendsay(id) => write!(f, "{id}"),
            Self::Other(id) => f.write_str(id),
        }
    }
}

/// Merges events a target produced itself (records it refused or warned about before the
/// bulk write) into the bulk write's events: after each of them, and at the end.
pub(super) fn with_side_events<'a>(
    events: impl futures_util::Stream<Item = BulkEvent> + Send + 'a,
    side: std::sync::Arc<std::sync::Mutex<Vec<BulkEvent>>>,
) -> futures_util::stream::BoxStream<'a, BulkEvent> {
    use futures_util::StreamExt;
    let take = |side: &std::sync::Mutex<Vec<BulkEvent>>| {
        std::mem::take(
            &mut *side
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    };
    let (during, after) = (side.clone(), side);
    events
        .map(move |event| {
            let mut out = vec![event];
            out.append(&mut take(&during));
            futures_util::stream::iter(out)
        })
        .chain(futures_util::stream::once(async move {
            futures_util::stream::iter(take(&after))
        }))
        .flatten()
        .boxed()
}
