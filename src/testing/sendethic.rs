//! `FakeSendethic`: a stateful fake of the Sendethic REST API v4 on a loopback wiremock server.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use chrono::Utc;
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Respond, ResponseTemplate};

use super::RecordedRequest;
use super::campaigns::{Campaigns, Env, Out, SentMessage};
use super::faults::{Fault, Faults, lock};
use super::lists::{ContactStore, ListOut, Lists};
use crate::http::percent_decode as decode_segment;
use crate::sendethic::{
    Client, ClientBuilder, Contact, ContactField, ContactLog, CreditType, Credits, Criteria,
    CriteriaItem, CriterionTest, FieldFormat, FieldId, FieldValue, FieldValueId, Mode, OptIn,
    Segment, Timestamp,
};

/// The API root under the fake's origin, so clients exercise a base-URL path prefix.
pub const API_ROOT: &str = "/api/rest/v4";

/// A stateful fake Sendethic server listening on loopback.
///
/// It implements the covered resources with real semantics: ids are assigned, field names are
/// unique, unknown ids answer 404, HTTP Basic credentials are checked (401 otherwise). Its
/// state can be read for assertions, and [`Fault`]s can be injected per path.
///
/// Contacts (choices where the real service is undocumented):
/// - contacts are keyed by `contactKey`, trimmed and lower-cased; `POST` upserts, `PUT`
///   updates only (a single `PUT` on an unknown contact answers 404; a bulk `PUT` counts only
///   the contacts that exist); replies are `"N contact(s) affected."`; more than 500 contacts
///   in one bulk call answer 400; a new contact without an `email` attribute gets its key;
/// - an attribute sent with an empty value is stored empty (and read back empty);
/// - `GET /contact/attribute/{key}` answers `[]` for an unknown key; selection fields come
///   back as labels there and as value ids from the `attributevalueid` variants;
/// - history: `POST /contact/history` appends (404 for an unknown contact, 400 when a
///   `LogDate` lacks its `+0000` offset), `GET` returns the last N (≤ 500), newest first.
///
/// Segments: names are unique (400 otherwise), `mode` must be `intersect` or `union`,
/// `details` must be criteria XML; `GET /segment/updatecache/{id}` answers the count (as a JSON
/// string) computed by evaluating the criteria against the stored contacts. Every known
/// operator is evaluated (dates against the current time); a segment with an unknown
/// (raw) criterion counts 0.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> relance::Result<()> {
/// use relance::sendethic::{FieldFormat, FieldSpec};
/// use relance::testing::FakeSendethic;
///
/// let fake = FakeSendethic::start().await;
/// let client = fake.client();
/// let field = client
///     .fields()
///     .ensure(FieldSpec::new("relance_revenue", "Revenue", FieldFormat::Number))
///     .await?;
/// assert!(field.created);
/// assert_eq!(fake.fields().len(), 1);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct FakeSendethic {
    server: Arc<MockServer>,
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    auth: String,
    base_url: String,
    account_id: String,
    api_key: String,
    state: Mutex<State>,
    faults: Faults,
}

#[derive(Debug)]
struct FieldRec {
    id: i64,
    name: String,
    format: FieldFormat,
    description: Option<String>,
    options: Option<String>,
    created: String,
    values: Vec<ValueRec>,
}

#[derive(Debug, Clone)]
struct ValueRec {
    id: i64,
    index: i64,
    text: String,
    created: String,
}

#[derive(Debug, Clone)]
struct ContactRec {
    id: i64,
    key: String,
    attrs: BTreeMap<String, String>,
    history: Vec<LogRec>,
}

#[derive(Debug, Clone)]
struct LogRec {
    id: i64,
    title: String,
    operation_id: i64,
    log_date: String,
    date: String,
}

#[derive(Debug, Clone)]
struct SegmentRec {
    id: i64,
    name: String,
    mode: String,
    description: Option<String>,
    details: String,
    created: String,
    extra: serde_json::Map<String, Value>,
}

#[derive(Debug)]
struct State {
    next_id: i64,
    fields: BTreeMap<i64, FieldRec>,
    contacts: BTreeMap<String, ContactRec>,
    segments: BTreeMap<i64, SegmentRec>,
    credits: BTreeMap<&'static str, (i64, i64)>,
    settings: BTreeMap<String, String>,
    requests: Vec<RecordedRequest>,
    campaigns: Campaigns,
    lists: Lists,
}

impl Default for State {
    fn default() -> Self {
        let credits = [
            (CreditType::Transactional.as_str(), (0, 10_000)),
            (CreditType::Sms.as_str(), (0, 1_000)),
            (CreditType::Marketing.as_str(), (0, 100_000)),
        ]
        .into_iter()
        .collect();
        Self {
            next_id: 100,
            fields: BTreeMap::new(),
            contacts: BTreeMap::new(),
            segments: BTreeMap::new(),
            credits,
            settings: BTreeMap::new(),
            requests: Vec::new(),
            campaigns: Campaigns::default(),
            lists: Lists::default(),
        }
    }
}

