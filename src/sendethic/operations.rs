//! What email and SMS operations (campaigns) share: status, receivers, schedule, name rules,
//! and the lifecycle requests, which differ only by their path root (`emailing` or `sms`).

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde::{Deserialize, Deserializer, Serialize};

use super::core::{Core, RequestDraft};
use super::criteria::{Criteria, Mode};
use super::types::{OperationId, ServerMessage};
use crate::error::{Error, Result};
use crate::http::{Request, Safety};
use crate::wire::open_enum;

open_enum!(
    /// The status of an email or SMS operation.
    OperationStatus in "relance::sendethic" {
        /// Being edited (not approved yet).
        Edited => "edited",
        /// Approved and sending.
        Running => "running",
        /// Sent.
        Completed => "completed",
        /// Suspended.
        Suspended => "suspended",
    }
);

open_enum!(
    /// The kind of schedule (`ScheduleOperation.type`).
    ScheduleKind in "relance::sendethic" {
        /// As soon as approved.
        Asap => "asap",
        /// At the operation's `date`.
        Scheduled => "scheduled",
        /// Triggered by criteria.
        Triggered => "triggered",
    }
);

/// Who receives an operation (`ReceiversOperation`).
///
/// ```
/// use relance::sendethic::{Criteria, Criterion, FieldId, Mode, Receivers, SegmentId};
/// let receivers = Receivers::new()
///     .segment(SegmentId(12))
///     .conditions(&Criteria::new().with(Criterion::number_at_least(FieldId(26), 2)), Mode::Intersect);
/// # let _ = receivers;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Receivers {
    /// Segments whose contacts receive it.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "lenient_ids"
    )]
    pub segment_ids: Vec<i64>,
    /// Imports whose contacts receive it.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "lenient_ids"
    )]
    pub import_ids: Vec<i64>,
    /// Single contacts.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "lenient_ids"
    )]
    pub contact_ids: Vec<i64>,
    /// Extra conditions as criteria XML (see [`conditions`](Self::conditions) to parse them).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::lenient::opt_string"
    )]
    pub conditions_xml: Option<String>,
    /// How the conditions combine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions_mode: Option<Mode>,
}

fn lenient_ids<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Vec<i64>, D::Error> {
    #[derive(Deserialize)]
    struct Id(#[serde(deserialize_with = "crate::wire::lenient::int")] i64);
    Ok(Option::<Vec<Id>>::deserialize(d)?
        .unwrap_or_default()
        .into_iter()
        .map(|i| i.0)
        .collect())
}

impl Receivers {
    /// Nobody yet.
    ///
    /// ```
    /// let r = relance::sendethic::Receivers::new();
    /// # let _ = r;
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a segment.
    ///
    /// ```
    /// let r = relance::sendethic::Receivers::new().segment(relance::sendethic::SegmentId(3));
    /// assert_eq!(r.segment_ids, [3]);
    /// ```
    #[must_use]
    pub fn segment(mut self, id: super::SegmentId) -> Self {
        self.segment_ids.push(id.get());
        self
    }

    /// Adds an import.
    ///
    /// ```
    /// let r = relance::sendethic::Receivers::new().import(9);
    /// assert_eq!(r.import_ids, [9]);
    /// ```
    #[must_use]
    pub fn import(mut self, id: i64) -> Self {
        self.import_ids.push(id);
        self
    }

    /// Adds a single contact.
    ///
    /// ```
    /// let r = relance::sendethic::Receivers::new().contact(relance::sendethic::ContactId(77));
    /// assert_eq!(r.contact_ids, [77]);
    /// ```
    #[must_use]
    pub fn contact(mut self, id: super::ContactId) -> Self {
        self.contact_ids.push(id.get());
        self
    }

    /// Restricts the receivers with criteria (written as criteria XML).
    ///
    /// ```
    /// use relance::sendethic::{Criteria, Criterion, Mode, Receivers};
    /// let r = Receivers::new().conditions(&Criteria::new().with(Criterion::unsubscribed_from_email()), Mode::Union);
    /// assert!(r.conditions_xml.is_some());
    /// ```
    #[must_use]
    pub fn conditions(mut self, criteria: &Criteria, mode: Mode) -> Self {
        self.conditions_xml = Some(criteria.to_xml());
        self.conditions_mode = Some(mode);
        self
    }

    /// The conditions, parsed (`None` when there are none).
    ///
    /// ```
    /// # fn show(r: relance::sendethic::Receivers) -> relance::Result<()> {
    /// if let Some(criteria) = r.parsed_conditions()? { println!("{} criteria", criteria.len()); }
    /// # Ok(()) }
    /// ```
    pub fn parsed_conditions(&self) -> Result<Option<Criteria>> {
        match self.conditions_xml.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(xml) => Criteria::parse(xml).map(Some),
        }
    }
}

