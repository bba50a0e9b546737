//! Stage 1b: the [`Delivery`](crate::customer::Delivery) events, kept for the orders that
//! count (known only once every share's orders are scanned).

use super::Ctx;
use super::partition::{Stage1, share};
use super::records::{Ev, pack_rel};
use super::rules::micros;
use crate::customer::Delivery;

impl Ctx<'_, '_> {
    /// Appends the delivery events of share `part` whose order is eligible (the
    /// concatenated `Stage1::eligible` bits of every share) to `out`, each bucket's room
    /// reserved exactly by a counting pass first (grown by doubling, the events' lists held
    /// 40 % more than they used at the consolidation's peak).
    pub(super) fn stage1_deliveries(&self, part: usize, out: &mut Stage1, eligible: &[u64]) {
        let ds = self.ds;
        let events = || {
            ds.deliveries[share(ds.deliveries.len(), part, self.threads)]
                .iter()
                .filter_map(|d| self.delivery_event(d, eligible))
        };
        let mut counts = vec![0usize; self.n_buckets];
        for (bucket, _) in events() {
            counts[bucket] += 1;
        }
        for (list, n) in out.delivery_events.iter_mut().zip(counts) {
            list.reserve_exact(n);
        }
        for (bucket, e) in events() {
            out.delivery_events[bucket].push(e);
        }
    }

    /// The bucket and event of delivery `d` if it counts: at or before `as_of`, of an
    /// eligible order.
    #[inline]
    fn delivery_event(&self, d: &Delivery, eligible: &[u64]) -> Option<(usize, Ev)> {
        let ts = micros(d.delivered_at);
        if !self.rules.by_as_of(ts) {
            return None;
        }
        let i = d.order.0 as usize;
        if eligible.get(i >> 6).is_none_or(|w| w >> (i & 63) & 1 == 0) {
            return None;
        }
        let contact = *self.ds.order_cols.contact.get(i)?;
        let e = pack_rel(self.rules.as_of, ts, contact & self.local_mask)?;
        Some((self.bucket(contact), Ev(e)))
    }
}
