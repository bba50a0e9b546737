//! The outbox: enqueue under an idempotency key, dispatch with bounded concurrency and a
//! rate limit, record every outcome, and never send a message twice.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use futures_util::StreamExt;
use tokio::sync::Mutex;

use super::message::{Message, MessageStatus, OutboxEntry};
use super::store::OutboxStore;
use super::templates::Templates;
use super::transport::{Lookup, Transport};
use crate::error::{Error, Result};

/// What [`Outbox::enqueue`] did.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Enqueued {
    /// The message was stored; it is pending.
    New(OutboxEntry),
    /// A message with this key was enqueued before: nothing stored; here it is, with its
    /// status.
    Existing(OutboxEntry),
}

impl Enqueued {
    /// The stored entry, new or earlier.
    ///
    /// ```no_run
    /// # async fn f(outbox: relance::messaging::Outbox<relance::messaging::SendsayTransport, relance::sync::store::MemoryStore>, m: relance::messaging::Message) -> relance::Result<()> {
    /// let status = outbox.enqueue(m).await?.entry().status;
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn entry(&self) -> &OutboxEntry {
        match self {
            Self::New(e) | Self::Existing(e) => e,
        }
    }
}

/// What one [`Outbox::dispatch`] pass did, by idempotency key.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct DispatchReport {
    /// Confirmed by the service in this pass (or found there by reading back an earlier
    /// ambiguous send).
    pub sent: Vec<String>,
    /// Refused or throttled in a way worth another attempt later: pending again.
    pub retrying: Vec<(String, Error)>,
    /// Refused for good.
    pub failed: Vec<(String, Error)>,
    /// Out of retry budget.
    pub dead: Vec<(String, Error)>,
    /// May have reached the service: not resent.
    pub ambiguous: Vec<String>,
    /// Read back as absent after an ambiguous send: pending again, sent in a later pass.
    pub requeued: Vec<String>,
}

/// An outbox on a store and a transport. See the [module docs](super).
pub struct Outbox<T, S> {
    transport: T,
    store: S,
    templates: Templates,
    concurrency: usize,
    interval: Duration,
    max_attempts: u32,
    backoff: Duration,
    resolve_after: Duration,
    stale_after: Duration,
    batch: usize,
    next_slot: Arc<Mutex<tokio::time::Instant>>,
}

impl<T, S> std::fmt::Debug for Outbox<T, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox")
            .field("concurrency", &self.concurrency)
            .field("interval", &self.interval)
            .field("max_attempts", &self.max_attempts)
            .finish_non_exhaustive()
    }
}

fn delta(d: Duration) -> TimeDelta {
    TimeDelta::from_std(d).unwrap_or(TimeDelta::MAX)
}

/// A point in time no dispatcher reaches: an ambiguous send only the caller can resolve.
fn never() -> DateTime<Utc> {
    DateTime::from_timestamp(253_402_300_799, 0).unwrap_or(DateTime::<Utc>::MAX_UTC) // 9999-12-31T23:59:59Z
}

impl<T: Transport, S: OutboxStore> Outbox<T, S> {
    /// An outbox: 4 sends in flight, at most 10 a second, 5 attempts for a throttled or
    /// unreachable service (backoff from 1 s, doubling), an ambiguous send read back after
    /// 10 minutes (where the service allows), a claim by a dispatcher that died considered
    /// stale after 5 minutes.
    ///
    /// ```no_run
    /// # fn f(client: relance::sendsay::Client, store: relance::sync::store::MemoryStore, templates: relance::messaging::Templates) {
    /// use relance::messaging::{Outbox, SendsayTransport};
    /// let outbox = Outbox::new(SendsayTransport::new(client), store, templates);
    /// # let _ = outbox;
    /// # }
    /// ```
    #[must_use]
    pub fn new(transport: T, store: S, templates: Templates) -> Self {
        Self {
            transport,
            store,
            templates,
            concurrency: 4,
            interval: Duration::from_millis(100),
            max_attempts: 5,
            backoff: Duration::from_secs(1),
            resolve_after: Duration::from_secs(600),
            stale_after: Duration::from_secs(300),
            batch: 1_000,
            next_slot: Arc::new(Mutex::new(tokio::time::Instant::now())),
        }
    }

