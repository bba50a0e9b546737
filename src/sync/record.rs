//! Provider-neutral records: the values one contact should have on the provider.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};

/// A value the sync engine pushes for a contact.
///
/// Each provider maps a field to its own storage: a Sendethic standard or tagged custom
/// field, a Sendsay data-key path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum SyncField {
    /// First name.
    FirstName,
    /// Last name.
    LastName,
    /// Salutation / gender.
    Civility,
    /// Phone number (E.164 when the shop has it so).
    Phone,
    /// Postcode of the default or billing address.
    Postcode,
    /// Birth date (a calendar date).
    BirthDate,
    /// The shop's customer id (empty for guest-only contacts).
    CustomerId,
    /// Account creation.
    SignedUpAt,
    /// Latest login.
    LastLoginAt,
    /// Revenue in the reporting currency.
    Revenue,
    /// Latest abandoned cart.
    LastAbandonedCartAt,
    /// First counted order.
    FirstOrderAt,
    /// Last counted order.
    LastOrderAt,
    /// Amount of the last counted order.
    LastOrderAmount,
    /// Latest delivery.
    LastDeliveryAt,
    /// Number of counted orders.
    OrdersCount,
    /// Average days between orders.
    AvgDaysBetweenOrders,
    /// Newsletter consent from the shop.
    NewsletterOptIn,
    /// Customer group ids, comma-separated.
    CustomerGroups,
    /// Shop / store id.
    ShopId,
}

/// How a field's values are typed on the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FieldKind {
    /// Free text.
    Text,
    /// A decimal number.
    Number,
    /// An instant.
    DateTime,
    /// A calendar date.
    Date,
    /// Yes / no consent.
    OptIn,
}

impl SyncField {
    /// Every field, in a stable order.
    pub const ALL: [Self; 20] = [
        Self::FirstName,
        Self::LastName,
        Self::Civility,
        Self::Phone,
        Self::Postcode,
        Self::BirthDate,
        Self::CustomerId,
        Self::SignedUpAt,
        Self::LastLoginAt,
        Self::Revenue,
        Self::LastAbandonedCartAt,
        Self::FirstOrderAt,
        Self::LastOrderAt,
        Self::LastOrderAmount,
        Self::LastDeliveryAt,
        Self::OrdersCount,
        Self::AvgDaysBetweenOrders,
        Self::NewsletterOptIn,
        Self::CustomerGroups,
        Self::ShopId,
    ];

    /// The snake-case name, also the suffix of the provisioning tag (`relance_<name>`).
    ///
    /// ```
    /// assert_eq!(relance::sync::SyncField::OrdersCount.name(), "orders_count");
    /// ```
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::FirstName => "first_name",
            Self::LastName => "last_name",
            Self::Civility => "civility",
            Self::Phone => "phone",
            Self::Postcode => "postcode",
            Self::BirthDate => "birth_date",
            Self::CustomerId => "customer_id",
            Self::SignedUpAt => "signed_up_at",
            Self::LastLoginAt => "last_login_at",
            Self::Revenue => "revenue",
            Self::LastAbandonedCartAt => "last_abandoned_cart_at",
            Self::FirstOrderAt => "first_order_at",
            Self::LastOrderAt => "last_order_at",
            Self::LastOrderAmount => "last_order_amount",
            Self::LastDeliveryAt => "last_delivery_at",
            Self::OrdersCount => "orders_count",
            Self::AvgDaysBetweenOrders => "avg_days_between_orders",
            Self::NewsletterOptIn => "newsletter_optin",
            Self::CustomerGroups => "customer_group_ids",
            Self::ShopId => "shop_id",
        }
    }

    /// The provisioning tag, `relance_<name>`.
    ///
    /// ```
    /// assert_eq!(relance::sync::SyncField::Revenue.tag(), "relance_revenue");
    /// ```
    #[must_use]
    pub fn tag(self) -> String {
        format!("relance_{}", self.name())
    }

    /// A display label for created fields.
    ///
    /// ```
    /// assert_eq!(relance::sync::SyncField::LastOrderAt.label(), "[relance] Last order date");
    /// ```
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::FirstName => "[relance] First name",
            Self::LastName => "[relance] Last name",
            Self::Civility => "[relance] Civility",
            Self::Phone => "[relance] Phone",
            Self::Postcode => "[relance] Postcode",
            Self::BirthDate => "[relance] Birth date",
            Self::CustomerId => "[relance] Customer id",
            Self::SignedUpAt => "[relance] Sign-up date",
            Self::LastLoginAt => "[relance] Last login",
            Self::Revenue => "[relance] Revenue",
            Self::LastAbandonedCartAt => "[relance] Last abandoned cart",
            Self::FirstOrderAt => "[relance] First order date",
            Self::LastOrderAt => "[relance] Last order date",
            Self::LastOrderAmount => "[relance] Last order amount",
            Self::LastDeliveryAt => "[relance] Last delivery",
            Self::OrdersCount => "[relance] Orders",
            Self::AvgDaysBetweenOrders => "[relance] Days between orders",
            Self::NewsletterOptIn => "[relance] Newsletter opt-in",
            Self::CustomerGroups => "[relance] Customer groups",
            Self::ShopId => "[relance] Shop",
        }
    }

    /// How the values are typed.
    ///
    /// ```
    /// use relance::sync::{FieldKind, SyncField};
    /// assert_eq!(SyncField::Revenue.kind(), FieldKind::Number);
    /// ```
    #[must_use]
    pub fn kind(self) -> FieldKind {
        match self {
            Self::FirstName
            | Self::LastName
            | Self::Civility
            | Self::Phone
            | Self::Postcode
            | Self::CustomerId
            | Self::CustomerGroups
            | Self::ShopId => FieldKind::Text,
            Self::BirthDate => FieldKind::Date,
            Self::SignedUpAt
            | Self::LastLoginAt
            | Self::LastAbandonedCartAt
            | Self::FirstOrderAt
            | Self::LastOrderAt
            | Self::LastDeliveryAt => FieldKind::DateTime,
            Self::Revenue
            | Self::LastOrderAmount
            | Self::OrdersCount
            | Self::AvgDaysBetweenOrders => FieldKind::Number,
            Self::NewsletterOptIn => FieldKind::OptIn,
        }
    }
}

