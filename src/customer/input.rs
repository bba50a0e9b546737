//! Plain input records filled by a shop adapter.
//!
//! Records reference each other through cheap `Copy` keys handed out by
//! [`Dataset`](crate::customer::Dataset): a [`CustomerIdx`] per customer row, a [`GuestIdx`] per
//! distinct guest email, an [`OrderIdx`] per order. Orders carry no strings at all, so building
//! ten million of them allocates nothing per order.

use chrono::{DateTime, NaiveDate, Utc};

use crate::customer::Money;
use crate::customer::customers::CivilityText;

/// Dense index of a customer row, returned by [`Dataset::add_customer`](crate::customer::Dataset::add_customer).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CustomerIdx(pub u32);

/// Dense index of a guest contact (a normalised email), returned by
/// [`Dataset::guest`](crate::customer::Dataset::guest).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GuestIdx(pub u32);

/// Dense index of an order, returned by [`Dataset::add_order`](crate::customer::Dataset::add_order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrderIdx(pub u32);

/// Dense index of a contact (one per normalised email): the unit of consolidation. Profiles are
/// produced in contact order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContactIdx(pub u32);

/// The shop's order id (numeric). Breaks ties between orders placed at the same instant
/// (the larger id is the later order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrderId(pub u64);

/// The shop's cart (quote) id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CartId(pub u64);

/// Who placed an order or owns a cart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Buyer {
    /// A registered (or shop-level guest) customer row.
    Customer(CustomerIdx),
    /// A guest checkout identified only by its email (interned with
    /// [`Dataset::guest`](crate::customer::Dataset::guest)).
    Guest(GuestIdx),
}

/// Salutation / gender.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Civility {
    /// Mr.
    Mr,
    /// Mrs.
    Mrs,
    /// Miss.
    Miss,
    /// Anything else, verbatim.
    Other(String),
}

impl Civility {
    /// Parses common spellings (`mr`, `m`, `mrs`, `mme`, `miss`, `mlle`, case-insensitive);
    /// anything else non-blank becomes [`Civility::Other`]; blank gives `None`.
    ///
    /// ```
    /// use relance::customer::Civility;
    /// assert_eq!(Civility::parse("Mme"), Some(Civility::Mrs));
    /// assert_eq!(Civility::parse(""), None);
    /// assert_eq!(Civility::parse("Dr"), Some(Civility::Other("Dr".into())));
    /// ```
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        CivilityText::parse(text).map(CivilityText::to_civility)
    }

    /// Canonical text (`Mr`, `Mrs`, `Miss` or the verbatim other value).
    ///
    /// ```
    /// use relance::customer::Civility;
    /// assert_eq!(Civility::Miss.as_str(), "Miss");
    /// ```
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::Mr => "Mr",
            Self::Mrs => "Mrs",
            Self::Miss => "Miss",
            Self::Other(s) => s,
        }
    }
}

/// Newsletter consent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum OptIn {
    /// Subscribed.
    Yes,
    /// Not subscribed / unsubscribed.
    No,
    /// Not known (e.g. guest-only contacts).
    #[default]
    Unknown,
}

impl OptIn {
    /// `Yes`/`No`/`Unknown` text.
    ///
    /// ```
    /// use relance::customer::OptIn;
    /// assert_eq!(OptIn::Yes.as_str(), "Yes");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Yes => "Yes",
            Self::No => "No",
            Self::Unknown => "Unknown",
        }
    }
}

/// A custom order status interned by [`Dataset::status`](crate::customer::Dataset::status).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CustomStatus(pub u16);

/// Order status. `Copy` (2 bytes): shop-specific statuses are interned once per dataset with
/// [`Dataset::status`](crate::customer::Dataset::status) into [`OrderStatus::Other`] and named
/// back with [`Dataset::status_name`](crate::customer::Dataset::status_name), so no order holds
/// a string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    /// Awaiting payment.
    Pending,
    /// Paid.
    Paid,
    /// Being prepared.
    Processing,
    /// Shipped.
    Shipped,
    /// Completed / delivered.
    Completed,
    /// Cancelled.
    Cancelled,
    /// Fully refunded.
    Refunded,
    /// A shop-specific status.
    Other(CustomStatus),
}

impl OrderStatus {
    /// The seven standard statuses.
    pub const STANDARD: [OrderStatus; 7] = [
        Self::Pending,
        Self::Paid,
        Self::Processing,
        Self::Shipped,
        Self::Completed,
        Self::Cancelled,
        Self::Refunded,
    ];

    /// Parses a standard status name (`pending, paid, processing, shipped, completed,
    /// cancelled, refunded`; case-insensitive, `canceled`, `complete` and `delivered` accepted).
    /// Other names give `None`: intern them with
    /// [`Dataset::status`](crate::customer::Dataset::status).
    ///
    /// ```
    /// use relance::customer::OrderStatus;
    /// assert_eq!(OrderStatus::parse_standard("Canceled"), Some(OrderStatus::Cancelled));
    /// assert_eq!(OrderStatus::parse_standard("on-hold"), None);
    /// ```
    #[must_use]
    pub fn parse_standard(name: &str) -> Option<Self> {
        let t = name.trim();
        let eq = |s: &str| t.eq_ignore_ascii_case(s);
        Some(if eq("pending") {
            Self::Pending
        } else if eq("paid") {
            Self::Paid
        } else if eq("processing") {
            Self::Processing
        } else if eq("shipped") {
            Self::Shipped
        } else if eq("completed") || eq("complete") || eq("delivered") {
            Self::Completed
        } else if eq("cancelled") || eq("canceled") {
            Self::Cancelled
        } else if eq("refunded") {
            Self::Refunded
        } else {
            return None;
        })
    }