    /// Sends in flight at once (at least 1).
    ///
    /// ```no_run
    /// # fn f(o: relance::messaging::Outbox<relance::messaging::SendsayTransport, relance::sync::store::MemoryStore>) {
    /// let o = o.concurrency(8);
    /// # let _ = o;
    /// # }
    /// ```
    #[must_use]
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// At most `per_second` sends a second (0: no limit).
    ///
    /// ```no_run
    /// # fn f(o: relance::messaging::Outbox<relance::messaging::SendsayTransport, relance::sync::store::MemoryStore>) {
    /// let o = o.rate_limit(40);
    /// # let _ = o;
    /// # }
    /// ```
    #[must_use]
    pub fn rate_limit(mut self, per_second: u32) -> Self {
        self.interval = if per_second == 0 {
            Duration::ZERO
        } else {
            Duration::from_secs(1) / per_second
        };
        self
    }

    /// Attempts for a message the service throttled or could not be reached for, and the
    /// first delay between them (doubling, at most an hour).
    ///
    /// ```no_run
    /// # fn f(o: relance::messaging::Outbox<relance::messaging::SendsayTransport, relance::sync::store::MemoryStore>) {
    /// let o = o.retries(3, std::time::Duration::from_secs(30));
    /// # let _ = o;
    /// # }
    /// ```
    #[must_use]
    pub fn retries(mut self, max_attempts: u32, backoff: Duration) -> Self {
        self.max_attempts = max_attempts.max(1);
        self.backoff = backoff;
        self
    }

    /// How long after an ambiguous send it is read back (the service may record it late),
    /// and after how long a claim by a dispatcher that did not record its outcome is
    /// treated as an ambiguous send.
    ///
    /// ```no_run
    /// # fn f(o: relance::messaging::Outbox<relance::messaging::SendsayTransport, relance::sync::store::MemoryStore>) {
    /// let o = o.resolution(std::time::Duration::from_secs(60), std::time::Duration::from_secs(120));
    /// # let _ = o;
    /// # }
    /// ```
    #[must_use]
    pub fn resolution(mut self, resolve_after: Duration, stale_after: Duration) -> Self {
        self.resolve_after = resolve_after;
        self.stale_after = stale_after;
        self
    }

    /// The store.
    ///
    /// ```no_run
    /// # fn f(o: relance::messaging::Outbox<relance::messaging::SendsayTransport, relance::sync::store::MemoryStore>) {
    /// let store = o.store();
    /// # let _ = store;
    /// # }
    /// ```
    #[must_use]
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Records a message durably under its idempotency key, after its pre-flight checks
    /// ([`Templates::resolve`]); a second enqueue with the same key stores nothing and
    /// returns the first message's entry and status.
    ///
    /// ```no_run
    /// # async fn f(outbox: relance::messaging::Outbox<relance::messaging::SendsayTransport, relance::sync::store::MemoryStore>) -> relance::Result<()> {
    /// use relance::messaging::{Audience, Message, Recipient};
    /// let m = Message::new("order-1234/shipped/buyer", "order_shipped", Audience::Buyer, Recipient::email("ann@example.com"));
    /// outbox.enqueue(m).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the key when the message fails its checks; the
    /// store's error.
    pub async fn enqueue(&self, message: Message) -> Result<Enqueued> {
        self.enqueue_at(message, Utc::now()).await
    }

    /// [`enqueue`](Self::enqueue) at a given instant.
    ///
    /// ```no_run
    /// # async fn f(outbox: relance::messaging::Outbox<relance::messaging::SendsayTransport, relance::sync::store::MemoryStore>, m: relance::messaging::Message) -> relance::Result<()> {
    /// outbox.enqueue_at(m, chrono::Utc::now()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`enqueue`](Self::enqueue).
    pub async fn enqueue_at(&self, message: Message, now: DateTime<Utc>) -> Result<Enqueued> {
        let template = self.templates.resolve(&message)?;
        let entry = OutboxEntry {
            message,
            template,
            status: MessageStatus::Pending,
            attempts: 0,
            next_at: now,
            attempted_at: None,
            provider_id: None,
            error: None,
            enqueued_at: now,
        };
        Ok(match self.store.insert(&entry).await? {
            None => Enqueued::New(entry),
            Some(existing) => Enqueued::Existing(existing),
        })
    }

