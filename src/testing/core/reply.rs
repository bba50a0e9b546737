//! A fake's answer before it becomes a wiremock response.

use serde_json::Value;
use wiremock::ResponseTemplate;

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
    /// The wiremock response carrying this reply.
    pub(crate) fn into_template(self) -> ResponseTemplate {
        match self {
            Self::Json(status, body) => ResponseTemplate::new(status).set_body_json(body),
            Self::Text(status, text) => {
                ResponseTemplate::new(status).set_body_raw(text, "text/plain")
            }
            Self::Bytes(status, bytes, content_type) => {
                ResponseTemplate::new(status).set_body_raw(bytes, content_type)
            }
        }
    }
}
