//! The crate's single error type.
//!
//! Every fallible call in `relance` returns [`Result<T>`](crate::Result), whose error is
//! [`Error`]. Match on its variants, or use the predicates ([`Error::status`],
//! [`Error::is_retryable`], [`Error::retry_after`]) which keep working when variants are added.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use crate::http::Job;
use crate::sync::store::Scope;

/// How many bytes of a response body an error keeps.
pub(crate) const BODY_LIMIT: usize = 2048;

/// Everything that can go wrong in `relance`.
///
/// The enum is `#[non_exhaustive]`: always keep a wildcard arm.
///
/// # Example
/// ```no_run
/// # async fn run(client: relance::sendethic::Client) {
/// match client.fields().list().await {
///     Ok(fields) => println!("{} fields", fields.len()),
///     Err(relance::Error::Api(api)) if api.status == 401 => eprintln!("check the API key"),
///     Err(e) if e.is_retryable() => eprintln!("try again later: {e}"),
///     Err(e) => eprintln!("failed: {e}"),
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The service answered with an error: a non-2xx HTTP status (whatever the body: JSON,
    /// text or an HTML page from a proxy), or, for Sendsay, an `errors[]` array in the body.
    #[error(transparent)]
    Api(Box<ApiError>),

    /// The service throttled the request (HTTP 429, or a Sendsay `rate_limit` error) and the
    /// retry policy gave up, or the request was not retry-safe. `retry_after` is the
    /// server's hint, when it sent one.
    #[error("rate limited by the server{}", fmt_retry_after(*.retry_after))]
    RateLimited {
        /// The `Retry-After` delay the server asked for, if any.
        retry_after: Option<Duration>,
        /// The (truncated) response body.
        body: Box<str>,
        /// The service's error, when it sent one in the body (Sendsay `rate_limit`).
        api: Option<Box<ApiError>>,
    },

    /// The request did not complete in time: the per-attempt timeout or the retry policy's
    /// overall deadline elapsed.
    ///
    /// # Troubleshooting
    /// The request may or may not have reached the server. For a send (campaign approval,
    /// SMS, transactional mail) check the operation's status before sending again.
    #[error("request{} timed out", fmt_host(.source.as_ref()))]
    Timeout {
        /// The underlying transport error, when the timeout came from the HTTP stack.
        #[source]
        source: Option<reqwest::Error>,
    },

    /// Connecting, sending or reading failed below HTTP (DNS, TLS, connection refused or
    /// reset, ...). The message names the host and the cause.
    #[error("transport error{}: {}", fmt_host(Some(.0)), transport_cause(.0))]
    Transport(#[source] reqwest::Error),

    /// A 2xx response body could not be decoded into the expected type.
    #[error("cannot decode response (HTTP {status}) at `{path}`: {source}")]
    Decode {
        /// HTTP status of the response.
        status: u16,
        /// JSON path where decoding failed (`.` for the root).
        path: String,
        /// The (truncated) response body.
        body: Box<str>,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },

    /// A server-side job (import, export, purge, activity export, Sendsay track) finished
    /// with a failure.
    #[error("server job {job} failed with status `{status}`")]
    JobFailed {
        /// The job: its kind and id.
        job: Job,
        /// The status text as received.
        status: String,
    },

    /// A server-side job was still running when the caller's deadline passed. The job may
    /// still finish: poll it again later.
    #[error("server job {job} not finished after {waited:?} (status `{status}`)")]
    JobTimeout {
        /// The job: its kind and id.
        job: Job,
        /// The last status text received.
        status: String,
        /// How long `relance` waited.
        waited: Duration,
    },

    /// An input was rejected before anything was sent.
    #[error("invalid input `{item}`: {reason}")]
    InvalidInput {
        /// The offending item (a contact key, a field, a parameter name...).
        item: String,
        /// Why it was rejected.
        reason: Cow<'static, str>,
    },

    /// The service broke the protocol in a way `relance` refuses to follow: a Sendsay
    /// `REDIRECT` to another origin (credentials are never sent there), more than 10
    /// `REDIRECT`s in a row, or a `login` answer without a session.
    #[error("protocol error: {0}")]
    Protocol(Cow<'static, str>),

    /// A local file operation failed: a temporary file for a download, an archive being
    /// extracted, a file to upload.
    #[error("{context}: {source}")]
    Io {
        /// What was being done (`cannot create a temporary file`).
        context: Cow<'static, str>,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// The client configuration is invalid (bad base URL, plain `http://` to a remote host,
    /// missing credentials...).
    #[error("invalid configuration: {0}")]
    Config(Cow<'static, str>),

    /// The sync state store refused or failed: see [`StateError`].
    #[error(transparent)]
    State(StateError),
}

/// Why a sync state store ([`crate::sync::store`]) refused or failed.
///
/// ```
/// # fn check(e: &relance::Error) {
/// use relance::error::StateError;
/// if let relance::Error::State(StateError::Locked { scope }) = e {
///     eprintln!("a sync of {scope} is already running: try later");
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// Another run (another process, another pod, another guard) holds the run lock of the
    /// scope.
    #[error("the sync of {scope} is already running (its run lock is held elsewhere)")]
    Locked {
        /// The scope whose lock is held.
        scope: Scope,
    },

    /// The store was created for another provider account.
    #[error("this sync state store belongs to {found}, not to {expected}")]
    OtherScope {
        /// The scope the store was opened for.
        expected: Scope,
        /// The scope the store was created for.
        found: Scope,
    },

    /// An import was refused because the store already records pushes.
    #[error("the sync state store of {scope} is not empty: a text state is imported only once")]
    NotEmpty {
        /// The scope of the store.
        scope: Scope,
    },

    /// The store was written by a newer version of `relance`.
    #[error(
        "the sync state store has schema version {found}; this version of relance reads {supported}"
    )]
    Schema {
        /// The store's schema version.
        found: i64,
        /// The version this `relance` reads and writes.
        supported: i64,
    },

    /// The database failed (cannot open or write the file, connection lost, ...).
    #[error("{context}: {source}")]
    Backend {
        /// What was being done (`cannot record pushes`).
        context: Cow<'static, str>,
        /// The database's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl StateError {
    /// Shorthand for a [`StateError::Backend`] wrapped in an [`Error`].
    #[cfg(any(feature = "sqlite", feature = "postgres"))]
    pub(crate) fn backend(
        context: impl Into<Cow<'static, str>>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Error {
        Error::State(Self::Backend {
            context: context.into(),
            source: source.into(),
        })
    }
}

/// ` to <host>` for an error that knows its URL.
fn fmt_host(e: Option<&reqwest::Error>) -> String {
    e.and_then(reqwest::Error::url)
        .and_then(url::Url::host_str)
        .map(|h| format!(" to {h}"))
        .unwrap_or_default()
}

/// What went wrong below HTTP, in words: the kind the HTTP stack reports, then the
/// innermost cause of its source chain (`connection refused`, a DNS or TLS message).
fn transport_cause(e: &reqwest::Error) -> String {
    let kind = if e.is_connect() {
        "cannot connect"
    } else if e.is_timeout() {
        "timed out"
    } else if e.is_body() || e.is_decode() {
        "the response body could not be read"
    } else if e.is_request() {
        "the request could not be sent"
    } else {
        "the exchange failed"
    };
    let mut innermost: &dyn std::error::Error = e;
    while let Some(next) = innermost.source() {
        innermost = next;
    }
    if std::ptr::addr_eq(innermost, e as &dyn std::error::Error) {
        kind.to_owned()
    } else {
        format!("{kind} ({innermost})")
    }
}

fn fmt_retry_after(d: Option<Duration>) -> String {
    d.map(|d| format!("; retry after {} s", d.as_secs_f64()))
        .unwrap_or_default()
}

/// The result type of the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error reported by the remote service.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct ApiError {
    /// HTTP status (Sendsay reports most errors with HTTP 200 and an `errors[]` body).
    pub status: u16,
    /// The provider's error identifier when it sent one (Sendsay `errors[0].id`, e.g.
    /// `error/auth/failed`); `None` for Sendethic, which has no documented error format.
    pub code: Option<String>,
    /// A human-readable message: the JSON `Message`/`message`/`explain` when present,
    /// otherwise the start of the body, otherwise the status text.
    pub message: String,
    /// Structured details when the provider sent any (Sendsay `explain` may be a string,
    /// an array or an object).
    pub details: Option<serde_json::Value>,
    /// The raw response body, truncated to a couple of kilobytes.
    pub body: Box<str>,
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("code", &self.code)
            .field("message", &self.message)
            .field("details", &self.details)
            .field("body_len", &self.body.len())
            .finish()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "API error (HTTP {})", self.status)?;
        if let Some(code) = &self.code {
            write!(f, " {code}")?;
        }
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    /// Builds an API error from a non-2xx HTTP response.
    ///
    /// JSON bodies are searched for a message (`Message`, `message`, `error`, `ExceptionMessage`);
    /// any other body (text, HTML) is kept raw and its first line becomes the message. This
    /// never fails, whatever the body.
    pub(crate) fn from_http(status: u16, body: &[u8]) -> Self {
        let text = String::from_utf8_lossy(body);
        let mut message = None;
        let mut details = None;
        if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
            message = json_message(&value);
            if value.is_object() {
                details = Some(value);
            }
        }
        let message = message.unwrap_or_else(|| fallback_message(status, &text));
        Self {
            status,
            code: None,
            message,
            details,
            body: truncate(&text),
        }
    }

    /// True for HTTP 404.
    ///
    /// ```
    /// # fn check(e: &relance::ApiError) {
    /// if e.is_not_found() { /* create it */ }
    /// # }
    /// ```
    #[must_use]
    pub fn is_not_found(&self) -> bool {
        self.status == 404
    }

    /// True for HTTP 401/403 and for Sendsay's `error/auth/failed`.
    ///
    /// A freshly generated Sendethic API key may take up to an hour to work.
    ///
    /// ```
    /// # fn check(e: &relance::ApiError) {
    /// if e.is_auth() { eprintln!("check the credentials"); }
    /// # }
    /// ```
    #[must_use]
    pub fn is_auth(&self) -> bool {
        matches!(self.status, 401 | 403)
            || self
                .code
                .as_deref()
                .is_some_and(|c| c.starts_with("error/auth"))
    }
}

