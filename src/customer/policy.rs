//! Consolidation knobs (reference §3.2).

use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::customer::{Currency, OrderStatus};

/// Which order statuses are "counted" (revenue, count, first/last order, frequency, BTYD, RFM,
/// last delivery). One population for all of them (reference §3.4).
///
/// ```
/// use relance::customer::{OrderStatus, StatusSet};
/// let s = StatusSet::default();
/// assert!(s.contains_standard(OrderStatus::Paid));
/// assert!(!s.contains_standard(OrderStatus::Pending));
/// let woo = StatusSet::of(&[OrderStatus::Processing, OrderStatus::Completed]).with_custom("on-hold");
/// assert!(woo.custom().contains(&"on-hold".to_string()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusSet {
    standard: u8,
    custom: Vec<String>,
}

fn bit(s: OrderStatus) -> u8 {
    match s {
        OrderStatus::Pending => 1,
        OrderStatus::Paid => 2,
        OrderStatus::Processing => 4,
        OrderStatus::Shipped => 8,
        OrderStatus::Completed => 16,
        OrderStatus::Cancelled => 32,
        OrderStatus::Refunded => 64,
        OrderStatus::Other(_) => 0,
    }
}

impl Default for StatusSet {
    /// "valid/paid": `paid, processing, shipped, completed` (partially refunded orders keep
    /// such a status and carry a `refunded_minor`).
    fn default() -> Self {
        Self::of(&[
            OrderStatus::Paid,
            OrderStatus::Processing,
            OrderStatus::Shipped,
            OrderStatus::Completed,
        ])
    }
}

impl StatusSet {
    /// A set of standard statuses ([`OrderStatus::Other`] entries are ignored: use
    /// [`StatusSet::with_custom`]).
    ///
    /// ```
    /// use relance::customer::{OrderStatus, StatusSet};
    /// assert!(StatusSet::of(&[OrderStatus::Completed]).contains_standard(OrderStatus::Completed));
    /// ```
    #[must_use]
    pub fn of(statuses: &[OrderStatus]) -> Self {
        Self {
            standard: statuses.iter().fold(0, |m, &s| m | bit(s)),
            custom: Vec::new(),
        }
    }

    /// Every standard status (Brevo / `[MG]` "all orders" preset); custom ones can be added.
    ///
    /// ```
    /// use relance::customer::{OrderStatus, StatusSet};
    /// assert!(StatusSet::all_standard().contains_standard(OrderStatus::Cancelled));
    /// ```
    #[must_use]
    pub fn all_standard() -> Self {
        Self::of(&OrderStatus::STANDARD)
    }

    /// Adds a custom status name (matched against [`Dataset::status`](crate::customer::Dataset::status) names).
    ///
    /// ```
    /// use relance::customer::StatusSet;
    /// let s = StatusSet::default().with_custom("partially_refunded");
    /// assert_eq!(s.custom().len(), 1);
    /// ```
    #[must_use]
    pub fn with_custom(mut self, name: &str) -> Self {
        self.custom.push(name.trim().to_owned());
        self
    }

    /// Whether a standard status is in the set (always `false` for `Other`).
    ///
    /// ```
    /// use relance::customer::{OrderStatus, StatusSet};
    /// assert!(!StatusSet::default().contains_standard(OrderStatus::Refunded));
    /// ```
    #[must_use]
    pub fn contains_standard(&self, status: OrderStatus) -> bool {
        self.standard & bit(status) != 0
    }

    /// The custom status names.
    ///
    /// ```
    /// assert!(relance::customer::StatusSet::default().custom().is_empty());
    /// ```
    #[must_use]
    pub fn custom(&self) -> &[String] {
        &self.custom
    }
}

/// Net or gross of refunds (reference §3.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RefundPolicy {
    /// `amount − refunded`, clamped at 0 per order (default).
    #[default]
    Net,
    /// `amount` (clamped at 0), refunds ignored.
    Gross,
}

/// How `avg_days_between_orders` is computed (reference §3.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum FrequencyMode {
    /// `(last − first) / (n − 1)` in fractional days over counted orders (default).
    #[default]
    Instants,
    /// Orders merged per shop-local calendar day: `(last_day − first_day) / (n_days − 1)`
    /// (= BTYD `recency / frequency`).
    Days,
}

/// Which cart instant the abandoned-cart delay and max age are measured on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum CartClock {
    /// `updated_at` (default).
    #[default]
    UpdatedAt,
    /// `created_at` (`PrestaShop` back office, magnews).
    CreatedAt,
}

/// Which carts can be reported as abandoned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum CartScope {
    /// Any qualifying cart; the latest `updated_at` is reported (default).
    #[default]
    AnyQualifying,
    /// Only the contact's most recent cart (max `updated_at`, then max cart id) among carts
    /// existing at `as_of`; reported only if it qualifies (Mailjet, magnews).
    MostRecent,
}

