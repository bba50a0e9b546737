//! Round trips against the stateful `FakeSendethic`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)]

use std::time::Duration;

use relance::Error;
use relance::http::RetryPolicy;
use relance::sendethic::{
    CreditType, FieldFormat, FieldId, FieldSpec, FieldValueId, NewField, NewFieldValue,
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

    fake.inject(
        Fault::malformed_json()
            .on("GET", "/account/contactattribute")
            .times(1),
    );
    assert!(matches!(
        client.fields().list().await.unwrap_err(),
        Error::Decode { .. }
    ));

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