fn json_message(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Object(map) => {
            ["Message", "message", "ExceptionMessage", "error", "explain"]
                .iter()
                .find_map(|k| map.get(*k).and_then(|v| v.as_str()).map(str::to_owned))
        }
        _ => None,
    }
}

fn fallback_message(status: u16, text: &str) -> String {
    let looks_html = text.trim_start().starts_with('<');
    let first = text.lines().map(str::trim).find(|l| !l.is_empty());
    match first {
        Some(line) if !looks_html => line.chars().take(200).collect(),
        _ => reqwest::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("error")
            .to_owned(),
    }
}

/// Truncates a body to [`BODY_LIMIT`] bytes on a character boundary.
pub(crate) fn truncate(text: &str) -> Box<str> {
    if text.len() <= BODY_LIMIT {
        return text.into();
    }
    let mut end = BODY_LIMIT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end]).into_boxed_str()
}

impl Error {
    /// Shorthand for an [`Error::InvalidInput`].
    pub(crate) fn invalid(item: impl Into<String>, reason: impl Into<Cow<'static, str>>) -> Self {
        Self::InvalidInput {
            item: item.into(),
            reason: reason.into(),
        }
    }

    /// Shorthand for an [`Error::Io`].
    pub(crate) fn io(context: impl Into<Cow<'static, str>>, source: std::io::Error) -> Self {
        Self::Io {
            context: context.into(),
            source,
        }
    }

