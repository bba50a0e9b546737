//! Issues (`issue.send`, `issue.send.test`): who receives what, and when.

use std::sync::Arc;

use base64::Engine as _;
use serde_json::{Map, Value};

use super::core::Core;
use super::envelope;
use super::ids::{DraftId, GroupId, TrackId};
use super::params::{Params, flag, group_id, non_empty};
use super::types::Accepted;
use crate::error::{Error, Result};
use crate::http::Request;
use crate::wire::open_enum;

open_enum! {
    /// When an issue is sent (`sendwhen`).
    SendWhen in "relance::sendsay" {
        /// Immediately.
        Now => "now",
        /// At `later.time`.
        Later => "later",
        /// Store only.
        Save => "save",
        /// A test send to `mca` addresses.
        Test => "test",
    }
}

/// The message of an issue: a stored draft, or an inline email.
///
/// The inline SMS letter shape is not documented: SMS issues use a draft of format `sms`
/// (see [`NewDraft::sms`](super::NewDraft::sms)). Other channels (Viber, Telegram, VK, push,
/// MAX) have no documented letter shape either; send them from a draft to a group of that
/// identifier type, or use [`Client::call`](super::Client::call).
///
/// ```
/// use relance::sendsay::Letter;
/// let from_draft = Letter::draft("42");
/// let inline = Letter::inline("Your order", "shop@example.com")
///     .from_name("Shop")
///     .html("<p>Thanks!</p>")
///     .text("Thanks!");
/// # let _ = (from_draft, inline);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Letter {
    obj: Map<String, Value>,
    draft: bool,
}

impl Letter {
    /// A stored draft or template (`{"draft.id": …}`).
    ///
    /// ```
    /// let l = relance::sendsay::Letter::draft("42");
    /// # let _ = l;
    /// ```
    pub fn draft(id: impl Into<DraftId>) -> Self {
        let mut obj = Map::new();
        obj.insert("draft.id".into(), Value::String(id.into().0));
        Self { obj, draft: true }
    }

    /// An inline email with a subject and a (confirmed) sender address.
    ///
    /// ```
    /// let l = relance::sendsay::Letter::inline("Hello", "shop@example.com");
    /// # let _ = l;
    /// ```
    pub fn inline(subject: impl Into<String>, from_email: impl Into<String>) -> Self {
        let mut obj = Map::new();
        obj.insert("subject".into(), Value::String(subject.into()));
        obj.insert("from.email".into(), Value::String(from_email.into()));
        Self { obj, draft: false }
    }

    fn put(mut self, k: &str, v: impl Into<Value>) -> Self {
        self.obj.insert(k.to_owned(), v.into());
        self
    }

    fn message(mut self, part: &str, content: String) -> Self {
        let msg = self
            .obj
            .entry("message")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(m) = msg {
            m.insert(part.to_owned(), Value::String(content));
        }
        self
    }

    /// The sender's display name (`from.name`).
    ///
    /// ```
    /// let l = relance::sendsay::Letter::inline("Hi", "shop@example.com").from_name("Shop");
    /// # let _ = l;
    /// ```
    #[must_use]
    pub fn from_name(self, name: impl Into<String>) -> Self {
        self.put("from.name", name.into())
    }

    /// The reply address and name (`reply.email`, `reply.name`).
    ///
    /// ```
    /// let l = relance::sendsay::Letter::inline("Hi", "shop@example.com").reply_to("help@example.com", Some("Support"));
    /// # let _ = l;
    /// ```
    #[must_use]
    pub fn reply_to(self, email: impl Into<String>, name: Option<&str>) -> Self {
        let l = self.put("reply.email", email.into());
        match name {
            Some(n) => l.put("reply.name", n),
            None => l,
        }
    }

    /// The recipient's display name (`to.name`, may use `[% … %]` variables).
    ///
    /// ```
    /// let l = relance::sendsay::Letter::inline("Hi", "shop@example.com").to_name("[% anketa.base.firstName %]");
    /// # let _ = l;
    /// ```
    #[must_use]
    pub fn to_name(self, name: impl Into<String>) -> Self {
        self.put("to.name", name.into())
    }

    /// The HTML part (`message.html`).
    ///
    /// ```
    /// let l = relance::sendsay::Letter::inline("Hi", "shop@example.com").html("<p>Hi</p>");
    /// # let _ = l;
    /// ```
    #[must_use]
    pub fn html(self, html: impl Into<String>) -> Self {
        self.message("html", html.into())
    }

    /// The text part (`message.text`).
    ///
    /// ```
    /// let l = relance::sendsay::Letter::inline("Hi", "shop@example.com").text("Hi");
    /// # let _ = l;
    /// ```
    #[must_use]
    pub fn text(self, text: impl Into<String>) -> Self {
        self.message("text", text.into())
    }

