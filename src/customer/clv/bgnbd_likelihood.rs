//! The BG/NBD negative log-likelihood of `lifetimes.BetaGeoFitter` (0.11.3) and its gradient.
//!
//! Per customer with frequency `x`, recency `tₓ` and age `T` (times scaled by `1 / max T`, as
//! `lifetimes` does), with parameters `r, α, a, b`:
//!
//! ```text
//! ℓ = ln Γ(r+x) − ln Γ(r) + r ln α + ln Γ(a+b) + ln Γ(b+x) − ln Γ(b) − ln Γ(a+b+x)
//!     + ln( (α+T)^−(r+x) + [x > 0] · a/(b+x−1) · (α+tₓ)^−(r+x) )
//! ```
//!
//! and the objective is `−Σℓ / N + penalizer · (r² + α² + a² + b²)`, minimised over the
//! logarithms of the parameters. The Γ terms depend on `x` only and are computed once per
//! distinct frequency; logarithms of `α + time` once per distinct time; only the last term
//! (written `−(r+x) ln(α+T) + softplus(u)` with `u = ln a − ln(b+x−1) + (r+x) ln((α+T)/(α+tₓ))`)
//! is evaluated per returning customer, in fixed chunks summed in order.

use super::data::Distinct;
use super::optimize::{Objective, penalized_mean};
use super::reduce::chunked_sum;
use super::special::{digamma, ln_gamma};
use super::{ClvError, MIN_CUSTOMERS, Model};
use crate::customer::Btyd;

/// A returning customer: ids of its frequency and of its scaled `T` and recency.
#[derive(Clone, Copy)]
struct Returning {
    freq: u32,
    t: u32,
    recency: u32,
}

/// The summaries, grouped for fast likelihood passes.
pub(super) struct BgNbdData {
    /// `N`.
    customers: f64,
    /// `1 / max T`.
    pub scale: f64,
    /// Distinct scaled times (recencies and ages).
    times: Vec<f64>,
    /// Distinct frequencies and how many customers have each.
    freqs: Vec<(f64, f64)>,
    /// One-time buyers per time id (of their `T`).
    once: Vec<f64>,
    returning: Vec<Returning>,
    /// The L2 penalizer.
    penalizer: f64,
}

impl BgNbdData {
    /// Groups checked summaries; errors when they cannot identify the model.
    pub fn new(summaries: &[Btyd], penalizer: f64) -> Result<Self, ClvError> {
        let returning_count = summaries.iter().filter(|s| s.frequency > 0).count();
        let max_t = summaries.iter().fold(0.0_f64, |m, s| m.max(s.t));
        if summaries.len() < MIN_CUSTOMERS || max_t <= 0.0 {
            return Err(ClvError::TooFewCustomers {
                model: Model::BgNbd,
                got: if max_t > 0.0 { summaries.len() } else { 0 },
                needed: MIN_CUSTOMERS,
            });
        }
        if returning_count == 0 {
            return Err(ClvError::TooFewReturningCustomers {
                model: Model::BgNbd,
                got: 0,
                needed: 1,
            });
        }
        let scale = 1.0 / max_t;
        let (mut times, mut freqs) = (Distinct::default(), Distinct::default());
        let mut freq_counts: Vec<f64> = Vec::new();
        let mut once: Vec<f64> = Vec::new();
        let mut returning = Vec::with_capacity(returning_count);
        for s in summaries {
            let freq = freqs.id(u64::from(s.frequency)) as usize;
            if freq == freq_counts.len() {
                freq_counts.push(0.0);
            }
            freq_counts[freq] += 1.0;
            let t = times.value_id(s.t * scale);
            if s.frequency == 0 {
                let t = t as usize;
                if t >= once.len() {
                    once.resize(t + 1, 0.0);
                }
                once[t] += 1.0;
            } else {
                returning.push(Returning {
                    freq: u32::try_from(freq).unwrap_or(u32::MAX),
                    t,
                    recency: times.value_id(s.recency * scale),
                });
            }
        }
        #[allow(clippy::cast_precision_loss)] // exact up to 2^53 customers / frequencies
        let freqs = freqs
            .keys
            .iter()
            .zip(freq_counts)
            .map(|(&x, n)| (x as f64, n))
            .collect();
        #[allow(clippy::cast_precision_loss)]
        let customers = summaries.len() as f64;
        Ok(Self {
            customers,
            scale,
            times: times.values(),
            freqs,
            once,
            returning,
            penalizer,
        })
    }

