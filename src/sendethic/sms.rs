//! SMS: single sends (`/sms/send`) and SMS operations (campaigns, `/sms`).
//!
//! Single sends and approvals are **never retried automatically**: on a timeout the SMS may
//! have gone out. Check the operation's status ([`SmsHandler::get`]) or your credits before
//! sending again.

use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::emailing::{Family, check_name};
use super::operations::{OperationStatus, Receivers, Schedule, ScheduleInfo};
use super::types::{OperationId, Patch, ServerMessage, Timestamp};
use super::{Client, Request};
use crate::error::{Error, Result};

const SMS: Family = Family {
    root: "sms",
    approve: "/sms/approve/{id}",
    suspend: "/sms/suspend/{id}",
    resume: "/sms/resume/{id}",
    operation: "/sms/operation/{id}",
    list: "/sms/{size}",
    by_status: "/sms/status/{status}/{size}",
    search: "/sms/search/{size}",
};

/// A single SMS (`SmsMessage`).
///
/// ```
/// let sms = relance::sendethic::SmsMessage::new("+33612340001", "Your order has shipped")
///     .sender("MYSHOP");
/// # let _ = sms;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SmsMessage {
    mobile: String,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    oadc: Option<String>,
}

impl SmsMessage {
    /// An SMS to `mobile` (international E.164 format, e.g. `+33612340001`).
    ///
    /// ```
    /// let sms = relance::sendethic::SmsMessage::new("+33612340001", "Hello");
    /// # let _ = sms;
    /// ```
    #[must_use]
    pub fn new(mobile: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            mobile: mobile.into(),
            message: message.into(),
            oadc: None,
        }
    }

    /// A custom sender name (`oadc`).
    ///
    /// ```
    /// let sms = relance::sendethic::SmsMessage::new("+33612340001", "Hi").sender("SHOP");
    /// # let _ = sms;
    /// ```
    #[must_use]
    pub fn sender(mut self, oadc: impl Into<String>) -> Self {
        self.oadc = Some(oadc.into());
        self
    }

    fn validate(&self) -> Result<()> {
        super::contacts::check_mobile(&self.mobile)
            .map_err(|reason| Error::invalid(self.mobile.clone(), reason))?;
        if self.message.trim().is_empty() {
            return Err(Error::invalid("message", "the SMS text is empty"));
        }
        Ok(())
    }
}

/// An SMS operation (`SmsOperation`). Unknown properties are kept in `extra`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
#[allow(missing_docs)] // one-to-one with the documented wire properties
pub struct SmsOperation {
    #[serde(default)]
    pub id: OperationId,
    #[serde(default, deserialize_with = "crate::wire::lenient::opt_string")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<OperationStatus>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::lenient::opt_string"
    )]
    pub description: Option<String>,
    /// The text.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::lenient::opt_string"
    )]
    pub message: Option<String>,
    /// The sender name.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::lenient::opt_string"
    )]
    pub oadc: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Timestamp>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::lenient::opt_string"
    )]
    pub report_link: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receivers: Option<Receivers>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<ScheduleInfo>,
    /// Properties this version of `relance` does not model.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct WireSms {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<OperationId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    oadc: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    receivers: Option<Receivers>,
    #[serde(skip_serializing_if = "Option::is_none")]
    schedule: Option<ScheduleInfo>,
}

/// A new SMS operation (`name` required). Not sent until approved.
///
/// ```
/// use relance::sendethic::{NewSms, Receivers, Schedule, SegmentId};
/// let sms = NewSms::new("Flash sale", "-20% today only")
///     .sender("SHOP")
///     .receivers(Receivers::new().segment(SegmentId(4)))
///     .schedule(Schedule::Asap);
/// # let _ = sms;
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct NewSms {
    name: String,
    message: String,
    oadc: Option<String>,
    description: Option<String>,
    receivers: Option<Receivers>,
    schedule: Option<Schedule>,
}

