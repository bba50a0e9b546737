//! Statistics: `stat.uni`.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::core::Core;
use super::envelope;
use super::filter::{Filter, FilterRule};
use super::ids::TrackId;
use crate::error::{Error, Result};
use crate::http::Request;

/// A `stat.uni` query: `select` columns (fields, `count(*)`, date modifiers such as
/// `issue.dt:Ys`), a filter (AND-ed `a/op/v` conditions), an order, `skip` / `first`, or a
/// `join` of sub-queries. Processing order: filter → order → skip → first.
///
/// ```
/// use relance::sendsay::{FilterRule, StatQuery};
/// let q = StatQuery::new(["issue.id", "issue.name", "issue.deliv_ok"])
///     .filter(FilterRule::ge("issue.dt:Ys", "2024-01-01 00:00:00"))
///     .filter(FilterRule::eq("issue.format", "e"))
///     .order_desc("issue.dt:Ys")
///     .first(50);
/// # let _ = q;
/// ```
#[derive(Debug, Clone, Default)]
pub struct StatQuery {
    select: Vec<String>,
    filter: Filter,
    order: Vec<String>,
    skip: Option<u64>,
    first: Option<u64>,
    join: Vec<StatQuery>,
    joinby: Option<u32>,
}

impl StatQuery {
    /// Selects columns, in output order.
    ///
    /// ```
    /// let q = relance::sendsay::StatQuery::new(["deliv.member.email", "deliv.status"]);
    /// # let _ = q;
    /// ```
    pub fn new<I, S>(select: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            select: select.into_iter().map(Into::into).collect(),
            ..Self::default()
        }
    }

    /// Merges sub-queries on their first `joinby` columns (`join` + `joinby`).
    ///
    /// ```
    /// use relance::sendsay::StatQuery;
    /// let q = StatQuery::join(
    ///     [StatQuery::new(["deliv.member.id", "deliv.issue.id"]), StatQuery::new(["read.member.id", "read.issue.id", "count(*)"])],
    ///     2,
    /// );
    /// # let _ = q;
    /// ```
    pub fn join(queries: impl IntoIterator<Item = StatQuery>, joinby: u32) -> Self {
        Self {
            join: queries.into_iter().collect(),
            joinby: Some(joinby),
            ..Self::default()
        }
    }

    /// Adds a condition.
    ///
    /// ```
    /// let q = relance::sendsay::StatQuery::new(["issue.id"]).filter(relance::sendsay::FilterRule::eq("issue.format", "e"));
    /// # let _ = q;
    /// ```
    #[must_use]
    pub fn filter(mut self, c: FilterRule) -> Self {
        self.filter = self.filter.and(c);
        self
    }

    /// Adds several conditions.
    ///
    /// ```
    /// use relance::sendsay::{FilterRule, StatQuery};
    /// let q = StatQuery::new(["issue.id"]).filter_all(FilterRule::between("issue.dt:Ys", "2024-01-01 00:00:00", "2024-01-31 23:59:59"));
    /// # let _ = q;
    /// ```
    #[must_use]
    pub fn filter_all(mut self, cs: impl IntoIterator<Item = FilterRule>) -> Self {
        self.filter = self.filter.and_all(cs);
        self
    }

    /// Orders by a column, ascending.
    ///
    /// ```
    /// let q = relance::sendsay::StatQuery::new(["issue.id"]).order_asc("issue.id");
    /// # let _ = q;
    /// ```
    #[must_use]
    pub fn order_asc(mut self, column: impl Into<String>) -> Self {
        self.order.push(column.into());
        self
    }

    /// Orders by a column, descending (`-column`).
    ///
    /// ```
    /// let q = relance::sendsay::StatQuery::new(["issue.id"]).order_desc("issue.dt:Ys");
    /// # let _ = q;
    /// ```
    #[must_use]
    pub fn order_desc(mut self, column: impl Into<String>) -> Self {
        self.order.push(format!("-{}", column.into()));
        self
    }

    /// Skips the first `n` rows.
    ///
    /// ```
    /// let q = relance::sendsay::StatQuery::new(["issue.id"]).skip(100);
    /// # let _ = q;
    /// ```
    #[must_use]
    pub fn skip(mut self, n: u64) -> Self {
        self.skip = Some(n);
        self
    }

    /// Returns at most `n` rows (all rows otherwise).
    ///
    /// ```
    /// let q = relance::sendsay::StatQuery::new(["issue.id"]).first(100);
    /// # let _ = q;
    /// ```
    #[must_use]
    pub fn first(mut self, n: u64) -> Self {
        self.first = Some(n);
        self
    }

    fn to_map(&self) -> Result<Map<String, Value>> {
        let mut m = Map::new();
        if self.join.is_empty() {
            if self.select.is_empty() {
                return Err(Error::invalid("select", "select at least one column"));
            }
            if let Some(bad) = self.select.iter().find(|s| s.trim().is_empty()) {
                return Err(Error::invalid(bad, "an empty select column"));
            }
            m.insert("select".into(), self.select.clone().into());
        } else {
            let subs = self
                .join
                .iter()
                .map(|q| q.to_map().map(Value::Object))
                .collect::<Result<Vec<_>>>()?;
            m.insert("join".into(), Value::Array(subs));
            if let Some(j) = self.joinby {
                m.insert("joinby".into(), j.into());
            }
        }
        self.filter.check()?;
        if !self.filter.is_empty() {
            m.insert("filter".into(), self.filter.to_value());
        }
        if !self.order.is_empty() {
            m.insert("order".into(), self.order.clone().into());
        }
        if let Some(s) = self.skip {
            m.insert("skip".into(), s.into());
        }
        if let Some(f) = self.first {
            m.insert("first".into(), f.into());
        }
        Ok(m)
    }
}

