//! Contacts (`member.*`), with the data-key (КД) model and the legacy anketa (АВО) model.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::types::{self, Accepted, AddrType, Params, TrackId, flag, group_id, non_empty};
use super::{Client, Request};
use crate::error::{Error, Result};
use crate::wire::open_enum;

/// A contact identifier: the value sent as `email` plus its optional `addr_type`.
///
/// ```
/// use relance::sendsay::{AddrType, MemberId};
/// let by_email: MemberId = "ivan@example.com".into();
/// let by_phone = MemberId::new("79991234567", AddrType::Msisdn);
/// # let _ = (by_email, by_phone);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberId {
    /// The identifier (an email, a phone number, a token...).
    pub value: String,
    /// Its type; `None` lets the service assume `email`.
    pub addr_type: Option<AddrType>,
}

impl MemberId {
    /// An identifier of a given type.
    ///
    /// ```
    /// let id = relance::sendsay::MemberId::new("79991234567", relance::sendsay::AddrType::Msisdn);
    /// # let _ = id;
    /// ```
    pub fn new(value: impl Into<String>, addr_type: AddrType) -> Self {
        Self {
            value: value.into(),
            addr_type: Some(addr_type),
        }
    }

    fn params(&self) -> Result<Params> {
        non_empty("email", &self.value)?;
        if matches!(self.addr_type, Some(AddrType::Email)) && !self.value.contains('@') {
            return Err(Error::invalid(&self.value, "not an email address"));
        }
        Ok(Params::new()
            .set("email", self.value.clone())
            .opt("addr_type", self.addr_type.as_ref().map(AddrType::as_str)))
    }
}

impl From<&str> for MemberId {
    fn from(v: &str) -> Self {
        Self {
            value: v.to_owned(),
            addr_type: None,
        }
    }
}

impl From<String> for MemberId {
    fn from(v: String) -> Self {
        Self {
            value: v,
            addr_type: None,
        }
    }
}

open_enum! {
    /// What `member.set` / `member.import` do when the contact exists (`if_exists`).
    IfExists in "relance::sendsay" {
        /// Fail (`member_exists`).
        Error => "error",
        /// Update the given fields.
        Update => "update",
        /// Replace the data.
        Overwrite => "overwrite",
        /// Skip the contact (`member.import`).
        Ignore => "ignore",
    }
}

open_enum! {
    /// The mode of one data-key operation.
    DatakeyMode in "relance::sendsay" {
        /// Set the value.
        Set => "set",
        /// Update the value.
        Update => "update",
        /// Delete the key.
        Delete => "delete",
        /// Append to an array.
        Push => "push",
        /// Merge an object.
        Merge => "merge",
        /// Update, copying (`update.copy`).
        UpdateCopy => "update.copy",
    }
}

/// One data-key (КД) operation: `[path, mode, value]`, e.g. `["base.firstName", "set", "Ivan"]`
/// or `["-group.list0004", "set", "1"]` (list membership).
#[derive(Debug, Clone, PartialEq)]
pub struct Datakey {
    /// The path (`base.firstName`, `custom.q123`, `-group.<id>`).
    pub path: String,
    /// The mode.
    pub mode: DatakeyMode,
    /// The value.
    pub value: Value,
}

impl Datakey {
    /// A data-key operation.
    ///
    /// ```
    /// use relance::sendsay::{Datakey, DatakeyMode};
    /// let d = Datakey::new("custom.q123", DatakeyMode::Set, "value");
    /// assert_eq!(serde_json::to_value(&d).unwrap(), serde_json::json!(["custom.q123", "set", "value"]));
    /// ```
    pub fn new(path: impl Into<String>, mode: DatakeyMode, value: impl Into<Value>) -> Self {
        Self {
            path: path.into(),
            mode,
            value: value.into(),
        }
    }
}

impl Serialize for Datakey {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        (&self.path, self.mode.as_str(), &self.value).serialize(s)
    }
}

