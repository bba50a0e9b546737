//! Fault injection: [`Fault`] and the fault list of one fake.

use std::sync::Mutex;
use std::time::Duration;

use super::lock;

/// A fault injected into a fake server, for requests matching a method and a path prefix, a
/// limited number of times or with a probability: a replacement answer, a connection reset,
/// an answer cut mid-body, and/or an extra delay.
///
/// **Before or after processing.** A replacement answer or a reset happens *before* the
/// service processes the request (nothing changes on the fake) unless
/// [`after_processing`](Self::after_processing) is set: then the service processes the
/// request (its state changes) and its answer is lost — replaced, cut or never sent. A
/// [`truncated`](Self::truncated) answer and a [`delay`](Self::delay) always come after
/// processing (a delay beyond the client's timeout is a timeout after processing). This is
/// what makes a send ambiguous: the client cannot tell whether the service acted.
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
/// // The connection drops before the request is processed.
/// let j = Fault::reset();
/// // The request is processed, then the answer is cut mid-body.
/// let k = Fault::truncated().on("POST", "/contacts/attribute");
/// // The request is processed, then the answer is a malformed document.
/// let l = Fault::malformed_json().after_processing();
/// # let _ = (f, g, h, i, j, k, l);
/// ```
#[derive(Debug, Clone)]
pub struct Fault {
    method: Option<String>,
    path_prefix: String,
    action: Option<Action>,
    after_processing: bool,
    delay: Option<Duration>,
    remaining: Option<u32>,
    probability: f64,
    name: Option<String>,
}

/// What a fault does to the answer.
#[derive(Debug, Clone)]
pub(crate) enum Action {
    /// This answer instead of the service's.
    Reply {
        status: u16,
        body: String,
        content_type: &'static str,
        headers: Vec<(String, String)>,
    },
    /// The connection is closed without an answer.
    Reset,
    /// The service's answer, its body cut in half and the connection closed.
    Truncate,
}

impl Fault {
    fn new(action: Option<Action>) -> Self {
        Self {
            method: None,
            path_prefix: "/".to_owned(),
            action,
            after_processing: false,
            delay: None,
            remaining: None,
            probability: 1.0,
            name: None,
        }
    }

    fn reply(status: u16, body: String, content_type: &'static str) -> Self {
        Self::new(Some(Action::Reply {
            status,
            body,
            content_type,
            headers: Vec::new(),
        }))
    }

    /// Closes the connection without answering, before the service processes the request
    /// (the client sees a transport error; nothing happened on the fake).
    ///
    /// ```
    /// let f = relance::testing::Fault::reset().on("GET", "/account/contactattribute");
    /// # let _ = f;
    /// ```
    #[must_use]
    pub fn reset() -> Self {
        Self::new(Some(Action::Reset))
    }

    /// Lets the service process the request, then sends its answer with the body cut in
    /// half and closes the connection (the client sees a transport error while reading the
    /// body).
    ///
    /// ```
    /// let f = relance::testing::Fault::truncated().on("POST", "/contacts/attribute");
    /// # let _ = f;
    /// ```
    #[must_use]
    pub fn truncated() -> Self {
        let mut f = Self::new(Some(Action::Truncate));
        f.after_processing = true;
        f
    }

    /// Lets the service process the request before the fault replaces, cuts or drops its
    /// answer (replacements and resets come before processing otherwise).
    ///
    /// ```
    /// let f = relance::testing::Fault::status(503).after_processing();
    /// # let _ = f;
    /// ```
    #[must_use]
    pub fn after_processing(mut self) -> Self {
        self.after_processing = true;
        self
    }

    /// Answers with `status` and an empty text body.
    ///
    /// ```
    /// let f = relance::testing::Fault::status(503);
    /// # let _ = f;
    /// ```
    #[must_use]
    pub fn status(status: u16) -> Self {
        Self::reply(status, String::new(), "text/plain")
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
        Self::reply(status, body, "text/html")
    }

