//! Measures the sync state stores at scale: records N fingerprints in chunks of 500 (one
//! transaction each, as the sync does after every confirmed chunk), loads them back, and
//! looks every contact up, for `SQLite` and, when a server is given, `PostgreSQL`.
//!
//! ```text
//! cargo run --release --example store_bench [--features postgres] -- [--contacts N]
//!     [--rounds R] [--postgres URL]
//! ```
//!
//! - `--contacts`: how many contacts (default 1 000 000).
//! - `--rounds`: rounds, each running every store once, alternating (default 3); medians
//!   are printed at the end.
//! - `--postgres`: a server on this machine (default: `RELANCE_TEST_POSTGRES_URL`); needs
//!   the `postgres` feature.
//!
//! Prints per round and store the record time, the median and slowest chunk commit, the
//! load time, the lookup time, the memory the loaded state takes (resident-set growth, in
//! bytes per contact), then the medians, and the process's peak memory (`VmHWM`, Linux).

use std::error::Error;
use std::time::{Duration, Instant};

use relance::sync::store::{Scope, SqliteStore, StateStore};

const CHUNK: usize = 500;

/// A figure of `/proc/self/status` in KiB (`VmRSS`, `VmHWM`), Linux only.
fn proc_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find_map(|l| l.strip_prefix(field))?;
    line.trim_start_matches(':')
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

struct Figures {
    record: Duration,
    chunk_median: Duration,
    chunk_max: Duration,
    load: Duration,
    lookup: Duration,
    /// Resident-set growth over the load; meaningful for the first load of the process
    /// only (later ones reuse memory the allocator kept).
    bytes_per_contact: f64,
}

