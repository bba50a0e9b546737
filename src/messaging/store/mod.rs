//! Where the outbox lives: the sync's own stores ([`MemoryStore`], [`SqliteStore`],
//! [`PostgresStore`]) keep it beside the sync state, so one file or one database holds
//! everything a shop's jobs remember.
//!
//! [`SqliteStore`]: crate::sync::store::SqliteStore
//! [`PostgresStore`]: crate::sync::store::PostgresStore

use std::future::Future;

use chrono::{DateTime, Utc};

use super::message::{MessageStatus, OutboxEntry};
use crate::error::Result;
use crate::sync::store::MemoryStore;

#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;

/// A durable outbox: messages by idempotency key and the state of their delivery.
///
/// Every change is a compare-and-set on the entry's status and attempts, so two
/// dispatchers never both claim a message.
pub trait OutboxStore: Send + Sync {
    /// Stores a new entry; `Some(existing)` (and nothing stored) when its key is taken.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> relance::Result<()> {
    /// use relance::messaging::OutboxStore;
    /// let store = relance::sync::store::MemoryStore::new(relance::sync::store::Scope::new("sendsay", "shop")?);
    /// assert!(store.entries().await?.is_empty());
    /// # Ok(()) }
    /// ```
    fn insert(
        &self,
        entry: &OutboxEntry,
    ) -> impl Future<Output = Result<Option<OutboxEntry>>> + Send;

    /// The entry of a key.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> relance::Result<()> {
    /// use relance::messaging::OutboxStore;
    /// let store = relance::sync::store::MemoryStore::new(relance::sync::store::Scope::new("sendsay", "shop")?);
    /// assert!(store.entry("order-1/placed/buyer").await?.is_none());
    /// # Ok(()) }
    /// ```
    fn entry(&self, key: &str) -> impl Future<Output = Result<Option<OutboxEntry>>> + Send;

    /// Entries a dispatcher should look at by `now` (pending, ambiguous or claimed, with
    /// `next_at <= now`), oldest first, at most `limit`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> relance::Result<()> {
    /// use relance::messaging::OutboxStore;
    /// let store = relance::sync::store::MemoryStore::new(relance::sync::store::Scope::new("sendsay", "shop")?);
    /// assert!(store.due(chrono::Utc::now(), 10).await?.is_empty());
    /// # Ok(()) }
    /// ```
    fn due(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<OutboxEntry>>> + Send;

    /// Replaces an entry if it still has the `expected` status and attempts; `false` (and
    /// nothing changed) when another dispatcher changed it first.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> relance::Result<()> {
    /// use relance::messaging::OutboxStore;
    /// let store = relance::sync::store::MemoryStore::new(relance::sync::store::Scope::new("sendsay", "shop")?);
    /// assert!(store.entries().await?.is_empty());
    /// # Ok(()) }
    /// ```
    fn update(
        &self,
        entry: &OutboxEntry,
        expected: (MessageStatus, u32),
    ) -> impl Future<Output = Result<bool>> + Send;

    /// Every entry, oldest first.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> relance::Result<()> {
    /// use relance::messaging::OutboxStore;
    /// let store = relance::sync::store::MemoryStore::new(relance::sync::store::Scope::new("sendsay", "shop")?);
    /// assert!(store.entries().await?.is_empty());
    /// # Ok(()) }
    /// ```
    fn entries(&self) -> impl Future<Output = Result<Vec<OutboxEntry>>> + Send;
}

/// Whether a dispatcher should look at an entry by `now`.
pub(crate) fn is_due(e: &OutboxEntry, now: DateTime<Utc>) -> bool {
    matches!(
        e.status,
        MessageStatus::Pending | MessageStatus::Ambiguous | MessageStatus::Sending
    ) && e.next_at <= now
}

/// An entry as stored: JSON.
pub(crate) fn to_json(entry: &OutboxEntry) -> Result<String> {
    serde_json::to_string(entry)
        .map_err(|e| crate::Error::Protocol(format!("cannot store an outbox entry: {e}").into()))
}

/// An entry read back.
pub(crate) fn from_json(text: &str) -> Result<OutboxEntry> {
    serde_json::from_str(text)
        .map_err(|e| crate::Error::Protocol(format!("cannot read an outbox entry: {e}").into()))
}

impl OutboxStore for MemoryStore {
    async fn insert(&self, entry: &OutboxEntry) -> Result<Option<OutboxEntry>> {
        let json = to_json(entry)?;
        let mut outbox = self.outbox();
        if let Some((_, existing)) = outbox.iter().find(|(k, _)| k == entry.key()) {
            return from_json(existing).map(Some);
        }
        outbox.push((entry.key().to_owned(), json));
        Ok(None)
    }

    async fn entry(&self, key: &str) -> Result<Option<OutboxEntry>> {
        let outbox = self.outbox();
        outbox
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, json)| from_json(json))
            .transpose()
    }

    async fn due(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<OutboxEntry>> {
        let all = self.entries().await?;
        let mut due: Vec<OutboxEntry> = all.into_iter().filter(|e| is_due(e, now)).collect();
        due.sort_by_key(|e| e.next_at);
        due.truncate(limit);
        Ok(due)
    }

    async fn update(&self, entry: &OutboxEntry, expected: (MessageStatus, u32)) -> Result<bool> {
        let json = to_json(entry)?;
        let mut outbox = self.outbox();
        let Some(slot) = outbox.iter_mut().find(|(k, _)| k == entry.key()) else {
            return Ok(false);
        };
        let current = from_json(&slot.1)?;
        if (current.status, current.attempts) != expected {
            return Ok(false);
        }
        slot.1 = json;
        Ok(true)
    }

    async fn entries(&self) -> Result<Vec<OutboxEntry>> {
        self.outbox()
            .iter()
            .map(|(_, json)| from_json(json))
            .collect()
    }
}

/// A shared store (the sync and the outbox on one `SqliteStore`, say).
impl<S: OutboxStore> OutboxStore for std::sync::Arc<S> {
    fn insert(
        &self,
        entry: &OutboxEntry,
    ) -> impl Future<Output = Result<Option<OutboxEntry>>> + Send {
        S::insert(self, entry)
    }

    fn entry(&self, key: &str) -> impl Future<Output = Result<Option<OutboxEntry>>> + Send {
        S::entry(self, key)
    }

    fn due(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<OutboxEntry>>> + Send {
        S::due(self, now, limit)
    }

    fn update(
        &self,
        entry: &OutboxEntry,
        expected: (MessageStatus, u32),
    ) -> impl Future<Output = Result<bool>> + Send {
        S::update(self, entry, expected)
    }

    fn entries(&self) -> impl Future<Output = Result<Vec<OutboxEntry>>> + Send {
        S::entries(self)
    }
}
