//! Sessions and authentication of `FakeSendsay`: `ping`, `pong`, `login`, `logout`, and who
//! may call (an API key in the header or the body, or an open session).

use std::collections::BTreeMap;

use chrono::Utc;
use serde_json::{Value, json};

use super::call::{Action, Answer, Params, err, s};
use super::state::State;
use super::{ACCOUNT, API_KEY, FakeSendsay, PASSWORD, SUBLOGIN};

/// Sessions handed out by `login` (valid or expired) and how many logins succeeded.
#[derive(Debug, Default)]
pub(super) struct Sessions {
    open: BTreeMap<String, bool>,
    logins: usize,
}

/// The actions of this module.
pub(super) const ACTIONS: &[(&str, Action)] = &[
    ("ping", |_, _| Ok(ping())),
    ("pong", |_, _| Ok(pong())),
    ("login", login),
    ("logout", |state, b| Ok(logout(state, b))),
];

/// Whether the call may go on: `ping` and `login` need nothing; others need the API key (in
/// the `Authorization` header, `header_ok`, or as `apikey`) or an open session.
pub(super) fn authorize(
    state: &State,
    b: &Params,
    header_ok: bool,
) -> Result<(), (String, serde_json::Value)> {
    let action = s(b, "action").unwrap_or("");
    if matches!(action, "ping" | "login") || header_ok || s(b, "apikey") == Some(API_KEY) {
        return Ok(());
    }
    match s(b, "session").and_then(|s| state.sessions.open.get(s)) {
        Some(true) => Ok(()),
        Some(false) => Err(("error/auth/failed".into(), "expired".into())),
        None => Err(("error/auth/failed".into(), "wrong_credentials".into())),
    }
}

fn ping() -> Value {
    json!({"pong": Utc::now().timestamp()})
}

fn pong() -> Value {
    json!({"ping": Utc::now().timestamp(), "account": ACCOUNT, "sublogin": SUBLOGIN})
}

fn login(state: &mut State, b: &Params) -> Answer {
    let sub_ok = s(b, "sublogin").is_none_or(|x| x == SUBLOGIN);
    if s(b, "login") == Some(ACCOUNT) && sub_ok && s(b, "passwd") == Some(PASSWORD) {
        let n = state.new_id();
        let sessions = &mut state.sessions;
        sessions.logins += 1;
        let session = format!("{ACCOUNT}/{SUBLOGIN}:fake-session-{n}");
        sessions.open.insert(session.clone(), true);
        Ok(json!({"session": session, "login": ACCOUNT, "sublogin": SUBLOGIN}))
    } else {
        err("error/auth/failed", "wrong_credentials")
    }
}

fn logout(state: &mut State, b: &Params) -> Value {
    if let Some(session) = s(b, "session") {
        state.sessions.open.remove(session);
    }
    json!({})
}

impl FakeSendsay {
    /// Makes every open session expire: the next call with one answers
    /// `error/auth/failed` + `expired`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// relance::testing::FakeSendsay::start().await.expire_sessions();
    /// # }
    /// ```
    pub fn expire_sessions(&self) {
        for valid in self.state().sessions.open.values_mut() {
            *valid = false;
        }
    }

    /// How many successful `login` calls the fake answered.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// assert_eq!(relance::testing::FakeSendsay::start().await.login_count(), 0);
    /// # }
    /// ```
    #[must_use]
    pub fn login_count(&self) -> usize {
        self.state().sessions.logins
    }
}
