//! Default segments described as data, and the one local evaluator over them.
//!
//! A [`SegmentSpec`] is a list of [`Condition`]s on [`ProfileField`]s combined with
//! [`Match::All`] or [`Match::Any`]. The same description is evaluated locally
//! ([`SegmentSpec::matches`], [`SegmentSpec::members`]) and provisioned on a provider by the
//! sync ([`crate::sync::SyncTarget::ensure_segments`]), which translates it to the provider's
//! criteria.
//!
//! "Days ago" conditions compare **instants** against `as_of`:
//! - [`Op::WithinLastDays`]`(n)`: the date is set and `date > as_of − n days` (dates after
//!   `as_of` match);
//! - [`Op::MoreThanDaysAgo`]`(n)`: the date is set and `date ≤ as_of − n days` (boundary rule
//!   of reference §8).
//!
//! Numbers compare in major units (revenue 0.5 = 50 cents). An unset value fails every
//! operator but [`Op::IsEmpty`].

mod defaults;
mod person;

use chrono::{DateTime, NaiveTime, TimeDelta, Utc};

pub use defaults::{
    abandoners, customers, first_purchase, inactive_customers, magento_defaults, motivated,
    newsletter_subscribers, prospects, recent_customers, recently_delivered, relance_defaults,
    repeat_customers,
};

use crate::customer::clv::PredictedValues;
use crate::customer::{
    Civility, Consolidation, ContactIdx, CustomerProfile, FieldKind, OptIn, ProfileField,
};

/// A comparison operand.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A number (major units for money).
    Number(f64),
    /// A text (exact match).
    Text(String),
    /// An opt-in state.
    OptIn(OptIn),
}

/// An operator.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// Equal to the value.
    Equals(Value),
    /// Number ≥ value.
    AtLeast(f64),
    /// Number > value.
    GreaterThan(f64),
    /// Number < value.
    LessThan(f64),
    /// Value is set / non-empty.
    IsSet,
    /// Value is unset / empty.
    IsEmpty,
    /// Date set and less than `n` days before `as_of`.
    WithinLastDays(u32),
    /// Date set and at least `n` days before `as_of`.
    MoreThanDaysAgo(u32),
}

/// One criterion.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    /// Tested field.
    pub field: ProfileField,
    /// Operator with its operand.
    pub op: Op,
}

/// How conditions combine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Match {
    /// Every condition.
    #[default]
    All,
    /// At least one condition.
    Any,
}

/// A named segment described as data.
#[derive(Clone, Debug, PartialEq)]
pub struct SegmentSpec {
    /// Stable tag (provisioning key, e.g. `magento_customers`).
    pub tag: String,
    /// Display name.
    pub name: String,
    /// How the conditions combine.
    pub mode: Match,
    /// The criteria.
    pub conditions: Vec<Condition>,
    /// Remarks (e.g. a faithfully reproduced "sic").
    pub note: Option<String>,
}

enum FieldValue<'a> {
    Text(Option<&'a str>),
    Number(Option<f64>),
    Date(Option<DateTime<Utc>>),
    OptIn(OptIn),
}

