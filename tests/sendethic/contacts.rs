//! Request shapes of the contacts resource (wiremock): single operations, history, bulk
//! chunking and reports, validation, path safety and retry safety.

use relance::Error;
use relance::sendethic::FieldCatalog;
use relance::sendethic::{
    BulkOptions, Contact, ContactField, ContactId, FieldId, FieldValue, FieldValueId,
    NewContactLog, OptIn, Patch, Timestamp,
};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, body_string_contains, method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::support::{p, setup};

fn affected(n: usize) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(format!("{n} contact(s) affected."))
}

fn at() -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone;
    chrono::Utc
        .with_ymd_and_hms(2024, 5, 1, 10, 0, 0)
        .single()
        .unwrap()
}

#[tokio::test]
async fn upsert_sends_the_exact_contact_data() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(p("/contact/attribute")))
        .and(body_json(json!({
            "id": 0,
            "contactKey": "ann@example.com",
            "attributes": [
                {"id": "firstname", "fieldValue": "Ann"},
                {"id": "lastname", "fieldValue": ""},
                {"id": "email", "fieldValue": "ann@example.com"},
                {"id": "mobile", "fieldValue": "+33612340001"},
                {"id": "emailoptin", "fieldValue": "true"},
                {"id": "mobileoptin", "fieldValue": "yes1"},
                {"id": "emailoptinpartners", "fieldValue": "no"},
                {"id": "emailstatusdate", "fieldValue": "2024-05-01 10:00:00+0000"},
                {"id": "remoteip", "fieldValue": "10.0.0.1"},
                {"id": "26", "fieldValue": "129.90"},
                {"id": "27", "fieldValue": "2024-05-01 10:00:00"},
                {"id": "30", "fieldValue": "53,54"},
                {"id": "31", "fieldValue": ""}
            ]
        })))
        .respond_with(affected(1))
        .expect(1)
        .mount(&server)
        .await;
    let mut c = Contact::new("ann@example.com")
        .first_name("Ann")
        .email("ann@example.com")
        .mobile("+33612340001")
        .email_optin(OptIn::True)
        .mobile_optin(OptIn::Yes1)
        .email_optin_partners(false)
        .email_status_date(Timestamp::with_offset(at()))
        .custom(FieldId(26), "129.90")
        .custom_datetime(FieldId(27), at())
        .custom_selection(FieldId(30), [FieldValueId(53), FieldValueId(54)])
        .clear_custom(FieldId(31));
    c.last_name = Patch::Clear;
    c.other
        .insert("remoteip".into(), Patch::Set("10.0.0.1".into()));
    let reply = client.contacts().upsert(c).await.unwrap();
    assert_eq!(reply.affected(), Some(1));
    assert_eq!(reply.text(), "1 contact(s) affected.");
}