/// A reply before it becomes a wiremock response.
enum Reply {
    Json(u16, Value),
    Text(u16, &'static str),
    Bytes(u16, Vec<u8>, &'static str),
}

/// What a route sees of the request beyond its method and path.
struct Ctx<'a> {
    body: Option<&'a Value>,
    raw: &'a [u8],
    content_type: &'a str,
    base_url: &'a str,
}

fn not_found(what: &str) -> Reply {
    Reply::Json(404, json!({ "Message": format!("{what} not found.") }))
}

fn bad_request(message: impl Into<String>) -> Reply {
    Reply::Json(400, json!({ "Message": message.into() }))
}

fn message(text: impl Into<String>) -> Reply {
    Reply::Json(200, Value::String(text.into()))
}

impl FakeSendethic {
    /// Starts a fake with account `12345` and API key `test-api-key`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// assert!(fake.base_url().starts_with("http://127.0.0.1:"));
    /// # }
    /// ```
    pub async fn start() -> Self {
        Self::with_credentials("12345", "test-api-key").await
    }

    /// Starts a fake that accepts only these credentials.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::with_credentials("777", "k").await;
    /// # let _ = fake;
    /// # }
    /// ```
    pub async fn with_credentials(account_id: &str, api_key: &str) -> Self {
        let server = MockServer::start().await;
        let auth = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{account_id}:{api_key}"))
        );
        let shared = Arc::new(Shared {
            auth,
            base_url: format!("{}{API_ROOT}/", server.uri()),
            account_id: account_id.to_owned(),
            api_key: api_key.to_owned(),
            state: Mutex::new(State::default()),
            faults: Faults::new(0x5e4d),
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

    /// The base URL to give a client (`http://127.0.0.1:<port>/api/rest/v4/`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// assert!(fake.base_url().ends_with("/api/rest/v4/"));
    /// # }
    /// ```
    #[must_use]
    pub fn base_url(&self) -> String {
        format!("{}{API_ROOT}/", self.server.uri())
    }

    /// A client builder already pointing at the fake with the right credentials.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> relance::Result<()> {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// let client = fake.client_builder().retry(relance::http::RetryPolicy::none()).build()?;
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn client_builder(&self) -> ClientBuilder {
        Client::builder(&self.shared.account_id, &self.shared.api_key).base_url(self.base_url())
    }

    /// A client pointing at the fake.
    ///
    /// # Panics
    /// Never in practice: the fake's own configuration is always valid.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let client = relance::testing::FakeSendethic::start().await.client();
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

    /// Installs a fault.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// fake.inject(relance::testing::Fault::status(503).times(1));
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
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// fake.clear_faults();
    /// # }
    /// ```
    pub fn clear_faults(&self) {
        self.shared.faults.clear();
    }

    /// Every request received so far (method and decoded path below the API root).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// assert!(fake.requests().is_empty());
    /// # }
    /// ```
    #[must_use]
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.state).requests.clone()
    }

    /// How many requests had this method and exact path.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// assert_eq!(fake.hits("GET", "/account/contactattribute"), 0);
    /// # }
    /// ```
    #[must_use]
    pub fn hits(&self, method: &str, path: &str) -> usize {
        lock(&self.shared.state)
            .requests
            .iter()
            .filter(|r| r.method == method && r.path == path)
            .count()
    }

    /// The contact fields currently defined.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// assert!(fake.fields().is_empty());
    /// # }
    /// ```
    #[must_use]
    pub fn fields(&self) -> Vec<ContactField> {
        lock(&self.shared.state)
            .fields
            .values()
            .map(field_model)
            .collect()
    }

    /// The values of a selection field (empty when the field does not exist).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// assert!(fake.field_values(relance::sendethic::FieldId(1)).is_empty());
    /// # }
    /// ```
    #[must_use]
    pub fn field_values(&self, field: FieldId) -> Vec<FieldValue> {
        lock(&self.shared.state)
            .fields
            .get(&field.0)
            .map(|f| f.values.iter().map(value_model).collect())
            .unwrap_or_default()
    }

    /// Sets the credits of one kind.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// fake.set_credits(relance::sendethic::CreditType::Sms, 10, 50);
    /// assert_eq!(fake.credits(relance::sendethic::CreditType::Sms).remaining, 40);
    /// # }
    /// ```
    pub fn set_credits(&self, kind: CreditType, used: i64, total: i64) {
        lock(&self.shared.state)
            .credits
            .insert(kind.as_str(), (used, total));
    }

    /// The credits of one kind.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// assert_eq!(fake.credits(relance::sendethic::CreditType::Marketing).used, 0);
    /// # }
    /// ```
    #[must_use]
    pub fn credits(&self, kind: CreditType) -> Credits {
        let (used, total) = lock(&self.shared.state)
            .credits
            .get(kind.as_str())
            .copied()
            .unwrap_or((0, 0));
        Credits {
            used,
            remaining: total - used,
            total,
        }
    }

    /// An account setting's current value.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// assert_eq!(fake.setting("shop_url"), None);
    /// # }
    /// ```
    #[must_use]
    pub fn setting(&self, name: &str) -> Option<String> {
        lock(&self.shared.state).settings.get(name).cloned()
    }
}

impl FakeSendethic {
    /// Every stored contact, as read with value ids (`/contact/attributevalueid`), by key.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// assert!(fake.contacts().is_empty());
    /// # }
    /// ```
    #[must_use]
    pub fn contacts(&self) -> Vec<Contact> {
        let state = lock(&self.shared.state);
        state
            .contacts
            .values()
            .filter_map(|c| serde_json::from_value(contact_json(&state, c, false)).ok())
            .collect()
    }

