//! `orders.csv`'s rows parsed on a parsing thread straight into columns: the orders
//! whose buyer the parser found complete, the others (and custom statuses) listed for the
//! folding thread to resolve.

use std::ops::Range;
use std::sync::OnceLock;

use super::CsvError;
use super::known::{Key, Known, PendingRows, customer_key, look_up_runs};
use super::pipeline::{Batch, Rowset, Text};
use super::read::no_parent;
use super::reader::Rows;
use crate::customer::order_columns::{OrderColumns as Columns, OrderRow};
use crate::customer::{Buyer, CartId, Currency, CustomerIdx, OrderId, OrderStatus};

/// A batch of orders as columns ([`Columns`], appended whole to the dataset's), with
/// what only the folding thread can settle.
pub(super) struct OrderChunk {
    pub(super) cols: Columns,
    /// Rows whose buyer the parser did not find: the row, its `customer_id` and its email
    /// (spans of the batch's text); not in row order (rows looked up later come last), which
    /// the folding thread restores.
    pub(super) unknown: Vec<(usize, Range<usize>, Range<usize>)>,
    /// Rows whose status is not a standard one, and its name, in row order.
    pub(super) custom: Vec<(usize, Range<usize>)>,
    /// Rows waiting for the lookup of a [`Key::Dense`] key: the row, the key and the
    /// row's email in `emails` (in case no customer has the key); those before `looked`
    /// are done.
    pending: Vec<(usize, u32, Range<usize>)>,
    looked: usize,
    /// The emails of the `pending` rows, for a run of rows only: most keys are found, and
    /// their emails never reach the batch's text.
    emails: Text,
    /// Rows read before the customers were: the row, its `customer_id` and its email.
    deferred: Vec<(usize, Range<usize>, Range<usize>)>,
}

impl Rowset for OrderChunk {
    const ROW_BYTES: usize = crate::customer::order_columns::BYTES_PER_ORDER;
    fn with_capacity(n: usize) -> Self {
        Self {
            cols: Columns::with_capacity(n),
            unknown: Vec::new(),
            custom: Vec::new(),
            pending: Vec::new(),
            looked: 0,
            emails: Text::default(),
            deferred: Vec::new(),
        }
    }
    fn len(&self) -> usize {
        self.cols.len()
    }
    fn clear(&mut self) {
        self.cols.clear();
        self.unknown.clear();
        self.custom.clear();
        self.pending.clear();
        self.looked = 0;
        self.emails.clear();
        self.deferred.clear();
    }
    fn ready(&self) -> bool {
        // no row waiting for the customers, nor for the lookups of its run
        self.deferred.is_empty() && self.pending.is_empty()
    }
}

impl PendingRows for OrderChunk {
    fn take_key(&mut self, i: usize) -> u32 {
        // a run's rows come in row order: the next waiting row is the only candidate
        match self.pending.get(self.looked) {
            Some(&(row, key, _)) if row == i => key,
            _ => u32::MAX,
        }
    }
    fn found(&mut self, i: usize, customer: CustomerIdx, contact: u32) {
        self.cols.set_buyer(i, Buyer::Customer(customer), contact);
        self.next_pending();
    }
    fn unknown(&mut self, i: usize, id: Range<usize>, text: &mut Text) {
        let email = text.keep(self.emails.get(&self.pending[self.looked].2));
        self.unknown.push((i, id, email));
        self.next_pending();
    }
}

impl OrderChunk {
    /// Looks up the customers of the rows read before the customers were.
    fn resolve_deferred(&mut self, text: &Text, known: &Known) {
        for (row, id, email) in self.deferred.drain(..) {
            match known.customer(text.get(&id)) {
                Some((c, contact)) => self.cols.set_buyer(row, Buyer::Customer(c), contact),
                None => self.unknown.push((row, id, email)),
            }
        }
    }

    /// Past the row just looked up; the list emptied once all of it is.
    fn next_pending(&mut self) {
        self.looked += 1;
        if self.looked == self.pending.len() {
            self.pending.clear();
            self.emails.clear();
            self.looked = 0;
        }
    }
}

/// The columns of `orders.csv`.
#[derive(Clone, Copy)]
pub(super) struct OrderColumns {
    id: usize,
    customer: usize,
    email: usize,
    placed: usize,
    status: usize,
    amount: usize,
    currency: usize,
    refunded: usize,
    cart: usize,
    delivered: usize,
    parent: usize,
}

