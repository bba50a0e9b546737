//! `FakeSendsay`: a stateful fake of the Sendsay JSON API on a loopback server.
//!
//! The face (this file) starts the fake and hands out clients; `router` holds the protocol
//! (endpoint, `REDIRECT`, authentication, envelope, `batch`) and a table from action names to
//! one module per resource, each holding its records, its actions and the [`FakeSendsay`]
//! methods that read them.

mod account;
mod call;
mod drafts;
mod fields;
mod filter;
mod groups;
mod imports;
mod issues;
mod members;
mod router;
mod senders;
mod sequences;
mod session;
mod state;
mod stats;
mod stoplist;
mod tracks;

use std::sync::MutexGuard;

use router::Sendsay;
use state::State;

use super::core::{FakeServer, Fault, RecordedRequest};
use crate::sendsay::{Auth, Client, ClientBuilder};

/// The account code of [`FakeSendsay::start`].
pub const ACCOUNT: &str = "relance-test";
/// The API key of [`FakeSendsay::start`].
pub const API_KEY: &str = "test-api-key";
/// The sublogin of [`FakeSendsay::start`] (password authentication).
pub const SUBLOGIN: &str = "api";
/// The password of [`FakeSendsay::start`].
pub const PASSWORD: &str = "test-password";
/// The `REDIRECT` the fake answers until a client posts under it.
pub const REDIRECT: &str = "/clu1";

/// A stateful fake Sendsay server listening on loopback.
///
/// Semantics, kept simple and documented:
/// - **Endpoint**: `POST [<REDIRECT>]/general/api/v100/json/<account>`. Until a request comes
///   under the `REDIRECT` prefix ([`REDIRECT`] by default), the fake answers
///   `{"REDIRECT": "/clu1"}`, so the first call of a fresh client is redirected.
/// - **Auth**: `Authorization: sendsay apikey=<key>`, an `apikey` in the body, or a `session`
///   from `login` (login = the account, sublogin [`SUBLOGIN`], password [`PASSWORD`]).
///   [`expire_sessions`](Self::expire_sessions) makes every open session answer
///   `error/auth/failed` + `expired`.
/// - **Account timezone**: like the real service, the fake does not supply one. The clients
///   it builds have none, so they refuse to write a `DateTime<Utc>` (scheduled sends, date
///   fields) with [`Error::Config`](crate::Error::Config) until given one with
///   [`ClientBuilder::timezone`].
/// - **Members** keep data keys / anketa data and list membership; **groups** are lists or
///   filters (a filter's members are the contacts matching its `a/op/v` conditions, where `a`
///   is `member.email` or a data path such as `base.city`); **anketas** `base` and `custom`
///   exist; **drafts** and **senders** are stored.
/// - **`issue.send`** records the issue and one delivery per recipient (`personal`: the
///   `email`; `masssending`: the first column of `users.list`; a group: its members), refuses
///   an inline From address that is not a registered sender (`error/sender/unknown`), and
///   returns a `track.id`. Jobs advance one step per `track.get` through `0, 1, 2, -1` (see
///   [`set_track_steps`](Self::set_track_steps)); scheduled issues park at `-4`.
/// - **`stat.uni`** answers over recorded deliveries (`deliv.*` columns) or issues
///   (`issue.*`), with `==`, `>=`, `<=`, `>`, `in`, `!is_null` filters (numeric when both sides
///   are numbers), `order`, `skip`, `first` and `count(*)` grouping by the other columns.
/// - Error ids the reference does not document (unknown member, unknown action, ...) are the
///   fake's own: `error/member/notfound`, `error/action/unknown`, `error/params/invalid`.
/// - **Faults** ([`Fault`]) match the method `POST` and the path `/<action>` (for example
///   `Fault::status(503).on("POST", "/member.get")`).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> relance::Result<()> {
/// use relance::sendsay::MemberSet;
/// use relance::testing::FakeSendsay;
///
/// let fake = FakeSendsay::start().await;
/// let client = fake.client();
/// client.members().set(MemberSet::new("ivan@example.com").add_to_group("buyers")).await?;
/// assert_eq!(fake.group_members("buyers"), ["ivan@example.com"]);
/// assert_eq!(client.redirect_prefix().as_deref(), Some("/clu1"));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct FakeSendsay {
    server: FakeServer<Sendsay>,
}

