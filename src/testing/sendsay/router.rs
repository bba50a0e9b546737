//! The Sendsay service behind `FakeSendsay`: the protocol around every action (the JSON
//! endpoint, the `REDIRECT` handshake, authentication, the answer envelope, `batch`) and a
//! dispatch table from action names to the resource modules.

use std::sync::{Mutex, MutexGuard};

use crate::testing::core::Incoming as Request;
use serde_json::{Map, Value, json};

use super::call::{Action, Answer, Params, err, s, truthy};
use super::state::State;
use super::{
    ACCOUNT, API_KEY, account, drafts, fields, groups, issues, members, senders, sequences,
    session, stats, stoplist, tracks,
};
use crate::testing::core::{Reply, Service, lock};

/// Every action the fake knows, by resource.
const ACTIONS: &[&[(&str, Action)]] = &[
    session::ACTIONS,
    account::ACTIONS,
    &[("batch", |state, b| Ok(batch(state, b)))],
    members::ACTIONS,
    groups::ACTIONS,
    fields::ACTIONS,
    drafts::ACTIONS,
    senders::ACTIONS,
    issues::ACTIONS,
    tracks::ACTIONS,
    stats::ACTIONS,
    stoplist::ACTIONS,
    sequences::ACTIONS,
];

/// Runs the action the parameters name.
fn dispatch(state: &mut State, b: &Params) -> Answer {
    let action = s(b, "action").unwrap_or("");
    match ACTIONS
        .iter()
        .copied()
        .flatten()
        .find(|(name, _)| *name == action)
    {
        Some((_, run)) => run(state, b),
        None => err("error/action/unknown", action),
    }
}

/// An error answer as the envelope carries it.
fn error_envelope(id: &str, explain: &Value) -> Value {
    json!({"errors": [{"id": id, "explain": explain}]})
}

/// `batch`: runs each item of `do`, one result per item, stopping at the first error with
/// `stop_on_error`.
fn batch(state: &mut State, b: &Params) -> Value {
    let stop = truthy(b.get("stop_on_error"));
    let items = b
        .get("do")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut result = Vec::new();
    for item in items {
        let Value::Object(sub) = item else {
            result.push(error_envelope(
                "error/params/invalid",
                &"not an object".into(),
            ));
            continue;
        };
        match dispatch(state, &sub) {
            Ok(v) => result.push(v),
            Err((id, explain)) => {
                result.push(error_envelope(&id, &explain));
                if stop {
                    break;
                }
            }
        }
    }
    json!({ "result": result })
}

/// The fake Sendsay service: its `REDIRECT` prefix and data.
#[derive(Debug)]
pub(super) struct Sendsay {
    redirect: Option<String>,
    state: Mutex<State>,
}

impl Sendsay {
    pub(super) fn new(redirect: Option<&str>) -> Self {
        Self {
            redirect: redirect.map(|r| r.trim_end_matches('/').to_owned()),
            state: Mutex::new(State::default()),
        }
    }

    pub(super) fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    /// The answer document: the endpoint and `REDIRECT` checks, authentication, then the
    /// action's result in the envelope.
    fn document(&self, request: &Request, body: Option<Value>) -> Value {
        let url_path = request.url.path().trim_end_matches('/');
        let endpoint = format!("/general/api/v100/json/{ACCOUNT}");
        let Some(prefix) = url_path.strip_suffix(&endpoint) else {
            return error_envelope(
                "error/params/invalid",
                &format!("unknown endpoint {url_path}").into(),
            );
        };
        if let Some(r) = &self.redirect
            && prefix != r
        {
            return json!({ "REDIRECT": r });
        }
        let Some(Value::Object(body)) = body else {
            return error_envelope(
                "error/params/invalid",
                &"the body is not a JSON object".into(),
            );
        };
        let header_ok = request
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v == format!("sendsay apikey={API_KEY}"));
        let mut state = self.state();
        let answer =
            session::authorize(&state, &body, header_ok).and_then(|()| dispatch(&mut state, &body));
        let mut out = match answer {
            Ok(Value::Object(m)) => m,
            Ok(other) => Map::from_iter([("result".to_owned(), other)]),
            Err((id, explain)) => Map::from_iter([(
                "errors".to_owned(),
                json!([{ "id": id, "explain": explain }]),
            )]),
        };
        out.insert("duration".into(), json!(0.001));
        Value::Object(out)
    }
}

impl Service for Sendsay {
    /// The body, when it is JSON.
    type Located = Option<Value>;

    /// Every request is recorded under `/<action>` (the action its body names).
    fn locate(&self, request: &Request) -> Result<(String, Option<Value>), Reply> {
        let body: Option<Value> = serde_json::from_slice(&request.body).ok();
        let action = body
            .as_ref()
            .and_then(|b| b.get("action"))
            .and_then(Value::as_str)
            .unwrap_or("");
        Ok((format!("/{action}"), body))
    }

    fn answer(&self, request: &Request, body: Option<Value>) -> Reply {
        Reply::Json(200, self.document(request, body))
    }
}
