//! Consolidates a shop directory of CSV files into one profile row per contact.
//!
//! ```text
//! cargo run --release --example consolidate_csv -- --in DIR --as-of RFC3339 [--tz IANA_NAME]
//!     --out profiles.csv [--currency CUR] [--rate CUR=x]... [--threads N] [--rfm Q]
//!     [--clv-horizon-days N]
//! ```
//!
//! With the `parquet` feature (`--features parquet`), each table is read from
//! `DIR/NAME.parquet` where that file exists (else `DIR/NAME.csv`), and an `--out` path
//! ending in `.parquet` is written as Parquet.
//!
//! A directory without `orders.csv` but with partitions `part-00000`, `part-00001`, ...
//! (each a shop directory, as `partition_shop` writes them) is consolidated one partition
//! at a time, in the memory of the largest one, into one output file (CSV); the reporting
//! currency is then `--currency` (default EUR), and RFM quantiles are computed within each
//! partition.
//!
//! - `--tz`: shop timezone for calendar days (default `UTC`).
//! - `--currency`: reporting currency (default: the most common currency of `orders.csv`).
//! - `--rate CUR=x`: 1 `CUR` = `x` reporting units; adds to / overrides `DIR/rates.csv`.
//! - `--rfm Q`: also compute RFM scores with `Q` quantiles (default 4; `0` = skip).
//! - `--clv-horizon-days N`: also fit the BG/NBD and Gamma-Gamma models on the buyers
//!   (`relance::customer::clv`, as `lifetimes` fits them, no penalizer), print the fitted
//!   parameters to stderr as one line `clv: r=… alpha=… a=… b=… p=… q=… v=…` (days), and add
//!   the columns `p_alive, expected_purchases, expected_avg_value, expected_value` (over the
//!   next `N` days) to the output.
//! - `--repeat N`: consolidate `N` times (default 1) and report the median time (the runs after
//!   the first reuse memory the allocator kept, so they are "warm").
//!
//! Input files (only `orders.csv` is required; header line first, columns matched by name):
//! - `orders.csv`: `order_id,customer_id,email,placed_at,status,amount,currency,refunded_amount`
//!   (optional `cart_id,delivered_at`); `customer_id` empty for guest orders (`email` is then
//!   the key); `placed_at` RFC 3339; `amount`/`refunded_amount` decimals with `.`; `status`
//!   one of `pending, paid, processing, shipped, completed, cancelled, refunded` or any other
//!   string; `currency` ISO 4217;
//! - `customers.csv`: `customer_id,email,first_name,last_name,civility,birth_date,phone,postcode,signed_up_at,updated_at,newsletter_optin,group_ids,shop_id`
//!   (optional `newsletter_optin_at,last_login_at,is_guest`);
//! - `carts.csv`: `cart_id,customer_id,email,created_at,updated_at,item_count,total,currency,converted_order_id`;
//! - `logins.csv`: `customer_id,at`;
//! - `deliveries.csv`: `order_id,delivered_at`;
//! - `rates.csv`: `currency,rate`.
//!
//! Output `profiles.csv` columns (instants RFC 3339 UTC, amounts decimals in the reporting
//! currency, empty when undefined): `customer_id, email, first_name, last_name, civility,
//! birth_date, phone, postcode, signed_up_at, last_login_at, revenue, currency,
//! last_abandoned_cart_at, first_order_at, last_order_at, last_order_amount, last_order_id,
//! last_delivery_at, orders_count, avg_days_between_orders, newsletter_optin,
//! newsletter_optin_at, customer_group_ids, shop_id, btyd_frequency, btyd_recency, btyd_t,
//! btyd_monetary_value, rfm_r, rfm_f, rfm_m`.
//!
//! Prints to stderr `consolidate: <seconds> s, <orders> orders, <customers> customers`, timing
//! the consolidation alone (wall clock, not CSV I/O; `<customers>` = profiles = contacts), then
//! its CPU time, the RFM time and memory figures (Linux).

use std::error::Error;
use std::path::PathBuf;
use std::time::Instant;

