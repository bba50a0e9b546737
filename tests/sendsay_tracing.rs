//! Sendsay traces record the action, the REDIRECT and the retry, never the API key, the
//! password, the session or contact data (the body holds all of them).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::sync::{Arc, Mutex};

use relance::sendsay::MemberSet;
use relance::testing::{FakeSendsay, Fault};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn traces_name_the_action_and_never_secrets_or_bodies() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

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

    let out = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
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