impl fmt::Display for SyncField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

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
/// ```
/// use relance::sync::{SyncField, SyncRecord, SyncValue};
/// let record = SyncRecord::new("Ann@Example.com ")
///     .with(SyncField::OrdersCount, SyncValue::int(3))
///     .with(SyncField::Revenue, SyncValue::Number("129.90".into()));
/// assert_eq!(record.email(), "ann@example.com");
/// assert_eq!(record.get(SyncField::OrdersCount), Some(&SyncValue::int(3)));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SyncRecord {
    email: String,
    values: BTreeMap<SyncField, SyncValue>,
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

    /// Sets a value.
    ///
    /// ```
    /// use relance::sync::{SyncField, SyncRecord, SyncValue};
    /// let r = SyncRecord::new("a@example.com").with(SyncField::ShopId, SyncValue::text(Some("1")));
    /// # let _ = r;
    /// ```
    #[must_use]
    pub fn with(mut self, field: SyncField, value: SyncValue) -> Self {
        self.values.insert(field, value);
        self
    }

    /// Sets a value in place.
    ///
    /// ```
    /// use relance::sync::{SyncField, SyncRecord, SyncValue};
    /// let mut r = SyncRecord::new("a@example.com");
    /// r.set(SyncField::OrdersCount, SyncValue::int(1));
    /// ```
    pub fn set(&mut self, field: SyncField, value: SyncValue) {
        self.values.insert(field, value);
    }

    /// Keeps only the fields for which `keep` is true.
    pub(crate) fn retain(&mut self, keep: impl Fn(SyncField) -> bool) {
        self.values.retain(|f, _| keep(*f));
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
    /// use relance::sync::{SyncField, SyncRecord};
    /// assert_eq!(SyncRecord::new("a@b.fr").get(SyncField::Revenue), None);
    /// ```
    #[must_use]
    pub fn get(&self, field: SyncField) -> Option<&SyncValue> {
        self.values.get(&field)
    }

    /// The values, in field order.
    ///
    /// ```
    /// # let r = relance::sync::SyncRecord::new("a@b.fr");
    /// for (field, value) in r.values() { println!("{field} = {value:?}"); }
    /// ```
    pub fn values(&self) -> impl Iterator<Item = (SyncField, &SyncValue)> {
        self.values.iter().map(|(f, v)| (*f, v))
    }

    /// A stable 64-bit fingerprint of the values (FNV-1a over a canonical form), the same
    /// across processes and versions, used to detect what changed since the last push.
    ///
    /// ```
    /// use relance::sync::{SyncField, SyncRecord, SyncValue};
    /// let a = SyncRecord::new("a@b.fr").with(SyncField::OrdersCount, SyncValue::int(1));
    /// let b = SyncRecord::new("a@b.fr").with(SyncField::OrdersCount, SyncValue::int(2));
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
            .with(SyncField::Revenue, SyncValue::Number("10.00".into()))
            .with(SyncField::LastAbandonedCartAt, SyncValue::Empty);
        let changed = base
            .clone()
            .with(SyncField::Revenue, SyncValue::Number("10.01".into()));
        assert_ne!(base.fingerprint(), changed.fingerprint());
        let other_field = SyncRecord::new("a@b.fr")
            .with(
                SyncField::LastOrderAmount,
                SyncValue::Number("10.00".into()),
            )
            .with(SyncField::LastAbandonedCartAt, SyncValue::Empty);
        assert_ne!(base.fingerprint(), other_field.fingerprint());
        assert_eq!(base.fingerprint(), base.clone().fingerprint());
    }
}
