//! The records of one run on their way: built and compared in batches against the last
//! confirmed push, then followed until the target settles each one.

use std::collections::HashMap;
use std::sync::Mutex;

use super::consent::ConsentGuard;
use super::profile::fingerprint_profile;
use super::record::SyncRecord;
use super::store::Fingerprints;
use crate::customer::clv::PredictedValues;
use crate::customer::{CustomerProfile, ProfileField};
use crate::error::Error;

/// Records built and compared against the last confirmed push: how many were considered,
/// and the changed ones with their fingerprints.
pub(super) struct Batch {
    pub(super) considered: usize,
    /// The changed records, their fingerprints, and whether the store knew them (`false`:
    /// new to the service as far as the store knows).
    pub(super) changed: Vec<(SyncRecord, u64, bool)>,
    /// Records refused before sending (a value that does not fit its field), with why.
    pub(super) refused: Vec<(String, Error)>,
    /// Store positions of the considered records the store knows.
    pub(super) seen: Vec<usize>,
    /// Store positions of the records identical to their last confirmed push.
    pub(super) unchanged: Vec<usize>,
}

impl Batch {
    /// Restricts each record to the pushed fields, fingerprints it and keeps it when it
    /// differs from its last confirmed push.
    pub(super) fn of(
        records: impl IntoIterator<Item = SyncRecord>,
        fields: &[ProfileField],
        previous: &Fingerprints,
    ) -> Self {
        let mut batch = Self {
            considered: 0,
            changed: Vec::new(),
            refused: Vec::new(),
            seen: Vec::new(),
            unchanged: Vec::new(),
        };
        for mut record in records {
            batch.considered += 1;
            let known = previous.locate(record.email());
            if let Some((at, _)) = known {
                batch.seen.push(at);
            }
            if let Err(error) = record.check() {
                batch.refused.push((record.email().to_owned(), error));
                continue;
            }
            if record
                .values()
                .any(|(f, _)| fields.binary_search(f).is_err())
            {
                record.retain(|field| fields.binary_search(field).is_ok());
            }
            let fingerprint = record.fingerprint();
            match known {
                Some((at, f)) if f == fingerprint => batch.unchanged.push(at),
                _ => batch.changed.push((record, fingerprint, known.is_some())),
            }
        }
        batch
    }

    /// [`of`](Self::of) for profiles: each is fingerprinted straight from the profile, and
    /// its record built only when it changed (an unchanged night builds none).
    pub(super) fn of_profiles(
        profiles: &[CustomerProfile<'_>],
        predicted: Option<&PredictedValues>,
        fields: &[ProfileField],
        previous: &Fingerprints,
    ) -> Self {
        let mut batch = Self {
            considered: profiles.len(),
            changed: Vec::new(),
            refused: Vec::new(),
            seen: Vec::new(),
            unchanged: Vec::new(),
        };
        for p in profiles {
            let (email, fingerprint) = fingerprint_profile(p, predicted, fields);
            let known = previous.locate(&email);
            if let Some((at, _)) = known {
                batch.seen.push(at);
            }
            if let Some((at, f)) = known
                && f == fingerprint
            {
                batch.unchanged.push(at);
                continue;
            }
            let mut record = SyncRecord::from_profile(p);
            if let Some(t) = predicted {
                record = record.with_predictions(t, p.contact());
            }
            record.retain(|field| fields.binary_search(field).is_ok());
            debug_assert_eq!(record.fingerprint(), fingerprint, "{}", record.email());
            batch.changed.push((record, fingerprint, known.is_some()));
        }
        batch
    }

    /// The batches of a block's parts, in order.
    pub(super) fn merge(parts: Vec<Self>) -> Self {
        let mut out = Self {
            considered: 0,
            changed: Vec::new(),
            refused: Vec::new(),
            seen: Vec::new(),
            unchanged: Vec::new(),
        };
        for part in parts {
            out.considered += part.considered;
            out.changed.extend(part.changed);
            out.refused.extend(part.refused);
            out.seen.extend(part.seen);
            out.unchanged.extend(part.unchanged);
        }
        out
    }
}

/// The records of a run that went to the target and are not resolved yet, by position.
#[derive(Default)]
pub(super) struct Pending {
    pub(super) next: usize,
    pub(super) considered: usize,
    pub(super) unchanged: usize,
    /// The records sent and not settled: email, fingerprint, whether the store knew it.
    pub(super) in_flight: HashMap<usize, (String, u64, bool)>,
    pub(super) refused: Vec<(String, Error)>,
    /// Which contacts of the store this run considered, by store position.
    pub(super) seen: Vec<bool>,
    /// Records pushed without some of their values, with why.
    pub(super) warnings: Vec<(String, Error)>,
    /// Store positions of the unchanged records.
    pub(super) unchanged_at: Vec<usize>,
}

impl Pending {
    /// Takes in a batch: counts it, marks the store's contacts it saw, and returns its
    /// changed records (the consent rule applied) now in flight.
    pub(super) fn admit(&mut self, batch: Batch, consent: &ConsentGuard) -> Vec<SyncRecord> {
        self.considered += batch.considered;
        self.unchanged += batch.considered - batch.changed.len() - batch.refused.len();
        self.refused.extend(batch.refused);
        for at in batch.seen {
            if let Some(seen) = self.seen.get_mut(at) {
                *seen = true;
            }
        }
        self.unchanged_at.extend(batch.unchanged);
        let first = self.next;
        self.next += batch.changed.len();
        batch
            .changed
            .into_iter()
            .enumerate()
            .map(|(i, (mut record, fingerprint, known))| {
                if let Some(warning) = consent.guard(&mut record) {
                    self.warnings.push((record.email().to_owned(), warning));
                }
                self.in_flight
                    .insert(first + i, (record.email().to_owned(), fingerprint, known));
                record
            })
            .collect()
    }
}

pub(super) fn lock(pending: &Mutex<Pending>) -> std::sync::MutexGuard<'_, Pending> {
    pending
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Removes these records from the ones in flight; positions the target names twice or never
/// sent are ignored.
pub(super) fn take(pending: &Mutex<Pending>, indices: &[usize]) -> Vec<(String, u64, bool)> {
    let mut p = lock(pending);
    indices
        .iter()
        .filter_map(|i| p.in_flight.remove(i))
        .collect()
}
