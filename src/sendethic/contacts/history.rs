//! A contact's history: the timeline read back (`ContactHistory`) and the entries added.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::model::null_default;
use super::validate::check_key;
use crate::error::{Error, Result};
use crate::sendethic::types::{Timestamp, format_with_offset};

/// The most history entries one read returns.
pub const MAX_HISTORY_SIZE: u32 = 500;

/// A contact's activity timeline (`ContactHistory`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ContactHistory {
    /// The contact key.
    #[serde(default, deserialize_with = "crate::wire::lenient::opt_string")]
    pub contact_key: Option<String>,
    /// Whether the contact was found (`contactFound`, an int).
    #[serde(default, deserialize_with = "crate::wire::lenient::int")]
    pub contact_found: i64,
    /// Number of records (`records`).
    #[serde(default, deserialize_with = "crate::wire::lenient::int")]
    pub records: i64,
    /// The entries, most recent first.
    #[serde(default, deserialize_with = "null_default")]
    pub logs: Vec<ContactLog>,
}

/// One history entry (`ContactLog`, Pascal case on the wire). `Type` and `Group` have
/// undocumented value sets and are kept as strings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ContactLog {
    /// Entry id.
    #[serde(default, deserialize_with = "crate::wire::lenient::int")]
    pub id: i64,
    /// Entry type (open value set).
    #[serde(default, deserialize_with = "crate::wire::lenient::opt_string")]
    pub r#type: Option<String>,
    /// Object.
    #[serde(default, deserialize_with = "crate::wire::lenient::opt_string")]
    pub object: Option<String>,
    /// Title.
    #[serde(default, deserialize_with = "crate::wire::lenient::opt_string")]
    pub title: Option<String>,
    /// Date (format undocumented; parsed leniently).
    #[serde(default)]
    pub date: Option<Timestamp>,
    /// Group (open value set).
    #[serde(default, deserialize_with = "crate::wire::lenient::opt_string")]
    pub group: Option<String>,
    /// Operation id (important for triggers).
    #[serde(default, deserialize_with = "crate::wire::lenient::int")]
    pub operation_id: i64,
    /// Log date (`yyyy-MM-dd HH:mm:ss+0000`).
    #[serde(default)]
    pub log_date: Option<Timestamp>,
}

/// A history entry to add: the server uses only `Title`, `OperationId` and `LogDate`.
///
/// ```
/// use chrono::Utc;
/// let log = relance::sendethic::NewContactLog::new("Order #1001 shipped", Utc::now()).operation_id(42);
/// # let _ = log;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewContactLog {
    title: String,
    operation_id: Option<i64>,
    at: DateTime<Utc>,
}

impl NewContactLog {
    /// An entry with a title, dated `at` (sent as `yyyy-MM-dd HH:mm:ss+0000`).
    ///
    /// ```
    /// let log = relance::sendethic::NewContactLog::new("Visited", chrono::Utc::now());
    /// # let _ = log;
    /// ```
    #[must_use]
    pub fn new(title: impl Into<String>, at: DateTime<Utc>) -> Self {
        Self {
            title: title.into(),
            operation_id: None,
            at,
        }
    }

    /// The operation the entry belongs to (used by triggers).
    ///
    /// ```
    /// let log = relance::sendethic::NewContactLog::new("Visited", chrono::Utc::now()).operation_id(7);
    /// # let _ = log;
    /// ```
    #[must_use]
    pub fn operation_id(mut self, id: i64) -> Self {
        self.operation_id = Some(id);
        self
    }
}

#[derive(Serialize)]
struct WireLog {
    #[serde(rename = "Title")]
    title: String,
    #[serde(rename = "OperationId", skip_serializing_if = "Option::is_none")]
    operation_id: Option<i64>,
    #[serde(rename = "LogDate")]
    log_date: String,
}

#[derive(Serialize)]
pub(crate) struct WireHistory {
    #[serde(rename = "contactKey")]
    key: String,
    logs: Vec<WireLog>,
}

/// The body of `POST /contact/history`, checked: a valid key and at least one entry, each
/// with a title.
pub(crate) fn new_history(
    key: &str,
    logs: impl IntoIterator<Item = NewContactLog>,
) -> Result<WireHistory> {
    let logs: Vec<WireLog> = logs
        .into_iter()
        .map(|l| WireLog {
            title: l.title,
            operation_id: l.operation_id,
            log_date: format_with_offset(l.at),
        })
        .collect();
    if let Err(e) = check_key(key) {
        Err(Error::invalid(key, e))
    } else if logs.is_empty() {
        Err(Error::invalid(key, "no history entry to add"))
    } else if logs.iter().any(|l| l.title.trim().is_empty()) {
        Err(Error::invalid(key, "a history entry has an empty title"))
    } else {
        Ok(WireHistory {
            key: key.trim().to_owned(),
            logs,
        })
    }
}
