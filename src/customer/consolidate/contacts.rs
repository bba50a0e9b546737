//! Stage 2: each thread takes a contiguous run of buckets, groups each bucket's records by
//! contact with a counting sort into a cache-sized buffer, and scans each contact once to
//! build its compact profile (instants stay microseconds; the profile's accessors turn them
//! into dates).

use super::Ctx;
use super::aggregate::{Agg, DaySeen, EMPTY, aggregate};
use super::partition::Stage1;
use super::records::{CartRec, Ev, Grouped, LOCAL_BITS, Rec, Shares};
use super::rules::{micros, representative_row};
use crate::customer::dataset::NONE;
use crate::customer::profile::NO_INSTANT;
use crate::customer::tzdays::DayTable;
use crate::customer::{CustomerProfile, DeliverySource, FrequencyMode, GroupIdsMode};

/// Bytes of one output chunk of profiles: small enough for the allocator to serve it from
/// memory it already holds, such as the records the thread has freed (large blocks are mapped
/// fresh and returned to the system on free, and each new page costs a kernel fault).
/// Measured at 10 M orders: 4 MiB chunks took 0.92× the time of 8 MiB ones with 10 MiB less
/// at the peak; 1 and 2 MiB chunks, less memory again but 6–10 % slower.
const CHUNK_BYTES: usize = 4 << 20;

/// What every stage-2 thread reads.
pub(super) struct Stage2<'a, 'd> {
    pub(super) ctx: &'a Ctx<'d, 'a>,
    pub(super) days: &'a DayTable,
    /// carts referenced by an order, sorted
    pub(super) referenced: &'a [u64],
    /// each contact's latest login (µs), `i64::MIN` for none; empty without logins
    pub(super) logins: &'a [i64],
}

/// The records of one bucket from every share, moved to the stage-2 thread that reads them,
/// which frees them once the bucket's profiles are built: the profiles' memory then takes
/// the records' place instead of adding to it.
pub(super) struct Bucket {
    orders: Shares<Rec>,
    pub(super) carts: Shares<CartRec>,
    deliveries: Vec<Vec<Ev>>,
}

impl Bucket {
    /// Moves bucket `b`'s records out of every share.
    pub(super) fn take(parts: &mut [Stage1], b: usize) -> Self {
        Self {
            orders: Shares::take(parts.iter_mut().map(|p| &mut p.orders), b),
            carts: Shares::take(parts.iter_mut().map(|p| &mut p.carts), b),
            deliveries: parts
                .iter_mut()
                .map(|p| std::mem::take(&mut p.delivery_events[b]))
                .collect(),
        }
    }
}

/// Per-thread buffers, one slot per contact of a bucket.
pub(super) struct Scratch {
    offsets: Vec<u32>,
    grouped: Vec<Grouped>,
    pub(super) aggs: Vec<Agg>,
    last_login: Vec<i64>,
    last_deliv: Vec<i64>,
    /// latest abandoned cart `updated_at`
    pub(super) abandoned: Vec<i64>,
    /// most recent cart: (`updated_at`, id, share << 40 | index in its bucket)
    pub(super) recent_cart: Vec<(i64, u64, usize)>,
    seen: DaySeen,
}

impl Scratch {
    fn new(size: usize, days: &DayTable) -> Self {
        Self {
            offsets: Vec::with_capacity(size + 1),
            grouped: Vec::new(),
            aggs: vec![EMPTY; size],
            last_login: vec![i64::MIN; size],
            last_deliv: vec![i64::MIN; size],
            abandoned: vec![i64::MIN; size],
            recent_cart: vec![(i64::MIN, 0, usize::MAX); size],
            seen: DaySeen::new(days),
        }
    }
}

/// Output in chunks of about [`CHUNK_BYTES`] (see there).
struct Chunks<T> {
    done: Vec<Vec<T>>,
    out: Vec<T>,
    /// items still to come, including those in `out`
    remaining: usize,
    per_chunk: usize,
}

impl<T> Chunks<T> {
    fn new(total: usize) -> Self {
        let per_chunk = (CHUNK_BYTES / std::mem::size_of::<T>()).max(1);
        Self {
            done: Vec::new(),
            out: Vec::with_capacity(total.min(per_chunk)),
            remaining: total,
            per_chunk,
        }
    }

