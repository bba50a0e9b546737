//! Where the sync remembers what it pushed: a state store per provider account.
//!
//! The nightly sync pushes only the contacts whose values changed since their last
//! *confirmed* push. A [`StateStore`] keeps, for one [`Scope`] (provider + account), each
//! contact's fingerprint of the values last confirmed written:
//!
//! - [`record`](StateStore::record) is called after every confirmed chunk, in one
//!   transaction, so a crash loses nothing that was confirmed;
//! - [`lock`](StateStore::lock) takes the run lock of the scope: a second run of the same
//!   account (another process, another pod) fails fast with
//!   [`StateError::Locked`], and the lock dies with the
//!   process that held it;
//! - [`load`](StateStore::load) reads every fingerprint at the start of a run, compactly
//!   ([`Fingerprints`], about 50 bytes per contact).
//!
//! Stores: [`SqliteStore`] (embedded, feature `sqlite`, on by default), [`PostgresStore`]
//! (feature `postgres`), [`MemoryStore`] (no persistence). A text state written by
//! [`SyncState::to_text`](crate::sync::SyncState::to_text) is imported once with
//! [`import_text`](StateStore::import_text).
//!
//! Emails are stored normalised (trimmed and lower-cased), as [`SyncRecord`] does.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> relance::Result<()> {
//! use relance::sync::store::{MemoryStore, Scope, StateStore};
//! use relance::sync::SyncRecord;
//!
//! let store = MemoryStore::new(Scope::new("sendethic", "12345")?);
//! let lock = store.lock().await?; // held for the whole run
//! let previous = store.load().await?;
//! let records = vec![SyncRecord::new("ann@example.com")];
//! let dirty: Vec<&SyncRecord> = records.iter().filter(|r| previous.is_dirty(r)).collect();
//! // ... push a chunk, then record what the service confirmed:
//! let confirmed: Vec<(&str, u64)> = dirty.iter().map(|r| (r.email(), r.fingerprint())).collect();
//! store.record(&confirmed).await?;
//! lock.release().await?;
//! # Ok(()) }
//! ```

mod fingerprints;
mod memory;
#[cfg(feature = "postgres")]
mod postgres;
mod scope;
#[cfg(feature = "sqlite")]
mod sqlite;

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;
use std::future::Future;

use futures_util::future::BoxFuture;

pub use fingerprints::Fingerprints;
pub use memory::MemoryStore;
#[cfg(feature = "postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
pub use postgres::PostgresStore;
pub use scope::Scope;
#[cfg(feature = "sqlite")]
#[cfg_attr(docsrs, doc(cfg(feature = "sqlite")))]
pub use sqlite::SqliteStore;
/// The `PostgreSQL` client crate of [`PostgresStore::connect_with`], re-exported so that its
/// `Config` and TLS connectors are always of the right version.
#[cfg(feature = "postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
pub use tokio_postgres;

use chrono::{DateTime, Utc};

use crate::error::{Error, Result, StateError};
#[cfg(doc)]
use crate::sync::SyncRecord;
use crate::sync::SyncState;
use fingerprints::normalise;

/// A durable memory of what was pushed to one provider account.
///
/// Every method is safe to call from several tasks at once. A store does not check that
/// the run lock is held: the sync engine takes it once per run.
pub trait StateStore: Send + Sync {
    /// The provider account this store describes.
    ///
    /// ```
    /// use relance::sync::store::{MemoryStore, Scope, StateStore};
    /// let store = MemoryStore::new(Scope::new("sendsay", "login")?);
    /// assert_eq!(store.scope().account(), "login");
    /// # Ok::<(), relance::Error>(())
    /// ```
    fn scope(&self) -> &Scope;

    /// Takes the run lock of the scope, for as long as the returned guard lives. A second
    /// holder (another process, another pod, another guard in this process) fails at once
    /// with [`StateError::Locked`]. The lock is released when the guard is dropped or
    /// [released](RunLock::release), and when the holding process dies.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> relance::Result<()> {
    /// use relance::sync::store::{MemoryStore, Scope, StateStore};
    /// let store = MemoryStore::new(Scope::new("sendethic", "1")?);
    /// let lock = store.lock().await?;
    /// assert!(store.lock().await.is_err());
    /// drop(lock);
    /// assert!(store.lock().await.is_ok());
    /// # Ok(()) }
    /// ```
    fn lock(&self) -> impl Future<Output = Result<RunLock>> + Send;

    /// Every recorded `(email, fingerprint)` of the scope.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> relance::Result<()> {
    /// use relance::sync::store::{MemoryStore, Scope, StateStore};
    /// let store = MemoryStore::new(Scope::new("sendethic", "1")?);
    /// assert!(store.load().await?.is_empty());
    /// # Ok(()) }
    /// ```
    fn load(&self) -> impl Future<Output = Result<Fingerprints>> + Send;

