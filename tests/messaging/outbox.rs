//! Sendsay: every message of an order sent exactly once although a third of the sends
//! time out, reset or fail, across a dispatcher crash; dedup on the key; dead letters.

use std::collections::HashMap;
use std::time::Duration;

use relance::messaging::{
    Audience, Channel, Enqueued, MessageStatus, Outbox, OutboxStore, SendsayTransport, Template,
    Templates,
};
use relance::sendsay::NewDraft;
use relance::sync::store::{MemoryStore, Scope};
use relance::testing::{FakeSendsay, Fault};

use super::{STATUSES, order_messages};

const TIMEOUT: Duration = Duration::from_millis(400);

/// One draft per status and audience (the buyer's by SMS for `order_in_city`).
async fn templates(fake: &FakeSendsay) -> Templates {
    let client = fake.client();
    let mut t = Templates::new();
    for status in STATUSES {
        for audience in [Audience::Buyer, Audience::Seller] {
            let sms = status == "order_in_city" && audience == Audience::Buyer;
            let draft = if sms {
                NewDraft::sms(
                    format!("{status} {audience}"),
                    "Your order [% order_id %] is in your city",
                )
            } else {
                NewDraft::email(
                    format!("{status} {audience}"),
                    status,
                    "<p>[% order_id %]</p>",
                )
            };
            let id = client.drafts().set(draft).await.unwrap().id.unwrap();
            let channel = if sms { Channel::Sms } else { Channel::Email };
            t = t.set(
                status,
                audience,
                Template::sendsay(id, channel).requires(["order_id"]),
            );
        }
    }
    t
}

fn outbox(
    fake: &FakeSendsay,
    store: MemoryStore,
    templates: Templates,
) -> Outbox<SendsayTransport, MemoryStore> {
    let client = fake.client_builder().timeout(TIMEOUT).build().unwrap();
    Outbox::new(SendsayTransport::new(client), store, templates)
        .concurrency(3)
        .rate_limit(0)
        .retries(8, Duration::from_millis(5))
        .resolution(Duration::ZERO, Duration::ZERO)
}

/// How many issues the fake holds per name (the idempotency key).
fn deliveries(fake: &FakeSendsay) -> HashMap<String, usize> {
    let mut n = HashMap::new();
    for issue in fake.issues() {
        let name = issue["name"].as_str().unwrap_or("").to_owned();
        *n.entry(name).or_default() += 1;
    }
    n
}

