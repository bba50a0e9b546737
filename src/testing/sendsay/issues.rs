//! Issues of `FakeSendsay` (`issue.send`, `issue.send.test`): each send records the issue
//! and, when it goes out now, one delivery per recipient; it answers a job (parked at `-4`
//! when scheduled).

use serde_json::{Map, Value, json};

use super::FakeSendsay;
use super::call::{Action, Answer, Params, as_text, bad, s};
use super::groups::members_of;
use super::state::State;
use super::{senders, tracks};
use crate::testing::core::{now, strings};

/// The actions of this module.
pub(super) const ACTIONS: &[(&str, Action)] = &[
    ("issue.send", |state, b| send(state, "issue.send", b)),
    ("issue.send.test", |state, b| {
        send(state, "issue.send.test", b)
    }),
];

/// The letter's subject and format (`e` email, `s` SMS): from its draft, or inline (then its
/// From address must be a registered sender).
fn letter(
    state: &State,
    letter: &Map<String, Value>,
) -> Result<(Value, &'static str), (String, Value)> {
    if let Some(did) = letter.get("draft.id").map(as_text) {
        let Some(d) = state.drafts.get(&did) else {
            return Err(("error/draft/notfound".into(), did.into()));
        };
        let format = if d.get("format").and_then(Value::as_str) == Some("sms") {
            "s"
        } else {
            "e"
        };
        return Ok((d.get("subject").cloned().unwrap_or(Value::Null), format));
    }
    let from = letter
        .get("from.email")
        .and_then(Value::as_str)
        .unwrap_or("");
    if !senders::is_registered(state, from) {
        return Err(("error/sender/unknown".into(), from.into()));
    }
    Ok((letter.get("subject").cloned().unwrap_or(Value::Null), "e"))
}

/// Who receives the issue: the test addresses (`mca`), the `email` of a personal send, the
/// first column of a mass send's `users.list`, or a group's members.
fn recipients(
    state: &State,
    test: bool,
    group: &str,
    b: &Params,
) -> Result<Vec<String>, (String, Value)> {
    if test {
        return Ok(strings(b.get("mca")));
    }
    Ok(match group {
        "personal" => s(b, "email").map(str::to_owned).into_iter().collect(),
        "masssending" => s(b, "users.list")
            .unwrap_or("")
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.split(';').next().unwrap_or("").trim().to_owned())
            .filter(|e| e != "member.email")
            .collect(),
        g if state.groups.contains_key(g) => members_of(state, g),
        g => return Err(("group_id_not_exists".into(), g.into())),
    })
}

fn send(state: &mut State, action: &str, b: &Params) -> Answer {
    let group = s(b, "group").unwrap_or("").to_owned();
    let Some(Value::Object(letter_params)) = b.get("letter") else {
        return bad("letter is required");
    };
    let (subject, format) = letter(state, letter_params)?;
    let sendwhen = s(b, "sendwhen").unwrap_or("now");
    let test = action == "issue.send.test" || sendwhen == "test";
    let recipients = recipients(state, test, &group, b)?;
    if recipients.is_empty() {
        return bad("no recipients");
    }
    let issue_id = state.new_id();
    let dt = now();
    let name = b.get("name").cloned().unwrap_or_else(|| subject.clone());
    let delivered = sendwhen == "now" || action == "issue.send.test";
    if delivered && action == "issue.send" {
        for r in &recipients {
            let member_id = state.members.get(&r.to_lowercase()).map(|m| m.id);
            let d = json!({"deliv.member.email": r, "deliv.member.id": member_id, "deliv.issue.id": issue_id.to_string(),
                           "deliv.issue.name": name, "deliv.issue.dt": dt, "deliv.status": "1", "deliv.letter.dt": dt});
            state
                .deliveries
                .push(d.as_object().cloned().unwrap_or_default());
        }
    }
    let mut rec = b.clone();
    rec.remove("session");
    rec.remove("apikey");
    rec.insert("id".into(), issue_id.into());
    rec.insert("action".into(), action.into());
    let summary = json!({"issue.id": issue_id.to_string(), "issue.name": name, "issue.subject": subject, "issue.dt": dt,
        "issue.group.gid": group, "issue.members": recipients.len(), "issue.deliv_ok": if delivered { recipients.len() } else { 0 },
        "issue.deliv_bad": 0, "issue.format": format});
    rec.insert("summary".into(), summary);
    state.issues.push(rec);
    let steps = (sendwhen == "later").then(|| vec![-4]);
    let mut param = Map::new();
    param.insert("issue.id".into(), issue_id.into());
    Ok(json!({ "track.id": tracks::start(state, action, param, steps) }))
}

impl FakeSendsay {
    /// The issues sent (their `issue.send` parameters, plus `id`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// assert!(relance::testing::FakeSendsay::start().await.issues().is_empty());
    /// # }
    /// ```
    #[must_use]
    pub fn issues(&self) -> Vec<Value> {
        self.state()
            .issues
            .iter()
            .cloned()
            .map(Value::Object)
            .collect()
    }

    /// The recorded deliveries (`deliv.*` fields), one per recipient of each issue.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// assert!(relance::testing::FakeSendsay::start().await.deliveries().is_empty());
    /// # }
    /// ```
    #[must_use]
    pub fn deliveries(&self) -> Vec<Value> {
        self.state()
            .deliveries
            .iter()
            .cloned()
            .map(Value::Object)
            .collect()
    }
}
