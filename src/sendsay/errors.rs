//! Sendsay error ids, the questions to ask an error about them, and hints for known
//! situations.

use serde_json::Value;

use crate::error::{ApiError, Error};
use crate::wire::open_enum;

open_enum! {
    /// The known Sendsay error ids (`errors[0].id`). The full official list is not public:
    /// anything else is kept as `Unknown`.
    SendsayErrorId in "relance::sendsay" {
        /// Authentication failed. `explain` says why: `wrong_credentials` (bad login or
        /// password), `expired` (the session expired and the action was not executed; the
        /// client logs in again and replays the call once, automatically), or
        /// `force_change_password` (change the password in the Sendsay UI).
        AuthFailed => "error/auth/failed",
        /// "Wrong cookie. Not needed confirmation." (member confirmation).
        MemberWrongCookie => "error/member/wrongcookie",
        /// The group does not exist (e.g. `group.delete`).
        GroupIdNotExists => "group_id_not_exists",
        /// The group id is invalid.
        WrongGroupId => "wrong_group_id",
        /// A profile name is empty.
        ProfileEmptyName => "error/profile/emptyname",
        /// The member already exists (probably `member.set` with `if_exists: "error"`).
        MemberExists => "member_exists",
        /// Throttled (documented for the transactional API, with HTTP 503).
        RateLimit => "rate_limit",
        /// The sender address is unknown: add and confirm it first.
        SenderUnknown => "error/sender/unknown",
        /// The sender address is waiting for moderation.
        SenderOnModeration => "error/sender/onmoderation",
        /// The sender address is prohibited (free-mail domains cannot be used as From).
        SenderProhibited => "error/sender/prohibited",
    }
}

/// Sendsay-specific questions about an error, on [`Error`] and [`ApiError`].
///
/// ```no_run
/// # async fn run(client: relance::sendsay::Client) {
/// use relance::sendsay::{SendsayErrorExt, SendsayErrorId};
/// match client.groups().delete("p99").await {
///     Err(e) if e.sendsay_error_id() == Some(SendsayErrorId::GroupIdNotExists) => {}
///     Err(e) if e.is_wrong_credentials() => eprintln!("check the credentials"),
///     other => { other.unwrap(); }
/// }
/// # }
/// ```
pub trait SendsayErrorExt {
    /// The Sendsay error id, when the service sent one.
    ///
    /// ```
    /// use relance::sendsay::SendsayErrorExt;
    /// let e = relance::Error::InvalidInput { item: "x".into(), reason: "y".into() };
    /// assert_eq!(e.sendsay_error_id(), None);
    /// ```
    fn sendsay_error_id(&self) -> Option<SendsayErrorId>;

    /// The `explain` detail as text (`expired`, `wrong_credentials`, ...).
    ///
    /// ```
    /// use relance::sendsay::SendsayErrorExt;
    /// let e = relance::Error::InvalidInput { item: "x".into(), reason: "y".into() };
    /// assert_eq!(e.explain(), None);
    /// ```
    fn explain(&self) -> Option<String>;

    /// `error/auth/failed` + `expired`: the session expired (the client already logged in
    /// again once; seeing this means the fresh session expired too).
    ///
    /// ```
    /// use relance::sendsay::SendsayErrorExt;
    /// let e = relance::Error::InvalidInput { item: "x".into(), reason: "y".into() };
    /// assert!(!e.is_session_expired());
    /// ```
    fn is_session_expired(&self) -> bool {
        self.sendsay_error_id() == Some(SendsayErrorId::AuthFailed)
            && self.explain().as_deref() == Some("expired")
    }

    /// `error/auth/failed` + `wrong_credentials`.
    ///
    /// ```
    /// use relance::sendsay::SendsayErrorExt;
    /// let e = relance::Error::InvalidInput { item: "x".into(), reason: "y".into() };
    /// assert!(!e.is_wrong_credentials());
    /// ```
    fn is_wrong_credentials(&self) -> bool {
        self.sendsay_error_id() == Some(SendsayErrorId::AuthFailed)
            && self.explain().as_deref() == Some("wrong_credentials")
    }

