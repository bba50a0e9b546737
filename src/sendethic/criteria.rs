//! Segment criteria: the `<Criterias>` XML dialect (§6 of the reference), typed.
//!
//! Build criteria with the [`Criterion`] constructors, combine them in [`Criteria`], and
//! write them with [`Criteria::to_xml`] (a real XML writer, every attribute value escaped).
//! [`Criteria::parse`] reads existing XML back: the known operators become typed
//! [`Condition`]s, anything else is kept as raw text and written back byte for byte.

use std::fmt;

use quick_xml::Reader;
use quick_xml::Writer;
use quick_xml::events::{BytesEnd, BytesStart, Event};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::types::{FieldId, FieldValueId};
use crate::error::{Error, Result};

/// How a segment combines its criteria (`Segment.mode`).
///
/// Server-sent: match on [`as_str`](Self::as_str) or keep a wildcard arm; an unknown value
/// decodes to [`Mode::Unknown`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Mode {
    /// Every criterion must hold (AND), `intersect`.
    #[default]
    Intersect,
    /// Any criterion may hold (OR), `union`.
    Union,
    /// A value this version of `relance` does not know (for example the SOAP-era
    /// `Intersection|<tag>` form), kept verbatim.
    Unknown(String),
}

impl Mode {
    /// The wire value.
    ///
    /// ```
    /// assert_eq!(relance::sendethic::Mode::Union.as_str(), "union");
    /// ```
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::Intersect => "intersect",
            Self::Union => "union",
            Self::Unknown(s) => s,
        }
    }

    /// Parses a wire value (case-insensitive).
    ///
    /// ```
    /// use relance::sendethic::Mode;
    /// assert_eq!(Mode::parse("Intersect"), Mode::Intersect);
    /// assert_eq!(Mode::parse("Intersection|x"), Mode::Unknown("Intersection|x".into()));
    /// ```
    #[must_use]
    pub fn parse(raw: &str) -> Self {
        match raw.trim().to_ascii_lowercase().as_str() {
            "intersect" => Self::Intersect,
            "union" => Self::Union,
            _ => Self::Unknown(raw.to_owned()),
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Mode {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Mode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        Ok(crate::wire::lenient::opt_string(d)?
            .map(|s| Self::parse(&s))
            .unwrap_or_default())
    }
}

/// A contact field a criterion tests: a standard field id (`"firstname"`, `"email"`, ...,
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

/// What a known criterion tests. Each variant documents its wire form.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Condition {
    /// `selection-equals-list`: the selection field has the value (`value1="0,<id>,0"`).
    SelectionEquals {
        /// The selection field.
        field: FieldRef,
        /// The value id.
        value: FieldValueId,
    },
    /// `str-containssomething`: the text field is not empty.
    TextNotEmpty {
        /// The field.
        field: FieldRef,
    },
    /// `!str-containssomething` (`op="str-containssomething" is="false"`): the text field is
    /// empty.
    TextEmpty {
        /// The field.
        field: FieldRef,
    },
    /// `num-equals`: number = value.
    NumberEquals {
        /// The field.
        field: FieldRef,
        /// The operand, as written on the wire (a decimal with `.`).
        value: String,
    },
    /// `num-higher`: number ≥ value (inference from the reference's segment names).
    NumberAtLeast {
        /// The field.
        field: FieldRef,
        /// The operand.
        value: String,
    },
    /// `num-higher-strict`: number > value.
    NumberGreaterThan {
        /// The field.
        field: FieldRef,
        /// The operand.
        value: String,
    },
    /// `date-containssomething`: the date is set.
    DateSet {
        /// The field.
        field: FieldRef,
    },
    /// `date-before-less-absnow`: the date is less than `days` days ago.
    DateWithinLastDays {
        /// The field.
        field: FieldRef,
        /// Number of days.
        days: u32,
    },
    /// `date-before-more-absnow`: the date is more than `days` days ago.
    DateOlderThanDays {
        /// The field.
        field: FieldRef,
        /// Number of days.
        days: u32,
    },
    /// `op-unsubscribing-emailing` (`type="Operation" id="0,5,0" op="unsubscribingemailing"`):
    /// the contact unsubscribed from email.
    UnsubscribedFromEmail,
}

