//! Round trips of imports, exports and purges against `FakeSendethic`: duplicate options,
//! encodings, separators, header and first line, errors, segment exports, purges, job
//! waiting, timeouts, deletion and report archives.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::io::Read;
use std::time::Duration;

use relance::Error;
use relance::sendethic::{
    Client, Contact, ContactExport, ContactImport, ContactPurge, Criteria, Criterion,
    DuplicateOption, FieldFormat, FieldSpec, FileEncoding, FileSource, ImportColumn, ImportJob,
    JobWait, Mode, NewSegment, RecordReader,
};
use relance::testing::FakeSendethic;

fn wait() -> JobWait {
    JobWait::new(Duration::from_secs(10))
        .interval(Duration::from_millis(2))
        .max_interval(Duration::from_millis(10))
}

fn email() -> ImportColumn {
    ImportColumn::standard("email")
}

fn first() -> ImportColumn {
    ImportColumn::standard("firstname")
}

async fn import(client: &Client, import: ContactImport) -> relance::Result<ImportJob> {
    let job = client.imports().start(import).await?;
    client.imports().wait(job.id, wait()).await
}

fn first_name(fake: &FakeSendethic, key: &str) -> Option<String> {
    fake.contact(key)?.first_name.value().cloned()
}

fn counts(job: &ImportJob) -> [i64; 6] {
    [
        job.line_read,
        job.line_add,
        job.line_update,
        job.line_duplicate,
        job.line_import,
        job.line_error,
    ]
}

/// The text of the only entry of a zip archive.
fn unzip(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = String::new();
    zip.by_index(0).unwrap().read_to_string(&mut out).unwrap();
    out
}

async fn seed(client: &Client) {
    let job = import(
        client,
        ContactImport::new(
            "seed",
            FileSource::bytes("email;firstname\na@x.fr;Old A\nb@x.fr;Old B\n", "seed.csv"),
        )
        .columns([email(), first()]),
    )
    .await
    .unwrap();
    assert_eq!(counts(&job), [2, 2, 0, 0, 2, 0]);
}

const NEXT: &str = "email;firstname\nA@x.fr;New A\nc@x.fr;New C\n";

#[tokio::test]
async fn update_option_updates_existing_contacts_and_adds_new_ones() {
    let fake = FakeSendethic::start().await;
    let client = fake.client();
    seed(&client).await;
    let job = import(
        &client,
        ContactImport::new("upd", FileSource::bytes(NEXT, "next.csv"))
            .columns([email(), first()])
            .duplicates(DuplicateOption::Update),
    )
    .await
    .unwrap();
    assert!(job.is_finished());
    assert_eq!(counts(&job), [2, 1, 1, 0, 2, 0]);
    assert_eq!(fake.contact_count(), 3);
    assert_eq!(first_name(&fake, "a@x.fr").as_deref(), Some("New A"));
    assert_eq!(first_name(&fake, "b@x.fr").as_deref(), Some("Old B"));
    assert_eq!(first_name(&fake, "c@x.fr").as_deref(), Some("New C"));
}

#[tokio::test]
async fn skip_existing_option_only_adds_new_contacts() {
    let fake = FakeSendethic::start().await;
    let client = fake.client();
    seed(&client).await;
    let job = import(
        &client,
        ContactImport::new("new only", FileSource::bytes(NEXT, "next.csv"))
            .columns([email(), first()])
            .duplicates(DuplicateOption::SkipExisting),
    )
    .await
    .unwrap();
    assert_eq!(counts(&job), [2, 1, 0, 1, 1, 0]);
    assert_eq!(fake.contact_count(), 3);
    assert_eq!(first_name(&fake, "a@x.fr").as_deref(), Some("Old A"));
    assert_eq!(first_name(&fake, "c@x.fr").as_deref(), Some("New C"));
}

