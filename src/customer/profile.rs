//! Consolidated per-contact records.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};

use crate::customer::{
    Civility, ContactIdx, Currency, Customer, Dataset, Money, OptIn, OrderId, OrderIdx,
};

/// BTYD summary exactly as `lifetimes.utils.summary_data_from_transaction_data` (0.11.3) with
/// `freq="D"`, `include_first_transaction=False`, transactions truncated to shop-local days and
/// `observation_period_end = as_of` (its shop-local day). Counted orders only, at their
/// [`order_value`](crate::customer::RefundPolicy) in the reporting currency.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Btyd {
    /// Distinct purchase days − 1 (repeat purchases).
    pub frequency: u32,
    /// Days between the first and the last purchase day (not "days since last purchase").
    pub recency: f64,
    /// Days between the first purchase day and the `as_of` day.
    pub t: f64,
    /// Mean of the per-day sums excluding the first day, in major units of the reporting
    /// currency; 0 without repeat purchase.
    pub monetary_value: f64,
}

/// RFM quantile scores (1 = worst … `bins` = best). See [`crate::customer::rfm`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RfmScore {
    /// Recency score (reversed: the most recent buyers get the highest score).
    pub r: u8,
    /// Frequency score.
    pub f: u8,
    /// Monetary score.
    pub m: u8,
}

impl RfmScore {
    /// The 3-digit code, e.g. `"434"`.
    ///
    /// ```
    /// assert_eq!(relance::customer::RfmScore { r: 4, f: 3, m: 4 }.code(), "434");
    /// ```
    #[must_use]
    pub fn code(&self) -> String {
        format!("{}{}{}", self.r, self.f, self.m)
    }
}

/// One consolidated contact (reference §1: 21 fields, plus BTYD and RFM).
///
/// Every field is an accessor method. Computed metrics are stored compactly (instants as
/// microseconds since the epoch, amounts as minor units): a profile takes 120 bytes, so a
/// million of them are written and read quickly. Profile fields that come straight from the
/// contact's **chosen customer row** (names, civility, birth date, phone, postcode, sign-up,
/// opt-in, groups, shop) borrow from the [`Dataset`](crate::customer::Dataset): consolidating
/// a million contacts copies no string.
///
/// The chosen row is the first of the contact's customer rows by (registered before
/// shop-guest rows, latest `updated_at` — `None` oldest —, latest `signed_up_at`, then the row
/// added first). Guest-only contacts have no chosen row: those accessors give `None` /
/// [`OptIn::Unknown`].
#[derive(Clone)]
pub struct CustomerProfile<'d> {
    pub(crate) dataset: &'d Dataset,
    /// minor units of `currency`
    pub(crate) revenue: i64,
    /// minor units; meaningful when `orders_count > 0`
    pub(crate) last_order_amount: i64,
    /// µs since the epoch; meaningful when `orders_count > 0`
    pub(crate) first_order_at: i64,
    pub(crate) last_order_at: i64,
    /// µs since the epoch or [`NO_INSTANT`]
    pub(crate) last_login_at: i64,
    pub(crate) last_abandoned_cart_at: i64,
    pub(crate) last_delivery_at: i64,
    /// NaN when undefined
    pub(crate) avg_days_between_orders: f64,
    pub(crate) btyd_monetary_value: f64,
    pub(crate) contact: u32,
    /// chosen customer row or `u32::MAX`
    pub(crate) customer: u32,
    /// order index; meaningful when `orders_count > 0`
    pub(crate) last_order: u32,
    pub(crate) orders_count: u32,
    pub(crate) btyd_frequency: u32,
    pub(crate) btyd_recency: u32,
    pub(crate) btyd_t: u32,
    pub(crate) rfm: Option<RfmScore>,
    pub(crate) currency: Currency,
    pub(crate) union_groups: bool,
}

/// [`CustomerProfile`] instant slot without a value.
pub(crate) const NO_INSTANT: i64 = i64::MIN;

fn instant(micros: i64) -> Option<DateTime<Utc>> {
    if micros == NO_INSTANT {
        None
    } else {
        DateTime::from_timestamp_micros(micros)
    }
}

impl fmt::Debug for CustomerProfile<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CustomerProfile")
            .field("contact", &self.contact())
            .field("email", &self.email())
            .field("customer_id", &self.customer_id())
            .field("last_login_at", &self.last_login_at())
            .field("revenue", &self.revenue())
            .field("last_abandoned_cart_at", &self.last_abandoned_cart_at())
            .field("first_order_at", &self.first_order_at())
            .field("last_order_at", &self.last_order_at())
            .field("last_order_amount", &self.last_order_amount())
            .field("last_order_id", &self.last_order_id())
            .field("last_delivery_at", &self.last_delivery_at())
            .field("orders_count", &self.orders_count())
            .field("avg_days_between_orders", &self.avg_days_between_orders())
            .field("btyd", &self.btyd())
            .field("rfm", &self.rfm())
            .finish_non_exhaustive()
    }
}

impl<'d> CustomerProfile<'d> {
    fn has_orders(&self) -> bool {
        self.orders_count > 0
    }

