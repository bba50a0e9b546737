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
/// actions may; sends, imports, deletes, `stoplist.*`, `group.clean`, `group.snapshot`,
/// `batch` and every write never are.
#[allow(clippy::case_sensitive_file_extension_comparisons)]
fn is_retry_safe(action: &str, body: &Map<String, Value>) -> bool {
    let result = body.get("result").and_then(Value::as_str);
    match action {
        "ping" | "pong" | "login" | "member.exists" | "member.find" | "track.get"
        | "sys.settings.get" => true,
        "stat.uni" => result.is_none_or(|r| r == "response"),
        "issue.send"
        | "issue.send.test"
        | "member.import"
        | "member.sendconfirm"
        | "sequence.member.start"
        | "member.delete"
        | "group.clean"
        | "group.snapshot"
        | "batch" => false,
        a if a.starts_with("stoplist.") => false,
        a if a.ends_with(".get") || a.ends_with(".list") => result != Some("save"),
        _ => false,
    }
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
}
