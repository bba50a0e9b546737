//! Many `member.set`s at once: chunks of them sent in `batch` calls, each member accounted
//! for by its own sub-result.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use futures_util::stream::{self, Stream, StreamExt};
use serde_json::{Map, Value};

use super::set::MemberSet;
use crate::error::{ApiError, Error, Result};
use crate::http::{BulkEvent, BulkReport, RequestOptions, RetryPolicy};
use crate::sendsay::core::Core;
use crate::sendsay::envelope::{envelope_error, error_from_element};

/// The largest chunk: the reference gives no limit for `batch`; 500 keeps a request well
/// under a megabyte for typical contacts.
pub const MAX_SET_CHUNK: usize = 500;

/// Many contacts written with `member.set`, in chunks sent as one `batch` call each. Created
/// by [`MembersHandler::set_many`](super::MembersHandler::set_many); `.await` it, call
/// [`send`](Self::send), or follow each contact with [`events`](Self::events).
///
/// Why `batch` rather than `member.import`: `batch` answers synchronously with one result per
/// `member.set`, so each contact is confirmed or refused by the service itself, which an
/// import's report (an asynchronous job counting lines) does not give.
///
/// How each contact is accounted for:
/// - its `member.set` is built first (identifier, data keys); a contact that cannot be is
///   [`Rejected`](BulkEvent::Rejected) and never sent;
/// - it is written when its own sub-result has no error; a sub-result with an error rejects
///   it with the service's [`ApiError`];
/// - a chunk whose results are missing or fewer than its contacts has the unconfirmed ones
///   sent again (a `member.set` that updates or overwrites is idempotent), then failed;
/// - a chunk whose call fails after the retries is [`Failed`](BulkEvent::Failed). A batch of
///   idempotent `member.set`s (`if_exists` update or overwrite, no confirmation letter) is
///   retry-safe, and retried like a read; any other is never retried.
#[must_use = "a bulk write does nothing until it is awaited"]
pub struct SetMany<S> {
    core: Arc<Core>,
    source: S,
    chunk_size: usize,
    concurrency: usize,
    confirm_attempts: u32,
    options: RequestOptions,
}

impl<S> std::fmt::Debug for SetMany<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("sendsay::SetMany")
            .field("chunk_size", &self.chunk_size)
            .field("concurrency", &self.concurrency)
            .finish_non_exhaustive()
    }
}

impl<S: Stream<Item = MemberSet>> SetMany<S> {
    pub(super) fn new(core: Arc<Core>, source: S) -> Self {
        Self {
            core,
            source,
            chunk_size: 200,
            concurrency: 4,
            confirm_attempts: 2,
            options: RequestOptions::default(),
        }
    }

    /// Contacts per `batch` call, 1 to [`MAX_SET_CHUNK`] (default 200).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let report = client.members().set_many(Vec::new()).chunk_size(100).await?;
    /// # Ok(()) }
    /// ```
    pub fn chunk_size(mut self, n: usize) -> Self {
        self.chunk_size = n;
        self
    }

