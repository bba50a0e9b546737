//! How `FakeSendethic` evaluates a segment criterion against a contact's stored attributes
//! (dates against the fake's clock, the real time unless set).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::sendethic::{CriterionTest, FieldRef, OptIn, Timestamp};

/// Whether a contact with these attributes (by field id) satisfies `condition`.
pub(super) fn evaluate(
    condition: &CriterionTest,
    attrs: &BTreeMap<String, String>,
    now: DateTime<Utc>,
) -> bool {
    let get = |f: &FieldRef| {
        attrs
            .get(&f.as_wire())
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    };
    let num = |f: &FieldRef| get(f).and_then(|v| v.parse::<f64>().ok());
    let date = |f: &FieldRef| get(f).and_then(|v| Timestamp::parse(v).datetime());
    let days_ago = |d: u32| now - chrono::Duration::days(i64::from(d));
    match condition {
        CriterionTest::SelectionEquals { field, value } => {
            get(field).is_some_and(|v| v.split(',').any(|x| x.trim() == value.to_string()))
        }
        CriterionTest::TextNotEmpty { field } => get(field).is_some(),
        CriterionTest::TextEmpty { field } => get(field).is_none(),
        CriterionTest::NumberEquals { field, value } => num(field)
            .zip(value.parse::<f64>().ok())
            .is_some_and(|(a, b)| (a - b).abs() < 1e-9),
        CriterionTest::NumberAtLeast { field, value } => num(field)
            .zip(value.parse::<f64>().ok())
            .is_some_and(|(a, b)| a >= b),
        CriterionTest::NumberGreaterThan { field, value } => num(field)
            .zip(value.parse::<f64>().ok())
            .is_some_and(|(a, b)| a > b),
        // The negation of `num-higher`; the fake counts only contacts with a value.
        CriterionTest::NumberBelow { field, value } => num(field)
            .zip(value.parse::<f64>().ok())
            .is_some_and(|(a, b)| a < b),
        CriterionTest::DateSet { field } => date(field).is_some(),
        CriterionTest::DateWithinLastDays { field, days } => {
            date(field).is_some_and(|d| d > days_ago(*days))
        }
        // "More than N days ago" includes the instant exactly N days before now, the
        // boundary rule `relance` documents for its local evaluation (`date <= as_of - N`).
        CriterionTest::DateOlderThanDays { field, days } => {
            date(field).is_some_and(|d| d <= days_ago(*days))
        }
        CriterionTest::UnsubscribedFromEmail => {
            attrs
                .get("emailunsubscriptiondate")
                .is_some_and(|v| !v.trim().is_empty())
                || attrs
                    .get("emailoptin")
                    .is_some_and(|v| !v.is_empty() && OptIn::parse(v).is_opted_in() == Some(false))
        }
    }
}
