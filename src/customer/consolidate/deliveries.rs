//! Stage 1b: the [`Delivery`](crate::customer::Delivery) events, kept for the orders that
//! count (known only once every share's orders are scanned).

use super::Ctx;
use super::partition::{Stage1, share};
use super::records::{Ev, pack_rel};
use super::rules::micros;

impl Ctx<'_, '_> {
    /// Appends the delivery events of share `part` whose order is eligible (the
    /// concatenated `Stage1::eligible` bits of every share) to `out`.
    pub(super) fn stage1_deliveries(&self, part: usize, out: &mut Stage1, eligible: &[u64]) {
        let ds = self.ds;
        let rules = &self.rules;
        for d in &ds.deliveries[share(ds.deliveries.len(), part, self.threads)] {
            let ts = micros(d.delivered_at);
            if !rules.by_as_of(ts) {
                continue;
            }
            let i = d.order.0 as usize;
            if eligible.get(i >> 6).is_none_or(|w| w >> (i & 63) & 1 == 0) {
                continue;
            }
            let contact = ds.order_cols.contact[i];
            if let Some(e) = pack_rel(rules.as_of, ts, contact & self.local_mask) {
                out.delivery_events[(contact as usize) >> self.shift].push(Ev(e));
            }
        }
    }
}
