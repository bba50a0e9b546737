//! The consolidation engine.
//!
//! Two parallel stages over `std::thread::scope` (no unsafe, no per-order allocation, no
//! hashing and no random lookups on the hot path — each order's contact is resolved once when
//! it is added to the [`Dataset`]):
//! 1. each thread scans a contiguous share of the orders (carts, logins, deliveries), converts
//!    the order value once, and appends a 24-byte record (the order's delivery included; 8
//!    bytes for events) to one of the **contact-range buckets** of ≤ 4096 contacts (a radix
//!    partition by contact index; exact capacities come from a counting pre-pass over the
//!    compact contact arrays);
//! 2. each thread takes a contiguous run of buckets (balanced by record count), groups each
//!    bucket's records by contact with a counting sort into a cache-sized buffer, and scans
//!    each contact once to build its compact profile (instants stay microseconds; the
//!    profile's accessors turn them into dates). Calendar days come from a cached per-day
//!    UTC-offset table (exact across DST).
//!
//! Memory comes in blocks of at most a few MB (one per bucket, output in chunks of
//! [`CHUNK_BYTES`]), which the allocator can serve from memory it already holds: fresh
//! mappings cost a kernel page fault per 4 KiB page, a large share of the time on a
//! virtualised 2-core machine.
//!
//! Records store instants as microseconds before `as_of` (52 bits, ~142 years: an older
//! counted order is a [`ConsolidationError::TooOld`], older events are ignored), values in 32
//! bits (larger values are recomputed from the order on use) and the order index.

use std::fmt;

use chrono::{DateTime, Utc};

use crate::customer::dataset::NONE;
use crate::customer::par::in_parallel;
use crate::customer::profile::NO_INSTANT;
use crate::customer::tzdays::DayTable;
use crate::customer::{
    Buyer, CartClock, CartScope, Consolidation, ConsolidationPolicy, ConvertedBy, Currency,
    Customer, CustomerProfile, Dataset, DeliverySource, FrequencyMode, GroupIdsMode, MissingFx,
    OrderId, OrderStatus, RefundPolicy,
};

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

/// Bits of a bucket-local contact index (buckets hold at most 4096 contacts).
const LOCAL_BITS: u32 = 12;
const LOCAL_MASK: u64 = (1 << LOCAL_BITS) - 1;
/// Instants are stored as microseconds before `as_of` in 52 bits (~142 years).
const MAX_REL: u64 = (1 << 52) - 1;
/// `value` slot of an order that is not counted.
const NOT_COUNTED: u64 = 0xFFFF_FFFF;
/// `value` slot of a counted order whose value does not fit 32 bits (recomputed on use).
const ESCAPE: u64 = 0xFFFF_FFFE;

/// `(as_of − ts) << 12 | local`: orders and events by recency within a bucket.
#[inline]
fn pack_rel(as_of: i64, ts: i64, local: u32) -> Option<u64> {
    let rel = u64::try_from(as_of - ts).ok().filter(|&r| r <= MAX_REL)?;
    Some(rel << LOCAL_BITS | u64::from(local))
}

/// One order at or before `as_of`, partitioned by contact bucket (24 bytes).
#[derive(Clone, Copy, Debug, Default)]
struct Rec {
    /// [`pack_rel`] of `placed_at`.
    hi: u64,
    /// `value << 32 | order index` (value [`NOT_COUNTED`] or [`ESCAPE`] when it does not fit).
    lo: u64,
    /// `as_of − delivered_at` in µs for a counted order delivered at or before `as_of` (within
    /// [`MAX_REL`]), else [`NO_DELIVERY`]. Kept in the order's record rather than as a
    /// separate event: one write stream per bucket instead of two measured faster.
    deliv: u64,
}

/// [`Rec::deliv`] of an order without a delivery that counts.
const NO_DELIVERY: u64 = u64::MAX;

impl Rec {
    #[inline]
    fn local(self) -> usize {
        #[allow(clippy::cast_possible_truncation)]
        let local = (self.hi & LOCAL_MASK) as usize;
        local
    }
}

/// An order record once grouped by contact.
#[derive(Clone, Copy, Debug, Default)]
struct Grouped {
    ts: i64,
    lo: u64,
}

/// A timestamped event of a contact (login, delivery): [`pack_rel`] of its instant.
#[derive(Clone, Copy, Debug, Default)]
struct Ev(u64);

impl Ev {
    #[inline]
    fn local(self) -> usize {
        #[allow(clippy::cast_possible_truncation)]
        let local = (self.0 & LOCAL_MASK) as usize;
        local
    }
    #[inline]
    fn rel(self) -> u64 {
        self.0 >> LOCAL_BITS
    }
}

/// A record stored as plain words (a [`Partition`] holds the words; records are packed on
/// write and unpacked on read).
trait Packed: Copy {
    type Words: Copy;
    fn pack(self) -> Self::Words;
    fn unpack(words: Self::Words) -> Self;
}

