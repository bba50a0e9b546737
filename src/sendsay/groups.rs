//! Groups (`group.*`): lists and segments alike — create, list, read, rename, delete,
//! snapshot, clean.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::core::Core;
use super::envelope;
use super::ids::GroupId;
use super::params::{Params, flag, group_id, non_empty};
use super::types::{Accepted, AddrType};
use crate::error::Result;
use crate::http::Request;
use crate::wire::open_enum;

open_enum! {
    /// The type of a group.
    GroupType in "relance::sendsay" {
        /// Explicit members.
        List => "list",
        /// A segment: members matching a filter.
        Filter => "filter",
    }
}

/// A group as `group.list` / `group.get` return it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Group {
    /// The id (`list0004`, `p24`).
    #[serde(default)]
    pub id: Option<GroupId>,
    /// The name.
    #[serde(default, deserialize_with = "crate::wire::lenient::opt_string")]
    pub name: Option<String>,
    /// `list` or `filter`.
    #[serde(rename = "type", default)]
    pub group_type: Option<GroupType>,
    /// The identifier type of its members.
    #[serde(default)]
    pub addr_type: Option<AddrType>,
    /// The filter, when asked for (`with_filter`) and present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<Value>,
    /// Every other field (`create.time`, `update.time`, ...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `group.create` parameters.
///
/// ```
/// use relance::sendsay::{AddrType, NewGroup};
/// let g = NewGroup::list("Buyers").id("buyers").addr_type(AddrType::Email);
/// # let _ = g;
/// ```
#[derive(Debug, Clone)]
pub struct NewGroup {
    id: Option<GroupId>,
    name: String,
    group_type: GroupType,
    addr_type: AddrType,
}

impl NewGroup {
    /// A list (explicit members) of email contacts.
    ///
    /// ```
    /// let g = relance::sendsay::NewGroup::list("Buyers");
    /// # let _ = g;
    /// ```
    pub fn list(name: impl Into<String>) -> Self {
        Self {
            id: None,
            name: name.into(),
            group_type: GroupType::List,
            addr_type: AddrType::Email,
        }
    }

    /// A segment (filter group) of email contacts.
    ///
    /// ```
    /// let g = relance::sendsay::NewGroup::segment("Big spenders");
    /// # let _ = g;
    /// ```
    pub fn segment(name: impl Into<String>) -> Self {
        Self {
            group_type: GroupType::Filter,
            ..Self::list(name)
        }
    }

    /// A custom id (`[a-zA-Z0-9]+`); the service assigns one otherwise.
    ///
    /// ```
    /// let g = relance::sendsay::NewGroup::list("Buyers").id("buyers");
    /// # let _ = g;
    /// ```
    #[must_use]
    pub fn id(mut self, id: impl Into<GroupId>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// The identifier type of the members (default `email`; `msisdn` for SMS lists).
    ///
    /// ```
    /// let g = relance::sendsay::NewGroup::list("Phones").addr_type(relance::sendsay::AddrType::Msisdn);
    /// # let _ = g;
    /// ```
    #[must_use]
    pub fn addr_type(mut self, t: AddrType) -> Self {
        self.addr_type = t;
        self
    }

    pub(crate) fn params(self) -> Result<Map<String, Value>> {
        if let Some(id) = &self.id {
            group_id(id.as_str())?;
        }
        non_empty("name", &self.name)?;
        Params::new()
            .opt("id", self.id.map(|id| id.0))
            .set("name", self.name)
            .set("type", self.group_type.as_str())
            .set("addr_type", self.addr_type.as_str())
            .ok()
    }
}

/// `group.snapshot`: materialises a segment (or identifiers) into a list.
///
/// ```
/// let s = relance::sendsay::Snapshot::group("p42", "list0004").clean(true);
/// # let _ = s;
/// ```
#[derive(Debug, Clone)]
pub struct Snapshot {
    from: Map<String, Value>,
    to: GroupId,
    clean: bool,
    bad: Option<GroupId>,
}

impl Snapshot {
    /// Copies the members of group `from` into list `to`.
    ///
    /// ```
    /// let s = relance::sendsay::Snapshot::group("p42", "list0004");
    /// # let _ = s;
    /// ```
    #[must_use]
    pub fn group(from: impl Into<GroupId>, to: impl Into<GroupId>) -> Self {
        let from = from.into();
        let bad = group_id(from.as_str()).err().map(|_| from.clone());
        let mut m = Map::new();
        m.insert("group".into(), from.0.into());
        Self {
            from: m,
            to: to.into(),
            clean: false,
            bad,
        }
    }