#[tokio::test]
async fn update_uses_put_and_the_id_when_given() {
    let (server, client) = setup().await;
    Mock::given(method("PUT"))
        .and(path(p("/contact/attribute")))
        .and(body_json(json!({"id": 0, "contactKey": "a@b.fr",
                              "attributes": [{"id": "phone", "fieldValue": ""},
                                             {"id": "city", "fieldValue": "Lyon"}]})))
        .respond_with(affected(1))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(p("/contact/attribute")))
        .and(body_json(json!({"id": 77, "contactKey": "",
                              "attributes": [{"id": "firstname", "fieldValue": "Bo"}]})))
        .respond_with(affected(1))
        .expect(1)
        .mount(&server)
        .await;
    let mut change = Contact::new("a@b.fr").city("Lyon");
    change.phone = Patch::Clear;
    client.contacts().update(change).await.unwrap();
    let by_id = Contact::new("").with_id(ContactId(77)).first_name("Bo");
    client.contacts().update(by_id).await.unwrap();
    // Neither a key nor an id: refused before sending.
    let err = client
        .contacts()
        .update(Contact::new(" ").city("X"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
}

#[tokio::test]
async fn reads_decode_the_first_contact_and_empty_is_none() {
    let (server, client) = setup().await;
    let body = json!([{"id": "9", "idEncrypted": "x", "contactKey": "a@b.fr", "attributes": [
        {"id": "email", "fieldName": "Email", "fieldValue": "a@b.fr"},
        {"id": "firstname", "fieldName": "Prénom", "fieldValue": ""},
        {"id": "emailoptin", "fieldValue": "yes"},
        {"id": "mobileoptin", "fieldValue": 1},
        {"id": "emailunsubscriptiondate", "fieldValue": "2024-05-01 10:00:00 +0000"},
        {"id": 26, "fieldValue": 12.5},
        {"id": "creationdate", "fieldValue": "2024-01-01 00:00:00"},
        {"id": "lastname", "fieldValue": null},
        {"id": "future", "fieldValue": "x", "brandNew": true}
    ], "somethingNew": 1}]);
    Mock::given(method("GET"))
        .and(path(p("/contact/attribute/a@b.fr")))
        .respond_with(ResponseTemplate::new(200).set_body_json(body.clone()))
        .expect(1)
        .mount(&server)
        .await;
    for (route, id) in [
        ("/contact/attributevalueid/a@b.fr", ""),
        ("/contact/attributebycid/9", ""),
        ("/contact/attributevalueidbycid/9", ""),
    ] {
        let _ = id;
        Mock::given(method("GET"))
            .and(path(p(route)))
            .respond_with(ResponseTemplate::new(200).set_body_json(body.clone()))
            .expect(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path(p("/contact/attribute/nobody@b.fr")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .expect(1)
        .mount(&server)
        .await;
    let c = client.contacts().get("a@b.fr").await.unwrap().unwrap();
    assert_eq!(c.id, Some(ContactId(9)));
    assert_eq!(c.key, "a@b.fr");
    assert_eq!(c.email, Patch::Set("a@b.fr".into()));
    assert_eq!(c.first_name, Patch::Clear, "an empty value reads as Clear");
    assert_eq!(c.last_name, Patch::Unset, "a null value reads as Unset");
    assert_eq!(c.email_optin.value().unwrap().is_opted_in(), Some(true));
    assert_eq!(c.email_optin.value().unwrap().as_str(), "yes", "raw kept");
    assert_eq!(c.mobile_optin.value().unwrap().is_opted_in(), Some(true));
    assert_eq!(
        c.email_unsubscription_date
            .value()
            .unwrap()
            .datetime()
            .unwrap(),
        at()
    );
    assert_eq!(c.custom_value(FieldId(26)), Some("12.5"));
    assert_eq!(
        c.other.get("creationdate"),
        Some(&Patch::Set("2024-01-01 00:00:00".into()))
    );
    assert!(c.other.contains_key("future"));
    for got in [
        client.contacts().get_value_ids("a@b.fr").await.unwrap(),
        client.contacts().get_by_id(ContactId(9)).await.unwrap(),
        client
            .contacts()
            .get_value_ids_by_id(ContactId(9))
            .await
            .unwrap(),
    ] {
        assert_eq!(got.as_ref(), Some(&c));
    }
    assert_eq!(client.contacts().get("nobody@b.fr").await.unwrap(), None);
}

#[tokio::test]
async fn deletes_by_key_and_by_id() {
    let (server, client) = setup().await;
    Mock::given(method("DELETE"))
        .and(path(p("/contact/attribute/a@b.fr")))
        .respond_with(ResponseTemplate::new(200).set_body_json("Contact deleted."))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(p("/contact/attributebycid/9")))
        .respond_with(ResponseTemplate::new(200).set_body_json("Contact deleted."))
        .expect(1)
        .mount(&server)
        .await;
    let m = client.contacts().delete("a@b.fr").await.unwrap();
    assert_eq!(m.text(), "Contact deleted.");
    client.contacts().delete_by_id(ContactId(9)).await.unwrap();
}

#[tokio::test]
async fn every_unsafe_key_is_one_encoded_path_segment() {
    let (server, client) = setup().await;
    let cases = [
        ("a/b@x.fr", "a%2Fb@x.fr"),
        ("a?b@x.fr", "a%3Fb@x.fr"),
        ("a#b@x.fr", "a%23b@x.fr"),
        ("a%b@x.fr", "a%25b@x.fr"),
        ("a b@x.fr", "a%20b@x.fr"),
        ("a..b@x.fr", "a..b@x.fr"),
        ("..@x.fr", "..@x.fr"),
        ("é@x.fr", "%C3%A9@x.fr"),
    ];
    for (key, encoded) in cases {
        for route in ["/contact/attribute/", "/contact/attributevalueid/"] {
            Mock::given(method("GET"))
                .and(path(p(&format!("{route}{encoded}"))))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
                .expect(1)
                .mount(&server)
                .await;
        }
        Mock::given(method("DELETE"))
            .and(path(p(&format!("/contact/attribute/{encoded}"))))
            .respond_with(ResponseTemplate::new(200).set_body_json("ok"))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(p(&format!("/contact/history/{encoded}/10"))))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"logs": []})))
            .expect(1)
            .mount(&server)
            .await;
        assert_eq!(client.contacts().get(key).await.unwrap(), None, "{key}");
        assert_eq!(
            client.contacts().get_value_ids(key).await.unwrap(),
            None,
            "{key}"
        );
        client.contacts().delete(key).await.unwrap();
        client.contacts().history(key, 10).await.unwrap();
    }
    // Keys that cannot be one segment are refused before anything is sent.
    for key in ["", ".", ".."] {
        let err = client.contacts().get(key).await.unwrap_err();
        assert!(
            matches!(&err, Error::InvalidInput { item, .. } if item == key),
            "{err:?}"
        );
        let err = client.contacts().delete(key).await.unwrap_err();
        assert!(matches!(err, Error::InvalidInput { .. }));
        let err = client
            .contacts()
            .upsert(Contact::new(key))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidInput { .. }));
    }
}