/// The delay of a triggered schedule (`criteriasTime`): `h0`–`h24`, `d1`–`d14`, `w2`–`w3`,
/// `m1`–`m3`.
///
/// ```
/// use relance::sendethic::TriggerDelay;
/// assert_eq!(TriggerDelay::hours(3)?.as_str(), "h3");
/// assert!(TriggerDelay::weeks(1).is_err());
/// assert_eq!(TriggerDelay::parse("d14")?, TriggerDelay::days(14)?);
/// # Ok::<(), relance::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TriggerDelay {
    unit: char,
    amount: u8,
}

impl TriggerDelay {
    fn new(unit: char, amount: u32) -> Result<Self> {
        let range = match unit {
            'h' => Some(0..=24),
            'd' => Some(1..=14),
            'w' => Some(2..=3),
            'm' => Some(1..=3),
            _ => None,
        };
        match u8::try_from(amount) {
            Ok(a) if range.is_some_and(|r| r.contains(&amount)) => Ok(Self { unit, amount: a }),
            _ => Err(Error::invalid(
                format!("{unit}{amount}"),
                "criteriasTime must be one of h0–h24, d1–d14, w2–w3, m1–m3",
            )),
        }
    }

    /// `h0`–`h24`.
    ///
    /// ```
    /// assert!(relance::sendethic::TriggerDelay::hours(24).is_ok());
    /// ```
    pub fn hours(n: u32) -> Result<Self> {
        Self::new('h', n)
    }

    /// `d1`–`d14`.
    ///
    /// ```
    /// assert!(relance::sendethic::TriggerDelay::days(15).is_err());
    /// ```
    pub fn days(n: u32) -> Result<Self> {
        Self::new('d', n)
    }

    /// `w2`–`w3`.
    ///
    /// ```
    /// assert!(relance::sendethic::TriggerDelay::weeks(2).is_ok());
    /// ```
    pub fn weeks(n: u32) -> Result<Self> {
        Self::new('w', n)
    }

    /// `m1`–`m3`.
    ///
    /// ```
    /// assert!(relance::sendethic::TriggerDelay::months(3).is_ok());
    /// ```
    pub fn months(n: u32) -> Result<Self> {
        Self::new('m', n)
    }

    /// Parses `h3`, `d1`, `w2`, `m1`...
    ///
    /// ```
    /// assert!(relance::sendethic::TriggerDelay::parse("x1").is_err());
    /// ```
    pub fn parse(raw: &str) -> Result<Self> {
        let t = raw.trim();
        let mut chars = t.chars();
        let unit = chars.next().map(|c| c.to_ascii_lowercase());
        let amount = chars.as_str().parse::<u32>().ok();
        match (unit, amount) {
            (Some(u), Some(a)) => Self::new(u, a),
            _ => Err(Error::invalid(
                raw,
                "criteriasTime must be one of h0–h24, d1–d14, w2–w3, m1–m3",
            )),
        }
    }

    /// The wire value.
    ///
    /// ```
    /// assert_eq!(relance::sendethic::TriggerDelay::months(1)?.as_str(), "m1");
    /// # Ok::<(), relance::Error>(())
    /// ```
    #[must_use]
    pub fn as_str(&self) -> String {
        format!("{}{}", self.unit, self.amount)
    }
}

