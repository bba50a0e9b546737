//! Groups (`group.*`): lists and segments (filters), and the `a/op/v` filter grammar.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::types::{self, Accepted, AddrType, Params, flag, group_id, non_empty};
use super::{Client, Request};
use crate::error::{Error, Result};
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
    #[serde(default, deserialize_with = "crate::wire::lenient::opt_string")]
    pub id: Option<String>,
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
    id: Option<String>,
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
    pub fn id(mut self, id: impl Into<String>) -> Self {
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

    fn params(self) -> Result<Map<String, Value>> {
        if let Some(id) = &self.id {
            group_id(id)?;
        }
        non_empty("name", &self.name)?;
        Params::new()
            .opt("id", self.id)
            .set("name", self.name)
            .set("type", self.group_type.as_str())
            .set("addr_type", self.addr_type.as_str())
            .ok()
    }
}

/// One filter condition: `{"a": <attribute>, "op": <operator>, "v": <value>}`.
///
/// The documented operators have constructors; [`Condition::custom`] passes any other.
///
/// ```
/// use relance::sendsay::Condition;
/// let c = Condition::gt("size(sendsay_basket.items)", "0");
/// assert_eq!(
///     serde_json::to_value(&c).unwrap(),
///     serde_json::json!({"a": "size(sendsay_basket.items)", "op": ">", "v": "0"})
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    /// The attribute or expression.
    pub a: String,
    /// The operator.
    pub op: String,
    /// The value (absent for `!is_null`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub v: Option<Value>,
}

impl Condition {
    /// Any operator.
    ///
    /// ```
    /// let c = relance::sendsay::Condition::custom("member.email", "==", Some("a@b.ru".into()));
    /// # let _ = c;
    /// ```
    pub fn custom(a: impl Into<String>, op: impl Into<String>, v: Option<Value>) -> Self {
        Self {
            a: a.into(),
            op: op.into(),
            v,
        }
    }

    /// `==`.
    ///
    /// ```
    /// let c = relance::sendsay::Condition::eq("issue.format", "e");
    /// # let _ = c;
    /// ```
    pub fn eq(a: impl Into<String>, v: impl Into<Value>) -> Self {
        Self::custom(a, "==", Some(v.into()))
    }

    /// `>`.
    ///
    /// ```
    /// let c = relance::sendsay::Condition::gt("size(sendsay_basket.items)", "0");
    /// # let _ = c;
    /// ```
    pub fn gt(a: impl Into<String>, v: impl Into<Value>) -> Self {
        Self::custom(a, ">", Some(v.into()))
    }

    /// `>=`.
    ///
    /// ```
    /// let c = relance::sendsay::Condition::ge("issue.dt:Ys", "2024-01-01 00:00:00");
    /// # let _ = c;
    /// ```
    pub fn ge(a: impl Into<String>, v: impl Into<Value>) -> Self {
        Self::custom(a, ">=", Some(v.into()))
    }

    /// `<=`.
    ///
    /// ```
    /// let c = relance::sendsay::Condition::le("issue.dt:Ys", "2024-01-31 23:59:59");
    /// # let _ = c;
    /// ```
    pub fn le(a: impl Into<String>, v: impl Into<Value>) -> Self {
        Self::custom(a, "<=", Some(v.into()))
    }

    /// `in` (one of the values).
    ///
    /// ```
    /// let c = relance::sendsay::Condition::is_in("status", [-6, -2]);
    /// # let _ = c;
    /// ```
    pub fn is_in<I, V>(a: impl Into<String>, values: I) -> Self
    where
        I: IntoIterator<Item = V>,
        V: Into<Value>,
    {
        Self::custom(
            a,
            "in",
            Some(Value::Array(values.into_iter().map(Into::into).collect())),
        )
    }

    /// `!is_null` (the attribute has a value).
    ///
    /// ```
    /// let c = relance::sendsay::Condition::not_null("base.firstName");
    /// # let _ = c;
    /// ```
    pub fn not_null(a: impl Into<String>) -> Self {
        Self::custom(a, "!is_null", None)
    }

    /// Between two wire datetimes, inclusive (`>=` and `<=`).
    ///
    /// ```
    /// let [from, to] = relance::sendsay::Condition::between("issue.dt:Ys", "2024-01-01 00:00:00", "2024-01-31 23:59:59");
    /// # let _ = (from, to);
    /// ```
    pub fn between(
        a: impl Into<String>,
        from: impl Into<Value>,
        to: impl Into<Value>,
    ) -> [Self; 2] {
        let a = a.into();
        [Self::ge(a.clone(), from), Self::le(a, to)]
    }
}

