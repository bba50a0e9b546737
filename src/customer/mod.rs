//! Customer consolidation: the pure domain layer.
//!
//! Plain e-commerce records (customers, orders, carts, logins, deliveries) go into a
//! [`Dataset`], which interns customers and guest emails into dense indices. One call to
//! [`Dataset::consolidate`] under a [`ConsolidationPolicy`] (every knob of the reference, with an
//! explicit `as_of`: the domain layer never reads the clock) yields one [`CustomerProfile`] per
//! contact — the 21 consolidated fields plus a `lifetimes`-compatible [`Btyd`] summary — and
//! [`Consolidation::apply_rfm`] adds RFM scores. [`ProfileField`] names the profile fields;
//! [`segment`] describes default segments as conditions on them and evaluates them locally.
//!
//! The layer is pure computation: no file, network or clock (files are read and written by
//! [`crate::io`], providers are reached by [`crate::sync`]).
//!
//! Identity: one contact per normalised email (trim + lowercase); duplicates and guest orders
//! are merged (see [`Dataset`] and [`CustomerProfile`] for the exact rules).
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use relance::customer::*;
//!
//! let mut ds = Dataset::new();
//! let alice = ds.add_customer(Customer {
//!     id: "1".into(),
//!     email: "alice@example.com".into(),
//!     newsletter_optin: OptIn::Yes,
//!     ..Customer::default()
//! });
//! let t = Utc.with_ymd_and_hms(2024, 4, 2, 10, 0, 0).unwrap();
//! ds.add_order(Order::new(OrderId(1), Buyer::Customer(alice), t, OrderStatus::Paid,
//!     Money::new(4990, Currency::EUR)));
//! let as_of = Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap();
//! let policy = ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::Europe::Paris);
//! let profiles = ds.consolidate(&policy)?;
//! let p = profiles.iter().next().unwrap();
//! assert_eq!(p.revenue().to_decimal_string(), "49.90");
//! assert_eq!(segment::first_purchase(true).members(&profiles), vec![p.contact()]);
//! # Ok::<(), ConsolidationError>(())
//! ```

pub mod clv;
mod consolidate;
mod consolidation;
pub(crate) mod customers;
mod dataset;
mod email_index;
pub mod events;
mod field;
mod input;
pub(crate) mod money;
pub(crate) mod order_columns;
mod orders;
pub(crate) mod par;
pub mod partition;
mod policy;
mod profile;
pub mod rfm;
pub mod segment;
pub mod seller;
pub(crate) mod strhash;
mod tzdays;

pub use consolidate::ConsolidationError;
pub use consolidation::Consolidation;
pub use customers::CustomerView;
pub(crate) use dataset::Found;
pub use dataset::{Dataset, normalize_email};
pub use field::{CustomField, FieldKind, ProfileField};
pub use input::{
    Buyer, Cart, CartId, Civility, ContactIdx, CustomStatus, Customer, CustomerIdx, Delivery,
    GuestIdx, Login, OptIn, Order, OrderId, OrderIdx, OrderStatus,
};
pub use money::{Currency, Money};
pub use orders::{Orders, OrdersIter};
pub use policy::{
    CartClock, CartScope, ConsolidationPolicy, ConvertedBy, DeliverySource, FrequencyMode, FxRate,
    GroupIdsMode, MissingFx, RefundPolicy, StatusSet,
};
pub use profile::{Btyd, CustomerProfile, RfmScore};
pub use rfm::{RfmConfig, RfmFrequency, RfmMonetary};