    /// `Σℓ` and its partial derivatives in `(r, α, a, b)` (α scaled).
    #[allow(clippy::many_single_char_names)] // the paper's names
    fn log_likelihood(&self, [r, alpha, a, b]: [f64; 4]) -> (f64, [f64; 4]) {
        let ln_time: Vec<f64> = self.times.iter().map(|&v| (alpha + v).ln()).collect();
        let inv_time: Vec<f64> = self.times.iter().map(|&v| 1.0 / (alpha + v)).collect();
        let (mut ll, mut d) = (0.0, [0.0; 4]);
        let (ln_alpha, ln_a) = (alpha.ln(), a.ln());
        let ln_gammas = [ln_gamma(r), ln_gamma(b), ln_gamma(a + b)];
        let digammas = [digamma(r), digamma(b), digamma(a + b)];
        // per distinct frequency: (r + x, ln a − ln(b+x−1), 1/(b+x−1))
        let mut per_freq = Vec::with_capacity(self.freqs.len());
        for &(x, n) in &self.freqs {
            ll += n
                * (ln_gamma(r + x) - ln_gammas[0] + r * ln_alpha + ln_gammas[2] + ln_gamma(b + x)
                    - ln_gammas[1]
                    - ln_gamma(a + b + x));
            d[0] += n * (digamma(r + x) - digammas[0] + ln_alpha);
            d[1] += n * r / alpha;
            d[2] += n * (digammas[2] - digamma(a + b + x));
            d[3] += n * (digammas[2] + digamma(b + x) - digammas[1] - digamma(a + b + x));
            let bx = if x > 0.0 { b + x - 1.0 } else { b };
            per_freq.push((r + x, ln_a - bx.ln(), 1.0 / bx));
        }
        for (k, &n) in self.once.iter().enumerate() {
            ll -= n * r * ln_time[k];
            d[0] -= n * ln_time[k];
            d[1] -= n * r * inv_time[k];
        }
        let [sum, sum_r, sum_alpha, sum_s, sum_sb] = chunked_sum(self.returning.len(), |range| {
            let mut acc = [0.0; 5];
            for c in &self.returning[range] {
                let (rx, c0, inv_bx) = per_freq[c.freq as usize];
                let (lt, it) = (ln_time[c.t as usize], inv_time[c.t as usize]);
                let (lr, ir) = (ln_time[c.recency as usize], inv_time[c.recency as usize]);
                let u = c0 + rx * (lt - lr);
                // softplus(u) = ln(1 + eᵘ); `ln` of 1 + e ∈ (1, 2] has an absolute error of an
                // ulp, all a sum of log-likelihoods needs (and is much faster than `ln_1p`)
                let e = (-u.abs()).exp();
                let softplus = u.max(0.0) + (1.0 + e).ln();
                let s = if u >= 0.0 { 1.0 } else { e } / (1.0 + e);
                acc[0] += softplus - rx * lt;
                acc[1] += s * (lt - lr) - lt;
                acc[2] += rx * (s * (it - ir) - it);
                acc[3] += s;
                acc[4] += s * inv_bx;
            }
            acc
        });
        ll += sum;
        d[0] += sum_r;
        d[1] += sum_alpha;
        d[2] += sum_s / a;
        d[3] -= sum_sb;
        (ll, d)
    }
}

impl Objective for BgNbdData {
    const PARAMETERS: usize = 4;

    fn evaluate(&self, theta: &[f64]) -> (f64, Vec<f64>) {
        let p = [
            theta[0].exp(),
            theta[1].exp(),
            theta[2].exp(),
            theta[3].exp(),
        ];
        let (ll, d) = self.log_likelihood(p);
        penalized_mean(&p, (ll, &d), self.customers, self.penalizer)
    }
}

#[cfg(test)]
#[allow(clippy::many_single_char_names)] // the paper's names
mod tests {
    use super::BgNbdData;
    use crate::customer::Btyd;
    use crate::customer::clv::optimize::{Objective, assert_gradient_matches};
    use crate::customer::clv::special::ln_gamma;

    pub(crate) fn sample() -> Vec<Btyd> {
        let mut out = Vec::new();
        for i in 0..300_u32 {
            let t = f64::from(40 + (i * 37) % 320);
            let frequency = (i * 7) % 11 / 3;
            let recency = if frequency == 0 {
                0.0
            } else {
                (t * f64::from((i * 13) % 10) / 10.0).floor()
            };
            out.push(Btyd {
                frequency,
                recency,
                t,
                monetary_value: 0.0,
            });
        }
        out
    }

    /// `lifetimes`' per-customer formula, term for term (times already scaled).
    fn lifetimes_ll(s: &Btyd, scale: f64, [r, alpha, a, b]: [f64; 4]) -> f64 {
        let x = f64::from(s.frequency);
        let (rec, t) = (s.recency * scale, s.t * scale);
        let a1 = ln_gamma(r + x) - ln_gamma(r) + r * alpha.ln();
        let a2 = ln_gamma(a + b) + ln_gamma(b + x) - ln_gamma(b) - ln_gamma(a + b + x);
        let a3 = -(r + x) * (alpha + t).ln();
        let a4 = a.ln() - (b + x.max(1.0) - 1.0).ln() - (r + x) * (rec + alpha).ln();
        let m = a3.max(a4);
        let returning = if s.frequency > 0 { 1.0 } else { 0.0 };
        a1 + a2 + ((a3 - m).exp() + (a4 - m).exp() * returning).ln() + m
    }

    #[test]
    fn grouped_likelihood_equals_the_per_customer_formula() {
        let s = sample();
        let data = BgNbdData::new(&s, 0.01).unwrap();
        let p = [0.3, 0.4, 0.8, 2.5];
        let direct: f64 = s.iter().map(|c| lifetimes_ll(c, data.scale, p)).sum();
        let (grouped, _) = data.log_likelihood(p);
        assert!(
            (grouped - direct).abs() < 1e-10 * direct.abs(),
            "{grouped} vs {direct}"
        );
        let penalty = 0.01 * p.iter().map(|v| v * v).sum::<f64>();
        let (value, _) = data.evaluate(&p.map(f64::ln));
        #[allow(clippy::cast_precision_loss)]
        let mean = -direct / s.len() as f64 + penalty;
        assert!((value - mean).abs() < 1e-12 * mean.abs());
    }

    #[test]
    fn gradient_matches_central_differences() {
        let data = BgNbdData::new(&sample(), 0.05).unwrap();
        for theta in [
            [0.1, 0.1, 0.1, 0.1],
            [-1.2, -2.0, -0.3, 0.9],
            [0.5, 1.0, 1.5, -0.5],
        ] {
            assert_gradient_matches(&data, &theta);
        }
    }
}
