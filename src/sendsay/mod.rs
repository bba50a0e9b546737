//! Sendsay JSON API (`POST https://api.sendsay.ru/general/api/v100/json/<account>`).
//!
//! Start with [`Client::builder`] (or [`Client::from_env`]) and an [`Auth`], then reach each
//! resource through its handler: [`Client::members`], [`Client::groups`],
//! [`Client::segments`], [`Client::fields`], [`Client::issues`], [`Client::drafts`],
//! [`Client::senders`], [`Client::stats`], [`Client::track`] / [`Client::tracks`],
//! [`Client::batch`], and the escape hatch [`Client::call`] for the many actions `relance`
//! does not type. Every operation returns a [`Request`] that you `.await` directly (or
//! `.send().await`), after optionally overriding the timeout or retry policy for that call.
//!
//! The envelope layer, below the retry policy:
//! - **Authentication**: an API key in the `Authorization: sendsay apikey=<KEY>` header, or
//!   login/sublogin/password exchanged for a session (`action: login`) that is sent in every
//!   body. When the service answers `error/auth/failed` + `expired` (the action was *not*
//!   executed), the client logs in again — once, serialised behind a mutex so concurrent
//!   calls share one re-login — and replays the call once.
//! - **`errors[]`** (or a singular `error`) in a 200 body becomes
//!   [`Error::Api`] with `code` = the error id and `details` = the
//!   `explain` value (a string, an array or an object). They are checked *before* `REDIRECT`.
//!   See [`SendsayErrorId`] and [`SendsayErrorExt`].
//! - **`REDIRECT`**: the same body is posted again to `origin + <REDIRECT> +
//!   /general/api/v100/json/<account>`; the prefix is remembered by the client (and its
//!   clones) so later calls go straight there. At most 10 are followed, then
//!   [`Error::Protocol`]. A value that is not a path on the same origin
//!   (`https://other.host/…`, `//host`, `scheme:`) is refused with
//!   [`Error::Protocol`] and nothing is sent there.
//! - **Retries** are decided per *action* (every call is a POST): read-only actions (`ping`,
//!   `pong`, `*.get`, `*.list`, `member.exists`, `member.find`, `track.get`, `stat.uni` with
//!   `result: "response"`, `sys.settings.get`) are retried per the policy; sends, imports,
//!   deletes, `stoplist.*`, `group.clean`, `group.snapshot` and `batch` never are. Following a
//!   `REDIRECT` and the one re-login are not retries.
//!
//! ```no_run
//! # async fn run() -> relance::Result<()> {
//! use relance::sendsay::{Auth, Client, MemberSet};
//!
//! let client = Client::builder("myaccount", Auth::api_key("key")).build()?;
//! client
//!     .members()
//!     .set(MemberSet::new("ivan@example.com").set("base.firstName", "Ivan"))
//!     .await?;
//! # Ok(()) }
//! ```

mod anketa;
mod batch;
mod errors;
mod groups;
mod issues;
mod members;
mod stat;
mod track;
mod types;

use std::any::Any;
use std::borrow::Cow;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use reqwest::Method;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value};
use tracing::Instrument;
use url::Url;

#[doc(no_inline)]
pub use crate::http::JobWait;
pub use anketa::{Anketa, AnketaDetail, FieldsHandler, NewQuestion, QuestType, Question};
pub use batch::{Batch, BatchResult};
pub use errors::{SendsayErrorExt, SendsayErrorId};
pub use groups::{
    Condition, Filter, Group, GroupType, GroupsHandler, NewGroup, SegmentsHandler, Snapshot,
};
pub use issues::{
    Draft, DraftFormat, DraftsHandler, IssueSend, IssuesHandler, Letter, NewDraft, SendWhen,
    Sender, SendersHandler,
};
pub use members::{
    Datakey, DatakeyMode, IfExists, Member, MemberDelete, MemberId, MemberImport, MemberInfo,
    MemberList, MemberListQuery, MemberSet, MembersHandler,
};
pub use stat::{StatQuery, StatRows, StatsHandler};
pub use track::{Track, TrackInfo, TrackListQuery, TrackStatus, TracksHandler};
pub use types::{Accepted, AddrType, Pong, TrackId};

use crate::error::{Error, Result};
#[doc(no_inline)]
pub use crate::http::Request;
use crate::http::{
    self, Body, BoxFuture, Call, CommonBuilder, HttpCore, RawRequest, RequestOptions, Safety,
};

/// The production base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.sendsay.ru/";

