//! Sendethic REST API v4 (formerly Message Business).
//!
//! Start with [`Client::builder`] (or [`Client::from_env`]), then reach each resource through
//! its handler: [`Client::fields`], [`Client::contacts`], [`Client::segments`],
//! [`Client::account`]. Every operation returns a
//! [`Request`] that you `.await` directly (or `.send().await`), after optionally overriding
//! the timeout or retry policy for that call.
//!
//! ```no_run
//! # async fn run() -> relance::Result<()> {
//! use relance::sendethic::{Client, CreditType};
//!
//! let client = Client::builder("12345", "api-key").build()?;
//! let credits = client.account().credits(CreditType::Sms).await?;
//! println!("{} SMS credits left", credits.remaining);
//! # Ok(()) }
//! ```

mod account;
mod contacts;
mod criteria;
mod emailing;
mod fields;
mod lists;
mod operations;
mod records;
mod segments;
mod sms;
mod stats;
mod types;

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use reqwest::Method;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue};
use secrecy::{ExposeSecret, SecretString};

#[doc(no_inline)]
pub use crate::http::JobWait;
pub use account::{AccountHandler, CreditType, Credits};
pub use contacts::{
    Bulk, BulkOptions, BulkReport, BulkTotals, ChunkOutcome, Contact, ContactHistory, ContactLog,
    ContactsHandler, FieldCatalog, MAX_BULK_CHUNK, MAX_HISTORY_SIZE, NewContactLog, OptIn,
    Rejected, validate,
};
pub use criteria::{Condition, Criteria, CriteriaItem, Criterion, FieldRef, Mode};
pub use emailing::{
    Analytics, ContentFormat, Culture, EmailOperation, EmailOptions, EmailUpdate, EmailingHandler,
    Importance, MAX_NAME_CHARS, Mirror, NewEmail, TestEmail, TransactionalEmail,
};
pub use fields::{
    ContactField, EnsuredField, FieldFormat, FieldSpec, FieldValue, FieldsHandler, NewField,
    NewFieldValue,
};
pub use lists::{
    ContactExport, ContactImport, ContactPurge, DuplicateOption, ExportFilter, ExportJob,
    ExportJobId, FileEncoding, FileSource, ImportColumn, ImportId, ImportJob, ListsHandler,
    PurgeId, PurgeJob, SEPARATORS,
};
pub use operations::{
    OperationStatus, Receivers, Schedule, ScheduleInfo, ScheduleKind, TriggerDelay,
};
pub use records::{MAX_RECORD_LINES, Record, RecordReader};
pub use segments::{EnsuredSegment, NewSegment, Segment, SegmentSpec, SegmentsHandler};
pub use sms::{NewSms, SmsHandler, SmsMessage, SmsOperation, SmsUpdate};
pub use stats::{
    Activity, ActivityExport, ActivityRange, CampaignStats, ColumnStats, StatsHandler,
};
pub use types::{
    ContactId, ExportId, FieldId, FieldValueId, OperationId, Patch, SegmentId, ServerMessage,
    Timestamp,
};

use crate::error::{Error, Result};
#[doc(no_inline)]
pub use crate::http::Request;
use crate::http::{
    self, Body, CommonBuilder, HttpCall, HttpCore, RawRequest, RawResponse, RequestOptions, Safety,
};

/// The production base URL.
pub const DEFAULT_BASE_URL: &str = "https://services.message-business.com/api/rest/v4/";

/// A Sendethic API client. Cheap to clone (one `Arc`); clones share the connection pool.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    core: Arc<HttpCore>,
    account_id: String,
    auth: HeaderValue,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("sendethic::Client")
            .field("account_id", &self.inner.account_id)
            .field("api_key", &"<redacted>")
            .field("core", &self.inner.core)
            .finish()
    }
}

/// Builds a [`Client`]. Created by [`Client::builder`].
pub struct ClientBuilder {
    account_id: String,
    api_key: SecretString,
    common: CommonBuilder,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("sendethic::ClientBuilder")
            .field("account_id", &self.account_id)
            .field("api_key", &"<redacted>")
            .field("common", &self.common)
            .finish()
    }
}

