//! How an outbox message reaches a service, and how a send whose answer was lost is looked
//! up afterwards.

use std::future::Future;

use super::message::OutboxEntry;
use super::templates::{Template, render};
use crate::error::{Error, Result};
use crate::sendethic::{OperationId, SmsMessage, TransactionalEmail};
use crate::sendsay::{FilterRule, IssueSend, Letter, StatQuery};

/// What reading back a send found.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Lookup {
    /// The service has it (with its id when the read-back gives one).
    Found(Option<String>),
    /// The service verifiably does not have it: sending it is safe.
    NotFound,
    /// The service offers no way to tell.
    Unknown,
}

/// A service an outbox sends through.
pub trait Transport: Send + Sync {
    /// Sends one message, once (never retried here); the service's id or track id when it
    /// gives one.
    ///
    /// ```no_run
    /// # async fn f(t: relance::messaging::SendsayTransport, e: relance::messaging::OutboxEntry) -> relance::Result<()> {
    /// use relance::messaging::Transport;
    /// let id = t.send(&e).await?;
    /// # Ok(()) }
    /// ```
    fn send(&self, entry: &OutboxEntry) -> impl Future<Output = Result<Option<String>>> + Send;

    /// Reads back whether a message whose send was ambiguous reached the service.
    ///
    /// ```no_run
    /// # async fn f(t: relance::messaging::SendsayTransport, e: relance::messaging::OutboxEntry) -> relance::Result<()> {
    /// use relance::messaging::{Lookup, Transport};
    /// if t.find(&e).await? == Lookup::NotFound { /* safe to send */ }
    /// # Ok(()) }
    /// ```
    fn find(&self, entry: &OutboxEntry) -> impl Future<Output = Result<Lookup>> + Send;
}

fn wrong_provider(entry: &OutboxEntry, provider: &str) -> Error {
    Error::config(format!(
        "message {}: its template is not a {provider} template",
        entry.key()
    ))
}

fn address(entry: &OutboxEntry) -> Result<&str> {
    let channel = entry.template.channel();
    entry.message.recipient.address(channel).ok_or_else(|| {
        Error::invalid(
            entry.key().to_owned(),
            format!("the recipient has no {channel} address"),
        )
    })
}

/// Sends through Sendethic: transactional mails (`POST /emailing/sendsmtp/{id}`) and single
/// SMS (`POST /sms/send`). Sendethic offers no read-back of either, so an ambiguous send
/// stays ambiguous until the caller resolves it.
#[derive(Clone, Debug)]
pub struct SendethicTransport {
    client: crate::sendethic::Client,
}

impl SendethicTransport {
    /// A transport on a client.
    ///
    /// ```no_run
    /// # fn f(client: relance::sendethic::Client) {
    /// let t = relance::messaging::SendethicTransport::new(client);
    /// # let _ = t;
    /// # }
    /// ```
    #[must_use]
    pub fn new(client: crate::sendethic::Client) -> Self {
        Self { client }
    }
}

impl Transport for SendethicTransport {
    async fn send(&self, entry: &OutboxEntry) -> Result<Option<String>> {
        let to = address(entry)?;
        let vars = &entry.message.vars;
        let answer = match &entry.template {
            Template::SendethicEmail { operation, .. } => {
                let mail = vars
                    .iter()
                    .fold(TransactionalEmail::new(to), |m, (k, v)| m.data(k, v));
                self.client
                    .emailing()
                    .send_transactional(OperationId(*operation), mail)
                    .await?
            }
            Template::SendethicSms { text, sender, .. } => {
                let mut sms = SmsMessage::new(to, render(text, vars));
                if let Some(s) = sender {
                    sms = sms.sender(s.clone());
                }
                self.client.sms().send(sms).await?
            }
            Template::SendsayDraft { .. } => return Err(wrong_provider(entry, "Sendethic")),
        };
        Ok(Some(answer.text().to_owned()).filter(|t| !t.is_empty()))
    }

    async fn find(&self, _entry: &OutboxEntry) -> Result<Lookup> {
        Ok(Lookup::Unknown)
    }
}

/// Sends through Sendsay: a stored draft of the template's channel to one member
/// (`issue.send`, `group: "personal"`, the member's address in `email`, the variables in
/// `extra`) or to a whole group ([`Recipient::group`](super::Recipient::group)), the issue named after the idempotency key so that an ambiguous send is read
/// back from the issue statistics (`stat.uni` on `issue.name`).
#[derive(Clone, Debug)]
pub struct SendsayTransport {
    client: crate::sendsay::Client,
}

impl SendsayTransport {
    /// A transport on a client.
    ///
    /// ```no_run
    /// # fn f(client: relance::sendsay::Client) {
    /// let t = relance::messaging::SendsayTransport::new(client);
    /// # let _ = t;
    /// # }
    /// ```
    #[must_use]
    pub fn new(client: crate::sendsay::Client) -> Self {
        Self { client }
    }

    /// The mobile apps registered for push (`authext.list` with `authext.type == "16"`), as
    /// the service returns them (their shape is not documented).
    ///
    /// ```no_run
    /// # async fn f(t: relance::messaging::SendsayTransport) -> relance::Result<()> {
    /// let apps = t.push_apps().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// The service's error.
    pub async fn push_apps(&self) -> Result<Vec<serde_json::Value>> {
        let reply = self
            .client
            .call(
                "authext.list",
                serde_json::json!({"filter": [{"a": "authext.type", "op": "==", "v": "16"}]}),
            )
            .await?;
        Ok(reply
            .get("list")
            .and_then(serde_json::Value::as_array)
            .cloned()
            .unwrap_or_default())
    }
}

impl Transport for SendsayTransport {
    async fn send(&self, entry: &OutboxEntry) -> Result<Option<String>> {
        let Template::SendsayDraft { draft, .. } = &entry.template else {
            return Err(wrong_provider(entry, "Sendsay"));
        };
        let letter = Letter::draft(draft.as_str());
        let issue = match entry.message.recipient.group_id() {
            Some(group) => IssueSend::to_group(group, letter),
            None => IssueSend::personal(address(entry)?, letter),
        };
        let issue = entry
            .message
            .vars
            .iter()
            .fold(issue.name(entry.key()), |issue, (k, v)| {
                issue.var(k, v.as_str())
            });
        let track = self.client.issues().send(issue).await?;
        Ok(Some(track.as_str().to_owned()))
    }

    async fn find(&self, entry: &OutboxEntry) -> Result<Lookup> {
        let rows = self
            .client
            .stats()
            .uni(
                StatQuery::new(["issue.id", "issue.name"])
                    .filter(FilterRule::eq("issue.name", entry.key()))
                    .first(1),
            )
            .await?;
        Ok(if rows.rows.is_empty() {
            Lookup::NotFound
        } else {
            Lookup::Found(rows.text(0, 0))
        })
    }
}