impl NewSms {
    /// An operation named `name` sending `message`.
    ///
    /// ```
    /// let s = relance::sendethic::NewSms::new("Sale", "-20%");
    /// # let _ = s;
    /// ```
    #[must_use]
    pub fn new(name: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            message: message.into(),
            oadc: None,
            description: None,
            receivers: None,
            schedule: None,
        }
    }

    /// The sender name (`oadc`).
    ///
    /// ```
    /// let s = relance::sendethic::NewSms::new("Sale", "-20%").sender("SHOP");
    /// # let _ = s;
    /// ```
    #[must_use]
    pub fn sender(mut self, oadc: impl Into<String>) -> Self {
        self.oadc = Some(oadc.into());
        self
    }

    /// An internal description.
    ///
    /// ```
    /// let s = relance::sendethic::NewSms::new("Sale", "-20%").description("spring");
    /// # let _ = s;
    /// ```
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Who receives it.
    ///
    /// ```
    /// use relance::sendethic::{NewSms, Receivers, SegmentId};
    /// let s = NewSms::new("Sale", "-20%").receivers(Receivers::new().segment(SegmentId(4)));
    /// # let _ = s;
    /// ```
    #[must_use]
    pub fn receivers(mut self, receivers: Receivers) -> Self {
        self.receivers = Some(receivers);
        self
    }

    /// When it is sent once approved.
    ///
    /// ```
    /// let s = relance::sendethic::NewSms::new("Sale", "-20%").schedule(relance::sendethic::Schedule::Asap);
    /// # let _ = s;
    /// ```
    #[must_use]
    pub fn schedule(mut self, schedule: Schedule) -> Self {
        self.schedule = Some(schedule);
        self
    }

    fn into_wire(self) -> Result<WireSms> {
        check_name(&self.name)?;
        if self.message.trim().is_empty() {
            return Err(Error::invalid("message", "the SMS text is empty"));
        }
        let (schedule, date) = Schedule::wire(self.schedule.as_ref())?;
        Ok(WireSms {
            id: None,
            name: Some(self.name),
            description: self.description,
            message: Some(self.message),
            oadc: self.oadc,
            date,
            receivers: self.receivers,
            schedule,
        })
    }
}

/// Changes to an SMS operation (`PUT /sms`), with the same [`Patch`] semantics as
/// [`EmailUpdate`](super::EmailUpdate).
///
/// ```
/// use relance::sendethic::{OperationId, Patch, SmsUpdate};
/// let u = SmsUpdate::new(OperationId(9)).message("-30% today").description(Patch::Clear);
/// # let _ = u;
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SmsUpdate {
    id: OperationId,
    name: Patch<String>,
    message: Patch<String>,
    oadc: Patch<String>,
    description: Patch<String>,
    receivers: Option<Receivers>,
    schedule: Option<Schedule>,
}

impl SmsUpdate {
    /// Changes to operation `id`.
    ///
    /// ```
    /// let u = relance::sendethic::SmsUpdate::new(relance::sendethic::OperationId(9));
    /// # let _ = u;
    /// ```
    #[must_use]
    pub fn new(id: OperationId) -> Self {
        Self {
            id,
            ..Self::default()
        }
    }

    /// Sets or leaves the name (it cannot be cleared).
    ///
    /// ```
    /// let u = relance::sendethic::SmsUpdate::new(relance::sendethic::OperationId(9)).name("Sale 2");
    /// # let _ = u;
    /// ```
    #[must_use]
    pub fn name(mut self, value: impl Into<Patch<String>>) -> Self {
        self.name = value.into();
        self
    }

    /// Sets or leaves the text (it cannot be cleared).
    ///
    /// ```
    /// let u = relance::sendethic::SmsUpdate::new(relance::sendethic::OperationId(9)).message("Hi");
    /// # let _ = u;
    /// ```
    #[must_use]
    pub fn message(mut self, value: impl Into<Patch<String>>) -> Self {
        self.message = value.into();
        self
    }

    /// Sets, clears or leaves the sender name.
    ///
    /// ```
    /// use relance::sendethic::{OperationId, Patch, SmsUpdate};
    /// let u = SmsUpdate::new(OperationId(9)).sender(Patch::Clear);
    /// # let _ = u;
    /// ```
    #[must_use]
    pub fn sender(mut self, value: impl Into<Patch<String>>) -> Self {
        self.oadc = value.into();
        self
    }

    /// Sets, clears or leaves the description.
    ///
    /// ```
    /// let u = relance::sendethic::SmsUpdate::new(relance::sendethic::OperationId(9)).description("x");
    /// # let _ = u;
    /// ```
    #[must_use]
    pub fn description(mut self, value: impl Into<Patch<String>>) -> Self {
        self.description = value.into();
        self
    }

