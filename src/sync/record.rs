//! Provider-neutral records: the values one contact should have on the provider.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, Utc};

use crate::customer::{FieldKind, ProfileField};

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
        ValueRef::text(value).into_owned()
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

    /// The value as the canonical form sees it.
    pub(crate) fn as_ref(&self) -> ValueRef<'_> {
        match self {
            Self::Empty => ValueRef::Empty,
            Self::Text(t) => ValueRef::Text(Cow::Borrowed(t)),
            Self::Number(n) => ValueRef::Number(Cow::Borrowed(n)),
            Self::DateTime(d) => ValueRef::DateTime(*d),
            Self::Date(d) => ValueRef::Date(*d),
            Self::OptIn(b) => ValueRef::OptIn(*b),
        }
    }
}

/// Whether `n` is a plain finite decimal: optional `-`, digits, optionally `.` and digits
/// (what both providers store as a number; no exponent, no `,`, no `NaN`).
fn is_decimal(n: &str) -> bool {
    let digits = n.strip_prefix('-').unwrap_or(n);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    !int.is_empty()
        && !frac.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

/// A value borrowed where it can be: what a profile gives before any record is built.
pub(crate) enum ValueRef<'a> {
    Empty,
    Text(Cow<'a, str>),
    Number(Cow<'a, str>),
    DateTime(DateTime<Utc>),
    Date(NaiveDate),
    OptIn(bool),
}

impl<'a> ValueRef<'a> {
    /// A text, trimmed; empty when absent or blank (as [`SyncValue::text`]).
    pub(crate) fn text(value: Option<&'a str>) -> Self {
        match value.map(str::trim) {
            Some(v) if !v.is_empty() => Self::Text(Cow::Borrowed(v)),
            _ => Self::Empty,
        }
    }

    /// [`text`](Self::text) of a string that is not borrowed from the profile.
    pub(crate) fn text_owned(value: &str) -> ValueRef<'static> {
        match ValueRef::text(Some(value)) {
            ValueRef::Text(t) => ValueRef::Text(Cow::Owned(t.into_owned())),
            _ => ValueRef::Empty,
        }
    }

    /// The owned value.
    pub(crate) fn into_owned(self) -> SyncValue {
        match self {
            Self::Empty => SyncValue::Empty,
            Self::Text(t) => SyncValue::Text(t.into_owned()),
            Self::Number(n) => SyncValue::Number(n.into_owned()),
            Self::DateTime(d) => SyncValue::DateTime(d),
            Self::Date(d) => SyncValue::Date(d),
            Self::OptIn(b) => SyncValue::OptIn(b),
        }
    }

    /// Appends a canonical text form to `out`, to detect changes: a tag and the value
    /// (`t:Ann`, `n:12.50`, `d:<unix seconds>`, `D:2024-05-01`, `o:true`; nothing for empty).
    fn write_canonical(&self, out: &mut Vec<u8>) {
        let (tag, text): (&[u8], &[u8]) = match self {
            Self::Empty => return,
            Self::Text(t) => (b"t:", t.as_bytes()),
            Self::Number(n) => (b"n:", n.as_bytes()),
            Self::DateTime(d) => {
                out.extend_from_slice(b"d:");
                push_decimal(out, d.timestamp());
                return;
            }
            Self::Date(d) => {
                use chrono::Datelike as _;
                out.extend_from_slice(b"D:");
                if (0..=9999).contains(&d.year()) {
                    push_padded(out, d.year().unsigned_abs(), 4);
                    out.push(b'-');
                    push_padded(out, d.month(), 2);
                    out.push(b'-');
                    push_padded(out, d.day(), 2);
                } else {
                    // chrono writes years outside 0..=9999 with a sign; rare enough to format.
                    out.extend_from_slice(d.to_string().as_bytes());
                }
                return;
            }
            Self::OptIn(b) => (b"o:", if *b { b"true" } else { b"false" }),
        };
        out.extend_from_slice(tag);
        out.extend_from_slice(text);
    }
}

/// Appends `n` in decimal (as `Display` writes it), without the formatting machinery.
fn push_decimal(out: &mut Vec<u8>, n: i64) {
    if n < 0 {
        out.push(b'-');
    }
    let mut digits = [0u8; 20];
    let mut rest = n.unsigned_abs();
    let mut i = digits.len();
    loop {
        i -= 1;
        // A digit: the remainder is below 10.
        digits[i] = b'0' + u8::try_from(rest % 10).unwrap_or(0);
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// Appends `n` zero-padded to `width` digits.
fn push_padded(out: &mut Vec<u8>, n: u32, width: usize) {
    let start = out.len();
    push_decimal(out, i64::from(n));
    let written = out.len() - start;
    if written < width {
        let pad = width - written;
        out.splice(start..start, std::iter::repeat_n(b'0', pad));
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
    /// Sorted by field, each field once (a few dozen at most: a sorted `Vec` is one
    /// allocation, where a map would take several per record).
    values: Vec<(ProfileField, SyncValue)>,
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
            email: record_email(email.as_ref()).into_owned(),
            values: Vec::new(),
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
            match self.values.binary_search_by(|(f, _)| f.cmp(&field)) {
                Ok(i) => self.values[i].1 = value,
                Err(i) => {
                    if self.values.capacity() == 0 {
                        self.values.reserve_exact(ProfileField::ALL.len());
                    }
                    self.values.insert(i, (field, value));
                }
            }
        }
    }

    /// Keeps only the fields for which `keep` is true.
    pub(crate) fn retain(&mut self, keep: impl Fn(&ProfileField) -> bool) {
        self.values.retain(|(f, _)| keep(f));
    }

    /// Checks that each value fits its field's kind (text for a text field, a finite
    /// decimal number for a number field, an instant or a date for a date field, consent for
    /// an opt-in); [`SyncValue::Empty`] fits every field. The error names the contact and the
    /// field.
    pub(crate) fn check(&self) -> crate::error::Result<()> {
        for (field, value) in &self.values {
            let fits = match (field.kind(), value) {
                (_, SyncValue::Empty)
                | (FieldKind::Text, SyncValue::Text(_))
                | (FieldKind::DateTime, SyncValue::DateTime(_) | SyncValue::Date(_))
                | (FieldKind::Date, SyncValue::Date(_))
                | (FieldKind::OptIn, SyncValue::OptIn(_)) => true,
                (FieldKind::Number, SyncValue::Number(n)) => is_decimal(n),
                _ => false,
            };
            if !fits {
                return Err(crate::Error::invalid(
                    format!("{}: {field}", self.email),
                    format!(
                        "{value:?} does not fit a {} field",
                        format!("{:?}", field.kind()).to_lowercase()
                    ),
                ));
            }
        }
        Ok(())
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
        self.values
            .binary_search_by(|(f, _)| f.cmp(field))
            .ok()
            .map(|i| &self.values[i].1)
    }

    /// The values, in field order.
    ///
    /// ```
    /// # let r = relance::sync::SyncRecord::new("a@b.fr");
    /// for (field, value) in r.values() { println!("{field} = {value:?}"); }
    /// ```
    pub fn values(&self) -> impl Iterator<Item = (&ProfileField, &SyncValue)> {
        self.values.iter().map(|(f, v)| (f, v))
    }

    /// A stable 64-bit fingerprint of the values, the same across processes and versions,
    /// used to detect what changed since the last push: XXH3-64 (seed 0) of
    /// `name=value\x1f` for each field in field order, the value in a tagged canonical form
    /// (`t:` text, `n:` number, `d:` Unix seconds, `D:` date, `o:` consent, nothing when
    /// empty).
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
        fingerprint_of(|canonical| {
            for (field, value) in &self.values {
                canonical.push(field, &value.as_ref());
            }
        })
    }
}

/// The canonical form of a record's values being written: `name=value` pairs in field order,
/// each ended by 0x1f.
pub(crate) struct Canonical<'b>(&'b mut Vec<u8>);

