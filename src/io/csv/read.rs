//! Reading a shop directory into a [`Dataset`].

use std::collections::HashMap;
use std::io;
use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};

use super::CsvError;
use super::id_index::IdIndex;
use super::reader::{Reader, Rows};
use crate::customer::{
    Buyer, Cart, CartId, Civility, Currency, Customer, Dataset, FxRate, Login, Money, OptIn, Order,
    OrderId, OrderIdx,
};

/// Reads a shop directory (see the [module docs](super)). Returns the dataset and the rates
/// of `rates.csv` (empty if absent). Only `orders.csv` is required.
///
/// ```no_run
/// let (ds, rates) = relance::io::csv::read_dir("shop".as_ref())?;
/// # Ok::<(), relance::io::csv::CsvError>(())
/// ```
pub fn read_dir(dir: &Path) -> Result<(Dataset, Vec<FxRate>), CsvError> {
    let open = |name: &str| Reader::open(dir.join(name));
    let Some(orders) = open("orders.csv")? else {
        return Err(CsvError::Io(
            dir.join("orders.csv"),
            io::Error::new(io::ErrorKind::NotFound, "orders.csv is required"),
        ));
    };
    read_tables(ShopTables {
        customers: open("customers.csv")?,
        orders,
        deliveries: open("deliveries.csv")?,
        carts: open("carts.csv")?,
        logins: open("logins.csv")?,
        rates: open("rates.csv")?,
    })
}

/// The tables of a shop, each a source of rows (CSV files, Arrow batches, or either).
pub(crate) struct ShopTables<R> {
    pub(crate) customers: Option<R>,
    pub(crate) orders: R,
    pub(crate) deliveries: Option<R>,
    pub(crate) carts: Option<R>,
    pub(crate) logins: Option<R>,
    pub(crate) rates: Option<R>,
}

/// Reads a shop's tables in the order that makes ids resolve (customers, orders,
/// deliveries, carts, logins), whatever their source.
pub(crate) fn read_tables<R: Rows + Send>(
    tables: ShopTables<R>,
) -> Result<(Dataset, Vec<FxRate>), CsvError> {
    let mut shop = Shop {
        ds: Dataset::new(),
        by_id: IdIndex::default(),
    };
    if let Some(r) = tables.customers {
        shop.customers(r)?;
    }
    shop.orders(tables.orders)?;
    if let Some(r) = tables.deliveries {
        shop.deliveries(r)?;
    }
    if let Some(r) = tables.carts {
        shop.carts(r)?;
    }
    if let Some(r) = tables.logins {
        shop.logins(r)?;
    }
    let rates = match tables.rates {
        Some(r) => rates(r)?,
        None => Vec::new(),
    };
    Ok((shop.ds, rates))
}

/// Whether a `parent_order_id` says the row is not a child order: empty, or `0` (as
/// CS-Cart writes it for an order that was not split).
pub(super) fn no_parent(parent_order_id: &str) -> bool {
    matches!(parent_order_id, "" | "0")
}

pub(super) fn parse_optin(s: &str) -> OptIn {
    match s.trim().to_ascii_lowercase().as_str() {
        "yes" | "1" | "true" | "y" => OptIn::Yes,
        "no" | "0" | "false" | "n" => OptIn::No,
        _ => OptIn::Unknown,
    }
}

/// The dataset being read and its customer rows by shop id.
struct Shop {
    ds: Dataset,
    by_id: IdIndex,
}

impl Shop {
    /// `customers.csv`.
    fn customers(&mut self, mut r: impl Rows) -> Result<(), CsvError> {
        let c = |n: &str| r.col(n);
        let cols = [
            c("customer_id"),
            c("email"),
            c("first_name"),
            c("last_name"),
            c("civility"),
            c("birth_date"),
            c("phone"),
            c("postcode"),
            c("signed_up_at"),
            c("updated_at"),
            c("newsletter_optin"),
            c("group_ids"),
            c("shop_id"),
            c("last_login_at"),
            c("is_guest"),
            c("newsletter_optin_at"),
        ];
        while r.next()? {
            let s = |i: usize| r.opt(cols[i]).map(str::to_owned);
            let birth = match r.opt(cols[5]) {
                None => None,
                Some(b) => Some(
                    NaiveDate::parse_from_str(b, "%Y-%m-%d")
                        .map_err(|_| r.err(format!("bad birth_date {b:?}")))?,
                ),
            };
            let customer = Customer {
                id: r.field(cols[0]).to_owned(),
                email: r.field(cols[1]).to_owned(),
                first_name: s(2),
                last_name: s(3),
                civility: r.opt(cols[4]).and_then(Civility::parse),
                birth_date: birth,
                phone: s(6),
                postcode: s(7),
                signed_up_at: r.instant(cols[8])?,
                updated_at: r.instant(cols[9])?,
                newsletter_optin: parse_optin(r.field(cols[10])),
                group_ids: r
                    .field(cols[11])
                    .split(',')
                    .map(str::trim)
                    .filter(|g| !g.is_empty())
                    .map(str::to_owned)
                    .collect(),
                shop_id: s(12),
                last_login_at: r.instant(cols[13])?,
                is_guest: parse_optin(r.field(cols[14])) == OptIn::Yes,
                newsletter_optin_at: r.instant(cols[15])?,
            };
            let idx = self.ds.add_customer(customer);
            self.by_id.insert(&self.ds, idx);
        }
        Ok(())
    }