    /// Records confirmed pushes, all or none (one transaction). A contact recorded before is
    /// overwritten; for an email given twice, the later pair wins.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> relance::Result<()> {
    /// use relance::sync::store::{MemoryStore, Scope, StateStore};
    /// let store = MemoryStore::new(Scope::new("sendethic", "1")?);
    /// store.record(&[("a@b.fr", 1), ("c@d.fr", 2)]).await?;
    /// assert_eq!(store.load().await?.len(), 2);
    /// # Ok(()) }
    /// ```
    fn record(&self, pushed: &[(&str, u64)]) -> impl Future<Output = Result<()>> + Send;

    /// Forgets contacts: they are pushed again next run (or were erased). Unknown emails
    /// are ignored.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> relance::Result<()> {
    /// use relance::sync::store::{MemoryStore, Scope, StateStore};
    /// let store = MemoryStore::new(Scope::new("sendethic", "1")?);
    /// store.record(&[("a@b.fr", 1)]).await?;
    /// store.forget(&["A@B.fr"]).await?;
    /// assert!(store.load().await?.is_empty());
    /// # Ok(()) }
    /// ```
    fn forget(&self, emails: &[&str]) -> impl Future<Output = Result<()>> + Send;

    /// Which of these event keys (see
    /// [`LifecycleEvent::key`](crate::customer::events::LifecycleEvent::key)) were recorded
    /// delivered, in order. The default refuses: a store that cannot keep events says so.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> relance::Result<()> {
    /// use relance::sync::store::{MemoryStore, Scope, StateStore};
    /// let store = MemoryStore::new(Scope::new("sendethic", "1")?);
    /// store.mark_delivered(&["a@b.fr/seller/first_sale/1"]).await?;
    /// assert_eq!(store.delivered(&["a@b.fr/seller/first_sale/1", "x"]).await?, [true, false]);
    /// # Ok(()) }
    /// ```
    fn delivered(&self, keys: &[&str]) -> impl Future<Output = Result<Vec<bool>>> + Send {
        let _ = keys;
        async { Err(Error::config("this store cannot keep delivered events")) }
    }

    /// Records event keys as delivered, all or none; a key recorded before stays recorded
    /// (with its first instant). The default refuses.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> relance::Result<()> {
    /// use relance::sync::store::{MemoryStore, Scope, StateStore};
    /// let store = MemoryStore::new(Scope::new("sendethic", "1")?);
    /// store.mark_delivered(&["k"]).await?;
    /// store.mark_delivered(&["k"]).await?;
    /// assert_eq!(store.delivered(&["k"]).await?, [true]);
    /// # Ok(()) }
    /// ```
    fn mark_delivered(&self, keys: &[&str]) -> impl Future<Output = Result<()>> + Send {
        let _ = keys;
        async { Err(Error::config("this store cannot keep delivered events")) }
    }

    /// The instant last recorded under `name` by [`set_checkpoint`](Self::set_checkpoint)
    /// (`None` before the first): where a job that works on windows of time (the lifecycle
    /// events) starts its next window. Stores without checkpoints refuse with
    /// [`Error::Config`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> relance::Result<()> {
    /// use relance::sync::store::{MemoryStore, Scope, StateStore};
    /// let store = MemoryStore::new(Scope::new("sendethic", "42")?);
    /// assert_eq!(store.checkpoint("events").await?, None);
    /// # Ok(()) }
    /// ```
    fn checkpoint(&self, name: &str) -> impl Future<Output = Result<Option<DateTime<Utc>>>> + Send {
        let _ = name;
        async { Err(Error::config("this store cannot keep checkpoints")) }
    }

    /// Records `at` under `name`, replacing the previous instant.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> relance::Result<()> {
    /// use relance::sync::store::{MemoryStore, Scope, StateStore};
    /// let store = MemoryStore::new(Scope::new("sendethic", "42")?);
    /// let at = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
    /// store.set_checkpoint("events", at).await?;
    /// assert_eq!(store.checkpoint("events").await?, Some(at));
    /// # Ok(()) }
    /// ```
    fn set_checkpoint(
        &self,
        name: &str,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<()>> + Send {
        let _ = (name, at);
        async { Err(Error::config("this store cannot keep checkpoints")) }
    }

    /// Imports a text state written by [`SyncState::to_text`] (the format before stores),
    /// once: a store that already records a push is refused with [`StateError::NotEmpty`].
    /// The text is checked whole (a truncated or altered text is refused) and recorded in
    /// one transaction. Returns how many contacts were imported. Hold the run lock.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> relance::Result<()> {
    /// use relance::sync::store::{MemoryStore, Scope, StateStore};
    /// use relance::sync::{SyncRecord, SyncState};
    /// let mut old = SyncState::default();
    /// old.mark_pushed(&SyncRecord::new("a@b.fr"));
    /// let store = MemoryStore::new(Scope::new("sendethic", "1")?);
    /// assert_eq!(store.import_text(&old.to_text()).await?, 1);
    /// assert!(store.import_text(&old.to_text()).await.is_err());
    /// # Ok(()) }
    /// ```
    fn import_text(&self, text: &str) -> impl Future<Output = Result<usize>> + Send {
        async move {
            let pairs = parse_text(text)?;
            if !self.load().await?.is_empty() {
                return Err(Error::State(StateError::NotEmpty {
                    scope: self.scope().clone(),
                }));
            }
            self.record(&pairs).await?;
            Ok(pairs.len())
        }
    }
}

/// An instant as stored: Unix microseconds.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) fn micros(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

/// An instant read back from Unix microseconds.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) fn from_micros(us: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp_micros(us).ok_or_else(|| {
        Error::State(StateError::Backend {
            context: "cannot read a checkpoint".into(),
            source: format!("{us} µs is out of range").into(),
        })
    })
}

