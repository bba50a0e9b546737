//! Retry policy, the pure retry decision, and `Retry-After` parsing.

use std::time::{Duration, SystemTime};

/// When and how often a failed request is sent again.
///
/// Only requests that are **retry-safe** are ever retried: reads (GET), idempotent writes
/// (PUT, DELETE, upserts keyed by the contact key) and Sendsay read-only actions. Sends
/// (campaign approval, test and transactional mails, SMS) are never retried, whatever the
/// policy says.
///
/// Retried failures: connection errors, timeouts, HTTP 429, 502, 503 and 504. The delay is the
/// server's `Retry-After` (delta-seconds or HTTP-date) when present, otherwise a capped
/// exponential backoff with full jitter. The overall deadline bounds the whole exchange.
///
/// # Example
/// ```
/// use std::time::Duration;
/// use relance::http::RetryPolicy;
///
/// let policy = RetryPolicy::default()
///     .max_attempts(5)
///     .initial_backoff(Duration::from_millis(200))
///     .max_backoff(Duration::from_secs(5))
///     .deadline(Duration::from_secs(60));
/// assert_eq!(policy.attempts(), 5);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    deadline: Duration,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// 3 attempts, backoff from 500 ms capped at 8 s, 120 s overall deadline, and a server
    /// `Retry-After` honoured up to 60 s.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            deadline: Duration::from_secs(120),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    ///
    /// ```
    /// assert_eq!(relance::http::RetryPolicy::none().attempts(), 1);
    /// ```
    #[must_use]
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Total number of attempts, the first included (at least 1).
    ///
    /// ```
    /// let p = relance::http::RetryPolicy::default().max_attempts(0);
    /// assert_eq!(p.attempts(), 1);
    /// ```
    #[must_use]
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The first backoff delay (doubled at each retry, before jitter).
    ///
    /// ```
    /// # use std::time::Duration;
    /// let p = relance::http::RetryPolicy::default().initial_backoff(Duration::from_millis(100));
    /// # let _ = p;
    /// ```
    #[must_use]
    pub fn initial_backoff(mut self, delay: Duration) -> Self {
        self.initial_backoff = delay;
        self
    }

    /// The largest backoff delay.
    ///
    /// ```
    /// # use std::time::Duration;
    /// let p = relance::http::RetryPolicy::default().max_backoff(Duration::from_secs(2));
    /// # let _ = p;
    /// ```
    #[must_use]
    pub fn max_backoff(mut self, delay: Duration) -> Self {
        self.max_backoff = delay;
        self
    }

    /// The overall deadline: no retry is started if its delay would end after
    /// `deadline` from the first attempt.
    ///
    /// ```
    /// # use std::time::Duration;
    /// let p = relance::http::RetryPolicy::default().deadline(Duration::from_secs(30));
    /// # let _ = p;
    /// ```
    #[must_use]
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// The longest server `Retry-After` that is waited for; a longer one ends the retries
    /// with [`Error::RateLimited`](crate::Error::RateLimited) carrying the hint.
    ///
    /// ```
    /// # use std::time::Duration;
    /// let p = relance::http::RetryPolicy::default().max_retry_after(Duration::from_secs(10));
    /// # let _ = p;
    /// ```
    #[must_use]
    pub fn max_retry_after(mut self, limit: Duration) -> Self {
        self.max_retry_after = limit;
        self
    }

    /// The number of attempts this policy allows.
    ///
    /// ```
    /// assert_eq!(relance::http::RetryPolicy::default().attempts(), 3);
    /// ```
    #[must_use]
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The backoff ceiling for retry number `retry` (1-based), before jitter.
    fn backoff_ceiling(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }
}

/// What went wrong with one attempt, as far as the retry decision cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The connection could not be established: the request was not sent.
    Connect,
    /// The attempt timed out (the request may have been received).
    Timeout,
    /// Another transport error after sending started.
    Transport,
    /// A 2xx answer whose body could not be read or decoded: the request was processed,
    /// the answer lost.
    Body,
    /// An HTTP status with the server's `Retry-After`, if any.
    Status(u16, Option<Duration>),
}

/// The retry decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Sleep this long, then send again.
    RetryAfter(Duration),
    /// Give up and report the failure.
    Stop,
}

