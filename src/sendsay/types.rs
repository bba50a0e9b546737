//! Shared Sendsay types: the identifier type of a contact, and the answers several actions
//! share (a queued job, `pong`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::ids::TrackId;
use crate::wire::open_enum;

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
    }
}
