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
//!         let t = f64::from(30 + (i * 37) % 700);
//!         let (frequency, recency) = match i % 4 {
//!             0 => (0, 0.0),                          // bought once
//!             1 => (1 + i % 3, (t / 5.0).floor()),    // came back, then lapsed
//!             2 => (2 + i % 5, t - f64::from(i % 10)), // buys regularly
//!             _ => (1, (t / 2.0).floor()),
//!         };
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
mod fit;
mod gamma_gamma;
mod horizon;
mod optimize;
mod predict;
mod reduce;
mod segments;
mod special;
mod values;

pub use bgnbd::BgNbd;
pub use buyers::BuyerSummaries;
pub use error::{ClvError, Model};
pub use fit::{FitOptions, Fitted};
pub use gamma_gamma::GammaGamma;
pub use horizon::{Discount, Horizon};
pub use predict::{Clv, ClvFit, ClvOptions, Prediction, Predictions};
pub use segments::{ClvSegments, at_risk, high_predicted_value, likely_to_buy_again};
pub use values::PredictedValues;

/// Fewest summaries [`BgNbd::fit`] accepts (one per parameter).
pub const MIN_CUSTOMERS: usize = 4;

/// Fewest returning customers with a positive mean value [`GammaGamma::fit`] accepts (one per
/// parameter).
pub const MIN_RETURNING: usize = 3;
