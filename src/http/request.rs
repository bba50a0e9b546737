//! The request type every operation of both providers returns, and its per-request options.

use std::any::Any;
use std::borrow::Cow;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use super::RetryPolicy;
use super::transport::{HttpCore, RawRequest, RawResponse};
use crate::error::Result;

/// A boxed, sendable future.
pub(crate) type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// Per-request settings, applied on top of the client's configuration.
///
/// Every [`Request`] takes them one by one ([`Request::timeout`], [`Request::retry`],
/// [`Request::idempotent`]) or all at once ([`Request::options`]); bulk operations apply one
/// value to each of their requests.
///
/// ```
/// use std::time::Duration;
/// use relance::RequestOptions;
///
/// let options = RequestOptions::new()
///     .timeout(Duration::from_secs(5))
///     .retry(relance::http::RetryPolicy::none());
/// assert_eq!(options.timeout_value(), Some(Duration::from_secs(5)));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestOptions {
    pub(crate) timeout: Option<Duration>,
    pub(crate) retry: Option<RetryPolicy>,
    pub(crate) idempotent: bool,
}

impl RequestOptions {
    /// No override: the client's timeout and retry policy, and the operation's own retry
    /// safety.
    ///
    /// ```
    /// assert_eq!(relance::RequestOptions::new(), relance::RequestOptions::default());
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The per-attempt timeout.
    ///
    /// ```
    /// let o = relance::RequestOptions::new().timeout(std::time::Duration::from_secs(5));
    /// # let _ = o;
    /// ```
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The retry policy. It never makes a send retry-safe.
    ///
    /// ```
    /// let o = relance::RequestOptions::new().retry(relance::http::RetryPolicy::none());
    /// # let _ = o;
    /// ```
    #[must_use]
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Declares the request idempotent, so that the retry policy may send it again after it
    /// may have reached the service. Only operations whose effect is the same when applied
    /// twice accept it (contact upserts keyed by the contact key); it changes nothing for
    /// the others, and never makes a send (campaign approval, SMS, transactional mail)
    /// retry-safe. [`Request::is_retry_safe`] tells the outcome.
    ///
    /// ```
    /// let o = relance::RequestOptions::new().idempotent(true);
    /// # let _ = o;
    /// ```
    #[must_use]
    pub fn idempotent(mut self, yes: bool) -> Self {
        self.idempotent = yes;
        self
    }

    /// The per-attempt timeout override, if any.
    ///
    /// ```
    /// assert_eq!(relance::RequestOptions::new().timeout_value(), None);
    /// ```
    #[must_use]
    pub fn timeout_value(&self) -> Option<Duration> {
        self.timeout
    }

    /// The retry-policy override, if any.
    ///
    /// ```
    /// assert!(relance::RequestOptions::new().retry_policy().is_none());
    /// ```
    #[must_use]
    pub fn retry_policy(&self) -> Option<&RetryPolicy> {
        self.retry.as_ref()
    }
}

/// Whether an operation may be sent again once it may have reached the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Safety {
    /// A read or an idempotent write: retried per the policy.
    Safe,
    /// Idempotent by nature, retried only when the caller says so
    /// ([`RequestOptions::idempotent`]).
    OnRequest,
    /// Never retried once it may have been received (sends, creations).
    Never,
}

impl Safety {
    /// The safety of a plain HTTP method: GET, PUT, DELETE and HEAD are idempotent.
    pub(crate) fn of_method(method: &reqwest::Method) -> Self {
        use reqwest::Method;
        if matches!(
            *method,
            Method::GET | Method::PUT | Method::DELETE | Method::HEAD
        ) {
            Self::Safe
        } else {
            Self::Never
        }
    }

    fn allows(self, options: &RequestOptions) -> bool {
        match self {
            Self::Safe => true,
            Self::OnRequest => options.idempotent,
            Self::Never => false,
        }
    }
}

/// What a provider does with a prepared request: send it (with the effective retry
/// safety and options) and decode the reply.
pub(crate) trait Call<T>: Send + 'static {
    /// Sends the request.
    fn send(self: Box<Self>, retry_safe: bool, options: RequestOptions) -> BoxFuture<Result<T>>;
    /// The prepared request, for callers that re-package it (a Sendsay `batch`).
    fn into_any(self: Box<Self>) -> Box<dyn Any + Send>;
}

/// One operation of either provider, ready to send.
///
/// `.await` it directly (it implements [`IntoFuture`]) or call [`send`](Self::send). Before
/// that, [`timeout`](Self::timeout), [`retry`](Self::retry), [`idempotent`](Self::idempotent)
/// or [`options`](Self::options) override the client's settings for this call only. Input
/// errors (an invalid contact, a path value that cannot be encoded) are reported when
/// sending, before anything goes on the wire. `Debug` shows the operation, never the body.
///
/// ```no_run
/// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
/// let fields = client
///     .fields()
///     .list()
///     .timeout(std::time::Duration::from_secs(5))
///     .await?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until it is awaited"]
pub struct Request<T> {
    provider: &'static str,
    name: Cow<'static, str>,
    safety: Safety,
    options: RequestOptions,
    call: Result<Box<dyn Call<T>>>,
}

