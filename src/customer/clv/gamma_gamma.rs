//! The Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"), as
//! `lifetimes.GammaGammaFitter` (0.11.3) fits it.
//!
//! Per returning customer with frequency `x` and mean repeat-purchase value `m`, with
//! parameters `p, q, v`:
//!
//! ```text
//! ℓ = ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln v + (px−1) ln m + px ln x − (px+q) ln(xm+v)
//! ```
//!
//! and the objective is `−Σℓ / N + penalizer · (p² + q² + v²)`, minimised over the logarithms
//! of the parameters. The Γ terms are computed once per distinct frequency, `Σ ln m` once per
//! fit, and only `ln(xm + v)` per customer and pass.

use super::data::Distinct;
use super::fit::maximise_likelihood;
use super::optimize::{Objective, penalized_mean};
use super::reduce::chunked_sum;
use super::special::{digamma, ln_gamma};
use super::{ClvError, FitOptions, Fitted, MIN_RETURNING, Model};
use crate::customer::Btyd;

/// Gamma-Gamma parameters: spend per transaction is Gamma(`p`, `ν`) for each customer, with
/// `ν` ~ Gamma(`q`, `v`) across customers. `v` is in the currency's major units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GammaGamma {
    /// Shape of a customer's transaction values.
    pub p: f64,
    /// Shape of the scale's distribution across customers.
    pub q: f64,
    /// Scale of the scale's distribution (currency units).
    pub v: f64,
}

/// Returning customers with a positive mean value, grouped for fast likelihood passes.
struct GammaGammaData {
    customers: f64,
    /// Distinct frequencies and how many customers have each.
    freqs: Vec<(f64, f64)>,
    /// Per customer: `(x, x·m, ln(x·m))`.
    spend: Vec<(f64, f64, f64)>,
    /// `Σ ln m`.
    sum_ln_m: f64,
    /// Mean of `m` (the currency's scale).
    mean_m: f64,
    penalizer: f64,
}

impl GammaGammaData {
    fn new(summaries: &[Btyd], penalizer: f64) -> Result<Self, ClvError> {
        let mut freqs = Distinct::default();
        let mut counts: Vec<f64> = Vec::new();
        let mut spend = Vec::new();
        let (mut sum_ln_m, mut sum_m) = (0.0, 0.0);
        for s in summaries {
            if s.frequency == 0 || s.monetary_value <= 0.0 {
                continue;
            }
            let id = freqs.id(u64::from(s.frequency)) as usize;
            if id == counts.len() {
                counts.push(0.0);
            }
            counts[id] += 1.0;
            let (x, m) = (f64::from(s.frequency), s.monetary_value);
            sum_ln_m += m.ln();
            sum_m += m;
            spend.push((x, x * m, (x * m).ln()));
        }
        if spend.len() < MIN_RETURNING {
            return Err(ClvError::TooFewReturningCustomers {
                model: Model::GammaGamma,
                got: spend.len(),
                needed: MIN_RETURNING,
            });
        }
        #[allow(clippy::cast_precision_loss)] // exact up to 2^53
        let (freqs, customers) = (
            freqs
                .keys
                .iter()
                .zip(counts)
                .map(|(&x, n)| (x as f64, n))
                .collect(),
            spend.len() as f64,
        );
        Ok(Self {
            customers,
            freqs,
            spend,
            sum_ln_m,
            mean_m: sum_m / customers,
            penalizer,
        })
    }

    /// `Σℓ` and its partial derivatives in `(p, q, v)`, with each customer's terms combined
    /// before summing (`px ln(xm) − (px+q) ln(xm+v) + q ln v = −px·u − q·w` with
    /// `u = ln(xm+v) − ln(xm)`, `w = ln(xm+v) − ln v`) so that no large sums cancel: the
    /// objective stays smooth to about 1e-15, well below what the line search resolves.
    #[allow(clippy::many_single_char_names)] // the paper's names
    fn log_likelihood(&self, [p, q, v]: [f64; 3]) -> (f64, [f64; 3]) {
        let ln_v = v.ln();
        let [x_u, w, x_inv, inv] = chunked_sum(self.spend.len(), |range| {
            let mut acc = [0.0; 4];
            for &(x, xm, ln_xm) in &self.spend[range] {
                let (l, i) = ((xm + v).ln(), 1.0 / (xm + v));
                acc[0] += x * (l - ln_xm);
                acc[1] += l - ln_v;
                acc[2] += x * i;
                acc[3] += i;
            }
            acc
        });
        let mut ll = -self.sum_ln_m - p * x_u - q * w;
        let n = self.customers;
        let mut d = [-x_u, -w, q * (n / v - inv) - p * x_inv];
        let (lg_q, dg_q) = (ln_gamma(q), digamma(q));
        for &(x, count) in &self.freqs {
            let px = p * x;
            ll += count * (ln_gamma(px + q) - ln_gamma(px) - lg_q);
            d[0] += count * x * (digamma(px + q) - digamma(px));
            d[1] += count * (digamma(px + q) - dg_q);
        }
        (ll, d)
    }
}

