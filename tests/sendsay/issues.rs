//! `issue.send` and `issue.send.test`.

use relance::sendsay::{IssueSend, Letter};
use serde_json::json;

use crate::common::sendsay::{expect, expect_all, fixture, setup, without};

#[tokio::test]
async fn issue_send_matches_the_doc_fixtures() {
    let (server, client) = setup().await;
    let track = fixture("synthetic_track_id.json");
    // The doc request carries the key in the body; relance sends it in the header.
    expect(
        &server,
        without(fixture("doc_issue_send_personal.json"), "apikey"),
        track.clone(),
    )
    .await;
    expect(
        &server,
        fixture("doc_issue_send_group_draft.json"),
        track.clone(),
    )
    .await;
    expect(
        &server,
        fixture("doc_issue_send_masssending.json"),
        track.clone(),
    )
    .await;
    expect(
        &server,
        fixture("doc_issue_send_attachment.json"),
        track.clone(),
    )
    .await;

    let issues = client.issues();
    let letter = Letter::inline("<subject>", "sender@example.com").html("<html version>");
    let id = issues
        .send(IssueSend::personal("recipient@example.com", letter))
        .await
        .unwrap();
    assert_eq!(id.as_str(), "1234");
    issues
        .send(IssueSend::to_group("GROUPID", Letter::draft("DRAFTID")))
        .await
        .unwrap();
    issues
        .send(IssueSend::express(
            "member.email;data.name\nask@sendsay.ru;Андрей",
            Letter::draft("DRAFTID"),
        ))
        .await
        .unwrap();
    let letter = Letter::inline("Subject", "test@test.ru")
        .from_name("Tester")
        .html("Sendsay API client test message<hr>Hello!")
        .attach_raw(
            json!({"name":"img.png","content":"<base64>","encoding":"base64","charset":"utf-8"}),
        );
    issues
        .send(IssueSend::express("test1@test.ru\ntest2@test.ru", letter).relink(true))
        .await
        .unwrap();
}

#[tokio::test]
async fn test_sends_sms_and_scheduled_issues_have_the_documented_shape() {
    let (server, client) = setup().await;
    let track = json!({"track.id": "77"});
    expect_all(
        &server,
        [
            (
                json!({"action":"issue.send.test","group":"list0004","sendwhen":"test","letter":{"draft.id":"42"},"mca":["me@example.com"]}),
                json!({}),
            ),
            (
                json!({"action":"issue.send","group":"phones","sendwhen":"later","later.time":"2026-12-01 13:00:00","letter":{"draft.id":"43"},"name":"SMS sale"}),
                track.clone(),
            ),
            (
                json!({"action":"issue.send","group":"personal","email":"79990000000","sendwhen":"now","letter":{"draft.id":"43"},"extra":{"order":"A-1"}}),
                track,
            ),
        ],
    )
    .await;
    let i = client.issues();
    let test = i
        .send_test(
            IssueSend::to_group("list0004", Letter::draft("42")),
            ["me@example.com"],
        )
        .await
        .unwrap();
    assert_eq!(test.track_id, None);
    // 10:00 UTC is 13:00 in Moscow: the wire time is account-local, without an offset.
    let at = chrono::DateTime::parse_from_rfc3339("2026-12-01T10:00:00Z")
        .unwrap()
        .into();
    let later = i
        .send(
            IssueSend::sms_to_group("phones", "43")
                .later_at(at)
                .name("SMS sale"),
        )
        .await
        .unwrap();
    assert_eq!(later.as_str(), "77");
    let sms = i
        .send(IssueSend::sms_personal("79990000000", "43").var("order", "A-1"))
        .await
        .unwrap();
    assert_eq!(sms, later);
}