/// The most `REDIRECT`s followed for one call.
pub const MAX_REDIRECTS: usize = 10;

/// The path template recorded in traces.
const TEMPLATE: &str = "/general/api/v100/json/{account}";

/// How a [`Client`] authenticates.
///
/// ```
/// use relance::sendsay::Auth;
/// let by_key = Auth::api_key("key");
/// let by_password = Auth::password("myaccount", "api-user", "secret");
/// assert!(!format!("{by_key:?} {by_password:?}").contains("secret"));
/// ```
#[derive(Clone)]
pub struct Auth(AuthKind);

#[derive(Clone)]
enum AuthKind {
    ApiKey(SecretString),
    Password {
        login: String,
        sublogin: Option<String>,
        passwd: SecretString,
    },
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            AuthKind::ApiKey(_) => f
                .debug_struct("Auth::ApiKey")
                .field("key", &"<redacted>")
                .finish(),
            AuthKind::Password {
                login, sublogin, ..
            } => f
                .debug_struct("Auth::Password")
                .field("login", login)
                .field("sublogin", sublogin)
                .field("passwd", &"<redacted>")
                .finish(),
        }
    }
}

impl Auth {
    /// An API key (created for a sub-user), sent as `Authorization: sendsay apikey=<KEY>`.
    ///
    /// ```
    /// let auth = relance::sendsay::Auth::api_key("key");
    /// # let _ = auth;
    /// ```
    pub fn api_key(key: impl Into<String>) -> Self {
        Self(AuthKind::ApiKey(SecretString::from(key.into())))
    }

    /// Login (the account code), sublogin (the user; empty for none) and password, exchanged
    /// for a session on first use and renewed automatically when it expires.
    ///
    /// ```
    /// let auth = relance::sendsay::Auth::password("myaccount", "", "secret");
    /// # let _ = auth;
    /// ```
    pub fn password(
        login: impl Into<String>,
        sublogin: impl Into<String>,
        passwd: impl Into<String>,
    ) -> Self {
        let sublogin = sublogin.into();
        Self(AuthKind::Password {
            login: login.into(),
            sublogin: Some(sublogin).filter(|s| !s.trim().is_empty()),
            passwd: SecretString::from(passwd.into()),
        })
    }
}

/// A Sendsay API client. Cheap to clone (one `Arc`); clones share the connection pool, the
/// session and the learned `REDIRECT` prefix.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    core: HttpCore,
    account: String,
    auth: AuthState,
    redirect: RwLock<Option<String>>,
    timezone: Option<chrono_tz::Tz>,
    logins: AtomicU64,
}

enum AuthState {
    ApiKey(HeaderValue),
    Password {
        login: String,
        sublogin: Option<String>,
        passwd: SecretString,
        session: tokio::sync::Mutex<Option<SecretString>>,
    },
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let auth = match &self.inner.auth {
            AuthState::ApiKey(_) => "api key <redacted>",
            AuthState::Password { .. } => "password/session <redacted>",
        };
        f.debug_struct("sendsay::Client")
            .field("account", &self.inner.account)
            .field("auth", &auth)
            .field("redirect_prefix", &self.redirect_prefix())
            .field("timezone", &self.inner.timezone)
            .field("core", &self.inner.core)
            .finish()
    }
}

/// Builds a [`Client`]. Created by [`Client::builder`].
pub struct ClientBuilder {
    account: String,
    auth: Auth,
    timezone: Option<chrono_tz::Tz>,
    common: CommonBuilder,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("sendsay::ClientBuilder")
            .field("account", &self.account)
            .field("auth", &self.auth)
            .field("timezone", &self.timezone)
            .field("common", &self.common)
            .finish()
    }
}

impl Client {
    /// Starts building a client for `account` (the account code, the main login).
    ///
    /// ```
    /// use relance::sendsay::{Auth, Client};
    /// let client = Client::builder("myaccount", Auth::api_key("key")).build()?;
    /// # Ok::<(), relance::Error>(())
    /// ```
    pub fn builder(account: impl Into<String>, auth: Auth) -> ClientBuilder {
        ClientBuilder {
            account: account.into(),
            auth,
            timezone: None,
            common: CommonBuilder::default(),
        }
    }

    /// Builds a client from the environment; see [`ClientBuilder::from_env`].
    ///
    /// ```no_run
    /// let client = relance::sendsay::Client::from_env()?;
    /// # Ok::<(), relance::Error>(())
    /// ```
    pub fn from_env() -> Result<Self> {
        ClientBuilder::from_env()?.build()
    }

