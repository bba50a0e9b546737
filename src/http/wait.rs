//! Waiting for server-side jobs: Sendethic imports, exports, purges and activity exports,
//! Sendsay tracks. One [`JobWait`] says how; one loop polls.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use crate::error::{Error, Result};

/// The kind of a server-side job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JobKind {
    /// A Sendethic contact import.
    Import,
    /// A Sendethic contact export.
    Export,
    /// A Sendethic contact purge.
    Purge,
    /// A Sendethic campaign activity export.
    ActivityExport,
    /// A Sendsay asynchronous job (`track.id`).
    Track,
}

impl JobKind {
    /// A short lowercase name (`import`, `activity export`, `track`).
    ///
    /// ```
    /// assert_eq!(relance::JobKind::ActivityExport.as_str(), "activity export");
    /// ```
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Import => "import",
            Self::Export => "export",
            Self::Purge => "purge",
            Self::ActivityExport => "activity export",
            Self::Track => "track",
        }
    }
}

/// A server-side job: its kind and its id as the service gave it.
///
/// ```
/// let job = relance::Job::new(relance::JobKind::Import, "42");
/// assert_eq!(job.to_string(), "import 42");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Job {
    /// What kind of job.
    pub kind: JobKind,
    /// Its id.
    pub id: String,
}

impl Job {
    /// A job of `kind` with `id`.
    ///
    /// ```
    /// let job = relance::Job::new(relance::JobKind::Track, "1234");
    /// assert_eq!(job.id, "1234");
    /// ```
    pub fn new(kind: JobKind, id: impl fmt::Display) -> Self {
        Self {
            kind,
            id: id.to_string(),
        }
    }
}

impl fmt::Display for Job {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind.as_str(), self.id)
    }
}

/// How to wait for a server-side job (a Sendethic import, export, purge or activity export, a
/// Sendsay track): a first polling interval that grows by half at each poll up to a ceiling,
/// and a deadline chosen by the caller. Polling never runs without a deadline.
///
/// ```
/// use std::time::Duration;
/// use relance::JobWait;
///
/// let wait = JobWait::new(Duration::from_secs(600))
///     .interval(Duration::from_secs(2))
///     .max_interval(Duration::from_secs(30));
/// assert_eq!(wait.deadline(), Duration::from_secs(600));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobWait {
    interval: Duration,
    max_interval: Duration,
    deadline: Duration,
}

impl JobWait {
    /// Waits at most `deadline`, polling after 1 s, then every 1.5× longer up to 30 s.
    ///
    /// ```
    /// let wait = relance::JobWait::new(std::time::Duration::from_secs(60));
    /// # let _ = wait;
    /// ```
    #[must_use]
    pub fn new(deadline: Duration) -> Self {
        Self {
            interval: Duration::from_secs(1),
            max_interval: Duration::from_secs(30),
            deadline,
        }
    }

    /// The first polling interval.
    ///
    /// ```
    /// let wait = relance::JobWait::new(std::time::Duration::from_secs(60))
    ///     .interval(std::time::Duration::from_millis(250));
    /// # let _ = wait;
    /// ```
    #[must_use]
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// The longest polling interval.
    ///
    /// ```
    /// let wait = relance::JobWait::new(std::time::Duration::from_secs(60))
    ///     .max_interval(std::time::Duration::from_secs(5));
    /// # let _ = wait;
    /// ```
    #[must_use]
    pub fn max_interval(mut self, interval: Duration) -> Self {
        self.max_interval = interval;
        self
    }

    /// The deadline.
    ///
    /// ```
    /// let wait = relance::JobWait::new(std::time::Duration::from_secs(60));
    /// assert_eq!(wait.deadline().as_secs(), 60);
    /// ```
    #[must_use]
    pub fn deadline(&self) -> Duration {
        self.deadline
    }
}

/// What one poll of a job says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Progress {
    /// Not finished yet; the status text as received.
    Pending(String),
    /// Finished successfully.
    Done,
    /// Finished with a failure; the status text as received.
    Failed(String),
}

/// Polls `fetch` until `check` says the job is done (returning the last value), failed
/// ([`Error::JobFailed`]) or the deadline passes ([`Error::JobTimeout`]).
pub(crate) async fn wait_for<T, F, Fut>(
    job: Job,
    wait: JobWait,
    mut fetch: F,
    check: impl Fn(&T) -> Progress,
) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let start = tokio::time::Instant::now();
    let mut interval = wait.interval;
    loop {
        let value = fetch().await?;
        let status = match check(&value) {
            Progress::Done => return Ok(value),
            Progress::Failed(status) => {
                return Err(Error::JobFailed { job, status });
            }
            Progress::Pending(status) => status,
        };
        let elapsed = start.elapsed();
        if elapsed + interval > wait.deadline {
            return Err(Error::JobTimeout {
                job,
                status,
                waited: elapsed,
            });
        }
        tracing::debug!(job = %job, status = %status, "job not ready yet");
        tokio::time::sleep(interval).await;
        interval = interval.mul_f64(1.5).min(wait.max_interval);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[tokio::test(start_paused = true)]
    async fn polls_with_growing_intervals_until_done() {
        let polls = Cell::new(0u32);
        let start = tokio::time::Instant::now();
        let out = wait_for(
            Job::new(JobKind::Export, 7),
            JobWait::new(Duration::from_secs(100)).interval(Duration::from_secs(2)),
            || {
                polls.set(polls.get() + 1);
                let n = polls.get();
                async move { Ok::<_, Error>(n) }
            },
            |n| {
                if *n >= 4 {
                    Progress::Done
                } else {
                    Progress::Pending("running".into())
                }
            },
        )
        .await
        .unwrap();
        assert_eq!(out, 4);
        // 2 + 3 + 4.5 seconds of sleeping.
        assert_eq!(start.elapsed(), Duration::from_millis(9_500));
    }

    #[tokio::test(start_paused = true)]
    async fn stops_at_the_deadline_with_the_last_status() {
        let err = wait_for(
            Job::new(JobKind::Import, 3),
            JobWait::new(Duration::from_secs(10)).interval(Duration::from_secs(4)),
            || async { Ok::<_, Error>(()) },
            |()| Progress::Pending("Processing".into()),
        )
        .await
        .unwrap_err();
        let Error::JobTimeout {
            job,
            status,
            waited,
        } = err
        else {
            panic!("{err:?}")
        };
        assert_eq!(job, Job::new(JobKind::Import, 3));
        assert_eq!(status, "Processing");
        assert!(waited <= Duration::from_secs(10));
    }

    #[tokio::test]
    async fn a_failed_job_is_an_error() {
        let err = wait_for(
            Job::new(JobKind::Purge, 1),
            JobWait::new(Duration::from_secs(10)),
            || async { Ok::<_, Error>(()) },
            |()| Progress::Failed("Error".into()),
        )
        .await
        .unwrap_err();
        assert!(matches!(err, Error::JobFailed { ref status, .. } if status == "Error"));
    }
}
