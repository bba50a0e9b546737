//! What one sync run did.

use std::fmt;

use crate::error::Error;

/// The result of one [`Syncer::run`](super::Syncer::run).
///
/// Nothing is counted as pushed that the service did not confirm. A rejected contact was
/// refused (by validation or by the service) and will be refused again until its values
/// change; a failed contact's request failed after the retries: it stays dirty and is pushed
/// again next run.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct SyncReport {
    /// Records considered.
    pub considered: usize,
    /// Records identical to their last confirmed push (not sent).
    pub unchanged: usize,
    /// Records the service confirmed written in this run.
    pub pushed: usize,
    /// Records refused, by email, with the reason.
    pub rejected: Vec<(String, Error)>,
    /// Records whose push failed, by email, grouped by the request that failed.
    pub failed: Vec<(Vec<String>, Error)>,
    /// Records pushed without one of their values, by email, with the reason (a phone
    /// number that cannot be read as one, say): they count in `pushed` or elsewhere too.
    pub warnings: Vec<(String, Error)>,
    /// Contacts that left the shop's data and were removed at the provider under the
    /// syncer's [`Mirror`](super::Mirror) policy (unsubscribed or deleted), by email; those
    /// whose removal failed are in `failed`.
    pub removed: Vec<(String, super::Mirror)>,
    /// Records the service confirmed written that the store did not know (new contacts, as
    /// far as the store knows), by email; with `updated`, what `pushed` counts.
    pub created: Vec<String>,
    /// Records the service confirmed written that had been pushed before, by email.
    pub updated: Vec<String>,
    /// The unchanged records by email, listed only when the syncer was asked to
    /// ([`Syncer::list_unchanged`](super::Syncer::list_unchanged)): a night usually leaves
    /// most contacts unchanged.
    pub unchanged_contacts: Vec<String>,
}

/// How far a run is, as a progress callback sees it
/// ([`Syncer::on_progress`](super::Syncer::on_progress)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Progress {
    /// Records read and compared so far.
    pub considered: usize,
    /// Of those, unchanged.
    pub unchanged: usize,
    /// Records the service confirmed written so far.
    pub pushed: usize,
    /// Records refused so far.
    pub rejected: usize,
    /// Records whose push failed so far.
    pub failed: usize,
    /// Whether the run is over (the last call).
    pub done: bool,
}

/// What a run did with one contact, as [`SyncReport::contacts`] lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// Written, new to the service as far as the store knows.
    Created,
    /// Written over its previous push.
    Updated,
    /// Identical to its last confirmed push: not sent.
    Unchanged,
    /// Refused, by validation or by the service; refused again until its values change.
    Rejected,
    /// Its request failed after the retries: not confirmed, sent again next run.
    Failed,
    /// Removed at the provider (it left the shop's data).
    Removed(super::Mirror),
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Created => f.write_str("created"),
            Self::Updated => f.write_str("updated"),
            Self::Unchanged => f.write_str("unchanged"),
            Self::Rejected => f.write_str("rejected"),
            Self::Failed => f.write_str("failed"),
            Self::Removed(how) => write!(f, "{how}"),
        }
    }
}

/// One contact's line of a [`SyncReport`].
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct ContactOutcome<'a> {
    /// The contact (normalised email).
    pub email: &'a str,
    /// What happened to it.
    pub outcome: Outcome,
    /// Why, for a rejected or failed contact.
    pub reason: Option<&'a Error>,
}

impl SyncReport {
    /// Whether every changed record was written.
    ///
    /// ```
    /// assert!(relance::sync::SyncReport::default().is_complete());
    /// ```
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.rejected.is_empty() && self.failed.is_empty()
    }

    /// How many contacts were rejected.
    ///
    /// ```
    /// assert_eq!(relance::sync::SyncReport::default().rejected_count(), 0);
    /// ```
    #[must_use]
    pub fn rejected_count(&self) -> usize {
        self.rejected.len()
    }

    /// How many contacts failed (and stay dirty).
    ///
    /// ```
    /// assert_eq!(relance::sync::SyncReport::default().failed_count(), 0);
    /// ```
    #[must_use]
    pub fn failed_count(&self) -> usize {
        self.failed.iter().map(|(emails, _)| emails.len()).sum()
    }
}

