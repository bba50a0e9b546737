//! Reading a shop directory into a [`Dataset`].

use std::collections::HashMap;
use std::io;
use std::ops::Range;
use std::path::Path;
use std::sync::OnceLock;
use std::thread::Scope;

use chrono::{DateTime, Utc};

use super::id_index::IdIndex;
use super::known::{Key, Known, Pending, customer_key, look_up_runs};
use super::order_rows::{OrderChunk, OrderColumns, parse_order};
use super::pipeline::{Batch, Parsed, Rowset, Text, fold, spawn_parser};
use super::reader::{Reader, Rows};
use super::split::{MIN_SPLIT, estimated_rows, part_count, workers};
use super::{CsvError, parse_date};
use crate::customer::Found;
use crate::customer::customers::{CivilityText, CustomerFields, CustomerStore};
use crate::customer::order_columns::OrderColumns as Orders;
use crate::customer::{
    Buyer, Cart, CartId, Currency, Customer, CustomerIdx, Dataset, FxRate, Login, Money, OptIn,
    OrderId,
};

/// Reads a shop directory (see the [module docs](super)). Returns the dataset and the rates
/// of `rates.csv` (empty if absent). Only `orders.csv` is required.
///
/// ```no_run
/// let (ds, rates) = relance::io::csv::read_dir("shop".as_ref())?;
/// # Ok::<(), relance::io::csv::CsvError>(())
/// ```
pub fn read_dir(dir: &Path) -> Result<(Dataset, Vec<FxRate>), CsvError> {
    let open = |name: &str| -> Result<Vec<Reader>, CsvError> {
        let path = dir.join(name);
        let parts = part_count(&path);
        Ok(Reader::open_parts(path, parts, MIN_SPLIT)?.unwrap_or_default())
    };
    let orders = open("orders.csv")?;
    if orders.is_empty() {
        return Err(CsvError::Io(
            dir.join("orders.csv"),
            io::Error::new(io::ErrorKind::NotFound, "orders.csv is required"),
        ));
    }
    read_tables(ShopTables {
        customer_rows: estimated_rows(&dir.join("customers.csv")),
        customers: open("customers.csv")?,
        orders,
        deliveries: open("deliveries.csv")?,
        carts: open("carts.csv")?,
        logins: open("logins.csv")?,
        rates: Reader::open(dir.join("rates.csv"))?,
    })
}

/// The tables of a shop, each a source of rows (CSV files, Arrow batches, or either) in
/// one or more parts (a file split by byte ranges); no part for an absent table.
pub(crate) struct ShopTables<R> {
    /// about how many customer rows there are (0: not known), reserved for at once
    pub(crate) customer_rows: usize,
    pub(crate) customers: Vec<R>,
    pub(crate) orders: Vec<R>,
    pub(crate) deliveries: Vec<R>,
    pub(crate) carts: Vec<R>,
    pub(crate) logins: Vec<R>,
    pub(crate) rates: Option<R>,
}

/// Reads a shop's tables, each parsed by workers of its own and all at once, folded into
/// the dataset in the order that makes ids resolve (customers, orders, deliveries, carts,
/// logins), whatever their source.
pub(crate) fn read_tables<R: Rows + Send>(
    tables: ShopTables<R>,
) -> Result<(Dataset, Vec<FxRate>), CsvError> {
    let known = OnceLock::new();
    let mut shop = Shop {
        ds: Dataset::new(),
        by_id: IdIndex::default(),
    };
    shop.ds.try_reserve_customers(tables.customer_rows);
    std::thread::scope(|scope| {
        // Whatever way this thread leaves, the parsers waiting for the customers go on.
        let _release = Release(&known);
        let present = |parts: Vec<R>| (!parts.is_empty()).then_some(parts);
        let customers = present(tables.customers).map(|r| parse_customers(scope, r));
        let orders = parse_orders(scope, tables.orders, &known);
        let deliveries = present(tables.deliveries).map(|r| parse_deliveries(scope, r));
        let carts = present(tables.carts).map(|r| parse_carts(scope, r, &known));
        let logins = present(tables.logins).map(|r| parse_logins(scope, r, &known));
        if let Some(parsed) = customers {
            shop.customers(parsed)?;
        }
        let _ = known.set(Known::new(
            std::mem::take(&mut shop.by_id),
            shop.ds.customer_contacts().to_vec(),
        ));
        shop.orders(orders)?;
        // The deliveries touch only the orders, the carts and logins everything but: the
        // deliveries are folded on a thread of their own meanwhile.
        let delivering = deliveries.map(|parsed| {
            let mut orders = shop.ds.take_orders();
            scope.spawn(move || {
                let folded = fold_deliveries(parsed, &mut orders);
                (orders, folded)
            })
        });
        let rest = shop.carts_and_logins(carts, logins);
        if let Some(thread) = delivering {
            let (orders, folded) = thread
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            shop.ds.put_orders(orders);
            folded?; // before the carts' error: the first of a sequential read
        }
        rest
    })?;
    let rates = match tables.rates {
        Some(r) => rates(r)?,
        None => Vec::new(),
    };
    Ok((shop.ds, rates))
}

