//! The orders of a dataset as callers read them: each [`Order`] put together from the
//! dataset's columns ([`OrderColumns`]).

use super::order_columns::OrderColumns;
use crate::customer::{Order, OrderId};

/// The orders of a [`Dataset`](crate::customer::Dataset), indexed by
/// [`OrderIdx`](crate::customer::OrderIdx): the dataset stores them as columns, and each
/// [`Order`] is put together when read.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use relance::customer::*;
/// let mut ds = Dataset::new();
/// let g = ds.guest("g@x.io").unwrap();
/// let t = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
/// ds.add_order(Order::new(OrderId(7), Buyer::Guest(g), t, OrderStatus::Paid, Money::new(100, Currency::EUR)));
/// let orders = ds.orders();
/// assert_eq!((orders.len(), orders.ids()), (1, &[OrderId(7)][..]));
/// assert_eq!(orders.get(0).unwrap().placed_at, t);
/// assert_eq!(orders.iter().map(|o| o.amount.minor).sum::<i64>(), 100);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Orders<'d> {
    cols: &'d OrderColumns,
}

impl<'d> Orders<'d> {
    pub(crate) fn new(cols: &'d OrderColumns) -> Self {
        Self { cols }
    }

    /// Number of orders.
    ///
    /// ```
    /// assert_eq!(relance::customer::Dataset::new().orders().len(), 0);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.cols.len()
    }

    /// Whether there is no order.
    ///
    /// ```
    /// assert!(relance::customer::Dataset::new().orders().is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.cols.len() == 0
    }

    /// Order `i` (an [`OrderIdx`](crate::customer::OrderIdx)'s index), as it was added.
    ///
    /// ```
    /// assert!(relance::customer::Dataset::new().orders().get(0).is_none());
    /// ```
    #[must_use]
    pub fn get(&self, i: usize) -> Option<Order> {
        self.cols.get(i)
    }

    /// The orders' ids, by index (a column: no order is put together).
    ///
    /// ```
    /// assert!(relance::customer::Dataset::new().orders().ids().is_empty());
    /// ```
    #[must_use]
    pub fn ids(&self) -> &'d [OrderId] {
        &self.cols.id
    }

    /// The orders in index order.
    ///
    /// ```
    /// assert_eq!(relance::customer::Dataset::new().orders().iter().count(), 0);
    /// ```
    #[must_use]
    pub fn iter(&self) -> OrdersIter<'d> {
        OrdersIter {
            cols: self.cols,
            next: 0,
        }
    }
}

impl<'d> IntoIterator for Orders<'d> {
    type Item = Order;
    type IntoIter = OrdersIter<'d>;
    fn into_iter(self) -> OrdersIter<'d> {
        self.iter()
    }
}

impl<'d> IntoIterator for &Orders<'d> {
    type Item = Order;
    type IntoIter = OrdersIter<'d>;
    fn into_iter(self) -> OrdersIter<'d> {
        self.iter()
    }
}

/// The orders of a dataset in index order (see [`Orders::iter`]).
#[derive(Clone, Debug)]
pub struct OrdersIter<'d> {
    cols: &'d OrderColumns,
    next: usize,
}

impl Iterator for OrdersIter<'_> {
    type Item = Order;
    fn next(&mut self) -> Option<Order> {
        let o = self.cols.get(self.next)?;
        self.next += 1;
        Some(o)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.cols.len().saturating_sub(self.next);
        (n, Some(n))
    }
}

impl ExactSizeIterator for OrdersIter<'_> {}
