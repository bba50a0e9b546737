//! Email and SMS operations of `FakeSendethic` (`/emailing`, `/sms`): a state machine
//! (edited → running → completed, suspend/resume), receivers resolved against the stored
//! contacts and segments, credits spent, and recorded test, transactional and SMS sends.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::FakeSendethic;
use super::call::{Call, bad_request, int_field, message, no_route, not_found, page_size};
use super::segments;
use super::state::State;
use crate::testing::core::Reply;

/// A send the fake recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SentMessage {
    /// A test of an email operation.
    Test {
        /// The operation.
        operation: i64,
        /// The test recipient.
        recipient: String,
    },
    /// A transactional email.
    Transactional {
        /// The operation whose content was used.
        operation: i64,
        /// The recipient.
        recipient: String,
        /// The personalisation data.
        data: BTreeMap<String, String>,
    },
    /// A single SMS.
    Sms {
        /// The mobile number.
        mobile: String,
        /// The text.
        message: String,
    },
    /// An approved email or SMS operation, with its resolved recipients.
    Campaign {
        /// `emailing` or `sms`.
        channel: &'static str,
        /// The operation.
        operation: i64,
        /// The recipients' contact keys (or mobiles).
        recipients: Vec<String>,
    },
}

const EMAILING: &str = "emailing";
const SMS: &str = "sms";

/// A stored operation: its body as written, its status and, once approved, its recipients.
#[derive(Debug)]
struct Operation {
    body: Map<String, Value>,
    status: &'static str,
    polls_while_running: u32,
    recipients: Vec<String>,
}

/// Operations by (channel, id) and the sends recorded.
#[derive(Debug)]
pub(super) struct Campaigns {
    ops: BTreeMap<(&'static str, i64), Operation>,
    sent: Vec<SentMessage>,
    /// GETs of a running operation before it completes.
    complete_after: u32,
}

impl Default for Campaigns {
    fn default() -> Self {
        Self {
            ops: BTreeMap::new(),
            sent: Vec::new(),
            complete_after: 1,
        }
    }
}

impl Campaigns {
    /// Whether this email operation exists.
    pub(super) fn has_email(&self, id: i64) -> bool {
        self.ops.contains_key(&(EMAILING, id))
    }

    /// The resolved recipients of an email operation (none before approval).
    pub(super) fn email_recipients(&self, id: i64) -> Vec<String> {
        self.ops
            .get(&(EMAILING, id))
            .map(|o| o.recipients.clone())
            .unwrap_or_default()
    }

    fn op_json(&self, channel: &'static str, id: i64, full: bool) -> Option<Value> {
        let op = self.ops.get(&(channel, id))?;
        let mut body = op.body.clone();
        body.insert("id".into(), json!(id));
        body.insert("status".into(), json!(op.status));
        body.insert(
            "reportLink".into(),
            json!(format!("https://reports.example/{channel}/{id}")),
        );
        if !full {
            body.insert("receivers".into(), Value::Null);
            body.insert("schedule".into(), Value::Null);
        }
        Some(Value::Object(body))
    }
}

/// A trimmed, non-empty string member of the body.
fn text_of<'a>(call: &'a Call<'_>, key: &str) -> Option<&'a str> {
    call.str(key).map(str::trim).filter(|s| !s.is_empty())
}

/// `/emailing/...` (the activity exports aside).
pub(super) fn emailing(state: &mut State, call: &Call<'_>) -> Reply {
    match (call.method, call.rest) {
        ("POST", ["test", id]) => send_test(state, call, id),
        ("POST", ["sendsmtp", id]) => send_transactional(state, call, id),
        _ => operations(state, EMAILING, call),
    }
}

/// `/sms/...`.
pub(super) fn sms(state: &mut State, call: &Call<'_>) -> Reply {
    match (call.method, call.rest) {
        ("POST", ["send"]) => send_sms(state, call),
        _ => operations(state, SMS, call),
    }
}

/// The routes both channels share.
fn operations(state: &mut State, channel: &'static str, call: &Call<'_>) -> Reply {
    let id_of = |s: &str| s.parse::<i64>().ok();
    match (call.method, call.rest) {
        ("POST", []) => create(state, channel, call),
        ("PUT", []) => update(state, channel, call),
        ("PUT", [action @ ("approve" | "suspend" | "resume"), id]) => match id_of(id) {
            Some(id) => transition(state, channel, action, id),
            None => not_found("Operation"),
        },
        ("GET", ["operation", id]) => match id_of(id) {
            Some(id) => read(&mut state.campaigns, channel, id),
            None => not_found("Operation"),
        },
        ("DELETE", ["operation", id]) => {
            let campaigns = &mut state.campaigns;
            match id_of(id).and_then(|id| Some((id, campaigns.op_json(channel, id, true)?))) {
                Some((id, v)) => {
                    campaigns.ops.remove(&(channel, id));
                    Reply::Json(200, v)
                }
                None => not_found("Operation"),
            }
        }
        ("GET", [size]) => list(&state.campaigns, channel, size, |_| true),
        ("GET", ["status", status, size]) => list(&state.campaigns, channel, size, |op| {
            op.status.eq_ignore_ascii_case(status)
        }),
        ("POST", ["search", size]) => {
            let wanted: Vec<i64> = call
                .body
                .and_then(|b| b.get("importIds"))
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_i64).collect())
                .unwrap_or_default();
            list(&state.campaigns, channel, size, |op| {
                op.body
                    .get("receivers")
                    .and_then(|r| r.get("importIds"))
                    .and_then(Value::as_array)
                    .is_some_and(|ids| {
                        ids.iter()
                            .filter_map(Value::as_i64)
                            .any(|i| wanted.contains(&i))
                    })
            })
        }
        _ => no_route(call.method, call.path),
    }
}