async fn measure<S: StateStore>(store: &S, emails: &[String]) -> Result<Figures, Box<dyn Error>> {
    let fingerprint = |i: usize| (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let mut chunks = Vec::with_capacity(emails.len() / CHUNK + 1);
    let start = Instant::now();
    for (c, chunk) in emails.chunks(CHUNK).enumerate() {
        let pairs: Vec<(&str, u64)> = chunk
            .iter()
            .enumerate()
            .map(|(i, e)| (e.as_str(), fingerprint(c * CHUNK + i)))
            .collect();
        let t = Instant::now();
        store.record(&pairs).await?;
        chunks.push(t.elapsed());
    }
    let record = start.elapsed();
    chunks.sort_unstable();

    let rss_before = proc_kib("VmRSS").unwrap_or(0);
    let start = Instant::now();
    let loaded = store.load().await?;
    let load = start.elapsed();
    let rss_after = proc_kib("VmRSS").unwrap_or(0);
    assert_eq!(loaded.len(), emails.len(), "every contact loaded back");

    let start = Instant::now();
    let found = emails
        .iter()
        .enumerate()
        .filter(|&(i, e)| loaded.get(e) == Some(fingerprint(i)))
        .count();
    let lookup = start.elapsed();
    assert_eq!(found, emails.len(), "every fingerprint found");
    #[allow(clippy::cast_precision_loss)]
    let bytes_per_contact =
        (rss_after.saturating_sub(rss_before) * 1024) as f64 / emails.len() as f64;
    Ok(Figures {
        record,
        chunk_median: chunks[chunks.len() / 2],
        chunk_max: chunks[chunks.len() - 1],
        load,
        lookup,
        bytes_per_contact,
    })
}

fn print(name: &str, f: &Figures) {
    println!(
        "{name:<10} record {:>7.2} s (chunk of {CHUNK}: median {:>5.2} ms, max {:>6.2} ms), \
         load {:>5.2} s, lookups {:>5.3} s",
        f.record.as_secs_f64(),
        f.chunk_median.as_secs_f64() * 1e3,
        f.chunk_max.as_secs_f64() * 1e3,
        f.load.as_secs_f64(),
        f.lookup.as_secs_f64(),
    );
}

fn median(figures: &[Figures]) -> Figures {
    fn mid<T: Copy + PartialOrd>(mut v: Vec<T>) -> T {
        v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
        v[v.len() / 2]
    }
    Figures {
        record: mid(figures.iter().map(|f| f.record).collect()),
        chunk_median: mid(figures.iter().map(|f| f.chunk_median).collect()),
        chunk_max: mid(figures.iter().map(|f| f.chunk_max).collect()),
        load: mid(figures.iter().map(|f| f.load).collect()),
        lookup: mid(figures.iter().map(|f| f.lookup).collect()),
        bytes_per_contact: figures[0].bytes_per_contact,
    }
}

#[cfg(not(feature = "postgres"))]
#[allow(clippy::unused_async)] // the same signature as with the feature
async fn postgres_round(_: &str, _: &[String], _: usize) -> Result<Figures, Box<dyn Error>> {
    Err("PostgreSQL needs `--features postgres`".into())
}

#[cfg(feature = "postgres")]
async fn postgres_round(
    url: &str,
    emails: &[String],
    round: usize,
) -> Result<Figures, Box<dyn Error>> {
    use relance::sync::store::{PostgresStore, tokio_postgres};
    let scope = Scope::new("bench", format!("{}-{round}", std::process::id()))?;
    let store = PostgresStore::connect(url, scope.clone()).await?;
    let figures = measure(&store, emails).await;
    let (client, connection) = url
        .parse::<tokio_postgres::Config>()?
        .connect(tokio_postgres::NoTls)
        .await?;
    tokio::spawn(connection);
    client
        .execute(
            "DELETE FROM relance_sync_state WHERE provider = $1 AND account = $2",
            &[&scope.provider(), &scope.account()],
        )
        .await?;
    figures
}

/// What `--help` prints.
const USAGE: &str = "store_bench: records, loads and looks up N fingerprints in the sync state stores.\n\nusage: cargo run --release --example store_bench [--features postgres] -- [--contacts N]\nPostgreSQL is measured too when RELANCE_TEST_POSTGRES_URL is set.";

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    if std::env::args().skip(1).any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return Ok(());
    }
    let mut contacts = 1_000_000_usize;
    let mut rounds = 3_usize;
    let mut postgres = std::env::var("RELANCE_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty());
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--contacts" => contacts = value()?.parse()?,
            "--rounds" => rounds = value()?.parse()?,
            "--postgres" => postgres = Some(value()?),
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    if cfg!(not(feature = "postgres")) && postgres.take().is_some() {
        eprintln!("PostgreSQL skipped: build with `--features postgres`");
    }
    let emails: Vec<String> = (0..contacts)
        .map(|i| format!("customer{i}@example.com"))
        .collect();
    println!("{contacts} contacts, chunks of {CHUNK}, {rounds} rounds");
    let (mut sqlite, mut pg) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let dir = tempfile::tempdir()?;
        let store = SqliteStore::open(dir.path().join("state.db"), Scope::new("bench", "1")?)?;
        let f = measure(&store, &emails).await?;
        print("sqlite", &f);
        sqlite.push(f);
        drop(store);
        if let Some(url) = &postgres {
            let f = postgres_round(url, &emails, round).await?;
            print("postgres", &f);
            pg.push(f);
        }
    }
    println!(
        "loaded state: {:.1} bytes per contact (resident growth over the first load)",
        sqlite[0].bytes_per_contact
    );
    println!("medians:");
    print("sqlite", &median(&sqlite));
    if !pg.is_empty() {
        print("postgres", &median(&pg));
    }
    let own: usize = emails
        .iter()
        .map(|e| e.capacity() + size_of::<String>())
        .sum();
    #[allow(clippy::cast_precision_loss)]
    let mib = |bytes: u64| bytes as f64 / 1_048_576.0;
    println!(
        "peak memory (VmHWM): {:.1} MiB, including the benchmark's own {contacts} emails (~{:.1} MiB)",
        mib(proc_kib("VmHWM").unwrap_or(0) * 1024),
        mib(own as u64)
    );
    Ok(())
}
