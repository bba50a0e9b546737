//! `FakeSendethic`: a stateful fake of the Sendethic REST API v4 on a loopback server.
//!
//! The face (this file) starts the fake and hands out clients; `router` checks the base path
//! and credentials and dispatches by path prefix to one module per resource, each holding its
//! records, its routes and the [`FakeSendethic`] methods that read them.

mod account;
mod call;
mod campaigns;
mod contacts;
mod criteria;
mod fields;
mod history;
mod jobs;
mod router;
mod segments;
mod state;
mod stats;
mod upload;
mod values;

use std::sync::MutexGuard;

pub use campaigns::SentMessage;
use router::Sendethic;
use state::State;

use super::core::{FakeServer, Fault, RecordedRequest};
use crate::sendethic::{Client, ClientBuilder};

/// The API root under the fake's origin, so clients exercise a base-URL path prefix. The
/// fake answers only below it: any other path gets 404, as from the real service.
pub const API_ROOT: &str = "/api/rest/v4";

/// A stateful fake Sendethic server listening on loopback.
///
/// It implements the covered resources with real semantics: ids are assigned, field names are
/// unique, unknown ids answer 404, HTTP Basic credentials are checked (401 otherwise). Its
/// state can be read for assertions, and [`Fault`]s can be injected per path. Like the real
/// service, it answers only under its base path ([`base_url`](Self::base_url), which ends in
/// `/api/rest/v4/`): a request outside it gets 404 and is not recorded.
///
/// Contacts (choices where the real service is undocumented):
/// - contacts are keyed by `contactKey`, trimmed and lower-cased; `POST` upserts, `PUT`
///   updates only (a single `PUT` on an unknown contact answers 404; a bulk `PUT` counts only
///   the contacts that exist); replies are `"N contact(s) affected."`; more than 500 contacts
///   in one bulk call answer 400; a new contact without an `email` attribute gets its key;
/// - an attribute sent with an empty value is stored empty (and read back empty);
/// - `GET /contact/attribute/{key}` answers `[]` for an unknown key; selection fields come
///   back as labels there and as value ids from the `attributevalueid` variants;
/// - history: `POST /contact/history` appends (404 for an unknown contact, 400 when a
///   `LogDate` lacks its `+0000` offset), `GET` returns the last N (≤ 500), newest first.
///
/// Segments: names are unique (400 otherwise), `mode` must be `intersect` or `union`,
/// `details` must be criteria XML; `GET /segment/updatecache/{id}` answers the count (as a JSON
/// string) computed by evaluating the criteria against the stored contacts. Every known
/// operator is evaluated (dates against the current time); a segment with an unknown
/// (raw) criterion counts 0.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> relance::Result<()> {
/// use relance::sendethic::{FieldFormat, FieldSpec};
/// use relance::testing::FakeSendethic;
///
/// let fake = FakeSendethic::start().await;
/// let client = fake.client();
/// let field = client
///     .fields()
///     .ensure(FieldSpec::new("relance_revenue", "Revenue", FieldFormat::Number))
///     .await?;
/// assert!(field.created);
/// assert_eq!(fake.fields().len(), 1);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct FakeSendethic {
    server: FakeServer<Sendethic>,
}

impl FakeSendethic {
    /// Starts a fake with account `12345` and API key `test-api-key`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// assert!(fake.base_url().starts_with("http://127.0.0.1:"));
    /// # }
    /// ```
    pub async fn start() -> Self {
        Self::with_credentials("12345", "test-api-key").await
    }

    /// Starts a fake that accepts only these credentials.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::with_credentials("777", "k").await;
    /// # let _ = fake;
    /// # }
    /// ```
    pub async fn with_credentials(account_id: &str, api_key: &str) -> Self {
        let server =
            FakeServer::start(|origin| Sendethic::new(origin, account_id, api_key), 0x5e4d).await;
        Self { server }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.server.service().state()
    }

    /// The base URL to give a client (`http://127.0.0.1:<port>/api/rest/v4/`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// assert!(fake.base_url().ends_with("/api/rest/v4/"));
    /// # }
    /// ```
    #[must_use]
    pub fn base_url(&self) -> String {
        self.server.service().base_url.clone()
    }

    /// A client builder already pointing at the fake with the right credentials.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> relance::Result<()> {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// let client = fake.client_builder().retry(relance::http::RetryPolicy::none()).build()?;
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn client_builder(&self) -> ClientBuilder {
        let service = self.server.service();
        Client::builder(&service.account_id, &service.api_key).base_url(self.base_url())
    }

    /// A client pointing at the fake.
    ///
    /// # Panics
    /// Never in practice: the fake's own configuration is always valid.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let client = relance::testing::FakeSendethic::start().await.client();
    /// # let _ = client;
    /// # }
    /// ```
    #[must_use]
    #[allow(clippy::expect_used)]
    pub fn client(&self) -> Client {
        self.client_builder()
            .build()
            .expect("the fake's configuration is valid")
    }

    /// Installs a fault.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// fake.inject(relance::testing::Fault::status(503).times(1));
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
    /// let fake = relance::testing::FakeSendethic::start().await;
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
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// fake.clear_faults();
    /// # }
    /// ```
    pub fn clear_faults(&self) {
        self.server.clear_faults();
    }

    /// Every request received so far (method and decoded path below the API root).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// assert!(fake.requests().is_empty());
    /// # }
    /// ```
    #[must_use]
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.server.requests()
    }

    /// How many requests had this method and exact path.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// assert_eq!(fake.hits("GET", "/account/contactattribute"), 0);
    /// # }
    /// ```
    #[must_use]
    pub fn hits(&self, method: &str, path: &str) -> usize {
        self.server.count(|r| r.method == method && r.path == path)
    }
}
