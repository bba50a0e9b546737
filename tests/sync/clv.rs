//! Predicted values in the sync: opt-in fields, rounded before change detection, and the CLV
//! segments provisioned on Sendethic (P(alive) "below" as the negation of `num-higher`).

use chrono::{TimeDelta, TimeZone, Utc};
use relance::customer::clv::{
    BuyerSummaries, Clv, ClvOptions, ClvSegments, Horizon, PredictedValues, Predictions,
};
use relance::customer::{
    Buyer, Consolidation, ConsolidationPolicy, Currency, Dataset, Money, Order, OrderId,
    OrderStatus, ProfileField,
};
use relance::sync::{SendethicTarget, SyncRecord, SyncValue, Syncer};
use relance::testing::FakeSendethic;

/// A shop whose buyers have regular habits (one order every 7 to 150 days, 1 to 21 orders)
/// but stop at different times: the recent regulars look alive, the long-gone ones do not.
fn shop() -> (Dataset, ConsolidationPolicy) {
    let start = Utc.with_ymd_and_hms(2023, 1, 1, 10, 0, 0).unwrap();
    let as_of = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    let mut ds = Dataset::new();
    let mut id = 0;
    for c in 0..800_u32 {
        let who = ds.guest(&format!("c{c}@example.com")).unwrap();
        let gap = [7, 20, 45, 90, 150][(c % 5) as usize];
        let first = i64::from((c * 37) % 600);
        let orders = [1, 1, 1, 1, 2, 2, 3, 5, 8, 13, 21][(c % 11) as usize];
        for k in (0..orders).take_while(|k| first + k * gap < 730) {
            id += 1;
            let cents = 2000 + 700 * i64::from(c % 11) + 100 * k;
            ds.add_order(Order::new(
                OrderId(id),
                Buyer::Guest(who),
                start + TimeDelta::days(first + k * gap),
                OrderStatus::Paid,
                Money::new(cents, Currency::EUR),
            ));
        }
    }
    ds.guest("prospect@example.com").unwrap();
    (
        ds,
        ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::UTC),
    )
}

fn predict(profiles: &Consolidation<'_>) -> (BuyerSummaries, Predictions) {
    let buyers = BuyerSummaries::of(profiles);
    let model = Clv::fit(&buyers.summaries, &ClvOptions::default())
        .unwrap()
        .model();
    let p = model
        .predict(&buyers.summaries, &Horizon::new(90.0).unwrap())
        .unwrap();
    (buyers, p)
}

/// The predictions as the service holds them: rounded to the two decimals pushed.
fn rounded(p: &Predictions) -> Predictions {
    let r = |v: &Vec<f64>| -> Vec<f64> {
        v.iter()
            .map(|x| format!("{x:.2}").parse::<f64>().unwrap())
            .collect()
    };
    Predictions {
        p_alive: r(&p.p_alive),
        expected_purchases: r(&p.expected_purchases),
        expected_avg_value: r(&p.expected_avg_value),
        expected_value: r(&p.expected_value),
    }
}

fn all_fields() -> Vec<ProfileField> {
    ProfileField::ALL
        .iter()
        .chain(&ProfileField::PREDICTED)
        .cloned()
        .collect()
}

#[tokio::test]
async fn predicted_fields_are_opt_in_rounded_and_pushed_only_when_the_rounded_value_moves() {
    let (ds, policy) = shop();
    let profiles = ds.consolidate(&policy).unwrap();
    let (buyers, p) = predict(&profiles);
    let table = PredictedValues::from_parts(&buyers.contacts, p.clone());

    // Not asked for: no predicted field at the service.
    let plain = FakeSendethic::start().await;
    let mut syncer = Syncer::in_memory(SendethicTarget::new(plain.client())).unwrap();
    syncer.run_predicted(&profiles, &table).await.unwrap();
    assert!(
        plain
            .fields()
            .iter()
            .all(|f| !f.tag().unwrap_or("").starts_with("relance_p_alive"))
    );

    let fake = FakeSendethic::start().await;
    let mut syncer = Syncer::in_memory(SendethicTarget::new(fake.client()))
        .unwrap()
        .fields(all_fields());
    let first = syncer.run_predicted(&profiles, &table).await.unwrap();
    assert_eq!(first.pushed, profiles.len());
    let p_alive = syncer.target().field_id(&ProfileField::PAlive).unwrap();
    let buyer = profiles.get(buyers.contacts[0]).unwrap();
    let stored = fake.contact(buyer.email()).unwrap();
    assert_eq!(
        stored.custom_value(p_alive),
        Some(format!("{:.2}", p.p_alive[0]).as_str())
    );
    let record = SyncRecord::from_profile(buyer).with_predictions(&table, buyer.contact());
    assert_eq!(
        record.get(&ProfileField::ExpectedValue),
        Some(&SyncValue::Number(format!("{:.2}", p.expected_value[0])))
    );

    // Moves far below the pushed precision change nothing.
    let mut nudged = p.clone();
    for v in nudged
        .p_alive
        .iter_mut()
        .chain(nudged.expected_purchases.iter_mut())
        .chain(nudged.expected_value.iter_mut())
    {
        *v += 1e-9;
    }
    let near_boundary = p
        .p_alive
        .iter()
        .chain(&p.expected_purchases)
        .chain(&p.expected_value)
        .filter(|v| format!("{:.2}", *v) != format!("{:.2}", *v + 1e-9))
        .count();
    let nudged_table = PredictedValues::from_parts(&buyers.contacts, nudged.clone());
    let quiet = syncer
        .run_predicted(&profiles, &nudged_table)
        .await
        .unwrap();
    assert_eq!(quiet.pushed, near_boundary, "{quiet}");

    // A move of a whole percentage point is pushed, for that contact only.
    nudged.p_alive[3] = (nudged.p_alive[3] + 0.3) % 1.0;
    let moved = PredictedValues::from_parts(&buyers.contacts, nudged);
    let one = syncer.run_predicted(&profiles, &moved).await.unwrap();
    assert_eq!(one.pushed, 1, "{one}");
}