#[tokio::test]
async fn every_message_is_sent_exactly_once_under_faults_and_a_crash() {
    let fake = FakeSendsay::start().await;
    let templates = templates(&fake).await;
    let store = MemoryStore::new(Scope::new("sendsay", "shop").unwrap());
    let messages = order_messages();
    let first = outbox(&fake, store.clone(), templates.clone());
    for m in &messages {
        assert!(matches!(
            first.enqueue(m.clone()).await.unwrap(),
            Enqueued::New(_)
        ));
    }
    // The same keys again (a retried webhook, a second worker): nothing more.
    for m in &messages {
        let again = first.enqueue(m.clone()).await.unwrap();
        assert!(matches!(again, Enqueued::Existing(ref e) if e.status == MessageStatus::Pending));
    }
    // A dispatcher claims a message and dies before sending it; another one dies after the
    // service took its send but before recording it.
    let mut entries = store.entries().await.unwrap();
    let (lost_before, lost_after) = (entries.remove(0), entries.remove(0));
    for (entry, reached) in [(&lost_before, false), (&lost_after, true)] {
        let mut claimed = entry.clone();
        claimed.status = MessageStatus::Sending;
        claimed.attempts = 1;
        assert!(
            store
                .update(&claimed, (MessageStatus::Pending, 0))
                .await
                .unwrap()
        );
        if reached {
            use relance::messaging::Transport;
            let t = SendsayTransport::new(fake.client());
            t.send(&claimed).await.unwrap();
        }
    }
    drop(first);
    fake.reseed(3);
    for fault in [
        Fault::delay(TIMEOUT + Duration::from_millis(300)).named("timeout after processing"),
        Fault::reset().named("reset before processing"),
        Fault::reset()
            .after_processing()
            .named("reset after processing"),
        Fault::html(503)
            .after_processing()
            .named("503 after processing"),
        Fault::status(429).header("Retry-After", "0").named("429"),
    ] {
        fake.inject(fault.on("POST", "/issue.send").probability(0.07));
    }

    let restarted = outbox(&fake, store.clone(), templates);
    let mut passes = Vec::new();
    for _ in 0..40 {
        let r = restarted.dispatch().await.unwrap();
        passes.push(r);
        let left = restarted
            .entries()
            .await
            .unwrap()
            .iter()
            .filter(|e| !e.status.is_final())
            .count();
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let entries = restarted.entries().await.unwrap();
    assert!(
        entries.iter().all(|e| e.status == MessageStatus::Sent),
        "{entries:#?}"
    );
    let got = deliveries(&fake);
    for m in &messages {
        assert_eq!(got.get(&m.key), Some(&1), "{} delivered once", m.key);
    }
    assert_eq!(got.len(), messages.len());
    let ambiguous: usize = passes.iter().map(|p| p.ambiguous.len()).sum();
    let requeued: usize = passes.iter().map(|p| p.requeued.len()).sum();
    let retried: usize = passes.iter().map(|p| p.retrying.len()).sum();
    let faults = fake.requests().iter().filter(|r| r.fault.is_some()).count();
    println!(
        "outbox fault test (sendsay): {} messages enqueued, {} sent, {faults} faults met, {ambiguous} ambiguous sends resolved by reading back ({requeued} found absent and sent again, the rest found sent), {retried} throttled and retried, 0 dead-lettered, duplicates delivered 0",
        messages.len(),
        entries.len()
    );
    assert!(faults > 0 && ambiguous > 0, "the faults were met");
    // Order: sends were claimed before they left, so the crash before the send was sent
    // once, and the crash after it was found sent without a second send.
    let after = entries
        .iter()
        .find(|e| e.key() == lost_after.key())
        .unwrap();
    assert_eq!(after.attempts, 1, "found by reading back, not sent again");
}

#[tokio::test]
async fn a_throttled_message_is_dead_lettered_after_its_budget() {
    let fake = FakeSendsay::start().await;
    let templates = templates(&fake).await;
    fake.inject(
        Fault::status(429)
            .header("Retry-After", "0")
            .on("POST", "/issue.send"),
    );
    let store = MemoryStore::new(Scope::new("sendsay", "shop").unwrap());
    let outbox = outbox(&fake, store, templates).retries(3, Duration::ZERO);
    let m = order_messages().remove(0);
    outbox.enqueue(m.clone()).await.unwrap();
    let mut dead = Vec::new();
    for _ in 0..5 {
        let r = outbox.dispatch().await.unwrap();
        dead.extend(r.dead);
    }
    assert_eq!(dead.len(), 1);
    assert!(
        matches!(dead[0].1, relance::Error::RateLimited { .. }),
        "{:?}",
        dead[0].1
    );
    let e = outbox.entries().await.unwrap().remove(0);
    assert_eq!((e.status, e.attempts), (MessageStatus::Dead, 3));
    assert!(fake.issues().is_empty());
    // Enqueued again, the key answers with its dead letter.
    let again = outbox.enqueue(m).await.unwrap();
    assert_eq!(again.entry().status, MessageStatus::Dead);
}

#[tokio::test]
async fn a_refused_message_fails_without_retry() {
    let fake = FakeSendsay::start().await;
    let templates = Templates::new().set(
        "order_placed",
        Audience::Buyer,
        Template::sendsay("9999", Channel::Email),
    );
    let store = MemoryStore::new(Scope::new("sendsay", "shop").unwrap());
    let outbox = outbox(&fake, store, templates);
    outbox.enqueue(order_messages().remove(0)).await.unwrap();
    let r = outbox.dispatch().await.unwrap();
    assert_eq!(
        r.failed.len(),
        1,
        "an unknown draft is named by the service: {r:?}"
    );
    let hits = fake.hits("issue.send");
    assert!(
        outbox.dispatch().await.unwrap().failed.is_empty(),
        "not tried again"
    );
    assert_eq!(fake.hits("issue.send"), hits);
    let e = outbox.entries().await.unwrap().remove(0);
    assert_eq!((e.status, e.attempts), (MessageStatus::Failed, 1));
    assert!(e.error.unwrap().contains("9999"));
}