#[tokio::test]
async fn history_read_and_add() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path(p("/contact/history/a@b.fr/50")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
        "contactKey": "a@b.fr", "contactFound": "1", "records": 2, "logs": [
            {"Id": 2, "Type": "Custom", "Title": "Shipped", "OperationId": "42",
             "LogDate": "2024-05-02 10:00:00+0000", "Group": null, "Extra": [1]},
            {"Id": 1, "Type": "NewKind", "Title": "Ordered", "OperationId": 42,
             "LogDate": "2024-05-01 10:00:00+0000", "Date": "01/05/2024"}
        ]})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(p("/contact/history")))
        .and(body_json(json!({"contactKey": "a@b.fr", "logs": [
            {"Title": "Ordered", "OperationId": 42, "LogDate": "2024-05-01 10:00:00+0000"},
            {"Title": "Visited", "LogDate": "2024-05-01 10:00:00+0000"}
        ]})))
        .respond_with(ResponseTemplate::new(200).set_body_json("2 log(s) added."))
        .expect(1)
        .mount(&server)
        .await;
    let h = client.contacts().history("a@b.fr", 50).await.unwrap();
    assert_eq!((h.contact_found, h.records, h.logs.len()), (1, 2, 2));
    assert_eq!(h.logs[0].title.as_deref(), Some("Shipped"));
    assert_eq!(h.logs[0].operation_id, 42);
    assert_eq!(h.logs[1].r#type.as_deref(), Some("NewKind"));
    assert_eq!(h.logs[1].date.as_ref().unwrap().datetime(), None);
    assert!(h.logs[1].log_date.as_ref().unwrap().datetime().is_some());
    client
        .contacts()
        .add_history(
            "a@b.fr",
            [
                NewContactLog::new("Ordered", at()).operation_id(42),
                NewContactLog::new("Visited", at()),
            ],
        )
        .await
        .unwrap();
    for size in [0, 501] {
        let err = client.contacts().history("a@b.fr", size).await.unwrap_err();
        assert!(
            matches!(&err, Error::InvalidInput { item, .. } if item == "size"),
            "{err:?}"
        );
    }
    for bad in [
        client.contacts().add_history("a@b.fr", []),
        client
            .contacts()
            .add_history("a@b.fr", [NewContactLog::new(" ", at())]),
        client
            .contacts()
            .add_history("..", [NewContactLog::new("x", at())]),
    ] {
        assert!(matches!(bad.await, Err(Error::InvalidInput { .. })));
    }
}

