//! How far ahead to predict, and the optional discounting of the expected value.

use super::ClvError;

/// Most discount periods a horizon may span.
const MAX_PERIODS: f64 = 10_000.0;

/// A per-period discount rate for [`Horizon::discounted`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Discount {
    /// Rate per period (`0.01` = 1 %).
    pub rate: f64,
    /// Period length, in the summaries' time unit (`lifetimes` uses 30 days with `freq="D"`).
    pub period: f64,
}

/// How far ahead to predict, in the summaries' time unit (days for [`Btyd`](crate::customer::Btyd)), and whether to
/// discount the expected value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Horizon {
    length: f64,
    discount: Option<Discount>,
}

impl Horizon {
    /// An undiscounted horizon of `length` (finite, ≥ 0).
    ///
    /// ```
    /// use relance::customer::clv::Horizon;
    /// assert_eq!(Horizon::new(90.0)?.length(), 90.0);
    /// assert!(Horizon::new(-1.0).is_err());
    /// # Ok::<(), relance::customer::clv::ClvError>(())
    /// ```
    pub fn new(length: f64) -> Result<Self, ClvError> {
        if !(length.is_finite() && length >= 0.0) {
            return Err(ClvError::InvalidOption(
                "the horizon must be finite and ≥ 0",
            ));
        }
        Ok(Self {
            length,
            discount: None,
        })
    }

    /// Discounts the expected value: the horizon is cut into periods `[(k−1)P, kP]` (the last
    /// one ends at the horizon), and the value of the purchases expected in period `k` is
    /// divided by `(1 + rate)^(end_k / P)`. With a horizon of `n` whole periods of 30 days this
    /// is exactly `lifetimes`' `customer_lifetime_value(time=n, discount_rate=rate,
    /// freq="D")`. `rate` must be finite and ≥ 0, `period` finite and > 0, and the horizon at
    /// most 10 000 periods.
    ///
    /// ```
    /// use relance::customer::clv::{Discount, Horizon};
    /// let h = Horizon::new(90.0)?.discounted(0.01, 30.0)?;
    /// assert_eq!(h.discount(), Some(Discount { rate: 0.01, period: 30.0 }));
    /// assert!(Horizon::new(90.0)?.discounted(0.01, 0.0).is_err());
    /// # Ok::<(), relance::customer::clv::ClvError>(())
    /// ```
    pub fn discounted(self, rate: f64, period: f64) -> Result<Self, ClvError> {
        if !(rate.is_finite() && rate >= 0.0) {
            return Err(ClvError::InvalidOption(
                "the discount rate must be finite and ≥ 0",
            ));
        }
        if !(period.is_finite() && period > 0.0 && self.length / period <= MAX_PERIODS) {
            return Err(ClvError::InvalidOption(
                "the discount period must be > 0 and the horizon at most 10 000 periods",
            ));
        }
        Ok(Self {
            discount: Some(Discount { rate, period }),
            ..self
        })
    }

    /// The length.
    ///
    /// ```
    /// assert_eq!(relance::customer::clv::Horizon::new(30.0)?.length(), 30.0);
    /// # Ok::<(), relance::customer::clv::ClvError>(())
    /// ```
    #[must_use]
    pub fn length(&self) -> f64 {
        self.length
    }

    /// The discount, if any.
    ///
    /// ```
    /// assert_eq!(relance::customer::clv::Horizon::new(30.0)?.discount(), None);
    /// # Ok::<(), relance::customer::clv::ClvError>(())
    /// ```
    #[must_use]
    pub fn discount(&self) -> Option<Discount> {
        self.discount
    }
}
