//! `FakeSendsay`: a stateful fake of the Sendsay JSON API on a loopback wiremock server.
#![allow(
    clippy::unnecessary_wraps,
    clippy::too_many_lines,
    clippy::map_unwrap_or,
    clippy::nonminimal_bool,
    clippy::single_match_else
)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use chrono::Utc;
use serde_json::{Map, Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Respond, ResponseTemplate};

use super::RecordedRequest;
use super::faults::{Fault, Faults, lock};
use crate::sendsay::{Auth, Client, ClientBuilder};

/// The account code of [`FakeSendsay::start`].
pub const ACCOUNT: &str = "relance-test";
/// The API key of [`FakeSendsay::start`].
pub const API_KEY: &str = "test-api-key";
/// The sublogin of [`FakeSendsay::start`] (password authentication).
pub const SUBLOGIN: &str = "api";
/// The password of [`FakeSendsay::start`].
pub const PASSWORD: &str = "test-password";
/// The `REDIRECT` the fake answers until a client posts under it.
pub const REDIRECT: &str = "/clu1";

/// A stateful fake Sendsay server listening on loopback.
///
/// Semantics, kept simple and documented:
/// - **Endpoint**: `POST [<REDIRECT>]/general/api/v100/json/<account>`. Until a request comes
///   under the `REDIRECT` prefix ([`REDIRECT`] by default), the fake answers
///   `{"REDIRECT": "/clu1"}`, so the first call of a fresh client is redirected.
/// - **Auth**: `Authorization: sendsay apikey=<key>`, an `apikey` in the body, or a `session`
///   from `login` (login = the account, sublogin [`SUBLOGIN`], password [`PASSWORD`]).
///   [`expire_sessions`](Self::expire_sessions) makes every open session answer
///   `error/auth/failed` + `expired`.
/// - **Members** keep data keys / anketa data and list membership; **groups** are lists or
///   filters (a filter's members are the contacts matching its `a/op/v` conditions, where `a`
///   is `member.email` or a data path such as `base.city`); **anketas** `base` and `custom`
///   exist; **drafts** and **senders** are stored.
/// - **`issue.send`** records the issue and one delivery per recipient (`personal`: the
///   `email`; `masssending`: the first column of `users.list`; a group: its members), refuses
///   an inline From address that is not a registered sender (`error/sender/unknown`), and
///   returns a `track.id`. Jobs advance one step per `track.get` through `0, 1, 2, -1` (see
///   [`set_track_steps`](Self::set_track_steps)); scheduled issues park at `-4`.
/// - **`stat.uni`** answers over recorded deliveries (`deliv.*` columns) or issues
///   (`issue.*`), with `==`, `>=`, `<=`, `>`, `in`, `!is_null` filters (numeric when both sides
///   are numbers), `order`, `skip`, `first` and `count(*)` grouping by the other columns.
/// - Error ids the reference does not document (unknown member, unknown action, ...) are the
///   fake's own: `error/member/notfound`, `error/action/unknown`, `error/params/invalid`.
/// - **Faults** ([`Fault`]) match the method `POST` and the path `/<action>` (for example
///   `Fault::status(503).on("POST", "/member.get")`).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> relance::Result<()> {
/// use relance::sendsay::MemberSet;
/// use relance::testing::FakeSendsay;
///
/// let fake = FakeSendsay::start().await;
/// let client = fake.client();
/// client.members().set(MemberSet::new("ivan@example.com").add_to_group("buyers")).await?;
/// assert_eq!(fake.group_members("buyers"), ["ivan@example.com"]);
/// assert_eq!(client.redirect_prefix().as_deref(), Some("/clu1"));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct FakeSendsay {
    server: Arc<MockServer>,
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    redirect: Option<String>,
    state: Mutex<State>,
    faults: Faults,
}

#[derive(Debug, Clone)]
struct MemberRec {
    id: i64,
    email: String,
    addr_type: String,
    data: Map<String, Value>,
    groups: BTreeSet<String>,
    created: String,
}

#[derive(Debug, Clone)]
struct GroupRec {
    name: String,
    kind: String,
    addr_type: String,
    filter: Value,
    created: String,
}

#[derive(Debug, Clone)]
struct TrackRec {
    action: String,
    steps: Vec<i64>,
    pos: usize,
    dt: String,
    param: Map<String, Value>,
}

#[derive(Debug)]
struct State {
    next: i64,
    sessions: BTreeMap<String, bool>,
    logins: usize,
    members: BTreeMap<String, MemberRec>,
    groups: BTreeMap<String, GroupRec>,
    anketas: BTreeMap<String, Map<String, Value>>,
    drafts: BTreeMap<String, Map<String, Value>>,
    senders: BTreeMap<String, Map<String, Value>>,
    issues: Vec<Map<String, Value>>,
    deliveries: Vec<Map<String, Value>>,
    tracks: BTreeMap<i64, TrackRec>,
    track_steps: Vec<i64>,
    settings: Map<String, Value>,
    requests: Vec<RecordedRequest>,
}

impl Default for State {
    fn default() -> Self {
        let mut anketas = BTreeMap::new();
        for (id, name) in [("base", "Base"), ("custom", "Custom")] {
            let mut a = Map::new();
            a.insert("id".into(), id.into());
            a.insert("name".into(), name.into());
            a.insert("system".into(), "1".into());
            a.insert("quests".into(), Value::Object(Map::new()));
            a.insert("order".into(), Value::Array(Vec::new()));
            anketas.insert(id.to_owned(), a);
        }
        let settings = json!({
            "about.id": ACCOUNT, "about.tarif": "free",
            "member.hard.limit": "200", "member.hard.rest": "200",
        });
        Self {
            next: 100,
            sessions: BTreeMap::new(),
            logins: 0,
            members: BTreeMap::new(),
            groups: BTreeMap::new(),
            anketas,
            drafts: BTreeMap::new(),
            senders: BTreeMap::new(),
            issues: Vec::new(),
            deliveries: Vec::new(),
            tracks: BTreeMap::new(),
            track_steps: vec![0, 1, 2, -1],
            settings: settings.as_object().cloned().unwrap_or_default(),
            requests: Vec::new(),
        }
    }
}

type Reply = Result<Value, (String, Value)>;

