//! The orders of a dataset, stored as columns.
//!
//! Each order is kept as parallel arrays — id, buyer, contact, instant, amount, delivery
//! and a tag word (status, currency slot, flags) — 44 bytes per order instead of an
//! [`Order`] row of 88, and the consolidation's scan reads only the 32 of them it needs
//! without converting a date. What is rare is kept sparse: refunds and cart links as
//! `(index, value)` lists in index order, currencies past the first 255 a dataset meets, and
//! instants a whole number of microseconds does not hold exactly (sub-microsecond parts,
//! leap seconds), so that every order reads back exactly as it was added
//! ([`Orders`](crate::customer::Orders)).

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::customer::consolidate::rules::micros;
use crate::customer::{
    Buyer, CartId, Currency, CustomStatus, CustomerIdx, GuestIdx, Money, Order, OrderId,
    OrderStatus,
};

/// Code of an order status: the seven standard statuses in [`OrderStatus::STANDARD`] order
/// (0–6), then each custom status by its index (7 + index, below 2¹⁷).
#[inline]
pub(crate) fn status_code(s: OrderStatus) -> usize {
    match s {
        OrderStatus::Pending => 0,
        OrderStatus::Paid => 1,
        OrderStatus::Processing => 2,
        OrderStatus::Shipped => 3,
        OrderStatus::Completed => 4,
        OrderStatus::Cancelled => 5,
        OrderStatus::Refunded => 6,
        OrderStatus::Other(c) => STANDARD_CODES + usize::from(c.0),
    }
}

/// The status of a [`status_code`].
fn status_of(code: usize) -> OrderStatus {
    match code.checked_sub(STANDARD_CODES) {
        None => OrderStatus::STANDARD[code],
        Some(c) => OrderStatus::Other(CustomStatus(u16::try_from(c).unwrap_or(u16::MAX))),
    }
}

/// Number of standard status codes.
pub(crate) const STANDARD_CODES: usize = 7;

/// [`OrderColumns::delivered`] of an order without a delivery instant.
pub(crate) const NOT_DELIVERED: i64 = i64::MAX;

/// An order's status code, currency slot and flags in one word.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tag(u32);

impl Tag {
    const STATUS_MASK: u32 = (1 << 17) - 1;
    const SLOT_SHIFT: u32 = 17;
    /// currency slot of a currency not in the table (see `OrderColumns::other_currency`)
    const NO_SLOT: u32 = 0xFF;
    const GUEST: u32 = 1 << 25;
    const REFUND: u32 = 1 << 26;
    const CART: u32 = 1 << 27;

    /// The status code ([`status_code`]).
    #[inline]
    pub(crate) fn status(self) -> usize {
        (self.0 & Self::STATUS_MASK) as usize
    }

    /// The currency slot, `None` for a currency past the table's 255.
    #[inline]
    pub(crate) fn slot(self) -> Option<usize> {
        let s = self.0 >> Self::SLOT_SHIFT & Self::NO_SLOT;
        (s != Self::NO_SLOT).then_some(s as usize)
    }

    /// Bought by a guest email (not a customer row).
    #[inline]
    pub(crate) fn guest(self) -> bool {
        self.0 & Self::GUEST != 0
    }

    /// Has a refunded amount (`refunded_minor != 0`).
    #[inline]
    pub(crate) fn refund(self) -> bool {
        self.0 & Self::REFUND != 0
    }

    /// Has a cart link.
    #[inline]
    pub(crate) fn cart(self) -> bool {
        self.0 & Self::CART != 0
    }
}

/// An order's parts, as [`OrderColumns::push_row`] takes them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct OrderRow {
    pub(crate) id: OrderId,
    pub(crate) buyer: Buyer,
    /// contact of the buyer
    pub(crate) contact: u32,
    pub(crate) placed: At,
    pub(crate) status: OrderStatus,
    pub(crate) amount: Money,
    pub(crate) refunded_minor: i64,
    pub(crate) cart: Option<CartId>,
    pub(crate) delivered: Option<At>,
}

/// Values of a few orders, in index order.
#[derive(Debug)]
pub(crate) struct Sparse<T>(Vec<(u32, T)>);

impl<T> Default for Sparse<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<T: Copy> Sparse<T> {
    /// The value of order `i`.
    fn get(&self, i: usize) -> Option<T> {
        let at = self.0.partition_point(|e| (e.0 as usize) < i);
        self.0.get(at).filter(|e| e.0 as usize == i).map(|e| e.1)
    }

