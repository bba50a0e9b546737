//! Bulk-upsert throughput: `relance`'s `upsert_many` against a plain `reqwest` + `serde_json`
//! loop sending the same contacts with the same concurrency and chunk size, to the same
//! minimal loopback server (hyper), in one process, alternating.
//!
//! ```text
//! cargo run --release --example bulk_bench -- [--contacts N] [--rounds R] [--concurrency C] [--chunk K] [--only relance|plain] [--server child|in-process]
//! ```
//!
//! Prints one line per run, then the medians and the ratio (relance throughput over the
//! plain loop's), and the process's peak resident memory. `--only relance` with two values
//! of `--contacts` shows whether memory grows with the number of contacts.
//!
//! The server reads each body, parses it as a JSON array and answers
//! `"<N> contact(s) affected."`, as Sendethic does; it checks nothing else, so both clients
//! pay the same server cost. It runs in a child process (this program started again with
//! `--serve`), as a service runs apart from its clients; `--server in-process` runs it on the
//! clients' own runtime instead, where it competes with them for the same worker threads
//! (the figure then depends on where the runtime places each task).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::StreamExt;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use relance::BulkEvent;
use relance::sendethic::{BulkOptions, Client, Contact, FieldId};
use serde::Serialize;

const PATH: &str = "/api/rest/v4/contacts/attribute";
/// The custom field both clients write.
const FIELD: i64 = 101;

struct Args {
    contacts: usize,
    rounds: usize,
    concurrency: usize,
    chunk: usize,
    only: Option<String>,
    in_process: bool,
}

fn args() -> Args {
    let mut a = Args {
        contacts: 1_000_000,
        rounds: 3,
        concurrency: 4,
        chunk: 500,
        only: None,
        in_process: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_default();
        match flag.as_str() {
            "--contacts" => a.contacts = value().parse().unwrap_or(a.contacts),
            "--rounds" => a.rounds = value().parse().unwrap_or(a.rounds),
            "--concurrency" => a.concurrency = value().parse().unwrap_or(a.concurrency),
            "--chunk" => a.chunk = value().parse().unwrap_or(a.chunk),
            "--only" => a.only = Some(value()),
            "--server" => a.in_process = value() == "in-process",
            _ => {
                eprintln!("{USAGE}");
                std::process::exit(2);
            }
        }
    }
    a
}

/// The minimal server: parse the array, count it, answer like Sendethic.
async fn answer(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let right = request.method() == hyper::Method::POST && request.uri().path() == PATH;
    let body = request
        .into_body()
        .collect()
        .await
        .map(http_body_util::Collected::to_bytes)
        .unwrap_or_default();
    let count = serde_json::from_slice::<Vec<serde::de::IgnoredAny>>(&body).map(|v| v.len());
    let (status, text) = match (right, count) {
        (true, Ok(n)) => (200, format!("\"{n} contact(s) affected.\"")),
        _ => (400, "\"bad request\"".to_owned()),
    };
    let mut response = Response::new(Full::new(Bytes::from(text)));
    *response.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or_default();
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json; charset=utf-8"),
    );
    Ok(response)
}

async fn serve() -> std::io::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let io = hyper_util::rt::TokioIo::new(stream);
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(io, hyper::service::service_fn(answer))
                    .await;
            });
        }
    });
    Ok(addr)
}

/// Contact `i`: the key, two standard fields and one custom number.
fn parts(i: usize) -> (String, String) {
    (
        format!("customer{i}@example.com"),
        format!("{}.{:02}", i % 1000, i % 100),
    )
}

fn relance_contact(i: usize) -> Contact {
    let (email, amount) = parts(i);
    Contact::new(email)
        .first_name("Ann")
        .last_name("Lee")
        .custom(FieldId(FIELD), amount)
}

/// The same contact as a hand-written loop would serialise it (`ContactData`).
#[derive(Serialize)]
struct PlainContact {
    id: i64,
    #[serde(rename = "contactKey")]
    key: String,
    attributes: Vec<PlainAttribute>,
}

#[derive(Serialize)]
struct PlainAttribute {
    id: &'static str,
    #[serde(rename = "fieldValue")]
    value: String,
}

fn plain_contact(i: usize) -> PlainContact {
    let (email, amount) = parts(i);
    PlainContact {
        id: 0,
        key: email,
        attributes: vec![
            PlainAttribute {
                id: "firstname",
                value: "Ann".into(),
            },
            PlainAttribute {
                id: "lastname",
                value: "Lee".into(),
            },
            PlainAttribute {
                id: "101",
                value: amount,
            },
        ],
    }
}