/// When an operation is sent.
///
/// ```
/// use relance::sendethic::{Criteria, Criterion, FieldId, Schedule, TriggerDelay};
/// let now = Schedule::Asap;
/// let later = Schedule::At(chrono::Utc::now() + chrono::Duration::hours(2));
/// let welcome = Schedule::Triggered {
///     criteria: Criteria::new().with(Criterion::date_within_last_days(FieldId(40), 1)),
///     delay: TriggerDelay::hours(3)?,
///     once_per_recipient: true,
/// };
/// # let _ = (now, later, welcome);
/// # Ok::<(), relance::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Schedule {
    /// As soon as approved (`asap`).
    Asap,
    /// At an instant (`scheduled`; the instant goes in the operation's `date`).
    At(DateTime<Utc>),
    /// Triggered for each contact matching the criteria, after a delay (`triggered`).
    Triggered {
        /// Who triggers it.
        criteria: Criteria,
        /// How long after the trigger.
        delay: TriggerDelay,
        /// Send at most once per recipient (`criteriasLimit`).
        once_per_recipient: bool,
    },
}

/// A schedule as the server reports it (`ScheduleOperation`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ScheduleInfo {
    /// The kind (`type`).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<ScheduleKind>,
    /// Trigger criteria XML.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::lenient::opt_string"
    )]
    pub criterias: Option<String>,
    /// Trigger delay (`h3`, `d1`...).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::lenient::opt_string"
    )]
    pub criterias_time: Option<String>,
    /// `"true"` when sent at most once per recipient.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::lenient::opt_string"
    )]
    pub criterias_limit: Option<String>,
}

impl Schedule {
    /// The wire schedule and the operation `date` it needs.
    pub(crate) fn to_wire(&self) -> (ScheduleInfo, Option<String>) {
        match self {
            Self::Asap => (
                ScheduleInfo {
                    kind: Some(ScheduleKind::Asap),
                    ..ScheduleInfo::default()
                },
                None,
            ),
            Self::At(at) => (
                ScheduleInfo {
                    kind: Some(ScheduleKind::Scheduled),
                    ..ScheduleInfo::default()
                },
                Some(super::types::format_with_offset(*at)),
            ),
            Self::Triggered {
                criteria,
                delay,
                once_per_recipient,
            } => (
                ScheduleInfo {
                    kind: Some(ScheduleKind::Triggered),
                    criterias: Some(criteria.to_xml()),
                    criterias_time: Some(delay.as_str()),
                    criterias_limit: Some(once_per_recipient.to_string()),
                },
                None,
            ),
        }
    }

    /// Validates an optional schedule and gives its wire form and the `date` it needs.
    pub(crate) fn wire(schedule: Option<&Self>) -> Result<(Option<ScheduleInfo>, Option<String>)> {
        match schedule {
            Some(s) => {
                s.validate()?;
                let (info, date) = s.to_wire();
                Ok((Some(info), date))
            }
            None => Ok((None, None)),
        }
    }

    pub(crate) fn validate(&self) -> Result<()> {
        if let Self::Triggered { criteria, .. } = self
            && criteria.is_empty()
        {
            return Err(Error::invalid(
                "criterias",
                "a triggered schedule needs at least one criterion",
            ));
        }
        Ok(())
    }
}

/// The longest operation name.
pub const MAX_NAME_CHARS: usize = 256;

/// Checks an operation name: required, at most 256 characters.
pub(crate) fn check_name(name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(Error::invalid("name", "the operation name is required"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(Error::invalid(
            name.chars().take(40).collect::<String>() + "…",
            "the operation name is longer than 256 characters",
        ));
    }
    Ok(())
}

/// The two kinds of operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    /// Email operations (`/emailing`).
    Email,
    /// SMS operations (`/sms`).
    Sms,
}

/// A change in an operation's lifecycle (`PUT /<root>/<transition>/{id}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transition {
    /// Sends the operation (now or at its schedule).
    Approve,
    /// Pauses a running operation.
    Suspend,
    /// Restarts a suspended operation (sending goes on).
    Resume,
}

impl Transition {
    /// The path segment.
    fn segment(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::Suspend => "suspend",
            Self::Resume => "resume",
        }
    }

    /// Approving and resuming send messages: never retried. Suspending is.
    fn safety(self) -> Safety {
        match self {
            Self::Suspend => Safety::Safe,
            Self::Approve | Self::Resume => Safety::Never,
        }
    }
}

/// The path templates of one family (what traces record).
struct Routes {
    root: &'static str,
    approve: &'static str,
    suspend: &'static str,
    resume: &'static str,
    operation: &'static str,
    list: &'static str,
    by_status: &'static str,
    search: &'static str,
}

