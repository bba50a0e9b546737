//! A marketplace's people as sync records: one contact per person (keyed by the normalised
//! email) with its roles, its buyer values and its seller values.

use super::record::{SyncRecord, SyncValue};
use crate::customer::seller::{SellerProfile, people};
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
    people(buyers, sellers, administrators)
        .iter()
        .map(|person| {
            let mut record = person
                .buyer()
                .map_or_else(|| SyncRecord::new(person.email()), SyncRecord::from_profile);
            if let Some(s) = person.seller() {
                record = seller_values(record, s);
            }
            record
                .with(F::IsBuyer, SyncValue::OptIn(person.is_buyer()))
                .with(F::IsSeller, SyncValue::OptIn(person.is_seller()))
                .with(
                    F::IsAdministrator,
                    SyncValue::OptIn(person.is_administrator()),
                )
        })
        .collect()
}
