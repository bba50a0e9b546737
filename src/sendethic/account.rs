//! Account credits and settings.

use std::collections::BTreeMap;
use std::sync::Arc;

use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::core::Core;
use super::types::ServerMessage;
use crate::error::Error;
use crate::http::Request;

/// A kind of sending credit (`/account/remainingcredits/{type_name}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CreditType {
    /// Transactional email credits.
    Transactional,
    /// SMS credits.
    Sms,
    /// Marketing email credits.
    Marketing,
}

impl CreditType {
    /// The wire name.
    ///
    /// ```
    /// assert_eq!(relance::sendethic::CreditType::Sms.as_str(), "sms");
    /// ```
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Transactional => "transactional",
            Self::Sms => "sms",
            Self::Marketing => "marketing",
        }
    }
}

/// Credits of one kind (`CreditsInformation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Credits {
    /// Credits used.
    #[serde(default, deserialize_with = "crate::wire::lenient::int")]
    pub used: i64,
    /// Credits remaining.
    #[serde(default, deserialize_with = "crate::wire::lenient::int")]
    pub remaining: i64,
    /// Credits in total.
    #[serde(default, deserialize_with = "crate::wire::lenient::int")]
    pub total: i64,
}

/// Handler for account credits and settings. Created by [`Client::account`](super::Client::account).
#[derive(Debug, Clone)]
pub struct AccountHandler {
    core: Arc<Core>,
}

impl AccountHandler {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self { core }
    }

    /// Remaining credits of one kind (`GET /account/remainingcredits/{type_name}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let sms = client.account().credits(relance::sendethic::CreditType::Sms).await?;
    /// println!("{}/{} used", sms.used, sms.total);
    /// # Ok(()) }
    /// ```
    pub fn credits(&self, kind: CreditType) -> Request<Credits> {
        self.core
            .request(
                Method::GET,
                "/account/remainingcredits/{type_name}",
                &["account", "remainingcredits", kind.as_str()],
            )
            .decode_json()
    }

    /// Reads an account setting (`GET /account/settingsattribute/{setting}`). Setting names
    /// are undocumented; the reply is the server's text.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let value = client.account().setting("shop_url").await?;
    /// println!("{}", value.text());
    /// # Ok(()) }
    /// ```
    pub fn setting(&self, name: &str) -> Request<ServerMessage> {
        self.core
            .request(
                Method::GET,
                "/account/settingsattribute/{setting}",
                &["account", "settingsattribute", name],
            )
            .message()
    }

    /// Writes account settings (`PUT /account/settingsattribute` with
    /// `{"attributeType": {key: value}}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// client.account().update_settings([("shop_url", "https://shop.example")]).await?;
    /// # Ok(()) }
    /// ```
    pub fn update_settings<I, K, V>(&self, settings: I) -> Request<ServerMessage>
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let map: BTreeMap<String, String> = settings
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        let draft = self.core.request(
            Method::PUT,
            "/account/settingsattribute",
            &["account", "settingsattribute"],
        );
        let draft = if map.is_empty() {
            draft.fail(Error::invalid("settings", "no setting to write"))
        } else if let Some(k) = map.keys().find(|k| k.trim().is_empty()) {
            draft.fail(Error::invalid(
                k.clone(),
                "a setting name must not be empty",
            ))
        } else {
            draft.json(serde_json::json!({ "attributeType": map }))
        };
        draft.message()
    }
}
