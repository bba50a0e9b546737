//! Types shared by the Sendethic resources: typed ids, field references, tri-state patches,
//! wire timestamps, bare-string replies.

use std::fmt;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::Result;
use crate::http::RawResponse;

use crate::wire::numeric_id;

numeric_id!(
    /// Id of a contact field (`ContactField.id`), e.g. `26` for a custom field.
    FieldId in "relance::sendethic"
);
numeric_id!(
    /// Id of a value of a single- or multiple-selection field (`ContactFieldValue.id`).
    FieldValueId in "relance::sendethic"
);
numeric_id!(
    /// Id of an email or SMS operation (campaign).
    OperationId in "relance::sendethic"
);
numeric_id!(
    /// Id of an activity export (`EmailingOperationExport.id`).
    ExportId in "relance::sendethic"
);
numeric_id!(
    /// Id of a contact (`ContactData.id`), assigned by Sendethic.
    ContactId in "relance::sendethic"
);
numeric_id!(
    /// Id of a segment (`Segment.id`).
    SegmentId in "relance::sendethic"
);

/// A contact field, as criteria and contact attributes name it: a standard field id (`"firstname"`, `"email"`, ...,
/// §5.2) or a custom field by [`FieldId`].
///
/// ```
/// use relance::sendethic::{FieldId, FieldRef};
/// assert_eq!(FieldRef::from(FieldId(26)).as_wire(), "26");
/// assert_eq!(FieldRef::from("email").as_wire(), "email");
/// assert_eq!(FieldRef::parse("26"), FieldRef::Custom(FieldId(26)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FieldRef {
    /// A standard field by its id.
    Standard(String),
    /// A custom field by its numeric id.
    Custom(FieldId),
}

impl FieldRef {
    /// The wire form (`"email"`, `"26"`).
    ///
    /// ```
    /// assert_eq!(relance::sendethic::FieldRef::from("city").as_wire(), "city");
    /// ```
    #[must_use]
    pub fn as_wire(&self) -> String {
        match self {
            Self::Standard(s) => s.clone(),
            Self::Custom(id) => id.to_string(),
        }
    }

    /// Reads a wire id: a canonical integer (`"26"`, not `"026"`) means a custom field.
    ///
    /// ```
    /// use relance::sendethic::FieldRef;
    /// assert_eq!(FieldRef::parse("city"), FieldRef::Standard("city".into()));
    /// ```
    #[must_use]
    pub fn parse(raw: &str) -> Self {
        if !raw.is_empty()
            && raw.bytes().all(|b| b.is_ascii_digit())
            && let Ok(n) = raw.parse::<i64>()
            && n.to_string() == raw
        {
            return Self::Custom(FieldId(n));
        }
        Self::Standard(raw.to_owned())
    }
}

impl From<FieldId> for FieldRef {
    fn from(id: FieldId) -> Self {
        Self::Custom(id)
    }
}

impl From<&str> for FieldRef {
    fn from(id: &str) -> Self {
        Self::parse(id)
    }
}

impl From<String> for FieldRef {
    fn from(id: String) -> Self {
        Self::parse(&id)
    }
}

/// A tri-state update of one value: leave it untouched, clear it, or set it.
///
/// Sendethic's writes are partial: an attribute that is not sent keeps its value (the
/// reference says PUT ignores nulls). So clearing must be an explicit value:
/// `relance` sends [`Patch::Clear`] as the attribute with an empty `fieldValue` (`""`), and
/// omits [`Patch::Unset`] attributes entirely.
///
/// When a contact is *read*, an attribute absent from (or `null` in) the reply is `Unset`,
/// an empty value is `Clear`, anything else is `Set`; [`value`](Self::value) gives the value
/// in both the read and the write sense.
///
/// ```
/// use relance::sendethic::Patch;
/// let keep: Patch<String> = Patch::Unset;
/// let wipe: Patch<String> = Patch::Clear;
/// let set = Patch::Set("Ann".to_owned());
/// assert_eq!((keep.value(), wipe.value(), set.value().map(String::as_str)), (None, None, Some("Ann")));
/// assert!(keep.is_unset() && !wipe.is_unset());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Patch<T> {
    /// Leave the value untouched (nothing is sent).
    #[default]
    Unset,
    /// Clear the value (an empty value is sent).
    Clear,
    /// Set the value.
    Set(T),
}

impl<T> Patch<T> {
    /// The value when [`Patch::Set`].
    ///
    /// ```
    /// assert_eq!(relance::sendethic::Patch::Set(3).value(), Some(&3));
    /// ```
    #[must_use]
    pub fn value(&self) -> Option<&T> {
        match self {
            Self::Set(v) => Some(v),
            _ => None,
        }
    }

