//! Every response type decodes arbitrary JSON without panicking (errors are fine), and
//! ignores unknown fields.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use relance::sendethic::{
    Contact, ContactField, ContactHistory, ContactLog, Credits, Criteria, FieldFormat, FieldValue,
    Mode, Segment, Timestamp,
};
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
            Just("2024-05-01 10:00:00"),
            Just("yes1"),
            Just("intersect"),
            Just("<Criterias><Criteria guid=\"g\" reference=\"num-equals\" type=\"ContactAttribute\" id=\"1\" op=\"num-equals\" is=\"true\" value1=\"0\" value2=\"\"/></Criterias>"),
            Just("<Criterias><Criteria"),
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
                    Just("contactKey".to_owned()),
                    Just("attributes".to_owned()),
                    Just("fieldName".to_owned()),
                    Just("fieldValue".to_owned()),
                    Just("contactFound".to_owned()),
                    Just("records".to_owned()),
                    Just("logs".to_owned()),
                    Just("Id".to_owned()),
                    Just("Title".to_owned()),
                    Just("OperationId".to_owned()),
                    Just("LogDate".to_owned()),
                    Just("Type".to_owned()),
                    Just("mode".to_owned()),
                    Just("details".to_owned()),
                    Just("receivers".to_owned()),
                    Just("segmentIds".to_owned()),
                    Just("conditionsXml".to_owned()),
                    Just("schedule".to_owned()),
                    Just("status".to_owned()),
                    Just("Status".to_owned()),
                    Just("Link".to_owned()),
                    Just("LineRead".to_owned()),
                    Just("link".to_owned()),
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
    let _ = serde_json::from_str::<Contact>(&text);
    let _ = serde_json::from_str::<Vec<Contact>>(&text);
    let _ = serde_json::from_str::<ContactHistory>(&text);
    let _ = serde_json::from_str::<ContactLog>(&text);
    let _ = serde_json::from_str::<Segment>(&text);
    let _ = serde_json::from_str::<Vec<Segment>>(&text);
    let _ = serde_json::from_str::<Mode>(&text);
    if let Ok(segment) = serde_json::from_str::<Segment>(&text) {
        let _ = segment.criteria();
    }
    if let Value::String(s) = v {
        let _ = Criteria::parse(s);
    }
    // Campaigns, statistics and list jobs.
    let _ = serde_json::from_str::<relance::sendethic::EmailOperation>(&text);
    let _ = serde_json::from_str::<Vec<relance::sendethic::EmailOperation>>(&text);
    let _ = serde_json::from_str::<relance::sendethic::SmsOperation>(&text);
    let _ = serde_json::from_str::<relance::sendethic::Receivers>(&text);
    let _ = serde_json::from_str::<relance::sendethic::ScheduleInfo>(&text);
    let _ = serde_json::from_str::<relance::sendethic::OperationStatus>(&text);
    let _ = serde_json::from_str::<relance::sendethic::ActivityExport>(&text);
    let _ = serde_json::from_str::<relance::sendethic::ImportJob>(&text);
    let _ = serde_json::from_str::<relance::sendethic::ExportJob>(&text);
    let _ = serde_json::from_str::<Vec<relance::sendethic::PurgeJob>>(&text);
    if let Ok(r) = serde_json::from_str::<relance::sendethic::Receivers>(&text) {
        let _ = r.parsed_conditions();
    }
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
        let _ = serde_json::from_slice::<Vec<Contact>>(&bytes);
        let _ = serde_json::from_slice::<ContactHistory>(&bytes);
        let _ = serde_json::from_slice::<Vec<Segment>>(&bytes);
        let _ = Criteria::parse(&String::from_utf8_lossy(&bytes));
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

#[test]
fn contact_segment_and_history_shapes_are_lenient() {
    let c: Contact = serde_json::from_str(
        r#"{"id":"3","contactKey":7,"attributes":[null,{"id":26,"fieldValue":true},{"fieldName":"city","fieldValue":"Paris"}],"new":1}"#,
    )
    .unwrap();
    assert_eq!(c.key, "7");
    assert_eq!(
        c.custom_value(relance::sendethic::FieldId(26)),
        Some("true")
    );
    assert_eq!(c.city.value().map(String::as_str), Some("Paris"));
    let c: Contact = serde_json::from_str(r#"{"attributes":null}"#).unwrap();
    assert_eq!(c.id, None);
    let h: ContactHistory =
        serde_json::from_str(r#"{"contactKey":"a","contactFound":"1","records":null,"logs":null}"#)
            .unwrap();
    assert_eq!((h.contact_found, h.records, h.logs.len()), (1, 0, 0));
    let s: Segment =
        serde_json::from_str(r#"{"id":"4","name":null,"mode":"UNION","details":null,"x":[]}"#)
            .unwrap();
    assert_eq!(s.mode, Mode::Union);
    assert_eq!(s.extra["x"], serde_json::json!([]));
}
