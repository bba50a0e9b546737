//! The right to erasure: deleted at the service, forgotten by the store, reported per email,
//! repeatable after a crash; an email nobody knows is a typed error naming it.

use relance::Error;
use relance::sync::store::StateStore;
use relance::sync::{Erased, SendethicTarget, SendsayTarget, Syncer};
use relance::testing::{FakeSendethic, FakeSendsay, Fault};

use super::record;
use super::sendsay::client_in_moscow;

/// Whether the store records a confirmed push of `email`.
async fn knows(store: &impl StateStore, email: &str) -> bool {
    store.load().await.unwrap().get(email).is_some()
}

#[tokio::test]
async fn sendethic_erasure_deletes_forgets_and_can_be_repeated() {
    let fake = FakeSendethic::start().await;
    let mut syncer = Syncer::in_memory(SendethicTarget::new(fake.client())).unwrap();
    syncer.run((0..3).map(|i| record(i, 1))).await.unwrap();
    assert_eq!(fake.contact_count(), 3);

    // A 503 on the DELETE is retried: deleting by key twice deletes one contact.
    fake.inject(Fault::html(503).on("DELETE", "/contact/attribute").times(1));
    let out = syncer
        .erase(["Customer001@Example.com", "nobody@example.com"])
        .await
        .unwrap();
    assert_eq!(out[0].0, "customer001@example.com");
    assert_eq!(*out[0].1.as_ref().unwrap(), Erased::Deleted);
    assert_eq!(out[1].0, "nobody@example.com");
    assert!(
        matches!(&out[1].1, Err(Error::InvalidInput { item, .. }) if item == "nobody@example.com"),
        "{:?}",
        out[1].1
    );
    assert!(fake.contact("customer001@example.com").is_none());
    assert_eq!(fake.contact_count(), 2);
    assert!(!knows(syncer.store(), "customer001@example.com").await);
    assert!(knows(syncer.store(), "customer002@example.com").await);

    // A crash between the deletion and the store: the service no longer has the contact,
    // the store still does; erasing again completes it.
    fake.client()
        .contacts()
        .delete("customer002@example.com")
        .await
        .unwrap();
    let again = syncer.erase(["customer002@example.com"]).await.unwrap();
    assert_eq!(*again[0].1.as_ref().unwrap(), Erased::Absent);
    assert!(!knows(syncer.store(), "customer002@example.com").await);
}

#[tokio::test]
async fn sendsay_erasure_reads_deletes_once_and_confirms() {
    let fake = FakeSendsay::start().await;
    let mut syncer = Syncer::in_memory(SendsayTarget::new(client_in_moscow(&fake))).unwrap();
    syncer.run((0..3).map(|i| record(i, 1))).await.unwrap();
    assert!(fake.member("customer000@example.com").is_some());
    let out = syncer
        .erase(["customer000@example.com", "nobody@example.com"])
        .await
        .unwrap();
    assert_eq!(*out[0].1.as_ref().unwrap(), Erased::Deleted);
    assert!(matches!(out[1].1, Err(Error::InvalidInput { .. })));
    assert!(fake.member("customer000@example.com").is_none());
    assert_eq!(
        fake.hits("member.delete"),
        1,
        "one delete, for the known member"
    );
    assert!(!knows(syncer.store(), "customer000@example.com").await);
}