impl Packed for Rec {
    type Words = [u64; 3];
    #[inline]
    fn pack(self) -> [u64; 3] {
        [self.hi, self.lo, self.deliv]
    }
    #[inline]
    fn unpack([hi, lo, deliv]: [u64; 3]) -> Self {
        Self { hi, lo, deliv }
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

/// Bytes of one output chunk of profiles: small enough for the allocator to serve it from
/// memory it already holds (large blocks are mapped fresh and returned to the system on free,
/// and each new page costs a kernel fault).
const CHUNK_BYTES: usize = 8 << 20;

/// Records of one kind partitioned by bucket, one exactly reserved `Vec` per bucket. The
/// buckets are small enough for the allocator to serve them from memory it already holds
/// (a single large buffer is mapped fresh and every page costs a kernel fault; measured at
/// 10 M orders after loading the data: ~50 ms).
#[derive(Debug)]
struct Partition<T: Packed> {
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
    fn reset(&mut self, counts: &[usize]) {
        self.buckets.clear();
        self.buckets
            .extend(counts.iter().map(|&c| Vec::with_capacity(c)));
    }

    #[inline]
    fn push(&mut self, bucket: usize, value: T) {
        self.buckets[bucket].push(value.pack());
    }

    #[inline]
    fn len(&self, bucket: usize) -> usize {
        self.buckets[bucket].len()
    }

    #[inline]
    fn get(&self, bucket: usize, i: usize) -> T {
        T::unpack(self.buckets[bucket][i])
    }

    #[inline]
    fn bucket(&self, bucket: usize) -> impl Iterator<Item = T> + '_ {
        self.buckets[bucket].iter().map(|&w| T::unpack(w))
    }
}

/// A cart of a contact (32 bytes).
#[derive(Clone, Copy, Debug)]
struct CartRec {
    updated: i64,
    clock: i64,
    id: u64,
    contact: u32,
    /// has at least one item
    items: bool,
    /// has a converted order
    linked: bool,
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

#[derive(Debug, Default)]
struct Stage1 {
    orders: Partition<Rec>,
    carts: Partition<CartRec>,
    logins: Partition<Ev>,
    /// [`Delivery`](crate::customer::Delivery) events (their count per bucket is not known in
    /// advance)
    delivery_events: Vec<Vec<Ev>>,
    referenced_carts: Vec<u64>,
    /// one bit per order of this share (from its first order, a multiple of 64): counted, at
    /// or before `as_of`, with an attached contact in range — the orders whose delivery events
    /// count
    eligible: Vec<u64>,
    /// counted orders skipped for a missing rate (`MissingFx::Skip`)
    skipped: usize,
    min_ts: i64,
    error: Option<(usize, ConsolidationError)>,
}

#[inline]
fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

/// Policy resolved against one dataset.
struct Ctx<'d, 'p> {
    ds: &'d Dataset,
    policy: &'p ConsolidationPolicy,
    as_of: i64,
    counted_std: [bool; 7],
    counted_custom: Vec<bool>,
    /// (currency, factor to reporting minor units)
    rates: Vec<(Currency, f64)>,
    shift: u32,
    local_mask: u32,
    threads: usize,
}

fn std_pos(s: OrderStatus) -> usize {
    match s {
        OrderStatus::Pending => 0,
        OrderStatus::Paid => 1,
        OrderStatus::Processing => 2,
        OrderStatus::Shipped => 3,
        OrderStatus::Completed => 4,
        OrderStatus::Cancelled => 5,
        OrderStatus::Refunded | OrderStatus::Other(_) => 6,
    }
}

impl Ctx<'_, '_> {
    #[inline]
    fn counted(&self, s: OrderStatus) -> bool {
        match s {
            OrderStatus::Other(c) => self.counted_custom.get(c.0 as usize).copied() == Some(true),
            s => self.counted_std[std_pos(s)],
        }
    }

    /// Contact of a record given its pre-resolved contact, or `None` when it has none or is a
    /// guest record not to be attached.
    #[inline]
    fn contact(&self, resolved: u32, b: Buyer) -> Option<u32> {
        if resolved == NONE {
            return None;
        }
        if !self.policy.attach_guest_orders
            && matches!(b, Buyer::Guest(_))
            && self.ds.contact_head[resolved as usize] != NONE
        {
            return None;
        }
        Some(resolved)
    }

    #[inline]
    fn value(&self, o: &crate::customer::Order) -> Result<i64, ConsolidationError> {
        let raw = match self.policy.refund_policy {
            RefundPolicy::Net => o.amount.minor.saturating_sub(o.refunded_minor),
            RefundPolicy::Gross => o.amount.minor,
        }
        .max(0);
        if o.amount.currency == self.policy.reporting_currency {
            return Ok(raw);
        }
        for &(c, factor) in &self.rates {
            if c == o.amount.currency {
                #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
                let v = (raw as f64 * factor).round();
                #[allow(clippy::cast_precision_loss)]
                if v.is_nan() || v >= i64::MAX as f64 {
                    return Err(ConsolidationError::Overflow { order: o.id });
                }
                #[allow(clippy::cast_possible_truncation)]
                return Ok(v as i64);
            }
        }
        Err(ConsolidationError::MissingRate {
            order: o.id,
            currency: o.amount.currency,
        })
    }

