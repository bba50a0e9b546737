//! The BG/NBD purchase model (Fader, Hardie & Lee 2005, "Counting your customers the easy
//! way"), as `lifetimes.BetaGeoFitter` (0.11.3) fits and uses it.

use super::bgnbd_likelihood::BgNbdData;
use super::fit::maximise_likelihood;
use super::{ClvError, FitOptions, Fitted, Model};
use crate::customer::Btyd;

/// BG/NBD parameters: while alive a customer buys at Poisson rate `λ` ~ Gamma(`r`, `alpha`),
/// and after each purchase drops out with probability `p` ~ Beta(`a`, `b`). `alpha` is in the
/// summaries' time unit (days for [`Btyd`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BgNbd {
    /// Shape of the purchase rates.
    pub r: f64,
    /// Scale of the purchase rates (time unit of the summaries).
    pub alpha: f64,
    /// First shape of the drop-out probabilities.
    pub a: f64,
    /// Second shape of the drop-out probabilities.
    pub b: f64,
}

/// Horizons longer than this many `alpha` are refused: the hypergeometric series would need
/// millions of terms.
const MAX_HORIZON_ALPHAS: f64 = 1e5;

/// Series terms before giving up (unreachable within [`MAX_HORIZON_ALPHAS`]).
const MAX_TERMS: u32 = 20_000_000;

/// `H = Σ_{n≥1} (A)ₙ (δ+1)ₙ₋₁ / ((C)ₙ n!) zⁿ`, so that `₂F₁(A, δ; C; z) = 1 + δ·H`. Stops when
/// the geometric bound of the rest is below the last bit of the sum.
fn series(big_a: f64, delta: f64, c: f64, z: f64) -> f64 {
    let mut term = big_a * z / c;
    let mut sum = term;
    let mut n = 1.0;
    for _ in 0..MAX_TERMS {
        let ratio = (big_a + n) * (delta + n) * z / ((c + n) * (n + 1.0));
        term *= ratio;
        sum += term;
        let bound = ratio.abs().max(z);
        if bound < 1.0 && term.abs() * bound <= 1e-17 * (1.0 - bound) * sum.abs() {
            break;
        }
        n += 1.0;
    }
    sum
}

impl BgNbd {
    /// Maximum-likelihood fit, as `BetaGeoFitter(penalizer_coef).fit(frequency, recency, T)`:
    /// times scaled by `1 / max T`, the same log-likelihood and L2 penalty on the scaled
    /// parameters, start at `ln r = ln α = ln a = ln b = 0.1`, BFGS until every gradient
    /// component is within `options.tolerance`; `alpha` is then scaled back. From 131 072
    /// summaries on, that fit runs on one summary in 16 first, and the fit on all of them
    /// starts where it ended.
    ///
    /// Needs at least [`MIN_CUSTOMERS`](super::MIN_CUSTOMERS) summaries, one of them with a
    /// repeat purchase.
    ///
    /// ```
    /// use relance::customer::Btyd;
    /// use relance::customer::clv::{BgNbd, FitOptions};
    ///
    /// let summaries: Vec<Btyd> = (0..400_u32)
    ///     .map(|i| {
    ///         let frequency = (i * 7) % 5 / 2;
    ///         let t = f64::from(60 + i % 300);
    ///         let recency = if frequency == 0 { 0.0 } else { (t * f64::from(i % 10) / 10.0).floor() };
    ///         Btyd { frequency, recency, t, monetary_value: 0.0 }
    ///     })
    ///     .collect();
    /// let fit = BgNbd::fit(&summaries, &FitOptions::default())?;
    /// assert_eq!(fit.customers, 400);
    /// assert!(fit.params.r > 0.0 && fit.params.alpha > 0.0);
    /// # Ok::<(), relance::customer::clv::ClvError>(())
    /// ```
    pub fn fit(summaries: &[Btyd], options: &FitOptions) -> Result<Fitted<Self>, ClvError> {
        let (data, min) = maximise_likelihood(
            Model::BgNbd,
            summaries,
            options,
            BgNbdData::new,
            // a sample's α is in its own time scale
            |part, all, theta| theta[1] += (all.scale / part.scale).ln(),
        )?;
        let p = [
            min.theta[0].exp(),
            min.theta[1].exp(),
            min.theta[2].exp(),
            min.theta[3].exp(),
        ];
        let params = Self {
            r: p[0],
            alpha: p[1] / data.scale,
            a: p[2],
            b: p[3],
        };
        Fitted::new(Model::BgNbd, params, &p, &min, summaries.len())
    }

