//! A run cut short resumes where its store says, and a contact the service refuses costs
//! only itself.
//!
//! Run with `--nocapture` to see the figures.

use std::collections::BTreeSet;
use std::time::Duration;

use relance::sendethic::BulkOptions;
use relance::sync::store::{SqliteStore, StateStore};
use relance::sync::{SendethicTarget, SyncTarget, Syncer};
use relance::testing::FakeSendethic;

use super::engine::pushed_emails;
use super::faults::shop;
use super::record;

/// Contacts in the crash-resume test.
const CONTACTS: usize = 100_000;
/// Bulk chunks in flight at once, and their size.
const CONCURRENCY: usize = 4;
const CHUNK: usize = 500;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_run_cut_short_resumes_with_only_the_unconfirmed_contacts() {
    let (records, _) = shop(CONTACTS);
    let fake = FakeSendethic::start().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.sqlite");
    let target = || {
        SendethicTarget::new(fake.client()).bulk_options(
            BulkOptions::default()
                .chunk_size(CHUNK)
                .concurrency(CONCURRENCY)
                .retry_upserts(true),
        )
    };
    let scope = target().scope().unwrap();

    // The first run dies (its future dropped, as a killed process) once the service has
    // written two fifths of the contacts.
    {
        let mut syncer = Syncer::new(target(), SqliteStore::open(&path, scope.clone()).unwrap());
        let run = syncer.run(records.iter().cloned());
        let written = async {
            while fake.contact_count() < records.len() * 2 / 5 {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        };
        tokio::select! {
            report = run => panic!("the run ended before it was cut: {report:?}"),
            () = written => {}
        }
    }

    // A new process opens the same store. A killed process writes nothing more; a dropped
    // future still lets a store write already handed to the blocking pool finish (a chunk
    // the service confirmed, rightly recorded): the state is read once it has settled.
    let store = SqliteStore::open(&path, scope).unwrap();
    let mut state = store.load().await.unwrap();
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let again = store.load().await.unwrap();
        if again.len() == state.len() {
            break;
        }
        state = again;
    }
    let written_by_the_service = fake.contact_count();
    let confirmed = state.len();
    assert!(confirmed > 0, "some chunks were confirmed and recorded");
    assert!(confirmed < records.len());
    // What the service wrote beyond the store: at most the chunks in flight at the cut.
    let in_flight = written_by_the_service - confirmed;
    assert!(
        in_flight <= CONCURRENCY * CHUNK,
        "{written_by_the_service} written, {confirmed} confirmed"
    );
    let unconfirmed: BTreeSet<String> = records
        .iter()
        .filter(|r| state.get(r.email()).is_none())
        .map(|r| r.email().to_owned())
        .collect();
    assert_eq!(unconfirmed.len(), records.len() - confirmed);

    let seen = fake.requests().len();
    let mut syncer = Syncer::new(target(), store);
    let rerun = syncer.run(records.iter().cloned()).await.unwrap();
    println!(
        "crash-resume: {} contacts; cut with {written_by_the_service} written by the service, \
         {confirmed} confirmed in the store ({in_flight} in flight); rerun: {rerun}",
        records.len()
    );
    assert!(rerun.is_complete(), "{rerun}");
    assert_eq!(rerun.pushed, records.len() - confirmed);
    assert_eq!(rerun.unchanged, confirmed);
    // Exactly the unconfirmed contacts went again, the confirmed ones not.
    assert_eq!(pushed_emails(&fake, seen), unconfirmed);
    assert_eq!(fake.contact_count(), records.len());
}

#[tokio::test]
async fn one_contact_the_service_refuses_among_2000_costs_only_itself() {
    let fake = FakeSendethic::start().await;
    // A refusal no client can foresee (a blocked address, a rule of the account).
    fake.refuse_contact("customer1234@example.com");
    let records = (0..2000).map(|i| record(i, 1));
    let mut syncer = Syncer::in_memory(SendethicTarget::new(fake.client())).unwrap();
    let report = syncer.run(records.clone()).await.unwrap();
    println!("poison: {report}");
    for (email, reason) in &report.rejected {
        println!("  rejected {email}: {reason}");
    }
    assert_eq!(report.pushed, 1999);
    assert_eq!(report.failed_count(), 0);
    assert_eq!(fake.contact_count(), 1999);
    assert_eq!(report.rejected.len(), 1);
    let (email, reason) = &report.rejected[0];
    assert_eq!(email, "customer1234@example.com");
    // The service's own words.
    assert!(
        reason
            .to_string()
            .contains("refused by the account's rules"),
        "{reason}"
    );
    assert_eq!(reason.status(), Some(400));

    // A rejected contact is not recorded as synced: it is tried again next run (and refused
    // again); the others are unchanged.
    let again = syncer.run(records).await.unwrap();
    assert_eq!((again.pushed, again.unchanged), (0, 1999));
    assert_eq!(again.rejected.len(), 1);
}