/// Which later orders convert (cancel) an abandoned cart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ConvertedBy {
    /// Any order of the contact, whatever its status, with `placed_at ≥ cart.updated_at`
    /// (default, conservative).
    #[default]
    AnyOrder,
    /// Only counted orders.
    CountedOrders,
}

/// Source of `last_delivery_at` (reference §3.7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DeliverySource {
    /// `max(delivered_at)` over counted orders, from [`Order::delivered_at`](crate::customer::Order::delivered_at)
    /// and [`Delivery`](crate::customer::Delivery) events at or before `as_of` (default).
    #[default]
    DeliveredAt,
    /// The order date as a proxy (what `[MG]` effectively does): equals `last_order_at`.
    OrderDate,
}

/// How `customer_group_ids` combines duplicate rows of one contact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum GroupIdsMode {
    /// Sorted, deduplicated union over all rows (default).
    #[default]
    Union,
    /// The chosen row's ids only.
    ChosenRow,
}

/// What to do with a counted order whose currency has no rate (reference §3.2 `on_missing_fx`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum MissingFx {
    /// Fail with [`ConsolidationError::MissingRate`](crate::customer::ConsolidationError) naming
    /// the first such order (default: never add raw amounts across currencies).
    #[default]
    Error,
    /// Leave the order out of every counted metric (it still converts carts as "any order");
    /// [`Consolidation::skipped_orders`](crate::customer::Consolidation::skipped_orders) counts them.
    Skip,
}

/// A conversion rate to the reporting currency: 1 unit of `from` = `rate` units of reporting.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FxRate {
    /// Source currency.
    pub from: Currency,
    /// Reporting units per source unit (major units).
    pub rate: f64,
}

/// Every consolidation knob. Required inputs with no sensible default: reporting currency,
/// `as_of` (never the clock) and shop timezone — hence [`ConsolidationPolicy::new`].
///
/// Defaults: counted statuses = [`StatusSet::default`] (paid, processing, shipped, completed;
/// one population for count and revenue, by design); [`RefundPolicy::Net`]; no FX rates and
/// [`MissingFx::Error`] (an order in another currency is an error);
/// abandoned cart: delay 3 h on [`CartClock::UpdatedAt`], [`CartScope::AnyQualifying`],
/// [`ConvertedBy::AnyOrder`], no max age; windows: inactive 90 d, recent 30 d, delivered 7 d,
/// motivated login 30 d; [`FrequencyMode::Instants`] with at least 2 orders;
/// [`DeliverySource::DeliveredAt`];
/// guest orders attached; [`GroupIdsMode::Union`]; threads = available parallelism.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use relance::customer::{ConsolidationPolicy, Currency, FrequencyMode, RefundPolicy};
/// let p = ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap(), chrono_tz::Europe::Paris)
///     .refund_policy(RefundPolicy::Gross)
///     .frequency_mode(FrequencyMode::Days)
///     .rate(Currency::USD, 0.9);
/// assert_eq!(p.abandoned_cart_delay, std::time::Duration::from_secs(3 * 3600));
/// assert_eq!(p.inactive_days, 90);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ConsolidationPolicy {
    /// Reporting (base) currency of revenue and amounts.
    pub reporting_currency: Currency,
    /// Conversion rates to the reporting currency.
    pub rates: Vec<FxRate>,
    /// Counted order in a currency without rate: error (default) or skip.
    pub on_missing_fx: MissingFx,
    /// Evaluation instant: orders, carts and events after it are ignored; one exactly at it counts.
    pub as_of: DateTime<Utc>,
    /// Shop timezone, for calendar-day logic only (Days frequency, BTYD).
    pub shop_tz: Tz,
    /// Counted statuses.
    pub counted_statuses: StatusSet,
    /// Net or gross of refunds.
    pub refund_policy: RefundPolicy,
    /// Abandoned-cart delay (default 3 h).
    pub abandoned_cart_delay: Duration,
    /// Abandoned-cart clock.
    pub abandoned_cart_clock: CartClock,
    /// Abandoned-cart scope.
    pub abandoned_cart_scope: CartScope,
    /// Which orders convert a cart.
    pub abandoned_cart_converted_by: ConvertedBy,
    /// Carts older than this (on the cart clock) are not reported.
    pub abandoned_cart_max_age: Option<Duration>,
    /// Inactive / lapsed window in days (segments).
    pub inactive_days: u32,
    /// Recent customers window in days (segments).
    pub recent_days: u32,
    /// Recently delivered window in days (segments).
    pub delivered_days: u32,
    /// Motivated: login within this many days (segments).
    pub motivated_login_days: u32,
    /// Average-frequency mode.
    pub frequency_mode: FrequencyMode,
    /// Minimum number of orders (Instants) or order days (Days) for an average; at least 2
    /// (default 2).
    pub frequency_min_orders: u32,
    /// Source of `last_delivery_at`.
    pub last_delivery_source: DeliverySource,
    /// Attach guest orders/carts to the contact of the same email. When `false`, guest records
    /// whose email belongs to a customer row are ignored (guest-only contacts still get them).
    pub attach_guest_orders: bool,
    /// Group ids union or chosen row.
    pub group_ids: GroupIdsMode,
    /// Worker threads (`None` = available parallelism).
    pub threads: Option<usize>,
}

