//! `issue.emailsender.*` and `issue.smssender.*`.

use serde_json::json;

use crate::common::sendsay::{expect_all, setup};

#[tokio::test]
async fn every_sender_action_has_the_documented_shape() {
    let (server, client) = setup().await;
    let ok = json!({});
    expect_all(
        &server,
        [
            (
                json!({"action":"issue.emailsender.list"}),
                json!({"list":[{"id":"3","name":"shop@example.com","label":"Shop"}]}),
            ),
            (
                json!({"action":"issue.emailsender.set","obj":{"name":"shop@example.com","label":"Shop"}}),
                ok.clone(),
            ),
            (json!({"action":"issue.emailsender.delete","id":"3"}), ok),
            (
                json!({"action":"issue.smssender.list"}),
                json!({"list":["SHOP"]}),
            ),
        ],
    )
    .await;
    let s = client.senders();
    assert_eq!(
        s.list_email().await.unwrap()[0].label.as_deref(),
        Some("Shop")
    );
    s.add_email("shop@example.com", "Shop").await.unwrap();
    s.delete_email("3").await.unwrap();
    assert_eq!(s.list_sms().await.unwrap(), [json!("SHOP")]);
}