/// The rows of an inline `stat.uni` (each row in `select` order; values are often strings).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StatRows {
    /// The rows.
    #[serde(rename = "list", default)]
    pub rows: Vec<Vec<Value>>,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl StatRows {
    /// A cell as text (numbers and flags are formatted).
    ///
    /// ```
    /// let rows = relance::sendsay::StatRows::default();
    /// assert_eq!(rows.text(0, 0), None);
    /// ```
    #[must_use]
    pub fn text(&self, row: usize, col: usize) -> Option<String> {
        match self.rows.get(row)?.get(col)? {
            Value::Null => None,
            Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }

    /// A cell as an integer (numbers sent as strings are parsed).
    ///
    /// ```
    /// let rows = relance::sendsay::StatRows::default();
    /// assert_eq!(rows.int(0, 1), None);
    /// ```
    #[must_use]
    pub fn int(&self, row: usize, col: usize) -> Option<i64> {
        crate::wire::lenient::value_int(self.rows.get(row)?.get(col)?)
    }
}

fn rows(mut v: Value) -> Result<StatRows> {
    let list = match v.as_object_mut().and_then(|m| m.remove("list")) {
        Some(Value::Array(items)) => items
            .into_iter()
            .map(|r| match r {
                Value::Array(cells) => cells,
                Value::Object(m) => m.into_iter().map(|(_, c)| c).collect(),
                other => vec![other],
            })
            .collect(),
        _ => Vec::new(),
    };
    let mut out: StatRows = envelope::from_value(v)?;
    out.rows = list;
    Ok(out)
}

/// Handler for statistics. Created by [`Client::stats`](super::Client::stats).
#[derive(Debug, Clone)]
pub struct StatsHandler {
    core: Arc<Core>,
}

impl StatsHandler {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self { core }
    }

    /// `stat.uni` with an inline result (`result: "response"`; retried per the policy).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// use relance::sendsay::{FilterRule, StatQuery};
    /// let rows = client
    ///     .stats()
    ///     .uni(StatQuery::new(["deliv.issue.id", "count(*)"]).filter(FilterRule::eq("deliv.member.email", "a@b.ru")))
    ///     .await?;
    /// for r in 0..rows.rows.len() { println!("{:?} {:?}", rows.text(r, 0), rows.int(r, 1)); }
    /// # Ok(()) }
    /// ```
    #[allow(clippy::needless_pass_by_value)]
    pub fn uni(&self, query: StatQuery) -> Request<StatRows> {
        let params = query.to_map().map(|mut m| {
            m.insert("result".into(), "response".into());
            m
        });
        self.core.action("stat.uni", params, rows)
    }

    /// `stat.uni` with `result: "save"`: a report file under Files → Reports, produced by a
    /// job (its `param.report_file` names the file). Not retried automatically.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let job = client.stats().uni_save(relance::sendsay::StatQuery::new(["issue.id"])).await?;
    /// # Ok(()) }
    /// ```
    #[allow(clippy::needless_pass_by_value)]
    pub fn uni_save(&self, query: StatQuery) -> Request<TrackId> {
        let params = query.to_map().map(|mut m| {
            m.insert("result".into(), "save".into());
            m
        });
        self.core.action("stat.uni", params, envelope::track_id)
    }
}
