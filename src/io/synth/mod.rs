//! Deterministic synthetic shop data (for examples, tests and benchmarks).
//!
//! Modelled on the reference's performance dataset (§9): customer of an order =
//! `⌊u² · M⌋` (skewed popularity), `placed_at` uniform over 3 years from 2022-01-01 (unsorted),
//! amount = `max(1, lognormal(μ = 8.3, σ = 0.8))` cents, status valid / cancelled / refunded with
//! p = 0.90 / 0.05 / 0.05, order id = row index. On top of that: ~3 % guest orders (half of
//! them by a registered customer's email in another case), ~3 % of orders in USD (rate to EUR
//! [`USD_TO_EUR`]), 2 % partial refunds, deliveries for ~70 % of shipped/completed orders,
//! ~0.5 % duplicate customer rows (same email, other case), carts (N/4, ~40 % linked to an
//! order, ~10 % empty) and logins (N/2). Same config → same data, bit for bit (splitmix64).

mod marketplace;

pub use marketplace::{MarketplaceConfig, SynthMarketplace, generate_marketplace};

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use crate::customer::{
    Buyer, Cart, CartId, Civility, Currency, Customer, CustomerIdx, Dataset, FxRate, GuestIdx,
    Login, Money, OptIn, Order, OrderId, OrderStatus,
};

/// Rate of the generated USD orders to the EUR reporting currency.
pub const USD_TO_EUR: f64 = 0.92;

/// Generator parameters.
///
/// ```
/// let c = relance::io::synth::SynthConfig::new(1000, 100, 42);
/// assert_eq!(c.orders, 1000);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SynthConfig {
    /// Number of orders.
    pub orders: usize,
    /// Number of customer rows.
    pub customers: usize,
    /// PRNG seed.
    pub seed: u64,
}

impl SynthConfig {
    /// A configuration.
    ///
    /// ```
    /// let c = relance::io::synth::SynthConfig::new(10, 5, 1);
    /// assert_eq!(c.seed, 1);
    /// ```
    #[must_use]
    pub const fn new(orders: usize, customers: usize, seed: u64) -> Self {
        Self {
            orders,
            customers,
            seed,
        }
    }
}

/// A generated shop: the dataset (reporting currency EUR) and its FX rates.
#[derive(Debug)]
pub struct SynthShop {
    /// Customers, orders (with `delivered_at`), carts and logins.
    pub dataset: Dataset,
    /// `USD → EUR`.
    pub rates: Vec<FxRate>,
}

/// splitmix64.
#[derive(Clone, Debug)]
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    #[allow(clippy::cast_precision_loss)]
    fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in [0, n).
    #[allow(clippy::cast_possible_truncation)]
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n.max(1))) >> 64) as u64
    }
    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.f64();
        let u2 = self.f64();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

const FIRST: [&str; 8] = [
    "Alice",
    "Bruno",
    "Chloé",
    "David",
    "Emma",
    "Félix",
    "Gabrielle",
    "Hugo",
];
const LAST: [&str; 8] = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
];
const THREE_YEARS: u64 = 3 * 365 * 86_400 + 86_400;

fn start() -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(1_640_995_200, 0).unwrap_or_default() // 2022-01-01T00:00:00Z
}

fn skewed(rng: &mut Rng, m: usize) -> usize {
    let u = rng.f64();
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let c = (u * u * m as f64) as usize;
    c.min(m.saturating_sub(1))
}

fn secs(s: u64) -> TimeDelta {
    TimeDelta::seconds(i64::try_from(s).unwrap_or(0))
}

/// Generates a shop.
///
/// ```
/// use relance::io::synth::{generate, SynthConfig};
/// let shop = generate(&SynthConfig::new(1000, 100, 7));
/// assert_eq!(shop.dataset.orders().len(), 1000);
/// assert_eq!(shop.dataset.customers().len(), 100);
/// ```
#[must_use]
pub fn generate(config: &SynthConfig) -> SynthShop {
    let mut ds = Dataset::with_capacity(config.customers, config.orders);
    let mut sink = InMemory(&mut ds);
    // Rows into memory: nothing can fail.
    let _ = make(config, &mut sink);
    SynthShop {
        dataset: ds,
        rates: rates(),
    }
}

