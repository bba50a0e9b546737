//! The compact records the two stages exchange: orders, events and carts packed into plain
//! words, partitioned by contact bucket.
//!
//! Records store instants as microseconds before `as_of` (52 bits, ~142 years: an older
//! counted order is a [`ConsolidationError::TooOld`](super::ConsolidationError::TooOld), older
//! events are ignored), values in 32 bits (larger values are recomputed from the order on use)
//! and the order index.

/// Bits of a bucket-local contact index (buckets hold at most 4096 contacts).
pub(super) const LOCAL_BITS: u32 = 12;
pub(super) const LOCAL_MASK: u64 = (1 << LOCAL_BITS) - 1;
/// Instants are stored as microseconds before `as_of` in 52 bits (~142 years).
pub(super) const MAX_REL: u64 = (1 << 52) - 1;
/// `value` slot of an order that is not counted.
pub(super) const NOT_COUNTED: u64 = 0xFFFF_FFFF;
/// `value` slot of a counted order whose value does not fit 32 bits (recomputed on use).
pub(super) const ESCAPE: u64 = 0xFFFF_FFFE;

/// `(as_of − ts) << 12 | local`: orders and events by recency within a bucket.
#[inline]
pub(super) fn pack_rel(as_of: i64, ts: i64, local: u32) -> Option<u64> {
    let rel = u64::try_from(as_of.saturating_sub(ts))
        .ok()
        .filter(|&r| r <= MAX_REL)?;
    Some(rel << LOCAL_BITS | u64::from(local))
}

/// One order at or before `as_of`, partitioned by contact bucket (16 bytes). Its delivery,
/// when it counts, is an event of its own ([`Ev`]): about half the orders have one, and
/// records of 16 bytes instead of 24 measured faster than one write stream per bucket.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Rec {
    /// [`pack_rel`] of `placed_at`.
    pub(super) hi: u64,
    /// `value << 32 | order index` (value [`NOT_COUNTED`] or [`ESCAPE`] when it does not fit).
    pub(super) lo: u64,
}

impl Rec {
    #[inline]
    pub(super) fn local(self) -> usize {
        #[allow(clippy::cast_possible_truncation)]
        let local = (self.hi & LOCAL_MASK) as usize;
        local
    }
}

/// An order record once grouped by contact.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Grouped {
    pub(super) ts: i64,
    pub(super) lo: u64,
}

/// A timestamped event of a contact (a login, a delivery): [`pack_rel`] of its instant.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Ev(pub(super) u64);

impl Ev {
    #[inline]
    pub(super) fn local(self) -> usize {
        #[allow(clippy::cast_possible_truncation)]
        let local = (self.0 & LOCAL_MASK) as usize;
        local
    }
    #[inline]
    pub(super) fn rel(self) -> u64 {
        self.0 >> LOCAL_BITS
    }
}

/// A record stored as plain words (a [`Partition`] holds the words; records are packed on
/// write and unpacked on read).
pub(super) trait Packed: Copy {
    type Words: Copy;
    fn pack(self) -> Self::Words;
    fn unpack(words: Self::Words) -> Self;
}

impl Packed for Rec {
    type Words = [u64; 2];
    #[inline]
    fn pack(self) -> [u64; 2] {
        [self.hi, self.lo]
    }
    #[inline]
    fn unpack([hi, lo]: [u64; 2]) -> Self {
        Self { hi, lo }
    }
}

impl Packed for Ev {
    type Words = u64;
    #[inline]
    fn pack(self) -> u64 {
        self.0
    }
    #[inline]
    fn unpack(word: u64) -> Self {
        Self(word)
    }
}

/// Records of one kind partitioned by bucket, one exactly reserved `Vec` per bucket. The
/// buckets are small enough for the allocator to serve them from memory it already holds
/// (a single large buffer is mapped fresh and every page costs a kernel fault; measured at
/// 10 M orders after loading the data: ~50 ms).
#[derive(Debug)]
pub(super) struct Partition<T: Packed> {
    buckets: Vec<Vec<T::Words>>,
}

impl<T: Packed> Default for Partition<T> {
    fn default() -> Self {
        Self {
            buckets: Vec::new(),
        }
    }
}

impl<T: Packed> Partition<T> {
    /// Empties the partition and reserves room for `counts[b]` records in bucket `b`.
    pub(super) fn reset(&mut self, counts: &[usize]) {
        self.buckets.clear();
        self.buckets
            .extend(counts.iter().map(|&c| Vec::with_capacity(c)));
    }

    #[inline]
    pub(super) fn push(&mut self, bucket: usize, value: T) {
        self.buckets[bucket].push(value.pack());
    }

    #[inline]
    pub(super) fn len(&self, bucket: usize) -> usize {
        self.buckets[bucket].len()
    }

    /// The records of bucket `bucket`.
    #[inline]
    pub(super) fn iter(&self, bucket: usize) -> impl Iterator<Item = T> + '_ {
        self.buckets
            .get(bucket)
            .into_iter()
            .flatten()
            .map(|&w| T::unpack(w))
    }

    /// Moves bucket `bucket`'s records out (it is left empty).
    pub(super) fn take(&mut self, bucket: usize) -> Vec<T::Words> {
        std::mem::take(&mut self.buckets[bucket])
    }
}

/// The records of one bucket from every share (one list per share), in share order.
pub(super) struct Shares<T: Packed>(Vec<Vec<T::Words>>);

impl<T: Packed> Shares<T> {
    /// Moves bucket `b` of each partition out.
    pub(super) fn take<'p>(parts: impl Iterator<Item = &'p mut Partition<T>>, b: usize) -> Self
    where
        T: 'p,
    {
        Self(parts.map(|p| p.take(b)).collect())
    }

    /// Every record, share after share.
    #[inline]
    pub(super) fn iter(&self) -> impl Iterator<Item = T> + '_ {
        self.0.iter().flatten().map(|&w| T::unpack(w))
    }

    /// Each record with its share and its index in the share.
    pub(super) fn indexed(&self) -> impl Iterator<Item = (usize, usize, T)> + '_ {
        self.0.iter().enumerate().flat_map(|(s, words)| {
            words
                .iter()
                .enumerate()
                .map(move |(i, &w)| (s, i, T::unpack(w)))
        })
    }

    /// Record `i` of share `share`.
    #[inline]
    pub(super) fn get(&self, share: usize, i: usize) -> T {
        T::unpack(self.0[share][i])
    }
}

/// A cart of a contact (32 bytes).
#[derive(Clone, Copy, Debug)]
pub(super) struct CartRec {
    pub(super) updated: i64,
    pub(super) clock: i64,
    pub(super) id: u64,
    pub(super) contact: u32,
    /// has at least one item
    pub(super) items: bool,
    /// has a converted order
    pub(super) linked: bool,
}

impl Packed for CartRec {
    type Words = [u64; 4];
    #[inline]
    fn pack(self) -> [u64; 4] {
        #[allow(clippy::cast_sign_loss)]
        [
            self.updated as u64,
            self.clock as u64,
            self.id,
            u64::from(self.contact) | u64::from(self.items) << 32 | u64::from(self.linked) << 33,
        ]
    }
    #[inline]
    fn unpack([updated, clock, id, w]: [u64; 4]) -> Self {
        #[allow(clippy::cast_possible_wrap, clippy::cast_possible_truncation)]
        Self {
            updated: updated as i64,
            clock: clock as i64,
            id,
            contact: w as u32,
            items: w >> 32 & 1 == 1,
            linked: w >> 33 & 1 == 1,
        }
    }
}