    /// Contacts (`member.*`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let exists = client.members().exists("ivan@example.com").await?;
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn members(&self) -> MembersHandler {
        MembersHandler::new(self.clone())
    }

    /// Groups of type `list` and the operations shared by every group (`group.*`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let groups = client.groups().list().await?;
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn groups(&self) -> GroupsHandler {
        GroupsHandler::new(self.clone())
    }

    /// Segments: groups of type `filter` and their conditions.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// use relance::sendsay::{Condition, Filter};
    /// let filter = Filter::new().and(Condition::eq("base.city", "Kazan"));
    /// let id = client.segments().create_with_filter(Some("kazan"), "Kazan", filter).await?;
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn segments(&self) -> SegmentsHandler {
        SegmentsHandler::new(self.clone())
    }

    /// Questionnaires (`anketa.*`): profile fields.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let anketas = client.fields().list().await?;
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn fields(&self) -> FieldsHandler {
        FieldsHandler::new(self.clone())
    }

    /// Email and SMS issues (`issue.send`, `issue.send.test`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// use relance::sendsay::{IssueSend, Letter};
    /// let letter = Letter::inline("Hello", "shop@example.com").html("<p>Hi</p>");
    /// let track = client.issues().send(IssueSend::personal("ivan@example.com", letter)).await?;
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn issues(&self) -> IssuesHandler {
        IssuesHandler::new(self.clone())
    }

    /// Drafts and templates (`issue.draft.*`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let drafts = client.drafts().list().await?;
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn drafts(&self) -> DraftsHandler {
        DraftsHandler::new(self.clone())
    }

    /// Sender addresses and SMS sender names (`issue.emailsender.*`, `issue.smssender.*`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let senders = client.senders().list_email().await?;
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn senders(&self) -> SendersHandler {
        SendersHandler::new(self.clone())
    }

    /// Statistics (`stat.uni`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// use relance::sendsay::StatQuery;
    /// let rows = client.stats().uni(StatQuery::new(["issue.id", "issue.deliv_ok"])).await?;
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn stats(&self) -> StatsHandler {
        StatsHandler::new(self.clone())
    }

    /// Asynchronous jobs (`track.list`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let failed = client.tracks().list(relance::sendsay::TrackListQuery::new()).await?;
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn tracks(&self) -> TracksHandler {
        TracksHandler::new(self.clone())
    }

    /// A handle on one asynchronous job (`track.get`), to poll or wait for.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// use std::time::Duration;
    /// let done = client.track("1234").wait(relance::JobWait::new(Duration::from_secs(120))).await?;
    /// println!("finished: {}", done.status.is_success());
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn track(&self, id: impl Into<TrackId>) -> Track {
        Track::new(self.clone(), id.into())
    }

