//! Both models together: one fit, and per-customer predictions for a horizon.

use std::fmt;

use super::data::{Distinct, check};
use super::reduce::map_ranges;
use super::{BgNbd, ClvError, Discount, FitOptions, Fitted, GammaGamma, Horizon};
use crate::customer::Btyd;

/// One customer's predictions.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Prediction {
    /// [`BgNbd::p_alive`].
    pub p_alive: f64,
    /// [`BgNbd::expected_purchases`] over the horizon.
    pub expected_purchases: f64,
    /// [`GammaGamma::expected_avg_value`].
    pub expected_avg_value: f64,
    /// Expected purchases × expected average value (discounted per period if asked).
    pub expected_value: f64,
}

/// Predictions for many customers, one array per quantity, indexed like the summaries given
/// to [`Clv::predict`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Predictions {
    /// See [`Prediction::p_alive`].
    pub p_alive: Vec<f64>,
    /// See [`Prediction::expected_purchases`].
    pub expected_purchases: Vec<f64>,
    /// See [`Prediction::expected_avg_value`].
    pub expected_avg_value: Vec<f64>,
    /// See [`Prediction::expected_value`].
    pub expected_value: Vec<f64>,
}

impl Predictions {
    /// Number of customers.
    ///
    /// ```
    /// assert_eq!(relance::customer::clv::Predictions::default().len(), 0);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.p_alive.len()
    }

    /// Whether there is no customer.
    ///
    /// ```
    /// assert!(relance::customer::clv::Predictions::default().is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.p_alive.is_empty()
    }

    /// The predictions of customer `i`.
    ///
    /// ```
    /// assert_eq!(relance::customer::clv::Predictions::default().get(0), None);
    /// ```
    #[must_use]
    pub fn get(&self, i: usize) -> Option<Prediction> {
        Some(Prediction {
            p_alive: *self.p_alive.get(i)?,
            expected_purchases: self.expected_purchases[i],
            expected_avg_value: self.expected_avg_value[i],
            expected_value: self.expected_value[i],
        })
    }
}

/// Fit settings of both models.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ClvOptions {
    /// For [`BgNbd::fit`].
    pub bg_nbd: FitOptions,
    /// For [`GammaGamma::fit`].
    pub gamma_gamma: FitOptions,
}

/// Both fits, as [`Clv::fit`] returns them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClvFit {
    /// The purchase model's fit.
    pub bg_nbd: Fitted<BgNbd>,
    /// The spend model's fit.
    pub gamma_gamma: Fitted<GammaGamma>,
}

impl ClvFit {
    /// The fitted models, ready to predict.
    ///
    /// ```
    /// # use relance::customer::clv::*;
    /// # let fit = ClvFit {
    /// #     bg_nbd: Fitted { params: BgNbd { r: 0.2, alpha: 30.0, a: 0.8, b: 2.4 }, objective: 1.0, evaluations: 9, customers: 10 },
    /// #     gamma_gamma: Fitted { params: GammaGamma { p: 6.0, q: 3.7, v: 15.0 }, objective: 1.0, evaluations: 9, customers: 4 },
    /// # };
    /// assert_eq!(fit.model().gamma_gamma.p, 6.0);
    /// ```
    #[must_use]
    pub fn model(&self) -> Clv {
        Clv {
            bg_nbd: self.bg_nbd.params,
            gamma_gamma: self.gamma_gamma.params,
        }
    }
}

/// A fitted purchase model and spend model. `Display` gives
/// `r=… alpha=… a=… b=… p=… q=… v=…`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Clv {
    /// Purchases and drop-out.
    pub bg_nbd: BgNbd,
    /// Spend per purchase.
    pub gamma_gamma: GammaGamma,
}

impl fmt::Display for Clv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (BgNbd { r, alpha, a, b }, GammaGamma { p, q, v }) = (self.bg_nbd, self.gamma_gamma);
        write!(f, "r={r} alpha={alpha} a={a} b={b} p={p} q={q} v={v}")
    }
}