    /// Whether this is [`Patch::Unset`].
    ///
    /// ```
    /// assert!(relance::sendethic::Patch::<u8>::Unset.is_unset());
    /// ```
    #[must_use]
    pub fn is_unset(&self) -> bool {
        matches!(self, Self::Unset)
    }

    /// Maps the set value.
    ///
    /// ```
    /// use relance::sendethic::Patch;
    /// assert_eq!(Patch::Set(2).map(|v| v * 2), Patch::Set(4));
    /// ```
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Patch<U> {
        match self {
            Self::Unset => Patch::Unset,
            Self::Clear => Patch::Clear,
            Self::Set(v) => Patch::Set(f(v)),
        }
    }
}

impl Patch<String> {
    /// The wire text: `None` (omitted) when unset, `""` when cleared.
    pub(crate) fn into_wire_text(self) -> Option<String> {
        match self {
            Self::Unset => None,
            Self::Clear => Some(String::new()),
            Self::Set(v) => Some(v),
        }
    }
}

impl From<String> for Patch<String> {
    /// Sets the value.
    fn from(v: String) -> Self {
        Self::Set(v)
    }
}

impl From<&str> for Patch<String> {
    /// Sets the value.
    fn from(v: &str) -> Self {
        Self::Set(v.to_owned())
    }
}

impl<T> From<Option<T>> for Patch<T> {
    /// `Some(v)` sets, `None` clears.
    fn from(v: Option<T>) -> Self {
        v.map_or(Self::Clear, Self::Set)
    }
}

/// A date as Sendethic sends it, parsed when possible and always kept verbatim.
///
/// Sendethic uses `yyyy-MM-dd HH:mm:ss` (UTC) and `yyyy-MM-dd HH:mm:ss+0000` (also with a
/// space before the offset); other formats are undocumented. Parsing accepts all of these plus
/// RFC 3339; an unparseable value is kept as text ([`as_str`](Self::as_str)) with
/// [`datetime`](Self::datetime) returning `None`, so nothing is lost and decoding never fails.
#[derive(Clone, PartialEq, Eq)]
pub struct Timestamp {
    raw: String,
    parsed: Option<DateTime<Utc>>,
}

impl Timestamp {
    /// Parses a wire date leniently.
    ///
    /// ```
    /// use relance::sendethic::Timestamp;
    /// let a = Timestamp::parse("2024-05-01 10:00:00");
    /// let b = Timestamp::parse("2024-05-01 10:00:00+0000");
    /// let c = Timestamp::parse("2024-05-01 10:00:00 +0000");
    /// assert!(a.datetime().is_some());
    /// assert_eq!(a.datetime(), b.datetime());
    /// assert_eq!(b.datetime(), c.datetime());
    /// assert_eq!(Timestamp::parse("soon").datetime(), None);
    /// ```
    #[must_use]
    pub fn parse(raw: impl Into<String>) -> Self {
        let raw = raw.into();
        let parsed = parse_wire_datetime(&raw);
        Self { raw, parsed }
    }

    /// A timestamp in the plain format (`yyyy-MM-dd HH:mm:ss`, UTC).
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// let t = relance::sendethic::Timestamp::plain(Utc.with_ymd_and_hms(2024, 5, 1, 10, 0, 0).unwrap());
    /// assert_eq!(t.as_str(), "2024-05-01 10:00:00");
    /// ```
    #[must_use]
    pub fn plain(at: DateTime<Utc>) -> Self {
        Self {
            raw: format_plain(at),
            parsed: Some(at),
        }
    }

    /// A timestamp in the offset format (`yyyy-MM-dd HH:mm:ss+0000`).
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// let t = relance::sendethic::Timestamp::with_offset(Utc.with_ymd_and_hms(2024, 5, 1, 10, 0, 0).unwrap());
    /// assert_eq!(t.as_str(), "2024-05-01 10:00:00+0000");
    /// ```
    #[must_use]
    pub fn with_offset(at: DateTime<Utc>) -> Self {
        Self {
            raw: format_with_offset(at),
            parsed: Some(at),
        }
    }

    /// The instant, when the text could be parsed.
    ///
    /// ```
    /// assert!(relance::sendethic::Timestamp::parse("2024-05-01 10:00:00").datetime().is_some());
    /// ```
    #[must_use]
    pub fn datetime(&self) -> Option<DateTime<Utc>> {
        self.parsed
    }

    /// The text exactly as received.
    ///
    /// ```
    /// assert_eq!(relance::sendethic::Timestamp::parse("x").as_str(), "x");
    /// ```
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.raw
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({:?})", self.raw)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.raw)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let raw = crate::wire::lenient::opt_string(d)?.unwrap_or_default();
        Ok(Self::parse(raw))
    }
}

