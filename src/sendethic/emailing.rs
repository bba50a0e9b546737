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

use std::collections::BTreeMap;

use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::operations::{OperationStatus, Receivers, Schedule, ScheduleInfo};
use super::stats::{ActivityExport, ActivityRange};
use super::types::{ExportId, OperationId, Patch, ServerMessage, Timestamp};
use super::{Client, Request, RequestDraft, check_size};
use crate::error::{Error, Result};
use crate::http::Safety;
use crate::wire::open_enum;

open_enum!(
    /// The language of an operation (`culture`).
    Culture in "relance::sendethic" {
        /// English (US).
        EnUs => "en-us",
        /// Spanish.
        EsEs => "es-es",
        /// Portuguese.
        PtPt => "pt-pt",
        /// Italian.
        ItIt => "it-it",
        /// German.
        DeDe => "de-de",
        /// Dutch.
        NlNl => "nl-nl",
        /// Chinese (simplified).
        ZhCn => "zh-cn",
        /// Chinese (`zh-ht` as documented).
        ZhHt => "zh-ht",
        /// French.
        FrFr => "fr-fr",
    }
);

open_enum!(
    /// Whether a mirror (web version) link is added (`EmailingOption.mirror`).
    Mirror in "relance::sendethic" {
        /// No mirror link.
        No => "false",
        /// The account's setting.
        Account => "account",
        /// A mirror link.
        Yes => "true",
    }
);

open_enum!(
    /// Message importance (`EmailingOption.importance`).
    Importance in "relance::sendethic" {
        /// Normal.
        Normal => "normal",
        /// Low.
        Low => "low",
        /// High.
        High => "high",
    }
);

open_enum!(
    /// Content format (`EmailingOption.contentFormat`).
    ContentFormat in "relance::sendethic" {
        /// HTML.
        Html => "html",
        /// Plain text.
        Text => "text",
    }
);

open_enum!(
    /// Link tracking for analytics (`EmailingOption.analyticsOption`).
    Analytics in "relance::sendethic" {
        /// None.
        No => "no",
        /// AT Internet (Xiti).
        Xiti => "xiti",
        /// Google Analytics.
        Google => "google",
    }
);

/// Email options (`EmailingOption`); unset values take the account defaults.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
#[allow(missing_docs)] // one-to-one with the documented wire properties
pub struct EmailOptions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mirror: Option<Mirror>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::lenient::opt_string"
    )]
    pub mirror_paragraph: Option<String>,
    /// Character encoding (`utf-8`, `iso-8859-15`, `windows-1252`, ...).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::lenient::opt_string"
    )]
    pub encoding: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub importance: Option<Importance>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_format: Option<ContentFormat>,
    /// Recipient display, e.g. `**mb_firstname** **mb_lastname**`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::lenient::opt_string"
    )]
    pub recipient_display: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::lenient::opt_string"
    )]
    pub redirect_bounce: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::lenient::opt_string"
    )]
    pub redirect_validation: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::lenient::opt_string"
    )]
    pub routing_option: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analytics_option: Option<Analytics>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::lenient::opt_string"
    )]
    pub xiti_prefix: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::lenient::opt_string"
    )]
    pub xiti_tag: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::lenient::opt_string"
    )]
    pub ga_source: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::lenient::opt_string"
    )]
    pub ga_medium: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::lenient::opt_string"
    )]
    pub ga_campaign: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::lenient::opt_string"
    )]
    pub ga_content: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::lenient::opt_string"
    )]
    pub ga_term: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::lenient::opt_string"
    )]
    pub ga_prefix: Option<String>,
}

