//! Drafts and templates (`issue.draft.*`).

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::core::Core;
use super::envelope;
use super::ids::DraftId;
use super::params::{Params, id_param, non_empty};
use crate::http::Request;
use crate::wire::open_enum;

open_enum! {
    /// The format of a draft.
    DraftFormat in "relance::sendsay" {
        /// Email.
        Email => "email",
        /// SMS.
        Sms => "sms",
        /// HTML.
        Html => "html",
        /// Plain text.
        Text => "text",
    }
}

/// A draft as `issue.draft.list` / `issue.draft.get` return it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Draft {
    /// The id.
    #[serde(default)]
    pub id: Option<DraftId>,
    /// The name.
    #[serde(default, deserialize_with = "crate::wire::lenient::opt_string")]
    pub name: Option<String>,
    /// The format.
    #[serde(default)]
    pub format: Option<DraftFormat>,
    /// The subject.
    #[serde(default, deserialize_with = "crate::wire::lenient::opt_string")]
    pub subject: Option<String>,
    /// Every other field (`template`, `from`, `sender`, `reply.email`, `text`, ...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `issue.draft.set` parameters: creates a draft (no id) or replaces one.
///
/// ```
/// use relance::sendsay::NewDraft;
/// let sms = NewDraft::sms("Order shipped", "Your order has shipped");
/// let email = NewDraft::email("Welcome", "Welcome!", "<p>Hello</p>").field("from", "shop@example.com");
/// # let _ = (sms, email);
/// ```
#[derive(Debug, Clone)]
pub struct NewDraft {
    id: Option<DraftId>,
    obj: Map<String, Value>,
}

impl NewDraft {
    /// A draft with a name and a format.
    ///
    /// ```
    /// let d = relance::sendsay::NewDraft::new("Promo", relance::sendsay::DraftFormat::Html);
    /// # let _ = d;
    /// ```
    #[allow(clippy::needless_pass_by_value)]
    pub fn new(name: impl Into<String>, format: DraftFormat) -> Self {
        let mut obj = Map::new();
        obj.insert("name".into(), Value::String(name.into()));
        obj.insert("format".into(), Value::String(format.as_str().to_owned()));
        Self { id: None, obj }
    }

    /// An SMS draft; the text goes in `text` (the field `issue.draft.get` lists).
    ///
    /// ```
    /// let d = relance::sendsay::NewDraft::sms("Shipped", "Your order has shipped");
    /// # let _ = d;
    /// ```
    pub fn sms(name: impl Into<String>, text: impl Into<String>) -> Self {
        Self::new(name, DraftFormat::Sms).field("text", text.into())
    }

    /// An email draft with a subject and an HTML body (`text`).
    ///
    /// ```
    /// let d = relance::sendsay::NewDraft::email("Welcome", "Welcome!", "<p>Hi</p>");
    /// # let _ = d;
    /// ```
    pub fn email(
        name: impl Into<String>,
        subject: impl Into<String>,
        html: impl Into<String>,
    ) -> Self {
        Self::new(name, DraftFormat::Email)
            .field("subject", subject.into())
            .field("text", html.into())
    }

    /// Replaces the draft with this id instead of creating one.
    ///
    /// ```
    /// let d = relance::sendsay::NewDraft::sms("Shipped", "…").id("43");
    /// # let _ = d;
    /// ```
    #[must_use]
    pub fn id(mut self, id: impl Into<DraftId>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Any other draft field (`from`, `sender`, `reply.email`, `to.name`, ...).
    ///
    /// ```
    /// let d = relance::sendsay::NewDraft::sms("Shipped", "…").field("sender", "SHOP");
    /// # let _ = d;
    /// ```
    #[must_use]
    pub fn field(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.obj.insert(key.into(), value.into());
        self
    }
}

/// Handler for drafts. Created by [`Client::drafts`](super::Client::drafts).
#[derive(Debug, Clone)]
pub struct DraftsHandler {
    core: Arc<Core>,
}

impl DraftsHandler {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self { core }
    }

    /// `issue.draft.list`.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let drafts = client.drafts().list().await?;
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> Request<Vec<Draft>> {
        self.core
            .action("issue.draft.list", Ok(Map::new()), envelope::list)
    }

    /// `issue.draft.get`.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let d = client.drafts().get("42").await?;
    /// # Ok(()) }
    /// ```
    pub fn get(&self, id: impl Into<DraftId>) -> Request<Draft> {
        self.core.action(
            "issue.draft.get",
            id_param(id.into().as_str()),
            envelope::obj,
        )
    }

    /// `issue.draft.set` with `return_fresh_obj`: creates or replaces a draft and returns it
    /// (at least its id).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let d = client.drafts().set(relance::sendsay::NewDraft::sms("Shipped", "Your order has shipped")).await?;
    /// println!("draft {:?}", d.id);
    /// # Ok(()) }
    /// ```
    pub fn set(&self, draft: NewDraft) -> Request<Draft> {
        let name = draft.obj.get("name").and_then(Value::as_str).unwrap_or("");
        let params = non_empty("name", name).and_then(|()| {
            if let Some(id) = &draft.id {
                non_empty("id", id.as_str())?;
            }
            Params::new()
                .opt("id", draft.id.map(|id| id.0))
                .set("obj", Value::Object(draft.obj))
                .set("return_fresh_obj", true)
                .ok()
        });
        self.core
            .action("issue.draft.set", params, |v| match v.get("obj") {
                Some(o) if o.is_object() => envelope::obj(v),
                _ => Ok(Draft {
                    id: envelope::created_id(v).ok(),
                    ..Draft::default()
                }),
            })
    }

    /// `issue.draft.delete`.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// client.drafts().delete("42").await?;
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, id: impl Into<DraftId>) -> Request<()> {
        self.core.action(
            "issue.draft.delete",
            id_param(id.into().as_str()),
            envelope::unit,
        )
    }
}
