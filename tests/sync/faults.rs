//! The nightly sync against services failing more than a fifth of their requests with every
//! kind of fault, provisioning included: rerun until complete, then the service holds exactly
//! what a fault-free sync writes, nothing lost, and an unchanged rerun pushes nothing.
//!
//! Run with `--nocapture` to see the figures (requests, faults by kind, runs to converge).

use std::collections::BTreeMap;
use std::time::Duration;

use relance::customer::segment::{self, SegmentSpec};
use relance::customer::{ConsolidationPolicy, Currency};
use relance::http::RetryPolicy;
use relance::io::synth;
use relance::sendethic::{Contact, FieldFormat};
use relance::sync::store::MemoryStore;
use relance::sync::{SendethicTarget, SendsayTarget, SyncRecord, SyncTarget, Syncer};
use relance::testing::{FakeSendethic, FakeSendsay, Fault, RecordedRequest};

/// Contacts in the fault tests.
const CONTACTS: usize = 100_000;
/// Runs allowed before the test gives up (a night each).
const MAX_RUNS: usize = 12;
/// The client's timeout; the slow fault waits longer.
const TIMEOUT: Duration = Duration::from_secs(2);

/// A generated shop of `customers` customers, consolidated: its records and default segments.
pub(super) fn shop(customers: usize) -> (Vec<SyncRecord>, Vec<SegmentSpec>) {
    let shop = synth::generate(&synth::SynthConfig::new(customers * 3, customers, 2024));
    let as_of = relance::io::csv::parse_instant("2025-01-01T00:00:00Z").unwrap();
    let mut policy = ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::Europe::Paris);
    for r in &shop.rates {
        policy = policy.rate(r.from, r.rate);
    }
    let profiles = shop.dataset.consolidate(&policy).unwrap();
    let records: Vec<SyncRecord> = SyncRecord::all(&profiles).collect();
    (records, segment::relance_defaults(&policy))
}

/// Every fault kind, each with probability `p` (tried in order, the first that fires wins):
/// at `p` = 0.025 about 22 % of the requests fail.
fn every_fault_kind(p: f64) -> Vec<Fault> {
    let past = "Wed, 21 Oct 2015 07:28:00 GMT";
    vec![
        Fault::html(503).named("503 HTML page"),
        Fault::html(502)
            .after_processing()
            .named("502 HTML page after processing"),
        Fault::status(429)
            .header("Retry-After", "0")
            .named("429 Retry-After seconds"),
        Fault::status(429)
            .header("Retry-After", past)
            .named("429 Retry-After HTTP date"),
        Fault::reset().named("reset before processing"),
        Fault::reset()
            .after_processing()
            .named("reset after processing"),
        Fault::truncated().named("body cut after processing"),
        Fault::malformed_json().named("malformed body, not processed"),
        Fault::malformed_json()
            .after_processing()
            .named("malformed body after processing"),
        Fault::delay(TIMEOUT + Duration::from_millis(500)).named("timeout after processing"),
    ]
    .into_iter()
    .map(|f| f.probability(p))
    .collect()
}

fn quick_retries() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(5))
        .max_backoff(Duration::from_millis(20))
}

/// What the runs did until the sync was complete.
#[derive(Debug, Default)]
struct Convergence {
    /// One line per run.
    runs: Vec<String>,
    /// Segment tags whose provisioning ended in an error the service cannot change (a
    /// segment the provider cannot express), with the error.
    inexpressible: Vec<String>,
}

/// Runs the sync and the segment provisioning night after night until both complete.
async fn converge<T: SyncTarget>(
    syncer: &mut Syncer<T, MemoryStore>,
    records: &[SyncRecord],
    segments: &[SegmentSpec],
) -> Convergence {
    let mut out = Convergence::default();
    for night in 1..=MAX_RUNS {
        let line = match syncer.run(records.iter().cloned()).await {
            Err(e) => format!("night {night}: run stopped: {e}"),
            Ok(report) if !report.is_complete() => {
                format!("night {night}: {report} (failed stay dirty)")
            }
            Ok(report) => match syncer.ensure_segments(segments).await {
                Err(e) => format!("night {night}: {report}; segments stopped: {e}"),
                Ok(outcomes) => {
                    let (mut transient, mut inexpressible) = (Vec::new(), Vec::new());
                    for o in outcomes {
                        match o.result {
                            Ok(_) => {}
                            Err(relance::Error::InvalidInput { .. }) => inexpressible.push(o.tag),
                            Err(e) => transient.push(format!("{}: {e}", o.tag)),
                        }
                    }
                    if transient.is_empty() {
                        out.runs
                            .push(format!("night {night}: {report}; segments done"));
                        out.inexpressible = inexpressible;
                        return out;
                    }
                    format!("night {night}: {report}; segments failed: {transient:?}")
                }
            },
        };
        out.runs.push(line);
    }
    panic!("no convergence in {MAX_RUNS} nights: {:#?}", out.runs);
}

