//! Stage 0: each contact's latest login, before the orders' records take their room.
//!
//! A contact's logins only matter through their latest. Each thread partitions its share of
//! the logins by contact bucket (8 bytes a login, the layout of the order records), then each
//! thread folds a contiguous run of buckets into one word per contact, bucket by bucket (a
//! bucket's words fit the first-level cache), and the login records are freed before the
//! order scan: the consolidation's peak holds one word per contact (8.6 MiB for a million
//! contacts) rather than a record per login (38 MiB for five million). Folding in the order
//! scan instead, one word per contact written in login order, measured slower: every login
//! is then a cache miss.

use super::Ctx;
use super::partition::share;
use super::records::{Ev, Partition, pack_rel};
use super::rules::micros;
use crate::customer::dataset::NONE;
use crate::customer::par::in_parallel;

impl Ctx<'_, '_> {
    /// Each contact's latest login at or before `as_of` (µs), `i64::MIN` for none; empty
    /// without logins.
    pub(super) fn latest_logins(&self) -> Vec<i64> {
        let ds = self.ds;
        if ds.logins.is_empty() {
            return Vec::new();
        }
        let t = self.threads;
        let parts = in_parallel((0..t).collect(), |p| {
            self.partition_logins(share(ds.logins.len(), p, t))
        });
        let size = 1usize << self.shift;
        let mut latest = vec![i64::MIN; self.contacts()];
        let per = self.n_buckets.div_ceil(t).max(1);
        let runs: Vec<(usize, &mut [i64])> = latest
            .chunks_mut(per * size)
            .enumerate()
            .map(|(r, words)| (r * per, words))
            .collect();
        let as_of = self.rules.as_of;
        in_parallel(runs, |(first, words)| {
            for (b, slots) in (first..).zip(words.chunks_mut(size)) {
                for e in parts.iter().flat_map(|p| p.iter(b)) {
                    #[allow(clippy::cast_possible_wrap)]
                    let at = as_of - e.rel() as i64;
                    if let Some(x) = slots.get_mut(e.local()) {
                        *x = (*x).max(at);
                    }
                }
            }
        });
        latest
    }

    /// The logins of `range` at or before `as_of` with a contact, by bucket.
    fn partition_logins(&self, range: std::ops::Range<usize>) -> Partition<Ev> {
        let ds = self.ds;
        let mut out = Partition::default();
        out.reset(&self.counts(&ds.login_contact[range.clone()]));
        for (l, &contact) in ds.logins[range.clone()]
            .iter()
            .zip(&ds.login_contact[range])
        {
            if contact == NONE {
                continue;
            }
            let ts = micros(l.at);
            if !self.rules.by_as_of(ts) {
                continue;
            }
            if let Some(e) = pack_rel(self.rules.as_of, ts, contact & self.local_mask) {
                out.push(self.bucket(contact), Ev(e));
            }
        }
        out
    }
}