fn err(id: &str, explain: impl Into<Value>) -> Reply {
    Err((id.to_owned(), explain.into()))
}

fn bad(explain: &str) -> Reply {
    err("error/params/invalid", explain)
}

fn now() -> String {
    Utc::now().format("%Y-%m-%d %H:%M:%S").to_string()
}

impl FakeSendsay {
    /// Starts a fake that redirects first calls to [`REDIRECT`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendsay::start().await;
    /// assert!(fake.base_url().starts_with("http://127.0.0.1:"));
    /// # }
    /// ```
    pub async fn start() -> Self {
        Self::start_with_redirect(Some(REDIRECT)).await
    }

    /// Starts a fake with another `REDIRECT` prefix, or none.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendsay::start_with_redirect(None).await;
    /// # let _ = fake;
    /// # }
    /// ```
    pub async fn start_with_redirect(redirect: Option<&str>) -> Self {
        let server = MockServer::start().await;
        let shared = Arc::new(Shared {
            redirect: redirect.map(|r| r.trim_end_matches('/').to_owned()),
            state: Mutex::new(State::default()),
            faults: Faults::new(0x5e5a),
        });
        Mock::given(any())
            .respond_with(Router(shared.clone()))
            .mount(&server)
            .await;
        Self {
            server: Arc::new(server),
            shared,
        }
    }

    /// The base URL to give a client (the server's origin).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendsay::start().await;
    /// assert!(fake.base_url().ends_with('/'));
    /// # }
    /// ```
    #[must_use]
    pub fn base_url(&self) -> String {
        format!("{}/", self.server.uri())
    }

    /// A client builder authenticating with the API key.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> relance::Result<()> {
    /// let fake = relance::testing::FakeSendsay::start().await;
    /// let client = fake.client_builder().retry(relance::http::RetryPolicy::none()).build()?;
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn client_builder(&self) -> ClientBuilder {
        Client::builder(ACCOUNT, Auth::api_key(API_KEY))
            .base_url(self.base_url())
            .timezone(chrono_tz::Europe::Moscow)
    }

    /// A client builder authenticating with login, sublogin and password (sessions).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> relance::Result<()> {
    /// let fake = relance::testing::FakeSendsay::start().await;
    /// let client = fake.password_client_builder().build()?;
    /// client.pong().await?;
    /// assert_eq!(fake.login_count(), 1);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn password_client_builder(&self) -> ClientBuilder {
        Client::builder(ACCOUNT, Auth::password(ACCOUNT, SUBLOGIN, PASSWORD))
            .base_url(self.base_url())
            .timezone(chrono_tz::Europe::Moscow)
    }

    /// A client (API key) pointing at the fake.
    ///
    /// # Panics
    /// Never in practice: the fake's own configuration is always valid.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let client = relance::testing::FakeSendsay::start().await.client();
    /// # let _ = client;
    /// # }
    /// ```
    #[must_use]
    #[allow(clippy::expect_used)]
    pub fn client(&self) -> Client {
        self.client_builder()
            .build()
            .expect("the fake's configuration is valid")
    }

    /// Installs a fault (path `/<action>`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendsay::start().await;
    /// fake.inject(relance::testing::Fault::status(503).on("POST", "/member.get").times(1));
    /// # }
    /// ```
    pub fn inject(&self, fault: Fault) {
        self.shared.faults.push(fault);
    }

    /// Removes every installed fault.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// relance::testing::FakeSendsay::start().await.clear_faults();
    /// # }
    /// ```
    pub fn clear_faults(&self) {
        self.shared.faults.clear();
    }

    /// Makes every open session expire: the next call with one answers
    /// `error/auth/failed` + `expired`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// relance::testing::FakeSendsay::start().await.expire_sessions();
    /// # }
    /// ```
    pub fn expire_sessions(&self) {
        for valid in lock(&self.shared.state).sessions.values_mut() {
            *valid = false;
        }
    }

    /// How many successful `login` calls the fake answered.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// assert_eq!(relance::testing::FakeSendsay::start().await.login_count(), 0);
    /// # }
    /// ```
    #[must_use]
    pub fn login_count(&self) -> usize {
        lock(&self.shared.state).logins
    }

    /// Sets the statuses new jobs go through, one per `track.get` (the last one sticks).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendsay::start().await;
    /// fake.set_track_steps(&[0, 2]); // never finishes
    /// # }
    /// ```
    pub fn set_track_steps(&self, steps: &[i64]) {
        if !steps.is_empty() {
            lock(&self.shared.state).track_steps = steps.to_vec();
        }
    }

    /// Every request received (method, path `/<action>`, body text).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// assert!(relance::testing::FakeSendsay::start().await.requests().is_empty());
    /// # }
    /// ```
    #[must_use]
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.state).requests.clone()
    }

    /// How many requests carried this action (redirected and replayed ones included).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// assert_eq!(relance::testing::FakeSendsay::start().await.hits("pong"), 0);
    /// # }
    /// ```
    #[must_use]
    pub fn hits(&self, action: &str) -> usize {
        let path = format!("/{action}");
        lock(&self.shared.state)
            .requests
            .iter()
            .filter(|r| r.path == path)
            .count()
    }

    /// A contact as `member.get` would answer (`obj`), if it exists.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// assert!(relance::testing::FakeSendsay::start().await.member("a@b.ru").is_none());
    /// # }
    /// ```
    #[must_use]
    pub fn member(&self, email: &str) -> Option<Value> {
        lock(&self.shared.state)
            .members
            .get(&email.to_lowercase())
            .map(member_obj)
    }

    /// The identifiers of a group's members (lists and filters), sorted.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// assert!(relance::testing::FakeSendsay::start().await.group_members("x").is_empty());
    /// # }
    /// ```
    #[must_use]
    pub fn group_members(&self, id: &str) -> Vec<String> {
        let state = lock(&self.shared.state);
        members_of(&state, id)
    }

    /// The group ids.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// assert!(relance::testing::FakeSendsay::start().await.groups().is_empty());
    /// # }
    /// ```
    #[must_use]
    pub fn groups(&self) -> Vec<String> {
        lock(&self.shared.state).groups.keys().cloned().collect()
    }

    /// The issues sent (their `issue.send` parameters, plus `id`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// assert!(relance::testing::FakeSendsay::start().await.issues().is_empty());
    /// # }
    /// ```
    #[must_use]
    pub fn issues(&self) -> Vec<Value> {
        lock(&self.shared.state)
            .issues
            .iter()
            .cloned()
            .map(Value::Object)
            .collect()
    }

    /// The recorded deliveries (`deliv.*` fields), one per recipient of each issue.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// assert!(relance::testing::FakeSendsay::start().await.deliveries().is_empty());
    /// # }
    /// ```
    #[must_use]
    pub fn deliveries(&self) -> Vec<Value> {
        lock(&self.shared.state)
            .deliveries
            .iter()
            .cloned()
            .map(Value::Object)
            .collect()
    }

    /// Sets an account setting (`sys.settings.get`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// relance::testing::FakeSendsay::start().await.set_setting("member.hard.rest", "3");
    /// # }
    /// ```
    pub fn set_setting(&self, key: &str, value: impl Into<Value>) {
        lock(&self.shared.state)
            .settings
            .insert(key.to_owned(), value.into());
    }
}