impl ConsolidationPolicy {
    /// The default policy for a reporting currency, an evaluation instant and a shop timezone.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use relance::customer::{ConsolidationPolicy, Currency};
    /// let p = ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap(), chrono_tz::UTC);
    /// assert!(p.attach_guest_orders);
    /// ```
    #[must_use]
    pub fn new(reporting_currency: Currency, as_of: DateTime<Utc>, shop_tz: Tz) -> Self {
        Self {
            reporting_currency,
            rates: Vec::new(),
            on_missing_fx: MissingFx::Error,
            as_of,
            shop_tz,
            counted_statuses: StatusSet::default(),
            refund_policy: RefundPolicy::Net,
            abandoned_cart_delay: Duration::from_secs(3 * 3600),
            abandoned_cart_clock: CartClock::UpdatedAt,
            abandoned_cart_scope: CartScope::AnyQualifying,
            abandoned_cart_converted_by: ConvertedBy::AnyOrder,
            abandoned_cart_max_age: None,
            inactive_days: 90,
            recent_days: 30,
            delivered_days: 7,
            motivated_login_days: 30,
            frequency_mode: FrequencyMode::Instants,
            frequency_min_orders: 2,
            last_delivery_source: DeliverySource::DeliveredAt,
            attach_guest_orders: true,
            group_ids: GroupIdsMode::Union,
            threads: None,
        }
    }

    /// Adds (or replaces) the rate of `from` to the reporting currency.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use relance::customer::{ConsolidationPolicy, Currency};
    /// let p = ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap(), chrono_tz::UTC)
    ///     .rate(Currency::USD, 0.5).rate(Currency::USD, 0.9);
    /// assert_eq!(p.rates.len(), 1);
    /// ```
    #[must_use]
    pub fn rate(mut self, from: Currency, rate: f64) -> Self {
        self.rates.retain(|r| r.from != from);
        self.rates.push(FxRate { from, rate });
        self
    }

    /// Sets what happens to a counted order in a currency without rate.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use relance::customer::{ConsolidationPolicy, Currency, MissingFx};
    /// let p = ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap(), chrono_tz::UTC)
    ///     .on_missing_fx(MissingFx::Skip);
    /// assert_eq!(p.on_missing_fx, MissingFx::Skip);
    /// ```
    #[must_use]
    pub fn on_missing_fx(mut self, action: MissingFx) -> Self {
        self.on_missing_fx = action;
        self
    }

    /// Sets the minimum number of orders (or order days) for an average frequency (≥ 2).
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use relance::customer::{ConsolidationPolicy, Currency};
    /// let p = ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap(), chrono_tz::UTC)
    ///     .frequency_min_orders(3);
    /// assert_eq!(p.frequency_min_orders, 3);
    /// ```
    #[must_use]
    pub fn frequency_min_orders(mut self, min: u32) -> Self {
        self.frequency_min_orders = min.max(2);
        self
    }

    /// Sets the counted statuses.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use relance::customer::{ConsolidationPolicy, Currency, StatusSet};
    /// let p = ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap(), chrono_tz::UTC)
    ///     .counted_statuses(StatusSet::all_standard());
    /// # let _ = p;
    /// ```
    #[must_use]
    pub fn counted_statuses(mut self, statuses: StatusSet) -> Self {
        self.counted_statuses = statuses;
        self
    }

    /// Sets the refund policy.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use relance::customer::{ConsolidationPolicy, Currency, RefundPolicy};
    /// let p = ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap(), chrono_tz::UTC)
    ///     .refund_policy(RefundPolicy::Gross);
    /// assert_eq!(p.refund_policy, RefundPolicy::Gross);
    /// ```
    #[must_use]
    pub fn refund_policy(mut self, policy: RefundPolicy) -> Self {
        self.refund_policy = policy;
        self
    }

    /// Sets the abandoned-cart delay.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use relance::customer::{ConsolidationPolicy, Currency};
    /// let p = ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap(), chrono_tz::UTC)
    ///     .abandoned_cart_delay(std::time::Duration::from_secs(24 * 3600));
    /// # let _ = p;
    /// ```
    #[must_use]
    pub fn abandoned_cart_delay(mut self, delay: Duration) -> Self {
        self.abandoned_cart_delay = delay;
        self
    }

