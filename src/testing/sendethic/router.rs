//! The Sendethic service behind `FakeSendethic`: where requests must arrive (the API root),
//! who may call (HTTP Basic), and which resource answers each path (a prefix table).

use std::sync::{Mutex, MutexGuard};

use crate::testing::core::Incoming as Request;
use serde_json::Value;

use super::call::{Call, no_route};
use super::state::State;
use super::{API_ROOT, account, campaigns, contacts, fields, jobs, segments, stats};
use crate::http::percent_decode;
use crate::testing::core::{Reply, Service, lock};

/// A resource's route: the state, and the request with the path after its prefix.
type Route = fn(&mut State, &Call<'_>) -> Reply;

/// Which resource answers a path: the first entry whose segments start the path.
const ROUTES: &[(&[&str], Route)] = &[
    (&["account", "contactattribute"], fields::route),
    (&["account"], account::route),
    (&["contacts", "attribute"], contacts::bulk),
    (&["contacts", "import"], jobs::imports),
    (&["contacts", "export"], jobs::exports),
    (&["contacts", "purge"], jobs::purges),
    (&["contact"], contacts::route),
    (&["segment"], segments::route),
    (&["emailing", "export"], stats::export),
    (&["emailing", "exports"], stats::list),
    (&["emailing"], campaigns::emailing),
    (&["sms"], campaigns::sms),
];

/// The fake Sendethic service: credentials, base URL and data.
#[derive(Debug)]
pub(super) struct Sendethic {
    /// The expected `Authorization` header value.
    auth: String,
    pub(super) base_url: String,
    pub(super) account_id: String,
    pub(super) api_key: String,
    state: Mutex<State>,
}

impl Sendethic {
    pub(super) fn new(origin: &str, account_id: &str, api_key: &str) -> Self {
        use base64::Engine as _;
        let credentials = format!("{account_id}:{api_key}");
        Self {
            auth: format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(credentials)
            ),
            base_url: format!("{origin}{API_ROOT}/"),
            account_id: account_id.to_owned(),
            api_key: api_key.to_owned(),
            state: Mutex::new(State::default()),
        }
    }

    pub(super) fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }
}

/// The decoded segments of a path below the API root; `None` outside it.
fn segments_below_root(path: &str) -> Option<Vec<String>> {
    let rel = path.strip_prefix(API_ROOT)?;
    if !(rel.is_empty() || rel.starts_with('/')) {
        return None;
    }
    Some(
        rel.split('/')
            .filter(|s| !s.is_empty())
            .map(percent_decode)
            .collect(),
    )
}

fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request.headers.get(name).and_then(|v| v.to_str().ok())
}

impl Service for Sendethic {
    /// The decoded path segments below the API root.
    type Located = Vec<String>;

    fn locate(&self, request: &Request) -> Result<(String, Vec<String>), Reply> {
        let raw_path = request.url.path();
        let Some(segments) = segments_below_root(raw_path) else {
            // The real service serves nothing outside its documented base path.
            return Err(no_route(request.method.as_str(), raw_path));
        };
        Ok((format!("/{}", segments.join("/")), segments))
    }

    fn answer(&self, request: &Request, segments: Vec<String>) -> Reply {
        if header(request, "authorization") != Some(self.auth.as_str()) {
            return Reply::Text(401, "Unauthorized");
        }
        let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
        let path = format!("/{}", segs.join("/"));
        let body: Option<Value> = serde_json::from_slice(&request.body).ok();
        let method = request.method.as_str();
        let Some((prefix, route)) = ROUTES.iter().find(|(prefix, _)| segs.starts_with(prefix))
        else {
            return no_route(method, &path);
        };
        let call = Call {
            method,
            path: &path,
            rest: &segs[prefix.len()..],
            body: body.as_ref(),
            raw: &request.body,
            content_type: header(request, "content-type").unwrap_or(""),
            base_url: &self.base_url,
        };
        route(&mut self.state(), &call)
    }
}
