//! Groups of `FakeSendsay` (`group.*`): lists, whose members are kept on each member, and
//! filters (segments), whose members are the members matching their `a/op/v` conditions;
//! snapshots of a group into a list.

use serde_json::{Value, json};

use super::FakeSendsay;
use super::call::{Action, Answer, Params, err, s, truthy};
use super::filter::matches_filter;
use super::members::member_attr;
use super::state::State;
use super::tracks;
use crate::testing::core::now;

/// A stored group: `kind` is `list` or `filter`.
#[derive(Debug, Clone)]
pub(super) struct GroupRec {
    name: String,
    kind: String,
    addr_type: String,
    filter: Value,
    created: String,
}

/// The actions of this module.
pub(super) const ACTIONS: &[(&str, Action)] = &[
    ("group.create", create),
    ("group.list", |state, _| Ok(list(state))),
    ("group.get", get),
    ("group.set", set),
    ("group.delete", delete),
    ("group.filter.set", filter_set),
    ("group.filter.get", filter_get),
    ("group.snapshot", snapshot),
    ("group.clean", clean),
];

/// The emails of a group's members: a filter's matching members, or a list's.
pub(super) fn members_of(state: &State, id: &str) -> Vec<String> {
    let now = state.local_now();
    match state.groups.get(id) {
        Some(g) if g.kind == "filter" => state
            .members
            .values()
            .filter(|m| matches_filter(&g.filter, now, |a| member_attr(m, a)))
            .map(|m| m.email.clone())
            .collect(),
        _ => state
            .members
            .values()
            .filter(|m| m.groups.contains(id))
            .map(|m| m.email.clone())
            .collect(),
    }
}

fn group_json(id: &str, g: &GroupRec, with_filter: bool) -> Value {
    let mut v = json!({"id": id, "name": g.name, "type": g.kind, "addr_type": g.addr_type, "create.time": g.created});
    if with_filter
        && g.kind == "filter"
        && let Value::Object(m) = &mut v
    {
        m.insert("filter".into(), g.filter.clone());
    }
    v
}

fn valid_group_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|c| c.is_ascii_alphanumeric())
}

/// The `id` parameter (empty when absent).
fn id_of(b: &Params) -> String {
    s(b, "id").unwrap_or("").to_owned()
}

fn create(state: &mut State, b: &Params) -> Answer {
    let kind = s(b, "type").unwrap_or("list").to_owned();
    let mut id = id_of(b);
    if id.is_empty() {
        let prefix = if kind == "filter" { "p" } else { "list" };
        id = format!("{prefix}{}", state.new_id());
    }
    if !valid_group_id(&id) {
        return err("wrong_group_id", id);
    }
    if state.groups.contains_key(&id) {
        return err("wrong_group_id", json!([id, "exists"]));
    }
    state.groups.insert(
        id.clone(),
        GroupRec {
            name: s(b, "name").unwrap_or("").to_owned(),
            kind,
            addr_type: s(b, "addr_type").unwrap_or("email").to_owned(),
            filter: Value::Array(Vec::new()),
            created: now(),
        },
    );
    Ok(json!({ "id": id }))
}

fn list(state: &State) -> Value {
    let list: Vec<Value> = state
        .groups
        .iter()
        .map(|(id, g)| group_json(id, g, false))
        .collect();
    json!({ "list": list })
}

fn get(state: &mut State, b: &Params) -> Answer {
    let with_filter = truthy(b.get("with_filter"));
    if let Some(Value::Array(ids)) = b.get("id") {
        let all = ids.iter().any(|i| i == "*");
        let list: Vec<Value> = state
            .groups
            .iter()
            .filter(|(gid, _)| all || ids.iter().any(|i| i.as_str() == Some(gid.as_str())))
            .map(|(gid, g)| group_json(gid, g, with_filter))
            .collect();
        return Ok(json!({ "list": list }));
    }
    let id = id_of(b);
    match state.groups.get(&id) {
        Some(g) => Ok(json!({ "obj": group_json(&id, g, with_filter) })),
        None => err("group_id_not_exists", id),
    }
}

