//! SMS: single sends (`/sms/send`) and SMS operations (campaigns, `/sms`).
//!
//! Single sends and approvals are **never retried automatically**: on a timeout the SMS may
//! have gone out. Check the operation's status ([`SmsHandler::get`]) or your credits before
//! sending again.
//!
//! The operation model is in `model`, what creates or changes one in `drafts`, the single
//! SMS in `sends`.

mod drafts;
mod model;
mod sends;

use std::sync::Arc;

use reqwest::Method;

pub use drafts::{NewSms, SmsUpdate};
pub use model::SmsOperation;
pub use sends::SmsMessage;

use super::core::Core;
use super::operations::{Family, OperationStatus, Transition};
use super::types::{OperationId, ServerMessage};
use crate::http::Request;

/// Handler for SMS. Created by [`Client::sms`](super::Client::sms).
#[derive(Debug, Clone)]
pub struct SmsHandler {
    core: Arc<Core>,
}

impl SmsHandler {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self { core }
    }

    /// Sends one SMS (`POST /sms/send`). The mobile must be in E.164 form and the text
    /// non-empty; both are checked before sending. Never retried: on a timeout the SMS may
    /// have been sent. Make sure the account has SMS credits.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::SmsMessage;
    /// client.sms().send(SmsMessage::new("+33612340001", "Your parcel is on its way")).await?;
    /// # Ok(()) }
    /// ```
    pub fn send(&self, sms: SmsMessage) -> Request<ServerMessage> {
        let draft = self
            .core
            .request(Method::POST, "/sms/send", &["sms", "send"]);
        draft.try_json(sms.checked()).message()
    }

    /// Creates an SMS operation (`POST /sms`, not retried); approve it to send.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::{NewSms, Receivers, SegmentId};
    /// let op = client
    ///     .sms()
    ///     .create(NewSms::new("Flash sale", "-20% today").receivers(Receivers::new().segment(SegmentId(4))))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn create(&self, sms: NewSms) -> Request<SmsOperation> {
        let draft = self.core.request(Method::POST, "/sms", &["sms"]);
        draft.try_json(sms.into_wire()).decode_json()
    }

    /// Updates an SMS operation (`PUT /sms`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::{OperationId, SmsUpdate};
    /// client.sms().update(SmsUpdate::new(OperationId(9)).message("-30% today")).await?;
    /// # Ok(()) }
    /// ```
    pub fn update(&self, update: SmsUpdate) -> Request<ServerMessage> {
        let draft = self.core.request(Method::PUT, "/sms", &["sms"]);
        draft.try_json(update.into_wire()).message()
    }

    /// Approves an SMS operation: **this sends it**. Never retried.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// client.sms().approve(relance::sendethic::OperationId(9)).await?;
    /// # Ok(()) }
    /// ```
    pub fn approve(&self, id: OperationId) -> Request<ServerMessage> {
        Family::Sms.transition(&self.core, Transition::Approve, id)
    }

    /// Suspends a running SMS operation.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// client.sms().suspend(relance::sendethic::OperationId(9)).await?;
    /// # Ok(()) }
    /// ```
    pub fn suspend(&self, id: OperationId) -> Request<ServerMessage> {
        Family::Sms.transition(&self.core, Transition::Suspend, id)
    }

    /// Resumes a suspended SMS operation (never retried).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// client.sms().resume(relance::sendethic::OperationId(9)).await?;
    /// # Ok(()) }
    /// ```
    pub fn resume(&self, id: OperationId) -> Request<ServerMessage> {
        Family::Sms.transition(&self.core, Transition::Resume, id)
    }

    /// Deletes an SMS operation (`DELETE /sms/operation/{id}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// client.sms().delete(relance::sendethic::OperationId(9)).await?;
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, id: OperationId) -> Request<SmsOperation> {
        Family::Sms
            .operation(&self.core, Method::DELETE, id)
            .decode_json()
    }

    /// Gets an SMS operation (with its report link).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let op = client.sms().get(relance::sendethic::OperationId(9)).await?;
    /// # Ok(()) }
    /// ```
    pub fn get(&self, id: OperationId) -> Request<SmsOperation> {
        Family::Sms
            .operation(&self.core, Method::GET, id)
            .decode_json()
    }

    /// The latest SMS operations (`GET /sms/{size}`, `size` ≤ 500).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let ops = client.sms().list(20).await?;
    /// # Ok(()) }
    /// ```
    pub fn list(&self, size: u16) -> Request<Vec<SmsOperation>> {
        Family::Sms.list(&self.core, size).decode_json()
    }

    /// The latest SMS operations with a status (`GET /sms/status/{status}/{size}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let done = client.sms().list_by_status(&relance::sendethic::OperationStatus::Completed, 20).await?;
    /// # Ok(()) }
    /// ```
    pub fn list_by_status(
        &self,
        status: &OperationStatus,
        size: u16,
    ) -> Request<Vec<SmsOperation>> {
        Family::Sms
            .by_status(&self.core, status, size)
            .decode_json()
    }

    /// SMS operations sent to these imports (`POST /sms/search/{size}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let ops = client.sms().search_by_imports(&[301], 20).await?;
    /// # Ok(()) }
    /// ```
    pub fn search_by_imports(&self, import_ids: &[i64], size: u16) -> Request<Vec<SmsOperation>> {
        Family::Sms
            .search(&self.core, import_ids, size)
            .decode_json()
    }
}