    /// Where a scan from order `i` starts (see [`at`](Self::at)).
    pub(crate) fn cursor(&self, i: usize) -> usize {
        self.0.partition_point(|e| (e.0 as usize) < i)
    }

    /// The value of order `i`, walking from `cursor` (a scan in index order moves it
    /// forward only).
    #[inline]
    pub(crate) fn at(&self, cursor: &mut usize, i: usize) -> Option<T> {
        while let Some(&(k, v)) = self.0.get(*cursor) {
            match (k as usize).cmp(&i) {
                std::cmp::Ordering::Less => *cursor += 1,
                std::cmp::Ordering::Equal => return Some(v),
                std::cmp::Ordering::Greater => break,
            }
        }
        None
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }
}

/// The orders of a dataset, column by column, index for index.
#[derive(Debug, Default)]
pub(crate) struct OrderColumns {
    pub(crate) id: Vec<OrderId>,
    /// customer row or guest index (which one: [`Tag::guest`])
    buyer: Vec<u32>,
    /// contact of the buyer, resolved at insertion (`NONE` without one)
    pub(crate) contact: Vec<u32>,
    /// `placed_at` in µs since the epoch
    pub(crate) at: Vec<i64>,
    /// `amount.minor`
    pub(crate) minor: Vec<i64>,
    /// `delivered_at` in µs since the epoch, [`NOT_DELIVERED`] without one
    pub(crate) delivered: Vec<i64>,
    pub(crate) tag: Vec<Tag>,
    /// `refunded_minor` of the orders with a refund
    pub(crate) refunds: Sparse<i64>,
    /// the cart links
    pub(crate) carts: Sparse<u64>,
    /// the currencies met, by slot (at most 255)
    pub(crate) currencies: Vec<Currency>,
    /// the currency of orders past the 255 slots
    other_currency: HashMap<u32, Currency>,
    /// `placed_at` / `delivered_at` the µs columns do not hold exactly
    exact_placed: HashMap<u32, DateTime<Utc>>,
    exact_delivered: HashMap<u32, DateTime<Utc>>,
}

impl OrderColumns {
    pub(crate) fn with_capacity(orders: usize) -> Self {
        Self {
            id: Vec::with_capacity(orders),
            buyer: Vec::with_capacity(orders),
            contact: Vec::with_capacity(orders),
            at: Vec::with_capacity(orders),
            minor: Vec::with_capacity(orders),
            delivered: Vec::with_capacity(orders),
            tag: Vec::with_capacity(orders),
            ..Self::default()
        }
    }

    /// Number of orders.
    pub(crate) fn len(&self) -> usize {
        self.tag.len()
    }

    /// Appends `order`, whose buyer's contact is `contact`.
    ///
    /// # Panics
    /// Past `u32::MAX - 1` orders.
    pub(crate) fn push(&mut self, order: &Order, contact: u32) {
        self.push_row(OrderRow {
            id: order.id,
            buyer: order.buyer,
            contact,
            placed: order.placed_at.into(),
            status: order.status,
            amount: order.amount,
            refunded_minor: order.refunded_minor,
            cart: order.cart,
            delivered: order.delivered_at.map(At::from),
        });
    }

    /// Appends an order given by its parts.
    ///
    /// # Panics
    /// Past `u32::MAX - 1` orders.
    pub(crate) fn push_row(&mut self, row: OrderRow) {
        let i = u32::try_from(self.len()).unwrap_or(u32::MAX);
        assert!(i != u32::MAX, "too many orders");
        let code = u32::try_from(status_code(row.status)).unwrap_or(u32::MAX);
        let slot = self.slot(row.amount.currency);
        if slot == Tag::NO_SLOT {
            self.other_currency.insert(i, row.amount.currency);
        }
        let tag = code | slot << Tag::SLOT_SHIFT;
        let (buyer, guest) = Self::buyer_word(row.buyer);
        let mut tag = tag | guest;
        if row.refunded_minor != 0 {
            tag |= Tag::REFUND;
            self.refunds.0.push((i, row.refunded_minor));
        }
        if let Some(cart) = row.cart {
            tag |= Tag::CART;
            self.carts.0.push((i, cart.0));
        }
        self.id.push(row.id);
        self.buyer.push(buyer);
        self.contact.push(row.contact);
        self.at.push(exact(&mut self.exact_placed, i, row.placed));
        self.minor.push(row.amount.minor);
        self.delivered.push(
            row.delivered
                .map_or(NOT_DELIVERED, |d| exact(&mut self.exact_delivered, i, d)),
        );
        self.tag.push(Tag(tag));
    }