/// Writes the shop [`generate`] makes as CSV files, row by row as it makes them (the bytes
/// of [`csv::write_dir`](crate::io::csv::write_dir) on the generated dataset), holding only
/// the customers in memory: a shop of any number of orders fits. With `Some(n)` the shop
/// is written already split into `n` partitions by contact, as
/// [`csv::partition_dir`](crate::io::csv::partition_dir) would split it. Returns the
/// number of orders written to each partition (one element without partitions).
///
/// ```no_run
/// use relance::io::synth::{write_shop, SynthConfig};
/// let orders = write_shop(&SynthConfig::new(100_000_000, 10_000_000, 7), "shop".as_ref(), Some(16))?;
/// assert_eq!(orders.iter().sum::<u64>(), 100_000_000);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn write_shop(
    config: &SynthConfig,
    dir: &std::path::Path,
    partitions: Option<u32>,
) -> std::io::Result<Vec<u64>> {
    let mut sink = Streamed {
        ds: Dataset::with_capacity(config.customers, 0),
        out: crate::io::csv::ShopWriter::create(dir, partitions, &rates())?,
    };
    make(config, &mut sink)?;
    let orders = sink.out.orders_per_part().to_vec();
    sink.out.finish()?;
    Ok(orders)
}

fn rates() -> Vec<FxRate> {
    vec![FxRate {
        from: Currency::USD,
        rate: USD_TO_EUR,
    }]
}

/// Where the generator puts each row as it makes it.
trait Sink {
    /// The customers and guests so far.
    fn dataset(&self) -> &Dataset;
    fn customer(&mut self, c: Customer) -> std::io::Result<()>;
    fn guest(&mut self, email: &str) -> Option<GuestIdx>;
    fn order(&mut self, o: Order) -> std::io::Result<()>;
    fn cart(&mut self, c: Cart) -> std::io::Result<()>;
    fn login(&mut self, l: Login) -> std::io::Result<()>;
}

/// Every row into a dataset.
struct InMemory<'a>(&'a mut Dataset);

impl Sink for InMemory<'_> {
    fn dataset(&self) -> &Dataset {
        self.0
    }
    fn customer(&mut self, c: Customer) -> std::io::Result<()> {
        self.0.add_customer(c);
        Ok(())
    }
    fn guest(&mut self, email: &str) -> Option<GuestIdx> {
        self.0.guest(email)
    }
    fn order(&mut self, o: Order) -> std::io::Result<()> {
        self.0.add_order(o);
        Ok(())
    }
    fn cart(&mut self, c: Cart) -> std::io::Result<()> {
        self.0.add_cart(c);
        Ok(())
    }
    fn login(&mut self, l: Login) -> std::io::Result<()> {
        self.0.add_login(l);
        Ok(())
    }
}

/// Customers and guests into a dataset (to resolve buyers), every row to the files.
struct Streamed {
    ds: Dataset,
    out: crate::io::csv::ShopWriter,
}

impl Sink for Streamed {
    fn dataset(&self) -> &Dataset {
        &self.ds
    }
    fn customer(&mut self, c: Customer) -> std::io::Result<()> {
        let idx = self.ds.add_customer(c);
        match self.ds.customer(idx) {
            Some(row) => self.out.customer(row),
            None => Ok(()),
        }
    }
    fn guest(&mut self, email: &str) -> Option<GuestIdx> {
        self.ds.guest(email)
    }
    fn order(&mut self, o: Order) -> std::io::Result<()> {
        self.out.order(&self.ds, &o)
    }
    fn cart(&mut self, c: Cart) -> std::io::Result<()> {
        self.out.cart(&self.ds, &c)
    }
    fn login(&mut self, l: Login) -> std::io::Result<()> {
        self.out.login(&self.ds, &l)
    }
}

