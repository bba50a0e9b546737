//! What creates or changes an SMS operation: [`NewSms`], [`SmsUpdate`], and the body both
//! are written as.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::sendethic::operations::{Receivers, Schedule, ScheduleInfo, check_name};
use crate::sendethic::types::{OperationId, Patch};

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WireSms {
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

    pub(super) fn into_wire(self) -> Result<WireSms> {
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
/// [`EmailUpdate`](crate::sendethic::EmailUpdate).
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

    pub(super) fn into_wire(self) -> Result<WireSms> {
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