/// An email operation (`EmailingOperation`). Unknown properties are kept in `extra`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
#[allow(missing_docs)] // one-to-one with the documented wire properties
pub struct EmailOperation {
    #[serde(default)]
    pub id: OperationId,
    #[serde(default, deserialize_with = "crate::wire::lenient::opt_string")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<OperationStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub culture: Option<Culture>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::lenient::opt_string"
    )]
    pub description: Option<String>,
    /// Sending date (`yyyy-MM-dd HH:mm:ss+0000`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Timestamp>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::lenient::opt_string"
    )]
    pub subject: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::lenient::opt_string"
    )]
    pub from_name: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::lenient::opt_string"
    )]
    pub from_mail: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::lenient::opt_string"
    )]
    pub reply_to: Option<String>,
    /// HTML to edit in the Sendethic editor before sending.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::lenient::opt_string"
    )]
    pub html_editor: Option<String>,
    /// HTML sent as is.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::lenient::opt_string"
    )]
    pub html: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::lenient::opt_string"
    )]
    pub text: Option<String>,
    /// Web page of the campaign report.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::lenient::opt_string"
    )]
    pub report_link: Option<String>,
    /// Receivers (always null in lists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receivers: Option<Receivers>,
    /// Schedule (always null in lists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<ScheduleInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<EmailOptions>,
    /// Properties this version of `relance` does not model.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Fields shared by the create and update wire bodies.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct WireEmail {
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

/// The longest operation name.
pub const MAX_NAME_CHARS: usize = 256;