    /// One stored contact by key (case-insensitive), as read with value ids.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// assert!(fake.contact("ann@example.com").is_none());
    /// # }
    /// ```
    #[must_use]
    pub fn contact(&self, key: &str) -> Option<Contact> {
        let state = lock(&self.shared.state);
        let c = state.contacts.get(&normalize_key(key))?;
        serde_json::from_value(contact_json(&state, c, false)).ok()
    }

    /// The number of stored contacts.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// assert_eq!(fake.contact_count(), 0);
    /// # }
    /// ```
    #[must_use]
    pub fn contact_count(&self) -> usize {
        lock(&self.shared.state).contacts.len()
    }

    /// A contact's history, newest first (empty for an unknown contact).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// assert!(fake.contact_history("ann@example.com").is_empty());
    /// # }
    /// ```
    #[must_use]
    pub fn contact_history(&self, key: &str) -> Vec<ContactLog> {
        let state = lock(&self.shared.state);
        state
            .contacts
            .get(&normalize_key(key))
            .map(|c| {
                history_json(c, usize::MAX)
                    .into_iter()
                    .filter_map(|v| serde_json::from_value(v).ok())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Every segment.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// assert!(fake.segments().is_empty());
    /// # }
    /// ```
    #[must_use]
    pub fn segments(&self) -> Vec<Segment> {
        lock(&self.shared.state)
            .segments
            .values()
            .filter_map(|s| serde_json::from_value(segment_json(s)).ok())
            .collect()
    }

    /// Every send the fake recorded: tests, transactional mails, single SMS and approved
    /// operations with their recipients.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// assert!(fake.sent().is_empty());
    /// # }
    /// ```
    #[must_use]
    pub fn sent(&self) -> Vec<SentMessage> {
        lock(&self.shared.state).campaigns.sent.clone()
    }

    /// How many reads of a running operation it takes to complete (default 1).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// fake.set_operations_complete_after(3);
    /// # }
    /// ```
    pub fn set_operations_complete_after(&self, reads: u32) {
        lock(&self.shared.state).campaigns.complete_after = reads.max(1);
    }

    /// How many polls of an activity export, import, export or purge job it takes to be
    /// ready (default 1).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// fake.set_jobs_ready_after(2);
    /// # }
    /// ```
    pub fn set_jobs_ready_after(&self, polls: u32) {
        let mut state = lock(&self.shared.state);
        state.campaigns.export_ready_after = polls.max(1);
        state.lists.ready_after = polls.max(1);
    }

    /// Whether the account allows duplicate contacts (`allowdup` imports; default no).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// fake.set_allow_duplicates(true);
    /// # }
    /// ```
    pub fn set_allow_duplicates(&self, allow: bool) {
        lock(&self.shared.state).lists.allow_duplicates = allow;
    }
}

fn normalize_key(key: &str) -> String {
    key.trim().to_lowercase()
}

/// A stored contact as `ContactData`; selection fields as labels unless `value_ids`.
fn contact_json(state: &State, c: &ContactRec, value_ids: bool) -> Value {
    let attributes: Vec<Value> = c
        .attrs
        .iter()
        .map(|(id, value)| {
            let mut value = value.clone();
            let mut name = id.clone();
            if let Some(field) = id.parse::<i64>().ok().and_then(|n| state.fields.get(&n)) {
                name.clone_from(&field.name);
                if !value_ids && field.format.is_selection() && !value.is_empty() {
                    value = value
                        .split(',')
                        .map(|v| {
                            field
                                .values
                                .iter()
                                .find(|x| x.id.to_string() == v.trim())
                                .map_or_else(|| v.to_owned(), |x| x.text.clone())
                        })
                        .collect::<Vec<_>>()
                        .join(",");
                }
            }
            json!({ "id": id, "fieldName": name, "fieldValue": value })
        })
        .collect();
    json!({ "id": c.id, "contactKey": c.key, "attributes": attributes })
}

fn history_json(c: &ContactRec, size: usize) -> Vec<Value> {
    let mut logs = c.history.clone();
    logs.sort_by(|a, b| {
        let key = |l: &LogRec| Timestamp::parse(l.log_date.clone()).datetime();
        key(b).cmp(&key(a)).then(b.id.cmp(&a.id))
    });
    logs.iter()
        .take(size)
        .map(|l| {
            json!({ "Id": l.id, "Type": "Custom", "Object": null, "Title": l.title,
                    "Date": l.date, "Group": null, "OperationId": l.operation_id,
                    "LogDate": l.log_date })
        })
        .collect()
}

fn segment_json(s: &SegmentRec) -> Value {
    let mut v = serde_json::Map::new();
    v.insert("id".into(), json!(s.id));
    v.insert("name".into(), json!(s.name));
    v.insert("mode".into(), json!(s.mode));
    v.insert("description".into(), json!(s.description));
    v.insert("creationDate".into(), json!(s.created));
    v.insert("details".into(), json!(s.details));
    for (k, x) in &s.extra {
        v.entry(k.clone()).or_insert_with(|| x.clone());
    }
    Value::Object(v)
}

fn field_model(f: &FieldRec) -> ContactField {
    ContactField {
        id: FieldId(f.id),
        name: f.name.clone(),
        format: f.format.clone(),
        description: f.description.clone(),
        options: f.options.clone(),
        creation_date: Some(Timestamp::parse(f.created.clone())),
        extra: serde_json::Map::new(),
    }
}

fn value_model(v: &ValueRec) -> FieldValue {
    FieldValue {
        id: FieldValueId(v.id),
        index: v.index,
        text: v.text.clone(),
        creation_date: Some(Timestamp::parse(v.created.clone())),
    }
}

fn now() -> String {
    Utc::now().format("%Y-%m-%d %H:%M:%S").to_string()
}

struct Router(Arc<Shared>);

impl Respond for Router {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let shared = &self.0;
        let method = request.method.as_str().to_owned();
        let raw_path = request.url.path();
        let rel = raw_path.strip_prefix(API_ROOT).unwrap_or(raw_path);
        let segments: Vec<String> = rel
            .split('/')
            .filter(|s| !s.is_empty())
            .map(decode_segment)
            .collect();
        let path = format!("/{}", segments.join("/"));
        lock(&shared.state).requests.push(RecordedRequest {
            method: method.clone(),
            path: path.clone(),
            body: String::from_utf8_lossy(&request.body).into_owned(),
        });
        let outcome = shared.faults.apply(&method, &path);
        let template = if let Some(replacement) = outcome.replacement {
            replacement
        } else {
            let authorized = request
                .headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v == shared.auth);
            let reply = if authorized {
                let body: Option<Value> = serde_json::from_slice(&request.body).ok();
                let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
                let content_type = request
                    .headers
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                let ctx = Ctx {
                    body: body.as_ref(),
                    raw: &request.body,
                    content_type,
                    base_url: &shared.base_url,
                };
                route(&mut lock(&shared.state), &method, &segs, &ctx)
            } else {
                Reply::Text(401, "Unauthorized")
            };
            match reply {
                Reply::Json(status, body) => ResponseTemplate::new(status).set_body_json(body),
                Reply::Bytes(status, bytes, content_type) => {
                    ResponseTemplate::new(status).set_body_raw(bytes, content_type)
                }
                Reply::Text(status, text) => {
                    ResponseTemplate::new(status).set_body_raw(text, "text/plain")
                }
            }
        };
        match outcome.delay {
            Some(delay) => template.set_delay(delay),
            None => template,
        }
    }
}

fn route(state: &mut State, method: &str, segs: &[&str], ctx: &Ctx<'_>) -> Reply {
    let body = ctx.body;
    match (method, segs) {
        (_, ["emailing" | "sms", ..]) => campaign_route(state, method, segs, ctx),
        (
            _,
            [
                "contacts",
                rest @ ("import" | "export" | "purge"),
                more @ ..,
            ],
        ) => {
            let mut segs = vec![*rest];
            segs.extend_from_slice(more);
            let State {
                contacts,
                segments,
                lists,
                next_id,
                ..
            } = state;
            let mut store = Store {
                contacts,
                segments,
                next_id,
            };
            match lists.route(
                &mut store,
                ctx.base_url,
                method,
                &segs,
                ctx.content_type,
                ctx.raw,
                body,
            ) {
                ListOut::Json(status, v) => Reply::Json(status, v),
                ListOut::Bytes(bytes) => Reply::Bytes(200, bytes, "application/zip"),
            }
        }
        (_, ["account", "contactattribute", rest @ ..]) => fields(state, method, rest, body),
        (_, ["contact", rest @ ..]) => contact(state, method, rest, body),
        (_, ["contacts", "attribute"]) => contacts_bulk(state, method, body),
        (_, ["segment", rest @ ..]) => segments(state, method, rest, body),
        ("GET", ["account", "remainingcredits", kind]) => match state.credits.get(kind) {
            Some((used, total)) => Reply::Json(
                200,
                json!({ "used": used, "remaining": total - used, "total": total }),
            ),
            None => bad_request(format!("Unknown credit type {kind}.")),
        },
        ("GET", ["account", "settingsattribute", name]) => match state.settings.get(*name) {
            Some(v) => Reply::Json(200, Value::String(v.clone())),
            None => not_found("Setting"),
        },
        ("PUT", ["account", "settingsattribute"]) => {
            let Some(map) = body
                .and_then(|b| b.get("attributeType"))
                .and_then(Value::as_object)
            else {
                return bad_request("attributeType is required.");
            };
            for (k, v) in map {
                let v = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                state.settings.insert(k.clone(), v);
            }
            message(format!("{} setting(s) updated.", map.len()))
        }
        _ => Reply::Json(
            404,
            json!({ "Message": format!("No HTTP resource was found that matches {method} /{}.", segs.join("/")) }),
        ),
    }
}

fn fields(state: &mut State, method: &str, rest: &[&str], body: Option<&Value>) -> Reply {
    let str_of = |key: &str| body.and_then(|b| b.get(key)).and_then(Value::as_str);
    let int_of = |key: &str| int_field(body, key);
    match (method, rest) {
        ("GET", []) => Reply::Json(
            200,
            Value::Array(
                state
                    .fields
                    .values()
                    .map(|f| json_of(&field_model(f)))
                    .collect(),
            ),
        ),
        ("GET", [id]) => match parse_id(id).and_then(|id| state.fields.get(&id)) {
            Some(f) => Reply::Json(200, json_of(&field_model(f))),
            None => not_found("Field"),
        },
        ("POST", []) => {
            let Some(name) = str_of("name").map(str::trim).filter(|n| !n.is_empty()) else {
                return bad_request("name is required.");
            };
            if state.fields.values().any(|f| f.name == name) {
                return bad_request(format!("A field named {name} already exists."));
            }
            let raw_format = str_of("format").unwrap_or("ShortText");
            let (format, tag) = match raw_format.split_once('|') {
                Some((f, t)) => (f, Some(t.to_owned())),
                None => (raw_format, None),
            };
            let format = FieldFormat::parse(format);
            if let FieldFormat::Unknown(f) = format {
                return bad_request(format!("Unknown format {f}."));
            }
            state.next_id += 1;
            let rec = FieldRec {
                id: state.next_id,
                name: name.to_owned(),
                format,
                description: tag.or_else(|| str_of("description").map(str::to_owned)),
                options: str_of("options").map(str::to_owned),
                created: now(),
                values: Vec::new(),
            };
            let reply = json_of(&field_model(&rec));
            state.fields.insert(rec.id, rec);
            Reply::Json(201, reply)
        }
        ("PUT", []) => {
            let (Some(id), Some(name)) = (int_of("id"), str_of("name")) else {
                return bad_request("id and name are required.");
            };
            if state.fields.values().any(|f| f.name == name && f.id != id) {
                return bad_request(format!("A field named {name} already exists."));
            }
            match state.fields.get_mut(&id) {
                Some(f) => {
                    name.clone_into(&mut f.name);
                    message("Field updated.")
                }
                None => not_found("Field"),
            }
        }
        ("DELETE", [id]) => match parse_id(id).and_then(|id| state.fields.remove(&id)) {
            Some(_) => message("Field deleted."),
            None => not_found("Field"),
        },
        (_, ["value", rest @ ..]) => field_values(state, method, rest, body),
        _ => Reply::Json(405, json!({ "Message": "Method not allowed." })),
    }
}

fn field_values(state: &mut State, method: &str, rest: &[&str], body: Option<&Value>) -> Reply {
    let str_of = |key: &str| body.and_then(|b| b.get(key)).and_then(Value::as_str);
    let int_of = |key: &str| int_field(body, key);
    match (method, rest) {
        ("GET", [id]) => match parse_id(id).and_then(|id| state.fields.get(&id)) {
            Some(f) => {
                let mut values = f.values.clone();
                values.sort_by_key(|v| v.index);
                Reply::Json(
                    200,
                    values.iter().map(|v| json_of(&value_model(v))).collect(),
                )
            }
            None => not_found("Field"),
        },
        ("POST", [id]) => {
            let Some(text) = str_of("text").filter(|t| !t.trim().is_empty()) else {
                return bad_request("text is required.");
            };
            state.next_id += 1;
            let new_id = state.next_id;
            let Some(field) = parse_id(id).and_then(|id| state.fields.get_mut(&id)) else {
                return not_found("Field");
            };
            if !field.format.is_selection() {
                return bad_request("Values only apply to selection fields.");
            }
            let index = int_of("index")
                .unwrap_or_else(|| field.values.iter().map(|v| v.index + 1).max().unwrap_or(0));
            let rec = ValueRec {
                id: new_id,
                index,
                text: text.to_owned(),
                created: now(),
            };
            field.values.push(rec.clone());
            Reply::Json(201, json_of(&value_model(&rec)))
        }
        ("PUT", []) => {
            let Some(id) = int_of("id") else {
                return bad_request("id is required.");
            };
            let Some(field) = state
                .fields
                .values_mut()
                .find(|f| f.values.iter().any(|v| v.id == id))
            else {
                return not_found("Value");
            };
            if let Some(index) = int_of("index")
                && field.values.iter().any(|v| v.index == index && v.id != id)
            {
                return bad_request(format!("Index {index} is already used."));
            }
            let (text, index) = (str_of("text"), int_of("index"));
            if let Some(v) = field.values.iter_mut().find(|v| v.id == id) {
                if let Some(t) = text {
                    t.clone_into(&mut v.text);
                }
                if let Some(i) = index {
                    v.index = i;
                }
            }
            message("Value updated.")
        }
        ("DELETE", [id]) => {
            let Some(id) = parse_id(id) else {
                return not_found("Value");
            };
            for f in state.fields.values_mut() {
                if let Some(pos) = f.values.iter().position(|v| v.id == id) {
                    f.values.remove(pos);
                    return message("Value deleted.");
                }
            }
            not_found("Value")
        }
        _ => Reply::Json(405, json!({ "Message": "Method not allowed." })),
    }
}

fn int_field(body: Option<&Value>, key: &str) -> Option<i64> {
    body.and_then(|b| b.get(key)).and_then(|v| {
        v.as_i64()
            .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
    })
}

fn parse_id(s: &str) -> Option<i64> {
    s.parse().ok()
}

fn json_of<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn affected(n: usize) -> Reply {
    message(format!("{n} contact(s) affected."))
}

/// Applies one `ContactData` to the store. `Ok(true)` when a contact was written.
fn write_contact(state: &mut State, item: &Value, create: bool) -> Result<bool, String> {
    let key = item
        .get("contactKey")
        .and_then(Value::as_str)
        .map_or("", str::trim);
    let id = int_field(Some(item), "id").unwrap_or(0);
    let Some(attributes) = item.get("attributes").and_then(Value::as_array) else {
        return Err("attributes is required.".into());
    };
    let mut attrs = Vec::new();
    for a in attributes {
        let aid = match a.get("id") {
            Some(Value::String(s)) => s.trim().to_owned(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return Err("every attribute needs an id.".into()),
        };
        let value = match a.get("fieldValue") {
            None | Some(Value::Null) => continue, // nulls are ignored
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        };
        if let Ok(n) = aid.parse::<i64>()
            && !state.fields.contains_key(&n)
        {
            return Err(format!("Unknown field {aid}."));
        }
        attrs.push((aid, value));
    }
    let existing = if id > 0 {
        state
            .contacts
            .iter()
            .find(|(_, c)| c.id == id)
            .map(|(k, _)| k.clone())
    } else {
        let norm = normalize_key(key);
        state.contacts.contains_key(&norm).then_some(norm)
    };
    let norm = match existing {
        Some(k) => k,
        None if create && !key.is_empty() => {
            state.next_id += 1;
            let mut rec = ContactRec {
                id: state.next_id,
                key: key.to_owned(),
                attrs: BTreeMap::new(),
                history: Vec::new(),
            };
            rec.attrs.insert("email".into(), key.to_owned());
            let norm = normalize_key(key);
            state.contacts.insert(norm.clone(), rec);
            norm
        }
        None => return Ok(false),
    };
    if let Some(rec) = state.contacts.get_mut(&norm) {
        for (k, v) in attrs {
            rec.attrs.insert(k, v);
        }
    }
    Ok(true)
}

#[allow(clippy::too_many_lines)]
fn contact(state: &mut State, method: &str, rest: &[&str], body: Option<&Value>) -> Reply {
    let by_id = |state: &State, id: &str| -> Option<String> {
        let id = parse_id(id)?;
        state
            .contacts
            .iter()
            .find(|(_, c)| c.id == id)
            .map(|(k, _)| k.clone())
    };
    match (method, rest) {
        ("POST" | "PUT", ["attribute"]) => {
            let Some(item) = body.filter(|b| b.is_object()) else {
                return bad_request("A ContactData object is expected.");
            };
            match write_contact(state, item, method == "POST") {
                Ok(true) => affected(1),
                Ok(false) if method == "PUT" => not_found("Contact"),
                Ok(false) => bad_request("contactKey is required."),
                Err(e) => bad_request(e),
            }
        }
        ("GET", [kind @ ("attribute" | "attributevalueid"), key]) => {
            let found = state.contacts.get(&normalize_key(key));
            let list: Vec<Value> = found
                .map(|c| contact_json(state, c, *kind == "attributevalueid"))
                .into_iter()
                .collect();
            Reply::Json(200, Value::Array(list))
        }
        ("GET", [kind @ ("attributebycid" | "attributevalueidbycid"), id]) => {
            let list: Vec<Value> = by_id(state, id)
                .and_then(|k| state.contacts.get(&k))
                .map(|c| contact_json(state, c, *kind == "attributevalueidbycid"))
                .into_iter()
                .collect();
            Reply::Json(200, Value::Array(list))
        }
        ("DELETE", ["attribute", key]) => match state.contacts.remove(&normalize_key(key)) {
            Some(_) => affected(1),
            None => not_found("Contact"),
        },
        ("DELETE", ["attributebycid", id]) => {
            match by_id(state, id).and_then(|k| state.contacts.remove(&k)) {
                Some(_) => affected(1),
                None => not_found("Contact"),
            }
        }
        ("GET", ["history", key, size]) => {
            let Some(size) = size.parse::<usize>().ok().filter(|s| (1..=500).contains(s)) else {
                return bad_request("size must be 1 to 500.");
            };
            match state.contacts.get(&normalize_key(key)) {
                Some(c) => Reply::Json(
                    200,
                    json!({ "contactKey": c.key, "contactFound": 1, "records": c.history.len(),
                            "logs": history_json(c, size) }),
                ),
                None => Reply::Json(
                    200,
                    json!({ "contactKey": key, "contactFound": 0, "records": 0, "logs": [] }),
                ),
            }
        }
        ("POST", ["history"]) => {
            let key = body
                .and_then(|b| b.get("contactKey"))
                .and_then(Value::as_str)
                .unwrap_or("");
            let Some(logs) = body.and_then(|b| b.get("logs")).and_then(Value::as_array) else {
                return bad_request("logs is required.");
            };
            let mut new = Vec::new();
            for l in logs {
                let title = l.get("Title").and_then(Value::as_str).unwrap_or("");
                let date = l.get("LogDate").and_then(Value::as_str).unwrap_or("");
                if title.trim().is_empty() {
                    return bad_request("Title is required.");
                }
                if !date.trim_end().ends_with("+0000")
                    || Timestamp::parse(date).datetime().is_none()
                {
                    return bad_request("LogDate must be yyyy-MM-dd HH:mm:ss+0000.");
                }
                new.push((
                    title.to_owned(),
                    int_field(Some(l), "OperationId").unwrap_or(0),
                    date.to_owned(),
                ));
            }
            let norm = normalize_key(key);
            if !state.contacts.contains_key(&norm) {
                return not_found("Contact");
            }
            let count = new.len();
            for (title, operation_id, log_date) in new {
                state.next_id += 1;
                let id = state.next_id;
                if let Some(c) = state.contacts.get_mut(&norm) {
                    c.history.push(LogRec {
                        id,
                        title,
                        operation_id,
                        log_date,
                        date: now(),
                    });
                }
            }
            message(format!("{count} log(s) added."))
        }
        _ => Reply::Json(405, json!({ "Message": "Method not allowed." })),
    }
}

fn contacts_bulk(state: &mut State, method: &str, body: Option<&Value>) -> Reply {
    if method != "POST" && method != "PUT" {
        return Reply::Json(405, json!({ "Message": "Method not allowed." }));
    }
    let Some(items) = body.and_then(Value::as_array) else {
        return bad_request("An array of ContactData is expected.");
    };
    if items.len() > 500 {
        return bad_request("You can send up to 500 contacts per call.");
    }
    let mut count = 0;
    for item in items {
        match write_contact(state, item, method == "POST") {
            Ok(true) => count += 1,
            Ok(false) => {}
            Err(e) => return bad_request(e),
        }
    }
    affected(count)
}

fn segments(state: &mut State, method: &str, rest: &[&str], body: Option<&Value>) -> Reply {
    let str_of = |key: &str| body.and_then(|b| b.get(key)).and_then(Value::as_str);
    let check = |state: &State, id: i64| -> Result<(String, String, String), Reply> {
        let Some(name) = str_of("name").map(str::trim).filter(|n| !n.is_empty()) else {
            return Err(bad_request("name is required."));
        };
        if state
            .segments
            .values()
            .any(|s| s.name == name && s.id != id)
        {
            return Err(bad_request(format!(
                "A segment named {name} already exists."
            )));
        }
        let mode = str_of("mode").unwrap_or("");
        if !matches!(Mode::parse(mode), Mode::Intersect | Mode::Union) {
            return Err(bad_request("mode must be intersect or union."));
        }
        let details = str_of("details").unwrap_or("");
        if Criteria::parse(details).is_err() {
            return Err(bad_request("details is not valid criteria XML."));
        }
        Ok((name.to_owned(), mode.to_owned(), details.to_owned()))
    };
    let extra_of = || {
        body.and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter(|(k, _)| {
                        !matches!(
                            k.as_str(),
                            "id" | "name" | "mode" | "description" | "details" | "creationDate"
                        )
                    })
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            })
            .unwrap_or_default()
    };
    match (method, rest) {
        ("GET", []) => Reply::Json(
            200,
            Value::Array(state.segments.values().map(segment_json).collect()),
        ),
        ("GET", ["updatecache", id]) => match parse_id(id).and_then(|id| state.segments.get(&id)) {
            Some(s) => message(segment_count(state, s).to_string()),
            None => not_found("Segment"),
        },
        ("GET", [id]) => match parse_id(id).and_then(|id| state.segments.get(&id)) {
            Some(s) => Reply::Json(200, segment_json(s)),
            None => not_found("Segment"),
        },
        ("POST", []) => {
            let (name, mode, details) = match check(state, 0) {
                Ok(v) => v,
                Err(r) => return r,
            };
            state.next_id += 1;
            let rec = SegmentRec {
                id: state.next_id,
                name,
                mode,
                description: str_of("description").map(str::to_owned),
                details,
                created: now(),
                extra: extra_of(),
            };
            let reply = segment_json(&rec);
            state.segments.insert(rec.id, rec);
            Reply::Json(201, reply)
        }
        ("PUT", []) => {
            let Some(id) = int_field(body, "id").filter(|id| state.segments.contains_key(id))
            else {
                return not_found("Segment");
            };
            let (name, mode, details) = match check(state, id) {
                Ok(v) => v,
                Err(r) => return r,
            };
            let description = str_of("description").map(str::to_owned);
            let extra = extra_of();
            if let Some(s) = state.segments.get_mut(&id) {
                s.name = name;
                s.mode = mode;
                s.details = details;
                if description.is_some() {
                    s.description = description;
                }
                s.extra = extra;
            }
            message("Segment updated.")
        }
        ("DELETE", [id]) => match parse_id(id).and_then(|id| state.segments.remove(&id)) {
            Some(_) => message("Segment deleted."),
            None => not_found("Segment"),
        },
        _ => Reply::Json(405, json!({ "Message": "Method not allowed." })),
    }
}

/// Counts the contacts a segment selects; 0 when a criterion is unknown.
fn segment_count(state: &State, s: &SegmentRec) -> usize {
    segment_members(&state.contacts, s).len()
}

/// The keys of the contacts a segment selects; none when a criterion is unknown.
fn segment_members(contacts: &BTreeMap<String, ContactRec>, s: &SegmentRec) -> Vec<String> {
    let Ok(criteria) = Criteria::parse(&s.details) else {
        return Vec::new();
    };
    let mut conditions = Vec::new();
    for item in criteria.items() {
        match item {
            CriteriaItem::Known(c) => conditions.push(c.test().clone()),
            _ => return Vec::new(),
        }
    }
    if conditions.is_empty() {
        return Vec::new();
    }
    let union = Mode::parse(&s.mode) == Mode::Union;
    contacts
        .iter()
        .filter(|(_, c)| {
            let mut results = conditions.iter().map(|cond| evaluate(cond, &c.attrs));
            if union {
                results.any(|r| r)
            } else {
                results.all(|r| r)
            }
        })
        .map(|(k, _)| k.clone())
        .collect()
}

/// The contact store as the list jobs see it.
struct Store<'a> {
    contacts: &'a mut BTreeMap<String, ContactRec>,
    segments: &'a BTreeMap<i64, SegmentRec>,
    next_id: &'a mut i64,
}

