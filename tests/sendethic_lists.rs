//! Request shapes of the lists resource (wiremock): multipart imports and purges, export
//! JSON, job routes and `PascalCase` decoding, retry safety, validation before sending, and
//! `export_records` over a downloaded archive.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)]

mod common;

use std::io::Write;
use std::time::Duration;

use relance::Error;
use relance::http::RetryPolicy;
use relance::sendethic::{
    Client, Contact, ContactExport, ContactImport, ContactPurge, DuplicateOption, ExportFilter,
    ExportJobId, FieldId, FileEncoding, FileSource, ImportColumn, ImportId, JobWait, OptIn,
    PurgeId, SegmentId,
};
use relance::testing::{MultipartPart, parse_multipart};
use serde_json::json;
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const PREFIX: &str = "/api/rest/v4";

async fn setup() -> (MockServer, Client) {
    common::sendethic(PREFIX).await
}

fn p(rest: &str) -> String {
    format!("{PREFIX}{rest}")
}

/// The multipart parts of the only request received on `route`.
async fn parts_of(server: &MockServer, route: &str) -> Vec<MultipartPart> {
    let requests: Vec<Request> = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() == p(route))
        .collect();
    assert_eq!(requests.len(), 1, "one request on {route}");
    let request = &requests[0];
    assert_eq!(request.method.as_str(), "POST");
    let content_type = request
        .headers
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        content_type.starts_with("multipart/form-data; boundary="),
        "{content_type}"
    );
    parse_multipart(content_type, &request.body).expect("a multipart body")
}

/// `(name, text)` of each non-file part, in order.
fn fields(parts: &[MultipartPart]) -> Vec<(String, String)> {
    parts
        .iter()
        .filter(|p| p.name != "file")
        .map(|p| (p.name.clone(), p.text()))
        .collect()
}

fn file(parts: &[MultipartPart]) -> &MultipartPart {
    let files: Vec<_> = parts.iter().filter(|p| p.name == "file").collect();
    assert_eq!(files.len(), 1, "exactly one file part");
    assert_eq!(
        parts.last().unwrap().name,
        "file",
        "the file part comes last"
    );
    files[0]
}

fn created(body: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(201).set_body_json(body)
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[tokio::test]
async fn import_sends_every_typed_parameter_as_a_part() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(p("/contacts/import/add")))
        .respond_with(created(json!({
            "Id": "41", "Name": "nightly", "StartDate": "2026-11-22 10:00:00",
            "Status": "InProgress", "Link": null,
            "LineRead": "0", "LineDuplicate": 0, "LineAdd": "0", "LineUpdate": 0,
            "LineImport": 0, "LineError": "0", "Unmodelled": true
        })))
        .expect(1)
        .mount(&server)
        .await;
    let latin1: &[u8] = b"skip me\nann@x.fr,Jos\xe9,gold\n";
    let job = client
        .lists()
        .import(
            ContactImport::new("nightly", FileSource::bytes(latin1, "base.csv"))
                .first_line(2)
                .header(false)
                .encoding(FileEncoding::Iso8859_1)
                .separator(',')
                .duplicates(DuplicateOption::SkipExisting)
                .columns([
                    ImportColumn::standard("email"),
                    ImportColumn::standard("firstname"),
                    ImportColumn::Custom(FieldId(26)),
                ]),
        )
        .await
        .unwrap();
    assert_eq!(job.id, ImportId(41));
    assert_eq!(job.name.as_deref(), Some("nightly"));
    assert_eq!(job.status.as_deref(), Some("InProgress"));
    assert!(!job.is_finished());
    assert_eq!(job.extra.get("Unmodelled"), Some(&json!(true)));

    let parts = parts_of(&server, "/contacts/import/add").await;
    assert_eq!(
        fields(&parts),
        pairs(&[
            ("name", "nightly"),
            ("firstLine", "2"),
            ("firstLineAsHeader", "false"),
            ("encoding", "ISO-8859-1"),
            ("separator", ","),
            ("duplicateOption", "disallowdup"),
            ("matchings", r#"["email","firstname","26"]"#),
        ])
    );
    let file = file(&parts);
    assert_eq!(file.file_name.as_deref(), Some("base.csv"));
    assert_eq!(file.content_type.as_deref(), Some("text/csv"));
    assert_eq!(file.data, latin1, "bytes are sent untouched");
}

