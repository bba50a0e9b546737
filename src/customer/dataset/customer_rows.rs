//! The customer rows of a [`Dataset`]: adding them (one by one, or linked apart and appended
//! whole by a loader) and reading them back.

use chrono::{DateTime, Utc};

use super::{Dataset, NONE};
use crate::customer::customers::{CustomerStore, CustomerView};
use crate::customer::{Customer, CustomerIdx, OptIn};

impl Dataset {
    /// Adds a customer row. Its group ids are sorted and deduplicated.
    ///
    /// # Panics
    /// Past `u32::MAX - 1` rows.
    ///
    /// ```
    /// use relance::customer::{Customer, Dataset};
    /// let mut ds = Dataset::new();
    /// let a = ds.add_customer(Customer { id: "1".into(), email: "a@x.io".into(), ..Customer::default() });
    /// let b = ds.add_customer(Customer { id: "2".into(), email: "A@X.io".into(), ..Customer::default() });
    /// assert_ne!(a, b);
    /// assert_eq!(ds.contact_count(), 1); // duplicate email: one contact
    /// ```
    // By value as it always was: the row is copied into the dataset's text buffer.
    #[allow(clippy::needless_pass_by_value)]
    pub fn add_customer(&mut self, customer: Customer) -> CustomerIdx {
        let contact = self.intern(&customer.email);
        let idx = self.link_customer(contact);
        self.customers.push_customer(&customer);
        idx
    }

    /// Interns the emails of `batch`'s rows (looked up together first:
    /// [`look_up_all`](Self::look_up_all)) and attaches each row to its contact, as
    /// [`add_customer`](Self::add_customer) does, the rows themselves left to be appended in
    /// the same order to the store [`take_customer_rows`](Self::take_customer_rows) took.
    /// Returns the rows' indices.
    pub(crate) fn link_customers(&mut self, batch: &CustomerStore) -> std::ops::Range<u32> {
        let n = batch.len();
        let found = self.look_up_all((0..n).map(|i| batch.email(i)));
        let first = u32::try_from(self.customer_contact.len()).unwrap_or(NONE);
        for (i, found) in found.into_iter().enumerate() {
            let contact = self.intern_found(batch.email(i), found);
            self.link_customer(contact);
        }
        first..u32::try_from(self.customer_contact.len()).unwrap_or(NONE)
    }

    /// The customer rows' store, taken out while rows are linked apart
    /// ([`link_customers`](Self::link_customers)) and appended to it elsewhere; put back
    /// with [`put_customer_rows`](Self::put_customer_rows).
    pub(crate) fn take_customer_rows(&mut self) -> CustomerStore {
        self.owned.take();
        std::mem::take(&mut self.customers)
    }

    /// Puts back the store [`take_customer_rows`](Self::take_customer_rows) took, every
    /// row linked since appended to it.
    pub(crate) fn put_customer_rows(&mut self, rows: CustomerStore) {
        debug_assert_eq!(rows.len(), self.customer_contact.len());
        self.customers = rows;
    }

    /// The next customer row's index, attached to `contact` (`None`: blank email, a contact
    /// of its own); the row itself is pushed by the caller.
    fn link_customer(&mut self, contact: Option<u32>) -> CustomerIdx {
        let idx = u32::try_from(self.customer_contact.len()).unwrap_or(NONE);
        assert!(idx != NONE, "too many customers");
        self.owned.take();
        let contact = contact.unwrap_or_else(|| self.new_contact(""));
        // append at the tail of the contact's row list (keeps insertion order)
        let head = self.contact_head[contact as usize];
        if head == NONE {
            self.contact_head[contact as usize] = idx;
        } else {
            let mut cur = head;
            while self.customer_next[cur as usize] != NONE {
                cur = self.customer_next[cur as usize];
            }
            self.customer_next[cur as usize] = idx;
        }
        self.customer_contact.push(contact);
        self.customer_next.push(NONE);
        CustomerIdx(idx)
    }

    /// The customer rows as [`Customer`]s, indexed by [`CustomerIdx`]. The dataset keeps
    /// its rows compactly (their text in one buffer): the first call puts the `Customer`s
    /// together (a copy of every row, kept until the dataset changes). To read rows without
    /// it, use [`customer`](Self::customer) and [`customer_count`](Self::customer_count).
    ///
    /// ```
    /// use relance::customer::{Customer, Dataset};
    /// let mut ds = Dataset::new();
    /// assert!(ds.customers().is_empty());
    /// ds.add_customer(Customer { id: "1".into(), ..Customer::default() });
    /// assert_eq!(ds.customers()[0].id, "1");
    /// ```
    #[must_use]
    pub fn customers(&self) -> &[Customer] {
        self.owned.get_or_init(|| self.customers.to_customers())
    }

    /// Customer row `idx`, read in place; `None` for an index this dataset never handed out.
    ///
    /// ```
    /// use relance::customer::{Customer, CustomerIdx, Dataset};
    /// let mut ds = Dataset::new();
    /// let c = ds.add_customer(Customer { id: "1".into(), email: "a@x.io".into(), ..Customer::default() });
    /// assert_eq!(ds.customer(c).map(|v| v.email()), Some("a@x.io"));
    /// assert!(ds.customer(CustomerIdx(9)).is_none());
    /// ```
    #[must_use]
    pub fn customer(&self, idx: CustomerIdx) -> Option<CustomerView<'_>> {
        self.customers.get(idx.0 as usize)
    }

    /// Number of customer rows.
    ///
    /// ```
    /// use relance::customer::{Customer, Dataset};
    /// let mut ds = Dataset::new();
    /// ds.add_customer(Customer::default());
    /// assert_eq!(ds.customer_count(), 1);
    /// ```
    #[must_use]
    pub fn customer_count(&self) -> usize {
        self.customers.len()
    }

    /// Sets the newsletter consent (and its instant) of every customer row of `email`,
    /// compared normalised: the shop applying a consent change made at a provider (see
    /// `Syncer::consent_changes` in `relance::sync`). Returns how many rows it changed; a
    /// guest-only contact has none (its consent is unknown to the shop).
    ///
    /// ```
    /// use relance::customer::{Customer, Dataset, OptIn};
    /// let mut ds = Dataset::new();
    /// ds.add_customer(Customer { id: "1".into(), email: "Ann@X.io".into(), newsletter_optin: OptIn::Yes, ..Customer::default() });
    /// assert_eq!(ds.set_newsletter_optin("ann@x.io", OptIn::No, None), 1);
    /// assert_eq!(ds.customers()[0].newsletter_optin, OptIn::No);
    /// ```
    pub fn set_newsletter_optin(
        &mut self,
        email: &str,
        optin: OptIn,
        at: Option<DateTime<Utc>>,
    ) -> usize {
        let Some(contact) = self.find_contact(email) else {
            return 0;
        };
        let rows: Vec<CustomerIdx> = self.contact_rows(contact).collect();
        for c in &rows {
            self.customers.set_optin(c.0 as usize, optin, at);
        }
        self.owned.take();
        rows.len()
    }
}

#[cfg(test)]
mod tests {
    use crate::customer::{Customer, Dataset};

    #[test]
    fn a_reservation_the_memory_cannot_hold_is_skipped() {
        let mut ds = Dataset::new();
        ds.try_reserve_customers(usize::MAX);
        ds.try_reserve_customers(1 << 40);
        let c = ds.add_customer(Customer {
            id: "1".into(),
            email: "a@x.io".into(),
            ..Customer::default()
        });
        assert_eq!(ds.customer(c).map(|v| v.email()), Some("a@x.io"));
        assert_eq!(ds.contact_count(), 1);
    }
}