    /// The contact this profile consolidates.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// # let mut ds = Dataset::new();
    /// # let ann = ds.add_customer(Customer { id: "42".into(), email: "Ann@x.io".into(), ..Customer::default() });
    /// # let t = |d| Utc.with_ymd_and_hms(2024, 1, d, 12, 0, 0).unwrap();
    /// # for (id, d, cents) in [(1, 1, 1000), (2, 11, 2000)] {
    /// #     let mut o = Order::new(OrderId(id), Buyer::Customer(ann), t(d), OrderStatus::Paid, Money::new(cents, Currency::EUR));
    /// #     o.delivered_at = Some(t(d + 2));
    /// #     ds.add_order(o);
    /// # }
    /// # ds.add_login(Login { customer: ann, at: t(20) });
    /// # let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, t(31), chrono_tz::UTC)).unwrap();
    /// # let p = c.iter().next().unwrap();
    /// assert_eq!(p.contact(), ContactIdx(0));
    /// ```
    #[must_use]
    pub fn contact(&self) -> ContactIdx {
        ContactIdx(self.contact)
    }

    /// #5 normalised email (the identity key).
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// # let mut ds = Dataset::new();
    /// # let ann = ds.add_customer(Customer { id: "42".into(), email: "Ann@x.io".into(), ..Customer::default() });
    /// # let t = |d| Utc.with_ymd_and_hms(2024, 1, d, 12, 0, 0).unwrap();
    /// # for (id, d, cents) in [(1, 1, 1000), (2, 11, 2000)] {
    /// #     let mut o = Order::new(OrderId(id), Buyer::Customer(ann), t(d), OrderStatus::Paid, Money::new(cents, Currency::EUR));
    /// #     o.delivered_at = Some(t(d + 2));
    /// #     ds.add_order(o);
    /// # }
    /// # ds.add_login(Login { customer: ann, at: t(20) });
    /// # let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, t(31), chrono_tz::UTC)).unwrap();
    /// # let p = c.iter().next().unwrap();
    /// assert_eq!(p.email(), "ann@x.io");
    /// ```
    #[must_use]
    pub fn email(&self) -> &'d str {
        &self.dataset.contact_email[self.contact as usize]
    }

    /// The chosen customer row (`None` for guest-only contacts).
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// # let mut ds = Dataset::new();
    /// # let ann = ds.add_customer(Customer { id: "42".into(), email: "Ann@x.io".into(), ..Customer::default() });
    /// # let t = |d| Utc.with_ymd_and_hms(2024, 1, d, 12, 0, 0).unwrap();
    /// # for (id, d, cents) in [(1, 1, 1000), (2, 11, 2000)] {
    /// #     let mut o = Order::new(OrderId(id), Buyer::Customer(ann), t(d), OrderStatus::Paid, Money::new(cents, Currency::EUR));
    /// #     o.delivered_at = Some(t(d + 2));
    /// #     ds.add_order(o);
    /// # }
    /// # ds.add_login(Login { customer: ann, at: t(20) });
    /// # let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, t(31), chrono_tz::UTC)).unwrap();
    /// # let p = c.iter().next().unwrap();
    /// assert_eq!(p.customer().map(|c| c.id.as_str()), Some("42"));
    /// ```
    #[must_use]
    pub fn customer(&self) -> Option<&'d Customer> {
        self.dataset.customers.get(self.customer as usize)
    }

    /// #9 latest login at or before `as_of` (events and rows' `last_login_at`, over all rows).
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// # let mut ds = Dataset::new();
    /// # let ann = ds.add_customer(Customer { id: "42".into(), email: "Ann@x.io".into(), ..Customer::default() });
    /// # let t = |d| Utc.with_ymd_and_hms(2024, 1, d, 12, 0, 0).unwrap();
    /// # for (id, d, cents) in [(1, 1, 1000), (2, 11, 2000)] {
    /// #     let mut o = Order::new(OrderId(id), Buyer::Customer(ann), t(d), OrderStatus::Paid, Money::new(cents, Currency::EUR));
    /// #     o.delivered_at = Some(t(d + 2));
    /// #     ds.add_order(o);
    /// # }
    /// # ds.add_login(Login { customer: ann, at: t(20) });
    /// # let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, t(31), chrono_tz::UTC)).unwrap();
    /// # let p = c.iter().next().unwrap();
    /// assert_eq!(p.last_login_at(), Some(t(20)));
    /// ```
    #[must_use]
    pub fn last_login_at(&self) -> Option<DateTime<Utc>> {
        instant(self.last_login_at)
    }

    /// #10 Σ order values of counted orders, reporting currency.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// # let mut ds = Dataset::new();
    /// # let ann = ds.add_customer(Customer { id: "42".into(), email: "Ann@x.io".into(), ..Customer::default() });
    /// # let t = |d| Utc.with_ymd_and_hms(2024, 1, d, 12, 0, 0).unwrap();
    /// # for (id, d, cents) in [(1, 1, 1000), (2, 11, 2000)] {
    /// #     let mut o = Order::new(OrderId(id), Buyer::Customer(ann), t(d), OrderStatus::Paid, Money::new(cents, Currency::EUR));
    /// #     o.delivered_at = Some(t(d + 2));
    /// #     ds.add_order(o);
    /// # }
    /// # ds.add_login(Login { customer: ann, at: t(20) });
    /// # let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, t(31), chrono_tz::UTC)).unwrap();
    /// # let p = c.iter().next().unwrap();
    /// assert_eq!(p.revenue(), Money::new(3000, Currency::EUR));
    /// ```
    #[must_use]
    pub fn revenue(&self) -> Money {
        Money::new(self.revenue, self.currency)
    }

    /// #11 latest abandoned cart `updated_at` (reference §3.8).
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// # let mut ds = Dataset::new();
    /// # let ann = ds.add_customer(Customer { id: "42".into(), email: "Ann@x.io".into(), ..Customer::default() });
    /// # let t = |d| Utc.with_ymd_and_hms(2024, 1, d, 12, 0, 0).unwrap();
    /// # for (id, d, cents) in [(1, 1, 1000), (2, 11, 2000)] {
    /// #     let mut o = Order::new(OrderId(id), Buyer::Customer(ann), t(d), OrderStatus::Paid, Money::new(cents, Currency::EUR));
    /// #     o.delivered_at = Some(t(d + 2));
    /// #     ds.add_order(o);
    /// # }
    /// # ds.add_login(Login { customer: ann, at: t(20) });
    /// # let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, t(31), chrono_tz::UTC)).unwrap();
    /// # let p = c.iter().next().unwrap();
    /// assert_eq!(p.last_abandoned_cart_at(), None);
    /// ```
    #[must_use]
    pub fn last_abandoned_cart_at(&self) -> Option<DateTime<Utc>> {
        instant(self.last_abandoned_cart_at)
    }

    /// #13 first counted order.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// # let mut ds = Dataset::new();
    /// # let ann = ds.add_customer(Customer { id: "42".into(), email: "Ann@x.io".into(), ..Customer::default() });
    /// # let t = |d| Utc.with_ymd_and_hms(2024, 1, d, 12, 0, 0).unwrap();
    /// # for (id, d, cents) in [(1, 1, 1000), (2, 11, 2000)] {
    /// #     let mut o = Order::new(OrderId(id), Buyer::Customer(ann), t(d), OrderStatus::Paid, Money::new(cents, Currency::EUR));
    /// #     o.delivered_at = Some(t(d + 2));
    /// #     ds.add_order(o);
    /// # }
    /// # ds.add_login(Login { customer: ann, at: t(20) });
    /// # let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, t(31), chrono_tz::UTC)).unwrap();
    /// # let p = c.iter().next().unwrap();
    /// assert_eq!(p.first_order_at(), Some(t(1)));
    /// ```
    #[must_use]
    pub fn first_order_at(&self) -> Option<DateTime<Utc>> {
        self.has_orders()
            .then(|| instant(self.first_order_at))
            .flatten()
    }

    /// #14 last counted order.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// # let mut ds = Dataset::new();
    /// # let ann = ds.add_customer(Customer { id: "42".into(), email: "Ann@x.io".into(), ..Customer::default() });
    /// # let t = |d| Utc.with_ymd_and_hms(2024, 1, d, 12, 0, 0).unwrap();
    /// # for (id, d, cents) in [(1, 1, 1000), (2, 11, 2000)] {
    /// #     let mut o = Order::new(OrderId(id), Buyer::Customer(ann), t(d), OrderStatus::Paid, Money::new(cents, Currency::EUR));
    /// #     o.delivered_at = Some(t(d + 2));
    /// #     ds.add_order(o);
    /// # }
    /// # ds.add_login(Login { customer: ann, at: t(20) });
    /// # let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, t(31), chrono_tz::UTC)).unwrap();
    /// # let p = c.iter().next().unwrap();
    /// assert_eq!(p.last_order_at(), Some(t(11)));
    /// ```
    #[must_use]
    pub fn last_order_at(&self) -> Option<DateTime<Utc>> {
        self.has_orders()
            .then(|| instant(self.last_order_at))
            .flatten()
    }

    /// #15 value of the last counted order (argmax by (`placed_at`, `order_id`)).
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// # let mut ds = Dataset::new();
    /// # let ann = ds.add_customer(Customer { id: "42".into(), email: "Ann@x.io".into(), ..Customer::default() });
    /// # let t = |d| Utc.with_ymd_and_hms(2024, 1, d, 12, 0, 0).unwrap();
    /// # for (id, d, cents) in [(1, 1, 1000), (2, 11, 2000)] {
    /// #     let mut o = Order::new(OrderId(id), Buyer::Customer(ann), t(d), OrderStatus::Paid, Money::new(cents, Currency::EUR));
    /// #     o.delivered_at = Some(t(d + 2));
    /// #     ds.add_order(o);
    /// # }
    /// # ds.add_login(Login { customer: ann, at: t(20) });
    /// # let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, t(31), chrono_tz::UTC)).unwrap();
    /// # let p = c.iter().next().unwrap();
    /// assert_eq!(p.last_order_amount(), Some(Money::new(2000, Currency::EUR)));
    /// ```
    #[must_use]
    pub fn last_order_amount(&self) -> Option<Money> {
        self.has_orders()
            .then(|| Money::new(self.last_order_amount, self.currency))
    }

    /// That last order (see [`CustomerProfile::last_order_id`]).
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// # let mut ds = Dataset::new();
    /// # let ann = ds.add_customer(Customer { id: "42".into(), email: "Ann@x.io".into(), ..Customer::default() });
    /// # let t = |d| Utc.with_ymd_and_hms(2024, 1, d, 12, 0, 0).unwrap();
    /// # for (id, d, cents) in [(1, 1, 1000), (2, 11, 2000)] {
    /// #     let mut o = Order::new(OrderId(id), Buyer::Customer(ann), t(d), OrderStatus::Paid, Money::new(cents, Currency::EUR));
    /// #     o.delivered_at = Some(t(d + 2));
    /// #     ds.add_order(o);
    /// # }
    /// # ds.add_login(Login { customer: ann, at: t(20) });
    /// # let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, t(31), chrono_tz::UTC)).unwrap();
    /// # let p = c.iter().next().unwrap();
    /// assert_eq!(p.last_order(), Some(OrderIdx(1)));
    /// ```
    #[must_use]
    pub fn last_order(&self) -> Option<OrderIdx> {
        self.has_orders().then_some(OrderIdx(self.last_order))
    }

    /// #16 last delivery (reference §3.7).
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// # let mut ds = Dataset::new();
    /// # let ann = ds.add_customer(Customer { id: "42".into(), email: "Ann@x.io".into(), ..Customer::default() });
    /// # let t = |d| Utc.with_ymd_and_hms(2024, 1, d, 12, 0, 0).unwrap();
    /// # for (id, d, cents) in [(1, 1, 1000), (2, 11, 2000)] {
    /// #     let mut o = Order::new(OrderId(id), Buyer::Customer(ann), t(d), OrderStatus::Paid, Money::new(cents, Currency::EUR));
    /// #     o.delivered_at = Some(t(d + 2));
    /// #     ds.add_order(o);
    /// # }
    /// # ds.add_login(Login { customer: ann, at: t(20) });
    /// # let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, t(31), chrono_tz::UTC)).unwrap();
    /// # let p = c.iter().next().unwrap();
    /// assert_eq!(p.last_delivery_at(), Some(t(13)));
    /// ```
    #[must_use]
    pub fn last_delivery_at(&self) -> Option<DateTime<Utc>> {
        instant(self.last_delivery_at)
    }

    /// #17 number of counted orders.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// # let mut ds = Dataset::new();
    /// # let ann = ds.add_customer(Customer { id: "42".into(), email: "Ann@x.io".into(), ..Customer::default() });
    /// # let t = |d| Utc.with_ymd_and_hms(2024, 1, d, 12, 0, 0).unwrap();
    /// # for (id, d, cents) in [(1, 1, 1000), (2, 11, 2000)] {
    /// #     let mut o = Order::new(OrderId(id), Buyer::Customer(ann), t(d), OrderStatus::Paid, Money::new(cents, Currency::EUR));
    /// #     o.delivered_at = Some(t(d + 2));
    /// #     ds.add_order(o);
    /// # }
    /// # ds.add_login(Login { customer: ann, at: t(20) });
    /// # let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, t(31), chrono_tz::UTC)).unwrap();
    /// # let p = c.iter().next().unwrap();
    /// assert_eq!(p.orders_count(), 2);
    /// ```
    #[must_use]
    pub fn orders_count(&self) -> u32 {
        self.orders_count
    }

    /// #18 average days between counted orders (`None` below 2 orders / 2 days).
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// # let mut ds = Dataset::new();
    /// # let ann = ds.add_customer(Customer { id: "42".into(), email: "Ann@x.io".into(), ..Customer::default() });
    /// # let t = |d| Utc.with_ymd_and_hms(2024, 1, d, 12, 0, 0).unwrap();
    /// # for (id, d, cents) in [(1, 1, 1000), (2, 11, 2000)] {
    /// #     let mut o = Order::new(OrderId(id), Buyer::Customer(ann), t(d), OrderStatus::Paid, Money::new(cents, Currency::EUR));
    /// #     o.delivered_at = Some(t(d + 2));
    /// #     ds.add_order(o);
    /// # }
    /// # ds.add_login(Login { customer: ann, at: t(20) });
    /// # let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, t(31), chrono_tz::UTC)).unwrap();
    /// # let p = c.iter().next().unwrap();
    /// assert_eq!(p.avg_days_between_orders(), Some(10.0));
    /// ```
    #[must_use]
    pub fn avg_days_between_orders(&self) -> Option<f64> {
        (!self.avg_days_between_orders.is_nan()).then_some(self.avg_days_between_orders)
    }

    /// BTYD summary; `None` without counted order at or before `as_of`.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// # let mut ds = Dataset::new();
    /// # let ann = ds.add_customer(Customer { id: "42".into(), email: "Ann@x.io".into(), ..Customer::default() });
    /// # let t = |d| Utc.with_ymd_and_hms(2024, 1, d, 12, 0, 0).unwrap();
    /// # for (id, d, cents) in [(1, 1, 1000), (2, 11, 2000)] {
    /// #     let mut o = Order::new(OrderId(id), Buyer::Customer(ann), t(d), OrderStatus::Paid, Money::new(cents, Currency::EUR));
    /// #     o.delivered_at = Some(t(d + 2));
    /// #     ds.add_order(o);
    /// # }
    /// # ds.add_login(Login { customer: ann, at: t(20) });
    /// # let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, t(31), chrono_tz::UTC)).unwrap();
    /// # let p = c.iter().next().unwrap();
    /// assert_eq!(p.btyd(), Some(Btyd { frequency: 1, recency: 10.0, t: 30.0, monetary_value: 20.0 }));
    /// ```
    #[must_use]
    pub fn btyd(&self) -> Option<Btyd> {
        self.has_orders().then(|| Btyd {
            frequency: self.btyd_frequency,
            recency: f64::from(self.btyd_recency),
            t: f64::from(self.btyd_t),
            monetary_value: self.btyd_monetary_value,
        })
    }

    /// RFM scores; filled by [`Consolidation::apply_rfm`] for contacts with ≥ 1 counted order.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// # let mut ds = Dataset::new();
    /// # let ann = ds.add_customer(Customer { id: "42".into(), email: "Ann@x.io".into(), ..Customer::default() });
    /// # let t = |d| Utc.with_ymd_and_hms(2024, 1, d, 12, 0, 0).unwrap();
    /// # for (id, d, cents) in [(1, 1, 1000), (2, 11, 2000)] {
    /// #     let mut o = Order::new(OrderId(id), Buyer::Customer(ann), t(d), OrderStatus::Paid, Money::new(cents, Currency::EUR));
    /// #     o.delivered_at = Some(t(d + 2));
    /// #     ds.add_order(o);
    /// # }
    /// # ds.add_login(Login { customer: ann, at: t(20) });
    /// # let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, t(31), chrono_tz::UTC)).unwrap();
    /// # let p = c.iter().next().unwrap();
    /// assert_eq!(p.rfm(), None); // until `apply_rfm`
    /// ```
    #[must_use]
    pub fn rfm(&self) -> Option<RfmScore> {
        self.rfm
    }

    /// Shop id of the last counted order.
    ///
    /// ```
    /// # use chrono::{NaiveDate, TimeZone, Utc}; use relance::customer::*;
    /// # let mut ds = Dataset::new();
    /// # ds.add_customer(Customer { id: "42".into(), email: "a@x.io".into(),
    /// #     first_name: Some("Ada".into()), last_name: Some("Lovelace".into()),
    /// #     civility: Some(Civility::Mrs), birth_date: NaiveDate::from_ymd_opt(1990, 12, 10),
    /// #     phone: Some("+33600000000".into()), postcode: Some("75001".into()),
    /// #     signed_up_at: Some(Utc.with_ymd_and_hms(2023, 1, 1, 0, 0, 0).unwrap()),
    /// #     newsletter_optin: OptIn::Yes, group_ids: vec!["3".into(), "1".into()],
    /// #     shop_id: Some("1".into()), ..Customer::default() });
    /// # let as_of = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    /// # let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::UTC)).unwrap();
    /// # let p = c.iter().next().unwrap();
    /// assert_eq!(p.last_order_id(), None);
    /// ```
    #[must_use]
    pub fn last_order_id(&self) -> Option<OrderId> {
        self.last_order()
            .and_then(|i| self.dataset.orders().get(i.0 as usize))
            .map(|o| o.id)
    }

    /// #12 shop customer id of the chosen row; `None` for guest-only contacts.
    ///
    /// ```
    /// # use chrono::{NaiveDate, TimeZone, Utc}; use relance::customer::*;
    /// # let mut ds = Dataset::new();
    /// # ds.add_customer(Customer { id: "42".into(), email: "a@x.io".into(),
    /// #     first_name: Some("Ada".into()), last_name: Some("Lovelace".into()),
    /// #     civility: Some(Civility::Mrs), birth_date: NaiveDate::from_ymd_opt(1990, 12, 10),
    /// #     phone: Some("+33600000000".into()), postcode: Some("75001".into()),
    /// #     signed_up_at: Some(Utc.with_ymd_and_hms(2023, 1, 1, 0, 0, 0).unwrap()),
    /// #     newsletter_optin: OptIn::Yes, group_ids: vec!["3".into(), "1".into()],
    /// #     shop_id: Some("1".into()), ..Customer::default() });
    /// # let as_of = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    /// # let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::UTC)).unwrap();
    /// # let p = c.iter().next().unwrap();
    /// assert_eq!(p.customer_id(), Some("42"));
    /// ```
    #[must_use]
    pub fn customer_id(&self) -> Option<&'d str> {
        self.customer().map(|c| c.id.as_str())
    }

    /// #2 first name.
    ///
    /// ```
    /// # use chrono::{NaiveDate, TimeZone, Utc}; use relance::customer::*;
    /// # let mut ds = Dataset::new();
    /// # ds.add_customer(Customer { id: "42".into(), email: "a@x.io".into(),
    /// #     first_name: Some("Ada".into()), last_name: Some("Lovelace".into()),
    /// #     civility: Some(Civility::Mrs), birth_date: NaiveDate::from_ymd_opt(1990, 12, 10),
    /// #     phone: Some("+33600000000".into()), postcode: Some("75001".into()),
    /// #     signed_up_at: Some(Utc.with_ymd_and_hms(2023, 1, 1, 0, 0, 0).unwrap()),
    /// #     newsletter_optin: OptIn::Yes, group_ids: vec!["3".into(), "1".into()],
    /// #     shop_id: Some("1".into()), ..Customer::default() });
    /// # let as_of = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    /// # let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::UTC)).unwrap();
    /// # let p = c.iter().next().unwrap();
    /// assert_eq!(p.first_name(), Some("Ada"));
    /// ```
    #[must_use]
    pub fn first_name(&self) -> Option<&'d str> {
        self.customer().and_then(|c| c.first_name.as_deref())
    }

    /// #1 last name.
    ///
    /// ```
    /// # use chrono::{NaiveDate, TimeZone, Utc}; use relance::customer::*;
    /// # let mut ds = Dataset::new();
    /// # ds.add_customer(Customer { id: "42".into(), email: "a@x.io".into(),
    /// #     first_name: Some("Ada".into()), last_name: Some("Lovelace".into()),
    /// #     civility: Some(Civility::Mrs), birth_date: NaiveDate::from_ymd_opt(1990, 12, 10),
    /// #     phone: Some("+33600000000".into()), postcode: Some("75001".into()),
    /// #     signed_up_at: Some(Utc.with_ymd_and_hms(2023, 1, 1, 0, 0, 0).unwrap()),
    /// #     newsletter_optin: OptIn::Yes, group_ids: vec!["3".into(), "1".into()],
    /// #     shop_id: Some("1".into()), ..Customer::default() });
    /// # let as_of = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    /// # let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::UTC)).unwrap();
    /// # let p = c.iter().next().unwrap();
    /// assert_eq!(p.last_name(), Some("Lovelace"));
    /// ```
    #[must_use]
    pub fn last_name(&self) -> Option<&'d str> {
        self.customer().and_then(|c| c.last_name.as_deref())
    }

    /// #3 civility.
    ///
    /// ```
    /// # use chrono::{NaiveDate, TimeZone, Utc}; use relance::customer::*;
    /// # let mut ds = Dataset::new();
    /// # ds.add_customer(Customer { id: "42".into(), email: "a@x.io".into(),
    /// #     first_name: Some("Ada".into()), last_name: Some("Lovelace".into()),
    /// #     civility: Some(Civility::Mrs), birth_date: NaiveDate::from_ymd_opt(1990, 12, 10),
    /// #     phone: Some("+33600000000".into()), postcode: Some("75001".into()),
    /// #     signed_up_at: Some(Utc.with_ymd_and_hms(2023, 1, 1, 0, 0, 0).unwrap()),
    /// #     newsletter_optin: OptIn::Yes, group_ids: vec!["3".into(), "1".into()],
    /// #     shop_id: Some("1".into()), ..Customer::default() });
    /// # let as_of = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    /// # let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::UTC)).unwrap();
    /// # let p = c.iter().next().unwrap();
    /// assert_eq!(p.civility(), Some(&relance::customer::Civility::Mrs));
    /// ```
    #[must_use]
    pub fn civility(&self) -> Option<&'d Civility> {
        self.customer().and_then(|c| c.civility.as_ref())
    }

    /// #4 birth date.
    ///
    /// ```
    /// # use chrono::{NaiveDate, TimeZone, Utc}; use relance::customer::*;
    /// # let mut ds = Dataset::new();
    /// # ds.add_customer(Customer { id: "42".into(), email: "a@x.io".into(),
    /// #     first_name: Some("Ada".into()), last_name: Some("Lovelace".into()),
    /// #     civility: Some(Civility::Mrs), birth_date: NaiveDate::from_ymd_opt(1990, 12, 10),
    /// #     phone: Some("+33600000000".into()), postcode: Some("75001".into()),
    /// #     signed_up_at: Some(Utc.with_ymd_and_hms(2023, 1, 1, 0, 0, 0).unwrap()),
    /// #     newsletter_optin: OptIn::Yes, group_ids: vec!["3".into(), "1".into()],
    /// #     shop_id: Some("1".into()), ..Customer::default() });
    /// # let as_of = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    /// # let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::UTC)).unwrap();
    /// # let p = c.iter().next().unwrap();
    /// assert_eq!(p.birth_date().unwrap().to_string(), "1990-12-10");
    /// ```
    #[must_use]
    pub fn birth_date(&self) -> Option<NaiveDate> {
        self.customer().and_then(|c| c.birth_date)
    }

    /// #6 phone.
    ///
    /// ```
    /// # use chrono::{NaiveDate, TimeZone, Utc}; use relance::customer::*;
    /// # let mut ds = Dataset::new();
    /// # ds.add_customer(Customer { id: "42".into(), email: "a@x.io".into(),
    /// #     first_name: Some("Ada".into()), last_name: Some("Lovelace".into()),
    /// #     civility: Some(Civility::Mrs), birth_date: NaiveDate::from_ymd_opt(1990, 12, 10),
    /// #     phone: Some("+33600000000".into()), postcode: Some("75001".into()),
    /// #     signed_up_at: Some(Utc.with_ymd_and_hms(2023, 1, 1, 0, 0, 0).unwrap()),
    /// #     newsletter_optin: OptIn::Yes, group_ids: vec!["3".into(), "1".into()],
    /// #     shop_id: Some("1".into()), ..Customer::default() });
    /// # let as_of = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    /// # let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::UTC)).unwrap();
    /// # let p = c.iter().next().unwrap();
    /// assert_eq!(p.phone(), Some("+33600000000"));
    /// ```
    #[must_use]
    pub fn phone(&self) -> Option<&'d str> {
        self.customer().and_then(|c| c.phone.as_deref())
    }

    /// #7 postcode.
    ///
    /// ```
    /// # use chrono::{NaiveDate, TimeZone, Utc}; use relance::customer::*;
    /// # let mut ds = Dataset::new();
    /// # ds.add_customer(Customer { id: "42".into(), email: "a@x.io".into(),
    /// #     first_name: Some("Ada".into()), last_name: Some("Lovelace".into()),
    /// #     civility: Some(Civility::Mrs), birth_date: NaiveDate::from_ymd_opt(1990, 12, 10),
    /// #     phone: Some("+33600000000".into()), postcode: Some("75001".into()),
    /// #     signed_up_at: Some(Utc.with_ymd_and_hms(2023, 1, 1, 0, 0, 0).unwrap()),
    /// #     newsletter_optin: OptIn::Yes, group_ids: vec!["3".into(), "1".into()],
    /// #     shop_id: Some("1".into()), ..Customer::default() });
    /// # let as_of = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    /// # let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::UTC)).unwrap();
    /// # let p = c.iter().next().unwrap();
    /// assert_eq!(p.postcode(), Some("75001"));
    /// ```
    #[must_use]
    pub fn postcode(&self) -> Option<&'d str> {
        self.customer().and_then(|c| c.postcode.as_deref())
    }

    /// #8 account creation (chosen row).
    ///
    /// ```
    /// # use chrono::{NaiveDate, TimeZone, Utc}; use relance::customer::*;
    /// # let mut ds = Dataset::new();
    /// # ds.add_customer(Customer { id: "42".into(), email: "a@x.io".into(),
    /// #     first_name: Some("Ada".into()), last_name: Some("Lovelace".into()),
    /// #     civility: Some(Civility::Mrs), birth_date: NaiveDate::from_ymd_opt(1990, 12, 10),
    /// #     phone: Some("+33600000000".into()), postcode: Some("75001".into()),
    /// #     signed_up_at: Some(Utc.with_ymd_and_hms(2023, 1, 1, 0, 0, 0).unwrap()),
    /// #     newsletter_optin: OptIn::Yes, group_ids: vec!["3".into(), "1".into()],
    /// #     shop_id: Some("1".into()), ..Customer::default() });
    /// # let as_of = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    /// # let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::UTC)).unwrap();
    /// # let p = c.iter().next().unwrap();
    /// assert!(p.signed_up_at().is_some());
    /// ```
    #[must_use]
    pub fn signed_up_at(&self) -> Option<DateTime<Utc>> {
        self.customer().and_then(|c| c.signed_up_at)
    }

    /// #19 newsletter consent (chosen row; `Unknown` for guest-only contacts).
    ///
    /// ```
    /// # use chrono::{NaiveDate, TimeZone, Utc}; use relance::customer::*;
    /// # let mut ds = Dataset::new();
    /// # ds.add_customer(Customer { id: "42".into(), email: "a@x.io".into(),
    /// #     first_name: Some("Ada".into()), last_name: Some("Lovelace".into()),
    /// #     civility: Some(Civility::Mrs), birth_date: NaiveDate::from_ymd_opt(1990, 12, 10),
    /// #     phone: Some("+33600000000".into()), postcode: Some("75001".into()),
    /// #     signed_up_at: Some(Utc.with_ymd_and_hms(2023, 1, 1, 0, 0, 0).unwrap()),
    /// #     newsletter_optin: OptIn::Yes, group_ids: vec!["3".into(), "1".into()],
    /// #     shop_id: Some("1".into()), ..Customer::default() });
    /// # let as_of = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    /// # let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::UTC)).unwrap();
    /// # let p = c.iter().next().unwrap();
    /// assert_eq!(p.newsletter_optin(), relance::customer::OptIn::Yes);
    /// ```
    #[must_use]
    pub fn newsletter_optin(&self) -> OptIn {
        self.customer()
            .map_or(OptIn::Unknown, |c| c.newsletter_optin)
    }

    /// When that consent was recorded (chosen row).
    ///
    /// ```
    /// # use chrono::{NaiveDate, TimeZone, Utc}; use relance::customer::*;
    /// # let mut ds = Dataset::new();
    /// # ds.add_customer(Customer { id: "42".into(), email: "a@x.io".into(),
    /// #     first_name: Some("Ada".into()), last_name: Some("Lovelace".into()),
    /// #     civility: Some(Civility::Mrs), birth_date: NaiveDate::from_ymd_opt(1990, 12, 10),
    /// #     phone: Some("+33600000000".into()), postcode: Some("75001".into()),
    /// #     signed_up_at: Some(Utc.with_ymd_and_hms(2023, 1, 1, 0, 0, 0).unwrap()),
    /// #     newsletter_optin: OptIn::Yes, group_ids: vec!["3".into(), "1".into()],
    /// #     shop_id: Some("1".into()), ..Customer::default() });
    /// # let as_of = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    /// # let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::UTC)).unwrap();
    /// # let p = c.iter().next().unwrap();
    /// assert_eq!(p.newsletter_optin_at(), None);
    /// ```
    #[must_use]
    pub fn newsletter_optin_at(&self) -> Option<DateTime<Utc>> {
        self.customer().and_then(|c| c.newsletter_optin_at)
    }

    /// #21 shop id.
    ///
    /// ```
    /// # use chrono::{NaiveDate, TimeZone, Utc}; use relance::customer::*;
    /// # let mut ds = Dataset::new();
    /// # ds.add_customer(Customer { id: "42".into(), email: "a@x.io".into(),
    /// #     first_name: Some("Ada".into()), last_name: Some("Lovelace".into()),
    /// #     civility: Some(Civility::Mrs), birth_date: NaiveDate::from_ymd_opt(1990, 12, 10),
    /// #     phone: Some("+33600000000".into()), postcode: Some("75001".into()),
    /// #     signed_up_at: Some(Utc.with_ymd_and_hms(2023, 1, 1, 0, 0, 0).unwrap()),
    /// #     newsletter_optin: OptIn::Yes, group_ids: vec!["3".into(), "1".into()],
    /// #     shop_id: Some("1".into()), ..Customer::default() });
    /// # let as_of = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    /// # let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::UTC)).unwrap();
    /// # let p = c.iter().next().unwrap();
    /// assert_eq!(p.shop_id(), Some("1"));
    /// ```
    #[must_use]
    pub fn shop_id(&self) -> Option<&'d str> {
        self.customer().and_then(|c| c.shop_id.as_deref())
    }

    /// #20 customer group ids, sorted and deduplicated: the union over the contact's rows
    /// ([`GroupIdsMode::Union`](crate::customer::GroupIdsMode)) or the chosen row's.
    ///
    /// ```
    /// # use chrono::{NaiveDate, TimeZone, Utc}; use relance::customer::*;
    /// # let mut ds = Dataset::new();
    /// # ds.add_customer(Customer { id: "42".into(), email: "a@x.io".into(),
    /// #     first_name: Some("Ada".into()), last_name: Some("Lovelace".into()),
    /// #     civility: Some(Civility::Mrs), birth_date: NaiveDate::from_ymd_opt(1990, 12, 10),
    /// #     phone: Some("+33600000000".into()), postcode: Some("75001".into()),
    /// #     signed_up_at: Some(Utc.with_ymd_and_hms(2023, 1, 1, 0, 0, 0).unwrap()),
    /// #     newsletter_optin: OptIn::Yes, group_ids: vec!["3".into(), "1".into()],
    /// #     shop_id: Some("1".into()), ..Customer::default() });
    /// # let as_of = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    /// # let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::UTC)).unwrap();
    /// # let p = c.iter().next().unwrap();
    /// assert_eq!(p.customer_group_ids(), ["1", "3"]);
    /// ```
    #[must_use]
    pub fn customer_group_ids(&self) -> Vec<&'d str> {
        let Some(row) = self.customer() else {
            return Vec::new();
        };
        if !self.union_groups {
            return row.group_ids.iter().map(String::as_str).collect();
        }
        let ds = self.dataset;
        let mut all: Vec<&'d str> = ds
            .contact_rows(self.contact())
            .flat_map(|c| {
                ds.customers[c.0 as usize]
                    .group_ids
                    .iter()
                    .map(String::as_str)
            })
            .collect();
        all.sort_unstable();
        all.dedup();
        all
    }
}

