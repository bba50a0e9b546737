//! `member.set`: one contact created or updated, with data keys (КД) or anketa data (АВО).

use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use super::model::MemberId;
use crate::error::{Error, Result};
use crate::sendsay::ids::GroupId;
use crate::sendsay::params::{flag, group_id};
use crate::wire::open_enum;

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
    bad_group: Option<GroupId>,
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
    pub fn add_to_group(mut self, group: impl Into<GroupId>) -> Self {
        let group = group.into();
        if group_id(group.as_str()).is_err() {
            self.bad_group.get_or_insert_with(|| group.clone());
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
    pub fn remove_from_group(mut self, group: impl Into<GroupId>) -> Self {
        let group = group.into();
        if group_id(group.as_str()).is_err() {
            self.bad_group.get_or_insert_with(|| group.clone());
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

    /// The contact's identifier.
    ///
    /// ```
    /// assert_eq!(relance::sendsay::MemberSet::new("a@b.ru").id().value, "a@b.ru");
    /// ```
    #[must_use]
    pub fn id(&self) -> &MemberId {
        &self.id
    }

    pub(crate) fn params(self) -> Result<Map<String, Value>> {
        if let Some(bad) = self.bad_group {
            group_id(bad.as_str())?;
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