    /// The AMP part (`message.amp`, under 100 KB, checked when sending).
    ///
    /// ```
    /// let l = relance::sendsay::Letter::inline("Hi", "shop@example.com").amp("<!doctype html><html ⚡4email>…</html>");
    /// # let _ = l;
    /// ```
    #[must_use]
    pub fn amp(self, amp: impl Into<String>) -> Self {
        self.message("amp", amp.into())
    }

    /// Attaches a file (base64-encoded on the wire).
    ///
    /// ```
    /// let l = relance::sendsay::Letter::inline("Invoice", "shop@example.com").attach("invoice.txt", b"42 EUR");
    /// # let _ = l;
    /// ```
    #[must_use]
    pub fn attach(self, name: impl Into<String>, content: &[u8]) -> Self {
        let a = serde_json::json!({
            "name": name.into(),
            "content": base64::engine::general_purpose::STANDARD.encode(content),
            "encoding": "base64",
        });
        self.push_attach(a)
    }

    /// Attaches a file by URL.
    ///
    /// ```
    /// let l = relance::sendsay::Letter::inline("Hi", "shop@example.com").attach_url("https://example.com/a.pdf");
    /// # let _ = l;
    /// ```
    #[must_use]
    pub fn attach_url(self, url: impl Into<String>) -> Self {
        self.push_attach(serde_json::json!({ "url": url.into() }))
    }

    /// Attaches a file described as the service expects it (`name`, `content`, `encoding`,
    /// `charset`, `mime-type`, or `url`), passed as is.
    ///
    /// ```
    /// let l = relance::sendsay::Letter::inline("Hi", "shop@example.com").attach_raw(serde_json::json!(
    ///     {"name": "img.png", "content": "aW1n", "encoding": "base64", "charset": "utf-8"}
    /// ));
    /// # let _ = l;
    /// ```
    #[must_use]
    pub fn attach_raw(self, attachment: Value) -> Self {
        self.push_attach(attachment)
    }

    fn push_attach(mut self, a: Value) -> Self {
        if let Value::Array(list) = self
            .obj
            .entry("attaches")
            .or_insert_with(|| Value::Array(Vec::new()))
        {
            list.push(a);
        }
        self
    }

    fn check(&self) -> Result<()> {
        let s = |k: &str| self.obj.get(k).and_then(Value::as_str).unwrap_or("");
        if self.draft {
            return non_empty("draft.id", s("draft.id"));
        }
        non_empty("subject", s("subject"))?;
        let from = s("from.email");
        if !from.contains('@') {
            return Err(Error::invalid(
                from,
                "from.email must be a (confirmed) sender address",
            ));
        }
        let msg = self.obj.get("message");
        let part = |p: &str| msg.and_then(|m| m.get(p)).and_then(Value::as_str);
        if part("html").is_none() && part("text").is_none() {
            return Err(Error::invalid(
                "message",
                "an inline letter needs html or text",
            ));
        }
        if part("amp").is_some_and(|a| a.len() >= 100 * 1024) {
            return Err(Error::invalid(
                "message.amp",
                "the AMP part must be under 100 KB",
            ));
        }
        Ok(())
    }
}

#[derive(Debug, Clone)]
enum LaterTime {
    Wire(String),
    At(chrono::DateTime<chrono::Utc>),
}

/// `issue.send` parameters.
///
/// ```
/// use relance::sendsay::{IssueSend, Letter};
/// // One transactional email.
/// let personal = IssueSend::personal("ivan@example.com", Letter::draft("42"));
/// // A mass issue to a list or segment.
/// let mass = IssueSend::to_group("list0004", Letter::draft("42")).name("November sale");
/// // An SMS from an SMS draft.
/// let sms = IssueSend::sms_personal("79991234567", "43");
/// # let _ = (personal, mass, sms);
/// ```
#[derive(Debug, Clone)]
pub struct IssueSend {
    group: String,
    email: Option<String>,
    users_list: Option<String>,
    letter: Letter,
    sendwhen: SendWhen,
    later: Option<LaterTime>,
    params: Map<String, Value>,
}

impl IssueSend {
    fn new(group: impl Into<String>, letter: Letter) -> Self {
        Self {
            group: group.into(),
            email: None,
            users_list: None,
            letter,
            sendwhen: SendWhen::Now,
            later: None,
            params: Map::new(),
        }
    }

