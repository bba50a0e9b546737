//! `FakeSendethic`: a stateful fake of the Sendethic REST API v4 on a loopback wiremock server.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use chrono::Utc;
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Respond, ResponseTemplate};

use super::RecordedRequest;
use super::faults::{Fault, Faults, lock};
use crate::http::percent_decode as decode_segment;
use crate::sendethic::{
    Client, ClientBuilder, ContactField, CreditType, Credits, FieldFormat, FieldId, FieldValue,
    FieldValueId, Timestamp,
};

/// The API root under the fake's origin, so clients exercise a base-URL path prefix.
pub const API_ROOT: &str = "/api/rest/v4";

/// A stateful fake Sendethic server listening on loopback.
///
/// It implements the covered resources with real semantics: ids are assigned, field names are
/// unique, unknown ids answer 404, HTTP Basic credentials are checked (401 otherwise). Its
/// state can be read for assertions, and [`Fault`]s can be injected per path.
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

#[derive(Debug)]
struct State {
    next_id: i64,
    fields: BTreeMap<i64, FieldRec>,
    credits: BTreeMap<&'static str, (i64, i64)>,
    settings: BTreeMap<String, String>,
    requests: Vec<RecordedRequest>,
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
            credits,
            settings: BTreeMap::new(),
            requests: Vec::new(),
        }
    }
}

/// A reply before it becomes a wiremock response.
enum Reply {
    Json(u16, Value),
    Text(u16, &'static str),
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
                route(&mut lock(&shared.state), &method, &segs, body.as_ref())
            } else {
                Reply::Text(401, "Unauthorized")
            };
            match reply {
                Reply::Json(status, body) => ResponseTemplate::new(status).set_body_json(body),
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

fn route(state: &mut State, method: &str, segs: &[&str], body: Option<&Value>) -> Reply {
    match (method, segs) {
        (_, ["account", "contactattribute", rest @ ..]) => fields(state, method, rest, body),
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
