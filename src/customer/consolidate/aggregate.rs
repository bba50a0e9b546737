//! A contact's counted orders folded into the figures its profile needs (count, revenue,
//! first and last order, distinct shop-local days for BTYD).

use super::records::{ESCAPE, Grouped, NOT_COUNTED};
use super::rules::Rules;
use crate::customer::order_columns::OrderColumns;
use crate::customer::tzdays::DayTable;

/// Per-contact order aggregate (instants in µs since the epoch, values in reporting minor
/// units, days shop-local).
#[derive(Clone, Copy, Debug)]
pub(super) struct Agg {
    /// counted orders
    pub(super) n: u32,
    pub(super) revenue: i64,
    /// first and last counted order
    pub(super) first: i64,
    pub(super) last: i64,
    /// index and value of the last counted order (ties: the highest order id)
    pub(super) last_idx: u32,
    pub(super) last_value: i64,
    /// latest order of any status
    pub(super) max_any: i64,
    /// distinct days with a counted order, the first and last of them, and the first day's
    /// value
    pub(super) n_days: u32,
    pub(super) first_day: i32,
    pub(super) last_day: i32,
    pub(super) first_day_sum: i64,
}

/// The aggregate of a contact without orders.
pub(super) const EMPTY: Agg = Agg {
    n: 0,
    revenue: 0,
    first: i64::MAX,
    last: i64::MIN,
    last_idx: 0,
    last_value: 0,
    max_any: i64::MIN,
    n_days: 0,
    first_day: i32::MAX,
    last_day: i32::MIN,
    first_day_sum: 0,
};

/// Folds the order records of one contact (`stamp` is its index, to count distinct days
/// in `seen` without sorting).
pub(super) fn aggregate(
    recs: &[Grouped],
    orders: &OrderColumns,
    rules: &Rules,
    days: &DayTable,
    seen: &mut DaySeen,
    stamp: u32,
) -> Agg {
    let mut a = EMPTY;
    seen.overflow.clear();
    for r in recs {
        a.max_any = a.max_any.max(r.ts);
        let slot = r.lo >> 32;
        if slot == NOT_COUNTED {
            continue;
        }
        #[allow(clippy::cast_possible_truncation)]
        let idx = r.lo as u32;
        #[allow(clippy::cast_possible_wrap)]
        let value = if slot == ESCAPE {
            orders
                .get(idx as usize)
                .and_then(|o| rules.value(&o).ok())
                .unwrap_or(0)
        } else {
            slot as i64
        };
        a.n += 1;
        a.revenue = a.revenue.saturating_add(value);
        a.first = a.first.min(r.ts);
        if r.ts > a.last
            || (r.ts == a.last && orders.id[idx as usize] > orders.id[a.last_idx as usize])
        {
            a.last = r.ts;
            a.last_idx = idx;
            a.last_value = value;
        }
        let d = days.day_of_micros(r.ts);
        if d < a.first_day {
            a.first_day = d;
            a.first_day_sum = value;
        } else if d == a.first_day {
            a.first_day_sum = a.first_day_sum.saturating_add(value);
        }
        a.last_day = a.last_day.max(d);
        // distinct days: stamp a per-thread day array with the contact (no sort)
        match usize::try_from(d - seen.first_day)
            .ok()
            .and_then(|i| seen.stamps.get_mut(i))
        {
            Some(s) if *s != stamp => {
                *s = stamp;
                a.n_days += 1;
            }
            Some(_) => {}
            None => seen.overflow.push(d),
        }
    }
    if !seen.overflow.is_empty() {
        seen.overflow.sort_unstable();
        seen.overflow.dedup();
        a.n_days += u32::try_from(seen.overflow.len()).unwrap_or(u32::MAX);
    }
    a
}

/// Per-thread scratch for counting distinct days.
pub(super) struct DaySeen {
    first_day: i32,
    /// last contact stamp per day of the table's range
    stamps: Vec<u32>,
    /// days outside the range (rare)
    overflow: Vec<i32>,
}

impl DaySeen {
    pub(super) fn new(days: &DayTable) -> Self {
        let (lo, hi) = days.day_range();
        Self {
            first_day: lo,
            stamps: vec![u32::MAX; usize::try_from(hi - lo + 1).unwrap_or(0)],
            overflow: Vec::new(),
        }
    }
}
