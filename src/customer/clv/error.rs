//! Why a fit or a prediction cannot give a number.

/// The model a [`ClvError`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Model {
    /// The BG/NBD purchase model ([`BgNbd`](super::BgNbd)).
    BgNbd,
    /// The Gamma-Gamma spend model ([`GammaGamma`](super::GammaGamma)).
    GammaGamma,
}

impl std::fmt::Display for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Model::BgNbd => "BG/NBD",
            Model::GammaGamma => "Gamma-Gamma",
        })
    }
}

/// A typed failure of the predicted-value layer: fits and predictions return one of these
/// rather than a NaN.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ClvError {
    /// Fewer customers than the model needs: BG/NBD needs at least
    /// [`MIN_CUSTOMERS`](super::MIN_CUSTOMERS) customers of which at least one returning one,
    /// and a positive longest observation time `T`.
    #[error("{model}: {got} customer(s) usable, at least {needed} needed")]
    TooFewCustomers {
        /// The model.
        model: Model,
        /// Customers (BG/NBD) that the fit could use.
        got: usize,
        /// The minimum.
        needed: usize,
    },
    /// Fewer returning customers (frequency > 0; for Gamma-Gamma also a positive monetary
    /// value) than the model needs.
    #[error("{model}: {got} returning customer(s), at least {needed} needed")]
    TooFewReturningCustomers {
        /// The model.
        model: Model,
        /// Returning customers the fit could use.
        got: usize,
        /// The minimum.
        needed: usize,
    },
    /// A summary value is NaN or infinite.
    #[error("summary {index}: {field} is not a finite number")]
    NonFinite {
        /// Position of the summary in the input slice.
        index: usize,
        /// `recency`, `t` or `monetary_value`.
        field: &'static str,
    },
    /// A summary breaks the BTYD rules `lifetimes` checks too: `0 ≤ recency ≤ T`,
    /// `recency = 0` when `frequency = 0`, `monetary_value ≥ 0`.
    #[error("summary {index}: {reason}")]
    InvalidSummary {
        /// Position of the summary in the input slice.
        index: usize,
        /// The rule it breaks.
        reason: &'static str,
    },
    /// An option is out of its domain (a negative or non-finite penalizer, tolerance, horizon
    /// or discount).
    #[error("invalid option: {0}")]
    InvalidOption(&'static str),
    /// The optimiser stopped without reaching the gradient tolerance (iteration limit, failed
    /// line search, a likelihood that overflows), or reached it with parameters running off
    /// to 0 or infinity (beyond 1e±8 in units free of the time and currency scales): the data
    /// do not identify the model. A penalizer may help, as in `lifetimes`.
    #[error("{model}: no convergence after {evaluations} likelihood evaluation(s): {reason}")]
    NotConverged {
        /// The model.
        model: Model,
        /// Likelihood evaluations done.
        evaluations: u64,
        /// What stopped it.
        reason: String,
    },
    /// The fitted Gamma-Gamma `q` is ≤ 1: the population mean spend `p·v/(q − 1)` is not
    /// finite, so no expected average value can be given.
    #[error("Gamma-Gamma q = {q} ≤ 1: the mean spend is not finite")]
    UnboundedMeanSpend {
        /// The fitted `q`.
        q: f64,
    },
    /// The expected purchases of customers with this frequency and `T` are not a finite
    /// number in double precision (fitted `a` and `b` so large that the hypergeometric series
    /// overflows): the fit describes a population without drop-out heterogeneity; a penalizer
    /// keeps `a` and `b` moderate.
    #[error(
        "BG/NBD: expected purchases not finite for frequency {frequency}, T {t} (a, b too large)"
    )]
    PredictionNotFinite {
        /// The frequency.
        frequency: u32,
        /// The observation time `T`.
        t: f64,
    },
    /// The horizon is longer than 10⁵ times the fitted `alpha`: the hypergeometric series of
    /// the expected purchases would need millions of terms per customer.
    #[error("horizon {horizon} over the limit {limit} (10^5 alpha)")]
    HorizonTooLong {
        /// The horizon.
        horizon: f64,
        /// The longest accepted horizon.
        limit: f64,
    },
}
