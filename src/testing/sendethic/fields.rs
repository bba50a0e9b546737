//! Contact fields of `FakeSendethic` (`/account/contactattribute`) and the values of
//! selection fields.

use serde_json::Value;

use super::FakeSendethic;
use super::call::{Call, bad_request, json_of, message, method_not_allowed, not_found, parse_id};
use super::state::State;
use crate::sendethic::{ContactField, FieldFormat, FieldId, FieldValue, FieldValueId, Timestamp};
use crate::testing::core::{Reply, now};

/// A stored field.
#[derive(Debug)]
pub(super) struct FieldRec {
    id: i64,
    pub(super) name: String,
    pub(super) format: FieldFormat,
    description: Option<String>,
    options: Option<String>,
    created: String,
    pub(super) values: Vec<ValueRec>,
}

/// A stored value of a selection field.
#[derive(Debug, Clone)]
pub(super) struct ValueRec {
    pub(super) id: i64,
    index: i64,
    pub(super) text: String,
    created: String,
}

fn field_model(f: &FieldRec) -> ContactField {
    ContactField {
        id: FieldId(f.id),
        name: f.name.clone(),
        format: f.format.clone(),
        description: f.description.clone(),
        options: f.options.clone(),
        creation_date: Some(Timestamp::parse(f.created.clone())),
        extra: serde_json::Map::new(),
    }
}

fn value_model(v: &ValueRec) -> FieldValue {
    FieldValue {
        id: FieldValueId(v.id),
        index: v.index,
        text: v.text.clone(),
        creation_date: Some(Timestamp::parse(v.created.clone())),
    }
}

/// `/account/contactattribute/...`.
pub(super) fn route(state: &mut State, call: &Call<'_>) -> Reply {
    match (call.method, call.rest) {
        ("GET", []) => Reply::Json(
            200,
            Value::Array(
                state
                    .fields
                    .values()
                    .map(|f| json_of(&field_model(f)))
                    .collect(),
            ),
        ),
        ("GET", [id]) => match parse_id(id).and_then(|id| state.fields.get(&id)) {
            Some(f) => Reply::Json(200, json_of(&field_model(f))),
            None => not_found("Field"),
        },
        ("POST", []) => create(state, call),
        ("PUT", []) => rename(state, call),
        ("DELETE", [id]) => match parse_id(id).and_then(|id| state.fields.remove(&id)) {
            Some(_) => message("Field deleted."),
            None => not_found("Field"),
        },
        (_, ["value", rest @ ..]) => values(state, call, rest),
        _ => method_not_allowed(),
    }
}

fn create(state: &mut State, call: &Call<'_>) -> Reply {
    let Some(name) = call.str("name").map(str::trim).filter(|n| !n.is_empty()) else {
        return bad_request("name is required.");
    };
    if state.fields.values().any(|f| f.name == name) {
        return bad_request(format!("A field named {name} already exists."));
    }
    let raw_format = call.str("format").unwrap_or("ShortText");
    let (format, tag) = match raw_format.split_once('|') {
        Some((f, t)) => (f, Some(t.to_owned())),
        None => (raw_format, None),
    };
    let format = FieldFormat::parse(format);
    if let FieldFormat::Unknown(f) = format {
        return bad_request(format!("Unknown format {f}."));
    }
    let rec = FieldRec {
        id: state.new_id(),
        name: name.to_owned(),
        format,
        description: tag.or_else(|| call.str("description").map(str::to_owned)),
        options: call.str("options").map(str::to_owned),
        created: now(),
        values: Vec::new(),
    };
    let reply = json_of(&field_model(&rec));
    state.fields.insert(rec.id, rec);
    Reply::Json(201, reply)
}

fn rename(state: &mut State, call: &Call<'_>) -> Reply {
    let (Some(id), Some(name)) = (call.int("id"), call.str("name")) else {
        return bad_request("id and name are required.");
    };
    if state.fields.values().any(|f| f.name == name && f.id != id) {
        return bad_request(format!("A field named {name} already exists."));
    }
    match state.fields.get_mut(&id) {
        Some(f) => {
            name.clone_into(&mut f.name);
            message("Field updated.")
        }
        None => not_found("Field"),
    }
}

/// `/account/contactattribute/value/...`.
fn values(state: &mut State, call: &Call<'_>, rest: &[&str]) -> Reply {
    match (call.method, rest) {
        ("GET", [id]) => match parse_id(id).and_then(|id| state.fields.get(&id)) {
            Some(f) => {
                let mut values = f.values.clone();
                values.sort_by_key(|v| v.index);
                Reply::Json(
                    200,
                    values.iter().map(|v| json_of(&value_model(v))).collect(),
                )
            }
            None => not_found("Field"),
        },
        ("POST", [id]) => add_value(state, call, id),
        ("PUT", []) => update_value(state, call),
        ("DELETE", [id]) => {
            let Some(id) = parse_id(id) else {
                return not_found("Value");
            };
            for f in state.fields.values_mut() {
                if let Some(pos) = f.values.iter().position(|v| v.id == id) {
                    f.values.remove(pos);
                    return message("Value deleted.");
                }
            }
            not_found("Value")
        }
        _ => method_not_allowed(),
    }
}

fn add_value(state: &mut State, call: &Call<'_>, field: &str) -> Reply {
    let Some(text) = call.str("text").filter(|t| !t.trim().is_empty()) else {
        return bad_request("text is required.");
    };
    let new_id = state.new_id();
    let Some(field) = parse_id(field).and_then(|id| state.fields.get_mut(&id)) else {
        return not_found("Field");
    };
    if !field.format.is_selection() {
        return bad_request("Values only apply to selection fields.");
    }
    let index = call
        .int("index")
        .unwrap_or_else(|| field.values.iter().map(|v| v.index + 1).max().unwrap_or(0));
    let rec = ValueRec {
        id: new_id,
        index,
        text: text.to_owned(),
        created: now(),
    };
    field.values.push(rec.clone());
    Reply::Json(201, json_of(&value_model(&rec)))
}

fn update_value(state: &mut State, call: &Call<'_>) -> Reply {
    let Some(id) = call.int("id") else {
        return bad_request("id is required.");
    };
    let Some(field) = state
        .fields
        .values_mut()
        .find(|f| f.values.iter().any(|v| v.id == id))
    else {
        return not_found("Value");
    };
    if let Some(index) = call.int("index")
        && field.values.iter().any(|v| v.index == index && v.id != id)
    {
        return bad_request(format!("Index {index} is already used."));
    }
    let (text, index) = (call.str("text"), call.int("index"));
    if let Some(v) = field.values.iter_mut().find(|v| v.id == id) {
        if let Some(t) = text {
            t.clone_into(&mut v.text);
        }
        if let Some(i) = index {
            v.index = i;
        }
    }
    message("Value updated.")
}

impl FakeSendethic {
    /// The contact fields currently defined.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// assert!(fake.fields().is_empty());
    /// # }
    /// ```
    #[must_use]
    pub fn fields(&self) -> Vec<ContactField> {
        self.state().fields.values().map(field_model).collect()
    }

    /// The values of a selection field (empty when the field does not exist).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// assert!(fake.field_values(relance::sendethic::FieldId(1)).is_empty());
    /// # }
    /// ```
    #[must_use]
    pub fn field_values(&self, field: FieldId) -> Vec<FieldValue> {
        self.state()
            .fields
            .get(&field.0)
            .map(|f| f.values.iter().map(value_model).collect())
            .unwrap_or_default()
    }
}
