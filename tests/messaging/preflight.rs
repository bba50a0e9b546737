//! Pre-flight checks: typed errors naming the message or template, before anything is
//! stored or sent.

use relance::messaging::preflight::{
    SENDSAY_UNSUBSCRIBE, check_sender, check_sendsay_draft, check_unsubscribe,
};
use relance::messaging::{
    Audience, Channel, Message, Outbox, Recipient, SendsayTransport, Template, Templates,
};
use relance::sendsay::NewDraft;
use relance::sync::store::{MemoryStore, Scope};
use relance::testing::FakeSendsay;

fn invalid(e: &relance::Error) -> String {
    assert!(matches!(e, relance::Error::InvalidInput { .. }), "{e:?}");
    e.to_string()
}

#[tokio::test]
async fn messages_are_checked_at_enqueue() {
    let fake = FakeSendsay::start().await;
    let templates = Templates::new()
        .set(
            "order_shipped",
            Audience::Buyer,
            Template::sendsay(1, Channel::Sms).requires(["order_id"]),
        )
        .set(
            "order_shipped",
            Audience::Seller,
            Template::sendsay(2, Channel::Push),
        );
    let store = MemoryStore::new(Scope::new("sendsay", "shop").unwrap());
    let outbox = Outbox::new(SendsayTransport::new(fake.client()), store, templates);
    let buyer = |r: Recipient| Message::new("k1", "order_shipped", Audience::Buyer, r);
    let cases = [
        (
            Message::new(
                "k0",
                "order_lost",
                Audience::Buyer,
                Recipient::email("a@b.fr"),
            ),
            "no template for event `order_lost`",
        ),
        (
            Message::new(
                "k2",
                "order_shipped",
                Audience::Administrator,
                Recipient::email("a@b.fr"),
            ),
            "audience administrator",
        ),
        (
            buyer(Recipient::phone_only("+79991234567")),
            "needs the variable `order_id`",
        ),
        (
            buyer(Recipient::email("a@b.fr")).var("order_id", "1"),
            "no sms address",
        ),
        (
            buyer(Recipient::phone_only("89991234567")).var("order_id", "1"),
            "E.164",
        ),
        (
            Message::new(
                "k3",
                "order_shipped",
                Audience::Seller,
                Recipient::email("s@v.fr").id(Channel::Push, "short"),
            ),
            "64 characters",
        ),
        (
            Message::new(
                " ",
                "order_shipped",
                Audience::Seller,
                Recipient::email("s@v.fr"),
            ),
            "idempotency key",
        ),
    ];
    for (m, why) in cases {
        let key = m.key.clone();
        let e = invalid(&outbox.enqueue(m).await.unwrap_err());
        assert!(e.contains(why), "{key}: {e}");
    }
    assert!(outbox.entries().await.unwrap().is_empty(), "nothing stored");
    assert!(fake.requests().is_empty(), "nothing sent");
}

#[tokio::test]
async fn templates_are_checked_at_the_service() {
    let fake = FakeSendsay::start().await;
    let client = fake.client();
    let set = |d: NewDraft| async { client.drafts().set(d).await.unwrap().id.unwrap() };
    let good = set(NewDraft::email(
        "promo",
        "Sale",
        format!("<a href=\"{SENDSAY_UNSUBSCRIBE}\">stop</a>"),
    )
    .field("from", "news@shop.example"))
    .await;
    let no_link =
        set(NewDraft::email("promo2", "Sale", "<p>Buy</p>").field("from", "news@shop.example"))
            .await;
    let gmail = set(NewDraft::email("receipt", "Receipt", "<p>Thanks</p>")
        .field("from", "Shop <orders@gmail.com>"))
    .await;
    check_sendsay_draft(&client, good.clone(), true)
        .await
        .unwrap();
    check_sendsay_draft(&client, no_link.clone(), false)
        .await
        .unwrap();
    let e = invalid(
        &check_sendsay_draft(&client, no_link, true)
            .await
            .unwrap_err(),
    );
    assert!(e.contains("unsubscribe link"), "{e}");
    let e = invalid(
        &check_sendsay_draft(&client, gmail, false)
            .await
            .unwrap_err(),
    );
    assert!(e.contains("free-mail"), "{e}");
    assert!(check_sender("orders@Yandex.ru").is_err() && check_sender("orders@shop.ru").is_ok());
    assert!(check_unsubscribe("t", "", false, SENDSAY_UNSUBSCRIBE).is_ok());
}
