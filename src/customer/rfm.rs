//! RFM quantile scores (reference §5), binned exactly like
//! `pandas.qcut(x, q, labels=False, duplicates="drop") + 1`.
//!
//! Quantile edges use numpy's default `linear` interpolation (including its `_lerp` rounding),
//! on the quantiles `np.linspace(0, 1, q + 1)` passed through pandas' percentile round trip
//! (`× 100 / 100`). Duplicate edges are dropped, which lowers the number of bins (pandas warns
//! "RFM score will not exceed …" in PyMC-Marketing). Values equal to the lowest edge fall in
//! bin 1; otherwise a value falls in the bin `(edge[i-1], edge[i]]`.
//!
//! Recency is scored **reversed**: `score = bins + 1 − bin`, so the most recent buyers score
//! highest. Only contacts with ≥ 1 counted order are scored (prospects keep `rfm = None`).

use crate::customer::par::in_parallel;
use crate::customer::{Consolidation, RfmScore};

/// What F measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RfmFrequency {
    /// Counted orders (default).
    #[default]
    Orders,
    /// Distinct purchase days (BTYD frequency + 1).
    Days,
}

/// What M measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RfmMonetary {
    /// Revenue in minor units of the reporting currency (default).
    #[default]
    Revenue,
    /// Revenue / counted orders (minor units).
    MeanOrderValue,
}

/// RFM configuration.
///
/// ```
/// let c = relance::customer::RfmConfig::default();
/// assert_eq!(c.quantiles, 4);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RfmConfig {
    /// Number of quantile bins (4 = PyMC-Marketing, 5 = classic). At least 1.
    pub quantiles: u8,
    /// F definition.
    pub frequency: RfmFrequency,
    /// M definition.
    pub monetary: RfmMonetary,
}

impl Default for RfmConfig {
    fn default() -> Self {
        Self {
            quantiles: 4,
            frequency: RfmFrequency::Orders,
            monetary: RfmMonetary::Revenue,
        }
    }
}

/// numpy's `_lerp`.
fn lerp(a: f64, b: f64, t: f64) -> f64 {
    let diff = b - a;
    if t >= 0.5 {
        b - diff * (1.0 - t)
    } else {
        a + diff * t
    }
}

/// Virtual index of quantile `i` of `q` over `n` values (numpy `linear`, pandas percentile
/// round trip).
fn virtual_index(n: usize, q: usize, i: usize) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let step = 1.0 / q as f64;
    #[allow(clippy::cast_precision_loss)]
    let lin = if i == q { 1.0 } else { i as f64 * step };
    let qv = (lin * 100.0) / 100.0;
    #[allow(clippy::cast_precision_loss)]
    let virt = (n - 1) as f64 * qv;
    virt
}

/// Edges from order statistics given by `get(k)` (the k-th smallest value).
fn edges_with(n: usize, q: usize, get: impl Fn(usize) -> f64) -> Vec<f64> {
    if n == 0 || q == 0 {
        return Vec::new();
    }
    (0..=q)
        .map(|i| {
            let virt = virtual_index(n, q, i);
            #[allow(clippy::cast_precision_loss)]
            if virt >= (n - 1) as f64 {
                return get(n - 1);
            }
            if virt < 0.0 {
                return get(0);
            }
            let prev = virt.floor();
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let p = prev as usize;
            lerp(get(p), get(p + 1), virt - prev)
        })
        .collect()
}

/// Order statistics at sorted `positions` by recursive selection (O(n log k), no full sort).
fn select_many(v: &mut [f64], offset: usize, positions: &[usize], out: &mut Vec<(usize, f64)>) {
    if positions.is_empty() || v.is_empty() {
        return;
    }
    let mid = positions.len() / 2;
    let k = positions[mid] - offset;
    let (left, nth, right) = v.select_nth_unstable_by(k, f64::total_cmp);
    out.push((positions[mid], *nth));
    select_many(left, offset, &positions[..mid], out);
    select_many(right, offset + k + 1, &positions[mid + 1..], out);
}

