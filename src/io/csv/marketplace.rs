//! A marketplace directory: the shop files of the buyers, plus `sellers.csv`, `products.csv`
//! and the marketplace columns of `orders.csv`.
//!
//! - `sellers.csv` (required): `seller_id,email,registered_at,status` (`status` as
//!   [`SellerStatus::parse`] reads it: active, pending, new, disabled or CS-Cart's A/P/N/D;
//!   empty = active).
//! - `products.csv`: `product_id,seller_id,created_at,active` (`active` yes/no, 1/0,
//!   true/false or CS-Cart's A (active) / D (disabled) / H (hidden); empty = active).
//! - `orders.csv`: the shop columns plus `parent_order_id,seller_id`. A row whose
//!   `parent_order_id` is empty (or `0`) is a buyer's order; with a `seller_id` it is also
//!   that seller's sale (an order of one seller, not split). A row with a `parent_order_id`
//!   is a seller's child order of that parent: a sale of its `seller_id`, not a second order
//!   of the buyer. `seller_id` empty (or `0`, the marketplace's own) is no seller's.
//!
//! A `seller_id` that `sellers.csv` does not list is an error naming the file and line.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::Path;

use super::read::{no_parent, parse_optin};
use super::reader::{Reader, Rows};
use super::writer::{Row, create};
use super::{CsvError, read_dir};
use crate::customer::seller::{Marketplace, Seller, SellerIdx, SellerStatus, SubOrder};
use crate::customer::{Buyer, ContactIdx, Currency, Dataset, FxRate, Money, OptIn, OrderId};

/// A marketplace read from a directory: the buyers' shop, its rates and the sellers' side.
#[derive(Debug)]
#[non_exhaustive]
pub struct MarketplaceDir {
    /// The buyers' shop (parent and unsplit orders).
    pub dataset: Dataset,
    /// The rates of `rates.csv`.
    pub rates: Vec<FxRate>,
    /// Sellers, products and sub-orders.
    pub market: Marketplace,
}

/// Reads a marketplace directory: the shop files [`read_dir`] reads, plus `sellers.csv`
/// (`seller_id,email,registered_at,status`, required), `products.csv`
/// (`product_id,seller_id,created_at,active`) and the `parent_order_id,seller_id` columns of
/// `orders.csv`. A row of `orders.csv` whose `parent_order_id` is empty or `0` is a buyer's
/// order (with a `seller_id`, also that seller's sale); a row with a `parent_order_id` is a
/// seller's child order, a sale of its `seller_id` only. `status` reads active, pending,
/// new, disabled or CS-Cart's A/P/N/D; `active` reads yes/no, 1/0, true/false or CS-Cart's
/// A/D/H (empty: active); a `seller_id` of `0` or empty is the marketplace's own.
///
/// ```no_run
/// let dir = relance::io::csv::read_marketplace_dir("market".as_ref())?;
/// println!("{} sellers", dir.market.sellers().len());
/// # Ok::<(), relance::io::csv::CsvError>(())
/// ```
///
/// # Errors
/// [`CsvError`] naming the file and line of a bad value or an unknown `seller_id`;
/// `sellers.csv` and `orders.csv` are required.
pub fn read_marketplace_dir(dir: &Path) -> Result<MarketplaceDir, CsvError> {
    let (mut dataset, rates) = read_dir(dir)?;
    let mut market = Marketplace::new();
    let Some(r) = Reader::open(dir.join("sellers.csv"))? else {
        return Err(CsvError::Io(
            dir.join("sellers.csv"),
            io::Error::new(io::ErrorKind::NotFound, "sellers.csv is required"),
        ));
    };
    sellers(r, &mut market)?;
    if let Some(r) = Reader::open(dir.join("products.csv"))? {
        products(r, &mut market)?;
    }
    if let Some(r) = Reader::open(dir.join("orders.csv"))? {
        sub_orders(r, &mut dataset, &mut market)?;
    }
    Ok(MarketplaceDir {
        dataset,
        rates,
        market,
    })
}

