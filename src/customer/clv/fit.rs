//! Settings and results of one maximum-likelihood fit.

use super::data::check;
use super::optimize::{Minimum, Objective, minimize};
use super::{ClvError, Model};
use crate::customer::Btyd;

/// From this many summaries on, a fit first runs on a systematic sample (one summary in
/// [`WARM_START_STRIDE`]) and starts the fit on all summaries from that optimum: the same
/// maximum, reached with fewer passes over all the data.
const WARM_START_MIN: usize = 1 << 17;

/// See [`WARM_START_MIN`].
const WARM_START_STRIDE: usize = 16;

/// A fit's common steps: checks the options and the summaries, prepares the likelihood
/// data, and minimises from `lifetimes`' start (0.1 for every log-parameter) — for many
/// summaries from the optimum of a systematic sample instead, with its inverse Hessian;
/// `rescale` moves the sample's log-parameters to the full data's units.
pub(super) fn maximise_likelihood<D: Objective>(
    model: Model,
    summaries: &[Btyd],
    options: &FitOptions,
    prepare: impl Fn(&[Btyd], f64) -> Result<D, ClvError>,
    rescale: impl Fn(&D, &D, &mut [f64]),
) -> Result<(D, Minimum), ClvError> {
    options.check()?;
    check(summaries)?;
    let data = prepare(summaries, options.penalizer)?;
    let mut start = (vec![0.1; D::PARAMETERS], None);
    if summaries.len() >= WARM_START_MIN {
        let sample: Vec<Btyd> = summaries
            .iter()
            .step_by(WARM_START_STRIDE)
            .copied()
            .collect();
        if let Ok(part) = prepare(&sample, options.penalizer)
            && let Ok(min) = minimize(model, &part, start.clone(), options)
        {
            start = (min.theta, min.inv_hessian);
            rescale(&part, &data, &mut start.0);
        }
    }
    let min = minimize(model, &data, start, options)?;
    Ok((data, min))
}

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
    /// Likelihood evaluations on all the summaries (each gives the value and the gradient;
    /// from 131 072 summaries on, a fit on a sample of one in 16 comes first).
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
    pub(super) fn new(
        model: Model,
        params: P,
        scale_free: &[f64],
        min: &Minimum,
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
