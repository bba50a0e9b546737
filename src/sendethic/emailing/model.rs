//! The email operation model: the operation as read, its options and their value sets.

use serde::{Deserialize, Serialize};

use crate::sendethic::operations::{OperationStatus, Receivers, ScheduleInfo};
use crate::sendethic::types::{OperationId, Timestamp};
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