/// Sets an empty [`Known`] when dropped before the customers were (an error, a panic), so
/// that no parsing thread waits for ever.
struct Release<'a>(&'a OnceLock<Known>);

impl Drop for Release<'_> {
    fn drop(&mut self) {
        let _ = self.0.set(Known::default());
    }
}

/// Whether a `parent_order_id` says the row is not a child order: empty, or `0` (as
/// CS-Cart writes it for an order that was not split).
pub(super) fn no_parent(parent_order_id: &str) -> bool {
    matches!(parent_order_id, "" | "0")
}

pub(super) fn parse_optin(s: &str) -> OptIn {
    let s = super::reader::trim(s);
    let any = |words: [&str; 4]| words.iter().any(|w| s.eq_ignore_ascii_case(w));
    if any(["yes", "1", "true", "y"]) {
        OptIn::Yes
    } else if any(["no", "0", "false", "n"]) {
        OptIn::No
    } else {
        OptIn::Unknown
    }
}

/// The dataset being read; its customer rows by shop id while `customers.csv` is folded,
/// then (moved to [`Known`]) the customers created bare after it.
struct Shop {
    ds: Dataset,
    by_id: IdIndex,
}

/// `customers.csv`'s rows, parsed on threads of `scope`.
fn parse_customers<'s, R: Rows + Send + 's>(
    scope: &'s Scope<'s, '_>,
    parts: Vec<R>,
) -> Parsed<CustomerStore> {
    let cols = CUSTOMER_COLUMNS.map(|n| parts[0].col(n));
    spawn_parser(scope, parts, workers(), || {
        move |r: &mut R, batch: &mut Batch<CustomerStore>| {
            if !r.next()? {
                return Ok(false);
            }
            parse_customer(r, &cols, &mut batch.rows)?;
            Ok(true)
        }
    })
}

/// Customer rows are parsed straight into the dataset's compact form: no allocation per
/// field, and the batch's text moved to the dataset in one copy.
impl Rowset for CustomerStore {
    const ROW_BYTES: usize = CustomerStore::ROW_BYTES;
    fn with_capacity(n: usize) -> Self {
        CustomerStore::with_capacity(n)
    }
    fn len(&self) -> usize {
        self.len()
    }
    fn clear(&mut self) {
        self.clear();
    }
}

/// `orders.csv`'s rows, parsed on threads of `scope`.
fn parse_orders<'s, R: Rows + Send + 's>(
    scope: &'s Scope<'s, '_>,
    parts: Vec<R>,
    known: &'s OnceLock<Known>,
) -> Parsed<OrderChunk> {
    let cols = OrderColumns::of(&parts[0]);
    spawn_parser(scope, parts, workers(), || {
        let mut currencies: Vec<(String, Currency)> = Vec::new();
        // every part starts at once, the customers of the rows read before the customers
        // were looked up when they come (the batch kept back till then)
        move |r: &mut R, batch: &mut Batch<OrderChunk>| {
            parse_order(r, &cols, &mut currencies, known, batch)
        }
    })
}

/// `deliveries.csv`'s rows (order id, instant; rows without instant skipped), parsed on
/// threads of `scope`.
fn parse_deliveries<'s, R: Rows + Send + 's>(
    scope: &'s Scope<'s, '_>,
    parts: Vec<R>,
) -> Parsed<Vec<(u64, DateTime<Utc>)>> {
    let (co, cd) = (parts[0].col("order_id"), parts[0].col("delivered_at"));
    spawn_parser(scope, parts, workers(), || {
        move |r: &mut R, batch: &mut Batch<Vec<(u64, DateTime<Utc>)>>| loop {
            if !r.next()? {
                return Ok(false);
            }
            let id = r.id(co, "order_id")?;
            let Some(at) = r.instant(cd)? else { continue };
            batch.rows.push((id, at));
            return Ok(true);
        }
    })
}

