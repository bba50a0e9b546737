//! Fields of `FakeSendsay`: anketas (`anketa.*`) and their questions. The system anketas
//! `base` and `custom` always exist and cannot be deleted.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::call::{Action, Answer, Params, bad, err, s};
use super::state::State;

/// The actions of this module.
pub(super) const ACTIONS: &[(&str, Action)] = &[
    ("anketa.list", |state, _| Ok(list(state))),
    ("anketa.get", get),
    ("anketa.create", create),
    ("anketa.delete", delete),
    ("anketa.quest.add", add_questions),
];

/// An anketa with no questions yet.
fn anketa(id: &str, name: &str, system: bool) -> Map<String, Value> {
    let a = json!({"id": id, "name": name, "system": if system { "1" } else { "0" },
                   "quests": {}, "order": []});
    a.as_object().cloned().unwrap_or_default()
}

/// The anketas of a new account.
pub(super) fn system_anketas() -> BTreeMap<String, Map<String, Value>> {
    [("base", "Base"), ("custom", "Custom")]
        .into_iter()
        .map(|(id, name)| (id.to_owned(), anketa(id, name, true)))
        .collect()
}

/// The `id` (or `anketa.id`) parameter, empty when absent.
fn id_of(b: &Params) -> String {
    s(b, "id")
        .or_else(|| s(b, "anketa.id"))
        .unwrap_or("")
        .to_owned()
}

fn list(state: &State) -> Value {
    let list: Vec<Value> = state
        .anketas
        .values()
        .map(|a| json!({"id": a["id"], "name": a["name"], "system": a["system"]}))
        .collect();
    json!({ "list": list })
}

fn get(state: &mut State, b: &Params) -> Answer {
    let id = id_of(b);
    match state.anketas.get(&id) {
        Some(a) => Ok(
            json!({"obj": {"id": a["id"], "param": {"name": a["name"]}, "order": a["order"], "quests": a["quests"]}}),
        ),
        None => err("error/anketa/notfound", id),
    }
}

fn create(state: &mut State, b: &Params) -> Answer {
    let Some(name) = s(b, "name").filter(|n| !n.trim().is_empty()) else {
        return bad("name is required");
    };
    let mut id = id_of(b);
    if id.is_empty() {
        id = format!("a{}", state.new_id());
    }
    if state.anketas.contains_key(&id) {
        return err("error/params/invalid", json!([id, "exists"]));
    }
    state.anketas.insert(id.clone(), anketa(&id, name, false));
    Ok(json!({ "id": id }))
}

fn delete(state: &mut State, b: &Params) -> Answer {
    let id = id_of(b);
    match state.anketas.get(&id) {
        Some(a) if a.get("system") == Some(&json!("1")) => bad("a system anketa cannot be deleted"),
        Some(_) => {
            state.anketas.remove(&id);
            Ok(json!({}))
        }
        None => err("error/anketa/notfound", id),
    }
}

/// Adds one question (`obj` an object) or several (`obj` an array); their ids.
fn add_questions(state: &mut State, b: &Params) -> Answer {
    let id = id_of(b);
    if !state.anketas.contains_key(&id) {
        return err("error/anketa/notfound", id);
    }
    let questions = match b.get("obj") {
        Some(Value::Array(qs)) => qs.clone(),
        Some(o @ Value::Object(_)) => vec![o.clone()],
        _ => return bad("obj is required"),
    };
    let mut added = Vec::new();
    for q in questions {
        let Value::Object(mut q) = q else { continue };
        let qid = match q.remove("id") {
            Some(Value::String(s)) => s,
            _ => format!("q{}", state.new_id()),
        };
        if let Some(a) = state.anketas.get_mut(&id) {
            if let Some(Value::Object(quests)) = a.get_mut("quests") {
                quests.insert(qid.clone(), Value::Object(q));
            }
            if let Some(Value::Array(order)) = a.get_mut("order") {
                order.push(qid.clone().into());
            }
        }
        added.push(qid);
    }
    Ok(json!({ "obj": added }))
}