/// A filter: conditions, implicitly AND-ed (the current grammar). Used by segments,
/// `stat.uni` and `track.list`. The OR syntax is not documented; a legacy filter can be
/// passed as is with [`Filter::raw`].
///
/// ```
/// use relance::sendsay::{Condition, Filter};
/// let f = Filter::new()
///     .and(Condition::gt("size(sendsay_basket.items)", "0"))
///     .and(Condition::not_null("base.firstName"));
/// assert_eq!(f.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Filter {
    items: Vec<Value>,
}

impl Filter {
    /// An empty filter.
    ///
    /// ```
    /// assert!(relance::sendsay::Filter::new().is_empty());
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a condition.
    ///
    /// ```
    /// let f = relance::sendsay::Filter::new().and(relance::sendsay::Condition::eq("a", "b"));
    /// # let _ = f;
    /// ```
    #[must_use]
    pub fn and(mut self, c: Condition) -> Self {
        self.items
            .push(serde_json::to_value(c).unwrap_or(Value::Null));
        self
    }

    /// Adds several conditions.
    ///
    /// ```
    /// use relance::sendsay::{Condition, Filter};
    /// let f = Filter::new().and_all(Condition::between("issue.dt:Ys", "2024-01-01 00:00:00", "2024-02-01 00:00:00"));
    /// assert_eq!(f.len(), 2);
    /// ```
    #[must_use]
    pub fn and_all(self, cs: impl IntoIterator<Item = Condition>) -> Self {
        cs.into_iter().fold(self, Self::and)
    }

    /// A filter passed as is (for example the legacy `which`/`PRF` grammar read from
    /// `group.filter.get`).
    ///
    /// ```
    /// let f = relance::sendsay::Filter::raw(vec![serde_json::json!({"which": "AND"})]);
    /// # let _ = f;
    /// ```
    #[must_use]
    pub fn raw(items: Vec<Value>) -> Self {
        Self { items }
    }

    /// The number of items.
    ///
    /// ```
    /// assert_eq!(relance::sendsay::Filter::new().len(), 0);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the filter has no items.
    ///
    /// ```
    /// assert!(relance::sendsay::Filter::new().is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The wire form (a JSON array).
    ///
    /// ```
    /// assert_eq!(relance::sendsay::Filter::new().to_value(), serde_json::json!([]));
    /// ```
    #[must_use]
    pub fn to_value(&self) -> Value {
        Value::Array(self.items.clone())
    }

    pub(crate) fn check(&self) -> Result<()> {
        for item in &self.items {
            if let Some(a) = item.get("a") {
                if a.as_str().is_none_or(|a| a.trim().is_empty()) {
                    return Err(Error::invalid("filter.a", "a condition attribute is empty"));
                }
                if item
                    .get("op")
                    .and_then(Value::as_str)
                    .is_none_or(|o| o.trim().is_empty())
                {
                    return Err(Error::invalid("filter.op", "a condition operator is empty"));
                }
            }
        }
        Ok(())
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
    to: String,
    clean: bool,
    bad: Option<String>,
}

impl Snapshot {
    /// Copies the members of group `from` into list `to`.
    ///
    /// ```
    /// let s = relance::sendsay::Snapshot::group("p42", "list0004");
    /// # let _ = s;
    /// ```
    #[must_use]
    pub fn group(from: &str, to: &str) -> Self {
        let bad = group_id(from).err().map(|_| from.to_owned());
        let mut m = Map::new();
        m.insert("group".into(), from.into());
        Self {
            from: m,
            to: to.to_owned(),
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
            group_id(&bad)?;
        }
        group_id(&self.to)?;
        Params::new()
            .set("from", Value::Object(self.from))
            .set(
                "to",
                serde_json::json!({"id": self.to, "clean": flag(self.clean)}),
            )
            .ok()
    }
}

fn id_param(id: &str) -> Result<Map<String, Value>> {
    group_id(id)?;
    Params::new().set("id", id).ok()
}

/// Handler for groups. Created by [`Client::groups`].
#[derive(Debug, Clone)]
pub struct GroupsHandler {
    client: Client,
}

impl GroupsHandler {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// `group.create`: returns the id of the new group.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let id = client.groups().create(relance::sendsay::NewGroup::list("Buyers")).await?;
    /// # Ok(()) }
    /// ```
    pub fn create(&self, group: NewGroup) -> Request<String> {
        self.client
            .action("group.create", group.params(), types::created_id)
    }

