//! Lifecycle events between two runs: what happened to each buyer and seller in
//! `(since, as_of]`, computed from the consolidated profiles (state transitions, not
//! deltas of a log), so the same data and the same window always give the same events, and a
//! rerun at the same `as_of` (an empty window) gives none.

use std::fmt;

use chrono::{DateTime, TimeDelta, Utc};

use crate::customer::seller::{SellerPolicy, SellerProfile};
use crate::customer::{Consolidation, ConsolidationPolicy};

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum EventKind {
    /// A buyer registered [`EventPolicy::registered_without_order_days`] ago and has not
    /// ordered.
    RegisteredWithoutOrder,
    /// A buyer's first counted order.
    FirstOrder,
    /// A buyer's cart became abandoned (its abandonment delay elapsed).
    CartAbandoned,
    /// A buyer's last order became older than the inactivity window.
    BecameInactive,
    /// A buyer's order was delivered.
    Delivered,
    /// A seller became stuck without products.
    SellerWithoutProducts,
    /// A seller became stuck without sales.
    SellerWithoutSales,
    /// A seller's first sale.
    FirstSale,
    /// A seller crossed a sales milestone (above the first sale).
    Milestone(u32),
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RegisteredWithoutOrder => f.write_str("registered_without_order"),
            Self::FirstOrder => f.write_str("first_order"),
            Self::CartAbandoned => f.write_str("cart_abandoned"),
            Self::BecameInactive => f.write_str("became_inactive"),
            Self::Delivered => f.write_str("delivered"),
            Self::SellerWithoutProducts => f.write_str("seller_without_products"),
            Self::SellerWithoutSales => f.write_str("seller_without_sales"),
            Self::FirstSale => f.write_str("first_sale"),
            Self::Milestone(m) => write!(f, "milestone_{m}"),
        }
    }
}

impl std::str::FromStr for EventKind {
    type Err = crate::Error;

    /// Reads a kind as [`Display`](fmt::Display) writes it (`first_sale`, `milestone_100`),
    /// as configuration names it.
    ///
    /// ```
    /// use relance::customer::events::EventKind;
    /// assert_eq!("milestone_500".parse::<EventKind>()?, EventKind::Milestone(500));
    /// assert_eq!("delivered".parse::<EventKind>()?, EventKind::Delivered);
    /// assert!("shipped".parse::<EventKind>().is_err());
    /// # Ok::<(), relance::Error>(())
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim() {
            "registered_without_order" => Self::RegisteredWithoutOrder,
            "first_order" => Self::FirstOrder,
            "cart_abandoned" => Self::CartAbandoned,
            "became_inactive" => Self::BecameInactive,
            "delivered" => Self::Delivered,
            "seller_without_products" => Self::SellerWithoutProducts,
            "seller_without_sales" => Self::SellerWithoutSales,
            "first_sale" => Self::FirstSale,
            other => other
                .strip_prefix("milestone_")
                .and_then(|n| n.parse().ok())
                .map(Self::Milestone)
                .ok_or_else(|| {
                    crate::Error::invalid(
                        other,
                        "not an event kind (first_order, milestone_100, ...)",
                    )
                })?,
        })
    }
}

/// Whose event it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Role {
    /// The buying side.
    Buyer,
    /// The selling side.
    Seller,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Buyer => "buyer",
            Self::Seller => "seller",
        })
    }
}

/// One event: who, what, when, and a key that names it forever (for delivering it once).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct LifecycleEvent {
    /// The kind.
    pub kind: EventKind,
    /// The contact (normalised email).
    pub email: String,
    /// Buyer or seller.
    pub role: Role,
    /// When it happened.
    pub at: DateTime<Utc>,
}

impl LifecycleEvent {
    /// The event's stable key: `<email>/<role>/<kind>/<unix seconds>`. The same event
    /// computed again (another run, another process) has the same key.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use relance::customer::events::{EventKind, LifecycleEvent, Role};
    /// let e = LifecycleEvent::new(EventKind::FirstSale, "a@b.fr", Role::Seller, Utc.timestamp_opt(1_700_000_000, 0).unwrap());
    /// assert_eq!(e.key(), "a@b.fr/seller/first_sale/1700000000");
    /// ```
    #[must_use]
    pub fn key(&self) -> String {
        format!(
            "{}/{}/{}/{}",
            self.email,
            self.role,
            self.kind,
            self.at.timestamp()
        )
    }