/// Quantile edges of `sorted` (ascending, no NaN) like `Series.quantile(np.linspace(0, 1, q + 1))`,
/// before duplicate removal.
///
/// ```
/// let e = relance::customer::rfm::quantile_edges(&[1.0, 2.0, 3.0, 4.0, 5.0], 4);
/// assert_eq!(e, vec![1.0, 2.0, 3.0, 4.0, 5.0]);
/// ```
#[must_use]
pub fn quantile_edges(sorted: &[f64], q: usize) -> Vec<f64> {
    edges_with(sorted.len(), q, |k| sorted[k])
}

/// 1-based `qcut(values, q, labels=False, duplicates="drop") + 1` bins, and the number of bins
/// kept. NaN values get bin 0. With fewer than 2 distinct edges every value gets bin 1.
///
/// ```
/// let (bins, k) = relance::customer::rfm::qcut(&[1.0, 1.0, 1.0, 2.0, 10.0], 4);
/// assert_eq!(k, 2); // edges 1, 1, 1, 2, 10 -> 1, 2, 10
/// assert_eq!(bins, vec![1, 1, 1, 1, 2]);
/// ```
#[must_use]
pub fn qcut(values: &[f64], q: usize) -> (Vec<u8>, usize) {
    let mut work: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    let n = work.len();
    let mut positions: Vec<usize> = Vec::new();
    if n > 0 {
        for i in 0..=q.max(1) {
            let v = virtual_index(n, q.max(1), i);
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let p = (v.max(0.0).floor() as usize).min(n - 1);
            positions.push(p);
            positions.push((p + 1).min(n - 1));
        }
    }
    positions.sort_unstable();
    positions.dedup();
    let mut stats = Vec::with_capacity(positions.len());
    select_many(&mut work, 0, &positions, &mut stats);
    stats.sort_unstable_by_key(|&(k, _)| k);
    let get = |k: usize| {
        stats
            .binary_search_by_key(&k, |&(p, _)| p)
            .map_or(f64::NAN, |i| stats[i].1)
    };
    let mut edges = edges_with(n, q, get);
    // exact equality, as numpy's `unique`
    #[allow(clippy::float_cmp)]
    edges.dedup_by(|a, b| a == b);
    if edges.len() < 2 {
        let bins = values.iter().map(|v| u8::from(!v.is_nan())).collect();
        return (bins, 1);
    }
    let first = edges[0];
    let bins = values
        .iter()
        .map(|&v| {
            if v.is_nan() {
                return 0;
            }
            #[allow(clippy::float_cmp)]
            if v == first {
                return 1;
            }
            // searchsorted side="left": first index with edge >= v
            let ids = edges.partition_point(|&e| e < v);
            u8::try_from(ids.min(edges.len() - 1)).unwrap_or(u8::MAX)
        })
        .collect();
    (bins, edges.len() - 1)
}

