//! Contacts of `FakeSendethic`: single and bulk upserts, reads by key or id (labels or value
//! ids), deletion; the history routes live in `history`.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::FakeSendethic;
use super::call::{
    Call, bad_request, int_field, message, method_not_allowed, no_route, not_found, parse_id,
};
use super::history::{self, LogRec};
use super::state::State;
use super::values;
use crate::sendethic::Contact;
use crate::testing::core::Reply;

/// A stored contact; `attrs` maps field ids (`email`, `firstname`, `26`...) to values.
#[derive(Debug, Clone)]
pub(super) struct ContactRec {
    pub(super) id: i64,
    pub(super) key: String,
    pub(super) attrs: BTreeMap<String, String>,
    pub(super) history: Vec<LogRec>,
    /// When it was last written (`modificationdate`, exported only).
    pub(super) modified: String,
}

impl ContactRec {
    /// A new contact whose `email` is its key.
    fn new(id: i64, key: &str) -> Self {
        Self {
            id,
            key: key.to_owned(),
            attrs: BTreeMap::from([("email".to_owned(), key.to_owned())]),
            history: Vec::new(),
            modified: String::new(),
        }
    }
}

/// Contacts are keyed by `contactKey`, trimmed and lower-cased.
pub(super) fn normalize_key(key: &str) -> String {
    key.trim().to_lowercase()
}

/// A stored contact as `ContactData`; selection fields as labels unless `value_ids`.
fn contact_json(state: &State, c: &ContactRec, value_ids: bool) -> Value {
    let attributes: Vec<Value> = c
        .attrs
        .iter()
        .map(|(id, value)| {
            let mut value = value.clone();
            let mut name = id.clone();
            if let Some(field) = id.parse::<i64>().ok().and_then(|n| state.fields.get(&n)) {
                name.clone_from(&field.name);
                if !value_ids && field.format.is_selection() && !value.is_empty() {
                    value = value
                        .split(',')
                        .map(|v| {
                            field
                                .values
                                .iter()
                                .find(|x| x.id.to_string() == v.trim())
                                .map_or_else(|| v.to_owned(), |x| x.text.clone())
                        })
                        .collect::<Vec<_>>()
                        .join(",");
                }
            }
            json!({ "id": id, "fieldName": name, "fieldValue": value })
        })
        .collect();
    json!({ "id": c.id, "contactKey": c.key, "attributes": attributes })
}

fn affected(n: usize) -> Reply {
    message(format!("{n} contact(s) affected."))
}

/// The key of the contact with this id.
fn key_of_id(state: &State, id: &str) -> Option<String> {
    let id = parse_id(id)?;
    state
        .contacts
        .iter()
        .find(|(_, c)| c.id == id)
        .map(|(k, _)| k.clone())
}

/// `/contact/...`.
pub(super) fn route(state: &mut State, call: &Call<'_>) -> Reply {
    match (call.method, call.rest) {
        ("POST" | "PUT", ["attribute"]) => {
            let Some(item) = call.body.filter(|b| b.is_object()) else {
                return bad_request("A ContactData object is expected.");
            };
            match write_contact(state, item, call.method == "POST") {
                Ok(Write::Done) => affected(1),
                Ok(Write::Refused(why)) => bad_request(why),
                Ok(Write::Absent) if call.method == "PUT" => not_found("Contact"),
                Ok(Write::Absent) => bad_request("contactKey is required."),
                Err(e) => bad_request(e),
            }
        }
        ("GET", [kind @ ("attribute" | "attributevalueid"), key]) => {
            let found = state.contacts.get(&normalize_key(key));
            let list: Vec<Value> = found
                .map(|c| contact_json(state, c, *kind == "attributevalueid"))
                .into_iter()
                .collect();
            Reply::Json(200, Value::Array(list))
        }
        ("GET", [kind @ ("attributebycid" | "attributevalueidbycid"), id]) => {
            let list: Vec<Value> = key_of_id(state, id)
                .and_then(|k| state.contacts.get(&k))
                .map(|c| contact_json(state, c, *kind == "attributevalueidbycid"))
                .into_iter()
                .collect();
            Reply::Json(200, Value::Array(list))
        }
        ("DELETE", ["attribute", key]) => match state.contacts.remove(&normalize_key(key)) {
            Some(_) => affected(1),
            None => not_found("Contact"),
        },
        ("DELETE", ["attributebycid", id]) => {
            match key_of_id(state, id).and_then(|k| state.contacts.remove(&k)) {
                Some(_) => affected(1),
                None => not_found("Contact"),
            }
        }
        ("GET", ["history", key, size]) => history::read(state, key, size),
        ("POST", ["history"]) => history::append(state, call),
        _ => method_not_allowed(),
    }
}