/// Decides whether attempt number `attempt` (1-based) that failed with `failure`, `elapsed`
/// after the first attempt started, is retried. `jitter` is a number in `[0, 1)`.
///
/// Pure: no clock, no randomness of its own.
pub(crate) fn decide(
    policy: &RetryPolicy,
    retry_safe: bool,
    attempt: u32,
    elapsed: Duration,
    failure: Failure,
    jitter: f64,
) -> Decision {
    // A connection that was never established sent nothing: safe for any request.
    let safe = retry_safe || failure == Failure::Connect;
    if !safe || attempt >= policy.max_attempts {
        return Decision::Stop;
    }
    let delay = match failure {
        Failure::Connect | Failure::Timeout | Failure::Transport | Failure::Body => None,
        Failure::Status(429 | 502 | 503 | 504, hint) => hint,
        Failure::Status(..) => return Decision::Stop,
    };
    let delay = match delay {
        Some(hint) if hint > policy.max_retry_after => return Decision::Stop,
        Some(hint) => hint,
        None => policy
            .backoff_ceiling(attempt)
            .mul_f64(jitter.clamp(0.0, 1.0)),
    };
    if elapsed.saturating_add(delay) > policy.deadline {
        return Decision::Stop;
    }
    Decision::RetryAfter(delay)
}

/// Parses a `Retry-After` header value: delta-seconds or an HTTP-date (relative to `now`).
/// A date in the past gives zero.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> RetryPolicy {
        RetryPolicy::default()
    }
    const S: Duration = Duration::ZERO;

    #[test]
    fn retries_transient_statuses_when_safe() {
        for status in [429, 502, 503, 504] {
            assert!(matches!(
                decide(&p(), true, 1, S, Failure::Status(status, None), 0.5),
                Decision::RetryAfter(_)
            ));
        }
    }

    #[test]
    fn lost_answers_are_retried_when_safe() {
        assert!(matches!(
            decide(&p(), true, 1, S, Failure::Body, 0.5),
            Decision::RetryAfter(_)
        ));
        assert_eq!(
            decide(&p(), false, 1, S, Failure::Body, 0.5),
            Decision::Stop
        );
    }

    #[test]
    fn does_not_retry_other_statuses() {
        for status in [400, 401, 403, 404, 409, 500, 501] {
            assert_eq!(
                decide(&p(), true, 1, S, Failure::Status(status, None), 0.5),
                Decision::Stop,
                "{status}"
            );
        }
    }

    #[test]
    fn unsafe_requests_are_never_retried_once_sent() {
        for f in [
            Failure::Timeout,
            Failure::Transport,
            Failure::Body,
            Failure::Status(503, None),
            Failure::Status(429, Some(Duration::from_secs(1))),
        ] {
            assert_eq!(decide(&p(), false, 1, S, f, 0.5), Decision::Stop);
        }
    }

    #[test]
    fn connect_errors_are_retried_even_when_unsafe() {
        assert!(matches!(
            decide(&p(), false, 1, S, Failure::Connect, 0.5),
            Decision::RetryAfter(_)
        ));
    }

    #[test]
    fn attempts_are_bounded() {
        let f = Failure::Status(503, None);
        assert!(matches!(
            decide(&p(), true, 2, S, f, 0.5),
            Decision::RetryAfter(_)
        ));
        assert_eq!(decide(&p(), true, 3, S, f, 0.5), Decision::Stop);
        assert_eq!(
            decide(&RetryPolicy::none(), true, 1, S, f, 0.5),
            Decision::Stop
        );
    }

    #[test]
    fn backoff_is_exponential_capped_with_full_jitter() {
        let policy = p()
            .max_attempts(20)
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_secs(1));
        let f = Failure::Timeout;
        assert_eq!(
            decide(&policy, true, 1, S, f, 0.999_999),
            Decision::RetryAfter(Duration::from_millis(100).mul_f64(0.999_999))
        );
        assert_eq!(
            decide(&policy, true, 3, S, f, 0.5),
            Decision::RetryAfter(Duration::from_millis(200))
        );
        assert_eq!(
            decide(&policy, true, 10, S, f, 0.5),
            Decision::RetryAfter(Duration::from_millis(500))
        );
        assert_eq!(
            decide(&policy, true, 10, S, f, 0.0),
            Decision::RetryAfter(S)
        );
    }

    #[test]
    fn retry_after_hint_wins_over_backoff_and_is_capped() {
        let hint = Duration::from_secs(7);
        assert_eq!(
            decide(&p(), true, 1, S, Failure::Status(429, Some(hint)), 0.1),
            Decision::RetryAfter(hint)
        );
        let long = Duration::from_secs(3600);
        assert_eq!(
            decide(&p(), true, 1, S, Failure::Status(429, Some(long)), 0.1),
            Decision::Stop
        );
    }

    #[test]
    fn overall_deadline_stops_retries() {
        let policy = p().deadline(Duration::from_secs(10));
        let hint = Some(Duration::from_secs(5));
        assert_eq!(
            decide(
                &policy,
                true,
                1,
                Duration::from_secs(6),
                Failure::Status(503, hint),
                0.5
            ),
            Decision::Stop
        );
        assert!(matches!(
            decide(
                &policy,
                true,
                1,
                Duration::from_secs(4),
                Failure::Status(503, hint),
                0.5
            ),
            Decision::RetryAfter(_)
        ));
    }

    #[test]
    fn parses_retry_after_both_forms() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:40:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
    }
}
