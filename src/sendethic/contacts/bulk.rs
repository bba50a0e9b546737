//! Bulk writes (`/contacts/attribute`): contacts validated one by one, sent in chunks with
//! bounded concurrency, every outcome reported.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use futures_util::stream::{Stream, StreamExt};
use reqwest::Method;

use super::model::{Contact, WireContact};
use super::validate::validate;
use super::write_safety;
use crate::error::{Error, Result};
use crate::http::{BulkEvent, RequestOptions, RetryPolicy};
use crate::sendethic::core::Core;
use crate::sendethic::fields::{ContactField, FieldCatalog};
use crate::sendethic::types::ServerMessage;

/// The most contacts Sendethic accepts in one bulk call.
pub const MAX_BULK_CHUNK: usize = 500;

/// Options of a bulk write.
///
/// ```
/// let o = relance::sendethic::BulkOptions::default().chunk_size(200).concurrency(2).retry_upserts(true);
/// assert_eq!(o.chunk_size, 200);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct BulkOptions {
    /// Contacts per request, 1 to 500 (default 500).
    pub chunk_size: usize,
    /// Requests in flight at once, at least 1 (default 4).
    pub concurrency: usize,
    /// Whether upsert chunks (`POST`) may be resent by the retry policy after a failure that
    /// may have reached the server (default `false`). Upserts by key are idempotent, so this
    /// is safe for your data; it is off by default like every POST.
    pub retry_upserts: bool,
}

impl Default for BulkOptions {
    fn default() -> Self {
        Self {
            chunk_size: MAX_BULK_CHUNK,
            concurrency: 4,
            retry_upserts: false,
        }
    }
}

impl BulkOptions {
    /// Fails for a chunk size outside `1..=500` or a zero concurrency.
    fn check(&self) -> Result<()> {
        if !(1..=MAX_BULK_CHUNK).contains(&self.chunk_size) {
            return Err(Error::invalid(
                "chunk_size",
                format!("must be 1 to {MAX_BULK_CHUNK}, got {}", self.chunk_size),
            ));
        }
        if self.concurrency == 0 {
            return Err(Error::invalid("concurrency", "must be at least 1"));
        }
        Ok(())
    }

    /// Sets [`chunk_size`](Self::chunk_size).
    ///
    /// ```
    /// let o = relance::sendethic::BulkOptions::default().chunk_size(50);
    /// # let _ = o;
    /// ```
    #[must_use]
    pub fn chunk_size(mut self, n: usize) -> Self {
        self.chunk_size = n;
        self
    }

    /// Sets [`concurrency`](Self::concurrency).
    ///
    /// ```
    /// let o = relance::sendethic::BulkOptions::default().concurrency(8);
    /// # let _ = o;
    /// ```
    #[must_use]
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n;
        self
    }

    /// Sets [`retry_upserts`](Self::retry_upserts).
    ///
    /// ```
    /// let o = relance::sendethic::BulkOptions::default().retry_upserts(true);
    /// # let _ = o;
    /// ```
    #[must_use]
    pub fn retry_upserts(mut self, yes: bool) -> Self {
        self.retry_upserts = yes;
        self
    }
}

/// A contact refused before sending.
#[derive(Debug)]
#[non_exhaustive]
pub struct Rejected {
    /// Its position in the input (0-based).
    pub index: usize,
    /// Its key, as given.
    pub key: String,
    /// Why ([`Error::InvalidInput`] naming the contact).
    pub reason: Error,
}

/// What happened to one chunk.
#[derive(Debug)]
#[non_exhaustive]
pub struct ChunkOutcome {
    /// Chunk number, in input order (0-based).
    pub index: usize,
    /// Input positions of the contacts it carried.
    pub indices: Vec<usize>,
    /// The count in the server's `"<N> contact(s) affected."` reply, when it had that form.
    pub affected: Option<u64>,
    /// The server's reply, on success.
    pub message: Option<ServerMessage>,
    /// The error, when the chunk failed.
    pub error: Option<Error>,
}

