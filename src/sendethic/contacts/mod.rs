//! Contacts: single (`/contact/...`), bulk (`/contacts/attribute`) and history.
//!
//! The model and its wire mapping are in `model`, the checks run before sending in
//! `validate`, the bulk engine in `bulk` and the history types in `history`.

mod bulk;
mod history;
mod model;
mod validate;

use std::sync::Arc;

use futures_util::stream::{self, Stream};
use reqwest::Method;
use serde::Deserialize;

#[doc(no_inline)]
pub use crate::http::{BulkReport, BulkTotals, FailedWrite, Rejected};
pub use bulk::{Bulk, BulkOptions, MAX_BULK_CHUNK};
pub use history::{ContactHistory, ContactLog, MAX_HISTORY_SIZE, NewContactLog};
pub use model::{Contact, OptIn};
pub use validate::validate;
pub(crate) use validate::{check_email, check_mobile};

use super::core::Core;
use super::types::{ContactId, ServerMessage};
use crate::error::{Error, Result};
use crate::http::{RawResponse, Request, Safety};

/// The retry safety of a contact write: upserts (`POST`) by key are idempotent but retried
/// only on request; updates (`PUT`) are retried per the policy.
fn write_safety(method: &Method) -> Safety {
    if *method == Method::POST {
        Safety::OnRequest
    } else {
        Safety::Safe
    }
}

/// Handler for contacts. Created by [`Client::contacts`](super::Client::contacts).
#[derive(Debug, Clone)]
pub struct ContactsHandler {
    core: Arc<Core>,
}

fn decode_first(r: &RawResponse) -> Result<Option<Contact>> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        Many(Vec<Contact>),
        One(Box<Contact>),
    }
    if r.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let v: Option<OneOrMany> = r.json()?;
    Ok(match v {
        None => None,
        Some(OneOrMany::Many(list)) => list.into_iter().next(),
        Some(OneOrMany::One(c)) => Some(*c),
    })
}

