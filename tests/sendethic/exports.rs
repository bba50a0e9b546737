//! Request shapes of contact exports (wiremock), and `records` over a downloaded archive.

use std::time::Duration;

use relance::Error;
use relance::sendethic::{ContactExport, ExportFilter, ExportJobId, FieldId, JobWait, SegmentId};
use serde_json::json;
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::support::{PREFIX, created, p, setup, zip_of};

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
        .exports()
        .start(
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
        .exports()
        .start(ContactExport::new("all"))
        .await
        .unwrap();
    assert_eq!(all.id, ExportJobId(78));
}

#[tokio::test]
async fn file_names_are_escaped_in_download_paths() {
    let (server, client) = setup().await;
    let err = client
        .exports()
        .download("../../account/apikey")
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
        .exports()
        .records(
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
        .exports()
        .records(
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
