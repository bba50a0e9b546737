//! `stoplist.*`: the documented shapes, a lenient read, no automatic retry, and a round
//! trip on the fake.

use serde_json::json;

use crate::common::sendsay::{expect_all, setup};

#[tokio::test]
async fn every_stoplist_action_has_the_documented_shape() {
    let (server, client) = setup().await;
    expect_all(
        &server,
        [
            (
                json!({"action":"stoplist.get"}),
                json!({"list":["a@b.ru", {"email":" c@d.ru "}, ""]}),
            ),
            (
                json!({"action":"stoplist.add","list":["c@d.ru"]}),
                json!({"track.id":"11"}),
            ),
            (
                json!({"action":"stoplist.delete","list":["c@d.ru"]}),
                json!({"track.id":"12"}),
            ),
        ],
    )
    .await;
    let s = client.stoplist();
    assert_eq!(s.get().await.unwrap(), ["a@b.ru", "c@d.ru"]);
    s.add(&["c@d.ru"]).await.unwrap();
    s.delete(&["c@d.ru"]).await.unwrap();
    assert!(matches!(
        s.add(&[" "]).await,
        Err(relance::Error::InvalidInput { .. })
    ));
    assert!(!s.get().is_retry_safe() && !s.add(&["c@d.ru"]).is_retry_safe());
}

#[tokio::test]
async fn the_fake_keeps_a_stop_list() {
    let fake = relance::testing::FakeSendsay::start().await;
    let client = fake.client();
    client.stoplist().add(&["Ann@Example.com"]).await.unwrap();
    fake.unsubscribe("bob@example.com");
    let mut got = client.stoplist().get().await.unwrap();
    got.sort();
    assert_eq!(got, ["ann@example.com", "bob@example.com"]);
    client
        .stoplist()
        .delete(&["bob@example.com"])
        .await
        .unwrap();
    assert_eq!(fake.stoplist(), ["ann@example.com"]);
}