/// Reads an operation; a running one completes after `complete_after` reads.
fn read(campaigns: &mut Campaigns, channel: &'static str, id: i64) -> Reply {
    if let Some(op) = campaigns.ops.get_mut(&(channel, id))
        && op.status == "running"
    {
        op.polls_while_running += 1;
        if op.polls_while_running >= campaigns.complete_after {
            op.status = "completed";
        }
    }
    campaigns
        .op_json(channel, id, true)
        .map_or_else(|| not_found("Operation"), |v| Reply::Json(200, v))
}

fn create(state: &mut State, channel: &'static str, call: &Call<'_>) -> Reply {
    let Some(obj) = call.body.and_then(Value::as_object) else {
        return bad_request("A JSON body is required.");
    };
    let required: &[&str] = if channel == SMS {
        &["name"]
    } else {
        &["name", "subject", "replyTo"]
    };
    if let Some(field) = required.iter().find(|k| text_of(call, k).is_none()) {
        return bad_request(format!("{field} is required."));
    }
    if text_of(call, "name").is_some_and(|n| n.chars().count() > 256) {
        return bad_request("name is limited to 256 characters.");
    }
    let id = state.new_id();
    let mut stored: Map<String, Value> = obj
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    stored.remove("id");
    stored.remove("status");
    let campaigns = &mut state.campaigns;
    campaigns.ops.insert(
        (channel, id),
        Operation {
            body: stored,
            status: "edited",
            polls_while_running: 0,
            recipients: Vec::new(),
        },
    );
    Reply::Json(
        201,
        campaigns.op_json(channel, id, true).unwrap_or(Value::Null),
    )
}

fn update(state: &mut State, channel: &'static str, call: &Call<'_>) -> Reply {
    let Some(id) = int_field(call.body, "id") else {
        return bad_request("id is required.");
    };
    let Some(op) = state.campaigns.ops.get_mut(&(channel, id)) else {
        return not_found("Operation");
    };
    if op.status == "completed" || op.status == "running" {
        return bad_request("A sent operation cannot be modified.");
    }
    if let Some(obj) = call.body.and_then(Value::as_object) {
        for (k, v) in obj {
            if k != "id" && k != "status" && !v.is_null() {
                op.body.insert(k.clone(), v.clone());
            }
        }
    }
    message("Operation updated.")
}

fn transition(state: &mut State, channel: &'static str, action: &str, id: i64) -> Reply {
    let Some(status) = state.campaigns.ops.get(&(channel, id)).map(|op| op.status) else {
        return not_found("Operation");
    };
    let next = match (action, status) {
        ("approve", "edited") => return approve(state, channel, id),
        ("suspend", "running") => ("suspended", "Operation suspended."),
        ("resume", "suspended") => ("running", "Operation resumed."),
        (_, status) => {
            return bad_request(format!("Cannot {action} an operation that is {status}."));
        }
    };
    if let Some(op) = state.campaigns.ops.get_mut(&(channel, id)) {
        op.status = next.0;
    }
    message(next.1)
}

/// Resolves the receivers, spends the credits, starts the operation and records the send.
fn approve(state: &mut State, channel: &'static str, id: i64) -> Reply {
    let receivers = state
        .campaigns
        .ops
        .get(&(channel, id))
        .and_then(|op| op.body.get("receivers").cloned())
        .unwrap_or(Value::Null);
    let resolved = resolve(state, &receivers);
    let recipients: Vec<String> = if channel == SMS {
        resolved
            .into_iter()
            .filter_map(|(_, mobile)| mobile)
            .collect()
    } else {
        resolved.into_iter().map(|(key, _)| key).collect()
    };
    let kind = if channel == SMS { "sms" } else { "marketing" };
    if let Err(refusal) = state.account.spend(kind, recipients.len()) {
        return refusal;
    }
    let campaigns = &mut state.campaigns;
    if let Some(op) = campaigns.ops.get_mut(&(channel, id)) {
        op.status = "running";
        op.recipients.clone_from(&recipients);
    }
    campaigns.sent.push(SentMessage::Campaign {
        channel,
        operation: id,
        recipients,
    });
    message("Operation approved.")
}