    /// The buyer column's word of `buyer` and its [`Tag::GUEST`] bit.
    fn buyer_word(buyer: Buyer) -> (u32, u32) {
        match buyer {
            Buyer::Customer(c) => (c.0, 0),
            Buyer::Guest(g) => (g.0, Tag::GUEST),
        }
    }

    /// Sets the buyer of order `i` and its contact.
    pub(crate) fn set_buyer(&mut self, i: usize, buyer: Buyer, contact: u32) {
        let (word, guest) = Self::buyer_word(buyer);
        self.buyer[i] = word;
        self.contact[i] = contact;
        self.tag[i].0 = self.tag[i].0 & !Tag::GUEST | guest;
    }

    /// Sets the status of order `i`.
    pub(crate) fn set_status(&mut self, i: usize, status: OrderStatus) {
        let code = u32::try_from(status_code(status)).unwrap_or(Tag::STATUS_MASK);
        self.tag[i].0 = self.tag[i].0 & !Tag::STATUS_MASK | code & Tag::STATUS_MASK;
    }

    /// Appends the orders of `chunk` (orders put together apart, with currency slots of
    /// their own), as if each was pushed in turn, leaving `chunk` empty with its room kept
    /// (a parser fills it again).
    ///
    /// # Panics
    /// Past `u32::MAX - 1` orders.
    pub(crate) fn append(&mut self, chunk: &mut OrderColumns) {
        let base = u32::try_from(self.len()).unwrap_or(u32::MAX);
        let total = self.len().saturating_add(chunk.len());
        assert!(total < u32::MAX as usize, "too many orders");
        // the chunk's slots in this table: the same numbers in the common case
        let slots: Vec<u32> = chunk.currencies.iter().map(|&c| self.slot(c)).collect();
        let same = slots
            .iter()
            .enumerate()
            .all(|(s, &t)| u32::try_from(s).is_ok_and(|s| s == t));
        if same && chunk.other_currency.is_empty() {
            self.tag.extend_from_slice(&chunk.tag);
        } else {
            for (k, t) in (base..).zip(&chunk.tag) {
                let (slot, currency) = if let Some(s) = t.slot() {
                    (slots[s], chunk.currencies[s])
                } else {
                    let c = chunk.other_currency.get(&(k - base)).copied();
                    let c = c.unwrap_or(Currency::EUR);
                    (self.slot(c), c)
                };
                if slot == Tag::NO_SLOT {
                    self.other_currency.insert(k, currency);
                }
                let rest = t.0 & !(Tag::NO_SLOT << Tag::SLOT_SHIFT);
                self.tag.push(Tag(rest | slot << Tag::SLOT_SHIFT));
            }
        }
        let shift = |k: u32| base + k;
        let refunds = chunk.refunds.0.drain(..).map(|(k, v)| (shift(k), v));
        self.refunds.0.extend(refunds);
        let carts = chunk.carts.0.drain(..).map(|(k, v)| (shift(k), v));
        self.carts.0.extend(carts);
        let placed = chunk.exact_placed.drain().map(|(k, t)| (shift(k), t));
        self.exact_placed.extend(placed);
        let delivered = chunk.exact_delivered.drain().map(|(k, t)| (shift(k), t));
        self.exact_delivered.extend(delivered);
        self.id.extend_from_slice(&chunk.id);
        self.buyer.extend_from_slice(&chunk.buyer);
        self.contact.extend_from_slice(&chunk.contact);
        self.at.extend_from_slice(&chunk.at);
        self.minor.extend_from_slice(&chunk.minor);
        self.delivered.extend_from_slice(&chunk.delivered);
        chunk.clear();
    }

    /// Forgets every order, keeping the room they took.
    pub(crate) fn clear(&mut self) {
        self.id.clear();
        self.buyer.clear();
        self.contact.clear();
        self.at.clear();
        self.minor.clear();
        self.delivered.clear();
        self.tag.clear();
        self.refunds.0.clear();
        self.carts.0.clear();
        self.currencies.clear();
        self.other_currency.clear();
        self.exact_placed.clear();
        self.exact_delivered.clear();
    }