pub(crate) fn check_name(name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(Error::invalid("name", "the operation name is required"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(Error::invalid(
            name.chars().take(40).collect::<String>() + "…",
            "the operation name is longer than 256 characters",
        ));
    }
    Ok(())
}

fn check_address(item: &str, value: &str) -> Result<()> {
    super::contacts::check_email(value)
        .map_err(|reason| Error::invalid(format!("{item} `{value}`"), reason))
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

    fn into_wire(self) -> Result<WireEmail> {
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

    fn into_wire(self) -> Result<WireEmail> {
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

/// A test send (`TestEmail`).
///
/// ```
/// let test = relance::sendethic::TestEmail::new("qa@example.com")
///     .test_contact("jane@example.com")
///     .title_prefix("[TEST] ");
/// # let _ = test;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TestEmail {
    recipient_user: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    test_contact: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title_prefix: Option<String>,
}

impl TestEmail {
    /// A test sent to `recipient`.
    ///
    /// ```
    /// let t = relance::sendethic::TestEmail::new("qa@example.com");
    /// # let _ = t;
    /// ```
    #[must_use]
    pub fn new(recipient: impl Into<String>) -> Self {
        Self {
            recipient_user: recipient.into(),
            test_contact: None,
            title_prefix: None,
        }
    }

    /// The contact whose data personalises the test.
    ///
    /// ```
    /// let t = relance::sendethic::TestEmail::new("qa@example.com").test_contact("jane@example.com");
    /// # let _ = t;
    /// ```
    #[must_use]
    pub fn test_contact(mut self, contact_key: impl Into<String>) -> Self {
        self.test_contact = Some(contact_key.into());
        self
    }

    /// A prefix for the subject.
    ///
    /// ```
    /// let t = relance::sendethic::TestEmail::new("qa@example.com").title_prefix("[TEST] ");
    /// # let _ = t;
    /// ```
    #[must_use]
    pub fn title_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.title_prefix = Some(prefix.into());
        self
    }
}

/// A transactional send (`SmtpEmail`) reusing an operation's HTML and text.
///
/// `recipientDatas` is documented as a list of `"id": "value"` pairs; `relance` sends it as a
/// JSON object of field id → value (inference; the generated model only shows placeholders).
///
/// ```
/// let mail = relance::sendethic::TransactionalEmail::new("jane@example.com")
///     .recipient_name("Jane Doe")
///     .data("firstname", "Jane")
///     .data("26", "ORDER-1042");
/// # let _ = mail;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(clippy::struct_field_names)] // the wire names
pub struct TransactionalEmail {
    recipient_email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    recipient_name: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    recipient_datas: BTreeMap<String, String>,
}

impl TransactionalEmail {
    /// A transactional mail to `email`.
    ///
    /// ```
    /// let m = relance::sendethic::TransactionalEmail::new("jane@example.com");
    /// # let _ = m;
    /// ```
    #[must_use]
    pub fn new(email: impl Into<String>) -> Self {
        Self {
            recipient_email: email.into(),
            recipient_name: None,
            recipient_datas: BTreeMap::new(),
        }
    }

    /// The recipient's display name.
    ///
    /// ```
    /// let m = relance::sendethic::TransactionalEmail::new("j@example.com").recipient_name("Jane");
    /// # let _ = m;
    /// ```
    #[must_use]
    pub fn recipient_name(mut self, name: impl Into<String>) -> Self {
        self.recipient_name = Some(name.into());
        self
    }

    /// A personalisation value by field id.
    ///
    /// ```
    /// let m = relance::sendethic::TransactionalEmail::new("j@example.com").data("firstname", "Jane");
    /// # let _ = m;
    /// ```
    #[must_use]
    pub fn data(mut self, field_id: impl Into<String>, value: impl Into<String>) -> Self {
        self.recipient_datas.insert(field_id.into(), value.into());
        self
    }
}

/// The lifecycle operations shared by email and SMS operations, which differ only by their
/// path root (`emailing` or `sms`).
pub(crate) struct Family {
    pub(crate) root: &'static str,
    pub(crate) approve: &'static str,
    pub(crate) suspend: &'static str,
    pub(crate) resume: &'static str,
    pub(crate) operation: &'static str,
    pub(crate) list: &'static str,
    pub(crate) by_status: &'static str,
    pub(crate) search: &'static str,
}

pub(crate) const EMAILING: Family = Family {
    root: "emailing",
    approve: "/emailing/approve/{id}",
    suspend: "/emailing/suspend/{id}",
    resume: "/emailing/resume/{id}",
    operation: "/emailing/operation/{id}",
    list: "/emailing/{size}",
    by_status: "/emailing/status/{status}/{size}",
    search: "/emailing/search/{size}",
};

impl Family {
    /// `PUT /<root>/<action>/{id}`; approve and resume are never retried (they send).
    pub(crate) fn state_change(
        &self,
        client: &Client,
        action: &'static str,
        id: OperationId,
    ) -> Request<ServerMessage> {
        let template = match action {
            "approve" => self.approve,
            "suspend" => self.suspend,
            _ => self.resume,
        };
        client
            .request(Method::PUT, template, &[self.root, action, &id.to_string()])
            .safety(if action == "suspend" {
                Safety::Safe
            } else {
                Safety::Never
            })
            .message()
    }

    pub(crate) fn operation(
        &self,
        client: &Client,
        method: Method,
        id: OperationId,
    ) -> RequestDraft {
        client.request(
            method,
            self.operation,
            &[self.root, "operation", &id.to_string()],
        )
    }

    pub(crate) fn list(&self, client: &Client, size: u16) -> RequestDraft {
        check_size(
            client.request(Method::GET, self.list, &[self.root, &size.to_string()]),
            size,
        )
    }

    pub(crate) fn by_status(
        &self,
        client: &Client,
        status: &OperationStatus,
        size: u16,
    ) -> RequestDraft {
        let draft = client.request(
            Method::GET,
            self.by_status,
            &[self.root, "status", status.as_str(), &size.to_string()],
        );
        check_size(draft, size)
    }

    /// `POST /<root>/search/{size}` — a read: retried like a GET.
    pub(crate) fn search(&self, client: &Client, import_ids: &[i64], size: u16) -> RequestDraft {
        let draft = client
            .request(
                Method::POST,
                self.search,
                &[self.root, "search", &size.to_string()],
            )
            .safety(Safety::Safe);
        let draft = if import_ids.is_empty() {
            draft.fail(Error::invalid(
                "importIds",
                "search needs at least one import id",
            ))
        } else {
            draft.json(serde_json::json!({ "importIds": import_ids }))
        };
        check_size(draft, size)
    }
}

/// Handler for email operations. Created by [`Client::emailing`].
#[derive(Debug, Clone)]
pub struct EmailingHandler {
    client: Client,
}

impl EmailingHandler {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
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
        let draft = self
            .client
            .request(Method::POST, "/emailing", &["emailing"]);
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
        let draft = self.client.request(Method::PUT, "/emailing", &["emailing"]);
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
        EMAILING.state_change(&self.client, "approve", id)
    }

    /// Suspends a running operation.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// client.emailing().suspend(relance::sendethic::OperationId(42)).await?;
    /// # Ok(()) }
    /// ```
    pub fn suspend(&self, id: OperationId) -> Request<ServerMessage> {
        EMAILING.state_change(&self.client, "suspend", id)
    }

    /// Resumes a suspended operation (sending restarts; never retried).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// client.emailing().resume(relance::sendethic::OperationId(42)).await?;
    /// # Ok(()) }
    /// ```
    pub fn resume(&self, id: OperationId) -> Request<ServerMessage> {
        EMAILING.state_change(&self.client, "resume", id)
    }

    /// Deletes an operation (`DELETE /emailing/operation/{id}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// client.emailing().delete(relance::sendethic::OperationId(42)).await?;
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, id: OperationId) -> Request<EmailOperation> {
        EMAILING
            .operation(&self.client, Method::DELETE, id)
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
        EMAILING
            .operation(&self.client, Method::GET, id)
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
        EMAILING.list(&self.client, size).decode_json()
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
        EMAILING.by_status(&self.client, status, size).decode_json()
    }

    /// Operations sent to these imports (`POST /emailing/search/{size}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let ops = client.emailing().search_by_imports(&[301, 302], 50).await?;
    /// # Ok(()) }
    /// ```
    pub fn search_by_imports(&self, import_ids: &[i64], size: u16) -> Request<Vec<EmailOperation>> {
        EMAILING
            .search(&self.client, import_ids, size)
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
        let draft = self.client.request(
            Method::POST,
            "/emailing/test/{id}",
            &["emailing", "test", &id.to_string()],
        );
        match check_address("recipientUser", &test.recipient_user) {
            Ok(()) => draft.json(test),
            Err(e) => draft.fail(e),
        }
        .message()
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
        let draft = self.client.request(
            Method::POST,
            "/emailing/sendsmtp/{id}",
            &["emailing", "sendsmtp", &id.to_string()],
        );
        match check_address("recipientEmail", &mail.recipient_email) {
            Ok(()) => draft.json(mail),
            Err(e) => draft.fail(e),
        }
        .message()
    }

    /// Starts an activity export (`POST /emailing/export/add/{id}`); see
    /// [`StatsHandler`](super::StatsHandler) for the whole statistics pipeline.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::{ActivityRange, OperationId};
    /// let now = chrono::Utc::now();
    /// let export = client.emailing().export_activity(OperationId(42), ActivityRange::new(now - chrono::Duration::days(7), now)).await?;
    /// # Ok(()) }
    /// ```
    pub fn export_activity(
        &self,
        id: OperationId,
        range: ActivityRange,
    ) -> Request<ActivityExport> {
        self.client.stats().start_activity_export(id, range)
    }

    /// Gets an activity export (`GET /emailing/export/{id}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let export = client.emailing().activity_export(relance::sendethic::ExportId(3)).await?;
    /// # Ok(()) }
    /// ```
    pub fn activity_export(&self, id: ExportId) -> Request<ActivityExport> {
        self.client.stats().activity_export(id)
    }

    /// Lists activity exports (`GET /emailing/exports/{size}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let exports = client.emailing().activity_exports(20).await?;
    /// # Ok(()) }
    /// ```
    pub fn activity_exports(&self, size: u16) -> Request<Vec<ActivityExport>> {
        self.client.stats().activity_exports(size)
    }

    /// Downloads an activity export archive (`GET /emailing/export/file/{fileName}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let bytes = client.emailing().download_activity("export_3.zip").await?;
    /// # Ok(()) }
    /// ```
    pub fn download_activity(&self, file_name: &str) -> Request<bytes::Bytes> {
        self.client.stats().download_activity(file_name)
    }
}