    /// Fills `out` with the records of share `part` whose contact lies in buckets
    /// `[b_lo, b_hi)`. Reuses `out`'s buffers (no fresh memory after the first pass).
    #[allow(clippy::too_many_lines, clippy::items_after_statements)]
    fn stage1(&self, part: usize, out: &mut Stage1, b_lo: usize, b_hi: usize) {
        let ds = self.ds;
        let t = self.threads;
        let (orders_r, carts_r, logins_r) = (
            order_share(ds.orders.len(), part, t),
            share(ds.carts.len(), part, t),
            share(ds.logins.len(), part, t),
        );
        let nb = b_hi - b_lo;
        #[allow(clippy::cast_possible_truncation)]
        let (c_lo, c_hi) = (
            (b_lo << self.shift) as u32,
            (b_hi << self.shift).min(u32::MAX as usize) as u32,
        );
        let in_range = move |k: u32| k >= c_lo && k < c_hi;
        let shift = self.shift;
        let bucket = move |k: u32| ((k - c_lo) >> shift) as usize;
        fn reset<T>(v: &mut Vec<Vec<T>>, nb: usize) {
            v.resize_with(nb.max(v.len()), Vec::new);
            for b in v.iter_mut() {
                b.clear();
            }
        }
        reset(&mut out.delivery_events, nb);
        out.referenced_carts.clear();
        out.skipped = 0;
        out.error = None;
        // exact per-bucket capacities (upper bounds) from the compact contact arrays
        let mut counts = vec![0usize; nb];
        for &k in &ds.order_contact[orders_r.clone()] {
            if in_range(k) {
                counts[bucket(k)] += 1;
            }
        }
        out.orders.reset(&counts);
        counts.fill(0);
        for &k in &ds.cart_contact[carts_r.clone()] {
            if in_range(k) {
                counts[bucket(k)] += 1;
            }
        }
        out.carts.reset(&counts);
        counts.fill(0);
        for &k in &ds.login_contact[logins_r.clone()] {
            if in_range(k) {
                counts[bucket(k)] += 1;
            }
        }
        out.logins.reset(&counts);
        let start = orders_r.start;
        let as_of = self.as_of;
        out.min_ts = i64::MAX;
        // every cart referenced by an order at or before `as_of`, whatever its contact
        let collect_carts = b_lo == 0 && ds.orders_with_cart > 0;
        out.eligible.clear();
        out.eligible.resize(orders_r.len().div_ceil(64), 0);
        for (i, (o, &resolved)) in ds.orders[orders_r.clone()]
            .iter()
            .zip(&ds.order_contact[orders_r])
            .enumerate()
        {
            let in_r = in_range(resolved);
            if !in_r && !collect_carts {
                continue;
            }
            let ts = micros(o.placed_at);
            if ts > as_of {
                continue;
            }
            let Some(contact) = self.contact(resolved, o.buyer) else {
                continue;
            };
            if collect_carts && let Some(cart) = o.cart {
                out.referenced_carts.push(cart.0);
            }
            if !in_r {
                continue;
            }
            let bucket = bucket(contact);
            let mut deliv = NO_DELIVERY;
            let value = if self.counted(o.status) {
                out.eligible[i >> 6] |= 1 << (i & 63);
                match self.value(o) {
                    Ok(v) => {
                        out.min_ts = out.min_ts.min(ts);
                        let d = o.delivered_at.map_or(i64::MAX, micros);
                        deliv = u64::try_from(as_of - d)
                            .ok()
                            .filter(|&r| r <= MAX_REL)
                            .unwrap_or(NO_DELIVERY);
                        u64::try_from(v).map_or(ESCAPE, |v| v.min(ESCAPE))
                    }
                    Err(ConsolidationError::MissingRate { .. })
                        if self.policy.on_missing_fx == MissingFx::Skip =>
                    {
                        out.skipped += 1;
                        NOT_COUNTED
                    }
                    Err(e) => {
                        out.error = Some((start + i, e));
                        return;
                    }
                }
            } else {
                NOT_COUNTED
            };
            let Some(hi) = pack_rel(as_of, ts, contact & self.local_mask) else {
                out.error = Some((start + i, ConsolidationError::TooOld { order: o.id }));
                return;
            };
            #[allow(clippy::cast_possible_truncation)]
            let idx = (start + i) as u64;
            out.orders.push(
                bucket,
                Rec {
                    hi,
                    lo: value << 32 | idx,
                    deliv,
                },
            );
        }
        for (l, &contact) in ds.logins[logins_r.clone()]
            .iter()
            .zip(&ds.login_contact[logins_r])
        {
            if !in_range(contact) {
                continue;
            }
            let ts = micros(l.at);
            if ts > as_of {
                continue;
            }
            if let Some(e) = pack_rel(as_of, ts, contact & self.local_mask) {
                out.logins.push(bucket(contact), Ev(e));
            }
        }
        let cart_deadline = as_of.saturating_sub(
            i64::try_from(self.policy.abandoned_cart_delay.as_micros()).unwrap_or(i64::MAX),
        );
        let cart_oldest = self
            .policy
            .abandoned_cart_max_age
            .map(|d| as_of.saturating_sub(i64::try_from(d.as_micros()).unwrap_or(i64::MAX)));
        for (c, &resolved) in ds.carts[carts_r.clone()]
            .iter()
            .zip(&ds.cart_contact[carts_r])
        {
            if !in_range(resolved) {
                continue;
            }
            let updated = micros(c.updated_at);
            let created = micros(c.created_at);
            if updated > as_of || created > as_of {
                continue;
            }
            let Some(contact) = self.contact(resolved, c.owner) else {
                continue;
            };
            let clock = match self.policy.abandoned_cart_clock {
                CartClock::UpdatedAt => updated,
                CartClock::CreatedAt => created,
            };
            // With "any qualifying cart", carts failing a per-cart rule can never be reported:
            // drop them here (the most-recent scope needs every cart).
            if self.policy.abandoned_cart_scope == CartScope::AnyQualifying
                && (c.item_count == 0
                    || c.converted_order.is_some()
                    || clock > cart_deadline
                    || cart_oldest.is_some_and(|o| clock < o))
            {
                continue;
            }
            out.carts.push(
                bucket(contact),
                CartRec {
                    updated,
                    clock,
                    id: c.id.0,
                    contact,
                    items: c.item_count > 0,
                    linked: c.converted_order.is_some(),
                },
            );
        }
    }

