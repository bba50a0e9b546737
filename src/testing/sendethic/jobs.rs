//! Import, export and purge jobs of `FakeSendethic` (`/contacts/{import,export,purge}`):
//! each runs at once against the stored contacts, then reports `InProgress` until polled
//! enough, and links to a zip archive (the import or purge report, or the exported CSV).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use super::FakeSendethic;
use super::call::{Call, bad_request, message, method_not_allowed, not_found};
use super::contacts::{self, normalize_key};
use super::segments;
use super::state::State;
use super::upload::{file_lines, split_line, text_field};
use crate::testing::core::{Reply, now, parse_multipart, strings, zip_one};

/// The three kinds of contact jobs, as named in their paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Import,
    Export,
    Purge,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Import => "import",
            Self::Export => "export",
            Self::Purge => "purge",
        }
    }
}

#[derive(Debug)]
struct Job {
    body: Map<String, Value>,
    polls: u32,
    file: Option<Vec<u8>>,
}

/// The jobs by kind and id, and the settings that shape them.
#[derive(Debug)]
pub(super) struct Jobs {
    by_id: BTreeMap<(Kind, i64), Job>,
    /// GETs of a job before it finishes.
    ready_after: u32,
    /// Whether the account allows duplicate contacts (`allowdup` imports).
    allow_duplicates: bool,
}

impl Default for Jobs {
    fn default() -> Self {
        Self {
            by_id: BTreeMap::new(),
            ready_after: 1,
            allow_duplicates: false,
        }
    }
}

impl Jobs {
    /// Stores a new job `InProgress` with its archive; its JSON.
    fn start(
        &mut self,
        kind: Kind,
        id: i64,
        mut body: Map<String, Value>,
        file: Option<Vec<u8>>,
    ) -> Value {
        body.insert("Id".into(), json!(id));
        body.insert("Status".into(), json!("InProgress"));
        body.insert("StartDate".into(), json!(now()));
        let out = Value::Object(body.clone());
        self.by_id.insert(
            (kind, id),
            Job {
                body,
                polls: 0,
                file,
            },
        );
        out
    }
}

/// `/contacts/import/...`.
pub(super) fn imports(state: &mut State, call: &Call<'_>) -> Reply {
    route(state, Kind::Import, call)
}

/// `/contacts/export/...`.
pub(super) fn exports(state: &mut State, call: &Call<'_>) -> Reply {
    route(state, Kind::Export, call)
}

/// `/contacts/purge/...`.
pub(super) fn purges(state: &mut State, call: &Call<'_>) -> Reply {
    route(state, Kind::Purge, call)
}

fn job_not_found() -> Reply {
    not_found("Job")
}

fn route(state: &mut State, kind: Kind, call: &Call<'_>) -> Reply {
    let jobs = &mut state.jobs;
    match (call.method, call.rest) {
        ("POST", ["add"]) => {
            let id = state.new_id();
            match kind {
                Kind::Import => import(state, id, call),
                Kind::Purge => purge(state, id, call),
                Kind::Export => export(state, id, call),
            }
        }
        ("GET", []) => Reply::Json(
            200,
            jobs.by_id
                .iter()
                .filter(|((k, _), _)| *k == kind)
                .map(|(_, j)| Value::Object(j.body.clone()))
                .collect(),
        ),
        ("GET", ["file", name]) => {
            let found = jobs.by_id.iter().find(|((k, _), j)| {
                *k == kind
                    && j.body
                        .get("Link")
                        .and_then(Value::as_str)
                        .is_some_and(|l| l.ends_with(&format!("/{name}")))
            });
            match found.and_then(|(_, j)| j.file.clone()) {
                Some(bytes) => Reply::Bytes(200, bytes, "application/zip"),
                None => job_not_found(),
            }
        }
        ("GET", [id]) => {
            let Some(job) = id
                .parse::<i64>()
                .ok()
                .and_then(|id| jobs.by_id.get_mut(&(kind, id)))
            else {
                return job_not_found();
            };
            job.polls += 1;
            if job.polls >= jobs.ready_after && job.body.get("Status") == Some(&json!("InProgress"))
            {
                let id = job.body.get("Id").and_then(Value::as_i64).unwrap_or(0);
                let (kind, base_url) = (kind.as_str(), call.base_url);
                job.body.insert("Status".into(), json!("Done"));
                job.body.insert(
                    "Link".into(),
                    json!(format!("{base_url}contacts/{kind}/file/{kind}_{id}.zip")),
                );
            }
            Reply::Json(200, Value::Object(job.body.clone()))
        }
        ("DELETE", [id]) => match id
            .parse::<i64>()
            .ok()
            .and_then(|id| jobs.by_id.remove(&(kind, id)))
        {
            Some(_) => message("Job deleted."),
            None => job_not_found(),
        },
        _ => method_not_allowed(),
    }
}