fn sellers(mut r: Reader, market: &mut Marketplace) -> Result<(), CsvError> {
    let cols = [
        r.col("seller_id"),
        r.col("email"),
        r.col("registered_at"),
        r.col("status"),
    ];
    while r.next()? {
        let id = r
            .opt(cols[0])
            .ok_or_else(|| r.err("missing seller_id".into()))?;
        let status = r
            .opt(cols[3])
            .map_or(SellerStatus::Active, SellerStatus::parse);
        let seller = Seller::new(id, r.field(cols[1]), r.instant(cols[2])?).status(status);
        market.add_seller(seller);
    }
    Ok(())
}

/// The seller of a row: `None` for no seller (empty or `0`), an error for an unknown one.
fn seller_of(r: &Reader, col: usize, market: &Marketplace) -> Result<Option<SellerIdx>, CsvError> {
    match r.field(col) {
        "" | "0" => Ok(None),
        id => market
            .seller(id)
            .map(Some)
            .ok_or_else(|| r.err(format!("unknown seller_id {id:?}"))),
    }
}

fn products(mut r: Reader, market: &mut Marketplace) -> Result<(), CsvError> {
    let cols = [
        r.col("product_id"),
        r.col("seller_id"),
        r.col("created_at"),
        r.col("active"),
    ];
    while r.next()? {
        let Some(seller) = seller_of(&r, cols[1], market)? else {
            continue; // the marketplace's own product
        };
        let created = r
            .instant(cols[2])?
            .ok_or_else(|| r.err("missing created_at".into()))?;
        let raw = r.field(cols[3]);
        let active = raw.is_empty()
            || raw.eq_ignore_ascii_case("a")
            || raw.eq_ignore_ascii_case("active")
            || parse_optin(raw) == OptIn::Yes;
        market.add_product(crate::customer::seller::Product::new(
            r.field(cols[0]),
            seller,
            created,
            active,
        ));
    }
    Ok(())
}

fn sub_orders(
    mut r: Reader,
    dataset: &mut Dataset,
    market: &mut Marketplace,
) -> Result<(), CsvError> {
    let cols = [
        r.col("order_id"),
        r.col("parent_order_id"),
        r.col("seller_id"),
        r.col("placed_at"),
        r.col("status"),
        r.col("amount"),
        r.col("currency"),
        r.col("refunded_amount"),
    ];
    let mut currencies: Vec<(String, Currency)> = Vec::new();
    while r.next()? {
        let Some(seller) = seller_of(&r, cols[2], market)? else {
            continue;
        };
        let parent = if no_parent(r.field(cols[1])) {
            r.id(cols[0], "order_id")?
        } else {
            r.id(cols[1], "parent_order_id")?
        };
        let placed = r
            .instant(cols[3])?
            .ok_or_else(|| r.err("missing placed_at".into()))?;
        let status = dataset.status(r.field(cols[4]));
        let (amount, refunded) = r.money((cols[5], cols[7], cols[6]), &mut currencies)?;
        market.add_sub_order(
            SubOrder::new(OrderId(parent), seller, placed, status, amount).refunded(refunded),
        );
    }
    Ok(())
}

/// Writes a marketplace as a directory [`read_marketplace_dir`] reads back: the shop files
/// of `dataset`, `orders.csv` with the marketplace columns (an order of one seller on one
/// row; an order of several sellers as its parent row and one child row per seller, with
/// new ids above the largest order id), `sellers.csv` and `products.csv`.
///
/// ```no_run
/// use relance::io::{csv, synth};
/// let m = synth::generate_marketplace(&synth::MarketplaceConfig::new(10, 100, 1000, 1));
/// csv::write_marketplace_dir(&m.shop.dataset, &m.shop.rates, &m.market, "market".as_ref())?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
/// The first I/O error.
pub fn write_marketplace_dir(
    dataset: &Dataset,
    rates: &[FxRate],
    market: &Marketplace,
    dir: &Path,
) -> io::Result<()> {
    super::write_dir(dataset, rates, dir)?;
    let mut row = Row::new();
    let mut w = create(dir, "sellers.csv")?;
    w.write_all(b"seller_id,email,registered_at,status\n")?;
    for s in market.sellers() {
        row.str(&s.id)
            .str(&s.email)
            .at(s.registered_at)
            .str(status_name(&s.status))
            .end(&mut w)?;
    }
    w.flush()?;
    let mut w = create(dir, "products.csv")?;
    w.write_all(b"product_id,seller_id,created_at,active\n")?;
    for p in market.products() {
        row.str(&p.id)
            .str(&market.sellers()[p.seller.0 as usize].id)
            .at(Some(p.created_at))
            .str(if p.active { "yes" } else { "no" })
            .end(&mut w)?;
    }
    w.flush()?;
    write_orders(dataset, market, dir, &mut row)
}

