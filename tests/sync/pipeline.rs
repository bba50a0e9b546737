//! End to end: a synthetic shop → consolidation → sync to the fake Sendethic → default
//! segments provisioned from the domain's segment data, and the service's own evaluation of
//! each segment agrees with the local evaluator.

use chrono::{DurationRound, TimeDelta, Utc};
use relance::customer::{ConsolidationPolicy, Currency, ProfileField, segment};
use relance::io::synth;
use relance::sendethic::SegmentId;
use relance::sync::{SendethicTarget, SyncRecord, SyncValue, Syncer};
use relance::testing::FakeSendethic;

#[tokio::test]
async fn profiles_sync_and_segments_agree_with_the_local_evaluator() {
    let shop = synth::generate(&synth::SynthConfig::new(4_000, 500, 7));
    // The fake evaluates relative dates against its clock: consolidate "now".
    let as_of = Utc::now().duration_trunc(TimeDelta::seconds(1)).unwrap();
    let mut policy = ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::Europe::Paris);
    for r in &shop.rates {
        policy = policy.rate(r.from, r.rate);
    }
    let consolidation = shop.dataset.consolidate(&policy).unwrap();
    assert!(consolidation.len() > 400);

    let fake = FakeSendethic::start().await;
    fake.set_credits(relance::sendethic::CreditType::Marketing, 0, 1_000_000);
    let mut syncer = Syncer::in_memory(SendethicTarget::new(fake.client())).unwrap();
    let report = syncer.run(SyncRecord::all(&consolidation)).await.unwrap();
    assert!(report.is_complete(), "{report:?}");
    assert_eq!(report.pushed, consolidation.len());
    assert_eq!(fake.contact_count(), consolidation.len());

    // Values on the service are the profile's, in the documented wire formats.
    let target = syncer.target();
    let (revenue, orders, last) = (
        target.field_id(&ProfileField::Revenue).unwrap(),
        target.field_id(&ProfileField::OrdersCount).unwrap(),
        target.field_id(&ProfileField::LastOrderAt).unwrap(),
    );
    for p in consolidation.iter().take(50) {
        let c = fake.contact(p.email()).unwrap();
        assert_eq!(
            c.custom_value(revenue),
            Some(p.revenue().to_decimal_string().as_str())
        );
        assert_eq!(
            c.custom_value(orders),
            Some(p.orders_count().to_string().as_str())
        );
        let expected = p
            .last_order_at()
            .map(|d| d.format("%Y-%m-%d %H:%M:%S").to_string());
        assert_eq!(c.custom_value(last).map(str::to_owned), expected);
    }

    // A second run over the same consolidation sends nothing.
    let again = syncer.run(SyncRecord::all(&consolidation)).await.unwrap();
    assert_eq!((again.pushed, again.unchanged), (0, consolidation.len()));

    // The default segments, provisioned from their data description.
    let specs = segment::relance_defaults(&policy);
    let outcomes = syncer.ensure_segments(&specs).await.unwrap();
    assert_eq!(outcomes.len(), specs.len());
    let (mut compared, mut non_empty) = (0, 0);
    for (spec, outcome) in specs.iter().zip(&outcomes) {
        let (id, created) = outcome
            .result
            .as_ref()
            .unwrap_or_else(|e| panic!("{}: {e}", spec.tag));
        assert!(*created);
        let id: SegmentId = id.sendethic().unwrap();
        let remote = fake.client().segments().refresh_count(id).await.unwrap();
        let local = spec.members(&consolidation).len() as u64;
        assert_eq!(remote.as_count(), Some(local), "segment {}", spec.tag);
        compared += 1;
        non_empty += usize::from(local > 0);
    }
    assert_eq!(compared, 10);
    assert!(non_empty >= 6, "the comparison must not be vacuous");
    // Idempotent: nothing is created the second time.
    let again = syncer.ensure_segments(&specs).await.unwrap();
    assert!(again.iter().all(|o| matches!(o.result, Ok((_, false)))));

    // A change in one profile pushes one contact.
    let first = consolidation.iter().next().unwrap();
    let changed = SyncRecord::all(&consolidation).map(|mut r| {
        if r.email() == first.email() {
            r.set(
                ProfileField::OrdersCount,
                SyncValue::int(i64::from(first.orders_count()) + 1),
            );
        }
        r
    });
    let report = syncer.run(changed).await.unwrap();
    assert_eq!(report.pushed, 1);
}