    /// Appends the delivery events of share `part` whose order is eligible (see
    /// `Stage1::eligible`, gathered from every share by [`Ctx::stage1`]) to `out`.
    fn stage1_deliveries(&self, part: usize, out: &mut Stage1, b_lo: usize, eligible: &[u64]) {
        let ds = self.ds;
        let as_of = self.as_of;
        let shift = self.shift;
        let c_lo = b_lo << shift;
        for d in &ds.deliveries[share(ds.deliveries.len(), part, self.threads)] {
            let ts = micros(d.delivered_at);
            if ts > as_of {
                continue;
            }
            let i = d.order.0 as usize;
            if eligible.get(i >> 6).is_none_or(|w| w >> (i & 63) & 1 == 0) {
                continue;
            }
            let contact = ds.order_contact[i];
            if let Some(e) = pack_rel(as_of, ts, contact & self.local_mask) {
                out.delivery_events[(contact as usize - c_lo) >> shift].push(Ev(e));
            }
        }
    }
}

/// Share `part` of `t` contiguous shares of `len` items.
fn share(len: usize, part: usize, t: usize) -> std::ops::Range<usize> {
    (len * part / t)..(len * (part + 1) / t)
}

/// The orders of share `part` of `t`: contiguous, starting at a multiple of 64 (so that the
/// shares' `Stage1::eligible` bitsets concatenate).
fn order_share(len: usize, part: usize, t: usize) -> std::ops::Range<usize> {
    let cut = |p: usize| if p == t { len } else { (len * p / t) & !63 };
    cut(part)..cut(part + 1)
}

/// Stage-2 cost of a contact (building and writing its profile, whose fresh memory the kernel
/// zeroes) relative to one stage-1 record. Measured at 10 M orders / 1.1 M contacts: ~130 ns
/// per profile vs ~15–20 ns per order record; counting contacts as 1 left one thread ~40 %
/// slower than the other (contacts with low indices hold more orders).
const CONTACT_COST: usize = 10;

/// Per-contact order aggregate.
#[derive(Clone, Copy, Debug)]
struct Agg {
    n: u32,
    revenue: i64,
    first: i64,
    last: i64,
    last_idx: u32,
    last_value: i64,
    max_any: i64,
    n_days: u32,
    first_day: i32,
    last_day: i32,
    first_day_sum: i64,
}

const EMPTY: Agg = Agg {
    n: 0,
    revenue: 0,
    first: i64::MAX,
    last: i64::MIN,
    last_idx: 0,
    last_value: 0,
    max_any: i64::MIN,
    n_days: 0,
    first_day: i32::MAX,
    last_day: i32::MIN,
    first_day_sum: 0,
};

fn aggregate(
    recs: &[Grouped],
    ctx: &Ctx<'_, '_>,
    days: &DayTable,
    seen: &mut DaySeen,
    stamp: u32,
) -> Agg {
    let mut a = EMPTY;
    seen.overflow.clear();
    let orders = &ctx.ds.orders;
    for r in recs {
        a.max_any = a.max_any.max(r.ts);
        let slot = r.lo >> 32;
        if slot == NOT_COUNTED {
            continue;
        }
        #[allow(clippy::cast_possible_truncation)]
        let idx = r.lo as u32;
        #[allow(clippy::cast_possible_wrap)]
        let value = if slot == ESCAPE {
            orders
                .get(idx as usize)
                .and_then(|o| ctx.value(o).ok())
                .unwrap_or(0)
        } else {
            slot as i64
        };
        a.n += 1;
        a.revenue = a.revenue.saturating_add(value);
        a.first = a.first.min(r.ts);
        if r.ts > a.last
            || (r.ts == a.last && orders[idx as usize].id > orders[a.last_idx as usize].id)
        {
            a.last = r.ts;
            a.last_idx = idx;
            a.last_value = value;
        }
        let d = days.day_of_micros(r.ts);
        if d < a.first_day {
            a.first_day = d;
            a.first_day_sum = value;
        } else if d == a.first_day {
            a.first_day_sum = a.first_day_sum.saturating_add(value);
        }
        a.last_day = a.last_day.max(d);
        // distinct days: stamp a per-thread day array with the contact (no sort)
        match usize::try_from(d - seen.first_day)
            .ok()
            .and_then(|i| seen.stamps.get_mut(i))
        {
            Some(s) if *s != stamp => {
                *s = stamp;
                a.n_days += 1;
            }
            Some(_) => {}
            None => seen.overflow.push(d),
        }
    }
    if !seen.overflow.is_empty() {
        seen.overflow.sort_unstable();
        seen.overflow.dedup();
        a.n_days += u32::try_from(seen.overflow.len()).unwrap_or(u32::MAX);
    }
    a
}

/// Per-thread scratch for counting distinct days.
struct DaySeen {
    first_day: i32,
    /// last contact stamp per day of the table's range
    stamps: Vec<u32>,
    /// days outside the range (rare)
    overflow: Vec<i32>,
}

impl DaySeen {
    fn new(days: &DayTable) -> Self {
        let (lo, hi) = days.day_range();
        Self {
            first_day: lo,
            stamps: vec![u32::MAX; usize::try_from(hi - lo + 1).unwrap_or(0)],
            overflow: Vec::new(),
        }
    }
}

/// Index of the chosen customer row of a contact (see [`CustomerProfile`]).
fn chosen_row(ds: &Dataset, head: u32) -> u32 {
    let mut best = head;
    let mut cur = ds.customer_next[head as usize];
    while cur != NONE {
        let (b, c) = (&ds.customers[best as usize], &ds.customers[cur as usize]);
        let key = |x: &Customer| (!x.is_guest, x.updated_at, x.signed_up_at);
        if key(c) > key(b) {
            best = cur;
        }
        cur = ds.customer_next[cur as usize];
    }
    best
}

#[allow(clippy::cast_precision_loss)]
fn days_between(a: i64, b: i64) -> f64 {
    (b - a) as f64 / 86_400_000_000.0
}

impl Dataset {
    /// Consolidates every contact under `policy`.
    ///
    /// Errors if a counted order at or before `as_of` is in a currency with no rate
    /// ([`ConsolidationError::MissingRate`] names the first such order), or a rate is invalid.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use relance::customer::*;
    /// let mut ds = Dataset::new();
    /// let c = ds.add_customer(Customer { id: "42".into(), email: "a@x.io".into(), ..Customer::default() });
    /// let at = |d, h| Utc.with_ymd_and_hms(2024, 1, d, h, 0, 0).unwrap();
    /// for (id, d, h, cents) in [(1, 1, 9, 1000), (2, 1, 18, 500), (3, 11, 12, 2000), (4, 31, 8, 3000)] {
    ///     ds.add_order(Order::new(OrderId(id), Buyer::Customer(c), at(d, h), OrderStatus::Paid, Money::new(cents, Currency::EUR)));
    /// }
    /// let policy = ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap(), chrono_tz::UTC);
    /// let out = ds.consolidate(&policy).unwrap();
    /// let p = out.iter().next().unwrap();
    /// assert_eq!(p.orders_count(), 4);
    /// assert_eq!(p.revenue().to_decimal_string(), "65.00");
    /// let b = p.btyd().unwrap();
    /// assert_eq!((b.frequency, b.recency, b.t, b.monetary_value), (2, 30.0, 60.0, 25.0));
    /// ```
    #[allow(clippy::too_many_lines)]
    pub fn consolidate(
        &self,
        policy: &ConsolidationPolicy,
    ) -> Result<Consolidation<'_>, ConsolidationError> {
        let rep = policy.reporting_currency;
        let mut rates = Vec::with_capacity(policy.rates.len());
        for r in &policy.rates {
            if !(r.rate.is_finite() && r.rate > 0.0) {
                return Err(ConsolidationError::InvalidRate { currency: r.from });
            }
            let scale = 10f64.powi(i32::from(rep.exponent()) - i32::from(r.from.exponent()));
            rates.push((r.from, r.rate * scale));
        }
        let n = self.contact_email.len();
        // bucket size: a power of two of contacts such that a bucket's ~16k order records
        // (and its grouped copy) stay cache-resident; at least 256 contacts, at most 4096
        // buckets.
        let target = (n as u128 * 16_384 / (self.orders.len().max(1) as u128)).max(256);
        let mut shift = 8u32;
        while shift < LOCAL_BITS && (1u128 << shift) < target {
            shift += 1;
        }
        let n_buckets = ((n + (1 << shift) - 1) >> shift).max(1);
        let threads = policy
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
            .clamp(1, 64);
        let mut counted_std = [false; 7];
        for s in OrderStatus::STANDARD {
            counted_std[std_pos(s)] = policy.counted_statuses.contains_standard(s);
        }
        // `Refunded` and `Other` share slot 6 in `std_pos`; custom statuses are looked up first.
        counted_std[6] = policy
            .counted_statuses
            .contains_standard(OrderStatus::Refunded);
        let counted_custom = self
            .custom_statuses()
            .iter()
            .map(|name| policy.counted_statuses.custom().iter().any(|c| c == name))
            .collect();
        let ctx = Ctx {
            ds: self,
            policy,
            as_of: micros(policy.as_of),
            counted_std,
            counted_custom,
            rates,
            shift,
            local_mask: (1u32 << shift) - 1,
            threads,
        };

