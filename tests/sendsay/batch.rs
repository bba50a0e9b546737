//! `batch`: typed and raw actions in one call, one result per action.

use relance::sendsay::{AddrType, MemberId, MemberSet, SendsayErrorExt, SendsayErrorId};
use serde_json::json;

use crate::common::sendsay::{expect, fixture, setup};

#[tokio::test]
async fn batch_matches_the_community_fixture() {
    let (server, client) = setup().await;
    expect(
        &server,
        fixture("comm_batch.json"),
        fixture("synthetic_batch_result.json"),
    )
    .await;
    let mut avo = serde_json::Map::new();
    avo.insert("-group".into(), json!({"main": 1}));
    let results = client
        .batch()
        .push_request(
            client
                .members()
                .set(MemberSet::new(MemberId::new("a@b.ru", AddrType::Email)).obj(avo)),
        )
        .push("stoplist.add", json!({"list": ["c@d.ru"]}))
        .await
        .unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(
        results[0].as_ref().unwrap()["obj"]["member"]["email"],
        "a@b.ru"
    );
    let e = results[1].as_ref().unwrap_err();
    assert_eq!(e.sendsay_error_id(), Some(SendsayErrorId::GroupIdNotExists));
    assert_eq!(e.message, "p99");
}