impl<T> fmt::Debug for Request<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Request");
        d.field("provider", &self.provider)
            .field("operation", &self.name)
            .field("retry_safe", &self.safety.allows(&self.options))
            .field("options", &self.options);
        if let Err(e) = &self.call {
            d.field("error", e);
        }
        d.finish_non_exhaustive()
    }
}

impl<T: 'static> Request<T> {
    /// A request sent by `call`, or an input error reported when sending.
    pub(crate) fn new(
        provider: &'static str,
        name: impl Into<Cow<'static, str>>,
        safety: Safety,
        call: Result<Box<dyn Call<T>>>,
    ) -> Self {
        Self {
            provider,
            name: name.into(),
            safety,
            options: RequestOptions::default(),
            call,
        }
    }

    /// Overrides the per-attempt timeout for this request.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let fields = client.fields().list().timeout(std::time::Duration::from_secs(5)).await?;
    /// # Ok(()) }
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options.timeout = Some(timeout);
        self
    }

    /// Overrides the retry policy for this request. It never makes a send retry-safe.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let pong = client.pong().retry(relance::http::RetryPolicy::none()).await?;
    /// # Ok(()) }
    /// ```
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.options.retry = Some(policy);
        self
    }

    /// Declares this request idempotent (see [`RequestOptions::idempotent`]): a contact
    /// upsert keyed by the contact key may then be retried.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::Contact;
    /// client.contacts().upsert(Contact::new("a@b.fr").first_name("Ann")).idempotent(true).await?;
    /// # Ok(()) }
    /// ```
    pub fn idempotent(mut self, yes: bool) -> Self {
        self.options.idempotent = yes;
        self
    }

    /// Replaces every per-request setting at once.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::RequestOptions;
    /// let options = RequestOptions::new().timeout(std::time::Duration::from_secs(5));
    /// let fields = client.fields().list().options(options).await?;
    /// # Ok(()) }
    /// ```
    pub fn options(mut self, options: RequestOptions) -> Self {
        self.options = options;
        self
    }

    /// The operation: the Sendsay action (`member.set`) or the Sendethic method and path
    /// template (`GET /account/contactattribute`).
    ///
    /// ```
    /// # let client = relance::sendsay::Client::builder("a", relance::sendsay::Auth::api_key("k")).build()?;
    /// assert_eq!(client.pong().operation(), "pong");
    /// # Ok::<(), relance::Error>(())
    /// ```
    #[must_use]
    pub fn operation(&self) -> &str {
        &self.name
    }

    /// Whether the request may be retried automatically after it may have reached the
    /// service (decided by the operation, and by [`idempotent`](Self::idempotent) where the
    /// operation allows it).
    ///
    /// ```
    /// # let client = relance::sendsay::Client::builder("a", relance::sendsay::Auth::api_key("k")).build()?;
    /// assert!(client.pong().is_retry_safe());
    /// # Ok::<(), relance::Error>(())
    /// ```
    #[must_use]
    pub fn is_retry_safe(&self) -> bool {
        self.safety.allows(&self.options)
    }

    /// The prepared call, for a provider that re-packages requests.
    pub(crate) fn into_call(self) -> Result<Box<dyn Any + Send>> {
        self.call.map(Call::into_any)
    }

    /// Sends the request and decodes the reply.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let fields = client.fields().list().send().await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<T> {
        let retry_safe = self.is_retry_safe();
        self.call?.send(retry_safe, self.options).await
    }
}

impl<T: Send + 'static> IntoFuture for Request<T> {
    type Output = Result<T>;
    type IntoFuture = BoxFuture<Result<T>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// A plain HTTP call: one [`RawRequest`] through the shared core, then a decoder.
pub(crate) struct HttpCall<T> {
    core: Arc<HttpCore>,
    raw: RawRequest,
    decode: fn(&RawResponse) -> Result<T>,
}

impl<T: 'static> HttpCall<T> {
    /// The request `raw`, decoded by `decode`.
    pub(crate) fn request(
        core: Arc<HttpCore>,
        raw: Result<RawRequest>,
        safety: Safety,
        decode: fn(&RawResponse) -> Result<T>,
    ) -> Request<T> {
        let provider = core.provider();
        let (name, call) = match raw {
            Ok(raw) => (
                Cow::Owned(format!("{} {}", raw.method, raw.template)),
                Ok(Box::new(Self { core, raw, decode }) as Box<dyn Call<T>>),
            ),
            Err(e) => (Cow::Borrowed("invalid request"), Err(e)),
        };
        Request::new(provider, name, safety, call)
    }
}

impl<T: 'static> Call<T> for HttpCall<T> {
    fn send(self: Box<Self>, retry_safe: bool, options: RequestOptions) -> BoxFuture<Result<T>> {
        let Self {
            core,
            mut raw,
            decode,
        } = *self;
        raw.retry_safe = retry_safe;
        raw.options = options;
        Box::pin(async move { core.execute_decoded(raw, decode).await })
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any + Send> {
        Box::new(self.raw)
    }
}
