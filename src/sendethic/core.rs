//! What every Sendethic handler holds: the shared state of one client (transport, account,
//! credentials) and the request draft it starts.

use std::fmt;
use std::sync::Arc;

use reqwest::Method;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue};

use super::types::ServerMessage;
use crate::error::{Error, Result};
use crate::http::{
    self, Body, HttpCall, HttpCore, RawRequest, RawResponse, Request, RequestOptions, Safety,
};

/// The largest `{size}` of the list endpoints.
pub const MAX_LIST_SIZE: u16 = 500;

/// The state shared by a client and its handlers (one `Arc`).
pub(crate) struct Core {
    http: Arc<HttpCore>,
    account_id: String,
    auth: HeaderValue,
}

impl fmt::Debug for Core {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("sendethic::Core")
            .field("account_id", &self.account_id)
            .field("api_key", &"<redacted>")
            .field("http", &self.http)
            .finish_non_exhaustive()
    }
}

impl Core {
    /// The core of a client authenticating as `account_id` with the `Authorization` value
    /// `auth` (marked sensitive by the caller).
    pub(crate) fn new(http: HttpCore, account_id: String, auth: HeaderValue) -> Self {
        Self {
            http: Arc::new(http),
            account_id,
            auth,
        }
    }

    /// The account id.
    pub(crate) fn account_id(&self) -> &str {
        &self.account_id
    }

    /// The base URL.
    pub(crate) fn base(&self) -> &url::Url {
        self.http.base()
    }

    /// Starts a request to the path made of `segments` (each percent-encoded); `template` is
    /// what traces record.
    pub(crate) fn request(
        &self,
        method: Method,
        template: &'static str,
        segments: &[&str],
    ) -> RequestDraft {
        let raw = http::endpoint(self.http.base(), segments).map(|url| {
            let mut raw = RawRequest::new(method, url, template);
            raw.headers.insert(AUTHORIZATION, self.auth.clone());
            raw.headers
                .insert(ACCEPT, HeaderValue::from_static("application/json"));
            raw
        });
        RequestDraft {
            http: Arc::clone(&self.http),
            safety: raw
                .as_ref()
                .map_or(Safety::Never, |r| Safety::of_method(&r.method)),
            raw,
        }
    }
}

/// A JSON request body.
pub(crate) fn json_body<B: serde::Serialize>(body: &B) -> Result<Body> {
    let bytes =
        serde_json::to_vec(body).map_err(|e| Error::invalid("request body", e.to_string()))?;
    Ok(Body::Json(bytes.into()))
}

/// A request being assembled by a handler.
pub(crate) struct RequestDraft {
    http: Arc<HttpCore>,
    raw: Result<RawRequest>,
    safety: Safety,
}

impl RequestDraft {
    /// Sets a JSON body.
    pub(crate) fn json<B: serde::Serialize>(self, body: B) -> Self {
        self.try_body(json_body(&body))
    }

    /// [`json`](Self::json) for a body that passed validation, or [`fail`](Self::fail) with
    /// the validation error (nothing is sent).
    pub(crate) fn try_json<B: serde::Serialize>(self, body: Result<B>) -> Self {
        self.try_body(body.and_then(|b| json_body(&b)))
    }

    /// Sets a body, or fails with the error that prevented building it.
    pub(crate) fn try_body(mut self, body: Result<Body>) -> Self {
        match body {
            Ok(body) => {
                if let Ok(raw) = &mut self.raw {
                    raw.body = Some(body);
                }
                self
            }
            Err(e) => self.fail(e),
        }
    }

    /// Replaces the request by an input error, reported when sending (before any I/O).
    pub(crate) fn fail(mut self, error: Error) -> Self {
        if self.raw.is_ok() {
            self.raw = Err(error);
        }
        self
    }

    /// Fails when a list `size` is outside `1..=500` (Sendethic has no pagination).
    pub(crate) fn size_checked(self, size: u16) -> Self {
        if (1..=MAX_LIST_SIZE).contains(&size) {
            self
        } else {
            self.fail(Error::invalid(
                format!("size {size}"),
                "list sizes go from 1 to 500 (Sendethic has no pagination)",
            ))
        }
    }

    /// Overrides whether the request may be sent again once it may have reached the server
    /// (by default: GET, PUT and DELETE may, POST may not).
    pub(crate) fn safety(mut self, safety: Safety) -> Self {
        self.safety = safety;
        self
    }

    /// The request itself with `options` applied, for callers that stream the response.
    pub(crate) fn into_raw(self, options: RequestOptions) -> Result<(Arc<HttpCore>, RawRequest)> {
        let mut raw = self.raw?;
        raw.retry_safe = self.safety == Safety::Safe;
        raw.options = options;
        Ok((self.http, raw))
    }

    /// Finishes with a decoder.
    pub(crate) fn decode<T: 'static>(self, decode: fn(&RawResponse) -> Result<T>) -> Request<T> {
        HttpCall::request(self.http, self.raw, self.safety, decode)
    }

    /// Finishes with the JSON decoder.
    pub(crate) fn decode_json<T: serde::de::DeserializeOwned + 'static>(self) -> Request<T> {
        self.decode(RawResponse::json::<T>)
    }

    /// Finishes with the raw body (file downloads).
    pub(crate) fn bytes(self) -> Request<bytes::Bytes> {
        self.decode(|r| Ok(r.body.clone()))
    }

    /// Finishes with the bare-string decoder.
    pub(crate) fn message(self) -> Request<ServerMessage> {
        self.decode(ServerMessage::decode)
    }
}
