//! The fields that come straight from the contact's chosen customer row, borrowed from the
//! [`Dataset`](crate::customer::Dataset).

use chrono::{DateTime, NaiveDate, Utc};

use super::CustomerProfile;
use crate::customer::{Civility, Customer, CustomerView, OptIn};

impl<'d> CustomerProfile<'d> {
    /// The chosen customer row (`None` for guest-only contacts), as a [`Customer`]: the
    /// first call puts together every row of the dataset
    /// ([`Dataset::customers`](crate::customer::Dataset::customers));
    /// [`customer_view`](Self::customer_view) and the field accessors read in place.
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
        if self.customer as usize >= self.dataset.customers.len() {
            return None;
        }
        self.dataset.customers().get(self.customer as usize)
    }

    /// The chosen customer row read in place (`None` for guest-only contacts).
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// let mut ds = Dataset::new();
    /// ds.add_customer(Customer { id: "42".into(), email: "Ann@x.io".into(), ..Customer::default() });
    /// ds.guest("bob@x.io");
    /// let as_of = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    /// let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::UTC)).unwrap();
    /// let ids: Vec<_> = c.iter().map(|p| p.customer_view().map(|v| v.id())).collect();
    /// assert_eq!(ids, [Some("42"), None]);
    /// ```
    #[must_use]
    pub fn customer_view(&self) -> Option<CustomerView<'d>> {
        self.dataset.customers.get(self.customer as usize)
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
        self.customer_view().map(|c| c.id())
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
        self.customer_view().and_then(|c| c.first_name())
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
        self.customer_view().and_then(|c| c.last_name())
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
        self.customer_view().and_then(|c| c.civility())
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
        self.customer_view().and_then(|c| c.birth_date())
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
        self.customer_view().and_then(|c| c.phone())
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
        self.customer_view().and_then(|c| c.postcode())
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
        self.customer_view().and_then(|c| c.signed_up_at())
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
        self.customer_view()
            .map_or(OptIn::Unknown, |c| c.newsletter_optin())
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
        self.customer_view().and_then(|c| c.newsletter_optin_at())
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
        self.customer_view().and_then(|c| c.shop_id())
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
        let Some(row) = self.customer_view() else {
            return Vec::new();
        };
        if !self.union_groups {
            return row.group_ids().collect();
        }
        let ds = self.dataset;
        let mut all: Vec<&'d str> = ds
            .contact_rows(self.contact())
            .filter_map(|c| ds.customers.get(c.0 as usize))
            .flat_map(|c| c.group_ids())
            .collect();
        all.sort_unstable();
        all.dedup();
        all
    }
}