#[tokio::test]
async fn import_defaults_and_each_duplicate_option() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(p("/contacts/import/add")))
        .respond_with(created(json!({"Id": 1})))
        .mount(&server)
        .await;
    for (option, wire) in [
        (DuplicateOption::Update, "disallowdupupdate"),
        (DuplicateOption::SkipExisting, "disallowdup"),
        (DuplicateOption::AllowDuplicates, "allowdup"),
    ] {
        server.reset().await;
        Mock::given(method("POST"))
            .and(path(p("/contacts/import/add")))
            .respond_with(created(json!({"Id": 1})))
            .mount(&server)
            .await;
        client
            .lists()
            .import(
                ContactImport::new("n", FileSource::bytes("email\na@x.fr\n", "f.csv"))
                    .columns([ImportColumn::standard("email")])
                    .duplicates(option),
            )
            .await
            .unwrap();
        let parts = parts_of(&server, "/contacts/import/add").await;
        assert_eq!(
            fields(&parts),
            pairs(&[
                ("name", "n"),
                ("firstLine", "1"),
                ("firstLineAsHeader", "true"),
                ("encoding", "UTF-8"),
                ("separator", ";"),
                ("duplicateOption", wire),
                ("matchings", r#"["email"]"#),
            ])
        );
    }
}

#[tokio::test]
async fn import_of_typed_contacts_writes_a_header_and_one_csv_line_each() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(p("/contacts/import/add")))
        .respond_with(created(json!({"Id": 2})))
        .expect(1)
        .mount(&server)
        .await;
    let contacts = vec![
        Contact::new("ann@x.fr")
            .email("ann@x.fr")
            .first_name("Ann; the \"first\"")
            .email_optin(OptIn::Yes1)
            .custom(FieldId(26), "gold"),
        // No email member: the key fills the email column; a cleared field is empty.
        Contact::new("bob@x.fr").clear_custom(FieldId(26)),
    ];
    let columns = [
        ImportColumn::standard("email"),
        ImportColumn::standard("firstname"),
        ImportColumn::standard("emailoptin"),
        ImportColumn::Custom(FieldId(26)),
    ];
    client
        .lists()
        .import(ContactImport::from_contacts("typed", contacts, columns).separator('|'))
        .await
        .unwrap();
    let parts = parts_of(&server, "/contacts/import/add").await;
    let f = fields(&parts);
    assert!(f.contains(&("firstLineAsHeader".into(), "true".into())));
    assert!(f.contains(&("separator".into(), "|".into())));
    assert!(f.contains(&(
        "matchings".into(),
        r#"["email","firstname","emailoptin","26"]"#.into()
    )));
    let file = file(&parts);
    assert_eq!(file.file_name.as_deref(), Some("contacts.csv"));
    assert_eq!(file.content_type.as_deref(), Some("text/csv"));
    assert_eq!(
        file.text(),
        "email|firstname|emailoptin|26\nann@x.fr|\"Ann; the \"\"first\"\"\"|yes1|gold\nbob@x.fr|||\n"
    );
}