impl ContactStore for Store<'_> {
    fn contains(&self, key: &str) -> bool {
        self.contacts.contains_key(&normalize_key(key))
    }

    fn put(&mut self, key: &str, attrs: Vec<(String, String)>) {
        let norm = normalize_key(key);
        let rec = self.contacts.entry(norm).or_insert_with(|| {
            *self.next_id += 1;
            ContactRec {
                id: *self.next_id,
                key: key.to_owned(),
                attrs: BTreeMap::from([("email".to_owned(), key.to_owned())]),
                history: Vec::new(),
            }
        });
        for (k, v) in attrs {
            if k != "email" {
                rec.attrs.insert(k, v);
            }
        }
    }

    fn remove(&mut self, key: &str) -> bool {
        self.contacts.remove(&normalize_key(key)).is_some()
    }

    fn keys(&self, segment: Option<i64>) -> Option<Vec<String>> {
        match segment {
            None => Some(self.contacts.keys().cloned().collect()),
            Some(id) => self
                .segments
                .get(&id)
                .map(|s| segment_members(self.contacts, s)),
        }
    }

    fn value(&self, key: &str, field: &str) -> Option<String> {
        self.contacts
            .get(&normalize_key(key))
            .and_then(|c| c.attrs.get(field).cloned())
    }

    fn next_id(&mut self) -> i64 {
        *self.next_id += 1;
        *self.next_id
    }
}