/// Through relance: validation, chunking, per-contact accounting, the retry loop.
async fn through_relance(client: &Client, n: usize, args: &Args) -> usize {
    client
        .contacts()
        .upsert_many((0..n).map(relance_contact))
        .options(
            BulkOptions::default()
                .chunk_size(args.chunk)
                .concurrency(args.concurrency),
        )
        .events()
        .map(|event| match event {
            BulkEvent::Written(indices) => indices.len(),
            _ => 0,
        })
        .fold(0, |sum, n| async move { sum + n })
        .await
}

/// The plain loop: serialise each chunk, POST it with basic auth, read the count.
async fn through_plain(http: &reqwest::Client, url: &str, n: usize, args: &Args) -> usize {
    let chunk = args.chunk.max(1);
    let chunks = (0..n).step_by(chunk).map(|start| {
        let end = (start + chunk).min(n);
        (start..end).map(plain_contact).collect::<Vec<_>>()
    });
    futures_util::stream::iter(chunks)
        .map(|chunk| async move {
            let body = serde_json::to_vec(&chunk).unwrap_or_default();
            let response = http
                .post(url)
                .basic_auth("bench", Some("key"))
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body)
                .send()
                .await
                .ok()?;
            let text: String = response.json().await.ok()?;
            text.split_whitespace().next()?.parse::<usize>().ok()
        })
        .buffer_unordered(args.concurrency)
        .map(Option::unwrap_or_default)
        .fold(0, |sum, n| async move { sum + n })
        .await
}

/// Peak resident memory of this process (Linux), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Checks a round wrote every contact, prints it and returns its time.
fn timed(round: usize, who: &str, n: usize, written: usize, start: Instant) -> Duration {
    let took = start.elapsed();
    assert_eq!(written, n, "{who} wrote every contact");
    println!(
        "round {round}: {who} {took:.2?} ({:.0} contacts/s)",
        rate(n, took)
    );
    took
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// What `--help` prints.
const USAGE: &str = "bulk_bench: relance's bulk upsert against a plain reqwest + serde_json loop, same loopback server.\n\nusage: cargo run --release --example bulk_bench -- [--contacts N] [--rounds R] [--concurrency C] [--chunk K] [--only relance|plain] [--server child|in-process]";

/// The server in a child process, stopped when dropped.
struct Child(std::process::Child);

impl Child {
    /// Starts this program again with `--serve` and reads the address it listens on.
    fn start() -> Result<(Self, SocketAddr), Box<dyn std::error::Error>> {
        let mut child = std::process::Command::new(std::env::current_exe()?)
            .arg("--serve")
            .stdout(std::process::Stdio::piped())
            .spawn()?;
        let stdout = child.stdout.take().ok_or("the server's output")?;
        let child = Self(child);
        let mut line = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line)?;
        Ok((child, line.trim().parse()?))
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::args().skip(1).any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return Ok(());
    }
    if std::env::args().nth(1).as_deref() == Some("--serve") {
        println!("{}", serve().await?);
        std::future::pending::<()>().await;
    }
    let args = args();
    let (addr, _server) = if args.in_process {
        (serve().await?, None)
    } else {
        let (child, addr) = Child::start()?;
        (addr, Some(child))
    };
    let base = format!("http://{addr}/api/rest/v4");
    let client = Client::builder("bench", "key").base_url(&base).build()?;
    let http = reqwest::Client::new();
    let url = format!("{base}/contacts/attribute");
    let n = args.contacts;
    let (mut ours, mut plain) = (Vec::new(), Vec::new());
    for round in 1..=args.rounds {
        if args.only.as_deref() != Some("plain") {
            let t = Instant::now();
            let written = through_relance(&client, n, &args).await;
            ours.push(timed(round, "relance", n, written, t));
        }
        if args.only.as_deref() != Some("relance") {
            let t = Instant::now();
            let written = through_plain(&http, &url, n, &args).await;
            plain.push(timed(round, "plain  ", n, written, t));
        }
    }
    println!(
        "contacts {n}, chunk {}, concurrency {}, rounds {}, server {}",
        args.chunk,
        args.concurrency,
        args.rounds,
        if args.in_process {
            "in-process"
        } else {
            "child process"
        }
    );
    if !ours.is_empty() {
        let m = median(ours);
        println!("relance median {m:.2?} ({:.0} contacts/s)", rate(n, m));
        if !plain.is_empty() {
            let p = median(plain.clone());
            println!(
                "plain   median {p:.2?} ({:.0} contacts/s)\nthroughput ratio relance/plain: {:.2}",
                rate(n, p),
                p.as_secs_f64() / m.as_secs_f64()
            );
        }
    } else if !plain.is_empty() {
        let p = median(plain);
        println!("plain   median {p:.2?} ({:.0} contacts/s)", rate(n, p));
    }
    if let Some(mib) = peak_rss_mib() {
        println!("peak resident memory: {mib:.0} MiB");
    }
    Ok(())
}

#[allow(clippy::cast_precision_loss)]
fn rate(n: usize, took: Duration) -> f64 {
    n as f64 / took.as_secs_f64()
}
