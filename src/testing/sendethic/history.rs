//! Contact history of `FakeSendethic` (`/contact/history`): custom logs appended per
//! contact, read back newest first.

use serde_json::{Value, json};

use super::FakeSendethic;
use super::call::{Call, bad_request, int_field, message, not_found, page_size};
use super::contacts::{ContactRec, normalize_key};
use super::state::State;
use crate::sendethic::{ContactLog, Timestamp};
use crate::testing::core::{Reply, now};

/// A stored log line.
#[derive(Debug, Clone)]
pub(super) struct LogRec {
    id: i64,
    title: String,
    operation_id: i64,
    log_date: String,
    date: String,
}

/// The last `size` logs of a contact, newest first, as the service writes them.
fn history_json(c: &ContactRec, size: usize) -> Vec<Value> {
    let mut logs = c.history.clone();
    logs.sort_by(|a, b| {
        let key = |l: &LogRec| Timestamp::parse(l.log_date.clone()).datetime();
        key(b).cmp(&key(a)).then(b.id.cmp(&a.id))
    });
    logs.iter()
        .take(size)
        .map(|l| {
            json!({ "Id": l.id, "Type": "Custom", "Object": null, "Title": l.title,
                    "Date": l.date, "Group": null, "OperationId": l.operation_id,
                    "LogDate": l.log_date })
        })
        .collect()
}

/// `GET /contact/history/{key}/{size}`.
pub(super) fn read(state: &State, key: &str, size: &str) -> Reply {
    let Some(size) = page_size(size) else {
        return bad_request("size must be 1 to 500.");
    };
    match state.contacts.get(&normalize_key(key)) {
        Some(c) => Reply::Json(
            200,
            json!({ "contactKey": c.key, "contactFound": 1, "records": c.history.len(),
                    "logs": history_json(c, size) }),
        ),
        None => Reply::Json(
            200,
            json!({ "contactKey": key, "contactFound": 0, "records": 0, "logs": [] }),
        ),
    }
}

/// `POST /contact/history`: appends every log or none (400 on the first invalid one, 404
/// for an unknown contact).
pub(super) fn append(state: &mut State, call: &Call<'_>) -> Reply {
    let key = call.str("contactKey").unwrap_or("");
    let Some(logs) = call
        .body
        .and_then(|b| b.get("logs"))
        .and_then(Value::as_array)
    else {
        return bad_request("logs is required.");
    };
    let mut new = Vec::new();
    for l in logs {
        let title = l.get("Title").and_then(Value::as_str).unwrap_or("");
        let date = l.get("LogDate").and_then(Value::as_str).unwrap_or("");
        if title.trim().is_empty() {
            return bad_request("Title is required.");
        }
        if !date.trim_end().ends_with("+0000") || Timestamp::parse(date).datetime().is_none() {
            return bad_request("LogDate must be yyyy-MM-dd HH:mm:ss+0000.");
        }
        new.push((
            title.to_owned(),
            int_field(Some(l), "OperationId").unwrap_or(0),
            date.to_owned(),
        ));
    }
    let norm = normalize_key(key);
    if !state.contacts.contains_key(&norm) {
        return not_found("Contact");
    }
    let count = new.len();
    for (title, operation_id, log_date) in new {
        let id = state.new_id();
        if let Some(c) = state.contacts.get_mut(&norm) {
            c.history.push(LogRec {
                id,
                title,
                operation_id,
                log_date,
                date: now(),
            });
        }
    }
    message(format!("{count} log(s) added."))
}

impl FakeSendethic {
    /// A contact's history, newest first (empty for an unknown contact).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// assert!(fake.contact_history("ann@example.com").is_empty());
    /// # }
    /// ```
    #[must_use]
    pub fn contact_history(&self, key: &str) -> Vec<ContactLog> {
        self.state()
            .contacts
            .get(&normalize_key(key))
            .map(|c| {
                history_json(c, usize::MAX)
                    .into_iter()
                    .filter_map(|v| serde_json::from_value(v).ok())
                    .collect()
            })
            .unwrap_or_default()
    }
}
