//! What creates or changes an email operation: [`NewEmail`], [`EmailUpdate`], and the body
//! both are written as.

use serde::Serialize;

use super::check_address;
use super::model::{Culture, EmailOptions};
use crate::error::{Error, Result};
use crate::sendethic::operations::{Receivers, Schedule, ScheduleInfo, check_name};
use crate::sendethic::types::{OperationId, Patch};

/// Fields shared by the create and update wire bodies.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WireEmail {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<OperationId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    culture: Option<Culture>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    from_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    from_mail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reply_to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    html_editor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    html: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    receivers: Option<Receivers>,
    #[serde(skip_serializing_if = "Option::is_none")]
    schedule: Option<ScheduleInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    options: Option<EmailOptions>,
}

/// A new email operation: `name` (≤ 256 characters), `subject` and `reply_to` are required;
/// everything else takes the account defaults. Creating does not send: approve it.
///
/// ```
/// use relance::sendethic::{NewEmail, Receivers, Schedule, SegmentId};
/// let email = NewEmail::new("May newsletter", "Our spring selection", "shop@example.com")
///     .from("My Shop", "shop@example.com")
///     .html("<html><body>Hello **mb_firstname**</body></html>")
///     .receivers(Receivers::new().segment(SegmentId(12)))
///     .schedule(Schedule::Asap);
/// # let _ = email;
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct NewEmail {
    name: String,
    subject: String,
    reply_to: String,
    from_name: Option<String>,
    from_mail: Option<String>,
    culture: Option<Culture>,
    description: Option<String>,
    html: Option<String>,
    html_editor: Option<String>,
    text: Option<String>,
    receivers: Option<Receivers>,
    schedule: Option<Schedule>,
    options: Option<EmailOptions>,
}

impl NewEmail {
    /// The required fields.
    ///
    /// ```
    /// let e = relance::sendethic::NewEmail::new("Name", "Subject", "reply@example.com");
    /// # let _ = e;
    /// ```
    #[must_use]
    pub fn new(
        name: impl Into<String>,
        subject: impl Into<String>,
        reply_to: impl Into<String>,
    ) -> Self {
        Self {
            name: name.into(),
            subject: subject.into(),
            reply_to: reply_to.into(),
            from_name: None,
            from_mail: None,
            culture: None,
            description: None,
            html: None,
            html_editor: None,
            text: None,
            receivers: None,
            schedule: None,
            options: None,
        }
    }

    /// The sender (the address must be configured in the account first).
    ///
    /// ```
    /// let e = relance::sendethic::NewEmail::new("n", "s", "r@example.com").from("Shop", "shop@example.com");
    /// # let _ = e;
    /// ```
    #[must_use]
    pub fn from(mut self, name: impl Into<String>, mail: impl Into<String>) -> Self {
        self.from_name = Some(name.into());
        self.from_mail = Some(mail.into());
        self
    }

    /// The language.
    ///
    /// ```
    /// let e = relance::sendethic::NewEmail::new("n", "s", "r@example.com").culture(relance::sendethic::Culture::FrFr);
    /// # let _ = e;
    /// ```
    #[must_use]
    pub fn culture(mut self, culture: Culture) -> Self {
        self.culture = Some(culture);
        self
    }

    /// An internal description.
    ///
    /// ```
    /// let e = relance::sendethic::NewEmail::new("n", "s", "r@example.com").description("spring");
    /// # let _ = e;
    /// ```
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// HTML sent as is.
    ///
    /// ```
    /// let e = relance::sendethic::NewEmail::new("n", "s", "r@example.com").html("<p>Hi</p>");
    /// # let _ = e;
    /// ```
    #[must_use]
    pub fn html(mut self, html: impl Into<String>) -> Self {
        self.html = Some(html.into());
        self
    }

    /// HTML to edit in the Sendethic editor before sending.
    ///
    /// ```
    /// let e = relance::sendethic::NewEmail::new("n", "s", "r@example.com").html_editor("<p>Hi</p>");
    /// # let _ = e;
    /// ```
    #[must_use]
    pub fn html_editor(mut self, html: impl Into<String>) -> Self {
        self.html_editor = Some(html.into());
        self
    }

