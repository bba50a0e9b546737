//! Minimal, allocation-light CSV reading and writing of shop data and profiles (RFC 4180
//! quoting; `,` separator; first line = header, columns matched by name, unknown columns
//! ignored, missing optional columns treated as empty).
//!
//! Files of a shop directory (only `orders.csv` is required):
//! - `orders.csv`: `order_id,customer_id,email,placed_at,status,amount,currency,refunded_amount`
//!   (+ optional `cart_id,delivered_at`). `customer_id` empty for guests (then `email` is the
//!   key); `placed_at` RFC 3339; `amount`/`refunded_amount` plain decimals with `.`; `status`
//!   one of `pending, paid, processing, shipped, completed, cancelled, refunded` or any other
//!   string; `currency` ISO 4217.
//! - `customers.csv`: `customer_id,email,first_name,last_name,civility,birth_date,phone,postcode,
//!   signed_up_at,updated_at,newsletter_optin,group_ids,shop_id` (+ optional
//!   `newsletter_optin_at,last_login_at,is_guest`); `birth_date` `YYYY-MM-DD`; `newsletter_optin` `yes`/`no`/`1`/`0`/`true`/`false`
//!   or empty (unknown); `group_ids` comma-separated inside one (quoted) field.
//! - `carts.csv`: `cart_id,customer_id,email,created_at,updated_at,item_count,total,currency,
//!   converted_order_id`.
//! - `logins.csv`: `customer_id,at`.
//! - `deliveries.csv`: `order_id,delivered_at` (folded into the order's `delivered_at`, max).
//! - `rates.csv`: `currency,rate` (1 unit of `currency` = `rate` units of the reporting currency).
//!
//! Rows referencing an unknown `customer_id` create a bare customer row with that id; orders and
//! carts with neither `customer_id` nor `email` are skipped.

use std::collections::HashMap;
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

use crate::customer::money::{parse_decimal_minor, write_decimal};
use crate::customer::{
    Buyer, Cart, CartId, Civility, Consolidation, Currency, Customer, CustomerIdx, Dataset, FxRate,
    Login, Money, OptIn, Order, OrderId,
};

/// A CSV reading error.
#[derive(Debug)]
pub enum CsvError {
    /// I/O failure on a file.
    Io(PathBuf, io::Error),
    /// A bad value.
    Parse {
        /// File.
        file: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What was wrong.
        message: String,
    },
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(p, e) => write!(f, "{}: {e}", p.display()),
            Self::Parse {
                file,
                line,
                message,
            } => write!(f, "{}:{line}: {message}", file.display()),
        }
    }
}

impl std::error::Error for CsvError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io(_, e) => Some(e),
            Self::Parse { .. } => None,
        }
    }
}

/// A reusable record: unescaped fields stored in one buffer.
struct Record {
    buf: String,
    ends: Vec<usize>,
}

impl Record {
    fn get(&self, i: usize) -> &str {
        if i >= self.ends.len() {
            return "";
        }
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.buf[start..self.ends[i]]
    }
}

struct Reader {
    path: PathBuf,
    inner: BufReader<File>,
    line: String,
    line_no: usize,
    rec: Record,
    columns: Vec<String>,
}

