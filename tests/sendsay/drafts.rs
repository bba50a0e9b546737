//! `issue.draft.*`.

use relance::sendsay::{DraftFormat, DraftId, NewDraft};
use serde_json::json;

use crate::common::sendsay::{expect_all, setup};

#[tokio::test]
async fn every_draft_action_has_the_documented_shape() {
    let (server, client) = setup().await;
    expect_all(
        &server,
        [
            (
                json!({"action":"issue.draft.list"}),
                json!({"list":[{"id":42,"name":"Welcome","format":"email"}]}),
            ),
            (
                json!({"action":"issue.draft.get","id":"42"}),
                json!({"obj":{"id":"42","name":"Welcome","format":"fax"}}),
            ),
            (
                json!({"action":"issue.draft.set","obj":{"name":"Shipped","format":"sms","text":"Your order has shipped"},"return_fresh_obj":true}),
                json!({"id":"43"}),
            ),
            (json!({"action":"issue.draft.delete","id":"43"}), json!({})),
        ],
    )
    .await;
    let d = client.drafts();
    assert_eq!(d.list().await.unwrap()[0].id, Some(DraftId::from("42")));
    assert_eq!(
        d.get("42").await.unwrap().format,
        Some(DraftFormat::Unknown("fax".into()))
    );
    assert_eq!(
        d.set(NewDraft::sms("Shipped", "Your order has shipped"))
            .await
            .unwrap()
            .id,
        Some(DraftId::from("43"))
    );
    d.delete("43").await.unwrap();
}