    /// A `batch` of actions sent in one call (never retried).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let results = client
    ///     .batch()
    ///     .stop_on_error(true)
    ///     .push("pong", serde_json::json!({}))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn batch(&self) -> Batch {
        Batch::new(self.clone())
    }

    /// `ping`: a call without authentication; the answer contains `pong`.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// client.ping().await?;
    /// # Ok(()) }
    /// ```
    pub fn ping(&self) -> Request<Value> {
        self.action("ping", Ok(Map::new()), Ok)
    }

    /// `pong`: an authenticated ping, the credentials check.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let pong = client.pong().await?;
    /// println!("authenticated as {:?}", pong.sublogin);
    /// # Ok(()) }
    /// ```
    pub fn pong(&self) -> Request<Pong> {
        self.action("pong", Ok(Map::new()), types::from_value)
    }

    /// `logout`: ends the current session (password authentication) and forgets it; the next
    /// call logs in again. Does nothing for API-key clients or when no session is open.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// client.logout().await?;
    /// # Ok(()) }
    /// ```
    pub async fn logout(&self) -> Result<()> {
        let AuthState::Password { session, .. } = &self.inner.auth else {
            return Ok(());
        };
        let mut current = session.lock().await;
        let Some(open) = current.take() else {
            return Ok(());
        };
        let mut body = Map::new();
        body.insert("action".into(), "logout".into());
        body.insert("session".into(), open.expose_secret().into());
        match self.post(&body, false, &RequestOptions::default()).await {
            Err(Error::Api(api)) if api.is_auth() => Ok(()), // already expired
            other => other.map(|_| ()),
        }
    }

    /// `sys.settings.get`: account settings by key (`about.id`, `member.hard.limit`,
    /// `member.hard.rest`, ...).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let settings = client.settings(["member.hard.limit", "member.hard.rest"]).await?;
    /// # Ok(()) }
    /// ```
    pub fn settings<I, S>(&self, keys: I) -> Request<Map<String, Value>>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let keys: Vec<Value> = keys.into_iter().map(|k| Value::String(k.into())).collect();
        let mut body = Map::new();
        body.insert("list".into(), Value::Array(keys));
        self.action("sys.settings.get", Ok(body), |v| {
            Ok(match v.get("list") {
                Some(Value::Object(m)) => m.clone(),
                _ => Map::new(),
            })
        })
    }

    /// The escape hatch: sends any `action` with `params` (a JSON object; `null` for none) and
    /// returns the whole reply object. Authentication, `REDIRECT`, `errors[]` and the retry
    /// classification by action apply as for typed calls.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let reply = client
    ///     .call("sequence.member.start", serde_json::json!({"id": 12, "email": "a@b.ru"}))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn call(&self, action: impl Into<String>, params: Value) -> Request<Value> {
        let action = action.into();
        let body = match params {
            Value::Null => Ok(Map::new()),
            Value::Object(m) => Ok(m),
            _ => Err(Error::invalid("params", "must be a JSON object or null")),
        };
        let body = if action.trim().is_empty() {
            Err(Error::invalid("action", "the action name is empty"))
        } else {
            body
        };
        self.action(action, body, Ok)
    }

    /// The account code requests are sent for.
    ///
    /// ```
    /// use relance::sendsay::{Auth, Client};
    /// let client = Client::builder("myaccount", Auth::api_key("k")).build()?;
    /// assert_eq!(client.account(), "myaccount");
    /// # Ok::<(), relance::Error>(())
    /// ```
    #[must_use]
    pub fn account(&self) -> &str {
        &self.inner.account
    }

    /// The base URL.
    ///
    /// ```
    /// use relance::sendsay::{Auth, Client};
    /// let client = Client::builder("a", Auth::api_key("k")).build()?;
    /// assert_eq!(client.base_url().as_str(), relance::sendsay::DEFAULT_BASE_URL);
    /// # Ok::<(), relance::Error>(())
    /// ```
    #[must_use]
    pub fn base_url(&self) -> &Url {
        self.inner.core.base()
    }

    /// The `REDIRECT` prefix learned from the service, if any (`/clu180`).
    ///
    /// ```
    /// use relance::sendsay::{Auth, Client};
    /// let client = Client::builder("a", Auth::api_key("k")).build()?;
    /// assert_eq!(client.redirect_prefix(), None);
    /// # Ok::<(), relance::Error>(())
    /// ```
    #[must_use]
    pub fn redirect_prefix(&self) -> Option<String> {
        self.inner
            .redirect
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The account timezone configured with [`ClientBuilder::timezone`].
    ///
    /// ```
    /// use relance::sendsay::{Auth, Client};
    /// let client = Client::builder("a", Auth::api_key("k"))
    ///     .timezone(chrono_tz::Europe::Moscow)
    ///     .build()?;
    /// assert_eq!(client.timezone(), Some(chrono_tz::Europe::Moscow));
    /// # Ok::<(), relance::Error>(())
    /// ```
    #[must_use]
    pub fn timezone(&self) -> Option<chrono_tz::Tz> {
        self.inner.timezone
    }

    /// Formats an instant as a wire datetime (`YYYY-MM-DD hh:mm:ss`, no offset) in the
    /// account timezone. Fails with [`Error::Config`] when no timezone was configured: the
    /// service's timezone semantics are undocumented, so `relance` never guesses.
    ///
    /// ```
    /// use relance::sendsay::{Auth, Client};
    /// let client = Client::builder("a", Auth::api_key("k"))
    ///     .timezone(chrono_tz::Europe::Moscow)
    ///     .build()?;
    /// let t = chrono::DateTime::parse_from_rfc3339("2024-05-01T07:00:00Z").unwrap();
    /// assert_eq!(client.wire_datetime(t.into())?, "2024-05-01 10:00:00");
    /// # Ok::<(), relance::Error>(())
    /// ```
    pub fn wire_datetime(&self, at: chrono::DateTime<chrono::Utc>) -> Result<String> {
        let tz = self.inner.timezone.ok_or_else(|| {
            Error::config("no account timezone configured (ClientBuilder::timezone)")
        })?;
        Ok(at
            .with_timezone(&tz)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string())
    }

    /// How many `login` calls this client made (sessions opened or renewed).
    ///
    /// ```
    /// use relance::sendsay::{Auth, Client};
    /// let client = Client::builder("a", Auth::api_key("k")).build()?;
    /// assert_eq!(client.login_count(), 0);
    /// # Ok::<(), relance::Error>(())
    /// ```
    #[must_use]
    pub fn login_count(&self) -> u64 {
        self.inner.logins.load(Ordering::Relaxed)
    }

    /// Starts a typed request for `action` with its parameters.
    pub(crate) fn action<T: 'static>(
        &self,
        action: impl Into<Cow<'static, str>>,
        params: Result<Map<String, Value>>,
        decode: fn(Value) -> Result<T>,
    ) -> Request<T> {
        let action = action.into();
        let body = params.map(|params| {
            let mut body = Map::with_capacity(params.len() + 1);
            body.insert("action".into(), Value::String(action.to_string()));
            for (k, v) in params {
                if k != "action" {
                    body.insert(k, v);
                }
            }
            body
        });
        let safety = if body.as_ref().is_ok_and(|b| is_retry_safe(&action, b)) {
            Safety::Safe
        } else {
            Safety::Never
        };
        let call = body.map(|body| {
            Box::new(ActionCall {
                client: self.clone(),
                body,
                decode,
            }) as Box<dyn Call<T>>
        });
        Request::new("sendsay", action, safety, call)
    }

    /// Sends one action through the envelope layer: session, `REDIRECT`, `errors[]`.
    pub(crate) async fn execute(
        &self,
        body: Map<String, Value>,
        retry_safe: bool,
        options: &RequestOptions,
    ) -> Result<Value> {
        let action = body
            .get("action")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let request_id = next_request_id();
        let span =
            tracing::debug_span!("relance.sendsay", action = %action, request_id = %request_id);
        async move {
            let needs_session = !matches!(action.as_str(), "ping" | "login");
            let mut relogged = false;
            loop {
                let session = if needs_session {
                    self.session(None).await?
                } else {
                    None
                };
                let mut sent = body.clone();
                if let Some(s) = &session {
                    sent.insert(
                        "session".into(),
                        Value::String(s.expose_secret().to_owned()),
                    );
                }
                match self.post(&sent, retry_safe, options).await {
                    Err(Error::Api(api))
                        if session.is_some() && !relogged && errors::is_expired(&api) =>
                    {
                        tracing::warn!("session expired; logging in again and replaying once");
                        relogged = true;
                        self.session(session.as_ref()).await?;
                    }
                    other => return other,
                }
            }
        }
        .instrument(span)
        .await
    }

    /// The current session (logging in when there is none, or when `stale` is still the
    /// current one). `None` for API-key clients.
    async fn session(&self, stale: Option<&SecretString>) -> Result<Option<SecretString>> {
        let AuthState::Password {
            login,
            sublogin,
            passwd,
            session,
        } = &self.inner.auth
        else {
            return Ok(None);
        };
        let mut current = session.lock().await;
        let renew = match (&*current, stale) {
            (None, _) => true,
            (Some(cur), Some(stale)) => cur.expose_secret() == stale.expose_secret(),
            (Some(_), None) => false,
        };
        if renew {
            *current = None;
            let mut body = Map::new();
            body.insert("action".into(), "login".into());
            body.insert("login".into(), login.clone().into());
            if let Some(sub) = sublogin {
                body.insert("sublogin".into(), sub.clone().into());
            }
            body.insert("passwd".into(), passwd.expose_secret().into());
            self.inner.logins.fetch_add(1, Ordering::Relaxed);
            let reply = self.post(&body, true, &RequestOptions::default()).await?;
            let Some(new) = reply.get("session").and_then(Value::as_str) else {
                return Err(Error::Protocol("the login answer has no session".into()));
            };
            *current = Some(SecretString::from(new.to_owned()));
        }
        Ok(current.clone())
    }

    /// Posts `body`, following `REDIRECT`s; checks `errors[]` first.
    async fn post(
        &self,
        body: &Map<String, Value>,
        retry_safe: bool,
        options: &RequestOptions,
    ) -> Result<Value> {
        let bytes: bytes::Bytes = serde_json::to_vec(body)
            .map_err(|e| Error::invalid("request body", e.to_string()))?
            .into();
        for hop in 0..=MAX_REDIRECTS {
            let url = self.endpoint(self.redirect_prefix().as_deref())?;
            let mut raw = RawRequest::new(Method::POST, url, TEMPLATE);
            raw.retry_safe = retry_safe;
            raw.options = options.clone();
            raw.body = Some(Body::Json(bytes.clone()));
            raw.headers
                .insert(ACCEPT, HeaderValue::from_static("application/json"));
            if let AuthState::ApiKey(h) = &self.inner.auth {
                raw.headers.insert(AUTHORIZATION, h.clone());
            }
            let response = match self.inner.core.execute(raw).await {
                Ok(r) => r,
                Err(Error::Api(api)) => return Err(errors::into_error(errors::enrich_http(*api))),
                Err(e) => return Err(e),
            };
            let value: Value = response.json()?;
            if let Some(api) = errors::envelope_error(response.status, &value, &response.body) {
                return Err(errors::into_error(api));
            }
            if let Some(target) = value.get("REDIRECT") {
                let Some(target) = target.as_str() else {
                    return Err(Error::Protocol("REDIRECT value is not a string".into()));
                };
                let prefix = redirect_prefix(self.inner.core.base(), target)?;
                tracing::warn!(hop, prefix = %prefix, "following a Sendsay REDIRECT");
                *self
                    .inner
                    .redirect
                    .write()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(prefix);
                continue;
            }
            if let Some(w) = value.get("warnings") {
                tracing::debug!(warnings = %w, "Sendsay answered with warnings");
            }
            return Ok(value);
        }
        Err(Error::Protocol(
            format!("more than {MAX_REDIRECTS} REDIRECTs in a row").into(),
        ))
    }

    /// `base + general/api/v100/json/<account>`, or `origin + prefix + …` after a REDIRECT.
    fn endpoint(&self, prefix: Option<&str>) -> Result<Url> {
        let base = self.inner.core.base();
        let segments = [
            "general",
            "api",
            "v100",
            "json",
            self.inner.account.as_str(),
        ];
        match prefix {
            None => http::endpoint(base, &segments),
            Some(prefix) => {
                let mut origin = base.clone();
                origin.set_path(if prefix.is_empty() { "/" } else { prefix });
                let url = http::endpoint(&origin, &segments)?;
                if url.origin() != base.origin() {
                    return Err(Error::Protocol("REDIRECT leaves the base origin".into()));
                }
                Ok(url)
            }
        }
    }
}

