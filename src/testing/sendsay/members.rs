//! Members of `FakeSendsay` (`member.*`): data keys and anketa answers, list membership,
//! lookups, paging, counts and deletion; imports live in `imports`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use super::FakeSendsay;
use super::call::{Action, Answer, Params, bad, err, int, s, truthy};
use super::groups::members_of;
use super::state::State;
use super::{imports, tracks};
use crate::testing::core::now;

/// A stored member; `data` holds the anketa answers (`base.firstName` as
/// `{"base": {"firstName": ...}}`).
#[derive(Debug, Clone)]
pub(super) struct MemberRec {
    pub(super) id: i64,
    pub(super) email: String,
    pub(super) addr_type: String,
    data: Map<String, Value>,
    pub(super) groups: BTreeSet<String>,
    created: String,
    /// Waiting for the double-opt-in confirmation (`member.lockconfirm`).
    lockconfirm: bool,
}

/// The actions of this module.
pub(super) const ACTIONS: &[(&str, Action)] = &[
    ("member.set", set),
    ("member.get", get),
    ("member.exists", |state, b| Ok(exists(state, b))),
    ("member.list", |state, b| Ok(list(state, b))),
    ("member.list.count", |state, b| Ok(count(state, b))),
    ("member.delete", delete),
    ("member.import", imports::import),
    ("member.sendconfirm", send_confirm),
];

/// A member as `member.get` answers it (`obj`).
fn member_obj(m: &MemberRec) -> Value {
    let mut obj = m.data.clone();
    obj.insert(
        "member".into(),
        json!({"email": m.email, "id": m.id.to_string(), "addr_type": m.addr_type,
               "lockconfirm": i32::from(m.lockconfirm),
               "create.time": m.created, "lockremove": "0"}),
    );
    let groups: Map<String, Value> = m.groups.iter().map(|g| (g.clone(), "1".into())).collect();
    obj.insert("-group".into(), Value::Object(groups));
    Value::Object(obj)
}

/// A member attribute by filter path: `member.email`, `member.id`, `member.addr_type`, or an
/// anketa answer (`base.city`).
pub(super) fn member_attr(m: &MemberRec, a: &str) -> Option<Value> {
    match a {
        "member.email" => Some(m.email.clone().into()),
        "member.id" => Some(m.id.into()),
        "member.addr_type" => Some(m.addr_type.clone().into()),
        _ => {
            let (root, rest) = a.split_once('.')?;
            let mut v = m.data.get(root)?;
            for part in rest.split('.') {
                v = v.get(part)?;
            }
            Some(v.clone())
        }
    }
}

