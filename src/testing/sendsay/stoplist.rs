//! The stop-list of `FakeSendsay` (`stoplist.get` / `add` / `delete`): the addresses no
//! mail goes to. The service's `stoplist.get` answer shape is not documented; the fake
//! answers `{"list": [emails]}`, the shape `stoplist.add` takes.

use serde_json::{Value, json};

use super::FakeSendsay;
use super::call::{Action, Answer, Params, bad};
use super::state::State;
use crate::testing::core::strings;

/// The actions of this module.
pub(super) const ACTIONS: &[(&str, Action)] = &[
    ("stoplist.get", |state, _| Ok(get(state))),
    ("stoplist.add", add),
    ("stoplist.delete", delete),
];

fn get(state: &State) -> Value {
    json!({"list": state.stoplist.iter().collect::<Vec<_>>()})
}

fn emails(b: &Params) -> Result<Vec<String>, (String, Value)> {
    let list = strings(b.get("list"));
    if list.is_empty() {
        return Err(("error/params/invalid".into(), "list is required".into()));
    }
    Ok(list.into_iter().map(|e| e.trim().to_lowercase()).collect())
}

fn add(state: &mut State, b: &Params) -> Answer {
    match emails(b) {
        Ok(list) => {
            state.stoplist.extend(list);
            Ok(json!({}))
        }
        Err(_) => bad("list is required"),
    }
}

fn delete(state: &mut State, b: &Params) -> Answer {
    match emails(b) {
        Ok(list) => {
            for e in list {
                state.stoplist.remove(&e);
            }
            Ok(json!({}))
        }
        Err(_) => bad("list is required"),
    }
}

impl FakeSendsay {
    /// Puts an address on the stop-list, as an unsubscribe link or a complaint does.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendsay::start().await;
    /// fake.unsubscribe("ann@example.com");
    /// assert_eq!(fake.stoplist(), ["ann@example.com"]);
    /// # }
    /// ```
    pub fn unsubscribe(&self, email: &str) {
        self.state().stoplist.insert(email.trim().to_lowercase());
    }

    /// The stop-list, sorted.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// assert!(relance::testing::FakeSendsay::start().await.stoplist().is_empty());
    /// # }
    /// ```
    #[must_use]
    pub fn stoplist(&self) -> Vec<String> {
        self.state().stoplist.iter().cloned().collect()
    }
}
