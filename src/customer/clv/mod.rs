//! Predicted customer value from the BTYD summary: the BG/NBD purchase model and the
//! Gamma-Gamma spend model, fitted by maximum likelihood exactly as `lifetimes` 0.11.3
//! (`BetaGeoFitter`, `GammaGammaFitter`) fits them, and the per-customer predictions those
//! models give: P(alive) at `as_of`, expected purchases over a horizon, conditional expected
//! average order value, and expected value over the horizon.
//!
//! Everything is pure and deterministic: the same summaries give the same bits, whatever the
//! number of threads (sums run over fixed chunks added in order). Times are in the summaries'
//! unit — days for the [`Btyd`](crate::customer::Btyd) of a consolidation — and so are `alpha`
//! and the horizon. Failures are [`ClvError`]s, never NaNs.
//!
//! ```
//! use relance::customer::Btyd;
//! use relance::customer::clv::{Clv, ClvOptions, Horizon};
//!
//! // frequency (repeat purchase days), recency and T in days, mean repeat order value
//! let summaries: Vec<Btyd> = (0..1000_u32)
//!     .map(|i| {
//!         let frequency = (i * 7) % 13 / 4;
//!         let t = f64::from(30 + (i * 17) % 700);
//!         let recency = if frequency == 0 { 0.0 } else { (t * f64::from(i % 10) / 10.0).floor() };
//!         let monetary_value = if frequency == 0 { 0.0 } else { 20.0 + f64::from((i * 31) % 50) };
//!         Btyd { frequency, recency, t, monetary_value }
//!     })
//!     .collect();
//! let fit = Clv::fit(&summaries, &ClvOptions::default())?;
//! let model = fit.model();
//! let next_quarter = model.predict(&summaries, &Horizon::new(90.0)?)?;
//! assert_eq!(next_quarter.len(), summaries.len());
//! assert!(next_quarter.p_alive.iter().all(|p| (0.0..=1.0).contains(p)));
//! # Ok::<(), relance::customer::clv::ClvError>(())
//! ```

mod bgnbd;
mod bgnbd_likelihood;
mod buyers;
mod data;
mod error;
mod gamma_gamma;
mod optimize;
mod predict;
mod reduce;
mod special;

pub use bgnbd::BgNbd;
pub use buyers::BuyerSummaries;
pub use error::{ClvError, Model};
pub use gamma_gamma::GammaGamma;
pub use predict::{Clv, ClvFit, ClvOptions, Discount, Horizon, Prediction, Predictions};

/// Fewest summaries [`BgNbd::fit`] accepts (one per parameter).
pub const MIN_CUSTOMERS: usize = 4;

/// Fewest returning customers with a positive mean value [`GammaGamma::fit`] accepts (one per
/// parameter).
pub const MIN_RETURNING: usize = 3;

/// Settings of one maximum-likelihood fit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FitOptions {
    /// L2 penalizer on the parameters, `lifetimes`' `penalizer_coef` (BG/NBD: on `r`, the
    /// scaled `alpha`, `a`, `b`). Default 0.
    pub penalizer: f64,
    /// The fit has converged when every component of the gradient of the mean negative
    /// log-likelihood (in log-parameters) is within this; `lifetimes`' `tol`, default `1e-7`.
    pub tolerance: f64,
    /// BFGS iterations before [`ClvError::NotConverged`]. Default 1000.
    pub max_iterations: u64,
}

impl Default for FitOptions {
    fn default() -> Self {
        Self {
            penalizer: 0.0,
            tolerance: 1e-7,
            max_iterations: 1000,
        }
    }
}

impl FitOptions {
    /// The defaults with an L2 penalizer.
    ///
    /// ```
    /// use relance::customer::clv::FitOptions;
    /// assert_eq!(FitOptions::penalized(0.001).penalizer, 0.001);
    /// ```
    #[must_use]
    pub fn penalized(penalizer: f64) -> Self {
        Self {
            penalizer,
            ..Self::default()
        }
    }

    fn check(&self) -> Result<(), ClvError> {
        if !(self.penalizer.is_finite() && self.penalizer >= 0.0) {
            return Err(ClvError::InvalidOption(
                "the penalizer must be finite and ≥ 0",
            ));
        }
        if !(self.tolerance.is_finite() && self.tolerance > 0.0) {
            return Err(ClvError::InvalidOption(
                "the tolerance must be finite and > 0",
            ));
        }
        Ok(())
    }
}

/// A fitted model and how the fit went.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fitted<P> {
    /// The parameters.
    pub params: P,
    /// The minimised objective: the mean negative log-likelihood plus the penalty, as
    /// `lifetimes`' `_negative_log_likelihood_` (BG/NBD: in scaled time).
    pub objective: f64,
    /// Likelihood evaluations (each gives the value and the gradient).
    pub evaluations: u64,
    /// Customers the fit used.
    pub customers: usize,
}

/// Fitted parameters, in units free of the data's time and currency scales, must lie within
/// `[1/LIMIT, LIMIT]`: beyond, the likelihood is flat because a parameter is running off to 0
/// or infinity (the data do not identify the model), not because it has a maximum.
const SCALE_FREE_LIMIT: f64 = 1e8;

impl<P> Fitted<P> {
    /// Accepts a minimum whose scale-free parameters are within [`SCALE_FREE_LIMIT`].
    fn new(
        model: Model,
        params: P,
        scale_free: &[f64],
        min: &optimize::Minimum,
        customers: usize,
    ) -> Result<Self, ClvError> {
        let inside = |v: &f64| (1.0 / SCALE_FREE_LIMIT..=SCALE_FREE_LIMIT).contains(v);
        if !scale_free.iter().all(inside) {
            return Err(ClvError::NotConverged {
                model,
                evaluations: min.evaluations,
                reason: format!("parameters running off to 0 or infinity: {scale_free:?}"),
            });
        }
        Ok(Self {
            params,
            objective: min.value,
            evaluations: min.evaluations,
            customers,
        })
    }
}
