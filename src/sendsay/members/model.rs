//! The contact: how it is named (an identifier and its type) and what the service stores
//! for it (`member.get`).

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::sendsay::ids::GroupId;
use crate::sendsay::params::{Params, non_empty};
use crate::sendsay::types::AddrType;

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

    pub(crate) fn params(&self) -> Result<Params> {
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
    /// Waiting for its double-opt-in confirmation (`lockconfirm`): it gets no mailings
    /// until it clicks the link.
    #[serde(default, deserialize_with = "crate::wire::lenient::flag")]
    pub lockconfirm: bool,
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
    pub groups: BTreeMap<GroupId, bool>,
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
    pub fn in_group(&self, id: impl AsRef<str>) -> bool {
        self.groups.get(id.as_ref()).copied().unwrap_or(false)
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
                .map(|(k, v)| (GroupId::from(k), truthy(&v)))
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

/// A membership or existence flag: `1`/`"1"`/`true` (any non-zero number).
pub(crate) fn truthy(v: &Value) -> bool {
    crate::wire::lenient::value_int(v).map_or(v.as_bool() == Some(true), |n| n != 0)
}