impl Client {
    /// Starts building a client for `account_id` (the account number, the HTTP Basic user)
    /// and `api_key` (created under "Your Account > Settings > Connectors").
    ///
    /// ```
    /// let client = relance::sendethic::Client::builder("12345", "api-key").build()?;
    /// # Ok::<(), relance::Error>(())
    /// ```
    pub fn builder(account_id: impl Into<String>, api_key: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            account_id: account_id.into(),
            api_key: SecretString::from(api_key.into()),
            common: CommonBuilder::default(),
        }
    }

    /// Builds a client from `SENDETHIC_ACCOUNT`, `SENDETHIC_API_KEY` and the optional
    /// `SENDETHIC_BASE_URL`. The only place `relance` reads the environment.
    ///
    /// ```no_run
    /// let client = relance::sendethic::Client::from_env()?;
    /// # Ok::<(), relance::Error>(())
    /// ```
    pub fn from_env() -> Result<Self> {
        ClientBuilder::from_env()?.build()
    }

    /// Contact fields (`/account/contactattribute`) and their selection values.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let fields = client.fields().list().await?;
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn fields(&self) -> FieldsHandler {
        FieldsHandler::new(self.clone())
    }

    /// Contacts: single (`/contact/...`), bulk (`/contacts/attribute`) and history.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let contact = client.contacts().get("ann@example.com").await?;
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn contacts(&self) -> ContactsHandler {
        ContactsHandler::new(self.clone())
    }

    /// Segments (`/segment`) and their criteria.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let segments = client.segments().list().await?;
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn segments(&self) -> SegmentsHandler {
        SegmentsHandler::new(self.clone())
    }

    /// Account credits and settings (`/account/remainingcredits`, `/account/settingsattribute`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let credits = client.account().credits(relance::sendethic::CreditType::Marketing).await?;
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn account(&self) -> AccountHandler {
        AccountHandler::new(self.clone())
    }

    /// Email operations (campaigns), test and transactional sends (`/emailing`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let latest = client.emailing().list(10).await?;
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn emailing(&self) -> EmailingHandler {
        EmailingHandler::new(self.clone())
    }

    /// SMS: single sends and SMS operations (`/sms`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let latest = client.sms().list(10).await?;
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn sms(&self) -> SmsHandler {
        SmsHandler::new(self.clone())
    }

    /// Contact imports, exports and purges (`/contacts/import`, `/contacts/export`,
    /// `/contacts/purge`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let imports = client.lists().imports().await?;
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn lists(&self) -> ListsHandler {
        ListsHandler::new(self.clone())
    }

    /// Campaign statistics: activity exports, parsed and aggregated.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let exports = client.stats().activity_exports(10).await?;
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn stats(&self) -> StatsHandler {
        StatsHandler::new(self.clone())
    }

    /// The account id this client authenticates as.
    ///
    /// ```
    /// let client = relance::sendethic::Client::builder("12345", "k").build()?;
    /// assert_eq!(client.account_id(), "12345");
    /// # Ok::<(), relance::Error>(())
    /// ```
    #[must_use]
    pub fn account_id(&self) -> &str {
        &self.inner.account_id
    }

    /// The base URL requests are sent to.
    ///
    /// ```
    /// let client = relance::sendethic::Client::builder("1", "k").build()?;
    /// assert_eq!(client.base_url().as_str(), relance::sendethic::DEFAULT_BASE_URL);
    /// # Ok::<(), relance::Error>(())
    /// ```
    #[must_use]
    pub fn base_url(&self) -> &url::Url {
        self.inner.core.base()
    }

    /// An escape hatch for operations `relance` does not type: sends `method` to the path made
    /// of `segments` (each percent-encoded), with an optional JSON body, and returns the JSON
    /// reply (a bare string reply comes back as a JSON string). GET, PUT and DELETE are
    /// retried per the policy; POST is not.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let reply = client
    ///     .raw(reqwest::Method::GET, &["account", "settingsattribute", "mysetting"], None)
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn raw(
        &self,
        method: Method,
        segments: &[&str],
        body: Option<serde_json::Value>,
    ) -> Request<serde_json::Value> {
        let req = self.request(method, "{raw}", segments);
        let req = match body {
            Some(b) => req.json(&b),
            None => req,
        };
        req.decode(|r| {
            if r.body.iter().all(u8::is_ascii_whitespace) {
                Ok(serde_json::Value::Null)
            } else {
                r.json().or_else(|_| {
                    Ok(serde_json::Value::String(
                        String::from_utf8_lossy(&r.body).into_owned(),
                    ))
                })
            }
        })
    }

    /// Starts a request to the path made of `segments`.
    pub(crate) fn request(
        &self,
        method: Method,
        template: &'static str,
        segments: &[&str],
    ) -> RequestDraft {
        let raw = http::endpoint(self.inner.core.base(), segments).map(|url| {
            let mut raw = RawRequest::new(method, url, template);
            raw.headers.insert(AUTHORIZATION, self.inner.auth.clone());
            raw.headers
                .insert(ACCEPT, HeaderValue::from_static("application/json"));
            raw
        });
        RequestDraft {
            core: Arc::clone(&self.inner.core),
            safety: raw
                .as_ref()
                .map_or(Safety::Never, |r| Safety::of_method(&r.method)),
            raw,
        }
    }
}

