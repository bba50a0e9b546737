//! The fake's email and SMS operations: a state machine (edited → running → completed,
//! suspend/resume), recorded test, transactional and SMS sends, credits, and activity exports
//! that produce a zip holding a CSV.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;

use chrono::Utc;
use serde_json::{Map, Value, json};

/// Where a reply goes: status and JSON body, or raw bytes.
pub(super) enum Out {
    Json(u16, Value),
    Bytes(u16, Vec<u8>, &'static str),
}

fn bad(message: impl Into<String>) -> Out {
    Out::Json(400, json!({ "Message": message.into() }))
}

fn missing(what: &str) -> Out {
    Out::Json(404, json!({ "Message": format!("{what} not found.") }))
}

fn text(s: impl Into<String>) -> Out {
    Out::Json(200, Value::String(s.into()))
}

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

#[derive(Debug)]
struct Operation {
    body: Map<String, Value>,
    status: &'static str,
    polls_while_running: u32,
    recipients: Vec<String>,
}

#[derive(Debug)]
struct Export {
    body: Map<String, Value>,
    polls: u32,
}

/// Campaign state of the fake.
#[derive(Debug)]
pub(super) struct Campaigns {
    ops: BTreeMap<(&'static str, i64), Operation>,
    exports: BTreeMap<i64, Export>,
    pub(super) sent: Vec<SentMessage>,
    /// GETs of a running operation before it completes.
    pub(super) complete_after: u32,
    /// GETs of an export before its link is set.
    pub(super) export_ready_after: u32,
}

impl Default for Campaigns {
    fn default() -> Self {
        Self {
            ops: BTreeMap::new(),
            exports: BTreeMap::new(),
            sent: Vec::new(),
            complete_after: 1,
            export_ready_after: 1,
        }
    }
}

/// Resolves receivers to `(contact key, mobile)` pairs.
pub(super) type Resolver<'a> = &'a dyn Fn(&Value) -> Vec<(String, Option<String>)>;

/// What the router gives the campaign module from the rest of the fake.
pub(super) struct Env<'a> {
    pub(super) next_id: &'a mut i64,
    pub(super) credits: &'a mut BTreeMap<&'static str, (i64, i64)>,
    /// Resolves receivers to contact keys (email) and mobiles.
    pub(super) resolve: Resolver<'a>,
    pub(super) base_url: &'a str,
}

fn str_of<'a>(body: Option<&'a Value>, key: &str) -> Option<&'a str> {
    body.and_then(|b| b.get(key))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn spend(env: &mut Env<'_>, kind: &'static str, n: usize) -> Result<(), Out> {
    let n = i64::try_from(n).unwrap_or(i64::MAX);
    let (used, total) = env.credits.get(kind).copied().unwrap_or((0, 0));
    if total - used < n {
        return Err(bad(format!("Not enough {kind} credits.")));
    }
    env.credits.insert(kind, (used + n, total));
    Ok(())
}

impl Campaigns {
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

