//! Request shapes of SMS sends and operations (wiremock): never retried, checked first.

use relance::sendethic::{
    NewSms, OperationStatus, Patch, Receivers, Schedule, SegmentId, SmsMessage, SmsUpdate,
};
use serde_json::json;
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::support::{expect, invalid_item, p, setup};

#[tokio::test]
async fn a_single_sms_is_never_retried() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(p("/sms/send")))
        .and(body_json(
            json!({"mobile": "+33612340001", "message": "Parcel shipped", "oadc": "SHOP"}),
        ))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;

    let sms = client.sms();
    let err = sms
        .send(SmsMessage::new("+33612340001", "Parcel shipped").sender("SHOP"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
}

#[tokio::test]
async fn operation_shapes_and_an_approval_is_not_retried() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(p("/sms")))
        .and(body_json(json!({
            "name": "Flash", "message": "-20%", "oadc": "SHOP",
            "receivers": {"segmentIds": [4]}, "schedule": {"type": "asap"}
        })))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"id": 77, "name": "Flash", "status": "edited"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(p("/sms")))
        .and(body_json(json!({"id": 77, "message": "-30%", "oadc": ""})))
        .respond_with(ResponseTemplate::new(200).set_body_json("ok"))
        .expect(1)
        .mount(&server)
        .await;
    expect(
        &server,
        "PUT",
        "/sms/approve/77",
        502,
        json!("bad gateway"),
        1,
    )
    .await;
    expect(&server, "PUT", "/sms/suspend/77", 200, json!("ok"), 1).await;
    expect(&server, "PUT", "/sms/resume/77", 200, json!("ok"), 1).await;
    expect(
        &server,
        "GET",
        "/sms/operation/77",
        200,
        json!({"id": 77, "status": "running", "reportLink": "https://r"}),
        1,
    )
    .await;
    expect(
        &server,
        "DELETE",
        "/sms/operation/77",
        200,
        json!({"id": 77}),
        1,
    )
    .await;
    expect(&server, "GET", "/sms/100", 200, json!([]), 1).await;
    expect(
        &server,
        "GET",
        "/sms/status/completed/100",
        200,
        json!([]),
        1,
    )
    .await;
    Mock::given(method("POST"))
        .and(path(p("/sms/search/100")))
        .and(body_json(json!({"importIds": [9]})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .expect(1)
        .mount(&server)
        .await;

    let sms = client.sms();
    let op = sms
        .create(
            NewSms::new("Flash", "-20%")
                .sender("SHOP")
                .receivers(Receivers::new().segment(SegmentId(4)))
                .schedule(Schedule::Asap),
        )
        .await
        .unwrap();
    sms.update(SmsUpdate::new(op.id).message("-30%").sender(Patch::Clear))
        .await
        .unwrap();
    assert_eq!(sms.approve(op.id).await.unwrap_err().status(), Some(502));
    sms.suspend(op.id).await.unwrap();
    sms.resume(op.id).await.unwrap();
    assert_eq!(
        sms.get(op.id).await.unwrap().status,
        Some(OperationStatus::Running)
    );
    sms.delete(op.id).await.unwrap();
    sms.list(100).await.unwrap();
    sms.list_by_status(&OperationStatus::Completed, 100)
        .await
        .unwrap();
    sms.search_by_imports(&[9], 100).await.unwrap();
}

#[tokio::test]
async fn bad_sms_input_is_rejected_before_sending() {
    let (server, client) = setup().await;
    for bad in ["0612340001", "+0612340001", "+33 6 12 34 00 01", "+336", ""] {
        assert_eq!(
            invalid_item(
                client
                    .sms()
                    .send(SmsMessage::new(bad, "hi"))
                    .await
                    .unwrap_err()
            ),
            bad
        );
    }
    assert_eq!(
        invalid_item(
            client
                .sms()
                .send(SmsMessage::new("+33612340001", "  "))
                .await
                .unwrap_err()
        ),
        "message"
    );
    assert_eq!(
        invalid_item(client.sms().create(NewSms::new("n", "")).await.unwrap_err()),
        "message"
    );
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "nothing was sent"
    );
}