    /// `group.list`: every group.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// for g in client.groups().list().await? { println!("{:?}", g.name); }
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> Request<Vec<Group>> {
        self.client
            .action("group.list", Ok(Map::new()), types::list)
    }

    /// `group.get` for one id, with its filter (`with_filter: 1`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let g = client.groups().get("list0004").await?;
    /// # Ok(()) }
    /// ```
    pub fn get(&self, id: &str) -> Request<Group> {
        let params = id_param(id).map(|mut p| {
            p.insert("with_filter".into(), flag(true));
            p
        });
        self.client.action("group.get", params, types::obj)
    }

    /// `group.set`: renames a group.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// client.groups().rename("list0004", "Buyers 2024").await?;
    /// # Ok(()) }
    /// ```
    pub fn rename(&self, id: &str, name: &str) -> Request<()> {
        let params = id_param(id).and_then(|mut p| {
            non_empty("name", name)?;
            p.insert("name".into(), name.into());
            Ok(p)
        });
        self.client.action("group.set", params, types::unit)
    }

    /// `group.delete`. A missing group fails with `group_id_not_exists`.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// client.groups().delete("list0004").await?;
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, id: &str) -> Request<()> {
        self.client
            .action("group.delete", id_param(id), types::unit)
    }

    /// `group.snapshot`: copies a segment into a list; never retried automatically.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let job = client.groups().snapshot(relance::sendsay::Snapshot::group("p42", "list0004")).await?;
    /// # Ok(()) }
    /// ```
    pub fn snapshot(&self, snapshot: Snapshot) -> Request<Accepted> {
        self.client
            .action("group.snapshot", snapshot.params(), types::accepted)
    }

    /// `group.clean` with `all: 1`: removes every member of a list; never retried
    /// automatically.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// client.groups().clean("list0004").await?;
    /// # Ok(()) }
    /// ```
    pub fn clean(&self, id: &str) -> Request<Accepted> {
        let params = id_param(id).map(|mut p| {
            p.insert("all".into(), flag(true));
            p
        });
        self.client.action("group.clean", params, types::accepted)
    }
}

/// Handler for segments (groups of type `filter`). Created by [`Client::segments`].
#[derive(Debug, Clone)]
pub struct SegmentsHandler {
    client: Client,
}

impl SegmentsHandler {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// `group.create` with `type: "filter"`; returns the id.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let id = client.segments().create(Some("vip"), "VIP").await?;
    /// # Ok(()) }
    /// ```
    pub fn create(&self, id: Option<&str>, name: &str) -> Request<String> {
        let mut g = NewGroup::segment(name);
        if let Some(id) = id {
            g = g.id(id);
        }
        self.client
            .action("group.create", g.params(), types::created_id)
    }

    /// `group.filter.set`: replaces a segment's conditions.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// use relance::sendsay::{Condition, Filter};
    /// client.segments().set_filter("vip", &Filter::new().and(Condition::ge("custom.spent", "1000"))).await?;
    /// # Ok(()) }
    /// ```
    pub fn set_filter(&self, id: &str, filter: &Filter) -> Request<()> {
        let params = id_param(id).and_then(|mut p| {
            filter.check()?;
            if filter.is_empty() {
                return Err(Error::invalid(
                    "filter",
                    "a segment filter needs a condition",
                ));
            }
            p.insert("filter".into(), filter.to_value());
            Ok(p)
        });
        self.client.action("group.filter.set", params, types::unit)
    }

    /// `group.filter.get`: the conditions as the service stores them (the UI may produce
    /// forms `relance` does not type), plus `usage`/`depth`/`max_usage` when sent.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let filter = client.segments().filter("vip").await?;
    /// # Ok(()) }
    /// ```
    pub fn filter(&self, id: &str) -> Request<Value> {
        self.client.action("group.filter.get", id_param(id), Ok)
    }

    /// Creates a segment and sets its filter: two calls (`group.create`, then
    /// `group.filter.set`). Returns the segment id.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// use relance::sendsay::{Condition, Filter};
    /// let id = client
    ///     .segments()
    ///     .create_with_filter(None, "Abandoned carts", Filter::new().and(Condition::gt("size(sendsay_basket.items)", "0")))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn create_with_filter(
        &self,
        id: Option<&str>,
        name: &str,
        filter: Filter,
    ) -> Result<String> {
        filter.check()?;
        if filter.is_empty() {
            return Err(Error::invalid(
                "filter",
                "a segment filter needs a condition",
            ));
        }
        let id = self.create(id, name).await?;
        self.set_filter(&id, &filter).await?;
        Ok(id)
    }
}