    /// One transactional letter to one recipient (`group: "personal"`). Transactional
    /// sending must be enabled by Sendsay support on new accounts.
    ///
    /// ```
    /// let s = relance::sendsay::IssueSend::personal("ivan@example.com", relance::sendsay::Letter::draft("42"));
    /// # let _ = s;
    /// ```
    pub fn personal(email: impl Into<String>, letter: Letter) -> Self {
        let mut s = Self::new("personal", letter);
        s.email = Some(email.into());
        s
    }

    /// A mass issue to a list or segment.
    ///
    /// ```
    /// let s = relance::sendsay::IssueSend::to_group("list0004", relance::sendsay::Letter::draft("42"));
    /// # let _ = s;
    /// ```
    pub fn to_group(group: impl Into<GroupId>, letter: Letter) -> Self {
        Self::new(group.into().0, letter)
    }

    /// An express issue to inline recipients (`group: "masssending"`, `users.list`: a
    /// `;`-separated CSV with a header row, or addresses one per line).
    ///
    /// ```
    /// let s = relance::sendsay::IssueSend::express("a@b.ru\nc@d.ru", relance::sendsay::Letter::draft("42"));
    /// # let _ = s;
    /// ```
    pub fn express(users_list: impl Into<String>, letter: Letter) -> Self {
        let mut s = Self::new("masssending", letter);
        s.users_list = Some(users_list.into());
        s
    }

    /// An SMS to one phone number, from a draft of format `sms` (`personal` + the number as
    /// `email`). Verify on a test account: the SMS send shape is inferred, not documented.
    ///
    /// ```
    /// let s = relance::sendsay::IssueSend::sms_personal("79991234567", "43");
    /// # let _ = s;
    /// ```
    pub fn sms_personal(msisdn: impl Into<String>, sms_draft: impl Into<DraftId>) -> Self {
        Self::personal(msisdn, Letter::draft(sms_draft))
    }

    /// An SMS to a group of `msisdn` contacts, from a draft of format `sms`.
    ///
    /// ```
    /// let s = relance::sendsay::IssueSend::sms_to_group("phones", "43");
    /// # let _ = s;
    /// ```
    pub fn sms_to_group(group: impl Into<GroupId>, sms_draft: impl Into<DraftId>) -> Self {
        Self::to_group(group, Letter::draft(sms_draft))
    }

    /// Sends later, at a wire datetime in account-local time (`YYYY-MM-DD hh:mm:ss`).
    ///
    /// ```
    /// let s = relance::sendsay::IssueSend::to_group("list0004", relance::sendsay::Letter::draft("42"))
    ///     .later("2026-12-01 10:00:00");
    /// # let _ = s;
    /// ```
    #[must_use]
    pub fn later(mut self, local: impl Into<String>) -> Self {
        self.sendwhen = SendWhen::Later;
        self.later = Some(LaterTime::Wire(local.into()));
        self
    }

    /// Sends later, at an instant converted with the client's account timezone (fails with
    /// [`Error::Config`] when none is configured).
    ///
    /// ```
    /// let at = chrono::Utc::now() + chrono::Duration::hours(2);
    /// let s = relance::sendsay::IssueSend::to_group("list0004", relance::sendsay::Letter::draft("42")).later_at(at);
    /// # let _ = s;
    /// ```
    #[must_use]
    pub fn later_at(mut self, at: chrono::DateTime<chrono::Utc>) -> Self {
        self.sendwhen = SendWhen::Later;
        self.later = Some(LaterTime::At(at));
        self
    }

    /// Only stores the issue (`sendwhen: "save"`).
    ///
    /// ```
    /// let s = relance::sendsay::IssueSend::to_group("list0004", relance::sendsay::Letter::draft("42")).save_only();
    /// # let _ = s;
    /// ```
    #[must_use]
    pub fn save_only(mut self) -> Self {
        self.sendwhen = SendWhen::Save;
        self.later = None;
        self
    }

    /// Rewrites links for click tracking (`relink`).
    ///
    /// ```
    /// let s = relance::sendsay::IssueSend::to_group("list0004", relance::sendsay::Letter::draft("42")).relink(true);
    /// # let _ = s;
    /// ```
    #[must_use]
    pub fn relink(mut self, on: bool) -> Self {
        self.params.insert("relink".into(), flag(on));
        self
    }

    /// Template variables, available as `[% name %]` (`extra`).
    ///
    /// ```
    /// let s = relance::sendsay::IssueSend::personal("a@b.ru", relance::sendsay::Letter::draft("42"))
    ///     .var("order_id", "A-1001");
    /// # let _ = s;
    /// ```
    #[must_use]
    pub fn var(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        if let Value::Object(m) = self
            .params
            .entry("extra")
            .or_insert_with(|| Value::Object(Map::new()))
        {
            m.insert(name.into(), value.into());
        }
        self
    }

