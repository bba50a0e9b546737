//! Contact jobs: import generated contacts from a lazy iterator (written as CSV while uploading),
//! export a segment and read it row by row, then purge a few contacts.
//!
//! ```text
//! cargo run --example lists                                  # 100 000 contacts, offline
//! cargo run --release --example lists -- --contacts 1000000  # a million
//! cargo run --release --example lists -- --export-all        # also export the whole base
//! ```
//!
//! With `SENDETHIC_ACCOUNT` and `SENDETHIC_API_KEY` set (and optionally
//! `SENDETHIC_BASE_URL`) it talks to that server: the real service, or the fake run as a
//! separate process by the `fake_sendethic_server` example (to measure the client's memory
//! alone). Otherwise it starts the embedded fake and runs offline.
//!
//! Memory stays flat in the number of contacts on the client side: contacts are generated
//! lazily and written in 64 KiB chunks during the upload, and exports are downloaded to a
//! temporary file and parsed one row at a time.

use std::time::{Duration, Instant};

use relance::sendethic::{
    Client, Contact, ContactExport, ContactImport, ContactPurge, Criteria, Criterion, FieldFormat,
    FieldId, FieldSpec, ImportColumn, JobWait, Mode, SegmentDefinition,
};
use relance::testing::FakeSendethic;

struct Args {
    contacts: u64,
    export_all: bool,
}

fn args() -> Result<Args, String> {
    let mut out = Args {
        contacts: 100_000,
        export_all: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--contacts" => {
                out.contacts = it
                    .next()
                    .and_then(|v| v.replace('_', "").parse().ok())
                    .ok_or("--contacts needs a number")?;
            }
            "--export-all" => out.export_all = true,
            other => {
                return Err(format!(
                    "unknown argument {other}; use --contacts N [--export-all]"
                ));
            }
        }
    }
    Ok(out)
}

fn key(i: u64) -> String {
    format!("lists-example-{i}@example.com")
}

/// A client of the server named by `SENDETHIC_*`, or of an embedded fake (kept alive by the
/// returned value).
async fn connect() -> relance::Result<(Client, Option<FakeSendethic>)> {
    let credentials =
        std::env::var("SENDETHIC_ACCOUNT").is_ok() && std::env::var("SENDETHIC_API_KEY").is_ok();
    if credentials {
        let url = std::env::var("SENDETHIC_BASE_URL").unwrap_or_else(|_| "the real service".into());
        println!("Using the server from SENDETHIC_* ({url}).");
        Ok((Client::from_env()?, None))
    } else {
        let fake = FakeSendethic::start().await;
        println!("No SENDETHIC_ACCOUNT/SENDETHIC_API_KEY: using the embedded fake.");
        Ok((fake.client(), Some(fake)))
    }
}

/// What `--help` prints.
const USAGE: &str = "lists: import generated contacts, export a segment and read it row by row, purge a few contacts.\n\nusage: cargo run --example lists -- [--contacts N]\nOffline against the embedded fake unless SENDETHIC_ACCOUNT, SENDETHIC_API_KEY (and SENDETHIC_BASE_URL) are set.";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::args().skip(1).any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return Ok(());
    }
    let args = args()?;
    let (client, _fake) = connect().await?;
    let (imports, exports, purges) = (client.imports(), client.exports(), client.purges());
    let wait = JobWait::new(Duration::from_secs(3600))
        .interval(Duration::from_millis(500))
        .max_interval(Duration::from_secs(15));
    let all = Instant::now();

    // A score field (0..99) to build the segment on.
    let score = client
        .fields()
        .ensure(FieldSpec::new(
            "relance_example_score",
            "[relance] Example score",
            FieldFormat::Number,
        ))
        .await?
        .field
        .id;

    // 1. Import N contacts from a lazy iterator: never collected.
    let started = Instant::now();
    let n = args.contacts;
    let contacts = (0..n).map(move |i| {
        Contact::new(key(i))
            .first_name(format!("Customer {i}"))
            .custom(score, (i % 100).to_string())
    });
    let import = ContactImport::from_contacts(
        "relance lists example",
        contacts,
        [
            ImportColumn::standard("email"),
            ImportColumn::standard("firstname"),
            ImportColumn::Custom(score),
        ],
    );
    // One upload of the whole file: give it more than the default 30 s per attempt.
    let job = imports
        .start(import)
        .timeout(Duration::from_secs(1800))
        .await?;
    let uploaded = started.elapsed();
    let job = imports.wait(job.id, wait).await?;
    println!(
        "import {}: read {}, added {}, updated {}, duplicates {}, errors {} (upload {:.1?}, total {:.1?})",
        job.id,
        job.line_read,
        job.line_add,
        job.line_update,
        job.line_duplicate,
        job.line_error,
        uploaded,
        started.elapsed()
    );

    // 2. A segment (score >= 90: a tenth of the contacts), exported and read row by row.
    let segment = client
        .segments()
        .ensure(SegmentDefinition::new(
            "relance_example_top_scores",
            "[relance] Top scores",
            Mode::Intersect,
            Criteria::new().with(Criterion::number_at_least(score, 90)),
        ))
        .await?
        .segment;
    let started = Instant::now();
    let export = ContactExport::new("relance lists example")
        .segment(segment.id)
        .fields(["email", "firstname", &score.to_string()]);
    let (ok, bad, high) = export_and_count(&exports, export, wait, score).await?;
    println!(
        "segment {} export: {ok} rows ({high} with score >= 90), {bad} malformed ({:.1?})",
        segment.id,
        started.elapsed()
    );
    if args.export_all {
        let started = Instant::now();
        let export = ContactExport::new("relance lists example, whole base").fields([
            "email",
            "firstname",
            &score.to_string(),
        ]);
        let (ok, bad, _) = export_and_count(&exports, export, wait, score).await?;
        println!(
            "whole-base export: {ok} rows, {bad} malformed ({:.1?})",
            started.elapsed()
        );
    }

    // 3. Purge a few contacts by key.
    let started = Instant::now();
    let few = n.min(5);
    let job = purges.start(ContactPurge::keys((0..few).map(key))).await?;
    let job = purges.wait(job.id, wait).await?;
    println!(
        "purge {}: {} keys read ({:.1?})",
        job.id,
        job.line_read,
        started.elapsed()
    );
    println!("done in {:.1?}", all.elapsed());
    Ok(())
}

/// Exports, then reads the rows one at a time: (rows, malformed lines, rows with score >= 90).
async fn export_and_count(
    exports: &relance::sendethic::ExportsHandler,
    export: ContactExport,
    wait: JobWait,
    score: FieldId,
) -> relance::Result<(u64, u64, u64)> {
    let rows = exports.records(export, wait).await?;
    let (mut ok, mut bad, mut high) = (0u64, 0u64, 0u64);
    for row in rows {
        match row {
            Ok(record) => {
                ok += 1;
                let contact = record.to_contact();
                if contact
                    .custom_value(score)
                    .and_then(|v| v.parse::<u32>().ok())
                    >= Some(90)
                {
                    high += 1;
                }
            }
            Err(e) => {
                bad += 1;
                if bad <= 3 {
                    eprintln!("skipped: {e}");
                }
            }
        }
    }
    Ok((ok, bad, high))
}