fn import(state: &mut State, id: i64, call: &Call<'_>) -> Reply {
    let Some(parts) = parse_multipart(call.content_type, call.raw) else {
        return bad_request("A multipart/form-data body is required.");
    };
    let Some(name) = text_field(&parts, "name").filter(|n| !n.is_empty()) else {
        return bad_request("name is required.");
    };
    let matchings: Vec<String> =
        match text_field(&parts, "matchings").map(|m| serde_json::from_str(&m)) {
            Some(Ok(m)) => m,
            _ => return bad_request("matchings must be a JSON array of field ids."),
        };
    let Some(key_col) = matchings.iter().position(|m| m == "email") else {
        return bad_request("One column must match the email field.");
    };
    let option =
        text_field(&parts, "duplicateOption").unwrap_or_else(|| "disallowdupupdate".into());
    let mut body = Map::new();
    body.insert("Name".into(), json!(name));
    if option == "allowdup" && !state.jobs.allow_duplicates {
        let out = state.jobs.start(Kind::Import, id, body, None);
        if let Some(job) = state.jobs.by_id.get_mut(&(Kind::Import, id)) {
            job.body.insert(
                "Status".into(),
                json!("Error: duplicates are not allowed on this account"),
            );
        }
        return Reply::Json(201, out);
    }
    let (lines, sep) = match file_lines(&parts) {
        Ok(x) => x,
        Err(out) => return out,
    };
    let (mut read, mut add, mut update, mut dup, mut error) = (0, 0, 0, 0, 0);
    let mut report = String::from("line;status\n");
    for (n, line) in lines.iter().enumerate() {
        read += 1;
        let values = split_line(line, sep);
        let key = values
            .get(key_col)
            .map(|k| normalize_key(k))
            .unwrap_or_default();
        if values.len() != matchings.len() || !key.contains('@') {
            error += 1;
            let _ = writeln!(report, "{};error", n + 1);
            continue;
        }
        let exists = state.contacts.contains_key(&key);
        let attrs: Vec<(String, String)> = matchings.iter().cloned().zip(values).collect();
        match (option.as_str(), exists) {
            ("disallowdup", true) => dup += 1,
            ("allowdup", true) => {
                dup += 1;
                add += 1;
            }
            (_, true) => {
                contacts::import(state, &key, attrs);
                update += 1;
            }
            (_, false) => {
                contacts::import(state, &key, attrs);
                add += 1;
            }
        }
    }
    for (k, v) in [
        ("LineRead", read),
        ("LineDuplicate", dup),
        ("LineAdd", add),
        ("LineUpdate", update),
        ("LineImport", add + update),
        ("LineError", error),
    ] {
        body.insert(k.into(), json!(v));
    }
    let zip = zip_one(&format!("import_{id}.csv"), &report).ok();
    Reply::Json(201, state.jobs.start(Kind::Import, id, body, zip))
}

fn purge(state: &mut State, id: i64, call: &Call<'_>) -> Reply {
    let Some(parts) = parse_multipart(call.content_type, call.raw) else {
        return bad_request("A multipart/form-data body is required.");
    };
    let Some(key_column) = text_field(&parts, "keyColumn")
        .and_then(|s| s.parse::<usize>().ok())
        .filter(|k| *k >= 1)
    else {
        return bad_request("keyColumn is required.");
    };
    let (lines, sep) = match file_lines(&parts) {
        Ok(x) => x,
        Err(out) => return out,
    };
    let mut report = String::from("key;status\n");
    for line in &lines {
        let values = split_line(line, sep);
        let key = values
            .get(key_column - 1)
            .map(|k| normalize_key(k))
            .unwrap_or_default();
        let status = if state.contacts.remove(&key).is_some() {
            "deleted"
        } else {
            "not found"
        };
        let _ = writeln!(report, "{key};{status}");
    }
    let mut body = Map::new();
    body.insert("LineRead".into(), json!(lines.len()));
    let zip = zip_one(&format!("purge_{id}.csv"), &report).ok();
    Reply::Json(201, state.jobs.start(Kind::Purge, id, body, zip))
}