impl ChunkOutcome {
    /// The outcome of chunk `index`, carrying the contacts at `indices`, from its reply.
    fn new(index: usize, indices: Vec<usize>, reply: Result<ServerMessage>) -> Self {
        let sent = indices.len();
        match reply {
            Ok(message) => {
                let affected = message.affected();
                if affected != Some(sent as u64) {
                    tracing::warn!(
                        chunk = index,
                        sent,
                        affected = ?affected,
                        "Sendethic bulk write: affected count differs from the chunk size"
                    );
                }
                Self {
                    index,
                    indices,
                    affected,
                    message: Some(message),
                    error: None,
                }
            }
            Err(error) => {
                tracing::warn!(chunk = index, sent, error = %error, "Sendethic bulk chunk failed");
                Self {
                    index,
                    indices,
                    affected: None,
                    message: None,
                    error: Some(error),
                }
            }
        }
    }

    /// Whether the chunk was accepted.
    ///
    /// ```
    /// # fn f(c: &relance::sendethic::ChunkOutcome) {
    /// if !c.is_ok() { eprintln!("chunk {} failed", c.index); }
    /// # }
    /// ```
    #[must_use]
    pub fn is_ok(&self) -> bool {
        self.error.is_none()
    }
}

/// Totals of a [`BulkReport`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct BulkTotals {
    /// Contacts read from the input.
    pub submitted: usize,
    /// Contacts refused by validation.
    pub rejected: usize,
    /// Contacts in chunks the server accepted.
    pub sent: usize,
    /// Contacts in chunks that failed.
    pub failed: usize,
    /// Sum of the affected counts the server reported.
    pub affected: u64,
    /// Chunks sent.
    pub chunks: usize,
    /// Chunks that failed.
    pub failed_chunks: usize,
}

/// The result of a bulk write: every input contact is either rejected (with the reason) or
/// in exactly one chunk (accepted, with the server's count, or failed, with the error).
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct BulkReport {
    /// Contacts read from the input.
    pub submitted: usize,
    /// Contacts refused before sending, in input order.
    pub rejected: Vec<Rejected>,
    /// One outcome per chunk, in input order.
    pub chunks: Vec<ChunkOutcome>,
}

impl BulkReport {
    /// The report as per-contact events: every contact of a chunk the service answered is
    /// [`Written`](BulkEvent::Written), of a failed chunk [`Failed`](BulkEvent::Failed),
    /// and each refused contact [`Rejected`](BulkEvent::Rejected).
    ///
    /// ```
    /// assert!(relance::sendethic::BulkReport::default().into_events().is_empty());
    /// ```
    #[must_use]
    pub fn into_events(self) -> Vec<BulkEvent> {
        let mut events: Vec<BulkEvent> = self
            .rejected
            .into_iter()
            .map(|r| BulkEvent::Rejected {
                index: r.index,
                key: r.key,
                error: r.reason,
            })
            .collect();
        for chunk in self.chunks {
            events.push(match chunk.error {
                None => BulkEvent::Written(chunk.indices),
                Some(error) => BulkEvent::Failed {
                    indices: chunk.indices,
                    error,
                },
            });
        }
        events
    }

    /// The totals.
    ///
    /// ```
    /// let t = relance::sendethic::BulkReport::default().totals();
    /// assert_eq!(t.submitted, 0);
    /// ```
    #[must_use]
    pub fn totals(&self) -> BulkTotals {
        let mut t = BulkTotals {
            submitted: self.submitted,
            rejected: self.rejected.len(),
            chunks: self.chunks.len(),
            ..BulkTotals::default()
        };
        for c in &self.chunks {
            if c.is_ok() {
                t.sent += c.indices.len();
                t.affected += c.affected.unwrap_or(0);
            } else {
                t.failed += c.indices.len();
                t.failed_chunks += 1;
            }
        }
        t
    }