        // One pass over all contacts. (Several passes over contact ranges would bound the
        // partition buffers, but each pass re-streams the whole order array: measured slower.)
        let per_pass = n_buckets;
        let mut parts: Vec<Stage1> = (0..threads).map(|_| Stage1::default()).collect();
        let mut chunks: Vec<Vec<CustomerProfile<'_>>> = Vec::new();
        let mut referenced: Vec<u64> = Vec::new();
        let as_of_secs = policy.as_of.timestamp();
        let mut days: Option<DayTable> = None;
        let mut skipped = 0usize;
        for b_lo in (0..n_buckets).step_by(per_pass) {
            let b_hi = (b_lo + per_pass).min(n_buckets);
            // Stage 1: partition this contact range by bucket.
            in_parallel(parts.iter_mut().enumerate().collect(), |(p, out)| {
                ctx.stage1(p, out, b_lo, b_hi);
            });
            skipped += parts.iter().map(|p| p.skipped).sum::<usize>();
            if parts.iter().any(|p| p.error.is_some()) {
                return Err(self.first_error(&ctx));
            }
            // Delivery events: their orders' eligibility was recorded by the order scan.
            if !self.deliveries.is_empty() {
                let eligible: Vec<u64> = parts
                    .iter()
                    .flat_map(|p| p.eligible.iter().copied())
                    .collect();
                in_parallel(parts.iter_mut().enumerate().collect(), |(p, out)| {
                    ctx.stage1_deliveries(p, out, b_lo, &eligible);
                });
            }
            if b_lo == 0 {
                referenced = parts
                    .iter()
                    .flat_map(|p| p.referenced_carts.iter().copied())
                    .collect();
                referenced.sort_unstable();
                referenced.dedup();
            }
            let min_ts = parts.iter().map(|p| p.min_ts).min().unwrap_or(i64::MAX);
            let min_secs = if min_ts == i64::MAX {
                as_of_secs
            } else {
                min_ts.div_euclid(1_000_000)
            };
            if days.as_ref().is_none_or(|d| !d.covers(min_secs)) {
                let lo = days
                    .as_ref()
                    .map_or(min_secs, |d| d.start_secs().min(min_secs));
                days = Some(DayTable::new(policy.shop_tz, lo, as_of_secs));
            }
            let Some(days) = days.as_ref() else {
                continue;
            };

            // Stage 2: contiguous bucket runs balanced by load.
            let load: Vec<usize> = (b_lo..b_hi)
                .map(|b| {
                    let j = b - b_lo;
                    CONTACT_COST * (1usize << shift).min(n.saturating_sub(b << shift))
                        + parts
                            .iter()
                            .map(|p| p.orders.len(j) + p.carts.len(j) + p.logins.len(j))
                            .sum::<usize>()
                })
                .collect();
            let total: usize = load.iter().sum();
            let mut cuts = vec![b_lo];
            let mut acc = 0usize;
            for (j, l) in load.iter().enumerate() {
                acc += l;
                if cuts.len() < threads && acc * threads >= total * cuts.len() {
                    cuts.push(b_lo + j + 1);
                }
            }
            while cuts.len() <= threads {
                cuts.push(b_hi);
            }
            let shared = Shared {
                ctx: &ctx,
                parts: &parts,
                days,
                referenced: &referenced,
                n,
                b_lo,
            };
            let runs: Vec<(usize, usize)> = cuts.windows(2).map(|w| (w[0], w[1])).collect();
            let out = in_parallel(runs, |(from, to)| shared.stage2(from, to));
            chunks.extend(out.into_iter().flatten());
        }
        // Release the partition buffers (~300 MB at 10 M orders) on all threads at once: the
        // page freeing runs in parallel instead of after the last thread.
        in_parallel(parts, drop);
        Ok(Consolidation {
            as_of: policy.as_of,
            currency: rep,
            chunks,
            skipped_orders: skipped,
            threads,
        })
    }

