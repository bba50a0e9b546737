//! The client's own actions (`pong`, `sys.settings.get`, the `call` escape hatch), input
//! errors reported before anything is sent, and `Debug` output.

use relance::Error;
use relance::sendsay::{
    AddrType, Auth, Client, Filter, IssueSend, Letter, MemberId, MemberSet, StatQuery,
};
use serde_json::{Value, json};

use crate::common::sendsay::{expect, fixture, setup};

#[tokio::test]
async fn pong_settings_and_raw_calls_match_the_fixtures() {
    let (server, client) = setup().await;
    expect(
        &server,
        fixture("doc_sequence_member_start.json"),
        json!({"track.id": 9}),
    )
    .await;
    expect(
        &server,
        fixture("doc_sys_settings_get.json"),
        json!({"list": {"about.id": "myacc"}}),
    )
    .await;
    expect(
        &server,
        json!({"action":"pong"}),
        fixture("real_derived_pong.json"),
    )
    .await;
    let reply = client
        .call(
            "sequence.member.start",
            json!({"id": "12", "email": "subscriber@example.com"}),
        )
        .await
        .unwrap();
    assert_eq!(reply["track.id"], 9);
    let settings = client.settings(["about.id"]).await.unwrap();
    assert_eq!(settings["about.id"], "myacc");
    let pong = client.pong().await.unwrap();
    assert_eq!(pong.ping, Some(1_590_062_030));
    assert_eq!(pong.account.as_deref(), Some("codeception"));
}

#[tokio::test]
async fn invalid_input_is_refused_before_sending() {
    let (server, client) = setup().await;
    let cases: Vec<(Error, &str)> = vec![
        (client.members().get("").await.unwrap_err(), "email"),
        (
            client
                .members()
                .get(MemberId::new("nobody", AddrType::Email))
                .await
                .unwrap_err(),
            "nobody",
        ),
        (client.groups().delete("p-1").await.unwrap_err(), "p-1"),
        (
            client
                .members()
                .set(MemberSet::new("a@b.ru").add_to_group("bad id"))
                .await
                .unwrap_err(),
            "bad id",
        ),
        (client.call(" ", Value::Null).await.unwrap_err(), "action"),
        (client.call("pong", json!([1])).await.unwrap_err(), "params"),
        (
            client
                .issues()
                .send(IssueSend::personal("a@b.ru", Letter::inline("Hi", "no-at")))
                .await
                .unwrap_err(),
            "no-at",
        ),
        (
            client
                .issues()
                .send(IssueSend::personal(
                    "a@b.ru",
                    Letter::inline("Hi", "a@b.ru"),
                ))
                .await
                .unwrap_err(),
            "message",
        ),
        (
            client
                .stats()
                .uni(StatQuery::new(Vec::<String>::new()))
                .await
                .unwrap_err(),
            "select",
        ),
        (
            client
                .segments()
                .set_filter("p1", &Filter::new())
                .await
                .unwrap_err(),
            "filter",
        ),
        (client.batch().await.unwrap_err(), "do"),
    ];
    for (e, item) in cases {
        assert!(
            matches!(&e, Error::InvalidInput { item: i, .. } if i == item),
            "{e:?} for {item}"
        );
    }
    // Without a configured account timezone an instant cannot be written on the wire.
    let no_tz = Client::builder("myacc", Auth::api_key("k"))
        .base_url(server.uri())
        .build()
        .unwrap();
    let e = no_tz
        .issues()
        .send(IssueSend::to_group("list1", Letter::draft("1")).later_at(chrono::Utc::now()))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Config(_)));
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn debug_output_never_contains_secrets() {
    let builder = Client::builder("acc", Auth::password("acc", "user", "pa55-w0rd"));
    let client = Client::builder("acc", Auth::api_key("k3y-s3cr3t"))
        .build()
        .unwrap();
    let text = format!(
        "{builder:?} {:?} {client:?} {:?} {:?} {:?}",
        Auth::api_key("k3y-s3cr3t"),
        client.pong(),
        client.batch().push("login", json!({"passwd": "pa55-w0rd"})),
        client.call(
            "login",
            json!({"passwd": "pa55-w0rd", "session": "s3ss10n"})
        ),
    );
    for secret in ["pa55-w0rd", "k3y-s3cr3t", "s3ss10n"] {
        assert!(!text.contains(secret), "{text}");
    }
}
