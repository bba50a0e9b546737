//! The `a/op/v` filter grammar shared by segments (`group.filter.set`), `stat.uni` and
//! `track.list`: rules, implicitly AND-ed.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};

/// One rule of a filter: `{"a": <attribute>, "op": <operator>, "v": <value>}`.
///
/// The documented operators have constructors; [`FilterRule::custom`] passes any other.
///
/// ```
/// use relance::sendsay::FilterRule;
/// let c = FilterRule::gt("size(sendsay_basket.items)", "0");
/// assert_eq!(
///     serde_json::to_value(&c).unwrap(),
///     serde_json::json!({"a": "size(sendsay_basket.items)", "op": ">", "v": "0"})
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FilterRule {
    /// The attribute or expression.
    pub a: String,
    /// The operator.
    pub op: String,
    /// The value (absent for `!is_null`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub v: Option<Value>,
}

impl FilterRule {
    /// Any operator.
    ///
    /// ```
    /// let c = relance::sendsay::FilterRule::custom("member.email", "==", Some("a@b.ru".into()));
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
    /// let c = relance::sendsay::FilterRule::eq("issue.format", "e");
    /// # let _ = c;
    /// ```
    pub fn eq(a: impl Into<String>, v: impl Into<Value>) -> Self {
        Self::custom(a, "==", Some(v.into()))
    }

    /// `>`.
    ///
    /// ```
    /// let c = relance::sendsay::FilterRule::gt("size(sendsay_basket.items)", "0");
    /// # let _ = c;
    /// ```
    pub fn gt(a: impl Into<String>, v: impl Into<Value>) -> Self {
        Self::custom(a, ">", Some(v.into()))
    }

    /// `>=`.
    ///
    /// ```
    /// let c = relance::sendsay::FilterRule::ge("issue.dt:Ys", "2024-01-01 00:00:00");
    /// # let _ = c;
    /// ```
    pub fn ge(a: impl Into<String>, v: impl Into<Value>) -> Self {
        Self::custom(a, ">=", Some(v.into()))
    }

    /// `<=`.
    ///
    /// ```
    /// let c = relance::sendsay::FilterRule::le("issue.dt:Ys", "2024-01-31 23:59:59");
    /// # let _ = c;
    /// ```
    pub fn le(a: impl Into<String>, v: impl Into<Value>) -> Self {
        Self::custom(a, "<=", Some(v.into()))
    }

    /// `in` (one of the values).
    ///
    /// ```
    /// let c = relance::sendsay::FilterRule::is_in("status", [-6, -2]);
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
    /// let c = relance::sendsay::FilterRule::not_null("base.firstName");
    /// # let _ = c;
    /// ```
    pub fn not_null(a: impl Into<String>) -> Self {
        Self::custom(a, "!is_null", None)
    }

    /// Between two wire datetimes, inclusive (`>=` and `<=`).
    ///
    /// ```
    /// let [from, to] = relance::sendsay::FilterRule::between("issue.dt:Ys", "2024-01-01 00:00:00", "2024-01-31 23:59:59");
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

/// A filter: rules, implicitly AND-ed (the current grammar). Used by segments,
/// `stat.uni` and `track.list`. The OR syntax is not documented; a legacy filter can be
/// passed as is with [`Filter::raw`].
///
/// ```
/// use relance::sendsay::{FilterRule, Filter};
/// let f = Filter::new()
///     .and(FilterRule::gt("size(sendsay_basket.items)", "0"))
///     .and(FilterRule::not_null("base.firstName"));
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

    /// Adds a rule.
    ///
    /// ```
    /// let f = relance::sendsay::Filter::new().and(relance::sendsay::FilterRule::eq("a", "b"));
    /// # let _ = f;
    /// ```
    #[must_use]
    pub fn and(mut self, c: FilterRule) -> Self {
        self.items
            .push(serde_json::to_value(c).unwrap_or(Value::Null));
        self
    }

    /// Adds several rules.
    ///
    /// ```
    /// use relance::sendsay::{FilterRule, Filter};
    /// let f = Filter::new().and_all(FilterRule::between("issue.dt:Ys", "2024-01-01 00:00:00", "2024-02-01 00:00:00"));
    /// assert_eq!(f.len(), 2);
    /// ```
    #[must_use]
    pub fn and_all(self, cs: impl IntoIterator<Item = FilterRule>) -> Self {
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
