//! The `a/op/v` conditions of Sendsay filters (segments, `track.list`, `stat.uni`), and how
//! the fake compares values: as numbers when both sides are numbers, as date-times when both
//! are dates (`YYYY-MM-DD`, `YYYY-MM-DD hh`, `YYYY-MM-DD hh:mm`, `YYYY-MM-DD hh:mm:ss`), else
//! as text. Relative dates (`CURRENT`, `current - 7 DAY`, `current -1 days`,
//! `current - 2 days - 1 second`) are read against the fake's clock in the account's time.

use std::cmp::Ordering;

use chrono::{Months, NaiveDate, NaiveDateTime, TimeDelta};
use serde_json::Value;

use super::call::as_text;

fn as_num(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A wire date-time in one of the documented precisions.
fn as_datetime(v: &Value) -> Option<NaiveDateTime> {
    let s = v.as_str()?.trim();
    for format in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(d) = NaiveDateTime::parse_from_str(s, format) {
            return Some(d);
        }
    }
    if let Ok(d) = NaiveDateTime::parse_from_str(&format!("{s}:00"), "%Y-%m-%d %H:%M") {
        return Some(d);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .map(|d| d.and_time(chrono::NaiveTime::MIN))
}

/// A relative date (`current`, then `+`/`-` terms of a number and a unit) at `now`.
fn relative(v: &str, now: NaiveDateTime) -> Option<NaiveDateTime> {
    let rest = v.trim().to_ascii_lowercase();
    let mut rest = rest.strip_prefix("current")?.trim_start();
    let mut at = now;
    while !rest.is_empty() {
        let (sign, after) = match rest.as_bytes()[0] {
            b'-' => (-1i64, &rest[1..]),
            b'+' => (1, &rest[1..]),
            _ => return None,
        };
        let after = after.trim_start();
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let n: i64 = after[..digits].parse().ok()?;
        let after = after[digits..].trim_start();
        let unit_len = after.bytes().take_while(u8::is_ascii_alphabetic).count();
        let unit = after[..unit_len].trim_end_matches('s');
        let n = sign * n;
        at = match unit {
            "second" => at + TimeDelta::seconds(n),
            "minute" => at + TimeDelta::minutes(n),
            "hour" => at + TimeDelta::hours(n),
            "day" => at + TimeDelta::days(n),
            "week" => at + TimeDelta::weeks(n),
            "month" => {
                let m = Months::new(u32::try_from(n.unsigned_abs()).ok()?);
                if n < 0 {
                    at.checked_sub_months(m)?
                } else {
                    at.checked_add_months(m)?
                }
            }
            "year" => {
                let m = Months::new(u32::try_from(n.unsigned_abs() * 12).ok()?);
                if n < 0 {
                    at.checked_sub_months(m)?
                } else {
                    at.checked_add_months(m)?
                }
            }
            _ => return None,
        };
        rest = after[unit_len..].trim_start();
    }
    Some(at)
}

/// Compares two values: numerically when both are numbers, as date-times when both are
/// dates, else as text.
pub(super) fn cmp_values(a: &Value, b: &Value) -> Ordering {
    match (as_num(a), as_num(b)) {
        (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        _ => match (as_datetime(a), as_datetime(b)) {
            (Some(x), Some(y)) => x.cmp(&y),
            _ => as_text(a).cmp(&as_text(b)),
        },
    }
}

/// Whether every condition of `filter` holds for the attributes `attr` reads (no filter: all),
/// relative dates read at `now` (the account's local time).
pub(super) fn matches_filter(
    filter: &Value,
    now: NaiveDateTime,
    attr: impl Fn(&str) -> Option<Value>,
) -> bool {
    let Some(conds) = filter.as_array() else {
        return true;
    };
    conds.iter().all(|c| {
        let a = c.get("a").and_then(Value::as_str).unwrap_or("");
        let op = c.get("op").and_then(Value::as_str).unwrap_or("");
        let mut v = c.get("v").cloned().unwrap_or(Value::Null);
        if let Some(at) = v.as_str().and_then(|s| relative(s, now)) {
            v = Value::String(at.format("%Y-%m-%d %H:%M:%S").to_string());
        }
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
            ("<", Some(g)) => cmp_values(&g, &v).is_lt(),
            ("!=", Some(g)) => !cmp_values(&g, &v).is_eq(),
            _ => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_dates_read_against_the_clock() {
        let now = NaiveDate::from_ymd_opt(2024, 3, 31)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap();
        let at = |s: &str| relative(s, now).map(|d| d.to_string());
        assert_eq!(at("CURRENT").as_deref(), Some("2024-03-31 12:00:00"));
        assert_eq!(
            at("current - 7 DAY").as_deref(),
            Some("2024-03-24 12:00:00")
        );
        assert_eq!(
            at("current -1 days").as_deref(),
            Some("2024-03-30 12:00:00")
        );
        assert_eq!(
            at("current - 2 days - 1 second").as_deref(),
            Some("2024-03-29 11:59:59")
        );
        assert_eq!(
            at("current - 1 month").as_deref(),
            Some("2024-02-29 12:00:00")
        );
        assert_eq!(at("2024-01-01"), None);
        assert_eq!(at("current - x DAY"), None);
        // Dates of different precisions compare as instants, not text.
        let (day, second) = (
            Value::from("2024-03-24"),
            Value::from("2024-03-24 00:00:00"),
        );
        assert_eq!(cmp_values(&day, &second), Ordering::Equal);
        let filter = serde_json::json!([{"a": "d", "op": ">", "v": "current - 7 DAY"}]);
        let on = |d: &str| matches_filter(&filter, now, |_| Some(Value::from(d)));
        assert!(on("2024-03-24 12:00:01"));
        assert!(!on("2024-03-24 12:00:00"));
    }
}
