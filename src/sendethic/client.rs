//! The public face of the Sendethic wing: [`Client`], its builder and the handler factories.

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use reqwest::Method;
use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};

use super::account::AccountHandler;
use super::contacts::ContactsHandler;
use super::core::Core;
use super::emailing::EmailingHandler;
use super::fields::FieldsHandler;
use super::jobs::{ExportsHandler, ImportsHandler, PurgesHandler};
use super::segments::SegmentsHandler;
use super::sms::SmsHandler;
use super::stats::StatsHandler;
use crate::error::{Error, Result};
use crate::http::{self, CommonBuilder, Request};

/// The production base URL.
pub const DEFAULT_BASE_URL: &str = "https://services.message-business.com/api/rest/v4/";

/// A Sendethic API client. Cheap to clone (one `Arc`); clones share the connection pool.
#[derive(Clone)]
pub struct Client {
    core: Arc<Core>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("sendethic::Client")
            .field("core", &self.core)
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
        FieldsHandler::new(Arc::clone(&self.core))
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
        ContactsHandler::new(Arc::clone(&self.core))
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
        SegmentsHandler::new(Arc::clone(&self.core))
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
        AccountHandler::new(Arc::clone(&self.core))
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
        EmailingHandler::new(Arc::clone(&self.core))
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
        SmsHandler::new(Arc::clone(&self.core))
    }

    /// Contact imports (`/contacts/import`): files uploaded, streamed, and their jobs.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let imports = client.imports().list().await?;
    /// # Ok(()) }
    /// ```
    #[doc(alias = "lists")]
    #[must_use]
    pub fn imports(&self) -> ImportsHandler {
        ImportsHandler::new(Arc::clone(&self.core))
    }

    /// Contact exports (`/contacts/export`): jobs, archives and their rows.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let exports = client.exports().list().await?;
    /// # Ok(()) }
    /// ```
    #[doc(alias = "lists")]
    #[must_use]
    pub fn exports(&self) -> ExportsHandler {
        ExportsHandler::new(Arc::clone(&self.core))
    }

    /// Contact purges (`/contacts/purge`): deletions of the contacts listed in a file.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let purges = client.purges().list().await?;
    /// # Ok(()) }
    /// ```
    #[doc(alias = "lists")]
    #[must_use]
    pub fn purges(&self) -> PurgesHandler {
        PurgesHandler::new(Arc::clone(&self.core))
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
        StatsHandler::new(Arc::clone(&self.core))
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
        self.core.account_id()
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
        self.core.base()
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
        let req = self.core.request(method, "{raw}", segments);
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
            core: Arc::new(Core::new(core, account_id, auth)),
        })
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