/// `carts.csv`'s rows, parsed on threads of `scope`.
fn parse_carts<'s, R: Rows + Send + 's>(
    scope: &'s Scope<'s, '_>,
    parts: Vec<R>,
    known: &'s OnceLock<Known>,
) -> Parsed<Vec<ParsedCart>> {
    let cols = CART_COLUMNS.map(|n| parts[0].col(n));
    spawn_parser(scope, parts, workers(), || {
        move |r: &mut R, batch: &mut Batch<Vec<ParsedCart>>| {
            parse_cart(r, &cols, known.wait(), batch)
        }
    })
}

/// `logins.csv`'s rows (customer id, instant; rows without instant skipped), parsed on
/// threads of `scope`.
fn parse_logins<'s, R: Rows + Send + 's>(
    scope: &'s Scope<'s, '_>,
    parts: Vec<R>,
    known: &'s OnceLock<Known>,
) -> Parsed<Vec<ParsedLogin>> {
    let (cc, ca) = (parts[0].col("customer_id"), parts[0].col("at"));
    spawn_parser(scope, parts, workers(), || {
        move |r: &mut R, batch: &mut Batch<Vec<ParsedLogin>>| {
            let known = known.wait();
            let mut next = || loop {
                if !r.next()? {
                    return Ok(false);
                }
                let Some(at) = r.instant(ca)? else { continue };
                let (customer, pending) = match customer_key(r, cc, known) {
                    Key::Dense(k) => (Err(0..0), k),
                    Key::Looked(Some(found)) => (Ok(found), u32::MAX),
                    Key::Empty | Key::Looked(None) => (Err(batch.keep(r.field(cc))), u32::MAX),
                };
                batch.rows.push(ParsedLogin {
                    customer,
                    at,
                    pending,
                });
                return Ok(true);
            };
            let more = next();
            look_up_runs(&more, batch, known);
            more
        }
    })
}

/// A login row: its customer row when known to the parser, else the id to look up.
struct ParsedLogin {
    /// the customer row and its contact
    customer: Result<(CustomerIdx, u32), Range<usize>>,
    at: DateTime<Utc>,
    /// A key waiting for [`look_up_runs`]; `u32::MAX` when none.
    pending: u32,
}

impl Pending for ParsedLogin {
    fn pending(&mut self) -> &mut u32 {
        &mut self.pending
    }
    fn found(&mut self, customer: CustomerIdx, contact: u32) {
        self.customer = Ok((customer, contact));
    }
    fn unknown(&mut self, id: Range<usize>) {
        self.customer = Err(id);
    }
}

