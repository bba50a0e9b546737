//! Customer rows by shop id, for resolving the `customer_id` of orders, carts and logins.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use crate::customer::strhash::StrHash;
use crate::customer::{CustomerIdx, Dataset};

/// Customer rows by shop id: keyed by the id's hash, each hit checked against a copy of
/// the id in one contiguous arena (indexed by row). Ids whose hash is already taken by
/// another id (vanishingly rare) go to a plain map. A later row with the same id replaces
/// the earlier one.
///
/// Why this shape: checking a hit against the id in its `Customer` row costs two cache
/// misses (the row, then the string's heap block) per lookup, which made the lookups ~half
/// of loading `orders.csv`; the arena is a few bytes per row and mostly cached. And copying
/// a million ids into a map of owned strings left a million small freed blocks behind,
/// which the allocator then sorted during the caller's next large allocations (measured:
/// ~0.2 s added to the first consolidation); the arena is one block.
pub(super) struct IdIndex<S = StrHash> {
    state: S,
    by_hash: HashMap<u64, CustomerIdx, BuildHasherDefault<Prehashed>>,
    collided: HashMap<String, CustomerIdx>,
    arena: String,
    /// `(start, len)` of each row's id in `arena`, by row.
    spans: Vec<(u32, u32)>,
    /// Rows by numeric id, for ids written as plain decimal numbers below [`DENSE_LIMIT`]
    /// (most shops number their customers): one lookup, no hashing, no comparison.
    dense: Vec<u32>,
}

/// Ids from this value on go to the hashed index (the dense table stays under 64 MiB).
const DENSE_LIMIT: u64 = 1 << 24;

/// The value of an id written as a canonical decimal number (no sign, no leading zero)
/// below [`DENSE_LIMIT`]: such an id and its number name each other one to one.
pub(super) fn dense_key(id: &str) -> Option<usize> {
    let b = id.as_bytes();
    if b.is_empty() || b.len() > 8 || (b.len() > 1 && b[0] == b'0') {
        return None;
    }
    let mut n = 0u64;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u64::from(c - b'0');
    }
    (n < DENSE_LIMIT).then(|| usize::try_from(n).unwrap_or(usize::MAX))
}

/// The hasher of keys that are hashes already.
#[derive(Default)]
pub(super) struct Prehashed(u64);

impl std::hash::Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

impl Default for IdIndex {
    fn default() -> Self {
        Self::with_hasher(StrHash::default())
    }
}

impl<S: std::hash::BuildHasher> IdIndex<S> {
    fn with_hasher(state: S) -> Self {
        Self {
            state,
            by_hash: HashMap::default(),
            collided: HashMap::new(),
            arena: String::new(),
            spans: Vec::new(),
            dense: Vec::new(),
        }
    }

    /// Row `c`'s id, from the arena.
    fn id(&self, c: CustomerIdx) -> &str {
        let (start, len) = self.spans.get(c.0 as usize).copied().unwrap_or((0, 0));
        let (start, len) = (start as usize, len as usize);
        self.arena.get(start..start + len).unwrap_or("")
    }

    /// Indexes row `c` under its id.
    pub(super) fn insert(&mut self, ds: &Dataset, c: CustomerIdx) {
        self.insert_id(ds.customer(c).map_or("", |v| v.id()), c);
    }

    /// Indexes row `c` under `id`, its id.
    pub(super) fn insert_id(&mut self, id: &str, c: CustomerIdx) {
        use std::collections::hash_map::Entry;
        if let Some(k) = dense_key(id) {
            if self.dense.len() <= k {
                self.dense.resize(k + 1, u32::MAX);
            }
            self.dense[k] = c.0;
            return;
        }
        let slot = c.0 as usize;
        if self.spans.len() <= slot {
            self.spans.resize(slot + 1, (0, 0));
        }
        let start = u32::try_from(self.arena.len()).unwrap_or(u32::MAX);
        self.arena.push_str(id);
        self.spans[slot] = (start, u32::try_from(id.len()).unwrap_or(u32::MAX));
        match self.by_hash.entry(self.state.hash_one(id)) {
            Entry::Vacant(e) => {
                e.insert(c);
            }
            Entry::Occupied(mut e) => {
                let held = *e.get();
                let same = {
                    let (s, l) = self.spans[held.0 as usize];
                    self.arena.get(s as usize..(s + l) as usize) == Some(id)
                };
                if same {
                    e.insert(c);
                } else {
                    self.collided.insert(id.to_owned(), c);
                }
            }
        }
    }

    /// The rows of the ids [`dense_key`] reads, by that key (`u32::MAX`: no row).
    pub(super) fn dense(&self) -> &[u32] {
        &self.dense
    }

    pub(super) fn get(&self, id: &str) -> Option<CustomerIdx> {
        if let Some(k) = dense_key(id) {
            return self
                .dense
                .get(k)
                .copied()
                .filter(|&c| c != u32::MAX)
                .map(CustomerIdx);
        }
        match self.by_hash.get(&self.state.hash_one(id)) {
            Some(&c) if self.id(c) == id => Some(c),
            Some(_) => self.collided.get(id).copied(),
            None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customer::Customer;

    /// Every id hashes to the same value: all but the first go through the collision map.
    #[derive(Default)]
    struct Constant;
    impl std::hash::BuildHasher for Constant {
        type Hasher = Constant;
        fn build_hasher(&self) -> Constant {
            Constant
        }
    }
    impl std::hash::Hasher for Constant {
        fn finish(&self) -> u64 {
            7
        }
        fn write(&mut self, _: &[u8]) {}
    }

    fn index<S: std::hash::BuildHasher>(mut idx: IdIndex<S>) -> (Dataset, IdIndex<S>) {
        let mut ds = Dataset::new();
        for (id, email) in [
            ("a", "1@x.io"),
            ("b", "2@x.io"),
            ("a", "3@x.io"),
            ("c", "4@x.io"),
            ("12", "5@x.io"),
            ("012", "6@x.io"),
            ("99999999999", "7@x.io"),
        ] {
            let c = ds.add_customer(Customer {
                id: id.into(),
                email: email.into(),
                ..Customer::default()
            });
            idx.insert(&ds, c);
        }
        (ds, idx)
    }

    #[test]
    fn id_index_finds_the_last_row_of_each_id_with_and_without_collisions() {
        let (_, plain) = index(IdIndex::default());
        let (_, colliding) = index(IdIndex::with_hasher(Constant));
        assert!(!colliding.collided.is_empty());
        for idx in [&plain.get("a"), &colliding.get("a")] {
            assert_eq!(
                *idx,
                Some(CustomerIdx(2)),
                "a later row replaces an earlier one"
            );
        }
        for (id, want) in [
            ("b", Some(CustomerIdx(1))),
            ("c", Some(CustomerIdx(3))),
            ("d", None),
            ("12", Some(CustomerIdx(4))),
            ("012", Some(CustomerIdx(5))),
            ("99999999999", Some(CustomerIdx(6))),
            ("13", None),
            ("0", None),
        ] {
            assert_eq!(plain.get(id), want, "{id}");
            assert_eq!(colliding.get(id), want, "{id} (colliding)");
        }
    }
}