#[tokio::test]
async fn import_from_a_stream_of_contacts_and_a_file_on_disk() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(p("/contacts/import/add")))
        .respond_with(created(json!({"Id": 3})))
        .mount(&server)
        .await;
    // 20 000 contacts: more than one 64 KiB chunk.
    let stream =
        futures_util::stream::iter((0..20_000).map(|i| Contact::new(format!("u{i}@x.fr"))));
    client
        .lists()
        .import(
            ContactImport::new(
                "stream",
                FileSource::contact_stream(stream, &[ImportColumn::standard("email")]),
            )
            .columns([ImportColumn::standard("email")]),
        )
        .await
        .unwrap();
    let parts = parts_of(&server, "/contacts/import/add").await;
    let text = file(&parts).text();
    assert!(text.len() > 64 * 1024);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 20_001);
    assert_eq!(lines[0], "email");
    assert_eq!(lines[20_000], "u19999@x.fr");

    server.reset().await;
    Mock::given(method("POST"))
        .and(path(p("/contacts/import/add")))
        .respond_with(created(json!({"Id": 4})))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let on_disk = dir.path().join("clients.txt");
    std::fs::File::create(&on_disk)
        .unwrap()
        .write_all(b"email\nz@x.fr\n")
        .unwrap();
    client
        .lists()
        .import(
            ContactImport::new("disk", FileSource::path(&on_disk))
                .columns([ImportColumn::standard("email")]),
        )
        .await
        .unwrap();
    let parts = parts_of(&server, "/contacts/import/add").await;
    let file = file(&parts);
    assert_eq!(file.file_name.as_deref(), Some("clients.txt"));
    assert_eq!(file.content_type.as_deref(), Some("text/csv"));
    assert_eq!(file.text(), "email\nz@x.fr\n");
}