    /// The plain-text version.
    ///
    /// ```
    /// let e = relance::sendethic::NewEmail::new("n", "s", "r@example.com").text("Hi");
    /// # let _ = e;
    /// ```
    #[must_use]
    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.text = Some(text.into());
        self
    }

    /// Who receives it.
    ///
    /// ```
    /// use relance::sendethic::{NewEmail, Receivers, SegmentId};
    /// let e = NewEmail::new("n", "s", "r@example.com").receivers(Receivers::new().segment(SegmentId(1)));
    /// # let _ = e;
    /// ```
    #[must_use]
    pub fn receivers(mut self, receivers: Receivers) -> Self {
        self.receivers = Some(receivers);
        self
    }

    /// When it is sent (once approved).
    ///
    /// ```
    /// let e = relance::sendethic::NewEmail::new("n", "s", "r@example.com").schedule(relance::sendethic::Schedule::Asap);
    /// # let _ = e;
    /// ```
    #[must_use]
    pub fn schedule(mut self, schedule: Schedule) -> Self {
        self.schedule = Some(schedule);
        self
    }

    /// Options.
    ///
    /// ```
    /// use relance::sendethic::{EmailOptions, Importance, NewEmail};
    /// let mut options = EmailOptions::default();
    /// options.importance = Some(Importance::High);
    /// let e = NewEmail::new("n", "s", "r@example.com").options(options);
    /// # let _ = e;
    /// ```
    #[must_use]
    pub fn options(mut self, options: EmailOptions) -> Self {
        self.options = Some(options);
        self
    }

    pub(super) fn into_wire(self) -> Result<WireEmail> {
        check_name(&self.name)?;
        if self.subject.trim().is_empty() {
            return Err(Error::invalid("subject", "the subject is required"));
        }
        check_address("replyTo", &self.reply_to)?;
        if let Some(from) = &self.from_mail {
            check_address("fromMail", from)?;
        }
        let (schedule, date) = Schedule::wire(self.schedule.as_ref())?;
        Ok(WireEmail {
            id: None,
            name: Some(self.name),
            culture: self.culture,
            description: self.description,
            date,
            subject: Some(self.subject),
            from_name: self.from_name,
            from_mail: self.from_mail,
            reply_to: Some(self.reply_to),
            html_editor: self.html_editor,
            html: self.html,
            text: self.text,
            receivers: self.receivers,
            schedule,
            options: self.options,
        })
    }
}

/// Changes to an email operation (`PUT /emailing`): each text field is a [`Patch`] —
/// `Unset` leaves it (nothing sent; the server ignores nulls), `Set` writes it, `Clear` sends
/// an empty string. Receivers, schedule and options are replaced when given.
///
/// ```
/// use relance::sendethic::{EmailUpdate, OperationId, Patch, Schedule};
/// let update = EmailUpdate::new(OperationId(42))
///     .subject("New subject")
///     .description(Patch::Clear)
///     .schedule(Schedule::At(chrono::Utc::now() + chrono::Duration::days(1)));
/// # let _ = update;
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EmailUpdate {
    id: OperationId,
    name: Patch<String>,
    subject: Patch<String>,
    reply_to: Patch<String>,
    from_name: Patch<String>,
    from_mail: Patch<String>,
    description: Patch<String>,
    html: Patch<String>,
    html_editor: Patch<String>,
    text: Patch<String>,
    culture: Option<Culture>,
    receivers: Option<Receivers>,
    schedule: Option<Schedule>,
    options: Option<EmailOptions>,
}

macro_rules! patch_setters {
    ($($field:ident: $what:literal),+ $(,)?) => {
        $(
            #[doc = concat!("Sets, clears or leaves the ", $what, ".")]
            ///
            /// ```
            /// use relance::sendethic::{EmailUpdate, OperationId, Patch};
            #[doc = concat!("let u = EmailUpdate::new(OperationId(1)).", stringify!($field), "(Patch::Clear);")]
            /// # let _ = u;
            /// ```
            #[must_use]
            pub fn $field(mut self, value: impl Into<Patch<String>>) -> Self {
                self.$field = value.into();
                self
            }
        )+
    };
}

