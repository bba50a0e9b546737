//! What a Sendethic route sees of a request, and the shapes of the service's answers.

use serde_json::{Value, json};

use crate::testing::core::Reply;

/// A request as a resource route sees it.
pub(super) struct Call<'a> {
    /// HTTP method (`GET`, `POST`, ...).
    pub(super) method: &'a str,
    /// The decoded path below the API root (`/contact/attribute/a b@x.fr`).
    pub(super) path: &'a str,
    /// The decoded path segments after the resource prefix of the routing table.
    pub(super) rest: &'a [&'a str],
    /// The body, when it is JSON.
    pub(super) body: Option<&'a Value>,
    /// The raw body.
    pub(super) raw: &'a [u8],
    /// The request's `Content-Type`.
    pub(super) content_type: &'a str,
    /// The fake's base URL (`http://127.0.0.1:<port>/api/rest/v4/`), for download links.
    pub(super) base_url: &'a str,
}

impl Call<'_> {
    /// A string member of the JSON body.
    pub(super) fn str(&self, key: &str) -> Option<&str> {
        self.body.and_then(|b| b.get(key)).and_then(Value::as_str)
    }

    /// An integer member of the JSON body (number or numeric string).
    pub(super) fn int(&self, key: &str) -> Option<i64> {
        int_field(self.body, key)
    }
}

/// An integer member of a JSON object: a number or a numeric string.
pub(super) fn int_field(body: Option<&Value>, key: &str) -> Option<i64> {
    body.and_then(|b| b.get(key)).and_then(|v| {
        v.as_i64()
            .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
    })
}

/// A numeric id from a path segment.
pub(super) fn parse_id(s: &str) -> Option<i64> {
    s.parse().ok()
}

/// A page size from a path segment: 1 to 500.
pub(super) fn page_size(s: &str) -> Option<usize> {
    s.parse::<usize>().ok().filter(|s| (1..=500).contains(s))
}

/// A model as JSON.
pub(super) fn json_of<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// 404 `{"Message": "<what> not found."}`.
pub(super) fn not_found(what: &str) -> Reply {
    Reply::Json(404, json!({ "Message": format!("{what} not found.") }))
}

/// 400 `{"Message": ...}`.
pub(super) fn bad_request(message: impl Into<String>) -> Reply {
    Reply::Json(400, json!({ "Message": message.into() }))
}

/// 200 with a JSON string, the service's usual acknowledgement.
pub(super) fn message(text: impl Into<String>) -> Reply {
    Reply::Json(200, Value::String(text.into()))
}

/// 405: the resource exists, not with this method and shape.
pub(super) fn method_not_allowed() -> Reply {
    Reply::Json(405, json!({ "Message": "Method not allowed." }))
}

/// 404: no resource answers this method and path.
pub(super) fn no_route(method: &str, path: &str) -> Reply {
    Reply::Json(
        404,
        json!({ "Message": format!("No HTTP resource was found that matches {method} {path}.") }),
    )
}
