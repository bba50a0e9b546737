//! Request shapes of the fields resource (wiremock), its input checks, and lenient formats.

use relance::Error;
use relance::sendethic::{FieldFormat, FieldId, FieldValueId, NewField, NewFieldValue};
use serde_json::json;
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::support::{p, setup};

#[tokio::test]
async fn every_field_operation_has_the_documented_shape() {
    let (server, client) = setup().await;
    let field = json!({"id": 26, "name": "Revenue", "format": "Number", "description": "relance_revenue",
                       "creationDate": "2024-05-01 10:00:00", "somethingNew": {"x": 1}});
    Mock::given(method("GET"))
        .and(path(p("/account/contactattribute/26")))
        .respond_with(ResponseTemplate::new(200).set_body_json(field.clone()))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(p("/account/contactattribute")))
        .and(body_json(
            json!({"id": 0, "name": "Revenue", "format": "Number|relance_revenue"}),
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(field.clone()))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(p("/account/contactattribute")))
        .and(body_json(
            json!({"id": 0, "name": "Born", "format": "DateTime", "options": "dd.mm.yyyy"}),
        ))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"id": "27", "name": "Born", "format": "DateTime"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(p("/account/contactattribute")))
        .and(body_json(json!({"id": 26, "name": "Lifetime revenue"})))
        .respond_with(ResponseTemplate::new(200).set_body_json("Field updated."))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(p("/account/contactattribute/26")))
        .respond_with(ResponseTemplate::new(200).set_body_json("1 field(s) deleted."))
        .expect(1)
        .mount(&server)
        .await;

    let f = client.fields().get(FieldId(26)).await.unwrap();
    assert_eq!(
        (f.id, f.format.clone(), f.tag()),
        (FieldId(26), FieldFormat::Number, Some("relance_revenue"))
    );
    assert!(f.creation_date.as_ref().unwrap().datetime().is_some());
    assert_eq!(f.extra["somethingNew"], json!({"x": 1}));
    let created = client
        .fields()
        .create(NewField::new("Revenue", FieldFormat::Number).tag("relance_revenue"))
        .await
        .unwrap();
    assert_eq!(created.id, FieldId(26));
    let born = client
        .fields()
        .create(NewField::new("Born", FieldFormat::DateTime).options("dd.mm.yyyy"))
        .await
        .unwrap();
    assert_eq!(born.id, FieldId(27));
    let renamed = client
        .fields()
        .rename(FieldId(26), "Lifetime revenue")
        .await
        .unwrap();
    assert_eq!(renamed.text(), "Field updated.");
    client.fields().delete(FieldId(26)).await.unwrap();
}

#[tokio::test]
async fn every_selection_value_operation_has_the_documented_shape() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path(p("/account/contactattribute/value/30")))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!([{"id": 53, "index": 0, "text": "No"}, {"id": "54", "index": "1", "text": "Yes"}]),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(p("/account/contactattribute/value/30")))
        .and(body_json(json!({"id": 0, "text": "Maybe", "index": 2})))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"id": 55, "index": 2, "text": "Maybe"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(p("/account/contactattribute/value")))
        .and(body_json(json!({"id": 55, "text": "Perhaps", "index": 3})))
        .respond_with(ResponseTemplate::new(200).set_body_json("ok"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(p("/account/contactattribute/value/55")))
        .respond_with(ResponseTemplate::new(200).set_body_json("ok"))
        .expect(1)
        .mount(&server)
        .await;

    let values = client.fields().values(FieldId(30)).await.unwrap();
    assert_eq!(values[1].id, FieldValueId(54));
    assert_eq!(values[1].index, 1);
    let v = client
        .fields()
        .add_value(FieldId(30), NewFieldValue::new("Maybe").index(2))
        .await
        .unwrap();
    assert_eq!(v.id, FieldValueId(55));
    client
        .fields()
        .update_value(FieldValueId(55), "Perhaps", Some(3))
        .await
        .unwrap();
    client
        .fields()
        .delete_value(FieldValueId(55))
        .await
        .unwrap();
}

#[tokio::test]
async fn invalid_field_input_is_rejected_before_sending() {
    let (server, client) = setup().await;
    let err = client
        .fields()
        .create(NewField::new("  ", FieldFormat::Number))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { ref item, .. } if item == "name"));
    let err = client
        .fields()
        .create(NewField::new("X", FieldFormat::Number).tag("a|b"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { ref item, .. } if item == "a|b"));
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn an_unknown_field_format_decodes_to_unknown() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path(p("/account/contactattribute")))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!([{"id": 1, "name": "Where", "format": "GeoPoint"}, {"id": 2, "name": "N", "format": null}]),
        ))
        .mount(&server)
        .await;
    let fields = client.fields().list().await.unwrap();
    assert_eq!(fields[0].format, FieldFormat::Unknown("GeoPoint".into()));
    assert_eq!(fields[0].format.as_str(), "GeoPoint");
    assert_eq!(fields[1].format, FieldFormat::ShortText);
}
