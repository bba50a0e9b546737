//! `group.*` shared by lists and segments.

use relance::sendsay::{GroupId, GroupType, NewGroup, Snapshot};
use serde_json::json;

use crate::common::sendsay::{expect_all, fixture, setup};

#[tokio::test]
async fn every_group_action_has_the_documented_shape() {
    let (server, client) = setup().await;
    let ok = json!({});
    let track = json!({"track.id": "77"});
    expect_all(
        &server,
        [
            (
                json!({"action":"group.create","id":"buyers","name":"Buyers","type":"list","addr_type":"email"}),
                fixture("synthetic_group_create.json"),
            ),
            (
                json!({"action":"group.list"}),
                json!({"list":[{"id":"p42","name":"VIP","type":"filter","addr_type":"email","create.time":"2024-01-01 00:00:00"}]}),
            ),
            (
                json!({"action":"group.get","id":"p42","with_filter":1}),
                json!({"obj":{"id":"p42","type":"wormhole"}}),
            ),
            (
                json!({"action":"group.set","id":"p42","name":"VIP 2"}),
                ok.clone(),
            ),
            (json!({"action":"group.delete","id":"p42"}), ok),
            (
                json!({"action":"group.snapshot","from":{"group":"p42","sync":true},"to":{"id":"list1","clean":1}}),
                track.clone(),
            ),
            (json!({"action":"group.clean","id":"list1","all":1}), track),
        ],
    )
    .await;
    let g = client.groups();
    assert_eq!(
        g.create(NewGroup::list("Buyers").id("buyers"))
            .await
            .unwrap(),
        GroupId::from("p42")
    );
    let groups = g.list().await.unwrap();
    assert_eq!(groups[0].group_type, Some(GroupType::Filter));
    let got = g.get("p42").await.unwrap();
    assert_eq!(got.group_type, Some(GroupType::Unknown("wormhole".into())));
    g.rename("p42", "VIP 2").await.unwrap();
    g.delete("p42").await.unwrap();
    g.snapshot(Snapshot::group("p42", "list1").clean(true).sync(true))
        .await
        .unwrap();
    g.clean("list1").await.unwrap();
}
