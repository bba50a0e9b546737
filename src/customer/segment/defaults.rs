//! The default segments as data: the Sendethic Magento extension's (faithful, "sic"
//! included) and relance's own corrected and extra ones.

use super::{Condition, Match, Op, SegmentSpec, Value};
use crate::customer::{ConsolidationPolicy, OptIn, ProfileField};

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