impl Shop {
    /// The customers: their emails interned and ids indexed on this thread, in file order,
    /// while another appends their rows to the dataset's store (a copy into memory written
    /// for the first time), so that the order parsers waiting for the customers wait less.
    fn customers(&mut self, parsed: Parsed<CustomerStore>) -> Result<(), CsvError> {
        let Self { ds, by_id } = self;
        let mut store = ds.take_customer_rows();
        std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::channel::<CustomerStore>();
            let appender = scope.spawn(move || {
                for mut rows in rx {
                    store.append(&mut rows);
                }
                store
            });
            let folded = fold(parsed, |batch| {
                let room = CustomerStore::with_capacity(batch.rows.len());
                let rows = std::mem::replace(&mut batch.rows, room);
                let linked = ds.link_customers(&rows);
                for (i, c) in linked.enumerate() {
                    by_id.insert_id(rows.get(i).map_or("", |r| r.id()), CustomerIdx(c));
                }
                let _ = tx.send(rows);
                Ok(())
            });
            drop(tx);
            let store = appender
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            ds.put_customer_rows(store);
            folded
        })
    }

    /// The buyer of a row whose `id` the parser did not find among the [`Known`] customers:
    /// a customer created bare earlier (or now) with that id, or the guest of `email` when
    /// `id` is empty (`found`: the email's [`Dataset::look_up_all`]); `None` without either.
    fn buyer(&mut self, id: &str, email: &str, found: Found) -> Option<Buyer> {
        if id.is_empty() {
            return self.ds.guest_found(email, found).map(Buyer::Guest);
        }
        if let Some(c) = self.by_id.get(id) {
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

    fn orders(&mut self, parsed: Parsed<OrderChunk>) -> Result<(), CsvError> {
        fold(parsed, |Batch { text, rows }| {
            let OrderChunk {
                cols,
                unknown,
                custom,
                ..
            } = rows;
            for (row, name) in custom.drain(..) {
                cols.set_status(row, self.ds.status(text.get(&name)));
            }
            unknown.sort_unstable_by_key(|u| u.0); // created in file order
            let guests = unknown
                .iter()
                .map(|(_, id, email)| guest_email(text, id, email));
            let found = self.ds.look_up_all(guests);
            for ((row, customer, email), found) in unknown.drain(..).zip(found) {
                let Some(b) = self.buyer(text.get(&customer), text.get(&email), found) else {
                    unreachable!("the parser skips guest orders without email")
                };
                cols.set_buyer(row, b, self.ds.contact_of(b).0);
            }
            self.ds.append_orders(cols);
            Ok(())
        })
    }

    fn carts_and_logins(
        &mut self,
        carts: Option<Parsed<Vec<ParsedCart>>>,
        logins: Option<Parsed<Vec<ParsedLogin>>>,
    ) -> Result<(), CsvError> {
        if let Some(parsed) = carts {
            self.carts(parsed)?;
        }
        if let Some(parsed) = logins {
            self.logins(parsed)?;
        }
        Ok(())
    }

    fn carts(&mut self, parsed: Parsed<Vec<ParsedCart>>) -> Result<(), CsvError> {
        fold(parsed, |Batch { text, rows }| {
            let guests = rows.iter().map(|r| match &r.owner {
                Err((id, email)) => guest_email(text, id, email),
                Ok(_) => "",
            });
            let found = self.ds.look_up_all(guests);
            for (ParsedCart { owner, cart, .. }, found) in rows.drain(..).zip(found) {
                let owner = match owner {
                    Ok(owner) => Some(owner),
                    Err((customer, email)) => self
                        .buyer(text.get(&customer), text.get(&email), found)
                        .map(|b| (b, self.ds.contact_of(b).0)),
                };
                if let Some((owner, contact)) = owner {
                    self.ds.add_cart_of(Cart { owner, ..cart }, contact);
                }
            }
            Ok(())
        })
    }

    /// Logins (rows of unknown customers are skipped).
    fn logins(&mut self, parsed: Parsed<Vec<ParsedLogin>>) -> Result<(), CsvError> {
        fold(parsed, |Batch { text, rows }| {
            for ParsedLogin { customer, at, .. } in rows.drain(..) {
                let customer = match customer {
                    Ok(found) => Some(found),
                    Err(id) => self
                        .by_id
                        .get(text.get(&id))
                        .map(|c| (c, self.ds.contact_of(Buyer::Customer(c)).0)),
                };
                if let Some((customer, contact)) = customer {
                    self.ds.add_login_of(Login { customer, at }, contact);
                }
            }
            Ok(())
        })
    }
}

/// The email of a row a guest bought (no `customer_id`), else `""` (nothing to look up).
fn guest_email<'t>(text: &'t Text, id: &Range<usize>, email: &Range<usize>) -> &'t str {
    if text.get(id).is_empty() {
        text.get(email)
    } else {
        ""
    }
}

