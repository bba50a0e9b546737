//! What the three kinds of contact jobs share (wiremock): routes and `PascalCase` models,
//! retry safety, and validation before sending.

use std::time::Duration;

use relance::Error;
use relance::http::RetryPolicy;
use relance::sendethic::{
    ContactExport, ContactImport, ContactPurge, ExportJobId, FileSource, ImportColumn, ImportId,
    PurgeId,
};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{p, setup};

/// Mounts, for the jobs under `/contacts/<segment>`: the list (`job` alone), the job `id`,
/// its deletion, and the download of `file` (answering `bytes`); each expected once.
async fn mount_job_routes(
    server: &MockServer,
    segment: &str,
    id: &str,
    job: &serde_json::Value,
    file: &str,
    bytes: &[u8],
) {
    let root = format!("/contacts/{segment}");
    for (route, body) in [
        (root.clone(), json!([job])),
        (format!("{root}/{id}"), job.clone()),
    ] {
        Mock::given(method("GET"))
            .and(path(p(&route)))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .expect(1)
            .mount(server)
            .await;
    }
    Mock::given(method("DELETE"))
        .and(path(p(&format!("{root}/{id}"))))
        .respond_with(ResponseTemplate::new(200).set_body_json("Job deleted."))
        .expect(1)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(p(&format!("{root}/file/{file}"))))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "application/zip")
                .set_body_bytes(bytes),
        )
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn import_job_routes_and_pascal_case_model() {
    let (server, client) = setup().await;
    let import = json!({
        "Id": "5", "Name": "daily", "StartDate": "2026-11-22 10:00:00", "Status": "Terminé",
        "Link": "https://x/api/rest/v4/contacts/import/file/import_5.zip",
        "LineRead": "10", "LineDuplicate": "1", "LineAdd": 6, "LineUpdate": "2",
        "LineImport": "8", "LineError": "1"
    });
    mount_job_routes(
        &server,
        "import",
        "5",
        &import,
        "import_5.zip",
        b"PK-import",
    )
    .await;
    let imports = client.imports().list().await.unwrap();
    let one = client.imports().get(ImportId(5)).await.unwrap();
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
    assert_eq!(
        client.imports().delete(ImportId(5)).await.unwrap().text(),
        "Job deleted."
    );
    assert_eq!(
        &client.imports().download("import_5.zip").await.unwrap()[..],
        b"PK-import"
    );
}

#[tokio::test]
async fn export_job_routes_and_pascal_case_model() {
    let (server, client) = setup().await;
    let export = json!({
        "Id": 8, "Name": "vip", "StartDate": "2026-11-22T10:00:00", "Status": "Done",
        "Link": "https://x/api/rest/v4/contacts/export/file/export_8.zip", "TotalContact": "3"
    });
    mount_job_routes(
        &server,
        "export",
        "8",
        &export,
        "export_8.zip",
        b"PK-export",
    )
    .await;
    let exports = client.exports().list().await.unwrap();
    let one = client.exports().get(ExportJobId(8)).await.unwrap();
    assert_eq!(exports, vec![one.clone()]);
    assert_eq!((one.total_contact, one.is_finished()), (3, true));
    assert_eq!(one.file_name().as_deref(), Some("export_8.zip"));
    client.exports().delete(ExportJobId(8)).await.unwrap();
    assert_eq!(
        &client.exports().download("export_8.zip").await.unwrap()[..],
        b"PK-export"
    );
}

#[tokio::test]
async fn purge_job_routes_and_pascal_case_model() {
    let (server, client) = setup().await;
    let purge = json!({
        "Id": 2, "StartDate": null, "Status": "InProgress", "Link": "", "LineRead": 4
    });
    mount_job_routes(&server, "purge", "2", &purge, "purge_2.zip", b"PK-purge").await;
    let purges = client.purges().list().await.unwrap();
    let one = client.purges().get(PurgeId(2)).await.unwrap();
    assert_eq!(purges, vec![one.clone()]);
    assert_eq!((one.line_read, one.is_finished()), (4, false));
    assert_eq!(one.file_name(), None, "an empty link is no file");
    client.purges().delete(PurgeId(2)).await.unwrap();
    assert_eq!(
        &client.purges().download("purge_2.zip").await.unwrap()[..],
        b"PK-purge"
    );
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
        .imports()
        .start(
            ContactImport::new("n", FileSource::rows([vec!["a@x.fr".to_owned()]]))
                .columns([ImportColumn::standard("email")]),
        )
        .retry(RetryPolicy::default().initial_backoff(Duration::from_millis(1)))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    let err = client
        .purges()
        .start(ContactPurge::keys(["a@x.fr"]))
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
    let job = client.imports().get(ImportId(5)).await.unwrap();
    assert_eq!(job.id, ImportId(5));
}

#[tokio::test]
async fn bad_imports_are_rejected_before_sending_with_the_item_named() {
    let (server, client) = setup().await;
    let email = || [ImportColumn::standard("email")];
    let src = || FileSource::bytes("a@x.fr\n", "f.csv");
    let cases: Vec<(&str, relance::Result<relance::sendethic::ImportJob>)> = vec![
        (
            "separator '#'",
            client
                .imports()
                .start(
                    ContactImport::new("n", src())
                        .columns(email())
                        .separator('#'),
                )
                .await,
        ),
        (
            "name",
            client
                .imports()
                .start(ContactImport::new("  ", src()).columns(email()))
                .await,
        ),
        (
            "matchings",
            client.imports().start(ContactImport::new("n", src())).await,
        ),
        (
            "firstLine",
            client
                .imports()
                .start(
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
        .imports()
        .start(ContactImport::new("n", FileSource::path("/no/such/file.csv")).columns(email()))
        .await
    {
        Err(Error::Io { context, source }) => {
            assert!(context.contains("/no/such/file.csv"), "{context}");
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "nothing was sent"
    );
}

#[tokio::test]
async fn bad_purges_and_exports_are_rejected_before_sending_with_the_item_named() {
    let (server, client) = setup().await;
    let src = || FileSource::bytes("a@x.fr\n", "f.csv");
    for (item, result) in [
        (
            "keyColumn",
            client
                .purges()
                .start(ContactPurge::file(src(), 0))
                .await
                .map(|_| ()),
        ),
        (
            "firstLine",
            client
                .purges()
                .start(ContactPurge::keys(["a@x.fr"]).first_line(0))
                .await
                .map(|_| ()),
        ),
        (
            "separator '\"'",
            client
                .purges()
                .start(ContactPurge::keys(["a@x.fr"]).separator('"'))
                .await
                .map(|_| ()),
        ),
        (
            "separator '@'",
            client
                .purges()
                .start(ContactPurge::keys(["a@x.fr"]).separator('@'))
                .await
                .map(|_| ()),
        ),
        (
            "name",
            client
                .exports()
                .start(ContactExport::new(""))
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