/// `/contacts/attribute`: bulk upserts (`POST`) and updates (`PUT`), at most 500 contacts.
pub(super) fn bulk(state: &mut State, call: &Call<'_>) -> Reply {
    if !call.rest.is_empty() {
        return no_route(call.method, call.path);
    }
    if call.method != "POST" && call.method != "PUT" {
        return method_not_allowed();
    }
    let Some(items) = call.body.and_then(Value::as_array) else {
        return bad_request("An array of ContactData is expected.");
    };
    if items.len() > 500 {
        return bad_request("You can send up to 500 contacts per call.");
    }
    let mut count = 0;
    for item in items {
        match write_contact(state, item, call.method == "POST") {
            Ok(Write::Done) => count += 1,
            // Contacts with values the service refuses are dropped: the count says so.
            Ok(Write::Absent | Write::Refused(_)) => {}
            Err(e) => return bad_request(e),
        }
    }
    affected(count)
}

/// What [`write_contact`] did with a well-formed `ContactData`.
enum Write {
    /// Written.
    Done,
    /// No such contact to update (or no key to create one).
    Absent,
    /// Values the service refuses (see `values`); nothing written.
    Refused(String),
}

/// Applies one `ContactData` to the store; `Err` for a malformed one.
fn write_contact(state: &mut State, item: &Value, create: bool) -> Result<Write, String> {
    let key = item
        .get("contactKey")
        .and_then(Value::as_str)
        .map_or("", str::trim);
    let id = int_field(Some(item), "id").unwrap_or(0);
    let Some(attributes) = item.get("attributes").and_then(Value::as_array) else {
        return Err("attributes is required.".into());
    };
    let mut attrs = Vec::new();
    for a in attributes {
        let aid = match a.get("id") {
            Some(Value::String(s)) => s.trim().to_owned(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return Err("every attribute needs an id.".into()),
        };
        let value = match a.get("fieldValue") {
            None | Some(Value::Null) => continue, // nulls are ignored
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        };
        if let Ok(n) = aid.parse::<i64>()
            && !state.fields.contains_key(&n)
        {
            return Err(format!("Unknown field {aid}."));
        }
        attrs.push((aid, value));
    }
    if let Some(why) = values::refusal(state, key, &attrs) {
        return Ok(Write::Refused(why));
    }
    let existing = if id > 0 {
        state
            .contacts
            .iter()
            .find(|(_, c)| c.id == id)
            .map(|(k, _)| k.clone())
    } else {
        let norm = normalize_key(key);
        state.contacts.contains_key(&norm).then_some(norm)
    };
    let norm = match existing {
        Some(k) => k,
        None if create && !key.is_empty() => {
            let rec = ContactRec::new(state.new_id(), key);
            let norm = normalize_key(key);
            state.contacts.insert(norm.clone(), rec);
            norm
        }
        None => return Ok(Write::Absent),
    };
    let modified = state.now().format("%Y-%m-%d %H:%M:%S").to_string();
    if let Some(rec) = state.contacts.get_mut(&norm) {
        rec.attrs.extend(attrs);
        rec.modified = modified;
    }
    Ok(Write::Done)
}

/// Creates or updates a contact from an import line: `(field id, value)` pairs, the `email`
/// staying the key.
pub(super) fn import(state: &mut State, key: &str, attrs: Vec<(String, String)>) {
    let norm = normalize_key(key);
    if !state.contacts.contains_key(&norm) {
        let rec = ContactRec::new(state.new_id(), key);
        state.contacts.insert(norm.clone(), rec);
    }
    if let Some(rec) = state.contacts.get_mut(&norm) {
        rec.attrs
            .extend(attrs.into_iter().filter(|(k, _)| k != "email"));
    }
}

impl FakeSendethic {
    /// Every stored contact, as read with value ids (`/contact/attributevalueid`), by key.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// assert!(fake.contacts().is_empty());
    /// # }
    /// ```
    #[must_use]
    pub fn contacts(&self) -> Vec<Contact> {
        let state = self.state();
        state
            .contacts
            .values()
            .filter_map(|c| serde_json::from_value(contact_json(&state, c, false)).ok())
            .collect()
    }

    /// One stored contact by key (case-insensitive), as read with value ids.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// assert!(fake.contact("ann@example.com").is_none());
    /// # }
    /// ```
    #[must_use]
    pub fn contact(&self, key: &str) -> Option<Contact> {
        let state = self.state();
        let c = state.contacts.get(&normalize_key(key))?;
        serde_json::from_value(contact_json(&state, c, false)).ok()
    }

    /// Makes the service refuse the contact with this key from now on, whatever its values:
    /// a bulk write drops it (its affected count is one short), a single upsert answers 400.
    /// It stands for the refusals no client can foresee (a blocked address, a rule of the
    /// account).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// fake.refuse_contact("blocked@example.com");
    /// # }
    /// ```
    pub fn refuse_contact(&self, key: &str) {
        self.state().refused_keys.insert(normalize_key(key));
    }

    /// The number of stored contacts.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// assert_eq!(fake.contact_count(), 0);
    /// # }
    /// ```
    #[must_use]
    pub fn contact_count(&self) -> usize {
        self.state().contacts.len()
    }
}
