//! The consolidation engine.
//!
//! Parallel stages over `std::thread::scope` (no unsafe, no per-order allocation, no
//! hashing and no random lookups on the hot path — each order's contact is resolved once when
//! it is added to the [`Dataset`]), one file each:
//! 0. [`logins`]: each contact's latest login, folded into one word per contact before the
//!    orders' records are made;
//! 1. [`partition`]: each thread scans a contiguous share of the orders' columns (32 bytes
//!    per order: contact, instant, amount, delivery, tag; then carts and [`deliveries`]),
//!    converts the order value once, and appends a 16-byte record (8 bytes for a delivery)
//!    to one of the **contact-range buckets** of ≤ 4096 contacts ([`records`]);
//! 2. [`contacts`]: each thread takes a contiguous run of buckets (balanced by load), groups
//!    each bucket's records by contact, folds each contact's orders ([`aggregate`]), picks its
//!    abandoned cart ([`carts`]) and builds its compact profile. Calendar days come from a
//!    cached per-day UTC-offset table (exact across DST).
//!
//! The business rules — what counts as an order, which contact a record belongs to, when a
//! cart is abandoned, which row represents the customer — are written once in [`rules`] and
//! resolved against the policy before the stages run.
//!
//! Memory comes in blocks of at most a few MB (one per bucket, output in chunks of 8 MB),
//! which the allocator can serve from memory it already holds: fresh mappings cost a kernel
//! page fault per 4 KiB page, a large share of the time on a virtualised 2-core machine.

mod aggregate;
mod carts;
mod contacts;
mod deliveries;
mod error;
mod logins;
mod partition;
mod records;
pub(crate) mod rules;

pub use error::ConsolidationError;

use contacts::{Bucket, Stage2};
use partition::Stage1;
use records::LOCAL_BITS;
use rules::Rules;

use crate::customer::dataset::NONE;
use crate::customer::par::in_parallel;
use crate::customer::tzdays::DayTable;
use crate::customer::{Consolidation, ConsolidationPolicy, CustomerProfile, Dataset};

/// One consolidation: the dataset, the policy's rules and the bucket layout.
struct Ctx<'d, 'p> {
    ds: &'d Dataset,
    policy: &'p ConsolidationPolicy,
    rules: Rules,
    /// log2 of the contacts per bucket
    shift: u32,
    /// a contact's index within its bucket: `contact & local_mask`
    local_mask: u32,
    n_buckets: usize,
    threads: usize,
}

impl<'d, 'p> Ctx<'d, 'p> {
    fn new(ds: &'d Dataset, policy: &'p ConsolidationPolicy) -> Result<Self, ConsolidationError> {
        let rules = Rules::new(ds, policy)?;
        let n = ds.contact_email.len();
        // bucket size: a power of two of contacts such that a bucket's ~16k order records
        // (and its grouped copy) stay cache-resident; at least 256 contacts, at most 4096
        // buckets.
        let target = (n as u128 * 16_384 / (ds.order_cols.len().max(1) as u128)).max(256);
        let mut shift = 8u32;
        while shift < LOCAL_BITS && (1u128 << shift) < target {
            shift += 1;
        }
        let threads = policy
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
            .clamp(1, 64);
        Ok(Self {
            ds,
            policy,
            rules,
            shift,
            local_mask: (1u32 << shift) - 1,
            n_buckets: ((n + (1 << shift) - 1) >> shift).max(1),
            threads,
        })
    }

    /// Number of contacts.
    #[inline]
    fn contacts(&self) -> usize {
        self.ds.contact_email.len()
    }

    /// See [`Rules::contact`].
    #[inline]
    fn contact(&self, resolved: u32, guest: bool) -> Option<u32> {
        self.rules.contact(resolved, guest, |k| {
            self.ds.contact_head[k as usize] != NONE
        })
    }