/// `member.set`: creates or updates one contact.
///
/// ```
/// use relance::sendsay::{IfExists, MemberSet};
/// let m = MemberSet::new("ivan@example.com")
///     .if_exists(IfExists::Update)
///     .set("base.firstName", "Ivan")
///     .add_to_group("list0004");
/// # let _ = m;
/// ```
#[derive(Debug, Clone)]
pub struct MemberSet {
    id: MemberId,
    if_exists: Option<IfExists>,
    newbie_confirm: Option<Value>,
    letter_confirm: Option<String>,
    letter_no_confirm: Option<String>,
    source: Option<String>,
    datakey: Vec<Datakey>,
    obj: Option<Map<String, Value>>,
    return_fresh_obj: Option<bool>,
    bad_group: Option<String>,
}

impl MemberSet {
    /// A contact by identifier (an email, or a [`MemberId`] of another type).
    ///
    /// ```
    /// let m = relance::sendsay::MemberSet::new("ivan@example.com");
    /// # let _ = m;
    /// ```
    pub fn new(id: impl Into<MemberId>) -> Self {
        Self {
            id: id.into(),
            if_exists: None,
            newbie_confirm: None,
            letter_confirm: None,
            letter_no_confirm: None,
            source: None,
            datakey: Vec::new(),
            obj: None,
            return_fresh_obj: None,
            bad_group: None,
        }
    }

    /// What to do when the contact exists (`if_exists`).
    ///
    /// ```
    /// let m = relance::sendsay::MemberSet::new("a@b.ru").if_exists(relance::sendsay::IfExists::Overwrite);
    /// # let _ = m;
    /// ```
    #[must_use]
    pub fn if_exists(mut self, mode: IfExists) -> Self {
        self.if_exists = Some(mode);
        self
    }

    /// Whether to send the double-opt-in letter to a new contact (`newbie.confirm`, sent as
    /// `0`/`1`).
    ///
    /// ```
    /// let m = relance::sendsay::MemberSet::new("a@b.ru").newbie_confirm(false);
    /// # let _ = m;
    /// ```
    #[must_use]
    pub fn newbie_confirm(mut self, send: bool) -> Self {
        self.newbie_confirm = Some(flag(send));
        self
    }

    /// Welcome letters (draft ids) with and without confirmation
    /// (`newbie.letter.confirm`, `newbie.letter.no-confirm`).
    ///
    /// ```
    /// let m = relance::sendsay::MemberSet::new("a@b.ru").welcome_letters(Some("12"), Some("13"));
    /// # let _ = m;
    /// ```
    #[must_use]
    pub fn welcome_letters(mut self, confirm: Option<&str>, no_confirm: Option<&str>) -> Self {
        self.letter_confirm = confirm.map(str::to_owned);
        self.letter_no_confirm = no_confirm.map(str::to_owned);
        self
    }

    /// The contact's source IP (`source`).
    ///
    /// ```
    /// let m = relance::sendsay::MemberSet::new("a@b.ru").source("203.0.113.7");
    /// # let _ = m;
    /// ```
    #[must_use]
    pub fn source(mut self, ip: impl Into<String>) -> Self {
        self.source = Some(ip.into());
        self
    }

    /// Adds a data-key operation.
    ///
    /// ```
    /// use relance::sendsay::{Datakey, DatakeyMode, MemberSet};
    /// let m = MemberSet::new("a@b.ru").datakey(Datakey::new("base.lastName", DatakeyMode::Delete, ""));
    /// # let _ = m;
    /// ```
    #[must_use]
    pub fn datakey(mut self, op: Datakey) -> Self {
        self.datakey.push(op);
        self
    }

    /// Sets a data key (`[path, "set", value]`).
    ///
    /// ```
    /// let m = relance::sendsay::MemberSet::new("a@b.ru").set("custom.q123", "value");
    /// # let _ = m;
    /// ```
    #[must_use]
    pub fn set(self, path: impl Into<String>, value: impl Into<Value>) -> Self {
        self.datakey(Datakey::new(path, DatakeyMode::Set, value))
    }

