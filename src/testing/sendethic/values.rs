//! What `FakeSendethic` refuses in contact values, and how: a bulk write drops such a contact
//! and answers a short `"N contact(s) affected."`; a single upsert answers 400.
//!
//! The real service's exact rules are **unknown** (its API documents none): these are the
//! fake's, chosen to look like what an ASP.NET service over SQL Server would refuse, so that
//! clients meet dropped contacts in tests:
//! - an email (the contact key when it holds an `@`, and the `email` field) whose local part
//!   has consecutive dots or starts or ends with a dot, or that lacks a dotted domain;
//! - a `Number` field value that is not a plain decimal with a `.` (`NaN`, `inf`, `12,50`,
//!   `1e3`);
//! - a `DateTime` field value that is not `yyyy-MM-dd HH:mm:ss` (an optional `+0000`) with a
//!   year from 1753 to 9999 (the SQL Server `datetime` range);
//! - a selection value id the field does not have;
//! - a contact key the test marked with `FakeSendethic::refuse_contact` (a refusal no client
//!   can foresee: a blocked address, a rule of the account).
//!
//! An empty value always passes (it clears the field).

use chrono::{Datelike, NaiveDateTime};

use super::state::State;
use crate::sendethic::FieldFormat;

/// Why the fake refuses this contact's values, if it does.
pub(super) fn refusal(state: &State, key: &str, attrs: &[(String, String)]) -> Option<String> {
    if state
        .refused_keys
        .contains(&super::contacts::normalize_key(key))
    {
        return Some(format!(
            "The contact {key} is refused by the account's rules."
        ));
    }
    if key.contains('@') && !email_ok(key) {
        return Some(format!("The email address {key} is invalid."));
    }
    for (id, value) in attrs {
        if value.is_empty() {
            continue;
        }
        if id == "email" && !email_ok(value) {
            return Some(format!("The email address {value} is invalid."));
        }
        let Some(field) = id.parse::<i64>().ok().and_then(|n| state.fields.get(&n)) else {
            continue;
        };
        let ok = match &field.format {
            FieldFormat::Number => number_ok(value),
            FieldFormat::DateTime => date_ok(value),
            FieldFormat::SingleSelection | FieldFormat::MultipleSelection => value
                .split(',')
                .all(|v| field.values.iter().any(|x| x.id.to_string() == v.trim())),
            _ => true,
        };
        if !ok {
            return Some(format!(
                "The value '{value}' is invalid for the field {}.",
                field.name
            ));
        }
    }
    None
}

fn email_ok(email: &str) -> bool {
    let Some((local, domain)) = email.trim().rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
}

fn number_ok(value: &str) -> bool {
    let digits = value.strip_prefix('-').unwrap_or(value);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    !int.is_empty()
        && !frac.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

fn date_ok(value: &str) -> bool {
    let plain = value.trim().trim_end_matches("+0000").trim_end();
    NaiveDateTime::parse_from_str(plain, "%Y-%m-%d %H:%M:%S")
        .is_ok_and(|d| (1753..=9999).contains(&d.year()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fakes_rules() {
        for ok in ["a@b.fr", "a.b@c.d.fr", "x+y@z.io"] {
            assert!(email_ok(ok), "{ok}");
        }
        for bad in [
            "john..doe@x.fr",
            ".a@x.fr",
            "a.@x.fr",
            "a@x",
            "a@.x.fr",
            "ax.fr",
        ] {
            assert!(!email_ok(bad), "{bad}");
        }
        for ok in ["0", "12.50", "-3", "1000000.001"] {
            assert!(number_ok(ok), "{ok}");
        }
        for bad in ["NaN", "inf", "12,50", "1e3", "", ".5", "5.", "--1"] {
            assert!(!number_ok(bad), "{bad}");
        }
        for ok in [
            "2024-05-01 10:00:00",
            "1753-01-01 00:00:00",
            "9999-12-31 23:59:59+0000",
        ] {
            assert!(date_ok(ok), "{ok}");
        }
        for bad in [
            "0000-01-01 00:00:00",
            "1752-12-31 23:59:59",
            "2024-05-01",
            "10000-01-01 00:00:00",
        ] {
            assert!(!date_ok(bad), "{bad}");
        }
    }
}
