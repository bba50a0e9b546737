//! `orders.csv`'s rows parsed on a parsing thread: the order, its buyer when known, what
//! the folding thread resolves otherwise.

use std::ops::Range;

use super::CsvError;
use super::known::{Key, Known, Pending, customer_key, look_up_runs};
use super::pipeline::Batch;
use super::read::no_parent;
use super::reader::Rows;
use crate::customer::{Buyer, CartId, Currency, CustomerIdx, Order, OrderId, OrderStatus};

/// An order row, parsed: the order, with its buyer and contact when the parser found the
/// customer, else the buyer's id and email to resolve (spans of the batch's text); a status
/// that is not a standard one is left to intern.
pub(super) struct ParsedOrder {
    pub(super) order: Order,
    pub(super) contact: Option<u32>,
    pub(super) customer: Range<usize>,
    pub(super) email: Range<usize>,
    pub(super) custom_status: Option<Range<usize>>,
    /// A [`Key::Dense`] key not looked up yet ([`look_up_runs`]); `u32::MAX` when none.
    pending: u32,
}

impl Pending for ParsedOrder {
    fn pending(&mut self) -> &mut u32 {
        &mut self.pending
    }
    fn found(&mut self, customer: CustomerIdx, contact: u32) {
        self.order.buyer = Buyer::Customer(customer);
        self.contact = Some(contact);
    }
    fn unknown(&mut self, id: Range<usize>) {
        self.customer = id;
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
/// looked up by runs of rows ([`look_up_runs`]).
pub(super) fn parse_order(
    r: &mut impl Rows,
    c: &OrderColumns,
    currencies: &mut Vec<(String, Currency)>,
    known: &Known,
    batch: &mut Batch<ParsedOrder>,
) -> Result<bool, CsvError> {
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
            let (key, email) = (customer_key(r, c.customer, known), r.field(c.email));
            if matches!(key, Key::Empty) && email.trim().is_empty() {
                continue; // guest order without email: no contact
            }
            let placed = r
                .instant(c.placed)?
                .ok_or_else(|| r.err("missing placed_at".into()))?;
            let (amount, refunded) = r.money((c.amount, c.refunded, c.currency), currencies)?;
            let cart = match (r.uint(c.cart), r.opt(c.cart)) {
                (Some(n), _) => Some(CartId(n)),
                (None, None) => None,
                (None, Some(s)) => Some(CartId(
                    s.parse().map_err(|_| r.err(format!("bad cart_id {s:?}")))?,
                )),
            };
            let delivered = r.instant(c.delivered)?;
            let status_text = r.field(c.status);
            let (status, custom_status) = match OrderStatus::parse_standard(status_text) {
                Some(s) => (s, None),
                None => (OrderStatus::Paid, Some(batch.keep(status_text))),
            };
            let unknown = Buyer::Customer(CustomerIdx(0));
            let (buyer, contact, customer, email, pending) = match key {
                Key::Looked(Some((c, contact))) => {
                    (Buyer::Customer(c), Some(contact), 0..0, 0..0, u32::MAX)
                }
                // looked up with the next rows; its email kept in case it is unknown
                Key::Dense(k) => (unknown, None, 0..0, batch.keep(email), k),
                // resolved by the folding thread (`Shop::buyer`)
                Key::Empty | Key::Looked(None) => (
                    unknown,
                    None,
                    batch.keep(r.field(c.customer)),
                    batch.keep(email),
                    u32::MAX,
                ),
            };
            let mut order = Order::new(OrderId(id), buyer, placed, status, amount);
            order.refunded_minor = refunded;
            order.cart = cart;
            order.delivered_at = delivered;
            batch.rows.push(ParsedOrder {
                order,
                contact,
                customer,
                email,
                custom_status,
                pending,
            });
            return Ok(true);
        }
    };
    let more = next();
    look_up_runs(&more, batch, known);
    more
}
