//! The single send path shared by every provider client.
//!
//! Both the Sendethic and the Sendsay clients send through the same machinery: base URL
//! handling (a path prefix survives; every path segment is percent-encoded in one place),
//! `https` enforcement (plain `http` only to loopback hosts), timeouts (30 s per attempt and
//! 10 s to connect by default, overridable per client and per request), safe retries
//! ([`RetryPolicy`]) honouring `Retry-After`, and one `tracing` span per request that records
//! the method, the path *template* (never the real path, which may hold an email), the status,
//! the attempt and the elapsed time — never headers, keys or bodies.

mod bulk;
mod path;
mod request;
mod retry;
mod transport;
mod verified;
mod wait;

use std::fmt;
use std::time::Duration;

pub(crate) use bulk::numbered_batches;
pub use bulk::{BulkEvent, BulkReport, BulkTotals, FailedWrite, Rejected};
pub use request::{Request, RequestOptions};
pub use retry::RetryPolicy;
pub use wait::{Job, JobKind, JobWait};

pub(crate) use request::{BoxFuture, Call, HttpCall, Safety};

pub(crate) use path::{endpoint, percent_decode, validate_base_url};
pub(crate) use transport::{Body, HttpCore, RawRequest, RawResponse};
pub(crate) use verified::create_verified;
pub(crate) use wait::{Progress, wait_for};

use crate::error::{Error, Result};

/// Default per-attempt timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The user agent every request carries: `relance/<version>`.
pub const USER_AGENT: &str = concat!("relance/", env!("CARGO_PKG_VERSION"));

/// The per-attempt timeout a builder was given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum TimeoutSetting {
    /// [`DEFAULT_TIMEOUT`].
    #[default]
    Default,
    /// A given timeout.
    Fixed(Duration),
    /// No per-attempt timeout.
    Disabled,
}

/// Transport settings shared by the provider client builders.
#[derive(Clone, Default)]
pub(crate) struct CommonBuilder {
    pub(crate) base_url: Option<String>,
    pub(crate) timeout: TimeoutSetting,
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) retry: Option<RetryPolicy>,
    pub(crate) user_agent_suffix: Option<String>,
    pub(crate) http_client: Option<reqwest::Client>,
}

impl fmt::Debug for CommonBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CommonBuilder")
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("retry", &self.retry)
            .field("user_agent_suffix", &self.user_agent_suffix)
            .field("custom_http_client", &self.http_client.is_some())
            .finish()
    }
}

impl CommonBuilder {
    /// Validates everything and builds the shared core.
    pub(crate) fn build(self, provider: &'static str, default_base: &str) -> Result<HttpCore> {
        let base = validate_base_url(self.base_url.as_deref().unwrap_or(default_base))?;
        let timeout = match self.timeout {
            TimeoutSetting::Default => Some(DEFAULT_TIMEOUT),
            TimeoutSetting::Fixed(t) => Some(t),
            TimeoutSetting::Disabled => None,
        };
        if timeout == Some(Duration::ZERO) {
            return Err(Error::config("timeout must be greater than zero"));
        }
        let mut user_agent = USER_AGENT.to_owned();
        if let Some(suffix) = self.user_agent_suffix.filter(|s| !s.trim().is_empty()) {
            user_agent.push(' ');
            user_agent.push_str(suffix.trim());
        }
        let user_agent = reqwest::header::HeaderValue::from_str(&user_agent)
            .map_err(|_| Error::config("user agent suffix contains invalid characters"))?;
        let client = match self.http_client {
            Some(client) => client,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
                .build()
                .map_err(|e| Error::config(format!("cannot build the HTTP client: {e}")))?,
        };
        Ok(HttpCore::new(
            provider,
            client,
            base,
            timeout,
            self.retry.unwrap_or_default(),
            user_agent,
        ))
    }
}

