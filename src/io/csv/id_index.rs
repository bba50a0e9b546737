//! Customer rows by shop id, for resolving the `customer_id` of orders, carts and logins.

use std::collections::HashMap;

use crate::customer::{CustomerIdx, Dataset};

/// Customer rows by shop id, without a copy of each id: keyed by the id's hash, the row
/// holding the id. Ids whose hash is already taken by another id (vanishingly rare) go to a
/// plain map. A later row with the same id replaces the earlier one.
///
/// Copying a million ids into a map that is dropped at the end of loading used to leave a
/// million small freed blocks behind, which the allocator then sorted during the caller's
/// next large allocations (measured: ~0.2 s added to the first consolidation).
pub(super) struct IdIndex<S = std::hash::RandomState> {
    state: S,
    by_hash: HashMap<u64, CustomerIdx>,
    collided: HashMap<String, CustomerIdx>,
}

impl Default for IdIndex {
    fn default() -> Self {
        Self::with_hasher(std::hash::RandomState::new())
    }
}

impl<S: std::hash::BuildHasher> IdIndex<S> {
    fn with_hasher(state: S) -> Self {
        Self {
            state,
            by_hash: HashMap::new(),
            collided: HashMap::new(),
        }
    }

    fn id(ds: &Dataset, c: CustomerIdx) -> &str {
        &ds.customers()[c.0 as usize].id
    }

    /// Indexes row `c` under its id.
    pub(super) fn insert(&mut self, ds: &Dataset, c: CustomerIdx) {
        use std::collections::hash_map::Entry;
        let id = Self::id(ds, c);
        match self.by_hash.entry(self.state.hash_one(id)) {
            Entry::Vacant(e) => {
                e.insert(c);
            }
            Entry::Occupied(mut e) if Self::id(ds, *e.get()) == id => {
                e.insert(c);
            }
            Entry::Occupied(_) => {
                self.collided.insert(id.to_owned(), c);
            }
        }
    }

    pub(super) fn get(&self, ds: &Dataset, id: &str) -> Option<CustomerIdx> {
        match self.by_hash.get(&self.state.hash_one(id)) {
            Some(&c) if Self::id(ds, c) == id => Some(c),
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
        let (ds, plain) = index(IdIndex::default());
        let (_, colliding) = index(IdIndex::with_hasher(Constant));
        assert!(!colliding.collided.is_empty());
        for idx in [&plain.get(&ds, "a"), &colliding.get(&ds, "a")] {
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
        ] {
            assert_eq!(plain.get(&ds, id), want, "{id}");
            assert_eq!(colliding.get(&ds, id), want, "{id} (colliding)");
        }
    }
}