/// One known criterion: a [`Condition`] and its `guid`.
///
/// The constructors generate a random v4-format guid; [`with_guid`](Self::with_guid) fixes
/// it (for deterministic output).
///
/// ```
/// use relance::sendethic::{Criterion, FieldId};
/// let c = Criterion::number_greater_than(FieldId(31), 0).with_guid("28c30297-4706-48af-8afb-b1216c9a394a");
/// assert_eq!(c.guid(), "28c30297-4706-48af-8afb-b1216c9a394a");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Criterion {
    guid: String,
    condition: Condition,
}

struct WireCriterion {
    reference: &'static str,
    kind: &'static str,
    id: String,
    op: &'static str,
    is: bool,
    value1: String,
}

impl Criterion {
    /// A criterion from a condition, with a fresh guid.
    ///
    /// ```
    /// use relance::sendethic::{Condition, Criterion};
    /// let c = Criterion::new(Condition::UnsubscribedFromEmail);
    /// assert_eq!(c.guid().len(), 36);
    /// ```
    #[must_use]
    pub fn new(condition: Condition) -> Self {
        Self {
            guid: new_guid(),
            condition,
        }
    }

    /// Replaces the guid.
    ///
    /// ```
    /// let c = relance::sendethic::Criterion::unsubscribed_from_email().with_guid("g-1");
    /// assert_eq!(c.guid(), "g-1");
    /// ```
    #[must_use]
    pub fn with_guid(mut self, guid: impl Into<String>) -> Self {
        self.guid = guid.into();
        self
    }

    /// The guid.
    ///
    /// ```
    /// # let c = relance::sendethic::Criterion::unsubscribed_from_email();
    /// println!("{}", c.guid());
    /// ```
    #[must_use]
    pub fn guid(&self) -> &str {
        &self.guid
    }

    /// The condition.
    ///
    /// ```
    /// use relance::sendethic::{Condition, Criterion};
    /// assert_eq!(Criterion::unsubscribed_from_email().condition(), &Condition::UnsubscribedFromEmail);
    /// ```
    #[must_use]
    pub fn condition(&self) -> &Condition {
        &self.condition
    }

    /// `selection-equals-list`: the selection `field` has `value`.
    ///
    /// ```
    /// use relance::sendethic::{Criterion, FieldId, FieldValueId};
    /// let c = Criterion::selection_equals(FieldId(30), FieldValueId(54));
    /// # let _ = c;
    /// ```
    #[must_use]
    pub fn selection_equals(field: impl Into<FieldRef>, value: FieldValueId) -> Self {
        Self::new(Condition::SelectionEquals {
            field: field.into(),
            value,
        })
    }

    /// `str-containssomething`: the text `field` is not empty.
    ///
    /// ```
    /// let c = relance::sendethic::Criterion::text_not_empty(relance::sendethic::FieldId(27));
    /// # let _ = c;
    /// ```
    #[must_use]
    pub fn text_not_empty(field: impl Into<FieldRef>) -> Self {
        Self::new(Condition::TextNotEmpty {
            field: field.into(),
        })
    }

    /// `!str-containssomething`: the text `field` is empty.
    ///
    /// ```
    /// let c = relance::sendethic::Criterion::text_empty("firstname");
    /// # let _ = c;
    /// ```
    #[must_use]
    pub fn text_empty(field: impl Into<FieldRef>) -> Self {
        Self::new(Condition::TextEmpty {
            field: field.into(),
        })
    }

    /// `num-equals`: the number `field` equals `value`.
    ///
    /// ```
    /// let c = relance::sendethic::Criterion::number_equals(relance::sendethic::FieldId(31), 0);
    /// # let _ = c;
    /// ```
    #[must_use]
    pub fn number_equals(field: impl Into<FieldRef>, value: impl fmt::Display) -> Self {
        Self::new(Condition::NumberEquals {
            field: field.into(),
            value: value.to_string(),
        })
    }

    /// `num-higher`: the number `field` is at least `value`.
    ///
    /// ```
    /// let c = relance::sendethic::Criterion::number_at_least(relance::sendethic::FieldId(32), 2);
    /// # let _ = c;
    /// ```
    #[must_use]
    pub fn number_at_least(field: impl Into<FieldRef>, value: impl fmt::Display) -> Self {
        Self::new(Condition::NumberAtLeast {
            field: field.into(),
            value: value.to_string(),
        })
    }