/// Deliveries, folded into the orders' `delivered_at`. When every order's id is its
/// position (ids numbered from 0 in file order, as many shops export them) an order is
/// found without a lookup table.
fn fold_deliveries(
    parsed: Parsed<Vec<(u64, DateTime<Utc>)>>,
    orders: &mut Orders,
) -> Result<(), CsvError> {
    let positional = orders
        .id
        .iter()
        .enumerate()
        .all(|(i, o)| u64::try_from(i).is_ok_and(|i| i == o.0));
    let index: HashMap<u64, usize> = if positional {
        HashMap::new()
    } else {
        orders
            .id
            .iter()
            .enumerate()
            .map(|(i, o)| (o.0, i))
            .collect()
    };
    let count = orders.len();
    fold(parsed, |batch| {
        for &(id, at) in &batch.rows {
            let found = if positional {
                usize::try_from(id).ok().filter(|&i| i < count)
            } else {
                index.get(&id).copied()
            };
            if let Some(i) = found {
                orders.deliver(i, at);
            }
        }
        Ok(())
    })
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

/// A customer row, added to `rows`.
fn parse_customer(
    r: &impl Rows,
    cols: &[usize; 16],
    rows: &mut CustomerStore,
) -> Result<(), CsvError> {
    let s = |i: usize| r.opt(cols[i]);
    let birth = match r.opt(cols[5]) {
        None => None,
        Some(b) => Some(parse_date(b).ok_or_else(|| r.err(format!("bad birth_date {b:?}")))?),
    };
    let fields = CustomerFields {
        id: r.field(cols[0]),
        email: r.field(cols[1]),
        first_name: s(2),
        last_name: s(3),
        civility: r.opt(cols[4]).and_then(CivilityText::parse),
        birth_date: birth,
        phone: s(6),
        postcode: s(7),
        signed_up_at: r.instant(cols[8])?,
        updated_at: r.instant(cols[9])?,
        newsletter_optin: parse_optin(r.field(cols[10])),
        shop_id: s(12),
        last_login_at: r.instant(cols[13])?,
        is_guest: parse_optin(r.field(cols[14])) == OptIn::Yes,
        newsletter_optin_at: r.instant(cols[15])?,
    };
    let groups = r
        .field(cols[11])
        .split(',')
        .map(str::trim)
        .filter(|g| !g.is_empty());
    rows.push(&fields, groups);
    Ok(())
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

/// A cart row parsed: its owner when the parser found the customer, else the buyer's id
/// and email to resolve; the cart (its owner set when added).
struct ParsedCart {
    /// the owner and its contact
    owner: Result<(Buyer, u32), (Range<usize>, Range<usize>)>,
    cart: Cart,
    /// A key waiting for [`look_up_runs`]; `u32::MAX` when none.
    pending: u32,
}

impl Pending for ParsedCart {
    fn pending(&mut self) -> &mut u32 {
        &mut self.pending
    }
    fn found(&mut self, customer: CustomerIdx, contact: u32) {
        self.owner = Ok((Buyer::Customer(customer), contact));
    }
    fn unknown(&mut self, id: Range<usize>) {
        if let Err((customer, _)) = &mut self.owner {
            *customer = id;
        }
    }
}

/// Reads the next cart row into `batch` (skipping a guest cart without email); `false` at
/// the end. Customers are looked up by runs of rows ([`look_up_runs`]).
fn parse_cart(
    r: &mut impl Rows,
    cols: &[usize; 9],
    known: &Known,
    batch: &mut Batch<Vec<ParsedCart>>,
) -> Result<bool, CsvError> {
    let mut next = || loop {
        if !r.next()? {
            return Ok(false);
        }
        let id: u64 = r
            .field(cols[0])
            .parse()
            .map_err(|_| r.err("bad cart_id".into()))?;
        let (key, email) = (customer_key(r, cols[1], known), r.field(cols[2]));
        if matches!(key, Key::Empty) && email.trim().is_empty() {
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
            owner: Buyer::Customer(CustomerIdx(0)),
            created_at: created,
            updated_at: updated.unwrap_or(created),
            item_count: items,
            total,
            converted_order: converted,
        };
        let (owner, pending) = match key {
            Key::Looked(Some((c, contact))) => (Ok((Buyer::Customer(c), contact)), u32::MAX),
            // looked up with the next rows; its email kept in case it is unknown
            Key::Dense(k) => (Err((0..0, batch.keep(email))), k),
            Key::Empty | Key::Looked(None) => (
                Err((batch.keep(r.field(cols[1])), batch.keep(email))),
                u32::MAX,
            ),
        };
        batch.rows.push(ParsedCart {
            owner,
            cart,
            pending,
        });
        return Ok(true);
    };
    let more = next();
    look_up_runs(&more, batch, known);
    more
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

#[cfg(test)]
mod tests {
    use super::parse_optin;
    use crate::customer::OptIn;

    #[test]
    fn opt_ins_are_read_in_any_case_and_spacing() {
        for yes in ["yes", "YES", " Yes ", "1", "true", "True", "y", "Y", "yEs"] {
            assert_eq!(parse_optin(yes), OptIn::Yes, "{yes:?}");
        }
        for no in ["no", "No", "\tNO", "0", "false", "FALSE", "n", "N "] {
            assert_eq!(parse_optin(no), OptIn::No, "{no:?}");
        }
        for unknown in ["", " ", "oui", "yess", "2", "t", "nope", "yes no"] {
            assert_eq!(parse_optin(unknown), OptIn::Unknown, "{unknown:?}");
        }
    }
}
