//! The send path (wiremock): authentication, user agent, base-URL prefixes, retries,
//! `Retry-After`, timeouts, error mapping, and the client's `Debug`.

use std::time::Duration;

use relance::Error;
use relance::http::RetryPolicy;
use relance::sendethic::{Client, CreditType, FieldFormat, FieldId, NewField};
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PREFIX: &str = "/gw/marketing/api/rest/v4";

// base64("12345:s3cr3t")
// base64("12345:s3cr3t")
const AUTH: &str = "Basic MTIzNDU6czNjcjN0";

async fn setup() -> (MockServer, Client) {
    crate::common::sendethic(PREFIX).await
}

fn p(rest: &str) -> String {
    format!("{PREFIX}{rest}")
}

#[tokio::test]
async fn sends_basic_auth_user_agent_accept_and_keeps_the_prefix() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path(p("/account/contactattribute")))
        .and(header("authorization", AUTH))
        .and(header("accept", "application/json"))
        .and(header(
            "user-agent",
            concat!("relance/", env!("CARGO_PKG_VERSION"))
                .to_string()
                .as_str(),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .expect(1)
        .mount(&server)
        .await;
    assert!(client.fields().list().await.unwrap().is_empty());
}

#[tokio::test]
async fn base_url_without_trailing_slash_keeps_the_prefix() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v4/account/remainingcredits/sms"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"used":"3","remaining":7,"total":10})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder("1", "k")
        .base_url(format!("{}/v4", server.uri()))
        .build()
        .unwrap();
    let credits = client.account().credits(CreditType::Sms).await.unwrap();
    assert_eq!((credits.used, credits.remaining, credits.total), (3, 7, 10));
}

#[tokio::test]
async fn a_503_then_200_is_retried() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path(p("/account/contactattribute")))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .expect(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(p("/account/contactattribute")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .expect(1)
        .mount(&server)
        .await;
    client.fields().list().await.unwrap();
}

#[tokio::test]
async fn retries_stop_after_max_attempts() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path(p("/account/remainingcredits/sms")))
        .respond_with(ResponseTemplate::new(504))
        .expect(3)
        .mount(&server)
        .await;
    let err = client.account().credits(CreditType::Sms).await.unwrap_err();
    assert_eq!(err.status(), Some(504));
    assert!(err.is_retryable());
}

#[tokio::test]
async fn a_post_create_is_not_retried_on_503() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(p("/account/contactattribute")))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let err = client
        .fields()
        .create(NewField::new("Revenue", FieldFormat::Number))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
}

#[tokio::test(start_paused = true)]
async fn a_429_with_an_http_date_retry_after_is_honoured() {
    let server = MockServer::start().await;
    let when = std::time::SystemTime::now() + Duration::from_secs(20);
    Mock::given(method("GET"))
        .and(path("/v4/account/contactattribute"))
        .respond_with(
            ResponseTemplate::new(429).insert_header("retry-after", httpdate::fmt_http_date(when)),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v4/account/contactattribute"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .expect(1)
        .mount(&server)
        .await;
    // Paused time auto-advances while the runtime is idle: no client-side timer may be
    // pending during real I/O, so this client has no timeouts and no pool idle timer.
    let http = reqwest::Client::builder()
        .pool_idle_timeout(None)
        .build()
        .unwrap();
    let client = Client::builder("1", "k")
        .base_url(format!("{}/v4/", server.uri()))
        .http_client(http)
        .no_timeout()
        .build()
        .unwrap();
    let start = tokio::time::Instant::now();
    client.fields().list().await.unwrap();
    let waited = start.elapsed();
    // HTTP dates have one-second precision.
    assert!(waited >= Duration::from_secs(18), "waited only {waited:?}");
    assert!(waited <= Duration::from_secs(21), "waited {waited:?}");
}

#[tokio::test]
async fn a_429_with_delta_seconds_beyond_the_cap_gives_rate_limited() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path(p("/account/contactattribute")))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "3600"))
        .expect(1)
        .mount(&server)
        .await;
    let err = client.fields().list().await.unwrap_err();
    assert!(matches!(err, Error::RateLimited { .. }));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
}

#[tokio::test]
async fn a_slow_server_gives_the_timeout_error() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path(p("/account/contactattribute")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([]))
                .set_delay(Duration::from_secs(5)),
        )
        .mount(&server)
        .await;
    let err = client
        .fields()
        .list()
        .timeout(Duration::from_millis(100))
        .retry(RetryPolicy::none())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn an_html_502_gives_the_api_error_with_its_status() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path(p("/account/contactattribute/1")))
        .respond_with(ResponseTemplate::new(502).set_body_raw(
            "<html><body><h1>502 Bad Gateway</h1>nginx</body></html>",
            "text/html",
        ))
        .mount(&server)
        .await;
    let err = client.fields().get(FieldId(1)).await.unwrap_err();
    let Error::Api(api) = &err else {
        panic!("expected an API error, got {err:?}")
    };
    assert_eq!(api.status, 502);
    assert!(api.body.contains("nginx"));
    assert_eq!(api.message, "Bad Gateway");
}

#[tokio::test]
async fn malformed_json_gives_the_decode_error_with_its_path() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path(p("/account/contactattribute")))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            r#"[{"id": 1, "name": "A"}, {"id": 2, "name": ["not", "a", "string"]}]"#,
            "application/json",
        ))
        .mount(&server)
        .await;
    let err = client.fields().list().await.unwrap_err();
    let Error::Decode {
        status, path, body, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(*status, 200);
    assert_eq!(path, "[1].name");
    assert!(body.contains("not"));
}

#[tokio::test]
async fn a_401_text_body_is_an_auth_api_error() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path(p("/account/contactattribute")))
        .respond_with(ResponseTemplate::new(401).set_body_string("Unauthorized"))
        .expect(1)
        .mount(&server)
        .await;
    let err = client.fields().list().await.unwrap_err();
    assert!(err.api().unwrap().is_auth());
    assert!(!err.is_retryable());
}

#[test]
fn debug_of_client_builder_and_config_never_contains_the_key() {
    let builder = Client::builder("12345", "very-secret-key").retry(RetryPolicy::none());
    assert!(!format!("{builder:?}").contains("very-secret-key"));
    let client = builder.build().unwrap();
    let debug = format!("{client:?}{client:#?}");
    assert!(!debug.contains("very-secret-key"));
    assert!(!debug.contains("MTIzNDU6dmVyeS1zZWNyZXQta2V5")); // base64 of the credentials
    assert!(debug.contains("<redacted>"));
}

#[test]
fn a_non_loopback_http_base_url_is_refused() {
    let err = Client::builder("1", "k")
        .base_url("http://services.message-business.com/api/rest/v4/")
        .build()
        .unwrap_err();
    assert!(
        matches!(err, Error::Config(ref m) if m.contains("http")),
        "{err}"
    );
    Client::builder("1", "k")
        .base_url("http://127.0.0.1:9/api/")
        .build()
        .unwrap();
}