    /// The failed chunks.
    ///
    /// ```
    /// assert_eq!(relance::sendethic::BulkReport::default().failed_chunks().count(), 0);
    /// ```
    pub fn failed_chunks(&self) -> impl Iterator<Item = &ChunkOutcome> {
        self.chunks.iter().filter(|c| !c.is_ok())
    }

    /// Whether every contact was valid and every chunk accepted.
    ///
    /// ```
    /// assert!(relance::sendethic::BulkReport::default().is_complete());
    /// ```
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.rejected.is_empty() && self.chunks.iter().all(ChunkOutcome::is_ok)
    }
}

/// A bulk write being configured. Created by [`ContactsHandler::upsert_many`](super::ContactsHandler::upsert_many) and friends;
/// `.await` it to run it (that needs a `Send + 'static` source, such as an owning iterator
/// or `Vec`); [`send`](Self::send) also accepts a borrowing one.
///
/// The source is pulled lazily: at most `concurrency` chunks (each at most `chunk_size`
/// contacts) are held at a time, plus the rejected items' keys and reasons for the report.
#[must_use = "a bulk write does nothing until it is awaited"]
pub struct Bulk<S> {
    core: Arc<Core>,
    method: Method,
    source: S,
    catalog: Option<FieldCatalog>,
    options: BulkOptions,
    request: RequestOptions,
}

impl<S> fmt::Debug for Bulk<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("sendethic::Bulk")
            .field("method", &self.method)
            .field("options", &self.options)
            .field("catalog", &self.catalog.is_some())
            .finish_non_exhaustive()
    }
}

impl<S: Stream<Item = Contact>> Bulk<S> {
    pub(super) fn new(core: Arc<Core>, method: Method, source: S) -> Self {
        Self {
            core,
            method,
            source,
            catalog: None,
            options: BulkOptions::default(),
            request: RequestOptions::default(),
        }
    }

    /// Checks custom values against these fields' formats (selection values are not known
    /// this way; use [`catalog`](Self::catalog) with [`FieldsHandler::catalog`](crate::sendethic::FieldsHandler::catalog) for that).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let fields = client.fields().list().await?;
    /// let report = client.contacts().upsert_many(Vec::new()).with_fields(&fields).await?;
    /// # Ok(()) }
    /// ```
    pub fn with_fields(mut self, fields: &[ContactField]) -> Self {
        self.catalog = Some(FieldCatalog::from(fields));
        self
    }

    /// Checks custom values against a catalog.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let catalog = client.fields().catalog().await?;
    /// let report = client.contacts().upsert_many(Vec::new()).catalog(catalog).await?;
    /// # Ok(()) }
    /// ```
    pub fn catalog(mut self, catalog: FieldCatalog) -> Self {
        self.catalog = Some(catalog);
        self
    }

    /// Replaces the options.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::BulkOptions;
    /// let report = client.contacts().upsert_many(Vec::new())
    ///     .options(BulkOptions::default().chunk_size(100).retry_upserts(true)).await?;
    /// # Ok(()) }
    /// ```
    pub fn options(mut self, options: BulkOptions) -> Self {
        self.options = options;
        self
    }

    /// Contacts per request (1 to 500).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let report = client.contacts().upsert_many(Vec::new()).chunk_size(50).await?;
    /// # Ok(()) }
    /// ```
    pub fn chunk_size(mut self, n: usize) -> Self {
        self.options.chunk_size = n;
        self
    }

    /// Requests in flight at once.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let report = client.contacts().upsert_many(Vec::new()).concurrency(2).await?;
    /// # Ok(()) }
    /// ```
    pub fn concurrency(mut self, n: usize) -> Self {
        self.options.concurrency = n;
        self
    }

    /// Lets the retry policy resend upsert chunks (see [`BulkOptions::retry_upserts`]).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let report = client.contacts().upsert_many(Vec::new()).retry_upserts(true).await?;
    /// # Ok(()) }
    /// ```
    pub fn retry_upserts(mut self, yes: bool) -> Self {
        self.options.retry_upserts = yes;
        self
    }

