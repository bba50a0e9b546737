//! Retry safety by action: sends are never retried, reads are.

use relance::sendsay::{IssueSend, Letter};
use serde_json::Value;
use wiremock::ResponseTemplate;

use crate::common::sendsay::{count, first_then, fixture, setup};

#[tokio::test]
async fn sends_are_never_retried_and_reads_are() {
    let (server, client) = setup().await;
    first_then(
        &server,
        None,
        (ResponseTemplate::new(503), 2),
        ResponseTemplate::new(200).set_body_json(fixture("synthetic_member_get.json")),
    )
    .await;
    let e = client
        .issues()
        .send(IssueSend::to_group("list1", Letter::draft("1")))
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(503));
    assert_eq!(count(&server, "issue.send").await, 1);
    // The second 503 is absorbed by a retry of the read.
    client.members().get("a@b.ru").await.unwrap();
    assert_eq!(count(&server, "member.get").await, 2);
    assert!(
        !client
            .batch()
            .push("pong", Value::Null)
            .stop_on_error(true)
            .send()
            .await
            .is_err_and(|e| e.status() == Some(503))
    );
}
