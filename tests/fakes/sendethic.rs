//! Round trips against the stateful `FakeSendethic`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use relance::Error;
use relance::http::RetryPolicy;
use relance::sendethic::{
    BulkOptions, Contact, ContactId, CreditType, Criteria, Criterion, FieldFormat, FieldId,
    FieldSpec, FieldValueId, Mode, NewContactLog, NewField, NewFieldValue, NewSegment, OptIn,
    Patch, SegmentDefinition, SegmentId,
};
use relance::testing::{FakeSendethic, Fault};

fn quick() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(2))
}

#[tokio::test]
async fn fields_round_trip_with_real_semantics() {
    let fake = FakeSendethic::start().await;
    let client = fake.client();
    let a = client
        .fields()
        .create(NewField::new("Revenue", FieldFormat::Number).tag("relance_revenue"))
        .await
        .unwrap();
    assert_eq!(a.tag(), Some("relance_revenue"));
    assert_eq!(a.format, FieldFormat::Number);
    let b = client
        .fields()
        .create(NewField::new("Tier", FieldFormat::SingleSelection))
        .await
        .unwrap();
    assert_ne!(a.id, b.id);

    // Name uniqueness.
    let dup = client
        .fields()
        .create(NewField::new("Revenue", FieldFormat::ShortText))
        .await
        .unwrap_err();
    assert_eq!(dup.status(), Some(400));

    client
        .fields()
        .rename(a.id, "Lifetime revenue")
        .await
        .unwrap();
    let got = client.fields().get(a.id).await.unwrap();
    assert_eq!(got.name, "Lifetime revenue");
    assert_eq!(got.format, FieldFormat::Number, "rename keeps the format");

    // Selection values: add, re-index (index must be free), rename, delete.
    let gold = client
        .fields()
        .add_value(b.id, NewFieldValue::new("Gold"))
        .await
        .unwrap();
    let silver = client
        .fields()
        .add_value(b.id, NewFieldValue::new("Silver"))
        .await
        .unwrap();
    assert_eq!((gold.index, silver.index), (0, 1));
    let taken = client
        .fields()
        .update_value(silver.id, "Silver", Some(0))
        .await
        .unwrap_err();
    assert_eq!(taken.status(), Some(400));
    client
        .fields()
        .update_value(silver.id, "Argent", Some(5))
        .await
        .unwrap();
    let values = client.fields().values(b.id).await.unwrap();
    assert_eq!(
        values
            .iter()
            .map(|v| (v.text.as_str(), v.index))
            .collect::<Vec<_>>(),
        [("Gold", 0), ("Argent", 5)]
    );
    client.fields().delete_value(gold.id).await.unwrap();
    assert_eq!(fake.field_values(b.id).len(), 1);

    client.fields().delete(a.id).await.unwrap();
    let err = client.fields().get(a.id).await.unwrap_err();
    assert!(err.api().unwrap().is_not_found());
    let err = client
        .fields()
        .delete_value(FieldValueId(999_999))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404));
    assert_eq!(fake.fields().len(), 1);
}

#[tokio::test]
async fn ensure_is_idempotent_and_adds_missing_values() {
    let fake = FakeSendethic::start().await;
    let client = fake.client();
    let spec = FieldSpec::new("relance_optin", "Opt-in", FieldFormat::SingleSelection)
        .values(["No", "Yes"]);
    let first = client.fields().ensure(spec.clone()).await.unwrap();
    assert!(first.created);
    assert_eq!(first.values.len(), 2);
    let second = client.fields().ensure(spec.clone()).await.unwrap();
    assert!(!second.created);
    assert_eq!(second.field.id, first.field.id);
    assert_eq!(
        second.values.iter().map(|v| v.id).collect::<Vec<_>>(),
        first.values.iter().map(|v| v.id).collect::<Vec<_>>()
    );
    assert_eq!(fake.fields().len(), 1);
    assert_eq!(fake.hits("POST", "/account/contactattribute"), 1);

    // A renamed field is still found by its tag; a new value is added once.
    client
        .fields()
        .rename(first.field.id, "Newsletter")
        .await
        .unwrap();
    let third = client
        .fields()
        .ensure(spec.values(["No", "Yes", "Pending"]))
        .await
        .unwrap();
    assert!(!third.created);
    assert_eq!(third.values.len(), 3);
    assert_eq!(fake.field_values(first.field.id).len(), 3);
}

