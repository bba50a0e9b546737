//! `member.list`: contacts page by page, as rows in the columns of a view format.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::sendsay::ids::GroupId;

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
    pub fn group(mut self, id: impl Into<GroupId>) -> Self {
        self.params
            .insert("group".into(), Value::String(id.into().0));
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

    /// The parameters of an inline list (`result: "response"`).
    pub(crate) fn into_params(self) -> Map<String, Value> {
        let mut params = self.params;
        params.insert("result".into(), "response".into());
        params
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
