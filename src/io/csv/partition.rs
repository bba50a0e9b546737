//! Splitting a shop directory into partitions by contact
//! ([`customer::partition`](crate::customer::partition)), so that each part can be
//! consolidated alone, in the memory of the largest part.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};

use super::CsvError;
use super::read::no_parent;
use super::reader::position;
use crate::customer::normalize_email;
use crate::customer::partition::partition_of_key;

/// The directory of partition `i` under `root`: `part-00000`, `part-00001`, ...
///
/// ```
/// let d = relance::io::csv::partition_path("out".as_ref(), 3);
/// assert!(d.ends_with("part-00003"));
/// ```
#[must_use]
pub fn partition_path(root: &Path, i: u32) -> PathBuf {
    root.join(format!("part-{i:05}"))
}

/// The partition directories under `root` (`part-*`), in order.
///
/// ```no_run
/// for part in relance::io::csv::partitions("shop-parts".as_ref())? {
///     let (dataset, rates) = relance::io::csv::read_dir(&part)?;
/// }
/// # Ok::<(), relance::io::csv::CsvError>(())
/// ```
pub fn partitions(root: &Path) -> Result<Vec<PathBuf>, CsvError> {
    let io_err = |e| CsvError::Io(root.to_path_buf(), e);
    let mut parts = Vec::new();
    for entry in fs::read_dir(root).map_err(io_err)? {
        let path = entry.map_err(io_err)?.path();
        let is_part = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("part-"));
        if is_part && path.is_dir() {
            parts.push(path);
        }
    }
    parts.sort();
    Ok(parts)
}

/// One table being split: its source rows and one writer per partition.
struct Table {
    path: PathBuf,
    reader: csv::Reader<File>,
    columns: Vec<String>,
    writers: Vec<csv::Writer<BufWriter<File>>>,
    record: csv::StringRecord,
}

impl Table {
    /// Opens `name` in `src` (none when absent) and creates it, header first, in each part.
    fn open(src: &Path, name: &str, parts: &[PathBuf]) -> Result<Option<Self>, CsvError> {
        let path = src.join(name);
        let file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(CsvError::Io(path, e)),
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(file);
        let mut header = csv::StringRecord::new();
        let read = reader.read_record(&mut header);
        let failed = |e: csv::Error| CsvError::Parse {
            file: path.clone(),
            line: 1,
            message: e.to_string(),
        };
        read.map_err(failed)?;
        let mut writers = Vec::with_capacity(parts.len());
        for part in parts {
            let out = part.join(name);
            let file = File::create(&out).map_err(|e| CsvError::Io(out.clone(), e))?;
            let mut w = csv::WriterBuilder::new()
                .flexible(true)
                .from_writer(BufWriter::with_capacity(1 << 16, file));
            w.write_record(&header)
                .map_err(|e| CsvError::Io(out, e.into()))?;
            writers.push(w);
        }
        Ok(Some(Self {
            columns: header
                .iter()
                .map(|c| c.trim().to_ascii_lowercase())
                .collect(),
            path,
            reader,
            writers,
            record: csv::StringRecord::new(),
        }))
    }

    fn col(&self, name: &str) -> usize {
        position(&self.columns, name)
    }

    fn field(&self, col: usize) -> &str {
        self.record.get(col).unwrap_or("").trim()
    }

    /// The next non-blank row; `false` at the end.
    fn next(&mut self) -> Result<bool, CsvError> {
        loop {
            let more = self
                .reader
                .read_record(&mut self.record)
                .map_err(|e| CsvError::Parse {
                    file: self.path.clone(),
                    line: e
                        .position()
                        .map_or(0, |p| usize::try_from(p.line()).unwrap_or(0)),
                    message: e.to_string(),
                })?;
            if more && self.record.len() == 1 && self.record[0].trim().is_empty() {
                continue;
            }
            return Ok(more);
        }
    }

    /// Writes the current row to partition `p`.
    fn write(&mut self, p: u32) -> Result<(), CsvError> {
        let w = &mut self.writers[p as usize];
        w.write_record(&self.record)
            .map_err(|e| CsvError::Io(self.path.clone(), e.into()))
    }

    fn finish(self) -> Result<(), CsvError> {
        for mut w in self.writers {
            w.flush().map_err(|e| CsvError::Io(self.path.clone(), e))?;
        }
        Ok(())
    }
}

/// Where the rows of a shop go: customers by id, orders by id, as the shop readers resolve
/// them (a later customer row with the same id wins; an unknown id met in an order or a
/// cart becomes a customer of that row's email).
struct Router {
    partitions: u32,
    customers: HashMap<String, u32>,
    orders: HashMap<u64, u32>,
}