/// `yyyy-MM-dd HH:mm:ss` in UTC.
pub(crate) fn format_plain(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// `yyyy-MM-dd HH:mm:ss+0000`.
pub(crate) fn format_with_offset(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S+0000").to_string()
}

fn parse_wire_datetime(raw: &str) -> Option<DateTime<Utc>> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    for fmt in ["%Y-%m-%d %H:%M:%S%z", "%Y-%m-%d %H:%M:%S %z"] {
        if let Ok(dt) = DateTime::parse_from_str(s, fmt) {
            return Some(dt.with_timezone(&Utc));
        }
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.with_timezone(&Utc));
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S%.f",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(dt.and_utc());
        }
    }
    None
}

/// A bare-string reply: many Sendethic writes answer with a JSON string literal such as
/// `"1 contact(s) affected."`.
///
/// The text is the decoded JSON string, or the raw body when it is not a JSON string; the
/// content is informational (its wording is undocumented beyond the contact counts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerMessage {
    text: String,
    raw: String,
}

impl ServerMessage {
    pub(crate) fn from_body(body: &[u8]) -> Self {
        let raw = String::from_utf8_lossy(body).into_owned();
        let text = serde_json::from_str::<String>(&raw).unwrap_or_else(|_| raw.trim().to_owned());
        Self { text, raw }
    }

    #[allow(clippy::unnecessary_wraps)] // the signature of a response decoder
    pub(crate) fn decode(resp: &RawResponse) -> Result<Self> {
        Ok(Self::from_body(&resp.body))
    }

    /// The message text (JSON string decoded).
    ///
    /// ```
    /// # fn show(m: relance::sendethic::ServerMessage) {
    /// println!("{}", m.text());
    /// # }
    /// ```
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The body exactly as received.
    ///
    /// ```
    /// # fn show(m: relance::sendethic::ServerMessage) {
    /// println!("{}", m.raw());
    /// # }
    /// ```
    #[must_use]
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// The count in `"<N> contact(s) affected."`, when the text has that form.
    ///
    /// ```
    /// # fn show(m: relance::sendethic::ServerMessage) {
    /// if let Some(n) = m.affected() { println!("{n} contacts written"); }
    /// # }
    /// ```
    #[must_use]
    pub fn affected(&self) -> Option<u64> {
        let rest = self.text.strip_suffix(" contact(s) affected.")?;
        rest.trim().parse().ok()
    }

    /// The text as a number, when it is one (e.g. a refreshed segment count).
    ///
    /// ```
    /// # fn show(m: relance::sendethic::ServerMessage) {
    /// if let Some(n) = m.as_count() { println!("{n}"); }
    /// # }
    /// ```
    #[must_use]
    pub fn as_count(&self) -> Option<u64> {
        self.text.trim().parse().ok()
    }
}

impl fmt::Display for ServerMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn server_message_forms() {
        let m = ServerMessage::from_body(br#""1 contact(s) affected.""#);
        assert_eq!(m.text(), "1 contact(s) affected.");
        assert_eq!(m.raw(), r#""1 contact(s) affected.""#);
        assert_eq!(m.affected(), Some(1));
        let m = ServerMessage::from_body(b"500 contact(s) affected.");
        assert_eq!(m.affected(), Some(500));
        let m = ServerMessage::from_body(br#""Done""#);
        assert_eq!((m.affected(), m.as_count()), (None, None));
        assert_eq!(ServerMessage::from_body(b"\"42\"").as_count(), Some(42));
    }

    #[test]
    fn timestamps() {
        let at = Utc.with_ymd_and_hms(2024, 5, 1, 10, 0, 0).unwrap();
        for raw in [
            "2024-05-01 10:00:00",
            "2024-05-01 10:00:00+0000",
            "2024-05-01 10:00:00 +0000",
            "2024-05-01T10:00:00Z",
            "2024-05-01 12:00:00+0200",
        ] {
            assert_eq!(Timestamp::parse(raw).datetime(), Some(at), "{raw}");
        }
        let t: Timestamp = serde_json::from_str("\"31/12/2024\"").unwrap();
        assert_eq!(t.datetime(), None);
        assert_eq!(serde_json::to_string(&t).unwrap(), "\"31/12/2024\"");
        let t: Timestamp = serde_json::from_str("null").unwrap();
        assert_eq!(t.as_str(), "");
    }

    #[test]
    fn ids_are_lenient() {
        let id: FieldId = serde_json::from_str("\"26\"").unwrap();
        assert_eq!(id, FieldId(26));
        let id: FieldId = serde_json::from_str("26").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "26");
    }
}