    /// Records a delivery of order `i` at `at` (the latest of its deliveries is kept);
    /// `false` when there is no such order.
    pub(crate) fn deliver(&mut self, i: usize, at: DateTime<Utc>) -> bool {
        if i >= self.len() {
            return false;
        }
        let at = self.delivered_at(i).map_or(at, |d| d.max(at));
        self.set_delivered(i, at);
        true
    }

    /// Sets the delivery instant of order `i`.
    pub(crate) fn set_delivered(&mut self, i: usize, at: DateTime<Utc>) {
        let Ok(k) = u32::try_from(i) else { return };
        if i < self.len() {
            self.exact_delivered.remove(&k);
            self.delivered[i] = exact(&mut self.exact_delivered, k, at.into());
        }
    }

    /// The delivery instant of order `i`.
    pub(crate) fn delivered_at(&self, i: usize) -> Option<DateTime<Utc>> {
        let d = *self.delivered.get(i)?;
        (d != NOT_DELIVERED).then(|| instant(&self.exact_delivered, i, d))
    }

    /// Each currency of the orders with its number of orders, in the order the currencies
    /// were first met. The slots are handed out in that order, so that counting slots (one
    /// pass over the tags, no lookup) gives it, unless a currency went past the 255 slots.
    pub(crate) fn currency_counts(&self) -> Vec<(Currency, usize)> {
        let mut per_slot = [0usize; 256];
        for t in &self.tag {
            per_slot[(t.0 >> Tag::SLOT_SHIFT & Tag::NO_SLOT) as usize] += 1;
        }
        if per_slot[Tag::NO_SLOT as usize] == 0 {
            return self.currencies.iter().copied().zip(per_slot).collect();
        }
        let mut counts: Vec<(Currency, usize)> = Vec::new();
        for i in 0..self.len() {
            let currency = self.currency(i);
            match counts.iter_mut().find(|(c, _)| *c == currency) {
                Some(e) => e.1 += 1,
                None => counts.push((currency, 1)),
            }
        }
        counts
    }

    /// The currency of order `i`.
    pub(crate) fn currency(&self, i: usize) -> Currency {
        match self.tag[i].slot() {
            Some(s) => self.currencies[s],
            None => u32::try_from(i)
                .ok()
                .and_then(|k| self.other_currency.get(&k).copied())
                .unwrap_or(Currency::EUR),
        }
    }

    /// Order `i` as it was added.
    pub(crate) fn get(&self, i: usize) -> Option<Order> {
        let tag = *self.tag.get(i)?;
        let buyer = if tag.guest() {
            Buyer::Guest(GuestIdx(self.buyer[i]))
        } else {
            Buyer::Customer(CustomerIdx(self.buyer[i]))
        };
        Some(Order {
            id: self.id[i],
            buyer,
            placed_at: instant(&self.exact_placed, i, self.at[i]),
            status: status_of(tag.status()),
            amount: Money::new(self.minor[i], self.currency(i)),
            refunded_minor: if tag.refund() {
                self.refunds.get(i).unwrap_or(0)
            } else {
                0
            },
            cart: if tag.cart() {
                self.carts.get(i).map(CartId)
            } else {
                None
            },
            delivered_at: self.delivered_at(i),
        })
    }

    /// The slot of a currency, a new one while fewer than 255 are known.
    fn slot(&mut self, currency: Currency) -> u32 {
        if let Some(s) = self.currencies.iter().position(|&c| c == currency) {
            return u32::try_from(s).unwrap_or(Tag::NO_SLOT);
        }
        if self.currencies.len() < Tag::NO_SLOT as usize {
            self.currencies.push(currency);
            return u32::try_from(self.currencies.len() - 1).unwrap_or(Tag::NO_SLOT);
        }
        Tag::NO_SLOT
    }

    /// Approximate bytes held.
    pub(crate) fn approx_bytes(&self) -> usize {
        self.len() * BYTES_PER_ORDER
            + (self.refunds.len() + self.carts.len()) * 16
            + (self.exact_placed.len() + self.exact_delivered.len() + self.other_currency.len())
                * 32
    }
}

