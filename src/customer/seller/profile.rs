//! One profile per seller: products, sales, milestones and the stuck states.

use chrono::{DateTime, TimeDelta, Utc};

use super::input::{Marketplace, SellerIdx, SellerStatus};
use crate::customer::consolidate::rules::{Rules, micros};
use crate::customer::{ConsolidationError, ConsolidationPolicy, Dataset, Money, normalize_email};

/// The seller-side knobs (the counted statuses, refunds, rates and `as_of` are the
/// customer [`ConsolidationPolicy`]'s).
///
/// ```
/// let p = relance::customer::seller::SellerPolicy::default();
/// assert_eq!(p.milestones, [1, 100, 500, 1000]);
/// assert_eq!((p.no_products_days, p.no_sales_days), (14, 30));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SellerPolicy {
    /// Sales counts worth a congratulation, ascending (default 1, 100, 500, 1 000).
    pub milestones: Vec<u32>,
    /// A seller registered this many days ago (or more) with no active product is stuck
    /// without products (default 14).
    pub no_products_days: u32,
    /// A seller whose first active product is this many days old (or more) with no sale is
    /// stuck without sales (default 30).
    pub no_sales_days: u32,
}

impl Default for SellerPolicy {
    fn default() -> Self {
        Self {
            milestones: vec![1, 100, 500, 1000],
            no_products_days: 14,
            no_sales_days: 30,
        }
    }
}

impl SellerPolicy {
    /// Other milestones (sorted and deduplicated; 0 is dropped).
    ///
    /// ```
    /// let p = relance::customer::seller::SellerPolicy::default().milestones([50, 10, 10, 0]);
    /// assert_eq!(p.milestones, [10, 50]);
    /// ```
    #[must_use]
    pub fn milestones(mut self, counts: impl IntoIterator<Item = u32>) -> Self {
        let mut m: Vec<u32> = counts.into_iter().filter(|&c| c > 0).collect();
        m.sort_unstable();
        m.dedup();
        self.milestones = m;
        self
    }

    /// Other "stuck" windows, in days.
    ///
    /// ```
    /// let p = relance::customer::seller::SellerPolicy::default().stuck_after(7, 60);
    /// assert_eq!((p.no_products_days, p.no_sales_days), (7, 60));
    /// ```
    #[must_use]
    pub fn stuck_after(mut self, no_products_days: u32, no_sales_days: u32) -> Self {
        self.no_products_days = no_products_days;
        self.no_sales_days = no_sales_days;
        self
    }
}

/// What a marketplace knows about one seller at `as_of`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct SellerProfile {
    /// The seller.
    pub seller: SellerIdx,
    /// The seller's id.
    pub seller_id: String,
    /// Its email, normalised (the contact key shared with the buyer side: a person who
    /// sells and buys is one contact).
    pub email: String,
    /// Its status.
    pub status: SellerStatus,
    /// When it registered.
    pub registered_at: Option<DateTime<Utc>>,
    /// Active products created by `as_of`.
    pub products_count: u32,
    /// When the first of them was created.
    pub first_product_at: Option<DateTime<Utc>>,
    /// Counted sub-orders placed by `as_of`.
    pub sales_count: u32,
    /// Their value net of refunds (per the policy), in the reporting currency.
    pub revenue: Money,
    /// The first counted sale.
    pub first_sale_at: Option<DateTime<Utc>>,
    /// The last counted sale.
    pub last_sale_at: Option<DateTime<Utc>>,
    /// Each milestone reached, with the instant of the sale that crossed it, ascending.
    pub milestones: Vec<(u32, DateTime<Utc>)>,
    /// The highest milestone reached.
    pub milestone: Option<u32>,
    /// When it was crossed.
    pub milestone_at: Option<DateTime<Utc>>,
    /// Registered at least [`SellerPolicy::no_products_days`] ago, not disabled, no
    /// active product.
    pub stuck_without_products: bool,
    /// Active products for at least [`SellerPolicy::no_sales_days`] (counted from the
    /// first), not disabled, no sale.
    pub stuck_without_sales: bool,
}

