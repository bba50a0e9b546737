//! The dataset builder: interns customers and guest emails into dense indices.

use std::borrow::Cow;
use std::sync::OnceLock;

use chrono::{DateTime, Utc};

use super::customers::CustomerStore;
use super::email_index::{EmailIndex, Emails};
use super::order_columns::OrderColumns;
use super::orders::Orders;

use crate::customer::{
    Buyer, Cart, ContactIdx, Currency, CustomStatus, Customer, CustomerIdx, Delivery, GuestIdx,
    Login, Order, OrderIdx, OrderStatus,
};

mod customer_rows;

pub(crate) const NONE: u32 = u32::MAX;

/// All input records of one shop, keyed by dense indices.
///
/// Identity (reference §3.10): every customer row and every guest email is attached to a
/// **contact** keyed by the normalised email (trim + ASCII/Unicode lowercase). Rows sharing an
/// email share a contact; a guest email equal to a customer's email maps to the same contact.
/// A customer row whose email is blank gets a contact of its own (never merged).
///
/// One dataset = one shop scope: build one dataset per shop for per-shop metrics.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use relance::customer::*;
/// let mut ds = Dataset::new();
/// let alice = ds.add_customer(Customer { id: "1".into(), email: "Alice@Example.com ".into(), ..Customer::default() });
/// let guest = ds.guest("alice@example.com").unwrap();
/// assert_eq!(ds.contact_of(Buyer::Customer(alice)), ds.contact_of(Buyer::Guest(guest)));
/// ds.add_order(Order::new(OrderId(7), Buyer::Guest(guest),
///     Utc.with_ymd_and_hms(2024, 1, 1, 9, 0, 0).unwrap(), OrderStatus::Paid, Money::new(1000, Currency::EUR)));
/// assert_eq!(ds.contact_count(), 1);
/// ```
#[derive(Debug, Default)]
pub struct Dataset {
    pub(crate) customers: CustomerStore,
    /// the rows as [`Customer`]s, put together on the first call to
    /// [`customers`](Self::customers) (emptied by any change)
    owned: OnceLock<Vec<Customer>>,
    /// contact of each customer row.
    pub(crate) customer_contact: Vec<u32>,
    /// next customer row with the same contact (linked list), `NONE` at the end.
    pub(crate) customer_next: Vec<u32>,
    /// first customer row of each contact, `NONE` for guest-only contacts.
    pub(crate) contact_head: Vec<u32>,
    /// normalised email of each contact.
    pub(crate) contact_email: Emails,
    email_index: EmailIndex,
    /// the orders as columns, each with its contact resolved at insertion (which keeps the
    /// consolidation's hot loop free of random lookups)
    pub(crate) order_cols: OrderColumns,
    pub(crate) carts: Vec<Cart>,
    pub(crate) cart_contact: Vec<u32>,
    pub(crate) logins: Vec<Login>,
    pub(crate) login_contact: Vec<u32>,
    pub(crate) deliveries: Vec<Delivery>,
    statuses: Vec<String>,
}

/// Normalises an email for the identity key: trim, then lowercase.
///
/// ```
/// assert_eq!(relance::customer::normalize_email("  Bob@Example.COM "), "bob@example.com");
/// ```
#[must_use]
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

fn is_normalized(email: &str) -> bool {
    let b = email.as_bytes();
    let edge = |c: &u8| *c > b' ' && c.is_ascii();
    if b.first().is_some_and(edge)
        && b.last().is_some_and(edge)
        && b.iter().all(|c| c.is_ascii() && !c.is_ascii_uppercase())
    {
        return true; // ASCII, nothing to trim, no capital: the common case, in one pass
    }
    email.trim().len() == email.len() && !email.chars().any(char::is_uppercase)
}

/// What interning an email finds: its contact, or the hash to add it under; `None` when the
/// email is blank.
pub(crate) type Found = Option<Result<u32, u64>>;

impl Dataset {
    /// An empty dataset.
    ///
    /// ```
    /// let ds = relance::customer::Dataset::new();
    /// assert_eq!(ds.orders().len(), 0);
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty dataset with room for the given numbers of customers and orders.
    ///
    /// ```
    /// let ds = relance::customer::Dataset::with_capacity(100, 1000);
    /// assert!(ds.customers().is_empty());
    /// ```
    #[must_use]
    pub fn with_capacity(customers: usize, orders: usize) -> Self {
        Self {
            customers: CustomerStore::with_capacity(customers),
            customer_contact: Vec::with_capacity(customers),
            customer_next: Vec::with_capacity(customers),
            contact_head: Vec::with_capacity(customers),
            contact_email: Emails::with_capacity(customers),
            email_index: EmailIndex::with_capacity(customers),
            order_cols: OrderColumns::with_capacity(orders),
            ..Self::default()
        }
    }

