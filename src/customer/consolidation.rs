//! The result of a consolidation: one profile per contact, stored in chunks.

use chrono::{DateTime, Utc};

use crate::customer::{ContactIdx, Currency, CustomerProfile};

/// The result of [`Dataset::consolidate`](crate::customer::Dataset::consolidate): one profile
/// per contact, in [`ContactIdx`] order. Stored in chunks of a few MB (no final copy).
#[derive(Clone, Debug)]
pub struct Consolidation<'d> {
    pub(crate) as_of: DateTime<Utc>,
    pub(crate) currency: Currency,
    pub(crate) chunks: Vec<Vec<CustomerProfile<'d>>>,
    pub(crate) skipped_orders: usize,
    /// threads of the consolidation, reused by [`Consolidation::apply_rfm`]
    pub(crate) threads: usize,
}

impl<'d> Consolidation<'d> {
    /// The evaluation instant.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// let as_of = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    /// let ds = Dataset::new();
    /// let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::UTC)).unwrap();
    /// assert_eq!(c.as_of(), as_of);
    /// ```
    #[must_use]
    pub fn as_of(&self) -> DateTime<Utc> {
        self.as_of
    }

    /// The reporting currency.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// let ds = Dataset::new();
    /// let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(), chrono_tz::UTC)).unwrap();
    /// assert_eq!(c.currency(), Currency::EUR);
    /// ```
    #[must_use]
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// Counted orders left out because their currency had no rate
    /// ([`MissingFx::Skip`](crate::customer::MissingFx::Skip); always 0 under `Error`).
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// let mut ds = Dataset::new();
    /// let g = ds.guest("a@x.io").unwrap();
    /// let t = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    /// ds.add_order(Order::new(OrderId(1), Buyer::Guest(g), t, OrderStatus::Paid, Money::new(100, Currency::USD)));
    /// let p = ConsolidationPolicy::new(Currency::EUR, t, chrono_tz::UTC).on_missing_fx(MissingFx::Skip);
    /// let c = ds.consolidate(&p).unwrap();
    /// assert_eq!((c.skipped_orders(), c.iter().next().unwrap().orders_count()), (1, 0));
    /// ```
    #[must_use]
    pub fn skipped_orders(&self) -> usize {
        self.skipped_orders
    }

    /// Number of profiles (= contacts).
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// let mut ds = Dataset::new();
    /// ds.guest("a@x.io");
    /// let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(), chrono_tz::UTC)).unwrap();
    /// assert_eq!(c.len(), 1);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.chunks.iter().map(Vec::len).sum()
    }

    /// Whether there is no profile.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// let ds = Dataset::new();
    /// let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(), chrono_tz::UTC)).unwrap();
    /// assert!(c.is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.chunks.iter().all(Vec::is_empty)
    }

    /// Profiles in contact order.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// let mut ds = Dataset::new();
    /// ds.guest("a@x.io");
    /// let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(), chrono_tz::UTC)).unwrap();
    /// assert_eq!(c.iter().next().unwrap().email(), "a@x.io");
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = &CustomerProfile<'d>> + '_ {
        self.chunks.iter().flatten()
    }

    /// The profiles in contiguous runs, in [`iter`](Self::iter) order: for callers that split
    /// the work across threads.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// let mut ds = Dataset::new();
    /// ds.guest("a@x.io");
    /// ds.guest("b@x.io");
    /// let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(), chrono_tz::UTC)).unwrap();
    /// assert_eq!(c.runs().map(<[_]>::len).sum::<usize>(), 2);
    /// ```
    pub fn runs(&self) -> impl Iterator<Item = &[CustomerProfile<'d>]> + '_ {
        self.chunks.iter().map(Vec::as_slice)
    }

    /// The profile of a contact.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// let mut ds = Dataset::new();
    /// let g = ds.guest("a@x.io").unwrap();
    /// let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(), chrono_tz::UTC)).unwrap();
    /// assert_eq!(c.get(ContactIdx(g.0)).unwrap().orders_count(), 0);
    /// ```
    #[must_use]
    pub fn get(&self, contact: ContactIdx) -> Option<&CustomerProfile<'d>> {
        let mut i = contact.0 as usize;
        for chunk in &self.chunks {
            if i < chunk.len() {
                return chunk.get(i);
            }
            i -= chunk.len();
        }
        None
    }

    /// The profile of a normalised email (linear scan; prefer [`Consolidation::get`] with
    /// [`Dataset::find_contact`](crate::customer::Dataset::find_contact)).
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// let mut ds = Dataset::new();
    /// ds.guest("a@x.io");
    /// let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(), chrono_tz::UTC)).unwrap();
    /// assert!(c.by_email("a@x.io").is_some());
    /// ```
    #[must_use]
    pub fn by_email(&self, email: &str) -> Option<&CustomerProfile<'d>> {
        self.iter().find(|p| p.email() == email)
    }

    /// All profiles in one vector (copies them once).
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// let ds = Dataset::new();
    /// let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(), chrono_tz::UTC)).unwrap();
    /// assert!(c.into_vec().is_empty());
    /// ```
    #[must_use]
    pub fn into_vec(self) -> Vec<CustomerProfile<'d>> {
        self.chunks.into_iter().flatten().collect()
    }
}