impl Consolidation<'_> {
    /// Scores every contact with ≥ 1 counted order (sets [`CustomerProfile::rfm`](crate::customer::CustomerProfile));
    /// others get `None`. R = fractional days from the last counted order to `as_of`.
    /// Returns the number of scored contacts. Runs on as many threads as the consolidation
    /// ([`ConsolidationPolicy::threads`](crate::customer::ConsolidationPolicy::threads)); the
    /// scores do not depend on it.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc}; use relance::customer::*;
    /// let mut ds = Dataset::new();
    /// let t = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    /// for (i, e) in ["a@x.io", "b@x.io"].iter().enumerate() {
    ///     let g = ds.guest(e).unwrap();
    ///     ds.add_order(Order::new(OrderId(i as u64), Buyer::Guest(g), t, OrderStatus::Paid, Money::new(100 * (i as i64 + 1), Currency::EUR)));
    /// }
    /// let mut c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, t, chrono_tz::UTC)).unwrap();
    /// assert_eq!(c.apply_rfm(&RfmConfig::default()), 2);
    /// // two buyers, M quartile edges 100, 125, 150, 175, 200 (as pandas): scores 1 and 4
    /// assert_eq!(c.iter().nth(1).unwrap().rfm().unwrap().m, 4);
    /// ```
    #[allow(clippy::many_single_char_names)]
    pub fn apply_rfm(&mut self, config: &RfmConfig) -> usize {
        let as_of = self.as_of.timestamp_micros();
        let groups = chunk_groups(&self.chunks, self.threads);
        // R, F and M of each scored profile, gathered group by group in parallel
        let gathered = in_parallel(split_groups(&mut self.chunks, &groups), |chunks| {
            let mut rfm: [Vec<f64>; 3] = Default::default();
            for p in chunks.iter().flat_map(|c| c.iter()) {
                if p.orders_count == 0 {
                    continue;
                }
                #[allow(clippy::cast_precision_loss)]
                rfm[0].push(as_of.saturating_sub(p.last_order_at) as f64 / 86_400e6);
                rfm[1].push(match config.frequency {
                    RfmFrequency::Orders => f64::from(p.orders_count),
                    RfmFrequency::Days => f64::from(p.btyd_frequency + 1),
                });
                #[allow(clippy::cast_precision_loss)]
                rfm[2].push(match config.monetary {
                    RfmMonetary::Revenue => p.revenue as f64,
                    RfmMonetary::MeanOrderValue => p.revenue as f64 / f64::from(p.orders_count),
                });
            }
            rfm
        });
        let starts: Vec<usize> = gathered
            .iter()
            .scan(0, |k, g| {
                let start = *k;
                *k += g[0].len();
                Some(start)
            })
            .collect();
        let [r, f, m] = [0, 1, 2].map(|d| {
            gathered
                .iter()
                .flat_map(|g| &g[d])
                .copied()
                .collect::<Vec<f64>>()
        });
        drop(gathered);
        let q = usize::from(config.quantiles.max(1));
        // the three binnings are independent
        let binned = in_parallel(vec![&r, &f, &m], |v| qcut(v, q));
        let ((rb, rk), fb, mb) = (&binned[0], &binned[1].0, &binned[2].0);
        let work = split_groups(&mut self.chunks, &groups)
            .into_iter()
            .zip(starts)
            .collect::<Vec<_>>();
        in_parallel(work, |(chunks, mut k)| {
            #[allow(clippy::cast_possible_truncation)]
            for p in chunks.iter_mut().flat_map(|c| c.iter_mut()) {
                if p.orders_count == 0 {
                    p.rfm = None;
                    continue;
                }
                p.rfm = Some(RfmScore {
                    r: (rk + 1) as u8 - rb[k],
                    f: fb[k],
                    m: mb[k],
                });
                k += 1;
            }
        });
        r.len()
    }
}

/// Splits `chunks` into at most `threads` contiguous runs of about equal profile counts
/// (chunk index ranges).
fn chunk_groups<T>(chunks: &[Vec<T>], threads: usize) -> Vec<std::ops::Range<usize>> {
    let total: usize = chunks.iter().map(Vec::len).sum();
    let threads = threads.clamp(1, chunks.len().max(1));
    let mut groups = Vec::with_capacity(threads);
    let (mut start, mut seen) = (0, 0);
    for (i, c) in chunks.iter().enumerate() {
        seen += c.len();
        if seen * threads >= total * (groups.len() + 1) && groups.len() + 1 < threads {
            groups.push(start..i + 1);
            start = i + 1;
        }
    }
    groups.push(start..chunks.len());
    groups
}

/// The chunk runs of `groups` as disjoint mutable slices.
fn split_groups<'a, T>(
    mut chunks: &'a mut [Vec<T>],
    groups: &[std::ops::Range<usize>],
) -> Vec<&'a mut [Vec<T>]> {
    let mut out = Vec::with_capacity(groups.len());
    let mut at = 0;
    for g in groups {
        let (head, tail) = std::mem::take(&mut chunks).split_at_mut(g.end - at);
        out.push(head);
        chunks = tail;
        at = g.end;
    }
    out
}