fn export(state: &mut State, id: i64, call: &Call<'_>) -> Reply {
    let Some(name) = call.str("name").filter(|n| !n.trim().is_empty()) else {
        return bad_request("name is required.");
    };
    let segment = call
        .str("description")
        .and_then(|d| d.strip_prefix("segment:"))
        .and_then(|s| s.trim().parse::<i64>().ok());
    let keys = match segment {
        None => state.contacts.keys().cloned().collect(),
        Some(id) => match state.segments.get(&id) {
            Some(s) => segments::members(&state.contacts, s, state.now()),
            None => return not_found("Segment"),
        },
    };
    let filters = strings(call.body.and_then(|b| b.get("filters")));
    let keys: Vec<String> = keys
        .into_iter()
        .filter(|k| {
            let attrs = state.contacts.get(&normalize_key(k)).map(|c| &c.attrs);
            let optin = attrs
                .and_then(|a| a.get("emailoptin"))
                .and_then(|v| crate::sendethic::OptIn::parse(v).is_opted_in());
            let unsubscribed = attrs
                .and_then(|a| a.get("emailunsubscriptiondate"))
                .is_some_and(|d| !d.trim().is_empty());
            filters.iter().all(|f| match f.as_str() {
                "emailingoptin" => optin == Some(true),
                "emailingoptout" => optin == Some(false) || unsubscribed,
                _ => true,
            })
        })
        .collect();
    let mut fields = strings(call.body.and_then(|b| b.get("fields")));
    if fields.is_empty() {
        fields = vec!["email".into()];
    }
    let csv = export_csv(state, &keys, &fields);
    let mut job = Map::new();
    job.insert("Name".into(), json!(name));
    job.insert("TotalContact".into(), json!(keys.len()));
    let zip = zip_one(&format!("export_{id}.csv"), &csv).ok();
    Reply::Json(201, state.jobs.start(Kind::Export, id, job, zip))
}

/// The exported file: a header of field ids, then one line per contact key (the key stands
/// for `email`), quoted where needed.
fn export_csv(state: &State, keys: &[String], fields: &[String]) -> String {
    let mut csv = fields.join(";");
    csv.push('\n');
    for key in keys {
        let row: Vec<String> = fields
            .iter()
            .map(|f| {
                let v = if f == "email" {
                    Some(key.clone())
                } else if f == "modificationdate" {
                    state
                        .contacts
                        .get(&normalize_key(key))
                        .map(|c| c.modified.clone())
                } else {
                    state
                        .contacts
                        .get(&normalize_key(key))
                        .and_then(|c| c.attrs.get(f).cloned())
                };
                let v = v.unwrap_or_default();
                if v.contains([';', '"', '\n', '\r']) {
                    format!("\"{}\"", v.replace('"', "\"\""))
                } else {
                    v
                }
            })
            .collect();
        csv.push_str(&row.join(";"));
        csv.push('\n');
    }
    csv
}

impl FakeSendethic {
    /// How many polls of an activity export, import, export or purge job it takes to be
    /// ready (default 1).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// fake.set_jobs_ready_after(2);
    /// # }
    /// ```
    pub fn set_jobs_ready_after(&self, polls: u32) {
        let mut state = self.state();
        state.exports.ready_after = polls.max(1);
        state.jobs.ready_after = polls.max(1);
    }

    /// Whether the account allows duplicate contacts (`allowdup` imports; default no).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// fake.set_allow_duplicates(true);
    /// # }
    /// ```
    pub fn set_allow_duplicates(&self, allow: bool) {
        self.state().jobs.allow_duplicates = allow;
    }
}
