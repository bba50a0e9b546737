//! The Sendsay transport's requests, exactly: a stored draft to one member and to a group,
//! named after the idempotency key with the variables in `extra`; the read-back of an
//! ambiguous send; the push apps.

use std::time::Duration;

use relance::messaging::{
    Audience, Channel, Message, MessageStatus, Outbox, OutboxStore, Recipient, SendsayTransport,
    Template, Templates,
};
use relance::sync::store::{MemoryStore, Scope};
use serde_json::json;

use crate::common::sendsay::{expect, expect_all, setup};

#[tokio::test]
async fn drafts_go_to_a_member_or_a_group_and_ambiguous_sends_are_read_back() {
    let (server, client) = setup().await;
    expect_all(
        &server,
        [
            (
                json!({"action":"issue.send","group":"personal","email":"+79991234567","sendwhen":"now",
                       "letter":{"draft.id":"43"},"name":"order-7/in_city/buyer","extra":{"order_id":"7"}}),
                json!({"track.id":"501"}),
            ),
            (
                json!({"action":"issue.send","group":"p42","sendwhen":"now",
                       "letter":{"draft.id":"44"},"name":"promo-7/sellers"}),
                json!({"track.id":"502"}),
            ),
            (
                json!({"action":"stat.uni","result":"response","select":["issue.id","issue.name"],
                       "filter":[{"a":"issue.name","op":"==","v":"order-7/lost/buyer"}],"first":1}),
                json!({"list":[["900","order-7/lost/buyer"]]}),
            ),
        ],
    )
    .await;
    let templates = Templates::new()
        .set(
            "in_city",
            Audience::Buyer,
            Template::sendsay(43, Channel::Sms),
        )
        .set(
            "promo",
            Audience::Seller,
            Template::sendsay(44, Channel::Email),
        )
        .set(
            "lost",
            Audience::Buyer,
            Template::sendsay(45, Channel::Email),
        );
    let outbox = Outbox::new(
        SendsayTransport::new(client),
        MemoryStore::new(Scope::new("sendsay", "myacc").unwrap()),
        templates,
    )
    .rate_limit(0)
    .resolution(Duration::ZERO, Duration::ZERO);
    let sms = Message::new(
        "order-7/in_city/buyer",
        "in_city",
        Audience::Buyer,
        Recipient::email("a@b.ru").phone("+79991234567"),
    )
    .var("order_id", "7");
    let group = Message::new(
        "promo-7/sellers",
        "promo",
        Audience::Seller,
        Recipient::group("p42"),
    );
    outbox.enqueue(sms).await.unwrap();
    outbox.enqueue(group).await.unwrap();
    let r = outbox.dispatch().await.unwrap();
    assert_eq!(r.sent.len(), 2, "{r:?}");
    let ids: Vec<Option<String>> = outbox
        .entries()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.provider_id)
        .collect();
    assert_eq!(ids, [Some("501".into()), Some("502".into())]);
    // A send whose answer was lost, left claimed by a dispatcher that died: found by name.
    let lost = Message::new(
        "order-7/lost/buyer",
        "lost",
        Audience::Buyer,
        Recipient::email("a@b.ru"),
    );
    let mut entry = outbox.enqueue(lost).await.unwrap().entry().clone();
    entry.status = MessageStatus::Sending;
    entry.attempts = 1;
    assert!(
        outbox
            .store()
            .update(&entry, (MessageStatus::Pending, 0))
            .await
            .unwrap()
    );
    let r = outbox.dispatch().await.unwrap();
    assert_eq!(r.sent, ["order-7/lost/buyer"]);
    let found = outbox.entries().await.unwrap().pop().unwrap();
    assert_eq!(
        (found.status, found.provider_id.as_deref()),
        (MessageStatus::Sent, Some("900"))
    );
}

#[tokio::test]
async fn push_apps_are_listed() {
    let (server, client) = setup().await;
    expect(
        &server,
        json!({"action":"authext.list","filter":[{"a":"authext.type","op":"==","v":"16"}]}),
        json!({"list":[{"id":"3","login":"shop-app"}]}),
    )
    .await;
    let apps = SendsayTransport::new(client).push_apps().await.unwrap();
    assert_eq!(apps, [json!({"id":"3","login":"shop-app"})]);
}