    /// Sets the abandoned-cart clock.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use relance::customer::{CartClock, ConsolidationPolicy, Currency};
    /// let p = ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap(), chrono_tz::UTC)
    ///     .abandoned_cart_clock(CartClock::CreatedAt);
    /// # let _ = p;
    /// ```
    #[must_use]
    pub fn abandoned_cart_clock(mut self, clock: CartClock) -> Self {
        self.abandoned_cart_clock = clock;
        self
    }

    /// Sets the abandoned-cart scope.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use relance::customer::{CartScope, ConsolidationPolicy, Currency};
    /// let p = ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap(), chrono_tz::UTC)
    ///     .abandoned_cart_scope(CartScope::MostRecent);
    /// # let _ = p;
    /// ```
    #[must_use]
    pub fn abandoned_cart_scope(mut self, scope: CartScope) -> Self {
        self.abandoned_cart_scope = scope;
        self
    }

    /// Sets which orders convert a cart.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use relance::customer::{ConvertedBy, ConsolidationPolicy, Currency};
    /// let p = ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap(), chrono_tz::UTC)
    ///     .abandoned_cart_converted_by(ConvertedBy::CountedOrders);
    /// # let _ = p;
    /// ```
    #[must_use]
    pub fn abandoned_cart_converted_by(mut self, by: ConvertedBy) -> Self {
        self.abandoned_cart_converted_by = by;
        self
    }

    /// Sets the abandoned-cart max age.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use relance::customer::{ConsolidationPolicy, Currency};
    /// let p = ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap(), chrono_tz::UTC)
    ///     .abandoned_cart_max_age(Some(std::time::Duration::from_secs(30 * 86_400)));
    /// # let _ = p;
    /// ```
    #[must_use]
    pub fn abandoned_cart_max_age(mut self, max_age: Option<Duration>) -> Self {
        self.abandoned_cart_max_age = max_age;
        self
    }

    /// Sets the segment windows (inactive, recent, delivered, motivated login), in days.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use relance::customer::{ConsolidationPolicy, Currency};
    /// let p = ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap(), chrono_tz::UTC)
    ///     .windows(180, 30, 7, 30);
    /// assert_eq!(p.inactive_days, 180);
    /// ```
    #[must_use]
    pub fn windows(mut self, inactive: u32, recent: u32, delivered: u32, motivated: u32) -> Self {
        self.inactive_days = inactive;
        self.recent_days = recent;
        self.delivered_days = delivered;
        self.motivated_login_days = motivated;
        self
    }

    /// Sets the frequency mode.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use relance::customer::{ConsolidationPolicy, Currency, FrequencyMode};
    /// let p = ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap(), chrono_tz::UTC)
    ///     .frequency_mode(FrequencyMode::Days);
    /// # let _ = p;
    /// ```
    #[must_use]
    pub fn frequency_mode(mut self, mode: FrequencyMode) -> Self {
        self.frequency_mode = mode;
        self
    }

    /// Sets the last-delivery source.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use relance::customer::{ConsolidationPolicy, Currency, DeliverySource};
    /// let p = ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap(), chrono_tz::UTC)
    ///     .last_delivery_source(DeliverySource::OrderDate);
    /// # let _ = p;
    /// ```
    #[must_use]
    pub fn last_delivery_source(mut self, source: DeliverySource) -> Self {
        self.last_delivery_source = source;
        self
    }

    /// Sets whether guest orders attach to the contact of the same email.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use relance::customer::{ConsolidationPolicy, Currency};
    /// let p = ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap(), chrono_tz::UTC)
    ///     .attach_guest_orders(false);
    /// assert!(!p.attach_guest_orders);
    /// ```
    #[must_use]
    pub fn attach_guest_orders(mut self, attach: bool) -> Self {
        self.attach_guest_orders = attach;
        self
    }

    /// Sets the group-ids mode.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use relance::customer::{ConsolidationPolicy, Currency, GroupIdsMode};
    /// let p = ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap(), chrono_tz::UTC)
    ///     .group_ids(GroupIdsMode::ChosenRow);
    /// # let _ = p;
    /// ```
    #[must_use]
    pub fn group_ids(mut self, mode: GroupIdsMode) -> Self {
        self.group_ids = mode;
        self
    }

    /// Sets the number of worker threads (at least 1).
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use relance::customer::{ConsolidationPolicy, Currency};
    /// let p = ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap(), chrono_tz::UTC)
    ///     .threads(1);
    /// assert_eq!(p.threads, Some(1));
    /// ```
    #[must_use]
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = Some(threads.max(1));
        self
    }
}