const EMAIL_ROUTES: Routes = Routes {
    root: "emailing",
    approve: "/emailing/approve/{id}",
    suspend: "/emailing/suspend/{id}",
    resume: "/emailing/resume/{id}",
    operation: "/emailing/operation/{id}",
    list: "/emailing/{size}",
    by_status: "/emailing/status/{status}/{size}",
    search: "/emailing/search/{size}",
};

const SMS_ROUTES: Routes = Routes {
    root: "sms",
    approve: "/sms/approve/{id}",
    suspend: "/sms/suspend/{id}",
    resume: "/sms/resume/{id}",
    operation: "/sms/operation/{id}",
    list: "/sms/{size}",
    by_status: "/sms/status/{status}/{size}",
    search: "/sms/search/{size}",
};

impl Family {
    fn routes(self) -> &'static Routes {
        match self {
            Self::Email => &EMAIL_ROUTES,
            Self::Sms => &SMS_ROUTES,
        }
    }

    /// `PUT /<root>/<transition>/{id}`.
    pub(crate) fn transition(
        self,
        core: &Core,
        transition: Transition,
        id: OperationId,
    ) -> Request<ServerMessage> {
        let routes = self.routes();
        let template = match transition {
            Transition::Approve => routes.approve,
            Transition::Suspend => routes.suspend,
            Transition::Resume => routes.resume,
        };
        core.request(
            Method::PUT,
            template,
            &[routes.root, transition.segment(), &id.to_string()],
        )
        .safety(transition.safety())
        .message()
    }

    /// `<method> /<root>/operation/{id}`.
    pub(crate) fn operation(self, core: &Core, method: Method, id: OperationId) -> RequestDraft {
        let routes = self.routes();
        core.request(
            method,
            routes.operation,
            &[routes.root, "operation", &id.to_string()],
        )
    }

    /// `GET /<root>/{size}`.
    pub(crate) fn list(self, core: &Core, size: u16) -> RequestDraft {
        let routes = self.routes();
        core.request(Method::GET, routes.list, &[routes.root, &size.to_string()])
            .size_checked(size)
    }

    /// `GET /<root>/status/{status}/{size}`.
    pub(crate) fn by_status(
        self,
        core: &Core,
        status: &OperationStatus,
        size: u16,
    ) -> RequestDraft {
        let routes = self.routes();
        core.request(
            Method::GET,
            routes.by_status,
            &[routes.root, "status", status.as_str(), &size.to_string()],
        )
        .size_checked(size)
    }

    /// `POST /<root>/search/{size}` — a read: retried like a GET.
    pub(crate) fn search(self, core: &Core, import_ids: &[i64], size: u16) -> RequestDraft {
        let routes = self.routes();
        let draft = core
            .request(
                Method::POST,
                routes.search,
                &[routes.root, "search", &size.to_string()],
            )
            .safety(Safety::Safe);
        let draft = if import_ids.is_empty() {
            draft.fail(Error::invalid(
                "importIds",
                "search needs at least one import id",
            ))
        } else {
            draft.json(serde_json::json!({ "importIds": import_ids }))
        };
        draft.size_checked(size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigger_delays() {
        for ok in ["h0", "h24", "d1", "d14", "w2", "w3", "m1", "m3", "H3"] {
            assert!(TriggerDelay::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "h25", "d0", "d15", "w1", "w4", "m0", "m4", "y1", "h", "", "h-1", "3h",
        ] {
            let err = TriggerDelay::parse(bad).unwrap_err();
            assert!(matches!(err, Error::InvalidInput { .. }), "{bad}");
        }
    }

    #[test]
    fn statuses_are_open() {
        assert_eq!(OperationStatus::parse("Running"), OperationStatus::Running);
        let s: OperationStatus = serde_json::from_str("\"archived\"").unwrap();
        assert_eq!(s, OperationStatus::Unknown("archived".into()));
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"archived\"");
    }

    #[test]
    fn receivers_decode_leniently() {
        let r: Receivers = serde_json::from_str(
            r#"{"segmentIds":["12",13],"importIds":null,"contactIds":[],"conditionsMode":"union","x":1}"#,
        )
        .unwrap();
        assert_eq!(r.segment_ids, [12, 13]);
        assert_eq!(r.conditions_mode, Some(Mode::Union));
        assert!(r.parsed_conditions().unwrap().is_none());
    }
}