    /// Probability that the customer is still alive at the end of its observation (`T`, the
    /// `as_of` day for [`Btyd`]); 1 without repeat purchase. `lifetimes`'
    /// `conditional_probability_alive`.
    ///
    /// ```
    /// use relance::customer::Btyd;
    /// use relance::customer::clv::BgNbd;
    ///
    /// let m = BgNbd { r: 0.25, alpha: 30.0, a: 0.8, b: 2.4 };
    /// let once = Btyd { frequency: 0, recency: 0.0, t: 200.0, monetary_value: 0.0 };
    /// assert_eq!(m.p_alive(&once), 1.0);
    /// let lapsed = Btyd { frequency: 3, recency: 20.0, t: 200.0, monetary_value: 10.0 };
    /// let recent = Btyd { recency: 199.0, ..lapsed };
    /// assert!(m.p_alive(&lapsed) < 0.1 && m.p_alive(&recent) > 0.8);
    /// ```
    #[must_use]
    pub fn p_alive(&self, s: &Btyd) -> f64 {
        if s.frequency == 0 {
            return 1.0;
        }
        let x = f64::from(s.frequency);
        let log_odds = (self.a / (self.b + x - 1.0)).ln()
            + (self.r + x) * ((self.alpha + s.t) / (self.alpha + s.recency)).ln();
        1.0 / (1.0 + log_odds.exp())
    }

    /// Checks a horizon for [`BgNbd::expected_purchases`].
    pub(super) fn check_horizon(&self, horizon: f64) -> Result<(), ClvError> {
        if !(horizon.is_finite() && horizon >= 0.0) {
            return Err(ClvError::InvalidOption(
                "the horizon must be finite and ≥ 0",
            ));
        }
        let limit = MAX_HORIZON_ALPHAS * self.alpha;
        if horizon > limit {
            return Err(ClvError::HorizonTooLong { horizon, limit });
        }
        Ok(())
    }

    /// Expected number of purchases in the `horizon` after the end of observation (same unit
    /// as the summaries), given the customer's history: `lifetimes`'
    /// `conditional_expected_number_of_purchases_up_to_time` (equation 10 of the BG/NBD paper).
    ///
    /// Computed as `(a+b+x−1) · [1 − (1−z)^(a−1) ₂F₁(a+b−1−r, a−1; a+b+x−1; z)] / (a−1) ·
    /// P(alive)` with `z = t / (α+T+t)` (Euler's transformation of the paper's ₂F₁, whose series
    /// converges fast for frequent buyers; the `a → 1` limit is exact). Errors on a horizon
    /// that is negative, not finite, or over 10⁵ `alpha`.
    ///
    /// ```
    /// use relance::customer::Btyd;
    /// use relance::customer::clv::BgNbd;
    ///
    /// let m = BgNbd { r: 0.25, alpha: 30.0, a: 0.8, b: 2.4 };
    /// let s = Btyd { frequency: 2, recency: 213.0, t: 272.0, monetary_value: 22.0 };
    /// let (month, quarter) = (m.expected_purchases(&s, 30.0)?, m.expected_purchases(&s, 90.0)?);
    /// assert!(0.0 < month && month < quarter && quarter < 1.0);
    /// assert_eq!(m.expected_purchases(&s, 0.0)?, 0.0);
    /// # Ok::<(), relance::customer::clv::ClvError>(())
    /// ```
    pub fn expected_purchases(&self, s: &Btyd, horizon: f64) -> Result<f64, ClvError> {
        self.check_horizon(horizon)?;
        Ok(self.purchases_unchecked(s, horizon))
    }

    /// [`BgNbd::expected_purchases`] for a checked horizon.
    pub(super) fn purchases_unchecked(&self, s: &Btyd, horizon: f64) -> f64 {
        self.purchases_given_alive(s, horizon) * self.p_alive(s)
    }

    /// Expected purchases in `horizon` for a customer known to be alive.
    #[allow(clippy::many_single_char_names)] // the paper's names
    pub(super) fn purchases_given_alive(&self, s: &Btyd, horizon: f64) -> f64 {
        if horizon == 0.0 {
            return 0.0;
        }
        let Self { r, alpha, a, b } = *self;
        let x = f64::from(s.frequency);
        let age = alpha + s.t;
        let z = horizon / (age + horizon);
        let ln_1mz = (age / (age + horizon)).ln();
        let delta = a - 1.0;
        let c = a + b + x - 1.0;
        let h = series(a + b - 1.0 - r, delta, c, z);
        let bracket_over_delta = if delta == 0.0 {
            -(ln_1mz + h)
        } else {
            -(delta * ln_1mz + (delta * h).ln_1p()).exp_m1() / delta
        };
        c * bracket_over_delta
    }
}