    /// Room for about `n` more customer rows and their contacts, as far as the memory can be
    /// had: a loader's estimate, which may be wrong, never fails the load.
    pub(crate) fn try_reserve_customers(&mut self, n: usize) {
        self.customers.try_reserve(n);
        let _ = self.customer_contact.try_reserve(n);
        let _ = self.customer_next.try_reserve(n);
        let _ = self.contact_head.try_reserve(n);
        self.contact_email.try_reserve(n);
        self.email_index.try_reserve(n);
    }

    fn new_contact(&mut self, email: &str) -> u32 {
        let idx = u32::try_from(self.contact_email.len()).unwrap_or(NONE);
        assert!(idx != NONE, "too many contacts");
        self.contact_email.push(email);
        self.contact_head.push(NONE);
        idx
    }

    /// An email's identity key (normalised; borrowed when it already is); `None` when blank.
    fn key(email: &str) -> Option<Cow<'_, str>> {
        if email.trim().is_empty() {
            None
        } else if is_normalized(email) {
            Some(Cow::Borrowed(email))
        } else {
            Some(Cow::Owned(normalize_email(email)))
        }
    }

    /// What [`intern`](Self::intern) finds of `email` now: its contact, or the hash to add it
    /// under; `None` when blank.
    fn look_up(&self, email: &str) -> Found {
        let key = Self::key(email)?;
        Some(self.email_index.find(&key, &self.contact_email))
    }

    /// [`look_up`](Self::look_up) of each of `emails`, all at once: independent reads the
    /// processor overlaps, where interning them one after another waited for each one's
    /// cache misses (slot, end offset, text).
    pub(crate) fn look_up_all<'e>(&self, emails: impl Iterator<Item = &'e str>) -> Vec<Found> {
        emails.map(|e| self.look_up(e)).collect()
    }

    fn intern(&mut self, email: &str) -> Option<u32> {
        let key = Self::key(email)?;
        match self.email_index.find(&key, &self.contact_email) {
            Ok(c) => Some(c),
            Err(hash) => Some(self.add_contact(&key, hash)),
        }
    }

    /// [`intern`](Self::intern) of `email`, for which [`look_up`](Self::look_up) gave
    /// `found` (emails interned since included: an email not found then is looked up again).
    fn intern_found(&mut self, email: &str, found: Found) -> Option<u32> {
        let hash = match found? {
            Ok(c) => return Some(c),
            Err(hash) => hash,
        };
        let key = Self::key(email)?;
        let again = self
            .email_index
            .find_hashed(hash, &key, &self.contact_email);
        Some(again.unwrap_or_else(|hash| self.add_contact(&key, hash)))
    }

    /// A new contact for the normalised email `key`, indexed under its `hash`.
    fn add_contact(&mut self, key: &str, hash: u64) -> u32 {
        let c = self.new_contact(key);
        self.email_index.insert(hash, c);
        c
    }

    /// Interns a guest email (normalised). Returns `None` for a blank email. Allocates only the
    /// first time an email is seen.
    ///
    /// ```
    /// let mut ds = relance::customer::Dataset::new();
    /// assert_eq!(ds.guest(" G@x.io"), ds.guest("g@x.io"));
    /// assert!(ds.guest("  ").is_none());
    /// ```
    pub fn guest(&mut self, email: &str) -> Option<GuestIdx> {
        self.intern(email).map(GuestIdx)
    }

    /// [`guest`](Self::guest), the email looked up already ([`look_up_all`](Self::look_up_all)).
    pub(crate) fn guest_found(&mut self, email: &str, found: Found) -> Option<GuestIdx> {
        self.intern_found(email, found).map(GuestIdx)
    }

    /// Interns an order status name: standard names give the standard variant
    /// ([`OrderStatus::parse_standard`]), anything else an [`OrderStatus::Other`] shared by all
    /// orders with that (trimmed, case-sensitive) name.
    ///
    /// # Panics
    /// Past 65 535 distinct custom statuses.
    ///
    /// ```
    /// use relance::customer::{Dataset, OrderStatus};
    /// let mut ds = Dataset::new();
    /// assert_eq!(ds.status("paid"), OrderStatus::Paid);
    /// let hold = ds.status("on-hold");
    /// assert_eq!(ds.status("on-hold"), hold);
    /// assert_eq!(ds.status_name(hold), "on-hold");
    /// ```
    pub fn status(&mut self, name: &str) -> OrderStatus {
        if let Some(s) = OrderStatus::parse_standard(name) {
            return s;
        }
        let t = name.trim();
        if let Some(i) = self.statuses.iter().position(|s| s == t) {
            return OrderStatus::Other(CustomStatus(u16::try_from(i).unwrap_or(u16::MAX)));
        }
        let i = u16::try_from(self.statuses.len()).unwrap_or(u16::MAX);
        assert!(i != u16::MAX, "too many custom statuses");
        self.statuses.push(t.to_owned());
        OrderStatus::Other(CustomStatus(i))
    }

    /// Name of a status (the interned name for [`OrderStatus::Other`]; `"?"` if unknown here).
    ///
    /// ```
    /// use relance::customer::{Dataset, OrderStatus};
    /// assert_eq!(Dataset::new().status_name(OrderStatus::Refunded), "refunded");
    /// ```
    #[must_use]
    pub fn status_name(&self, status: OrderStatus) -> &str {
        match status {
            OrderStatus::Other(CustomStatus(i)) => {
                self.statuses.get(i as usize).map_or("?", String::as_str)
            }
            s => s.standard_name().unwrap_or("?"),
        }
    }

    /// Custom status names in interning order.
    ///
    /// ```
    /// let mut ds = relance::customer::Dataset::new();
    /// ds.status("on-hold");
    /// assert_eq!(ds.custom_statuses(), ["on-hold".to_string()]);
    /// ```
    #[must_use]
    pub fn custom_statuses(&self) -> &[String] {
        &self.statuses
    }

    /// Adds an order.
    ///
    /// # Panics
    /// Past `u32::MAX - 1` orders.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use relance::customer::*;
    /// let mut ds = Dataset::new();
    /// let g = ds.guest("g@x.io").unwrap();
    /// let idx = ds.add_order(Order::new(OrderId(1), Buyer::Guest(g),
    ///     Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(), OrderStatus::Paid, Money::new(100, Currency::EUR)));
    /// assert_eq!(idx, OrderIdx(0));
    /// ```
    pub fn add_order(&mut self, order: Order) -> OrderIdx {
        let idx = u32::try_from(self.order_cols.len()).unwrap_or(NONE);
        let contact = self.resolve(order.buyer);
        self.add_customer_order(order, contact);
        OrderIdx(idx)
    }

    /// [`add_order`](Self::add_order) for an order whose contact the caller looked up
    /// already (for a customer's order, in [`customer_contacts`](Self::customer_contacts),
    /// which never changes for a row once added).
    pub(crate) fn add_customer_order(&mut self, order: Order, contact: u32) {
        debug_assert_eq!(contact, self.resolve(order.buyer));
        assert!(self.order_cols.len() < NONE as usize, "too many orders");
        self.order_cols.push(&order, contact);
    }

    /// Appends orders put together apart ([`OrderColumns`] of their own, each with its
    /// buyer's contact resolved as [`add_customer_order`](Self::add_customer_order) takes
    /// it), as if each was added in turn.
    pub(crate) fn append_orders(&mut self, chunk: &mut OrderColumns) {
        debug_assert!((0..chunk.len()).all(|i| {
            chunk
                .get(i)
                .is_some_and(|o| chunk.contact[i] == self.resolve(o.buyer))
        }));
        self.order_cols.append(chunk);
    }

    /// The contact of each customer row so far, by row.
    pub(crate) fn customer_contacts(&self) -> &[u32] {
        &self.customer_contact
    }

    /// Adds a cart.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use relance::customer::*;
    /// let mut ds = Dataset::new();
    /// let g = ds.guest("g@x.io").unwrap();
    /// let t = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    /// ds.add_cart(Cart { id: CartId(1), owner: Buyer::Guest(g), created_at: t, updated_at: t,
    ///     item_count: 2, total: None, converted_order: None });
    /// assert_eq!(ds.carts().len(), 1);
    /// ```
    pub fn add_cart(&mut self, cart: Cart) {
        let contact = self.resolve(cart.owner);
        self.add_cart_of(cart, contact);
    }

    /// [`add_cart`](Self::add_cart) with its owner's contact already known (a loader that
    /// looked the owner up has it: one random read per cart less).
    pub(crate) fn add_cart_of(&mut self, cart: Cart, contact: u32) {
        debug_assert_eq!(contact, self.resolve(cart.owner));
        self.cart_contact.push(contact);
        self.carts.push(cart);
    }

    /// Adds a login event.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use relance::customer::*;
    /// let mut ds = Dataset::new();
    /// let c = ds.add_customer(Customer { id: "1".into(), email: "a@x.io".into(), ..Customer::default() });
    /// ds.add_login(Login { customer: c, at: Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap() });
    /// assert_eq!(ds.logins().len(), 1);
    /// ```
    pub fn add_login(&mut self, login: Login) {
        let contact = self.resolve(Buyer::Customer(login.customer));
        self.add_login_of(login, contact);
    }

    /// [`add_login`](Self::add_login) with its customer's contact already known.
    pub(crate) fn add_login_of(&mut self, login: Login, contact: u32) {
        debug_assert_eq!(contact, self.resolve(Buyer::Customer(login.customer)));
        self.login_contact.push(contact);
        self.logins.push(login);
    }

    /// Adds a delivery event (prefer [`Order::delivered_at`] when building orders).
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use relance::customer::*;
    /// let mut ds = Dataset::new();
    /// let g = ds.guest("g@x.io").unwrap();
    /// let t = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    /// let o = ds.add_order(Order::new(OrderId(1), Buyer::Guest(g), t, OrderStatus::Paid, Money::new(1, Currency::EUR)));
    /// ds.add_delivery(Delivery { order: o, delivered_at: t });
    /// assert_eq!(ds.deliveries().len(), 1);
    /// ```
    pub fn add_delivery(&mut self, delivery: Delivery) {
        self.deliveries.push(delivery);
    }

    /// Sets (or moves later) an order's delivery instant: keeps the latest of the current
    /// value and `at`. Returns `false` if the index is unknown.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use relance::customer::*;
    /// let mut ds = Dataset::new();
    /// let g = ds.guest("g@x.io").unwrap();
    /// let t = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    /// let o = ds.add_order(Order::new(OrderId(1), Buyer::Guest(g), t, OrderStatus::Paid, Money::new(1, Currency::EUR)));
    /// assert!(ds.set_delivered_at(o, t));
    /// assert_eq!(ds.orders().get(0).unwrap().delivered_at, Some(t));
    /// ```
    pub fn set_delivered_at(&mut self, idx: OrderIdx, at: DateTime<Utc>) -> bool {
        self.order_cols.deliver(idx.0 as usize, at)
    }

    /// The orders' columns, taken out while something else than the orders is added (the
    /// deliveries folded apart while the carts and logins are); put back with
    /// [`put_orders`](Self::put_orders). Without them the dataset has no order.
    pub(crate) fn take_orders(&mut self) -> OrderColumns {
        std::mem::take(&mut self.order_cols)
    }

    /// Puts back the columns [`take_orders`](Self::take_orders) took.
    pub(crate) fn put_orders(&mut self, orders: OrderColumns) {
        debug_assert!(self.order_cols.len() == 0, "orders added while taken out");
        self.order_cols = orders;
    }

    /// The orders, indexed by [`OrderIdx`] (stored as columns: each [`Order`] is put
    /// together when read, exactly as it was added).
    ///
    /// ```
    /// assert!(relance::customer::Dataset::new().orders().is_empty());
    /// ```
    #[must_use]
    pub fn orders(&self) -> Orders<'_> {
        Orders::new(&self.order_cols)
    }

    /// The currency most orders are in (the natural reporting currency), or `None` without
    /// orders. Ties go to the currency seen first.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// use relance::customer::{Buyer, Currency, Dataset, Money, Order, OrderId, OrderStatus};
    /// let mut ds = Dataset::new();
    /// let g = ds.guest("a@example.com").unwrap();
    /// let at = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    /// ds.add_order(Order::new(OrderId(1), Buyer::Guest(g), at, OrderStatus::Paid, Money::new(100, Currency::USD)));
    /// assert_eq!(ds.most_common_currency(), Some(Currency::USD));
    /// ```
    #[must_use]
    pub fn most_common_currency(&self) -> Option<Currency> {
        let counts = self.order_cols.currency_counts();
        let best = counts.iter().map(|e| e.1).max()?;
        counts.into_iter().find(|e| e.1 == best).map(|e| e.0)
    }

    /// The carts.
    ///
    /// ```
    /// assert!(relance::customer::Dataset::new().carts().is_empty());
    /// ```
    #[must_use]
    pub fn carts(&self) -> &[Cart] {
        &self.carts
    }

    /// The login events.
    ///
    /// ```
    /// assert!(relance::customer::Dataset::new().logins().is_empty());
    /// ```
    #[must_use]
    pub fn logins(&self) -> &[Login] {
        &self.logins
    }

    /// The delivery events.
    ///
    /// ```
    /// assert!(relance::customer::Dataset::new().deliveries().is_empty());
    /// ```
    #[must_use]
    pub fn deliveries(&self) -> &[Delivery] {
        &self.deliveries
    }

    /// Number of contacts (distinct normalised emails, plus blank-email customer rows).
    ///
    /// ```
    /// let mut ds = relance::customer::Dataset::new();
    /// ds.guest("a@x.io");
    /// ds.guest("b@x.io");
    /// assert_eq!(ds.contact_count(), 2);
    /// ```
    #[must_use]
    pub fn contact_count(&self) -> usize {
        self.contact_email.len()
    }

    /// Contact of a buyer; `NONE` for an index this dataset never handed out.
    fn resolve(&self, buyer: Buyer) -> u32 {
        match buyer {
            Buyer::Customer(c) => self
                .customer_contact
                .get(c.0 as usize)
                .copied()
                .unwrap_or(NONE),
            Buyer::Guest(g) if (g.0 as usize) < self.contact_email.len() => g.0,
            Buyer::Guest(_) => NONE,
        }
    }

    /// The contact of a buyer.
    ///
    /// ```
    /// let mut ds = relance::customer::Dataset::new();
    /// let g = ds.guest("a@x.io").unwrap();
    /// assert_eq!(ds.contact_of(relance::customer::Buyer::Guest(g)).0, 0);
    /// ```
    #[must_use]
    pub fn contact_of(&self, buyer: Buyer) -> ContactIdx {
        ContactIdx(match buyer {
            Buyer::Customer(c) => self.customer_contact[c.0 as usize],
            Buyer::Guest(g) => g.0,
        })
    }

    /// The normalised email of a contact (empty for a blank-email customer row).
    ///
    /// ```
    /// let mut ds = relance::customer::Dataset::new();
    /// let g = ds.guest("A@x.io").unwrap();
    /// assert_eq!(ds.contact_email(relance::customer::ContactIdx(g.0)), "a@x.io");
    /// ```
    #[must_use]
    pub fn contact_email(&self, contact: ContactIdx) -> &str {
        &self.contact_email[contact.0 as usize]
    }

    /// The contact of a normalised-or-not email, if known.
    ///
    /// ```
    /// let mut ds = relance::customer::Dataset::new();
    /// let g = ds.guest("a@x.io").unwrap();
    /// assert_eq!(ds.find_contact(" A@X.IO").map(|c| c.0), Some(g.0));
    /// ```
    #[must_use]
    pub fn find_contact(&self, email: &str) -> Option<ContactIdx> {
        self.email_index
            .find(&normalize_email(email), &self.contact_email)
            .ok()
            .map(ContactIdx)
    }

    /// Customer rows of a contact, in insertion order.
    ///
    /// ```
    /// use relance::customer::{Customer, Dataset, ContactIdx};
    /// let mut ds = Dataset::new();
    /// ds.add_customer(Customer { id: "1".into(), email: "a@x.io".into(), ..Customer::default() });
    /// ds.add_customer(Customer { id: "2".into(), email: "a@x.io".into(), ..Customer::default() });
    /// assert_eq!(ds.contact_rows(ContactIdx(0)).count(), 2);
    /// ```
    pub fn contact_rows(&self, contact: ContactIdx) -> impl Iterator<Item = CustomerIdx> + '_ {
        let mut cur = self
            .contact_head
            .get(contact.0 as usize)
            .copied()
            .unwrap_or(NONE);
        std::iter::from_fn(move || {
            if cur == NONE {
                None
            } else {
                let c = cur;
                cur = self.customer_next[c as usize];
                Some(CustomerIdx(c))
            }
        })
    }

    /// Approximate in-memory size of the input records in bytes (struct sizes × counts plus
    /// string heap bytes), for memory budgeting.
    ///
    /// ```
    /// assert!(relance::customer::Dataset::new().approx_input_bytes() < 1024);
    /// ```
    #[must_use]
    pub fn approx_input_bytes(&self) -> usize {
        use std::mem::size_of;
        self.customers.bytes()
            + self.customers.len() * 3 * size_of::<u32>()
            + self.contact_email.bytes()
            + self.contact_email.len() * (EmailIndex::BYTES_PER_CONTACT + 4)
            + self.order_cols.approx_bytes()
            + self.carts.len() * (size_of::<Cart>() + 4)
            + self.logins.len() * (size_of::<Login>() + 4)
            + self.deliveries.len() * size_of::<Delivery>()
    }
}