impl Objective for GammaGammaData {
    const PARAMETERS: usize = 3;

    fn evaluate(&self, theta: &[f64]) -> (f64, Vec<f64>) {
        let p = [theta[0].exp(), theta[1].exp(), theta[2].exp()];
        let (ll, d) = self.log_likelihood(p);
        penalized_mean(&p, (ll, &d), self.customers, self.penalizer)
    }
}

impl GammaGamma {
    /// Maximum-likelihood fit on the returning customers (frequency > 0) whose mean repeat
    /// value is positive, as `GammaGammaFitter(penalizer_coef).fit(frequency, monetary_value)`
    /// on that subset: same likelihood, same log-parameterisation, start at `ln p = ln q =
    /// ln v = 0.1`, BFGS until every gradient component is within `options.tolerance` (from
    /// 131 072 summaries on, first on one summary in 16, then on all from there).
    /// (`lifetimes` rejects a zero mean value; customers with one are skipped here.)
    ///
    /// ```
    /// use relance::customer::Btyd;
    /// use relance::customer::clv::{FitOptions, GammaGamma};
    ///
    /// let summaries: Vec<Btyd> = (0..200_u32)
    ///     .map(|i| Btyd {
    ///         frequency: 1 + i % 4,
    ///         recency: 30.0,
    ///         t: 60.0,
    ///         monetary_value: 10.0 + f64::from((i * 37) % 23) + f64::from(i % 7) * 4.0,
    ///     })
    ///     .collect();
    /// let fit = GammaGamma::fit(&summaries, &FitOptions::default())?;
    /// assert_eq!(fit.customers, 200);
    /// assert!(fit.params.p > 0.0 && fit.params.q > 1.0 && fit.params.v > 0.0);
    /// # Ok::<(), relance::customer::clv::ClvError>(())
    /// ```
    pub fn fit(summaries: &[Btyd], options: &FitOptions) -> Result<Fitted<Self>, ClvError> {
        let (data, min) = maximise_likelihood(
            Model::GammaGamma,
            summaries,
            options,
            GammaGammaData::new,
            |_, _, _| {},
        )?;
        let [p, q, v] = [min.theta[0].exp(), min.theta[1].exp(), min.theta[2].exp()];
        let scale_free = [p, q, v / data.mean_m];
        Fitted::new(
            Model::GammaGamma,
            Self { p, q, v },
            &scale_free,
            &min,
            data.spend.len(),
        )
    }

    /// The population mean spend per transaction, `p·v / (q − 1)`; `None` when `q ≤ 1`.
    ///
    /// ```
    /// use relance::customer::clv::GammaGamma;
    /// let gg = GammaGamma { p: 6.0, q: 4.0, v: 15.0 };
    /// assert_eq!(gg.mean_spend(), Some(30.0));
    /// assert_eq!(GammaGamma { q: 0.9, ..gg }.mean_spend(), None);
    /// ```
    #[must_use]
    pub fn mean_spend(&self) -> Option<f64> {
        (self.q > 1.0).then(|| self.p * self.v / (self.q - 1.0))
    }