#[tokio::test]
async fn clv_segments_are_provisioned_and_the_service_counts_what_the_rounded_values_say() {
    let (ds, policy) = shop();
    let profiles = ds.consolidate(&policy).unwrap();
    let (buyers, p) = predict(&profiles);
    let table = PredictedValues::from_parts(&buyers.contacts, p.clone());
    let specs = ClvSegments::default().specs(&profiles, &table);

    let fake = FakeSendethic::start().await;
    let client = fake.client();
    let mut syncer = Syncer::in_memory(SendethicTarget::new(client.clone()))
        .unwrap()
        .fields(all_fields());
    syncer.run_predicted(&profiles, &table).await.unwrap();
    let outcomes = syncer.ensure_segments(&specs).await.unwrap();
    let at_risk = fake
        .segments()
        .into_iter()
        .find(|s| s.tag() == Some("relance_at_risk"))
        .unwrap();
    assert!(
        at_risk.details.contains(r#"reference="!num-higher""#)
            && at_risk.details.contains(r#"op="num-higher" is="false""#),
        "{}",
        at_risk.details
    );

    // The service evaluates the synced values, rounded to two decimals: count the same way.
    let rounded_table = PredictedValues::from_parts(&buyers.contacts, rounded(&p));
    for (spec, outcome) in specs.iter().zip(outcomes) {
        let (id, created) = outcome.result.unwrap();
        assert!(created);
        let id = id.sendethic().unwrap();
        let counted = client
            .segments()
            .refresh_count(id)
            .await
            .unwrap()
            .as_count()
            .unwrap();
        let local = spec.members_with(&profiles, &rounded_table).len();
        assert_eq!(usize::try_from(counted).unwrap(), local, "{}", spec.tag);
        assert!(local > 0, "{}", spec.tag);
    }
}

#[tokio::test]
async fn clv_segments_on_sendsay_hold_what_the_rounded_values_say() {
    use relance::sync::SendsayTarget;
    use relance::testing::FakeSendsay;
    let (ds, policy) = shop();
    let profiles = ds.consolidate(&policy).unwrap();
    let (buyers, p) = predict(&profiles);
    let table = PredictedValues::from_parts(&buyers.contacts, p.clone());
    let specs = ClvSegments::default().specs(&profiles, &table);

    let fake = FakeSendsay::start().await;
    let mut syncer = Syncer::in_memory(SendsayTarget::new(super::sendsay::client_in_moscow(&fake)))
        .unwrap()
        .fields(all_fields());
    syncer.run_predicted(&profiles, &table).await.unwrap();
    let outcomes = syncer.ensure_segments(&specs).await.unwrap();
    // "Below 0.5" becomes "at most 0.49" on values pushed with two decimals.
    let filters: Vec<String> = fake
        .requests()
        .into_iter()
        .filter(|r| r.path == "/group.filter.set")
        .map(|r| r.body)
        .collect();
    assert!(
        filters
            .iter()
            .any(|b| b.contains(r#""a":"relance.p_alive","op":"<=","v":"0.49""#)),
        "{filters:?}"
    );
    let rounded_table = PredictedValues::from_parts(&buyers.contacts, rounded(&p));
    for (spec, outcome) in specs.iter().zip(outcomes) {
        let (id, _) = outcome.result.unwrap();
        let members = fake.group_members(id.sendsay().unwrap().as_str());
        let local = spec.members_with(&profiles, &rounded_table);
        assert_eq!(members.len(), local.len(), "{}", spec.tag);
        assert!(!local.is_empty(), "{}", spec.tag);
    }
}
