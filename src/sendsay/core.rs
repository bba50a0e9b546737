//! The state a client and its handlers share (one `Arc`): the HTTP core, the account, the
//! session, the learned `REDIRECT` prefix and the account timezone; and the road of one
//! action: body → session → `REDIRECT`s → envelope → decoder.

use std::any::Any;
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use reqwest::Method;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue};
use serde_json::{Map, Value};
use tracing::Instrument;
use url::Url;

use super::envelope;
use super::redirect::{MAX_REDIRECTS, StickyPrefix};
use super::safety;
use super::session::Session;
use crate::error::{Error, Result};
use crate::http::{Body, BoxFuture, Call, HttpCore, RawRequest, Request, RequestOptions, Safety};

/// The path template recorded in traces.
const TEMPLATE: &str = "/general/api/v100/json/{account}";

/// What every handler holds.
pub(crate) struct Core {
    http: HttpCore,
    account: String,
    session: Session,
    redirect: StickyPrefix,
    timezone: Option<chrono_tz::Tz>,
}

impl fmt::Debug for Core {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("sendsay::Client")
            .field("account", &self.account)
            .field("auth", &self.session)
            .field("redirect_prefix", &self.redirect.get())
            .field("timezone", &self.timezone)
            .field("core", &self.http)
            .finish()
    }
}

impl Core {
    pub(crate) fn new(
        http: HttpCore,
        account: String,
        session: Session,
        timezone: Option<chrono_tz::Tz>,
    ) -> Self {
        Self {
            http,
            account,
            session,
            redirect: StickyPrefix::default(),
            timezone,
        }
    }

    pub(crate) fn account(&self) -> &str {
        &self.account
    }

    pub(crate) fn base(&self) -> &Url {
        self.http.base()
    }

    pub(crate) fn redirect_prefix(&self) -> Option<String> {
        self.redirect.get()
    }

    pub(crate) fn timezone(&self) -> Option<chrono_tz::Tz> {
        self.timezone
    }

    pub(crate) fn login_count(&self) -> u64 {
        self.session.logins()
    }

    /// An instant as a wire datetime in the account timezone; a configuration error when
    /// none was configured.
    pub(crate) fn wire_datetime(&self, at: chrono::DateTime<chrono::Utc>) -> Result<String> {
        let tz = self.timezone.ok_or_else(|| {
            Error::config("no account timezone configured (ClientBuilder::timezone)")
        })?;
        Ok(at
            .with_timezone(&tz)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string())
    }