    /// The issue name (`name`).
    ///
    /// ```
    /// let s = relance::sendsay::IssueSend::to_group("list0004", relance::sendsay::Letter::draft("42")).name("Sale");
    /// # let _ = s;
    /// ```
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.params
            .insert("name".into(), Value::String(name.into()));
        self
    }

    /// The issue label (`label`).
    ///
    /// ```
    /// let s = relance::sendsay::IssueSend::to_group("list0004", relance::sendsay::Letter::draft("42")).label("promo");
    /// # let _ = s;
    /// ```
    #[must_use]
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.params
            .insert("label".into(), Value::String(label.into()));
        self
    }

    /// The DKIM key to sign with (`dkim.id`).
    ///
    /// ```
    /// let s = relance::sendsay::IssueSend::to_group("list0004", relance::sendsay::Letter::draft("42")).dkim_id("7");
    /// # let _ = s;
    /// ```
    #[must_use]
    pub fn dkim_id(mut self, id: impl Into<String>) -> Self {
        self.params
            .insert("dkim.id".into(), Value::String(id.into()));
        self
    }

    /// The mobile app to use for push, when there are several (`authext.id`).
    ///
    /// ```
    /// let s = relance::sendsay::IssueSend::to_group("apps", relance::sendsay::Letter::draft("44")).authext_id("3");
    /// # let _ = s;
    /// ```
    #[must_use]
    pub fn authext_id(mut self, id: impl Into<String>) -> Self {
        self.params
            .insert("authext.id".into(), Value::String(id.into()));
        self
    }

    fn into_params(self, core: &Core) -> Result<Map<String, Value>> {
        match self.group.as_str() {
            "personal" => non_empty("email", self.email.as_deref().unwrap_or(""))?,
            "masssending" => non_empty("users.list", self.users_list.as_deref().unwrap_or(""))?,
            g => group_id(g)?,
        }
        self.letter.check()?;
        let later = match self.later {
            None => None,
            Some(LaterTime::Wire(s)) => {
                non_empty("later.time", &s)?;
                Some(s)
            }
            Some(LaterTime::At(at)) => Some(core.wire_datetime(at)?),
        };
        let mut p = Params::new()
            .set("group", self.group)
            .opt("email", self.email)
            .opt("users.list", self.users_list)
            .set("sendwhen", self.sendwhen.as_str())
            .opt("later.time", later)
            .set("letter", Value::Object(self.letter.obj));
        for (k, v) in self.params {
            p = p.set(&k, v);
        }
        p.ok()
    }
}

/// Handler for issues. Created by [`Client::issues`](super::Client::issues).
#[derive(Debug, Clone)]
pub struct IssuesHandler {
    core: Arc<Core>,
}

impl IssuesHandler {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self { core }
    }

    /// `issue.send`: queues an issue and returns its job. **Never retried automatically**:
    /// on a timeout, check the job list before sending again. Senders must be added and
    /// confirmed first; free-mail domains cannot be used as From.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// use relance::sendsay::{IssueSend, Letter};
    /// let letter = Letter::inline("Your order", "shop@example.com").html("<p>Thanks!</p>");
    /// let job = client.issues().send(IssueSend::personal("ivan@example.com", letter)).await?;
    /// # Ok(()) }
    /// ```
    pub fn send(&self, issue: IssueSend) -> Request<TrackId> {
        let params = issue.into_params(&self.core);
        self.core.action("issue.send", params, envelope::track_id)
    }

    /// `issue.send.test`: sends a test copy to `mca` addresses (`sendwhen: "test"`). The free
    /// tier allows a single test copy, to the registration address. Never retried
    /// automatically. Returns the job when one was started.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// use relance::sendsay::{IssueSend, Letter};
    /// let issue = IssueSend::to_group("list0004", Letter::draft("42"));
    /// client.issues().send_test(issue, ["me@example.com"]).await?;
    /// # Ok(()) }
    /// ```
    pub fn send_test<I, S>(&self, issue: IssueSend, mca: I) -> Request<Accepted>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mca: Vec<String> = mca.into_iter().map(Into::into).collect();
        let mut issue = issue;
        issue.sendwhen = SendWhen::Test;
        issue.later = None;
        let params = issue.into_params(&self.core).and_then(|mut p| {
            if mca.is_empty() {
                return Err(Error::invalid("mca", "a test send needs an address"));
            }
            if let Some(bad) = mca.iter().find(|m| !m.contains('@')) {
                return Err(Error::invalid(bad, "not an email address"));
            }
            p.insert("mca".into(), mca.into());
            Ok(p)
        });
        self.core
            .action("issue.send.test", params, envelope::accepted)
    }
}