#[tokio::test]
async fn ensure_recovers_when_a_concurrent_create_won() {
    let fake = FakeSendethic::start().await;
    let client = fake.client();
    // The first create fails (as if another process created the field at the same time).
    fake.inject(
        Fault::status(500)
            .on("POST", "/account/contactattribute")
            .times(1),
    );
    let err = client
        .fields()
        .ensure(FieldSpec::new("t1", "T1", FieldFormat::Number))
        .await
        .unwrap_err();
    assert_eq!(
        err.status(),
        Some(500),
        "no field exists, so the create error is returned"
    );
    assert_eq!(
        fake.hits("GET", "/account/contactattribute"),
        2,
        "looked up again"
    );
    let ok = client
        .fields()
        .ensure(FieldSpec::new("t1", "T1", FieldFormat::Number))
        .await
        .unwrap();
    assert!(ok.created);
}

#[tokio::test]
async fn wrong_credentials_get_401() {
    let fake = FakeSendethic::start().await;
    let client = relance::sendethic::Client::builder("12345", "wrong")
        .base_url(fake.base_url())
        .build()
        .unwrap();
    let err = client.fields().list().await.unwrap_err();
    let api = err.api().unwrap();
    assert_eq!(api.status, 401);
    assert!(api.is_auth());
}

#[tokio::test]
async fn account_credits_and_settings() {
    let fake = FakeSendethic::start().await;
    fake.set_credits(CreditType::Sms, 12, 100);
    let client = fake.client();
    let sms = client.account().credits(CreditType::Sms).await.unwrap();
    assert_eq!((sms.used, sms.remaining, sms.total), (12, 88, 100));
    client
        .account()
        .update_settings([("shop_url", "https://shop.example")])
        .await
        .unwrap();
    assert_eq!(
        fake.setting("shop_url").as_deref(),
        Some("https://shop.example")
    );
    let got = client.account().setting("shop_url").await.unwrap();
    assert_eq!(got.text(), "https://shop.example");
    assert_eq!(
        client.account().setting("nope").await.unwrap_err().status(),
        Some(404)
    );
}

#[tokio::test]
async fn injected_faults_exercise_retries_and_errors() {
    let fake = FakeSendethic::start().await;
    let client = fake.client_builder().retry(quick()).build().unwrap();

    fake.inject(
        Fault::status(503)
            .on("GET", "/account/contactattribute")
            .times(2),
    );
    client.fields().list().await.unwrap();
    assert_eq!(fake.hits("GET", "/account/contactattribute"), 3);

    fake.inject(Fault::html(502).on_path("/account/remainingcredits"));
    let err = client.account().credits(CreditType::Sms).await.unwrap_err();
    assert_eq!(err.status(), Some(502));
    assert_eq!(fake.hits("GET", "/account/remainingcredits/sms"), 3);
    fake.clear_faults();

    // A malformed answer to a safe read is retried like a 5xx...
    let before = fake.hits("GET", "/account/contactattribute");
    fake.inject(
        Fault::malformed_json()
            .on("GET", "/account/contactattribute")
            .times(1),
    );
    client.fields().list().await.unwrap();
    assert_eq!(fake.hits("GET", "/account/contactattribute"), before + 2);
    // ... and reported as a decode error once the retries are spent.
    fake.inject(
        Fault::malformed_json()
            .on("GET", "/account/contactattribute")
            .times(3),
    );
    assert!(matches!(
        client.fields().list().await.unwrap_err(),
        Error::Decode { .. }
    ));
    assert_eq!(fake.hits("GET", "/account/contactattribute"), before + 5);

    fake.inject(
        Fault::delay(Duration::from_secs(3))
            .on_path("/account/contactattribute")
            .times(1),
    );
    let err = client
        .fields()
        .get(FieldId(1))
        .timeout(Duration::from_millis(100))
        .retry(RetryPolicy::none())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");

    fake.inject(Fault::status(429).header("Retry-After", "0").times(1));
    client.fields().list().await.unwrap();
}

