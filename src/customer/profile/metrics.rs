//! The metrics computed by the consolidation (reference §1), as accessors.

use chrono::{DateTime, Utc};

use super::{Btyd, CustomerProfile, RfmScore, instant};
use crate::customer::{Money, OrderId, OrderIdx};

impl CustomerProfile<'_> {
    fn has_orders(&self) -> bool {
        self.orders_count > 0
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

    /// RFM scores; filled by [`Consolidation::apply_rfm`](crate::customer::Consolidation::apply_rfm) for contacts with ≥ 1 counted order.
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
            .and_then(|i| self.dataset.orders().ids().get(i.0 as usize).copied())
    }
}