impl Reader {
    fn open(path: PathBuf) -> Result<Option<Self>, CsvError> {
        let file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(CsvError::Io(path, e)),
        };
        let mut r = Self {
            path,
            inner: BufReader::with_capacity(1 << 20, file),
            line: String::new(),
            line_no: 0,
            rec: Record {
                buf: String::new(),
                ends: Vec::new(),
            },
            columns: Vec::new(),
        };
        if r.next()? {
            r.columns = (0..r.rec.ends.len())
                .map(|i| r.rec.get(i).trim().to_ascii_lowercase())
                .collect();
        }
        Ok(Some(r))
    }

    fn col(&self, name: &str) -> usize {
        self.columns
            .iter()
            .position(|c| c == name)
            .unwrap_or(usize::MAX)
    }

    fn err(&self, message: String) -> CsvError {
        CsvError::Parse {
            file: self.path.clone(),
            line: self.line_no,
            message,
        }
    }

    /// Reads the next record; `false` at end of file.
    fn next(&mut self) -> Result<bool, CsvError> {
        self.rec.buf.clear();
        self.rec.ends.clear();
        let mut in_quotes = false;
        let mut any = false;
        loop {
            self.line.clear();
            let n = self
                .inner
                .read_line(&mut self.line)
                .map_err(|e| CsvError::Io(self.path.clone(), e))?;
            if n == 0 {
                if any {
                    self.rec.ends.push(self.rec.buf.len());
                }
                return Ok(any);
            }
            self.line_no += 1;
            let line = self.line.trim_end_matches(['\n', '\r']);
            if !any && line.is_empty() {
                continue;
            }
            if any {
                self.rec.buf.push('\n');
            }
            any = true;
            let mut chars = line.chars().peekable();
            while let Some(ch) = chars.next() {
                if in_quotes {
                    if ch == '"' {
                        if chars.peek() == Some(&'"') {
                            chars.next();
                            self.rec.buf.push('"');
                        } else {
                            in_quotes = false;
                        }
                    } else {
                        self.rec.buf.push(ch);
                    }
                } else if ch == '"' {
                    in_quotes = true;
                } else if ch == ',' {
                    self.rec.ends.push(self.rec.buf.len());
                } else {
                    self.rec.buf.push(ch);
                }
            }
            if !in_quotes {
                self.rec.ends.push(self.rec.buf.len());
                return Ok(true);
            }
        }
    }

    fn field(&self, col: usize) -> &str {
        self.rec.get(col).trim()
    }

    fn opt(&self, col: usize) -> Option<&str> {
        Some(self.field(col)).filter(|s| !s.is_empty())
    }

    fn instant(&self, col: usize) -> Result<Option<DateTime<Utc>>, CsvError> {
        match self.opt(col) {
            None => Ok(None),
            Some(s) => parse_instant(s)
                .map(Some)
                .ok_or_else(|| self.err(format!("bad RFC 3339 instant {s:?}"))),
        }
    }
}

