//! Default segments on the predicted values: valuable customers slipping away, customers
//! likely to buy again, and those of the highest predicted value.

use super::PredictedValues;
use crate::customer::segment::{Condition, Match, Op, SegmentSpec};
use crate::customer::{Consolidation, ProfileField};

/// "At risk": customers whose past value (revenue) is at least `min_past_value` and whose
/// P(alive) is below `max_p_alive`. [`ClvSegments::specs`] computes `min_past_value` as the
/// cutoff of the top share of buyers by revenue.
///
/// ```
/// let s = relance::customer::clv::at_risk(250.0, 0.5);
/// assert_eq!(s.tag, "relance_at_risk");
/// assert_eq!(s.conditions.len(), 2);
/// ```
#[must_use]
pub fn at_risk(min_past_value: f64, max_p_alive: f64) -> SegmentSpec {
    spec(
        "relance_at_risk",
        "At risk (valuable, slipping away)",
        vec![
            Condition::new(ProfileField::Revenue, Op::AtLeast(min_past_value)),
            Condition::new(ProfileField::PAlive, Op::LessThan(max_p_alive)),
        ],
        format!("revenue >= {min_past_value} and P(alive) < {max_p_alive}"),
    )
}

/// "Likely to buy again": customers expected to make at least `min_expected_purchases`
/// purchases over the prediction horizon.
///
/// ```
/// let s = relance::customer::clv::likely_to_buy_again(1.0);
/// assert_eq!(s.tag, "relance_likely_to_buy");
/// ```
#[must_use]
pub fn likely_to_buy_again(min_expected_purchases: f64) -> SegmentSpec {
    spec(
        "relance_likely_to_buy",
        "Likely to buy again",
        vec![Condition::new(
            ProfileField::ExpectedPurchases,
            Op::AtLeast(min_expected_purchases),
        )],
        format!("expected purchases over the horizon >= {min_expected_purchases}"),
    )
}

/// "High predicted value": customers whose expected value over the horizon is at least
/// `min_expected_value`. [`ClvSegments::specs`] computes it as the cutoff of the top share.
///
/// ```
/// let s = relance::customer::clv::high_predicted_value(120.0);
/// assert_eq!(s.tag, "relance_high_predicted_value");
/// ```
#[must_use]
pub fn high_predicted_value(min_expected_value: f64) -> SegmentSpec {
    spec(
        "relance_high_predicted_value",
        "High predicted value",
        vec![Condition::new(
            ProfileField::ExpectedValue,
            Op::AtLeast(min_expected_value),
        )],
        format!("expected value over the horizon >= {min_expected_value}"),
    )
}

fn spec(tag: &str, name: &str, conditions: Vec<Condition>, note: String) -> SegmentSpec {
    SegmentSpec {
        tag: tag.to_owned(),
        name: name.to_owned(),
        mode: Match::All,
        conditions,
        note: Some(note),
    }
}

/// The thresholds of the three default CLV segments.
///
/// ```
/// let t = relance::customer::clv::ClvSegments::default();
/// assert_eq!((t.top_past_value_share, t.at_risk_below), (0.2, 0.5));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClvSegments {
    /// "At risk" looks at the buyers in this top share by revenue (default 0.2).
    pub top_past_value_share: f64,
    /// … whose P(alive) is below this (default 0.5).
    pub at_risk_below: f64,
    /// "Likely to buy again": at least this many expected purchases (default 1).
    pub likely_purchases: f64,
    /// "High predicted value": the buyers in this top share by expected value (default 0.1).
    pub top_predicted_share: f64,
}

impl Default for ClvSegments {
    fn default() -> Self {
        Self {
            top_past_value_share: 0.2,
            at_risk_below: 0.5,
            likely_purchases: 1.0,
            top_predicted_share: 0.1,
        }
    }
}

impl ClvSegments {
    /// The three segments, their shares turned into value cutoffs on this consolidation's
    /// buyers and predictions. Evaluate them with
    /// [`SegmentSpec::members_with`] and provision them like the others (the providers
    /// evaluate the synced values, rounded to two decimals). "At risk" needs a "less than":
    /// on Sendethic the negation of `num-higher`; on Sendsay, whose filters have no `<` in
    /// the reference, `<=` the threshold minus one last digit of the synced precision.
    ///
    /// ```no_run
    /// # fn f(c: &relance::customer::Consolidation<'_>, predicted: &relance::customer::clv::PredictedValues) {
    /// let specs = relance::customer::clv::ClvSegments::default().specs(c, predicted);
    /// let at_risk = specs[0].members_with(c, predicted);
    /// # }
    /// ```
    #[must_use]
    pub fn specs(
        &self,
        consolidation: &Consolidation<'_>,
        predicted: &PredictedValues,
    ) -> Vec<SegmentSpec> {
        let past = consolidation
            .iter()
            .filter(|p| p.orders_count() > 0)
            .map(|p| p.revenue().to_major_f64());
        let future = predicted.predictions().expected_value.iter().copied();
        vec![
            at_risk(
                top_share_cutoff(past, self.top_past_value_share),
                self.at_risk_below,
            ),
            likely_to_buy_again(self.likely_purchases),
            high_predicted_value(top_share_cutoff(future, self.top_predicted_share)),
        ]
    }
}

/// The smallest value among the top `share` of `values` (at least one value when there are
/// any; `+∞` when there are none, so that the segment is empty).
fn top_share_cutoff(values: impl Iterator<Item = f64>, share: f64) -> f64 {
    let mut v: Vec<f64> = values.filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return f64::INFINITY;
    }
    v.sort_unstable_by(|a, b| b.total_cmp(a));
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let k = ((share.clamp(0.0, 1.0) * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[k - 1]
}

#[cfg(test)]
mod tests {
    use super::top_share_cutoff;

    #[test]
    fn cutoffs_keep_the_top_share() {
        let v = (1..=10).map(f64::from);
        assert!((top_share_cutoff(v.clone(), 0.2) - 9.0).abs() < f64::EPSILON);
        assert!((top_share_cutoff(v.clone(), 0.0) - 10.0).abs() < f64::EPSILON);
        assert!((top_share_cutoff(v.clone(), 1.0) - 1.0).abs() < f64::EPSILON);
        assert!((top_share_cutoff(v, 0.25) - 8.0).abs() < f64::EPSILON);
        assert!(top_share_cutoff(std::iter::empty(), 0.2).is_infinite());
    }
}
