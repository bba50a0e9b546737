//! Drafts of `FakeSendsay` (`issue.draft.*`): stored letters that issues can send.

use serde_json::{Value, json};

use super::call::{Action, Answer, Params, as_text, bad, err, truthy};
use super::state::State;

/// The actions of this module.
pub(super) const ACTIONS: &[(&str, Action)] = &[
    ("issue.draft.list", |state, _| Ok(list(state))),
    ("issue.draft.get", get),
    ("issue.draft.set", set),
    ("issue.draft.delete", delete),
];

/// The `id` parameter as text (empty when absent).
fn id_of(b: &Params) -> String {
    b.get("id").map(as_text).unwrap_or_default()
}

fn list(state: &State) -> Value {
    let list: Vec<Value> = state
        .drafts
        .values()
        .map(|d| json!({"id": d["id"], "name": d["name"], "format": d["format"]}))
        .collect();
    json!({ "list": list })
}

fn get(state: &mut State, b: &Params) -> Answer {
    let id = id_of(b);
    match state.drafts.get(&id) {
        Some(d) => Ok(json!({ "obj": d })),
        None => err("error/draft/notfound", id),
    }
}

/// Creates (no `id`) or replaces a draft.
fn set(state: &mut State, b: &Params) -> Answer {
    let Some(Value::Object(obj)) = b.get("obj") else {
        return bad("obj is required");
    };
    let mut id = id_of(b);
    if id.is_empty() {
        id = state.new_id().to_string();
    } else if !state.drafts.contains_key(&id) {
        return err("error/draft/notfound", id);
    }
    let mut d = obj.clone();
    d.insert("id".into(), id.clone().into());
    state.drafts.insert(id.clone(), d.clone());
    if truthy(b.get("return_fresh_obj")) {
        Ok(json!({ "obj": d }))
    } else {
        Ok(json!({ "id": id }))
    }
}

/// Deletes one draft or a list of them (stopping at the first unknown one).
fn delete(state: &mut State, b: &Params) -> Answer {
    let ids: Vec<String> = match b.get("id") {
        Some(Value::Array(ids)) => ids.iter().map(as_text).collect(),
        _ => vec![id_of(b)],
    };
    for i in ids {
        if state.drafts.remove(&i).is_none() {
            return err("error/draft/notfound", i);
        }
    }
    Ok(json!({}))
}
