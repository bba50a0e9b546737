//! The outbox in each store: one key once, in enqueue order, due by time, and a claim won
//! by one dispatcher only; kept across a reopen (SQLite) and per scope (PostgreSQL).

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use relance::messaging::{
    Audience, Channel, MessageStatus, Outbox, OutboxStore, SendsayTransport, Template, Templates,
};
use relance::sync::store::{MemoryStore, Scope};
use relance::testing::FakeSendsay;

use super::order_messages;

fn templates() -> Templates {
    let mut t = Templates::new();
    for status in super::STATUSES {
        for a in [Audience::Buyer, Audience::Seller] {
            t = t.set(status, a, Template::sendsay(1, Channel::Email));
        }
    }
    t
}

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 6, 1, 12, 0, 0).unwrap()
}

async fn outbox_in<S: OutboxStore>(store: Arc<S>) {
    let fake = FakeSendsay::start().await;
    let outbox = Outbox::new(
        SendsayTransport::new(fake.client()),
        Arc::clone(&store),
        templates(),
    );
    let messages = order_messages();
    for m in &messages {
        outbox.enqueue_at(m.clone(), at()).await.unwrap();
        let again = outbox.enqueue_at(m.clone(), at()).await.unwrap();
        assert_eq!(again.entry().status, MessageStatus::Pending);
    }
    let all = store.entries().await.unwrap();
    let keys: Vec<&str> = all
        .iter()
        .map(relance::messaging::OutboxEntry::key)
        .collect();
    let want: Vec<&str> = messages.iter().map(|m| m.key.as_str()).collect();
    assert_eq!(keys, want, "one entry per key, in enqueue order");
    assert_eq!(all[3], store.entry(all[3].key()).await.unwrap().unwrap());
    assert_eq!(store.due(at(), 5).await.unwrap().len(), 5);
    assert!(
        store
            .due(at() - chrono::TimeDelta::seconds(1), 5)
            .await
            .unwrap()
            .is_empty()
    );
    let mut claim = all[0].clone();
    claim.status = MessageStatus::Sending;
    claim.attempts = 1;
    assert!(
        store
            .update(&claim, (MessageStatus::Pending, 0))
            .await
            .unwrap()
    );
    assert!(
        !store
            .update(&claim, (MessageStatus::Pending, 0))
            .await
            .unwrap(),
        "claimed once"
    );
    assert_eq!(
        store.entry(all[0].key()).await.unwrap().unwrap().status,
        MessageStatus::Sending
    );
}

#[tokio::test]
async fn in_memory() {
    outbox_in(Arc::new(MemoryStore::new(
        Scope::new("sendsay", "shop").unwrap(),
    )))
    .await;
}

#[cfg(feature = "sqlite")]
#[tokio::test]
async fn in_sqlite_across_a_reopen() {
    use relance::sync::store::SqliteStore;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let scope = Scope::new("sendsay", "shop").unwrap();
    outbox_in(Arc::new(SqliteStore::open(&path, scope.clone()).unwrap())).await;
    let reopened = SqliteStore::open(&path, scope).unwrap();
    let entries = reopened.entries().await.unwrap();
    assert_eq!(entries.len(), order_messages().len());
    assert_eq!(entries[0].status, MessageStatus::Sending);
}

#[cfg(feature = "postgres")]
#[tokio::test]
async fn in_postgres_per_scope() {
    use relance::sync::store::PostgresStore;
    let Ok(url) = std::env::var("RELANCE_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var("RELANCE_REQUIRE_POSTGRES").is_err(),
            "RELANCE_TEST_POSTGRES_URL is required"
        );
        return;
    };
    let unique = |name: &str| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        Scope::new(
            "sendsay",
            format!("outbox-{name}-{}-{nanos}", std::process::id()),
        )
        .unwrap()
    };
    let scope = unique("a");
    outbox_in(Arc::new(
        PostgresStore::connect(&url, scope.clone()).await.unwrap(),
    ))
    .await;
    let again = PostgresStore::connect(&url, scope).await.unwrap();
    assert_eq!(again.entries().await.unwrap().len(), order_messages().len());
    let other = PostgresStore::connect(&url, unique("b")).await.unwrap();
    assert!(
        other.entries().await.unwrap().is_empty(),
        "another scope's outbox is its own"
    );
}