    /// Adds the contact to a list (`["-group.<id>", "set", "1"]`). The id must be
    /// `[a-zA-Z0-9]+` (checked when sending).
    ///
    /// ```
    /// let m = relance::sendsay::MemberSet::new("a@b.ru").add_to_group("list0004");
    /// # let _ = m;
    /// ```
    #[must_use]
    pub fn add_to_group(mut self, group: &str) -> Self {
        if group_id(group).is_err() {
            self.bad_group.get_or_insert_with(|| group.to_owned());
        }
        self.set(format!("-group.{group}"), "1")
    }

    /// Removes the contact from a list (`["-group.<id>", "set", "0"]`).
    ///
    /// ```
    /// let m = relance::sendsay::MemberSet::new("a@b.ru").remove_from_group("list0004");
    /// # let _ = m;
    /// ```
    #[must_use]
    pub fn remove_from_group(mut self, group: &str) -> Self {
        if group_id(group).is_err() {
            self.bad_group.get_or_insert_with(|| group.to_owned());
        }
        self.set(format!("-group.{group}"), "0")
    }

    /// Legacy anketa data (АВО): `{"<anketa>": {"<question>": value}, "-group": {...}}`. Sent
    /// as `obj`; use either this or data keys, not both.
    ///
    /// ```
    /// let m = relance::sendsay::MemberSet::new("a@b.ru")
    ///     .obj(serde_json::json!({"-group": {"main": 1}}).as_object().unwrap().clone());
    /// # let _ = m;
    /// ```
    #[must_use]
    pub fn obj(mut self, data: Map<String, Value>) -> Self {
        self.obj = Some(data);
        self
    }

    /// Asks for the contact as stored (`return_fresh_obj`, sent as `0`/`1`).
    ///
    /// ```
    /// let m = relance::sendsay::MemberSet::new("a@b.ru").return_fresh_obj(true);
    /// # let _ = m;
    /// ```
    #[must_use]
    pub fn return_fresh_obj(mut self, yes: bool) -> Self {
        self.return_fresh_obj = Some(yes);
        self
    }

    pub(crate) fn params(self) -> Result<Map<String, Value>> {
        if let Some(bad) = self.bad_group {
            group_id(&bad)?;
        }
        if self.obj.is_some() && !self.datakey.is_empty() {
            return Err(Error::invalid(
                "obj",
                "use either data keys or anketa data (obj), not both",
            ));
        }
        if let Some(d) = self.datakey.iter().find(|d| d.path.trim().is_empty()) {
            return Err(Error::invalid(&d.path, "a data-key path must not be empty"));
        }
        let datakey = if self.datakey.is_empty() {
            None
        } else {
            Some(serde_json::to_value(&self.datakey).unwrap_or_default())
        };
        self.id
            .params()?
            .opt("if_exists", self.if_exists.as_ref().map(IfExists::as_str))
            .opt("newbie.confirm", self.newbie_confirm)
            .opt("newbie.letter.confirm", self.letter_confirm)
            .opt("newbie.letter.no-confirm", self.letter_no_confirm)
            .opt("source", self.source)
            .opt("obj", self.obj.map(Value::Object))
            .opt("datakey", datakey)
            .opt("return_fresh_obj", self.return_fresh_obj.map(flag))
            .ok()
    }
}

/// The `member` block of a contact: system fields.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MemberInfo {
    /// The identifier.
    #[serde(default, deserialize_with = "crate::wire::lenient::opt_string")]
    pub email: Option<String>,
    /// The system number (`member.id`).
    #[serde(default, deserialize_with = "crate::wire::lenient::opt_string")]
    pub id: Option<String>,
    /// The identifier type.
    #[serde(default)]
    pub addr_type: Option<AddrType>,
    /// Creation time (wire datetime, account-local).
    #[serde(
        rename = "create.time",
        default,
        deserialize_with = "crate::wire::lenient::opt_string"
    )]
    pub create_time: Option<String>,
    /// Deletion lock.
    #[serde(default, deserialize_with = "crate::wire::lenient::flag")]
    pub lockremove: bool,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A contact as `member.get` returns it.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[non_exhaustive]
