//! Bulk writes (`/contacts/attribute`): contacts validated one by one, sent in chunks with
//! bounded concurrency, and each one accounted for: written only when the service's count
//! confirms it, refused or dropped contacts found by bisection, nothing silently lost.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use futures_util::stream::{self, Stream, StreamExt};
use reqwest::Method;

use super::model::Contact;
use super::validate::validate;
use super::write_safety;
use crate::error::{Error, Result};
use crate::http::{Body, BulkEvent, BulkReport, RequestOptions, RetryPolicy, numbered_batches};
use crate::sendethic::core::Core;
use crate::sendethic::fields::{ContactField, FieldCatalog};

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
    /// is safe for your data; it is off by default like every POST. (Confirming a chunk —
    /// re-sending it when its count is missing, or its halves when the count is short or it
    /// was refused — happens whatever this says: it only re-sends what was answered.)
    pub retry_upserts: bool,
    /// How many times a chunk answered 2xx without a readable count is sent again before
    /// its contacts are reported [`Failed`](BulkEvent::Failed) (default 2).
    pub confirm_attempts: u32,
}

impl Default for BulkOptions {
    fn default() -> Self {
        Self {
            chunk_size: MAX_BULK_CHUNK,
            concurrency: 4,
            retry_upserts: false,
            confirm_attempts: 2,
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

/// A bulk write being configured. Created by [`ContactsHandler::upsert_many`](super::ContactsHandler::upsert_many) and friends;
/// `.await` it to run it (that needs a `Send + 'static` source, such as an owning iterator
/// or `Vec`); [`send`](Self::send) also accepts a borrowing one, and
/// [`events`](Self::events) reports each contact's fate as it is known.
///
/// How each contact is accounted for:
/// - it is validated first (key, email, mobile, consent values, and custom values against a
///   [`FieldCatalog`]: numbers written as plain decimals, dates in range, known selection
///   values); a refused contact is [`Rejected`](crate::Rejected) and never sent;
/// - a chunk is written only when the service's `"<N> contact(s) affected."` counts every
///   contact of it;
/// - a chunk the service refuses (4xx) or whose count is short is split in halves and sent
///   again (upserts by key are idempotent), down to the contacts the service refuses alone
///   (rejected with its answer) or drops; a dropped contact is written once more alone,
///   through the single-contact endpoint, whose refusal carries the service's reason
///   (rejected with it, or as dropped when that endpoint drops it too); the others are
///   written in the same run;
/// - a chunk answered 2xx without a readable count is sent again
///   ([`BulkOptions::confirm_attempts`]), then failed;
/// - a chunk whose request fails after the retries is [`FailedWrite`](crate::FailedWrite):
///   not confirmed.
///
/// The source is pulled lazily: at most `concurrency` chunks are in flight (with their
/// halves), plus the rejected contacts' keys and reasons until they are reported.
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

    /// Runs the bulk write and reports each contact's fate as soon as it is known: a
    /// stream of [`BulkEvent`]s naming contacts by their position in the input. Invalid
    /// options (chunk size outside 1..=500, zero concurrency) end the stream with one
    /// [`Failed`](BulkEvent::Failed) event carrying no position.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use futures_util::StreamExt;
    /// use relance::BulkEvent;
    /// use relance::sendethic::Contact;
    /// let contacts = vec![Contact::new("ann@example.com").first_name("Ann")];
    /// let mut events = std::pin::pin!(client.contacts().upsert_many(contacts).events());
    /// while let Some(event) = events.next().await {
    ///     if let BulkEvent::Written(done) = event { println!("{} confirmed", done.len()); }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn events<'a>(self) -> impl Stream<Item = BulkEvent> + 'a
    where
        S: 'a,
    {
        let Self {
            core,
            method,
            source,
            catalog,
            options,
            request,
        } = self;
        if let Err(error) = options.check() {
            let failed = BulkEvent::Failed {
                indices: Vec::new(),
                error,
            };
            return stream::iter(vec![failed]).left_stream();
        }
        let writer = Arc::new(ChunkWriter {
            core,
            method,
            options: request.idempotent(options.retry_upserts),
            confirm_attempts: options.confirm_attempts,
        });
        // Each contact is validated and serialised as soon as it is pulled, into the body of
        // the request that carries its chunk, then dropped: a chunk in flight holds its
        // body, not its contacts.
        let size = options.chunk_size;
        numbered_batches(
            source,
            size,
            move |start| Admission::new(start, size),
            move |admission, contact| admission.admit(&contact, catalog.as_ref()),
        )
        .map(move |admission| {
            let writer = writer.clone();
            async move {
                let (chunk, mut events) = admission.finish();
                if let Some(chunk) = chunk {
                    events.extend(writer.settle(chunk).await);
                }
                events
            }
        })
        .buffer_unordered(options.concurrency)
        .flat_map(stream::iter)
        .right_stream()
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
        self.options.check()?;
        let submitted = Arc::new(Mutex::new(0usize));
        let counted = submitted.clone();
        let source = self.source.inspect(move |_| *lock(&counted) += 1);
        let bulk = Bulk {
            core: self.core,
            method: self.method,
            source,
            catalog: self.catalog,
            options: self.options,
            request: self.request,
        };
        let events: Vec<BulkEvent> = bulk.events().collect().await;
        let submitted = *lock(&submitted);
        Ok(BulkReport::of(submitted, events))
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

/// A chunk being filled: each contact validated and serialised once, into the body of the
/// request that carries them all; each keeps its span of that body (halves of a chunk are
/// sent again without serialising anything again). The refused ones are reported.
struct Admission {
    next: usize,
    body: Vec<u8>,
    items: Vec<Item>,
    rejected: Vec<BulkEvent>,
}

impl Admission {
    fn new(start: usize, size: usize) -> Self {
        let mut body = Vec::with_capacity(size * 192 + 2);
        body.push(b'[');
        Self {
            next: start,
            body,
            items: Vec::with_capacity(size),
            rejected: Vec::new(),
        }
    }

    /// Validates the next contact of the input and serialises it when valid.
    fn admit(&mut self, contact: &Contact, catalog: Option<&FieldCatalog>) {
        let index = self.next;
        self.next += 1;
        if let Err(error) = validate(contact, catalog) {
            self.rejected.push(BulkEvent::Rejected {
                index,
                key: contact.key.clone(),
                error,
            });
            return;
        }
        if !self.items.is_empty() {
            self.body.push(b',');
        }
        let start = self.body.len();
        contact.write_wire_json(&mut self.body);
        self.items.push(Item {
            index,
            span: start..self.body.len(),
        });
    }

    /// The chunk to send (none when every contact was refused) and the refusals.
    fn finish(self) -> (Option<Chunk>, Vec<BulkEvent>) {
        let Self {
            mut body,
            items,
            rejected,
            ..
        } = self;
        if items.is_empty() {
            return (None, rejected);
        }
        body.push(b']');
        let chunk = Chunk {
            items,
            body: Bytes::from(body),
        };
        (Some(chunk), rejected)
    }
}

/// The valid contacts of a chunk and the body that carries them all.
struct Chunk {
    items: Vec<Item>,
    body: Bytes,
}

/// A valid contact on its way: its input position and the span of its JSON in its
/// chunk's body.
struct Item {
    index: usize,
    span: std::ops::Range<usize>,
}

impl Item {
    /// The contact key, read back from its JSON (needed only to report it).
    fn key(&self, body: &Bytes) -> String {
        #[derive(serde::Deserialize)]
        struct KeyOf {
            #[serde(rename = "contactKey")]
            key: String,
        }
        serde_json::from_slice::<KeyOf>(&body[self.span.clone()])
            .map_or_else(|_| String::new(), |k| k.key)
    }
}

/// What one answer says about the contacts of the request.
enum Verdict {
    /// Every contact counted.
    Confirmed,
    /// Answered, but fewer counted than sent: some were dropped.
    Short,
    /// Answered 2xx without a readable count.
    Unconfirmed(String),
    /// Refused by the service (a 4xx about the content).
    Refused(Error),
    /// The request failed (after its own retries).
    Failed(Error),
}

impl Verdict {
    fn of(reply: Result<crate::sendethic::ServerMessage>, sent: usize) -> Self {
        match reply {
            Ok(message) => match message.affected() {
                Some(n) if n >= sent as u64 => Self::Confirmed,
                Some(_) => Self::Short,
                None => Self::Unconfirmed(message.text().to_owned()),
            },
            Err(error) => match error.status() {
                Some(401 | 403 | 404 | 408 | 429) | None => Self::Failed(error),
                Some(400..=499) => Self::Refused(error),
                Some(_) => Self::Failed(error),
            },
        }
    }
}

/// The sending step: one request per chunk, then as many as it takes to account for every
/// contact of it.
struct ChunkWriter {
    core: Arc<Core>,
    method: Method,
    options: RequestOptions,
    confirm_attempts: u32,
}

impl ChunkWriter {
    /// Writes a chunk and accounts for each of its contacts.
    async fn settle(&self, chunk: Chunk) -> Vec<BulkEvent> {
        let mut events = Vec::new();
        let Chunk { items, body: all } = chunk;
        let mut whole = Some(all.clone());
        let mut parts = vec![(items, 0u32)];
        while let Some((part, resent)) = parts.pop() {
            // The first request reuses the chunk's body; halves are assembled from spans.
            let body = whole.take().unwrap_or_else(|| assemble(&all, &part));
            let verdict = Verdict::of(self.write(body).await, part.len());
            let indices = || part.iter().map(|i| i.index).collect::<Vec<_>>();
            match verdict {
                Verdict::Confirmed => events.push(BulkEvent::Written(indices())),
                Verdict::Failed(error) => events.push(BulkEvent::Failed {
                    indices: indices(),
                    error,
                }),
                Verdict::Unconfirmed(_) if resent < self.confirm_attempts => {
                    parts.push((part, resent + 1));
                }
                Verdict::Unconfirmed(text) => events.push(BulkEvent::Failed {
                    indices: indices(),
                    error: Error::Protocol(
                        format!("the service answered `{text}` without a contact count; the contacts are not confirmed").into(),
                    ),
                }),
                Verdict::Short | Verdict::Refused(_) if part.len() > 1 => {
                    let mut first = part;
                    let second = first.split_off(first.len() / 2);
                    tracing::debug!(
                        left = first.len(),
                        right = second.len(),
                        "Sendethic bulk write: splitting a chunk to find the refused contacts"
                    );
                    parts.push((first, 0));
                    parts.push((second, 0));
                }
                // A single contact: the service refused it alone, or dropped it.
                Verdict::Refused(error) => {
                    if let Some(item) = part.into_iter().next() {
                        events.push(BulkEvent::Rejected {
                            index: item.index,
                            key: item.key(&all),
                            error,
                        });
                    }
                }
                Verdict::Short => {
                    if let Some(item) = part.into_iter().next() {
                        events.push(self.alone(&all, item).await);
                    }
                }
            }
        }
        events
    }

    /// A contact the bulk endpoint dropped without a word, written alone through the
    /// single-contact endpoint (`/contact/attribute`, same method), whose refusal carries the
    /// service's reason: written if it now counts it, rejected with the reason otherwise.
    /// The write is as retry-safe as the bulk one (an upsert or an update by key).
    async fn alone(&self, all: &Bytes, item: Item) -> BulkEvent {
        let key = item.key(all);
        let reply = self
            .core
            .request(
                self.method.clone(),
                "/contact/attribute",
                &["contact", "attribute"],
            )
            .safety(write_safety(&self.method))
            .try_body(Ok(Body::Json(all.slice(item.span.clone()))))
            .message()
            .options(self.options.clone())
            .send()
            .await;
        match Verdict::of(reply, 1) {
            Verdict::Confirmed => BulkEvent::Written(vec![item.index]),
            // An update of a contact the service does not have: 404 alone.
            Verdict::Failed(error) if self.method == Method::PUT && error.status() == Some(404) => {
                BulkEvent::Rejected {
                    index: item.index,
                    key,
                    error,
                }
            }
            Verdict::Refused(error) => BulkEvent::Rejected {
                index: item.index,
                key,
                error,
            },
            Verdict::Short | Verdict::Unconfirmed(_) => {
                let error = Error::Protocol(
                    format!(
                        "the service dropped the contact `{key}` (it counted 0 contacts affected, \
                         alone and in bulk): one of its values is probably refused"
                    )
                    .into(),
                );
                BulkEvent::Rejected {
                    index: item.index,
                    key,
                    error,
                }
            }
            Verdict::Failed(error) => BulkEvent::Failed {
                indices: vec![item.index],
                error,
            },
        }
    }

    /// One request with this body.
    async fn write(&self, body: Bytes) -> Result<crate::sendethic::ServerMessage> {
        self.core
            .request(
                self.method.clone(),
                "/contacts/attribute",
                &["contacts", "attribute"],
            )
            .safety(write_safety(&self.method))
            .try_body(Ok(Body::Json(body)))
            .message()
            .options(self.options.clone())
            .send()
            .await
    }
}

/// The body of a request carrying these contacts of a chunk whose body is `all`.
fn assemble(all: &Bytes, part: &[Item]) -> Bytes {
    let mut body = Vec::with_capacity(part.iter().map(|i| i.span.len() + 1).sum::<usize>() + 1);
    body.push(b'[');
    for (n, item) in part.iter().enumerate() {
        if n > 0 {
            body.push(b',');
        }
        body.extend_from_slice(&all[item.span.clone()]);
    }
    body.push(b']');
    body.into()
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
