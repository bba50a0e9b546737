//! The ten default segments on both providers: each fake's own evaluation of the provisioned
//! segment (Sendethic criteria, Sendsay filters with relative dates) selects exactly the
//! contacts the local evaluator selects, with `as_of` on the boundaries of every window.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use relance::customer::segment::{self, SegmentSpec};
use relance::customer::{
    Buyer, Consolidation, ConsolidationPolicy, Currency, Customer, Dataset, Delivery, Login, Money,
    OptIn, Order, OrderId, OrderStatus,
};
use relance::io::synth;
use relance::sync::{SegmentRef, SendethicTarget, SendsayTarget, SyncRecord, SyncTarget, Syncer};
use relance::testing::{FakeSendethic, FakeSendsay};

use super::sendsay::client_in_moscow;

fn as_of() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 12, 1, 12, 0, 0).unwrap()
}

/// A synthetic shop, plus customers sitting exactly on (and one second inside) the windows
/// of the default segments: last order 30 and 90 days before `as_of`, login 30 days before,
/// delivery 7 days before.
fn shop() -> (Dataset, ConsolidationPolicy) {
    let generated = synth::generate(&synth::SynthConfig::new(3_000, 400, 11));
    let mut ds = generated.dataset;
    let mut policy = ConsolidationPolicy::new(Currency::EUR, as_of(), chrono_tz::UTC);
    for r in &generated.rates {
        policy = policy.rate(r.from, r.rate);
    }
    let days = |d: i64| as_of() - TimeDelta::days(d);
    let edges = [
        ("order30", days(30), None, None),
        ("order30in", days(30) + TimeDelta::seconds(1), None, None),
        ("order90", days(90), None, None),
        ("order90in", days(90) + TimeDelta::seconds(1), None, None),
        ("login30", days(31), Some(days(30)), None),
        (
            "login30in",
            days(31),
            Some(days(30) + TimeDelta::seconds(1)),
            None,
        ),
        ("deliv7", days(40), None, Some(days(7))),
        (
            "deliv7in",
            days(40),
            None,
            Some(days(7) + TimeDelta::seconds(1)),
        ),
    ];
    for (i, (name, placed, login, delivered)) in edges.into_iter().enumerate() {
        let customer = ds.add_customer(Customer {
            id: format!("edge{i}"),
            email: format!("{name}@edge.example"),
            newsletter_optin: OptIn::Yes,
            ..Customer::default()
        });
        let order = ds.add_order(Order::new(
            OrderId(900_000 + i as u64),
            Buyer::Customer(customer),
            placed,
            OrderStatus::Completed,
            Money::new(4_200, Currency::EUR),
        ));
        if let Some(at) = login {
            ds.add_login(Login { customer, at });
        }
        if let Some(delivered_at) = delivered {
            ds.add_delivery(Delivery {
                order,
                delivered_at,
            });
        }
    }
    (ds, policy)
}

/// The local members of each spec, sorted.
fn local(specs: &[SegmentSpec], c: &Consolidation<'_>) -> Vec<Vec<String>> {
    specs
        .iter()
        .map(|spec| {
            let mut m: Vec<String> = c
                .iter()
                .filter(|p| spec.matches(p, c.as_of()))
                .map(|p| p.email().to_owned())
                .collect();
            m.sort();
            m
        })
        .collect()
}

/// The comparison is not vacuous: most segments have members, and the edge contacts fall
/// on both sides of the windows.
fn assert_meaningful(specs: &[SegmentSpec], expected: &[Vec<String>]) {
    assert_eq!(specs.len(), 10);
    assert!(expected.iter().filter(|m| !m.is_empty()).count() >= 8);
    let has = |tag: &str, email: &str| {
        let i = specs.iter().position(|s| s.tag.ends_with(tag)).unwrap();
        expected[i].iter().any(|e| e == email)
    };
    assert!(!has("recent", "order30@edge.example"));
    assert!(has("recent", "order30in@edge.example"));
    assert!(has("inactive", "order90@edge.example"));
    assert!(!has("inactive", "order90in@edge.example"));
}

/// Syncs the edge shop through `target`, provisions the ten default segments, and checks
/// each one's members as the service evaluates them (`members`) against the local ones.
async fn check<T: SyncTarget>(target: T, members: impl Fn(&SegmentRef) -> Vec<String>) {
    let (ds, policy) = shop();
    let consolidation = ds.consolidate(&policy).unwrap();
    let specs = segment::relance_defaults(&policy);
    let expected = local(&specs, &consolidation);
    assert_meaningful(&specs, &expected);
    let mut syncer = Syncer::in_memory(target).unwrap();
    let report = syncer.run(SyncRecord::all(&consolidation)).await.unwrap();
    assert!(report.is_complete(), "{report}");
    let outcomes = syncer.ensure_segments(&specs).await.unwrap();
    for ((spec, outcome), want) in specs.iter().zip(&outcomes).zip(&expected) {
        let (id, _) = outcome
            .result
            .as_ref()
            .unwrap_or_else(|e| panic!("{}: {e}", spec.tag));
        let mut got = members(id);
        got.sort();
        assert_eq!(&got, want, "segment {}", spec.tag);
    }
}

#[tokio::test]
async fn the_ten_default_segments_agree_with_the_local_evaluator_on_sendethic() {
    let fake = FakeSendethic::start().await;
    fake.set_now(as_of());
    let members = |id: &SegmentRef| fake.segment_members(id.sendethic().unwrap());
    check(SendethicTarget::new(fake.client()), members).await;
}

#[tokio::test]
async fn the_ten_default_segments_agree_with_the_local_evaluator_on_sendsay() {
    let fake = FakeSendsay::start().await;
    fake.set_now(as_of(), chrono_tz::Europe::Moscow);
    let members = |id: &SegmentRef| fake.group_members(id.sendsay().unwrap().as_str());
    check(SendsayTarget::new(client_in_moscow(&fake)), members).await;
}