pub struct Member {
    /// System fields.
    pub member: MemberInfo,
    /// List membership (`-group`): group id → member.
    pub groups: BTreeMap<String, bool>,
    /// Every other block (anketas such as `base`, `custom`, or data-key roots), as sent.
    pub data: BTreeMap<String, Value>,
}

impl Member {
    /// A profile value by dotted path (`base.firstName`).
    ///
    /// ```
    /// # let m = relance::sendsay::Member::default();
    /// let first_name = m.value("base.firstName");
    /// ```
    #[must_use]
    pub fn value(&self, path: &str) -> Option<&Value> {
        let (root, rest) = path.split_once('.')?;
        let mut v = self.data.get(root)?;
        for part in rest.split('.') {
            v = v.get(part)?;
        }
        Some(v)
    }

    /// Whether the contact is in a group.
    ///
    /// ```
    /// # let m = relance::sendsay::Member::default();
    /// assert!(!m.in_group("list0004"));
    /// ```
    #[must_use]
    pub fn in_group(&self, id: &str) -> bool {
        self.groups.get(id).copied().unwrap_or(false)
    }
}

impl<'de> Deserialize<'de> for Member {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let mut map = Map::<String, Value>::deserialize(d)?;
        // `member.set` inside a batch may answer `obj.obj`.
        if !map.contains_key("member")
            && let Some(Value::Object(inner)) = map.remove("obj")
        {
            map = inner;
        }
        let member = match map.remove("member") {
            Some(v) => serde_json::from_value(v).map_err(serde::de::Error::custom)?,
            None => MemberInfo::default(),
        };
        let groups = match map.remove("-group") {
            Some(Value::Object(g)) => g
                .into_iter()
                .map(|(k, v)| {
                    let on = crate::wire::lenient::value_int(&v)
                        .map_or(v.as_bool() == Some(true), |n| n != 0);
                    (k, on)
                })
                .collect(),
            _ => BTreeMap::new(),
        };
        Ok(Self {
            member,
            groups,
            data: map.into_iter().collect(),
        })
    }
}

/// `member.list` query (inline result).
///
/// ```
/// let q = relance::sendsay::MemberListQuery::new().group("list0004").page(1).pagesize(100);
/// # let _ = q;
/// ```
#[derive(Debug, Clone, Default)]
pub struct MemberListQuery {
    params: Map<String, Value>,
}

impl MemberListQuery {
    /// All contacts.
    ///
    /// ```
    /// let q = relance::sendsay::MemberListQuery::new();
    /// # let _ = q;
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Only this group.
    ///
    /// ```
    /// let q = relance::sendsay::MemberListQuery::new().group("list0004");
    /// # let _ = q;
    /// ```
    #[must_use]
    pub fn group(mut self, id: impl Into<String>) -> Self {
        self.params.insert("group".into(), Value::String(id.into()));
        self
    }

    /// The id of a "view" format defining the columns (`format.set`).
    ///
    /// ```
    /// let q = relance::sendsay::MemberListQuery::new().format("myview");
    /// # let _ = q;
    /// ```
    #[must_use]
    pub fn format(mut self, id: impl Into<String>) -> Self {
        self.params
            .insert("format".into(), Value::String(id.into()));
        self
    }

    /// Sort column (`member.email`) and direction.
    ///
    /// ```
    /// let q = relance::sendsay::MemberListQuery::new().sort("member.email", true);
    /// # let _ = q;
    /// ```
    #[must_use]
    pub fn sort(mut self, column: impl Into<String>, ascending: bool) -> Self {
        self.params
            .insert("sort".into(), Value::String(column.into()));
        self.params.insert(
            "sort.order".into(),
            Value::from(if ascending { "asc" } else { "desc" }),
        );
        self
    }

    /// Page number (from 1).
    ///
    /// ```
    /// let q = relance::sendsay::MemberListQuery::new().page(2);
    /// # let _ = q;
    /// ```
    #[must_use]
    pub fn page(mut self, page: u32) -> Self {
        self.params.insert("page".into(), Value::from(page));
        self
    }

