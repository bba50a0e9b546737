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
//! Ids the service hands back are typed: [`GroupId`] (lists and segments), [`DraftId`],
//! [`AnketaId`], [`QuestionId`], [`SenderId`], [`TrackId`]. A method that takes one also
//! accepts a `&str`, a `String` or an integer. Segment, `stat.uni` and `track.list` filters
//! are [`Filter`]s of [`FilterRule`]s.
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

mod batch;
mod core;
mod drafts;
mod envelope;
mod errors;
mod fields;
mod filter;
mod groups;
mod ids;
mod issues;
mod members;
mod params;
mod redirect;
mod safety;
mod segments;
mod senders;
mod session;
mod stats;
mod stoplist;
mod tracks;
mod types;
mod workflows;

use std::fmt;
use std::sync::Arc;

use secrecy::SecretString;
use serde_json::{Map, Value};
use url::Url;

#[doc(no_inline)]
pub use crate::http::JobWait;
pub use batch::{Batch, BatchResult};
pub use drafts::{Draft, DraftFormat, DraftsHandler, NewDraft};
pub use errors::{SendsayErrorExt, SendsayErrorId};
pub use fields::{Anketa, AnketaDetail, FieldsHandler, NewQuestion, QuestType, Question};
pub use filter::{Filter, FilterRule};
pub use groups::{Group, GroupType, GroupsHandler, NewGroup, Snapshot};
pub use ids::{AnketaId, DraftId, GroupId, QuestionId, SenderId, TrackId, WorkflowId};
pub use issues::{IssueSend, IssuesHandler, Letter, SendWhen};
pub use members::{
    Datakey, DatakeyMode, IfExists, MAX_SET_CHUNK, Member, MemberDelete, MemberId, MemberImport,
    MemberInfo, MemberList, MemberListQuery, MemberSet, MembersHandler, SetMany,
};
pub use redirect::MAX_REDIRECTS;
pub use segments::SegmentsHandler;
pub use senders::{Sender, SendersHandler};
pub use stats::{StatQuery, StatRows, StatsHandler};
pub use stoplist::StoplistHandler;
pub use tracks::{Track, TrackInfo, TrackListQuery, TrackStatus, TracksHandler};
pub use types::{Accepted, AddrType, Pong};
pub use workflows::{WorkflowCall, WorkflowMembers, WorkflowsHandler};

use self::core::Core;
use self::session::Session;
use crate::error::{Error, Result};
#[doc(no_inline)]
pub use crate::http::Request;
use crate::http::{self, CommonBuilder};

/// The production base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.sendsay.ru/";

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
    core: Arc<Core>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.core, f)
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

    /// Workflow members (`sequence.member.*`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// client.workflows().start(&relance::sendsay::WorkflowCall::one(12, "a@b.ru")).await?;
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn workflows(&self) -> WorkflowsHandler {
        WorkflowsHandler::new(Arc::clone(&self.core))
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
        MembersHandler::new(Arc::clone(&self.core))
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
        GroupsHandler::new(Arc::clone(&self.core))
    }

    /// Segments: groups of type `filter` and their conditions.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// use relance::sendsay::{Filter, FilterRule};
    /// let filter = Filter::new().and(FilterRule::eq("base.city", "Kazan"));
    /// let id = client.segments().create_with_filter(Some("kazan"), "Kazan", filter).await?;
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn segments(&self) -> SegmentsHandler {
        SegmentsHandler::new(Arc::clone(&self.core))
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
        FieldsHandler::new(Arc::clone(&self.core))
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
        IssuesHandler::new(Arc::clone(&self.core))
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
        DraftsHandler::new(Arc::clone(&self.core))
    }

    /// The stop-list (`stoplist.*`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let stopped = client.stoplist().get().await?;
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn stoplist(&self) -> StoplistHandler {
        StoplistHandler::new(Arc::clone(&self.core))
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
        SendersHandler::new(Arc::clone(&self.core))
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
        StatsHandler::new(Arc::clone(&self.core))
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
        TracksHandler::new(Arc::clone(&self.core))
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
        Track::new(Arc::clone(&self.core), id.into())
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
        Batch::new(Arc::clone(&self.core))
    }

    /// `ping`: a call without authentication; the answer contains `pong`.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// client.ping().await?;
    /// # Ok(()) }
    /// ```
    pub fn ping(&self) -> Request<Value> {
        self.core.action("ping", Ok(Map::new()), Ok)
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
        self.core
            .action("pong", Ok(Map::new()), envelope::from_value)
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
        self.core.logout().await
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
        self.core.action("sys.settings.get", Ok(body), |v| {
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
        self.core.action(action, body, Ok)
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
        self.core.account()
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
        self.core.base()
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
        self.core.redirect_prefix()
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
        self.core.timezone()
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
        self.core.wire_datetime(at)
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
        self.core.login_count()
    }
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
        "relance::sendsay::Client::builder(\"acc\", relance::sendsay::Auth::api_key(\"k\"))",
        "https://gw.example/sendsay/"
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
        let session = Session::new(self.auth)?;
        let http = self.common.build("sendsay", DEFAULT_BASE_URL)?;
        Ok(Client {
            core: Arc::new(Core::new(http, account, session, self.timezone)),
        })
    }
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
}
