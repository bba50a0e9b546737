//! Deterministic work over many customers: sums go over fixed chunks, added in chunk order, so
//! the result has the same bits whatever the number of threads; maps write disjoint ranges.

use std::num::NonZero;
use std::ops::Range;

use crate::customer::par::in_parallel;

/// Customers per partial sum. Fixed: the chunking, not the thread count, decides the bits.
pub(super) const CHUNK: usize = 1 << 14;

/// Threads worth starting for `chunks` chunks of work (at least 1).
fn threads_for(chunks: usize) -> usize {
    std::thread::available_parallelism()
        .map_or(1, NonZero::get)
        .min(chunks)
        .max(1)
}

/// `0..len` cut into `parts` contiguous ranges of (almost) equal length.
fn split(len: usize, parts: usize) -> Vec<Range<usize>> {
    let per = len.div_ceil(parts.max(1)).max(1);
    (0..len.div_ceil(per))
        .map(|i| i * per..((i + 1) * per).min(len))
        .collect()
}

/// `Σ f(chunk)` over the [`CHUNK`]-sized chunks of `0..len`, component-wise, on several
/// threads when there is more than one chunk.
pub(super) fn chunked_sum<const K: usize>(
    len: usize,
    f: impl Fn(Range<usize>) -> [f64; K] + Sync,
) -> [f64; K] {
    let chunks = len.div_ceil(CHUNK);
    let groups = split(chunks, threads_for(chunks));
    let partials = in_parallel(groups, |group| {
        group
            .map(|c| f(c * CHUNK..((c + 1) * CHUNK).min(len)))
            .collect::<Vec<_>>()
    });
    let mut total = [0.0; K];
    for partial in partials.iter().flatten() {
        for (t, p) in total.iter_mut().zip(partial) {
            *t += p;
        }
    }
    total
}

/// Runs `f(start, outputs)` on contiguous ranges of `outputs` (all of one length) in
/// parallel; `start` is the range's first index. The first error in index order wins.
pub(super) fn map_ranges<E: Send, const K: usize>(
    outputs: [&mut [f64]; K],
    f: impl Fn(usize, [&mut [f64]; K]) -> Result<(), E> + Sync,
) -> Result<(), E> {
    let len = outputs[0].len();
    let ranges = split(len, threads_for(len.div_ceil(CHUNK)));
    let mut rest = outputs;
    let mut items = Vec::with_capacity(ranges.len());
    for range in ranges {
        let head: [&mut [f64]; K] = std::array::from_fn(|k| {
            let (a, b) = std::mem::take(&mut rest[k]).split_at_mut(range.len());
            rest[k] = b;
            a
        });
        items.push((range.start, head));
    }
    in_parallel(items, |(start, out)| f(start, out))
        .into_iter()
        .collect()
}

#[cfg(test)]
#[allow(clippy::float_cmp, clippy::cast_precision_loss)] // small exact integers
mod tests {
    use super::{CHUNK, chunked_sum, map_ranges, split};

    #[test]
    fn split_covers_the_range_in_order() {
        assert_eq!(split(10, 3), vec![0..4, 4..8, 8..10]);
        assert_eq!(split(2, 4), vec![0..1, 1..2]);
        assert!(split(0, 2).is_empty());
    }

    #[test]
    fn chunked_sum_adds_every_index_once() {
        let len = 3 * CHUNK + 17;
        let [count, sum] = chunked_sum(len, |r| [r.len() as f64, r.map(|i| i as f64).sum()]);
        let expected = (len * (len - 1) / 2) as f64;
        assert_eq!((count, sum), (len as f64, expected));
    }

    #[test]
    fn map_ranges_writes_each_index_and_reports_the_first_error() {
        let len = 2 * CHUNK + 5;
        let (mut a, mut b) = (vec![0.0; len], vec![0.0; len]);
        let ok: Result<(), usize> = map_ranges([&mut a, &mut b], |start, [x, y]| {
            for (i, (x, y)) in x.iter_mut().zip(y.iter_mut()).enumerate() {
                *x = f64::from(u32::try_from(start + i).unwrap());
                *y = -*x;
            }
            Ok(())
        });
        assert!(ok.is_ok());
        assert!(
            a.iter()
                .enumerate()
                .all(|(i, &v)| v == f64::from(u32::try_from(i).unwrap()))
        );
        assert!(a.iter().zip(&b).all(|(x, y)| *x == -*y));
        let err = map_ranges(
            [&mut a],
            |start, [x]| {
                if x.is_empty() { Ok(()) } else { Err(start) }
            },
        );
        assert_eq!(err, Err(0));
    }
}
