//! The reply envelope: `errors[]` (or a singular `error`) checked first, `warnings` logged,
//! and the decoders that turn a successful reply into a typed answer.

use serde_json::Value;

use super::errors::{SendsayErrorExt, explain_text, hint};
use super::ids::TrackId;
use super::types::Accepted;
use crate::error::{ApiError, Error, Result, truncate};

/// Builds the API error of a failed envelope, if the reply has `errors[]` or `error`.
pub(crate) fn envelope_error(status: u16, reply: &Value, raw: &[u8]) -> Option<ApiError> {
    let first = match reply.get("errors") {
        Some(Value::Array(items)) => items.first().cloned(),
        Some(Value::Null) | None => None,
        Some(other) => Some(other.clone()),
    }
    .or_else(|| reply.get("error").filter(|e| !e.is_null()).cloned())?;
    Some(error_from_element(status, &first, raw))
}

/// Builds an API error from one `errors[]` element (an object, or a bare id string).
pub(crate) fn error_from_element(status: u16, element: &Value, raw: &[u8]) -> ApiError {
    let (id, explain) = match element {
        Value::Object(m) => (
            m.get("id")
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned)),
            m.get("explain").cloned(),
        ),
        Value::String(s) => (Some(s.clone()), None),
        other => (None, Some(other.clone())),
    };
    let mut message = explain
        .as_ref()
        .map(explain_text)
        .filter(|m| !m.is_empty())
        .or_else(|| id.clone())
        .unwrap_or_else(|| "error".to_owned());
    if let Some(h) = hint(id.as_deref(), explain.as_ref()) {
        message = format!("{message} ({h})");
    }
    ApiError {
        status,
        code: id,
        message,
        details: explain.or_else(|| Some(element.clone())),
        body: truncate(&String::from_utf8_lossy(raw)),
    }
}

/// A non-2xx answer whose JSON body carries `errors[]` gets the id and explanation.
pub(crate) fn enrich_http(api: ApiError) -> ApiError {
    match api
        .details
        .as_ref()
        .and_then(|d| envelope_error(api.status, d, api.body.as_bytes()))
    {
        Some(mut better) => {
            better.body = api.body;
            better
        }
        None => api,
    }
}

/// The crate error for a Sendsay API error: `rate_limit` is a [`Error::RateLimited`]
/// (keeping the API error), anything else an [`Error::Api`].
pub(crate) fn into_error(api: ApiError) -> Error {
    if api.code.as_deref() == Some("rate_limit") {
        Error::RateLimited {
            retry_after: None,
            body: api.body.clone(),
            api: Some(Box::new(api)),
        }
    } else {
        api.into()
    }
}

/// Whether the error is `error/auth/failed` + `expired`.
pub(crate) fn is_expired(api: &ApiError) -> bool {
    api.is_session_expired()
}

/// Logs the `warnings` of a successful reply (their shape is undocumented).
pub(crate) fn log_warnings(reply: &Value) {
    if let Some(w) = reply.get("warnings") {
        tracing::debug!(warnings = %w, "Sendsay answered with warnings");
    }
}

/// Decodes a reply value, reporting the JSON path on failure.
pub(crate) fn from_value<T: serde::de::DeserializeOwned>(v: Value) -> Result<T> {
    let text = v.to_string();
    serde_path_to_error::deserialize(v).map_err(|e| Error::Decode {
        status: 200,
        path: e.path().to_string(),
        body: truncate(&text),
        source: e.into_inner(),
    })
}

/// Decodes the reply's `obj` (or the reply itself when it has none).
pub(crate) fn obj<T: serde::de::DeserializeOwned>(mut v: Value) -> Result<T> {
    match v.get_mut("obj") {
        Some(o) => from_value(o.take()),
        None => from_value(v),
    }
}

/// Decodes the reply's `list` as a vector (a map becomes its values; absent = empty).
pub(crate) fn list<T: serde::de::DeserializeOwned>(mut v: Value) -> Result<Vec<T>> {
    let items = match v.get_mut("list").map(Value::take) {
        Some(Value::Array(a)) => a,
        Some(Value::Object(m)) => m.into_iter().map(|(_, v)| v).collect(),
        _ => Vec::new(),
    };
    from_value(Value::Array(items))
}

/// Decodes an answer that may start a job.
pub(crate) fn accepted(v: Value) -> Result<Accepted> {
    from_value(v)
}

/// Decodes an answer that must start a job.
pub(crate) fn track_id(v: Value) -> Result<TrackId> {
    let accepted: Accepted = from_value(v)?;
    accepted
        .track_id
        .filter(|t| !t.0.is_empty())
        .ok_or_else(|| Error::Protocol("the answer has no track.id".into()))
}

/// Decodes the `id` of a created object.
#[allow(clippy::needless_pass_by_value)]
pub(crate) fn created_id<I: From<String>>(v: Value) -> Result<I> {
    match v.get("id") {
        Some(Value::String(s)) => Ok(I::from(s.clone())),
        Some(Value::Number(n)) => Ok(I::from(n.to_string())),
        _ => Err(Error::Protocol("the answer has no id".into())),
    }
}

/// Ignores the answer.
#[allow(clippy::unnecessary_wraps)]
pub(crate) fn unit(_: Value) -> Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sendsay::SendsayErrorId;
    use serde_json::json;

    #[test]
    fn string_and_non_string_explanations() {
        let raw = br#"{"errors":[{"id":"wrong_group_id","explain":["p99"]}]}"#;
        let v: Value = serde_json::from_slice(raw).unwrap();
        let e = envelope_error(200, &v, raw).unwrap();
        assert_eq!(e.code.as_deref(), Some("wrong_group_id"));
        assert_eq!(e.message, "p99");
        assert_eq!(e.details, Some(json!(["p99"])));
        assert_eq!(e.sendsay_error_id(), Some(SendsayErrorId::WrongGroupId));

        let v = json!({"errors":[{"id":"x/y","explain":{"field":"email","why":1}}]});
        let e = envelope_error(200, &v, b"").unwrap();
        assert_eq!(e.details, Some(json!({"field":"email","why":1})));
        assert!(e.message.contains("\"field\""));

        let v = json!({"error":{"id":"error/auth/failed","explain":"expired"}});
        let e = envelope_error(200, &v, b"").unwrap();
        assert!(e.is_session_expired());
        assert!(!e.is_wrong_credentials());

        let v = json!({"errors":[]});
        assert!(envelope_error(200, &v, b"").is_none());
        assert!(envelope_error(200, &json!({"obj":{}}), b"").is_none());
    }

    #[test]
    fn limit_heuristic_and_hints() {
        let e = error_from_element(
            200,
            &json!({"id":"error/member/limit","explain":"too many"}),
            b"",
        );
        assert!(e.is_limit_reached());
        assert!(e.message.contains("200 contacts"), "{}", e.message);
        let e = error_from_element(200, &json!({"id":"rate_limit"}), b"");
        assert!(!e.is_limit_reached());
        let e = into_error(e);
        assert!(matches!(e, Error::RateLimited { .. }), "{e:?}");
        assert_eq!(e.sendsay_error_id(), Some(SendsayErrorId::RateLimit));
        assert!(e.is_retryable());
        let e = error_from_element(200, &json!({"id":"error/sender/unknown"}), b"");
        assert!(e.message.contains("confirmed"), "{}", e.message);
        let e = error_from_element(200, &json!("group_id_not_exists"), b"");
        assert_eq!(e.message, "group_id_not_exists");
    }
}
