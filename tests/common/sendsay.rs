//! Shared setup of the Sendsay request-shape tests: a strict mock server, a client with an API
//! key, the reference's fixtures, and exact-body expectations.

use relance::sendsay::{Auth, Client};
use serde_json::Value;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The JSON endpoint of the test account.
pub const EP: &str = "/general/api/v100/json/myacc";
/// The header the test client authenticates with.
pub const AUTH: &str = "sendsay apikey=s3cr3t";

/// A strict server and a client for account `myacc` (key `s3cr3t`, fast retries, account
/// timezone Europe/Moscow).
pub async fn setup() -> (MockServer, Client) {
    let server = super::strict_server().await;
    let client = Client::builder("myacc", Auth::api_key("s3cr3t"))
        .base_url(server.uri())
        .retry(super::fast_retry())
        .timezone(chrono_tz::Europe::Moscow)
        .build()
        .unwrap();
    (server, client)
}

/// A fixture of `tests/fixtures/sendsay/`.
pub fn fixture(name: &str) -> Value {
    let p = format!(
        "{}/tests/fixtures/sendsay/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// Expects exactly one POST with this body (API key in the header) and answers `reply`.
pub async fn expect(server: &MockServer, body: Value, reply: Value) {
    Mock::given(method("POST"))
        .and(path(EP))
        .and(header("authorization", AUTH))
        .and(header("content-type", "application/json"))
        .and(body_json(body))
        .respond_with(ResponseTemplate::new(200).set_body_json(reply))
        .expect(1)
        .mount(server)
        .await;
}

/// [`expect`] for each `(body, reply)`.
pub async fn expect_all(server: &MockServer, shapes: impl IntoIterator<Item = (Value, Value)>) {
    for (body, reply) in shapes {
        expect(server, body, reply).await;
    }
}

/// `v` without `key`.
pub fn without(mut v: Value, key: &str) -> Value {
    v.as_object_mut().unwrap().remove(key);
    v
}

/// How many requests the server received for `action`.
pub async fn count(server: &MockServer, action: &str) -> usize {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| serde_json::from_slice::<Value>(&r.body).unwrap()["action"] == action)
        .count()
}

/// Answers `first` to the first `times` POSTs (with this body, when given), then `then`.
pub async fn first_then(
    server: &MockServer,
    body: Option<Value>,
    (first, times): (ResponseTemplate, u64),
    then: ResponseTemplate,
) {
    for (priority, reply, limit) in [(1, first, Some(times)), (2, then, None)] {
        let mut mock = Mock::given(method("POST")).and(path(EP));
        if let Some(body) = &body {
            mock = mock.and(body_json(body.clone()));
        }
        let mut mock = mock.respond_with(reply).with_priority(priority);
        if let Some(limit) = limit {
            mock = mock.up_to_n_times(limit);
        }
        mock.mount(server).await;
    }
}
