//! Contacts that left the shop: kept, unsubscribed or deleted at the provider by whole-shop
//! runs, never by runs over arbitrary records, and never more than the limit at once.

use relance::sendethic::{OptIn, Patch};
use relance::sync::store::StateStore;
use relance::sync::{Mirror, SendethicTarget, SyncRecord, Syncer};
use relance::testing::FakeSendethic;

use super::{guests, june_policy};

fn shop(n: usize, gone: &[usize]) -> relance::customer::Dataset {
    guests(n, gone)
}

fn policy() -> relance::customer::ConsolidationPolicy {
    june_policy()
}

#[tokio::test]
async fn deleted_customers_are_deleted_at_the_provider_once() {
    let fake = FakeSendethic::start().await;
    let mut syncer = Syncer::in_memory(SendethicTarget::new(fake.client()))
        .unwrap()
        .mirror(Mirror::Delete);
    let first = syncer
        .run_profiles(&shop(20, &[]).consolidate(&policy()).unwrap())
        .await
        .unwrap();
    assert_eq!((first.pushed, first.removed.len()), (20, 0), "{first}");
    assert_eq!(fake.contact_count(), 20);

    // Two customers left the shop (one deleted, one whose email changed: the new address
    // is a new contact).
    let mut next = shop(20, &[3, 7]);
    next.guest("guest07.new@example.com");
    let second = syncer
        .run_profiles(&next.consolidate(&policy()).unwrap())
        .await
        .unwrap();
    assert!(second.is_complete(), "{second:?}");
    assert_eq!(second.pushed, 1, "only the new address is pushed");
    let removed: Vec<(&str, Mirror)> = second
        .removed
        .iter()
        .map(|(e, m)| (e.as_str(), *m))
        .collect();
    assert_eq!(
        removed,
        [
            ("guest03@example.com", Mirror::Delete),
            ("guest07@example.com", Mirror::Delete)
        ]
    );
    assert!(fake.contact("guest03@example.com").is_none());
    assert!(fake.contact("guest07@example.com").is_none());
    assert!(fake.contact("guest07.new@example.com").is_some());
    assert_eq!(fake.contact_count(), 19);
    assert_eq!(syncer.store().load().await.unwrap().len(), 19);

    // The next night removes nothing more and sends nothing.
    let deletes = || {
        fake.requests()
            .iter()
            .filter(|r| r.method == "DELETE")
            .count()
    };
    assert_eq!(deletes(), 2);
    let third = syncer
        .run_profiles(&next.consolidate(&policy()).unwrap())
        .await
        .unwrap();
    assert_eq!((third.pushed, third.removed.len()), (0, 0), "{third}");
    assert_eq!(deletes(), 2);
}

#[tokio::test]
async fn left_customers_can_be_unsubscribed_instead_and_runs_over_records_remove_nothing() {
    let fake = FakeSendethic::start().await;
    let mut syncer = Syncer::in_memory(SendethicTarget::new(fake.client()))
        .unwrap()
        .mirror(Mirror::Unsubscribe);
    syncer
        .run_profiles(&shop(20, &[]).consolidate(&policy()).unwrap())
        .await
        .unwrap();

    // A run over some records is not the whole shop: nothing is removed.
    let partial = shop(20, &(0..19).collect::<Vec<_>>());
    let c = partial.consolidate(&policy()).unwrap();
    let report = syncer.run(SyncRecord::all(&c)).await.unwrap();
    assert!(report.removed.is_empty());

    let report = syncer
        .run_profiles(&shop(20, &[5]).consolidate(&policy()).unwrap())
        .await
        .unwrap();
    assert_eq!(report.removed.len(), 1, "{report:?}");
    let c = fake.contact("guest05@example.com").unwrap();
    assert_eq!(c.email_optin, Patch::Set(OptIn::No));
    assert_eq!(fake.contact_count(), 20, "unsubscribed, not deleted");
}

#[tokio::test]
async fn more_absent_contacts_than_the_limit_removes_none_and_says_why() {
    let fake = FakeSendethic::start().await;
    let mut syncer = Syncer::in_memory(SendethicTarget::new(fake.client()))
        .unwrap()
        .mirror(Mirror::Delete);
    syncer
        .run_profiles(&shop(20, &[]).consolidate(&policy()).unwrap())
        .await
        .unwrap();
    // An export that came back truncated: half the shop "left".
    let report = syncer
        .run_profiles(&shop(10, &[]).consolidate(&policy()).unwrap())
        .await
        .unwrap();
    assert!(report.removed.is_empty());
    assert!(!report.is_complete());
    let (emails, error) = &report.failed[0];
    assert!(emails.is_empty());
    assert!(error.to_string().contains("10 of 20"), "{error}");
    assert_eq!(fake.contact_count(), 20);
    // With a higher limit, the same run goes through.
    let mut syncer = syncer.mirror_limit(0.5);
    let report = syncer
        .run_profiles(&shop(10, &[]).consolidate(&policy()).unwrap())
        .await
        .unwrap();
    assert_eq!(report.removed.len(), 10, "{report:?}");
    assert_eq!(fake.contact_count(), 10);
}