fn status_name(s: &SellerStatus) -> &str {
    match s {
        SellerStatus::Active => "active",
        SellerStatus::Pending => "pending",
        SellerStatus::New => "new",
        SellerStatus::Disabled => "disabled",
        SellerStatus::Other(o) => o,
    }
}

/// `orders.csv` with the marketplace columns (replacing the shop's).
fn write_orders(ds: &Dataset, market: &Marketplace, dir: &Path, row: &mut Row) -> io::Result<()> {
    let mut by_parent: HashMap<u64, Vec<&SubOrder>> = HashMap::new();
    for s in market.sub_orders() {
        by_parent.entry(s.parent.0).or_default().push(s);
    }
    let mut next_id = ds.orders().iter().map(|o| o.id.0).max().unwrap_or(0) + 1;
    let mut w = create(dir, "orders.csv")?;
    w.write_all(b"order_id,customer_id,email,placed_at,status,amount,currency,refunded_amount,parent_order_id,seller_id\n")?;
    let seller_id = |s: SellerIdx| market.sellers()[s.0 as usize].id.as_str();
    let mut line = |id: u64, who: (&str, &str), parent: Option<u64>, seller: &str, o: Part| {
        row.num(Some(id))
            .str(who.0)
            .str(who.1)
            .at(Some(o.placed_at))
            .str(ds.status_name(o.status))
            .money(Some(o.amount))
            .str(o.amount.currency.code())
            .money((o.refunded != 0).then_some(Money::new(o.refunded, o.amount.currency)))
            .num(parent)
            .str(seller)
            .end(&mut w)
    };
    for o in ds.orders() {
        let who = match o.buyer {
            Buyer::Customer(c) => {
                let c = ds.customer(c);
                (c.map_or("", |c| c.id()), c.map_or("", |c| c.email()))
            }
            Buyer::Guest(g) => ("", ds.contact_email(ContactIdx(g.0))),
        };
        let whole = Part {
            placed_at: o.placed_at,
            status: o.status,
            amount: o.amount,
            refunded: o.refunded_minor,
        };
        match by_parent.remove(&o.id.0).unwrap_or_default().as_slice() {
            [one] if Part::of(one) == whole => {
                line(o.id.0, who, None, seller_id(one.seller), whole)?;
            }
            subs => {
                line(o.id.0, who, None, "", whole)?;
                for s in subs {
                    line(next_id, who, Some(o.id.0), seller_id(s.seller), Part::of(s))?;
                    next_id += 1;
                }
            }
        }
    }
    // Sub-orders of a parent the shop does not hold: child rows without a buyer.
    let mut orphans: Vec<_> = by_parent.into_iter().collect();
    orphans.sort_unstable_by_key(|(parent, _)| *parent);
    for (parent, subs) in orphans {
        for s in subs {
            line(
                next_id,
                ("", ""),
                Some(parent),
                seller_id(s.seller),
                Part::of(s),
            )?;
            next_id += 1;
        }
    }
    w.flush()
}

/// What one row of `orders.csv` says of an order or a sub-order.
#[derive(Clone, Copy, PartialEq)]
struct Part {
    placed_at: chrono::DateTime<chrono::Utc>,
    status: crate::customer::OrderStatus,
    amount: Money,
    refunded: i64,
}

impl Part {
    fn of(s: &SubOrder) -> Self {
        Self {
            placed_at: s.placed_at,
            status: s.status,
            amount: s.amount,
            refunded: s.refunded_minor,
        }
    }
}
