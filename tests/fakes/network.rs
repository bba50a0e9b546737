//! Network faults of the fakes, before and after processing, and how the client meets them:
//! a safe request is sent again, a send is not, and the fake's state says what happened.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use relance::Error;
use relance::http::RetryPolicy;
use relance::sendethic::{Contact, FieldFormat, NewField};
use relance::testing::{FakeSendethic, Fault};

fn quick_retries() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(4)
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(5))
}

#[tokio::test]
async fn a_reset_before_processing_is_retried_on_reads_and_changes_nothing_on_writes() {
    let fake = FakeSendethic::start().await;
    let client = fake
        .client_builder()
        .retry(quick_retries())
        .build()
        .unwrap();
    fake.inject(
        Fault::reset()
            .on("GET", "/account/contactattribute")
            .times(2),
    );
    assert!(client.fields().list().await.unwrap().is_empty());
    assert_eq!(fake.hits("GET", "/account/contactattribute"), 3);

    fake.inject(
        Fault::reset()
            .on("POST", "/account/contactattribute")
            .times(1),
    );
    let err = client
        .fields()
        .create(NewField::new("Tier", FieldFormat::ShortText))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert_eq!(
        fake.hits("POST", "/account/contactattribute"),
        1,
        "a create is not resent"
    );
    assert!(fake.fields().is_empty(), "the reset came before processing");
}

#[tokio::test]
async fn an_answer_cut_after_processing_is_retried_on_reads_and_leaves_writes_done() {
    let fake = FakeSendethic::start().await;
    let client = fake
        .client_builder()
        .retry(quick_retries())
        .build()
        .unwrap();
    fake.inject(
        Fault::truncated()
            .on("GET", "/account/contactattribute")
            .times(1),
    );
    assert!(client.fields().list().await.unwrap().is_empty());
    assert_eq!(fake.hits("GET", "/account/contactattribute"), 2);

    fake.inject(Fault::truncated().on("POST", "/contact/attribute").times(1));
    let err = client
        .contacts()
        .upsert(Contact::new("ann@example.com").first_name("Ann"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert_eq!(fake.hits("POST", "/contact/attribute"), 1, "not resent");
    assert!(
        fake.contact("ann@example.com").is_some(),
        "processed before the answer was cut"
    );

    // Declared idempotent, the same upsert is resent and confirmed.
    fake.inject(Fault::truncated().on("POST", "/contact/attribute").times(1));
    let reply = client
        .contacts()
        .upsert(Contact::new("bob@example.com").first_name("Bob"))
        .idempotent(true)
        .await
        .unwrap();
    assert_eq!(reply.affected(), Some(1));
    assert_eq!(fake.hits("POST", "/contact/attribute"), 3);
}

#[tokio::test]
async fn a_malformed_answer_after_processing_and_a_timeout_after_processing() {
    let fake = FakeSendethic::start().await;
    let client = fake
        .client_builder()
        .retry(RetryPolicy::none())
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    fake.inject(
        Fault::malformed_json()
            .after_processing()
            .on("POST", "/account/contactattribute")
            .times(1),
    );
    let err = client
        .fields()
        .create(NewField::new("Tier", FieldFormat::ShortText))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert_eq!(
        fake.fields().len(),
        1,
        "created although the answer was garbage"
    );

    fake.inject(
        Fault::delay(Duration::from_secs(2))
            .on("POST", "/account/contactattribute")
            .times(1),
    );
    let err = client
        .fields()
        .create(NewField::new("Store", FieldFormat::ShortText))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert_eq!(
        fake.fields().len(),
        2,
        "created although the client gave up"
    );

    // A replacement before processing changes nothing.
    fake.inject(
        Fault::status(503)
            .on("POST", "/account/contactattribute")
            .times(1),
    );
    assert!(
        client
            .fields()
            .create(NewField::new("Region", FieldFormat::ShortText))
            .await
            .is_err()
    );
    assert_eq!(fake.fields().len(), 2);
    fake.inject(
        Fault::status(503)
            .after_processing()
            .on("POST", "/account/contactattribute")
            .times(1),
    );
    assert!(
        client
            .fields()
            .create(NewField::new("Region", FieldFormat::ShortText))
            .await
            .is_err()
    );
    assert_eq!(fake.fields().len(), 3, "processed, then answered 503");
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let fake = FakeSendethic::start().await;
    let client = fake
        .client_builder()
        .retry(quick_retries())
        .build()
        .unwrap();
    // An HTTP date has whole seconds: two seconds ahead is still at least one once cut
    // (one second ahead was a few milliseconds when the clock was near a second's end).
    let soon = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(2));
    fake.inject(
        Fault::status(429)
            .header("Retry-After", soon)
            .on("GET", "/account/contactattribute")
            .times(1),
    );
    let started = std::time::Instant::now();
    client.fields().list().await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(10),
        "waited for the date"
    );
    assert_eq!(fake.hits("GET", "/account/contactattribute"), 2);
}

