//! The customers the parsing threads know: `customer_id`s of orders, carts and logins
//! resolved to customer rows and contacts where they are read.

use super::id_index::{IdIndex, dense_key};
use super::reader::Rows;
use crate::customer::CustomerIdx;

/// The customer rows once `customers.csv` is folded, for the parsing threads of the other
/// tables to resolve the `customer_id`s they read (the random lookups leave the folding
/// thread): the rows by shop id and each row's contact. Read-only; customers created bare
/// later (an order of an unknown id) are in the folding thread's own index.
#[derive(Default)]
pub(super) struct Known {
    by_id: IdIndex,
    contacts: Vec<u32>,
    /// Row and contact side by side by numeric id (the index's dense table joined to
    /// `contacts`): one random read per lookup instead of two, as the lookups of 17 M
    /// rows' ids miss the cache.
    dense: Vec<(u32, u32)>,
}

impl Known {
    pub(super) fn new(by_id: IdIndex, contacts: Vec<u32>) -> Self {
        let dense = by_id
            .dense()
            .iter()
            .map(|&c| match contacts.get(c as usize) {
                Some(&contact) => (c, contact),
                None => (u32::MAX, u32::MAX),
            })
            .collect();
        Self {
            by_id,
            contacts,
            dense,
        }
    }

    /// The row and contact of the shop id written as the decimal `n`.
    pub(super) fn by_number(&self, n: u64) -> Option<(CustomerIdx, u32)> {
        match u32::try_from(n) {
            Ok(k) if (k as usize) < self.dense.len() => self.dense_entry(k),
            _ => self.customer(itoa::Buffer::new().format(n)),
        }
    }

    /// The row and contact of a [`Key::Dense`] key (`None`: no such customer).
    pub(super) fn dense_entry(&self, k: u32) -> Option<(CustomerIdx, u32)> {
        let (c, contact) = *self.dense.get(k as usize)?;
        (c != u32::MAX).then_some((CustomerIdx(c), contact))
    }

    /// The row of a shop id and its contact.
    pub(super) fn customer(&self, id: &str) -> Option<(CustomerIdx, u32)> {
        if let Some(k) = dense_key(id) {
            return self.dense_entry(u32::try_from(k).ok()?);
        }
        let c = self.by_id.get(id)?;
        Some((c, *self.contacts.get(c.0 as usize)?))
    }
}

/// A row's `customer_id` as the parsers look it up.
pub(super) enum Key {
    /// Empty (or null).
    Empty,
    /// A number below the dense table's end: looked up later, with others, in
    /// [`Known::dense_entry`].
    Dense(u32),
    /// Looked up at once (text, or a number past the dense table).
    Looked(Option<(CustomerIdx, u32)>),
}

/// The row's `customer_id` as a [`Key`].
pub(super) fn customer_key(r: &impl Rows, col: usize, known: &Known) -> Key {
    let dense = |k: usize| {
        u32::try_from(k)
            .ok()
            .filter(|_| k < known.dense.len())
            .map(Key::Dense)
    };
    if let Some(n) = r.uint(col) {
        let k = usize::try_from(n).ok().and_then(dense);
        return k.unwrap_or_else(|| Key::Looked(known.by_number(n)));
    }
    match r.field(col) {
        "" => Key::Empty,
        id => dense_key(id)
            .and_then(dense)
            .unwrap_or_else(|| Key::Looked(known.customer(id))),
    }
}

/// The known customer of the row's `customer_id` (`None` when empty or unknown): by number
/// from a typed integer column, else by its text.
pub(super) fn customer_of(r: &impl Rows, col: usize, known: &Known) -> Option<(CustomerIdx, u32)> {
    if let Some(n) = r.uint(col) {
        return known.by_number(n);
    }
    match r.field(col) {
        "" => None,
        id => known.customer(id),
    }
}