/// Bytes per order of the dense columns.
pub(crate) const BYTES_PER_ORDER: usize = 8 + 4 + 4 + 8 + 8 + 8 + 4;

/// An instant as the order columns keep it: whole microseconds since the epoch, or the
/// instant itself where they do not hold it exactly (sub-µs parts, leap seconds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum At {
    /// µs since the epoch.
    Us(i64),
    /// An instant the µs do not hold.
    Exact(DateTime<Utc>),
}

impl From<DateTime<Utc>> for At {
    fn from(t: DateTime<Utc>) -> Self {
        // whole µs read back exactly; not sub-µs parts nor leap seconds (nanos ≥ 10⁹)
        let nanos = t.timestamp_subsec_nanos();
        if nanos.is_multiple_of(1000) && nanos < 1_000_000_000 {
            Self::Us(micros(t))
        } else {
            Self::Exact(t)
        }
    }
}

/// The µs of `at`, recording the instant itself at `i` in `exact` when they do not hold it.
fn exact(exact: &mut HashMap<u32, DateTime<Utc>>, i: u32, at: At) -> i64 {
    match at {
        At::Us(us) => us,
        At::Exact(t) => {
            exact.insert(i, t);
            micros(t)
        }
    }
}

/// The instant of order `i` from its µs, or as recorded in `exact`.
fn instant(exact: &HashMap<u32, DateTime<Utc>>, i: usize, us: i64) -> DateTime<Utc> {
    let recorded = if exact.is_empty() {
        None
    } else {
        u32::try_from(i).ok().and_then(|k| exact.get(&k).copied())
    };
    recorded
        .or_else(|| DateTime::from_timestamp_micros(us))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn order(status: OrderStatus, currency: Currency) -> Order {
        Order::new(
            OrderId(1),
            Buyer::Customer(CustomerIdx(2)),
            Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap(),
            status,
            Money::new(-250, currency),
        )
    }

    /// `n` distinct currencies (`QAA`, `QAB`, …).
    fn currencies(n: usize) -> Vec<Currency> {
        let letters = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        letters
            .iter()
            .flat_map(|a| {
                letters
                    .iter()
                    .map(move |b| Currency::new([b'Q', *a, *b], 2))
            })
            .take(n)
            .collect()
    }

    #[test]
    fn every_order_reads_back_as_added() {
        let mut cols = OrderColumns::default();
        let mut a = order(OrderStatus::Other(CustomStatus(9)), Currency::USD);
        a.buyer = Buyer::Guest(GuestIdx(3));
        a.refunded_minor = -1;
        a.cart = Some(CartId(4));
        // a sub-microsecond instant and a leap second
        a.placed_at = Utc.with_ymd_and_hms(2016, 12, 31, 23, 59, 59).unwrap()
            + chrono::TimeDelta::nanoseconds(1_500_000_123);
        a.delivered_at = Some(a.placed_at + chrono::TimeDelta::nanoseconds(7));
        let b = order(OrderStatus::Refunded, Currency::EUR);
        cols.push(&a, 17);
        cols.push(&b, 5);
        assert_eq!(
            (cols.get(0), cols.get(1), cols.get(2)),
            (Some(a), Some(b), None)
        );
        let (ta, tb) = (cols.tag[0], cols.tag[1]);
        assert_eq!((ta.status(), tb.status()), (STANDARD_CODES + 9, 6));
        assert_eq!((ta.slot(), tb.slot()), (Some(0), Some(1)));
        assert!(ta.guest() && ta.refund() && ta.cart());
        assert!(!tb.guest() && !tb.refund() && !tb.cart());
        assert_eq!(cols.contact, vec![17, 5]);
        assert_eq!(cols.at[1], b.placed_at.timestamp_micros());
        let mut cursor = cols.refunds.cursor(0);
        assert_eq!(
            (
                cols.refunds.at(&mut cursor, 0),
                cols.refunds.at(&mut cursor, 1)
            ),
            (Some(-1), None)
        );
        assert_eq!(cols.delivered[1], NOT_DELIVERED);
        cols.set_delivered(1, b.placed_at);
        assert_eq!(cols.get(1).unwrap().delivered_at, Some(b.placed_at));
        cols.set_delivered(0, b.placed_at);
        assert_eq!(cols.delivered_at(0), Some(b.placed_at));
    }

    #[test]
    fn a_chunk_appends_as_its_orders_pushed_one_by_one() {
        // 300 currencies: past the 255 slots of a table
        let all = currencies(300);
        let t = Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap();
        let orders: Vec<(Order, u32)> = (0..900u32)
            .map(|i| {
                // the last chunk meets the currencies in another order
                let c = if i < 700 { i % 300 } else { (i * 7) % 300 };
                let status = match i % 9 {
                    0 => OrderStatus::Other(CustomStatus(u16::try_from(i % 4).unwrap())),
                    k => OrderStatus::STANDARD[k as usize % 7],
                };
                let mut o = order(status, all[c as usize]);
                o.id = OrderId(u64::from(i));
                o.refunded_minor = if i % 3 == 0 { -i64::from(i) } else { 0 };
                o.cart = (i % 4 == 0).then_some(CartId(u64::from(i) * 10));
                if i % 5 == 0 {
                    o.buyer = Buyer::Guest(GuestIdx(i));
                }
                o.placed_at = t + chrono::TimeDelta::nanoseconds(i64::from(i % 7) * 333);
                o.delivered_at =
                    (i % 2 == 0).then(|| t + chrono::TimeDelta::nanoseconds(i64::from(i)));
                (o, i + 1)
            })
            .collect();
        let mut one = OrderColumns::default();
        for (o, c) in &orders {
            one.push(o, *c);
        }
        let mut parts = OrderColumns::default();
        for (o, c) in &orders[..250] {
            parts.push(o, *c);
        }
        for range in [250..420, 420..700, 700..900] {
            let mut chunk = OrderColumns::with_capacity(range.len());
            for (k, (o, c)) in orders[range].iter().enumerate() {
                if k % 6 == 0 {
                    // buyer and status settled after the row (as the folding thread does)
                    let mut bare = *o;
                    bare.buyer = Buyer::Customer(CustomerIdx(0));
                    bare.status = OrderStatus::Paid;
                    chunk.push(&bare, u32::MAX);
                    chunk.set_buyer(k, o.buyer, *c);
                    chunk.set_status(k, o.status);
                } else {
                    chunk.push(o, *c);
                }
            }
            parts.append(&mut chunk);
        }
        assert_eq!(parts.len(), 900);
        // past the 255 slots, and within them (the first 250 orders)
        let naive = |cols: &OrderColumns| {
            let mut counts: Vec<(Currency, usize)> = Vec::new();
            for i in 0..cols.len() {
                match counts.iter_mut().find(|e| e.0 == cols.currency(i)) {
                    Some(e) => e.1 += 1,
                    None => counts.push((cols.currency(i), 1)),
                }
            }
            counts
        };
        assert_eq!(parts.currency_counts(), naive(&parts));
        let mut first = OrderColumns::default();
        for (o, c) in orders[..250].iter().rev() {
            first.push(o, *c);
        }
        assert_eq!(first.currency_counts().len(), 250);
        assert_eq!(first.currency_counts(), naive(&first));
        for i in 0..=900 {
            assert_eq!(parts.get(i), one.get(i), "order {i}");
        }
        for i in 0..900 {
            assert_eq!(parts.currency(i), one.currency(i), "order {i}");
        }
        assert_eq!(parts.contact, one.contact);
        assert_eq!(parts.at, one.at);
        assert_eq!(parts.delivered, one.delivered);
    }

    #[test]
    fn statuses_round_trip_through_their_codes() {
        for s in OrderStatus::STANDARD
            .into_iter()
            .chain([0, 1, u16::MAX].map(|c| OrderStatus::Other(CustomStatus(c))))
        {
            assert_eq!(status_of(status_code(s)), s);
        }
    }

    #[test]
    fn currencies_past_255_are_kept_aside() {
        let mut cols = OrderColumns::default();
        let all = currencies(257);
        for &c in &all {
            cols.push(&order(OrderStatus::Paid, c), 0);
        }
        assert_eq!(cols.tag[254].slot(), Some(254));
        assert_eq!((cols.tag[255].slot(), cols.tag[256].slot()), (None, None));
        for (i, &c) in all.iter().enumerate() {
            assert_eq!(cols.get(i).unwrap().amount.currency, c);
        }
        // a known currency keeps its slot
        cols.push(&order(OrderStatus::Paid, all[3]), 0);
        assert_eq!(cols.tag[257].slot(), Some(3));
    }
}