fn member_obj(m: &MemberRec) -> Value {
    let mut obj = m.data.clone();
    obj.insert(
        "member".into(),
        json!({"email": m.email, "id": m.id.to_string(), "addr_type": m.addr_type,
               "create.time": m.created, "lockremove": "0"}),
    );
    let groups: Map<String, Value> = m.groups.iter().map(|g| (g.clone(), "1".into())).collect();
    obj.insert("-group".into(), Value::Object(groups));
    Value::Object(obj)
}

fn members_of(state: &State, id: &str) -> Vec<String> {
    match state.groups.get(id) {
        Some(g) if g.kind == "filter" => state
            .members
            .values()
            .filter(|m| matches_filter(&g.filter, |a| member_attr(m, a)))
            .map(|m| m.email.clone())
            .collect(),
        _ => state
            .members
            .values()
            .filter(|m| m.groups.contains(id))
            .map(|m| m.email.clone())
            .collect(),
    }
}

fn member_attr(m: &MemberRec, a: &str) -> Option<Value> {
    match a {
        "member.email" => Some(m.email.clone().into()),
        "member.id" => Some(m.id.into()),
        "member.addr_type" => Some(m.addr_type.clone().into()),
        _ => {
            let (root, rest) = a.split_once('.')?;
            let mut v = m.data.get(root)?;
            for part in rest.split('.') {
                v = v.get(part)?;
            }
            Some(v.clone())
        }
    }
}

fn as_num(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn as_text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}

fn cmp_values(a: &Value, b: &Value) -> std::cmp::Ordering {
    match (as_num(a), as_num(b)) {
        (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal),
        _ => as_text(a).cmp(&as_text(b)),
    }
}

fn matches_filter(filter: &Value, attr: impl Fn(&str) -> Option<Value>) -> bool {
    let Some(conds) = filter.as_array() else {
        return true;
    };
    conds.iter().all(|c| {
        let a = c.get("a").and_then(Value::as_str).unwrap_or("");
        let op = c.get("op").and_then(Value::as_str).unwrap_or("");
        let v = c.get("v").cloned().unwrap_or(Value::Null);
        let got = attr(a);
        match (op, got) {
            ("!is_null", g) => g.is_some_and(|g| !g.is_null() && g != ""),
            ("in", Some(g)) => v
                .as_array()
                .is_some_and(|vs| vs.iter().any(|x| cmp_values(&g, x).is_eq())),
            ("==", Some(g)) => cmp_values(&g, &v).is_eq(),
            (">=", Some(g)) => cmp_values(&g, &v).is_ge(),
            ("<=", Some(g)) => cmp_values(&g, &v).is_le(),
            (">", Some(g)) => cmp_values(&g, &v).is_gt(),
            _ => false,
        }
    })
}

struct Router(Arc<Shared>);

impl Respond for Router {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let shared = &self.0;
        let body: Option<Value> = serde_json::from_slice(&request.body).ok();
        let action = body
            .as_ref()
            .and_then(|b| b.get("action"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let path = format!("/{action}");
        let method = request.method.as_str().to_owned();
        lock(&shared.state).requests.push(RecordedRequest {
            method: method.clone(),
            path: path.clone(),
            body: String::from_utf8_lossy(&request.body).into_owned(),
        });
        let outcome = shared.faults.apply(&method, &path);
        let template = match outcome.replacement {
            Some(t) => t,
            None => ResponseTemplate::new(200).set_body_json(answer(shared, request, body)),
        };
        match outcome.delay {
            Some(d) => template.set_delay(d),
            None => template,
        }
    }
}

fn answer(shared: &Shared, request: &wiremock::Request, body: Option<Value>) -> Value {
    let url_path = request.url.path().trim_end_matches('/');
    let endpoint = format!("/general/api/v100/json/{ACCOUNT}");
    let Some(prefix) = url_path.strip_suffix(&endpoint) else {
        return json!({"errors": [{"id": "error/params/invalid", "explain": format!("unknown endpoint {url_path}")}]});
    };
    if let Some(r) = &shared.redirect
        && prefix != r
    {
        return json!({ "REDIRECT": r });
    }
    let Some(Value::Object(body)) = body else {
        return json!({"errors": [{"id": "error/params/invalid", "explain": "the body is not a JSON object"}]});
    };
    let header_ok = request
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("sendsay apikey={API_KEY}"));
    let mut state = lock(&shared.state);
    let reply = authorize(&state, &body, header_ok).and_then(|()| route(&mut state, &body));
    let mut out = match reply {
        Ok(Value::Object(m)) => m,
        Ok(other) => {
            let mut m = Map::new();
            m.insert("result".into(), other);
            m
        }
        Err((id, explain)) => {
            let mut m = Map::new();
            m.insert("errors".into(), json!([{ "id": id, "explain": explain }]));
            m
        }
    };
    out.insert("duration".into(), json!(0.001));
    Value::Object(out)
}

fn authorize(
    state: &State,
    body: &Map<String, Value>,
    header_ok: bool,
) -> Result<(), (String, Value)> {
    let action = body.get("action").and_then(Value::as_str).unwrap_or("");
    if matches!(action, "ping" | "login") || header_ok {
        return Ok(());
    }
    if body.get("apikey").and_then(Value::as_str) == Some(API_KEY) {
        return Ok(());
    }
    match body
        .get("session")
        .and_then(Value::as_str)
        .and_then(|s| state.sessions.get(s))
    {
        Some(true) => Ok(()),
        Some(false) => Err(("error/auth/failed".into(), "expired".into())),
        None => Err(("error/auth/failed".into(), "wrong_credentials".into())),
    }
}