#[tokio::test]
async fn history_add_and_single_upsert_are_not_retried_unless_asked() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(p("/contact/history")))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let err = client
        .contacts()
        .add_history("a@b.fr", [NewContactLog::new("x", at())])
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));

    Mock::given(method("POST"))
        .and(path(p("/contact/attribute")))
        .and(body_json(
            json!({"id": 0, "contactKey": "once@b.fr", "attributes": []}),
        ))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let err = client
        .contacts()
        .upsert(Contact::new("once@b.fr"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));

    // Opted in: one 503, then success.
    Mock::given(method("POST"))
        .and(path(p("/contact/attribute")))
        .and(body_json(
            json!({"id": 0, "contactKey": "twice@b.fr", "attributes": []}),
        ))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(p("/contact/attribute")))
        .and(body_json(
            json!({"id": 0, "contactKey": "twice@b.fr", "attributes": []}),
        ))
        .respond_with(affected(1))
        .expect(1)
        .mount(&server)
        .await;
    let ok = client
        .contacts()
        .upsert(Contact::new("twice@b.fr"))
        .idempotent(true)
        .await
        .unwrap();
    assert_eq!(ok.affected(), Some(1));
}

#[tokio::test]
async fn validation_rejects_bad_single_contacts_before_sending() {
    let (_server, client) = setup().await;
    let bad = [
        Contact::new("a@b.fr").email("not-an-email"),
        Contact::new("a@b.fr").email("a@b@c.fr"),
        Contact::new("a@b.fr").email("a b@c.fr"),
        Contact::new("a@b.fr").email("a@localhost"),
        Contact::new("a@b.fr").mobile("0612340001"),
        Contact::new("a@b.fr").mobile("+33 6 12 34 00 01"),
        Contact::new("a@b.fr").mobile("+0612340001"),
        Contact::new("a@b.fr").email_optin(OptIn::Unknown("maybe".into())),
        Contact::new("a@b.fr").email_status_date(Timestamp::parse("yesterday")),
    ];
    for c in bad {
        let err = client.contacts().upsert(c.clone()).await.unwrap_err();
        assert!(
            matches!(&err, Error::InvalidInput { item, .. } if item == "a@b.fr"),
            "{c:?}: {err:?}"
        );
    }
}

fn received_bulk_sizes(requests: &[wiremock::Request]) -> Vec<usize> {
    requests
        .iter()
        .filter(|r| r.url.path() == p("/contacts/attribute"))
        .map(|r| serde_json::from_slice::<Vec<Value>>(&r.body).unwrap().len())
        .collect()
}

