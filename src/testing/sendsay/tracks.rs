//! Asynchronous jobs of `FakeSendsay` (`track.get`, `track.list`): each job goes through its
//! steps, one per `track.get` (the last one sticks).

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::FakeSendsay;
use super::call::{Action, Answer, Params, err, int, page};
use super::filter::matches_filter;
use super::state::State;
use crate::testing::core::now;

#[derive(Debug, Clone)]
struct TrackRec {
    action: String,
    steps: Vec<i64>,
    pos: usize,
    dt: String,
    param: Map<String, Value>,
}

impl TrackRec {
    /// The status the last `track.get` saw (the first step before any).
    fn last_status(&self) -> i64 {
        self.steps[self.pos.saturating_sub(1).min(self.steps.len() - 1)]
    }
}

/// The jobs by id, and the steps new jobs go through.
#[derive(Debug)]
pub(super) struct Tracks {
    tracks: BTreeMap<i64, TrackRec>,
    steps: Vec<i64>,
}

impl Default for Tracks {
    fn default() -> Self {
        Self {
            tracks: BTreeMap::new(),
            steps: vec![0, 1, 2, -1],
        }
    }
}

/// The actions of this module.
pub(super) const ACTIONS: &[(&str, Action)] = &[
    ("track.get", get),
    ("track.list", |state, b| Ok(list(state, b))),
];

/// Starts a job for `action` with its `param`, going through `steps` (default: the fake's).
pub(super) fn start(
    state: &mut State,
    action: &str,
    param: Map<String, Value>,
    steps: Option<Vec<i64>>,
) -> i64 {
    let id = state.new_id();
    let tracks = &mut state.tracks;
    let steps = steps.unwrap_or_else(|| tracks.steps.clone());
    tracks.tracks.insert(
        id,
        TrackRec {
            action: action.to_owned(),
            steps,
            pos: 0,
            dt: now(),
            param,
        },
    );
    id
}

/// The answer `{"track.id": ...}` of a new job without parameters.
pub(super) fn started(state: &mut State, action: &str) -> Value {
    json!({ "track.id": start(state, action, Map::new(), None) })
}

fn track_json(id: i64, t: &TrackRec, status: i64) -> Value {
    let mut v = json!({"id": id.to_string(), "status": status.to_string(), "dt": t.dt, "action": t.action, "param": t.param});
    if status == -2
        && let Value::Object(m) = &mut v
    {
        m.insert("error".into(), "failed".into());
    }
    v
}

fn get(state: &mut State, b: &Params) -> Answer {
    let id = int(b, "id").unwrap_or(-1);
    let Some(t) = state.tracks.tracks.get_mut(&id) else {
        return err("error/track/notfound", id);
    };
    let status = t.steps[t.pos.min(t.steps.len() - 1)];
    t.pos += 1;
    Ok(json!({ "obj": track_json(id, t, status) }))
}

fn list(state: &State, b: &Params) -> Value {
    let filter = b.get("filter").cloned().unwrap_or(Value::Null);
    let now = state.local_now();
    let mut list: Vec<Value> = state
        .tracks
        .tracks
        .iter()
        .map(|(id, t)| track_json(*id, t, t.last_status()))
        .filter(|v| matches_filter(&filter, now, |a| v.get(a).cloned()))
        .collect();
    list.reverse();
    json!({ "list": page(b, list), "last_page": 1 })
}

impl FakeSendsay {
    /// Sets the statuses new jobs go through, one per `track.get` (the last one sticks).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendsay::start().await;
    /// fake.set_track_steps(&[0, 2]); // never finishes
    /// # }
    /// ```
    pub fn set_track_steps(&self, steps: &[i64]) {
        if !steps.is_empty() {
            self.state().tracks.steps = steps.to_vec();
        }
    }
}