    #[inline]
    fn push(&mut self, item: T) {
        if self.out.len() == self.out.capacity() {
            self.remaining -= self.out.len();
            let next = Vec::with_capacity(self.remaining.min(self.per_chunk));
            self.done.push(std::mem::replace(&mut self.out, next));
        }
        self.out.push(item);
    }

    fn finish(mut self) -> Vec<Vec<T>> {
        if !self.out.is_empty() {
            self.done.push(self.out);
        }
        self.done
    }
}

impl<'d> Stage2<'_, 'd> {
    /// The profiles of the contacts of buckets `[from, to)` (whose records are `buckets`),
    /// in contact order.
    pub(super) fn run(
        &self,
        from: usize,
        to: usize,
        buckets: Vec<Bucket>,
    ) -> Vec<Vec<CustomerProfile<'d>>> {
        let ctx = self.ctx;
        let (n, shift) = (ctx.contacts(), ctx.shift);
        let size = 1usize << shift;
        let mut out = Chunks::new((to << shift).min(n) - (from << shift).min(n));
        let mut s = Scratch::new(size, self.days);
        let build = ProfileRules::new(ctx, self.days);
        for (b, bucket) in (from..to).zip(buckets) {
            let lo = b << shift;
            let hi = (lo + size).min(n);
            if lo >= hi {
                continue;
            }
            let m = hi - lo;
            self.group_orders(&bucket, m, &mut s);
            for i in 0..m {
                s.aggs[i] = aggregate(
                    &s.grouped[s.offsets[i] as usize..s.offsets[i + 1] as usize],
                    &ctx.ds.order_cols,
                    &ctx.rules,
                    self.days,
                    &mut s.seen,
                    u32::try_from(lo + i).unwrap_or(u32::MAX),
                );
            }
            self.events(&bucket, lo, m, &mut s);
            #[allow(clippy::cast_possible_truncation)]
            self.abandoned_carts(&bucket, lo as u32, m, &mut s);
            drop(bucket);
            for i in 0..m {
                out.push(build.profile(lo + i, i, &s));
            }
        }
        out.finish()
    }

    /// Counting sort of a bucket's order records by contact into `s.grouped` (contact `i`'s
    /// records at `s.offsets[i]..s.offsets[i + 1]`); the latest delivery of the counted orders
    /// into `s.last_deliv`.
    fn group_orders(&self, bucket: &Bucket, m: usize, s: &mut Scratch) {
        let as_of = self.ctx.rules.as_of;
        s.offsets.clear();
        s.offsets.resize(m + 1, 0);
        for r in bucket.orders.iter() {
            s.offsets[r.local() + 1] += 1;
        }
        for i in 0..m {
            s.offsets[i + 1] += s.offsets[i];
        }
        let total = s.offsets[m] as usize;
        s.grouped.clear();
        s.grouped.resize(total, Grouped::default());
        s.last_deliv[..m].fill(i64::MIN);
        let mut cursor: Vec<u32> = s.offsets[..m].to_vec();
        for r in bucket.orders.iter() {
            let local = r.local();
            let slot = &mut cursor[local];
            #[allow(clippy::cast_possible_wrap)]
            let ts = as_of - (r.hi >> LOCAL_BITS) as i64;
            s.grouped[*slot as usize] = Grouped { ts, lo: r.lo };
            *slot += 1;
        }
    }

    /// The latest login and delivery event of each contact of a bucket (first contact `lo`).
    fn events(&self, bucket: &Bucket, lo: usize, m: usize, s: &mut Scratch) {
        let as_of = self.ctx.rules.as_of;
        match self.logins.get(lo..lo + m) {
            Some(l) => s.last_login[..m].copy_from_slice(l),
            None => s.last_login[..m].fill(i64::MIN),
        }
        #[allow(clippy::cast_possible_wrap)]
        for e in bucket.deliveries.iter().flatten() {
            let x = &mut s.last_deliv[e.local()];
            *x = (*x).max(as_of - e.rel() as i64);
        }
    }
}

