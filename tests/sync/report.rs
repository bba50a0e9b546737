//! A report worth reading: per contact (created, updated, unchanged, rejected with the
//! reason), as CSV and JSON, and progress while the run goes.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use relance::customer::ProfileField;
use relance::sync::{Outcome, Progress, SendethicTarget, SyncValue, Syncer};
use relance::testing::FakeSendethic;

use super::record;

#[tokio::test]
async fn the_report_lists_every_contact_as_csv_and_json_and_progress_is_called() {
    let fake = FakeSendethic::start().await;
    let seen: Arc<Mutex<Vec<Progress>>> = Arc::default();
    let calls = seen.clone();
    let mut syncer = Syncer::in_memory(SendethicTarget::new(fake.client()))
        .unwrap()
        .list_unchanged(true)
        .on_progress(Duration::ZERO, move |p| calls.lock().unwrap().push(*p));
    let first = syncer.run((0..3).map(|i| record(i, 1))).await.unwrap();
    assert_eq!(first.created.len(), 3);
    assert!(first.contacts().all(|l| l.outcome == Outcome::Created));

    // Night 2: 0 unchanged, 1 updated, 2 refused (a text for a number), 3 created.
    let records = (0..4).map(|i| match i {
        1 => record(i, 5),
        2 => record(i, 1).with(ProfileField::OrdersCount, SyncValue::Text("lots".into())),
        _ => record(i, 1),
    });
    let report = syncer.run(records).await.unwrap();
    let lines: Vec<(String, Outcome)> = report
        .contacts()
        .map(|l| (l.email.to_owned(), l.outcome))
        .collect();
    assert_eq!(
        lines,
        [
            ("customer003@example.com".to_owned(), Outcome::Created),
            ("customer001@example.com".to_owned(), Outcome::Updated),
            ("customer002@example.com".to_owned(), Outcome::Rejected),
            ("customer000@example.com".to_owned(), Outcome::Unchanged),
        ]
    );

    let mut csv_out = Vec::new();
    report.write_csv(&mut csv_out).unwrap();
    let mut reader = csv::Reader::from_reader(csv_out.as_slice());
    assert_eq!(
        reader.headers().unwrap(),
        vec!["email", "outcome", "reason"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 4);
    assert_eq!(&rows[2][0], "customer002@example.com");
    assert_eq!(&rows[2][1], "rejected");
    assert!(rows[2][2].contains("orders_count"), "{:?}", &rows[2]);
    assert_eq!(&rows[0][2], "");

    let json = report.to_json();
    assert_eq!(
        (json["pushed"].as_u64(), json["rejected"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(json["contacts"][1]["outcome"], "updated");
    assert!(
        json["contacts"][2]["reason"]
            .as_str()
            .unwrap()
            .contains("lots")
    );
    assert!(json["contacts"][0].get("reason").is_none());

    // Progress: called while records settled, and a last time with the totals.
    let calls = seen.lock().unwrap();
    let last = calls.last().unwrap();
    assert!(last.done);
    assert_eq!(
        (last.considered, last.pushed, last.unchanged, last.rejected),
        (4, 2, 1, 1)
    );
    assert!(
        calls.iter().filter(|p| p.done).count() == 2,
        "one last call per run"
    );
    assert!(calls.len() > 2, "{calls:?}");
}