/// Makes the shop's rows, in order, into `sink`.
fn make(config: &SynthConfig, sink: &mut impl Sink) -> std::io::Result<()> {
    let mut rng = Rng(config.seed);
    let (m, n) = (config.customers, config.orders);
    let t0 = start();
    let signup0 = t0 - TimeDelta::days(2 * 365);
    for i in 0..m {
        sink.customer(customer(&mut rng, i, signup0))?;
    }
    let guest_pool: Vec<GuestIdx> = (0..(n / 60).max(1))
        .filter_map(|k| sink.guest(&format!("g{k}@guest.example")))
        .collect();
    add_orders(sink, &mut rng, (m, n), &guest_pool)?;
    add_carts(sink, &mut rng, (m, n), &guest_pool)?;
    if m > 0 {
        for _ in 0..n / 2 {
            let c = skewed(&mut rng, m);
            sink.login(Login {
                customer: CustomerIdx(u32::try_from(c).unwrap_or(0)),
                at: t0 + secs(rng.below(THREE_YEARS)),
            })?;
        }
    }
    Ok(())
}

/// Customer row `i` (row 11 on: 1 in 200 duplicates an earlier row's email in another case).
fn customer(rng: &mut Rng, i: usize, signup0: DateTime<Utc>) -> Customer {
    let dup = i > 10 && rng.below(200) == 0;
    let email = if dup {
        let j = rng.below(i as u64);
        format!("C{j}@Example.com")
    } else {
        format!("c{i}@example.com")
    };
    let signed = signup0 + secs(rng.below(5 * 365 * 86_400));
    let updated = signed + secs(rng.below(365 * 86_400));
    let groups = match rng.below(4) {
        0 => vec![],
        1 => vec!["1".to_owned(), "3".to_owned()],
        _ => vec!["1".to_owned()],
    };
    #[allow(clippy::cast_possible_truncation)]
    let fi = rng.below(8) as usize;
    #[allow(clippy::cast_possible_truncation)]
    let li = rng.below(8) as usize;
    let civ = match rng.below(3) {
        0 => Some(Civility::Mr),
        1 => Some(Civility::Mrs),
        _ => None,
    };
    let birth = NaiveDate::from_num_days_from_ce_opt(
        715_000 + i32::try_from(rng.below(20_000)).unwrap_or(0),
    );
    let opt = if rng.below(10) < 4 {
        OptIn::Yes
    } else {
        OptIn::No
    };
    let phone = (rng.below(3) > 0).then(|| format!("+336{:08}", rng.below(100_000_000)));
    let postcode = (rng.below(4) > 0).then(|| format!("{:05}", rng.below(100_000)));
    Customer {
        id: (i + 1).to_string(),
        email,
        first_name: Some(FIRST[fi].to_owned()),
        last_name: Some(LAST[li].to_owned()),
        civility: civ,
        birth_date: birth,
        phone,
        postcode,
        signed_up_at: Some(signed),
        updated_at: Some(updated),
        last_login_at: None,
        newsletter_optin: opt,
        newsletter_optin_at: (opt == OptIn::Yes).then_some(signed),
        group_ids: groups,
        shop_id: Some("1".to_owned()),
        is_guest: false,
    }
}