#[tokio::test]
async fn bulk_501_contacts_are_sent_as_500_plus_1() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(p("/contacts/attribute")))
        .respond_with(affected(500))
        .expect(2)
        .mount(&server)
        .await;
    let contacts = (0..501).map(|i| Contact::new(format!("c{i}@example.com")).first_name("X"));
    let report = client
        .contacts()
        .upsert_many(contacts)
        .concurrency(1)
        .await
        .unwrap();
    let mut sizes = received_bulk_sizes(&server.received_requests().await.unwrap());
    sizes.sort_unstable();
    assert_eq!(sizes, vec![1, 500]);
    assert_eq!(report.written, (0..501).collect::<Vec<_>>());
    let t = report.totals();
    assert_eq!(
        (t.submitted, t.written, t.failed, t.rejected),
        (501, 501, 0, 0)
    );
    // The reply says 500 for the 1-item chunk: at least every contact is counted.
    assert!(report.is_complete());
}

#[tokio::test]
async fn bulk_sends_the_exact_array_and_update_uses_put() {
    let (server, client) = setup().await;
    let expected = json!([
        {"id": 0, "contactKey": "a@b.fr", "attributes": [{"id": "firstname", "fieldValue": "A"}]},
        {"id": 0, "contactKey": "b@b.fr", "attributes": [{"id": "email", "fieldValue": "b@b.fr"},
                                                         {"id": "26", "fieldValue": "3"}]}
    ]);
    Mock::given(method("POST"))
        .and(path(p("/contacts/attribute")))
        .and(body_json(expected.clone()))
        .respond_with(affected(2))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(p("/contacts/attribute")))
        .and(body_json(expected))
        .respond_with(affected(2))
        .expect(1)
        .mount(&server)
        .await;
    let contacts = || {
        vec![
            Contact::new("a@b.fr").first_name("A"),
            Contact::new("b@b.fr")
                .email("b@b.fr")
                .custom(FieldId(26), "3"),
        ]
    };
    let r = client.contacts().upsert_many(contacts()).await.unwrap();
    assert_eq!(r.totals().written, 2);
    let stream = futures_util::stream::iter(contacts());
    let r = client.contacts().update_stream(stream).await.unwrap();
    assert_eq!(r.totals().written, 2);
}

#[tokio::test]
async fn bulk_rejects_each_bad_item_by_index_and_key_and_sends_the_rest() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(p("/contacts/attribute")))
        .respond_with(affected(2))
        .expect(1)
        .mount(&server)
        .await;
    let fields: Vec<ContactField> = serde_json::from_value(json!([
        {"id": 26, "name": "Revenue", "format": "Number"},
        {"id": 27, "name": "Last order", "format": "DateTime"},
        {"id": 30, "name": "Tier", "format": "SingleSelection"},
        {"id": 31, "name": "Tags", "format": "MultipleSelection"},
        {"id": 32, "name": "Note", "format": "ShortText"}
    ]))
    .unwrap();
    let values: Vec<FieldValue> =
        serde_json::from_value(json!([{"id": 53, "text": "Gold"}, {"id": 54, "text": "Silver"}]))
            .unwrap();
    let catalog = FieldCatalog::new(fields)
        .with_values(FieldId(30), values.clone())
        .with_values(FieldId(31), values);
    let input = vec![
        Contact::new("ok1@b.fr")
            .email("ok1@b.fr")
            .custom(FieldId(26), "12.50")
            .custom(FieldId(27), "2024-05-01 10:00:00")
            .custom_selection(FieldId(30), [FieldValueId(53)])
            .custom_selection(FieldId(31), [FieldValueId(53), FieldValueId(54)])
            .custom(FieldId(32), "anything <&>"),
        Contact::new(""),                                            // 1 empty key
        Contact::new(".."),                                          // 2
        Contact::new("bad-email@b.fr").email("bad@"),                // 3
        Contact::new("bad-mobile@b.fr").mobile("0612340001"),        // 4
        Contact::new("bad-number@b.fr").custom(FieldId(26), "12,5"), // 5
        Contact::new("bad-date@b.fr").custom(FieldId(27), "yesterday"), // 6
        Contact::new("bad-sel@b.fr").custom(FieldId(30), "99"),      // 7
        Contact::new("bad-multi@b.fr").custom(FieldId(31), "53,x"),  // 8
        Contact::new("unknown-field@b.fr").custom(FieldId(99), "1"), // 9
        Contact::new("bad-optin@b.fr").email_optin(OptIn::Unknown("maybe".into())), // 10
        Contact::new("ok2@b.fr").clear_custom(FieldId(26)),          // 11: clearing is always valid
    ];
    let report = client
        .contacts()
        .upsert_many(input)
        .catalog(catalog)
        .await
        .unwrap();
    let rejected: Vec<(usize, &str)> = report
        .rejected
        .iter()
        .map(|r| (r.index, r.key.as_str()))
        .collect();
    assert_eq!(
        rejected,
        vec![
            (1, ""),
            (2, ".."),
            (3, "bad-email@b.fr"),
            (4, "bad-mobile@b.fr"),
            (5, "bad-number@b.fr"),
            (6, "bad-date@b.fr"),
            (7, "bad-sel@b.fr"),
            (8, "bad-multi@b.fr"),
            (9, "unknown-field@b.fr"),
            (10, "bad-optin@b.fr"),
        ]
    );
    for r in &report.rejected[2..] {
        assert!(
            matches!(&r.reason, Error::InvalidInput { item, .. } if *item == r.key),
            "{r:?}"
        );
    }
    assert_eq!(report.written, vec![0, 11]);
    let t = report.totals();
    assert_eq!(
        (t.submitted, t.rejected, t.written, t.failed),
        (12, 10, 2, 0)
    );
    assert!(!report.is_complete());
    let sent: Vec<Value> =
        serde_json::from_slice(&server.received_requests().await.unwrap()[0].body).unwrap();
    assert_eq!(
        sent[1]["attributes"],
        json!([{"id": "26", "fieldValue": ""}])
    );
}

