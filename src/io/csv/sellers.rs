//! Writing what a marketplace run computed: one row per seller profile, one row per
//! lifecycle event.

use std::collections::HashMap;
use std::io::{self, Write};

use super::writer::Row;
use crate::customer::Consolidation;
use crate::customer::events::{LifecycleEvent, Role};
use crate::customer::seller::SellerProfile;

/// Column names of [`write_seller_profiles`], in order.
pub const SELLER_COLUMNS: [&str; 11] = [
    "seller_id",
    "email",
    "products_count",
    "first_sale_at",
    "last_sale_at",
    "sales_count",
    "revenue",
    "milestone",
    "milestone_at",
    "stuck_without_products",
    "stuck_without_sales",
];

/// Column names of [`write_events`], in order.
pub const EVENT_COLUMNS: [&str; 5] = ["kind", "email", "role", "at", "detail"];

fn header(w: &mut impl Write, columns: &[&str]) -> io::Result<()> {
    w.write_all(columns.join(",").as_bytes())?;
    w.write_all(b"\n")
}

/// Writes one row per seller profile ([`SELLER_COLUMNS`]; instants RFC 3339 UTC, revenue a
/// plain decimal in the reporting currency, flags `yes`/`no`, empty = none).
///
/// ```
/// let mut out = Vec::new();
/// relance::io::csv::write_seller_profiles(&[], &mut out)?;
/// assert!(String::from_utf8(out).unwrap().starts_with("seller_id,email,products_count,"));
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
/// The first I/O error.
pub fn write_seller_profiles(profiles: &[SellerProfile], mut w: impl Write) -> io::Result<()> {
    header(&mut w, &SELLER_COLUMNS)?;
    let flag = |b: bool| if b { "yes" } else { "no" };
    let mut row = Row::new();
    for p in profiles {
        row.str(&p.seller_id)
            .str(&p.email)
            .num(Some(p.products_count))
            .at(p.first_sale_at)
            .at(p.last_sale_at)
            .num(Some(p.sales_count))
            .money(Some(p.revenue))
            .num(p.milestone)
            .at(p.milestone_at)
            .str(flag(p.stuck_without_products))
            .str(flag(p.stuck_without_sales))
            .end(&mut w)?;
    }
    w.flush()
}

/// Writes one row per event ([`EVENT_COLUMNS`]; the header alone when there is none). The
/// `detail` column names who it is about on the marketplace: the seller's id for a seller
/// event, the customer's id for a buyer event (empty for a guest).
///
/// ```
/// # use relance::customer::{Dataset, ConsolidationPolicy, Currency};
/// # let shop = Dataset::new();
/// # let buyers = shop.consolidate(&ConsolidationPolicy::new(Currency::EUR, chrono::Utc::now(), chrono_tz::UTC))?;
/// let mut out = Vec::new();
/// relance::io::csv::write_events(&[], &buyers, &[], &mut out).unwrap();
/// assert_eq!(String::from_utf8(out).unwrap(), "kind,email,role,at,detail\n");
/// # Ok::<(), relance::customer::ConsolidationError>(())
/// ```
///
/// # Errors
/// The first I/O error.
pub fn write_events(
    events: &[LifecycleEvent],
    buyers: &Consolidation<'_>,
    sellers: &[SellerProfile],
    mut w: impl Write,
) -> io::Result<()> {
    header(&mut w, &EVENT_COLUMNS)?;
    let seller_ids: HashMap<&str, &str> = sellers
        .iter()
        .map(|s| (s.email.as_str(), s.seller_id.as_str()))
        .collect();
    let customer_ids: HashMap<&str, &str> = buyers
        .iter()
        .filter_map(|p| p.customer_id().map(|id| (p.email(), id)))
        .collect();
    let mut row = Row::new();
    for e in events {
        let ids = match e.role {
            Role::Seller => &seller_ids,
            _ => &customer_ids,
        };
        row.str(&e.kind.to_string())
            .str(&e.email)
            .str(&e.role.to_string())
            .at(Some(e.at))
            .str(ids.get(e.email.as_str()).copied().unwrap_or(""))
            .end(&mut w)?;
    }
    w.flush()
}