impl Canonical<'_> {
    /// Appends one field and its value.
    pub(crate) fn push(&mut self, field: &ProfileField, value: &ValueRef<'_>) {
        self.0.extend_from_slice(field.name().as_bytes());
        self.0.push(b'=');
        value.write_canonical(self.0);
        self.0.push(0x1f);
    }
}

/// The XXH3 hash of the canonical form `write` produces (in a buffer kept per thread: it runs
/// for every record of every run).
pub(crate) fn fingerprint_of(write: impl FnOnce(&mut Canonical<'_>)) -> u64 {
    thread_local! {
        static CANONICAL: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    CANONICAL.with_borrow_mut(|out| {
        out.clear();
        write(&mut Canonical(out));
        xxhash_rust::xxh3::xxh3_64(out)
    })
}

/// An email as records key it: trimmed, lower-cased when it needs to be.
pub(crate) fn record_email(email: &str) -> Cow<'_, str> {
    let email = email.trim();
    if email
        .bytes()
        .any(|b| b.is_ascii_uppercase() || !b.is_ascii())
    {
        Cow::Owned(email.to_lowercase())
    } else {
        Cow::Borrowed(email)
    }
}

/// FNV-1a, 64 bits: the checksum of the text state format.
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
    fn canonical_numbers_and_dates_are_written_as_display_writes_them() {
        for n in [0, 7, -7, 1_714_557_600, i64::MIN, i64::MAX] {
            let mut out = Vec::new();
            push_decimal(&mut out, n);
            assert_eq!(String::from_utf8(out).unwrap(), n.to_string());
        }
        for (y, m, d) in [
            (1990, 12, 10),
            (1, 1, 1),
            (999, 5, 3),
            (9999, 12, 31),
            (-5, 1, 1),
            (12345, 6, 7),
        ] {
            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            let mut out = Vec::new();
            SyncValue::Date(date).as_ref().write_canonical(&mut out);
            assert_eq!(String::from_utf8(out).unwrap(), format!("D:{date}"));
        }
    }

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
    /// the field names, their order and the values (checked against the definition written
    /// out by hand, and pinned).
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
        let canonical = "first_name=\x1fbirth_date=D:1990-12-10\x1frevenue=n:129.90\x1f\
            last_order_at=d:1714557600\x1forders_count=n:3\x1fnewsletter_optin=o:true\x1f\
            customer_group_ids=t:1,3\x1f";
        assert_eq!(
            record.fingerprint(),
            xxhash_rust::xxh3::xxh3_64(canonical.as_bytes())
        );
        assert_eq!(record.fingerprint(), 0x095c_9218_f76d_1583);
    }
}
