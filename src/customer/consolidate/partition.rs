//! Stage 1: each thread scans a contiguous share of the orders and carts, converts
//! each counted order's value once, and appends a compact record to the bucket of its
//! contact (a radix partition by contact index; exact capacities come from a counting
//! pre-pass over the compact contact arrays).

use super::records::{CartRec, ESCAPE, Ev, MAX_REL, NOT_COUNTED, Partition, Rec, pack_rel};
use super::rules::micros;
use super::{ConsolidationError, Ctx};
use crate::customer::dataset::NONE;
use crate::customer::{Buyer, CartScope, OrderId};

/// The records of one share, by bucket.
#[derive(Debug, Default)]
pub(super) struct Stage1 {
    pub(super) orders: Partition<Rec>,
    pub(super) carts: Partition<CartRec>,
    /// Delivery events (their count per bucket is not known in advance): the orders' own
    /// `delivered_at` that counts, from the order scan, and the
    /// [`Delivery`](crate::customer::Delivery) events, filled by [`Ctx::stage1_deliveries`]
    pub(super) delivery_events: Vec<Vec<Ev>>,
    /// carts referenced by an order of this share that counts for a contact
    pub(super) referenced_carts: Vec<u64>,
    /// one bit per order of this share (from its first order, a multiple of 64): counted, at
    /// or before `as_of`, with an attached contact — the orders whose delivery events count
    pub(super) eligible: Vec<u64>,
    /// counted orders skipped for a missing rate (`MissingFx::Skip`)
    pub(super) skipped: usize,
    /// earliest counted order (µs), `i64::MAX` without one
    pub(super) min_ts: i64,
    /// the first failing order of the share (its index) and why
    pub(super) error: Option<(usize, ConsolidationError)>,
}

/// Share `part` of `t` contiguous shares of `len` items.
pub(super) fn share(len: usize, part: usize, t: usize) -> std::ops::Range<usize> {
    (len * part / t)..(len * (part + 1) / t)
}

/// The orders of share `part` of `t`: contiguous, starting at a multiple of 64 (so that the
/// shares' `Stage1::eligible` bitsets concatenate).
fn order_share(len: usize, part: usize, t: usize) -> std::ops::Range<usize> {
    let cut = |p: usize| if p == t { len } else { (len * p / t) & !63 };
    cut(part)..cut(part + 1)
}

impl Ctx<'_, '_> {
    /// The bucket of a contact.
    #[inline]
    pub(super) fn bucket(&self, contact: u32) -> usize {
        (contact >> self.shift) as usize
    }

    /// Records per bucket of the contacts in `contacts` (an upper bound of what is pushed).
    pub(super) fn counts(&self, contacts: &[u32]) -> Vec<usize> {
        let mut counts = vec![0usize; self.n_buckets];
        for &k in contacts {
            if k != NONE {
                counts[self.bucket(k)] += 1;
            }
        }
        counts
    }

    /// The records of share `part`.
    pub(super) fn stage1(&self, part: usize) -> Stage1 {
        let ds = self.ds;
        let t = self.threads;
        let orders = order_share(ds.order_cols.len(), part, t);
        let carts = share(ds.carts.len(), part, t);
        let mut out = Stage1 {
            delivery_events: vec![Vec::new(); self.n_buckets],
            eligible: vec![0; orders.len().div_ceil(64)],
            min_ts: i64::MAX,
            ..Stage1::default()
        };
        out.orders
            .reset(&self.counts(&ds.order_cols.contact[orders.clone()]));
        out.carts
            .reset(&self.counts(&ds.cart_contact[carts.clone()]));
        self.partition_orders(orders, &mut out);
        if out.error.is_some() {
            return out;
        }
        self.partition_carts(carts, &mut out);
        out
    }