    /// Routes `/emailing/...` and `/sms/...`.
    #[allow(clippy::too_many_lines)] // one match over the documented routes
    pub(super) fn route(
        &mut self,
        env: &mut Env<'_>,
        method: &str,
        segs: &[&str],
        body: Option<&Value>,
    ) -> Out {
        let channel: &'static str = if segs.first() == Some(&"sms") {
            "sms"
        } else {
            "emailing"
        };
        let rest = &segs[1..];
        let id_of = |s: &str| s.parse::<i64>().ok();
        match (method, rest) {
            ("POST", []) => self.create(env, channel, body),
            ("PUT", []) => self.update(channel, body),
            ("PUT", [action @ ("approve" | "suspend" | "resume"), id]) => match id_of(id) {
                Some(id) => self.transition(env, channel, action, id),
                None => missing("Operation"),
            },
            ("GET", ["operation", id]) => match id_of(id) {
                Some(id) => {
                    if let Some(op) = self.ops.get_mut(&(channel, id))
                        && op.status == "running"
                    {
                        op.polls_while_running += 1;
                        if op.polls_while_running >= self.complete_after {
                            op.status = "completed";
                        }
                    }
                    self.op_json(channel, id, true)
                        .map_or_else(|| missing("Operation"), |v| Out::Json(200, v))
                }
                None => missing("Operation"),
            },
            ("DELETE", ["operation", id]) => match id_of(id) {
                Some(id) => match self.op_json(channel, id, true) {
                    Some(v) => {
                        self.ops.remove(&(channel, id));
                        Out::Json(200, v)
                    }
                    None => missing("Operation"),
                },
                None => missing("Operation"),
            },
            ("GET", [size]) => self.list(channel, size, None),
            ("GET", ["status", status, size]) => self.list(channel, size, Some(status)),
            ("POST", ["search", size]) => self.search(channel, size, body),
            ("POST", ["send"]) if channel == "sms" => self.send_sms(env, body),
            ("POST", ["test", id]) if channel == "emailing" => {
                let Some(recipient) = str_of(body, "recipientUser") else {
                    return bad("recipientUser is required.");
                };
                match id_of(id).filter(|id| self.ops.contains_key(&(channel, *id))) {
                    Some(operation) => {
                        self.sent.push(SentMessage::Test {
                            operation,
                            recipient: recipient.to_owned(),
                        });
                        Out::Json(201, json!("Test sent."))
                    }
                    None => missing("Operation"),
                }
            }
            ("POST", ["sendsmtp", id]) if channel == "emailing" => {
                let Some(recipient) = str_of(body, "recipientEmail") else {
                    return bad("recipientEmail is required.");
                };
                let Some(operation) = id_of(id).filter(|id| self.ops.contains_key(&(channel, *id)))
                else {
                    return missing("Operation");
                };
                if let Err(out) = spend(env, "transactional", 1) {
                    return out;
                }
                let data = body
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
                self.sent.push(SentMessage::Transactional {
                    operation,
                    recipient: recipient.to_owned(),
                    data,
                });
                text("Email sent.")
            }
            ("POST", ["export", "add", id]) if channel == "emailing" => {
                self.add_export(env, id, body)
            }
            ("GET", ["export", id]) if channel == "emailing" => self.get_export(env, id),
            ("GET", ["exports", size]) if channel == "emailing" => {
                let Some(size) = size.parse::<usize>().ok().filter(|s| (1..=500).contains(s))
                else {
                    return bad("size must be between 1 and 500.");
                };
                let list: Vec<Value> = self
                    .exports
                    .iter()
                    .rev()
                    .take(size)
                    .map(|(id, e)| export_json(*id, e))
                    .collect();
                Out::Json(200, Value::Array(list))
            }
            ("GET", ["export", "file", name]) if channel == "emailing" => self.export_file(name),
            _ => Out::Json(404, json!({ "Message": "No HTTP resource was found." })),
        }
    }

    fn create(&mut self, env: &mut Env<'_>, channel: &'static str, body: Option<&Value>) -> Out {
        let Some(obj) = body.and_then(Value::as_object) else {
            return bad("A JSON body is required.");
        };
        let required: &[&str] = if channel == "sms" {
            &["name"]
        } else {
            &["name", "subject", "replyTo"]
        };
        if let Some(field) = required.iter().find(|k| str_of(body, k).is_none()) {
            return bad(format!("{field} is required."));
        }
        if str_of(body, "name").is_some_and(|n| n.chars().count() > 256) {
            return bad("name is limited to 256 characters.");
        }
        *env.next_id += 1;
        let id = *env.next_id;
        let mut stored: Map<String, Value> = obj
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        stored.remove("id");
        stored.remove("status");
        self.ops.insert(
            (channel, id),
            Operation {
                body: stored,
                status: "edited",
                polls_while_running: 0,
                recipients: Vec::new(),
            },
        );
        Out::Json(201, self.op_json(channel, id, true).unwrap_or(Value::Null))
    }

    fn update(&mut self, channel: &'static str, body: Option<&Value>) -> Out {
        let Some(id) = body.and_then(|b| b.get("id")).and_then(|v| {
            v.as_i64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        }) else {
            return bad("id is required.");
        };
        let Some(op) = self.ops.get_mut(&(channel, id)) else {
            return missing("Operation");
        };
        if op.status == "completed" || op.status == "running" {
            return bad("A sent operation cannot be modified.");
        }
        if let Some(obj) = body.and_then(Value::as_object) {
            for (k, v) in obj {
                if k != "id" && k != "status" && !v.is_null() {
                    op.body.insert(k.clone(), v.clone());
                }
            }
        }
        text("Operation updated.")
    }

    fn transition(
        &mut self,
        env: &mut Env<'_>,
        channel: &'static str,
        action: &str,
        id: i64,
    ) -> Out {
        let Some(op) = self.ops.get_mut(&(channel, id)) else {
            return missing("Operation");
        };
        match (action, op.status) {
            ("approve", "edited") => {
                let receivers = op.body.get("receivers").cloned().unwrap_or(Value::Null);
                let resolved = (env.resolve)(&receivers);
                let recipients: Vec<String> = if channel == "sms" {
                    resolved
                        .into_iter()
                        .filter_map(|(_, mobile)| mobile)
                        .collect()
                } else {
                    resolved.into_iter().map(|(key, _)| key).collect()
                };
                let kind = if channel == "sms" { "sms" } else { "marketing" };
                if let Err(out) = spend(env, kind, recipients.len()) {
                    return out;
                }
                op.status = "running";
                op.recipients.clone_from(&recipients);
                self.sent.push(SentMessage::Campaign {
                    channel,
                    operation: id,
                    recipients,
                });
                text("Operation approved.")
            }
            ("suspend", "running") => {
                op.status = "suspended";
                text("Operation suspended.")
            }
            ("resume", "suspended") => {
                op.status = "running";
                text("Operation resumed.")
            }
            (_, status) => bad(format!("Cannot {action} an operation that is {status}.")),
        }
    }

    fn list(&self, channel: &'static str, size: &str, status: Option<&str>) -> Out {
        let Some(size) = size.parse::<usize>().ok().filter(|s| (1..=500).contains(s)) else {
            return bad("size must be between 1 and 500.");
        };
        let list: Vec<Value> = self
            .ops
            .iter()
            .rev()
            .filter(|((c, _), op)| {
                *c == channel && status.is_none_or(|s| op.status.eq_ignore_ascii_case(s))
            })
            .take(size)
            .filter_map(|((c, id), _)| self.op_json(c, *id, false))
            .collect();
        Out::Json(200, Value::Array(list))
    }

    fn search(&self, channel: &'static str, size: &str, body: Option<&Value>) -> Out {
        let Some(size) = size.parse::<usize>().ok().filter(|s| (1..=500).contains(s)) else {
            return bad("size must be between 1 and 500.");
        };
        let wanted: Vec<i64> = body
            .and_then(|b| b.get("importIds"))
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_i64).collect())
            .unwrap_or_default();
        let list: Vec<Value> = self
            .ops
            .iter()
            .rev()
            .filter(|((c, _), op)| {
                *c == channel
                    && op
                        .body
                        .get("receivers")
                        .and_then(|r| r.get("importIds"))
                        .and_then(Value::as_array)
                        .is_some_and(|ids| {
                            ids.iter()
                                .filter_map(Value::as_i64)
                                .any(|i| wanted.contains(&i))
                        })
            })
            .take(size)
            .filter_map(|((c, id), _)| self.op_json(c, *id, false))
            .collect();
        Out::Json(200, Value::Array(list))
    }

    fn send_sms(&mut self, env: &mut Env<'_>, body: Option<&Value>) -> Out {
        let (Some(mobile), Some(message)) = (str_of(body, "mobile"), str_of(body, "message"))
        else {
            return bad("mobile and message are required.");
        };
        if !mobile.starts_with('+') {
            return bad("mobile must be in international format.");
        }
        if let Err(out) = spend(env, "sms", 1) {
            return out;
        }
        self.sent.push(SentMessage::Sms {
            mobile: mobile.to_owned(),
            message: message.to_owned(),
        });
        text("1 SMS sent.")
    }

    fn add_export(&mut self, env: &mut Env<'_>, id: &str, body: Option<&Value>) -> Out {
        let Some(op) = id
            .parse::<i64>()
            .ok()
            .filter(|id| self.ops.contains_key(&("emailing", *id)))
        else {
            return missing("Operation");
        };
        *env.next_id += 1;
        let export_id = *env.next_id;
        let mut map = Map::new();
        map.insert("referenceId".into(), json!(op));
        map.insert("status".into(), json!("InProgress"));
        for key in ["name", "startDate", "endDate"] {
            if let Some(v) = str_of(body, key) {
                map.insert(key.into(), json!(v));
            }
        }
        let export = Export {
            body: map,
            polls: 0,
        };
        let out = export_json(export_id, &export);
        self.exports.insert(export_id, export);
        Out::Json(200, out)
    }

    fn get_export(&mut self, env: &Env<'_>, id: &str) -> Out {
        let Some((id, export)) = id
            .parse::<i64>()
            .ok()
            .and_then(|id| self.exports.get_mut(&id).map(|e| (id, e)))
        else {
            return missing("Export");
        };
        export.polls += 1;
        if export.polls >= self.export_ready_after && !export.body.contains_key("link") {
            export.body.insert("status".into(), json!("Done"));
            export.body.insert(
                "link".into(),
                json!(format!(
                    "{}emailing/export/file/activity_{id}.zip",
                    env.base_url
                )),
            );
        }
        Out::Json(200, export_json(id, export))
    }

    fn export_file(&self, name: &str) -> Out {
        let id = name
            .strip_prefix("activity_")
            .and_then(|s| s.strip_suffix(".zip"))
            .and_then(|s| s.parse::<i64>().ok());
        let Some(export) = id
            .and_then(|id| self.exports.get(&id))
            .filter(|e| e.body.contains_key("link"))
        else {
            return missing("File");
        };
        let op = export
            .body
            .get("referenceId")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let recipients = self
            .ops
            .get(&("emailing", op))
            .map(|o| o.recipients.clone())
            .unwrap_or_default();
        match activity_zip(op, &recipients) {
            Ok(bytes) => Out::Bytes(200, bytes, "application/zip"),
            Err(e) => Out::Json(500, json!({ "Message": e.to_string() })),
        }
    }
}