/// The pairs of a text state, checked whole by [`SyncState::from_text`] first.
fn parse_text(text: &str) -> Result<Vec<(&str, u64)>> {
    let state = SyncState::from_text(text)?;
    let pairs = text
        .lines()
        .skip(1)
        .map(|line| {
            let (email, hex) = line.split_once('\t')?;
            Some((email, u64::from_str_radix(hex, 16).ok()?))
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| Error::invalid("sync state", "bad line"))?;
    debug_assert_eq!(pairs.len(), state.len());
    Ok(pairs)
}

/// The pairs of a [`StateStore::record`] call, normalised, each email once (the later pair
/// wins, at its place). An empty email is refused.
pub(crate) fn batch<'a>(pushed: &[(&'a str, u64)]) -> Result<Vec<(Cow<'a, str>, u64)>> {
    let mut seen = HashSet::with_capacity(pushed.len());
    let mut out = Vec::with_capacity(pushed.len());
    for &(email, fingerprint) in pushed.iter().rev() {
        let email = normalise(email);
        if email.is_empty() {
            return Err(Error::invalid("", "an empty email cannot be recorded"));
        }
        if seen.insert(email.clone()) {
            out.push((email, fingerprint));
        }
    }
    out.reverse();
    Ok(out)
}

/// The run lock of a scope, held while this guard lives (see [`StateStore::lock`]).
#[must_use = "the run lock is released as soon as the guard is dropped"]
pub struct RunLock {
    scope: Scope,
    held: Box<dyn Held>,
}

/// What a store keeps to hold a run lock; dropping it releases the lock.
pub(crate) trait Held: Send + Sync + fmt::Debug {
    /// Releases the lock and waits until it is released (by default: drops it).
    fn release(self: Box<Self>) -> BoxFuture<'static, Result<()>> {
        drop(self);
        Box::pin(async { Ok(()) })
    }
}

/// The error of a run lock held elsewhere.
pub(crate) fn locked(scope: &Scope) -> Error {
    Error::State(StateError::Locked {
        scope: scope.clone(),
    })
}

impl RunLock {
    pub(crate) fn new(scope: Scope, held: Box<dyn Held>) -> Self {
        Self { scope, held }
    }

    /// The scope whose run this guard locks.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> relance::Result<()> {
    /// use relance::sync::store::{MemoryStore, Scope, StateStore};
    /// let store = MemoryStore::new(Scope::new("sendethic", "1")?);
    /// let lock = store.lock().await?;
    /// assert_eq!(lock.scope(), store.scope());
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// Releases the lock and waits until another run can take it. Dropping the guard also
    /// releases it, but a `PostgreSQL` lock is then released when the server notices its
    /// connection closed (a few milliseconds later).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> relance::Result<()> {
    /// use relance::sync::store::{MemoryStore, Scope, StateStore};
    /// let store = MemoryStore::new(Scope::new("sendethic", "1")?);
    /// store.lock().await?.release().await?;
    /// assert!(store.lock().await.is_ok());
    /// # Ok(()) }
    /// ```
    pub async fn release(self) -> Result<()> {
        self.held.release().await
    }
}

impl fmt::Debug for RunLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunLock")
            .field("scope", &self.scope)
            .field("held", &self.held)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_are_normalised_and_the_later_pair_wins() {
        let b = batch(&[(" A@b.fr", 1), ("c@d.fr", 2), ("a@B.fr", 3)]).unwrap();
        assert_eq!(
            b,
            [
                (Cow::Borrowed("c@d.fr"), 2),
                (Cow::Owned("a@b.fr".into()), 3)
            ]
        );
        assert!(batch(&[("  ", 1)]).is_err());
    }

    #[test]
    fn a_text_state_is_read_whole() {
        let mut state = SyncState::default();
        state.mark_pushed(&crate::sync::SyncRecord::new("a@b.fr"));
        let text = state.to_text();
        assert_eq!(parse_text(&text).unwrap().len(), 1);
        assert!(parse_text(&text.replace("a@b", "x@b")).is_err());
    }
}