impl FakeSendsay {
    /// Starts a fake that redirects first calls to [`REDIRECT`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendsay::start().await;
    /// assert!(fake.base_url().starts_with("http://127.0.0.1:"));
    /// # }
    /// ```
    pub async fn start() -> Self {
        Self::start_with_redirect(Some(REDIRECT)).await
    }

    /// Starts a fake with another `REDIRECT` prefix, or none.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendsay::start_with_redirect(None).await;
    /// # let _ = fake;
    /// # }
    /// ```
    pub async fn start_with_redirect(redirect: Option<&str>) -> Self {
        let server = FakeServer::start(|_| Sendsay::new(redirect), 0x5e5a).await;
        Self { server }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.server.service().state()
    }

    /// The base URL to give a client (the server's origin).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendsay::start().await;
    /// assert!(fake.base_url().ends_with('/'));
    /// # }
    /// ```
    #[must_use]
    pub fn base_url(&self) -> String {
        format!("{}/", self.server.origin())
    }

    /// A client builder authenticating with the API key. Like a builder for the real service,
    /// it has no account timezone: add one with [`ClientBuilder::timezone`] when the client
    /// writes instants.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> relance::Result<()> {
    /// let fake = relance::testing::FakeSendsay::start().await;
    /// let client = fake
    ///     .client_builder()
    ///     .timezone(chrono_tz::Europe::Moscow)
    ///     .retry(relance::http::RetryPolicy::none())
    ///     .build()?;
    /// assert_eq!(client.timezone(), Some(chrono_tz::Europe::Moscow));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn client_builder(&self) -> ClientBuilder {
        Client::builder(ACCOUNT, Auth::api_key(API_KEY)).base_url(self.base_url())
    }

    /// A client builder authenticating with login, sublogin and password (sessions), with no
    /// account timezone.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> relance::Result<()> {
    /// let fake = relance::testing::FakeSendsay::start().await;
    /// let client = fake.password_client_builder().build()?;
    /// client.pong().await?;
    /// assert_eq!(fake.login_count(), 1);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn password_client_builder(&self) -> ClientBuilder {
        Client::builder(ACCOUNT, Auth::password(ACCOUNT, SUBLOGIN, PASSWORD))
            .base_url(self.base_url())
    }

    /// A client (API key, no account timezone) pointing at the fake.
    ///
    /// # Panics
    /// Never in practice: the fake's own configuration is always valid.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let client = relance::testing::FakeSendsay::start().await.client();
    /// assert_eq!(client.timezone(), None);
    /// # }
    /// ```
    #[must_use]
    #[allow(clippy::expect_used)]
    pub fn client(&self) -> Client {
        self.client_builder()
            .build()
            .expect("the fake's configuration is valid")
    }

    /// Installs a fault (path `/<action>`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendsay::start().await;
    /// fake.inject(relance::testing::Fault::status(503).on("POST", "/member.get").times(1));
    /// # }
    /// ```
    pub fn inject(&self, fault: Fault) {
        self.server.inject(fault);
    }

    /// Restarts the random draws of probabilistic faults from `seed`, so that a run with a
    /// given seed meets the same faults on the same requests.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendsay::start().await;
    /// fake.reseed(42);
    /// fake.inject(relance::testing::Fault::status(503).probability(0.2));
    /// # }
    /// ```
    pub fn reseed(&self, seed: u64) {
        self.server.reseed(seed);
    }

    /// Removes every installed fault.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// relance::testing::FakeSendsay::start().await.clear_faults();
    /// # }
    /// ```
    pub fn clear_faults(&self) {
        self.server.clear_faults();
    }

    /// Every request received (method, path `/<action>`, body text).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// assert!(relance::testing::FakeSendsay::start().await.requests().is_empty());
    /// # }
    /// ```
    #[must_use]
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.server.requests()
    }

    /// How many requests carried this action (redirected and replayed ones included).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// assert_eq!(relance::testing::FakeSendsay::start().await.hits("pong"), 0);
    /// # }
    /// ```
    #[must_use]
    pub fn hits(&self, action: &str) -> usize {
        let path = format!("/{action}");
        self.server.count(|r| r.path == path)
    }
}