    /// The orders at or before `as_of` with a contact; stops at the first failing order.
    /// Reads the order columns; an order is put together only for a value the columns cannot
    /// give (a currency past the 255th, a value that overflows).
    fn partition_orders(&self, range: std::ops::Range<usize>, out: &mut Stage1) {
        let ds = self.ds;
        let cols = &ds.order_cols;
        let rules = &self.rules;
        let as_of = rules.as_of;
        let start = range.start;
        // every cart referenced by an order that counts for a contact
        let collect_carts = cols.carts.len() > 0;
        let mut carts = cols.carts.cursor(range.start);
        let mut refunds = cols.refunds.cursor(range.start);
        for (i, (((&ts, &resolved), &tag), &delivered)) in cols.at[range.clone()]
            .iter()
            .zip(&cols.contact[range.clone()])
            .zip(&cols.tag[range.clone()])
            .zip(&cols.delivered[range])
            .enumerate()
        {
            if !rules.by_as_of(ts) {
                continue;
            }
            let Some(contact) = self.contact(resolved, tag.guest()) else {
                continue;
            };
            let at = start + i;
            if collect_carts
                && tag.cart()
                && let Some(cart) = cols.carts.at(&mut carts, at)
            {
                out.referenced_carts.push(cart);
            }
            let local = contact & self.local_mask;
            // the delivery event of a counted order delivered by `as_of`
            let mut deliv = None;
            let value = if rules.counted_code(tag.status()) {
                out.eligible[i >> 6] |= 1 << (i & 63);
                let refunded = if tag.refund() {
                    cols.refunds.at(&mut refunds, at).unwrap_or(0)
                } else {
                    0
                };
                match rules.value_at(ds, at, tag, refunded) {
                    Ok(v) => {
                        out.min_ts = out.min_ts.min(ts);
                        // `delivered` is i64::MAX without a delivery: no relative instant
                        deliv = pack_rel(as_of, delivered, local).map(Ev);
                        u64::try_from(v).map_or(ESCAPE, |v| v.min(ESCAPE))
                    }
                    Err(e) if rules.skipped(&e) => {
                        out.skipped += 1;
                        NOT_COUNTED
                    }
                    Err(e) => {
                        out.error = Some((at, e));
                        return;
                    }
                }
            } else {
                NOT_COUNTED
            };
            let Some(hi) = pack_rel(as_of, ts, local) else {
                let order = cols.id[at];
                out.error = Some((at, ConsolidationError::TooOld { order }));
                return;
            };
            #[allow(clippy::cast_possible_truncation)]
            let idx = at as u64;
            let bucket = self.bucket(contact);
            if let Some(e) = deliv {
                out.delivery_events[bucket].push(e);
            }
            out.orders.push(
                bucket,
                Rec {
                    hi,
                    lo: value << 32 | idx,
                },
            );
        }
    }

    /// The carts created and updated at or before `as_of` with a contact.
    fn partition_carts(&self, range: std::ops::Range<usize>, out: &mut Stage1) {
        let ds = self.ds;
        let rule = &self.rules.carts;
        for (c, &resolved) in ds.carts[range.clone()].iter().zip(&ds.cart_contact[range]) {
            let updated = micros(c.updated_at);
            let created = micros(c.created_at);
            if !(self.rules.by_as_of(updated) && self.rules.by_as_of(created)) {
                continue;
            }
            let Some(contact) = self.contact(resolved, matches!(c.owner, Buyer::Guest(_))) else {
                continue;
            };
            let items = c.item_count > 0;
            let linked = c.converted_order.is_some();
            let clock = rule.clock(created, updated);
            // With "any qualifying cart", carts failing a per-cart rule can never be reported:
            // drop them here (the most-recent scope needs every cart).
            if rule.scope == CartScope::AnyQualifying && !rule.candidate(items, linked, clock) {
                continue;
            }
            out.carts.push(
                self.bucket(contact),
                CartRec {
                    updated,
                    clock,
                    id: c.id.0,
                    contact,
                    items,
                    linked,
                },
            );
        }
    }

    /// The first (in dataset order) counted order at or before `as_of` whose value cannot be
    /// computed or which is too old. Slow path, only taken on error.
    pub(super) fn first_error(&self) -> ConsolidationError {
        let rules = &self.rules;
        for (o, &resolved) in self.ds.orders().iter().zip(&self.ds.order_cols.contact) {
            let ts = micros(o.placed_at);
            if !rules.by_as_of(ts)
                || self
                    .contact(resolved, matches!(o.buyer, Buyer::Guest(_)))
                    .is_none()
                || !rules.counted(o.status)
            {
                continue;
            }
            match rules.value(&o) {
                Ok(_) if u64::try_from(rules.as_of - ts).unwrap_or(u64::MAX) > MAX_REL => {
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