    /// An event.
    ///
    /// ```
    /// use relance::customer::events::{EventKind, LifecycleEvent, Role};
    /// let e = LifecycleEvent::new(EventKind::FirstOrder, "a@b.fr", Role::Buyer, chrono::Utc::now());
    /// assert_eq!(e.role, Role::Buyer);
    /// ```
    #[must_use]
    pub fn new(kind: EventKind, email: impl Into<String>, role: Role, at: DateTime<Utc>) -> Self {
        Self {
            kind,
            email: email.into(),
            role,
            at,
        }
    }
}

/// The event-side knobs (the others are the consolidation's and the sellers').
///
/// ```
/// assert_eq!(relance::customer::events::EventPolicy::default().registered_without_order_days, 7);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EventPolicy {
    /// Days after registration without an order before the buyer event (default 7).
    pub registered_without_order_days: u32,
}

impl Default for EventPolicy {
    fn default() -> Self {
        Self {
            registered_without_order_days: 7,
        }
    }
}

/// The events of `(since, as_of]` (`as_of` the consolidation's), buyers first then
/// sellers, each in a stable order: from the buyers' profiles (first order, delivery, cart
/// abandoned once its delay elapsed, inactivity once the last order is older than the
/// policy's `inactive_days`, registration without an order after
/// [`EventPolicy::registered_without_order_days`]) and the sellers' (stuck states when their
/// windows elapse, first sale, each further milestone).
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use relance::customer::events::{EventPolicy, lifecycle_events};
/// use relance::customer::seller::SellerPolicy;
/// use relance::customer::{ConsolidationPolicy, Currency, Dataset};
/// let policy = ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 1, 2, 0, 0, 0).unwrap(), chrono_tz::UTC);
/// let shop = Dataset::new();
/// let buyers = shop.consolidate(&policy)?;
/// let since = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
/// assert!(lifecycle_events(since, &buyers, &policy, &[], &SellerPolicy::default(), &EventPolicy::default()).is_empty());
/// # Ok::<(), relance::customer::ConsolidationError>(())
/// ```
#[must_use]
pub fn lifecycle_events(
    since: DateTime<Utc>,
    buyers: &Consolidation<'_>,
    policy: &ConsolidationPolicy,
    sellers: &[SellerProfile],
    seller_policy: &SellerPolicy,
    events: &EventPolicy,
) -> Vec<LifecycleEvent> {
    let as_of = buyers.as_of();
    let within = |t: Option<DateTime<Utc>>| t.filter(|t| *t > since && *t <= as_of);
    let days = |d: u32| TimeDelta::days(i64::from(d));
    let delay = TimeDelta::from_std(policy.abandoned_cart_delay).unwrap_or(TimeDelta::MAX);
    let mut out = Vec::new();
    for p in buyers.iter() {
        let email = p.email();
        let mut push = |kind, at: Option<DateTime<Utc>>| {
            if let Some(at) = within(at) {
                out.push(LifecycleEvent::new(kind, email, Role::Buyer, at));
            }
        };
        if p.orders_count() == 0 {
            let due = p
                .signed_up_at()
                .map(|s| s + days(events.registered_without_order_days));
            push(EventKind::RegisteredWithoutOrder, due);
        }
        push(EventKind::FirstOrder, p.first_order_at());
        push(
            EventKind::CartAbandoned,
            p.last_abandoned_cart_at()
                .and_then(|c| c.checked_add_signed(delay)),
        );
        push(
            EventKind::BecameInactive,
            p.last_order_at().map(|l| l + days(policy.inactive_days)),
        );
        push(EventKind::Delivered, p.last_delivery_at());
    }
    for s in sellers {
        let mut push = |kind, at: Option<DateTime<Utc>>| {
            if let Some(at) = within(at) {
                out.push(LifecycleEvent::new(kind, s.email.clone(), Role::Seller, at));
            }
        };
        if s.stuck_without_products {
            let due = s
                .registered_at
                .map(|r| r + days(seller_policy.no_products_days));
            push(EventKind::SellerWithoutProducts, due);
        }
        if s.stuck_without_sales {
            let due = s
                .first_product_at
                .map(|f| f + days(seller_policy.no_sales_days));
            push(EventKind::SellerWithoutSales, due);
        }
        push(EventKind::FirstSale, s.first_sale_at);
        for &(m, at) in &s.milestones {
            if m > 1 {
                push(EventKind::Milestone(m), Some(at));
            }
        }
    }
    out
}
