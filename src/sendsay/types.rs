//! Shared Sendsay types: identifier types, track ids, open enums, decoding helpers.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Error, Result, truncate};

use crate::wire::{open_enum, text_id};

open_enum! {
    /// The identifier type of a contact (`addr_type`). The identifier itself always goes in
    /// the parameter named `email`.
    AddrType in "relance::sendsay" {
        /// An email address.
        Email => "email",
        /// A mobile phone number (SMS).
        Msisdn => "msisdn",
        /// Viber.
        Viber => "viber",
        /// A client id.
        Csid => "csid",
        /// A web push registration token.
        Push => "push",
        /// A mobile push registration token (`<token>@<service>.<os>.<authext_id>`).
        PushApp => "pushapp",
        /// VK.
        Vk => "vk",
        /// A phone for VK Notify.
        VkNotify => "vknotify",
        /// Telegram.
        Tg => "tg",
        /// MAX messenger.
        Max => "max",
    }
}

text_id!(
    /// The id of an asynchronous job (`track.id`), received as a number or a string and sent
    /// back as a number when it is numeric.
    TrackId in "relance::sendsay"
);

/// The answer of an action that may run asynchronously: the job id when one was started,
/// and whatever else the service sent.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Accepted {
    /// The asynchronous job, when the action was queued (`track.id`).
    #[serde(rename = "track.id", default, skip_serializing_if = "Option::is_none")]
    pub track_id: Option<TrackId>,
    /// Every other field of the answer.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The answer of `pong`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Pong {
    /// Server time (Unix seconds).
    #[serde(default, deserialize_with = "crate::wire::lenient::opt_int")]
    pub ping: Option<i64>,
    /// The account.
    #[serde(default, deserialize_with = "crate::wire::lenient::opt_string")]
    pub account: Option<String>,
    /// The user.
    #[serde(default, deserialize_with = "crate::wire::lenient::opt_string")]
    pub sublogin: Option<String>,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Decodes a reply value, reporting the JSON path on failure.
pub(crate) fn from_value<T: serde::de::DeserializeOwned>(v: Value) -> Result<T> {
    let text = v.to_string();
    serde_path_to_error::deserialize(v).map_err(|e| Error::Decode {
        status: 200,
        path: e.path().to_string(),
        body: truncate(&text),
        source: e.into_inner(),
    })
}

/// Decodes the reply's `obj` (or the reply itself when it has none).
pub(crate) fn obj<T: serde::de::DeserializeOwned>(mut v: Value) -> Result<T> {
    match v.get_mut("obj") {
        Some(o) => from_value(o.take()),
        None => from_value(v),
    }
}

/// Decodes the reply's `list` as a vector (a map becomes its values; absent = empty).
pub(crate) fn list<T: serde::de::DeserializeOwned>(mut v: Value) -> Result<Vec<T>> {
    let items = match v.get_mut("list").map(Value::take) {
        Some(Value::Array(a)) => a,
        Some(Value::Object(m)) => m.into_iter().map(|(_, v)| v).collect(),
        _ => Vec::new(),
    };
    from_value(Value::Array(items))
}

/// Decodes an answer that may start a job.
pub(crate) fn accepted(v: Value) -> Result<Accepted> {
    from_value(v)
}

/// Decodes an answer that must start a job.
pub(crate) fn track_id(v: Value) -> Result<TrackId> {
    let accepted: Accepted = from_value(v)?;
    accepted
        .track_id
        .filter(|t| !t.0.is_empty())
        .ok_or_else(|| Error::Protocol("the answer has no track.id".into()))
}

/// Decodes the `id` of a created object as text.
#[allow(clippy::needless_pass_by_value)]
pub(crate) fn created_id(v: Value) -> Result<String> {
    match v.get("id") {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Number(n)) => Ok(n.to_string()),
        _ => Err(Error::Protocol("the answer has no id".into())),
    }
}

/// Ignores the answer.
#[allow(clippy::unnecessary_wraps)]
pub(crate) fn unit(_: Value) -> Result<()> {
    Ok(())
}

/// Helpers to build parameter objects.
#[derive(Debug, Clone)]
pub(crate) struct Params(pub(crate) Map<String, Value>);

impl Params {
    pub(crate) fn new() -> Self {
        Self(Map::new())
    }
    pub(crate) fn set(mut self, k: &str, v: impl Into<Value>) -> Self {
        self.0.insert(k.to_owned(), v.into());
        self
    }
    pub(crate) fn opt(self, k: &str, v: Option<impl Into<Value>>) -> Self {
        match v {
            Some(v) => self.set(k, v),
            None => self,
        }
    }
    #[allow(clippy::unnecessary_wraps)]
    pub(crate) fn ok(self) -> Result<Map<String, Value>> {
        Ok(self.0)
    }
}

/// Checks that `value` is not blank.
pub(crate) fn non_empty(item: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        Err(Error::invalid(item, "must not be empty"))
    } else {
        Ok(())
    }
}

/// Checks a group id: `[a-zA-Z0-9]+`.
pub(crate) fn group_id(id: &str) -> Result<()> {
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Err(Error::invalid(
            id,
            "a group id must be non-empty and made of [a-zA-Z0-9]",
        ))
    } else {
        Ok(())
    }
}

/// Serialises a flag as the service's `0`/`1`.
pub(crate) fn flag(b: bool) -> Value {
    Value::from(i32::from(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_enums_keep_unknown_values() {
        assert_eq!(AddrType::parse("tg"), AddrType::Tg);
        assert_eq!(
            serde_json::from_str::<AddrType>(r#""carrier-pigeon""#).unwrap(),
            AddrType::Unknown("carrier-pigeon".into())
        );
        assert_eq!(
            serde_json::to_string(&AddrType::VkNotify).unwrap(),
            r#""vknotify""#
        );
    }

    #[test]
    fn track_ids_are_lenient() {
        let a: Accepted = serde_json::from_str(r#"{"track.id":1234,"duration":0.05}"#).unwrap();
        assert_eq!(a.track_id, Some(TrackId::from(1234)));
        assert!(a.extra.contains_key("duration"));
        let a: Accepted = serde_json::from_str(r#"{"track.id":"77"}"#).unwrap();
        assert_eq!(a.track_id.unwrap().to_value(), serde_json::json!(77));
        assert!(group_id("list0004").is_ok());
        assert!(group_id("p-1").is_err());
        assert!(group_id("").is_err());
    }
}
