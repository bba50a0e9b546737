//! The stop-list (`stoplist.*`): addresses no mail goes to (unsubscribes, complaints,
//! additions by the account). None of its calls is retried automatically.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::core::Core;
use super::envelope;
use crate::error::Error;
use crate::http::Request;
use crate::sendsay::Accepted;

/// Handler for the stop-list. Created by [`Client::stoplist`](super::Client::stoplist).
#[derive(Debug, Clone)]
pub struct StoplistHandler {
    core: Arc<Core>,
}

/// The addresses of a `stoplist.get` answer. Its shape is not documented: a `list` of
/// addresses, or of objects with an `email`, at the top level or under `obj`, is accepted.
fn addresses(reply: &Value) -> Vec<String> {
    let list = reply
        .get("list")
        .or_else(|| reply.get("obj").and_then(|o| o.get("list")))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    list.iter()
        .filter_map(|item| match item {
            Value::String(e) => Some(e.trim().to_owned()),
            other => other
                .get("email")
                .and_then(Value::as_str)
                .map(|e| e.trim().to_owned()),
        })
        .filter(|e| !e.is_empty())
        .collect()
}

fn list_param(emails: &[&str]) -> crate::error::Result<Map<String, Value>> {
    if emails.is_empty() || emails.iter().any(|e| e.trim().is_empty()) {
        return Err(Error::invalid(
            "list",
            "the stop-list call needs non-empty addresses",
        ));
    }
    let mut p = Map::new();
    p.insert(
        "list".into(),
        Value::Array(emails.iter().map(|e| Value::from(e.trim())).collect()),
    );
    Ok(p)
}

impl StoplistHandler {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self { core }
    }

    /// The stop-listed addresses (`stoplist.get`), read leniently (the answer's shape is
    /// not documented).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// for email in client.stoplist().get().await? { println!("{email}"); }
    /// # Ok(()) }
    /// ```
    pub fn get(&self) -> Request<Vec<String>> {
        self.core
            .action("stoplist.get", Ok(Map::new()), |v| Ok(addresses(&v)))
    }

    /// Adds addresses (`stoplist.add`, `{"list": [...]}`; asynchronous on the service).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// client.stoplist().add(&["c@d.ru"]).await?;
    /// # Ok(()) }
    /// ```
    pub fn add(&self, emails: &[&str]) -> Request<Accepted> {
        self.core
            .action("stoplist.add", list_param(emails), envelope::accepted)
    }

    /// Removes addresses (`stoplist.delete`; the service allows removing at most 0.1 % of
    /// the tariff base a month).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// client.stoplist().delete(&["c@d.ru"]).await?;
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, emails: &[&str]) -> Request<Accepted> {
        self.core
            .action("stoplist.delete", list_param(emails), envelope::accepted)
    }
}