/// The result of [`Dataset::consolidate`](crate::customer::Dataset::consolidate): one profile
/// per contact, in [`ContactIdx`] order. Stored in chunks of a few MB (no final copy).
#[derive(Clone, Debug)]
pub struct Consolidation<'d> {
    pub(crate) as_of: DateTime<Utc>,
    pub(crate) currency: Currency,
    pub(crate) chunks: Vec<Vec<CustomerProfile<'d>>>,
    pub(crate) skipped_orders: usize,
    /// threads of the consolidation, reused by [`Consolidation::apply_rfm`]
    pub(crate) threads: usize,
}

impl<'d> Consolidation<'d> {
    /// The evaluation instant.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// let as_of = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    /// let ds = Dataset::new();
    /// let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::UTC)).unwrap();
    /// assert_eq!(c.as_of(), as_of);
    /// ```
    #[must_use]
    pub fn as_of(&self) -> DateTime<Utc> {
        self.as_of
    }

    /// The reporting currency.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// let ds = Dataset::new();
    /// let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(), chrono_tz::UTC)).unwrap();
    /// assert_eq!(c.currency(), Currency::EUR);
    /// ```
    #[must_use]
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// Counted orders left out because their currency had no rate
    /// ([`MissingFx::Skip`](crate::customer::MissingFx::Skip); always 0 under `Error`).
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// let mut ds = Dataset::new();
    /// let g = ds.guest("a@x.io").unwrap();
    /// let t = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    /// ds.add_order(Order::new(OrderId(1), Buyer::Guest(g), t, OrderStatus::Paid, Money::new(100, Currency::USD)));
    /// let p = ConsolidationPolicy::new(Currency::EUR, t, chrono_tz::UTC).on_missing_fx(MissingFx::Skip);
    /// let c = ds.consolidate(&p).unwrap();
    /// assert_eq!((c.skipped_orders(), c.iter().next().unwrap().orders_count()), (1, 0));
    /// ```
    #[must_use]
    pub fn skipped_orders(&self) -> usize {
        self.skipped_orders
    }