/// Email and SMS operations, with receivers resolved against the contact store.
fn campaign_route(state: &mut State, method: &str, segs: &[&str], ctx: &Ctx<'_>) -> Reply {
    let State {
        contacts,
        segments,
        campaigns,
        credits,
        next_id,
        ..
    } = state;
    let resolve = |receivers: &Value| -> Vec<(String, Option<String>)> {
        let ids = |key: &str| -> Vec<i64> {
            receivers
                .get(key)
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| int_field(Some(&json!({ "v": v })), "v"))
                        .collect()
                })
                .unwrap_or_default()
        };
        let mut keys: Vec<String> = Vec::new();
        for id in ids("segmentIds") {
            if let Some(s) = segments.get(&id) {
                keys.extend(segment_members(contacts, s));
            }
        }
        let wanted = ids("contactIds");
        keys.extend(
            contacts
                .iter()
                .filter(|(_, c)| wanted.contains(&c.id))
                .map(|(k, _)| k.clone()),
        );
        keys.sort();
        keys.dedup();
        keys.into_iter()
            .map(|k| {
                let mobile = contacts
                    .get(&k)
                    .and_then(|c| c.attrs.get("mobile").cloned());
                (k, mobile)
            })
            .collect()
    };
    let mut env = Env {
        next_id,
        credits,
        resolve: &resolve,
        base_url: ctx.base_url,
    };
    match campaigns.route(&mut env, method, segs, ctx.body) {
        Out::Json(status, v) => Reply::Json(status, v),
        Out::Bytes(status, bytes, content_type) => Reply::Bytes(status, bytes, content_type),
    }
}

