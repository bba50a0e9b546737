//! The request span records method, path template, status, attempt and elapsed time, and
//! never a key, a header or a real path value (which may be an email).

use relance::testing::{FakeSendethic, Fault};

use crate::common::Capture;

#[tokio::test]
async fn spans_record_the_template_and_never_secrets() {
    let (capture, _guard) = Capture::install();

    let fake = FakeSendethic::with_credentials("4242", "never-log-this-key").await;
    fake.inject(Fault::status(503).times(1));
    let client = fake
        .client_builder()
        .retry(
            relance::http::RetryPolicy::default()
                .initial_backoff(std::time::Duration::from_millis(1)),
        )
        .build()
        .unwrap();
    let _ = client.account().setting("jane.doe@example.com").await;

    let out = capture.text();
    assert!(out.contains("relance.request"), "{out}");
    assert!(
        out.contains("/account/settingsattribute/{setting}"),
        "{out}"
    );
    assert!(out.contains("method=GET"), "{out}");
    assert!(out.contains("attempt=2"), "{out}");
    assert!(out.contains("status=404"), "{out}");
    assert!(out.contains("retrying request"), "{out}");
    assert!(!out.contains("jane.doe"), "{out}");
    assert!(!out.contains("never-log-this-key"), "{out}");
    assert!(!out.to_ascii_lowercase().contains("authorization"), "{out}");
    assert!(!out.contains("NDI0MjpuZXZlci1sb2ctdGhpcy1rZXk"), "{out}"); // base64 credentials
}
