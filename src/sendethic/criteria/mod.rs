//! Segment criteria: the `<Criterias>` XML dialect (§6 of the reference), typed.
//!
//! Build criteria with the [`Criterion`] constructors, combine them in [`Criteria`], and
//! write them with [`Criteria::to_xml`] (a real XML writer, every attribute value escaped).
//! [`Criteria::parse`] reads existing XML back: the known operators become typed
//! [`CriterionTest`]s, anything else is kept as raw text and written back byte for byte.
//!
//! One criterion is in `criterion`, the XML reading and writing in `xml`.

mod criterion;
mod xml;

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub(crate) use criterion::is_decimal;
pub use criterion::{Criterion, CriterionTest};

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
}
