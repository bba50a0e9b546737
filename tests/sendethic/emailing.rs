//! Request shapes of email operations (wiremock), and the never-a-double-send rules.

use std::time::Duration;

use chrono::{TimeZone, Utc};
use relance::Error;
use relance::sendethic::{
    Analytics, Criteria, Criterion, Culture, EmailOptions, EmailUpdate, FieldId, Importance, Mode,
    NewEmail, OperationId, OperationStatus, Patch, Receivers, Schedule, ScheduleKind, SegmentId,
    TestEmail, TransactionalEmail, TriggerDelay,
};
use serde_json::json;
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::support::{expect, invalid_item, p, setup};

fn vip_criteria() -> Criteria {
    Criteria::new().with(Criterion::number_at_least(FieldId(26), 2).with_guid("g-1"))
}

#[tokio::test]
async fn create_sends_the_documented_body() {
    let (server, client) = setup().await;
    let at = Utc.with_ymd_and_hms(2024, 6, 1, 8, 30, 0).unwrap();
    let mut options = EmailOptions::default();
    options.importance = Some(Importance::High);
    options.analytics_option = Some(Analytics::Google);
    options.ga_campaign = Some("june".into());
    Mock::given(method("POST"))
        .and(path(p("/emailing")))
        .and(body_json(json!({
            "name": "June newsletter",
            "culture": "fr-fr",
            "date": "2024-06-01 08:30:00+0000",
            "subject": "Summer <sale> & more",
            "fromName": "Shop",
            "fromMail": "shop@example.com",
            "replyTo": "reply@example.com",
            "html": "<p>Hi **mb_firstname**</p>",
            "receivers": {
                "segmentIds": [12],
                "contactIds": [7],
                "conditionsXml": vip_criteria().to_xml(),
                "conditionsMode": "intersect"
            },
            "schedule": {"type": "scheduled"},
            "options": {"importance": "high", "analyticsOption": "google", "gaCampaign": "june"}
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "id": "901", "name": "June newsletter", "status": "edited", "subject": "Summer <sale> & more",
            "replyTo": "reply@example.com", "receivers": null, "schedule": null, "newThing": 1
        })))
        .expect(1)
        .mount(&server)
        .await;
    let op = client
        .emailing()
        .create(
            NewEmail::new(
                "June newsletter",
                "Summer <sale> & more",
                "reply@example.com",
            )
            .from("Shop", "shop@example.com")
            .culture(Culture::FrFr)
            .html("<p>Hi **mb_firstname**</p>")
            .receivers(
                Receivers::new()
                    .segment(SegmentId(12))
                    .contact(relance::sendethic::ContactId(7))
                    .conditions(&vip_criteria(), Mode::Intersect),
            )
            .schedule(Schedule::At(at))
            .options(options),
        )
        .await
        .unwrap();
    assert_eq!(op.id, OperationId(901));
    assert_eq!(op.status, Some(OperationStatus::Edited));
    assert_eq!(op.extra["newThing"], json!(1));
}