use relance::customer::clv::{BuyerSummaries, Clv, ClvOptions, Horizon, PredictedValues};
use relance::customer::{ConsolidationPolicy, Currency, RfmConfig};
use relance::io::csv;

fn status_mib(key: &str) -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = s
        .lines()
        .find(|l| l.starts_with(key))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

/// User + system CPU seconds of this process so far (Linux; `None` elsewhere).
fn cpu_secs() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = s.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// Prints the memory figures (Linux `/proc/self/status`).
fn report_memory(
    ds: &relance::customer::Dataset,
    rss_loaded: Option<f64>,
    hwm_loaded: Option<f64>,
) {
    if let (Some(a), Some(ha), Some(b), Some(hb)) = (
        rss_loaded,
        hwm_loaded,
        status_mib("VmRSS:"),
        status_mib("VmHWM:"),
    ) {
        #[allow(clippy::cast_precision_loss)]
        let input = ds.approx_input_bytes() as f64 / 1_048_576.0;
        eprintln!(
            "memory: input in-memory ~{input:.0} MiB; RSS {a:.0} MiB after load, {b:.0} MiB after consolidation; peak RSS {ha:.0} MiB after load, {hb:.0} MiB during consolidation (+{:.0} MiB)",
            hb - a.max(0.0)
        );
    }
}

/// Fits both models on the buyers, prints the timing and the `clv:` line, and predicts over
/// the next `days` days.
fn predict_clv(
    profiles: &relance::customer::Consolidation<'_>,
    days: f64,
) -> Result<PredictedValues, Box<dyn Error>> {
    let t = Instant::now();
    let buyers = BuyerSummaries::of(profiles);
    let model = Clv::fit(&buyers.summaries, &ClvOptions::default())?.model();
    let predictions = model.predict(&buyers.summaries, &Horizon::new(days)?)?;
    let table = PredictedValues::from_parts(&buyers.contacts, predictions);
    eprintln!(
        "clv fit and predict: {:.3} s, {} buyers",
        t.elapsed().as_secs_f64(),
        buyers.summaries.len()
    );
    eprintln!("clv: {model}");
    Ok(table)
}

/// What `--help` prints.
const USAGE: &str = "consolidate_csv: a shop directory of CSV files to one profile row per contact.\n\nusage: cargo run --release --example consolidate_csv -- --in DIR --as-of RFC3339 [--tz IANA_NAME] --out profiles.csv [--currency CUR] [--rate CUR=x]... [--threads N] [--rfm Q] [--repeat N] [--clv-horizon-days N]";