impl SyncReport {
    /// Every contact the run settled, one line each: created, updated, rejected (with the
    /// reason), failed (with the error), removed, and unchanged when they were listed.
    ///
    /// ```
    /// let report = relance::sync::SyncReport::default();
    /// for line in report.contacts() {
    ///     println!("{} {}", line.email, line.outcome);
    /// }
    /// ```
    pub fn contacts(&self) -> impl Iterator<Item = ContactOutcome<'_>> {
        fn plain(outcome: Outcome) -> impl Fn(&String) -> ContactOutcome<'_> {
            move |email| ContactOutcome {
                email,
                outcome,
                reason: None,
            }
        }
        self.created
            .iter()
            .map(plain(Outcome::Created))
            .chain(self.updated.iter().map(plain(Outcome::Updated)))
            .chain(self.rejected.iter().map(|(email, e)| ContactOutcome {
                email,
                outcome: Outcome::Rejected,
                reason: Some(e),
            }))
            .chain(self.failed.iter().flat_map(|(emails, e)| {
                emails.iter().map(move |email| ContactOutcome {
                    email,
                    outcome: Outcome::Failed,
                    reason: Some(e),
                })
            }))
            .chain(self.removed.iter().map(|(email, how)| ContactOutcome {
                email,
                outcome: Outcome::Removed(*how),
                reason: None,
            }))
            .chain(
                self.unchanged_contacts
                    .iter()
                    .map(plain(Outcome::Unchanged)),
            )
    }

    /// Writes [`contacts`](Self::contacts) as CSV: a header `email,outcome,reason`, then
    /// one line per contact.
    ///
    /// ```
    /// let mut out = Vec::new();
    /// relance::sync::SyncReport::default().write_csv(&mut out)?;
    /// assert_eq!(String::from_utf8(out).unwrap(), "email,outcome,reason\n");
    /// # Ok::<(), relance::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when `out` cannot be written.
    pub fn write_csv<W: std::io::Write>(&self, out: W) -> crate::error::Result<()> {
        let io = |e: csv::Error| Error::Io {
            context: "cannot write the sync report".into(),
            source: e.into(),
        };
        let mut w = csv::Writer::from_writer(out);
        w.write_record(["email", "outcome", "reason"]).map_err(io)?;
        for line in self.contacts() {
            let reason = line.reason.map(ToString::to_string).unwrap_or_default();
            w.write_record([line.email, &line.outcome.to_string(), &reason])
                .map_err(io)?;
        }
        w.flush().map_err(|e| Error::Io {
            context: "cannot write the sync report".into(),
            source: e,
        })
    }

    /// The report as JSON: the counts (`considered`, `pushed`, `unchanged`, `rejected`,
    /// `failed`) and `contacts`, one object per line of [`contacts`](Self::contacts) with
    /// `email`, `outcome` and, when there is one, `reason`.
    ///
    /// ```
    /// let json = relance::sync::SyncReport::default().to_json();
    /// assert_eq!(json["pushed"], 0);
    /// assert!(json["contacts"].as_array().unwrap().is_empty());
    /// ```
    #[must_use]
    pub fn to_json(&self) -> serde_json::Value {
        let contacts: Vec<serde_json::Value> = self
            .contacts()
            .map(|line| {
                let mut o =
                    serde_json::json!({"email": line.email, "outcome": line.outcome.to_string()});
                if let Some(reason) = line.reason {
                    o["reason"] = reason.to_string().into();
                }
                o
            })
            .collect();
        serde_json::json!({
            "considered": self.considered,
            "pushed": self.pushed,
            "unchanged": self.unchanged,
            "rejected": self.rejected_count(),
            "failed": self.failed_count(),
            "removed": self.removed.len(),
            "contacts": contacts,
        })
    }
}

/// `considered N, pushed P, unchanged U, rejected R, failed F`.
impl fmt::Display for SyncReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "considered {}, pushed {}, unchanged {}, rejected {}, failed {}",
            self.considered,
            self.pushed,
            self.unchanged,
            self.rejected_count(),
            self.failed_count()
        )
    }
}

/// What a run would push, from [`Syncer::plan`](super::Syncer::plan): a dry run that reads
/// the store and writes nothing anywhere.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct SyncPlan {
    /// Records considered.
    pub considered: usize,
    /// Records identical to their last confirmed push.
    pub unchanged: usize,
    /// Records a run would push (new or changed since their last confirmed push), by email,
    /// in input order.
    pub to_push: Vec<String>,
    /// Of those, the ones never confirmed pushed before (new to the service, as far as the
    /// store knows).
    pub new: usize,
    /// Records a run would refuse before sending (a value that does not fit its field), by
    /// email, with the reason.
    pub rejected: Vec<(String, Error)>,
    /// Contacts a whole-shop run would remove at the provider under the syncer's
    /// [`Mirror`](super::Mirror) policy (from [`Syncer::plan_profiles`](super::Syncer::plan_profiles)),
    /// by email; empty when it keeps them, or when more than its limit left.
    pub to_remove: Vec<String>,
    /// What provisioning would create, adopt or update on the service.
    pub provisioning: Provisioning,
}

/// What provisioning would do on the service, from a dry run: fields (and Sendsay
/// questions) it would create or adopt, segments it would create or update in place.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Provisioning {
    /// Fields it would create, by name (`relance_revenue`).
    pub create_fields: Vec<String>,
    /// Existing fields it would adopt, as `<field> -> <existing field>`.
    pub adopt_fields: Vec<String>,
    /// Segments it would create, by tag.
    pub create_segments: Vec<String>,
    /// Segments it would update in place (their definition changed), by tag.
    pub update_segments: Vec<String>,
}

impl Provisioning {
    /// Whether provisioning would write nothing.
    ///
    /// ```
    /// assert!(relance::sync::Provisioning::default().is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.create_fields.is_empty()
            && self.adopt_fields.is_empty()
            && self.create_segments.is_empty()
            && self.update_segments.is_empty()
    }
}

impl fmt::Display for SyncPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "considered {}, would push {} ({} new), unchanged {}, would reject {}, would remove {}; would create {} fields and {} segments, adopt {} fields, update {} segments",
            self.considered,
            self.to_push.len(),
            self.new,
            self.unchanged,
            self.rejected.len(),
            self.to_remove.len(),
            self.provisioning.create_fields.len(),
            self.provisioning.create_segments.len(),
            self.provisioning.adopt_fields.len(),
            self.provisioning.update_segments.len(),
        )
    }
}