fn s<'a>(b: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    b.get(k).and_then(Value::as_str)
}

fn int(b: &Map<String, Value>, k: &str) -> Option<i64> {
    b.get(k).and_then(crate::wire::lenient::value_int)
}

fn truthy(v: Option<&Value>) -> bool {
    v.is_some_and(|v| {
        crate::wire::lenient::value_int(v).map_or(v.as_bool() == Some(true), |n| n != 0)
    })
}

fn route(state: &mut State, b: &Map<String, Value>) -> Reply {
    let action = s(b, "action").unwrap_or("");
    match action {
        "ping" => Ok(json!({"pong": Utc::now().timestamp()})),
        "pong" => {
            Ok(json!({"ping": Utc::now().timestamp(), "account": ACCOUNT, "sublogin": SUBLOGIN}))
        }
        "login" => login(state, b),
        "logout" => {
            if let Some(sess) = s(b, "session") {
                state.sessions.remove(sess);
            }
            Ok(json!({}))
        }
        "sys.settings.get" => {
            let keys = b
                .get("list")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let list: Map<String, Value> = keys
                .iter()
                .filter_map(Value::as_str)
                .filter_map(|k| state.settings.get(k).map(|v| (k.to_owned(), v.clone())))
                .collect();
            Ok(json!({ "list": list }))
        }
        "batch" => batch(state, b),
        a if a.starts_with("member.") => members(state, a, b),
        a if a.starts_with("group.") => groups(state, a, b),
        a if a.starts_with("anketa.") => anketas(state, a, b),
        a if a.starts_with("issue.draft.") => drafts(state, a, b),
        a if a.starts_with("issue.emailsender.") => senders(state, a, b),
        "issue.send" | "issue.send.test" => issue_send(state, action, b),
        "track.get" => track_get(state, b),
        "track.list" => track_list(state, b),
        "stat.uni" => stat_uni(state, b),
        other => err("error/action/unknown", other),
    }
}

fn login(state: &mut State, b: &Map<String, Value>) -> Reply {
    let sub_ok = s(b, "sublogin").is_none_or(|x| x == SUBLOGIN);
    if s(b, "login") == Some(ACCOUNT) && sub_ok && s(b, "passwd") == Some(PASSWORD) {
        state.next += 1;
        state.logins += 1;
        let session = format!("{ACCOUNT}/{SUBLOGIN}:fake-session-{}", state.next);
        state.sessions.insert(session.clone(), true);
        Ok(json!({"session": session, "login": ACCOUNT, "sublogin": SUBLOGIN}))
    } else {
        err("error/auth/failed", "wrong_credentials")
    }
}

fn batch(state: &mut State, b: &Map<String, Value>) -> Reply {
    let stop = truthy(b.get("stop_on_error"));
    let items = b
        .get("do")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut result = Vec::new();
    for item in items {
        let Value::Object(sub) = item else {
            result.push(
                json!({"errors": [{"id": "error/params/invalid", "explain": "not an object"}]}),
            );
            continue;
        };
        match route(state, &sub) {
            Ok(v) => result.push(v),
            Err((id, explain)) => {
                result.push(json!({"errors": [{"id": id, "explain": explain}]}));
                if stop {
                    break;
                }
            }
        }
    }
    Ok(json!({ "result": result }))
}

fn new_track(
    state: &mut State,
    action: &str,
    param: Map<String, Value>,
    steps: Option<Vec<i64>>,
) -> i64 {
    state.next += 1;
    let id = state.next;
    let steps = steps.unwrap_or_else(|| state.track_steps.clone());
    state.tracks.insert(
        id,
        TrackRec {
            action: action.to_owned(),
            steps,
            pos: 0,
            dt: now(),
            param,
        },
    );
    id
}