    /// `error/auth/failed` + `force_change_password`: change the password in the UI.
    ///
    /// ```
    /// use relance::sendsay::SendsayErrorExt;
    /// let e = relance::Error::InvalidInput { item: "x".into(), reason: "y".into() };
    /// assert!(!e.is_password_change_required());
    /// ```
    fn is_password_change_required(&self) -> bool {
        self.sendsay_error_id() == Some(SendsayErrorId::AuthFailed)
            && self.explain().as_deref() == Some("force_change_password")
    }

    /// Whether the error looks like an account limit (the contact upload limit of the free
    /// tier, for example). The service's limit error ids are **not documented**: this is a
    /// heuristic on the id and the explanation (`limit`, `tarif`, `quota`, except
    /// `rate_limit`). Check `member.hard.limit` / `member.hard.rest` with
    /// [`Client::settings`](super::Client::settings) for the authoritative numbers.
    ///
    /// ```
    /// use relance::sendsay::SendsayErrorExt;
    /// let e = relance::Error::InvalidInput { item: "x".into(), reason: "y".into() };
    /// assert!(!e.is_limit_reached());
    /// ```
    fn is_limit_reached(&self) -> bool;
}

impl SendsayErrorExt for ApiError {
    fn sendsay_error_id(&self) -> Option<SendsayErrorId> {
        self.code.as_deref().map(SendsayErrorId::parse)
    }

    fn explain(&self) -> Option<String> {
        self.details.as_ref().map(explain_text)
    }

    fn is_limit_reached(&self) -> bool {
        looks_like_limit(self.code.as_deref(), self.details.as_ref())
    }
}

impl SendsayErrorExt for Error {
    fn sendsay_error_id(&self) -> Option<SendsayErrorId> {
        self.api().and_then(SendsayErrorExt::sendsay_error_id)
    }

    fn explain(&self) -> Option<String> {
        self.api().and_then(SendsayErrorExt::explain)
    }

    fn is_limit_reached(&self) -> bool {
        self.api().is_some_and(SendsayErrorExt::is_limit_reached)
    }
}

/// `explain` as text: strings as is, arrays of scalars joined with `, `, anything else as JSON.
pub(crate) fn explain_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => items
            .iter()
            .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
            .collect::<Vec<_>>()
            .join(", "),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn looks_like_limit(id: Option<&str>, explain: Option<&Value>) -> bool {
    let text = format!(
        "{} {}",
        id.unwrap_or_default(),
        explain.map(explain_text).unwrap_or_default()
    )
    .to_ascii_lowercase();
    !text.contains("rate_limit")
        && (text.contains("limit") || text.contains("tarif") || text.contains("quota"))
}

/// A hint appended to the message of known situations.
pub(crate) fn hint(id: Option<&str>, explain: Option<&Value>) -> Option<&'static str> {
    let explain_s = explain.map(explain_text);
    match (id.map(SendsayErrorId::parse), explain_s.as_deref()) {
        (Some(SendsayErrorId::AuthFailed), Some("wrong_credentials")) => {
            Some("check the login, sublogin and password (or the API key)")
        }
        (Some(SendsayErrorId::AuthFailed), Some("force_change_password")) => {
            Some("the password must be changed in the Sendsay web interface")
        }
        (Some(SendsayErrorId::AuthFailed), Some("expired")) => {
            Some("the session expired; the action was not executed")
        }
        (
            Some(
                SendsayErrorId::SenderUnknown
                | SendsayErrorId::SenderOnModeration
                | SendsayErrorId::SenderProhibited,
            ),
            _,
        ) => Some(
            "the From address must be added and confirmed first (senders().add_email); \
             free-mail domains (gmail.com, mail.ru, yandex.ru) are not allowed",
        ),
        (Some(SendsayErrorId::RateLimit), _) => Some("throttled by the service; slow down"),
        _ if looks_like_limit(id, explain) => Some(
            "an account limit was reached; note that the free tier allows up to 200 contacts \
             and a single test copy, sent to the registration address",
        ),
        _ => None,
    }
}