/// Receivers (`segmentIds`, `contactIds`) as sorted, distinct `(contact key, mobile)` pairs.
fn resolve(state: &State, receivers: &Value) -> Vec<(String, Option<String>)> {
    let ids = |key: &str| -> Vec<i64> {
        receivers
            .get(key)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| int_field(Some(&json!({ "v": v })), "v"))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut keys: Vec<String> = Vec::new();
    for id in ids("segmentIds") {
        if let Some(s) = state.segments.get(&id) {
            keys.extend(segments::members(&state.contacts, s, state.now()));
        }
    }
    let wanted = ids("contactIds");
    keys.extend(
        state
            .contacts
            .iter()
            .filter(|(_, c)| wanted.contains(&c.id))
            .map(|(k, _)| k.clone()),
    );
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .map(|k| {
            let mobile = state
                .contacts
                .get(&k)
                .and_then(|c| c.attrs.get("mobile").cloned());
            (k, mobile)
        })
        .collect()
}

/// The newest `size` operations of a channel that `keep` selects, without their receivers
/// and schedule.
fn list(
    campaigns: &Campaigns,
    channel: &'static str,
    size: &str,
    keep: impl Fn(&Operation) -> bool,
) -> Reply {
    let Some(size) = page_size(size) else {
        return bad_request("size must be between 1 and 500.");
    };
    let list: Vec<Value> = campaigns
        .ops
        .iter()
        .rev()
        .filter(|((c, _), op)| *c == channel && keep(op))
        .take(size)
        .filter_map(|((c, id), _)| campaigns.op_json(c, *id, false))
        .collect();
    Reply::Json(200, Value::Array(list))
}

fn send_test(state: &mut State, call: &Call<'_>, id: &str) -> Reply {
    let Some(recipient) = text_of(call, "recipientUser") else {
        return bad_request("recipientUser is required.");
    };
    let campaigns = &mut state.campaigns;
    match id.parse::<i64>().ok().filter(|id| campaigns.has_email(*id)) {
        Some(operation) => {
            campaigns.sent.push(SentMessage::Test {
                operation,
                recipient: recipient.to_owned(),
            });
            Reply::Json(201, json!("Test sent."))
        }
        None => not_found("Operation"),
    }
}

fn send_transactional(state: &mut State, call: &Call<'_>, id: &str) -> Reply {
    let Some(recipient) = text_of(call, "recipientEmail") else {
        return bad_request("recipientEmail is required.");
    };
    let Some(operation) = id
        .parse::<i64>()
        .ok()
        .filter(|id| state.campaigns.has_email(*id))
    else {
        return not_found("Operation");
    };
    if let Err(refusal) = state.account.spend("transactional", 1) {
        return refusal;
    }
    let data = call
        .body
        .and_then(|b| b.get("recipientDatas"))
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    state.campaigns.sent.push(SentMessage::Transactional {
        operation,
        recipient: recipient.to_owned(),
        data,
    });
    message("Email sent.")
}

fn send_sms(state: &mut State, call: &Call<'_>) -> Reply {
    let (Some(mobile), Some(text)) = (text_of(call, "mobile"), text_of(call, "message")) else {
        return bad_request("mobile and message are required.");
    };
    if !mobile.starts_with('+') {
        return bad_request("mobile must be in international format.");
    }
    if let Err(refusal) = state.account.spend("sms", 1) {
        return refusal;
    }
    state.campaigns.sent.push(SentMessage::Sms {
        mobile: mobile.to_owned(),
        message: text.to_owned(),
    });
    message("1 SMS sent.")
}

impl FakeSendethic {
    /// Every send the fake recorded: tests, transactional mails, single SMS and approved
    /// operations with their recipients.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// assert!(fake.sent().is_empty());
    /// # }
    /// ```
    #[must_use]
    pub fn sent(&self) -> Vec<SentMessage> {
        self.state().campaigns.sent.clone()
    }

    /// How many reads of a running operation it takes to complete (default 1).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// fake.set_operations_complete_after(3);
    /// # }
    /// ```
    pub fn set_operations_complete_after(&self, reads: u32) {
        self.state().campaigns.complete_after = reads.max(1);
    }
}
