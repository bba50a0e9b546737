//! The send loop: one logical request, possibly several attempts.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue, RETRY_AFTER, USER_AGENT};
use reqwest::{Method, StatusCode};
use tracing::Instrument;
use url::Url;

use super::RequestOptions;
use super::request::Safety;
use super::retry::{Decision, Failure, RetryPolicy, decide, parse_retry_after};
use crate::error::{ApiError, Error, Result, truncate};

/// A request body.
#[derive(Debug, Clone)]
pub(crate) enum Body {
    /// `application/json`, sent again as is on retry.
    Json(Bytes),
    /// A `multipart/form-data` body that may stream (a generated CSV file): it can be sent
    /// only once, so a request carrying it is never retried.
    Multipart(Arc<Mutex<Option<reqwest::multipart::Form>>>),
}

impl Body {
    /// A one-shot multipart body.
    pub(crate) fn multipart(form: reqwest::multipart::Form) -> Self {
        Self::Multipart(Arc::new(Mutex::new(Some(form))))
    }

    fn is_one_shot(&self) -> bool {
        matches!(self, Self::Multipart(_))
    }
}

/// One logical request, before sending.
pub(crate) struct RawRequest {
    pub(crate) method: Method,
    pub(crate) url: Url,
    /// The path template recorded in traces (`/contact/attribute/{contactKey}`).
    pub(crate) template: &'static str,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Option<Body>,
    /// Whether the request may be sent again after it may have reached the server.
    pub(crate) retry_safe: bool,
    pub(crate) options: RequestOptions,
}

impl fmt::Debug for RawRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawRequest")
            .field("method", &self.method)
            .field("template", &self.template)
            .field("retry_safe", &self.retry_safe)
            .finish_non_exhaustive()
    }
}

impl RawRequest {
    pub(crate) fn new(method: Method, url: Url, template: &'static str) -> Self {
        let retry_safe = Safety::of_method(&method) == Safety::Safe;
        Self {
            method,
            url,
            template,
            headers: HeaderMap::new(),
            body: None,
            retry_safe,
            options: RequestOptions::default(),
        }
    }
}

/// A successful (2xx) response, fully read.
#[derive(Debug, Clone)]
pub(crate) struct RawResponse {
    pub(crate) status: u16,
    pub(crate) body: Bytes,
}

impl RawResponse {
    /// Decodes the body as JSON, reporting the JSON path and a truncated body on failure.
    pub(crate) fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        decode_json(self.status, &self.body)
    }
}

/// Decodes JSON with the failing path in the error.
pub(crate) fn decode_json<T: serde::de::DeserializeOwned>(status: u16, body: &[u8]) -> Result<T> {
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        Error::Decode {
            status,
            path,
            body: truncate(&String::from_utf8_lossy(body)),
            source: e.into_inner(),
        }
    })
}

/// The shared HTTP machinery of one provider client.
#[derive(Clone)]
pub(crate) struct HttpCore {
    provider: &'static str,
    client: reqwest::Client,
    base: Url,
    timeout: Option<Duration>,
    retry: RetryPolicy,
    user_agent: HeaderValue,
}

impl fmt::Debug for HttpCore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpCore")
            .field("base_url", &self.base.as_str())
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

/// The outcome of one attempt.
enum Attempt {
    /// A 2xx response whose body has not been read yet.
    Done(reqwest::Response),
    Failed(Failure, Error),
}

impl HttpCore {
    pub(crate) fn new(
        provider: &'static str,
        client: reqwest::Client,
        base: Url,
        timeout: Option<Duration>,
        retry: RetryPolicy,
        user_agent: HeaderValue,
    ) -> Self {
        Self {
            provider,
            client,
            base,
            timeout,
            retry,
            user_agent,
        }
    }