fn read<'a>(
    p: &'a CustomerProfile<'_>,
    f: &ProfileField,
    predicted: Option<&PredictedValues>,
) -> FieldValue<'a> {
    use FieldValue as V;
    use ProfileField as F;
    let text = |s: Option<&'a str>| V::Text(s.filter(|s| !s.is_empty()));
    match f {
        F::CustomerId => text(p.customer_id()),
        F::Email => text(Some(p.email())),
        F::FirstName => text(p.first_name()),
        F::LastName => text(p.last_name()),
        F::Civility => text(p.civility().map(Civility::as_str)),
        F::Phone => text(p.phone()),
        F::Postcode => text(p.postcode()),
        F::ShopId => text(p.shop_id()),
        F::CustomerGroupIds => V::Text(p.customer_view().and_then(|c| c.group_ids().next())),
        F::NewsletterOptIn => V::OptIn(p.newsletter_optin()),
        F::NewsletterOptInAt => V::Date(p.newsletter_optin_at()),
        F::BirthDate => V::Date(p.birth_date().map(|d| d.and_time(NaiveTime::MIN).and_utc())),
        F::SignedUpAt => V::Date(p.signed_up_at()),
        F::LastLoginAt => V::Date(p.last_login_at()),
        F::LastAbandonedCartAt => V::Date(p.last_abandoned_cart_at()),
        F::FirstOrderAt => V::Date(p.first_order_at()),
        F::LastOrderAt => V::Date(p.last_order_at()),
        F::LastDeliveryAt => V::Date(p.last_delivery_at()),
        F::Revenue => V::Number(Some(p.revenue().to_major_f64())),
        F::LastOrderAmount => V::Number(p.last_order_amount().map(|m| m.to_major_f64())),
        F::OrdersCount => V::Number(Some(f64::from(p.orders_count()))),
        F::AvgDaysBetweenOrders => V::Number(p.avg_days_between_orders()),
        F::PAlive | F::ExpectedPurchases | F::ExpectedAvgValue | F::ExpectedValue => {
            V::Number(predicted.and_then(|t| t.value(p.contact(), f)))
        }
        F::IsBuyer => V::OptIn(if p.orders_count() > 0 || p.customer_id().is_some() {
            OptIn::Yes
        } else {
            OptIn::No
        }),
        // The other marketplace fields and a shop's own fields have no value in a customer
        // profile: locally they are absent (the provider, which has the values, evaluates
        // segments on them; a marketplace person has the seller values, see `person`).
        F::IsSeller
        | F::IsAdministrator
        | F::SellerStuckWithoutProducts
        | F::SellerStuckWithoutSales
        | F::SellerProductsCount
        | F::SellerSalesCount
        | F::SellerRevenue
        | F::SellerMilestone
        | F::SellerRegisteredAt
        | F::SellerFirstSaleAt
        | F::SellerLastSaleAt
        | F::SellerMilestoneAt
        | F::Custom(_) => absent(f.kind()),
    }
}

/// The value of a field that has none, by its kind.
fn absent(kind: FieldKind) -> FieldValue<'static> {
    match kind {
        FieldKind::Number => FieldValue::Number(None),
        FieldKind::DateTime | FieldKind::Date => FieldValue::Date(None),
        FieldKind::OptIn => FieldValue::OptIn(OptIn::Unknown),
        _ => FieldValue::Text(None),
    }
}

/// Whether a value passes an operator at `as_of`.
fn test(op: &Op, v: FieldValue<'_>, as_of: DateTime<Utc>) -> bool {
    let days = |n: u32| as_of - TimeDelta::days(i64::from(n));
    match (op, v) {
        (Op::IsSet, FieldValue::Text(t)) => t.is_some(),
        (Op::IsEmpty, FieldValue::Text(t)) => t.is_none(),
        (Op::IsSet, FieldValue::Date(d)) => d.is_some(),
        (Op::IsEmpty, FieldValue::Date(d)) => d.is_none(),
        (Op::IsSet, FieldValue::Number(n)) => n.is_some(),
        (Op::IsEmpty, FieldValue::Number(n)) => n.is_none(),
        (Op::IsSet, FieldValue::OptIn(o)) => o != OptIn::Unknown,
        (Op::IsEmpty, FieldValue::OptIn(o)) => o == OptIn::Unknown,
        #[allow(clippy::float_cmp)]
        (Op::Equals(Value::Number(x)), FieldValue::Number(Some(n))) => n == *x,
        (Op::Equals(Value::Text(x)), FieldValue::Text(Some(t))) => t == x,
        (Op::Equals(Value::OptIn(x)), FieldValue::OptIn(o)) => o == *x,
        (Op::AtLeast(x), FieldValue::Number(Some(n))) => n >= *x,
        (Op::GreaterThan(x), FieldValue::Number(Some(n))) => n > *x,
        (Op::LessThan(x), FieldValue::Number(Some(n))) => n < *x,
        (Op::WithinLastDays(k), FieldValue::Date(Some(d))) => d > days(*k),
        (Op::MoreThanDaysAgo(k), FieldValue::Date(Some(d))) => d <= days(*k),
        _ => false,
    }
}

impl Condition {
    /// A condition.
    ///
    /// ```
    /// use relance::customer::ProfileField;
    /// use relance::customer::segment::{Condition, Op};
    /// let c = Condition::new(ProfileField::OrdersCount, Op::AtLeast(2.0));
    /// assert_eq!(c.field, ProfileField::OrdersCount);
    /// ```
    #[must_use]
    pub const fn new(field: ProfileField, op: Op) -> Self {
        Self { field, op }
    }

