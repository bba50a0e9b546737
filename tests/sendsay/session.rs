//! Password authentication: login, the session in the body, one renewal on expiry shared by
//! concurrent calls.

use relance::sendsay::{Auth, Client, SendsayErrorExt};
use serde_json::json;
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::sendsay::{EP, count, fixture};
use crate::common::strict_server;

#[tokio::test]
async fn password_login_then_session_in_the_body() {
    let server = strict_server().await;
    let mut login = fixture("doc_login.json");
    login["action"] = json!("login");
    Mock::given(method("POST"))
        .and(path(EP))
        .and(body_json(login))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("real_login_success.json")))
        .expect(1)
        .mount(&server)
        .await;
    let session = fixture("real_login_success.json")["session"].clone();
    Mock::given(method("POST"))
        .and(path(EP))
        .and(body_json(json!({"action":"pong","session":session})))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("real_derived_pong.json")))
        .expect(2)
        .mount(&server)
        .await;
    let client = Client::builder(
        "myacc",
        Auth::password("<sendsay login>", "", "<sendsay password>"),
    )
    .base_url(server.uri())
    .build()
    .unwrap();
    client.pong().await.unwrap();
    client.pong().await.unwrap();
    assert_eq!(client.login_count(), 1);
    let dbg = format!("{client:?}");
    assert!(
        !dbg.contains("REDACTED:") && !dbg.contains("<sendsay password>"),
        "{dbg}"
    );
    // No Authorization header in session mode.
    let reqs = server.received_requests().await.unwrap();
    assert!(
        reqs.iter()
            .all(|r| !r.headers.contains_key("authorization"))
    );
}

async fn session_server(expired_pongs: u64) -> (MockServer, Client) {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path(EP))
        .and(body_json(
            json!({"action":"login","login":"myacc","sublogin":"api","passwd":"pw"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"session":"S1"})))
        .mount(&server)
        .await;
    if expired_pongs > 0 {
        Mock::given(method("POST"))
            .and(path(EP))
            .and(body_json(json!({"action":"pong","session":"S1"})))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(fixture("synthetic_error_expired.json")),
            )
            .up_to_n_times(expired_pongs)
            .with_priority(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("POST"))
        .and(path(EP))
        .and(body_json(json!({"action":"pong","session":"S1"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("real_derived_pong.json")))
        .with_priority(2)
        .mount(&server)
        .await;
    let client = Client::builder("myacc", Auth::password("myacc", "api", "pw"))
        .base_url(server.uri())
        .build()
        .unwrap();
    (server, client)
}

#[tokio::test]
async fn an_expired_session_is_renewed_once_then_the_call_succeeds() {
    let (server, client) = session_server(1).await;
    let pong = client.pong().await.unwrap();
    assert_eq!(pong.sublogin.as_deref(), Some("codeception"));
    assert_eq!(client.login_count(), 2);
    assert_eq!(count(&server, "login").await, 2);
    assert_eq!(count(&server, "pong").await, 2);
}

#[tokio::test]
async fn a_session_expiring_again_is_not_renewed_twice() {
    let (server, client) = session_server(10).await;
    let e = client.pong().await.unwrap_err();
    assert!(e.is_session_expired(), "{e:?}");
    assert!(e.to_string().contains("not executed"), "{e}");
    assert_eq!(count(&server, "login").await, 2);
    assert_eq!(count(&server, "pong").await, 2);
}

#[tokio::test]
async fn concurrent_calls_share_one_login() {
    let (server, client) = session_server(0).await;
    let calls: Vec<_> = (0..5)
        .map(|_| tokio::spawn(client.pong().into_future_boxed()))
        .collect();
    for c in calls {
        c.await.unwrap().unwrap();
    }
    assert_eq!(count(&server, "login").await, 1);
}

trait Boxed<T> {
    fn into_future_boxed(
        self,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = relance::Result<T>> + Send>>;
}

impl<T: Send + 'static> Boxed<T> for relance::sendsay::Request<T> {
    fn into_future_boxed(
        self,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = relance::Result<T>> + Send>> {
        std::future::IntoFuture::into_future(self)
    }
}
