//! Email operations (campaigns), test and transactional sends: `/emailing`.
//!
//! # Never a double send
//! Approving an operation, sending a test and sending a transactional mail are **never
//! retried automatically**, whatever the retry policy: a retry after a timeout could send
//! twice to real customers. When such a call fails with [`Error::Timeout`] or a transport
//! error, the request **may have been executed**: check before sending again —
//! [`EmailingHandler::get`] shows whether an approved operation is `running`/`completed`,
//! and the recipient's history ([`ContactsHandler::history`](super::ContactsHandler::history))
//! or the activity export shows transactional and test sends.
//!
//! The operation model is in `model`, what creates or changes one in `drafts`, the test and
//! transactional sends in `sends`.

mod drafts;
mod model;
mod sends;

use std::sync::Arc;

use reqwest::Method;

pub use drafts::{EmailUpdate, NewEmail};
pub use model::{
    Analytics, ContentFormat, Culture, EmailOperation, EmailOptions, Importance, Mirror,
};
pub use sends::{TestEmail, TransactionalEmail};

use super::core::Core;
use super::operations::{Family, OperationStatus, Transition};
use super::types::{OperationId, ServerMessage};
use crate::error::{Error, Result};
use crate::http::Request;

/// Checks an address the operation sends from, replies to or sends to.
fn check_address(item: &str, value: &str) -> Result<()> {
    super::contacts::check_email(value)
        .map_err(|reason| Error::invalid(format!("{item} `{value}`"), reason))
}

/// Handler for email operations. Created by [`Client::emailing`](super::Client::emailing).
#[derive(Debug, Clone)]
pub struct EmailingHandler {
    core: Arc<Core>,
}

impl EmailingHandler {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self { core }
    }

    /// Creates an email operation (`POST /emailing`, not retried). It is not sent until
    /// [approved](Self::approve).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::{NewEmail, Receivers, Schedule, SegmentId};
    /// let op = client
    ///     .emailing()
    ///     .create(
    ///         NewEmail::new("May newsletter", "Spring selection", "shop@example.com")
    ///             .html("<p>Hello</p>")
    ///             .receivers(Receivers::new().segment(SegmentId(12)))
    ///             .schedule(Schedule::Asap),
    ///     )
    ///     .await?;
    /// println!("created operation {}", op.id);
    /// # Ok(()) }
    /// ```
    pub fn create(&self, email: NewEmail) -> Request<EmailOperation> {
        let draft = self.core.request(Method::POST, "/emailing", &["emailing"]);
        draft.try_json(email.into_wire()).decode_json()
    }

    /// Updates an operation (`PUT /emailing`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::{EmailUpdate, OperationId};
    /// client.emailing().update(EmailUpdate::new(OperationId(42)).subject("Last days!")).await?;
    /// # Ok(()) }
    /// ```
    pub fn update(&self, update: EmailUpdate) -> Request<ServerMessage> {
        let draft = self.core.request(Method::PUT, "/emailing", &["emailing"]);
        draft.try_json(update.into_wire()).message()
    }

    /// Approves an operation: **this sends it** (now or at its schedule). Never retried; on a
    /// timeout, [`get`](Self::get) the operation to see whether it is `running` before
    /// approving again.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// client.emailing().approve(relance::sendethic::OperationId(42)).await?;
    /// # Ok(()) }
    /// ```
    pub fn approve(&self, id: OperationId) -> Request<ServerMessage> {
        Family::Email.transition(&self.core, Transition::Approve, id)
    }

    /// Suspends a running operation.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// client.emailing().suspend(relance::sendethic::OperationId(42)).await?;
    /// # Ok(()) }
    /// ```
    pub fn suspend(&self, id: OperationId) -> Request<ServerMessage> {
        Family::Email.transition(&self.core, Transition::Suspend, id)
    }

    /// Resumes a suspended operation (sending restarts; never retried).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// client.emailing().resume(relance::sendethic::OperationId(42)).await?;
    /// # Ok(()) }
    /// ```
    pub fn resume(&self, id: OperationId) -> Request<ServerMessage> {
        Family::Email.transition(&self.core, Transition::Resume, id)
    }

    /// Deletes an operation (`DELETE /emailing/operation/{id}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// client.emailing().delete(relance::sendethic::OperationId(42)).await?;
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, id: OperationId) -> Request<EmailOperation> {
        Family::Email
            .operation(&self.core, Method::DELETE, id)
            .decode_json()
    }

    /// Gets an operation with its receivers, schedule and report link.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let op = client.emailing().get(relance::sendethic::OperationId(42)).await?;
    /// println!("{:?}", op.status);
    /// # Ok(()) }
    /// ```
    pub fn get(&self, id: OperationId) -> Request<EmailOperation> {
        Family::Email
            .operation(&self.core, Method::GET, id)
            .decode_json()
    }

    /// The latest operations (`GET /emailing/{size}`, `size` ≤ 500; receivers and schedule
    /// are null in lists).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let ops = client.emailing().list(50).await?;
    /// # Ok(()) }
    /// ```
    pub fn list(&self, size: u16) -> Request<Vec<EmailOperation>> {
        Family::Email.list(&self.core, size).decode_json()
    }

    /// The latest operations with a status (`GET /emailing/status/{status}/{size}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::OperationStatus;
    /// let running = client.emailing().list_by_status(&OperationStatus::Running, 50).await?;
    /// # Ok(()) }
    /// ```
    pub fn list_by_status(
        &self,
        status: &OperationStatus,
        size: u16,
    ) -> Request<Vec<EmailOperation>> {
        Family::Email
            .by_status(&self.core, status, size)
            .decode_json()
    }

    /// Operations sent to these imports (`POST /emailing/search/{size}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let ops = client.emailing().search_by_imports(&[301, 302], 50).await?;
    /// # Ok(()) }
    /// ```
    pub fn search_by_imports(&self, import_ids: &[i64], size: u16) -> Request<Vec<EmailOperation>> {
        Family::Email
            .search(&self.core, import_ids, size)
            .decode_json()
    }

    /// Sends a test of an operation (`POST /emailing/test/{id}`). Never retried.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::{OperationId, TestEmail};
    /// client.emailing().test(OperationId(42), TestEmail::new("qa@example.com")).await?;
    /// # Ok(()) }
    /// ```
    pub fn test(&self, id: OperationId, test: TestEmail) -> Request<ServerMessage> {
        let draft = self.core.request(
            Method::POST,
            "/emailing/test/{id}",
            &["emailing", "test", &id.to_string()],
        );
        draft.try_json(test.checked()).message()
    }

    /// Sends a transactional mail with the HTML and text of operation `id`
    /// (`POST /emailing/sendsmtp/{id}`). Never retried: on a timeout the mail may have been
    /// sent.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::{OperationId, TransactionalEmail};
    /// client
    ///     .emailing()
    ///     .send_transactional(OperationId(7), TransactionalEmail::new("jane@example.com").data("firstname", "Jane"))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn send_transactional(
        &self,
        id: OperationId,
        mail: TransactionalEmail,
    ) -> Request<ServerMessage> {
        let draft = self.core.request(
            Method::POST,
            "/emailing/sendsmtp/{id}",
            &["emailing", "sendsmtp", &id.to_string()],
        );
        draft.try_json(mail.checked()).message()
    }
}
