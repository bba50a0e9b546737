//! `anketa.*`: questionnaires and their questions.

use relance::sendsay::{AnketaId, NewQuestion, QuestType};
use serde_json::json;

use crate::common::sendsay::{expect_all, setup};

#[tokio::test]
async fn every_anketa_action_has_the_documented_shape() {
    let (server, client) = setup().await;
    let ok = json!({});
    expect_all(
        &server,
        [
            (
                json!({"action":"anketa.list"}),
                json!({"list":[{"id":"base","name":"Base","system":"1"}]}),
            ),
            (
                json!({"action":"anketa.get","id":"custom"}),
                json!({"obj":{"id":"custom","param":{"name":"Custom"},"order":["q1"],"quests":{"q1":{"name":"Role","type":"1m","answers":{"b":"buyer"}}}}}),
            ),
            (
                json!({"action":"anketa.create","id":"shop","name":"Shop"}),
                json!({"id":"shop"}),
            ),
            (
                json!({"action":"anketa.quest.add","anketa.id":"shop","obj":[{"id":"orders","name":"Orders","type":"int"},{"name":"Born","type":"dt","dtsubtype":"yd"},{"name":"Seller","type":"1m","answers":{"0":"0","1":"1"}}]}),
                ok.clone(),
            ),
            (json!({"action":"anketa.delete","id":"shop"}), ok),
        ],
    )
    .await;
    let f = client.fields();
    assert!(f.list().await.unwrap()[0].system);
    let custom = f.get("custom").await.unwrap();
    assert_eq!(
        custom.quests["q1"].quest_type,
        Some(QuestType::SingleChoice)
    );
    assert_eq!(
        f.create("Shop", Some("shop")).await.unwrap(),
        AnketaId::from("shop")
    );
    f.add_questions(
        "shop",
        &[
            NewQuestion::int("Orders").id("orders"),
            NewQuestion::date("Born"),
            NewQuestion::boolean("Seller"),
        ],
    )
    .await
    .unwrap();
    f.delete("shop").await.unwrap();
}
