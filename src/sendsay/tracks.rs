//! Asynchronous jobs: `track.get`, `track.list`, and waiting with a deadline.

use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::core::Core;
use super::envelope;
use super::filter::{Filter, FilterRule};
use super::ids::TrackId;
use super::params::Params;
use crate::error::{Error, Result};
use crate::http::{Job, JobKind, JobWait, Progress, Request, wait_for};

/// The status of a job. Numeric on the wire (often as a string); unknown values are kept.
///
/// | value | meaning | |
/// |---|---|---|
/// | -6 | not moderated | terminal, failure |
/// | -5 | on pre-moderation | parked |
/// | -4 | will be done later | parked |
/// | -3 | cancelled | terminal, failure |
/// | -2 | finished with error | terminal, failure |
/// | -1 | finished with success | terminal, success |
/// | 0..=6 | accepted, started, in process, sorting, formatting, report, spam check | running |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TrackStatus(pub i64);

impl TrackStatus {
    /// Finished with success (`-1`).
    ///
    /// ```
    /// assert!(relance::sendsay::TrackStatus(-1).is_success());
    /// ```
    #[must_use]
    pub fn is_success(self) -> bool {
        self.0 == -1
    }

    /// Finished without success: with an error (`-2`), cancelled (`-3`), not moderated (`-6`)
    /// or any other negative status except the parked ones.
    ///
    /// ```
    /// assert!(relance::sendsay::TrackStatus(-2).is_failure());
    /// ```
    #[must_use]
    pub fn is_failure(self) -> bool {
        self.0 < -1 && !self.is_parked()
    }

    /// Waiting: on pre-moderation (`-5`) or scheduled for later (`-4`).
    ///
    /// ```
    /// assert!(relance::sendsay::TrackStatus(-4).is_parked());
    /// ```
    #[must_use]
    pub fn is_parked(self) -> bool {
        matches!(self.0, -5 | -4)
    }

    /// Finished (success or failure).
    ///
    /// ```
    /// assert!(!relance::sendsay::TrackStatus(2).is_finished());
    /// ```
    #[must_use]
    pub fn is_finished(self) -> bool {
        self.0 < 0 && !self.is_parked()
    }

    /// A description of the status.
    ///
    /// ```
    /// assert_eq!(relance::sendsay::TrackStatus(2).description(), "in process");
    /// ```
    #[must_use]
    pub fn description(self) -> &'static str {
        match self.0 {
            -6 => "not moderated",
            -5 => "on pre-moderation",
            -4 => "will be done later",
            -3 => "cancelled",
            -2 => "finished with error",
            -1 => "finished with success",
            0 => "accepted",
            1 => "started",
            2 => "in process",
            3 => "sorting",
            4 => "formatting",
            5 => "generating report",
            6 => "checking for spam",
            _ => "unknown",
        }
    }
}

impl Serialize for TrackStatus {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_i64(self.0)
    }
}

impl<'de> Deserialize<'de> for TrackStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        crate::wire::lenient::int(d).map(Self)
    }
}

/// A job as `track.get` / `track.list` return it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TrackInfo {
    /// The id.
    #[serde(default)]
    pub id: Option<TrackId>,
    /// The status.
    #[serde(default)]
    pub status: TrackStatus,
    /// The action that started it (in `track.list`).
    #[serde(default, deserialize_with = "crate::wire::lenient::opt_string")]
    pub action: Option<String>,
    /// When (wire datetime).
    #[serde(default, deserialize_with = "crate::wire::lenient::opt_string")]
    pub dt: Option<String>,
    /// Parameters and results (`report_file` for saved reports, `error` on failure).
    #[serde(default)]
    pub param: Map<String, Value>,
    /// The error, for failed jobs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Value>,
    /// Every other field (`error.info`, ...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl TrackInfo {
    /// The report file of a `result: "save"` job (`param.report_file`).
    ///
    /// ```
    /// assert_eq!(relance::sendsay::TrackInfo::default().report_file(), None);
    /// ```
    #[must_use]
    pub fn report_file(&self) -> Option<&str> {
        self.param.get("report_file").and_then(Value::as_str)
    }
}

/// A handle on one job. Created by [`Client::track`](super::Client::track).
#[derive(Debug, Clone)]
pub struct Track {
    core: Arc<Core>,
    id: TrackId,
}

impl Track {
    pub(crate) fn new(core: Arc<Core>, id: TrackId) -> Self {
        Self { core, id }
    }

    /// The job id.
    ///
    /// ```
    /// # let client = relance::sendsay::Client::builder("a", relance::sendsay::Auth::api_key("k")).build()?;
    /// assert_eq!(client.track("12").id().as_str(), "12");
    /// # Ok::<(), relance::Error>(())
    /// ```
    #[must_use]
    pub fn id(&self) -> &TrackId {
        &self.id
    }

