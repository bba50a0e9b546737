//! The customers the parsing threads know: `customer_id`s of orders, carts and logins
//! resolved to customer rows and contacts where they are read.

use std::ops::Range;

use super::CsvError;
use super::id_index::{IdIndex, dense_key};
use super::pipeline::{Batch, Rowset, Text};
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

/// A parsed row whose customer may wait for the lookup of its [`Key::Dense`] key.
pub(super) trait Pending {
    /// The key waiting for its lookup; `u32::MAX` when none waits.
    fn pending(&mut self) -> &mut u32;
    /// The customer of the key.
    fn found(&mut self, customer: CustomerIdx, contact: u32);
    /// No customer has the key: its id (the key's decimal, in the batch's text) for the
    /// folding thread.
    fn unknown(&mut self, id: Range<usize>);
}

/// Parsed rows whose customers may wait for the lookups of their [`Key::Dense`] keys: a
/// `Vec` of [`Pending`] rows, or columns keeping the keys aside.
pub(super) trait PendingRows: Rowset {
    /// Takes the key row `i` waits for; `u32::MAX` when none waits.
    fn take_key(&mut self, i: usize) -> u32;
    /// The customer of row `i`'s key.
    fn found(&mut self, i: usize, customer: CustomerIdx, contact: u32);
    /// No customer has row `i`'s key: its id (the key's decimal, in the batch's `text`,
    /// where the row may keep more).
    fn unknown(&mut self, i: usize, id: Range<usize>, text: &mut Text);
}

impl<T: Pending> PendingRows for Vec<T> {
    fn take_key(&mut self, i: usize) -> u32 {
        std::mem::replace(self[i].pending(), u32::MAX)
    }
    fn found(&mut self, i: usize, customer: CustomerIdx, contact: u32) {
        self[i].found(customer, contact);
    }
    fn unknown(&mut self, i: usize, id: Range<usize>, _text: &mut Text) {
        self[i].unknown(id);
    }
}

/// Rows whose dense keys are looked up together: the lookups of a run of rows are
/// independent reads, which the processor overlaps, where one lookup per row waited for
/// its cache miss (a tenth of a load's CPU).
const LOOKUPS: usize = 256;

/// Called after each step of a row parser (`more` its result): at the end of each run of
/// [`LOOKUPS`] rows, and before the batch leaves (the end of the table, an error), looks up
/// the pending keys of the batch's last run.
pub(super) fn look_up_runs<S: PendingRows>(
    more: &Result<bool, CsvError>,
    batch: &mut Batch<S>,
    known: &Known,
) {
    let len = batch.rows.len();
    if matches!(more, Ok(true)) && !len.is_multiple_of(LOOKUPS) {
        return;
    }
    for i in len.saturating_sub(LOOKUPS)..len {
        let k = batch.rows.take_key(i);
        if k == u32::MAX {
            continue;
        }
        if let Some((c, contact)) = known.dense_entry(k) {
            batch.rows.found(i, c, contact);
        } else {
            let id = batch.keep(itoa::Buffer::new().format(k));
            batch.rows.unknown(i, id, &mut batch.text);
        }
    }
}
