//! Segments of `FakeSendethic` (`/segment`): unique names, criteria XML checked on write and
//! evaluated against the stored contacts for counts, exports and campaign receivers.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::FakeSendethic;
use super::call::{Call, bad_request, message, method_not_allowed, not_found, parse_id};
use super::contacts::ContactRec;
use super::criteria::evaluate;
use super::state::State;
use crate::sendethic::{Criteria, CriteriaItem, Mode, Segment};
use crate::testing::core::{Reply, now};

/// A stored segment; members the service does not document are kept in `extra`.
#[derive(Debug, Clone)]
pub(super) struct SegmentRec {
    id: i64,
    name: String,
    mode: String,
    description: Option<String>,
    details: String,
    created: String,
    extra: Map<String, Value>,
}

fn segment_json(s: &SegmentRec) -> Value {
    let mut v = Map::new();
    v.insert("id".into(), json!(s.id));
    v.insert("name".into(), json!(s.name));
    v.insert("mode".into(), json!(s.mode));
    v.insert("description".into(), json!(s.description));
    v.insert("creationDate".into(), json!(s.created));
    v.insert("details".into(), json!(s.details));
    for (k, x) in &s.extra {
        v.entry(k.clone()).or_insert_with(|| x.clone());
    }
    Value::Object(v)
}

/// `/segment/...`.
pub(super) fn route(state: &mut State, call: &Call<'_>) -> Reply {
    let find = |id: &str| parse_id(id).and_then(|id| state.segments.get(&id));
    match (call.method, call.rest) {
        ("GET", []) => Reply::Json(
            200,
            Value::Array(state.segments.values().map(segment_json).collect()),
        ),
        ("GET", ["updatecache", id]) => match find(id) {
            Some(s) => message(members(&state.contacts, s, state.now()).len().to_string()),
            None => not_found("Segment"),
        },
        ("GET", [id]) => match find(id) {
            Some(s) => Reply::Json(200, segment_json(s)),
            None => not_found("Segment"),
        },
        ("POST", []) => create(state, call),
        ("PUT", []) => update(state, call),
        ("DELETE", [id]) => match parse_id(id).and_then(|id| state.segments.remove(&id)) {
            Some(_) => message("Segment deleted."),
            None => not_found("Segment"),
        },
        _ => method_not_allowed(),
    }
}

/// The checked `(name, mode, details)` of a segment written with id `id` (0 for a new one).
fn checked(state: &State, call: &Call<'_>, id: i64) -> Result<(String, String, String), Reply> {
    let Some(name) = call.str("name").map(str::trim).filter(|n| !n.is_empty()) else {
        return Err(bad_request("name is required."));
    };
    if state
        .segments
        .values()
        .any(|s| s.name == name && s.id != id)
    {
        return Err(bad_request(format!(
            "A segment named {name} already exists."
        )));
    }
    let mode = call.str("mode").unwrap_or("");
    if !matches!(Mode::parse(mode), Mode::Intersect | Mode::Union) {
        return Err(bad_request("mode must be intersect or union."));
    }
    let details = call.str("details").unwrap_or("");
    if Criteria::parse(details).is_err() {
        return Err(bad_request("details is not valid criteria XML."));
    }
    Ok((name.to_owned(), mode.to_owned(), details.to_owned()))
}

/// The body members beyond the documented ones.
fn extra(call: &Call<'_>) -> Map<String, Value> {
    call.body
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter(|(k, _)| {
                    !matches!(
                        k.as_str(),
                        "id" | "name" | "mode" | "description" | "details" | "creationDate"
                    )
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}

fn create(state: &mut State, call: &Call<'_>) -> Reply {
    let (name, mode, details) = match checked(state, call, 0) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let rec = SegmentRec {
        id: state.new_id(),
        name,
        mode,
        description: call.str("description").map(str::to_owned),
        details,
        created: now(),
        extra: extra(call),
    };
    let reply = segment_json(&rec);
    state.segments.insert(rec.id, rec);
    Reply::Json(201, reply)
}

fn update(state: &mut State, call: &Call<'_>) -> Reply {
    let Some(id) = call.int("id").filter(|id| state.segments.contains_key(id)) else {
        return not_found("Segment");
    };
    let (name, mode, details) = match checked(state, call, id) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let description = call.str("description").map(str::to_owned);
    if let Some(s) = state.segments.get_mut(&id) {
        s.name = name;
        s.mode = mode;
        s.details = details;
        if description.is_some() {
            s.description = description;
        }
        s.extra = extra(call);
    }
    message("Segment updated.")
}

/// The keys of the contacts a segment selects; none when a criterion is unknown.
pub(super) fn members(
    contacts: &BTreeMap<String, ContactRec>,
    s: &SegmentRec,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<String> {
    let Ok(criteria) = Criteria::parse(&s.details) else {
        return Vec::new();
    };
    let mut conditions = Vec::new();
    for item in criteria.items() {
        match item {
            CriteriaItem::Known(c) => conditions.push(c.test().clone()),
            _ => return Vec::new(),
        }
    }
    if conditions.is_empty() {
        return Vec::new();
    }
    let union = Mode::parse(&s.mode) == Mode::Union;
    contacts
        .iter()
        .filter(|(_, c)| {
            let mut results = conditions.iter().map(|cond| evaluate(cond, &c.attrs, now));
            if union {
                results.any(|r| r)
            } else {
                results.all(|r| r)
            }
        })
        .map(|(k, _)| k.clone())
        .collect()
}

impl FakeSendethic {
    /// Sets the instant the fake reads relative criteria (`date-before-less-absnow`, ...) at,
    /// instead of the real time: for tests at a fixed `as_of`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use chrono::{TimeZone, Utc};
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// fake.set_now(Utc.with_ymd_and_hms(2024, 3, 31, 12, 0, 0).unwrap());
    /// # }
    /// ```
    pub fn set_now(&self, at: chrono::DateTime<chrono::Utc>) {
        self.state().clock = Some(at);
    }

    /// The keys of the contacts a segment selects now (by the fake's clock), as the fake
    /// evaluates its criteria; empty for an unknown segment or criterion.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// assert!(fake.segment_members(relance::sendethic::SegmentId(1)).is_empty());
    /// # }
    /// ```
    #[must_use]
    pub fn segment_members(&self, id: crate::sendethic::SegmentId) -> Vec<String> {
        let state = self.state();
        state
            .segments
            .get(&id.0)
            .map(|s| members(&state.contacts, s, state.now()))
            .unwrap_or_default()
    }

    /// Every segment.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// assert!(fake.segments().is_empty());
    /// # }
    /// ```
    #[must_use]
    pub fn segments(&self) -> Vec<Segment> {
        self.state()
            .segments
            .values()
            .filter_map(|s| serde_json::from_value(segment_json(s)).ok())
            .collect()
    }
}