    /// Shop-local days from the earliest counted order to `as_of`.
    fn days(&self, parts: &[Stage1]) -> DayTable {
        let as_of_secs = self.policy.as_of.timestamp();
        let min_ts = parts.iter().map(|p| p.min_ts).min().unwrap_or(i64::MAX);
        let min_secs = if min_ts == i64::MAX {
            as_of_secs
        } else {
            min_ts.div_euclid(1_000_000)
        };
        DayTable::new(self.policy.shop_tz, min_secs, as_of_secs)
    }

    /// Contiguous bucket runs, one per thread, balanced by load (stage-1 records plus
    /// [`CONTACT_COST`] per contact).
    fn runs(&self, parts: &[Stage1]) -> Vec<(usize, usize)> {
        let (n, shift, threads) = (self.contacts(), self.shift, self.threads);
        let load: Vec<usize> = (0..self.n_buckets)
            .map(|b| {
                CONTACT_COST * (1usize << shift).min(n.saturating_sub(b << shift))
                    + parts
                        .iter()
                        .map(|p| p.orders.len(b) + p.carts.len(b))
                        .sum::<usize>()
            })
            .collect();
        let total: usize = load.iter().sum();
        let mut cuts = vec![0];
        let mut acc = 0usize;
        for (b, l) in load.iter().enumerate() {
            acc += l;
            if cuts.len() < threads && acc * threads >= total * cuts.len() {
                cuts.push(b + 1);
            }
        }
        while cuts.len() <= threads {
            cuts.push(self.n_buckets);
        }
        cuts.windows(2).map(|w| (w[0], w[1])).collect()
    }
}

/// Stage-2 cost of a contact (building and writing its profile, whose fresh memory the kernel
/// zeroes) relative to one stage-1 record. Measured at 10 M orders / 1.1 M contacts: ~130 ns
/// per profile vs ~15–20 ns per order record; counting contacts as 1 left one thread ~40 %
/// slower than the other (contacts with low indices hold more orders).
const CONTACT_COST: usize = 10;

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
    pub fn consolidate(
        &self,
        policy: &ConsolidationPolicy,
    ) -> Result<Consolidation<'_>, ConsolidationError> {
        let ctx = Ctx::new(self, policy)?;
        // Stage 0: the latest login of each contact.
        let logins = ctx.latest_logins();
        // Stage 1: partition by bucket.
        let mut parts = in_parallel((0..ctx.threads).collect(), |p| ctx.stage1(p));
        if parts.iter().any(|p| p.error.is_some()) {
            return Err(ctx.first_error());
        }
        // Delivery events: their orders' eligibility was recorded by the order scan.
        if !self.deliveries.is_empty() {
            let eligible: Vec<u64> = parts
                .iter()
                .flat_map(|p| p.eligible.iter().copied())
                .collect();
            in_parallel(parts.iter_mut().enumerate().collect(), |(p, out)| {
                ctx.stage1_deliveries(p, out, &eligible);
            });
        }
        let mut referenced: Vec<u64> = parts
            .iter()
            .flat_map(|p| p.referenced_carts.iter().copied())
            .collect();
        referenced.sort_unstable();
        referenced.dedup();
        let days = ctx.days(&parts);

        // Stage 2: contiguous bucket runs balanced by load, each with its buckets' records.
        let stage2 = Stage2 {
            ctx: &ctx,
            days: &days,
            referenced: &referenced,
            logins: &logins,
        };
        let runs: Vec<_> = ctx
            .runs(&parts)
            .into_iter()
            .map(|(from, to)| {
                let buckets: Vec<Bucket> =
                    (from..to).map(|b| Bucket::take(&mut parts, b)).collect();
                (from, to, buckets)
            })
            .collect();
        let chunks: Vec<Vec<CustomerProfile<'_>>> =
            in_parallel(runs, |(from, to, buckets)| stage2.run(from, to, buckets))
                .into_iter()
                .flatten()
                .collect();
        let skipped_orders = parts.iter().map(|p| p.skipped).sum();
        // The records were freed bucket by bucket; what is left (bucket tables, order bits)
        // is small.
        drop(parts);
        Ok(Consolidation {
            as_of: policy.as_of,
            currency: policy.reporting_currency,
            chunks,
            skipped_orders,
            threads: ctx.threads,
        })
    }
}