/// Validates a `REDIRECT` value: a path on the base URL's origin. Returns the prefix without
/// a trailing `/` (empty for the root).
pub(crate) fn redirect_prefix(base: &Url, value: &str) -> Result<String> {
    let refuse = |why: &str| {
        Err(Error::Protocol(
            format!("refused REDIRECT to `{value}`: {why}; credentials are not sent there").into(),
        ))
    };
    let v = value.trim();
    if v.starts_with("//") || v.contains('\\') {
        return refuse("not a path on the same origin");
    }
    let path = if let Ok(abs) = Url::parse(v) {
        if abs.origin() != base.origin() {
            return refuse("another origin");
        }
        if abs.query().is_some() || abs.fragment().is_some() {
            return refuse("it has a query or a fragment");
        }
        abs.path().to_owned()
    } else {
        if let Some(colon) = v.find(':')
            && v.find('/').is_none_or(|slash| colon < slash)
        {
            return refuse("it has a scheme");
        }
        if v.chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '?' || c == '#')
        {
            return refuse("not a plain path");
        }
        if v.starts_with('/') {
            v.to_owned()
        } else {
            format!("/{v}")
        }
    };
    if path.split('/').any(|s| s == "." || s == "..") {
        return refuse("dot segments");
    }
    Ok(path.trim_end_matches('/').to_owned())
}

