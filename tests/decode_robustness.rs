//! Every response type decodes arbitrary JSON without panicking (errors are fine), and
//! ignores unknown fields.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use relance::sendethic::{ContactField, Credits, FieldFormat, FieldValue, Timestamp};
use serde_json::Value;

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
        prop_oneof![
            Just("id"),
            Just("name"),
            Just("format"),
            Just("2024-05-01 10:00:00")
        ]
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("id".to_owned()),
                    Just("name".to_owned()),
                    Just("format".to_owned()),
                    Just("description".to_owned()),
                    Just("options".to_owned()),
                    Just("creationDate".to_owned()),
                    Just("index".to_owned()),
                    Just("text".to_owned()),
                    Just("used".to_owned()),
                    Just("remaining".to_owned()),
                    Just("total".to_owned()),
                    "[a-z]{1,8}",
                ],
                inner,
                0..8
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn decode_all(v: &Value) {
    let text = v.to_string();
    let _ = serde_json::from_str::<ContactField>(&text);
    let _ = serde_json::from_str::<Vec<ContactField>>(&text);
    let _ = serde_json::from_str::<FieldValue>(&text);
    let _ = serde_json::from_str::<Vec<FieldValue>>(&text);
    let _ = serde_json::from_str::<Credits>(&text);
    let _ = serde_json::from_str::<FieldFormat>(&text);
    let _ = serde_json::from_str::<Timestamp>(&text);
}

proptest! {
    #[test]
    fn arbitrary_json_never_panics(v in arb_json()) {
        decode_all(&v);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let _ = serde_json::from_slice::<Vec<ContactField>>(&bytes);
        let _ = serde_json::from_slice::<Credits>(&bytes);
    }
}

#[test]
fn unknown_fields_are_ignored_or_kept() {
    let f: ContactField =
        serde_json::from_str(r#"{"id":"7","name":"A","format":"Number","brandNew":[1,2]}"#)
            .unwrap();
    assert_eq!(f.id.get(), 7);
    assert_eq!(f.extra["brandNew"], serde_json::json!([1, 2]));
    let c: Credits =
        serde_json::from_str(r#"{"used":1,"remaining":"2","total":3,"unit":"sms"}"#).unwrap();
    assert_eq!(c.remaining, 2);
}