impl EmailUpdate {
    /// Changes to operation `id`.
    ///
    /// ```
    /// let u = relance::sendethic::EmailUpdate::new(relance::sendethic::OperationId(42));
    /// # let _ = u;
    /// ```
    #[must_use]
    pub fn new(id: OperationId) -> Self {
        Self {
            id,
            ..Self::default()
        }
    }

    patch_setters!(
        name: "name",
        subject: "subject",
        reply_to: "reply-to address",
        from_name: "sender name",
        from_mail: "sender address",
        description: "description",
        html: "HTML",
        html_editor: "editor HTML",
        text: "text version",
    );

    /// Changes the language.
    ///
    /// ```
    /// use relance::sendethic::{Culture, EmailUpdate, OperationId};
    /// let u = EmailUpdate::new(OperationId(1)).culture(Culture::DeDe);
    /// # let _ = u;
    /// ```
    #[must_use]
    pub fn culture(mut self, culture: Culture) -> Self {
        self.culture = Some(culture);
        self
    }

    /// Replaces the receivers.
    ///
    /// ```
    /// use relance::sendethic::{EmailUpdate, OperationId, Receivers, SegmentId};
    /// let u = EmailUpdate::new(OperationId(1)).receivers(Receivers::new().segment(SegmentId(2)));
    /// # let _ = u;
    /// ```
    #[must_use]
    pub fn receivers(mut self, receivers: Receivers) -> Self {
        self.receivers = Some(receivers);
        self
    }

    /// Replaces the schedule (its type is always sent, as the API asks).
    ///
    /// ```
    /// use relance::sendethic::{EmailUpdate, OperationId, Schedule};
    /// let u = EmailUpdate::new(OperationId(1)).schedule(Schedule::Asap);
    /// # let _ = u;
    /// ```
    #[must_use]
    pub fn schedule(mut self, schedule: Schedule) -> Self {
        self.schedule = Some(schedule);
        self
    }

    /// Replaces the options.
    ///
    /// ```
    /// use relance::sendethic::{EmailOptions, EmailUpdate, OperationId};
    /// let u = EmailUpdate::new(OperationId(1)).options(EmailOptions::default());
    /// # let _ = u;
    /// ```
    #[must_use]
    pub fn options(mut self, options: EmailOptions) -> Self {
        self.options = Some(options);
        self
    }

    pub(super) fn into_wire(self) -> Result<WireEmail> {
        if let Patch::Set(name) = &self.name {
            check_name(name)?;
        }
        if matches!(self.name, Patch::Clear) {
            return Err(Error::invalid(
                "name",
                "the operation name cannot be cleared",
            ));
        }
        for (item, p) in [("subject", &self.subject), ("replyTo", &self.reply_to)] {
            if matches!(p, Patch::Clear) {
                return Err(Error::invalid(
                    item,
                    "this field is required and cannot be cleared",
                ));
            }
        }
        if let Patch::Set(v) = &self.subject
            && v.trim().is_empty()
        {
            return Err(Error::invalid("subject", "the subject is required"));
        }
        if let Patch::Set(v) = &self.reply_to {
            check_address("replyTo", v)?;
        }
        if let Patch::Set(v) = &self.from_mail {
            check_address("fromMail", v)?;
        }
        let (schedule, date) = Schedule::wire(self.schedule.as_ref())?;
        Ok(WireEmail {
            id: Some(self.id),
            name: self.name.into_wire_text(),
            culture: self.culture,
            description: self.description.into_wire_text(),
            date,
            subject: self.subject.into_wire_text(),
            from_name: self.from_name.into_wire_text(),
            from_mail: self.from_mail.into_wire_text(),
            reply_to: self.reply_to.into_wire_text(),
            html_editor: self.html_editor.into_wire_text(),
            html: self.html.into_wire_text(),
            text: self.text.into_wire_text(),
            receivers: self.receivers,
            schedule,
            options: self.options,
        })
    }
}