    /// Evaluates the condition on a profile at `as_of`.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// use relance::customer::segment::{Condition, Op};
    /// let mut ds = Dataset::new();
    /// ds.guest("a@x.io");
    /// let as_of = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    /// let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::UTC)).unwrap();
    /// let p = c.iter().next().unwrap();
    /// assert!(Condition::new(ProfileField::CustomerId, Op::IsEmpty).matches(p, as_of));
    /// assert!(!Condition::new(ProfileField::LastOrderAt, Op::MoreThanDaysAgo(90)).matches(p, as_of));
    /// ```
    #[must_use]
    pub fn matches(&self, p: &CustomerProfile<'_>, as_of: DateTime<Utc>) -> bool {
        self.matches_with(p, as_of, None)
    }

    /// [`matches`](Self::matches), reading the predicted fields
    /// ([`ProfileField::PREDICTED`]) from `predicted` (unset without it).
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// use relance::customer::clv::PredictedValues;
    /// use relance::customer::segment::{Condition, Op};
    /// let mut ds = Dataset::new();
    /// ds.guest("a@x.io");
    /// let as_of = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    /// let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::UTC)).unwrap();
    /// let p = c.iter().next().unwrap();
    /// let none = PredictedValues::default();
    /// assert!(Condition::new(ProfileField::PAlive, Op::IsEmpty).matches_with(p, as_of, Some(&none)));
    /// ```
    #[must_use]
    pub fn matches_with(
        &self,
        p: &CustomerProfile<'_>,
        as_of: DateTime<Utc>,
        predicted: Option<&PredictedValues>,
    ) -> bool {
        test(&self.op, read(p, &self.field, predicted), as_of)
    }
}

impl SegmentSpec {
    /// Whether a profile belongs to the segment at `as_of` (an empty `All` segment matches
    /// everyone, an empty `Any` segment no one).
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// let mut ds = Dataset::new();
    /// ds.guest("a@x.io");
    /// let as_of = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    /// let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::UTC)).unwrap();
    /// assert!(segment::prospects().matches(c.iter().next().unwrap(), as_of));
    /// ```
    #[must_use]
    pub fn matches(&self, p: &CustomerProfile<'_>, as_of: DateTime<Utc>) -> bool {
        self.matches_with(p, as_of, None)
    }

    /// [`matches`](Self::matches), reading the predicted fields from `predicted`.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// let mut ds = Dataset::new();
    /// ds.guest("a@x.io");
    /// let as_of = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    /// let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::UTC)).unwrap();
    /// let none = relance::customer::clv::PredictedValues::default();
    /// assert!(segment::prospects().matches_with(c.iter().next().unwrap(), as_of, Some(&none)));
    /// ```
    #[must_use]
    pub fn matches_with(
        &self,
        p: &CustomerProfile<'_>,
        as_of: DateTime<Utc>,
        predicted: Option<&PredictedValues>,
    ) -> bool {
        let one = |c: &Condition| c.matches_with(p, as_of, predicted);
        match self.mode {
            Match::All => self.conditions.iter().all(one),
            Match::Any => self.conditions.iter().any(one),
        }
    }

    /// Contacts of a consolidation that belong to the segment at its `as_of`.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// let mut ds = Dataset::new();
    /// ds.guest("a@x.io");
    /// let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(), chrono_tz::UTC)).unwrap();
    /// assert_eq!(segment::prospects().members(&c), vec![ContactIdx(0)]);
    /// assert!(segment::customers().members(&c).is_empty());
    /// ```
    #[must_use]
    pub fn members(&self, consolidation: &Consolidation<'_>) -> Vec<ContactIdx> {
        let as_of = consolidation.as_of();
        consolidation
            .iter()
            .filter(|p| self.matches(p, as_of))
            .map(CustomerProfile::contact)
            .collect()
    }

    /// [`members`](Self::members), reading the predicted fields from `predicted`.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// let mut ds = Dataset::new();
    /// ds.guest("a@x.io");
    /// let as_of = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    /// let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::UTC)).unwrap();
    /// let none = relance::customer::clv::PredictedValues::default();
    /// assert_eq!(segment::prospects().members_with(&c, &none).len(), 1);
    /// ```
    #[must_use]
    pub fn members_with(
        &self,
        consolidation: &Consolidation<'_>,
        predicted: &PredictedValues,
    ) -> Vec<ContactIdx> {
        let as_of = consolidation.as_of();
        consolidation
            .iter()
            .filter(|p| self.matches_with(p, as_of, Some(predicted)))
            .map(CustomerProfile::contact)
            .collect()
    }
}