impl ClientBuilder {
    /// A builder from `SENDETHIC_ACCOUNT`, `SENDETHIC_API_KEY` and the optional
    /// `SENDETHIC_BASE_URL`, to customise further.
    ///
    /// ```no_run
    /// let client = relance::sendethic::ClientBuilder::from_env()?
    ///     .timeout(std::time::Duration::from_secs(10))
    ///     .build()?;
    /// # Ok::<(), relance::Error>(())
    /// ```
    pub fn from_env() -> Result<Self> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let account = var("SENDETHIC_ACCOUNT")
            .ok_or_else(|| Error::config("SENDETHIC_ACCOUNT is not set"))?;
        let key = var("SENDETHIC_API_KEY")
            .ok_or_else(|| Error::config("SENDETHIC_API_KEY is not set"))?;
        let mut builder = Client::builder(account, key);
        if let Some(base) = var("SENDETHIC_BASE_URL") {
            builder = builder.base_url(base);
        }
        Ok(builder)
    }

    http::common_builder_methods!("relance::sendethic::Client::builder(\"1\", \"key\")");

    /// Validates the configuration and builds the client.
    ///
    /// Fails with [`Error::Config`] for an empty account id or key, an invalid base URL, or a
    /// plain `http://` base URL to a non-loopback host.
    ///
    /// ```
    /// let err = relance::sendethic::Client::builder("1", "k")
    ///     .base_url("http://example.com/api/")
    ///     .build()
    ///     .unwrap_err();
    /// assert!(matches!(err, relance::Error::Config(_)));
    /// ```
    pub fn build(self) -> Result<Client> {
        let account_id = self.account_id.trim().to_owned();
        if account_id.is_empty() {
            return Err(Error::config("the Sendethic account id is empty"));
        }
        if account_id.contains(':') {
            return Err(Error::config(
                "the Sendethic account id must not contain `:`",
            ));
        }
        if self.api_key.expose_secret().trim().is_empty() {
            return Err(Error::config("the Sendethic API key is empty"));
        }
        let token = base64::engine::general_purpose::STANDARD
            .encode(format!("{account_id}:{}", self.api_key.expose_secret()));
        let mut auth = HeaderValue::from_str(&format!("Basic {token}"))
            .map_err(|_| Error::config("the API key contains invalid characters"))?;
        auth.set_sensitive(true);
        let core = self.common.build("sendethic", DEFAULT_BASE_URL)?;
        Ok(Client {
            inner: Arc::new(Inner {
                core: Arc::new(core),
                account_id,
                auth,
            }),
        })
    }
}

/// The largest `{size}` of the list endpoints.
pub const MAX_LIST_SIZE: u16 = 500;

/// Rejects a list `size` outside `1..=500` before sending.
pub(crate) fn check_size(draft: RequestDraft, size: u16) -> RequestDraft {
    if (1..=MAX_LIST_SIZE).contains(&size) {
        draft
    } else {
        draft.fail(Error::invalid(
            format!("size {size}"),
            "list sizes go from 1 to 500 (Sendethic has no pagination)",
        ))
    }
}

