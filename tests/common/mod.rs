//! Shared setup of the wiremock request-shape tests.
#![allow(dead_code, clippy::unwrap_used)]

use std::time::Duration;

use relance::http::RetryPolicy;
use relance::sendethic::Client;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Retries with millisecond backoffs, so retry tests stay fast.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(5))
}

/// A mock server whose catch-all answers 500 to anything the test did not mount (so a wrong
/// request fails loudly), and a Sendethic client (account `12345`, key `s3cr3t`) whose base
/// URL is the server plus `prefix`.
pub async fn sendethic(prefix: &str) -> (MockServer, Client) {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(500).set_body_string("unexpected request"))
        .with_priority(u8::MAX)
        .mount(&server)
        .await;
    let client = Client::builder("12345", "s3cr3t")
        .base_url(format!("{}{prefix}/", server.uri()))
        .retry(fast_retry())
        .build()
        .unwrap();
    (server, client)
}

/// Captures everything `tracing` writes while the returned guard lives; read it with
/// [`Capture::text`].
#[derive(Clone, Default)]
pub struct Capture(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Capture {
    /// Installs a capturing subscriber (all levels, span closes) for the current thread.
    pub fn install() -> (Self, tracing::subscriber::DefaultGuard) {
        // With a single registered subscriber, `tracing` decides whether a callsite is
        // enabled from the default of whichever thread hits it first: another test of the
        // same binary would disable it for this one. A second, permanent (no-op) subscriber
        // makes every decision consult all of them.
        static SECOND: std::sync::OnceLock<tracing::Dispatch> = std::sync::OnceLock::new();
        SECOND.get_or_init(|| tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default()));
        let capture = Self::default();
        let writer = capture.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        (capture, tracing::subscriber::set_default(subscriber))
    }

    /// What was written so far.
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}
