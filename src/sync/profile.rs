//! From the domain layer: profiles to records.

use super::record::{SyncRecord, SyncValue};
use crate::customer::{Consolidation, CustomerProfile, OptIn, ProfileField};

impl SyncRecord {
    /// The record of a consolidated profile: every [`ProfileField`] but the key (the email), with
    /// [`SyncValue::Empty`] for what is undefined (so a value that disappears is cleared on
    /// the service). Amounts are decimals in the reporting currency; the average days between
    /// orders has two decimals; the opt-in is empty when unknown.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// use relance::customer::{ConsolidationPolicy, Currency, Dataset, ProfileField};
    /// use relance::sync::{SyncRecord, SyncValue};
    ///
    /// let mut ds = Dataset::new();
    /// ds.guest("ann@example.com");
    /// let as_of = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    /// let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::UTC)).unwrap();
    /// let record = SyncRecord::from_profile(c.iter().next().unwrap());
    /// assert_eq!(record.email(), "ann@example.com");
    /// assert_eq!(record.get(&ProfileField::OrdersCount), Some(&SyncValue::int(0)));
    /// assert_eq!(record.get(&ProfileField::LastOrderAt), Some(&SyncValue::Empty));
    /// ```
    #[must_use]
    pub fn from_profile(p: &CustomerProfile<'_>) -> Self {
        use ProfileField as F;
        let groups = p.customer_group_ids().join(",");
        Self::new(p.email())
            .with(F::FirstName, SyncValue::text(p.first_name()))
            .with(F::LastName, SyncValue::text(p.last_name()))
            .with(
                F::Civility,
                SyncValue::text(p.civility().map(crate::customer::Civility::as_str)),
            )
            .with(F::Phone, SyncValue::text(p.phone()))
            .with(F::Postcode, SyncValue::text(p.postcode()))
            .with(
                F::BirthDate,
                p.birth_date().map_or(SyncValue::Empty, SyncValue::Date),
            )
            .with(F::CustomerId, SyncValue::text(p.customer_id()))
            .with(F::SignedUpAt, SyncValue::instant(p.signed_up_at()))
            .with(F::LastLoginAt, SyncValue::instant(p.last_login_at()))
            .with(
                F::Revenue,
                SyncValue::Number(p.revenue().to_decimal_string()),
            )
            .with(
                F::LastAbandonedCartAt,
                SyncValue::instant(p.last_abandoned_cart_at()),
            )
            .with(F::FirstOrderAt, SyncValue::instant(p.first_order_at()))
            .with(F::LastOrderAt, SyncValue::instant(p.last_order_at()))
            .with(
                F::LastOrderAmount,
                p.last_order_amount().map_or(SyncValue::Empty, |m| {
                    SyncValue::Number(m.to_decimal_string())
                }),
            )
            .with(F::LastDeliveryAt, SyncValue::instant(p.last_delivery_at()))
            .with(F::OrdersCount, SyncValue::int(i64::from(p.orders_count())))
            .with(
                F::AvgDaysBetweenOrders,
                p.avg_days_between_orders()
                    .map_or(SyncValue::Empty, |d| SyncValue::decimal(d, 2)),
            )
            .with(
                F::NewsletterOptIn,
                match p.newsletter_optin() {
                    OptIn::Yes => SyncValue::OptIn(true),
                    OptIn::No => SyncValue::OptIn(false),
                    OptIn::Unknown => SyncValue::Empty,
                },
            )
            .with(F::CustomerGroupIds, SyncValue::text(Some(&groups)))
            .with(F::ShopId, SyncValue::text(p.shop_id()))
    }

    /// The records of every profile of a consolidation, lazily.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// use relance::customer::{ConsolidationPolicy, Currency, Dataset};
    /// let mut ds = Dataset::new();
    /// ds.guest("a@example.com");
    /// ds.guest("b@example.com");
    /// let as_of = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    /// let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::UTC)).unwrap();
    /// assert_eq!(relance::sync::SyncRecord::all(&c).count(), 2);
    /// ```
    pub fn all<'c>(consolidation: &'c Consolidation<'_>) -> impl Iterator<Item = SyncRecord> + 'c {
        consolidation.iter().map(Self::from_profile)
    }
}
