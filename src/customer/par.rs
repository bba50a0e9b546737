//! The one way the domain layer runs work on several threads.

/// Runs `f` on each item: the first on the calling thread (one thread less to start, and its
/// allocations come from the caller's arena, usually warm), the others on scoped threads.
/// Results come back in item order; a panic in any item is resumed on the caller. A single
/// item starts no thread at all.
pub(crate) fn in_parallel<I: Send, R: Send>(items: Vec<I>, f: impl Fn(I) -> R + Sync) -> Vec<R> {
    let mut items = items.into_iter();
    let Some(first) = items.next() else {
        return Vec::new();
    };
    if items.len() == 0 {
        return vec![f(first)];
    }
    std::thread::scope(|s| {
        let f = &f;
        let handles: Vec<_> = items.map(|i| s.spawn(move || f(i))).collect();
        let mut out = vec![f(first)];
        out.extend(
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))),
        );
        out
    })
}

#[cfg(test)]
mod tests {
    use super::in_parallel;

    #[test]
    fn results_come_back_in_item_order() {
        assert_eq!(in_parallel(Vec::<u32>::new(), |i| i * 2), Vec::<u32>::new());
        assert_eq!(in_parallel(vec![3], |i| i * 2), vec![6]);
        assert_eq!(
            in_parallel((0..5).collect(), |i| i * 2),
            vec![0, 2, 4, 6, 8]
        );
    }
}
