//! The `a/op/v` conditions of Sendsay filters (segments, `track.list`, `stat.uni`), and how
//! the fake compares values: as numbers when both sides are numbers, else as text.

use std::cmp::Ordering;

use serde_json::Value;

use super::call::as_text;

fn as_num(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Compares two values: numerically when both are numbers, else as text.
pub(super) fn cmp_values(a: &Value, b: &Value) -> Ordering {
    match (as_num(a), as_num(b)) {
        (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        _ => as_text(a).cmp(&as_text(b)),
    }
}

/// Whether every condition of `filter` holds for the attributes `attr` reads (no filter: all).
pub(super) fn matches_filter(filter: &Value, attr: impl Fn(&str) -> Option<Value>) -> bool {
    let Some(conds) = filter.as_array() else {
        return true;
    };
    conds.iter().all(|c| {
        let a = c.get("a").and_then(Value::as_str).unwrap_or("");
        let op = c.get("op").and_then(Value::as_str).unwrap_or("");
        let v = c.get("v").cloned().unwrap_or(Value::Null);
        let got = attr(a);
        match (op, got) {
            ("!is_null", g) => g.is_some_and(|g| !g.is_null() && g != ""),
            ("in", Some(g)) => v
                .as_array()
                .is_some_and(|vs| vs.iter().any(|x| cmp_values(&g, x).is_eq())),
            ("==", Some(g)) => cmp_values(&g, &v).is_eq(),
            (">=", Some(g)) => cmp_values(&g, &v).is_ge(),
            ("<=", Some(g)) => cmp_values(&g, &v).is_le(),
            (">", Some(g)) => cmp_values(&g, &v).is_gt(),
            _ => false,
        }
    })
}