    /// `num-higher-strict`: the number `field` is greater than `value`.
    ///
    /// ```
    /// let c = relance::sendethic::Criterion::number_greater_than(relance::sendethic::FieldId(31), 0);
    /// # let _ = c;
    /// ```
    #[must_use]
    pub fn number_greater_than(field: impl Into<FieldRef>, value: impl fmt::Display) -> Self {
        Self::new(Condition::NumberGreaterThan {
            field: field.into(),
            value: value.to_string(),
        })
    }

    /// `date-containssomething`: the date `field` is set.
    ///
    /// ```
    /// let c = relance::sendethic::Criterion::date_set(relance::sendethic::FieldId(33));
    /// # let _ = c;
    /// ```
    #[must_use]
    pub fn date_set(field: impl Into<FieldRef>) -> Self {
        Self::new(Condition::DateSet {
            field: field.into(),
        })
    }

    /// `date-before-less-absnow`: the date `field` is less than `days` days ago.
    ///
    /// ```
    /// let c = relance::sendethic::Criterion::date_within_last_days(relance::sendethic::FieldId(34), 30);
    /// # let _ = c;
    /// ```
    #[must_use]
    pub fn date_within_last_days(field: impl Into<FieldRef>, days: u32) -> Self {
        Self::new(Condition::DateWithinLastDays {
            field: field.into(),
            days,
        })
    }

    /// `date-before-more-absnow`: the date `field` is more than `days` days ago.
    ///
    /// ```
    /// let c = relance::sendethic::Criterion::date_older_than_days(relance::sendethic::FieldId(35), 90);
    /// # let _ = c;
    /// ```
    #[must_use]
    pub fn date_older_than_days(field: impl Into<FieldRef>, days: u32) -> Self {
        Self::new(Condition::DateOlderThanDays {
            field: field.into(),
            days,
        })
    }

    /// `op-unsubscribing-emailing`: the contact unsubscribed from email.
    ///
    /// ```
    /// let c = relance::sendethic::Criterion::unsubscribed_from_email();
    /// # let _ = c;
    /// ```
    #[must_use]
    pub fn unsubscribed_from_email() -> Self {
        Self::new(Condition::UnsubscribedFromEmail)
    }

    fn wire(&self) -> WireCriterion {
        let attr = |reference, field: &FieldRef, is, value1: String| WireCriterion {
            reference,
            kind: "ContactAttribute",
            id: field.as_wire(),
            op: reference.trim_start_matches('!'),
            is,
            value1,
        };
        match &self.condition {
            Condition::SelectionEquals { field, value } => {
                attr("selection-equals-list", field, true, format!("0,{value},0"))
            }
            Condition::TextNotEmpty { field } => {
                attr("str-containssomething", field, true, String::new())
            }
            Condition::TextEmpty { field } => {
                attr("!str-containssomething", field, false, String::new())
            }
            Condition::NumberEquals { field, value } => {
                attr("num-equals", field, true, value.clone())
            }
            Condition::NumberAtLeast { field, value } => {
                attr("num-higher", field, true, value.clone())
            }
            Condition::NumberGreaterThan { field, value } => {
                attr("num-higher-strict", field, true, value.clone())
            }
            Condition::DateSet { field } => {
                attr("date-containssomething", field, true, String::new())
            }
            Condition::DateWithinLastDays { field, days } => {
                attr("date-before-less-absnow", field, true, days.to_string())
            }
            Condition::DateOlderThanDays { field, days } => {
                attr("date-before-more-absnow", field, true, days.to_string())
            }
            Condition::UnsubscribedFromEmail => WireCriterion {
                reference: "op-unsubscribing-emailing",
                kind: "Operation",
                id: "0,5,0".to_owned(),
                op: "unsubscribingemailing",
                is: true,
                value1: String::new(),
            },
        }
    }

