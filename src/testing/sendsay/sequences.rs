//! Workflows (`sequence.member.start`) of `FakeSendsay`: each start is recorded.

use serde_json::json;

use super::FakeSendsay;
use super::call::{Action, Answer, Params, bad, int, s};
use super::state::State;

/// The actions of this module.
pub(super) const ACTIONS: &[(&str, Action)] = &[("sequence.member.start", start)];

fn start(state: &mut State, b: &Params) -> Answer {
    let (Some(id), Some(email)) = (int(b, "id"), s(b, "email")) else {
        return bad("id and email are required");
    };
    state
        .workflow_starts
        .push((id, email.trim().to_lowercase()));
    Ok(json!({}))
}

impl FakeSendsay {
    /// The workflow starts received, as `(workflow id, member)`, in order.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// assert!(relance::testing::FakeSendsay::start().await.workflow_starts().is_empty());
    /// # }
    /// ```
    #[must_use]
    pub fn workflow_starts(&self) -> Vec<(i64, String)> {
        self.state().workflow_starts.clone()
    }
}