    /// One pass over what is due now: pending messages are sent, ambiguous ones read back
    /// where the service allows, claims left by a dispatcher that died resolved like
    /// ambiguous sends.
    ///
    /// ```no_run
    /// # async fn f(outbox: relance::messaging::Outbox<relance::messaging::SendsayTransport, relance::sync::store::MemoryStore>) -> relance::Result<()> {
    /// let report = outbox.dispatch().await?;
    /// println!("{} sent, {} ambiguous", report.sent.len(), report.ambiguous.len());
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// The store's error (a send's error is recorded on its message, not returned).
    pub async fn dispatch(&self) -> Result<DispatchReport> {
        self.dispatch_at(Utc::now()).await
    }

    /// [`dispatch`](Self::dispatch) as if it were `now`.
    ///
    /// ```no_run
    /// # async fn f(outbox: relance::messaging::Outbox<relance::messaging::SendsayTransport, relance::sync::store::MemoryStore>) -> relance::Result<()> {
    /// outbox.dispatch_at(chrono::Utc::now()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`dispatch`](Self::dispatch).
    pub async fn dispatch_at(&self, now: DateTime<Utc>) -> Result<DispatchReport> {
        let due = self.store.due(now, self.batch).await?;
        let outcomes: Vec<Result<Outcome>> = futures_util::stream::iter(due)
            .map(|entry| self.handle(entry, now))
            .buffer_unordered(self.concurrency)
            .collect()
            .await;
        let mut report = DispatchReport::default();
        for outcome in outcomes {
            match outcome? {
                Outcome::Sent(k) => report.sent.push(k),
                Outcome::Retrying(k, e) => report.retrying.push((k, e)),
                Outcome::Failed(k, e) => report.failed.push((k, e)),
                Outcome::Dead(k, e) => report.dead.push((k, e)),
                Outcome::Ambiguous(k) => report.ambiguous.push(k),
                Outcome::Requeued(k) => report.requeued.push(k),
                Outcome::Skipped => {}
            }
        }
        Ok(report)
    }