impl Router {
    fn key(&self, email: &str) -> u32 {
        partition_of_key(&normalize_email(email), self.partitions)
    }

    /// The partition of a buyer (`customer_id`, `email`); `None` for a row without either
    /// (which the readers skip).
    fn buyer(&mut self, id: &str, email: &str) -> Option<u32> {
        if id.is_empty() {
            return (!normalize_email(email).is_empty()).then(|| self.key(email));
        }
        if let Some(&p) = self.customers.get(id) {
            return Some(p);
        }
        let p = self.key(email);
        self.customers.insert(id.to_owned(), p);
        Some(p)
    }
}

/// Splits the shop directory `src` into `partitions` directories `dst/part-NNNNN` (see
/// [`partition_path`]), each a shop directory of the same files and columns holding the
/// rows of the contacts of its partition
/// ([`customer::partition`](crate::customer::partition)): customer rows by their email,
/// orders and carts by their buyer, logins by their customer, deliveries by their order;
/// `rates.csv` is copied to each. Rows the readers would skip (a login of an unknown
/// customer, an order without id nor email, a seller's child order) go to partition 0, so
/// nothing is lost. Row order within a file is kept.
///
/// Consolidating each part alone gives every contact the profile it has in the whole shop
/// (RFM quantiles aside, which compare contacts). Returns the number of orders rows per
/// partition. Memory: a map of customer ids and one of order ids (about 40 bytes per
/// order).
///
/// ```no_run
/// let orders = relance::io::csv::partition_dir("shop".as_ref(), "shop-parts".as_ref(), 8)?;
/// assert_eq!(orders.len(), 8);
/// # Ok::<(), relance::io::csv::CsvError>(())
/// ```
pub fn partition_dir(src: &Path, dst: &Path, partitions: u32) -> Result<Vec<u64>, CsvError> {
    let n = partitions.max(1);
    let parts: Vec<PathBuf> = (0..n).map(|i| partition_path(dst, i)).collect();
    for part in &parts {
        fs::create_dir_all(part).map_err(|e| CsvError::Io(part.clone(), e))?;
    }
    let mut router = Router {
        partitions: n,
        customers: HashMap::new(),
        orders: HashMap::new(),
    };
    if let Some(mut t) = Table::open(src, "customers.csv", &parts)? {
        let (ci, ce) = (t.col("customer_id"), t.col("email"));
        while t.next()? {
            let p = router.key(t.field(ce));
            router.customers.insert(t.field(ci).to_owned(), p);
            t.write(p)?;
        }
        t.finish()?;
    }
    let mut orders_per_part = vec![0u64; n as usize];
    if let Some(mut t) = Table::open(src, "orders.csv", &parts)? {
        let (oi, ci, ce, pa) = (
            t.col("order_id"),
            t.col("customer_id"),
            t.col("email"),
            t.col("parent_order_id"),
        );
        while t.next()? {
            let buyer = if no_parent(t.field(pa)) {
                router.buyer(t.field(ci), t.field(ce))
            } else {
                None
            };
            if let (Some(p), Ok(id)) = (buyer, t.field(oi).parse::<u64>()) {
                router.orders.insert(id, p);
            }
            let p = buyer.unwrap_or(0);
            orders_per_part[p as usize] += 1;
            t.write(p)?;
        }
        t.finish()?;
    }
    if let Some(mut t) = Table::open(src, "deliveries.csv", &parts)? {
        let oi = t.col("order_id");
        while t.next()? {
            let p = t
                .field(oi)
                .parse::<u64>()
                .ok()
                .and_then(|id| router.orders.get(&id).copied());
            t.write(p.unwrap_or(0))?;
        }
        t.finish()?;
    }
    if let Some(mut t) = Table::open(src, "carts.csv", &parts)? {
        let (ci, ce) = (t.col("customer_id"), t.col("email"));
        while t.next()? {
            let p = router.buyer(t.field(ci), t.field(ce));
            t.write(p.unwrap_or(0))?;
        }
        t.finish()?;
    }
    if let Some(mut t) = Table::open(src, "logins.csv", &parts)? {
        let ci = t.col("customer_id");
        while t.next()? {
            let p = router.customers.get(t.field(ci)).copied();
            t.write(p.unwrap_or(0))?;
        }
        t.finish()?;
    }
    if let Some(mut t) = Table::open(src, "rates.csv", &parts)? {
        while t.next()? {
            for p in 0..n {
                t.write(p)?;
            }
        }
        t.finish()?;
    }
    Ok(orders_per_part)
}
