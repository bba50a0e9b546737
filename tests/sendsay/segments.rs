//! Segments: `group.filter.set`.

use relance::sendsay::{Filter, FilterRule};
use serde_json::json;

use crate::common::sendsay::{expect, fixture, setup};

#[tokio::test]
async fn segment_filter_matches_the_doc_fixture() {
    let (server, client) = setup().await;
    expect(&server, fixture("doc_group_filter_set.json"), json!({})).await;
    client
        .segments()
        .set_filter(
            "segment1",
            &Filter::new().and(FilterRule::gt("size(sendsay_basket.items)", "0")),
        )
        .await
        .unwrap();
}
