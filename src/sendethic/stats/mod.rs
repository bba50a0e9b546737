//! Campaign statistics: activity exports of an email operation, parsed and aggregated.
//!
//! Sendethic has no JSON statistics endpoint. Per-recipient activity comes from an
//! asynchronous **activity export** of an email operation: start it
//! (`POST /emailing/export/add/{id}`), poll it (`GET /emailing/export/{id}`) until its `link`
//! is set, download the archive (`GET /emailing/export/file/{fileName}`), unzip it and read the
//! CSV inside. [`StatsHandler::activity`] does all of that.
//!
//! The archive's columns are **undocumented**: every row is kept as a generic [`Record`]
//! (header → value), unknown columns included, and the typed accessors only cover the column
//! names the API documents for contact exports (`email`, `emailopenings`, `emailclicks`,
//! `emailopeninglastdate`, `emailclickinglastdate`, `emailclickinglastlink`...). Their absence
//! simply yields `None`.
//!
//! The aggregation of the rows ([`CampaignStats`]) is in `aggregate`.

mod aggregate;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde::{Deserialize, Serialize};

pub use aggregate::{CampaignStats, ColumnStats};

use super::archive;
use super::core::Core;
use super::jobs::{file_name_of, looks_failed};
use super::records::Record;
use super::types::{ExportId, OperationId, Timestamp, format_plain};
use crate::error::{Error, Result};
use crate::http::{Job, JobKind, JobWait, Progress, Request, wait_for};

/// An activity export of an email operation (`EmailingOperationExport`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ActivityExport {
    /// Export id.
    #[serde(default)]
    pub id: ExportId,
    /// The email operation it exports.
    #[serde(default)]
    pub reference_id: OperationId,
    /// Name.
    #[serde(default, deserialize_with = "crate::wire::lenient::opt_string")]
    pub name: Option<String>,
    /// Status text (value set undocumented).
    #[serde(default, deserialize_with = "crate::wire::lenient::opt_string")]
    pub status: Option<String>,
    /// Start of the exported period (UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<Timestamp>,
    /// End of the exported period (UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<Timestamp>,
    /// Download link, set once the file is ready.
    #[serde(default, deserialize_with = "crate::wire::lenient::opt_string")]
    pub link: Option<String>,
    /// Properties this version of `relance` does not model.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl ActivityExport {
    /// The file name to download: the last path segment of [`link`](Self::link)
    /// (inference: the API takes a `fileName` and returns a link).
    ///
    /// ```
    /// # fn show(e: relance::sendethic::ActivityExport) {
    /// if let Some(name) = e.file_name() { println!("{name}"); }
    /// # }
    /// ```
    #[must_use]
    pub fn file_name(&self) -> Option<String> {
        file_name_of(self.link.as_deref()?)
    }

    /// Whether the file is ready (a link is set).
    ///
    /// ```
    /// # fn show(e: relance::sendethic::ActivityExport) {
    /// if e.is_ready() { /* download */ }
    /// # }
    /// ```
    #[must_use]
    pub fn is_ready(&self) -> bool {
        self.file_name().is_some()
    }

    fn progress(&self) -> Progress {
        let status = self.status.clone().unwrap_or_default();
        if self.is_ready() {
            Progress::Done
        } else if looks_failed(&status) {
            Progress::Failed(status)
        } else {
            Progress::Pending(status)
        }
    }
}

/// The period of an activity export (UTC).
///
/// ```
/// use chrono::{TimeZone, Utc};
/// let range = relance::sendethic::ActivityRange::new(
///     Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap(),
///     Utc.with_ymd_and_hms(2024, 6, 1, 0, 0, 0).unwrap(),
/// );
/// # let _ = range;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityRange {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    name: Option<String>,
}

impl ActivityRange {
    /// From `start` to `end`.
    ///
    /// ```
    /// let now = chrono::Utc::now();
    /// let r = relance::sendethic::ActivityRange::new(now - chrono::Duration::days(30), now);
    /// # let _ = r;
    /// ```
    #[must_use]
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        Self {
            start,
            end,
            name: None,
        }
    }

    /// A name for the export.
    ///
    /// ```
    /// let now = chrono::Utc::now();
    /// let r = relance::sendethic::ActivityRange::new(now, now).name("May newsletter");
    /// # let _ = r;
    /// ```
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WireExport {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    start_date: String,
    end_date: String,
}

/// Per-recipient activity of an email operation.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Activity {
    /// The export it came from.
    pub export: ActivityExport,
    /// The file's header names, in order.
    pub headers: Vec<String>,
    /// One record per row.
    pub records: Vec<Record>,
}