    /// Page size.
    ///
    /// ```
    /// let q = relance::sendsay::MemberListQuery::new().pagesize(500);
    /// # let _ = q;
    /// ```
    #[must_use]
    pub fn pagesize(mut self, size: u32) -> Self {
        self.params.insert("pagesize".into(), Value::from(size));
        self
    }
}

/// The rows of `member.list`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MemberList {
    /// Rows, each an array of values in column order.
    #[serde(default)]
    pub list: Vec<Value>,
    /// Column descriptions (`[{"quest": "member.email"}, ...]`).
    #[serde(default)]
    pub order: Vec<Value>,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl MemberList {
    /// The column names from `order` (`quest`, or the entry itself when it is a string).
    ///
    /// ```
    /// let l = relance::sendsay::MemberList::default();
    /// assert!(l.columns().is_empty());
    /// ```
    #[must_use]
    pub fn columns(&self) -> Vec<String> {
        self.order
            .iter()
            .map(|o| match o {
                Value::String(s) => s.clone(),
                other => other
                    .get("quest")
                    .and_then(Value::as_str)
                    .map_or_else(|| other.to_string(), str::to_owned),
            })
            .collect()
    }
}

/// `member.delete`: by identifier, by list of identifiers, or a whole group.
///
/// ```
/// use relance::sendsay::MemberDelete;
/// let one = MemberDelete::one("a@b.ru");
/// let some = MemberDelete::many(["a@b.ru", "c@d.ru"]).sync(true);
/// let all = MemberDelete::group("list0004");
/// # let _ = (one, some, all);
/// ```
#[derive(Debug, Clone)]
pub struct MemberDelete {
    params: Result<Params, String>,
}

impl MemberDelete {
    /// One contact.
    ///
    /// ```
    /// let d = relance::sendsay::MemberDelete::one("a@b.ru");
    /// # let _ = d;
    /// ```
    pub fn one(id: impl Into<MemberId>) -> Self {
        let id = id.into();
        Self {
            params: id.params().map_err(|_| id.value),
        }
    }

    /// Several contacts.
    ///
    /// ```
    /// let d = relance::sendsay::MemberDelete::many(["a@b.ru"]);
    /// # let _ = d;
    /// ```
    pub fn many<I, S>(ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let list: Vec<String> = ids.into_iter().map(Into::into).collect();
        let params = match list.iter().find(|s| s.trim().is_empty()) {
            Some(bad) => Err(bad.clone()),
            None if list.is_empty() => Err(String::new()),
            None => Ok(Params::new().set("list", list)),
        };
        Self { params }
    }

    /// Every contact of a group.
    ///
    /// ```
    /// let d = relance::sendsay::MemberDelete::group("list0004");
    /// # let _ = d;
    /// ```
    #[must_use]
    pub fn group(id: &str) -> Self {
        Self {
            params: group_id(id)
                .map(|()| Params::new().set("group", id))
                .map_err(|_| id.to_owned()),
        }
    }

    /// Wait for completion instead of starting a job (`sync`).
    ///
    /// ```
    /// let d = relance::sendsay::MemberDelete::one("a@b.ru").sync(true);
    /// # let _ = d;
    /// ```
    #[must_use]
    pub fn sync(mut self, sync: bool) -> Self {
        self.params = self.params.map(|p| p.set("sync", flag(sync)));
        self
    }
}

/// `member.import`: a bulk upload, always asynchronous.
///
/// ```
/// use relance::sendsay::{IfExists, MemberImport};
/// let import = MemberImport::csv("member.email;base.firstName\nivan@example.com;Ivan")
///     .if_exists(IfExists::Overwrite)
///     .auto_group("list0004");
/// # let _ = import;
/// ```
#[derive(Debug, Clone)]
pub struct MemberImport {
    users_list: Value,
    addr_type: Option<AddrType>,
    if_exists: Option<IfExists>,
    auto_group: Option<String>,
    clean_group: Option<bool>,
}

impl MemberImport {
    /// Inline CSV with a header row, `;`-separated (or a plain list of addresses, one per
    /// line, or a URL to a file).
    ///
    /// ```
    /// let i = relance::sendsay::MemberImport::csv("a@b.ru\nc@d.ru");
    /// # let _ = i;
    /// ```
    pub fn csv(data: impl Into<String>) -> Self {
        Self::data(Value::String(data.into()))
    }