    /// Reads a criterion from its attributes; `None` when it is not a known form.
    fn from_attrs(attrs: &[(String, String)]) -> Option<Self> {
        const KNOWN: [&str; 8] = [
            "guid",
            "reference",
            "type",
            "id",
            "op",
            "is",
            "value1",
            "value2",
        ];
        if attrs.len() != KNOWN.len() || !KNOWN.iter().all(|k| attrs.iter().any(|(n, _)| n == k)) {
            return None;
        }
        let get = |k: &str| {
            attrs
                .iter()
                .find(|(n, _)| n == k)
                .map_or("", |(_, v)| v.as_str())
        };
        if !get("value2").is_empty() {
            return None;
        }
        let field = FieldRef::parse(get("id"));
        let value1 = get("value1");
        let days = || value1.parse::<u32>().ok();
        let condition = match get("reference") {
            "selection-equals-list" => {
                let parts: Vec<&str> = value1.split(',').collect();
                match parts.as_slice() {
                    ["0", id, "0"] => Condition::SelectionEquals {
                        field,
                        value: FieldValueId(id.parse().ok()?),
                    },
                    _ => return None,
                }
            }
            "str-containssomething" if value1.is_empty() => Condition::TextNotEmpty { field },
            "!str-containssomething" if value1.is_empty() => Condition::TextEmpty { field },
            "num-equals" if is_decimal(value1) => Condition::NumberEquals {
                field,
                value: value1.to_owned(),
            },
            "num-higher" if is_decimal(value1) => Condition::NumberAtLeast {
                field,
                value: value1.to_owned(),
            },
            "num-higher-strict" if is_decimal(value1) => Condition::NumberGreaterThan {
                field,
                value: value1.to_owned(),
            },
            "date-containssomething" if value1.is_empty() => Condition::DateSet { field },
            "date-before-less-absnow" => Condition::DateWithinLastDays {
                field,
                days: days()?,
            },
            "date-before-more-absnow" => Condition::DateOlderThanDays {
                field,
                days: days()?,
            },
            "op-unsubscribing-emailing" if value1.is_empty() => Condition::UnsubscribedFromEmail,
            _ => return None,
        };
        let candidate = Self {
            guid: get("guid").to_owned(),
            condition,
        };
        // Every other attribute must be exactly what this crate writes, or it is not "known".
        let w = candidate.wire();
        let consistent = get("type") == w.kind
            && get("id") == w.id
            && get("op") == w.op
            && get("is") == if w.is { "true" } else { "false" }
            && get("value1") == w.value1;
        consistent.then_some(candidate)
    }
}

/// Whether `s` is a plain decimal number with `.` as separator (`-12`, `3.50`).
pub(crate) fn is_decimal(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

/// One element of [`Criteria`]: a known criterion, or an unknown one kept verbatim.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CriteriaItem {
    /// A criterion this crate understands.
    Known(Criterion),
    /// A `<Criteria>` element this crate does not understand, exactly as it was read (written
    /// back byte for byte).
    Raw(String),
}

/// A list of criteria, written as `<Criterias>…</Criterias>`.
///
/// ```
/// use relance::sendethic::{Criteria, Criterion, FieldId, FieldValueId};
/// let criteria = Criteria::new()
///     .with(Criterion::selection_equals(FieldId(30), FieldValueId(54)).with_guid("a"))
///     .with(Criterion::text_not_empty(FieldId(27)).with_guid("b"));
/// let xml = criteria.to_xml();
/// assert!(xml.starts_with("<Criterias><Criteria guid=\"a\" reference=\"selection-equals-list\""));
/// assert_eq!(Criteria::parse(&xml)?, criteria);
/// # Ok::<(), relance::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Criteria {
    items: Vec<CriteriaItem>,
}

impl Criteria {
    /// No criteria.
    ///
    /// ```
    /// assert!(relance::sendethic::Criteria::new().is_empty());
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a criterion.
    ///
    /// ```
    /// let c = relance::sendethic::Criteria::new().with(relance::sendethic::Criterion::unsubscribed_from_email());
    /// assert_eq!(c.len(), 1);
    /// ```
    #[must_use]
    pub fn with(mut self, criterion: Criterion) -> Self {
        self.items.push(CriteriaItem::Known(criterion));
        self
    }

    /// Adds a criterion in place.
    ///
    /// ```
    /// let mut c = relance::sendethic::Criteria::new();
    /// c.push(relance::sendethic::Criterion::unsubscribed_from_email());
    /// assert_eq!(c.len(), 1);
    /// ```
    pub fn push(&mut self, criterion: Criterion) {
        self.items.push(CriteriaItem::Known(criterion));
    }