/// Requests, and faults by kind, as one line.
fn fault_figures(requests: &[RecordedRequest]) -> String {
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for r in requests {
        if let Some(f) = &r.fault {
            *kinds.entry(f).or_default() += 1;
        }
    }
    let faulted: usize = kinds.values().sum();
    #[allow(clippy::cast_precision_loss)]
    let share = 100.0 * faulted as f64 / requests.len() as f64;
    format!(
        "{} requests, {faulted} faulted ({share:.1} %): {kinds:?}",
        requests.len()
    )
}

/// The share of faulted requests, and whether every kind fired, provisioning included.
fn assert_fault_coverage(requests: &[RecordedRequest], kinds: usize, provisioning: &str) {
    let faulted: Vec<&RecordedRequest> = requests.iter().filter(|r| r.fault.is_some()).collect();
    assert!(
        faulted.len() * 5 >= requests.len(),
        "at least 20 % faulted: {}",
        fault_figures(requests)
    );
    let fired: std::collections::BTreeSet<&str> =
        faulted.iter().filter_map(|r| r.fault.as_deref()).collect();
    assert_eq!(fired.len(), kinds, "every kind fired: {fired:?}");
    assert!(
        faulted.iter().any(|r| r.path.starts_with(provisioning)),
        "faults hit provisioning ({provisioning})"
    );
}