#[tokio::test]
async fn purge_sends_the_key_column_and_the_keys() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(p("/contacts/purge/add")))
        .respond_with(created(json!({
            "Id": "9", "StartDate": "2026-11-22 10:00:00", "Status": "InProgress", "LineRead": "2"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let job = client
        .lists()
        .purge(ContactPurge::keys(["gone@x.fr", "left;@x.fr"]))
        .await
        .unwrap();
    assert_eq!((job.id, job.line_read), (PurgeId(9), 2));
    let parts = parts_of(&server, "/contacts/purge/add").await;
    assert_eq!(
        fields(&parts),
        pairs(&[
            ("firstLine", "1"),
            ("firstLineAsHeader", "false"),
            ("encoding", "UTF-8"),
            ("separator", ";"),
            ("keyColumn", "1"),
        ])
    );
    let f = file(&parts);
    assert_eq!(f.content_type.as_deref(), Some("text/csv"));
    assert_eq!(f.file_name.as_deref(), Some("contacts.csv"));
    assert_eq!(f.text(), "gone@x.fr\n\"left;@x.fr\"\n");

    server.reset().await;
    Mock::given(method("POST"))
        .and(path(p("/contacts/purge/add")))
        .respond_with(created(json!({"Id": 10})))
        .mount(&server)
        .await;
    client
        .lists()
        .purge(
            ContactPurge::file(FileSource::bytes("id,email\n1,a@x.fr\n", "leavers.csv"), 2)
                .first_line(2)
                .header(true)
                .separator(',')
                .encoding(FileEncoding::Iso8859_15),
        )
        .await
        .unwrap();
    let parts = parts_of(&server, "/contacts/purge/add").await;
    assert_eq!(
        fields(&parts),
        pairs(&[
            ("firstLine", "2"),
            ("firstLineAsHeader", "true"),
            ("encoding", "ISO-8859-15"),
            ("separator", ","),
            ("keyColumn", "2"),
        ])
    );
    assert_eq!(file(&parts).file_name.as_deref(), Some("leavers.csv"));
}

#[tokio::test]
async fn export_sends_the_exact_contact_export_nfo() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(p("/contacts/export/add")))
        .and(body_json(json!({
            "name": "weekly",
            "description": "segment:12",
            "fields": ["email", "firstname", "emailopenings", "26"],
            "filters": ["emailingoptin", "emailinghard"]
        })))
        .respond_with(created(json!({
            "Id": 77, "Name": "weekly", "Status": "InProgress", "TotalContact": "1500"
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(p("/contacts/export/add")))
        .and(body_json(json!({"name": "all"})))
        .respond_with(created(json!({"Id": 78})))
        .expect(1)
        .mount(&server)
        .await;
    let job = client
        .lists()
        .export(
            ContactExport::new("weekly")
                .segment(SegmentId(12))
                .fields(["email", "firstname", "emailopenings", "26"])
                .filter(ExportFilter::EmailOptIn)
                .filter(ExportFilter::HardBounce),
        )
        .await
        .unwrap();
    assert_eq!((job.id, job.total_contact), (ExportJobId(77), 1500));
    let all = client
        .lists()
        .export(ContactExport::new("all"))
        .await
        .unwrap();
    assert_eq!(all.id, ExportJobId(78));
}

#[tokio::test]
async fn job_routes_and_pascal_case_models() {
    let (server, client) = setup().await;
    let import = json!({
        "Id": "5", "Name": "daily", "StartDate": "2026-11-22 10:00:00", "Status": "Terminé",
        "Link": "https://x/api/rest/v4/contacts/import/file/import_5.zip",
        "LineRead": "10", "LineDuplicate": "1", "LineAdd": 6, "LineUpdate": "2",
        "LineImport": "8", "LineError": "1"
    });
    let export = json!({
        "Id": 8, "Name": "vip", "StartDate": "2026-11-22T10:00:00", "Status": "Done",
        "Link": "https://x/api/rest/v4/contacts/export/file/export_8.zip", "TotalContact": "3"
    });
    let purge = json!({
        "Id": 2, "StartDate": null, "Status": "InProgress", "Link": "", "LineRead": 4
    });
    for (route, body) in [
        ("/contacts/import", json!([import])),
        ("/contacts/import/5", import.clone()),
        ("/contacts/export", json!([export])),
        ("/contacts/export/8", export.clone()),
        ("/contacts/purge", json!([purge])),
        ("/contacts/purge/2", purge.clone()),
    ] {
        Mock::given(method("GET"))
            .and(path(p(route)))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .expect(1)
            .mount(&server)
            .await;
    }
    for route in [
        "/contacts/import/5",
        "/contacts/export/8",
        "/contacts/purge/2",
    ] {
        Mock::given(method("DELETE"))
            .and(path(p(route)))
            .respond_with(ResponseTemplate::new(200).set_body_json("Job deleted."))
            .expect(1)
            .mount(&server)
            .await;
    }
    for (route, bytes) in [
        ("/contacts/import/file/import_5.zip", &b"PK-import"[..]),
        ("/contacts/export/file/export_8.zip", b"PK-export"),
        ("/contacts/purge/file/purge_2.zip", b"PK-purge"),
    ] {
        Mock::given(method("GET"))
            .and(path(p(route)))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("content-type", "application/zip")
                    .set_body_bytes(bytes),
            )
            .expect(1)
            .mount(&server)
            .await;
    }
    let lists = client.lists();

    let imports = lists.imports().await.unwrap();
    let one = lists.import_job(ImportId(5)).await.unwrap();
    assert_eq!(imports, vec![one.clone()]);
    assert_eq!(
        (
            one.line_read,
            one.line_duplicate,
            one.line_add,
            one.line_update,
            one.line_import,
            one.line_error
        ),
        (10, 1, 6, 2, 8, 1)
    );
    assert!(one.is_finished());
    assert_eq!(one.file_name().as_deref(), Some("import_5.zip"));
    assert!(one.start_date.as_ref().unwrap().datetime().is_some());

    let exports = lists.exports().await.unwrap();
    let one = lists.export_job(ExportJobId(8)).await.unwrap();
    assert_eq!(exports, vec![one.clone()]);
    assert_eq!((one.total_contact, one.is_finished()), (3, true));
    assert_eq!(one.file_name().as_deref(), Some("export_8.zip"));

    let purges = lists.purges().await.unwrap();
    let one = lists.purge_job(PurgeId(2)).await.unwrap();
    assert_eq!(purges, vec![one.clone()]);
    assert_eq!((one.line_read, one.is_finished()), (4, false));
    assert_eq!(one.file_name(), None, "an empty link is no file");

    assert_eq!(
        lists.delete_import(ImportId(5)).await.unwrap().text(),
        "Job deleted."
    );
    lists.delete_export(ExportJobId(8)).await.unwrap();
    lists.delete_purge(PurgeId(2)).await.unwrap();

    assert_eq!(
        &lists.download_import("import_5.zip").await.unwrap()[..],
        b"PK-import"
    );
    assert_eq!(
        &lists.download_export("export_8.zip").await.unwrap()[..],
        b"PK-export"
    );
    assert_eq!(
        &lists.download_purge("purge_2.zip").await.unwrap()[..],
        b"PK-purge"
    );
}

#[tokio::test]
async fn file_names_are_escaped_in_download_paths() {
    let (server, client) = setup().await;
    let err = client
        .lists()
        .download_export("../../account/apikey")
        .await
        .unwrap_err();
    // Either rejected before sending or sent escaped: never a traversal.
    for r in server.received_requests().await.unwrap() {
        assert!(
            r.url.path().starts_with(&p("/contacts/export/file/")),
            "{}",
            r.url
        );
    }
    drop(err);
}

#[tokio::test]
async fn imports_and_purges_are_never_retried_but_job_reads_are() {
    let (server, client) = setup().await;
    for route in ["/contacts/import/add", "/contacts/purge/add"] {
        Mock::given(method("POST"))
            .and(path(p(route)))
            .respond_with(ResponseTemplate::new(503))
            .expect(1)
            .mount(&server)
            .await;
    }
    let err = client
        .lists()
        .import(
            ContactImport::new("n", FileSource::rows([vec!["a@x.fr".to_owned()]]))
                .columns([ImportColumn::standard("email")]),
        )
        .retry(RetryPolicy::default().initial_backoff(Duration::from_millis(1)))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    let err = client
        .lists()
        .purge(ContactPurge::keys(["a@x.fr"]))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));

    // A GET of a job: one 503, then the job.
    Mock::given(method("GET"))
        .and(path(p("/contacts/import/5")))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(p("/contacts/import/5")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"Id": 5})))
        .expect(1)
        .mount(&server)
        .await;
    let job = client.lists().import_job(ImportId(5)).await.unwrap();
    assert_eq!(job.id, ImportId(5));
}