fn apply_path(m: &mut MemberRec, path: &str, mode: &str, value: &Value) {
    if let Some(g) = path.strip_prefix("-group.") {
        if mode == "delete" || !truthy(Some(value)) {
            m.groups.remove(g);
        } else {
            m.groups.insert(g.to_owned());
        }
        return;
    }
    let Some((root, key)) = path.split_once('.') else {
        return;
    };
    let entry = m
        .data
        .entry(root.to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(o) = entry {
        if mode == "delete" {
            o.remove(key);
        } else {
            o.insert(key.to_owned(), value.clone());
        }
    }
}

fn upsert(
    state: &mut State,
    email: &str,
    addr_type: &str,
    if_exists: &str,
) -> Result<String, (String, Value)> {
    let key = email.to_lowercase();
    match state.members.get_mut(&key) {
        Some(_) if if_exists == "error" => Err(("member_exists".into(), email.into())),
        Some(m) => {
            if if_exists == "overwrite" {
                m.data.clear();
            }
            Ok(key)
        }
        None => {
            state.next += 1;
            state.members.insert(
                key.clone(),
                MemberRec {
                    id: state.next,
                    email: email.to_owned(),
                    addr_type: addr_type.to_owned(),
                    data: Map::new(),
                    groups: BTreeSet::new(),
                    created: now(),
                },
            );
            Ok(key)
        }
    }
}

#[allow(clippy::too_many_lines)]
fn members(state: &mut State, action: &str, b: &Map<String, Value>) -> Reply {
    let email = s(b, "email").map(str::trim).unwrap_or("");
    match action {
        "member.set" => {
            if email.is_empty() {
                return bad("email is required");
            }
            let addr_type = s(b, "addr_type").unwrap_or("email");
            if addr_type == "email" && !email.contains('@') {
                return err("error/params/invalid", email);
            }
            let key = upsert(
                state,
                email,
                addr_type,
                s(b, "if_exists").unwrap_or("update"),
            )?;
            let Some(m) = state.members.get_mut(&key) else {
                return bad("lost member");
            };
            if let Some(Value::Array(ops)) = b.get("datakey") {
                for op in ops {
                    let (Some(path), Some(mode)) = (
                        op.get(0).and_then(Value::as_str),
                        op.get(1).and_then(Value::as_str),
                    ) else {
                        continue;
                    };
                    apply_path(m, path, mode, op.get(2).unwrap_or(&Value::Null));
                }
            }
            if let Some(Value::Object(obj)) = b.get("obj") {
                for (anketa, answers) in obj {
                    if let Value::Object(answers) = answers {
                        for (q, v) in answers {
                            let path = if anketa == "-group" {
                                format!("-group.{q}")
                            } else {
                                format!("{anketa}.{q}")
                            };
                            apply_path(m, &path, "set", v);
                        }
                    }
                }
            }
            if truthy(b.get("return_fresh_obj")) {
                Ok(json!({ "obj": member_obj(m) }))
            } else {
                Ok(json!({}))
            }
        }
        "member.get" => state
            .members
            .get(&email.to_lowercase())
            .map(|m| json!({ "obj": member_obj(m) }))
            .ok_or_else(|| ("error/member/notfound".into(), email.into())),
        "member.exists" => {
            let found = i32::from(state.members.contains_key(&email.to_lowercase()));
            Ok(json!({ "list": { email: found } }))
        }
        "member.list" => {
            let mut emails: Vec<String> = match s(b, "group") {
                Some(g) => members_of(state, g),
                None => state.members.values().map(|m| m.email.clone()).collect(),
            };
            if s(b, "sort.order") == Some("desc") {
                emails.reverse();
            }
            let size = usize::try_from(int(b, "pagesize").unwrap_or(1000).max(1)).unwrap_or(1000);
            let page = usize::try_from(int(b, "page").unwrap_or(1).max(1)).unwrap_or(1);
            let rows: Vec<Value> = emails
                .into_iter()
                .skip((page - 1) * size)
                .take(size)
                .map(|e| json!([e]))
                .collect();
            Ok(json!({"list": rows, "order": [{"quest": "member.email"}]}))
        }
        "member.list.count" => {
            let group = s(b, "group");
            let ids: Option<Vec<String>> = group.map(|g| members_of(state, g));
            let mut counts: BTreeMap<String, i64> = BTreeMap::new();
            for m in state.members.values() {
                if ids.as_ref().is_none_or(|ids| ids.contains(&m.email)) {
                    *counts.entry(m.addr_type.clone()).or_default() += 1;
                }
            }
            Ok(json!({ "obj": counts }))
        }
        "member.delete" => {
            let targets: Vec<String> = if !email.is_empty() {
                vec![email.to_lowercase()]
            } else if let Some(Value::Array(list)) = b.get("list") {
                list.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_lowercase)
                    .collect()
            } else if let Some(g) = s(b, "group") {
                members_of(state, g)
                    .iter()
                    .map(|e| e.to_lowercase())
                    .collect()
            } else {
                return bad("email, list or group is required");
            };
            for t in &targets {
                state.members.remove(t);
            }
            if truthy(b.get("sync")) {
                Ok(json!({}))
            } else {
                Ok(json!({ "track.id": new_track(state, action, Map::new(), None) }))
            }
        }
        "member.import" => member_import(state, b),
        "member.sendconfirm" => {
            let group = s(b, "group").unwrap_or("");
            if !state.groups.contains_key(group) {
                return err("group_id_not_exists", group);
            }
            Ok(json!({ "track.id": new_track(state, action, Map::new(), None) }))
        }
        other => err("error/action/unknown", other),
    }
}

fn member_import(state: &mut State, b: &Map<String, Value>) -> Reply {
    let addr_type = s(b, "addr_type").unwrap_or("email").to_owned();
    let if_exists = s(b, "if_exists").unwrap_or("overwrite").to_owned();
    let mut rows: Vec<Vec<(String, Value)>> = Vec::new();
    match b.get("users.list") {
        Some(Value::String(text)) => {
            let lines: Vec<&str> = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            let header: Option<Vec<String>> = lines
                .first()
                .filter(|l| l.contains(';') || l.starts_with("member."))
                .map(|l| l.split(';').map(str::to_owned).collect());
            let skip = usize::from(header.is_some());
            for line in &lines[skip..] {
                let cells: Vec<&str> = line.split(';').collect();
                let cols = header
                    .clone()
                    .unwrap_or_else(|| vec!["member.email".into()]);
                rows.push(
                    cols.into_iter()
                        .zip(cells)
                        .map(|(c, v)| (c, Value::from(v)))
                        .collect(),
                );
            }
        }
        Some(Value::Array(items)) => {
            for item in items {
                let email = item.as_str().map(str::to_owned).or_else(|| {
                    item.pointer("/member/email")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                });
                if let Some(e) = email {
                    rows.push(vec![("member.email".into(), e.into())]);
                }
            }
        }
        _ => return bad("users.list is required"),
    }
    let group = b
        .get("auto_group")
        .and_then(|g| g.get("id"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    if let Some(g) = &group
        && truthy(b.get("clean_group"))
    {
        for m in state.members.values_mut() {
            m.groups.remove(g);
        }
    }
    let (mut imported, mut ignored) = (0, 0);
    for row in rows {
        let Some(email) = row
            .iter()
            .find(|(c, _)| c == "member.email")
            .and_then(|(_, v)| v.as_str())
            .map(str::to_owned)
        else {
            ignored += 1;
            continue;
        };
        let mode = if if_exists == "ignore" && state.members.contains_key(&email.to_lowercase()) {
            ignored += 1;
            continue;
        } else if if_exists == "ignore" {
            "update"
        } else {
            if_exists.as_str()
        };
        let Ok(key) = upsert(state, &email, &addr_type, mode) else {
            ignored += 1;
            continue;
        };
        if let Some(m) = state.members.get_mut(&key) {
            for (c, v) in &row {
                if c != "member.email" {
                    apply_path(m, c, "set", v);
                }
            }
            if let Some(g) = &group {
                m.groups.insert(g.clone());
            }
        }
        imported += 1;
    }
    let mut param = Map::new();
    param.insert("imported".into(), imported.into());
    param.insert("ignored".into(), ignored.into());
    Ok(json!({ "track.id": new_track(state, "member.import", param, None) }))
}

fn group_json(id: &str, g: &GroupRec, with_filter: bool) -> Value {
    let mut v = json!({"id": id, "name": g.name, "type": g.kind, "addr_type": g.addr_type, "create.time": g.created});
    if with_filter
        && g.kind == "filter"
        && let Value::Object(m) = &mut v
    {
        m.insert("filter".into(), g.filter.clone());
    }
    v
}

fn valid_group_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|c| c.is_ascii_alphanumeric())
}

