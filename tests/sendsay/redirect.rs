//! `REDIRECT`: followed with the same body and auth, remembered, capped, kept on the origin,
//! and checked only after `errors[]`.

use relance::Error;
use relance::sendsay::SendsayErrorExt;
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::sendsay::{AUTH, EP, fixture, setup};

#[tokio::test]
async fn redirect_is_followed_then_remembered_with_the_same_body_and_auth() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(EP))
        .and(body_json(json!({"action":"pong"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("synthetic_redirect.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/clu180{EP}")))
        .and(header("authorization", AUTH))
        .and(body_json(json!({"action":"pong"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("real_derived_pong.json")))
        .expect(2)
        .mount(&server)
        .await;
    let clone = client.clone();
    client.pong().await.unwrap();
    assert_eq!(client.redirect_prefix().as_deref(), Some("/clu180"));
    clone.pong().await.unwrap(); // clones share the prefix: straight to the cluster
}

#[tokio::test]
async fn more_than_ten_redirects_is_an_error() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(EP))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"REDIRECT": "/"})))
        .expect(11) // the first request and 10 followed REDIRECTs
        .mount(&server)
        .await;
    let e = client.pong().await.unwrap_err();
    assert!(
        matches!(&e, Error::Protocol(m) if m.contains("10 REDIRECT")),
        "{e:?}"
    );
}

#[tokio::test]
async fn cross_origin_redirects_are_refused_and_nothing_is_sent_there() {
    let (server, client) = setup().await;
    let evil = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ping": 1})))
        .expect(0)
        .mount(&evil)
        .await;
    let evil_host = evil.uri().trim_start_matches("http://").to_owned();
    for target in [
        format!("{}/clu1", evil.uri()),
        format!("//{evil_host}/clu1"),
        "https://api.sendsay.ru/clu1".to_owned(),
        "javascript:alert(1)".to_owned(),
    ] {
        Mock::given(method("POST"))
            .and(path(EP))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"REDIRECT": target})))
            .up_to_n_times(1)
            .expect(1)
            .mount(&server)
            .await;
        let e = client.pong().await.unwrap_err();
        assert!(
            matches!(&e, Error::Protocol(m) if m.contains("refused")),
            "{target}: {e:?}"
        );
        assert_eq!(client.redirect_prefix(), None);
    }
}

#[tokio::test]
async fn errors_are_checked_before_redirect() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(EP))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"errors":[{"id":"error/auth/failed","explain":"wrong_credentials"}],"REDIRECT":"/clu9"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let e = client.pong().await.unwrap_err();
    assert!(e.is_wrong_credentials(), "{e:?}");
    assert_eq!(client.redirect_prefix(), None);
}