    /// The items, in order.
    ///
    /// ```
    /// # let c = relance::sendethic::Criteria::new();
    /// for item in c.items() { println!("{item:?}"); }
    /// ```
    #[must_use]
    pub fn items(&self) -> &[CriteriaItem] {
        &self.items
    }

    /// The known criteria, in order.
    ///
    /// ```
    /// # let c = relance::sendethic::Criteria::new();
    /// assert_eq!(c.known().count(), 0);
    /// ```
    pub fn known(&self) -> impl Iterator<Item = &Criterion> {
        self.items.iter().filter_map(|i| match i {
            CriteriaItem::Known(c) => Some(c),
            CriteriaItem::Raw(_) => None,
        })
    }

    /// Number of items.
    ///
    /// ```
    /// assert_eq!(relance::sendethic::Criteria::new().len(), 0);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there is no item.
    ///
    /// ```
    /// assert!(relance::sendethic::Criteria::new().is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Writes the criteria XML (no declaration, no indentation). Both `value1` and `value2`
    /// are always written; attribute values are XML-escaped (`<`, `>`, `&`, `"`, `'`, and tab,
    /// CR, LF as character references so they survive attribute normalisation). Raw items are
    /// written back exactly as read.
    ///
    /// ```
    /// use relance::sendethic::{Criteria, Criterion};
    /// let xml = Criteria::new()
    ///     .with(Criterion::unsubscribed_from_email().with_guid("ff551463-5614-4174-af40-f26c41942ee4"))
    ///     .to_xml();
    /// assert_eq!(
    ///     xml,
    ///     "<Criterias><Criteria guid=\"ff551463-5614-4174-af40-f26c41942ee4\" \
    ///      reference=\"op-unsubscribing-emailing\" type=\"Operation\" id=\"0,5,0\" \
    ///      op=\"unsubscribingemailing\" is=\"true\" value1=\"\" value2=\"\"/></Criterias>"
    /// );
    /// ```
    #[must_use]
    pub fn to_xml(&self) -> String {
        let mut writer = Writer::new(Vec::new());
        // Writing into a Vec cannot fail.
        let _ = writer.write_event(Event::Start(BytesStart::new("Criterias")));
        for item in &self.items {
            match item {
                CriteriaItem::Known(c) => {
                    let w = c.wire();
                    let mut el = BytesStart::new("Criteria");
                    let is = if w.is { "true" } else { "false" };
                    for (k, v) in [
                        ("guid", c.guid.as_str()),
                        ("reference", w.reference),
                        ("type", w.kind),
                        ("id", w.id.as_str()),
                        ("op", w.op),
                        ("is", is),
                        ("value1", w.value1.as_str()),
                        ("value2", ""),
                    ] {
                        el.push_attribute(quick_xml::events::attributes::Attribute {
                            key: quick_xml::name::QName(k.as_bytes()),
                            value: escape_attr(v).into_bytes().into(),
                        });
                    }
                    let _ = writer.write_event(Event::Empty(el));
                }
                CriteriaItem::Raw(raw) => writer.get_mut().extend_from_slice(raw.as_bytes()),
            }
        }
        let _ = writer.write_event(Event::End(BytesEnd::new("Criterias")));
        String::from_utf8(writer.into_inner()).unwrap_or_default()
    }