#[tokio::test]
async fn bad_input_is_rejected_before_sending_with_the_item_named() {
    let (server, client) = setup().await;
    let email = || [ImportColumn::standard("email")];
    let src = || FileSource::bytes("a@x.fr\n", "f.csv");
    let cases: Vec<(&str, relance::Result<relance::sendethic::ImportJob>)> = vec![
        (
            "separator '#'",
            client
                .lists()
                .import(
                    ContactImport::new("n", src())
                        .columns(email())
                        .separator('#'),
                )
                .await,
        ),
        (
            "name",
            client
                .lists()
                .import(ContactImport::new("  ", src()).columns(email()))
                .await,
        ),
        (
            "matchings",
            client.lists().import(ContactImport::new("n", src())).await,
        ),
        (
            "firstLine",
            client
                .lists()
                .import(
                    ContactImport::new("n", src())
                        .columns(email())
                        .first_line(0),
                )
                .await,
        ),
    ];
    for (item, result) in cases {
        match result {
            Err(Error::InvalidInput { item: got, .. }) => assert_eq!(got, item),
            other => panic!("{item}: {other:?}"),
        }
    }
    // A local file that cannot be opened is an I/O error naming the file.
    match client
        .lists()
        .import(ContactImport::new("n", FileSource::path("/no/such/file.csv")).columns(email()))
        .await
    {
        Err(Error::Io { context, source }) => {
            assert!(context.contains("/no/such/file.csv"), "{context}");
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
        }
        other => panic!("{other:?}"),
    }
    for (item, result) in [
        (
            "keyColumn",
            client
                .lists()
                .purge(ContactPurge::file(src(), 0))
                .await
                .map(|_| ()),
        ),
        (
            "firstLine",
            client
                .lists()
                .purge(ContactPurge::keys(["a@x.fr"]).first_line(0))
                .await
                .map(|_| ()),
        ),
        (
            "separator '\"'",
            client
                .lists()
                .purge(ContactPurge::keys(["a@x.fr"]).separator('"'))
                .await
                .map(|_| ()),
        ),
        (
            "separator '@'",
            client
                .lists()
                .purge(ContactPurge::keys(["a@x.fr"]).separator('@'))
                .await
                .map(|_| ()),
        ),
        (
            "name",
            client
                .lists()
                .export(ContactExport::new(""))
                .await
                .map(|_| ()),
        ),
    ] {
        match result {
            Err(Error::InvalidInput { item: got, .. }) => assert_eq!(got, item),
            other => panic!("{item}: {other:?}"),
        }
    }
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "nothing was sent"
    );
}