/// A request being assembled by a handler (crate-internal).
pub(crate) struct RequestDraft {
    core: Arc<HttpCore>,
    raw: Result<RawRequest>,
    safety: Safety,
}

impl RequestDraft {
    /// Sets a JSON body.
    pub(crate) fn json<B: serde::Serialize>(mut self, body: B) -> Self {
        self.raw = self.raw.and_then(|mut raw| {
            let bytes = serde_json::to_vec(&body)
                .map_err(|e| Error::invalid("request body", e.to_string()))?;
            raw.body = Some(Body::Json(bytes.into()));
            Ok(raw)
        });
        self
    }

    /// [`json`](Self::json) for a body that passed validation, or [`fail`](Self::fail) with
    /// the validation error (nothing is sent).
    pub(crate) fn try_json<B: serde::Serialize>(self, body: Result<B>) -> Self {
        match body {
            Ok(body) => self.json(body),
            Err(e) => self.fail(e),
        }
    }

    /// Replaces the request by an input error, reported when sending (before any I/O).
    pub(crate) fn fail(mut self, error: Error) -> Self {
        if self.raw.is_ok() {
            self.raw = Err(error);
        }
        self
    }

    /// Sets a body.
    pub(crate) fn body(mut self, body: Body) -> Self {
        if let Ok(raw) = &mut self.raw {
            raw.body = Some(body);
        }
        self
    }

    /// Overrides whether the request may be sent again once it may have reached the server
    /// (by default: GET, PUT and DELETE may, POST may not).
    pub(crate) fn safety(mut self, safety: Safety) -> Self {
        self.safety = safety;
        self
    }

    /// The request itself with `options` applied, for callers that stream the response.
    pub(crate) fn into_raw(self, options: RequestOptions) -> Result<(Arc<HttpCore>, RawRequest)> {
        let mut raw = self.raw?;
        raw.retry_safe = self.safety == Safety::Safe;
        raw.options = options;
        Ok((self.core, raw))
    }

    /// Finishes with a decoder.
    pub(crate) fn decode<T: 'static>(self, decode: fn(&RawResponse) -> Result<T>) -> Request<T> {
        HttpCall::request(self.core, self.raw, self.safety, decode)
    }

    /// Finishes with the JSON decoder.
    pub(crate) fn decode_json<T: serde::de::DeserializeOwned + 'static>(self) -> Request<T> {
        self.decode(RawResponse::json::<T>)
    }

    /// Finishes with the raw body (file downloads).
    pub(crate) fn bytes(self) -> Request<bytes::Bytes> {
        self.decode(|r| Ok(r.body.clone()))
    }

    /// Finishes with the bare-string decoder.
    pub(crate) fn message(self) -> Request<ServerMessage> {
        self.decode(ServerMessage::decode)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn debug_never_shows_the_key() {
        let builder = Client::builder("12345", "s3cr3t-k3y").timeout(Duration::from_secs(3));
        let b = format!("{builder:?}");
        assert!(!b.contains("s3cr3t-k3y") && b.contains("12345"), "{b}");
        let client = builder.build().unwrap();
        let c = format!("{client:?} {client:#?}");
        assert!(!c.contains("s3cr3t-k3y"), "{c}");
        let token = base64::engine::general_purpose::STANDARD.encode("12345:s3cr3t-k3y");
        assert!(!c.contains(&token), "{c}");
        let r = format!("{:?}", client.fields().list());
        assert!(!r.contains(&token) && !r.contains("s3cr3t-k3y"), "{r}");
    }

    #[test]
    fn empty_credentials_are_refused() {
        assert!(matches!(
            Client::builder(" ", "k").build(),
            Err(Error::Config(_))
        ));
        assert!(matches!(
            Client::builder("1", "").build(),
            Err(Error::Config(_))
        ));
        assert!(matches!(
            Client::builder("1:2", "k").build(),
            Err(Error::Config(_))
        ));
    }
}