    /// The buyer of a row: the customer row of `id` (created bare when unknown), or the guest
    /// of `email` when `id` is empty; `None` without either.
    fn buyer(&mut self, id: &str, email: &str) -> Option<Buyer> {
        if id.is_empty() {
            return self.ds.guest(email).map(Buyer::Guest);
        }
        if let Some(c) = self.by_id.get(&self.ds, id) {
            return Some(Buyer::Customer(c));
        }
        let c = self.ds.add_customer(Customer {
            id: id.to_owned(),
            email: email.to_owned(),
            ..Customer::default()
        });
        self.by_id.insert(&self.ds, c);
        Some(Buyer::Customer(c))
    }

    /// `orders.csv`: parsed on a second thread (fields split, ids, instants and amounts
    /// read) while this one resolves the buyers and adds the orders, in file order, so the
    /// result and the first error are those of a sequential read.
    fn orders(&mut self, r: impl Rows + Send) -> Result<(), CsvError> {
        std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::sync_channel(4);
            scope.spawn(move || parse_orders(r, &tx));
            for batch in rx {
                let batch: OrderBatch = batch?;
                for row in &batch.rows {
                    let text = |span: &std::ops::Range<usize>| &batch.text[span.clone()];
                    let Some(b) = self.buyer(text(&row.customer), text(&row.email)) else {
                        continue; // guest order without email: no contact
                    };
                    let status = self.ds.status(text(&row.status));
                    let mut o = Order::new(OrderId(row.id), b, row.placed, status, row.amount);
                    o.refunded_minor = row.refunded;
                    o.cart = row.cart;
                    o.delivered_at = row.delivered;
                    self.ds.add_order(o);
                }
            }
            Ok(())
        })
    }

    /// `deliveries.csv`: folded into the orders' `delivered_at`. When every order's id is
    /// its position (ids numbered from 0 in file order, as many shops export them) an order
    /// is found without a lookup table.
    fn deliveries(&mut self, mut r: impl Rows) -> Result<(), CsvError> {
        let (co, cd) = (r.col("order_id"), r.col("delivered_at"));
        let orders = self.ds.orders();
        let positional = orders
            .iter()
            .enumerate()
            .all(|(i, o)| u64::try_from(i).is_ok_and(|i| i == o.id.0));
        let index: HashMap<u64, usize> = if positional {
            HashMap::new()
        } else {
            orders
                .iter()
                .enumerate()
                .map(|(i, o)| (o.id.0, i))
                .collect()
        };
        let count = orders.len();
        while r.next()? {
            let id = r.id(co, "order_id")?;
            let Some(at) = r.instant(cd)? else { continue };
            let found = if positional {
                usize::try_from(id).ok().filter(|&i| i < count)
            } else {
                index.get(&id).copied()
            };
            if let Some(i) = found {
                self.ds
                    .set_delivered_at(OrderIdx(u32::try_from(i).unwrap_or(u32::MAX)), at);
            }
        }
        Ok(())
    }

    /// `carts.csv`.
    fn carts(&mut self, mut r: impl Rows) -> Result<(), CsvError> {
        let cols = [
            r.col("cart_id"),
            r.col("customer_id"),
            r.col("email"),
            r.col("created_at"),
            r.col("updated_at"),
            r.col("item_count"),
            r.col("total"),
            r.col("currency"),
            r.col("converted_order_id"),
        ];
        while r.next()? {
            let id: u64 = r
                .field(cols[0])
                .parse()
                .map_err(|_| r.err("bad cart_id".into()))?;
            let Some(owner) = self.buyer(r.field(cols[1]), r.field(cols[2])) else {
                continue;
            };
            let created = r.instant(cols[3])?;
            let updated = r.instant(cols[4])?;
            let (Some(created), updated) = (created.or(updated), updated.or(created)) else {
                return Err(r.err("cart without created_at/updated_at".into()));
            };
            let items: u32 = r
                .opt(cols[5])
                .map_or(Ok(0), str::parse)
                .map_err(|_| r.err("bad item_count".into()))?;
            let total = match (r.opt(cols[6]), r.opt(cols[7]).and_then(Currency::from_code)) {
                (Some(t), Some(c)) => Money::parse_decimal(t, c),
                _ => None,
            };
            let converted = match r.opt(cols[8]) {
                None => None,
                Some(s) => {
                    Some(OrderId(s.parse().map_err(|_| {
                        r.err(format!("bad converted_order_id {s:?}"))
                    })?))
                }
            };
            self.ds.add_cart(Cart {
                id: CartId(id),
                owner,
                created_at: created,
                updated_at: updated.unwrap_or(created),
                item_count: items,
                total,
                converted_order: converted,
            });
        }
        Ok(())
    }

    /// `logins.csv` (rows of unknown customers are skipped).
    fn logins(&mut self, mut r: impl Rows) -> Result<(), CsvError> {
        let (cc, ca) = (r.col("customer_id"), r.col("at"));
        while r.next()? {
            let Some(at) = r.instant(ca)? else { continue };
            if let Some(c) = self.by_id.get(&self.ds, r.field(cc)) {
                self.ds.add_login(Login { customer: c, at });
            }
        }
        Ok(())
    }
}