/// Per-seller running figures.
#[derive(Clone, Default)]
struct Acc {
    products: u32,
    first_product: Option<i64>,
    revenue: i64,
    sales: Vec<i64>,
}

impl Marketplace {
    /// One profile per seller, in seller order, at the policy's `as_of`: products created
    /// after it and sub-orders placed after it are not counted; a sale is a sub-order with a
    /// counted status (the policy's `counted_statuses`, refunds and rates, as for
    /// customers); the statuses of `shop` name custom statuses.
    ///
    /// # Errors
    ///
    /// The customer consolidation's: a missing or invalid currency rate, an overflow.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use relance::customer::seller::{Marketplace, Seller, SellerPolicy};
    /// use relance::customer::{ConsolidationPolicy, Currency, Dataset};
    /// let mut m = Marketplace::new();
    /// m.add_seller(Seller::new("v1", "a@b.fr", Some(Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap())));
    /// let policy = ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap(), chrono_tz::UTC);
    /// let p = m.consolidate(&Dataset::new(), &policy, &SellerPolicy::default())?;
    /// assert!(p[0].stuck_without_products);
    /// # Ok::<(), relance::customer::ConsolidationError>(())
    /// ```
    pub fn consolidate(
        &self,
        shop: &Dataset,
        policy: &ConsolidationPolicy,
        sellers: &SellerPolicy,
    ) -> Result<Vec<SellerProfile>, ConsolidationError> {
        let rules = Rules::new(shop, policy)?;
        let mut acc = vec![Acc::default(); self.sellers.len()];
        for p in &self.products {
            let created = micros(p.created_at);
            if let Some(a) = acc.get_mut(p.seller.0 as usize)
                && p.active
                && rules.by_as_of(created)
            {
                a.products += 1;
                a.first_product = Some(a.first_product.map_or(created, |f| f.min(created)));
            }
        }
        for o in &self.sub_orders {
            let placed = micros(o.placed_at);
            let Some(a) = acc.get_mut(o.seller.0 as usize) else {
                continue;
            };
            if !(rules.counted(o.status) && rules.by_as_of(placed)) {
                continue;
            }
            a.revenue =
                a.revenue
                    .saturating_add(rules.value_of(o.parent, o.amount, o.refunded_minor)?);
            a.sales.push(placed);
        }
        let days = |d: u32| micros(policy.as_of - TimeDelta::days(i64::from(d)));
        let (no_products_by, no_sales_by) =
            (days(sellers.no_products_days), days(sellers.no_sales_days));
        let instant = |t: i64| DateTime::<Utc>::from_timestamp_micros(t);
        Ok(self
            .sellers
            .iter()
            .zip(acc)
            .enumerate()
            .map(|(i, (s, mut a))| {
                a.sales.sort_unstable();
                let count = u32::try_from(a.sales.len()).unwrap_or(u32::MAX);
                let milestones: Vec<(u32, DateTime<Utc>)> = sellers
                    .milestones
                    .iter()
                    .filter(|&&m| m <= count)
                    .filter_map(|&m| Some((m, instant(a.sales[m as usize - 1])?)))
                    .collect();
                let live = s.status != SellerStatus::Disabled;
                let registered = s.registered_at.map(micros);
                SellerProfile {
                    seller: SellerIdx(u32::try_from(i).unwrap_or(u32::MAX)),
                    seller_id: s.id.clone(),
                    email: normalize_email(&s.email),
                    status: s.status.clone(),
                    registered_at: s.registered_at,
                    products_count: a.products,
                    first_product_at: a.first_product.and_then(instant),
                    sales_count: count,
                    revenue: Money::new(a.revenue, rules.currency),
                    first_sale_at: a.sales.first().and_then(|&t| instant(t)),
                    last_sale_at: a.sales.last().and_then(|&t| instant(t)),
                    milestone: milestones.last().map(|(m, _)| *m),
                    milestone_at: milestones.last().map(|(_, at)| *at),
                    milestones,
                    stuck_without_products: live
                        && a.products == 0
                        && registered.is_some_and(|r| r <= no_products_by),
                    stuck_without_sales: live
                        && count == 0
                        && a.first_product.is_some_and(|f| f <= no_sales_by),
                }
            })
            .collect())
    }
}
