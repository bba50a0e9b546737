//! Predictions as profile values: the side table, the three default CLV segments evaluated
//! locally, and the predicted columns of `write_profiles_with`.

use std::collections::BTreeSet;

use relance::customer::clv::{
    BuyerSummaries, Clv, ClvOptions, ClvSegments, Horizon, PredictedValues,
};
use relance::customer::segment::Op;
use relance::customer::*;

use super::clv::simulated_shop;

/// The shop, its consolidation policy, and a fitted model.
fn fitted() -> (Dataset, ConsolidationPolicy, Clv) {
    let (ds, as_of) = simulated_shop(1000);
    let policy = ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::UTC);
    let profiles = ds.consolidate(&policy).unwrap();
    let buyers = BuyerSummaries::of(&profiles);
    let model = Clv::fit(&buyers.summaries, &ClvOptions::default())
        .unwrap()
        .model();
    (ds, policy, model)
}

#[test]
fn the_side_table_gives_each_buyer_its_prediction_and_prospects_none() {
    let (ds, policy, model) = fitted();
    let profiles = ds.consolidate(&policy).unwrap();
    let horizon = Horizon::new(90.0).unwrap();
    let table = PredictedValues::predict(&profiles, &model, &horizon).unwrap();
    let buyers = BuyerSummaries::of(&profiles);
    let direct = model.predict(&buyers.summaries, &horizon).unwrap();
    for (i, contact) in buyers.contacts.iter().enumerate() {
        let one = direct.get(i).unwrap();
        assert_eq!(table.get(*contact), Some(one));
        assert_eq!(
            table.value(*contact, &ProfileField::PAlive),
            Some(one.p_alive)
        );
        assert_eq!(
            table.value(*contact, &ProfileField::ExpectedValue),
            Some(one.expected_value)
        );
        assert_eq!(table.value(*contact, &ProfileField::Revenue), None);
    }
    let prospect = profiles
        .iter()
        .find(|p| p.email() == "prospect@example.com")
        .unwrap();
    assert_eq!(table.get(prospect.contact()), None);
    assert_eq!(table.predictions().len(), 1000);
}

/// The smallest value of the top `share`, computed here independently of the crate.
fn cutoff(mut values: Vec<f64>, share: f64) -> f64 {
    values.sort_by(|a, b| b.partial_cmp(a).unwrap());
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let k = ((share * values.len() as f64).ceil() as usize).max(1);
    values[k - 1]
}

#[test]
fn the_default_clv_segments_select_what_they_say() {
    let (ds, policy, model) = fitted();
    let profiles = ds.consolidate(&policy).unwrap();
    let table = PredictedValues::predict(&profiles, &model, &Horizon::new(90.0).unwrap()).unwrap();
    let thresholds = ClvSegments::default();
    let specs = thresholds.specs(&profiles, &table);
    let tags: Vec<&str> = specs.iter().map(|s| s.tag.as_str()).collect();
    assert_eq!(
        tags,
        [
            "relance_at_risk",
            "relance_likely_to_buy",
            "relance_high_predicted_value"
        ]
    );

    // The same selections, computed by hand from the profiles and the predictions.
    let buyers: Vec<&CustomerProfile<'_>> =
        profiles.iter().filter(|p| p.orders_count() > 0).collect();
    let revenue_cutoff = cutoff(
        buyers.iter().map(|p| p.revenue().to_major_f64()).collect(),
        0.2,
    );
    let value_cutoff = cutoff(table.predictions().expected_value.clone(), 0.1);
    let pred = |p: &CustomerProfile<'_>| table.get(p.contact()).unwrap();
    let expected: [BTreeSet<ContactIdx>; 3] = [
        buyers
            .iter()
            .filter(|p| p.revenue().to_major_f64() >= revenue_cutoff && pred(p).p_alive < 0.5)
            .map(|p| p.contact())
            .collect(),
        buyers
            .iter()
            .filter(|p| pred(p).expected_purchases >= 1.0)
            .map(|p| p.contact())
            .collect(),
        buyers
            .iter()
            .filter(|p| pred(p).expected_value >= value_cutoff)
            .map(|p| p.contact())
            .collect(),
    ];
    for (spec, want) in specs.iter().zip(&expected) {
        let got: BTreeSet<ContactIdx> = spec.members_with(&profiles, &table).into_iter().collect();
        assert_eq!(&got, want, "{}", spec.tag);
        assert!(!got.is_empty(), "{} selects someone", spec.tag);
        assert!(
            got.len() < buyers.len() / 2,
            "{} selects a minority",
            spec.tag
        );
        // Without the table, the predicted fields are unset: nobody.
        assert!(spec.members(&profiles).is_empty(), "{}", spec.tag);
    }
    // At risk is valuable and slipping: a P(alive) threshold under a revenue cutoff.
    assert_eq!(specs[0].conditions[1].op, Op::LessThan(0.5));
    // The top tenth by predicted value, give or take ties.
    assert!(expected[2].len() >= 100 && expected[2].len() <= 110);
}

#[test]
fn predicted_columns_follow_the_profile_columns() {
    let (ds, policy, model) = fitted();
    let profiles = ds.consolidate(&policy).unwrap();
    let table = PredictedValues::predict(&profiles, &model, &Horizon::new(90.0).unwrap()).unwrap();
    let mut out = Vec::new();
    relance::io::csv::write_profiles_with(&profiles, Some(&table), &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let n = relance::io::csv::PROFILE_COLUMNS.len();
    assert_eq!(
        &header[n..],
        [
            "p_alive",
            "expected_purchases",
            "expected_avg_value",
            "expected_value"
        ]
    );
    let email = header.iter().position(|c| *c == "email").unwrap();
    for (line, p) in lines.zip(profiles.iter()) {
        let cols: Vec<&str> = line.split(',').collect();
        if cols.len() != header.len() {
            continue; // a quoted field with a comma; the email column is before it anyway
        }
        assert_eq!(cols[email], p.email());
        match table.get(p.contact()) {
            Some(one) => {
                assert_eq!(cols[n].parse::<f64>().unwrap(), one.p_alive);
                assert_eq!(cols[n + 3].parse::<f64>().unwrap(), one.expected_value);
            }
            None => assert!(cols[n..].iter().all(|c| c.is_empty())),
        }
    }
}