    /// Any documented `users.list` form (a string, or a JSON array such as
    /// `[{"member":{"email":"…"}}]`).
    ///
    /// ```
    /// let i = relance::sendsay::MemberImport::data(serde_json::json!([{"member": {"email": "a@b.ru"}}]));
    /// # let _ = i;
    /// ```
    #[must_use]
    pub fn data(users_list: Value) -> Self {
        Self {
            users_list,
            addr_type: None,
            if_exists: None,
            auto_group: None,
            clean_group: None,
        }
    }

    /// The identifier type of the rows.
    ///
    /// ```
    /// let i = relance::sendsay::MemberImport::csv("79991234567").addr_type(relance::sendsay::AddrType::Msisdn);
    /// # let _ = i;
    /// ```
    #[must_use]
    pub fn addr_type(mut self, t: AddrType) -> Self {
        self.addr_type = Some(t);
        self
    }

    /// What to do with existing contacts.
    ///
    /// ```
    /// let i = relance::sendsay::MemberImport::csv("a@b.ru").if_exists(relance::sendsay::IfExists::Ignore);
    /// # let _ = i;
    /// ```
    #[must_use]
    pub fn if_exists(mut self, mode: IfExists) -> Self {
        self.if_exists = Some(mode);
        self
    }

    /// Adds every imported contact to a list (`auto_group: {"id": …}`).
    ///
    /// ```
    /// let i = relance::sendsay::MemberImport::csv("a@b.ru").auto_group("list0004");
    /// # let _ = i;
    /// ```
    #[must_use]
    pub fn auto_group(mut self, id: impl Into<String>) -> Self {
        self.auto_group = Some(id.into());
        self
    }

    /// Whether to empty that list first (`clean_group`).
    ///
    /// ```
    /// let i = relance::sendsay::MemberImport::csv("a@b.ru").auto_group("l1").clean_group(true);
    /// # let _ = i;
    /// ```
    #[must_use]
    pub fn clean_group(mut self, clean: bool) -> Self {
        self.clean_group = Some(clean);
        self
    }

    fn params(self) -> Result<Map<String, Value>> {
        match &self.users_list {
            Value::String(s) if s.trim().is_empty() => {
                return Err(Error::invalid("users.list", "must not be empty"));
            }
            Value::Array(a) if a.is_empty() => {
                return Err(Error::invalid("users.list", "must not be empty"));
            }
            Value::String(_) | Value::Array(_) => {}
            _ => return Err(Error::invalid("users.list", "must be a string or an array")),
        }
        if let Some(g) = &self.auto_group {
            group_id(g)?;
        }
        let mut auto = Map::new();
        if let Some(g) = self.auto_group {
            auto.insert("id".into(), Value::String(g));
        }
        Params::new()
            .opt("addr_type", self.addr_type.as_ref().map(AddrType::as_str))
            .opt("if_exists", self.if_exists.as_ref().map(IfExists::as_str))
            .set("charset", "utf-8")
            .set("users.list", self.users_list)
            .opt(
                "auto_group",
                (!auto.is_empty()).then_some(Value::Object(auto)),
            )
            .opt("clean_group", self.clean_group.map(flag))
            .ok()
    }
}

/// Handler for contacts. Created by [`Client::members`].
#[derive(Debug, Clone)]
pub struct MembersHandler {
    client: Client,
}

