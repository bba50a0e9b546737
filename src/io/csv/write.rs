//! Writing a [`Dataset`] as a shop directory, whole or row by row, in one directory or split
//! into partitions by contact.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::partition::partition_path;
use super::writer::{Row, create};
use crate::customer::partition::partition_of_key;
use crate::customer::{
    Buyer, Cart, Civility, ContactIdx, CustomerView, Dataset, FxRate, Login, Money, OptIn, Order,
    normalize_email,
};

/// Writes a dataset as a shop directory (all six files; `deliveries.csv` from the orders'
/// `delivered_at`, which `orders.csv` then leaves out). Guest rows use the normalised email.
///
/// ```no_run
/// use relance::io::{csv, synth};
/// let shop = synth::generate(&synth::SynthConfig::new(100, 10, 1));
/// csv::write_dir(&shop.dataset, &shop.rates, "out".as_ref())?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn write_dir(ds: &Dataset, rates: &[FxRate], dir: &Path) -> io::Result<()> {
    let mut w = ShopWriter::create(dir, None, rates)?;
    for c in (0..ds.customer_count()).filter_map(|c| ds.customers.get(c)) {
        w.customer(c)?;
    }
    for o in ds.orders() {
        w.order(ds, &o)?;
    }
    for c in ds.carts() {
        w.cart(ds, c)?;
    }
    for l in ds.logins() {
        w.login(ds, l)?;
    }
    w.finish()
}

/// The files of one shop directory being written.
struct Files {
    customers: BufWriter<File>,
    orders: BufWriter<File>,
    deliveries: BufWriter<File>,
    carts: BufWriter<File>,
    logins: BufWriter<File>,
}

impl Files {
    /// Creates the files (headers first) and `rates.csv` when there are rates.
    fn create(dir: &Path, rates: &[FxRate], row: &mut Row) -> io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let with_header = |name: &str, header: &[u8]| -> io::Result<BufWriter<File>> {
            let mut w = create(dir, name)?;
            w.write_all(header)?;
            Ok(w)
        };
        if !rates.is_empty() {
            let mut w = with_header("rates.csv", b"currency,rate\n")?;
            for r in rates {
                row.str(r.from.code()).num(Some(r.rate)).end(&mut w)?;
            }
            w.flush()?;
        }
        Ok(Self {
            customers: with_header(
                "customers.csv",
                b"customer_id,email,first_name,last_name,civility,birth_date,phone,postcode,signed_up_at,updated_at,newsletter_optin,group_ids,shop_id,newsletter_optin_at,last_login_at,is_guest\n",
            )?,
            orders: with_header(
                "orders.csv",
                b"order_id,customer_id,email,placed_at,status,amount,currency,refunded_amount\n",
            )?,
            deliveries: with_header("deliveries.csv", b"order_id,delivered_at\n")?,
            carts: with_header(
                "carts.csv",
                b"cart_id,customer_id,email,created_at,updated_at,item_count,total,currency,converted_order_id\n",
            )?,
            logins: with_header("logins.csv", b"customer_id,at\n")?,
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        self.customers.flush()?;
        self.orders.flush()?;
        self.deliveries.flush()?;
        self.carts.flush()?;
        self.logins.flush()
    }
}

/// A shop directory written row by row, as the rows are made (the generator streams a shop
/// larger than memory through it), in one directory or split into the partitions of
/// [`partition_dir`](super::partition_dir) (the same rows in the same files, in the same
/// order): customer rows by their email, orders, carts and logins by their buyer,
/// deliveries by their order. The dataset passed with a row resolves its buyer; it needs
/// to hold the customers and guests, not the orders.
pub(crate) struct ShopWriter {
    parts: Vec<Files>,
    /// The partition of each customer row written so far.
    customer_part: Vec<u32>,
    /// Orders written to each partition.
    orders: Vec<u64>,
    row: Row,
}

impl ShopWriter {
    /// Creates the shop directory `dir`, or with `Some(n)` its `n` partition directories
    /// `dir/part-NNNNN` (each with the rates).
    pub(crate) fn create(
        dir: &Path,
        partitions: Option<u32>,
        rates: &[FxRate],
    ) -> io::Result<Self> {
        let mut row = Row::new();
        let dirs: Vec<PathBuf> = match partitions {
            None => vec![dir.to_path_buf()],
            Some(n) => (0..n.max(1)).map(|i| partition_path(dir, i)).collect(),
        };
        let parts = dirs
            .iter()
            .map(|d| Files::create(d, rates, &mut row))
            .collect::<io::Result<Vec<_>>>()?;
        Ok(Self {
            orders: vec![0; parts.len()],
            parts,
            customer_part: Vec::new(),
            row,
        })
    }

