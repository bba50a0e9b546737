//! Account settings of `FakeSendsay` (`sys.settings.get`).

use serde_json::{Map, Value, json};

use super::call::{Action, Params};
use super::state::State;
use super::{ACCOUNT, FakeSendsay};

/// The actions of this module.
pub(super) const ACTIONS: &[(&str, Action)] =
    &[("sys.settings.get", |state, b| Ok(settings_get(state, b)))];

/// A free account's settings.
pub(super) fn default_settings() -> Map<String, Value> {
    let settings = json!({
        "about.id": ACCOUNT, "about.tarif": "free",
        "member.hard.limit": "200", "member.hard.rest": "200",
    });
    settings.as_object().cloned().unwrap_or_default()
}

fn settings_get(state: &State, b: &Params) -> Value {
    let keys = b
        .get("list")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let list: Map<String, Value> = keys
        .iter()
        .filter_map(Value::as_str)
        .filter_map(|k| state.settings.get(k).map(|v| (k.to_owned(), v.clone())))
        .collect();
    json!({ "list": list })
}

impl FakeSendsay {
    /// Sets an account setting (`sys.settings.get`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// relance::testing::FakeSendsay::start().await.set_setting("member.hard.rest", "3");
    /// # }
    /// ```
    pub fn set_setting(&self, key: &str, value: impl Into<Value>) {
        self.state().settings.insert(key.to_owned(), value.into());
    }
}