    /// Replaces the receivers.
    ///
    /// ```
    /// use relance::sendethic::{OperationId, Receivers, SegmentId, SmsUpdate};
    /// let u = SmsUpdate::new(OperationId(9)).receivers(Receivers::new().segment(SegmentId(1)));
    /// # let _ = u;
    /// ```
    #[must_use]
    pub fn receivers(mut self, receivers: Receivers) -> Self {
        self.receivers = Some(receivers);
        self
    }

    /// Replaces the schedule.
    ///
    /// ```
    /// use relance::sendethic::{OperationId, Schedule, SmsUpdate};
    /// let u = SmsUpdate::new(OperationId(9)).schedule(Schedule::Asap);
    /// # let _ = u;
    /// ```
    #[must_use]
    pub fn schedule(mut self, schedule: Schedule) -> Self {
        self.schedule = Some(schedule);
        self
    }

    fn into_wire(self) -> Result<WireSms> {
        for (item, p) in [("name", &self.name), ("message", &self.message)] {
            match p {
                Patch::Clear => {
                    return Err(Error::invalid(
                        item,
                        "this field is required and cannot be cleared",
                    ));
                }
                Patch::Set(v) if v.trim().is_empty() => {
                    return Err(Error::invalid(item, "this field must not be empty"));
                }
                _ => {}
            }
        }
        if let Patch::Set(name) = &self.name {
            check_name(name)?;
        }
        let (schedule, date) = Schedule::wire(self.schedule.as_ref())?;
        Ok(WireSms {
            id: Some(self.id),
            name: self.name.into_wire_text(),
            description: self.description.into_wire_text(),
            message: self.message.into_wire_text(),
            oadc: self.oadc.into_wire_text(),
            date,
            receivers: self.receivers,
            schedule,
        })
    }
}

/// Handler for SMS. Created by [`Client::sms`].
#[derive(Debug, Clone)]
pub struct SmsHandler {
    client: Client,
}

impl SmsHandler {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
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
            .client
            .request(Method::POST, "/sms/send", &["sms", "send"]);
        draft.try_json(sms.validate().map(|()| sms)).message()
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
        let draft = self.client.request(Method::POST, "/sms", &["sms"]);
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
        let draft = self.client.request(Method::PUT, "/sms", &["sms"]);
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
        SMS.state_change(&self.client, "approve", id)
    }

    /// Suspends a running SMS operation.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// client.sms().suspend(relance::sendethic::OperationId(9)).await?;
    /// # Ok(()) }
    /// ```
    pub fn suspend(&self, id: OperationId) -> Request<ServerMessage> {
        SMS.state_change(&self.client, "suspend", id)
    }

    /// Resumes a suspended SMS operation (never retried).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// client.sms().resume(relance::sendethic::OperationId(9)).await?;
    /// # Ok(()) }
    /// ```
    pub fn resume(&self, id: OperationId) -> Request<ServerMessage> {
        SMS.state_change(&self.client, "resume", id)
    }

    /// Deletes an SMS operation (`DELETE /sms/operation/{id}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// client.sms().delete(relance::sendethic::OperationId(9)).await?;
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, id: OperationId) -> Request<SmsOperation> {
        SMS.operation(&self.client, Method::DELETE, id)
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
        SMS.operation(&self.client, Method::GET, id).decode_json()
    }

    /// The latest SMS operations (`GET /sms/{size}`, `size` ≤ 500).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let ops = client.sms().list(20).await?;
    /// # Ok(()) }
    /// ```
    pub fn list(&self, size: u16) -> Request<Vec<SmsOperation>> {
        SMS.list(&self.client, size).decode_json()
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
        SMS.by_status(&self.client, status, size).decode_json()
    }

    /// SMS operations sent to these imports (`POST /sms/search/{size}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let ops = client.sms().search_by_imports(&[301], 20).await?;
    /// # Ok(()) }
    /// ```
    pub fn search_by_imports(&self, import_ids: &[i64], size: u16) -> Request<Vec<SmsOperation>> {
        SMS.search(&self.client, import_ids, size).decode_json()
    }
}
