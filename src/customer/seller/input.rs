//! The marketplace's own inputs: sellers, their products and the per-seller sub-orders.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::customer::{Money, OrderId, OrderStatus};

/// Dense index of a seller in a [`Marketplace`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SellerIdx(pub u32);

/// A seller's status on the marketplace (CS-Cart Multi-Vendor: active, pending, new,
/// disabled); anything else is kept verbatim.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SellerStatus {
    /// Selling.
    #[default]
    Active,
    /// Waiting for the operator's approval.
    Pending,
    /// Just registered.
    New,
    /// Switched off: never "stuck" (no onboarding mail goes to it).
    Disabled,
    /// Another status, verbatim.
    Other(String),
}

impl SellerStatus {
    /// Reads a status, trimmed and case-insensitively (`A`/`P`/`N`/`D` as CS-Cart writes
    /// them too).
    ///
    /// ```
    /// use relance::customer::seller::SellerStatus;
    /// assert_eq!(SellerStatus::parse(" Disabled"), SellerStatus::Disabled);
    /// assert_eq!(SellerStatus::parse("A"), SellerStatus::Active);
    /// assert_eq!(SellerStatus::parse("vip"), SellerStatus::Other("vip".into()));
    /// ```
    #[must_use]
    pub fn parse(raw: &str) -> Self {
        match raw.trim().to_ascii_lowercase().as_str() {
            "active" | "a" => Self::Active,
            "pending" | "p" => Self::Pending,
            "new" | "n" => Self::New,
            "disabled" | "d" => Self::Disabled,
            _ => Self::Other(raw.trim().to_owned()),
        }
    }
}

/// A seller (vendor, company).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Seller {
    /// The marketplace's seller id.
    pub id: String,
    /// The seller's contact email (normalised in its profile).
    pub email: String,
    /// When the seller registered.
    pub registered_at: Option<DateTime<Utc>>,
    /// Its status.
    pub status: SellerStatus,
}

impl Seller {
    /// An active seller.
    ///
    /// ```
    /// let s = relance::customer::seller::Seller::new("v1", "a@b.fr", None);
    /// assert_eq!(s.status, relance::customer::seller::SellerStatus::Active);
    /// ```
    #[must_use]
    pub fn new(
        id: impl Into<String>,
        email: impl Into<String>,
        registered_at: Option<DateTime<Utc>>,
    ) -> Self {
        Self {
            id: id.into(),
            email: email.into(),
            registered_at,
            status: SellerStatus::Active,
        }
    }

    /// The same seller with another status.
    ///
    /// ```
    /// use relance::customer::seller::{Seller, SellerStatus};
    /// let s = Seller::new("v1", "a@b.fr", None).status(SellerStatus::Disabled);
    /// assert_eq!(s.status, SellerStatus::Disabled);
    /// ```
    #[must_use]
    pub fn status(mut self, status: SellerStatus) -> Self {
        self.status = status;
        self
    }
}

/// A product of a seller.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Product {
    /// The marketplace's product id.
    pub id: String,
    /// Its seller.
    pub seller: SellerIdx,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Whether it is on sale (active, not disabled or hidden).
    pub active: bool,
}

impl Product {
    /// A product.
    ///
    /// ```
    /// # use chrono::Utc;
    /// use relance::customer::seller::{Product, SellerIdx};
    /// let p = Product::new("p1", SellerIdx(0), Utc::now(), true);
    /// assert!(p.active);
    /// ```
    #[must_use]
    pub fn new(
        id: impl Into<String>,
        seller: SellerIdx,
        created_at: DateTime<Utc>,
        active: bool,
    ) -> Self {
        Self {
            id: id.into(),
            seller,
            created_at,
            active,
        }
    }
}

/// One seller's part of a marketplace order: the parent order's id, the seller, and the
/// sub-order's own status and amount.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SubOrder {
    /// The parent (buyer's) order.
    pub parent: OrderId,
    /// The seller.
    pub seller: SellerIdx,
    /// When it was placed.
    pub placed_at: DateTime<Utc>,
    /// Its status (custom statuses interned in the shop's
    /// [`Dataset`](crate::customer::Dataset)).
    pub status: OrderStatus,
    /// Its total in its own currency.
    pub amount: Money,
    /// Refunded so far, minor units of `amount.currency`.
    pub refunded_minor: i64,
}

impl SubOrder {
    /// A sub-order with no refund.
    ///
    /// ```
    /// # use chrono::Utc;
    /// use relance::customer::seller::{SellerIdx, SubOrder};
    /// use relance::customer::{Currency, Money, OrderId, OrderStatus};
    /// let o = SubOrder::new(OrderId(7), SellerIdx(0), Utc::now(), OrderStatus::Paid, Money::new(100, Currency::EUR));
    /// assert_eq!(o.refunded_minor, 0);
    /// ```
    #[must_use]
    pub fn new(
        parent: OrderId,
        seller: SellerIdx,
        placed_at: DateTime<Utc>,
        status: OrderStatus,
        amount: Money,
    ) -> Self {
        Self {
            parent,
            seller,
            placed_at,
            status,
            amount,
            refunded_minor: 0,
        }
    }