#[allow(clippy::too_many_lines)]
fn groups(state: &mut State, action: &str, b: &Map<String, Value>) -> Reply {
    let id = s(b, "id").unwrap_or("").to_owned();
    match action {
        "group.create" => {
            let kind = s(b, "type").unwrap_or("list").to_owned();
            let id = if id.is_empty() {
                state.next += 1;
                format!(
                    "{}{}",
                    if kind == "filter" { "p" } else { "list" },
                    state.next
                )
            } else {
                id
            };
            if !valid_group_id(&id) {
                return err("wrong_group_id", id);
            }
            if state.groups.contains_key(&id) {
                return err("wrong_group_id", json!([id, "exists"]));
            }
            state.groups.insert(
                id.clone(),
                GroupRec {
                    name: s(b, "name").unwrap_or("").to_owned(),
                    kind,
                    addr_type: s(b, "addr_type").unwrap_or("email").to_owned(),
                    filter: Value::Array(Vec::new()),
                    created: now(),
                },
            );
            Ok(json!({ "id": id }))
        }
        "group.list" => Ok(
            json!({"list": state.groups.iter().map(|(id, g)| group_json(id, g, false)).collect::<Vec<_>>()}),
        ),
        "group.get" => {
            let wf = truthy(b.get("with_filter"));
            match b.get("id") {
                Some(Value::Array(ids)) => {
                    let all = ids.iter().any(|i| i == "*");
                    let list: Vec<Value> = state
                        .groups
                        .iter()
                        .filter(|(gid, _)| {
                            all || ids.iter().any(|i| i.as_str() == Some(gid.as_str()))
                        })
                        .map(|(gid, g)| group_json(gid, g, wf))
                        .collect();
                    Ok(json!({ "list": list }))
                }
                _ => state
                    .groups
                    .get(&id)
                    .map(|g| json!({ "obj": group_json(&id, g, wf) }))
                    .ok_or_else(|| ("group_id_not_exists".into(), id.clone().into())),
            }
        }
        "group.set" => match state.groups.get_mut(&id) {
            Some(g) => {
                if let Some(n) = s(b, "name") {
                    n.clone_into(&mut g.name);
                }
                Ok(json!({}))
            }
            None => err("group_id_not_exists", id),
        },
        "group.delete" => {
            if state.groups.remove(&id).is_none() {
                return err("group_id_not_exists", id);
            }
            for m in state.members.values_mut() {
                m.groups.remove(&id);
            }
            Ok(json!({}))
        }
        "group.filter.set" => match state.groups.get_mut(&id) {
            Some(g) if g.kind == "filter" => {
                g.filter = b.get("filter").cloned().unwrap_or(Value::Array(Vec::new()));
                Ok(json!({}))
            }
            Some(_) => err("wrong_group_id", json!([id, "not a filter"])),
            None => err("group_id_not_exists", id),
        },
        "group.filter.get" => match state.groups.get(&id) {
            Some(g) => Ok(json!({"filter": g.filter, "usage": 1, "depth": 1, "max_usage": 100})),
            None => err("group_id_not_exists", id),
        },
        "group.snapshot" => {
            let from = b
                .get("from")
                .and_then(|f| f.get("group"))
                .and_then(Value::as_str)
                .unwrap_or("");
            let to = b
                .get("to")
                .and_then(|t| t.get("id"))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            if !state.groups.contains_key(from) {
                return err("group_id_not_exists", from);
            }
            if !state.groups.get(&to).is_some_and(|g| g.kind == "list") {
                return err("group_id_not_exists", to);
            }
            let source = members_of(state, from);
            let clean = truthy(b.get("to").and_then(|t| t.get("clean")));
            for m in state.members.values_mut() {
                if clean {
                    m.groups.remove(&to);
                }
                if source.contains(&m.email) {
                    m.groups.insert(to.clone());
                }
            }
            Ok(json!({ "track.id": new_track(state, action, Map::new(), None) }))
        }
        "group.clean" => {
            if !state.groups.contains_key(&id) {
                return err("group_id_not_exists", id);
            }
            for m in state.members.values_mut() {
                m.groups.remove(&id);
            }
            Ok(json!({ "track.id": new_track(state, action, Map::new(), None) }))
        }
        other => err("error/action/unknown", other),
    }
}

fn anketas(state: &mut State, action: &str, b: &Map<String, Value>) -> Reply {
    let id = s(b, "id")
        .or_else(|| s(b, "anketa.id"))
        .unwrap_or("")
        .to_owned();
    match action {
        "anketa.list" => Ok(json!({"list": state.anketas.values().map(|a| json!({"id": a["id"], "name": a["name"], "system": a["system"]})).collect::<Vec<_>>()})),
        "anketa.get" => state
            .anketas
            .get(&id)
            .map(|a| json!({"obj": {"id": a["id"], "param": {"name": a["name"]}, "order": a["order"], "quests": a["quests"]}}))
            .ok_or_else(|| ("error/anketa/notfound".into(), id.clone().into())),
        "anketa.create" => {
            let Some(name) = s(b, "name").filter(|n| !n.trim().is_empty()) else {
                return bad("name is required");
            };
            let id = if id.is_empty() {
                state.next += 1;
                format!("a{}", state.next)
            } else {
                id
            };
            if state.anketas.contains_key(&id) {
                return err("error/params/invalid", json!([id, "exists"]));
            }
            let a = json!({"id": id, "name": name, "system": "0", "quests": {}, "order": []});
            state.anketas.insert(id.clone(), a.as_object().cloned().unwrap_or_default());
            Ok(json!({ "id": id }))
        }
        "anketa.delete" => match state.anketas.get(&id) {
            Some(a) if a.get("system") == Some(&json!("1")) => bad("a system anketa cannot be deleted"),
            Some(_) => {
                state.anketas.remove(&id);
                Ok(json!({}))
            }
            None => err("error/anketa/notfound", id),
        },
        "anketa.quest.add" => {
            let next = &mut state.next;
            let Some(a) = state.anketas.get_mut(&id) else {
                return err("error/anketa/notfound", id);
            };
            let qs = match b.get("obj") {
                Some(Value::Array(qs)) => qs.clone(),
                Some(o @ Value::Object(_)) => vec![o.clone()],
                _ => return bad("obj is required"),
            };
            let mut added = Vec::new();
            for q in qs {
                let Value::Object(mut q) = q else { continue };
                let qid = match q.remove("id") {
                    Some(Value::String(s)) => s,
                    _ => {
                        *next += 1;
                        format!("q{next}")
                    }
                };
                if let Some(Value::Object(quests)) = a.get_mut("quests") {
                    quests.insert(qid.clone(), Value::Object(q));
                }
                if let Some(Value::Array(order)) = a.get_mut("order") {
                    order.push(qid.clone().into());
                }
                added.push(qid);
            }
            Ok(json!({ "obj": added }))
        }
        other => err("error/action/unknown", other),
    }
}