/// Rows of `orders.csv` parsed ahead of the dataset, with their text in one buffer.
struct OrderBatch {
    text: String,
    rows: Vec<ParsedOrder>,
}

/// An order row, parsed: its text fields as spans of its batch's text.
struct ParsedOrder {
    id: u64,
    customer: std::ops::Range<usize>,
    email: std::ops::Range<usize>,
    status: std::ops::Range<usize>,
    placed: DateTime<Utc>,
    amount: Money,
    refunded: i64,
    cart: Option<CartId>,
    delivered: Option<DateTime<Utc>>,
}

/// Rows per batch handed from the parsing thread.
const ORDER_BATCH: usize = 8192;

fn new_batch() -> OrderBatch {
    OrderBatch {
        text: String::with_capacity(ORDER_BATCH * 40),
        rows: Vec::with_capacity(ORDER_BATCH),
    }
}

/// Parses the rows of `orders.csv` into batches sent to `tx`, then its first error, if any.
/// Stops when the receiver is gone.
fn parse_orders(mut r: impl Rows, tx: &std::sync::mpsc::SyncSender<Result<OrderBatch, CsvError>>) {
    let cols = OrderColumns {
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
    };
    let mut currencies: Vec<(String, Currency)> = Vec::new();
    let mut batch = new_batch();
    loop {
        match parse_order(&mut r, &cols, &mut currencies, &mut batch) {
            Ok(true) if batch.rows.len() < ORDER_BATCH => {}
            Ok(true) => {
                if tx
                    .send(Ok(std::mem::replace(&mut batch, new_batch())))
                    .is_err()
                {
                    return;
                }
            }
            Ok(false) => {
                if !batch.rows.is_empty() {
                    let _ = tx.send(Ok(batch));
                }
                return;
            }
            Err(e) => {
                if !batch.rows.is_empty() && tx.send(Ok(batch)).is_err() {
                    return;
                }
                let _ = tx.send(Err(e));
                return;
            }
        }
    }
}

/// The columns of `orders.csv`.
struct OrderColumns {
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

/// Reads the next order row into `batch` (skipping what the dataset would skip: a seller's
/// child order, a guest order without email); `false` at the end.
fn parse_order(
    r: &mut impl Rows,
    c: &OrderColumns,
    currencies: &mut Vec<(String, Currency)>,
    batch: &mut OrderBatch,
) -> Result<bool, CsvError> {
    loop {
        if !r.next()? {
            return Ok(false);
        }
        if !no_parent(r.field(c.parent)) {
            continue; // a seller's child order: the buyer's order is its parent's row
        }
        let id = r.id(c.id, "order_id")?;
        let (customer, email) = (r.field(c.customer), r.field(c.email));
        if customer.is_empty() && email.trim().is_empty() {
            continue; // guest order without email: no contact
        }
        let placed = r
            .instant(c.placed)?
            .ok_or_else(|| r.err("missing placed_at".into()))?;
        let (amount, refunded) = r.money((c.amount, c.refunded, c.currency), currencies)?;
        let cart = match r.opt(c.cart) {
            None => None,
            Some(s) => Some(CartId(
                s.parse().map_err(|_| r.err(format!("bad cart_id {s:?}")))?,
            )),
        };
        let delivered = r.instant(c.delivered)?;
        let mut span = |s: &str| {
            let start = batch.text.len();
            batch.text.push_str(s);
            start..batch.text.len()
        };
        let row = ParsedOrder {
            id,
            customer: span(r.field(c.customer)),
            email: span(r.field(c.email)),
            status: span(r.field(c.status)),
            placed,
            amount,
            refunded,
            cart,
            delivered,
        };
        batch.rows.push(row);
        return Ok(true);
    }
}

/// `rates.csv`.
fn rates(mut r: impl Rows) -> Result<Vec<FxRate>, CsvError> {
    let (cc, cr) = (r.col("currency"), r.col("rate"));
    let mut rates = Vec::new();
    while r.next()? {
        let from = Currency::from_code(r.field(cc))
            .ok_or_else(|| r.err(format!("bad currency {:?}", r.field(cc))))?;
        let rate: f64 = r
            .field(cr)
            .parse()
            .map_err(|_| r.err(format!("bad rate {:?}", r.field(cr))))?;
        rates.push(FxRate { from, rate });
    }
    Ok(rates)
}