    /// The first (in dataset order) counted order at or before `as_of` whose value cannot be
    /// computed. Slow path, only taken on error.
    fn first_error(&self, ctx: &Ctx<'_, '_>) -> ConsolidationError {
        for (o, &resolved) in self.orders.iter().zip(&self.order_contact) {
            if micros(o.placed_at) > ctx.as_of
                || ctx.contact(resolved, o.buyer).is_none()
                || !ctx.counted(o.status)
            {
                continue;
            }
            match ctx.value(o) {
                Ok(_)
                    if u64::try_from(ctx.as_of - micros(o.placed_at)).unwrap_or(u64::MAX)
                        > MAX_REL =>
                {
                    return ConsolidationError::TooOld { order: o.id };
                }
                Ok(_) => {}
                Err(e) => return e,
            }
        }
        ConsolidationError::Overflow {
            order: OrderId(u64::MAX),
        }
    }
}

struct Shared<'a, 'd> {
    ctx: &'a Ctx<'d, 'a>,
    parts: &'a [Stage1],
    days: &'a DayTable,
    referenced: &'a [u64],
    n: usize,
    /// first bucket of the current pass (stage-1 buffers are indexed from it)
    b_lo: usize,
}

impl<'d> Shared<'_, 'd> {
    #[allow(clippy::too_many_lines)]
    fn stage2(&self, from: usize, to: usize) -> Vec<Vec<CustomerProfile<'d>>> {
        let ctx = self.ctx;
        let ds = ctx.ds;
        let policy = ctx.policy;
        let shift = ctx.shift;
        let size = 1usize << shift;
        let lo_all = (from << shift).min(self.n);
        let hi_all = (to << shift).min(self.n);
        // output in chunks of about `CHUNK_BYTES` (see there)
        let per_chunk = (CHUNK_BYTES / std::mem::size_of::<CustomerProfile<'_>>()).max(1);
        let mut remaining = hi_all - lo_all;
        let mut done: Vec<Vec<CustomerProfile<'d>>> = Vec::new();
        let mut out = Vec::with_capacity(remaining.min(per_chunk));
        let mut offsets: Vec<u32> = Vec::with_capacity(size + 1);
        let mut grouped: Vec<Grouped> = Vec::new();
        let mut last_login = vec![i64::MIN; size];
        let mut last_deliv = vec![i64::MIN; size];
        let mut aggs = vec![EMPTY; size];
        let mut abandoned = vec![i64::MIN; size];
        let mut recent_cart: Vec<(i64, u64, usize)> = vec![(i64::MIN, 0, usize::MAX); size];
        let mut seen = DaySeen::new(self.days);
        let as_of = ctx.as_of;
        let delay = i64::try_from(policy.abandoned_cart_delay.as_micros()).unwrap_or(i64::MAX);
        let max_age = policy
            .abandoned_cart_max_age
            .map(|d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX));
        let as_of_day = self.days.day_of_micros(as_of);
        let min_orders = policy.frequency_min_orders.max(2);
        let exp = 10f64.powi(i32::from(policy.reporting_currency.exponent()));
        let rep = policy.reporting_currency;
        for b in from..to {
            let lo = b << shift;
            let hi = (lo + size).min(self.n);
            if lo >= hi {
                continue;
            }
            let m = hi - lo;
            #[allow(clippy::cast_possible_truncation)]
            let lo32 = lo as u32;
            // counting sort of this bucket's order records by contact
            offsets.clear();
            offsets.resize(m + 1, 0);
            for p in self.parts {
                for r in p.orders.bucket(b - self.b_lo) {
                    offsets[r.local() + 1] += 1;
                }
            }
            for i in 0..m {
                offsets[i + 1] += offsets[i];
            }
            let total = offsets[m] as usize;
            grouped.clear();
            grouped.resize(total, Grouped::default());
            last_deliv[..m].fill(i64::MIN);
            {
                let mut cursor: Vec<u32> = offsets[..m].to_vec();
                for p in self.parts {
                    for r in p.orders.bucket(b - self.b_lo) {
                        let local = r.local();
                        let c = &mut cursor[local];
                        #[allow(clippy::cast_possible_wrap)]
                        let ts = as_of - (r.hi >> LOCAL_BITS) as i64;
                        grouped[*c as usize] = Grouped { ts, lo: r.lo };
                        *c += 1;
                        #[allow(clippy::cast_possible_wrap)]
                        if r.deliv != NO_DELIVERY {
                            let x = &mut last_deliv[local];
                            *x = (*x).max(as_of - r.deliv as i64);
                        }
                    }
                }
            }
            for i in 0..m {
                aggs[i] = aggregate(
                    &grouped[offsets[i] as usize..offsets[i + 1] as usize],
                    ctx,
                    self.days,
                    &mut seen,
                    u32::try_from(lo + i).unwrap_or(u32::MAX),
                );
            }
            last_login[..m].fill(i64::MIN);
            abandoned[..m].fill(i64::MIN);
            for p in self.parts {
                #[allow(clippy::cast_possible_wrap)]
                for e in p.logins.bucket(b - self.b_lo) {
                    let x = &mut last_login[e.local()];
                    *x = (*x).max(as_of - e.rel() as i64);
                }
                #[allow(clippy::cast_possible_wrap)]
                for e in &p.delivery_events[b - self.b_lo] {
                    let x = &mut last_deliv[e.local()];
                    *x = (*x).max(as_of - e.rel() as i64);
                }
            }
            // abandoned carts
            let qualifies = |c: &CartRec, agg: &Agg| -> bool {
                if !c.items || c.linked || self.referenced.binary_search(&c.id).is_ok() {
                    return false;
                }
                let later = match policy.abandoned_cart_converted_by {
                    ConvertedBy::AnyOrder => agg.max_any,
                    ConvertedBy::CountedOrders => agg.last,
                };
                if later >= c.updated {
                    return false;
                }
                if c.clock > as_of.saturating_sub(delay) {
                    return false;
                }
                if let Some(age) = max_age
                    && c.clock < as_of.saturating_sub(age)
                {
                    return false;
                }
                true
            };
            match policy.abandoned_cart_scope {
                CartScope::AnyQualifying => {
                    for p in self.parts {
                        for c in p.carts.bucket(b - self.b_lo) {
                            let i = (c.contact - lo32) as usize;
                            if c.updated > abandoned[i] && qualifies(&c, &aggs[i]) {
                                abandoned[i] = c.updated;
                            }
                        }
                    }
                }
                CartScope::MostRecent => {
                    recent_cart[..m].fill((i64::MIN, 0, usize::MAX));
                    for (pi, p) in self.parts.iter().enumerate() {
                        for (ci, c) in p.carts.bucket(b - self.b_lo).enumerate() {
                            let i = (c.contact - lo32) as usize;
                            let r = &mut recent_cart[i];
                            if (c.updated, c.id) >= (r.0, r.1) {
                                *r = (c.updated, c.id, pi * (1 << 40) + ci);
                            }
                        }
                    }
                    for i in 0..m {
                        let (_, _, key) = recent_cart[i];
                        if key == usize::MAX {
                            continue;
                        }
                        let c = self.parts[key >> 40]
                            .carts
                            .get(b - self.b_lo, key & ((1 << 40) - 1));
                        if qualifies(&c, &aggs[i]) {
                            abandoned[i] = c.updated;
                        }
                    }
                }
            }
            // profiles
            for i in 0..m {
                let contact = lo + i;
                let a = &aggs[i];
                let head = ds.contact_head[contact];
                let row = if head == NONE {
                    NONE
                } else {
                    chosen_row(ds, head)
                };
                let mut login = last_login[i];
                let mut multi = false;
                if head != NONE {
                    let mut cur = head;
                    while cur != NONE {
                        if let Some(l) = ds.customers[cur as usize].last_login_at {
                            let l = micros(l);
                            if l <= as_of {
                                login = login.max(l);
                            }
                        }
                        multi |= cur != head;
                        cur = ds.customer_next[cur as usize];
                    }
                }
                let has = a.n > 0;
                let avg = match policy.frequency_mode {
                    FrequencyMode::Instants => (a.n >= min_orders)
                        .then(|| days_between(a.first, a.last) / f64::from(a.n - 1)),
                    FrequencyMode::Days => (a.n_days >= min_orders)
                        .then(|| f64::from(a.last_day - a.first_day) / f64::from(a.n_days - 1)),
                }
                .unwrap_or(f64::NAN);
                let btyd_frequency = a.n_days.saturating_sub(1);
                #[allow(clippy::cast_precision_loss)]
                let btyd_monetary_value = if has && btyd_frequency > 0 {
                    (a.revenue - a.first_day_sum) as f64 / f64::from(btyd_frequency) / exp
                } else {
                    0.0
                };
                let last_delivery_at = match policy.last_delivery_source {
                    DeliverySource::DeliveredAt => last_deliv[i],
                    DeliverySource::OrderDate if has => a.last,
                    DeliverySource::OrderDate => NO_INSTANT,
                };
                if out.len() == out.capacity() {
                    remaining -= out.len();
                    done.push(std::mem::replace(
                        &mut out,
                        Vec::with_capacity(remaining.min(per_chunk)),
                    ));
                }
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                out.push(CustomerProfile {
                    dataset: ds,
                    revenue: a.revenue,
                    last_order_amount: a.last_value,
                    first_order_at: a.first,
                    last_order_at: a.last,
                    last_login_at: login,
                    last_abandoned_cart_at: abandoned[i],
                    last_delivery_at,
                    avg_days_between_orders: avg,
                    btyd_monetary_value,
                    contact: contact as u32,
                    customer: row,
                    last_order: a.last_idx,
                    orders_count: a.n,
                    btyd_frequency,
                    btyd_recency: a.last_day.wrapping_sub(a.first_day) as u32,
                    btyd_t: as_of_day.wrapping_sub(a.first_day) as u32,
                    rfm: None,
                    currency: rep,
                    union_groups: multi && policy.group_ids == GroupIdsMode::Union,
                });
            }
        }
        if !out.is_empty() {
            done.push(out);
        }
        done
    }
}
