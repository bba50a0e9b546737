//! Files in and out of the domain layer: shop data and profiles as CSV ([`csv`]) and a
//! deterministic synthetic shop for examples, tests and benchmarks ([`synth`]).
//!
//! [`crate::customer`] computes and never touches a file or the clock; this module reads
//! and writes its inputs and results.
//!
//! ```
//! # use chrono::{TimeZone, Utc}; use relance::customer::*;
//! use relance::io::{csv, synth};
//! let shop = synth::generate(&synth::SynthConfig::new(200, 20, 1));
//! let as_of = csv::parse_instant("2025-01-01T00:00:00Z").unwrap();
//! let c = shop.dataset.consolidate(&ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::UTC)
//!     .rate(Currency::USD, synth::USD_TO_EUR))?;
//! let mut out = Vec::new();
//! csv::write_profiles(&c, &mut out).unwrap();
//! assert_eq!(String::from_utf8(out).unwrap().lines().count(), c.len() + 1);
//! # Ok::<(), ConsolidationError>(())
//! ```

#[cfg(feature = "arrow")]
#[cfg_attr(docsrs, doc(cfg(feature = "arrow")))]
pub mod arrow;
pub mod csv;
#[cfg(feature = "datafusion")]
#[cfg_attr(docsrs, doc(cfg(feature = "datafusion")))]
pub mod datafusion;
pub(crate) mod replace;
pub mod synth;