    /// Answers with `status` and a custom body.
    ///
    /// ```
    /// let f = relance::testing::Fault::body(400, r#"{"Message":"bad"}"#, "application/json");
    /// # let _ = f;
    /// ```
    #[must_use]
    pub fn body(status: u16, body: impl Into<String>, content_type: &'static str) -> Self {
        Self::reply(status, body.into(), content_type)
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

    /// Delays the normal answer by `delay`, after the service processed the request (no
    /// replacement response; beyond the client's timeout, a timeout after processing).
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

    /// Adds a header to the replacement answer (e.g. `Retry-After`, in seconds or as an
    /// HTTP-date); no effect on other faults.
    ///
    /// ```
    /// let f = relance::testing::Fault::status(429).header("Retry-After", "1");
    /// # let _ = f;
    /// ```
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        if let Some(Action::Reply { headers, .. }) = &mut self.action {
            headers.push((name.into(), value.into()));
        }
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

    /// Names the fault, as [`RecordedRequest::fault`](super::RecordedRequest::fault) reports
    /// it on each request it hit (by default a short description: `503 text/html`, `reset`,
    /// `truncated`, `delay 2s`, with ` after processing` when it applies).
    ///
    /// ```
    /// let f = relance::testing::Fault::status(429).named("429 with an HTTP date");
    /// # let _ = f;
    /// ```
    #[must_use]
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The name given with [`named`](Self::named), or a short description.
    fn label(&self) -> String {
        if let Some(name) = &self.name {
            return name.clone();
        }
        let mut label = match &self.action {
            Some(Action::Reply {
                status,
                content_type,
                ..
            }) => format!("{status} {}", content_type.split(';').next().unwrap_or("")),
            Some(Action::Reset) => "reset".to_owned(),
            Some(Action::Truncate) => "truncated".to_owned(),
            None => String::new(),
        };
        if let Some(delay) = self.delay {
            if !label.is_empty() {
                label.push_str(", ");
            }
            label = format!("{label}delay {delay:?}");
        }
        if self.after_processing && !matches!(self.action, Some(Action::Truncate) | None) {
            label.push_str(" after processing");
        }
        label
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        self.method.as_deref().is_none_or(|m| m == method) && path.starts_with(&self.path_prefix)
    }
}

/// What the fault list decided for one request.
#[derive(Debug, Default)]
pub(crate) struct FaultOutcome {
    /// What happens to the answer, if anything.
    pub(crate) action: Option<Action>,
    /// Whether the service processes the request first.
    pub(crate) after_processing: bool,
    /// How long to wait before answering.
    pub(crate) delay: Option<Duration>,
    /// The fault's name, when one fired.
    pub(crate) name: Option<String>,
}

impl FaultOutcome {
    /// Whether the service processes the request.
    pub(crate) fn processes(&self) -> bool {
        self.action.is_none() || self.after_processing
    }
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

    /// Restarts the random draws of probabilistic faults from `seed`.
    pub(crate) fn reseed(&self, seed: u64) {
        lock(&self.rng).seed(seed);
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
        FaultOutcome {
            name: Some(fault.label()),
            action: fault.action,
            after_processing: fault.after_processing,
            delay: fault.delay,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_describe_the_fault_unless_named() {
        assert_eq!(Fault::html(503).label(), "503 text/html");
        assert_eq!(
            Fault::status(502).after_processing().label(),
            "502 text/plain after processing"
        );
        assert_eq!(Fault::reset().label(), "reset");
        assert_eq!(Fault::truncated().label(), "truncated");
        assert_eq!(Fault::delay(Duration::from_secs(2)).label(), "delay 2s");
        assert_eq!(Fault::reset().named("drop").label(), "drop");
        let faults = Faults::new(1);
        faults.push(Fault::status(500).named("boom"));
        assert_eq!(faults.apply("GET", "/x").name.as_deref(), Some("boom"));
    }

    #[test]
    fn faults_fire_limited_times_and_match() {
        let faults = Faults::new(1);
        faults.push(Fault::status(503).on("GET", "/a").times(2));
        assert!(faults.apply("POST", "/a").action.is_none());
        assert!(faults.apply("GET", "/b").action.is_none());
        assert!(faults.apply("GET", "/a/x").action.is_some());
        assert!(faults.apply("GET", "/a").action.is_some());
        assert!(faults.apply("GET", "/a").action.is_none());
    }

    #[test]
    fn processing_depends_on_the_kind_of_fault() {
        let faults = Faults::new(1);
        for (fault, processes) in [
            (Fault::status(503), false),
            (Fault::reset(), false),
            (Fault::status(503).after_processing(), true),
            (Fault::reset().after_processing(), true),
            (Fault::truncated(), true),
            (Fault::delay(Duration::from_millis(1)), true),
        ] {
            faults.push(fault.times(1));
            assert_eq!(faults.apply("GET", "/x").processes(), processes);
        }
        assert!(faults.apply("GET", "/x").processes(), "no fault left");
    }

    #[test]
    fn reseeding_replays_the_same_draws() {
        let faults = Faults::new(3);
        faults.push(Fault::status(500).probability(0.5));
        let draw = |f: &Faults| -> Vec<bool> {
            (0..64)
                .map(|_| f.apply("GET", "/x").action.is_some())
                .collect()
        };
        faults.reseed(9);
        let first = draw(&faults);
        faults.reseed(9);
        assert_eq!(draw(&faults), first);
    }

    #[test]
    fn probability_is_respected_roughly() {
        let faults = Faults::new(7);
        faults.push(Fault::status(500).probability(0.3));
        let fired = (0..1000)
            .filter(|_| faults.apply("GET", "/x").action.is_some())
            .count();
        assert!((200..400).contains(&fired), "{fired}");
    }
}