fn zip_of(name: &str, content: &[u8]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file(name, options).unwrap();
        zip.write_all(content).unwrap();
        zip.finish().unwrap();
    }
    out.into_inner()
}

#[tokio::test]
async fn export_records_waits_downloads_and_streams_rows_with_malformed_lines_reported() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(p("/contacts/export/add")))
        .and(body_json(
            json!({"name": "vip", "description": "segment:3"}),
        ))
        .respond_with(created(json!({"Id": 8, "Status": "InProgress"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(p("/contacts/export/8")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"Id": 8, "Status": "Running"})),
        )
        .up_to_n_times(2)
        .with_priority(1)
        .expect(2)
        .mount(&server)
        .await;
    let link = format!("{}{PREFIX}/contacts/export/file/export_8.zip", server.uri());
    Mock::given(method("GET"))
        .and(path(p("/contacts/export/8")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"Id": 8, "Status": "Done", "Link": link})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let csv = b"Email;FirstName;26\nann@x.fr;Ann;gold\nbob@x.fr;\"Bob\ncid@x.fr;Cid;silver\n\ndee@x.fr;D\xe9e;\n";
    Mock::given(method("GET"))
        .and(path(p("/contacts/export/file/export_8.zip")))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(zip_of("export_8.csv", csv)))
        .expect(1)
        .mount(&server)
        .await;
    let reader = client
        .lists()
        .export_records(
            ContactExport::new("vip").segment(SegmentId(3)),
            JobWait::new(Duration::from_secs(5)).interval(Duration::from_millis(5)),
        )
        .await
        .unwrap();
    assert_eq!(reader.headers(), ["Email", "FirstName", "26"]);
    let out: Vec<_> = reader.collect();
    assert_eq!(out.len(), 4);
    let ann = out[0].as_ref().unwrap().to_contact();
    assert_eq!(ann.key, "ann@x.fr");
    assert_eq!(ann.first_name.value().map(String::as_str), Some("Ann"));
    assert_eq!(ann.custom_value(FieldId(26)), Some("gold"));
    match &out[1] {
        Err(Error::InvalidInput { item, .. }) => assert_eq!(item, "line 3"),
        other => panic!("{other:?}"),
    }
    let cid = out[2].as_ref().unwrap();
    assert_eq!((cid.line(), cid.get("email")), (4, Some("cid@x.fr")));
    let dee = out[3].as_ref().unwrap();
    assert_eq!(dee.line(), 6);
    assert_eq!(dee.get("firstname"), Some("Dée"), "Latin-1 decoded");
}

#[tokio::test]
async fn a_failed_export_is_a_job_error() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(p("/contacts/export/add")))
        .respond_with(created(json!({"Id": 9, "Status": "Error: bad field"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(p("/contacts/export/9")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"Id": 9, "Status": "Error: bad field"})),
        )
        .mount(&server)
        .await;
    let err = client
        .lists()
        .export_records(
            ContactExport::new("x"),
            JobWait::new(Duration::from_secs(5)).interval(Duration::from_millis(5)),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::JobFailed { ref status, .. } if status == "Error: bad field"),
        "{err:?}"
    );
}

#[tokio::test]
async fn typed_contacts_are_pulled_only_while_uploading() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(p("/contacts/import/add")))
        .respond_with(created(json!({"Id": 6})))
        .expect(1)
        .mount(&server)
        .await;
    let pulled = Arc::new(AtomicUsize::new(0));
    let counter = pulled.clone();
    let contacts = (0..5_000).map(move |i| {
        counter.fetch_add(1, Ordering::SeqCst);
        Contact::new(format!("lazy{i}@x.fr"))
    });
    let request = client.lists().import(ContactImport::from_contacts(
        "lazy",
        contacts,
        [ImportColumn::standard("email")],
    ));
    assert_eq!(
        pulled.load(Ordering::SeqCst),
        0,
        "nothing pulled before sending"
    );
    request.await.unwrap();
    assert_eq!(pulled.load(Ordering::SeqCst), 5_000);
    let parts = parts_of(&server, "/contacts/import/add").await;
    assert_eq!(file(&parts).text().lines().count(), 5_001);
}
