//! Consolidated per-contact records: the compact [`CustomerProfile`], its computed metrics
//! ([`metrics`]) and the fields of its chosen customer row ([`row`]).

mod metrics;
mod row;

use std::fmt;

use chrono::{DateTime, Utc};

use crate::customer::{ContactIdx, Currency, Dataset};

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
/// [`OptIn::Unknown`](crate::customer::OptIn::Unknown).
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

/// A profile's own instants as µs since the epoch, `None` where the accessor of the same
/// name has no value: what a writer formats without building a calendar type for each
/// (the accessors' `DateTime`s were a third of writing the profiles as CSV).
#[derive(Clone, Copy, Debug)]
pub(crate) struct RawInstants {
    pub(crate) last_login: Option<i64>,
    pub(crate) last_abandoned_cart: Option<i64>,
    pub(crate) first_order: Option<i64>,
    pub(crate) last_order: Option<i64>,
    pub(crate) last_delivery: Option<i64>,
}

impl CustomerProfile<'_> {
    /// [`RawInstants`] of this profile; each read as an instant (`DateTime::from_timestamp_micros`)
    /// gives the accessor's value.
    pub(crate) fn raw_instants(&self) -> RawInstants {
        let raw = |micros: i64| (micros != NO_INSTANT).then_some(micros);
        let orders = self.orders_count > 0;
        RawInstants {
            last_login: raw(self.last_login_at),
            last_abandoned_cart: raw(self.last_abandoned_cart_at),
            first_order: raw(self.first_order_at).filter(|_| orders),
            last_order: raw(self.last_order_at).filter(|_| orders),
            last_delivery: raw(self.last_delivery_at),
        }
    }
}

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
}

#[cfg(test)]
mod tests {
    /// The compact layout is what makes a million profiles cheap to write and read.
    #[test]
    fn a_profile_stays_compact() {
        assert!(std::mem::size_of::<super::CustomerProfile<'static>>() <= 120);
    }
}