    /// Conditional expected average transaction value of a customer (`lifetimes`'
    /// `conditional_expected_average_profit`): the weighted mean
    /// `(1 − w)·mean_spend + w·m` with `w = px / (px + q − 1)`; the population mean for a
    /// customer without repeat purchase.
    ///
    /// ```
    /// use relance::customer::Btyd;
    /// use relance::customer::clv::GammaGamma;
    ///
    /// let gg = GammaGamma { p: 6.0, q: 4.0, v: 15.0 };
    /// let loyal = Btyd { frequency: 2, recency: 20.0, t: 40.0, monetary_value: 50.0 };
    /// let w = 12.0 / 15.0;
    /// assert!((gg.expected_avg_value(&loyal)? - ((1.0 - w) * 30.0 + w * 50.0)).abs() < 1e-12);
    /// let once = Btyd { frequency: 0, recency: 0.0, t: 40.0, monetary_value: 0.0 };
    /// assert_eq!(gg.expected_avg_value(&once)?, 30.0);
    /// # Ok::<(), relance::customer::clv::ClvError>(())
    /// ```
    pub fn expected_avg_value(&self, s: &Btyd) -> Result<f64, ClvError> {
        let mean = self
            .mean_spend()
            .ok_or(ClvError::UnboundedMeanSpend { q: self.q })?;
        Ok(self.avg_value_given_mean(s, mean))
    }

    /// [`GammaGamma::expected_avg_value`] with the checked population mean.
    pub(super) fn avg_value_given_mean(&self, s: &Btyd, mean: f64) -> f64 {
        let px = self.p * f64::from(s.frequency);
        let w = px / (px + self.q - 1.0);
        (1.0 - w) * mean + w * s.monetary_value
    }
}

#[cfg(test)]
#[allow(clippy::many_single_char_names)] // the paper's names
mod tests {
    use super::{GammaGamma, GammaGammaData};
    use crate::customer::Btyd;
    use crate::customer::clv::optimize::assert_gradient_matches;
    use crate::customer::clv::special::ln_gamma;
    use crate::customer::clv::{ClvError, FitOptions, Model};

    fn sample() -> Vec<Btyd> {
        (0..250_u32)
            .map(|i| Btyd {
                frequency: i % 5,
                recency: if i % 5 == 0 { 0.0 } else { 10.0 },
                t: 50.0,
                monetary_value: if i % 5 == 0 {
                    0.0
                } else {
                    5.0 + f64::from((i * 53) % 41)
                },
            })
            .collect()
    }

    #[test]
    fn grouped_likelihood_equals_the_per_customer_formula() {
        let s = sample();
        let data = GammaGammaData::new(&s, 0.0).unwrap();
        assert_eq!(data.spend.len(), 200);
        let [p, q, v] = [5.0, 3.5, 12.0];
        let direct: f64 = s
            .iter()
            .filter(|c| c.frequency > 0)
            .map(|c| {
                let (x, m) = (f64::from(c.frequency), c.monetary_value);
                ln_gamma(p * x + q) - ln_gamma(p * x) - ln_gamma(q)
                    + q * v.ln()
                    + (p * x - 1.0) * m.ln()
                    + p * x * x.ln()
                    - (p * x + q) * (x * m + v).ln()
            })
            .sum();
        let (grouped, _) = data.log_likelihood([p, q, v]);
        assert!(
            (grouped - direct).abs() < 1e-10 * direct.abs(),
            "{grouped} vs {direct}"
        );
    }

    #[test]
    fn gradient_matches_central_differences() {
        let data = GammaGammaData::new(&sample(), 0.002).unwrap();
        for theta in [[0.1, 0.1, 0.1], [1.8, 1.3, 2.7], [-0.5, 2.0, 0.5]] {
            assert_gradient_matches(&data, &theta);
        }
    }

    #[test]
    fn too_few_or_degenerate_spend_is_a_typed_error() {
        let one = |m: f64| Btyd {
            frequency: 2,
            recency: 5.0,
            t: 9.0,
            monetary_value: m,
        };
        assert_eq!(
            GammaGamma::fit(&[one(3.0), one(4.0), one(0.0)], &FitOptions::default()),
            Err(ClvError::TooFewReturningCustomers {
                model: Model::GammaGamma,
                got: 2,
                needed: 3
            })
        );
        // identical spend everywhere: the likelihood grows without bound as q, v → ∞
        let same = vec![one(20.0); 50];
        let err = GammaGamma::fit(&same, &FitOptions::default()).unwrap_err();
        assert!(
            matches!(
                err,
                ClvError::NotConverged {
                    model: Model::GammaGamma,
                    ..
                }
            ),
            "{err:?}"
        );
    }
}
