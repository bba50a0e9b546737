//! A deterministic synthetic marketplace: the shop of [`generate`](super::generate) for the
//! buyers, plus sellers, their products and every order split across sellers.
//!
//! Sellers: ids `1..=N` (as CS-Cart numbers companies), registered uniformly over the three
//! years before the orders' first day and the orders' three years, status active / pending /
//! new / disabled with p = 0.85 / 0.05 / 0.05 / 0.05, about 5 % with the email of a buyer
//! (a person who buys and sells). Products: about 12 % of sellers have none, the others 1 to
//! 20, created within 60 days of the seller's registration, 90 % active. Orders: each is
//! sold by 1, 2 or 3 sellers with products (p = 0.80 / 0.15 / 0.05; order 0 always by one),
//! chosen with the same skewed popularity as the buyers (a few sellers make most sales, so
//! the 100, 500 and 1 000 sales milestones are reached) among those whose first product was
//! out when the order was placed (32 draws, then any), the amount split between them, the
//! status and any refund shared in proportion.

use chrono::{DateTime, Utc};

use super::{Rng, SynthConfig, SynthShop, generate, secs, skewed, start};
use crate::customer::Money;
use crate::customer::seller::{Marketplace, Product, Seller, SellerIdx, SellerStatus, SubOrder};

/// Marketplace generator parameters.
///
/// ```
/// let c = relance::io::synth::MarketplaceConfig::new(10, 100, 1000, 42);
/// assert_eq!((c.sellers, c.buyers, c.orders), (10, 100, 1000));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MarketplaceConfig {
    /// Number of sellers.
    pub sellers: usize,
    /// Number of buyer (customer) rows.
    pub buyers: usize,
    /// Number of (parent) orders.
    pub orders: usize,
    /// PRNG seed.
    pub seed: u64,
}

impl MarketplaceConfig {
    /// A configuration.
    ///
    /// ```
    /// let c = relance::io::synth::MarketplaceConfig::new(1, 2, 3, 4);
    /// assert_eq!(c.seed, 4);
    /// ```
    #[must_use]
    pub const fn new(sellers: usize, buyers: usize, orders: usize, seed: u64) -> Self {
        Self {
            sellers,
            buyers,
            orders,
            seed,
        }
    }
}

/// A generated marketplace: the buyers' shop and the sellers' side.
#[derive(Debug)]
#[non_exhaustive]
pub struct SynthMarketplace {
    /// The buyers' shop (parent orders), as [`generate`](super::generate) makes it.
    pub shop: SynthShop,
    /// Sellers, products and sub-orders.
    pub market: Marketplace,
}

const THREE_YEARS: u64 = 3 * 365 * 86_400;

/// Generates a marketplace (same configuration, same data).
///
/// ```
/// use relance::io::synth::{MarketplaceConfig, generate_marketplace};
/// let m = generate_marketplace(&MarketplaceConfig::new(20, 50, 500, 7));
/// assert_eq!(m.market.sellers().len(), 20);
/// assert!(m.market.sub_orders().len() >= 500);
/// ```
#[must_use]
pub fn generate_marketplace(config: &MarketplaceConfig) -> SynthMarketplace {
    let shop = generate(&SynthConfig::new(config.orders, config.buyers, config.seed));
    let mut rng = Rng(config.seed ^ 0x5E11_E125);
    let mut market = Marketplace::new();
    let t0 = start() - secs(THREE_YEARS);
    let customers = &shop.dataset.customers;
    let mut selling = Vec::new();
    let mut product_no = 0u64;
    for i in 0..config.sellers {
        let email = if customers.len() > 0 && rng.below(100) < 5 {
            customers
                .email(skewed(&mut rng, customers.len()))
                .to_owned()
        } else {
            format!("seller{}@vendors.example", i + 1)
        };
        let registered = t0 + secs(rng.below(2 * THREE_YEARS));
        let status = match rng.below(100) {
            0..85 => SellerStatus::Active,
            85..90 => SellerStatus::Pending,
            90..95 => SellerStatus::New,
            _ => SellerStatus::Disabled,
        };
        let s = market
            .add_seller(Seller::new((i + 1).to_string(), email, Some(registered)).status(status));
        if rng.below(100) < 12 {
            continue;
        }
        let mut open = None::<DateTime<Utc>>;
        for _ in 0..=rng.below(20) {
            product_no += 1;
            let created = registered + secs(rng.below(60 * 86_400));
            open = Some(open.map_or(created, |o| o.min(created)));
            let active = rng.below(10) != 0;
            market.add_product(Product::new(product_no.to_string(), s, created, active));
        }
        selling.extend(open.map(|o| (s, o)));
    }
    if !selling.is_empty() {
        for o in shop.dataset.orders() {
            let k = match rng.below(100) {
                _ if o.id.0 == 0 => 1,
                0..80 => 1,
                80..95 => 2,
                _ => 3,
            }
            .min(selling.len());
            // Sellers whose first product is on sale when the order is placed (a few tries,
            // then any seller).
            let mut chosen: Vec<SellerIdx> = Vec::with_capacity(k);
            let mut tries = 0;
            while chosen.len() < k {
                let (s, open) = selling[skewed(&mut rng, selling.len())];
                tries += 1;
                if (open <= o.placed_at || tries > 32) && !chosen.contains(&s) {
                    chosen.push(s);
                }
            }
            let total = o.amount.minor;
            let mut left = total;
            for (j, &s) in chosen.iter().enumerate() {
                let part = if j + 1 == k {
                    left
                } else {
                    let share =
                        i64::try_from(rng.below(u64::try_from(left).unwrap_or(0) + 1)).unwrap_or(0);
                    share.min(left)
                };
                left -= part;
                let refunded = if total == 0 {
                    0
                } else {
                    i64::try_from(
                        i128::from(o.refunded_minor) * i128::from(part) / i128::from(total),
                    )
                    .unwrap_or(0)
                };
                market.add_sub_order(
                    SubOrder::new(
                        o.id,
                        s,
                        o.placed_at,
                        o.status,
                        Money::new(part, o.amount.currency),
                    )
                    .refunded(refunded),
                );
            }
        }
    }
    SynthMarketplace { shop, market }
}