#[tokio::test]
async fn contacts_round_trip_with_upsert_update_and_clear_semantics() {
    let fake = FakeSendethic::start().await;
    let client = fake.client();
    let tier = client
        .fields()
        .ensure(
            FieldSpec::new("relance_tier", "Tier", FieldFormat::SingleSelection)
                .values(["Gold", "Silver"]),
        )
        .await
        .unwrap();
    let gold = tier.values[0].id;
    let c = Contact::new("Ann@Example.com")
        .email("ann@example.com")
        .first_name("Ann")
        .last_name("Lee")
        .email_optin(OptIn::Yes1)
        .custom_selection(tier.field.id, [gold]);
    let r = client.contacts().upsert(c).await.unwrap();
    assert_eq!(r.affected(), Some(1));
    // Upsert again by the same key (other case): still one contact.
    client
        .contacts()
        .upsert(Contact::new("ann@example.com").city("Paris"))
        .await
        .unwrap();
    assert_eq!(fake.contact_count(), 1);

    let got = client
        .contacts()
        .get("ann@example.com")
        .await
        .unwrap()
        .unwrap();
    let id = got.id.unwrap();
    assert_eq!(got.first_name.value().map(String::as_str), Some("Ann"));
    assert_eq!(got.city.value().map(String::as_str), Some("Paris"));
    assert_eq!(got.email_optin, Patch::Set(OptIn::Yes1));
    assert_eq!(got.custom_value(tier.field.id), Some("Gold"), "labels");
    let ids = client
        .contacts()
        .get_value_ids("ann@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        ids.custom_value(tier.field.id),
        Some(gold.to_string().as_str()),
        "value ids"
    );
    assert_eq!(
        client.contacts().get_by_id(id).await.unwrap(),
        Some(got.clone())
    );
    assert_eq!(
        client.contacts().get_value_ids_by_id(id).await.unwrap(),
        Some(ids)
    );

    clear_update_and_delete(&fake, &client, id).await;
}

/// The second half of the round trip: clearing differs from leaving untouched, updates by
/// key and by id, and deletes.
async fn clear_update_and_delete(
    fake: &FakeSendethic,
    client: &relance::sendethic::Client,
    id: ContactId,
) {
    // Clear differs from untouched.
    let mut change = Contact::new("ann@example.com");
    change.last_name = Patch::Clear;
    client.contacts().update(change).await.unwrap();
    let after = fake.contact("ann@example.com").unwrap();
    assert_eq!(after.last_name, Patch::Clear);
    assert_eq!(
        after.first_name,
        Patch::Set("Ann".into()),
        "untouched stays"
    );

    // Update by id; update of an unknown contact is a 404.
    client
        .contacts()
        .update(Contact::new("").with_id(id).first_name("Anna"))
        .await
        .unwrap();
    assert_eq!(
        fake.contact("ann@example.com").unwrap().first_name,
        Patch::Set("Anna".into())
    );
    let err = client
        .contacts()
        .update(Contact::new("nobody@example.com").city("X"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404));
    assert_eq!(
        client.contacts().get("nobody@example.com").await.unwrap(),
        None
    );

    client.contacts().delete("ann@example.com").await.unwrap();
    assert_eq!(fake.contact_count(), 0);
    client
        .contacts()
        .upsert(Contact::new("bo@example.com"))
        .await
        .unwrap();
    let bo = fake.contact("bo@example.com").unwrap();
    assert_eq!(bo.email.value().map(String::as_str), Some("bo@example.com"));
    client
        .contacts()
        .delete_by_id(bo.id.unwrap())
        .await
        .unwrap();
    assert!(fake.contacts().is_empty());
    assert_eq!(
        client
            .contacts()
            .delete_by_id(ContactId(424_242))
            .await
            .unwrap_err()
            .status(),
        Some(404)
    );
}