fn main() -> Result<(), Box<dyn Error>> {
    if std::env::args().skip(1).any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return Ok(());
    }
    let (mut dir, mut out, mut as_of, mut tz) = (None, None, None, chrono_tz::UTC);
    let (mut currency, mut extra_rates, mut threads, mut rfm) = (None, Vec::new(), None, 4u8);
    let mut repeat = 1usize;
    let mut clv_horizon: Option<f64> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--in" => dir = Some(PathBuf::from(val()?)),
            "--out" => out = Some(PathBuf::from(val()?)),
            "--as-of" => as_of = Some(csv::parse_instant(&val()?).ok_or("bad --as-of (RFC 3339)")?),
            "--tz" => tz = val()?.parse().map_err(|e| format!("bad --tz: {e}"))?,
            "--currency" => currency = Some(Currency::from_code(&val()?).ok_or("bad --currency")?),
            "--rate" => {
                let v = val()?;
                let (c, r) = v.split_once('=').ok_or("--rate CUR=x")?;
                extra_rates.push((
                    Currency::from_code(c).ok_or("bad --rate currency")?,
                    r.parse::<f64>()?,
                ));
            }
            "--threads" => threads = Some(val()?.parse::<usize>()?),
            "--rfm" => rfm = val()?.parse()?,
            "--repeat" => repeat = val()?.parse::<usize>()?.max(1),
            "--clv-horizon-days" => clv_horizon = Some(val()?.parse::<f64>()?),
            _ => return Err(format!("unknown argument {a}").into()),
        }
    }
    let (dir, out, as_of) = (
        dir.ok_or("--in DIR is required")?,
        out.ok_or("--out FILE is required")?,
        as_of.ok_or("--as-of RFC3339 is required")?,
    );
    let settings = Settings {
        as_of,
        tz,
        extra_rates,
        threads,
        rfm,
    };
    let parts = partitions_of(&dir)?;
    if !parts.is_empty() {
        let clv = clv_horizon.is_some();
        return run_partitioned(
            &parts,
            &settings,
            currency.unwrap_or(Currency::EUR),
            clv,
            &out,
        );
    }
    let loading = Instant::now();
    let (ds, rates) = read_shop(&dir)?;
    eprintln!("load: {:.3} s", loading.elapsed().as_secs_f64());
    let currency = currency
        .or_else(|| ds.most_common_currency())
        .unwrap_or(Currency::EUR);
    let policy = settings.policy(currency, &rates);
    let rss_loaded = status_mib("VmRSS:");
    let hwm_loaded = status_mib("VmHWM:");
    // Reset the peak to the current RSS (Linux), so that the peak after consolidation is
    // the consolidation's own and not the loading's.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let mut profiles = timed_consolidation(&ds, &policy, repeat)?;
    if rfm > 0 {
        let t = Instant::now();
        let n = apply_rfm(&mut profiles, rfm);
        eprintln!("rfm: {:.3} s, {n} scored", t.elapsed().as_secs_f64());
    }
    let predicted = clv_horizon
        .map(|days| predict_clv(&profiles, days))
        .transpose()?;
    report_memory(&ds, rss_loaded, hwm_loaded);
    let writing = Instant::now();
    write_output(&profiles, predicted.as_ref(), &out)?;
    eprintln!("write: {:.3} s", writing.elapsed().as_secs_f64());
    // The process ends here: its memory goes back to the system at once, so the millions
    // of strings of the dataset are not freed one by one first (about half a second).
    std::mem::forget(profiles);
    std::mem::forget(ds);
    Ok(())
}

/// The shop: Parquet tables where they exist with the `parquet` feature, CSV otherwise.
fn read_shop(
    dir: &std::path::Path,
) -> Result<(relance::customer::Dataset, Vec<relance::customer::FxRate>), Box<dyn std::error::Error>>
{
    #[cfg(feature = "parquet")]
    return Ok(relance::io::arrow::read_parquet_dir(dir)?);
    #[cfg(not(feature = "parquet"))]
    {
        if dir.join("orders.parquet").exists() && !dir.join("orders.csv").exists() {
            return Err("this shop is in Parquet: run with --features parquet".into());
        }
        Ok(csv::read_dir(dir)?)
    }
}

/// The profiles: Parquet when the path ends in `.parquet` (feature `parquet`), CSV otherwise.
fn write_output(
    profiles: &relance::customer::Consolidation<'_>,
    predicted: Option<&relance::customer::clv::PredictedValues>,
    out: &std::path::Path,
) -> Result<(), Box<dyn std::error::Error>> {
    let parquet = out.extension().is_some_and(|e| e == "parquet");
    #[cfg(feature = "parquet")]
    if parquet {
        return Ok(relance::io::arrow::write_profiles_parquet(
            profiles, predicted, out,
        )?);
    }
    #[cfg(not(feature = "parquet"))]
    if parquet {
        return Err("writing Parquet needs --features parquet".into());
    }
    Ok(csv::write_profiles_file_with(profiles, predicted, out)?)
}

/// Consolidates `repeat` times, prints the median time and the CPU times, returns the last.
fn timed_consolidation<'d>(
    ds: &'d relance::customer::Dataset,
    policy: &ConsolidationPolicy,
    repeat: usize,
) -> Result<relance::customer::Consolidation<'d>, Box<dyn Error>> {
    let mut times = Vec::with_capacity(repeat);
    let mut cpu = Vec::with_capacity(repeat);
    let mut result = None;
    for _ in 0..repeat {
        drop(result.take());
        let cpu0 = cpu_secs();
        let t = Instant::now();
        result = Some(ds.consolidate(policy)?);
        times.push(t.elapsed().as_secs_f64());
        if let (Some(a), Some(b)) = (cpu0, cpu_secs()) {
            cpu.push(b - a);
        }
    }
    let profiles = result.ok_or("no consolidation")?;
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    let secs = sorted[sorted.len() / 2];
    eprintln!(
        "consolidate: {secs:.3} s, {} orders, {} customers",
        ds.orders().len(),
        profiles.len()
    );
    if repeat > 1 {
        eprintln!("consolidate runs: {times:.3?} s (median above)");
    }
    if !cpu.is_empty() {
        eprintln!("consolidate cpu: {cpu:.2?} s user+sys");
    }
    Ok(profiles)
}