impl Activity {
    /// Aggregates the records.
    ///
    /// ```no_run
    /// # async fn run(a: relance::sendethic::Activity) {
    /// let stats = a.stats();
    /// println!("{} recipients", stats.recipients);
    /// # }
    /// ```
    #[must_use]
    pub fn stats(&self) -> CampaignStats {
        CampaignStats::from_records(&self.headers, &self.records)
    }
}

/// Handler for statistics. Created by [`Client::stats`](super::Client::stats).
#[derive(Debug, Clone)]
pub struct StatsHandler {
    core: Arc<Core>,
}

impl StatsHandler {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self { core }
    }

    /// Starts an activity export of an email operation (`POST /emailing/export/add/{id}`).
    /// Not retried (each call starts a new export).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::{ActivityRange, OperationId};
    /// let now = chrono::Utc::now();
    /// let export = client
    ///     .stats()
    ///     .start_activity_export(OperationId(42), ActivityRange::new(now - chrono::Duration::days(7), now))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    #[doc(alias = "export_activity")]
    pub fn start_activity_export(
        &self,
        operation: OperationId,
        range: ActivityRange,
    ) -> Request<ActivityExport> {
        let draft = self.core.request(
            Method::POST,
            "/emailing/export/add/{id}",
            &["emailing", "export", "add", &operation.to_string()],
        );
        let draft = if range.end < range.start {
            draft.fail(Error::invalid(
                "endDate",
                "the end of the period is before its start",
            ))
        } else {
            draft.json(&WireExport {
                name: range.name,
                start_date: format_plain(range.start),
                end_date: format_plain(range.end),
            })
        };
        draft.decode_json()
    }

    /// Gets an activity export (`GET /emailing/export/{id}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let export = client.stats().activity_export(relance::sendethic::ExportId(7)).await?;
    /// println!("ready: {}", export.is_ready());
    /// # Ok(()) }
    /// ```
    pub fn activity_export(&self, id: ExportId) -> Request<ActivityExport> {
        self.core
            .request(
                Method::GET,
                "/emailing/export/{id}",
                &["emailing", "export", &id.to_string()],
            )
            .decode_json()
    }

    /// Lists the latest activity exports (`GET /emailing/exports/{size}`, `size` ≤ 500).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let exports = client.stats().activity_exports(50).await?;
    /// # Ok(()) }
    /// ```
    pub fn activity_exports(&self, size: u16) -> Request<Vec<ActivityExport>> {
        let draft = self.core.request(
            Method::GET,
            "/emailing/exports/{size}",
            &["emailing", "exports", &size.to_string()],
        );
        draft.size_checked(size).decode_json()
    }

    /// Downloads an activity export archive (`GET /emailing/export/file/{fileName}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let zip = client.stats().download_activity("activity_7.zip").await?;
    /// println!("{} bytes", zip.len());
    /// # Ok(()) }
    /// ```
    pub fn download_activity(&self, file_name: &str) -> Request<bytes::Bytes> {
        self.core
            .request(
                Method::GET,
                "/emailing/export/file/{fileName}",
                &["emailing", "export", "file", file_name],
            )
            .bytes()
    }

    /// The whole pipeline: starts an activity export of `operation` for `range`, waits until
    /// it is ready (polling per `wait`), downloads the archive, unzips it and parses the CSV.
    ///
    /// Fails with [`Error::JobTimeout`] when the export is not ready by the deadline (it may
    /// still finish: call [`activity_export`](Self::activity_export) later) and
    /// [`Error::JobFailed`] when its status reads like a failure.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use std::time::Duration;
    /// use relance::sendethic::{ActivityRange, JobWait, OperationId};
    /// let now = chrono::Utc::now();
    /// let activity = client
    ///     .stats()
    ///     .activity(
    ///         OperationId(42),
    ///         ActivityRange::new(now - chrono::Duration::days(30), now),
    ///         JobWait::new(Duration::from_secs(600)),
    ///     )
    ///     .await?;
    /// let stats = activity.stats();
    /// if let Some(opens) = stats.column("emailopenings") {
    ///     println!("open rate {:.1} %", opens.rate * 100.0);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn activity(
        &self,
        operation: OperationId,
        range: ActivityRange,
        wait: JobWait,
    ) -> Result<Activity> {
        let started = self.start_activity_export(operation, range).await?;
        let id = started.id;
        let export = if started.is_ready() {
            started
        } else {
            wait_for(
                Job::new(JobKind::ActivityExport, id),
                wait,
                || self.activity_export(id).send(),
                ActivityExport::progress,
            )
            .await?
        };
        let file = export
            .file_name()
            .ok_or_else(|| Error::invalid("link", "the export has no download link"))?;
        let archive = self.download_activity(&file).await?;
        let reader = archive::records_in_memory(archive)?;
        let headers = reader.headers().to_vec();
        let records = reader.collect::<Result<Vec<_>>>()?;
        Ok(Activity {
            export,
            headers,
            records,
        })
    }
}