/// The orders: skewed customers, ~3 % guests (half of them with a registered customer's
/// email in another case), ~3 % in USD, refunds and deliveries.
fn add_orders(
    sink: &mut impl Sink,
    rng: &mut Rng,
    (customers, orders): (usize, usize),
    guest_pool: &[GuestIdx],
) -> std::io::Result<()> {
    let t0 = start();
    let mut reg_guests: Vec<Option<GuestIdx>> = Vec::new();
    for i in 0..orders {
        let who = rng.below(1000);
        let buyer = if customers > 0 && who >= 30 {
            Buyer::Customer(CustomerIdx(
                u32::try_from(skewed(rng, customers)).unwrap_or(0),
            ))
        } else if customers > 0 && who < 15 {
            // guest checkout with a registered customer's email
            let c = skewed(rng, customers);
            if reg_guests.len() < 1 << 16 {
                let email = sink.dataset().customers.email(c).to_uppercase();
                let g = sink.guest(&email);
                reg_guests.push(g);
                g.map_or(Buyer::Customer(CustomerIdx(0)), Buyer::Guest)
            } else {
                #[allow(clippy::cast_possible_truncation)]
                let g = reg_guests[rng.below(reg_guests.len() as u64) as usize];
                g.map_or(Buyer::Customer(CustomerIdx(0)), Buyer::Guest)
            }
        } else {
            #[allow(clippy::cast_possible_truncation)]
            Buyer::Guest(guest_pool[rng.below(guest_pool.len() as u64) as usize])
        };
        let placed = t0 + secs(rng.below(THREE_YEARS));
        #[allow(clippy::cast_possible_truncation)]
        let cents = ((8.3 + 0.8 * rng.normal()).exp().round() as i64).max(1);
        let currency = if rng.below(100) < 3 {
            Currency::USD
        } else {
            Currency::EUR
        };
        let kind = rng.below(100);
        let status = if kind < 90 {
            match rng.below(10) {
                0 => OrderStatus::Paid,
                1 => OrderStatus::Processing,
                2 | 3 => OrderStatus::Shipped,
                _ => OrderStatus::Completed,
            }
        } else if kind < 95 {
            OrderStatus::Cancelled
        } else {
            OrderStatus::Refunded
        };
        let mut o = Order::new(
            OrderId(i as u64),
            buyer,
            placed,
            status,
            Money::new(cents, currency),
        );
        if matches!(status, OrderStatus::Refunded) {
            o.refunded_minor = cents;
        } else if kind < 90 && rng.below(50) == 0 {
            o.refunded_minor = cents / 3;
        }
        if matches!(status, OrderStatus::Shipped | OrderStatus::Completed) && rng.below(10) < 7 {
            o.delivered_at = Some(placed + secs(86_400 + rng.below(6 * 86_400)));
        }
        sink.order(o)?;
    }
    Ok(())
}

/// `n / 4` carts of `m` customers and the guests, ~40 % linked to an order, ~10 % empty.
fn add_carts(
    sink: &mut impl Sink,
    rng: &mut Rng,
    (m, n): (usize, usize),
    guest_pool: &[GuestIdx],
) -> std::io::Result<()> {
    let t0 = start();
    for k in 0..n / 4 {
        let owner = if m > 0 && rng.below(20) > 0 {
            Buyer::Customer(CustomerIdx(u32::try_from(skewed(rng, m)).unwrap_or(0)))
        } else {
            #[allow(clippy::cast_possible_truncation)]
            Buyer::Guest(guest_pool[rng.below(guest_pool.len() as u64) as usize])
        };
        let created = t0 + secs(rng.below(THREE_YEARS));
        let updated = created + secs(rng.below(48 * 3600));
        let items = if rng.below(10) == 0 {
            0
        } else {
            1 + u32::try_from(rng.below(5)).unwrap_or(0)
        };
        let converted = (rng.below(10) < 4).then(|| OrderId(rng.below(n as u64)));
        #[allow(clippy::cast_possible_truncation)]
        let total = (items > 0).then(|| {
            Money::new(
                i64::from(items) * (500 + i64::try_from(rng.below(5000)).unwrap_or(0)),
                Currency::EUR,
            )
        });
        sink.cart(Cart {
            id: CartId(k as u64 + 1),
            owner,
            created_at: created,
            updated_at: updated,
            item_count: items,
            total,
            converted_order: converted,
        })?;
    }
    Ok(())
}
