//! Provider-neutral records: the values one contact should have on the provider.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use crate::customer::ProfileField;

/// One value of a [`SyncRecord`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SyncValue {
    /// No value: the provider's value is cleared (a metric that became undefined, e.g. no
    /// abandoned cart any more).
    Empty,
    /// Text.
    Text(String),
    /// A decimal number, already formatted (`.` separator, no thousands separator).
    Number(String),
    /// An instant.
    DateTime(DateTime<Utc>),
    /// A calendar date.
    Date(NaiveDate),
    /// Consent.
    OptIn(bool),
}

impl SyncValue {
    /// A number with `decimals` digits after the point.
    ///
    /// ```
    /// use relance::sync::SyncValue;
    /// assert_eq!(SyncValue::decimal(9.986_111, 2), SyncValue::Number("9.99".into()));
    /// ```
    #[must_use]
    pub fn decimal(value: f64, decimals: usize) -> Self {
        Self::Number(format!("{value:.decimals$}"))
    }

    /// An integer.
    ///
    /// ```
    /// assert_eq!(relance::sync::SyncValue::int(4), relance::sync::SyncValue::Number("4".into()));
    /// ```
    #[must_use]
    pub fn int(value: i64) -> Self {
        Self::Number(value.to_string())
    }

    /// Text, or [`SyncValue::Empty`] when `None` or blank.
    ///
    /// ```
    /// use relance::sync::SyncValue;
    /// assert_eq!(SyncValue::text(Some(" ")), SyncValue::Empty);
    /// ```
    #[must_use]
    pub fn text(value: Option<&str>) -> Self {
        match value.map(str::trim) {
            Some(v) if !v.is_empty() => Self::Text(v.to_owned()),
            _ => Self::Empty,
        }
    }

    /// An instant, or [`SyncValue::Empty`].
    ///
    /// ```
    /// assert_eq!(relance::sync::SyncValue::instant(None), relance::sync::SyncValue::Empty);
    /// ```
    #[must_use]
    pub fn instant(value: Option<DateTime<Utc>>) -> Self {
        value.map_or(Self::Empty, Self::DateTime)
    }

    /// Whether this is [`SyncValue::Empty`].
    ///
    /// ```
    /// assert!(relance::sync::SyncValue::Empty.is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        matches!(self, Self::Empty)
    }

    /// A canonical text form, used to detect changes.
    fn canonical(&self) -> String {
        match self {
            Self::Empty => String::new(),
            Self::Text(t) => format!("t:{t}"),
            Self::Number(n) => format!("n:{n}"),
            Self::DateTime(d) => format!("d:{}", d.timestamp()),
            Self::Date(d) => format!("D:{d}"),
            Self::OptIn(b) => format!("o:{b}"),
        }
    }
}

/// The values one contact should have on the provider, keyed by its normalised email.
///
/// Each provider maps a field to its own storage: a Sendethic standard or tagged custom
/// field, a Sendsay data-key path. The email is the record's key, not one of its values:
/// [`ProfileField::Email`] values are ignored.
///
/// ```
/// use relance::customer::ProfileField;
/// use relance::sync::{SyncRecord, SyncValue};
/// let record = SyncRecord::new("Ann@Example.com ")
///     .with(ProfileField::OrdersCount, SyncValue::int(3))
///     .with(ProfileField::Revenue, SyncValue::Number("129.90".into()));
/// assert_eq!(record.email(), "ann@example.com");
/// assert_eq!(record.get(&ProfileField::OrdersCount), Some(&SyncValue::int(3)));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SyncRecord {
    email: String,
    values: BTreeMap<ProfileField, SyncValue>,
}

impl SyncRecord {
    /// A record for `email` (trimmed and lower-cased).
    ///
    /// ```
    /// let r = relance::sync::SyncRecord::new("a@example.com");
    /// # let _ = r;
    /// ```
    #[must_use]
    pub fn new(email: impl AsRef<str>) -> Self {
        Self {
            email: email.as_ref().trim().to_lowercase(),
            values: BTreeMap::new(),
        }
    }

    /// Sets a value (ignored for the key, [`ProfileField::Email`]).
    ///
    /// ```
    /// use relance::customer::ProfileField;
    /// use relance::sync::{SyncRecord, SyncValue};
    /// let r = SyncRecord::new("a@example.com").with(ProfileField::ShopId, SyncValue::text(Some("1")));
    /// assert_eq!(r.values().count(), 1);
    /// ```
    #[must_use]
    pub fn with(mut self, field: ProfileField, value: SyncValue) -> Self {
        self.set(field, value);
        self
    }

    /// Sets a value in place (ignored for the key, [`ProfileField::Email`]).
    ///
    /// ```
    /// use relance::customer::ProfileField;
    /// use relance::sync::{SyncRecord, SyncValue};
    /// let mut r = SyncRecord::new("a@example.com");
    /// r.set(ProfileField::OrdersCount, SyncValue::int(1));
    /// r.set(ProfileField::Email, SyncValue::text(Some("b@example.com")));
    /// assert_eq!((r.email(), r.values().count()), ("a@example.com", 1));
    /// ```
    pub fn set(&mut self, field: ProfileField, value: SyncValue) {
        if field != ProfileField::Email {
            self.values.insert(field, value);
        }
    }

