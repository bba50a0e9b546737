//! Everything `FakeSendethic` stores, one member per resource.

use std::collections::BTreeMap;

use super::account::Account;
use super::campaigns::Campaigns;
use super::contacts::ContactRec;
use super::fields::FieldRec;
use super::jobs::Jobs;
use super::segments::SegmentRec;
use super::stats::ActivityExports;

/// The fake's data.
#[derive(Debug)]
pub(super) struct State {
    /// The last id handed out; every resource draws from the one sequence.
    last_id: i64,
    pub(super) fields: BTreeMap<i64, FieldRec>,
    /// Contacts by normalised key.
    pub(super) contacts: BTreeMap<String, ContactRec>,
    pub(super) segments: BTreeMap<i64, SegmentRec>,
    pub(super) account: Account,
    pub(super) campaigns: Campaigns,
    pub(super) exports: ActivityExports,
    pub(super) jobs: Jobs,
    /// Contact keys (normalised) the service refuses whatever their values.
    pub(super) refused_keys: std::collections::BTreeSet<String>,
    /// The instant relative criteria (`absnow`) are read at (`None`: the real time).
    pub(super) clock: Option<chrono::DateTime<chrono::Utc>>,
}

impl Default for State {
    fn default() -> Self {
        Self {
            last_id: 100,
            fields: BTreeMap::new(),
            contacts: BTreeMap::new(),
            segments: BTreeMap::new(),
            account: Account::default(),
            campaigns: Campaigns::default(),
            exports: ActivityExports::default(),
            jobs: Jobs::default(),
            clock: None,
            refused_keys: std::collections::BTreeSet::new(),
        }
    }
}

impl State {
    /// "Now" for relative criteria: the clock when set, else the real time.
    pub(super) fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.unwrap_or_else(chrono::Utc::now)
    }

    /// A new id from the fake's sequence.
    pub(super) fn new_id(&mut self) -> i64 {
        self.last_id += 1;
        self.last_id
    }
}
