//! Request shapes of the segments resource (wiremock) and `ensure`.

use relance::Error;
use relance::sendethic::{
    Criteria, Criterion, CriterionTest, FieldId, Mode, NewSegment, SegmentDefinition, SegmentId,
};
use serde_json::json;
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::support::{p, setup};

fn buyers() -> Criteria {
    Criteria::new().with(Criterion::number_greater_than(FieldId(31), 0).with_guid("g1"))
}

const BUYERS_XML: &str = r#"<Criterias><Criteria guid="g1" reference="num-higher-strict" type="ContactAttribute" id="31" op="num-higher-strict" is="true" value1="0" value2=""/></Criterias>"#;

#[tokio::test]
async fn list_get_and_unknown_values_decode() {
    let (server, client) = setup().await;
    let seg = json!({"id": "7", "name": "Buyers", "mode": "intersect", "description": "relance_buyers",
                     "creationDate": "2024-05-01 10:00:00", "details": BUYERS_XML, "count": 12});
    Mock::given(method("GET"))
        .and(path(p("/segment")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            seg.clone(),
            {"id": 8, "name": "Old", "mode": "Intersection|magento_customers", "details": null}
        ])))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(p("/segment/7")))
        .respond_with(ResponseTemplate::new(200).set_body_json(seg))
        .expect(1)
        .mount(&server)
        .await;
    let list = client.segments().list().await.unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].id, SegmentId(7));
    assert_eq!(list[0].mode, Mode::Intersect);
    assert_eq!(list[0].tag(), Some("relance_buyers"));
    assert_eq!(
        list[1].mode,
        Mode::Unknown("Intersection|magento_customers".into())
    );
    assert!(list[1].criteria().unwrap().is_empty());
    let s = client.segments().get(SegmentId(7)).await.unwrap();
    assert_eq!(s.extra["count"], json!(12));
    assert_eq!(s.criteria().unwrap(), buyers());
    assert_eq!(
        s.creation_date.as_ref().unwrap().as_str(),
        "2024-05-01 10:00:00"
    );
}

#[tokio::test]
async fn create_update_delete_and_refresh_have_the_documented_shape() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(p("/segment")))
        .and(body_json(
            json!({"id": 0, "name": "Buyers", "mode": "intersect",
                              "description": "relance_buyers", "details": BUYERS_XML}),
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "id": 7, "name": "Buyers", "mode": "intersect", "description": "relance_buyers",
            "details": BUYERS_XML, "creationDate": "2024-05-01 10:00:00", "ownerId": 3})))
        .expect(1)
        .mount(&server)
        .await;
    // Read-modify-write: the unknown `ownerId` goes back.
    Mock::given(method("PUT"))
        .and(path(p("/segment")))
        .and(body_json(
            json!({"id": 7, "name": "Big buyers", "mode": "union",
                              "description": "relance_buyers", "details": BUYERS_XML,
                              "creationDate": "2024-05-01 10:00:00", "ownerId": 3}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json("Segment updated."))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(p("/segment/7")))
        .respond_with(ResponseTemplate::new(200).set_body_json("Segment deleted."))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(p("/segment/updatecache/7")))
        .respond_with(ResponseTemplate::new(200).set_body_json("42"))
        .expect(1)
        .mount(&server)
        .await;
    let mut s = client
        .segments()
        .create(NewSegment::new("Buyers", Mode::Intersect, buyers()).description("relance_buyers"))
        .await
        .unwrap();
    assert_eq!(s.id, SegmentId(7));
    "Big buyers".clone_into(&mut s.name);
    s.mode = Mode::Union;
    client.segments().update(&s).await.unwrap();
    assert_eq!(
        client
            .segments()
            .refresh_count(SegmentId(7))
            .await
            .unwrap()
            .as_count(),
        Some(42)
    );
    client.segments().delete(SegmentId(7)).await.unwrap();
}

#[tokio::test]
async fn segment_create_is_not_retried_and_inputs_are_checked() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(p("/segment")))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let err = client
        .segments()
        .create(NewSegment::new("X", Mode::Union, Criteria::new()))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    for bad in [
        NewSegment::new(" ", Mode::Union, Criteria::new()),
        NewSegment::new("X", Mode::Unknown("both".into()), Criteria::new()),
    ] {
        assert!(matches!(
            client.segments().create(bad).await,
            Err(Error::InvalidInput { .. })
        ));
    }
    let err = client
        .segments()
        .ensure(SegmentDefinition::new(
            "a|b",
            "X",
            Mode::Union,
            Criteria::new(),
        ))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }));
}

#[tokio::test]
async fn ensure_finds_by_tag_creates_when_missing_and_relooks_after_a_failed_create() {
    let (server, client) = setup().await;
    let existing = json!({"id": 5, "name": "Buyers", "mode": "intersect",
                          "description": "relance_buyers", "details": BUYERS_XML});
    // First list: only ours exists. Found, nothing created.
    Mock::given(method("GET"))
        .and(path(p("/segment")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([existing.clone()])))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    let found = client
        .segments()
        .ensure(SegmentDefinition::new(
            "relance_buyers",
            "Buyers",
            Mode::Intersect,
            buyers(),
        ))
        .await
        .unwrap();
    assert!(!found.created);
    assert_eq!(found.segment.id, SegmentId(5));

    // A missing one is created with the tag in `description`.
    let unsub = Criteria::new().with(Criterion::unsubscribed_from_email().with_guid("u"));
    Mock::given(method("GET"))
        .and(path(p("/segment")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([existing.clone()])))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(p("/segment")))
        .and(body_json(
            json!({"id": 0, "name": "Unsubscribed", "mode": "union",
                              "description": "relance_unsub", "details": unsub.to_xml()}),
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "id": 6, "name": "Unsubscribed", "mode": "union", "description": "relance_unsub",
            "details": unsub.to_xml()})))
        .expect(1)
        .mount(&server)
        .await;
    let created = client
        .segments()
        .ensure(SegmentDefinition::new(
            "relance_unsub",
            "Unsubscribed",
            Mode::Union,
            unsub,
        ))
        .await
        .unwrap();
    assert!(created.created);
    assert_eq!(
        created
            .segment
            .criteria()
            .unwrap()
            .known()
            .next()
            .unwrap()
            .test(),
        &CriterionTest::UnsubscribedFromEmail
    );

    // Create fails ("already exists"); the second lookup finds it.
    Mock::given(method("GET"))
        .and(path(p("/segment")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(p("/segment")))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(json!({"Message": "Already exists."})),
        )
        .with_priority(2)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(p("/segment")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"id": 9, "name": "Late", "mode": "intersect", "description": "relance_late", "details": ""}
        ])))
        .with_priority(3)
        .mount(&server)
        .await;
    let late = client
        .segments()
        .ensure(SegmentDefinition::new(
            "relance_late",
            "Late",
            Mode::Intersect,
            Criteria::new(),
        ))
        .await
        .unwrap();
    assert!(!late.created);
    assert_eq!(late.segment.id, SegmentId(9));
}