    /// The same sub-order with `minor` refunded.
    ///
    /// ```
    /// # use chrono::Utc;
    /// use relance::customer::seller::{SellerIdx, SubOrder};
    /// use relance::customer::{Currency, Money, OrderId, OrderStatus};
    /// let o = SubOrder::new(OrderId(7), SellerIdx(0), Utc::now(), OrderStatus::Paid, Money::new(100, Currency::EUR)).refunded(40);
    /// assert_eq!(o.refunded_minor, 40);
    /// ```
    #[must_use]
    pub fn refunded(mut self, minor: i64) -> Self {
        self.refunded_minor = minor;
        self
    }
}

/// A marketplace's sellers, products and sub-orders (the buyers' side lives in a
/// [`Dataset`](crate::customer::Dataset)).
#[derive(Clone, Debug, Default)]
pub struct Marketplace {
    pub(super) sellers: Vec<Seller>,
    pub(super) products: Vec<Product>,
    pub(super) sub_orders: Vec<SubOrder>,
    by_id: HashMap<String, SellerIdx>,
}

impl Marketplace {
    /// An empty marketplace.
    ///
    /// ```
    /// assert!(relance::customer::seller::Marketplace::new().sellers().is_empty());
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a seller (a second one with the same id replaces the first's data and keeps its
    /// index).
    ///
    /// ```
    /// use relance::customer::seller::{Marketplace, Seller};
    /// let mut m = Marketplace::new();
    /// let a = m.add_seller(Seller::new("v1", "a@b.fr", None));
    /// assert_eq!(m.add_seller(Seller::new("v1", "c@d.fr", None)), a);
    /// assert_eq!(m.sellers()[a.0 as usize].email, "c@d.fr");
    /// ```
    pub fn add_seller(&mut self, seller: Seller) -> SellerIdx {
        if let Some(&idx) = self.by_id.get(&seller.id) {
            self.sellers[idx.0 as usize] = seller;
            return idx;
        }
        let idx = SellerIdx(u32::try_from(self.sellers.len()).unwrap_or(u32::MAX));
        self.by_id.insert(seller.id.clone(), idx);
        self.sellers.push(seller);
        idx
    }

    /// The index of a seller by its id.
    ///
    /// ```
    /// use relance::customer::seller::{Marketplace, Seller};
    /// let mut m = Marketplace::new();
    /// let a = m.add_seller(Seller::new("v1", "a@b.fr", None));
    /// assert_eq!(m.seller("v1"), Some(a));
    /// ```
    #[must_use]
    pub fn seller(&self, id: &str) -> Option<SellerIdx> {
        self.by_id.get(id).copied()
    }

    /// Adds a product.
    ///
    /// ```
    /// # use chrono::Utc;
    /// use relance::customer::seller::{Marketplace, Product, Seller};
    /// let mut m = Marketplace::new();
    /// let s = m.add_seller(Seller::new("v1", "a@b.fr", None));
    /// m.add_product(Product::new("p1", s, Utc::now(), true));
    /// ```
    pub fn add_product(&mut self, product: Product) {
        self.products.push(product);
    }

    /// Adds a sub-order.
    ///
    /// ```
    /// # use chrono::Utc;
    /// use relance::customer::seller::{Marketplace, Seller, SubOrder};
    /// use relance::customer::{Currency, Money, OrderId, OrderStatus};
    /// let mut m = Marketplace::new();
    /// let s = m.add_seller(Seller::new("v1", "a@b.fr", None));
    /// m.add_sub_order(SubOrder::new(OrderId(1), s, Utc::now(), OrderStatus::Paid, Money::new(100, Currency::EUR)));
    /// ```
    pub fn add_sub_order(&mut self, sub_order: SubOrder) {
        self.sub_orders.push(sub_order);
    }

    /// The sellers, by [`SellerIdx`].
    ///
    /// ```
    /// assert!(relance::customer::seller::Marketplace::new().sellers().is_empty());
    /// ```
    #[must_use]
    pub fn sellers(&self) -> &[Seller] {
        &self.sellers
    }

    /// The products, in the order added.
    ///
    /// ```
    /// assert!(relance::customer::seller::Marketplace::new().products().is_empty());
    /// ```
    #[must_use]
    pub fn products(&self) -> &[Product] {
        &self.products
    }

    /// The sub-orders, in the order added.
    ///
    /// ```
    /// assert!(relance::customer::seller::Marketplace::new().sub_orders().is_empty());
    /// ```
    #[must_use]
    pub fn sub_orders(&self) -> &[SubOrder] {
        &self.sub_orders
    }
}
