//! Activity exports of `FakeSendethic` (`/emailing/export...`), the source of campaign
//! statistics: a job that becomes ready after some polls and links to a zip holding a CSV of
//! opens and clicks per recipient.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use super::call::{Call, bad_request, no_route, not_found, page_size};
use super::state::State;
use crate::testing::core::{Reply, now, zip_one};

#[derive(Debug)]
struct Export {
    body: Map<String, Value>,
    polls: u32,
}

impl Export {
    fn json(&self, id: i64) -> Value {
        let mut body = self.body.clone();
        body.insert("id".into(), json!(id));
        Value::Object(body)
    }
}

/// The activity exports by id.
#[derive(Debug)]
pub(super) struct ActivityExports {
    exports: BTreeMap<i64, Export>,
    /// GETs of an export before its link is set.
    pub(super) ready_after: u32,
}

impl Default for ActivityExports {
    fn default() -> Self {
        Self {
            exports: BTreeMap::new(),
            ready_after: 1,
        }
    }
}

/// `/emailing/export/...`.
pub(super) fn export(state: &mut State, call: &Call<'_>) -> Reply {
    match (call.method, call.rest) {
        ("POST", ["add", id]) => add(state, call, id),
        ("GET", ["file", name]) => file(state, name),
        ("GET", [id]) => poll(state, call.base_url, id),
        _ => no_route(call.method, call.path),
    }
}

/// `/emailing/exports/{size}`: the newest exports.
pub(super) fn list(state: &mut State, call: &Call<'_>) -> Reply {
    let ("GET", [size]) = (call.method, call.rest) else {
        return no_route(call.method, call.path);
    };
    let Some(size) = page_size(size) else {
        return bad_request("size must be between 1 and 500.");
    };
    let list: Vec<Value> = state
        .exports
        .exports
        .iter()
        .rev()
        .take(size)
        .map(|(id, e)| e.json(*id))
        .collect();
    Reply::Json(200, Value::Array(list))
}

fn add(state: &mut State, call: &Call<'_>, operation: &str) -> Reply {
    let Some(op) = operation
        .parse::<i64>()
        .ok()
        .filter(|id| state.campaigns.has_email(*id))
    else {
        return not_found("Operation");
    };
    let export_id = state.new_id();
    let mut map = Map::new();
    map.insert("referenceId".into(), json!(op));
    map.insert("status".into(), json!("InProgress"));
    for key in ["name", "startDate", "endDate"] {
        if let Some(v) = call.str(key).map(str::trim).filter(|s| !s.is_empty()) {
            map.insert(key.into(), json!(v));
        }
    }
    let export = Export {
        body: map,
        polls: 0,
    };
    let out = export.json(export_id);
    state.exports.exports.insert(export_id, export);
    Reply::Json(200, out)
}

fn poll(state: &mut State, base_url: &str, id: &str) -> Reply {
    let exports = &mut state.exports;
    let Some((id, export)) = id
        .parse::<i64>()
        .ok()
        .and_then(|id| exports.exports.get_mut(&id).map(|e| (id, e)))
    else {
        return not_found("Export");
    };
    export.polls += 1;
    if export.polls >= exports.ready_after && !export.body.contains_key("link") {
        export.body.insert("status".into(), json!("Done"));
        export.body.insert(
            "link".into(),
            json!(format!("{base_url}emailing/export/file/activity_{id}.zip")),
        );
    }
    Reply::Json(200, export.json(id))
}

fn file(state: &State, name: &str) -> Reply {
    let id = name
        .strip_prefix("activity_")
        .and_then(|s| s.strip_suffix(".zip"))
        .and_then(|s| s.parse::<i64>().ok());
    let Some(export) = id
        .and_then(|id| state.exports.exports.get(&id))
        .filter(|e| e.body.contains_key("link"))
    else {
        return not_found("File");
    };
    let op = export
        .body
        .get("referenceId")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let recipients = state.campaigns.email_recipients(op);
    match zip_one(
        &format!("activity_{op}.csv"),
        &activity_csv(op, &recipients),
    ) {
        Ok(bytes) => Reply::Bytes(200, bytes, "application/zip"),
        Err(e) => Reply::Json(500, json!({ "Message": e.to_string() })),
    }
}

/// A deterministic activity file: per recipient, opens and clicks derived from a seeded
/// generator. Only column names the API documents (contact export fields) are used.
fn activity_csv(operation: i64, recipients: &[String]) -> String {
    let mut rng = fastrand::Rng::with_seed(u64::try_from(operation).unwrap_or(0));
    let now = now();
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
    csv
}