    /// Overrides the retry policy of every chunk request.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let report = client.contacts().upsert_many(Vec::new()).retry(relance::http::RetryPolicy::none()).await?;
    /// # Ok(()) }
    /// ```
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.request = self.request.retry(policy);
        self
    }

    /// Overrides the per-attempt timeout of every chunk request.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let report = client.contacts().upsert_many(Vec::new()).timeout(std::time::Duration::from_secs(60)).await?;
    /// # Ok(()) }
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.request = self.request.timeout(timeout);
        self
    }

    /// Runs the bulk write. Fails only for invalid options (chunk size outside 1..=500,
    /// zero concurrency); everything else is in the [`BulkReport`].
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let report = client.contacts().upsert_many(Vec::new()).send().await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<BulkReport> {
        let Self {
            core,
            method,
            source,
            catalog,
            options,
            request,
        } = self;
        options.check()?;
        let screen = Screen::default();
        let writer = ChunkWriter {
            core: &core,
            method: &method,
            options: request.idempotent(options.retry_upserts),
        };
        let mut chunks: Vec<ChunkOutcome> = screen
            .valid(source, catalog.as_ref())
            .chunks(options.chunk_size)
            .enumerate()
            .map(|(index, items)| writer.send(index, items))
            .buffer_unordered(options.concurrency)
            .collect()
            .await;
        chunks.sort_by_key(|c| c.index);
        Ok(screen.report(chunks))
    }
}

impl<S> IntoFuture for Bulk<S>
where
    S: Stream<Item = Contact> + Send + 'static,
{
    type Output = Result<BulkReport>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<BulkReport>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// The validation step: counts the input and keeps the rejected contacts for the report.
#[derive(Default)]
struct Screen {
    submitted: Mutex<usize>,
    rejected: Mutex<Vec<Rejected>>,
}

impl Screen {
    /// The valid contacts of `source`, in wire form with their input positions.
    fn valid<'a, S>(
        &'a self,
        source: S,
        catalog: Option<&'a FieldCatalog>,
    ) -> impl Stream<Item = (usize, WireContact)> + 'a
    where
        S: Stream<Item = Contact> + 'a,
    {
        source.enumerate().filter_map(move |(index, contact)| {
            std::future::ready(self.admit(index, contact, catalog))
        })
    }

    /// Counts one contact; keeps it when valid, records why otherwise.
    fn admit(
        &self,
        index: usize,
        contact: Contact,
        catalog: Option<&FieldCatalog>,
    ) -> Option<(usize, WireContact)> {
        *lock(&self.submitted) += 1;
        match validate(&contact, catalog) {
            Ok(()) => Some((index, contact.to_wire())),
            Err(reason) => {
                lock(&self.rejected).push(Rejected {
                    index,
                    key: contact.key,
                    reason,
                });
                None
            }
        }
    }

    /// The report of the whole write, rejections in input order.
    fn report(self, chunks: Vec<ChunkOutcome>) -> BulkReport {
        let mut rejected = self
            .rejected
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        rejected.sort_by_key(|r| r.index);
        BulkReport {
            submitted: self
                .submitted
                .into_inner()
                .unwrap_or_else(PoisonError::into_inner),
            rejected,
            chunks,
        }
    }
}

/// The sending step: one request per chunk.
struct ChunkWriter<'a> {
    core: &'a Core,
    method: &'a Method,
    options: RequestOptions,
}

impl ChunkWriter<'_> {
    /// Sends chunk `index` (POST upserts are retried only when declared idempotent).
    async fn send(&self, index: usize, items: Vec<(usize, WireContact)>) -> ChunkOutcome {
        let (indices, body): (Vec<usize>, Vec<WireContact>) = items.into_iter().unzip();
        let draft = self
            .core
            .request(
                self.method.clone(),
                "/contacts/attribute",
                &["contacts", "attribute"],
            )
            .safety(write_safety(self.method))
            .json(&body);
        drop(body);
        let reply = draft.message().options(self.options.clone()).send().await;
        ChunkOutcome::new(index, indices, reply)
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
