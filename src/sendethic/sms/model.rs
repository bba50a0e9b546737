//! The SMS operation model.

use serde::{Deserialize, Serialize};

use crate::sendethic::operations::{OperationStatus, Receivers, ScheduleInfo};
use crate::sendethic::types::{OperationId, Timestamp};

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
