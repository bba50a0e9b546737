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
/// Computed metrics are public fields. Profile fields that come straight from the contact's
/// **chosen customer row** (names, civility, birth date, phone, postcode, sign-up, opt-in,
/// groups, shop) are accessor methods borrowing from the [`Dataset`](crate::customer::Dataset):
/// consolidating a million contacts copies no string and keeps each profile small.
///
/// The chosen row is the first of the contact's customer rows by (registered before
/// shop-guest rows, latest `updated_at` — `None` oldest —, latest `signed_up_at`, then the row
/// added first). Guest-only contacts have no chosen row: those accessors give `None` /
/// [`OptIn::Unknown`].
#[derive(Clone)]
pub struct CustomerProfile<'d> {
    /// The contact this profile consolidates.
    pub contact: ContactIdx,
    /// #5 normalised email (the identity key).
    pub email: &'d str,
    /// The chosen customer row (`None` for guest-only contacts).
    pub customer: Option<&'d Customer>,
    /// #9 latest login at or before `as_of` (events and rows' `last_login_at`, over all rows).
    pub last_login_at: Option<DateTime<Utc>>,
    /// #10 Σ order values of counted orders, reporting currency.
    pub revenue: Money,
    /// #11 latest abandoned cart `updated_at` (reference §3.8).
    pub last_abandoned_cart_at: Option<DateTime<Utc>>,
    /// #13 first counted order.
    pub first_order_at: Option<DateTime<Utc>>,
    /// #14 last counted order.
    pub last_order_at: Option<DateTime<Utc>>,
    /// #15 value of the last counted order (argmax by (`placed_at`, `order_id`)).
    pub last_order_amount: Option<Money>,
    /// That last order (see [`CustomerProfile::last_order_id`]).
    pub last_order: Option<OrderIdx>,
    /// #16 last delivery (reference §3.7).
    pub last_delivery_at: Option<DateTime<Utc>>,
    /// #17 number of counted orders.
    pub orders_count: u32,
    /// #18 average days between counted orders (`None` below 2 orders / 2 days).
    pub avg_days_between_orders: Option<f64>,
    /// BTYD summary; `None` without counted order at or before `as_of`.
    pub btyd: Option<Btyd>,
    /// RFM scores; filled by [`Consolidation::apply_rfm`] for contacts with ≥ 1 counted order.
    pub rfm: Option<RfmScore>,
    pub(crate) dataset: &'d Dataset,
    pub(crate) union_groups: bool,
}

impl fmt::Debug for CustomerProfile<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CustomerProfile")
            .field("contact", &self.contact)
            .field("email", &self.email)
            .field("customer_id", &self.customer_id())
            .field("last_login_at", &self.last_login_at)
            .field("revenue", &self.revenue)
            .field("last_abandoned_cart_at", &self.last_abandoned_cart_at)
            .field("first_order_at", &self.first_order_at)
            .field("last_order_at", &self.last_order_at)
            .field("last_order_amount", &self.last_order_amount)
            .field("last_order_id", &self.last_order_id())
            .field("last_delivery_at", &self.last_delivery_at)
            .field("orders_count", &self.orders_count)
            .field("avg_days_between_orders", &self.avg_days_between_orders)
            .field("btyd", &self.btyd)
            .field("rfm", &self.rfm)
            .finish_non_exhaustive()
    }
}

impl<'d> CustomerProfile<'d> {
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
        self.last_order
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
        self.customer.map(|c| c.id.as_str())
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
        self.customer.and_then(|c| c.first_name.as_deref())
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
        self.customer.and_then(|c| c.last_name.as_deref())
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
        self.customer.and_then(|c| c.civility.as_ref())
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
        self.customer.and_then(|c| c.birth_date)
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
        self.customer.and_then(|c| c.phone.as_deref())
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
        self.customer.and_then(|c| c.postcode.as_deref())
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
        self.customer.and_then(|c| c.signed_up_at)
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
        self.customer.map_or(OptIn::Unknown, |c| c.newsletter_optin)
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
        self.customer.and_then(|c| c.newsletter_optin_at)
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
        self.customer.and_then(|c| c.shop_id.as_deref())
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
        let Some(row) = self.customer else {
            return Vec::new();
        };
        if !self.union_groups {
            return row.group_ids.iter().map(String::as_str).collect();
        }
        let ds = self.dataset;
        let mut all: Vec<&'d str> = ds
            .contact_rows(self.contact)
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
    /// assert_eq!((c.skipped_orders(), c.iter().next().unwrap().orders_count), (1, 0));
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
    /// assert_eq!(c.iter().next().unwrap().email, "a@x.io");
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = &CustomerProfile<'d>> + '_ {
        self.chunks.iter().flatten()
    }

    /// Mutable profiles in contact order.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// let mut ds = Dataset::new();
    /// ds.guest("a@x.io");
    /// let mut c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(), chrono_tz::UTC)).unwrap();
    /// for p in c.iter_mut() { p.rfm = None; }
    /// ```
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut CustomerProfile<'d>> + '_ {
        self.chunks.iter_mut().flatten()
    }

    /// The profile of a contact.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// let mut ds = Dataset::new();
    /// let g = ds.guest("a@x.io").unwrap();
    /// let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(), chrono_tz::UTC)).unwrap();
    /// assert_eq!(c.get(ContactIdx(g.0)).unwrap().orders_count, 0);
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
        self.iter().find(|p| p.email == email)
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
