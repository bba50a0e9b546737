//! A store without persistence, for tests and one-off runs.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::fingerprints::{Builder, normalise};
use super::{Held, RunLock, Scope, StateStore, batch, locked};
use crate::error::Result;

/// A [`StateStore`] in memory: nothing survives the process. Clones share the same state
/// and the same run lock, so two clones behave like two processes on one store.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> relance::Result<()> {
/// use relance::sync::store::{MemoryStore, Scope, StateStore};
/// let store = MemoryStore::new(Scope::new("sendethic", "12345")?);
/// let _lock = store.lock().await?;
/// store.record(&[("ann@example.com", 42)]).await?;
/// assert_eq!(store.load().await?.get("ann@example.com"), Some(42));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct MemoryStore {
    scope: Scope,
    inner: Arc<Mutex<Inner>>,
    outbox: Arc<Mutex<Vec<(String, String)>>>,
}

#[derive(Debug, Default)]
struct Inner {
    pushed: HashMap<String, u64>,
    delivered: HashSet<String>,
    checkpoints: HashMap<String, chrono::DateTime<chrono::Utc>>,
    locked: bool,
}

impl MemoryStore {
    /// An empty store for `scope`.
    ///
    /// ```
    /// use relance::sync::store::{MemoryStore, Scope};
    /// let store = MemoryStore::new(Scope::new("sendsay", "login")?);
    /// # let _ = store;
    /// # Ok::<(), relance::Error>(())
    /// ```
    #[must_use]
    pub fn new(scope: Scope) -> Self {
        Self {
            scope,
            inner: Arc::default(),
            outbox: Arc::default(),
        }
    }

    /// The outbox kept beside the state (see `crate::messaging`), as `(key, entry as JSON)`
    /// in insertion order: the sync layer does not know the messages' types.
    pub(crate) fn outbox(&self) -> MutexGuard<'_, Vec<(String, String)>> {
        self.outbox.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn inner(&self) -> MutexGuard<'_, Inner> {
        // Every update below completes or changes nothing: a poisoned state is consistent.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Holds a [`MemoryStore`]'s run lock.
#[derive(Debug)]
struct MemoryHeld(Arc<Mutex<Inner>>);

impl Drop for MemoryHeld {
    fn drop(&mut self) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).locked = false;
    }
}

impl Held for MemoryHeld {}

impl StateStore for MemoryStore {
    fn scope(&self) -> &Scope {
        &self.scope
    }

    async fn lock(&self) -> Result<RunLock> {
        let mut inner = self.inner();
        if inner.locked {
            return Err(locked(&self.scope));
        }
        inner.locked = true;
        drop(inner);
        Ok(RunLock::new(
            self.scope.clone(),
            Box::new(MemoryHeld(Arc::clone(&self.inner))),
        ))
    }

    async fn load(&self) -> Result<super::Fingerprints> {
        let inner = self.inner();
        let bytes = inner.pushed.keys().map(String::len).sum();
        let mut builder = Builder::with_capacity(inner.pushed.len(), bytes);
        for (email, &fingerprint) in &inner.pushed {
            builder.push(email, fingerprint)?;
        }
        drop(inner);
        Ok(builder.build())
    }

    async fn record(&self, pushed: &[(&str, u64)]) -> Result<()> {
        let pushed = batch(pushed)?;
        let mut inner = self.inner();
        for (email, fingerprint) in pushed {
            inner.pushed.insert(email.into_owned(), fingerprint);
        }
        Ok(())
    }

    async fn delivered(&self, keys: &[&str]) -> Result<Vec<bool>> {
        let inner = self.inner();
        Ok(keys.iter().map(|k| inner.delivered.contains(*k)).collect())
    }

    async fn mark_delivered(&self, keys: &[&str]) -> Result<()> {
        let mut inner = self.inner();
        inner.delivered.extend(keys.iter().map(|k| (*k).to_owned()));
        Ok(())
    }

    async fn checkpoint(&self, name: &str) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
        Ok(self.inner().checkpoints.get(name).copied())
    }

    async fn set_checkpoint(&self, name: &str, at: chrono::DateTime<chrono::Utc>) -> Result<()> {
        self.inner().checkpoints.insert(name.to_owned(), at);
        Ok(())
    }

    async fn forget(&self, emails: &[&str]) -> Result<()> {
        let mut inner = self.inner();
        for email in emails {
            inner.pushed.remove(normalise(email).as_ref());
        }
        Ok(())
    }
}
