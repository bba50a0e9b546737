//! Statistics of `FakeSendsay` (`stat.uni`) over the recorded deliveries (`deliv.*`) or
//! issues (`issue.*`): filters, `order`, `skip`/`first`, `count(*)` grouped by the other
//! columns, and saved reports (a job).

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::call::{Action, Answer, Params, as_text, bad, page, s};
use super::filter::{cmp_values, matches_filter};
use super::state::State;
use super::tracks;
use crate::testing::core::strings;

/// The actions of this module.
pub(super) const ACTIONS: &[(&str, Action)] = &[("stat.uni", uni)];

/// A row of an area: column → value.
type Row = Map<String, Value>;

/// A column without its modifier (`deliv.issue.dt:YD` → `deliv.issue.dt`).
fn strip_modifier(col: &str) -> &str {
    col.split(':').next().unwrap_or(col)
}

/// The rows of the area the first plain column names.
fn source(state: &State, select: &[String]) -> Result<Vec<Row>, (String, Value)> {
    let area = select
        .iter()
        .find(|c| !c.contains('('))
        .map_or("deliv", |c| c.split('.').next().unwrap_or(""));
    match area {
        "deliv" => Ok(state.deliveries.clone()),
        "issue" => Ok(state
            .issues
            .iter()
            .filter_map(|i| i.get("summary").and_then(Value::as_object).cloned())
            .collect()),
        other => Err((
            "error/params/invalid".into(),
            format!("area {other} is not supported by the fake").into(),
        )),
    }
}

/// `count(*)` rows: one per distinct value of the other columns.
fn grouped(select: &[String], rows: &[Row]) -> Vec<Vec<Value>> {
    let keys: Vec<&String> = select.iter().filter(|c| *c != "count(*)").collect();
    let mut groups: BTreeMap<Vec<String>, (Vec<Value>, i64)> = BTreeMap::new();
    for r in rows {
        let vals: Vec<Value> = keys
            .iter()
            .map(|k| r.get(strip_modifier(k)).cloned().unwrap_or(Value::Null))
            .collect();
        let key: Vec<String> = vals.iter().map(as_text).collect();
        groups.entry(key).or_insert((vals, 0)).1 += 1;
    }
    groups
        .into_values()
        .map(|(vals, n)| {
            let mut it = vals.into_iter();
            select
                .iter()
                .map(|c| {
                    if c == "count(*)" {
                        Value::from(n.to_string())
                    } else {
                        it.next().unwrap_or(Value::Null)
                    }
                })
                .collect()
        })
        .collect()
}

/// Plain rows in `order` (columns, `-` for descending), values as text.
fn ordered(select: &[String], mut rows: Vec<Row>, order: Option<&Value>) -> Vec<Vec<Value>> {
    if let Some(Value::Array(order)) = order {
        for o in order.iter().rev().filter_map(Value::as_str) {
            let (desc, col) = o.strip_prefix('-').map_or((false, o), |c| (true, c));
            let col = strip_modifier(col);
            rows.sort_by(|x, y| {
                let c = cmp_values(
                    x.get(col).unwrap_or(&Value::Null),
                    y.get(col).unwrap_or(&Value::Null),
                );
                if desc { c.reverse() } else { c }
            });
        }
    }
    rows.iter()
        .map(|r| {
            select
                .iter()
                .map(|c| {
                    r.get(strip_modifier(c))
                        .map_or(Value::Null, |v| Value::String(as_text(v)))
                })
                .collect()
        })
        .collect()
}

fn uni(state: &mut State, b: &Params) -> Answer {
    let select = strings(b.get("select"));
    if select.is_empty() {
        return bad("select is required (join is not supported by the fake)");
    }
    let filter = b.get("filter").cloned().unwrap_or(Value::Null);
    let now = state.local_now();
    let rows: Vec<Row> = source(state, &select)?
        .into_iter()
        .filter(|r| matches_filter(&filter, now, |a| r.get(strip_modifier(a)).cloned()))
        .collect();
    let out = if select.iter().any(|c| c == "count(*)") {
        grouped(&select, &rows)
    } else {
        ordered(&select, rows, b.get("order"))
    };
    let out = page(b, out);
    if s(b, "result") == Some("save") {
        let mut param = Map::new();
        param.insert(
            "report_file".into(),
            format!("report_{}.csv", state.peek_id()).into(),
        );
        param.insert("rows".into(), out.len().into());
        return Ok(json!({ "track.id": tracks::start(state, "stat.uni", param, None) }));
    }
    Ok(json!({ "list": out }))
}
