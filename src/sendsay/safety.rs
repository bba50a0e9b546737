//! Retry safety by action. Every call is a POST, so the HTTP method says nothing: the action
//! (and, for `stat.uni` and lists, whether the result is saved as a job) decides whether a
//! call may be sent again once it may have reached the service.

use serde_json::{Map, Value};

use crate::http::Safety;

/// The retry safety of `action` sent with `body`.
pub(crate) fn of(action: &str, body: &Map<String, Value>) -> Safety {
    if is_retry_safe(action, body) {
        Safety::Safe
    } else {
        Safety::Never
    }
}

/// Whether an action may be sent again after it may have reached the server: read-only
/// actions may, and so may `member.set` when it is idempotent by content (`if_exists`
/// `update` or `overwrite`, no confirmation letter: writing the same values twice leaves the
/// same member), `group.filter.set` (it replaces the rules by the same rules), and a
/// `batch` made only of such actions; sends, imports, deletes,
/// `stoplist.*`, `group.clean`, `group.snapshot`, creations and every other write never are.
#[allow(clippy::case_sensitive_file_extension_comparisons)]
fn is_retry_safe(action: &str, body: &Map<String, Value>) -> bool {
    let result = body.get("result").and_then(Value::as_str);
    match action {
        // Reads, and `group.filter.set`, which replaces a segment's rules by the same rules.
        "ping" | "pong" | "login" | "member.exists" | "member.find" | "track.get"
        | "sys.settings.get" | "group.filter.set" => true,
        "stat.uni" => result.is_none_or(|r| r == "response"),
        "member.set" => idempotent_member_set(body),
        "batch" => body
            .get("do")
            .and_then(Value::as_array)
            .is_some_and(|items| {
                !items.is_empty()
                    && items.iter().all(|item| {
                        item.as_object().is_some_and(|b| {
                            b.get("action")
                                .and_then(Value::as_str)
                                .is_some_and(|a| a != "batch" && is_retry_safe(a, b))
                        })
                    })
            }),
        "issue.send"
        | "issue.send.test"
        | "member.import"
        | "member.sendconfirm"
        | "sequence.member.start"
        | "member.delete"
        | "group.clean"
        | "group.snapshot" => false,
        a if a.starts_with("stoplist.") => false,
        a if a.ends_with(".get") || a.ends_with(".list") => result != Some("save"),
        _ => false,
    }
}

/// `member.set` that updates or overwrites and sends no letter (neither the confirmation nor
/// a welcome letter).
fn idempotent_member_set(body: &Map<String, Value>) -> bool {
    let updates = matches!(
        body.get("if_exists").and_then(Value::as_str),
        Some("update" | "overwrite")
    );
    let confirms = body.get("newbie.confirm").is_some_and(|v| {
        v.as_i64() == Some(1) || v.as_str() == Some("1") || v.as_bool() == Some(true)
    });
    // A welcome letter named by draft id is a send too.
    let letters =
        body.contains_key("newbie.letter.confirm") || body.contains_key("newbie.letter.no-confirm");
    updates && !confirms && !letters
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_safety_is_by_action() {
        let m = Map::new();
        let mut save = Map::new();
        save.insert("result".into(), "save".into());
        for a in [
            "ping",
            "pong",
            "member.get",
            "group.list",
            "member.exists",
            "member.find",
            "track.get",
            "stat.uni",
            "sys.settings.get",
            "anketa.get",
        ] {
            assert!(is_retry_safe(a, &m), "{a}");
        }
        for a in [
            "issue.send",
            "issue.send.test",
            "member.import",
            "member.sendconfirm",
            "sequence.member.start",
            "stoplist.add",
            "stoplist.get",
            "member.delete",
            "group.clean",
            "group.snapshot",
            "batch",
            "member.set",
            "group.create",
        ] {
            assert!(!is_retry_safe(a, &m), "{a}");
        }
        assert!(!is_retry_safe("stat.uni", &save));
        assert!(!is_retry_safe("member.list", &save));
        assert_eq!(of("pong", &m), Safety::Safe);
        assert_eq!(of("stat.uni", &save), Safety::Never);
    }

    #[test]
    fn member_set_and_batches_of_it_are_safe_only_when_idempotent() {
        let body = |v: serde_json::Value| v.as_object().unwrap().clone();
        let update =
            serde_json::json!({"action": "member.set", "email": "a@b.ru", "if_exists": "update"});
        assert!(is_retry_safe("member.set", &body(update.clone())));
        assert!(is_retry_safe(
            "member.set",
            &body(serde_json::json!({"if_exists": "overwrite"}))
        ));
        for unsafe_set in [
            serde_json::json!({"if_exists": "error"}),
            serde_json::json!({}),
            serde_json::json!({"if_exists": "update", "newbie.confirm": 1}),
            serde_json::json!({"if_exists": "update", "newbie.confirm": "1"}),
            serde_json::json!({"if_exists": "update", "newbie.letter.no-confirm": 12}),
        ] {
            assert!(
                !is_retry_safe("member.set", &body(unsafe_set.clone())),
                "{unsafe_set}"
            );
        }
        assert!(is_retry_safe(
            "group.filter.set",
            &body(serde_json::json!({"id": "p1"}))
        ));
        let batch = |items: Vec<serde_json::Value>| body(serde_json::json!({"do": items}));
        assert!(is_retry_safe(
            "batch",
            &batch(vec![update.clone(), update.clone()])
        ));
        assert!(!is_retry_safe("batch", &batch(vec![])));
        let send = serde_json::json!({"action": "issue.send"});
        assert!(!is_retry_safe("batch", &batch(vec![update.clone(), send])));
        let nested = serde_json::json!({"action": "batch", "do": [update]});
        assert!(!is_retry_safe("batch", &batch(vec![nested])));
    }
}
