//! `batch`: several actions in one call.

use std::fmt;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::core::{Core, request_body};
use super::envelope::{envelope_error, error_from_element};
use super::params::flag;
use crate::error::{ApiError, Error, Result};
use crate::http::Request;

/// The result of each action of a batch, in order.
pub type BatchResult = Vec<std::result::Result<Value, ApiError>>;

/// A `batch` being assembled. Created by [`Client::batch`](super::Client::batch); `.await` it
/// or call [`send`](Self::send). Sub-requests carry no authentication (it goes on the outer
/// call). A batch is never retried automatically. `Debug` never shows the bodies.
#[must_use = "a batch does nothing until it is awaited"]
pub struct Batch {
    core: Arc<Core>,
    stop_on_error: bool,
    items: Vec<Result<Map<String, Value>>>,
}

impl fmt::Debug for Batch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("sendsay::Batch")
            .field("stop_on_error", &self.stop_on_error)
            .field("len", &self.items.len())
            .finish_non_exhaustive()
    }
}

impl Batch {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self {
            core,
            stop_on_error: false,
            items: Vec::new(),
        }
    }

    /// Stops at the first failing action (`stop_on_error`; default off).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let r = client.batch().stop_on_error(true).push("pong", serde_json::Value::Null).await?;
    /// # Ok(()) }
    /// ```
    pub fn stop_on_error(mut self, stop: bool) -> Self {
        self.stop_on_error = stop;
        self
    }

    /// Adds an action with its parameters (a JSON object, or `null`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let r = client
    ///     .batch()
    ///     .push("stoplist.add", serde_json::json!({"list": ["c@d.ru"]}))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn push(mut self, action: &str, params: Value) -> Self {
        let item = match params {
            Value::Null => Ok(Map::new()),
            Value::Object(m) => Ok(m),
            _ => Err(Error::invalid(
                action,
                "batch params must be an object or null",
            )),
        }
        .and_then(|p| {
            if action.trim().is_empty() {
                return Err(Error::invalid("action", "the action name is empty"));
            }
            let mut m = Map::new();
            m.insert("action".into(), action.into());
            m.extend(p.into_iter().filter(|(k, _)| k != "action"));
            Ok(m)
        });
        self.items.push(item);
        self
    }

    /// Adds a typed request built by a handler (its decoder is not used: results come back
    /// as JSON).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// use relance::sendsay::MemberSet;
    /// let r = client
    ///     .batch()
    ///     .push_request(client.members().set(MemberSet::new("a@b.ru").add_to_group("main")))
    ///     .push_request(client.members().get("a@b.ru"))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn push_request<T: 'static>(mut self, request: Request<T>) -> Self {
        self.items.push(request_body(request));
        self
    }

    /// Sends the batch. The outer call fails only for transport, authentication or envelope
    /// errors; each action's own error comes back in its slot.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// for r in client.batch().push("pong", serde_json::Value::Null).send().await? {
    ///     match r { Ok(v) => println!("{v}"), Err(e) => eprintln!("{e}") }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<BatchResult> {
        if self.items.is_empty() {
            return Err(Error::invalid("do", "an empty batch"));
        }
        let items = self
            .items
            .into_iter()
            .map(|i| i.map(Value::Object))
            .collect::<Result<Vec<_>>>()?;
        let mut params = Map::new();
        params.insert("stop_on_error".into(), flag(self.stop_on_error));
        params.insert("do".into(), Value::Array(items));
        let request = self.core.action("batch", Ok(params), Ok);
        let reply = request.send().await?;
        let results = match reply.get("result") {
            Some(Value::Array(r)) => r.clone(),
            _ => Vec::new(),
        };
        Ok(results
            .into_iter()
            .map(
                |r| match envelope_error(200, &r, r.to_string().as_bytes()) {
                    Some(e) => Err(e),
                    None if r.get("errors").is_some() => {
                        Err(error_from_element(200, &r, r.to_string().as_bytes()))
                    }
                    None => Ok(r),
                },
            )
            .collect())
    }
}

impl std::future::IntoFuture for Batch {
    type Output = Result<BatchResult>;
    type IntoFuture = std::pin::Pin<Box<dyn std::future::Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
