//! Stage 2, carts: each contact's latest abandoned cart under the policy's scope.

use super::contacts::{Bucket, Scratch, Stage2};
use crate::customer::CartScope;

/// No cart in a `Scratch::recent_cart` slot.
const NO_CART: (i64, u64, usize) = (i64::MIN, 0, usize::MAX);

impl Stage2<'_, '_> {
    /// The latest abandoned cart `updated_at` of each contact of a bucket (first contact
    /// `lo`, `m` contacts) into `s.abandoned`; needs the contacts' order aggregates.
    pub(super) fn abandoned_carts(&self, bucket: &Bucket, lo: u32, m: usize, s: &mut Scratch) {
        let rule = &self.ctx.rules.carts;
        s.abandoned[..m].fill(i64::MIN);
        match rule.scope {
            // any cart that qualifies (stage 1 dropped the carts failing a per-cart rule)
            CartScope::AnyQualifying => {
                for c in bucket.carts.iter() {
                    let i = (c.contact - lo) as usize;
                    if c.updated > s.abandoned[i] && rule.abandoned(&c, &s.aggs[i], self.referenced)
                    {
                        s.abandoned[i] = c.updated;
                    }
                }
            }
            // only the most recent cart (by `updated_at`, then id), if it qualifies
            CartScope::MostRecent => {
                s.recent_cart[..m].fill(NO_CART);
                for (pi, ci, c) in bucket.carts.indexed() {
                    let r = &mut s.recent_cart[(c.contact - lo) as usize];
                    if (c.updated, c.id) >= (r.0, r.1) {
                        *r = (c.updated, c.id, pi * (1 << 40) + ci);
                    }
                }
                for i in 0..m {
                    let (_, _, key) = s.recent_cart[i];
                    if key == usize::MAX {
                        continue;
                    }
                    let c = bucket.carts.get(key >> 40, key & ((1 << 40) - 1));
                    if rule.abandoned(&c, &s.aggs[i], self.referenced) {
                        s.abandoned[i] = c.updated;
                    }
                }
            }
        }
    }
}
