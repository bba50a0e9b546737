//! Everything `FakeSendsay` stores, one member per resource.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::fields;
use super::groups::GroupRec;
use super::members::MemberRec;
use super::session::Sessions;
use super::tracks::Tracks;

/// The fake's data.
#[derive(Debug)]
pub(super) struct State {
    /// The last id handed out; every resource draws from the one sequence.
    last_id: i64,
    pub(super) sessions: Sessions,
    /// Members by lower-cased email.
    pub(super) members: BTreeMap<String, MemberRec>,
    pub(super) groups: BTreeMap<String, GroupRec>,
    /// Anketas (field sets) by id, as `anketa.get` describes them.
    pub(super) anketas: BTreeMap<String, Map<String, Value>>,
    pub(super) drafts: BTreeMap<String, Map<String, Value>>,
    pub(super) senders: BTreeMap<String, Map<String, Value>>,
    /// The issues sent, their parameters with an `id` and a `summary` (`issue.*` columns).
    pub(super) issues: Vec<Map<String, Value>>,
    /// One delivery per recipient of each issue sent now (`deliv.*` columns).
    pub(super) deliveries: Vec<Map<String, Value>>,
    pub(super) tracks: Tracks,
    pub(super) settings: Map<String, Value>,
    /// The instant filters call `current` (`None`: the real time).
    pub(super) clock: Option<chrono::DateTime<chrono::Utc>>,
    /// The account timezone in which `current` and stored dates are read (default UTC).
    pub(super) timezone: chrono_tz::Tz,
    /// Stop-listed addresses (lower-cased).
    pub(super) stoplist: std::collections::BTreeSet<String>,
    /// The double-opt-in letters sent, by member key.
    pub(super) confirmation_letters: Vec<String>,
    /// Workflow starts, `(workflow id, member)`.
    pub(super) workflow_starts: Vec<(i64, String)>,
}

impl Default for State {
    fn default() -> Self {
        Self {
            last_id: 100,
            sessions: Sessions::default(),
            members: BTreeMap::new(),
            groups: BTreeMap::new(),
            anketas: fields::system_anketas(),
            drafts: BTreeMap::new(),
            senders: BTreeMap::new(),
            issues: Vec::new(),
            deliveries: Vec::new(),
            tracks: Tracks::default(),
            settings: super::account::default_settings(),
            clock: None,
            timezone: chrono_tz::UTC,
            stoplist: std::collections::BTreeSet::new(),
            confirmation_letters: Vec::new(),
            workflow_starts: Vec::new(),
        }
    }
}

impl State {
    /// `current`, in the account's local time.
    pub(super) fn local_now(&self) -> chrono::NaiveDateTime {
        self.clock
            .unwrap_or_else(chrono::Utc::now)
            .with_timezone(&self.timezone)
            .naive_local()
    }

    /// A new id from the fake's sequence.
    pub(super) fn new_id(&mut self) -> i64 {
        self.last_id += 1;
        self.last_id
    }

    /// The id [`new_id`](Self::new_id) will hand out next.
    pub(super) fn peek_id(&self) -> i64 {
        self.last_id + 1
    }
}
