//! Waiting for server-side jobs (imports, exports, purges, activity exports).

use std::future::Future;
use std::time::Duration;

use crate::error::{Error, Result};

/// How to wait for a server-side job: a first polling interval that grows by half at each
/// poll up to a ceiling, and a deadline chosen by the caller. Polling never runs without a
/// deadline.
///
/// ```
/// use std::time::Duration;
/// use relance::sendethic::JobWait;
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
    /// let wait = relance::sendethic::JobWait::new(std::time::Duration::from_secs(60));
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
    /// let wait = relance::sendethic::JobWait::new(std::time::Duration::from_secs(60))
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
    /// let wait = relance::sendethic::JobWait::new(std::time::Duration::from_secs(60))
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
    /// let wait = relance::sendethic::JobWait::new(std::time::Duration::from_secs(60));
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
    job: &str,
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
                return Err(Error::JobFailed {
                    job: job.to_owned(),
                    status,
                });
            }
            Progress::Pending(status) => status,
        };
        let elapsed = start.elapsed();
        if elapsed + interval > wait.deadline {
            return Err(Error::JobTimeout {
                job: job.to_owned(),
                status,
                waited: elapsed,
            });
        }
        tracing::debug!(job, status = %status, "job not ready yet");
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
            "export 7",
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
            "import 3",
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
        assert_eq!((job.as_str(), status.as_str()), ("import 3", "Processing"));
        assert!(waited <= Duration::from_secs(10));
    }

    #[tokio::test]
    async fn a_failed_job_is_an_error() {
        let err = wait_for(
            "purge 1",
            JobWait::new(Duration::from_secs(10)),
            || async { Ok::<_, Error>(()) },
            |()| Progress::Failed("Error".into()),
        )
        .await
        .unwrap_err();
        assert!(matches!(err, Error::JobFailed { ref status, .. } if status == "Error"));
    }
}