    /// The per-attempt timeout.
    #[cfg(test)]
    pub(crate) fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// The provider this core sends for (`sendethic`, `sendsay`), as traces record it.
    pub(crate) fn provider(&self) -> &'static str {
        self.provider
    }

    /// The validated base URL.
    pub(crate) fn base(&self) -> &Url {
        &self.base
    }

    /// Sends `req` and decodes the 2xx response with `decode`, inside the retry loop: for a
    /// retry-safe request, a body that cannot be read (a connection cut mid-body) or decoded
    /// (a truncated or malformed answer) is retried like a 5xx, and so is a throttling
    /// answer the decoder finds in a 2xx body ([`Error::RateLimited`], Sendsay
    /// `rate_limit`). For a request that is not retry-safe these come back as they are: the
    /// service answered 2xx, so it may have processed the request.
    pub(crate) async fn execute_decoded<T>(
        &self,
        req: RawRequest,
        decode: impl Fn(&RawResponse) -> Result<T> + Send + Sync,
    ) -> Result<T> {
        let decode = &decode;
        self.run(req, |response| async move {
            let status = response.status().as_u16();
            let body = response.bytes().await.map_err(body_error)?;
            decode(&RawResponse { status, body })
        })
        .await
    }

    /// Like [`execute_decoded`](Self::execute_decoded), but returns the 2xx response with its body unread,
    /// for downloads that must not be buffered whole.
    pub(crate) async fn execute_streaming(&self, req: RawRequest) -> Result<reqwest::Response> {
        self.run(req, |response| async move { Ok(response) }).await
    }

    /// The send loop, in one tracing span: attempts, the retry decision, and `finish` on the
    /// first 2xx response (whose failures count as failures of the attempt).
    async fn run<T, F, Fut>(&self, req: RawRequest, finish: F) -> Result<T>
    where
        F: Fn(reqwest::Response) -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        let span = tracing::debug_span!(
            "relance.request",
            provider = self.provider,
            method = %req.method,
            path = req.template,
            status = tracing::field::Empty,
            attempt = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
        );
        self.run_inner(req, finish).instrument(span).await
    }

    async fn run_inner<T, F, Fut>(&self, req: RawRequest, finish: F) -> Result<T>
    where
        F: Fn(reqwest::Response) -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        let one_shot = RetryPolicy::none();
        let policy = if req.body.as_ref().is_some_and(Body::is_one_shot) {
            &one_shot
        } else {
            req.options.retry.as_ref().unwrap_or(&self.retry)
        };
        let timeout = req.options.timeout.or(self.timeout);
        let start = tokio::time::Instant::now();
        let span = tracing::Span::current();
        let mut attempt = 1u32;
        loop {
            span.record("attempt", attempt);
            let outcome = match self.attempt(&req, timeout).await {
                Attempt::Done(resp) => {
                    span.record("status", resp.status().as_u16());
                    match finish(resp).await {
                        Ok(value) => {
                            tracing::debug!("request succeeded");
                            return Ok(value);
                        }
                        Err(error) => match answered_failure(&error) {
                            Some(failure) => Attempt::Failed(failure, error),
                            None => return Err(error),
                        },
                    }
                }
                failed @ Attempt::Failed(..) => failed,
            };
            let elapsed = start.elapsed();
            span.record(
                "elapsed_ms",
                u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
            );
            let Attempt::Failed(failure, error) = outcome else {
                continue;
            };
            if let Failure::Status(status, _) = failure {
                span.record("status", status);
            }
            match decide(
                policy,
                req.retry_safe,
                attempt,
                elapsed,
                failure,
                fastrand::f64(),
            ) {
                Decision::RetryAfter(delay) => {
                    tracing::warn!(
                        attempt,
                        delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                        failure = ?failure,
                        "retrying request"
                    );
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
                Decision::Stop => {
                    tracing::debug!(failure = ?failure, "request failed");
                    return Err(error);
                }
            }
        }
    }

    async fn attempt(&self, req: &RawRequest, timeout: Option<Duration>) -> Attempt {
        let mut builder = self
            .client
            .request(req.method.clone(), req.url.clone())
            .header(USER_AGENT, self.user_agent.clone())
            .headers(req.headers.clone());
        if let Some(timeout) = timeout {
            builder = builder.timeout(timeout);
        }
        builder = match &req.body {
            None => builder,
            Some(Body::Json(bytes)) => builder
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .body(bytes.clone()),
            Some(Body::Multipart(form)) => {
                let taken = form
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .take();
                match taken {
                    Some(form) => builder.multipart(form),
                    None => {
                        return Attempt::Failed(
                            Failure::Status(0, None),
                            Error::config("a streamed request body can only be sent once"),
                        );
                    }
                }
            }
        };
        let response = match builder.send().await {
            Ok(r) => r,
            Err(e) => return transport_failure(e),
        };
        let status = response.status();
        if status.is_success() {
            return Attempt::Done(response);
        }
        let headers = response.headers().clone();
        let body = match response.bytes().await {
            Ok(b) => b,
            Err(e) => return transport_failure(e),
        };
        let retry_after = headers
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        let error = if status == StatusCode::TOO_MANY_REQUESTS {
            Error::RateLimited {
                retry_after,
                body: truncate(&String::from_utf8_lossy(&body)),
                api: None,
            }
        } else {
            ApiError::from_http(status.as_u16(), &body).into()
        };
        Attempt::Failed(Failure::Status(status.as_u16(), retry_after), error)
    }
}

/// The error of a body that could not be read.
fn body_error(e: reqwest::Error) -> Error {
    if e.is_timeout() {
        Error::Timeout { source: Some(e) }
    } else {
        Error::Transport(e)
    }
}

/// How the retry decision sees an error met after a 2xx answer arrived: a body cut or
/// undecodable, or throttling reported in the body; `None` for anything else (an error the
/// service meant, which is final).
fn answered_failure(error: &Error) -> Option<Failure> {
    match error {
        Error::Timeout { .. } => Some(Failure::Timeout),
        Error::Transport(_) | Error::Decode { .. } => Some(Failure::Body),
        Error::RateLimited { retry_after, .. } => Some(Failure::Status(429, *retry_after)),
        _ => None,
    }
}

fn transport_failure(e: reqwest::Error) -> Attempt {
    if e.is_connect() {
        Attempt::Failed(Failure::Connect, Error::Transport(e))
    } else if e.is_timeout() {
        Attempt::Failed(Failure::Timeout, Error::Timeout { source: Some(e) })
    } else {
        Attempt::Failed(Failure::Transport, Error::Transport(e))
    }
}