fn export_json(id: i64, e: &Export) -> Value {
    let mut body = e.body.clone();
    body.insert("id".into(), json!(id));
    Value::Object(body)
}

/// A deterministic activity file: per recipient, opens and clicks derived from a seeded
/// generator. Only column names the API documents (contact export fields) are used.
fn activity_zip(operation: i64, recipients: &[String]) -> std::io::Result<Vec<u8>> {
    let mut rng = fastrand::Rng::with_seed(u64::try_from(operation).unwrap_or(0));
    let now = Utc::now().format("%Y-%m-%d %H:%M:%S").to_string();
    let mut csv = String::from(
        "email;emailopenings;emailopeninglastdate;emailclicks;emailclickinglastdate\n",
    );
    for r in recipients {
        let opens = if rng.f64() < 0.45 { rng.u32(1..5) } else { 0 };
        let clicks = if opens > 0 && rng.f64() < 0.35 {
            rng.u32(1..3)
        } else {
            0
        };
        let open_date = if opens > 0 { now.as_str() } else { "" };
        let click_date = if clicks > 0 { now.as_str() } else { "" };
        let _ = writeln!(csv, "{r};{opens};{open_date};{clicks};{click_date}");
    }
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file(format!("activity_{operation}.csv"), options)
            .map_err(std::io::Error::other)?;
        zip.write_all(csv.as_bytes())?;
        zip.finish().map_err(std::io::Error::other)?;
    }
    Ok(out.into_inner())
}
