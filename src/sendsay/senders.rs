//! Sender addresses (`issue.emailsender.*`) and SMS sender names (`issue.smssender.*`).

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::core::Core;
use super::envelope;
use super::ids::SenderId;
use super::params::{Params, id_param};
use crate::error::Error;
use crate::http::Request;

/// A sender address (`issue.emailsender.list`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Sender {
    /// The id.
    #[serde(default)]
    pub id: Option<SenderId>,
    /// The address.
    #[serde(default, deserialize_with = "crate::wire::lenient::opt_string")]
    pub name: Option<String>,
    /// The display name.
    #[serde(default, deserialize_with = "crate::wire::lenient::opt_string")]
    pub label: Option<String>,
    /// Every other field (confirmation state, ...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Handler for senders. Created by [`Client::senders`](super::Client::senders).
#[derive(Debug, Clone)]
pub struct SendersHandler {
    core: Arc<Core>,
}

impl SendersHandler {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self { core }
    }

    /// `issue.emailsender.list`.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let senders = client.senders().list_email().await?;
    /// # Ok(()) }
    /// ```
    pub fn list_email(&self) -> Request<Vec<Sender>> {
        self.core
            .action("issue.emailsender.list", Ok(Map::new()), envelope::list)
    }

    /// `issue.emailsender.set`: adds a sender address (it must then be confirmed). Free-mail
    /// domains are not allowed as From.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// client.senders().add_email("shop@example.com", "Shop").await?;
    /// # Ok(()) }
    /// ```
    pub fn add_email(&self, email: &str, label: &str) -> Request<Value> {
        let params = if email.contains('@') {
            Params::new()
                .set("obj", serde_json::json!({"name": email, "label": label}))
                .ok()
        } else {
            Err(Error::invalid(email, "not an email address"))
        };
        self.core.action("issue.emailsender.set", params, Ok)
    }

    /// `issue.emailsender.delete` (the `{"id"}` shape is inferred).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// client.senders().delete_email("3").await?;
    /// # Ok(()) }
    /// ```
    pub fn delete_email(&self, id: impl Into<SenderId>) -> Request<()> {
        self.core.action(
            "issue.emailsender.delete",
            id_param(id.into().as_str()),
            envelope::unit,
        )
    }

    /// `issue.smssender.list`: SMS sender names, kept as sent (shape undocumented).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let names = client.senders().list_sms().await?;
    /// # Ok(()) }
    /// ```
    pub fn list_sms(&self) -> Request<Vec<Value>> {
        self.core
            .action("issue.smssender.list", Ok(Map::new()), envelope::list)
    }
}