fn drafts(state: &mut State, action: &str, b: &Map<String, Value>) -> Reply {
    let id = b.get("id").map(as_text).unwrap_or_default();
    match action {
        "issue.draft.list" => Ok(
            json!({"list": state.drafts.values().map(|d| json!({"id": d["id"], "name": d["name"], "format": d["format"]})).collect::<Vec<_>>()}),
        ),
        "issue.draft.get" => state
            .drafts
            .get(&id)
            .map(|d| json!({ "obj": d }))
            .ok_or_else(|| ("error/draft/notfound".into(), id.clone().into())),
        "issue.draft.set" => {
            let Some(Value::Object(obj)) = b.get("obj") else {
                return bad("obj is required");
            };
            let id = if id.is_empty() {
                state.next += 1;
                state.next.to_string()
            } else if state.drafts.contains_key(&id) {
                id
            } else {
                return err("error/draft/notfound", id);
            };
            let mut d = obj.clone();
            d.insert("id".into(), id.clone().into());
            state.drafts.insert(id.clone(), d.clone());
            if truthy(b.get("return_fresh_obj")) {
                Ok(json!({ "obj": d }))
            } else {
                Ok(json!({ "id": id }))
            }
        }
        "issue.draft.delete" => {
            let ids: Vec<String> = match b.get("id") {
                Some(Value::Array(ids)) => ids.iter().map(as_text).collect(),
                _ => vec![id],
            };
            for i in ids {
                if state.drafts.remove(&i).is_none() {
                    return err("error/draft/notfound", i);
                }
            }
            Ok(json!({}))
        }
        other => err("error/action/unknown", other),
    }
}

fn senders(state: &mut State, action: &str, b: &Map<String, Value>) -> Reply {
    match action {
        "issue.emailsender.list" => {
            Ok(json!({"list": state.senders.values().cloned().collect::<Vec<_>>()}))
        }
        "issue.emailsender.set" => {
            let Some(name) = b
                .get("obj")
                .and_then(|o| o.get("name"))
                .and_then(Value::as_str)
            else {
                return bad("obj.name is required");
            };
            let domain = name.rsplit('@').next().unwrap_or("").to_lowercase();
            if ["gmail.com", "mail.ru", "yandex.ru"].contains(&domain.as_str()) {
                return err("error/sender/prohibited", name);
            }
            state.next += 1;
            let id = state.next.to_string();
            let label = b
                .get("obj")
                .and_then(|o| o.get("label"))
                .cloned()
                .unwrap_or(Value::Null);
            let rec = json!({"id": id, "name": name, "label": label, "confirmed": "1"});
            state
                .senders
                .insert(id.clone(), rec.as_object().cloned().unwrap_or_default());
            Ok(json!({ "id": id }))
        }
        "issue.emailsender.delete" => {
            let id = b.get("id").map(as_text).unwrap_or_default();
            match state.senders.remove(&id) {
                Some(_) => Ok(json!({})),
                None => err("error/sender/unknown", id),
            }
        }
        other => err("error/action/unknown", other),
    }
}

fn issue_send(state: &mut State, action: &str, b: &Map<String, Value>) -> Reply {
    let group = s(b, "group").unwrap_or("").to_owned();
    let Some(Value::Object(letter)) = b.get("letter") else {
        return bad("letter is required");
    };
    let (subject, format) = if let Some(did) = letter.get("draft.id").map(as_text) {
        let Some(d) = state.drafts.get(&did) else {
            return err("error/draft/notfound", did);
        };
        let format = if d.get("format").and_then(Value::as_str) == Some("sms") {
            "s"
        } else {
            "e"
        };
        (d.get("subject").cloned().unwrap_or(Value::Null), format)
    } else {
        let from = letter
            .get("from.email")
            .and_then(Value::as_str)
            .unwrap_or("");
        if !state
            .senders
            .values()
            .any(|x| x.get("name").and_then(Value::as_str) == Some(from))
        {
            return err("error/sender/unknown", from);
        }
        (letter.get("subject").cloned().unwrap_or(Value::Null), "e")
    };
    let sendwhen = s(b, "sendwhen").unwrap_or("now");
    let recipients: Vec<String> = if action == "issue.send.test" || sendwhen == "test" {
        b.get("mca")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    } else {
        match group.as_str() {
            "personal" => s(b, "email").map(str::to_owned).into_iter().collect(),
            "masssending" => s(b, "users.list")
                .unwrap_or("")
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| l.split(';').next().unwrap_or("").trim().to_owned())
                .filter(|e| e != "member.email")
                .collect(),
            g if state.groups.contains_key(g) => members_of(state, g),
            g => return err("group_id_not_exists", g),
        }
    };
    if recipients.is_empty() {
        return bad("no recipients");
    }
    state.next += 1;
    let issue_id = state.next;
    let dt = now();
    let name = b.get("name").cloned().unwrap_or_else(|| subject.clone());
    let delivered = sendwhen == "now" || action == "issue.send.test";
    if delivered && action == "issue.send" {
        for r in &recipients {
            let member_id = state.members.get(&r.to_lowercase()).map(|m| m.id);
            let d = json!({"deliv.member.email": r, "deliv.member.id": member_id, "deliv.issue.id": issue_id.to_string(),
                           "deliv.issue.name": name, "deliv.issue.dt": dt, "deliv.status": "1", "deliv.letter.dt": dt});
            state
                .deliveries
                .push(d.as_object().cloned().unwrap_or_default());
        }
    }
    let mut rec = b.clone();
    rec.remove("session");
    rec.remove("apikey");
    rec.insert("id".into(), issue_id.into());
    rec.insert("action".into(), action.into());
    let summary = json!({"issue.id": issue_id.to_string(), "issue.name": name, "issue.subject": subject, "issue.dt": dt,
        "issue.group.gid": group, "issue.members": recipients.len(), "issue.deliv_ok": if delivered { recipients.len() } else { 0 },
        "issue.deliv_bad": 0, "issue.format": format});
    rec.insert("summary".into(), summary);
    state.issues.push(rec);
    let steps = match sendwhen {
        "later" => Some(vec![-4]),
        _ => None,
    };
    let mut param = Map::new();
    param.insert("issue.id".into(), issue_id.into());
    Ok(json!({ "track.id": new_track(state, action, param, steps) }))
}