/// A fake's contacts as comparable values: no ids, custom fields by tag, selection values by
/// label.
fn sendethic_contents(
    fake: &FakeSendethic,
) -> BTreeMap<String, (Contact, BTreeMap<String, String>)> {
    let fields = fake.fields();
    let mut names = BTreeMap::new();
    let mut labels = BTreeMap::new();
    for f in &fields {
        names.insert(f.id, f.tag().unwrap_or(&f.name).to_owned());
        if matches!(
            f.format,
            FieldFormat::SingleSelection | FieldFormat::MultipleSelection
        ) {
            for v in fake.field_values(f.id) {
                labels.insert((f.id, v.id.to_string()), v.text);
            }
        }
    }
    fake.contacts()
        .into_iter()
        .map(|mut c| {
            let custom = std::mem::take(&mut c.custom)
                .into_iter()
                .map(|(id, value)| {
                    let value = value.value().cloned().unwrap_or_default();
                    let shown = labels.get(&(id, value.clone())).cloned().unwrap_or(value);
                    (names[&id].clone(), shown)
                })
                .collect();
            c.id = None;
            (c.key.to_lowercase(), (c, custom))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sendethic_sync_converges_under_every_fault_kind_and_loses_nothing() {
    let (records, segments) = shop(CONTACTS);
    assert!(records.len() >= CONTACTS, "{}", records.len());

    // What a sync without faults writes.
    let reference = FakeSendethic::start().await;
    let mut clean = Syncer::in_memory(SendethicTarget::new(reference.client())).unwrap();
    let report = clean.run(records.iter().cloned()).await.unwrap();
    assert!(report.is_complete(), "{report}");
    clean.ensure_segments(&segments).await.unwrap();

    let fake = FakeSendethic::start().await;
    fake.reseed(7);
    let kinds = every_fault_kind(0.025);
    let kind_count = kinds.len();
    for f in kinds {
        fake.inject(f);
    }
    let client = fake
        .client_builder()
        .timeout(TIMEOUT)
        .retry(quick_retries())
        .build()
        .unwrap();
    let mut syncer = Syncer::in_memory(SendethicTarget::new(client)).unwrap();
    let convergence = converge(&mut syncer, &records, &segments).await;
    let requests = fake.requests();
    println!(
        "sendethic fault test: {} contacts, {} nights to converge; {}",
        records.len(),
        convergence.runs.len(),
        fault_figures(&requests)
    );
    for line in &convergence.runs {
        println!("  {line}");
    }
    assert_fault_coverage(&requests, kind_count, "/account/contactattribute");
    assert!(convergence.inexpressible.is_empty());

    // Nothing lost, nothing extra, every value as a fault-free sync writes it.
    let (got, want) = (sendethic_contents(&fake), sendethic_contents(&reference));
    let lost = want.keys().filter(|k| !got.contains_key(*k)).count();
    println!("  contacts lost: {lost}");
    assert_eq!(lost, 0);
    assert_eq!(got.len(), records.len());
    assert!(got == want, "the faulted fake differs from the clean one");
    // One field per tag and one segment per spec: no creation doubled by a lost answer.
    assert_eq!(fake.fields().len(), reference.fields().len());
    assert_eq!(fake.segments().len(), segments.len());

    // The night after, without faults: nothing to push, nothing to create.
    fake.clear_faults();
    let seen = fake.requests().len();
    let quiet = syncer.run(records.iter().cloned()).await.unwrap();
    assert_eq!((quiet.pushed, quiet.unchanged), (0, records.len()));
    let outcomes = syncer.ensure_segments(&segments).await.unwrap();
    assert!(outcomes.iter().all(|o| matches!(o.result, Ok((_, false)))));
    assert!(
        fake.requests()[seen..]
            .iter()
            .all(|r| r.method == "GET" || r.path.ends_with("/count")),
        "only reads"
    );
}

/// A Sendsay member as comparable values: without its id and creation time.
fn sendsay_contents(fake: &FakeSendsay) -> BTreeMap<String, serde_json::Value> {
    fake.members()
        .into_iter()
        .map(|mut m| {
            let head = m["member"].as_object_mut().unwrap();
            head.remove("id");
            head.remove("create.time");
            let email = head["email"].as_str().unwrap().to_lowercase();
            (email, m)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sendsay_sync_converges_under_every_fault_kind_and_loses_nothing() {
    let (records, segments) = shop(CONTACTS);
    let client = |fake: &FakeSendsay| {
        fake.client_builder()
            .timezone(chrono_tz::Europe::Moscow)
            .timeout(TIMEOUT)
            .retry(quick_retries())
            .build()
            .unwrap()
    };

    let reference = FakeSendsay::start().await;
    let mut clean = Syncer::in_memory(SendsayTarget::new(client(&reference))).unwrap();
    let report = clean.run(records.iter().cloned()).await.unwrap();
    assert!(report.is_complete(), "{report}");
    let expressible = clean
        .ensure_segments(&segments)
        .await
        .unwrap()
        .iter()
        .filter(|o| o.result.is_ok())
        .count();

    let fake = FakeSendsay::start().await;
    fake.reseed(11);
    let kinds = every_fault_kind(0.025);
    let kind_count = kinds.len();
    for f in kinds {
        fake.inject(f);
    }
    let mut syncer = Syncer::in_memory(SendsayTarget::new(client(&fake))).unwrap();
    let convergence = converge(&mut syncer, &records, &segments).await;
    let requests = fake.requests();
    println!(
        "sendsay fault test: {} contacts, {} nights to converge; {}",
        records.len(),
        convergence.runs.len(),
        fault_figures(&requests)
    );
    for line in &convergence.runs {
        println!("  {line}");
    }
    assert_fault_coverage(&requests, kind_count, "/anketa");
    assert_eq!(
        convergence.inexpressible.len(),
        segments.len() - expressible
    );

    let (got, want) = (sendsay_contents(&fake), sendsay_contents(&reference));
    let lost = want.keys().filter(|k| !got.contains_key(*k)).count();
    println!("  members lost: {lost}");
    assert_eq!(lost, 0);
    assert_eq!(got.len(), records.len());
    assert!(got == want, "the faulted fake differs from the clean one");
    assert_eq!(fake.groups().len(), reference.groups().len());

    fake.clear_faults();
    let quiet = syncer.run(records.iter().cloned()).await.unwrap();
    assert_eq!((quiet.pushed, quiet.unchanged), (0, records.len()));
}
