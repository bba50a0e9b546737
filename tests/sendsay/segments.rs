//! Segments: `group.create` with `type: "filter"` and `group.filter.set`.

use relance::sendsay::{Filter, FilterRule, GroupId};
use serde_json::json;

use crate::common::sendsay::{expect, fixture, setup};

#[tokio::test]
async fn segment_filter_matches_the_doc_fixture() {
    let (server, client) = setup().await;
    expect(&server, fixture("doc_group_filter_set.json"), json!({})).await;
    expect(
        &server,
        json!({"action":"group.create","id":"vip","name":"VIP","type":"filter","addr_type":"email"}),
        json!({"id":"vip"}),
    )
    .await;
    expect(
        &server,
        json!({"action":"group.filter.set","id":"vip","filter":[{"a":"custom.spent","op":">=","v":"1000"}]}),
        json!({}),
    )
    .await;
    client
        .segments()
        .set_filter(
            "segment1",
            &Filter::new().and(FilterRule::gt("size(sendsay_basket.items)", "0")),
        )
        .await
        .unwrap();
    // Two calls: the segment, then its rules.
    let id = client
        .segments()
        .create_with_filter(
            Some("vip"),
            "VIP",
            Filter::new().and(FilterRule::ge("custom.spent", "1000")),
        )
        .await
        .unwrap();
    assert_eq!(id, GroupId::from("vip"));
}
