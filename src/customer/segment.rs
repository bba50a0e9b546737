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

use chrono::{DateTime, NaiveTime, TimeDelta, Utc};

use crate::customer::clv::PredictedValues;
use crate::customer::{
    Civility, Consolidation, ConsolidationPolicy, ContactIdx, CustomerProfile, OptIn, ProfileField,
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
        F::CustomerGroupIds => V::Text(
            p.customer()
                .and_then(|c| c.group_ids.first())
                .map(String::as_str),
        ),
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
        // profile: locally they are absent.
        F::IsSeller
        | F::IsAdministrator
        | F::SellerStuckWithoutProducts
        | F::SellerStuckWithoutSales => V::OptIn(OptIn::Unknown),
        F::SellerProductsCount | F::SellerSalesCount | F::SellerRevenue | F::SellerMilestone => {
            V::Number(None)
        }
        F::SellerRegisteredAt
        | F::SellerFirstSaleAt
        | F::SellerLastSaleAt
        | F::SellerMilestoneAt => V::Date(None),
        // A shop's own field has no value in a profile: locally it is absent (the provider,
        // which has the values, evaluates segments on it).
        F::Custom(c) => match c.kind() {
            crate::customer::FieldKind::Number => V::Number(None),
            crate::customer::FieldKind::DateTime | crate::customer::FieldKind::Date => {
                V::Date(None)
            }
            crate::customer::FieldKind::OptIn => V::OptIn(OptIn::Unknown),
            _ => V::Text(None),
        },
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
        let v = read(p, &self.field, predicted);
        let days = |n: u32| as_of - TimeDelta::days(i64::from(n));
        match (&self.op, v) {
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
}

fn cond(field: ProfileField, op: Op) -> Condition {
    Condition::new(field, op)
}

fn spec(tag: &str, name: &str, conditions: Vec<Condition>) -> SegmentSpec {
    SegmentSpec {
        tag: tag.to_owned(),
        name: name.to_owned(),
        mode: Match::All,
        conditions,
        note: None,
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

/// The 13 default segments of the Sendethic Magento extension (`[MG]`, Sendethic reference
/// §8.2), reproduced faithfully **including its "sic" behaviours** (see each `note`):
/// - #12 "Delivered (last 7 days)" tests *more than* 7 days ago;
/// - #13 "90 days without order" tests the last **delivery**, not the last order.
///
/// Use [`relance_defaults`] for corrected definitions.
///
/// ```
/// let s = relance::customer::segment::magento_defaults();
/// assert_eq!(s.len(), 13);
/// assert_eq!(s[6].tag, "magento_customersnew");
/// ```
#[must_use]
pub fn magento_defaults() -> Vec<SegmentSpec> {
    use ProfileField as F;
    let optin = || cond(F::NewsletterOptIn, Op::Equals(Value::OptIn(OptIn::Yes)));
    let mut v = vec![
        spec(
            "magento_subscribers",
            "Newsletter Subcribers - All [MG]",
            vec![optin()],
        ),
        spec(
            "magento_subscriberscustomers",
            "Registered Newsletter - Customers [MG]",
            vec![optin(), cond(F::CustomerId, Op::IsSet)],
        ),
        spec(
            "magento_subscribersnotcustomers",
            "Registered Newsletter - Not Customers [MG]",
            vec![optin(), cond(F::CustomerId, Op::IsEmpty)],
        ),
        spec(
            "magento_customers",
            "Customers - All [MG]",
            vec![cond(F::CustomerId, Op::IsSet)],
        ),
        spec(
            "magento_customerswithoutpurchases",
            "Customers - Without Revenue [MG]",
            vec![cond(F::Revenue, Op::Equals(Value::Number(0.0)))],
        ),
        spec(
            "magento_customerswithpurchases",
            "Customers - With Revenue [MG]",
            vec![cond(F::Revenue, Op::GreaterThan(0.0))],
        ),
        spec(
            "magento_customersnew",
            "Customers [MG] First purchase",
            vec![
                cond(F::OrdersCount, Op::Equals(Value::Number(1.0))),
                cond(F::Revenue, Op::GreaterThan(0.0)),
            ],
        ),
        spec(
            "magento_customersnotnew",
            "Customers [MG] 2 Purchases and More",
            vec![
                cond(F::OrdersCount, Op::AtLeast(2.0)),
                cond(F::Revenue, Op::GreaterThan(0.0)),
            ],
        ),
        spec(
            "magento_customerscancelled",
            "Customers [MG] with cancelled carts (over 2 days)",
            vec![
                cond(F::OrdersCount, Op::AtLeast(1.0)),
                cond(F::LastAbandonedCartAt, Op::IsSet),
            ],
        ),
        spec(
            "magento_contactscancelled",
            "Contacts [MG] and Customers [MG] with cancelled carts (over 2 days)",
            vec![cond(F::LastAbandonedCartAt, Op::IsSet)],
        ),
        spec(
            "magento_contactsmotivated",
            "Customers [MG] Motivated (30 days)",
            vec![
                cond(F::LastLoginAt, Op::WithinLastDays(30)),
                cond(F::LastOrderAt, Op::MoreThanDaysAgo(30)),
            ],
        ),
        spec(
            "magento_customersdelivered",
            "Customers [MG] Delivered (last 7 days)",
            vec![cond(F::LastDeliveryAt, Op::MoreThanDaysAgo(7))],
        ),
        spec(
            "magento_customersnorecentorder",
            "Customers [MG] 90 days without order",
            vec![
                cond(F::OrdersCount, Op::AtLeast(1.0)),
                cond(F::LastDeliveryAt, Op::MoreThanDaysAgo(90)),
            ],
        ),
    ];
    v[0].note = Some("sic: \"Subcribers\" is the extension's spelling".to_owned());
    v[11].note = Some(
        "sic: named \"last 7 days\" but the criterion is date-before-more-absnow 7 \
         (delivered MORE than 7 days ago); see relance_defaults for the fix"
            .to_owned(),
    );
    v[12].note = Some(
        "sic: keyed on the last DELIVERY date (date-before-more-absnow 90), not the last order"
            .to_owned(),
    );
    v
}

/// Newsletter subscribers: opt-in = Yes.
///
/// ```
/// assert_eq!(relance::customer::segment::newsletter_subscribers().tag, "relance_subscribers");
/// ```
#[must_use]
pub fn newsletter_subscribers() -> SegmentSpec {
    spec(
        "relance_subscribers",
        "Newsletter subscribers",
        vec![cond(
            ProfileField::NewsletterOptIn,
            Op::Equals(Value::OptIn(OptIn::Yes)),
        )],
    )
}

/// Prospects: no counted order.
///
/// ```
/// assert_eq!(relance::customer::segment::prospects().conditions.len(), 1);
/// ```
#[must_use]
pub fn prospects() -> SegmentSpec {
    spec(
        "relance_prospects",
        "Prospects (no order)",
        vec![cond(
            ProfileField::OrdersCount,
            Op::Equals(Value::Number(0.0)),
        )],
    )
}

/// Customers: ≥ 1 counted order.
///
/// ```
/// assert_eq!(relance::customer::segment::customers().tag, "relance_customers");
/// ```
#[must_use]
pub fn customers() -> SegmentSpec {
    spec(
        "relance_customers",
        "Customers",
        vec![cond(ProfileField::OrdersCount, Op::AtLeast(1.0))],
    )
}

/// First purchase: exactly 1 counted order (and revenue > 0 if `require_revenue`).
///
/// ```
/// assert_eq!(relance::customer::segment::first_purchase(true).conditions.len(), 2);
/// ```
#[must_use]
pub fn first_purchase(require_revenue: bool) -> SegmentSpec {
    let mut c = vec![cond(
        ProfileField::OrdersCount,
        Op::Equals(Value::Number(1.0)),
    )];
    if require_revenue {
        c.push(cond(ProfileField::Revenue, Op::GreaterThan(0.0)));
    }
    spec("relance_first_purchase", "First purchase", c)
}

/// Repeat customers: ≥ 2 counted orders.
///
/// ```
/// assert_eq!(relance::customer::segment::repeat_customers().tag, "relance_repeat");
/// ```
#[must_use]
pub fn repeat_customers() -> SegmentSpec {
    spec(
        "relance_repeat",
        "Repeat customers",
        vec![cond(ProfileField::OrdersCount, Op::AtLeast(2.0))],
    )
}

/// Recent customers: last counted order less than `days` ago.
///
/// ```
/// assert_eq!(relance::customer::segment::recent_customers(30).name, "Recent customers (30 days)");
/// ```
#[must_use]
pub fn recent_customers(days: u32) -> SegmentSpec {
    spec(
        "relance_recent",
        &format!("Recent customers ({days} days)"),
        vec![cond(ProfileField::LastOrderAt, Op::WithinLastDays(days))],
    )
}

/// Inactive / lapsed: ≥ 1 counted order and the last one at least `days` ago (prospects
/// excluded, unlike Mailjet's "Lapsed").
///
/// ```
/// assert_eq!(relance::customer::segment::inactive_customers(90).conditions.len(), 2);
/// ```
#[must_use]
pub fn inactive_customers(days: u32) -> SegmentSpec {
    spec(
        "relance_inactive",
        &format!("Inactive customers ({days} days)"),
        vec![
            cond(ProfileField::OrdersCount, Op::AtLeast(1.0)),
            cond(ProfileField::LastOrderAt, Op::MoreThanDaysAgo(days)),
        ],
    )
}

/// Abandoners: an abandoned cart date is set (and less than `within_days` ago if given).
///
/// ```
/// assert_eq!(relance::customer::segment::abandoners(Some(7)).conditions.len(), 2);
/// ```
#[must_use]
pub fn abandoners(within_days: Option<u32>) -> SegmentSpec {
    let mut c = vec![cond(ProfileField::LastAbandonedCartAt, Op::IsSet)];
    if let Some(d) = within_days {
        c.push(cond(
            ProfileField::LastAbandonedCartAt,
            Op::WithinLastDays(d),
        ));
    }
    spec("relance_abandoners", "Abandoned cart", c)
}

/// Motivated: login less than `login_days` ago and last order at least `order_days` ago.
///
/// ```
/// assert_eq!(relance::customer::segment::motivated(30, 30).tag, "relance_motivated");
/// ```
#[must_use]
pub fn motivated(login_days: u32, order_days: u32) -> SegmentSpec {
    spec(
        "relance_motivated",
        "Motivated",
        vec![
            cond(ProfileField::LastLoginAt, Op::WithinLastDays(login_days)),
            cond(ProfileField::LastOrderAt, Op::MoreThanDaysAgo(order_days)),
        ],
    )
}

/// Recently delivered: last delivery less than `days` ago (fixes the `[MG]` sic).
///
/// ```
/// assert_eq!(relance::customer::segment::recently_delivered(7).tag, "relance_delivered");
/// ```
#[must_use]
pub fn recently_delivered(days: u32) -> SegmentSpec {
    spec(
        "relance_delivered",
        &format!("Recently delivered ({days} days)"),
        vec![cond(ProfileField::LastDeliveryAt, Op::WithinLastDays(days))],
    )
}

/// The 10 `relance` default segments (reference §4.2) with the policy's windows
/// (recent, inactive, delivered, motivated login; the motivated order window is
/// `recent_days`). First purchase requires revenue > 0; abandoners have no age limit.
///
/// ```
/// # use chrono::{TimeZone, Utc}; use relance::customer::*;
/// let p = ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(), chrono_tz::UTC);
/// assert_eq!(segment::relance_defaults(&p).len(), 10);
/// ```
#[must_use]
pub fn relance_defaults(policy: &ConsolidationPolicy) -> Vec<SegmentSpec> {
    vec![
        newsletter_subscribers(),
        prospects(),
        customers(),
        first_purchase(true),
        repeat_customers(),
        recent_customers(policy.recent_days),
        inactive_customers(policy.inactive_days),
        abandoners(None),
        motivated(policy.motivated_login_days, policy.recent_days),
        recently_delivered(policy.delivered_days),
    ]
}