/// Whether an action may be sent again after it may have reached the server.
#[allow(clippy::case_sensitive_file_extension_comparisons)]
pub(crate) fn is_retry_safe(action: &str, body: &Map<String, Value>) -> bool {
    let result = body.get("result").and_then(Value::as_str);
    match action {
        "ping" | "pong" | "login" | "member.exists" | "member.find" | "track.get"
        | "sys.settings.get" => true,
        "stat.uni" => result.is_none_or(|r| r == "response"),
        "issue.send"
        | "issue.send.test"
        | "member.import"
        | "member.sendconfirm"
        | "sequence.member.start"
        | "member.delete"
        | "group.clean"
        | "group.snapshot"
        | "batch" => false,
        a if a.starts_with("stoplist.") => false,
        a if a.ends_with(".get") || a.ends_with(".list") => result != Some("save"),
        _ => false,
    }
}

fn next_request_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    format!(
        "relance-{}-{:x}-{}",
        env!("CARGO_PKG_VERSION"),
        fastrand::u32(..),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

impl ClientBuilder {
    /// A builder from `SENDSAY_ACCOUNT` and either `SENDSAY_API_KEY`, or `SENDSAY_LOGIN`
    /// (default: the account), the optional `SENDSAY_SUBLOGIN` and `SENDSAY_PASSWORD`; plus the
    /// optional `SENDSAY_BASE_URL` and `SENDSAY_TIMEZONE` (an IANA name such as
    /// `Europe/Moscow`). The only place the Sendsay client reads the environment.
    ///
    /// ```no_run
    /// let client = relance::sendsay::ClientBuilder::from_env()?
    ///     .timeout(std::time::Duration::from_secs(10))
    ///     .build()?;
    /// # Ok::<(), relance::Error>(())
    /// ```
    pub fn from_env() -> Result<Self> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let account =
            var("SENDSAY_ACCOUNT").ok_or_else(|| Error::config("SENDSAY_ACCOUNT is not set"))?;
        let auth = if let Some(key) = var("SENDSAY_API_KEY") {
            Auth::api_key(key)
        } else if let Some(passwd) = var("SENDSAY_PASSWORD") {
            Auth::password(
                var("SENDSAY_LOGIN").unwrap_or_else(|| account.clone()),
                var("SENDSAY_SUBLOGIN").unwrap_or_default(),
                passwd,
            )
        } else {
            return Err(Error::config(
                "set SENDSAY_API_KEY, or SENDSAY_PASSWORD (with SENDSAY_LOGIN/SENDSAY_SUBLOGIN)",
            ));
        };
        let mut builder = Client::builder(account, auth);
        if let Some(base) = var("SENDSAY_BASE_URL") {
            builder = builder.base_url(base);
        }
        if let Some(tz) = var("SENDSAY_TIMEZONE") {
            let tz: chrono_tz::Tz = tz.trim().parse().map_err(|_| {
                Error::config(format!("SENDSAY_TIMEZONE `{tz}` is not an IANA timezone"))
            })?;
            builder = builder.timezone(tz);
        }
        Ok(builder)
    }

    /// The account timezone, used to write instants as wire datetimes (the wire carries no
    /// offset). There is no default: without it, calls given a `DateTime<Utc>` fail.
    ///
    /// ```
    /// let builder = relance::sendsay::Client::builder("a", relance::sendsay::Auth::api_key("k"))
    ///     .timezone(chrono_tz::Europe::Moscow);
    /// # let _ = builder;
    /// ```
    #[must_use]
    pub fn timezone(mut self, tz: chrono_tz::Tz) -> Self {
        self.timezone = Some(tz);
        self
    }

    http::common_builder_methods!(
        "relance::sendsay::Client::builder(\"acc\", relance::sendsay::Auth::api_key(\"k\"))"
    );

    /// Validates the configuration and builds the client.
    ///
    /// Fails with [`Error::Config`] for an empty account, key, login or password, an invalid
    /// base URL, or a plain `http://` base URL to a non-loopback host.
    ///
    /// ```
    /// use relance::sendsay::{Auth, Client};
    /// let err = Client::builder("", Auth::api_key("k")).build().unwrap_err();
    /// assert!(matches!(err, relance::Error::Config(_)));
    /// ```
    pub fn build(self) -> Result<Client> {
        let account = self.account.trim().to_owned();
        if account.is_empty() {
            return Err(Error::config("the Sendsay account is empty"));
        }
        let auth = match self.auth.0 {
            AuthKind::ApiKey(key) => {
                if key.expose_secret().trim().is_empty() {
                    return Err(Error::config("the Sendsay API key is empty"));
                }
                let mut h =
                    HeaderValue::from_str(&format!("sendsay apikey={}", key.expose_secret()))
                        .map_err(|_| Error::config("the API key contains invalid characters"))?;
                h.set_sensitive(true);
                AuthState::ApiKey(h)
            }
            AuthKind::Password {
                login,
                sublogin,
                passwd,
            } => {
                if login.trim().is_empty() || passwd.expose_secret().is_empty() {
                    return Err(Error::config("the Sendsay login or password is empty"));
                }
                AuthState::Password {
                    login,
                    sublogin,
                    passwd,
                    session: tokio::sync::Mutex::new(None),
                }
            }
        };
        let core = self.common.build("sendsay", DEFAULT_BASE_URL)?;
        Ok(Client {
            inner: Arc::new(Inner {
                core,
                account,
                auth,
                redirect: RwLock::new(None),
                timezone: self.timezone,
                logins: AtomicU64::new(0),
            }),
        })
    }
}