#[tokio::test]
async fn a_seed_replays_the_same_faults() {
    let run = |seed| async move {
        let fake = FakeSendethic::start().await;
        let client = fake
            .client_builder()
            .retry(RetryPolicy::none())
            .build()
            .unwrap();
        fake.reseed(seed);
        fake.inject(Fault::status(503).probability(0.5));
        let mut outcomes = Vec::new();
        for _ in 0..32 {
            outcomes.push(client.fields().list().await.is_ok());
        }
        outcomes
    };
    assert_eq!(run(7).await, run(7).await);
    assert_ne!(run(7).await, run(8).await);
}

#[tokio::test]
async fn provisioning_survives_every_fault_kind_and_creates_each_field_once() {
    use relance::sendethic::FieldSpec;
    let faults: Vec<(&str, Fault)> = vec![
        ("503 before", Fault::html(503)),
        ("503 after", Fault::html(503).after_processing()),
        ("reset before", Fault::reset()),
        ("reset after", Fault::reset().after_processing()),
        ("cut after", Fault::truncated()),
        ("garbage after", Fault::malformed_json().after_processing()),
        ("timeout after", Fault::delay(Duration::from_secs(2))),
        ("429", Fault::status(429).header("Retry-After", "0")),
    ];
    for (name, fault) in faults {
        let fake = FakeSendethic::start().await;
        let client = fake
            .client_builder()
            .retry(quick_retries())
            .timeout(Duration::from_millis(300))
            .build()
            .unwrap();
        // Every create fails once; the value creation too.
        fake.inject(
            fault
                .clone()
                .on("POST", "/account/contactattribute")
                .times(2),
        );
        let ensured = client
            .fields()
            .ensure_all([
                FieldSpec::new("relance_revenue", "Revenue", FieldFormat::Number),
                FieldSpec::new("relance_optin", "Opt-in", FieldFormat::SingleSelection)
                    .values(["No", "Yes"]),
            ])
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(ensured.len(), 2, "{name}");
        let fields = fake.fields();
        assert_eq!(fields.len(), 2, "{name}: each field once: {fields:?}");
        let values = client.fields().values(ensured[1].field.id).await.unwrap();
        let mut labels: Vec<&str> = values.iter().map(|v| v.text.as_str()).collect();
        labels.sort_unstable();
        assert_eq!(labels, ["No", "Yes"], "{name}: each value once");
        // One list read, plus one re-read per failed creation (two faults).
        let lists = fake
            .requests()
            .iter()
            .filter(|r| r.method == "GET" && r.path == "/account/contactattribute")
            .count();
        assert!(lists <= 3, "{name}: {lists} list reads");
    }
}

#[tokio::test]
async fn provisioning_reads_the_field_list_once() {
    use relance::sendethic::FieldSpec;
    let fake = FakeSendethic::start().await;
    let client = fake.client();
    let specs =
        (0..15).map(|i| FieldSpec::new(format!("t{i}"), format!("F{i}"), FieldFormat::Number));
    client.fields().ensure_all(specs).await.unwrap();
    let lists = fake
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path == "/account/contactattribute")
        .count();
    assert_eq!(lists, 1);
    assert_eq!(fake.fields().len(), 15);
}