fn track_json(id: i64, t: &TrackRec, status: i64) -> Value {
    let mut v = json!({"id": id.to_string(), "status": status.to_string(), "dt": t.dt, "action": t.action, "param": t.param});
    if status == -2
        && let Value::Object(m) = &mut v
    {
        m.insert("error".into(), "failed".into());
    }
    v
}

fn track_get(state: &mut State, b: &Map<String, Value>) -> Reply {
    let id = int(b, "id").unwrap_or(-1);
    let Some(t) = state.tracks.get_mut(&id) else {
        return err("error/track/notfound", id);
    };
    let status = t.steps[t.pos.min(t.steps.len() - 1)];
    t.pos += 1;
    Ok(json!({ "obj": track_json(id, t, status) }))
}

fn track_list(state: &State, b: &Map<String, Value>) -> Reply {
    let filter = b.get("filter").cloned().unwrap_or(Value::Null);
    let mut list: Vec<Value> = state
        .tracks
        .iter()
        .map(|(id, t)| {
            track_json(
                *id,
                t,
                t.steps[t.pos.saturating_sub(1).min(t.steps.len() - 1)],
            )
        })
        .filter(|v| matches_filter(&filter, |a| v.get(a).cloned()))
        .collect();
    list.reverse();
    let skip = usize::try_from(int(b, "skip").unwrap_or(0)).unwrap_or(0);
    let first = usize::try_from(int(b, "first").unwrap_or(i64::MAX)).unwrap_or(usize::MAX);
    let list: Vec<Value> = list.into_iter().skip(skip).take(first).collect();
    Ok(json!({ "list": list, "last_page": 1 }))
}

fn strip_modifier(col: &str) -> &str {
    col.split(':').next().unwrap_or(col)
}

fn stat_uni(state: &mut State, b: &Map<String, Value>) -> Reply {
    let select: Vec<String> = b
        .get("select")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if select.is_empty() {
        return bad("select is required (join is not supported by the fake)");
    }
    let area = select
        .iter()
        .find(|c| !c.contains('('))
        .map(|c| c.split('.').next().unwrap_or(""))
        .unwrap_or("deliv");
    let source: Vec<Map<String, Value>> = match area {
        "deliv" => state.deliveries.clone(),
        "issue" => state
            .issues
            .iter()
            .filter_map(|i| i.get("summary").and_then(Value::as_object).cloned())
            .collect(),
        other => {
            return err(
                "error/params/invalid",
                format!("area {other} is not supported by the fake"),
            );
        }
    };
    let filter = b.get("filter").cloned().unwrap_or(Value::Null);
    let mut rows: Vec<Map<String, Value>> = source
        .into_iter()
        .filter(|r| matches_filter(&filter, |a| r.get(strip_modifier(a)).cloned()))
        .collect();
    let aggregate = select.iter().any(|c| c == "count(*)");
    let mut out: Vec<Vec<Value>> = if aggregate {
        let keys: Vec<&String> = select.iter().filter(|c| *c != "count(*)").collect();
        let mut groups: BTreeMap<Vec<String>, (Vec<Value>, i64)> = BTreeMap::new();
        for r in &rows {
            let vals: Vec<Value> = keys
                .iter()
                .map(|k| r.get(strip_modifier(k)).cloned().unwrap_or(Value::Null))
                .collect();
            let key: Vec<String> = vals.iter().map(as_text).collect();
            groups.entry(key).or_insert((vals, 0)).1 += 1;
        }
        groups
            .into_values()
            .map(|(vals, n)| {
                let mut it = vals.into_iter();
                select
                    .iter()
                    .map(|c| {
                        if c == "count(*)" {
                            Value::from(n.to_string())
                        } else {
                            it.next().unwrap_or(Value::Null)
                        }
                    })
                    .collect()
            })
            .collect()
    } else {
        if let Some(Value::Array(order)) = b.get("order") {
            for o in order.iter().rev().filter_map(Value::as_str) {
                let (desc, col) = o.strip_prefix('-').map_or((false, o), |c| (true, c));
                let col = strip_modifier(col);
                rows.sort_by(|x, y| {
                    let c = cmp_values(
                        x.get(col).unwrap_or(&Value::Null),
                        y.get(col).unwrap_or(&Value::Null),
                    );
                    if desc { c.reverse() } else { c }
                });
            }
        }
        rows.iter()
            .map(|r| {
                select
                    .iter()
                    .map(|c| {
                        r.get(strip_modifier(c))
                            .map_or(Value::Null, |v| Value::String(as_text(v)))
                    })
                    .collect()
            })
            .collect()
    };
    let skip = usize::try_from(int(b, "skip").unwrap_or(0)).unwrap_or(0);
    let first = usize::try_from(int(b, "first").unwrap_or(i64::MAX)).unwrap_or(usize::MAX);
    out = out.into_iter().skip(skip).take(first).collect();
    if s(b, "result") == Some("save") {
        let mut param = Map::new();
        param.insert(
            "report_file".into(),
            format!("report_{}.csv", state.next + 1).into(),
        );
        param.insert("rows".into(), out.len().into());
        return Ok(json!({ "track.id": new_track(state, "stat.uni", param, None) }));
    }
    Ok(json!({ "list": out }))
}