    /// Keeps only the fields for which `keep` is true.
    pub(crate) fn retain(&mut self, keep: impl Fn(&ProfileField) -> bool) {
        self.values.retain(|f, _| keep(f));
    }

    /// The contact key (normalised email).
    ///
    /// ```
    /// assert_eq!(relance::sync::SyncRecord::new("A@B.fr").email(), "a@b.fr");
    /// ```
    #[must_use]
    pub fn email(&self) -> &str {
        &self.email
    }

    /// A value.
    ///
    /// ```
    /// use relance::customer::ProfileField;
    /// use relance::sync::SyncRecord;
    /// assert_eq!(SyncRecord::new("a@b.fr").get(&ProfileField::Revenue), None);
    /// ```
    #[must_use]
    pub fn get(&self, field: &ProfileField) -> Option<&SyncValue> {
        self.values.get(field)
    }

    /// The values, in field order.
    ///
    /// ```
    /// # let r = relance::sync::SyncRecord::new("a@b.fr");
    /// for (field, value) in r.values() { println!("{field} = {value:?}"); }
    /// ```
    pub fn values(&self) -> impl Iterator<Item = (&ProfileField, &SyncValue)> {
        self.values.iter()
    }

    /// A stable 64-bit fingerprint of the values (FNV-1a over a canonical form), the same
    /// across processes and versions, used to detect what changed since the last push.
    ///
    /// ```
    /// use relance::customer::ProfileField;
    /// use relance::sync::{SyncRecord, SyncValue};
    /// let a = SyncRecord::new("a@b.fr").with(ProfileField::OrdersCount, SyncValue::int(1));
    /// let b = SyncRecord::new("a@b.fr").with(ProfileField::OrdersCount, SyncValue::int(2));
    /// assert_ne!(a.fingerprint(), b.fingerprint());
    /// ```
    #[must_use]
    pub fn fingerprint(&self) -> u64 {
        let mut h = Fnv::new();
        for (field, value) in &self.values {
            h.write(field.name().as_bytes());
            h.write(b"=");
            h.write(value.canonical().as_bytes());
            h.write(b"\x1f");
        }
        h.finish()
    }
}

/// FNV-1a, 64 bits: tiny, stable and good enough to fingerprint payloads.
pub(crate) struct Fnv(u64);

impl Fnv {
    pub(crate) fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    pub(crate) fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    pub(crate) fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customer::ProfileField;

    #[test]
    fn fnv_matches_the_reference_vectors() {
        let mut h = Fnv::new();
        assert_eq!(h.finish(), 0xcbf2_9ce4_8422_2325);
        h.write(b"a");
        assert_eq!(h.finish(), 0xaf63_dc4c_8601_ec8c);
        let mut h = Fnv::new();
        h.write(b"foobar");
        assert_eq!(h.finish(), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn fingerprints_depend_on_every_value_and_field() {
        let base = SyncRecord::new("a@b.fr")
            .with(ProfileField::Revenue, SyncValue::Number("10.00".into()))
            .with(ProfileField::LastAbandonedCartAt, SyncValue::Empty);
        let changed = base
            .clone()
            .with(ProfileField::Revenue, SyncValue::Number("10.01".into()));
        assert_ne!(base.fingerprint(), changed.fingerprint());
        let other_field = SyncRecord::new("a@b.fr")
            .with(
                ProfileField::LastOrderAmount,
                SyncValue::Number("10.00".into()),
            )
            .with(ProfileField::LastAbandonedCartAt, SyncValue::Empty);
        assert_ne!(base.fingerprint(), other_field.fingerprint());
        assert_eq!(base.fingerprint(), base.clone().fingerprint());
    }

    /// Saved states stay valid across versions: the fingerprint of a record depends only on
    /// the field names, their order and the values (value computed independently from the
    /// definition: FNV-1a over `name=canonical\x1f` in field order).
    #[test]
    fn fingerprints_are_stable_across_versions() {
        use chrono::TimeZone;
        let at = Utc.with_ymd_and_hms(2024, 5, 1, 10, 0, 0).unwrap();
        let record = SyncRecord::new("a@b.fr")
            .with(ProfileField::CustomerGroupIds, SyncValue::text(Some("1,3")))
            .with(ProfileField::NewsletterOptIn, SyncValue::OptIn(true))
            .with(ProfileField::OrdersCount, SyncValue::int(3))
            .with(ProfileField::LastOrderAt, SyncValue::DateTime(at))
            .with(ProfileField::Revenue, SyncValue::Number("129.90".into()))
            .with(
                ProfileField::BirthDate,
                SyncValue::Date(NaiveDate::from_ymd_opt(1990, 12, 10).unwrap()),
            )
            .with(ProfileField::FirstName, SyncValue::Empty)
            .with(ProfileField::Email, SyncValue::text(Some("ignored@b.fr")));
        assert_eq!(record.fingerprint(), 0x4a63_59cd_677e_81be);
    }
}
