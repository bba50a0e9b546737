//! The loopback server both fakes run on, and the pipeline every request goes through: locate
//! it (or refuse it), record it, apply the first matching fault, process it, answer.
//!
//! A small HTTP/1.1 server of its own (on `hyper`) rather than a mock server, so that faults
//! can do what networks do: close a connection without an answer, or cut an answer mid-body.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::Frame;
use hyper::service::service_fn;
use reqwest::Method;
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, HeaderValue};
use tokio::net::TcpListener;
use url::Url;

use super::fault::{Action, Fault, FaultOutcome, Faults};
use super::{Reply, lock};

/// A request received by a fake.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// HTTP method (`GET`, `POST`, ...).
    pub method: String,
    /// Path below the API root, percent-decoded (`/contact/attribute/a b@x.fr`).
    pub path: String,
    /// The request body as text.
    pub body: String,
    /// The name of the injected fault that hit this request, if one did (see
    /// [`Fault::named`]).
    pub fault: Option<String>,
}

/// A request as a fake's service sees it.
#[derive(Debug)]
pub(crate) struct Incoming {
    pub(crate) method: Method,
    pub(crate) url: Url,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

/// What one fake service adds to the shared pipeline.
pub(crate) trait Service: Send + Sync + 'static {
    /// What [`locate`](Self::locate) learnt of a request that [`answer`](Self::answer) needs.
    type Located;

    /// The path the request is recorded and matched against faults under, with what the
    /// answer needs; or, for a request the service would not route at all, its answer
    /// (neither recorded nor faulted).
    fn locate(&self, request: &Incoming) -> Result<(String, Self::Located), Reply>;

    /// Processes a located request and answers it.
    fn answer(&self, request: &Incoming, located: Self::Located) -> Reply;
}

/// A running fake: the loopback server and what answers on it. Cloning shares both; the
/// server stops accepting connections when the last clone is dropped.
#[derive(Debug)]
pub(crate) struct FakeServer<S> {
    origin: String,
    shared: Arc<Shared<S>>,
    accepting: Arc<AbortOnDrop>,
}

impl<S> Clone for FakeServer<S> {
    fn clone(&self) -> Self {
        Self {
            origin: self.origin.clone(),
            shared: self.shared.clone(),
            accepting: self.accepting.clone(),
        }
    }
}

/// The accept loop, stopped with the last handle.
#[derive(Debug)]
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A service with its fault list and its request log.
#[derive(Debug)]
struct Shared<S> {
    service: S,
    faults: Faults,
    requests: Mutex<Vec<RecordedRequest>>,
}

type Body = BoxBody<Bytes, std::io::Error>;

/// What the pipeline sends back: an answer, or nothing (the connection is closed).
enum Outcome {
    Answer(hyper::Response<Body>),
    Drop,
}

impl<S: Service> FakeServer<S> {
    /// Starts a loopback server answering every request through the service that `service`
    /// builds from the server's origin (`http://127.0.0.1:<port>`); `seed` makes
    /// probabilistic faults deterministic.
    ///
    /// # Panics
    /// When no loopback port can be bound (a test environment without networking).
    pub(crate) async fn start(service: impl FnOnce(&str) -> S, seed: u64) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("the fake cannot listen on loopback: {e}"));
        let origin = format!(
            "http://{}",
            listener
                .local_addr()
                .unwrap_or_else(|e| panic!("the fake has no local address: {e}"))
        );
        let shared = Arc::new(Shared {
            service: service(&origin),
            faults: Faults::new(seed),
            requests: Mutex::new(Vec::new()),
        });
        let accepting = tokio::spawn(accept(listener, origin.clone(), shared.clone()));
        Self {
            origin,
            shared,
            accepting: Arc::new(AbortOnDrop(accepting)),
        }
    }

    /// The server's origin (`http://127.0.0.1:<port>`).
    pub(crate) fn origin(&self) -> String {
        self.origin.clone()
    }

    pub(crate) fn service(&self) -> &S {
        &self.shared.service
    }

    pub(crate) fn inject(&self, fault: Fault) {
        self.shared.faults.push(fault);
    }

    pub(crate) fn clear_faults(&self) {
        self.shared.faults.clear();
    }

    pub(crate) fn reseed(&self, seed: u64) {
        self.shared.faults.reseed(seed);
    }

    pub(crate) fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).clone()
    }

    /// How many recorded requests satisfy `filter`.
    pub(crate) fn count(&self, filter: impl Fn(&RecordedRequest) -> bool) -> usize {
        lock(&self.shared.requests)
            .iter()
            .filter(|r| filter(r))
            .count()
    }
}