    /// Shorthand for an [`Error::Config`].
    pub(crate) fn config(reason: impl Into<Cow<'static, str>>) -> Self {
        Self::Config(reason.into())
    }

    /// The HTTP status behind this error, when there was a response.
    ///
    /// ```
    /// # fn check(e: &relance::Error) {
    /// if e.status() == Some(404) { /* not found */ }
    /// # }
    /// ```
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api(api) | Self::RateLimited { api: Some(api), .. } => Some(api.status),
            Self::RateLimited { .. } => Some(429),
            Self::Decode { status, .. } => Some(*status),
            Self::Transport(e) | Self::Timeout { source: Some(e) } => {
                e.status().map(|s| s.as_u16())
            }
            _ => None,
        }
    }

    /// Whether trying the same request again later may succeed: timeouts, transport errors,
    /// HTTP 429, 502, 503 and 504.
    ///
    /// This says nothing about whether retrying is *safe*: a timed-out send may have been
    /// delivered. `relance` itself only retries requests marked retry-safe.
    ///
    /// ```
    /// # fn check(e: &relance::Error) {
    /// if e.is_retryable() { /* schedule a later attempt */ }
    /// # }
    /// ```
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Timeout { .. } | Self::Transport(_) | Self::RateLimited { .. } => true,
            Self::Api(api) => matches!(api.status, 502..=504),
            _ => false,
        }
    }

    /// Whether the error proves the request was not acted on and will not be if sent again
    /// as is: refused before sending, a 4xx other than 408 and 429, or an error the service
    /// named in a complete answer (a Sendsay `errors[]`). A timeout, a reset or a 5xx may
    /// have reached the service.
    pub(crate) fn was_refused(&self) -> bool {
        let named = self
            .api()
            .is_some_and(|a| a.code.is_some() && a.status < 500);
        matches!(self, Self::InvalidInput { .. } | Self::Config(_))
            || named
            || self
                .status()
                .is_some_and(|s| (400..500).contains(&s) && s != 408 && s != 429)
    }

    /// Whether the error proves the request was not acted on but may be later: throttled
    /// (429, Sendsay `rate_limit`) or no connection made.
    pub(crate) fn was_deferred(&self) -> bool {
        match self {
            Self::RateLimited { .. } => true,
            Self::Transport(e) => e.is_connect(),
            _ => false,
        }
    }

    /// The server's `Retry-After` hint, for rate-limit errors.
    ///
    /// ```
    /// # fn check(e: &relance::Error) {
    /// if let Some(wait) = e.retry_after() { println!("wait {wait:?}"); }
    /// # }
    /// ```
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Whether the service refused the credentials: HTTP 401 or 403, or a Sendsay
    /// `error/auth/*` error (a wrong API key, password or expired access).
    ///
    /// A freshly generated Sendethic API key may take up to an hour to work.
    ///
    /// ```
    /// # fn check(e: &relance::Error) {
    /// if e.is_auth() { eprintln!("check the account id and API key"); }
    /// # }
    /// ```
    #[must_use]
    pub fn is_auth(&self) -> bool {
        self.api().is_some_and(ApiError::is_auth)
    }

    /// The API error, when this is one.
    ///
    /// ```
    /// # fn check(e: &relance::Error) {
    /// if let Some(api) = e.api() { println!("{}", api.message); }
    /// # }
    /// ```
    #[must_use]
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Self::Api(api) | Self::RateLimited { api: Some(api), .. } => Some(api),
            _ => None,
        }
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Self::Api(Box::new(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_body_gives_status_reason() {
        let e = ApiError::from_http(502, b"<html><body><h1>502 Bad Gateway</h1></body></html>");
        assert_eq!(e.status, 502);
        assert_eq!(e.message, "Bad Gateway");
        assert!(e.body.contains("<h1>"));
    }

    #[test]
    fn aspnet_json_message_is_used() {
        let e = ApiError::from_http(400, br#"{"Message":"The request is invalid."}"#);
        assert_eq!(e.message, "The request is invalid.");
        assert!(e.details.is_some());
    }

    #[test]
    fn bare_json_string_and_text() {
        assert_eq!(
            ApiError::from_http(404, br#""Not found""#).message,
            "Not found"
        );
        assert_eq!(
            ApiError::from_http(401, b"Unauthorized\n").message,
            "Unauthorized"
        );
        assert_eq!(
            ApiError::from_http(500, b"").message,
            "Internal Server Error"
        );
    }

    #[test]
    fn long_bodies_are_truncated_on_char_boundary() {
        let body = "é".repeat(BODY_LIMIT);
        let t = truncate(&body);
        assert!(t.len() <= BODY_LIMIT + '…'.len_utf8());
        assert!(t.ends_with('…'));
    }

    #[test]
    fn predicates() {
        let e: Error = ApiError::from_http(503, b"busy").into();
        assert!(e.is_retryable());
        assert_eq!(e.status(), Some(503));
        let e: Error = ApiError::from_http(400, b"bad").into();
        assert!(!e.is_retryable());
        let e = Error::RateLimited {
            retry_after: Some(Duration::from_secs(3)),
            body: "".into(),
            api: None,
        };
        assert_eq!(e.retry_after(), Some(Duration::from_secs(3)));
        assert_eq!(e.status(), Some(429));
        assert!(e.to_string().contains("retry after 3 s"));
        let e = Error::invalid("bob@", "not an email");
        assert_eq!(e.to_string(), "invalid input `bob@`: not an email");
    }

    #[tokio::test]
    async fn transport_errors_name_the_host_and_the_cause() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let e = reqwest::Client::new()
            .get(format!("http://127.0.0.1:{port}/"))
            .send()
            .await
            .unwrap_err();
        let text = Error::Transport(e).to_string();
        assert!(
            text.starts_with("transport error to 127.0.0.1: cannot connect"),
            "{text}"
        );
        assert!(text.to_ascii_lowercase().contains("refused"), "{text}");
    }

    #[test]
    fn auth_errors_are_recognised_on_the_error() {
        let e: Error = ApiError::from_http(401, b"Unauthorized").into();
        assert!(e.is_auth());
        let e: Error = ApiError::from_http(500, b"boom").into();
        assert!(!e.is_auth());
        let mut api = ApiError::from_http(200, b"");
        api.code = Some("error/auth/failed".into());
        assert!(Error::from(api).is_auth());
        assert!(!Error::invalid("x", "y").is_auth());
    }

    #[test]
    fn io_errors_keep_their_source() {
        let e = Error::io(
            "cannot create a temporary file",
            std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied"),
        );
        assert_eq!(e.to_string(), "cannot create a temporary file: denied");
        let source = std::error::Error::source(&e).unwrap();
        assert_eq!(source.to_string(), "denied");
    }
}
