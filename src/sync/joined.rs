//! Records written as several items of a bulk write (a Sendsay member by email and by
//! phone), settled as one: a record is written only when every one of its items is.

use std::collections::{HashMap, HashSet};

use crate::http::BulkEvent;

/// Maps the items of a bulk write back to the records they came from.
#[derive(Debug, Default)]
pub(super) struct Joined {
    /// The record of each item, by item position.
    owner: Vec<usize>,
    /// Items of each record not confirmed yet.
    outstanding: HashMap<usize, usize>,
    /// Records already reported refused or failed (their other items are ignored).
    settled: HashSet<usize>,
}

impl Joined {
    /// Registers the next `items` items (at least one) as record `record`'s.
    pub(super) fn register(&mut self, record: usize, items: usize) {
        self.owner.extend(std::iter::repeat_n(record, items));
        self.outstanding.insert(record, items);
    }

    fn owner(&self, item: usize) -> usize {
        self.owner.get(item).copied().unwrap_or(usize::MAX)
    }

    /// The records' events for one event of the items: written once all their items are,
    /// refused or failed at the first item that is (once per record).
    pub(super) fn settle(&mut self, event: BulkEvent) -> Option<BulkEvent> {
        match event {
            BulkEvent::Written(items) => {
                let mut done = Vec::new();
                for item in items {
                    let record = self.owner(item);
                    if self.settled.contains(&record) {
                        continue;
                    }
                    if let Some(left) = self.outstanding.get_mut(&record) {
                        *left -= 1;
                        if *left == 0 {
                            self.outstanding.remove(&record);
                            done.push(record);
                        }
                    }
                }
                (!done.is_empty()).then_some(BulkEvent::Written(done))
            }
            BulkEvent::Rejected { index, key, error } => {
                let record = self.owner(index);
                self.settled.insert(record).then_some(BulkEvent::Rejected {
                    index: record,
                    key,
                    error,
                })
            }
            BulkEvent::Failed { indices, error } => {
                let mut records: Vec<usize> = indices.iter().map(|&i| self.owner(i)).collect();
                records.sort_unstable();
                records.dedup();
                records.retain(|r| self.settled.insert(*r));
                // A failure of nothing in particular stays one, for the engine to attribute.
                (indices.is_empty() || !records.is_empty()).then_some(BulkEvent::Failed {
                    indices: records,
                    error,
                })
            }
            BulkEvent::Warned { index, key, error } => Some(BulkEvent::Warned {
                index: self.owner(index),
                key,
                error,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    #[test]
    fn a_record_is_written_when_all_its_items_are_and_fails_at_its_first_failure() {
        let mut j = Joined::default();
        j.register(0, 2); // items 0, 1
        j.register(1, 1); // item 2
        j.register(2, 2); // items 3, 4
        let written = |e: Option<BulkEvent>| match e {
            Some(BulkEvent::Written(r)) => r,
            other => panic!("{other:?}"),
        };
        assert_eq!(written(j.settle(BulkEvent::Written(vec![0, 2, 3]))), [1]);
        assert_eq!(written(j.settle(BulkEvent::Written(vec![1]))), [0]);
        let failed = j.settle(BulkEvent::Failed {
            indices: vec![4],
            error: Error::invalid("x", "y"),
        });
        assert!(matches!(failed, Some(BulkEvent::Failed { indices, .. }) if indices == [2]));
        // Item 3 was written, item 4 failed: record 2 is not written, and not failed twice.
        assert!(
            j.settle(BulkEvent::Rejected {
                index: 3,
                key: "k".into(),
                error: Error::invalid("x", "y"),
            })
            .is_none()
        );
    }
}
