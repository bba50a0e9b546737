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

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::records::{Record, csv_from_zip, parse_number};
use super::types::{ExportId, OperationId, Timestamp, format_plain};
use super::{Client, Request};
use crate::error::{Error, Result};
use crate::http::percent_decode;
use crate::http::{Job, JobKind, JobWait, Progress, wait_for};

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

/// The last path segment of a link (URL or path), percent-decoded.
pub(crate) fn file_name_of(link: &str) -> Option<String> {
    let link = link.trim();
    let path = link.split(['?', '#']).next().unwrap_or(link);
    let last = path.rsplit('/').next()?.trim();
    (!last.is_empty()).then(|| percent_decode(last))
}

/// Whether a job status text reads like a failure (the value sets are undocumented).
pub(crate) fn looks_failed(status: &str) -> bool {
    let s = status.to_ascii_lowercase();
    ["error", "fail", "cancel", "abort"]
        .iter()
        .any(|w| s.contains(w))
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

/// Aggregate counts and rates over activity records, for whatever event columns the file
/// carries.
///
/// A column is an **event column** when every non-empty value in it is a number (a count:
/// a recipient had the event when the count is above zero) or a date (the recipient had the
/// event when the date is set). Other columns (email, names, links) are not aggregated.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CampaignStats {
    /// Number of rows (recipients).
    pub recipients: u64,
    /// One entry per event column, in file order.
    pub columns: Vec<ColumnStats>,
}

/// Aggregates of one event column.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ColumnStats {
    /// Column name as in the file.
    pub column: String,
    /// Recipients with the event (count above zero, or date set).
    pub recipients_with_event: u64,
    /// Sum of the counts (`None` for date columns).
    pub total: Option<f64>,
    /// `recipients_with_event / recipients` (0 when there is no recipient).
    pub rate: f64,
}

impl CampaignStats {
    /// Aggregates `records` whose header is `headers`.
    ///
    /// ```
    /// use relance::sendethic::{CampaignStats, RecordReader};
    /// let data = "email;emailopenings;emailclicks\na@x.fr;2;0\nb@x.fr;0;0\nc@x.fr;1;3\n";
    /// let reader = RecordReader::new(data.as_bytes())?;
    /// let headers = reader.headers().to_vec();
    /// let records = reader.collect::<Result<Vec<_>, _>>()?;
    /// let stats = CampaignStats::from_records(&headers, &records);
    /// assert_eq!(stats.recipients, 3);
    /// let opens = stats.column("emailopenings").unwrap();
    /// assert_eq!((opens.recipients_with_event, opens.total), (2, Some(3.0)));
    /// # Ok::<(), relance::Error>(())
    /// ```
    #[must_use]
    pub fn from_records(headers: &[String], records: &[Record]) -> Self {
        let recipients = records.len() as u64;
        let columns = headers
            .iter()
            .filter_map(|column| column_stats(column, records, recipients))
            .collect();
        Self {
            recipients,
            columns,
        }
    }

    /// The aggregates of one column (case-insensitive name).
    ///
    /// ```
    /// # fn show(s: relance::sendethic::CampaignStats) {
    /// if let Some(c) = s.column("emailclicks") { println!("{:.1} %", c.rate * 100.0); }
    /// # }
    /// ```
    #[must_use]
    pub fn column(&self, name: &str) -> Option<&ColumnStats> {
        self.columns
            .iter()
            .find(|c| c.column.eq_ignore_ascii_case(name))
    }
}

#[allow(clippy::cast_precision_loss)]
fn column_stats(column: &str, records: &[Record], recipients: u64) -> Option<ColumnStats> {
    let mut numeric = true;
    let mut dated = true;
    let mut any = false;
    let (mut with_event, mut total) = (0u64, 0.0f64);
    let mut with_date = 0u64;
    for record in records {
        let Some(value) = record.non_empty(column) else {
            continue;
        };
        any = true;
        match parse_number(value) {
            Some(n) if numeric => {
                total += n;
                if n > 0.0 {
                    with_event += 1;
                }
            }
            _ => numeric = false,
        }
        if dated {
            if Timestamp::parse(value).datetime().is_some() {
                with_date += 1;
            } else {
                dated = false;
            }
        }
        if !numeric && !dated {
            return None;
        }
    }
    if !any {
        return None;
    }
    let rate = |n: u64| {
        if recipients == 0 {
            0.0
        } else {
            n as f64 / recipients as f64
        }
    };
    Some(if numeric {
        ColumnStats {
            column: column.to_owned(),
            recipients_with_event: with_event,
            total: Some(total),
            rate: rate(with_event),
        }
    } else {
        ColumnStats {
            column: column.to_owned(),
            recipients_with_event: with_date,
            total: None,
            rate: rate(with_date),
        }
    })
}