    /// `track.get`: the job's current state (retried per the policy).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let info = client.track("1234").get().await?;
    /// println!("{}", info.status.description());
    /// # Ok(()) }
    /// ```
    pub fn get(&self) -> Request<TrackInfo> {
        let params = if self.id.0.trim().is_empty() {
            Err(Error::invalid("track.id", "must not be empty"))
        } else {
            Params::new().set("id", self.id.to_value()).ok()
        };
        self.core.action("track.get", params, envelope::obj)
    }

    /// Polls `track.get` as `wait` says until the job finishes (status `< 0`) or is parked
    /// (`-4`, `-5`), and returns its final state — check
    /// [`status.is_success()`](TrackStatus::is_success). When the deadline passes first, fails
    /// with [`Error::JobTimeout`] naming the track and its last status; the job keeps running
    /// on the service.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// use std::time::Duration;
    /// use relance::JobWait;
    /// let info = client.track("1234").wait(JobWait::new(Duration::from_secs(300))).await?;
    /// if !info.status.is_success() { eprintln!("job ended: {}", info.status.description()); }
    /// # Ok(()) }
    /// ```
    pub async fn wait(&self, wait: JobWait) -> Result<TrackInfo> {
        wait_for(
            Job::new(JobKind::Track, &self.id),
            wait,
            || self.get().send(),
            |info: &TrackInfo| {
                if info.status.0 < 0 {
                    Progress::Done
                } else {
                    Progress::Pending(info.status.description().to_owned())
                }
            },
        )
        .await
    }
}

/// A `track.list` query.
///
/// ```
/// use relance::sendsay::TrackListQuery;
/// let failed_sends = TrackListQuery::new()
///     .actions(["issue.send", "member.import"])
///     .statuses([-6, -2])
///     .first(50);
/// # let _ = failed_sends;
/// ```
#[derive(Debug, Clone, Default)]
pub struct TrackListQuery {
    filter: Filter,
    first: Option<u64>,
    skip: Option<u64>,
}

impl TrackListQuery {
    /// Every job, most recent first.
    ///
    /// ```
    /// let q = relance::sendsay::TrackListQuery::new();
    /// # let _ = q;
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Only these actions.
    ///
    /// ```
    /// let q = relance::sendsay::TrackListQuery::new().actions(["issue.send"]);
    /// # let _ = q;
    /// ```
    #[must_use]
    pub fn actions<I, S>(mut self, actions: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let list: Vec<String> = actions.into_iter().map(Into::into).collect();
        self.filter = self.filter.and(FilterRule::is_in("action", list));
        self
    }

    /// Only these statuses.
    ///
    /// ```
    /// let q = relance::sendsay::TrackListQuery::new().statuses([-2]);
    /// # let _ = q;
    /// ```
    #[must_use]
    pub fn statuses(mut self, statuses: impl IntoIterator<Item = i64>) -> Self {
        let list: Vec<i64> = statuses.into_iter().collect();
        self.filter = self.filter.and(FilterRule::is_in("status", list));
        self
    }

    /// At most `n` jobs.
    ///
    /// ```
    /// let q = relance::sendsay::TrackListQuery::new().first(10);
    /// # let _ = q;
    /// ```
    #[must_use]
    pub fn first(mut self, n: u64) -> Self {
        self.first = Some(n);
        self
    }

    /// Skips `n` jobs.
    ///
    /// ```
    /// let q = relance::sendsay::TrackListQuery::new().skip(50);
    /// # let _ = q;
    /// ```
    #[must_use]
    pub fn skip(mut self, n: u64) -> Self {
        self.skip = Some(n);
        self
    }
}

/// Handler for jobs. Created by [`Client::tracks`](super::Client::tracks).
#[derive(Debug, Clone)]
pub struct TracksHandler {
    core: Arc<Core>,
}

impl TracksHandler {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self { core }
    }

    /// `track.list`, most recent first (`order: ["-track.dt"]`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let jobs = client.tracks().list(relance::sendsay::TrackListQuery::new().statuses([-2])).await?;
    /// # Ok(()) }
    /// ```
    #[allow(clippy::needless_pass_by_value)]
    pub fn list(&self, query: TrackListQuery) -> Request<Vec<TrackInfo>> {
        let params = Params::new()
            .opt(
                "filter",
                (!query.filter.is_empty()).then(|| query.filter.to_value()),
            )
            .set("order", vec!["-track.dt"])
            .opt("first", query.first)
            .opt("skip", query.skip)
            .ok();
        self.core.action("track.list", params, envelope::list)
    }
}