    fn part_of_email(&self, email: &str) -> u32 {
        let n = u32::try_from(self.parts.len()).unwrap_or(u32::MAX);
        partition_of_key(&normalize_email(email), n)
    }

    /// The partition and the `customer_id` and `email` columns of a buyer.
    fn who<'a>(&self, ds: &'a Dataset, b: Buyer) -> (u32, &'a str, &'a str) {
        match b {
            Buyer::Customer(c) => {
                let p = self.customer_part.get(c.0 as usize).copied().unwrap_or(0);
                let c = ds.customer(c);
                (p, c.map_or("", |c| c.id()), c.map_or("", |c| c.email()))
            }
            Buyer::Guest(g) => {
                let email = ds.contact_email(ContactIdx(g.0));
                (self.part_of_email(email), "", email)
            }
        }
    }

    /// Writes the next customer row (customer rows must come in the dataset's order).
    pub(crate) fn customer(&mut self, c: CustomerView<'_>) -> io::Result<()> {
        let p = self.part_of_email(c.email());
        self.customer_part.push(p);
        self.row
            .str(c.id())
            .str(c.email())
            .opt(c.first_name())
            .opt(c.last_name())
            .opt(c.civility().map(Civility::as_str))
            .num(c.birth_date())
            .opt(c.phone())
            .opt(c.postcode())
            .at(c.signed_up_at())
            .at(c.updated_at())
            .str(match c.newsletter_optin() {
                OptIn::Yes => "yes",
                OptIn::No => "no",
                OptIn::Unknown => "",
            })
            .str(&c.group_ids().collect::<Vec<_>>().join(","))
            .opt(c.shop_id())
            .at(c.newsletter_optin_at())
            .at(c.last_login_at())
            .str(if c.is_guest() { "yes" } else { "" })
            .end(&mut self.parts[p as usize].customers)
    }

    /// Writes an order (and its delivery).
    pub(crate) fn order(&mut self, ds: &Dataset, o: &Order) -> io::Result<()> {
        let (p, id, email) = self.who(ds, o.buyer);
        self.orders[p as usize] += 1;
        let files = &mut self.parts[p as usize];
        self.row
            .num(Some(o.id.0))
            .str(id)
            .str(email)
            .at(Some(o.placed_at))
            .str(ds.status_name(o.status))
            .money(Some(o.amount))
            .str(o.amount.currency.code())
            .money(
                (o.refunded_minor != 0).then_some(Money::new(o.refunded_minor, o.amount.currency)),
            )
            .end(&mut files.orders)?;
        if let Some(d) = o.delivered_at {
            self.row
                .num(Some(o.id.0))
                .at(Some(d))
                .end(&mut files.deliveries)?;
        }
        Ok(())
    }

    /// Writes a cart.
    pub(crate) fn cart(&mut self, ds: &Dataset, c: &Cart) -> io::Result<()> {
        let (p, id, email) = self.who(ds, c.owner);
        self.row
            .num(Some(c.id.0))
            .str(id)
            .str(email)
            .at(Some(c.created_at))
            .at(Some(c.updated_at))
            .num(Some(c.item_count))
            .money(c.total)
            .opt(c.total.as_ref().map(|t| t.currency.code()))
            .num(c.converted_order.map(|o| o.0))
            .end(&mut self.parts[p as usize].carts)
    }

    /// Writes a login.
    pub(crate) fn login(&mut self, ds: &Dataset, l: &Login) -> io::Result<()> {
        let (p, id, _) = self.who(ds, Buyer::Customer(l.customer));
        self.row
            .str(id)
            .at(Some(l.at))
            .end(&mut self.parts[p as usize].logins)
    }

    /// The number of orders written to each partition.
    pub(crate) fn orders_per_part(&self) -> &[u64] {
        &self.orders
    }

    /// Flushes every file.
    pub(crate) fn finish(mut self) -> io::Result<()> {
        self.parts.iter_mut().try_for_each(Files::flush)
    }
}
