//! From the domain layer: profiles to records.

use std::borrow::Cow;

use super::record::{SyncRecord, ValueRef, fingerprint_of, record_email};
use crate::customer::clv::PredictedValues;
use crate::customer::{Consolidation, ContactIdx, CustomerProfile, OptIn, ProfileField};

/// Decimals the predicted values keep in a sync record: change detection compares them
/// rounded to the nearest (as `format!("{:.2}")` rounds), so that a nightly run does not push every contact because
/// a probability moved in the fourth decimal. P(alive) moves by whole percentage points;
/// purchases and values by hundredths.
pub const PREDICTED_DECIMALS: usize = 2;

impl SyncRecord {
    /// The record of a consolidated profile: every [`ProfileField`] but the key (the email), with
    /// [`SyncValue::Empty`](super::SyncValue::Empty) for what is undefined (so a value that disappears is cleared on
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
        let mut record = Self::new(p.email());
        visit(p, None, &mut |field, value| {
            record.set(field, value.into_owned());
        });
        record
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
            record.with(
                field.clone(),
                predicted_value(predicted, contact, field).into_owned(),
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

/// The email a profile's record is keyed by, and the fingerprint of its values restricted to
/// `fields` (sorted): what [`SyncRecord::from_profile`] (with the predictions when given),
/// restricted to `fields`, would give, without building the record.
pub(crate) fn fingerprint_profile<'p>(
    p: &'p CustomerProfile<'_>,
    predicted: Option<&PredictedValues>,
    fields: &[ProfileField],
) -> (Cow<'p, str>, u64) {
    let fingerprint = fingerprint_of(|canonical| {
        visit(p, predicted, &mut |field, value| {
            if fields.binary_search(&field).is_ok() {
                canonical.push(&field, &value);
            }
        });
    });
    (record_email(p.email()), fingerprint)
}

/// A predicted value as records keep it: rounded to [`PREDICTED_DECIMALS`], empty without a
/// finite prediction.
fn predicted_value(
    predicted: &PredictedValues,
    contact: ContactIdx,
    field: &ProfileField,
) -> ValueRef<'static> {
    predicted
        .value(contact, field)
        .filter(|v| v.is_finite())
        .map_or(ValueRef::Empty, |v| {
            ValueRef::Number(Cow::Owned(format!("{v:.PREDICTED_DECIMALS$}")))
        })
}

/// The one mapping from a profile (and its predictions) to record values: calls `f` for
/// every value field in field order, as [`SyncRecord::from_profile`] (then
/// [`SyncRecord::with_predictions`]) sets them.
fn visit<'p>(
    p: &'p CustomerProfile<'_>,
    predicted: Option<&PredictedValues>,
    f: &mut impl FnMut(ProfileField, ValueRef<'p>),
) {
    use ProfileField as F;
    let text = ValueRef::text;
    let instant =
        |d: Option<chrono::DateTime<chrono::Utc>>| d.map_or(ValueRef::Empty, ValueRef::DateTime);
    let number = |s: String| ValueRef::Number(Cow::Owned(s));
    f(F::FirstName, text(p.first_name()));
    f(F::LastName, text(p.last_name()));
    f(
        F::Civility,
        text(p.civility().map(crate::customer::Civility::as_str)),
    );
    f(F::Phone, text(p.phone()));
    f(F::Postcode, text(p.postcode()));
    f(
        F::BirthDate,
        p.birth_date().map_or(ValueRef::Empty, ValueRef::Date),
    );
    f(F::CustomerId, text(p.customer_id()));
    f(F::SignedUpAt, instant(p.signed_up_at()));
    f(F::LastLoginAt, instant(p.last_login_at()));
    f(F::Revenue, number(p.revenue().to_decimal_string()));
    f(F::LastAbandonedCartAt, instant(p.last_abandoned_cart_at()));
    f(F::FirstOrderAt, instant(p.first_order_at()));
    f(F::LastOrderAt, instant(p.last_order_at()));
    f(
        F::LastOrderAmount,
        p.last_order_amount()
            .map_or(ValueRef::Empty, |m| number(m.to_decimal_string())),
    );
    f(F::LastDeliveryAt, instant(p.last_delivery_at()));
    f(F::OrdersCount, number(p.orders_count().to_string()));
    f(
        F::AvgDaysBetweenOrders,
        p.avg_days_between_orders()
            .map_or(ValueRef::Empty, |d| number(format!("{d:.2}"))),
    );
    f(
        F::NewsletterOptIn,
        match p.newsletter_optin() {
            OptIn::Yes => ValueRef::OptIn(true),
            OptIn::No => ValueRef::OptIn(false),
            OptIn::Unknown => ValueRef::Empty,
        },
    );
    f(F::NewsletterOptInAt, instant(p.newsletter_optin_at()));
    f(
        F::CustomerGroupIds,
        match p.customer_group_ids().as_slice() {
            [] => ValueRef::Empty,
            [one] => text(Some(*one)),
            many => ValueRef::text_owned(&many.join(",")),
        },
    );
    f(F::ShopId, text(p.shop_id()));
    if let Some(t) = predicted {
        for field in ProfileField::PREDICTED {
            let value = predicted_value(t, p.contact(), &field);
            f(field, value);
        }
    }
}