#[tokio::test]
async fn a_refused_chunk_is_split_until_the_refused_contact_is_found() {
    let (server, client) = setup().await;
    // The service refuses any request carrying c1 (400 is not retryable) and counts the
    // others.
    Mock::given(method("POST"))
        .and(path(p("/contacts/attribute")))
        .and(body_string_contains("c1@b.fr"))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(json!({"Message": "Bad contact c1."})),
        )
        .with_priority(1)
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(p("/contacts/attribute")))
        .respond_with(affected(2))
        .expect(3)
        .mount(&server)
        .await;
    let contacts = (0..6).map(|i| Contact::new(format!("c{i}@b.fr")));
    let report = client
        .contacts()
        .upsert_many(contacts)
        .options(BulkOptions::default().chunk_size(2).concurrency(1))
        .await
        .unwrap();
    assert_eq!(report.written, vec![0, 2, 3, 4, 5]);
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(
        (report.rejected[0].index, report.rejected[0].key.as_str()),
        (1, "c1@b.fr")
    );
    assert_eq!(report.rejected[0].reason.status(), Some(400));
    assert!(report.failed.is_empty());
    // The halves of the refused chunk went alone: the exact bodies.
    let bodies: Vec<Value> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    let keys = |b: &Value| -> Vec<String> {
        b.as_array()
            .unwrap()
            .iter()
            .map(|c| c["contactKey"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(keys(&bodies[0]), ["c0@b.fr", "c1@b.fr"]);
    let singles: Vec<Vec<String>> = bodies[1..3].iter().map(keys).collect();
    assert!(singles.contains(&vec!["c0@b.fr".to_owned()]), "{singles:?}");
    assert!(singles.contains(&vec!["c1@b.fr".to_owned()]), "{singles:?}");
    let t = report.totals();
    assert_eq!((t.written, t.failed, t.rejected), (5, 0, 1));
}

/// A service that drops c3 from every bulk write (it counts every contact but that one) and,
/// written alone, answers `alone`.
async fn dropping_c3(
    alone: ResponseTemplate,
) -> (wiremock::MockServer, relance::sendethic::Client) {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(p("/contacts/attribute")))
        .respond_with(|request: &wiremock::Request| {
            let sent: Vec<Value> = serde_json::from_slice(&request.body).unwrap();
            let kept = sent.iter().filter(|c| c["contactKey"] != "c3@b.fr").count();
            ResponseTemplate::new(200).set_body_json(format!("{kept} contact(s) affected."))
        })
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(p("/contact/attribute")))
        .respond_with(alone)
        .mount(&server)
        .await;
    (server, client)
}