fn set(state: &mut State, b: &Params) -> Answer {
    let id = id_of(b);
    let Some(g) = state.groups.get_mut(&id) else {
        return err("group_id_not_exists", id);
    };
    if let Some(n) = s(b, "name") {
        n.clone_into(&mut g.name);
    }
    Ok(json!({}))
}

fn delete(state: &mut State, b: &Params) -> Answer {
    let id = id_of(b);
    if state.groups.remove(&id).is_none() {
        return err("group_id_not_exists", id);
    }
    for m in state.members.values_mut() {
        m.groups.remove(&id);
    }
    Ok(json!({}))
}

fn filter_set(state: &mut State, b: &Params) -> Answer {
    let id = id_of(b);
    match state.groups.get_mut(&id) {
        Some(g) if g.kind == "filter" => {
            g.filter = b.get("filter").cloned().unwrap_or(Value::Array(Vec::new()));
            Ok(json!({}))
        }
        Some(_) => err("wrong_group_id", json!([id, "not a filter"])),
        None => err("group_id_not_exists", id),
    }
}

fn filter_get(state: &mut State, b: &Params) -> Answer {
    let id = id_of(b);
    match state.groups.get(&id) {
        Some(g) => Ok(json!({"filter": g.filter, "usage": 1, "depth": 1, "max_usage": 100})),
        None => err("group_id_not_exists", id),
    }
}

/// Copies the members of `from.group` into the list `to.id` (emptied first with `to.clean`).
fn snapshot(state: &mut State, b: &Params) -> Answer {
    let from = b
        .get("from")
        .and_then(|f| f.get("group"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let to = b
        .get("to")
        .and_then(|t| t.get("id"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    if !state.groups.contains_key(from) {
        return err("group_id_not_exists", from);
    }
    if state.groups.get(&to).is_none_or(|g| g.kind != "list") {
        return err("group_id_not_exists", to);
    }
    let source = members_of(state, from);
    let clean = truthy(b.get("to").and_then(|t| t.get("clean")));
    for m in state.members.values_mut() {
        if clean {
            m.groups.remove(&to);
        }
        if source.contains(&m.email) {
            m.groups.insert(to.clone());
        }
    }
    Ok(tracks::started(state, "group.snapshot"))
}

fn clean(state: &mut State, b: &Params) -> Answer {
    let id = id_of(b);
    if !state.groups.contains_key(&id) {
        return err("group_id_not_exists", id);
    }
    for m in state.members.values_mut() {
        m.groups.remove(&id);
    }
    Ok(tracks::started(state, "group.clean"))
}

impl FakeSendsay {
    /// The identifiers of a group's members (lists and filters), sorted.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// assert!(relance::testing::FakeSendsay::start().await.group_members("x").is_empty());
    /// # }
    /// ```
    #[must_use]
    pub fn group_members(&self, id: &str) -> Vec<String> {
        members_of(&self.state(), id)
    }

    /// Sets the instant filters read `current` at (instead of the real time) and the
    /// account timezone in which it and the stored dates are read (UTC unless set): for
    /// tests at a fixed `as_of`, with the timezone the clients are configured with.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use chrono::{TimeZone, Utc};
    /// let fake = relance::testing::FakeSendsay::start().await;
    /// fake.set_now(Utc.with_ymd_and_hms(2024, 3, 31, 12, 0, 0).unwrap(), chrono_tz::Europe::Moscow);
    /// # }
    /// ```
    pub fn set_now(&self, at: chrono::DateTime<chrono::Utc>, timezone: chrono_tz::Tz) {
        let mut state = self.state();
        state.clock = Some(at);
        state.timezone = timezone;
    }

    /// The group ids.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// assert!(relance::testing::FakeSendsay::start().await.groups().is_empty());
    /// # }
    /// ```
    #[must_use]
    pub fn groups(&self) -> Vec<String> {
        self.state().groups.keys().cloned().collect()
    }
}
