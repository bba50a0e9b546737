//! The loopback server both fakes run on, and the pipeline every request goes through: locate
//! it (or refuse it), record it, apply the first matching fault, answer, delay.

use std::sync::{Arc, Mutex};

use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use super::fault::{Fault, Faults};
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
}

/// What one fake service adds to the shared pipeline.
pub(crate) trait Service: Send + Sync + 'static {
    /// What [`locate`](Self::locate) learnt of a request that [`answer`](Self::answer) needs.
    type Located;

    /// The path the request is recorded and matched against faults under, with what the
    /// answer needs; or, for a request the service would not route at all, its answer
    /// (neither recorded nor faulted).
    fn locate(&self, request: &Request) -> Result<(String, Self::Located), Reply>;

    /// The service's answer to a located request that no fault replaced.
    fn answer(&self, request: &Request, located: Self::Located) -> Reply;
}

/// A running fake: the loopback server and what answers on it. Cloning shares both; the
/// server stops when the last clone is dropped.
#[derive(Debug)]
pub(crate) struct FakeServer<S> {
    server: Arc<MockServer>,
    shared: Arc<Shared<S>>,
}

impl<S> Clone for FakeServer<S> {
    fn clone(&self) -> Self {
        Self {
            server: self.server.clone(),
            shared: self.shared.clone(),
        }
    }
}

/// A service with its fault list and its request log, shared with the wiremock responder.
#[derive(Debug)]
struct Shared<S> {
    service: S,
    faults: Faults,
    requests: Mutex<Vec<RecordedRequest>>,
}

impl<S: Service> FakeServer<S> {
    /// Starts a loopback server answering every request through the service that `service`
    /// builds from the server's origin (`http://127.0.0.1:<port>`); `seed` makes
    /// probabilistic faults deterministic.
    pub(crate) async fn start(service: impl FnOnce(&str) -> S, seed: u64) -> Self {
        let server = MockServer::start().await;
        let shared = Arc::new(Shared {
            service: service(&server.uri()),
            faults: Faults::new(seed),
            requests: Mutex::new(Vec::new()),
        });
        Mock::given(any())
            .respond_with(Responder(shared.clone()))
            .mount(&server)
            .await;
        Self {
            server: Arc::new(server),
            shared,
        }
    }

    /// The server's origin (`http://127.0.0.1:<port>`).
    pub(crate) fn origin(&self) -> String {
        self.server.uri()
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

impl<S: Service> Shared<S> {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let (path, located) = match self.service.locate(request) {
            Ok(located) => located,
            Err(refusal) => return refusal.into_template(),
        };
        let method = request.method.as_str();
        lock(&self.requests).push(RecordedRequest {
            method: method.to_owned(),
            path: path.clone(),
            body: String::from_utf8_lossy(&request.body).into_owned(),
        });
        let outcome = self.faults.apply(method, &path);
        let template = match outcome.replacement {
            Some(replacement) => replacement,
            None => self.service.answer(request, located).into_template(),
        };
        match outcome.delay {
            Some(delay) => template.set_delay(delay),
            None => template,
        }
    }
}

/// The wiremock side of a [`FakeServer`].
struct Responder<S>(Arc<Shared<S>>);

impl<S: Service> Respond for Responder<S> {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.0.respond(request)
    }
}