    /// `batch` calls in flight at once, at least 1 (default 4).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let report = client.members().set_many(Vec::new()).concurrency(2).await?;
    /// # Ok(()) }
    /// ```
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n;
        self
    }

    /// Overrides the retry policy of every `batch` call.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let report = client.members().set_many(Vec::new()).retry(relance::http::RetryPolicy::none()).await?;
    /// # Ok(()) }
    /// ```
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.options = self.options.retry(policy);
        self
    }

    /// Overrides the per-attempt timeout of every `batch` call.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let report = client.members().set_many(Vec::new()).timeout(std::time::Duration::from_secs(60)).await?;
    /// # Ok(()) }
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options = self.options.timeout(timeout);
        self
    }

    fn check(&self) -> Result<()> {
        if !(1..=MAX_SET_CHUNK).contains(&self.chunk_size) {
            return Err(Error::invalid(
                "chunk_size",
                format!("must be 1 to {MAX_SET_CHUNK}, got {}", self.chunk_size),
            ));
        }
        if self.concurrency == 0 {
            return Err(Error::invalid("concurrency", "must be at least 1"));
        }
        Ok(())
    }

    /// Runs the writes and reports each contact's fate as soon as it is known, naming
    /// contacts by their position in the input. Invalid options end the stream with one
    /// [`Failed`](BulkEvent::Failed) event carrying no position.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// use futures_util::StreamExt;
    /// use relance::sendsay::MemberSet;
    /// let members = vec![MemberSet::new("ivan@example.com").set("base.firstName", "Ivan")];
    /// let mut events = std::pin::pin!(client.members().set_many(members).events());
    /// while let Some(event) = events.next().await {
    ///     println!("{:?}", event.indices());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn events<'a>(self) -> impl Stream<Item = BulkEvent> + 'a
    where
        S: 'a,
    {
        if let Err(error) = self.check() {
            let failed = BulkEvent::Failed {
                indices: Vec::new(),
                error,
            };
            return stream::iter(vec![failed]).left_stream();
        }
        let rejected = Arc::new(Mutex::new(Vec::new()));
        let writer = Arc::new(Writer {
            core: self.core,
            options: self.options,
            confirm_attempts: self.confirm_attempts,
        });
        let admitted = {
            let rejected = rejected.clone();
            self.source.enumerate().filter_map(move |(index, member)| {
                let key = member.id().value.clone();
                let item = match member.params() {
                    Ok(mut body) => {
                        body.insert("action".into(), "member.set".into());
                        Some(Item { index, key, body })
                    }
                    Err(error) => {
                        lock(&rejected).push(BulkEvent::Rejected { index, key, error });
                        None
                    }
                };
                std::future::ready(item)
            })
        };
        let settled = admitted
            .chunks(self.chunk_size)
            .map(move |items| {
                let writer = writer.clone();
                async move { writer.settle(items).await }
            })
            .buffer_unordered(self.concurrency);
        let (during, after) = (rejected.clone(), rejected);
        settled
            .map(move |mut events| {
                events.append(&mut lock(&during));
                stream::iter(events)
            })
            .chain(stream::once(async move {
                stream::iter(std::mem::take(&mut *lock(&after)))
            }))
            .flatten()
            .right_stream()
    }

    /// Runs the writes; fails only for invalid options (chunk size outside
    /// 1..=[`MAX_SET_CHUNK`], zero concurrency); everything else is in the report.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// use relance::sendsay::MemberSet;
    /// let members = (0..1000).map(|i| MemberSet::new(format!("m{i}@example.com")).set("base.firstName", "M"));
    /// let report = client.members().set_many(members).send().await?;
    /// println!("{} written, {} rejected", report.written.len(), report.rejected.len());
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<BulkReport> {
        self.check()?;
        let submitted = Arc::new(Mutex::new(0usize));
        let counted = submitted.clone();
        let many = SetMany {
            core: self.core,
            source: self.source.inspect(move |_| *lock(&counted) += 1),
            chunk_size: self.chunk_size,
            concurrency: self.concurrency,
            confirm_attempts: self.confirm_attempts,
            options: self.options,
        };
        let events: Vec<BulkEvent> = many.events().collect().await;
        let submitted = *lock(&submitted);
        Ok(BulkReport::of(submitted, events))
    }
}

impl<S> IntoFuture for SetMany<S>
where
    S: Stream<Item = MemberSet> + Send + 'static,
{
    type Output = Result<BulkReport>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<BulkReport>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// A contact on its way: its input position, identifier and `member.set` body.
struct Item {
    index: usize,
    key: String,
    body: Map<String, Value>,
}

struct Writer {
    core: Arc<Core>,
    options: RequestOptions,
    confirm_attempts: u32,
}

impl Writer {
    /// Writes a chunk in one `batch` and accounts for each of its contacts, sending the
    /// unconfirmed ones again.
    async fn settle(&self, items: Vec<Item>) -> Vec<BulkEvent> {
        let mut events = Vec::new();
        let mut pending = items;
        let mut resent = 0;
        while !pending.is_empty() {
            let results = match self.batch(&pending).await {
                Ok(results) => results,
                Err(error) => {
                    events.push(BulkEvent::Failed {
                        indices: pending.iter().map(|i| i.index).collect(),
                        error,
                    });
                    break;
                }
            };
            let answered = results.len().min(pending.len());
            let unanswered = pending.split_off(answered);
            let mut written = Vec::new();
            for (item, result) in pending.into_iter().zip(results) {
                match result {
                    Ok(()) => written.push(item.index),
                    Err(api) => events.push(BulkEvent::Rejected {
                        index: item.index,
                        key: item.key,
                        error: api.into(),
                    }),
                }
            }
            if !written.is_empty() {
                events.push(BulkEvent::Written(written));
            }
            pending = unanswered;
            if pending.is_empty() {
                break;
            }
            if resent >= self.confirm_attempts {
                events.push(BulkEvent::Failed {
                    indices: pending.iter().map(|i| i.index).collect(),
                    error: Error::Protocol(
                        "the batch answered fewer results than it had actions; these contacts are not confirmed".into(),
                    ),
                });
                break;
            }
            resent += 1;
        }
        events
    }

    /// One `batch` of `member.set`s: each sub-result, in order.
    async fn batch(&self, items: &[Item]) -> Result<Vec<std::result::Result<(), ApiError>>> {
        let mut params = Map::new();
        params.insert("stop_on_error".into(), Value::from(0));
        params.insert(
            "do".into(),
            Value::Array(
                items
                    .iter()
                    .map(|i| Value::Object(i.body.clone()))
                    .collect(),
            ),
        );
        let reply = self
            .core
            .action("batch", Ok(params), Ok)
            .options(self.options.clone())
            .send()
            .await?;
        let results = match reply.get("result") {
            Some(Value::Array(results)) => results.as_slice(),
            _ => &[],
        };
        Ok(results
            .iter()
            .map(|r| {
                let raw = r.to_string();
                match envelope_error(200, r, raw.as_bytes()) {
                    Some(e) => Err(e),
                    None if r.get("errors").is_some() => {
                        Err(error_from_element(200, r, raw.as_bytes()))
                    }
                    None => Ok(()),
                }
            })
            .collect())
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