#[tokio::test]
async fn unsafe_keys_round_trip_through_the_fake() {
    let fake = FakeSendethic::start().await;
    let client = fake.client();
    for key in [
        "a/b@x.fr", "a?b@x.fr", "a#b@x.fr", "a%b@x.fr", "a b@x.fr",
        "a..b", // a key that is not an email (the account's unicity key may be another field)
        "é@x.fr",
    ] {
        client
            .contacts()
            .upsert(Contact::new(key).first_name("K"))
            .await
            .unwrap();
        let got = client.contacts().get(key).await.unwrap().unwrap();
        assert_eq!(got.key, key);
        client
            .contacts()
            .add_history(key, [NewContactLog::new("seen", chrono::Utc::now())])
            .await
            .unwrap();
        assert_eq!(
            client.contacts().history(key, 5).await.unwrap().logs.len(),
            1
        );
        client.contacts().delete(key).await.unwrap();
        assert!(
            fake.requests()
                .iter()
                .any(|r| r.method == "DELETE" && r.path == format!("/contact/attribute/{key}")),
            "{key}"
        );
    }
    assert_eq!(fake.contact_count(), 0);
}

#[tokio::test]
async fn history_appends_and_reads_newest_first() {
    use chrono::TimeZone;
    let fake = FakeSendethic::start().await;
    let client = fake.client();
    let err = client
        .contacts()
        .add_history("ghost@x.fr", [NewContactLog::new("x", chrono::Utc::now())])
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404));
    client
        .contacts()
        .upsert(Contact::new("h@x.fr"))
        .await
        .unwrap();
    let day = |d| chrono::Utc.with_ymd_and_hms(2024, 5, d, 10, 0, 0).unwrap();
    client
        .contacts()
        .add_history(
            "h@x.fr",
            [
                NewContactLog::new("first", day(1)).operation_id(7),
                NewContactLog::new("third", day(3)),
            ],
        )
        .await
        .unwrap();
    client
        .contacts()
        .add_history("h@x.fr", [NewContactLog::new("second", day(2))])
        .await
        .unwrap();
    let h = client.contacts().history("h@x.fr", 2).await.unwrap();
    assert_eq!((h.contact_found, h.records), (1, 3));
    let titles: Vec<_> = h.logs.iter().map(|l| l.title.clone().unwrap()).collect();
    assert_eq!(titles, ["third", "second"]);
    let all = fake.contact_history("h@x.fr");
    assert_eq!(all.len(), 3);
    assert_eq!(all[2].operation_id, 7);
    assert_eq!(
        all[2].log_date.as_ref().unwrap().as_str(),
        "2024-05-01 10:00:00+0000"
    );
    let none = client.contacts().history("ghost@x.fr", 10).await.unwrap();
    assert_eq!((none.contact_found, none.logs.len()), (0, 0));
}

#[tokio::test]
async fn bulk_upsert_against_the_fake_chunks_and_reports() {
    let fake = FakeSendethic::start().await;
    let client = fake.client();
    let revenue = client
        .fields()
        .ensure(FieldSpec::new(
            "relance_revenue",
            "Revenue",
            FieldFormat::Number,
        ))
        .await
        .unwrap()
        .field;
    let catalog = client.fields().catalog().await.unwrap();
    let rid = revenue.id;
    let contacts = (0..1201).map(move |i| {
        let c = Contact::new(format!("c{i}@example.com")).email(format!("c{i}@example.com"));
        if i % 100 == 7 {
            c.custom(rid, "12,5") // invalid: comma
        } else {
            c.custom(rid, format!("{i}.5"))
        }
    });
    let report = client
        .contacts()
        .upsert_many(contacts)
        .catalog(catalog)
        .await
        .unwrap();
    let t = report.totals();
    assert_eq!(t.submitted, 1201);
    assert_eq!(t.rejected, 12);
    assert_eq!(t.written, 1189);
    assert_eq!(report.written.len(), 1189);
    assert!(report.failed.is_empty());
    assert_eq!(fake.contact_count(), 1189);
    assert_eq!(fake.hits("POST", "/contacts/attribute"), 3);
    assert!(report.rejected.iter().all(|r| r.index % 100 == 7));
    assert_eq!(
        fake.contact("c8@example.com")
            .unwrap()
            .custom_value(revenue.id),
        Some("8.5")
    );
    // Bulk update touches existing contacts only.
    let report = client
        .contacts()
        .update_many([
            Contact::new("c8@example.com").city("Lyon"),
            Contact::new("nobody@example.com").city("Lyon"),
        ])
        .await
        .unwrap();
    // The unknown contact is not counted: found by splitting the chunk, then updated alone
    // to learn why (404), reported, not written.
    assert_eq!(report.written, vec![0]);
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].index, 1);
    assert_eq!(report.rejected[0].key, "nobody@example.com");
    assert_eq!(
        report.rejected[0].reason.status(),
        Some(404),
        "{}",
        report.rejected[0].reason
    );
    assert_eq!(fake.contact_count(), 1189);
}