/// Upserts c0 … c7 in one bulk write.
async fn upsert_eight(client: &relance::sendethic::Client) -> relance::BulkReport {
    client
        .contacts()
        .upsert_many((0..8).map(|i| Contact::new(format!("c{i}@b.fr"))))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_short_count_is_split_until_the_dropped_contact_is_found() {
    let refusal = "The value 'x' is invalid for the field Tier.";
    let (server, client) =
        dropping_c3(ResponseTemplate::new(400).set_body_json(json!({"Message": refusal}))).await;
    let report = upsert_eight(&client).await;
    assert_eq!(report.written, vec![0, 1, 2, 4, 5, 6, 7]);
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].index, 3);
    // The service's own reason, from the single-contact endpoint.
    assert_eq!(report.rejected[0].reason.status(), Some(400));
    assert!(
        report.rejected[0].reason.to_string().contains(refusal),
        "{}",
        report.rejected[0].reason
    );
    // 8 → 4 + 4 → (2 + 2) → (1 + 1): 1 + 2 + 2 + 2 bulk requests, then c3 alone.
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 8);
    let alone: Vec<_> = requests
        .iter()
        .filter(|r| r.url.path() == p("/contact/attribute"))
        .collect();
    assert_eq!(alone.len(), 1);
    let body: Value = serde_json::from_slice(&alone[0].body).unwrap();
    assert_eq!(body["contactKey"], "c3@b.fr");
    assert!(body.is_object(), "one ContactData, not an array");
}

#[tokio::test]
async fn a_contact_dropped_alone_too_is_rejected_as_dropped_and_one_counted_alone_is_written() {
    let (_server, client) = dropping_c3(affected(0)).await;
    let report = upsert_eight(&client).await;
    assert_eq!(report.written, vec![0, 1, 2, 4, 5, 6, 7]);
    assert!(matches!(report.rejected[0].reason, Error::Protocol(_)));
    assert!(
        report.rejected[0]
            .reason
            .to_string()
            .contains("alone and in bulk")
    );
    // The bulk endpoint dropped it, but alone it is counted: written.
    let (_server, client) = dropping_c3(affected(1)).await;
    let report = upsert_eight(&client).await;
    assert_eq!(report.written.len(), 8);
    assert!(report.written.contains(&3));
    assert!(report.rejected.is_empty());
}

#[tokio::test]
async fn a_missing_count_is_not_a_confirmation() {
    let (server, client) = setup().await;
    // Processed, then answered with something that has no count: sent again.
    Mock::given(method("POST"))
        .and(path(p("/contacts/attribute")))
        .respond_with(ResponseTemplate::new(200).set_body_json("OK"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(p("/contacts/attribute")))
        .respond_with(affected(2))
        .mount(&server)
        .await;
    let two = || vec![Contact::new("a@b.fr"), Contact::new("b@b.fr")];
    let report = client.contacts().upsert_many(two()).await.unwrap();
    assert_eq!(report.written, vec![0, 1]);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);

    // Never a count: failed, not written, after the confirmation attempts.
    server.reset().await;
    Mock::given(method("POST"))
        .and(path(p("/contacts/attribute")))
        .respond_with(ResponseTemplate::new(200).set_body_json("OK"))
        .expect(3)
        .mount(&server)
        .await;
    let report = client.contacts().upsert_many(two()).await.unwrap();
    assert!(report.written.is_empty());
    assert_eq!(report.failed.len(), 1);
    assert_eq!(report.failed[0].indices, vec![0, 1]);
    assert!(matches!(report.failed[0].error, Error::Protocol(_)));
}