impl MembersHandler {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// `member.set`: creates or updates a contact. Returns the stored contact when
    /// [`return_fresh_obj`](MemberSet::return_fresh_obj) was asked for. Not retried
    /// automatically.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// use relance::sendsay::MemberSet;
    /// let fresh = client
    ///     .members()
    ///     .set(MemberSet::new("ivan@example.com").set("base.firstName", "Ivan").return_fresh_obj(true))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn set(&self, member: MemberSet) -> Request<Option<Member>> {
        self.client
            .action("member.set", member.params(), |v| match v.get("obj") {
                Some(o) if o.is_object() => types::obj(v).map(Some),
                _ => Ok(None),
            })
    }

    /// `member.get`: one contact.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let m = client.members().get("ivan@example.com").await?;
    /// println!("{:?}", m.value("base.firstName"));
    /// # Ok(()) }
    /// ```
    pub fn get(&self, id: impl Into<MemberId>) -> Request<Member> {
        let params = id.into().params().and_then(Params::ok);
        self.client.action("member.get", params, types::obj)
    }

    /// `member.exists`.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// if !client.members().exists("ivan@example.com").await? { /* ... */ }
    /// # Ok(()) }
    /// ```
    pub fn exists(&self, id: impl Into<MemberId>) -> Request<bool> {
        let params = id.into().params().and_then(Params::ok);
        self.client.action("member.exists", params, |v| {
            Ok(match v.get("list") {
                Some(Value::Object(m)) => m.values().any(|v| {
                    crate::wire::lenient::value_int(v).map_or(v.as_bool() == Some(true), |n| n != 0)
                }),
                Some(Value::Array(a)) => !a.is_empty(),
                Some(other) => crate::wire::lenient::value_int(other).is_some_and(|n| n != 0),
                None => false,
            })
        })
    }

    /// `member.list` with an inline result (`result: "response"`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// use relance::sendsay::MemberListQuery;
    /// let page = client.members().list(MemberListQuery::new().group("list0004").pagesize(100)).await?;
    /// # Ok(()) }
    /// ```
    pub fn list(&self, query: MemberListQuery) -> Request<MemberList> {
        let mut params = query.params;
        params.insert("result".into(), "response".into());
        self.client
            .action("member.list", Ok(params), types::from_value)
    }

    /// `member.list.count`: counts per identifier type, optionally for one group
    /// (`obj`, kept as sent: its exact shape is not documented).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let counts = client.members().count(Some("list0004")).await?;
    /// # Ok(()) }
    /// ```
    pub fn count(&self, group: Option<&str>) -> Request<Map<String, Value>> {
        let params = match group {
            Some(g) => group_id(g).map(|()| Params::new().set("group", g).0),
            None => Ok(Map::new()),
        };
        self.client.action("member.list.count", params, |v| {
            Ok(match v.get("obj") {
                Some(Value::Object(m)) => m.clone(),
                _ => Map::new(),
            })
        })
    }

    /// `member.delete`: asynchronous unless `sync`; never retried automatically.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let job = client.members().delete(relance::sendsay::MemberDelete::one("a@b.ru")).await?;
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, what: MemberDelete) -> Request<Accepted> {
        let params = what.params.map(|p| p.0).map_err(|bad| {
            Error::invalid(bad, "an empty identifier list, identifier or bad group id")
        });
        self.client.action("member.delete", params, types::accepted)
    }

    /// `member.import`: starts a bulk upload and returns its job; never retried automatically.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// use relance::sendsay::MemberImport;
    /// let job = client.members().import(MemberImport::csv("a@b.ru\nc@d.ru").auto_group("list0004")).await?;
    /// let done = client.track(job).wait(relance::JobWait::new(std::time::Duration::from_secs(300))).await?;
    /// # Ok(()) }
    /// ```
    pub fn import(&self, import: MemberImport) -> Request<TrackId> {
        self.client
            .action("member.import", import.params(), types::track_id)
    }

    /// `member.sendconfirm`: sends the confirmation letter (`letter`, a draft id) to the
    /// unconfirmed contacts of `group`; never retried automatically.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let job = client.members().send_confirmation("unconfirmed", "12").await?;
    /// # Ok(()) }
    /// ```
    pub fn send_confirmation(&self, group: &str, letter_draft: &str) -> Request<Accepted> {
        let params = group_id(group).and_then(|()| {
            non_empty("letter", letter_draft)?;
            Params::new()
                .set("confirm", 1)
                .set("group", group)
                .set("letter", letter_draft)
                .ok()
        });
        self.client
            .action("member.sendconfirm", params, types::accepted)
    }
}
