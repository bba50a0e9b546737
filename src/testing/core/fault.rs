//! Fault injection: [`Fault`] and the fault list of one fake.

use std::sync::Mutex;
use std::time::Duration;

use wiremock::ResponseTemplate;

use super::lock;

/// A fault injected into a fake server: a replacement response and/or an extra delay, for
/// requests matching a method and a path prefix, a limited number of times or with a
/// probability.
///
/// Paths are relative to the fake's API root (`/account/contactattribute`), matched as a
/// prefix of the decoded path.
///
/// ```
/// use std::time::Duration;
/// use relance::testing::Fault;
///
/// // Two 503s on the field list, then normal answers.
/// let f = Fault::status(503).on("GET", "/account/contactattribute").times(2);
/// // A proxy's HTML error page.
/// let g = Fault::html(502);
/// // A slow server.
/// let h = Fault::delay(Duration::from_secs(2)).on_path("/account");
/// // Random failures, deterministic for a given fake seed.
/// let i = Fault::status(500).probability(0.1);
/// # let _ = (f, g, h, i);
/// ```
#[derive(Debug, Clone)]
pub struct Fault {
    method: Option<String>,
    path_prefix: String,
    response: Option<(u16, String, &'static str)>,
    headers: Vec<(String, String)>,
    delay: Option<Duration>,
    remaining: Option<u32>,
    probability: f64,
}

impl Fault {
    fn new(response: Option<(u16, String, &'static str)>) -> Self {
        Self {
            method: None,
            path_prefix: "/".to_owned(),
            response,
            headers: Vec::new(),
            delay: None,
            remaining: None,
            probability: 1.0,
        }
    }

    /// Answers with `status` and an empty text body.
    ///
    /// ```
    /// let f = relance::testing::Fault::status(503);
    /// # let _ = f;
    /// ```
    #[must_use]
    pub fn status(status: u16) -> Self {
        Self::new(Some((status, String::new(), "text/plain")))
    }

    /// Answers with `status` and an HTML error page, like a proxy or load balancer would.
    ///
    /// ```
    /// let f = relance::testing::Fault::html(504);
    /// # let _ = f;
    /// ```
    #[must_use]
    pub fn html(status: u16) -> Self {
        let body = format!(
            "<html><head><title>{status}</title></head><body><h1>{status} Error</h1><hr>proxy</body></html>"
        );
        Self::new(Some((status, body, "text/html")))
    }

    /// Answers with `status` and a custom body.
    ///
    /// ```
    /// let f = relance::testing::Fault::body(400, r#"{"Message":"bad"}"#, "application/json");
    /// # let _ = f;
    /// ```
    #[must_use]
    pub fn body(status: u16, body: impl Into<String>, content_type: &'static str) -> Self {
        Self::new(Some((status, body.into(), content_type)))
    }

    /// Answers 200 with a truncated JSON document.
    ///
    /// ```
    /// let f = relance::testing::Fault::malformed_json();
    /// # let _ = f;
    /// ```
    #[must_use]
    pub fn malformed_json() -> Self {
        Self::body(200, r#"[{"id": 1, "name": "#, "application/json")
    }

    /// Delays the normal answer by `delay` (no replacement response).
    ///
    /// ```
    /// let f = relance::testing::Fault::delay(std::time::Duration::from_millis(500));
    /// # let _ = f;
    /// ```
    #[must_use]
    pub fn delay(delay: Duration) -> Self {
        let mut f = Self::new(None);
        f.delay = Some(delay);
        f
    }

    /// Also delays the (replacement) answer.
    ///
    /// ```
    /// let f = relance::testing::Fault::status(503).delayed(std::time::Duration::from_millis(50));
    /// # let _ = f;
    /// ```
    #[must_use]
    pub fn delayed(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    /// Adds a response header (e.g. `Retry-After`).
    ///
    /// ```
    /// let f = relance::testing::Fault::status(429).header("Retry-After", "1");
    /// # let _ = f;
    /// ```
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Only for this method and path prefix.
    ///
    /// ```
    /// let f = relance::testing::Fault::status(503).on("POST", "/contacts/attribute");
    /// # let _ = f;
    /// ```
    #[must_use]
    pub fn on(mut self, method: &str, path_prefix: impl Into<String>) -> Self {
        self.method = Some(method.to_ascii_uppercase());
        self.path_prefix = path_prefix.into();
        self
    }

    /// Only for this path prefix, any method.
    ///
    /// ```
    /// let f = relance::testing::Fault::status(503).on_path("/segment");
    /// # let _ = f;
    /// ```
    #[must_use]
    pub fn on_path(mut self, path_prefix: impl Into<String>) -> Self {
        self.path_prefix = path_prefix.into();
        self
    }

    /// Fires at most `n` times, then is removed.
    ///
    /// ```
    /// let f = relance::testing::Fault::status(503).times(1);
    /// # let _ = f;
    /// ```
    #[must_use]
    pub fn times(mut self, n: u32) -> Self {
        self.remaining = Some(n);
        self
    }

    /// Fires with probability `p` (0 to 1) on each matching request.
    ///
    /// ```
    /// let f = relance::testing::Fault::status(500).probability(0.25);
    /// # let _ = f;
    /// ```
    #[must_use]
    pub fn probability(mut self, p: f64) -> Self {
        self.probability = p.clamp(0.0, 1.0);
        self
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        self.method.as_deref().is_none_or(|m| m == method) && path.starts_with(&self.path_prefix)
    }
}

/// What the fault list decided for one request.
#[derive(Debug, Default)]
pub(crate) struct FaultOutcome {
    pub(crate) replacement: Option<ResponseTemplate>,
    pub(crate) delay: Option<Duration>,
}

/// The installed faults of one fake.
#[derive(Debug)]
pub(crate) struct Faults {
    list: Mutex<Vec<Fault>>,
    rng: Mutex<fastrand::Rng>,
}

impl Faults {
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            list: Mutex::new(Vec::new()),
            rng: Mutex::new(fastrand::Rng::with_seed(seed)),
        }
    }

    pub(crate) fn push(&self, fault: Fault) {
        lock(&self.list).push(fault);
    }

    pub(crate) fn clear(&self) {
        lock(&self.list).clear();
    }

    /// Applies the first matching fault (if its dice roll fires).
    pub(crate) fn apply(&self, method: &str, path: &str) -> FaultOutcome {
        let mut list = lock(&self.list);
        let mut rng = lock(&self.rng);
        let Some(pos) = list
            .iter()
            .position(|f| f.matches(method, path) && rng.f64() < f.probability)
        else {
            return FaultOutcome::default();
        };
        let fault = list[pos].clone();
        if let Some(n) = &mut list[pos].remaining {
            *n = n.saturating_sub(1);
            if *n == 0 {
                list.remove(pos);
            }
        }
        let replacement = fault.response.map(|(status, body, content_type)| {
            let mut t = ResponseTemplate::new(status).set_body_raw(body, content_type);
            for (k, v) in &fault.headers {
                t = t.insert_header(k.as_str(), v.as_str());
            }
            t
        });
        FaultOutcome {
            replacement,
            delay: fault.delay,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_fire_limited_times_and_match() {
        let faults = Faults::new(1);
        faults.push(Fault::status(503).on("GET", "/a").times(2));
        assert!(faults.apply("POST", "/a").replacement.is_none());
        assert!(faults.apply("GET", "/b").replacement.is_none());
        assert!(faults.apply("GET", "/a/x").replacement.is_some());
        assert!(faults.apply("GET", "/a").replacement.is_some());
        assert!(faults.apply("GET", "/a").replacement.is_none());
    }

    #[test]
    fn probability_is_respected_roughly() {
        let faults = Faults::new(7);
        faults.push(Fault::status(500).probability(0.3));
        let fired = (0..1000)
            .filter(|_| faults.apply("GET", "/x").replacement.is_some())
            .count();
        assert!((200..400).contains(&fired), "{fired}");
    }
}