impl Clv {
    /// Fits [`BgNbd`] on all summaries and [`GammaGamma`] on the returning ones.
    ///
    /// ```
    /// use relance::customer::Btyd;
    /// use relance::customer::clv::{Clv, ClvOptions, Horizon};
    ///
    /// let summaries: Vec<Btyd> = (0..1000_u32)
    ///     .map(|i| {
    ///         let t = f64::from(30 + (i * 37) % 700);
    ///         let (frequency, recency) = match i % 4 {
    ///             0 => (0, 0.0),
    ///             1 => (1 + i % 3, (t / 5.0).floor()),
    ///             2 => (2 + i % 5, t - f64::from(i % 10)),
    ///             _ => (1, (t / 2.0).floor()),
    ///         };
    ///         let monetary_value = if frequency == 0 { 0.0 } else { 20.0 + f64::from((i * 31) % 50) };
    ///         Btyd { frequency, recency, t, monetary_value }
    ///     })
    ///     .collect();
    /// let model = Clv::fit(&summaries, &ClvOptions::default())?.model();
    /// let predictions = model.predict(&summaries, &Horizon::new(90.0)?)?;
    /// assert_eq!(predictions.len(), 1000);
    /// assert!(model.to_string().starts_with("r="));
    /// # Ok::<(), relance::customer::clv::ClvError>(())
    /// ```
    pub fn fit(summaries: &[Btyd], options: &ClvOptions) -> Result<ClvFit, ClvError> {
        Ok(ClvFit {
            bg_nbd: BgNbd::fit(summaries, &options.bg_nbd)?,
            gamma_gamma: GammaGamma::fit(summaries, &options.gamma_gamma)?,
        })
    }

    /// Predictions for one customer.
    ///
    /// ```
    /// use relance::customer::Btyd;
    /// use relance::customer::clv::{BgNbd, Clv, GammaGamma, Horizon};
    ///
    /// let clv = Clv {
    ///     bg_nbd: BgNbd { r: 0.24, alpha: 30.9, a: 0.79, b: 2.43 },
    ///     gamma_gamma: GammaGamma { p: 6.25, q: 3.74, v: 15.45 },
    /// };
    /// let s = Btyd { frequency: 2, recency: 213.0, t: 272.0, monetary_value: 22.35 };
    /// let p = clv.predict_one(&s, &Horizon::new(90.0)?)?;
    /// assert_eq!(p.expected_value, p.expected_purchases * p.expected_avg_value);
    /// # Ok::<(), relance::customer::clv::ClvError>(())
    /// ```
    pub fn predict_one(&self, s: &Btyd, horizon: &Horizon) -> Result<Prediction, ClvError> {
        let mean = self.check(std::slice::from_ref(s), horizon)?;
        let given_alive = self.given_alive(s.frequency, s.t, horizon);
        if !given_alive.iter().all(|v| v.is_finite()) {
            return Err(ClvError::PredictionNotFinite {
                frequency: s.frequency,
                t: s.t,
            });
        }
        Ok(self.prediction(s, given_alive, mean))
    }