/// Parses an RFC 3339 instant (also accepts a space instead of `T`).
///
/// ```
/// let t = relance::customer::csv::parse_instant("2024-03-31T23:30:00+02:00").unwrap();
/// assert_eq!(t.to_rfc3339(), "2024-03-31T21:30:00+00:00");
/// ```
#[must_use]
pub fn parse_instant(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// Formats an instant as RFC 3339 UTC with a `Z` suffix (sub-second digits only if present).
///
/// ```
/// use chrono::{TimeZone, Utc};
/// let t = Utc.with_ymd_and_hms(2024, 1, 1, 9, 0, 0).unwrap();
/// assert_eq!(relance::customer::csv::format_instant(t), "2024-01-01T09:00:00Z");
/// ```
#[must_use]
pub fn format_instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn parse_optin(s: &str) -> OptIn {
    match s.trim().to_ascii_lowercase().as_str() {
        "yes" | "1" | "true" | "y" => OptIn::Yes,
        "no" | "0" | "false" | "n" => OptIn::No,
        _ => OptIn::Unknown,
    }
}

/// Customer rows by shop id, without a copy of each id: keyed by the id's hash, the row
/// holding the id. Ids whose hash is already taken by another id (vanishingly rare) go to a
/// plain map. A later row with the same id replaces the earlier one.
///
/// Copying a million ids into a map that is dropped at the end of loading used to leave a
/// million small freed blocks behind, which the allocator then sorted during the caller's
/// next large allocations (measured: ~0.2 s added to the first consolidation).
struct IdIndex<S = std::hash::RandomState> {
    state: S,
    by_hash: HashMap<u64, CustomerIdx>,
    collided: HashMap<String, CustomerIdx>,
}

impl Default for IdIndex {
    fn default() -> Self {
        Self::with_hasher(std::hash::RandomState::new())
    }
}

impl<S: std::hash::BuildHasher> IdIndex<S> {
    fn with_hasher(state: S) -> Self {
        Self {
            state,
            by_hash: HashMap::new(),
            collided: HashMap::new(),
        }
    }

    fn id(ds: &Dataset, c: CustomerIdx) -> &str {
        &ds.customers()[c.0 as usize].id
    }

    /// Indexes row `c` under its id.
    fn insert(&mut self, ds: &Dataset, c: CustomerIdx) {
        use std::collections::hash_map::Entry;
        let id = Self::id(ds, c);
        match self.by_hash.entry(self.state.hash_one(id)) {
            Entry::Vacant(e) => {
                e.insert(c);
            }
            Entry::Occupied(mut e) if Self::id(ds, *e.get()) == id => {
                e.insert(c);
            }
            Entry::Occupied(_) => {
                self.collided.insert(id.to_owned(), c);
            }
        }
    }

    fn get(&self, ds: &Dataset, id: &str) -> Option<CustomerIdx> {
        match self.by_hash.get(&self.state.hash_one(id)) {
            Some(&c) if Self::id(ds, c) == id => Some(c),
            Some(_) => self.collided.get(id).copied(),
            None => None,
        }
    }
}

/// Reads a shop directory (see the module docs). Returns the dataset and the rates of
/// `rates.csv` (empty if absent). Only `orders.csv` is required.
///
/// ```no_run
/// let (ds, rates) = relance::customer::csv::read_dir("shop".as_ref())?;
/// # Ok::<(), relance::customer::csv::CsvError>(())
/// ```
#[allow(clippy::too_many_lines)]
pub fn read_dir(dir: &Path) -> Result<(Dataset, Vec<FxRate>), CsvError> {
    let mut ds = Dataset::new();
    let mut by_id = IdIndex::default();
    if let Some(mut r) = Reader::open(dir.join("customers.csv"))? {
        let c = |n: &str| r.col(n);
        let cols = [
            c("customer_id"),
            c("email"),
            c("first_name"),
            c("last_name"),
            c("civility"),
            c("birth_date"),
            c("phone"),
            c("postcode"),
            c("signed_up_at"),
            c("updated_at"),
            c("newsletter_optin"),
            c("group_ids"),
            c("shop_id"),
            c("last_login_at"),
            c("is_guest"),
            c("newsletter_optin_at"),
        ];
        while r.next()? {
            let s = |i: usize| r.opt(cols[i]).map(str::to_owned);
            let birth = match r.opt(cols[5]) {
                None => None,
                Some(b) => Some(
                    NaiveDate::parse_from_str(b, "%Y-%m-%d")
                        .map_err(|_| r.err(format!("bad birth_date {b:?}")))?,
                ),
            };
            let customer = Customer {
                id: r.field(cols[0]).to_owned(),
                email: r.field(cols[1]).to_owned(),
                first_name: s(2),
                last_name: s(3),
                civility: r.opt(cols[4]).and_then(Civility::parse),
                birth_date: birth,
                phone: s(6),
                postcode: s(7),
                signed_up_at: r.instant(cols[8])?,
                updated_at: r.instant(cols[9])?,
                newsletter_optin: parse_optin(r.field(cols[10])),
                group_ids: r
                    .field(cols[11])
                    .split(',')
                    .map(str::trim)
                    .filter(|g| !g.is_empty())
                    .map(str::to_owned)
                    .collect(),
                shop_id: s(12),
                last_login_at: r.instant(cols[13])?,
                is_guest: parse_optin(r.field(cols[14])) == OptIn::Yes,
                newsletter_optin_at: r.instant(cols[15])?,
            };
            let idx = ds.add_customer(customer);
            by_id.insert(&ds, idx);
        }
    }
    let buyer = |ds: &mut Dataset, by_id: &mut IdIndex, id: &str, email: &str| -> Option<Buyer> {
        if id.is_empty() {
            return ds.guest(email).map(Buyer::Guest);
        }
        if let Some(c) = by_id.get(ds, id) {
            return Some(Buyer::Customer(c));
        }
        let c = ds.add_customer(Customer {
            id: id.to_owned(),
            email: email.to_owned(),
            ..Customer::default()
        });
        by_id.insert(ds, c);
        Some(Buyer::Customer(c))
    };
    let Some(mut r) = Reader::open(dir.join("orders.csv"))? else {
        return Err(CsvError::Io(
            dir.join("orders.csv"),
            io::Error::new(io::ErrorKind::NotFound, "orders.csv is required"),
        ));
    };
    let cols = [
        r.col("order_id"),
        r.col("customer_id"),
        r.col("email"),
        r.col("placed_at"),
        r.col("status"),
        r.col("amount"),
        r.col("currency"),
        r.col("refunded_amount"),
        r.col("cart_id"),
        r.col("delivered_at"),
    ];
    let mut currencies: Vec<(String, Currency)> = Vec::new();
    while r.next()? {
        let id: u64 = r
            .field(cols[0])
            .parse()
            .map_err(|_| r.err(format!("bad order_id {:?}", r.field(cols[0]))))?;
        let Some(b) = buyer(&mut ds, &mut by_id, r.field(cols[1]), r.field(cols[2])) else {
            continue; // guest order without email: no contact
        };
        let placed = r
            .instant(cols[3])?
            .ok_or_else(|| r.err("missing placed_at".into()))?;
        let status = ds.status(r.field(cols[4]));
        let code = r.field(cols[6]);
        let currency = if let Some(&(_, c)) = currencies.iter().find(|(c, _)| c == code) {
            c
        } else {
            let c =
                Currency::from_code(code).ok_or_else(|| r.err(format!("bad currency {code:?}")))?;
            currencies.push((code.to_owned(), c));
            c
        };
        let dec = |col: usize| -> Result<i64, CsvError> {
            match r.opt(col) {
                None => Ok(0),
                Some(s) => parse_decimal_minor(s, currency.exponent())
                    .ok_or_else(|| r.err(format!("bad amount {s:?}"))),
            }
        };
        let mut o = Order::new(
            OrderId(id),
            b,
            placed,
            status,
            Money::new(dec(cols[5])?, currency),
        );
        o.refunded_minor = dec(cols[7])?;
        o.cart = match r.opt(cols[8]) {
            None => None,
            Some(s) => Some(CartId(
                s.parse().map_err(|_| r.err(format!("bad cart_id {s:?}")))?,
            )),
        };
        o.delivered_at = r.instant(cols[9])?;
        ds.add_order(o);
    }
    if let Some(mut r) = Reader::open(dir.join("deliveries.csv"))? {
        let (co, cd) = (r.col("order_id"), r.col("delivered_at"));
        let index: HashMap<u64, usize> = ds
            .orders()
            .iter()
            .enumerate()
            .map(|(i, o)| (o.id.0, i))
            .collect();
        while r.next()? {
            let id: u64 = r
                .field(co)
                .parse()
                .map_err(|_| r.err(format!("bad order_id {:?}", r.field(co))))?;
            let Some(at) = r.instant(cd)? else { continue };
            if let Some(&i) = index.get(&id) {
                ds.set_delivered_at(
                    crate::customer::OrderIdx(u32::try_from(i).unwrap_or(u32::MAX)),
                    at,
                );
            }
        }
    }
    if let Some(mut r) = Reader::open(dir.join("carts.csv"))? {
        let cols = [
            r.col("cart_id"),
            r.col("customer_id"),
            r.col("email"),
            r.col("created_at"),
            r.col("updated_at"),
            r.col("item_count"),
            r.col("total"),
            r.col("currency"),
            r.col("converted_order_id"),
        ];
        while r.next()? {
            let id: u64 = r
                .field(cols[0])
                .parse()
                .map_err(|_| r.err("bad cart_id".into()))?;
            let Some(owner) = buyer(&mut ds, &mut by_id, r.field(cols[1]), r.field(cols[2])) else {
                continue;
            };
            let created = r.instant(cols[3])?;
            let updated = r.instant(cols[4])?;
            let (Some(created), updated) = (created.or(updated), updated.or(created)) else {
                return Err(r.err("cart without created_at/updated_at".into()));
            };
            let items: u32 = r
                .opt(cols[5])
                .map_or(Ok(0), str::parse)
                .map_err(|_| r.err("bad item_count".into()))?;
            let total = match (r.opt(cols[6]), r.opt(cols[7]).and_then(Currency::from_code)) {
                (Some(t), Some(c)) => Money::parse_decimal(t, c),
                _ => None,
            };
            let converted = match r.opt(cols[8]) {
                None => None,
                Some(s) => {
                    Some(OrderId(s.parse().map_err(|_| {
                        r.err(format!("bad converted_order_id {s:?}"))
                    })?))
                }
            };
            ds.add_cart(Cart {
                id: CartId(id),
                owner,
                created_at: created,
                updated_at: updated.unwrap_or(created),
                item_count: items,
                total,
                converted_order: converted,
            });
        }
    }
    if let Some(mut r) = Reader::open(dir.join("logins.csv"))? {
        let (cc, ca) = (r.col("customer_id"), r.col("at"));
        while r.next()? {
            let Some(at) = r.instant(ca)? else { continue };
            if let Some(c) = by_id.get(&ds, r.field(cc)) {
                ds.add_login(Login { customer: c, at });
            }
        }
    }
    let mut rates = Vec::new();
    if let Some(mut r) = Reader::open(dir.join("rates.csv"))? {
        let (cc, cr) = (r.col("currency"), r.col("rate"));
        while r.next()? {
            let from = Currency::from_code(r.field(cc))
                .ok_or_else(|| r.err(format!("bad currency {:?}", r.field(cc))))?;
            let rate: f64 = r
                .field(cr)
                .parse()
                .map_err(|_| r.err(format!("bad rate {:?}", r.field(cr))))?;
            rates.push(FxRate { from, rate });
        }
    }
    Ok((ds, rates))
}

/// Appends one CSV field (quoted when needed).
fn field(out: &mut String, s: &str) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

struct Row {
    s: String,
    first: bool,
}

impl Row {
    fn new() -> Self {
        Self {
            s: String::with_capacity(256),
            first: true,
        }
    }
    fn sep(&mut self) {
        if !self.first {
            self.s.push(',');
        }
        self.first = false;
    }
    fn str(&mut self, v: &str) -> &mut Self {
        self.sep();
        field(&mut self.s, v);
        self
    }
    fn opt(&mut self, v: Option<&str>) -> &mut Self {
        self.str(v.unwrap_or(""))
    }
    fn num<T: fmt::Display>(&mut self, v: Option<T>) -> &mut Self {
        use fmt::Write as _;
        self.sep();
        if let Some(v) = v {
            let _ = write!(self.s, "{v}");
        }
        self
    }
    fn at(&mut self, v: Option<DateTime<Utc>>) -> &mut Self {
        self.sep();
        if let Some(v) = v {
            self.s.push_str(&format_instant(v));
        }
        self
    }
    fn money(&mut self, v: Option<Money>) -> &mut Self {
        self.sep();
        if let Some(m) = v {
            write_decimal(&mut self.s, m.minor, m.currency.exponent());
        }
        self
    }
    fn end(&mut self, w: &mut impl Write) -> io::Result<()> {
        self.s.push('\n');
        w.write_all(self.s.as_bytes())?;
        self.s.clear();
        self.first = true;
        Ok(())
    }
}

fn create(dir: &Path, name: &str) -> io::Result<BufWriter<File>> {
    Ok(BufWriter::with_capacity(
        1 << 20,
        File::create(dir.join(name))?,
    ))
}

/// Writes a dataset as a shop directory (all six files; `deliveries.csv` from the orders'
/// `delivered_at`, which `orders.csv` then leaves out). Guest rows use the normalised email.
///
/// ```no_run
/// let shop = relance::customer::synth::generate(&relance::customer::synth::SynthConfig::new(100, 10, 1));
/// relance::customer::csv::write_dir(&shop.dataset, &shop.rates, "out".as_ref())?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[allow(clippy::too_many_lines)]
pub fn write_dir(ds: &Dataset, rates: &[FxRate], dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut row = Row::new();
    let mut w = create(dir, "customers.csv")?;
    w.write_all(b"customer_id,email,first_name,last_name,civility,birth_date,phone,postcode,signed_up_at,updated_at,newsletter_optin,group_ids,shop_id,newsletter_optin_at,last_login_at,is_guest\n")?;
    for c in ds.customers() {
        row.str(&c.id)
            .str(&c.email)
            .opt(c.first_name.as_deref())
            .opt(c.last_name.as_deref())
            .opt(c.civility.as_ref().map(Civility::as_str))
            .num(c.birth_date)
            .opt(c.phone.as_deref())
            .opt(c.postcode.as_deref())
            .at(c.signed_up_at)
            .at(c.updated_at)
            .str(match c.newsletter_optin {
                OptIn::Yes => "yes",
                OptIn::No => "no",
                OptIn::Unknown => "",
            })
            .str(&c.group_ids.join(","))
            .opt(c.shop_id.as_deref())
            .at(c.newsletter_optin_at)
            .at(c.last_login_at)
            .str(if c.is_guest { "yes" } else { "" })
            .end(&mut w)?;
    }
    w.flush()?;
    let who = |b: Buyer| -> (&str, &str) {
        match b {
            Buyer::Customer(c) => {
                let c = &ds.customers()[c.0 as usize];
                (c.id.as_str(), c.email.as_str())
            }
            Buyer::Guest(g) => ("", ds.contact_email(crate::customer::ContactIdx(g.0))),
        }
    };
    let mut w = create(dir, "orders.csv")?;
    let mut wd = create(dir, "deliveries.csv")?;
    w.write_all(b"order_id,customer_id,email,placed_at,status,amount,currency,refunded_amount\n")?;
    wd.write_all(b"order_id,delivered_at\n")?;
    for o in ds.orders() {
        let (id, email) = who(o.buyer);
        row.num(Some(o.id.0))
            .str(id)
            .str(email)
            .at(Some(o.placed_at))
            .str(ds.status_name(o.status))
            .money(Some(o.amount))
            .str(o.amount.currency.code())
            .money(
                (o.refunded_minor != 0).then_some(Money::new(o.refunded_minor, o.amount.currency)),
            )
            .end(&mut w)?;
        if let Some(d) = o.delivered_at {
            row.num(Some(o.id.0)).at(Some(d)).end(&mut wd)?;
        }
    }
    w.flush()?;
    wd.flush()?;
    let mut w = create(dir, "carts.csv")?;
    w.write_all(
        b"cart_id,customer_id,email,created_at,updated_at,item_count,total,currency,converted_order_id\n",
    )?;
    for c in ds.carts() {
        let (id, email) = who(c.owner);
        row.num(Some(c.id.0))
            .str(id)
            .str(email)
            .at(Some(c.created_at))
            .at(Some(c.updated_at))
            .num(Some(c.item_count))
            .money(c.total)
            .opt(c.total.as_ref().map(|t| t.currency.code()))
            .num(c.converted_order.map(|o| o.0))
            .end(&mut w)?;
    }
    w.flush()?;
    let mut w = create(dir, "logins.csv")?;
    w.write_all(b"customer_id,at\n")?;
    for l in ds.logins() {
        row.str(&ds.customers()[l.customer.0 as usize].id)
            .at(Some(l.at))
            .end(&mut w)?;
    }
    w.flush()?;
    if !rates.is_empty() {
        let mut w = create(dir, "rates.csv")?;
        w.write_all(b"currency,rate\n")?;
        for r in rates {
            row.str(r.from.code()).num(Some(r.rate)).end(&mut w)?;
        }
        w.flush()?;
    }
    Ok(())
}

/// Column names of [`write_profiles`], in order.
pub const PROFILE_COLUMNS: [&str; 31] = [
    "customer_id",
    "email",
    "first_name",
    "last_name",
    "civility",
    "birth_date",
    "phone",
    "postcode",
    "signed_up_at",
    "last_login_at",
    "revenue",
    "currency",
    "last_abandoned_cart_at",
    "first_order_at",
    "last_order_at",
    "last_order_amount",
    "last_order_id",
    "last_delivery_at",
    "orders_count",
    "avg_days_between_orders",
    "newsletter_optin",
    "newsletter_optin_at",
    "customer_group_ids",
    "shop_id",
    "btyd_frequency",
    "btyd_recency",
    "btyd_t",
    "btyd_monetary_value",
    "rfm_r",
    "rfm_f",
    "rfm_m",
];

/// Writes one CSV row per profile with a [`PROFILE_COLUMNS`] header: instants RFC 3339 UTC,
/// amounts plain decimals in the reporting currency, floats in shortest round-trip form,
/// empty when undefined.
///
/// ```
/// # use chrono::{TimeZone, Utc}; use relance::customer::*;
/// let mut ds = Dataset::new();
/// ds.guest("a@x.io");
/// let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(), chrono_tz::UTC)).unwrap();
/// let mut out = Vec::new();
/// csv::write_profiles(&c, &mut out).unwrap();
/// let text = String::from_utf8(out).unwrap();
/// assert!(text.starts_with("customer_id,email,"));
/// assert_eq!(text.lines().nth(1).unwrap(), ",a@x.io,,,,,,,,,0.00,EUR,,,,,,,0,,Unknown,,,,,,,,,,");
/// ```
pub fn write_profiles(c: &Consolidation<'_>, mut w: impl Write) -> io::Result<()> {
    w.write_all(PROFILE_COLUMNS.join(",").as_bytes())?;
    w.write_all(b"\n")?;
    let mut row = Row::new();
    let mut groups = String::new();
    for p in c.iter() {
        groups.clear();
        for (i, g) in p.customer_group_ids().iter().enumerate() {
            if i > 0 {
                groups.push(',');
            }
            groups.push_str(g);
        }
        let (revenue, btyd, rfm) = (p.revenue(), p.btyd(), p.rfm());
        row.opt(p.customer_id())
            .str(p.email())
            .opt(p.first_name())
            .opt(p.last_name())
            .opt(p.civility().map(Civility::as_str))
            .num(p.birth_date())
            .opt(p.phone())
            .opt(p.postcode())
            .at(p.signed_up_at())
            .at(p.last_login_at())
            .money(Some(revenue))
            .str(revenue.currency.code())
            .at(p.last_abandoned_cart_at())
            .at(p.first_order_at())
            .at(p.last_order_at())
            .money(p.last_order_amount())
            .num(p.last_order_id().map(|o| o.0))
            .at(p.last_delivery_at())
            .num(Some(p.orders_count()))
            .num(p.avg_days_between_orders())
            .str(p.newsletter_optin().as_str())
            .at(p.newsletter_optin_at())
            .str(&groups)
            .opt(p.shop_id())
            .num(btyd.map(|b| b.frequency))
            .num(btyd.map(|b| b.recency))
            .num(btyd.map(|b| b.t))
            .num(btyd.map(|b| b.monetary_value))
            .num(rfm.map(|r| r.r))
            .num(rfm.map(|r| r.f))
            .num(rfm.map(|r| r.m))
            .end(&mut w)?;
    }
    w.flush()
}

/// Writes a dataset's profiles to a file path (convenience for [`write_profiles`]).
///
/// ```no_run
/// # use chrono::{TimeZone, Utc}; use relance::customer::*;
/// let ds = Dataset::new();
/// let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(), chrono_tz::UTC)).unwrap();
/// csv::write_profiles_file(&c, "profiles.csv".as_ref())?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn write_profiles_file(c: &Consolidation<'_>, path: &Path) -> io::Result<()> {
    write_profiles(c, BufWriter::with_capacity(1 << 20, File::create(path)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customer::Customer;

    /// Every id hashes to the same value: all but the first go through the collision map.
    #[derive(Default)]
    struct Constant;
    impl std::hash::BuildHasher for Constant {
        type Hasher = Constant;
        fn build_hasher(&self) -> Constant {
            Constant
        }
    }
    impl std::hash::Hasher for Constant {
        fn finish(&self) -> u64 {
            7
        }
        fn write(&mut self, _: &[u8]) {}
    }

    fn index<S: std::hash::BuildHasher>(mut idx: IdIndex<S>) -> (Dataset, IdIndex<S>) {
        let mut ds = Dataset::new();
        for (id, email) in [
            ("a", "1@x.io"),
            ("b", "2@x.io"),
            ("a", "3@x.io"),
            ("c", "4@x.io"),
        ] {
            let c = ds.add_customer(Customer {
                id: id.into(),
                email: email.into(),
                ..Customer::default()
            });
            idx.insert(&ds, c);
        }
        (ds, idx)
    }

    #[test]
    fn id_index_finds_the_last_row_of_each_id_with_and_without_collisions() {
        let (ds, plain) = index(IdIndex::default());
        let (_, colliding) = index(IdIndex::with_hasher(Constant));
        assert!(!colliding.collided.is_empty());
        for idx in [&plain.get(&ds, "a"), &colliding.get(&ds, "a")] {
            assert_eq!(
                *idx,
                Some(CustomerIdx(2)),
                "a later row replaces an earlier one"
            );
        }
        for (id, want) in [
            ("b", Some(CustomerIdx(1))),
            ("c", Some(CustomerIdx(3))),
            ("d", None),
        ] {
            assert_eq!(plain.get(&ds, id), want, "{id}");
            assert_eq!(colliding.get(&ds, id), want, "{id} (colliding)");
        }
    }
}