    /// Dispatch passes until nothing is due before `deadline` (waiting for retries and
    /// read-backs in between); what is left is in [`entries`](Self::entries).
    ///
    /// ```no_run
    /// # async fn f(outbox: relance::messaging::Outbox<relance::messaging::SendsayTransport, relance::sync::store::MemoryStore>) -> relance::Result<()> {
    /// outbox.drain(std::time::Duration::from_secs(30)).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// The store's error.
    pub async fn drain(&self, within: Duration) -> Result<()> {
        let deadline = Utc::now() + delta(within);
        loop {
            self.dispatch().await?;
            let next = self
                .store
                .entries()
                .await?
                .iter()
                .filter(|e| !e.status.is_final() && e.next_at < never())
                .map(|e| e.next_at)
                .min();
            match next {
                Some(at) if at <= deadline => {
                    if let Ok(wait) = (at - Utc::now()).to_std() {
                        tokio::time::sleep(wait).await;
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    /// Every message in the outbox with its state, oldest first.
    ///
    /// ```no_run
    /// # async fn f(outbox: relance::messaging::Outbox<relance::messaging::SendsayTransport, relance::sync::store::MemoryStore>) -> relance::Result<()> {
    /// for e in outbox.entries().await? { println!("{} {}", e.key(), e.status); }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// The store's error.
    pub async fn entries(&self) -> Result<Vec<OutboxEntry>> {
        self.store.entries().await
    }

    /// Settles an ambiguous message the service cannot read back, once the caller checked
    /// it: `sent` records it sent; otherwise it is pending again and the next pass sends
    /// it. Only an ambiguous message can be settled.
    ///
    /// ```no_run
    /// # async fn f(outbox: relance::messaging::Outbox<relance::messaging::SendethicTransport, relance::sync::store::MemoryStore>) -> relance::Result<()> {
    /// outbox.resolve("order-1234/shipped/buyer", true).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the key is unknown or its message is not ambiguous.
    pub async fn resolve(&self, key: &str, sent: bool) -> Result<()> {
        let entry = self
            .store
            .entry(key)
            .await?
            .filter(|e| matches!(e.status, MessageStatus::Ambiguous | MessageStatus::Sending))
            .ok_or_else(|| Error::invalid(key.to_owned(), "no ambiguous message has this key"))?;
        let expected = (entry.status, entry.attempts);
        let mut next = entry;
        next.status = if sent {
            MessageStatus::Sent
        } else {
            MessageStatus::Pending
        };
        next.next_at = Utc::now();
        if !self.store.update(&next, expected).await? {
            return Err(Error::invalid(
                key.to_owned(),
                "the message changed meanwhile",
            ));
        }
        Ok(())
    }

    async fn handle(&self, entry: OutboxEntry, now: DateTime<Utc>) -> Result<Outcome> {
        match entry.status {
            MessageStatus::Pending => self.send(entry, now).await,
            MessageStatus::Sending | MessageStatus::Ambiguous => self.read_back(entry, now).await,
            _ => Ok(Outcome::Skipped),
        }
    }

    /// Waits for the rate limit's next slot.
    async fn slot(&self) {
        if self.interval.is_zero() {
            return;
        }
        let at = {
            let mut next = self.next_slot.lock().await;
            let now = tokio::time::Instant::now();
            let at = (*next).max(now);
            *next = at + self.interval;
            at
        };
        tokio::time::sleep_until(at).await;
    }

    async fn send(&self, entry: OutboxEntry, now: DateTime<Utc>) -> Result<Outcome> {
        let key = entry.key().to_owned();
        // Claim it durably first: a crash from here on leaves a claim, resolved later as an
        // ambiguous send, never a blind resend.
        let mut claimed = entry.clone();
        claimed.status = MessageStatus::Sending;
        claimed.attempts += 1;
        claimed.attempted_at = Some(now);
        claimed.next_at = now + delta(self.stale_after);
        if !self
            .store
            .update(&claimed, (entry.status, entry.attempts))
            .await?
        {
            return Ok(Outcome::Skipped); // another dispatcher has it
        }
        self.slot().await;
        let result = self.transport.send(&claimed).await;
        let mut done = claimed.clone();
        let outcome = match result {
            Ok(id) => {
                done.status = MessageStatus::Sent;
                done.provider_id = id;
                done.error = None;
                Outcome::Sent(key)
            }
            Err(e) if e.was_deferred() => {
                done.error = Some(e.to_string());
                if done.attempts >= self.max_attempts {
                    done.status = MessageStatus::Dead;
                    Outcome::Dead(key, e)
                } else {
                    done.status = MessageStatus::Pending;
                    let wait = e
                        .retry_after()
                        .unwrap_or_else(|| self.backoff_for(done.attempts));
                    done.next_at = now + delta(wait);
                    Outcome::Retrying(key, e)
                }
            }
            Err(e) if e.was_refused() => {
                done.status = MessageStatus::Failed;
                done.error = Some(e.to_string());
                Outcome::Failed(key, e)
            }
            Err(e) => {
                done.status = MessageStatus::Ambiguous;
                done.error = Some(e.to_string());
                done.next_at = now + delta(self.resolve_after);
                Outcome::Ambiguous(key)
            }
        };
        self.store
            .update(&done, (claimed.status, claimed.attempts))
            .await?;
        Ok(outcome)
    }

    fn backoff_for(&self, attempts: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempts.saturating_sub(1).min(16));
        self.backoff
            .saturating_mul(factor)
            .min(Duration::from_secs(3_600))
    }

    async fn read_back(&self, entry: OutboxEntry, now: DateTime<Utc>) -> Result<Outcome> {
        let key = entry.key().to_owned();
        let expected = (entry.status, entry.attempts);
        let mut next = entry.clone();
        match self.transport.find(&entry).await {
            Ok(Lookup::Found(id)) => {
                next.status = MessageStatus::Sent;
                next.provider_id = id.or(next.provider_id);
                next.error = None;
                let outcome = Outcome::Sent(key);
                self.store.update(&next, expected).await?;
                Ok(outcome)
            }
            Ok(Lookup::NotFound) => {
                next.status = MessageStatus::Pending;
                next.next_at = now;
                let outcome = Outcome::Requeued(key);
                self.store.update(&next, expected).await?;
                Ok(outcome)
            }
            Ok(Lookup::Unknown) => {
                // Only the caller can tell: kept ambiguous, never looked at again here.
                next.status = MessageStatus::Ambiguous;
                next.next_at = never();
                self.store.update(&next, expected).await?;
                Ok(Outcome::Ambiguous(key))
            }
            Err(e) => {
                // The read-back itself failed: try it again later.
                next.status = MessageStatus::Ambiguous;
                next.error = Some(format!("read-back failed: {e}"));
                next.next_at = now + delta(self.backoff_for(1));
                self.store.update(&next, expected).await?;
                Ok(Outcome::Ambiguous(key))
            }
        }
    }
}

/// What happened to one message in a pass.
enum Outcome {
    Sent(String),
    Retrying(String, Error),
    Failed(String, Error),
    Dead(String, Error),
    Ambiguous(String),
    Requeued(String),
    Skipped,
}
