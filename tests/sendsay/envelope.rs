//! The reply envelope: `errors[]` with any `explain`, and HTTP errors that keep their status
//! and Sendsay error id.

use relance::http::RetryPolicy;
use relance::sendsay::{SendsayErrorExt, SendsayErrorId};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::common::sendsay::{EP, fixture, setup};

#[tokio::test]
async fn errors_with_string_and_non_string_explanations() {
    let (server, client) = setup().await;
    let cases = [
        (
            fixture("real_login_failure.json"),
            "error/auth/failed",
            json!("wrong_credentials"),
        ),
        (
            fixture("synthetic_error_array_explain.json"),
            "wrong_group_id",
            json!(["p99"]),
        ),
        (
            json!({"errors":[{"id":"x/y","explain":{"field":"email","n":2}}]}),
            "x/y",
            json!({"field":"email","n":2}),
        ),
        (
            json!({"error":{"id":"group_id_not_exists","explain":"p1"}}),
            "group_id_not_exists",
            json!("p1"),
        ),
    ];
    for (reply, id, explain) in cases {
        Mock::given(method("POST"))
            .and(path(EP))
            .respond_with(ResponseTemplate::new(200).set_body_json(reply))
            .up_to_n_times(1)
            .expect(1)
            .mount(&server)
            .await;
        let e = client
            .call("group.get", json!({"id": "p1"}))
            .await
            .unwrap_err();
        let api = e.api().unwrap();
        assert_eq!(api.status, 200);
        assert_eq!(api.code.as_deref(), Some(id));
        assert_eq!(api.details.as_ref(), Some(&explain));
        assert!(!api.message.is_empty());
    }
}

#[tokio::test]
async fn http_errors_keep_their_status_and_sendsay_ids() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(EP))
        .respond_with(
            ResponseTemplate::new(503)
                .set_body_json(json!({"errors":[{"id":"rate_limit","explain":"slow down"}]})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(EP))
        .respond_with(
            ResponseTemplate::new(502).set_body_raw("<html><h1>502</h1></html>", "text/html"),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    let e = client.pong().retry(RetryPolicy::none()).await.unwrap_err();
    assert_eq!(e.status(), Some(503));
    assert_eq!(e.sendsay_error_id(), Some(SendsayErrorId::RateLimit));
    let e = client.pong().retry(RetryPolicy::none()).await.unwrap_err();
    assert_eq!(e.status(), Some(502));
    assert_eq!(e.api().unwrap().message, "Bad Gateway");
}