impl OrderColumns {
    pub(super) fn of(r: &impl Rows) -> Self {
        Self {
            id: r.col("order_id"),
            customer: r.col("customer_id"),
            email: r.col("email"),
            placed: r.col("placed_at"),
            status: r.col("status"),
            amount: r.col("amount"),
            currency: r.col("currency"),
            refunded: r.col("refunded_amount"),
            cart: r.col("cart_id"),
            delivered: r.col("delivered_at"),
            parent: r.col("parent_order_id"),
        }
    }
}

/// Reads the next order row into `batch` (skipping what the dataset would skip: a seller's
/// child order, a guest order without email); `false` at the end. The rows' customers are
/// looked up by runs of rows ([`look_up_runs`]) once `known` is set; the rows read before
/// are read on, their customers looked up as soon as it is, or at the end.
pub(super) fn parse_order(
    r: &mut impl Rows,
    c: &OrderColumns,
    currencies: &mut Vec<(String, Currency)>,
    known: &OnceLock<Known>,
    batch: &mut Batch<OrderChunk>,
) -> Result<bool, CsvError> {
    let ready = known.get();
    let mut next = || -> Result<bool, CsvError> {
        loop {
            if !r.next()? {
                return Ok(false);
            }
            if !r
                .uint(c.parent)
                .map_or_else(|| no_parent(r.field(c.parent)), |p| p == 0)
            {
                continue; // a seller's child order: the buyer's order is its parent's row
            }
            let id = r.id(c.id, "order_id")?;
            let number = r.uint(c.customer);
            let email = r.field(c.email);
            let key = match ready {
                Some(known) => customer_key(r, c.customer, known),
                None if number.is_none() && r.field(c.customer).is_empty() => Key::Empty,
                None => Key::Looked(None), // looked up once the customers are read
            };
            if matches!(key, Key::Empty) && email.trim().is_empty() {
                continue; // guest order without email: no contact
            }
            let placed = r
                .at(c.placed)?
                .ok_or_else(|| r.err("missing placed_at".into()))?;
            let (amount, refunded) = r.money((c.amount, c.refunded, c.currency), currencies)?;
            let cart = match (r.uint(c.cart), r.opt(c.cart)) {
                (Some(n), _) => Some(CartId(n)),
                (None, None) => None,
                (None, Some(s)) => Some(CartId(
                    s.parse().map_err(|_| r.err(format!("bad cart_id {s:?}")))?,
                )),
            };
            let delivered = r.at(c.delivered)?;
            let row = batch.rows.cols.len();
            let status_text = r.field(c.status);
            let status = OrderStatus::parse_standard(status_text).unwrap_or_else(|| {
                let name = batch.keep(status_text);
                batch.rows.custom.push((row, name));
                OrderStatus::Paid
            });
            let (buyer, contact) = match key {
                Key::Looked(Some((c, contact))) => (Buyer::Customer(c), contact),
                Key::Dense(k) => {
                    // looked up with the next rows; its email kept in case it is unknown
                    let email = batch.rows.emails.keep(email);
                    batch.rows.pending.push((row, k, email));
                    (Buyer::Customer(CustomerIdx(0)), u32::MAX)
                }
                Key::Empty | Key::Looked(None) => {
                    let customer = match number {
                        Some(n) if ready.is_none() => batch.keep(itoa::Buffer::new().format(n)),
                        _ => batch.keep(r.field(c.customer)),
                    };
                    let email = batch.keep(email);
                    if ready.is_none() && !customer.is_empty() {
                        batch.rows.deferred.push((row, customer, email));
                    } else {
                        // resolved by the folding thread (`Shop::buyer`)
                        batch.rows.unknown.push((row, customer, email));
                    }
                    (Buyer::Customer(CustomerIdx(0)), u32::MAX)
                }
            };
            batch.rows.cols.push_row(OrderRow {
                id: OrderId(id),
                buyer,
                contact,
                placed,
                status,
                amount,
                refunded_minor: refunded,
                cart,
                delivered,
            });
            return Ok(true);
        }
    };
    let more = next();
    if let Some(known) = ready {
        look_up_runs(&more, batch, known);
    }
    if !batch.rows.deferred.is_empty() {
        let known = if matches!(more, Ok(true)) {
            known.get()
        } else {
            Some(known.wait()) // the part's end: not without its customers
        };
        if let Some(known) = known {
            batch.rows.resolve_deferred(&batch.text, known);
        }
    }
    more
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;
    use std::sync::OnceLock;

    use super::super::id_index::IdIndex;
    use super::super::known::Known;
    use super::super::pipeline::{Batch, Rowset, Text};
    use super::super::reader::Reader;
    use super::{OrderChunk, OrderColumns, parse_order};
    use crate::customer::{Customer, Dataset};

    /// The customers `1`…`40` and `c-1`…`c-10`, and what the parsers know of them.
    fn known() -> Known {
        let mut ds = Dataset::new();
        let mut by_id = IdIndex::default();
        let ids = (1..=40)
            .map(|i| i.to_string())
            .chain((1..=10).map(|i| format!("c-{i}")));
        for id in ids {
            let c = ds.add_customer(Customer {
                email: format!("{id}@x.io"),
                id,
                ..Customer::default()
            });
            by_id.insert(&ds, c);
        }
        Known::new(by_id, ds.customer_contacts().to_vec())
    }

    /// The orders of `orders.csv`, `known` set once `before` rows were read (at once for
    /// 0): the chunk, its text, its unknown buyers (row, id, email) in row order.
    fn read(path: &std::path::Path, before: usize) -> (OrderChunk, Text, Vec<(usize, String)>) {
        let mut r = Reader::open(path.to_owned()).unwrap().unwrap();
        let cols = OrderColumns::of(&r);
        let lock = OnceLock::new();
        let mut batch = Batch::<OrderChunk>::new();
        let mut currencies = Vec::new();
        loop {
            if batch.rows.len() == before {
                let _ = lock.set(known());
            }
            let more = parse_order(&mut r, &cols, &mut currencies, &lock, &mut batch).unwrap();
            if batch.rows.ready() {
                // a batch that may leave: every row's buyer found, or left to the folding thread
                let rows = &batch.rows;
                let unknown: std::collections::HashSet<usize> =
                    rows.unknown.iter().map(|u| u.0).collect();
                assert!(
                    (0..rows.len())
                        .all(|i| rows.cols.contact[i] != u32::MAX || unknown.contains(&i)),
                    "a batch ready with a buyer not looked up, after {} rows",
                    rows.len()
                );
            }
            if !more {
                break;
            }
        }
        let Batch { text, mut rows } = batch;
        rows.unknown.sort_unstable_by_key(|u| u.0);
        let unknown = rows
            .unknown
            .iter()
            .map(|(row, id, email)| (*row, format!("{} {}", text.get(id), text.get(email))))
            .collect();
        (rows, text, unknown)
    }

    #[test]
    fn orders_read_before_the_customers_are_looked_up_when_they_come() {
        let dir = tempfile::tempdir().unwrap();
        let mut csv = String::from("order_id,customer_id,email,placed_at,amount,currency\n");
        for i in 0..1500u32 {
            // known and unknown ids, numbers below and past the dense table, text ids, guests
            let customer = match i % 7 {
                0 => format!("{}", i % 40 + 1),
                1 => format!("{}", 41 + i % 3),
                2 => format!("c-{}", i % 12),
                3 => String::new(),
                4 => format!("{}", 10_000_000 + i),
                _ => format!("{}", i % 45),
            };
            writeln!(
                csv,
                "{i},{customer},g{}@x.io,2024-01-01T00:00:00Z,1.00,EUR",
                i % 30
            )
            .unwrap();
        }
        let path = dir.path().join("orders.csv");
        std::fs::write(&path, csv).unwrap();
        let (at_once, _, unknown_at_once) = read(&path, 0);
        assert_eq!(at_once.cols.len(), 1500);
        assert!(unknown_at_once.len() > 400, "{}", unknown_at_once.len());
        for (row, id_email) in &unknown_at_once {
            // each unknown buyer with its own row's email (row i's is g{i % 30})
            assert!(
                id_email.ends_with(&format!(" g{}@x.io", row % 30)),
                "{row}: {id_email}"
            );
        }
        assert!(
            unknown_at_once.iter().any(|u| u.1.starts_with("0 ")),
            "a dense key unknown"
        );
        for before in [1, 255, 256, 700, 1500] {
            let (later, _, unknown) = read(&path, before);
            assert!(later.deferred.is_empty() && later.ready());
            assert_eq!(unknown, unknown_at_once, "known after {before} rows");
            for i in 0..1500 {
                assert_eq!(later.cols.get(i), at_once.cols.get(i), "order {i}");
            }
            assert_eq!(later.cols.contact, at_once.cols.contact);
        }
        // found customers carry their contact; unknown ones wait for the folding thread
        let found = (0..1500)
            .filter(|&i| at_once.cols.contact[i] != u32::MAX)
            .count();
        assert_eq!(found + unknown_at_once.len(), 1500);
        let first = known().customer("1").unwrap();
        assert_eq!(
            (at_once.cols.get(0).unwrap().buyer, at_once.cols.contact[0]),
            (crate::customer::Buyer::Customer(first.0), first.1)
        );
    }
}