    /// Parses criteria XML, as found in `Segment.details`.
    ///
    /// Known criteria (the operators of §6, written in the form this crate writes) become
    /// [`CriteriaItem::Known`]; any other `<Criteria>` element is kept as
    /// [`CriteriaItem::Raw`] text, so that [`to_xml`](Self::to_xml) gives it back byte for
    /// byte. An empty string is empty criteria.
    ///
    /// Fails with [`Error::InvalidInput`] on malformed XML or when the root is not
    /// `<Criterias>`.
    ///
    /// ```
    /// let xml = r#"<Criterias><Criteria guid="g" reference="str-future" type="ContactAttribute" id="9" op="str-future" is="true" value1="x" value2="y" /></Criterias>"#;
    /// let parsed = relance::sendethic::Criteria::parse(xml)?;
    /// assert!(matches!(parsed.items()[0], relance::sendethic::CriteriaItem::Raw(_)));
    /// assert_eq!(parsed.to_xml(), xml);
    /// # Ok::<(), relance::Error>(())
    /// ```
    pub fn parse(xml: &str) -> Result<Self> {
        let bad = |reason: String| Error::invalid("criteria XML", reason);
        let mut items = Vec::new();
        if xml.trim().is_empty() {
            return Ok(Self { items });
        }
        let mut reader = Reader::from_str(xml);
        let mut depth = 0usize;
        let mut seen_root = false;
        loop {
            let start = pos(&reader);
            let event = reader
                .read_event()
                .map_err(|e| bad(format!("malformed XML at byte {start}: {e}")))?;
            match event {
                Event::Start(el) if depth == 0 => {
                    if el.name().as_ref() != b"Criterias" || seen_root {
                        return Err(bad("the root element must be <Criterias>".into()));
                    }
                    seen_root = true;
                    depth = 1;
                }
                Event::Empty(el) if depth == 0 => {
                    if el.name().as_ref() != b"Criterias" || seen_root {
                        return Err(bad("the root element must be <Criterias>".into()));
                    }
                    seen_root = true;
                }
                Event::End(_) if depth == 1 => depth = 0,
                Event::Empty(el) if depth == 1 => {
                    let end = pos(&reader);
                    let known = if el.name().as_ref() == b"Criteria" {
                        read_attrs(&el).and_then(|a| Criterion::from_attrs(&a))
                    } else {
                        None
                    };
                    items.push(match known {
                        Some(c) => CriteriaItem::Known(c),
                        None => CriteriaItem::Raw(xml[start..end].to_owned()),
                    });
                }
                Event::Start(el) if depth == 1 => {
                    // A non-empty child: keep it whole, raw.
                    let name = el.name().as_ref().to_owned();
                    reader
                        .read_to_end(quick_xml::name::QName(&name))
                        .map_err(|e| bad(format!("malformed XML: {e}")))?;
                    let end = pos(&reader);
                    items.push(CriteriaItem::Raw(xml[start..end].to_owned()));
                }
                Event::Text(t) if t.iter().all(u8::is_ascii_whitespace) => {}
                Event::Text(_) | Event::CData(_) | Event::Comment(_) if depth == 1 => {
                    let end = pos(&reader);
                    items.push(CriteriaItem::Raw(xml[start..end].to_owned()));
                }
                Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_)
                    if depth == 0 => {}
                Event::Eof => break,
                other => return Err(bad(format!("unexpected XML content {other:?}"))),
            }
        }
        if !seen_root || depth != 0 {
            return Err(bad("missing or unclosed <Criterias> root".into()));
        }
        Ok(Self { items })
    }
}

fn pos(reader: &Reader<&[u8]>) -> usize {
    usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX)
}

fn read_attrs(el: &BytesStart<'_>) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    for attr in el.attributes() {
        let attr = attr.ok()?;
        let key = String::from_utf8(attr.key.as_ref().to_vec()).ok()?;
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .ok()?
            .into_owned();
        out.push((key, value));
    }
    Some(out)
}

/// Escapes an attribute value: the five XML specials plus tab, CR and LF as character
/// references (which attribute-value normalisation would otherwise turn into spaces).
fn escape_attr(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for ch in v.chars() {
        match ch {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

/// A random UUID in v4 format (from `fastrand`; not cryptographic, only unique enough).
fn new_guid() -> String {
    let mut b = [0u8; 16];
    for x in &mut b {
        *x = fastrand::u8(..);
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = b.iter().fold(String::with_capacity(32), |mut h, x| {
        let _ = fmt::Write::write_fmt(&mut h, format_args!("{x:02x}"));
        h
    });
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guid_is_v4_format() {
        let g = new_guid();
        assert_eq!(g.len(), 36);
        assert_eq!(&g[14..15], "4");
        assert!(matches!(&g[19..20], "8" | "9" | "a" | "b"));
        assert_ne!(new_guid(), g);
    }

    #[test]
    fn decimals() {
        for ok in ["0", "12", "-3", "3.50"] {
            assert!(is_decimal(ok), "{ok}");
        }
        for bad in ["", "1,5", "1.", ".5", "1e3", "abc", "-"] {
            assert!(!is_decimal(bad), "{bad}");
        }
    }
}
