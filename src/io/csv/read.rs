//! Reading a shop directory into a [`Dataset`].

use std::collections::HashMap;
use std::io;
use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};

use super::CsvError;
use super::id_index::IdIndex;
use super::pipeline::{Batch, pipelined};
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
    /// `customers.csv`, parsed on a second thread.
    fn customers(&mut self, r: impl Rows + Send) -> Result<(), CsvError> {
        let cols = CUSTOMER_COLUMNS.map(|n| r.col(n));
        pipelined(
            r,
            move |r, batch: &mut Batch<Customer>| {
                if !r.next()? {
                    return Ok(false);
                }
                batch.rows.push(parse_customer(r, &cols)?);
                Ok(true)
            },
            |batch| {
                for customer in batch.rows {
                    let idx = self.ds.add_customer(customer);
                    self.by_id.insert(&self.ds, idx);
                }
                Ok(())
            },
        )
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

    /// `orders.csv`, parsed on a second thread.
    fn orders(&mut self, r: impl Rows + Send) -> Result<(), CsvError> {
        let cols = OrderColumns::of(&r);
        let mut currencies: Vec<(String, Currency)> = Vec::new();
        pipelined(
            r,
            move |r, batch| parse_order(r, &cols, &mut currencies, batch),
            |Batch { text, rows }| {
                for row in rows {
                    let (customer, email) = (text.get(&row.customer), text.get(&row.email));
                    let Some(b) = self.buyer(customer, email) else {
                        continue; // guest order without email: no contact
                    };
                    let status = self.ds.status(text.get(&row.status));
                    let mut o = Order::new(OrderId(row.id), b, row.placed, status, row.amount);
                    o.refunded_minor = row.refunded;
                    o.cart = row.cart;
                    o.delivered_at = row.delivered;
                    self.ds.add_order(o);
                }
                Ok(())
            },
        )
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

    /// `carts.csv`, parsed on a second thread.
    fn carts(&mut self, r: impl Rows + Send) -> Result<(), CsvError> {
        let cols = CART_COLUMNS.map(|n| r.col(n));
        pipelined(
            r,
            move |r, batch| parse_cart(r, &cols, batch),
            |Batch { text, rows }| {
                for (customer, email, cart) in rows {
                    if let Some(owner) = self.buyer(text.get(&customer), text.get(&email)) {
                        self.ds.add_cart(Cart { owner, ..cart });
                    }
                }
                Ok(())
            },
        )
    }

    /// `logins.csv` (rows of unknown customers are skipped), parsed on a second thread.
    fn logins(&mut self, r: impl Rows + Send) -> Result<(), CsvError> {
        let (cc, ca) = (r.col("customer_id"), r.col("at"));
        pipelined(
            r,
            move |r, batch| loop {
                if !r.next()? {
                    return Ok(false);
                }
                let Some(at) = r.instant(ca)? else { continue };
                let customer = batch.keep(r.field(cc));
                batch.rows.push((customer, at));
                return Ok(true);
            },
            |Batch { text, rows }| {
                for (customer, at) in rows {
                    if let Some(c) = self.by_id.get(&self.ds, text.get(&customer)) {
                        self.ds.add_login(Login { customer: c, at });
                    }
                }
                Ok(())
            },
        )
    }
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

/// The columns of `customers.csv`, in the order [`parse_customer`] reads them.
const CUSTOMER_COLUMNS: [&str; 16] = [
    "customer_id",
    "email",
    "first_name",
    "last_name",
    "civility",
    "birth_date",
    "phone",
    "postcode",
    "signed_up_at",
    "updated_at",
    "newsletter_optin",
    "group_ids",
    "shop_id",
    "last_login_at",
    "is_guest",
    "newsletter_optin_at",
];

/// A customer row.
fn parse_customer(r: &impl Rows, cols: &[usize; 16]) -> Result<Customer, CsvError> {
    let s = |i: usize| r.opt(cols[i]).map(str::to_owned);
    let birth = match r.opt(cols[5]) {
        None => None,
        Some(b) => Some(
            NaiveDate::parse_from_str(b, "%Y-%m-%d")
                .map_err(|_| r.err(format!("bad birth_date {b:?}")))?,
        ),
    };
    Ok(Customer {
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
    })
}

/// The columns of `carts.csv`, in the order [`parse_cart`] reads them.
const CART_COLUMNS: [&str; 9] = [
    "cart_id",
    "customer_id",
    "email",
    "created_at",
    "updated_at",
    "item_count",
    "total",
    "currency",
    "converted_order_id",
];

/// A cart row parsed: its buyer's id and email, and the cart (its owner set when added).
type ParsedCart = (std::ops::Range<usize>, std::ops::Range<usize>, Cart);

/// Reads the next cart row into `batch` (skipping a guest cart without email); `false` at
/// the end.
fn parse_cart(
    r: &mut impl Rows,
    cols: &[usize; 9],
    batch: &mut Batch<ParsedCart>,
) -> Result<bool, CsvError> {
    loop {
        if !r.next()? {
            return Ok(false);
        }
        let id: u64 = r
            .field(cols[0])
            .parse()
            .map_err(|_| r.err("bad cart_id".into()))?;
        let (customer, email) = (r.field(cols[1]), r.field(cols[2]));
        if customer.is_empty() && email.trim().is_empty() {
            continue; // no buyer: no contact
        }
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
        let cart = Cart {
            id: CartId(id),
            owner: Buyer::Customer(crate::customer::CustomerIdx(0)),
            created_at: created,
            updated_at: updated.unwrap_or(created),
            item_count: items,
            total,
            converted_order: converted,
        };
        let (customer, email) = (batch.keep(customer), batch.keep(email));
        batch.rows.push((customer, email, cart));
        return Ok(true);
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

impl OrderColumns {
    fn of(r: &impl Rows) -> Self {
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
/// child order, a guest order without email); `false` at the end.
fn parse_order(
    r: &mut impl Rows,
    c: &OrderColumns,
    currencies: &mut Vec<(String, Currency)>,
    batch: &mut Batch<ParsedOrder>,
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
        let row = ParsedOrder {
            id,
            customer: batch.keep(r.field(c.customer)),
            email: batch.keep(r.field(c.email)),
            status: batch.keep(r.field(c.status)),
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