    /// Starts a typed request for `action` with its parameters.
    pub(crate) fn action<T: 'static>(
        self: &Arc<Self>,
        action: impl Into<Cow<'static, str>>,
        params: Result<Map<String, Value>>,
        decode: fn(Value) -> Result<T>,
    ) -> Request<T> {
        let action = action.into();
        let body = params.map(|params| {
            let mut body = Map::with_capacity(params.len() + 1);
            body.insert("action".into(), Value::String(action.to_string()));
            for (k, v) in params {
                if k != "action" {
                    body.insert(k, v);
                }
            }
            body
        });
        let safety = match &body {
            Ok(body) => safety::of(&action, body),
            Err(_) => Safety::Never,
        };
        let call = body.map(|body| {
            Box::new(ActionCall {
                core: Arc::clone(self),
                body,
                decode,
            }) as Box<dyn Call<T>>
        });
        Request::new("sendsay", action, safety, call)
    }

    /// Ends the session of a password client.
    pub(crate) async fn logout(&self) -> Result<()> {
        self.session.logout(self).await
    }

    /// Sends one action through the envelope layer: session, `REDIRECT`, `errors[]`.
    async fn execute(
        &self,
        body: Map<String, Value>,
        retry_safe: bool,
        options: &RequestOptions,
    ) -> Result<Value> {
        let action = body
            .get("action")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let request_id = next_request_id();
        let span =
            tracing::debug_span!("relance.sendsay", action = %action, request_id = %request_id);
        self.session
            .send(self, body, retry_safe, options)
            .instrument(span)
            .await
    }

    /// Posts `body`, following `REDIRECT`s; `errors[]` are checked first.
    pub(super) async fn post(
        &self,
        body: &Map<String, Value>,
        retry_safe: bool,
        options: &RequestOptions,
    ) -> Result<Value> {
        let bytes: bytes::Bytes = serde_json::to_vec(body)
            .map_err(|e| Error::invalid("request body", e.to_string()))?
            .into();
        for hop in 0..=MAX_REDIRECTS {
            let url = self.redirect.endpoint(self.base(), &self.account)?;
            let value = self
                .post_once(url, bytes.clone(), retry_safe, options)
                .await?;
            if let Some(target) = value.get("REDIRECT") {
                self.redirect.follow(self.base(), target, hop)?;
                continue;
            }
            envelope::log_warnings(&value);
            return Ok(value);
        }
        Err(Error::Protocol(
            format!("more than {MAX_REDIRECTS} REDIRECTs in a row").into(),
        ))
    }

    /// One POST of the JSON body to `url`, with the API key header when there is one; the
    /// reply's `errors[]` become the error.
    async fn post_once(
        &self,
        url: Url,
        bytes: bytes::Bytes,
        retry_safe: bool,
        options: &RequestOptions,
    ) -> Result<Value> {
        let mut raw = RawRequest::new(Method::POST, url, TEMPLATE);
        raw.retry_safe = retry_safe;
        raw.options = options.clone();
        raw.body = Some(Body::Json(bytes));
        raw.headers
            .insert(ACCEPT, HeaderValue::from_static("application/json"));
        if let Some(h) = self.session.header() {
            raw.headers.insert(AUTHORIZATION, h.clone());
        }
        // Decoding the envelope inside the send loop lets a retry-safe action be sent again
        // when its answer is cut or malformed, or says `rate_limit`.
        let decoded = self
            .http
            .execute_decoded(raw, |response| {
                let value: Value = response.json()?;
                match envelope::envelope_error(response.status, &value, &response.body) {
                    Some(api) => Err(envelope::into_error(api)),
                    None => Ok(value),
                }
            })
            .await;
        match decoded {
            Err(Error::Api(api)) => Err(envelope::into_error(envelope::enrich_http(*api))),
            other => other,
        }
    }
}

/// One Sendsay action: its body, sent through the envelope layer, then decoded.
struct ActionCall<T> {
    core: Arc<Core>,
    body: Map<String, Value>,
    decode: fn(Value) -> Result<T>,
}

impl<T: 'static> Call<T> for ActionCall<T> {
    fn send(self: Box<Self>, retry_safe: bool, options: RequestOptions) -> BoxFuture<Result<T>> {
        let Self { core, body, decode } = *self;
        Box::pin(async move {
            let value = core.execute(body, retry_safe, &options).await?;
            decode(value)
        })
    }

    /// The body (action and parameters, without authentication), for a `batch`.
    fn into_any(self: Box<Self>) -> Box<dyn Any + Send> {
        Box::new(self.body)
    }
}

/// The body of a request built by this client, for a `batch`; an input error when the
/// request was built from invalid input.
pub(crate) fn request_body<T: 'static>(request: Request<T>) -> Result<Map<String, Value>> {
    request.into_call().and_then(|call| {
        call.downcast::<Map<String, Value>>()
            .map(|body| *body)
            .map_err(|_| Error::invalid("batch", "not a Sendsay request"))
    })
}

/// A request id for traces: `relance-<version>-<random>-<counter>`.
fn next_request_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    format!(
        "relance-{}-{:x}-{}",
        env!("CARGO_PKG_VERSION"),
        fastrand::u32(..),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_unique_and_tagged() {
        let a = next_request_id();
        let b = next_request_id();
        assert!(a.starts_with(concat!("relance-", env!("CARGO_PKG_VERSION"), "-")));
        assert_ne!(a, b);
    }
}