    /// Empties the target list first (`to.clean`).
    ///
    /// ```
    /// let s = relance::sendsay::Snapshot::group("p42", "list0004").clean(true);
    /// # let _ = s;
    /// ```
    #[must_use]
    pub fn clean(mut self, clean: bool) -> Self {
        self.clean = clean;
        self
    }

    /// Waits for completion (`from.sync`).
    ///
    /// ```
    /// let s = relance::sendsay::Snapshot::group("p42", "list0004").sync(true);
    /// # let _ = s;
    /// ```
    #[must_use]
    pub fn sync(mut self, sync: bool) -> Self {
        self.from.insert("sync".into(), Value::Bool(sync));
        self
    }

    fn params(self) -> Result<Map<String, Value>> {
        if let Some(bad) = self.bad {
            group_id(bad.as_str())?;
        }
        group_id(self.to.as_str())?;
        Params::new()
            .set("from", Value::Object(self.from))
            .set(
                "to",
                serde_json::json!({"id": self.to, "clean": flag(self.clean)}),
            )
            .ok()
    }
}

/// `{"id": <group id>}`, the id checked.
pub(crate) fn group_id_param(id: GroupId) -> Result<Map<String, Value>> {
    group_id(id.as_str())?;
    Params::new().set("id", id.0).ok()
}

/// Handler for groups. Created by [`Client::groups`](super::Client::groups).
#[derive(Debug, Clone)]
pub struct GroupsHandler {
    core: Arc<Core>,
}

impl GroupsHandler {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self { core }
    }

    /// `group.create`: returns the id of the new group.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let id = client.groups().create(relance::sendsay::NewGroup::list("Buyers")).await?;
    /// # Ok(()) }
    /// ```
    pub fn create(&self, group: NewGroup) -> Request<GroupId> {
        self.core
            .action("group.create", group.params(), envelope::created_id)
    }

    /// `group.list`: every group.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// for g in client.groups().list().await? { println!("{:?}", g.name); }
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> Request<Vec<Group>> {
        self.core
            .action("group.list", Ok(Map::new()), envelope::list)
    }

    /// `group.get` for one id, with its filter (`with_filter: 1`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let g = client.groups().get("list0004").await?;
    /// # Ok(()) }
    /// ```
    pub fn get(&self, id: impl Into<GroupId>) -> Request<Group> {
        let params = group_id_param(id.into()).map(|mut p| {
            p.insert("with_filter".into(), flag(true));
            p
        });
        self.core.action("group.get", params, envelope::obj)
    }

    /// `group.set`: renames a group.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// client.groups().rename("list0004", "Buyers 2024").await?;
    /// # Ok(()) }
    /// ```
    pub fn rename(&self, id: impl Into<GroupId>, name: &str) -> Request<()> {
        let params = group_id_param(id.into()).and_then(|mut p| {
            non_empty("name", name)?;
            p.insert("name".into(), name.into());
            Ok(p)
        });
        self.core.action("group.set", params, envelope::unit)
    }

    /// `group.delete`. A missing group fails with `group_id_not_exists`.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// client.groups().delete("list0004").await?;
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, id: impl Into<GroupId>) -> Request<()> {
        self.core
            .action("group.delete", group_id_param(id.into()), envelope::unit)
    }

    /// `group.snapshot`: copies a segment into a list; never retried automatically.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let job = client.groups().snapshot(relance::sendsay::Snapshot::group("p42", "list0004")).await?;
    /// # Ok(()) }
    /// ```
    pub fn snapshot(&self, snapshot: Snapshot) -> Request<Accepted> {
        self.core
            .action("group.snapshot", snapshot.params(), envelope::accepted)
    }

    /// `group.clean` with `all: 1`: removes every member of a list; never retried
    /// automatically.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// client.groups().clean("list0004").await?;
    /// # Ok(()) }
    /// ```
    pub fn clean(&self, id: impl Into<GroupId>) -> Request<Accepted> {
        let params = group_id_param(id.into()).map(|mut p| {
            p.insert("all".into(), flag(true));
            p
        });
        self.core.action("group.clean", params, envelope::accepted)
    }
}