/// Accepts connections and serves each on its own task.
async fn accept<S: Service>(listener: TcpListener, origin: String, shared: Arc<Shared<S>>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let shared = shared.clone();
        let origin = origin.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                let shared = shared.clone();
                let origin = origin.clone();
                async move {
                    match shared.handle(request, &origin).await {
                        Outcome::Answer(response) => Ok(response),
                        // An error makes the server close the connection without an answer.
                        Outcome::Drop => Err(std::io::Error::other("connection reset by the fake")),
                    }
                }
            });
            let io = hyper_util::rt::TokioIo::new(stream);
            // A connection the client or a fault closed is not an error of the fake.
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(io, service)
                .await;
        });
    }
}

impl<S: Service> Shared<S> {
    async fn handle(
        &self,
        request: hyper::Request<hyper::body::Incoming>,
        origin: &str,
    ) -> Outcome {
        let (parts, body) = request.into_parts();
        let Ok(body) = body.collect().await else {
            return Outcome::Drop;
        };
        let path_and_query = parts.uri.path_and_query().map_or("/", |p| p.as_str());
        let Ok(url) = Url::parse(&format!("{origin}{path_and_query}")) else {
            return Outcome::Answer(response(
                Reply::Text(400, "bad request target").into_parts(),
            ));
        };
        let request = Incoming {
            method: parts.method,
            url,
            headers: parts.headers,
            body: body.to_bytes().to_vec(),
        };
        let (path, located) = match self.service.locate(&request) {
            Ok(located) => located,
            Err(refusal) => return Outcome::Answer(response(refusal.into_parts())),
        };
        let method = request.method.as_str();
        let fault = self.faults.apply(method, &path);
        lock(&self.requests).push(RecordedRequest {
            method: method.to_owned(),
            path: path.clone(),
            body: String::from_utf8_lossy(&request.body).into_owned(),
            fault: fault.name.clone(),
        });
        let answer = fault
            .processes()
            .then(|| self.service.answer(&request, located).into_parts());
        if let Some(delay) = fault.delay {
            tokio::time::sleep(delay).await;
        }
        finish(fault, answer)
    }
}

/// The answer a fault leaves of the service's (`None` when it did not process the request).
fn finish(fault: FaultOutcome, answer: Option<(u16, &'static str, Bytes)>) -> Outcome {
    match (fault.action, answer) {
        (Some(Action::Reset), _) => Outcome::Drop,
        (
            Some(Action::Reply {
                status,
                body,
                content_type,
                headers,
            }),
            _,
        ) => {
            let mut r = response((status, content_type, Bytes::from(body)));
            for (name, value) in headers {
                if let (Ok(name), Ok(value)) = (
                    reqwest::header::HeaderName::try_from(name),
                    HeaderValue::try_from(value),
                ) {
                    r.headers_mut().insert(name, value);
                }
            }
            Outcome::Answer(r)
        }
        (Some(Action::Truncate), Some(answer)) => Outcome::Answer(truncated(answer)),
        (_, Some(answer)) => Outcome::Answer(response(answer)),
        (_, None) => Outcome::Drop,
    }
}

fn response((status, content_type, body): (u16, &'static str, Bytes)) -> hyper::Response<Body> {
    let mut r = hyper::Response::new(
        Full::new(body)
            .map_err(|never: Infallible| match never {})
            .boxed(),
    );
    *r.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::OK);
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// The answer with its full length announced, half its body sent, then the connection cut.
fn truncated((status, content_type, body): (u16, &'static str, Bytes)) -> hyper::Response<Body> {
    let length = body.len();
    let half = body.slice(..length / 2);
    let frames = futures_util::stream::iter([
        Ok(Frame::data(half)),
        Err(std::io::Error::other("answer cut by the fake")),
    ]);
    let mut r = hyper::Response::new(StreamBody::new(frames).boxed());
    *r.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::OK);
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    r.headers_mut()
        .insert(CONTENT_LENGTH, HeaderValue::from(length));
    r
}