/// The profile definitions, resolved once per stage-2 run.
struct ProfileRules<'a, 'd> {
    ctx: &'a Ctx<'d, 'a>,
    frequency: FrequencyMode,
    /// fewest orders (or days) for an average gap
    min_orders: u32,
    /// minor units per major unit of the reporting currency
    exp: f64,
    delivery: DeliverySource,
    union_groups: bool,
    as_of_day: i32,
}

impl<'a, 'd> ProfileRules<'a, 'd> {
    fn new(ctx: &'a Ctx<'d, 'a>, days: &DayTable) -> Self {
        let policy = ctx.policy;
        Self {
            ctx,
            frequency: policy.frequency_mode,
            min_orders: policy.frequency_min_orders.max(2),
            exp: 10f64.powi(i32::from(policy.reporting_currency.exponent())),
            delivery: policy.last_delivery_source,
            union_groups: policy.group_ids == GroupIdsMode::Union,
            as_of_day: days.day_of_micros(ctx.rules.as_of),
        }
    }

    /// The representative row of a contact with customer rows (`head` its first), its latest
    /// login (`login` merged with each row's `last_login_at` at or before `as_of`) and
    /// whether it has several rows.
    #[inline]
    fn rows(&self, head: u32, mut login: i64) -> (u32, i64, bool) {
        let ds = self.ctx.ds;
        let row = representative_row(ds, head);
        let mut multi = false;
        let mut cur = head;
        while cur != NONE {
            if let Some(l) = ds
                .customers
                .get(cur as usize)
                .and_then(|c| c.last_login_at())
            {
                let l = micros(l);
                if self.ctx.rules.by_as_of(l) {
                    login = login.max(l);
                }
            }
            multi |= cur != head;
            cur = ds.customer_next[cur as usize];
        }
        (row, login, multi)
    }

    /// The profile of `contact`, slot `i` of its bucket's scratch.
    #[inline]
    fn profile(&self, contact: usize, i: usize, s: &Scratch) -> CustomerProfile<'d> {
        let ds = self.ctx.ds;
        let a = &s.aggs[i];
        let head = ds.contact_head[contact];
        let (row, login, multi) = if head == NONE {
            (NONE, s.last_login[i], false)
        } else {
            self.rows(head, s.last_login[i])
        };
        let has = a.n > 0;
        let avg = match self.frequency {
            FrequencyMode::Instants => {
                (a.n >= self.min_orders).then(|| days_between(a.first, a.last) / f64::from(a.n - 1))
            }
            FrequencyMode::Days => (a.n_days >= self.min_orders)
                .then(|| f64::from(a.last_day - a.first_day) / f64::from(a.n_days - 1)),
        }
        .unwrap_or(f64::NAN);
        let btyd_frequency = a.n_days.saturating_sub(1);
        #[allow(clippy::cast_precision_loss)]
        let btyd_monetary_value = if has && btyd_frequency > 0 {
            (a.revenue - a.first_day_sum) as f64 / f64::from(btyd_frequency) / self.exp
        } else {
            0.0
        };
        let last_delivery_at = match self.delivery {
            DeliverySource::DeliveredAt => s.last_deliv[i],
            DeliverySource::OrderDate if has => a.last,
            DeliverySource::OrderDate => NO_INSTANT,
        };
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        CustomerProfile {
            dataset: ds,
            revenue: a.revenue,
            last_order_amount: a.last_value,
            first_order_at: a.first,
            last_order_at: a.last,
            last_login_at: login,
            last_abandoned_cart_at: s.abandoned[i],
            last_delivery_at,
            avg_days_between_orders: avg,
            btyd_monetary_value,
            contact: contact as u32,
            customer: row,
            last_order: a.last_idx,
            orders_count: a.n,
            btyd_frequency,
            btyd_recency: a.last_day.wrapping_sub(a.first_day) as u32,
            btyd_t: self.as_of_day.wrapping_sub(a.first_day) as u32,
            rfm: None,
            currency: self.ctx.policy.reporting_currency,
            union_groups: multi && self.union_groups,
        }
    }
}

#[allow(clippy::cast_precision_loss)]
fn days_between(a: i64, b: i64) -> f64 {
    (b - a) as f64 / 86_400_000_000.0
}