#[tokio::test]
async fn bulk_upserts_are_retried_only_by_explicit_policy() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(p("/contacts/attribute")))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(p("/contacts/attribute")))
        .respond_with(affected(1))
        .expect(1)
        .mount(&server)
        .await;
    let one = || vec![Contact::new("a@b.fr")];
    let report = client.contacts().upsert_many(one()).await.unwrap();
    assert_eq!(report.failed.len(), 1, "not retried by default");
    assert_eq!(report.failed[0].error.status(), Some(503));
    let report = client
        .contacts()
        .upsert_many(one())
        .retry_upserts(true)
        .await
        .unwrap();
    assert!(report.is_complete());
    // That second call succeeded on its first attempt (the 503 was used up): check that a
    // retry really happens with a fresh 503.
    Mock::given(method("PUT"))
        .and(path(p("/contacts/attribute")))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(p("/contacts/attribute")))
        .respond_with(affected(1))
        .expect(1)
        .mount(&server)
        .await;
    let report = client.contacts().update_many(one()).await.unwrap();
    assert!(report.is_complete(), "PUT chunks follow the retry policy");
}

#[tokio::test]
async fn bulk_retry_upserts_resends_after_a_503() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(p("/contacts/attribute")))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(p("/contacts/attribute")))
        .respond_with(affected(1))
        .expect(1)
        .mount(&server)
        .await;
    let report = client
        .contacts()
        .upsert_many([Contact::new("a@b.fr")])
        .retry_upserts(true)
        .await
        .unwrap();
    assert!(report.is_complete());
    assert_eq!(report.totals().written, 1);
}

#[tokio::test]
async fn bulk_options_are_checked() {
    let (server, client) = setup().await;
    for size in [0, 501] {
        let err = client
            .contacts()
            .upsert_many([Contact::new("a@b.fr")])
            .chunk_size(size)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidInput { .. }));
    }
    let err = client
        .contacts()
        .upsert_many([Contact::new("a@b.fr")])
        .concurrency(0)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }));
    // Nothing valid: no request at all.
    let report = client
        .contacts()
        .upsert_many([Contact::new("")])
        .await
        .unwrap();
    assert_eq!((report.rejected.len(), report.written.len()), (1, 0));
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn bulk_pulls_the_input_lazily() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct Observe {
        pulled: Arc<AtomicUsize>,
        seen: Arc<std::sync::Mutex<Vec<usize>>>,
    }
    impl wiremock::Respond for Observe {
        fn respond(&self, _: &wiremock::Request) -> ResponseTemplate {
            self.seen
                .lock()
                .unwrap()
                .push(self.pulled.load(Ordering::SeqCst));
            ResponseTemplate::new(200).set_body_json("10 contact(s) affected.")
        }
    }
    let (server, client) = setup().await;
    let pulled = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    Mock::given(method("POST"))
        .and(path(p("/contacts/attribute")))
        .respond_with(Observe {
            pulled: pulled.clone(),
            seen: seen.clone(),
        })
        .expect(10)
        .mount(&server)
        .await;
    let counter = pulled.clone();
    let contacts = (0..100).map(move |i| {
        counter.fetch_add(1, Ordering::SeqCst);
        Contact::new(format!("c{i}@b.fr"))
    });
    let report = client
        .contacts()
        .upsert_many(contacts)
        .chunk_size(10)
        .concurrency(1)
        .await
        .unwrap();
    assert!(report.is_complete());
    let seen = seen.lock().unwrap().clone();
    // While chunk k is in flight, at most (k + 1) chunks have been read from the input.
    for (k, n) in seen.iter().enumerate() {
        assert!(*n <= (k + 1) * 10, "request {k} saw {n} contacts pulled");
    }
}