/// One Sendsay action: its body, sent through the envelope layer, then decoded.
struct ActionCall<T> {
    client: Client,
    body: Map<String, Value>,
    decode: fn(Value) -> Result<T>,
}

impl<T: 'static> Call<T> for ActionCall<T> {
    fn send(self: Box<Self>, retry_safe: bool, options: RequestOptions) -> BoxFuture<Result<T>> {
        let Self {
            client,
            body,
            decode,
        } = *self;
        Box::pin(async move {
            let value = client.execute(body, retry_safe, &options).await?;
            decode(value)
        })
    }

    /// The body (action and parameters, without authentication), for a `batch`.
    fn into_any(self: Box<Self>) -> Box<dyn Any + Send> {
        Box::new(self.body)
    }
}

/// The body of a request built by this client, for a `batch`; an input error when the
/// request was built from invalid input.
pub(crate) fn request_body<T: 'static>(request: Request<T>) -> Result<Map<String, Value>> {
    request.into_call().and_then(|call| {
        call.downcast::<Map<String, Value>>()
            .map(|body| *body)
            .map_err(|_| Error::invalid("batch", "not a Sendsay request"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secrets() {
        let b = Client::builder("acc", Auth::api_key("s3cr3t-k3y"));
        let s = format!("{b:?}");
        assert!(!s.contains("s3cr3t-k3y") && s.contains("acc"), "{s}");
        let c = b.build().unwrap();
        let s = format!("{c:?} {c:#?} {:?}", c.pong());
        assert!(!s.contains("s3cr3t-k3y"), "{s}");
        let b = Client::builder("acc", Auth::password("acc", "user", "pa55w0rd"));
        let s = format!("{b:?}");
        assert!(!s.contains("pa55w0rd") && s.contains("user"), "{s}");
        let c = b.build().unwrap();
        let s = format!("{c:?} {:?}", c.members().get("a@b.ru"));
        assert!(!s.contains("pa55w0rd") && !s.contains("a@b.ru"), "{s}");
    }

    #[test]
    fn empty_credentials_are_refused() {
        for b in [
            Client::builder(" ", Auth::api_key("k")),
            Client::builder("a", Auth::api_key("")),
            Client::builder("a", Auth::password("", "", "p")),
            Client::builder("a", Auth::password("a", "", "")),
        ] {
            assert!(matches!(b.build(), Err(Error::Config(_))));
        }
    }

    #[test]
    fn retry_safety_is_by_action() {
        let m = Map::new();
        let mut save = Map::new();
        save.insert("result".into(), "save".into());
        for a in [
            "ping",
            "pong",
            "member.get",
            "group.list",
            "member.exists",
            "member.find",
            "track.get",
            "stat.uni",
            "sys.settings.get",
            "anketa.get",
        ] {
            assert!(is_retry_safe(a, &m), "{a}");
        }
        for a in [
            "issue.send",
            "issue.send.test",
            "member.import",
            "member.sendconfirm",
            "sequence.member.start",
            "stoplist.add",
            "stoplist.get",
            "member.delete",
            "group.clean",
            "group.snapshot",
            "batch",
            "member.set",
            "group.create",
        ] {
            assert!(!is_retry_safe(a, &m), "{a}");
        }
        assert!(!is_retry_safe("stat.uni", &save));
        assert!(!is_retry_safe("member.list", &save));
    }

    #[test]
    fn redirect_values() {
        let base = Url::parse("https://api.sendsay.ru/").unwrap();
        assert_eq!(redirect_prefix(&base, "/clu180").unwrap(), "/clu180");
        assert_eq!(redirect_prefix(&base, "/clu180/").unwrap(), "/clu180");
        assert_eq!(redirect_prefix(&base, "clu180").unwrap(), "/clu180");
        assert_eq!(redirect_prefix(&base, "/").unwrap(), "");
        assert_eq!(
            redirect_prefix(&base, "https://api.sendsay.ru/clu9").unwrap(),
            "/clu9"
        );
        for bad in [
            "https://evil.example/clu1",
            "//evil.example/clu1",
            "http://api.sendsay.ru/clu1",
            "javascript:alert(1)",
            "evil.example:443/x",
            "/a/../b",
            "/a?x=1",
            "\\\\evil",
        ] {
            assert!(
                matches!(redirect_prefix(&base, bad), Err(Error::Protocol(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn request_ids_are_unique_and_tagged() {
        let a = next_request_id();
        let b = next_request_id();
        assert!(a.starts_with(concat!("relance-", env!("CARGO_PKG_VERSION"), "-")));
        assert_ne!(a, b);
    }
}