fn evaluate(condition: &CriterionTest, attrs: &BTreeMap<String, String>) -> bool {
    let get = |f: &crate::sendethic::FieldRef| {
        attrs
            .get(&f.as_wire())
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    };
    let num = |f: &crate::sendethic::FieldRef| get(f).and_then(|v| v.parse::<f64>().ok());
    let date = |f: &crate::sendethic::FieldRef| get(f).and_then(|v| Timestamp::parse(v).datetime());
    let days_ago = |d: u32| Utc::now() - chrono::Duration::days(i64::from(d));
    match condition {
        CriterionTest::SelectionEquals { field, value } => {
            get(field).is_some_and(|v| v.split(',').any(|x| x.trim() == value.to_string()))
        }
        CriterionTest::TextNotEmpty { field } => get(field).is_some(),
        CriterionTest::TextEmpty { field } => get(field).is_none(),
        CriterionTest::NumberEquals { field, value } => num(field)
            .zip(value.parse::<f64>().ok())
            .is_some_and(|(a, b)| (a - b).abs() < 1e-9),
        CriterionTest::NumberAtLeast { field, value } => num(field)
            .zip(value.parse::<f64>().ok())
            .is_some_and(|(a, b)| a >= b),
        CriterionTest::NumberGreaterThan { field, value } => num(field)
            .zip(value.parse::<f64>().ok())
            .is_some_and(|(a, b)| a > b),
        CriterionTest::DateSet { field } => date(field).is_some(),
        CriterionTest::DateWithinLastDays { field, days } => {
            date(field).is_some_and(|d| d > days_ago(*days))
        }
        CriterionTest::DateOlderThanDays { field, days } => {
            date(field).is_some_and(|d| d < days_ago(*days))
        }
        CriterionTest::UnsubscribedFromEmail => {
            attrs
                .get("emailunsubscriptiondate")
                .is_some_and(|v| !v.trim().is_empty())
                || attrs
                    .get("emailoptin")
                    .is_some_and(|v| !v.is_empty() && OptIn::parse(v).is_opted_in() == Some(false))
        }
    }
}
