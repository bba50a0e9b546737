//! A marketplace's people as sync records: one contact per person (keyed by the normalised
//! email) with its roles, its buyer values and its seller values.

use std::collections::{HashMap, HashSet};

use super::record::{SyncRecord, SyncValue, record_email};
use crate::customer::seller::SellerProfile;
use crate::customer::{Consolidation, ProfileField as F};

/// The seller values of a record (the roles aside).
fn seller_values(record: SyncRecord, s: &SellerProfile) -> SyncRecord {
    record
        .with(F::SellerRegisteredAt, SyncValue::instant(s.registered_at))
        .with(
            F::SellerProductsCount,
            SyncValue::int(i64::from(s.products_count)),
        )
        .with(
            F::SellerSalesCount,
            SyncValue::int(i64::from(s.sales_count)),
        )
        .with(
            F::SellerRevenue,
            SyncValue::Number(s.revenue.to_decimal_string()),
        )
        .with(F::SellerFirstSaleAt, SyncValue::instant(s.first_sale_at))
        .with(F::SellerLastSaleAt, SyncValue::instant(s.last_sale_at))
        .with(
            F::SellerMilestone,
            s.milestone
                .map_or(SyncValue::Empty, |m| SyncValue::int(i64::from(m))),
        )
        .with(F::SellerMilestoneAt, SyncValue::instant(s.milestone_at))
        .with(
            F::SellerStuckWithoutProducts,
            SyncValue::OptIn(s.stuck_without_products),
        )
        .with(
            F::SellerStuckWithoutSales,
            SyncValue::OptIn(s.stuck_without_sales),
        )
}

/// One record per person of a marketplace: every buyer profile (its consolidated values),
/// with the seller values of the seller with the same email when there is one, then the
/// sellers who do not buy, then the administrators who are neither; each with its roles
/// (`is_buyer`: a customer account or an order; `is_seller`; `is_administrator`: one of
/// `administrators`). A person who buys and sells is one contact with both roles. Sync them
/// with the marketplace fields ([`ProfileField::MARKETPLACE`](crate::customer::ProfileField::MARKETPLACE))
/// among the syncer's fields.
///
/// ```
/// # use chrono::{TimeZone, Utc};
/// use relance::customer::seller::{Marketplace, Seller, SellerPolicy};
/// use relance::customer::{ConsolidationPolicy, Currency, Dataset, ProfileField};
/// use relance::sync::{SyncValue, marketplace_records};
/// let mut shop = Dataset::new();
/// shop.guest("ann@example.com");
/// let mut market = Marketplace::new();
/// market.add_seller(Seller::new("v1", "Ann@Example.com", None));
/// let policy = ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(), chrono_tz::UTC);
/// let sellers = market.consolidate(&shop, &policy, &SellerPolicy::default())?;
/// let records = marketplace_records(&shop.consolidate(&policy)?, &sellers, &["ops@example.com"]);
/// assert_eq!(records.len(), 2);
/// assert_eq!(records[0].get(&ProfileField::IsSeller), Some(&SyncValue::OptIn(true)));
/// assert_eq!(records[1].email(), "ops@example.com");
/// # Ok::<(), relance::customer::ConsolidationError>(())
/// ```
#[must_use]
pub fn marketplace_records(
    buyers: &Consolidation<'_>,
    sellers: &[SellerProfile],
    administrators: &[&str],
) -> Vec<SyncRecord> {
    let admins: HashSet<String> = administrators
        .iter()
        .map(|a| record_email(a).into_owned())
        .collect();
    let mut by_email: HashMap<&str, &SellerProfile> =
        sellers.iter().map(|s| (s.email.as_str(), s)).collect();
    let roles = |record: SyncRecord, buyer: bool, seller: bool| {
        let admin = admins.contains(record.email());
        record
            .with(F::IsBuyer, SyncValue::OptIn(buyer))
            .with(F::IsSeller, SyncValue::OptIn(seller))
            .with(F::IsAdministrator, SyncValue::OptIn(admin))
    };
    let mut out = Vec::with_capacity(buyers.len() + sellers.len());
    let mut seen = HashSet::new();
    for p in buyers.iter() {
        let buyer = p.orders_count() > 0 || p.customer_id().is_some();
        let mut record = SyncRecord::from_profile(p);
        let seller = by_email.remove(record.email());
        if let Some(s) = seller {
            record = seller_values(record, s);
        }
        seen.insert(record.email().to_owned());
        out.push(roles(record, buyer, seller.is_some()));
    }
    for s in sellers {
        if seen.insert(s.email.clone()) {
            out.push(roles(
                seller_values(SyncRecord::new(&s.email), s),
                false,
                true,
            ));
        }
    }
    for a in administrators {
        let email = record_email(a).into_owned();
        if seen.insert(email.clone()) {
            out.push(roles(SyncRecord::new(email), false, false));
        }
    }
    out
}
