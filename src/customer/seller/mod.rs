//! Marketplace sellers, from plain structs to one profile per seller, as pure as the
//! customer consolidation: registration, active products, sales (a sale is one counted
//! sub-order of the seller, with the customer layer's counted statuses, refund rule, currency
//! rates and `as_of`), milestones with the instant each was crossed, and the "stuck" states
//! that start onboarding and training series.
//!
//! A marketplace order holding products of several sellers is a parent order (the buyer's,
//! in the [`Dataset`](crate::customer::Dataset)) split into one [`SubOrder`] per seller, each
//! with its own status and amount.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use relance::customer::seller::{Marketplace, Product, Seller, SellerPolicy, SubOrder};
//! use relance::customer::{ConsolidationPolicy, Currency, Dataset, Money, OrderId, OrderStatus};
//!
//! let at = |d| Utc.with_ymd_and_hms(2024, 5, d, 9, 0, 0).unwrap();
//! let mut market = Marketplace::new();
//! let s = market.add_seller(Seller::new("v1", "Shop@Vendor.example", Some(at(1))));
//! market.add_product(Product::new("p1", s, at(2), true));
//! market.add_sub_order(SubOrder::new(OrderId(10), s, at(3), OrderStatus::Paid, Money::new(2_500, Currency::EUR)));
//! let policy = ConsolidationPolicy::new(Currency::EUR, at(20), chrono_tz::UTC);
//! let profiles = market.consolidate(&Dataset::new(), &policy, &SellerPolicy::default())?;
//! let p = &profiles[0];
//! assert_eq!((p.email.as_str(), p.products_count, p.sales_count), ("shop@vendor.example", 1, 1));
//! assert_eq!(p.milestone, Some(1));
//! # Ok::<(), relance::customer::ConsolidationError>(())
//! ```

mod input;
mod people;
mod profile;
mod segments;

pub use input::{Marketplace, Product, Seller, SellerIdx, SellerStatus, SubOrder};
pub use people::{Person, people};
pub use profile::{SellerPolicy, SellerProfile};
pub use segments::marketplace_defaults;