/// RFM scores with `quantiles` quantiles; the number of contacts scored.
fn apply_rfm(profiles: &mut relance::customer::Consolidation<'_>, quantiles: u8) -> usize {
    profiles.apply_rfm(&RfmConfig {
        quantiles,
        ..RfmConfig::default()
    })
}

/// The partitions of `dir` when it is not a shop directory itself (no `orders` table).
fn partitions_of(dir: &std::path::Path) -> Result<Vec<PathBuf>, Box<dyn Error>> {
    if dir.join("orders.csv").exists() || dir.join("orders.parquet").exists() {
        return Ok(Vec::new());
    }
    Ok(csv::partitions(dir)?)
}

/// What a partitioned run needs of the arguments.
struct Settings {
    as_of: chrono::DateTime<chrono::Utc>,
    tz: chrono_tz::Tz,
    extra_rates: Vec<(Currency, f64)>,
    threads: Option<usize>,
    rfm: u8,
}

impl Settings {
    /// The consolidation policy in `currency` with these rates (then `--rate`s).
    fn policy(
        &self,
        currency: Currency,
        rates: &[relance::customer::FxRate],
    ) -> ConsolidationPolicy {
        let mut policy = ConsolidationPolicy::new(currency, self.as_of, self.tz);
        for r in rates {
            policy = policy.rate(r.from, r.rate);
        }
        for &(c, r) in &self.extra_rates {
            policy = policy.rate(c, r);
        }
        if let Some(t) = self.threads {
            policy = policy.threads(t);
        }
        policy
    }
}

/// Consolidates each partition alone and appends its profiles to one CSV file.
fn run_partitioned(
    parts: &[PathBuf],
    settings: &Settings,
    currency: Currency,
    clv: bool,
    out: &std::path::Path,
) -> Result<(), Box<dyn Error>> {
    if clv {
        return Err("--clv-horizon-days fits one model on all buyers: not per partition".into());
    }
    let started = Instant::now();
    // Written beside `out` under a hidden name and moved into place once complete, as the
    // library's profile writers do: no reader sees a partial file.
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".profiles.").suffix(".tmp");
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666)); // less the umask
    let mut tmp = builder.tempfile_in(dir)?;
    let mut file = std::io::BufWriter::new(tmp.as_file_mut());
    let (mut orders, mut profiles) = (0usize, 0usize);
    for (i, part) in parts.iter().enumerate() {
        let (ds, rates) = read_shop(part)?;
        let policy = settings.policy(currency, &rates);
        let mut c = ds.consolidate(&policy)?;
        if settings.rfm > 0 {
            apply_rfm(&mut c, settings.rfm);
        }
        let mut text = Vec::new();
        csv::write_profiles(&c, &mut text)?;
        // The header once, from the first partition.
        let body = if i == 0 {
            &text[..]
        } else {
            let at = text
                .iter()
                .position(|&b| b == b'\n')
                .map_or(text.len(), |n| n + 1);
            &text[at..]
        };
        std::io::Write::write_all(&mut file, body)?;
        orders += ds.orders().len();
        profiles += c.len();
    }
    std::io::Write::flush(&mut file)?;
    drop(file);
    tmp.persist(out)?;
    eprintln!(
        "partitions: {}, {orders} orders, {profiles} customers, {:.3} s",
        parts.len(),
        started.elapsed().as_secs_f64()
    );
    if let Some(peak) = status_mib("VmHWM:") {
        eprintln!("peak RSS: {peak:.0} MiB");
    }
    Ok(())
}