/// Writes (`mode` other than `delete`) or deletes one path: `-group.<id>` (membership) or
/// `<anketa>.<question>`.
pub(super) fn apply_path(m: &mut MemberRec, path: &str, mode: &str, value: &Value) {
    if let Some(g) = path.strip_prefix("-group.") {
        if mode == "delete" || !truthy(Some(value)) {
            m.groups.remove(g);
        } else {
            m.groups.insert(g.to_owned());
        }
        return;
    }
    let Some((root, key)) = path.split_once('.') else {
        return;
    };
    let entry = m
        .data
        .entry(root.to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(o) = entry {
        if mode == "delete" {
            o.remove(key);
        } else {
            o.insert(key.to_owned(), value.clone());
        }
    }
}

/// Creates a member or prepares an existing one per `if_exists` (`error`, `overwrite` clears
/// its data, anything else keeps it); its key.
pub(super) fn upsert(
    state: &mut State,
    email: &str,
    addr_type: &str,
    if_exists: &str,
) -> Result<String, (String, Value)> {
    let key = email.to_lowercase();
    match state.members.get_mut(&key) {
        Some(_) if if_exists == "error" => Err(("member_exists".into(), email.into())),
        Some(m) => {
            if if_exists == "overwrite" {
                m.data.clear();
            }
            Ok(key)
        }
        None => {
            let id = state.new_id();
            state.members.insert(
                key.clone(),
                MemberRec {
                    id,
                    email: email.to_owned(),
                    addr_type: addr_type.to_owned(),
                    data: Map::new(),
                    groups: BTreeSet::new(),
                    created: now(),
                    lockconfirm: false,
                },
            );
            Ok(key)
        }
    }
}

/// The trimmed `email` parameter (empty when absent).
fn email_of(b: &Params) -> &str {
    s(b, "email").map_or("", str::trim)
}

fn set(state: &mut State, b: &Params) -> Answer {
    let email = email_of(b);
    if email.is_empty() {
        return bad("email is required");
    }
    let addr_type = s(b, "addr_type").unwrap_or("email");
    if addr_type == "email" && !email.contains('@') {
        return err("error/params/invalid", email);
    }
    let new = !state.members.contains_key(&email.to_lowercase());
    let key = upsert(
        state,
        email,
        addr_type,
        s(b, "if_exists").unwrap_or("update"),
    )?;
    // A new member asked to confirm gets the confirmation letter and waits for its click.
    if new && truthy(b.get("newbie.confirm")) {
        state.confirmation_letters.push(key.clone());
    }
    let Some(m) = state.members.get_mut(&key) else {
        return bad("lost member");
    };
    if new && truthy(b.get("newbie.confirm")) {
        m.lockconfirm = true;
    }
    if let Some(Value::Array(ops)) = b.get("datakey") {
        for op in ops {
            let (Some(path), Some(mode)) = (
                op.get(0).and_then(Value::as_str),
                op.get(1).and_then(Value::as_str),
            ) else {
                continue;
            };
            apply_path(m, path, mode, op.get(2).unwrap_or(&Value::Null));
        }
    }
    if let Some(Value::Object(obj)) = b.get("obj") {
        for (anketa, answers) in obj {
            if let Value::Object(answers) = answers {
                for (q, v) in answers {
                    let path = if anketa == "-group" {
                        format!("-group.{q}")
                    } else {
                        format!("{anketa}.{q}")
                    };
                    apply_path(m, &path, "set", v);
                }
            }
        }
    }
    if truthy(b.get("return_fresh_obj")) {
        Ok(json!({ "obj": member_obj(m) }))
    } else {
        Ok(json!({}))
    }
}

fn get(state: &mut State, b: &Params) -> Answer {
    let email = email_of(b);
    state
        .members
        .get(&email.to_lowercase())
        .map(|m| json!({ "obj": member_obj(m) }))
        .ok_or_else(|| ("error/member/notfound".into(), email.into()))
}

fn exists(state: &State, b: &Params) -> Value {
    let email = email_of(b);
    let found = i32::from(state.members.contains_key(&email.to_lowercase()));
    json!({ "list": { email: found } })
}

fn list(state: &State, b: &Params) -> Value {
    let mut emails: Vec<String> = match s(b, "group") {
        Some(g) => members_of(state, g),
        None => state.members.values().map(|m| m.email.clone()).collect(),
    };
    if s(b, "sort.order") == Some("desc") {
        emails.reverse();
    }
    let size = usize::try_from(int(b, "pagesize").unwrap_or(1000).max(1)).unwrap_or(1000);
    let page = usize::try_from(int(b, "page").unwrap_or(1).max(1)).unwrap_or(1);
    let rows: Vec<Value> = emails
        .into_iter()
        .skip((page - 1) * size)
        .take(size)
        .map(|e| json!([e]))
        .collect();
    json!({"list": rows, "order": [{"quest": "member.email"}]})
}

fn count(state: &State, b: &Params) -> Value {
    let ids: Option<Vec<String>> = s(b, "group").map(|g| members_of(state, g));
    let mut counts: BTreeMap<String, i64> = BTreeMap::new();
    for m in state.members.values() {
        if ids.as_ref().is_none_or(|ids| ids.contains(&m.email)) {
            *counts.entry(m.addr_type.clone()).or_default() += 1;
        }
    }
    json!({ "obj": counts })
}

fn delete(state: &mut State, b: &Params) -> Answer {
    let email = email_of(b);
    let targets: Vec<String> = if !email.is_empty() {
        vec![email.to_lowercase()]
    } else if let Some(Value::Array(list)) = b.get("list") {
        list.iter()
            .filter_map(Value::as_str)
            .map(str::to_lowercase)
            .collect()
    } else if let Some(g) = s(b, "group") {
        members_of(state, g)
            .iter()
            .map(|e| e.to_lowercase())
            .collect()
    } else {
        return bad("email, list or group is required");
    };
    for t in &targets {
        state.members.remove(t);
    }
    if truthy(b.get("sync")) {
        Ok(json!({}))
    } else {
        Ok(tracks::started(state, "member.delete"))
    }
}

fn send_confirm(state: &mut State, b: &Params) -> Answer {
    let group = s(b, "group").unwrap_or("");
    if !state.groups.contains_key(group) {
        return err("group_id_not_exists", group);
    }
    Ok(tracks::started(state, "member.sendconfirm"))
}

impl FakeSendsay {
    /// A contact as `member.get` would answer (`obj`), if it exists.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// assert!(relance::testing::FakeSendsay::start().await.member("a@b.ru").is_none());
    /// # }
    /// ```
    #[must_use]
    pub fn member(&self, email: &str) -> Option<Value> {
        self.state()
            .members
            .get(&email.to_lowercase())
            .map(member_obj)
    }

    /// The double-opt-in letters sent (`member.set` of a new member with `newbie.confirm`),
    /// by address, in order.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// assert!(relance::testing::FakeSendsay::start().await.confirmation_letters().is_empty());
    /// # }
    /// ```
    #[must_use]
    pub fn confirmation_letters(&self) -> Vec<String> {
        self.state().confirmation_letters.clone()
    }

    /// The member clicks its confirmation link: it is no longer waiting
    /// (`member.lockconfirm` 0). Unknown addresses are ignored.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// relance::testing::FakeSendsay::start().await.confirm("a@b.ru");
    /// # }
    /// ```
    pub fn confirm(&self, email: &str) {
        if let Some(m) = self.state().members.get_mut(&email.trim().to_lowercase()) {
            m.lockconfirm = false;
        }
    }

    /// Every stored member, as `member.get` returns it, ordered by email.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendsay::start().await;
    /// assert!(fake.members().is_empty());
    /// # }
    /// ```
    #[must_use]
    pub fn members(&self) -> Vec<Value> {
        self.state().members.values().map(member_obj).collect()
    }
}