impl ContactsHandler {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self { core }
    }

    fn write(&self, method: &Method, contact: &Contact) -> Request<ServerMessage> {
        let draft = self
            .core
            .request(
                method.clone(),
                "/contact/attribute",
                &["contact", "attribute"],
            )
            .safety(write_safety(method));
        let by_id = contact.id.is_some() && contact.key.trim().is_empty();
        let checked = if by_id {
            // Update by id: the key may be absent; check the rest with a placeholder key.
            let mut probe = contact.clone();
            "-".clone_into(&mut probe.key);
            validate(&probe, None)
        } else {
            validate(contact, None)
        };
        draft
            .try_json(checked.map(|()| contact.to_wire()))
            .message()
    }

    /// Creates or updates a contact by key (`POST /contact/attribute`). Validated first;
    /// not retried unless declared [`idempotent`](Request::idempotent) (writing the same
    /// values twice is harmless). Replies `"1 contact(s) affected."`
    /// ([`ServerMessage::affected`]).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::{Contact, OptIn};
    /// let reply = client
    ///     .contacts()
    ///     .upsert(Contact::new("ann@example.com").email("ann@example.com").email_optin(OptIn::True))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    #[allow(clippy::needless_pass_by_value)] // by value: the natural builder-chain call
    pub fn upsert(&self, contact: Contact) -> Request<ServerMessage> {
        self.write(&Method::POST, &contact)
    }

    /// Updates an existing contact (`PUT /contact/attribute`), selected by
    /// [`Contact::id`] when set, otherwise by key. Only the attributes that are not
    /// [`Patch::Unset`](crate::sendethic::Patch::Unset) change. Retried per the policy.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::{Contact, Patch};
    /// let mut change = Contact::new("ann@example.com").city("Lyon");
    /// change.phone = Patch::Clear;
    /// client.contacts().update(change).await?;
    /// # Ok(()) }
    /// ```
    #[allow(clippy::needless_pass_by_value)] // by value: the natural builder-chain call
    pub fn update(&self, contact: Contact) -> Request<ServerMessage> {
        self.write(&Method::PUT, &contact)
    }

    fn get_at(
        &self,
        template: &'static str,
        resource: &'static str,
        value: &str,
    ) -> Request<Option<Contact>> {
        self.core
            .request(Method::GET, template, &["contact", resource, value])
            .decode(decode_first)
    }

    /// Reads a contact by key (`GET /contact/attribute/{contactKey}`). The reply is an array;
    /// the first element is returned, and an empty array gives `Ok(None)` (an HTTP error
    /// status, such as a 404, stays an error).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// if let Some(c) = client.contacts().get("ann@example.com").await? {
    ///     println!("{:?} opted in: {:?}", c.first_name.value(), c.email_optin.value().and_then(|o| o.is_opted_in()));
    /// }
    /// # Ok(()) }
    /// ```
    pub fn get(&self, key: &str) -> Request<Option<Contact>> {
        self.get_at("/contact/attribute/{contactKey}", "attribute", key)
    }

    /// Reads a contact by key with selection fields as value ids
    /// (`GET /contact/attributevalueid/{contactKey}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let c = client.contacts().get_value_ids("ann@example.com").await?;
    /// # Ok(()) }
    /// ```
    pub fn get_value_ids(&self, key: &str) -> Request<Option<Contact>> {
        self.get_at(
            "/contact/attributevalueid/{contactKey}",
            "attributevalueid",
            key,
        )
    }

    /// Reads a contact by id (`GET /contact/attributebycid/{id}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let c = client.contacts().get_by_id(relance::sendethic::ContactId(9)).await?;
    /// # Ok(()) }
    /// ```
    pub fn get_by_id(&self, id: ContactId) -> Request<Option<Contact>> {
        self.get_at(
            "/contact/attributebycid/{id}",
            "attributebycid",
            &id.to_string(),
        )
    }

    /// Reads a contact by id with selection fields as value ids
    /// (`GET /contact/attributevalueidbycid/{id}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let c = client.contacts().get_value_ids_by_id(relance::sendethic::ContactId(9)).await?;
    /// # Ok(()) }
    /// ```
    pub fn get_value_ids_by_id(&self, id: ContactId) -> Request<Option<Contact>> {
        self.get_at(
            "/contact/attributevalueidbycid/{id}",
            "attributevalueidbycid",
            &id.to_string(),
        )
    }

    /// Deletes a contact permanently, by key (`DELETE /contact/attribute/{contactKey}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// client.contacts().delete("ann@example.com").await?;
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, key: &str) -> Request<ServerMessage> {
        self.core
            .request(
                Method::DELETE,
                "/contact/attribute/{contactKey}",
                &["contact", "attribute", key],
            )
            .message()
    }

    /// Deletes a contact permanently, by id (`DELETE /contact/attributebycid/{id}`), e.g. for
    /// a GDPR erasure after [`get`](Self::get).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// client.contacts().delete_by_id(relance::sendethic::ContactId(9)).await?;
    /// # Ok(()) }
    /// ```
    pub fn delete_by_id(&self, id: ContactId) -> Request<ServerMessage> {
        self.core
            .request(
                Method::DELETE,
                "/contact/attributebycid/{id}",
                &["contact", "attributebycid", &id.to_string()],
            )
            .message()
    }

    /// The last `size` history entries of a contact, most recent first
    /// (`GET /contact/history/{contactKey}/{size}`); `size` must be 1 to 500.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let history = client.contacts().history("ann@example.com", 50).await?;
    /// for log in &history.logs { println!("{:?} {:?}", log.log_date, log.title); }
    /// # Ok(()) }
    /// ```
    #[doc(alias = "contact_activity")]
    pub fn history(&self, key: &str, size: u32) -> Request<ContactHistory> {
        let draft = self.core.request(
            Method::GET,
            "/contact/history/{contactKey}/{size}",
            &["contact", "history", key, &size.to_string()],
        );
        let draft = if (1..=MAX_HISTORY_SIZE).contains(&size) {
            draft
        } else {
            draft.fail(Error::invalid(
                "size",
                format!("history size must be 1 to {MAX_HISTORY_SIZE}, got {size}"),
            ))
        };
        draft.decode_json()
    }

    /// Adds history entries to a contact (`POST /contact/history`). This appends, so it is
    /// **never retried** automatically.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::NewContactLog;
    /// client
    ///     .contacts()
    ///     .add_history("ann@example.com", [NewContactLog::new("Order #1001", chrono::Utc::now()).operation_id(42)])
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn add_history(
        &self,
        key: &str,
        logs: impl IntoIterator<Item = NewContactLog>,
    ) -> Request<ServerMessage> {
        self.core
            .request(Method::POST, "/contact/history", &["contact", "history"])
            .try_json(history::new_history(key, logs))
            .message()
    }

    /// Creates or updates any number of contacts with `POST /contacts/attribute`, in chunks of
    /// at most 500 sent with bounded concurrency. Every contact is validated first; rejected
    /// ones are reported, the others still go through. Chunks are retried only with
    /// [`BulkOptions::retry_upserts`]. The result is a [`BulkReport`]: nothing is dropped
    /// silently.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::Contact;
    /// let contacts = (0..2000).map(|i| Contact::new(format!("c{i}@example.com")).first_name("X"));
    /// let report = client.contacts().upsert_many(contacts).concurrency(4).await?;
    /// println!("{} affected, {} rejected", report.totals().written, report.rejected.len());
    /// # Ok(()) }
    /// ```
    pub fn upsert_many<I>(&self, contacts: I) -> Bulk<stream::Iter<I::IntoIter>>
    where
        I: IntoIterator<Item = Contact>,
    {
        self.upsert_stream(stream::iter(contacts))
    }

    /// [`upsert_many`](Self::upsert_many) from a `Stream`: at most
    /// `concurrency × chunk_size` contacts are held in memory at a time.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::Contact;
    /// let stream = futures_util::stream::iter((0..10).map(|i| Contact::new(format!("c{i}@example.com"))));
    /// let report = client.contacts().upsert_stream(stream).await?;
    /// # Ok(()) }
    /// ```
    pub fn upsert_stream<S>(&self, contacts: S) -> Bulk<S>
    where
        S: Stream<Item = Contact>,
    {
        Bulk::new(Arc::clone(&self.core), Method::POST, contacts)
    }

    /// Updates existing contacts with `PUT /contacts/attribute` (by key), like
    /// [`upsert_many`](Self::upsert_many). PUT chunks are retried per the client's policy.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::Contact;
    /// let report = client.contacts().update_many([Contact::new("a@b.fr").city("Lyon")]).await?;
    /// # Ok(()) }
    /// ```
    pub fn update_many<I>(&self, contacts: I) -> Bulk<stream::Iter<I::IntoIter>>
    where
        I: IntoIterator<Item = Contact>,
    {
        self.update_stream(stream::iter(contacts))
    }

    /// [`update_many`](Self::update_many) from a `Stream`.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::Contact;
    /// let stream = futures_util::stream::iter([Contact::new("a@b.fr").city("Lyon")]);
    /// let report = client.contacts().update_stream(stream).await?;
    /// # Ok(()) }
    /// ```
    pub fn update_stream<S>(&self, contacts: S) -> Bulk<S>
    where
        S: Stream<Item = Contact>,
    {
        Bulk::new(Arc::clone(&self.core), Method::PUT, contacts)
    }
}
