//! From the domain layer: profiles to records.

use super::record::{SyncRecord, SyncValue};
use crate::customer::clv::PredictedValues;
use crate::customer::{Consolidation, ContactIdx, CustomerProfile, OptIn, ProfileField};

/// Decimals the predicted values keep in a sync record: change detection compares them
/// rounded to the nearest (as `format!("{:.2}")` rounds), so that a nightly run does not push every contact because
/// a probability moved in the fourth decimal. P(alive) moves by whole percentage points;
/// purchases and values by hundredths.
pub const PREDICTED_DECIMALS: usize = 2;

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

    /// Adds the predicted fields ([`ProfileField::PREDICTED`]) of `contact` from `predicted`,
    /// rounded to [`PREDICTED_DECIMALS`]; empty for a contact without prediction. They are
    /// pushed only when the syncer's fields include them (opt-in).
    ///
    /// ```
    /// use relance::customer::ContactIdx;
    /// use relance::customer::clv::{PredictedValues, Predictions};
    /// use relance::sync::{SyncRecord, SyncValue};
    /// use relance::customer::ProfileField;
    /// let p = Predictions { p_alive: vec![0.734_9], expected_purchases: vec![1.004],
    ///     expected_avg_value: vec![31.255], expected_value: vec![31.38] };
    /// let table = PredictedValues::from_parts(&[ContactIdx(0)], p);
    /// let r = SyncRecord::new("a@b.fr").with_predictions(&table, ContactIdx(0));
    /// assert_eq!(r.get(&ProfileField::PAlive), Some(&SyncValue::Number("0.73".into())));
    /// ```
    #[must_use]
    pub fn with_predictions(self, predicted: &PredictedValues, contact: ContactIdx) -> Self {
        ProfileField::PREDICTED.iter().fold(self, |record, field| {
            let value = predicted.value(contact, field).filter(|v| v.is_finite());
            record.with(
                field.clone(),
                value.map_or(SyncValue::Empty, |v| {
                    SyncValue::decimal(v, PREDICTED_DECIMALS)
                }),
            )
        })
    }

    /// [`all`](Self::all) with the predicted values of each profile.
    ///
    /// ```no_run
    /// # fn f(c: &relance::customer::Consolidation<'_>, t: &relance::customer::clv::PredictedValues) {
    /// let records: Vec<_> = relance::sync::SyncRecord::all_with_predictions(c, t).collect();
    /// # }
    /// ```
    pub fn all_with_predictions<'c>(
        consolidation: &'c Consolidation<'_>,
        predicted: &'c PredictedValues,
    ) -> impl Iterator<Item = SyncRecord> + 'c {
        consolidation
            .iter()
            .map(|p| Self::from_profile(p).with_predictions(predicted, p.contact()))
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