#[tokio::test]
async fn the_fake_refuses_more_than_500_per_call() {
    let fake = FakeSendethic::start().await;
    let client = fake.client();
    let items: Vec<serde_json::Value> = (0..501)
        .map(|i| serde_json::json!({"id": 0, "contactKey": format!("c{i}@x.fr"), "attributes": []}))
        .collect();
    let err = client
        .raw(
            reqwest::Method::POST,
            &["contacts", "attribute"],
            Some(serde_json::Value::Array(items)),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert_eq!(fake.contact_count(), 0);
}

#[tokio::test]
async fn a_failed_chunk_is_reported_while_the_others_go_through() {
    let fake = FakeSendethic::start().await;
    let client = fake.client_builder().retry(quick()).build().unwrap();
    fake.inject(
        Fault::status(500)
            .on("POST", "/contacts/attribute")
            .times(1),
    );
    let contacts = (0..250).map(|i| Contact::new(format!("c{i}@example.com")));
    let report = client
        .contacts()
        .upsert_many(contacts)
        .options(BulkOptions::default().chunk_size(100).concurrency(1))
        .await
        .unwrap();
    let failed = &report.failed;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].indices.first(), Some(&0));
    assert_eq!(failed[0].indices, (0..100).collect::<Vec<_>>());
    assert_eq!(failed[0].error.status(), Some(500));
    let t = report.totals();
    assert_eq!((t.written, t.failed, t.rejected), (150, 100, 0));
    assert_eq!(fake.contact_count(), 150);
    assert!(fake.contact("c0@example.com").is_none());
    assert!(fake.contact("c100@example.com").is_some());

    // With the explicit policy a transient 503 is retried and nothing fails.
    fake.inject(
        Fault::status(503)
            .on("POST", "/contacts/attribute")
            .times(1),
    );
    let report = client
        .contacts()
        .upsert_many((0..100).map(|i| Contact::new(format!("c{i}@example.com"))))
        .retry_upserts(true)
        .await
        .unwrap();
    assert!(report.is_complete());
    assert_eq!(fake.contact_count(), 250);
}

#[tokio::test]
async fn faults_apply_to_contact_and_segment_paths() {
    let fake = FakeSendethic::start().await;
    let client = fake.client_builder().retry(quick()).build().unwrap();
    fake.inject(Fault::status(503).on("GET", "/contact/attribute").times(1));
    assert_eq!(client.contacts().get("a@b.fr").await.unwrap(), None);
    assert_eq!(
        fake.hits("GET", "/contact/attribute/a@b.fr"),
        2,
        "retried GET"
    );
    fake.inject(Fault::status(503).on("POST", "/contact/history").times(1));
    client
        .contacts()
        .upsert(Contact::new("a@b.fr"))
        .await
        .unwrap();
    let err = client
        .contacts()
        .add_history("a@b.fr", [NewContactLog::new("x", chrono::Utc::now())])
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(fake.hits("POST", "/contact/history"), 1, "never retried");
    fake.inject(Fault::html(502).on("GET", "/segment").times(1));
    assert!(client.segments().list().await.unwrap().is_empty());
    assert_eq!(fake.hits("GET", "/segment"), 2);
}

