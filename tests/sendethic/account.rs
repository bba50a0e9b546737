//! Request shapes of the account resource (wiremock): credits and settings.

use relance::Error;
use relance::sendethic::CreditType;
use serde_json::json;
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::support::{p, setup};

#[tokio::test]
async fn every_account_operation_has_the_documented_shape() {
    let (server, client) = setup().await;
    for kind in ["transactional", "sms", "marketing"] {
        Mock::given(method("GET"))
            .and(path(p(&format!("/account/remainingcredits/{kind}"))))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"used": 1, "remaining": 2, "total": 3})),
            )
            .expect(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path(p("/account/settingsattribute/shop%20url")))
        .respond_with(ResponseTemplate::new(200).set_body_json("https://shop.example"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(p("/account/settingsattribute")))
        .and(body_json(json!({"attributeType": {"a": "1", "b": "2"}})))
        .respond_with(ResponseTemplate::new(200).set_body_string("done"))
        .expect(1)
        .mount(&server)
        .await;
    for kind in [
        CreditType::Transactional,
        CreditType::Sms,
        CreditType::Marketing,
    ] {
        assert_eq!(client.account().credits(kind).await.unwrap().total, 3);
    }
    let s = client.account().setting("shop url").await.unwrap();
    assert_eq!(s.text(), "https://shop.example");
    let m = client
        .account()
        .update_settings([("b", "2"), ("a", "1")])
        .await
        .unwrap();
    assert_eq!((m.text(), m.raw()), ("done", "done"));
}

#[tokio::test]
async fn invalid_account_input_is_rejected_before_sending() {
    let (server, client) = setup().await;
    let err = client.account().setting("..").await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput { ref item, .. } if item == ".."));
    let err = client
        .account()
        .update_settings(Vec::<(String, String)>::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }));
    assert!(server.received_requests().await.unwrap().is_empty());
}