    /// Name of a standard status (`None` for [`OrderStatus::Other`]).
    ///
    /// ```
    /// use relance::customer::OrderStatus;
    /// assert_eq!(OrderStatus::Paid.standard_name(), Some("paid"));
    /// ```
    #[must_use]
    pub const fn standard_name(self) -> Option<&'static str> {
        Some(match self {
            Self::Pending => "pending",
            Self::Paid => "paid",
            Self::Processing => "processing",
            Self::Shipped => "shipped",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
            Self::Refunded => "refunded",
            Self::Other(_) => return None,
        })
    }
}

/// A customer row (registered account, or a shop-level guest account).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Customer {
    /// Shop customer id (`id_customer`, `entity_id`).
    pub id: String,
    /// Email as stored by the shop; normalised (trim + lowercase) for the identity key.
    pub email: String,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Salutation.
    pub civility: Option<Civility>,
    /// Birth date (calendar date, no timezone).
    pub birth_date: Option<NaiveDate>,
    /// Phone (E.164 if possible).
    pub phone: Option<String>,
    /// Postcode of the default/billing address.
    pub postcode: Option<String>,
    /// Account creation instant.
    pub signed_up_at: Option<DateTime<Utc>>,
    /// Last modification of the row; decides which duplicate row provides the profile fields.
    pub updated_at: Option<DateTime<Utc>>,
    /// Last login stored on the row (merged with [`Login`] events).
    pub last_login_at: Option<DateTime<Utc>>,
    /// Newsletter consent.
    pub newsletter_optin: OptIn,
    /// When the consent was given / changed, if known.
    pub newsletter_optin_at: Option<DateTime<Utc>>,
    /// Customer group ids (sorted and deduplicated by the dataset).
    pub group_ids: Vec<String>,
    /// Shop / store id.
    pub shop_id: Option<String>,
    /// `true` for a shop-level guest account (`PrestaShop` `is_guest`): registered rows win the
    /// profile fields over guest rows with the same email.
    pub is_guest: bool,
}

/// An order. Contains no heap data: 72 bytes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Order {
    /// Shop order id.
    pub id: OrderId,
    /// Customer row or guest email.
    pub buyer: Buyer,
    /// When the order was placed.
    pub placed_at: DateTime<Utc>,
    /// Status.
    pub status: OrderStatus,
    /// Order total in its own currency (minor units).
    pub amount: Money,
    /// Amount refunded so far, minor units of `amount.currency` (0 if none).
    pub refunded_minor: i64,
    /// The cart the order was created from, if known.
    pub cart: Option<CartId>,
    /// Delivery instant, if known (see also [`Delivery`] events).
    pub delivered_at: Option<DateTime<Utc>>,
}

impl Order {
    /// An order with no refund, no cart and no delivery.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use relance::customer::{Buyer, Currency, CustomerIdx, Money, Order, OrderId, OrderStatus};
    /// let o = Order::new(OrderId(1), Buyer::Customer(CustomerIdx(0)),
    ///     Utc.with_ymd_and_hms(2024, 1, 1, 9, 0, 0).unwrap(), OrderStatus::Paid,
    ///     Money::new(1000, Currency::EUR));
    /// assert_eq!(o.refunded_minor, 0);
    /// ```
    #[must_use]
    pub const fn new(
        id: OrderId,
        buyer: Buyer,
        placed_at: DateTime<Utc>,
        status: OrderStatus,
        amount: Money,
    ) -> Self {
        Self {
            id,
            buyer,
            placed_at,
            status,
            amount,
            refunded_minor: 0,
            cart: None,
            delivered_at: None,
        }
    }
}

/// A shopping cart (quote).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cart {
    /// Shop cart id.
    pub id: CartId,
    /// Customer row or guest email.
    pub owner: Buyer,
    /// Creation instant.
    pub created_at: DateTime<Utc>,
    /// Last update instant.
    pub updated_at: DateTime<Utc>,
    /// Number of items (0 = empty cart, never abandoned).
    pub item_count: u32,
    /// Cart total, if known.
    pub total: Option<Money>,
    /// The order created from this cart, if the shop links it. Trusted as-is: a set link marks
    /// the cart converted whatever the order's date (adapters snapshotting at `as_of` satisfy
    /// this naturally).
    pub converted_order: Option<OrderId>,
}

/// A login event of a customer row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Login {
    /// Customer row that logged in.
    pub customer: CustomerIdx,
    /// Login instant.
    pub at: DateTime<Utc>,
}

/// A delivery event of an order (alternative to [`Order::delivered_at`]; setting the field on
/// the order is cheaper: an event costs a random access to its order).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// Delivered order.
    pub order: OrderIdx,
    /// Delivery instant.
    pub delivered_at: DateTime<Utc>,
}