/// Handler for statistics. Created by [`Client::stats`].
#[derive(Debug, Clone)]
pub struct StatsHandler {
    client: Client,
}

impl StatsHandler {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// A contact's activity timeline (opens, clicks, sends...): the same call as
    /// [`ContactsHandler::history`](super::ContactsHandler::history), reachable from here.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let history = client.stats().contact_activity("jane@example.com", 50).await?;
    /// # Ok(()) }
    /// ```
    pub fn contact_activity(&self, contact_key: &str, size: u32) -> Request<super::ContactHistory> {
        self.client.contacts().history(contact_key, size)
    }

    /// Remaining credits of one kind: the same call as
    /// [`AccountHandler::credits`](super::AccountHandler::credits), reachable from here.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let sms = client.stats().credits(relance::sendethic::CreditType::Sms).await?;
    /// # Ok(()) }
    /// ```
    pub fn credits(&self, kind: super::CreditType) -> Request<super::Credits> {
        self.client.account().credits(kind)
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
    pub fn start_activity_export(
        &self,
        operation: OperationId,
        range: ActivityRange,
    ) -> Request<ActivityExport> {
        let draft = self.client.request(
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
        self.client
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
        let draft = self.client.request(
            Method::GET,
            "/emailing/exports/{size}",
            &["emailing", "exports", &size.to_string()],
        );
        super::check_size(draft, size).decode_json()
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
        self.client
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
        let reader = csv_from_zip(archive)?;
        let headers = reader.headers().to_vec();
        let records = reader.collect::<Result<Vec<_>>>()?;
        Ok(Activity {
            export,
            headers,
            records,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_from_links() {
        assert_eq!(
            file_name_of(
                "https://services.example/api/rest/v4/emailing/export/file/act%2042.zip?x=1"
            )
            .as_deref(),
            Some("act 42.zip")
        );
        assert_eq!(
            file_name_of("activity.zip").as_deref(),
            Some("activity.zip")
        );
        assert_eq!(file_name_of("https://x.example/dir/"), None);
        assert_eq!(file_name_of(""), None);
    }

    #[test]
    fn failure_statuses() {
        assert!(looks_failed("Error"));
        assert!(looks_failed("FAILED"));
        assert!(!looks_failed("Pending"));
        assert!(!looks_failed(""));
    }

    #[test]
    fn stats_over_counts_dates_and_text() {
        let data = "email;emailopenings;emailopeninglastdate;emailclickinglastlink;bounced\n\
                    a@x.fr;2;2024-05-01 10:00:00;https://x;\n\
                    b@x.fr;0;;;1\n\
                    c@x.fr;1;2024-05-02 11:00:00;;\n\
                    d@x.fr;;;;\n";
        let reader = super::super::records::RecordReader::new(data.as_bytes()).unwrap();
        let headers = reader.headers().to_vec();
        let records: Vec<_> = reader.collect::<Result<_>>().unwrap();
        let stats = CampaignStats::from_records(&headers, &records);
        assert_eq!(stats.recipients, 4);
        let names: Vec<_> = stats.columns.iter().map(|c| c.column.as_str()).collect();
        assert_eq!(names, ["emailopenings", "emailopeninglastdate", "bounced"]);
        let opens = stats.column("emailopenings").unwrap();
        assert_eq!((opens.recipients_with_event, opens.total), (2, Some(3.0)));
        assert!((opens.rate - 0.5).abs() < 1e-9);
        let last = stats.column("emailopeninglastdate").unwrap();
        assert_eq!((last.recipients_with_event, last.total), (2, None));
        assert_eq!(stats.column("bounced").unwrap().recipients_with_event, 1);
        assert!(stats.column("email").is_none());
    }
}
