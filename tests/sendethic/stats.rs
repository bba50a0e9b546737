//! Request shapes of the activity-export endpoints of the statistics (wiremock).

use chrono::{TimeZone, Utc};
use relance::Error;
use relance::sendethic::{ActivityRange, ExportId, OperationId};
use serde_json::json;
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::support::{expect, p, setup};

#[tokio::test]
async fn activity_export_endpoints() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(p("/emailing/export/add/42")))
        .and(body_json(json!({"name": "june", "startDate": "2024-06-01 00:00:00", "endDate": "2024-06-30 23:59:59"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 3, "referenceId": 42, "status": "Pending"})))
        .expect(1)
        .mount(&server)
        .await;
    expect(
        &server,
        "GET",
        "/emailing/export/3",
        200,
        json!({"id": "3", "link": "https://x.example/f/act%203.zip"}),
        1,
    )
    .await;
    expect(
        &server,
        "GET",
        "/emailing/exports/20",
        200,
        json!([{"id": 3}]),
        1,
    )
    .await;
    Mock::given(method("GET"))
        .and(path(p("/emailing/export/file/act%203.zip")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(b"PK\x03\x04".to_vec(), "application/octet-stream"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let range = ActivityRange::new(
        Utc.with_ymd_and_hms(2024, 6, 1, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2024, 6, 30, 23, 59, 59).unwrap(),
    )
    .name("june");
    let started = client
        .stats()
        .start_activity_export(OperationId(42), range)
        .await
        .unwrap();
    assert!(!started.is_ready());
    let export = client.stats().activity_export(ExportId(3)).await.unwrap();
    assert_eq!(export.file_name().as_deref(), Some("act 3.zip"));
    assert_eq!(client.stats().activity_exports(20).await.unwrap().len(), 1);
    let bytes = client.stats().download_activity("act 3.zip").await.unwrap();
    assert_eq!(&bytes[..2], b"PK");
    // A reversed period is refused before sending.
    let bad = ActivityRange::new(
        Utc.with_ymd_and_hms(2024, 7, 1, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2024, 6, 1, 0, 0, 0).unwrap(),
    );
    assert!(matches!(
        client
            .stats()
            .start_activity_export(OperationId(42), bad)
            .await
            .unwrap_err(),
        Error::InvalidInput { .. }
    ));
}
