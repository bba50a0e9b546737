//! Email senders of `FakeSendsay` (`issue.emailsender.*`): addresses at free-mail domains are
//! refused; registered senders are confirmed at once.

use serde_json::{Value, json};

use super::call::{Action, Answer, Params, as_text, bad, err};
use super::state::State;

/// The actions of this module.
pub(super) const ACTIONS: &[(&str, Action)] = &[
    ("issue.emailsender.list", |state, _| Ok(list(state))),
    ("issue.emailsender.set", set),
    ("issue.emailsender.delete", delete),
];

/// Domains whose addresses cannot be senders.
const PROHIBITED: [&str; 3] = ["gmail.com", "mail.ru", "yandex.ru"];

fn list(state: &State) -> Value {
    json!({"list": state.senders.values().cloned().collect::<Vec<_>>()})
}

fn set(state: &mut State, b: &Params) -> Answer {
    let obj = b.get("obj");
    let Some(name) = obj.and_then(|o| o.get("name")).and_then(Value::as_str) else {
        return bad("obj.name is required");
    };
    let domain = name.rsplit('@').next().unwrap_or("").to_lowercase();
    if PROHIBITED.contains(&domain.as_str()) {
        return err("error/sender/prohibited", name);
    }
    let id = state.new_id().to_string();
    let label = obj
        .and_then(|o| o.get("label"))
        .cloned()
        .unwrap_or(Value::Null);
    let rec = json!({"id": id, "name": name, "label": label, "confirmed": "1"});
    state
        .senders
        .insert(id.clone(), rec.as_object().cloned().unwrap_or_default());
    Ok(json!({ "id": id }))
}

fn delete(state: &mut State, b: &Params) -> Answer {
    let id = b.get("id").map(as_text).unwrap_or_default();
    match state.senders.remove(&id) {
        Some(_) => Ok(json!({})),
        None => err("error/sender/unknown", id),
    }
}

/// Whether `address` is a registered sender.
pub(super) fn is_registered(state: &State, address: &str) -> bool {
    state
        .senders
        .values()
        .any(|x| x.get("name").and_then(Value::as_str) == Some(address))
}