#[cfg(test)]
#[allow(clippy::many_single_char_names)] // the paper's names
mod tests {
    use super::BgNbd;
    use crate::customer::Btyd;

    /// The paper's ₂F₁ summed directly (slow, fine for checking).
    fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> f64 {
        let (mut term, mut sum) = (1.0, 1.0);
        for n in 0..100_000 {
            let n = f64::from(n);
            term *= (a + n) * (b + n) / ((c + n) * (n + 1.0)) * z;
            sum += term;
            if term.abs() < 1e-18 * sum {
                break;
            }
        }
        sum
    }

    /// Equation 10 as `lifetimes` writes it.
    fn paper(m: &BgNbd, s: &Btyd, t: f64) -> f64 {
        let x = f64::from(s.frequency);
        let z = t / (m.alpha + s.t + t);
        let hyp = hyp2f1(m.r + x, m.b + x, m.a + m.b + x - 1.0, z);
        let first = (m.a + m.b + x - 1.0) / (m.a - 1.0);
        let second = 1.0 - hyp * ((m.alpha + s.t) / (m.alpha + t + s.t)).powf(m.r + x);
        let returning = if s.frequency > 0 { 1.0 } else { 0.0 };
        let denominator = 1.0
            + returning
                * (m.a / (m.b + x - 1.0))
                * ((m.alpha + s.t) / (m.alpha + s.recency)).powf(m.r + x);
        first * second / denominator
    }

    #[test]
    fn expected_purchases_equal_the_papers_formula() {
        let models = [
            BgNbd {
                r: 0.24,
                alpha: 30.9,
                a: 0.79,
                b: 2.43,
            },
            BgNbd {
                r: 1.3,
                alpha: 12.0,
                a: 2.5,
                b: 0.7,
            },
            BgNbd {
                r: 0.6,
                alpha: 80.0,
                a: 1.0 + 1e-4,
                b: 3.0,
            },
        ];
        for m in &models {
            for (frequency, recency, t) in [
                (0, 0.0, 10.0),
                (1, 3.0, 300.0),
                (7, 250.0, 260.0),
                (40, 700.0, 720.0),
            ] {
                let s = Btyd {
                    frequency,
                    recency,
                    t,
                    monetary_value: 1.0,
                };
                for horizon in [1.0, 30.0, 90.0, 365.0] {
                    let ours = m.expected_purchases(&s, horizon).unwrap();
                    let theirs = paper(m, &s, horizon);
                    assert!(
                        (ours - theirs).abs() <= 1e-9 * theirs.abs(),
                        "{m:?} {s:?} t = {horizon}: {ours} vs {theirs}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_equal_to_one_is_the_limit_not_a_division_by_zero() {
        let s = Btyd {
            frequency: 3,
            recency: 100.0,
            t: 200.0,
            monetary_value: 1.0,
        };
        let at = |a: f64| {
            BgNbd {
                r: 0.5,
                alpha: 20.0,
                a,
                b: 2.0,
            }
            .expected_purchases(&s, 60.0)
            .unwrap()
        };
        let (below, one, above) = (at(1.0 - 1e-7), at(1.0), at(1.0 + 1e-7));
        assert!(one.is_finite() && one > 0.0);
        assert!((one - below).abs() < 1e-6 * one && (one - above).abs() < 1e-6 * one);
    }

    #[test]
    fn horizons_are_checked() {
        let m = BgNbd {
            r: 0.5,
            alpha: 20.0,
            a: 0.8,
            b: 2.0,
        };
        let s = Btyd {
            frequency: 0,
            recency: 0.0,
            t: 5.0,
            monetary_value: 0.0,
        };
        assert!(m.expected_purchases(&s, -1.0).is_err());
        assert!(m.expected_purchases(&s, f64::NAN).is_err());
        assert!(m.expected_purchases(&s, 3e6).is_err());
        let long = m.expected_purchases(&s, 1.9e6).unwrap();
        assert!(long.is_finite() && long > m.expected_purchases(&s, 1e5).unwrap());
    }
}
