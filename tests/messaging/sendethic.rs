//! Sendethic: transactional mails and SMS through the outbox; a send that may have reached
//! the service is never resent (Sendethic cannot be asked), until the caller settles it.

use std::time::Duration;

use relance::messaging::{
    Audience, MessageStatus, Outbox, SendethicTransport, Template, Templates,
};
use relance::sendethic::NewEmail;
use relance::sync::store::{MemoryStore, Scope};
use relance::testing::{FakeSendethic, Fault, SentMessage};

use super::{STATUSES, order_messages};

const TIMEOUT: Duration = Duration::from_millis(400);

async fn setup() -> (FakeSendethic, Outbox<SendethicTransport, MemoryStore>) {
    let fake = FakeSendethic::start().await;
    let mut templates = Templates::new();
    for status in STATUSES {
        for audience in [Audience::Buyer, Audience::Seller] {
            let t = if status == "order_in_city" && audience == Audience::Buyer {
                Template::sendethic_sms("Order {{order_id}} is in your city", Some("SHOP"))
            } else {
                let op = fake
                    .client()
                    .emailing()
                    .create(
                        NewEmail::new(
                            format!("{status} {audience}"),
                            status,
                            "orders@shop.example",
                        )
                        .html("<p>**order**</p>"),
                    )
                    .await
                    .unwrap();
                Template::sendethic_email(op.id)
            };
            templates = templates.set(status, audience, t.requires(["order_id"]));
        }
    }
    let client = fake.client_builder().timeout(TIMEOUT).build().unwrap();
    let outbox = Outbox::new(
        SendethicTransport::new(client),
        MemoryStore::new(Scope::new("sendethic", "12345").unwrap()),
        templates,
    )
    .rate_limit(0)
    .retries(5, Duration::from_millis(5))
    .resolution(Duration::ZERO, Duration::ZERO);
    (fake, outbox)
}

/// What the fake delivered, as `(what, recipient)`.
fn delivered(fake: &FakeSendethic) -> Vec<(String, String)> {
    fake.sent()
        .into_iter()
        .filter_map(|s| match s {
            SentMessage::Transactional {
                operation,
                recipient,
                ..
            } => Some((operation.to_string(), recipient)),
            SentMessage::Sms { mobile, message } => Some((message, mobile)),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn ambiguous_sends_are_never_resent_until_settled() {
    let (fake, outbox) = setup().await;
    let messages = order_messages();
    for m in &messages {
        outbox.enqueue(m.clone()).await.unwrap();
    }
    // The first send times out after the service sent it; the second is throttled; the
    // third resets before the service saw it.
    fake.inject(
        Fault::delay(TIMEOUT + Duration::from_millis(300))
            .on("POST", "/emailing/sendsmtp")
            .times(1),
    );
    fake.inject(
        Fault::status(429)
            .header("Retry-After", "0")
            .on("POST", "/emailing/sendsmtp")
            .times(1),
    );
    fake.inject(Fault::reset().on("POST", "/emailing/sendsmtp").times(1));
    let mut ambiguous = Vec::new();
    let mut retried = 0;
    for _ in 0..10 {
        let r = outbox.dispatch().await.unwrap();
        ambiguous.extend(r.ambiguous);
        retried += r.retrying.len();
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    ambiguous.sort();
    ambiguous.dedup();
    assert_eq!(
        ambiguous.len(),
        2,
        "the timeout and the reset: {ambiguous:?}"
    );
    assert_eq!(retried, 1, "the 429 was retried");
    let entries = outbox.entries().await.unwrap();
    let sent = entries
        .iter()
        .filter(|e| e.status == MessageStatus::Sent)
        .count();
    assert_eq!(sent, messages.len() - 2);
    // No duplicate: each (template, recipient) went out at most once.
    let mut got = delivered(&fake);
    let n = got.len();
    got.sort();
    got.dedup();
    assert_eq!(got.len(), n, "a duplicate was delivered");
    assert_eq!(
        n,
        messages.len() - 1,
        "the timed-out mail reached the service, the reset one did not"
    );
    // The caller checks: the timed-out one arrived, the reset one did not.
    let sms = entries
        .iter()
        .find(|e| e.key() == "order-1234/order_in_city/buyer")
        .unwrap();
    assert_eq!(sms.status, MessageStatus::Sent, "SMS go through /sms/send");
    let (a, b) = (&ambiguous[0], &ambiguous[1]);
    let first_attempted = |k: &str| entries.iter().find(|e| e.key() == k).unwrap().attempted_at;
    let (timed_out, reset) = if first_attempted(a) <= first_attempted(b) {
        (a, b)
    } else {
        (b, a)
    };
    outbox.resolve(timed_out, true).await.unwrap();
    outbox.resolve(reset, false).await.unwrap();
    assert!(
        outbox
            .resolve("order-1234/order_placed/nobody", true)
            .await
            .is_err()
    );
    let r = outbox.dispatch().await.unwrap();
    assert_eq!(r.sent, std::slice::from_ref(reset));
    assert_eq!(delivered(&fake).len(), messages.len());
    assert!(
        outbox
            .entries()
            .await
            .unwrap()
            .iter()
            .all(|e| e.status == MessageStatus::Sent)
    );
}

#[tokio::test]
async fn a_dispatcher_crash_leaves_claims_that_are_never_resent_blindly() {
    use relance::messaging::{OutboxStore, Transport};
    let (fake, outbox) = setup().await;
    let messages = order_messages();
    for m in &messages[..2] {
        outbox.enqueue(m.clone()).await.unwrap();
    }
    // Two claims left by a dispatcher that died: one after the service sent the mail, one
    // before anything left.
    let entries = outbox.entries().await.unwrap();
    for (i, entry) in entries.iter().enumerate() {
        let mut claimed = entry.clone();
        claimed.status = MessageStatus::Sending;
        claimed.attempts = 1;
        assert!(
            outbox
                .store()
                .update(&claimed, (MessageStatus::Pending, 0))
                .await
                .unwrap()
        );
        if i == 0 {
            SendethicTransport::new(fake.client())
                .send(&claimed)
                .await
                .unwrap();
        }
    }
    // The restarted dispatcher cannot ask Sendethic: both are ambiguous, neither resent.
    let r = outbox.dispatch().await.unwrap();
    assert_eq!(r.ambiguous.len(), 2, "{r:?}");
    assert!(
        outbox.dispatch().await.unwrap().ambiguous.is_empty(),
        "not looked at again"
    );
    assert_eq!(delivered(&fake).len(), 1);
    outbox.resolve(entries[0].key(), true).await.unwrap();
    outbox.resolve(entries[1].key(), false).await.unwrap();
    assert_eq!(outbox.dispatch().await.unwrap().sent, [entries[1].key()]);
    assert_eq!(delivered(&fake).len(), 2, "each mail once");
}