#[tokio::test]
async fn segments_round_trip_ensure_and_count() {
    let fake = FakeSendethic::start().await;
    let client = fake.client();
    let orders = client
        .fields()
        .ensure(FieldSpec::new(
            "relance_orders",
            "Orders",
            FieldFormat::Number,
        ))
        .await
        .unwrap()
        .field;
    let optin = client
        .fields()
        .ensure(
            FieldSpec::new("relance_optin", "Opt-in", FieldFormat::SingleSelection)
                .values(["No", "Yes"]),
        )
        .await
        .unwrap();
    let yes = optin.values[1].id;
    let (no, optin_id) = (optin.values[0].id, optin.field.id);
    let contacts: Vec<Contact> = (0..10)
        .map(|i| {
            let c = Contact::new(format!("c{i}@x.fr"))
                .custom(orders.id, i.to_string())
                .custom_selection(optin_id, [if i % 2 == 0 { yes } else { no }]);
            if i == 9 { c.email_optin(OptIn::No) } else { c }
        })
        .collect();
    // `send()` also takes borrowing iterators; `.await` needs a `'static` one.
    assert!(
        client
            .contacts()
            .upsert_many(contacts)
            .send()
            .await
            .unwrap()
            .is_complete()
    );

    let spec = || {
        SegmentDefinition::new(
            "relance_repeat_subscribers",
            "Repeat subscribers",
            Mode::Intersect,
            Criteria::new()
                .with(Criterion::number_at_least(orders.id, 2))
                .with(Criterion::selection_equals(optin.field.id, yes)),
        )
    };
    let first = client.segments().ensure(spec()).await.unwrap();
    assert!(first.created);
    let again = client.segments().ensure(spec()).await.unwrap();
    assert!(!again.created);
    assert_eq!(again.segment.id, first.segment.id);
    assert_eq!(fake.segments().len(), 1);
    assert_eq!(fake.hits("POST", "/segment"), 1);
    assert_eq!(first.segment.tag(), Some("relance_repeat_subscribers"));
    // Orders >= 2 and opted in (even i): 2, 4, 6, 8.
    let count = client
        .segments()
        .refresh_count(first.segment.id)
        .await
        .unwrap();
    assert_eq!(count.as_count(), Some(4));

    union_negation_update_and_delete(&fake, &client, orders.id).await;
}

/// Segments beyond a plain intersection: union, negation, the unsubscribe operation,
/// read-modify-write with unknown criteria, duplicate names and deletion.
async fn union_negation_update_and_delete(
    fake: &FakeSendethic,
    client: &relance::sendethic::Client,
    orders: FieldId,
) {
    // Union, negation and the unsubscribe operation.
    let union = client
        .segments()
        .create(NewSegment::new(
            "Big or unsubscribed",
            Mode::Union,
            Criteria::new()
                .with(Criterion::number_greater_than(orders, 7))
                .with(Criterion::unsubscribed_from_email()),
        ))
        .await
        .unwrap();
    let n = client.segments().refresh_count(union.id).await.unwrap();
    assert_eq!(n.as_count(), Some(2), "8 and 9");
    let no_city = client
        .segments()
        .create(NewSegment::new(
            "No city",
            Mode::Intersect,
            Criteria::new().with(Criterion::text_empty("city")),
        ))
        .await
        .unwrap();
    let n = client.segments().refresh_count(no_city.id).await.unwrap();
    assert_eq!(n.as_count(), Some(10));

    // Read-modify-write keeps everything; unknown criteria survive the fake too.
    let mut s = client.segments().get(union.id).await.unwrap();
    let raw = r#"<Criteria guid="x" reference="date-after" type="ContactAttribute" id="1" op="date-after" is="true" value1="" value2="" />"#;
    s.details = s
        .details
        .replace("</Criterias>", &format!("{raw}</Criterias>"));
    "Renamed".clone_into(&mut s.name);
    client.segments().update(&s).await.unwrap();
    let back = client.segments().get(union.id).await.unwrap();
    assert_eq!(back.name, "Renamed");
    assert!(back.details.contains(raw));
    assert_eq!(back.criteria().unwrap().to_xml(), back.details);
    assert_eq!(
        client
            .segments()
            .refresh_count(union.id)
            .await
            .unwrap()
            .as_count(),
        Some(0),
        "unknown criteria are not evaluated"
    );

    // Duplicate names are refused; delete; unknown ids are 404.
    let dup = client
        .segments()
        .create(NewSegment::new("Renamed", Mode::Union, Criteria::new()))
        .await
        .unwrap_err();
    assert_eq!(dup.status(), Some(400));
    client.segments().delete(union.id).await.unwrap();
    assert_eq!(
        client.segments().get(union.id).await.unwrap_err().status(),
        Some(404)
    );
    assert_eq!(
        client
            .segments()
            .refresh_count(SegmentId(999_999))
            .await
            .unwrap_err()
            .status(),
        Some(404)
    );
    assert_eq!(
        fake.segments().len(),
        2,
        "the first segment and \"No city\" are left"
    );
}
