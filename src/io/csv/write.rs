//! Writing a [`Dataset`] as a shop directory.

use std::io::{self, Write};
use std::path::Path;

use super::writer::{Row, create};
use crate::customer::{Buyer, Civility, ContactIdx, Dataset, FxRate, Money, OptIn};

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
    std::fs::create_dir_all(dir)?;
    let mut row = Row::new();
    write_customers(ds, dir, &mut row)?;
    write_orders(ds, dir, &mut row)?;
    write_carts(ds, dir, &mut row)?;
    write_logins(ds, dir, &mut row)?;
    if !rates.is_empty() {
        let mut w = create(dir, "rates.csv")?;
        w.write_all(b"currency,rate\n")?;
        for r in rates {
            row.str(r.from.code()).num(Some(r.rate)).end(&mut w)?;
        }
        w.flush()?;
    }
    Ok(())
}

/// The `customer_id` and `email` columns of a buyer.
fn who(ds: &Dataset, b: Buyer) -> (&str, &str) {
    match b {
        Buyer::Customer(c) => {
            let c = &ds.customers()[c.0 as usize];
            (c.id.as_str(), c.email.as_str())
        }
        Buyer::Guest(g) => ("", ds.contact_email(ContactIdx(g.0))),
    }
}

fn write_customers(ds: &Dataset, dir: &Path, row: &mut Row) -> io::Result<()> {
    let mut w = create(dir, "customers.csv")?;
    w.write_all(b"customer_id,email,first_name,last_name,civility,birth_date,phone,postcode,signed_up_at,updated_at,newsletter_optin,group_ids,shop_id,newsletter_optin_at,last_login_at,is_guest\n")?;
    for c in ds.customers() {
        row.str(&c.id)
            .str(&c.email)
            .opt(c.first_name.as_deref())
            .opt(c.last_name.as_deref())
            .opt(c.civility.as_ref().map(Civility::as_str))
            .num(c.birth_date)
            .opt(c.phone.as_deref())
            .opt(c.postcode.as_deref())
            .at(c.signed_up_at)
            .at(c.updated_at)
            .str(match c.newsletter_optin {
                OptIn::Yes => "yes",
                OptIn::No => "no",
                OptIn::Unknown => "",
            })
            .str(&c.group_ids.join(","))
            .opt(c.shop_id.as_deref())
            .at(c.newsletter_optin_at)
            .at(c.last_login_at)
            .str(if c.is_guest { "yes" } else { "" })
            .end(&mut w)?;
    }
    w.flush()
}

/// `orders.csv` and `deliveries.csv`.
fn write_orders(ds: &Dataset, dir: &Path, row: &mut Row) -> io::Result<()> {
    let mut w = create(dir, "orders.csv")?;
    let mut wd = create(dir, "deliveries.csv")?;
    w.write_all(b"order_id,customer_id,email,placed_at,status,amount,currency,refunded_amount\n")?;
    wd.write_all(b"order_id,delivered_at\n")?;
    for o in ds.orders() {
        let (id, email) = who(ds, o.buyer);
        row.num(Some(o.id.0))
            .str(id)
            .str(email)
            .at(Some(o.placed_at))
            .str(ds.status_name(o.status))
            .money(Some(o.amount))
            .str(o.amount.currency.code())
            .money(
                (o.refunded_minor != 0).then_some(Money::new(o.refunded_minor, o.amount.currency)),
            )
            .end(&mut w)?;
        if let Some(d) = o.delivered_at {
            row.num(Some(o.id.0)).at(Some(d)).end(&mut wd)?;
        }
    }
    w.flush()?;
    wd.flush()
}

fn write_carts(ds: &Dataset, dir: &Path, row: &mut Row) -> io::Result<()> {
    let mut w = create(dir, "carts.csv")?;
    w.write_all(
        b"cart_id,customer_id,email,created_at,updated_at,item_count,total,currency,converted_order_id\n",
    )?;
    for c in ds.carts() {
        let (id, email) = who(ds, c.owner);
        row.num(Some(c.id.0))
            .str(id)
            .str(email)
            .at(Some(c.created_at))
            .at(Some(c.updated_at))
            .num(Some(c.item_count))
            .money(c.total)
            .opt(c.total.as_ref().map(|t| t.currency.code()))
            .num(c.converted_order.map(|o| o.0))
            .end(&mut w)?;
    }
    w.flush()
}

fn write_logins(ds: &Dataset, dir: &Path, row: &mut Row) -> io::Result<()> {
    let mut w = create(dir, "logins.csv")?;
    w.write_all(b"customer_id,at\n")?;
    for l in ds.logins() {
        row.str(&ds.customers()[l.customer.0 as usize].id)
            .at(Some(l.at))
            .end(&mut w)?;
    }
    w.flush()
}