    /// Number of profiles (= contacts).
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// let mut ds = Dataset::new();
    /// ds.guest("a@x.io");
    /// let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(), chrono_tz::UTC)).unwrap();
    /// assert_eq!(c.len(), 1);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.chunks.iter().map(Vec::len).sum()
    }

    /// Whether there is no profile.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// let ds = Dataset::new();
    /// let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(), chrono_tz::UTC)).unwrap();
    /// assert!(c.is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.chunks.iter().all(Vec::is_empty)
    }

    /// Profiles in contact order.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// let mut ds = Dataset::new();
    /// ds.guest("a@x.io");
    /// let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(), chrono_tz::UTC)).unwrap();
    /// assert_eq!(c.iter().next().unwrap().email(), "a@x.io");
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = &CustomerProfile<'d>> + '_ {
        self.chunks.iter().flatten()
    }

    /// The profile of a contact.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// let mut ds = Dataset::new();
    /// let g = ds.guest("a@x.io").unwrap();
    /// let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(), chrono_tz::UTC)).unwrap();
    /// assert_eq!(c.get(ContactIdx(g.0)).unwrap().orders_count(), 0);
    /// ```
    #[must_use]
    pub fn get(&self, contact: ContactIdx) -> Option<&CustomerProfile<'d>> {
        let mut i = contact.0 as usize;
        for chunk in &self.chunks {
            if i < chunk.len() {
                return chunk.get(i);
            }
            i -= chunk.len();
        }
        None
    }

    /// The profile of a normalised email (linear scan; prefer [`Consolidation::get`] with
    /// [`Dataset::find_contact`](crate::customer::Dataset::find_contact)).
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// let mut ds = Dataset::new();
    /// ds.guest("a@x.io");
    /// let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(), chrono_tz::UTC)).unwrap();
    /// assert!(c.by_email("a@x.io").is_some());
    /// ```
    #[must_use]
    pub fn by_email(&self, email: &str) -> Option<&CustomerProfile<'d>> {
        self.iter().find(|p| p.email() == email)
    }

    /// All profiles in one vector (copies them once).
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// let ds = Dataset::new();
    /// let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(), chrono_tz::UTC)).unwrap();
    /// assert!(c.into_vec().is_empty());
    /// ```
    #[must_use]
    pub fn into_vec(self) -> Vec<CustomerProfile<'d>> {
        self.chunks.into_iter().flatten().collect()
    }
}

#[cfg(test)]
mod tests {
    /// The compact layout is what makes a million profiles cheap to write and read.
    #[test]
    fn a_profile_stays_compact() {
        assert!(std::mem::size_of::<super::CustomerProfile<'static>>() <= 120);
    }
}