#[tokio::test]
async fn allow_duplicates_depends_on_the_account() {
    let fake = FakeSendethic::start().await;
    let client = fake.client();
    seed(&client).await;
    let dup = || {
        ContactImport::new("dups", FileSource::bytes(NEXT, "next.csv"))
            .columns([email(), first()])
            .duplicates(DuplicateOption::AllowDuplicates)
    };
    let err = import(&client, dup()).await.unwrap_err();
    match err {
        Error::JobFailed { job, status } => {
            assert_eq!(job.kind, relance::JobKind::Import, "{job}");
            assert!(job.to_string().starts_with("import "), "{job}");
            assert!(status.contains("duplicates are not allowed"), "{status}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(fake.contact_count(), 2, "nothing imported");

    fake.set_allow_duplicates(true);
    let job = import(&client, dup()).await.unwrap();
    assert_eq!(counts(&job), [2, 2, 0, 1, 2, 0]);
    assert_eq!(fake.contact_count(), 3);
}

#[tokio::test]
async fn encodings_separators_header_and_first_line() {
    let fake = FakeSendethic::start().await;
    let client = fake.client();
    // ISO-8859-1 with `;`, a header.
    let latin1: &[u8] = b"email;firstname\nl1@x.fr;Jos\xe9\n";
    let job = import(
        &client,
        ContactImport::new("latin1", FileSource::bytes(latin1, "l.csv"))
            .encoding(FileEncoding::Iso8859_1)
            .columns([email(), first()]),
    )
    .await
    .unwrap();
    assert_eq!(job.line_add, 1);
    assert_eq!(first_name(&fake, "l1@x.fr").as_deref(), Some("José"));

    // UTF-8 with `,`, quoted separators, no header.
    let job = import(
        &client,
        ContactImport::new(
            "utf8",
            FileSource::bytes("u1@x.fr,\"Zoé, Jr\"\nu2@x.fr,Ærøskøbing\n", "u.csv"),
        )
        .separator(',')
        .header(false)
        .columns([email(), first()]),
    )
    .await
    .unwrap();
    assert_eq!(counts(&job), [2, 2, 0, 0, 2, 0]);
    assert_eq!(first_name(&fake, "u1@x.fr").as_deref(), Some("Zoé, Jr"));
    assert_eq!(first_name(&fake, "u2@x.fr").as_deref(), Some("Ærøskøbing"));

    // Tab-separated, starting at line 3 (two lines of preamble), then a header.
    let job = import(
        &client,
        ContactImport::new(
            "tabs",
            FileSource::bytes(
                "exported by shop\n\nemail\tfirstname\nt1@x.fr\tTab\n",
                "t.txt",
            ),
        )
        .separator('\t')
        .first_line(3)
        .columns([email(), first()]),
    )
    .await
    .unwrap();
    assert_eq!(counts(&job), [1, 1, 0, 0, 1, 0]);
    assert_eq!(first_name(&fake, "t1@x.fr").as_deref(), Some("Tab"));

    // Typed contacts written by relance, `|` separator, with a custom field.
    let contacts =
        (0..50).map(|i| Contact::new(format!("typed{i}@x.fr")).first_name(format!("T{i}")));
    let job = import(
        &client,
        ContactImport::from_contacts("typed", contacts, [email(), first()]).separator('|'),
    )
    .await
    .unwrap();
    assert_eq!(counts(&job), [50, 50, 0, 0, 50, 0]);
    assert_eq!(first_name(&fake, "typed49@x.fr").as_deref(), Some("T49"));
    assert_eq!(fake.contact_count(), 1 + 2 + 1 + 50);
}

#[tokio::test]
async fn lines_with_errors_are_counted_and_reported_in_the_archive() {
    let fake = FakeSendethic::start().await;
    let client = fake.client();
    let file = "email;firstname\nok@x.fr;Ok\nnot-an-email;Bad\nshort@x.fr\nok2@x.fr;Ok2\n";
    let job = import(
        &client,
        ContactImport::new("errors", FileSource::bytes(file, "e.csv")).columns([email(), first()]),
    )
    .await
    .unwrap();
    assert_eq!(counts(&job), [4, 2, 0, 0, 2, 2]);
    assert_eq!(fake.contact_count(), 2);
    let name = job.file_name().unwrap();
    let report = unzip(&client.imports().download(&name).await.unwrap());
    let rows: Vec<_> = RecordReader::new(report.as_bytes())
        .unwrap()
        .collect::<relance::Result<_>>()
        .unwrap();
    let errors: Vec<_> = rows
        .iter()
        .filter(|r| r.get("status") == Some("error"))
        .map(|r| r.get("line").unwrap().to_owned())
        .collect();
    assert_eq!(errors, ["2", "3"]);
}

#[tokio::test]
async fn exports_of_the_whole_base_and_of_a_segment_match_the_fake() {
    let fake = FakeSendethic::start().await;
    let client = fake.client();
    let orders = client
        .fields()
        .ensure(FieldSpec::new(
            "relance_orders",
            "Orders",
            FieldFormat::Number,
        ))
        .await
        .unwrap()
        .field
        .id;
    let contacts = (0..30).map(move |i| {
        Contact::new(format!("c{i}@x.fr"))
            .first_name(if i == 7 {
                "Semi;colon \"q\"".to_owned()
            } else {
                format!("C{i}")
            })
            .custom(orders, (i % 10).to_string())
    });
    let job = import(
        &client,
        ContactImport::from_contacts(
            "base",
            contacts,
            [email(), first(), ImportColumn::Custom(orders)],
        ),
    )
    .await
    .unwrap();
    assert_eq!(job.line_add, 30);

    // Whole base.
    let rows: Vec<_> = client
        .exports()
        .records(
            ContactExport::new("all").fields(["email", "firstname", &orders.to_string()]),
            wait(),
        )
        .await
        .unwrap()
        .collect::<relance::Result<_>>()
        .unwrap();
    assert_eq!(rows.len(), fake.contact_count());
    for row in &rows {
        let exported = row.to_contact();
        let stored = fake.contact(&exported.key).unwrap();
        assert_eq!(exported.first_name, stored.first_name, "{}", exported.key);
        assert_eq!(
            exported.custom_value(orders),
            stored.custom_value(orders),
            "{}",
            exported.key
        );
    }
    assert!(
        rows.iter()
            .any(|r| r.get("firstname") == Some("Semi;colon \"q\""))
    );

    // One segment: orders >= 8 (i % 10 in {8, 9}).
    let segment = client
        .segments()
        .create(NewSegment::new(
            "Big spenders",
            Mode::Intersect,
            Criteria::new().with(Criterion::number_at_least(orders, 8)),
        ))
        .await
        .unwrap();
    let reader = client
        .exports()
        .records(
            ContactExport::new("big")
                .segment(segment.id)
                .fields(["email", &orders.to_string()]),
            wait(),
        )
        .await
        .unwrap();
    let keys: BTreeSet<String> = reader.map(|r| r.unwrap().to_contact().key).collect();
    let expected: BTreeSet<String> = fake
        .contacts()
        .into_iter()
        .filter(|c| {
            c.custom_value(orders)
                .and_then(|v| v.parse::<i64>().ok())
                .is_some_and(|v| v >= 8)
        })
        .map(|c| c.key.to_lowercase())
        .collect();
    assert_eq!(expected.len(), 6);
    assert_eq!(keys, expected);

    // The job list holds both exports; an unknown segment is a 404.
    assert_eq!(client.exports().list().await.unwrap().len(), 2);
    let err = client
        .exports()
        .start(ContactExport::new("x").segment(relance::sendethic::SegmentId(999_999)))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404));
}

#[tokio::test]
async fn purge_deletes_the_listed_keys_and_reports_them() {
    let fake = FakeSendethic::start().await;
    let client = fake.client();
    seed(&client).await;
    let job = client
        .purges()
        .start(ContactPurge::keys(["A@x.fr", "nobody@x.fr"]))
        .await
        .unwrap();
    let job = client.purges().wait(job.id, wait()).await.unwrap();
    assert!(job.is_finished());
    assert_eq!(job.line_read, 2);
    assert_eq!(fake.contact_count(), 1);
    assert!(fake.contact("a@x.fr").is_none());
    assert!(fake.contact("b@x.fr").is_some());
    let report = unzip(
        &client
            .purges()
            .download(&job.file_name().unwrap())
            .await
            .unwrap(),
    );
    assert_eq!(
        report,
        "key;status\na@x.fr;deleted\nnobody@x.fr;not found\n"
    );

    // A file with a header, keys in the second column, `,` separated.
    let job = client
        .purges()
        .start(
            ContactPurge::file(FileSource::bytes("id,email\n1,b@x.fr\n", "leavers.csv"), 2)
                .header(true)
                .separator(','),
        )
        .await
        .unwrap();
    let job = client.purges().wait(job.id, wait()).await.unwrap();
    assert_eq!(job.line_read, 1);
    assert_eq!(fake.contact_count(), 0);
    assert_eq!(client.purges().list().await.unwrap().len(), 2);
}

#[tokio::test]
async fn job_wait_polls_until_ready_and_times_out_on_a_short_deadline() {
    let fake = FakeSendethic::start().await;
    fake.set_jobs_ready_after(3);
    let client = fake.client();
    let job = client
        .imports()
        .start(
            ContactImport::new("slow", FileSource::bytes("email\na@x.fr\n", "s.csv"))
                .columns([email()]),
        )
        .await
        .unwrap();
    assert!(!job.is_finished());
    let path = format!("/contacts/import/{}", job.id);
    let done = client.imports().wait(job.id, wait()).await.unwrap();
    assert!(done.is_finished());
    assert_eq!(fake.hits("GET", &path), 3, "ready on the third poll");

    // A deadline shorter than the first interval: one poll, then JobTimeout.
    let job = client
        .purges()
        .start(ContactPurge::keys(["a@x.fr"]))
        .await
        .unwrap();
    let err = client
        .purges()
        .wait(
            job.id,
            JobWait::new(Duration::from_millis(20)).interval(Duration::from_millis(50)),
        )
        .await
        .unwrap_err();
    match err {
        Error::JobTimeout {
            job: name, status, ..
        } => {
            assert_eq!(name, relance::Job::new(relance::JobKind::Purge, job.id));
            assert_eq!(status, "InProgress");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(fake.hits("GET", &format!("/contacts/purge/{}", job.id)), 1);

    // Exports wait the same way.
    let export = client
        .exports()
        .start(ContactExport::new("e"))
        .await
        .unwrap();
    let ready = client.exports().wait(export.id, wait()).await.unwrap();
    assert!(ready.file_name().is_some());
    assert_eq!(
        fake.hits("GET", &format!("/contacts/export/{}", export.id)),
        3
    );
}

#[tokio::test]
async fn jobs_are_deleted_and_report_archives_downloaded() {
    let fake = FakeSendethic::start().await;
    let client = fake.client();
    seed(&client).await;
    let imports = client.imports().list().await.unwrap();
    assert_eq!(imports.len(), 1);
    let id = imports[0].id;
    let report = unzip(
        &client
            .imports()
            .download(&imports[0].file_name().unwrap())
            .await
            .unwrap(),
    );
    assert!(report.starts_with("line;status\n"), "{report}");

    let export = client
        .exports()
        .start(ContactExport::new("e"))
        .await
        .unwrap();
    let export = client.exports().wait(export.id, wait()).await.unwrap();
    let csv = unzip(
        &client
            .exports()
            .download(&export.file_name().unwrap())
            .await
            .unwrap(),
    );
    assert_eq!(csv, "email\na@x.fr\nb@x.fr\n");

    client.imports().delete(id).await.unwrap();
    client.exports().delete(export.id).await.unwrap();
    assert!(client.imports().list().await.unwrap().is_empty());
    assert!(client.exports().list().await.unwrap().is_empty());
    let err = client.imports().get(id).await.unwrap_err();
    assert_eq!(err.status(), Some(404));
    let err = client.exports().delete(export.id).await.unwrap_err();
    assert_eq!(err.status(), Some(404));
    let purge = client
        .purges()
        .start(ContactPurge::keys(["a@x.fr"]))
        .await
        .unwrap();
    client.purges().delete(purge.id).await.unwrap();
    assert!(client.purges().list().await.unwrap().is_empty());
}