/// Generates the transport-setting methods shared by the provider client builders.
macro_rules! common_builder_methods {
    ($client:literal) => {
        crate::http::common_builder_methods!($client, "https://gw.example/mb/api/rest/v4/");
    };
    ($client:literal, $base:literal) => {
        #[doc = concat!("Overrides the base URL. A path prefix is kept (`", $base, "`).")]
        /// Plain `http://` is refused unless the host is loopback; checked by `build()`.
        ///
        /// ```
        #[doc = concat!("let builder = ", $client, ".base_url(\"", $base, "\");")]
        /// # let _ = builder;
        /// ```
        #[must_use]
        pub fn base_url(mut self, url: impl Into<String>) -> Self {
            self.common.base_url = Some(url.into());
            self
        }

        /// Per-attempt timeout (default 30 s). Each request can override it.
        ///
        /// ```
        #[doc = concat!("let builder = ", $client, ".timeout(std::time::Duration::from_secs(5));")]
        /// # let _ = builder;
        /// ```
        #[must_use]
        pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
            self.common.timeout = crate::http::TimeoutSetting::Fixed(timeout);
            self
        }

        /// Removes the per-attempt timeout (for very large downloads). The retry policy's
        /// overall deadline still bounds retries.
        ///
        /// ```
        #[doc = concat!("let builder = ", $client, ".no_timeout();")]
        /// # let _ = builder;
        /// ```
        #[must_use]
        pub fn no_timeout(mut self) -> Self {
            self.common.timeout = crate::http::TimeoutSetting::Disabled;
            self
        }

        /// Connect timeout (default 10 s). Ignored with [`http_client`](Self::http_client).
        ///
        /// ```
        #[doc = concat!("let builder = ", $client, ".connect_timeout(std::time::Duration::from_secs(3));")]
        /// # let _ = builder;
        /// ```
        #[must_use]
        pub fn connect_timeout(mut self, timeout: std::time::Duration) -> Self {
            self.common.connect_timeout = Some(timeout);
            self
        }

        /// The retry policy (default: [`RetryPolicy::default`](crate::http::RetryPolicy)).
        ///
        /// ```
        #[doc = concat!("let builder = ", $client, ".retry(relance::http::RetryPolicy::none());")]
        /// # let _ = builder;
        /// ```
        #[must_use]
        pub fn retry(mut self, policy: crate::http::RetryPolicy) -> Self {
            self.common.retry = Some(policy);
            self
        }

        /// Appends `suffix` to the `relance/<version>` user agent.
        ///
        /// ```
        #[doc = concat!("let builder = ", $client, ".user_agent_suffix(\"my-shop/2.1\");")]
        /// # let _ = builder;
        /// ```
        #[must_use]
        pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
            self.common.user_agent_suffix = Some(suffix.into());
            self
        }

        /// Uses your own `reqwest::Client` (proxies, custom TLS, connection pools).
        ///
        /// ```
        #[doc = concat!("let builder = ", $client, ".http_client(reqwest::Client::new());")]
        /// # let _ = builder;
        /// ```
        #[must_use]
        pub fn http_client(mut self, client: reqwest::Client) -> Self {
            self.common.http_client = Some(client);
            self
        }
    };
}
pub(crate) use common_builder_methods;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_and_base_urls_are_checked_when_building() {
        let core = CommonBuilder::default()
            .build("test", "https://x.example/")
            .unwrap();
        assert_eq!(core.timeout(), Some(DEFAULT_TIMEOUT));
        let fixed = CommonBuilder {
            timeout: TimeoutSetting::Fixed(Duration::from_secs(5)),
            ..CommonBuilder::default()
        }
        .build("test", "https://x.example/")
        .unwrap();
        assert_eq!(fixed.timeout(), Some(Duration::from_secs(5)));
        let plain_remote = CommonBuilder::default().build("test", "http://x.example/");
        assert!(matches!(plain_remote, Err(Error::Config(_))));
        let plain_loopback = CommonBuilder::default().build("test", "http://127.0.0.1:9/");
        assert!(plain_loopback.is_ok());
        let core = CommonBuilder {
            timeout: TimeoutSetting::Disabled,
            ..CommonBuilder::default()
        }
        .build("test", "https://x.example/")
        .unwrap();
        assert_eq!(core.timeout(), None);
        let zero = CommonBuilder {
            timeout: TimeoutSetting::Fixed(Duration::ZERO),
            ..CommonBuilder::default()
        }
        .build("test", "https://x.example/");
        assert!(matches!(zero, Err(Error::Config(_))));
        let bad_ua = CommonBuilder {
            user_agent_suffix: Some("bad\nvalue\u{7f}".into()),
            ..CommonBuilder::default()
        }
        .build("test", "https://x.example/");
        assert!(matches!(bad_ua, Err(Error::Config(_))));
    }
}
