//! A fake's answer, and the HTTP response that carries it.

use bytes::Bytes;
use serde_json::Value;

/// A status with a JSON document, a plain-text body or raw bytes of a given type.
#[derive(Debug)]
pub(crate) enum Reply {
    /// A JSON document.
    Json(u16, Value),
    /// A `text/plain` body.
    Text(u16, &'static str),
    /// Raw bytes with their content type.
    Bytes(u16, Vec<u8>, &'static str),
}

impl Reply {
    /// The status, content type and body of this reply.
    pub(crate) fn into_parts(self) -> (u16, &'static str, Bytes) {
        match self {
            Self::Json(status, body) => (
                status,
                "application/json",
                Bytes::from(serde_json::to_vec(&body).unwrap_or_default()),
            ),
            Self::Text(status, text) => (status, "text/plain", Bytes::from_static(text.as_bytes())),
            Self::Bytes(status, bytes, content_type) => (status, content_type, Bytes::from(bytes)),
        }
    }
}
