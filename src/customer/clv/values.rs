//! Predictions as profile values: a side table of a consolidation, looked up by contact.

use super::{BuyerSummaries, Clv, ClvError, Horizon, Prediction, Predictions};
use crate::customer::{Consolidation, ContactIdx, ProfileField};

/// The predictions of a fitted [`Clv`] for the buyers of a consolidation, looked up by
/// contact: the values of the [`ProfileField::PREDICTED`] fields beside the consolidated
/// ones. Contacts without a counted order have none (the models say nothing about them).
///
/// ```
/// use chrono::{TimeDelta, TimeZone, Utc};
/// use relance::customer::*;
/// use relance::customer::clv::{BuyerSummaries, Clv, ClvOptions, Horizon, PredictedValues};
///
/// // Buyers with habits (an order every 7 to 150 days, 1 to 21 orders) who stop at
/// // different times.
/// let start = Utc.with_ymd_and_hms(2023, 1, 1, 10, 0, 0).unwrap();
/// let mut ds = Dataset::new();
/// let mut id = 0;
/// for c in 0..400_u32 {
///     let who = ds.guest(&format!("c{c}@example.com")).unwrap();
///     let gap = [7, 20, 45, 90, 150][(c % 5) as usize];
///     let first = i64::from((c * 37) % 600);
///     let orders = [1, 1, 1, 1, 2, 2, 3, 5, 8, 13, 21][(c % 11) as usize];
///     for k in (0..orders).take_while(|k| first + k * gap < 730) {
///         id += 1;
///         ds.add_order(Order::new(OrderId(id), Buyer::Guest(who), start + TimeDelta::days(first + k * gap),
///             OrderStatus::Paid, Money::new(2000 + 700 * i64::from(c % 11) + 100 * k, Currency::EUR)));
///     }
/// }
/// let as_of = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
/// let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::UTC))?;
/// let model = Clv::fit(&BuyerSummaries::of(&c).summaries, &ClvOptions::default())?.model();
/// let predicted = PredictedValues::predict(&c, &model, &Horizon::new(90.0)?)?;
/// let first = c.iter().next().unwrap();
/// let p_alive = predicted.value(first.contact(), &ProfileField::PAlive).unwrap();
/// assert!((0.0..=1.0).contains(&p_alive));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PredictedValues {
    /// Position in `predictions` by contact index; `u32::MAX` for none.
    slot: Vec<u32>,
    predictions: Predictions,
}

/// No prediction for this contact.
const NONE: u32 = u32::MAX;

impl PredictedValues {
    /// Predicts every buyer of `consolidation` with `model` over `horizon`.
    ///
    /// ```no_run
    /// # fn f(c: &relance::customer::Consolidation<'_>, model: &relance::customer::clv::Clv) -> Result<(), relance::customer::clv::ClvError> {
    /// use relance::customer::clv::{Horizon, PredictedValues};
    /// let next_quarter = PredictedValues::predict(c, model, &Horizon::new(90.0)?)?;
    /// # Ok(()) }
    /// ```
    pub fn predict(
        consolidation: &Consolidation<'_>,
        model: &Clv,
        horizon: &Horizon,
    ) -> Result<Self, ClvError> {
        let buyers = BuyerSummaries::of(consolidation);
        let predictions = model.predict(&buyers.summaries, horizon)?;
        Ok(Self::from_parts(&buyers.contacts, predictions))
    }

    /// The table of `predictions[i]` for `contacts[i]` (as made from
    /// [`BuyerSummaries`]).
    ///
    /// ```
    /// use relance::customer::ContactIdx;
    /// use relance::customer::clv::{PredictedValues, Predictions};
    /// let p = Predictions { p_alive: vec![0.5], expected_purchases: vec![1.0],
    ///     expected_avg_value: vec![30.0], expected_value: vec![30.0] };
    /// let table = PredictedValues::from_parts(&[ContactIdx(3)], p);
    /// assert_eq!(table.get(ContactIdx(3)).unwrap().p_alive, 0.5);
    /// assert!(table.get(ContactIdx(2)).is_none());
    /// ```
    #[must_use]
    pub fn from_parts(contacts: &[ContactIdx], predictions: Predictions) -> Self {
        let len = contacts.iter().map(|c| c.0 as usize + 1).max().unwrap_or(0);
        let mut slot = vec![NONE; len];
        for (i, c) in contacts.iter().enumerate().take(predictions.len()) {
            slot[c.0 as usize] = u32::try_from(i).unwrap_or(NONE);
        }
        Self { slot, predictions }
    }

    /// The predictions of one contact.
    ///
    /// ```
    /// let table = relance::customer::clv::PredictedValues::default();
    /// assert!(table.get(relance::customer::ContactIdx(0)).is_none());
    /// ```
    #[must_use]
    pub fn get(&self, contact: ContactIdx) -> Option<Prediction> {
        let at = *self.slot.get(contact.0 as usize)?;
        (at != NONE)
            .then(|| self.predictions.get(at as usize))
            .flatten()
    }

    /// The value of a predicted field for one contact (`None` for a field that is not
    /// predicted, or a contact without prediction).
    ///
    /// ```
    /// use relance::customer::{ContactIdx, ProfileField};
    /// let table = relance::customer::clv::PredictedValues::default();
    /// assert_eq!(table.value(ContactIdx(0), &ProfileField::PAlive), None);
    /// ```
    #[must_use]
    pub fn value(&self, contact: ContactIdx, field: &ProfileField) -> Option<f64> {
        let p = self.get(contact)?;
        match field {
            ProfileField::PAlive => Some(p.p_alive),
            ProfileField::ExpectedPurchases => Some(p.expected_purchases),
            ProfileField::ExpectedAvgValue => Some(p.expected_avg_value),
            ProfileField::ExpectedValue => Some(p.expected_value),
            _ => None,
        }
    }

    /// The predictions, one array per quantity, in the buyers' order.
    ///
    /// ```
    /// assert!(relance::customer::clv::PredictedValues::default().predictions().is_empty());
    /// ```
    #[must_use]
    pub fn predictions(&self) -> &Predictions {
        &self.predictions
    }
}
