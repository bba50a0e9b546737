//! The BTYD summaries of a consolidation's buyers, ready for [`Clv`](super::Clv).

use crate::customer::{Btyd, Consolidation, ContactIdx};

/// The contacts with at least one counted order and their [`Btyd`] summaries, in contact
/// order: `summaries[i]` (and so every array of the [`Predictions`](super::Predictions) made
/// from them) belongs to `contacts[i]`. Contacts without order have no summary: the models
/// say nothing about them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BuyerSummaries {
    /// The buyers.
    pub contacts: Vec<ContactIdx>,
    /// Their summaries.
    pub summaries: Vec<Btyd>,
}

impl BuyerSummaries {
    /// Collects the buyers of a consolidation.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use relance::customer::*;
    /// use relance::customer::clv::BuyerSummaries;
    ///
    /// let mut ds = Dataset::new();
    /// let ann = ds.guest("ann@x.io").unwrap();
    /// let bob = ds.guest("bob@x.io").unwrap();
    /// let t = |d| Utc.with_ymd_and_hms(2024, 1, d, 12, 0, 0).unwrap();
    /// for (id, d) in [(1, 1), (2, 11)] {
    ///     ds.add_order(Order::new(OrderId(id), Buyer::Guest(ann), t(d), OrderStatus::Paid,
    ///         Money::new(1000, Currency::EUR)));
    /// }
    /// let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, t(31), chrono_tz::UTC))?;
    /// let buyers = BuyerSummaries::of(&c);
    /// assert_eq!(buyers.contacts, vec![ContactIdx(ann.0)]);
    /// assert_eq!(buyers.summaries[0].frequency, 1);
    /// # let _ = bob;
    /// # Ok::<(), ConsolidationError>(())
    /// ```
    #[must_use]
    pub fn of(consolidation: &Consolidation<'_>) -> Self {
        let (contacts, summaries) = consolidation
            .iter()
            .filter_map(|p| Some((p.contact(), p.btyd()?)))
            .unzip();
        Self {
            contacts,
            summaries,
        }
    }
}
