//! Dry runs: what a run would create, adopt, update, push and remove, read from the service
//! and the store, with nothing written anywhere.

use relance::customer::ProfileField;
use relance::customer::segment::{self, relance_defaults};
use relance::sendethic::{FieldFormat, NewField};
use relance::sync::{Mirror, SendethicTarget, SendsayTarget, Syncer};
use relance::testing::{FakeSendethic, FakeSendsay};

use super::sendsay::client_in_moscow;
use super::{guests, june_policy, record};

fn policy() -> relance::customer::ConsolidationPolicy {
    june_policy()
}

/// Requests that write (anything but a GET).
fn writes(fake: &FakeSendethic) -> usize {
    fake.requests().iter().filter(|r| r.method != "GET").count()
}

#[tokio::test]
async fn a_sendethic_plan_lists_fields_segments_and_pushes_and_writes_nothing() {
    let fake = FakeSendethic::start().await;
    fake.client()
        .fields()
        .create(NewField::new("[MG] Total", FieldFormat::Number).tag("magento_orderstotal"))
        .await
        .unwrap();
    let before = writes(&fake);
    let mut syncer =
        Syncer::in_memory(SendethicTarget::new(fake.client()).adopt_connectors()).unwrap();
    let plan = syncer.plan((0..5).map(|i| record(i, 1))).await.unwrap();
    assert_eq!((plan.to_push.len(), plan.new), (5, 5), "{plan}");
    let p = &plan.provisioning;
    assert_eq!(
        p.create_fields.len(),
        ProfileField::ALL.len() - 6 - 1,
        "{p:?}"
    );
    assert!(p.create_fields.contains(&"relance_orders_count".to_owned()));
    assert_eq!(p.adopt_fields.len(), 1);
    assert!(
        p.adopt_fields[0].starts_with("relance_revenue -> [MG] Total"),
        "{p:?}"
    );
    let specs = relance_defaults(&policy());
    let segments = syncer.plan_segments(&specs).await.unwrap();
    assert_eq!(segments.create_segments.len(), 10);
    assert_eq!(writes(&fake), before, "a plan writes nothing");
    assert_eq!(fake.contact_count(), 0);

    // After a run and the segments: nothing to provision, nothing to push.
    syncer.run((0..5).map(|i| record(i, 1))).await.unwrap();
    syncer.ensure_segments(&specs).await.unwrap();
    let plan = syncer.plan((0..5).map(|i| record(i, 1))).await.unwrap();
    assert!(
        plan.provisioning.is_empty() && plan.to_push.is_empty(),
        "{plan}"
    );
    assert!(syncer.plan_segments(&specs).await.unwrap().is_empty());

    // A fresh syncer on the same account finds everything (read only), and sees that a
    // changed inactivity window would update one segment in place.
    let mut fresh =
        Syncer::in_memory(SendethicTarget::new(fake.client()).adopt_connectors()).unwrap();
    let before = writes(&fake);
    let mut changed = specs.clone();
    changed[6] = segment::inactive_customers(180);
    let p = fresh.plan_segments(&changed).await.unwrap();
    assert!(
        p.create_fields.is_empty() && p.create_segments.is_empty(),
        "{p:?}"
    );
    assert_eq!(p.update_segments, ["relance_inactive"]);
    assert_eq!(writes(&fake), before);
}

#[tokio::test]
async fn a_whole_shop_plan_lists_the_contacts_the_mirror_policy_would_remove() {
    let fake = FakeSendethic::start().await;
    let mut syncer = Syncer::in_memory(SendethicTarget::new(fake.client()))
        .unwrap()
        .mirror(Mirror::Delete);
    let shop = |gone: &[usize]| guests(20, gone);
    syncer
        .run_profiles(&shop(&[]).consolidate(&policy()).unwrap())
        .await
        .unwrap();
    let plan = syncer
        .plan_profiles(&shop(&[4]).consolidate(&policy()).unwrap())
        .await
        .unwrap();
    assert_eq!(plan.to_remove, ["guest04@example.com"]);
    assert!(plan.to_push.is_empty());
    assert_eq!(fake.contact_count(), 20, "nothing removed by a plan");
}

#[tokio::test]
async fn a_sendsay_plan_lists_questions_and_segments_and_writes_nothing() {
    let fake = FakeSendsay::start().await;
    let mut syncer = Syncer::in_memory(SendsayTarget::new(client_in_moscow(&fake))).unwrap();
    let plan = syncer.plan((0..3).map(|i| record(i, 1))).await.unwrap();
    let p = &plan.provisioning;
    assert_eq!(p.create_fields[0], "questionnaire relance");
    assert!(
        p.create_fields.contains(&"relance.orders_count".to_owned()),
        "{p:?}"
    );
    let specs = relance_defaults(&policy());
    assert_eq!(
        syncer
            .plan_segments(&specs)
            .await
            .unwrap()
            .create_segments
            .len(),
        10
    );
    assert_eq!(fake.hits("anketa.create") + fake.hits("group.create"), 0);
    assert!(fake.members().is_empty());

    syncer.run((0..3).map(|i| record(i, 1))).await.unwrap();
    syncer.ensure_segments(&specs).await.unwrap();
    assert!(syncer.plan_segments(&specs).await.unwrap().is_empty());
    let mut changed = specs.clone();
    changed[6] = segment::inactive_customers(180);
    let filters = fake.hits("group.filter.set");
    let p = syncer.plan_segments(&changed).await.unwrap();
    assert_eq!(p.update_segments, ["relance_inactive"]);
    assert_eq!(fake.hits("group.filter.set"), filters);
}