#[tokio::test]
async fn asap_and_triggered_schedules() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(p("/emailing")))
        .and(body_json(json!({
            "name": "Now", "subject": "S", "replyTo": "r@example.com", "schedule": {"type": "asap"}
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": 1})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(p("/emailing")))
        .and(body_json(json!({
            "name": "Welcome", "subject": "Hello", "replyTo": "r@example.com",
            "schedule": {"type": "triggered", "criterias": vip_criteria().to_xml(),
                         "criteriasTime": "h3", "criteriasLimit": "true"}
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": 2})))
        .expect(1)
        .mount(&server)
        .await;
    client
        .emailing()
        .create(NewEmail::new("Now", "S", "r@example.com").schedule(Schedule::Asap))
        .await
        .unwrap();
    client
        .emailing()
        .create(
            NewEmail::new("Welcome", "Hello", "r@example.com").schedule(Schedule::Triggered {
                criteria: vip_criteria(),
                delay: TriggerDelay::parse("h3").unwrap(),
                once_per_recipient: true,
            }),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn update_is_partial_and_clear_sends_an_empty_string() {
    let (server, client) = setup().await;
    Mock::given(method("PUT"))
        .and(path(p("/emailing")))
        .and(body_json(json!({
            "id": 42, "subject": "New subject", "description": "", "text": "",
            "schedule": {"type": "asap"}
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json("Operation updated."))
        .expect(1)
        .mount(&server)
        .await;
    let reply = client
        .emailing()
        .update(
            EmailUpdate::new(OperationId(42))
                .subject("New subject")
                .description(Patch::Clear)
                .text(Patch::Clear)
                .html(Patch::Unset)
                .schedule(Schedule::Asap),
        )
        .await
        .unwrap();
    assert_eq!(reply.text(), "Operation updated.");
}

#[tokio::test]
async fn lifecycle_paths_and_retry_rules() {
    let (server, client) = setup().await;
    // approve: a 503 is NOT retried (it may have been sent).
    expect(
        &server,
        "PUT",
        "/emailing/approve/42",
        503,
        json!("busy"),
        1,
    )
    .await;
    // suspend: idempotent, retried up to the policy's 3 attempts.
    expect(
        &server,
        "PUT",
        "/emailing/suspend/42",
        503,
        json!("busy"),
        3,
    )
    .await;
    // resume restarts sending: not retried.
    expect(&server, "PUT", "/emailing/resume/42", 503, json!("busy"), 1).await;
    expect(
        &server,
        "DELETE",
        "/emailing/operation/42",
        200,
        json!({"id": 42, "status": "suspended"}),
        1,
    )
    .await;
    expect(
        &server,
        "GET",
        "/emailing/operation/42",
        200,
        json!({"id": 42, "status": "archived", "receivers": {"segmentIds": ["12"]},
               "schedule": {"type": "asap"}, "reportLink": "https://r.example/42"}),
        1,
    )
    .await;
    expect(
        &server,
        "GET",
        "/emailing/50",
        200,
        json!([{"id": 1}, {"id": 2, "receivers": null}]),
        1,
    )
    .await;
    expect(
        &server,
        "GET",
        "/emailing/status/running/20",
        200,
        json!([]),
        1,
    )
    .await;

    assert_eq!(
        client
            .emailing()
            .approve(OperationId(42))
            .await
            .unwrap_err()
            .status(),
        Some(503)
    );
    assert_eq!(
        client
            .emailing()
            .suspend(OperationId(42))
            .await
            .unwrap_err()
            .status(),
        Some(503)
    );
    assert_eq!(
        client
            .emailing()
            .resume(OperationId(42))
            .await
            .unwrap_err()
            .status(),
        Some(503)
    );
    let deleted = client.emailing().delete(OperationId(42)).await.unwrap();
    assert_eq!(deleted.status, Some(OperationStatus::Suspended));
    let op = client.emailing().get(OperationId(42)).await.unwrap();
    assert_eq!(op.status, Some(OperationStatus::Unknown("archived".into())));
    assert_eq!(op.receivers.unwrap().segment_ids, [12]);
    assert_eq!(op.schedule.unwrap().kind, Some(ScheduleKind::Asap));
    assert_eq!(client.emailing().list(50).await.unwrap().len(), 2);
    client
        .emailing()
        .list_by_status(&OperationStatus::Running, 20)
        .await
        .unwrap();
    // Sizes are checked before sending.
    assert!(matches!(
        client.emailing().list(501).await.unwrap_err(),
        Error::InvalidInput { .. }
    ));
}

#[tokio::test]
async fn search_is_a_read_and_is_retried() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(p("/emailing/search/10")))
        .and(body_json(json!({"importIds": [301, 302]})))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(p("/emailing/search/10")))
        .and(body_json(json!({"importIds": [301, 302]})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"id": 5}])))
        .expect(1)
        .mount(&server)
        .await;
    let ops = client
        .emailing()
        .search_by_imports(&[301, 302], 10)
        .await
        .unwrap();
    assert_eq!(ops[0].id, OperationId(5));
}

#[tokio::test]
async fn test_and_transactional_sends_are_never_retried() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(p("/emailing/test/42")))
        .and(body_json(json!({"recipientUser": "qa@example.com", "testContact": "jane@example.com", "titlePrefix": "[T] "})))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(p("/emailing/sendsmtp/7")))
        .and(body_json(json!({
            "recipientEmail": "jane@example.com", "recipientName": "Jane",
            "recipientDatas": {"26": "ORDER-1", "firstname": "Jane"}
        })))
        .respond_with(ResponseTemplate::new(504))
        .expect(1)
        .mount(&server)
        .await;
    let err = client
        .emailing()
        .test(
            OperationId(42),
            TestEmail::new("qa@example.com")
                .test_contact("jane@example.com")
                .title_prefix("[T] "),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    let err = client
        .emailing()
        .send_transactional(
            OperationId(7),
            TransactionalEmail::new("jane@example.com")
                .recipient_name("Jane")
                .data("firstname", "Jane")
                .data("26", "ORDER-1"),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(504));
}

#[tokio::test]
async fn a_timed_out_approval_is_not_resent() {
    let (server, client) = setup().await;
    Mock::given(method("PUT"))
        .and(path(p("/emailing/approve/9")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json("ok")
                .set_delay(Duration::from_secs(2)),
        )
        .expect(1)
        .mount(&server)
        .await;
    let err = client
        .emailing()
        .approve(OperationId(9))
        .timeout(Duration::from_millis(100))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
}

#[tokio::test]
async fn bad_new_emails_are_rejected_before_sending() {
    let (server, client) = setup().await;
    let item = invalid_item;
    let email = client.emailing();
    assert_eq!(
        item(
            email
                .create(NewEmail::new(" ", "s", "r@example.com"))
                .await
                .unwrap_err()
        ),
        "name"
    );
    let long = "x".repeat(257);
    assert!(
        item(
            email
                .create(NewEmail::new(long, "s", "r@example.com"))
                .await
                .unwrap_err()
        )
        .starts_with("xxx")
    );
    assert_eq!(
        item(
            email
                .create(NewEmail::new("n", "", "r@example.com"))
                .await
                .unwrap_err()
        ),
        "subject"
    );
    assert_eq!(
        item(
            email
                .create(NewEmail::new("n", "s", "not-an-email"))
                .await
                .unwrap_err()
        ),
        "replyTo `not-an-email`"
    );
    assert_eq!(
        item(
            email
                .create(NewEmail::new("n", "s", "r@example.com").from("Shop", "shop@"))
                .await
                .unwrap_err()
        ),
        "fromMail `shop@`"
    );
    let empty_trigger = Schedule::Triggered {
        criteria: Criteria::new(),
        delay: TriggerDelay::days(1).unwrap(),
        once_per_recipient: false,
    };
    assert_eq!(
        item(
            email
                .create(NewEmail::new("n", "s", "r@example.com").schedule(empty_trigger))
                .await
                .unwrap_err()
        ),
        "criterias"
    );
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "nothing was sent"
    );
}

#[tokio::test]
async fn bad_updates_and_sends_are_rejected_before_sending() {
    let (server, client) = setup().await;
    let item = invalid_item;
    let email = client.emailing();
    assert_eq!(
        item(
            email
                .update(EmailUpdate::new(OperationId(1)).subject(Patch::Clear))
                .await
                .unwrap_err()
        ),
        "subject"
    );
    assert_eq!(
        item(
            email
                .test(OperationId(1), TestEmail::new("qa"))
                .await
                .unwrap_err()
        ),
        "recipientUser `qa`"
    );
    assert_eq!(
        item(
            email
                .send_transactional(OperationId(1), TransactionalEmail::new("x@"))
                .await
                .unwrap_err()
        ),
        "recipientEmail `x@`"
    );
    assert_eq!(
        item(email.search_by_imports(&[], 10).await.unwrap_err()),
        "importIds"
    );
    for bad in ["h25", "d15", "w1", "m4", "x2", "3h"] {
        assert_eq!(item(TriggerDelay::parse(bad).unwrap_err()), bad);
    }
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "nothing was sent"
    );
}