    /// Predictions for every summary, on several threads for large inputs. Expected
    /// purchases of a customer known to be alive depend on its frequency and `T` only: they
    /// are computed once per distinct pair, then scaled by each customer's P(alive). Each
    /// value is computed on its own (the same bits as [`Clv::predict_one`], whatever the
    /// thread count).
    ///
    /// ```
    /// use relance::customer::Btyd;
    /// use relance::customer::clv::{BgNbd, Clv, GammaGamma, Horizon};
    ///
    /// let clv = Clv {
    ///     bg_nbd: BgNbd { r: 0.24, alpha: 30.9, a: 0.79, b: 2.43 },
    ///     gamma_gamma: GammaGamma { p: 6.25, q: 3.74, v: 15.45 },
    /// };
    /// let s = [
    ///     Btyd { frequency: 0, recency: 0.0, t: 100.0, monetary_value: 0.0 },
    ///     Btyd { frequency: 4, recency: 90.0, t: 100.0, monetary_value: 30.0 },
    /// ];
    /// let p = clv.predict(&s, &Horizon::new(30.0)?)?;
    /// assert!(p.expected_purchases[1] > p.expected_purchases[0]);
    /// assert_eq!(p.get(1), Some(clv.predict_one(&s[1], &Horizon::new(30.0)?)?));
    /// # Ok::<(), relance::customer::clv::ClvError>(())
    /// ```
    pub fn predict(&self, summaries: &[Btyd], horizon: &Horizon) -> Result<Predictions, ClvError> {
        let mean = self.check(summaries, horizon)?;
        let mut pairs = Distinct::default();
        let pair_of: Vec<u32> = summaries
            .iter()
            .map(|s| pairs.id((s.frequency, (s.t + 0.0).to_bits())))
            .collect();
        let (mut purchases, mut values) =
            (vec![0.0; pairs.keys.len()], vec![0.0; pairs.keys.len()]);
        map_ranges(
            [&mut purchases, &mut values],
            |start, [purchases, values]| {
                for (k, (purchases, values)) in purchases.iter_mut().zip(values).enumerate() {
                    let (frequency, t) = pairs.keys[start + k];
                    let t = f64::from_bits(t);
                    [*purchases, *values] = self.given_alive(frequency, t, horizon);
                    if !purchases.is_finite() || !values.is_finite() {
                        return Err(ClvError::PredictionNotFinite { frequency, t });
                    }
                }
                Ok::<(), ClvError>(())
            },
        )?;
        let n = summaries.len();
        let mut out = Predictions {
            p_alive: vec![0.0; n],
            expected_purchases: vec![0.0; n],
            expected_avg_value: vec![0.0; n],
            expected_value: vec![0.0; n],
        };
        let outputs = [
            out.p_alive.as_mut_slice(),
            &mut out.expected_purchases,
            &mut out.expected_avg_value,
            &mut out.expected_value,
        ];
        map_ranges(outputs, |start, [alive, expected, avg, value]| {
            let rows = alive.iter_mut().zip(expected).zip(avg).zip(value);
            for (i, (((alive, expected), avg), value)) in (start..).zip(rows) {
                let pair = pair_of[i] as usize;
                let given = [purchases[pair], values[pair]];
                let p = self.prediction(&summaries[i], given, mean);
                (*alive, *expected, *avg, *value) = (
                    p.p_alive,
                    p.expected_purchases,
                    p.expected_avg_value,
                    p.expected_value,
                );
            }
            Ok::<(), ClvError>(())
        })?;
        Ok(out)
    }

    /// Checks the summaries and the horizon once; gives the population mean spend.
    fn check(&self, summaries: &[Btyd], horizon: &Horizon) -> Result<f64, ClvError> {
        check(summaries)?;
        self.bg_nbd.check_horizon(horizon.length())?;
        self.gamma_gamma
            .mean_spend()
            .ok_or(ClvError::UnboundedMeanSpend {
                q: self.gamma_gamma.q,
            })
    }

    /// For a customer known to be alive, with this frequency and `T`: the expected purchases
    /// over the horizon, and the same discounted per period (equal without discount).
    fn given_alive(&self, frequency: u32, t: f64, horizon: &Horizon) -> [f64; 2] {
        let bg = &self.bg_nbd;
        let s = Btyd {
            frequency,
            recency: 0.0,
            t,
            monetary_value: 0.0,
        };
        let purchases = bg.purchases_given_alive(&s, horizon.length());
        let Some(Discount { rate, period }) = horizon.discount() else {
            return [purchases, purchases];
        };
        let (mut before, mut total, mut k) = (0.0, 0.0, 1.0);
        loop {
            let end = (k * period).min(horizon.length());
            let cumulative = bg.purchases_given_alive(&s, end);
            total += (cumulative - before) / (1.0 + rate).powf(end / period);
            if end >= horizon.length() {
                return [purchases, total];
            }
            before = cumulative;
            k += 1.0;
        }
    }

    /// One customer's predictions from its [`Clv::given_alive`] figures.
    fn prediction(
        &self,
        s: &Btyd,
        [purchases, value_purchases]: [f64; 2],
        mean: f64,
    ) -> Prediction {
        let p_alive = self.bg_nbd.p_alive(s);
        let expected_avg_value = self.gamma_gamma.avg_value_given_mean(s, mean);
        let expected_purchases = purchases * p_alive;
        // without discount `value_purchases == purchases`: the same bits as
        // `expected_purchases * expected_avg_value`
        let expected_value = value_purchases * p_alive * expected_avg_value;
        Prediction {
            p_alive,
            expected_purchases,
            expected_avg_value,
            expected_value,
        }
    }
}
