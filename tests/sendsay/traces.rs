//! Sendsay traces record the action, the REDIRECT and the retry, never the API key, the
//! password, the session or contact data (the body holds all of them).

use crate::common::Capture;

use relance::sendsay::MemberSet;
use relance::testing::{FakeSendsay, Fault};

#[tokio::test]
async fn traces_name_the_action_and_never_secrets_or_bodies() {
    let (capture, _guard) = Capture::install();

    let fake = FakeSendsay::start().await;
    let client = fake
        .password_client_builder()
        .retry(
            relance::http::RetryPolicy::default()
                .initial_backoff(std::time::Duration::from_millis(1)),
        )
        .build()
        .unwrap();
    fake.inject(Fault::status(503).on("POST", "/member.get").times(1));
    client
        .members()
        .set(MemberSet::new("jane.doe@example.com").set("base.firstName", "Jane"))
        .await
        .unwrap();
    fake.expire_sessions();
    client.members().get("jane.doe@example.com").await.unwrap();

    let out = capture.text();
    assert!(out.contains("relance.sendsay"), "{out}");
    assert!(out.contains("action=member.set"), "{out}");
    assert!(out.contains("request_id=relance-"), "{out}");
    assert!(out.contains("following a Sendsay REDIRECT"), "{out}");
    assert!(out.contains("session expired"), "{out}");
    assert!(out.contains("retrying request"), "{out}");
    assert!(out.contains("/general/api/v100/json/{account}"), "{out}");
    for secret in [
        "jane.doe",
        "Jane",
        relance::testing::sendsay_fake::PASSWORD,
        "fake-session",
        "passwd",
    ] {
        assert!(!out.contains(secret), "{secret} leaked: {out}");
    }
}
