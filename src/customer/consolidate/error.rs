//! Why a consolidation fails.

use std::fmt;

use crate::customer::{Currency, OrderId};

/// Why a consolidation failed.
#[derive(Clone, Debug, PartialEq)]
pub enum ConsolidationError {
    /// A counted order is in a currency with no rate to the reporting currency.
    MissingRate {
        /// The order (the first such order in dataset order).
        order: OrderId,
        /// Its currency.
        currency: Currency,
    },
    /// A rate is not a finite positive number.
    InvalidRate {
        /// The currency of the rate.
        currency: Currency,
    },
    /// An order placed more than ~142 years (2^52 µs) before `as_of`.
    TooOld {
        /// The order.
        order: OrderId,
    },
    /// A converted amount does not fit in `i64` minor units.
    Overflow {
        /// The order.
        order: OrderId,
    },
}

impl fmt::Display for ConsolidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingRate { order, currency } => write!(
                f,
                "order {} is in {currency} but no rate to the reporting currency was given",
                order.0
            ),
            Self::InvalidRate { currency } => {
                write!(f, "the {currency} rate is not finite and > 0")
            }
            Self::Overflow { order } => write!(f, "order {}: converted amount overflows", order.0),
            Self::TooOld { order } => {
                write!(f, "order {} is more than 142 years before as_of", order.0)
            }
        }
    }
}

impl std::error::Error for ConsolidationError {}
