//! Contacts (`member.*`), with the data-key (КД) model and the legacy anketa (АВО) model.

mod bulk;
mod list;
mod many;
mod model;
mod set;

use std::sync::Arc;

use serde_json::{Map, Value};

pub use bulk::{MemberDelete, MemberImport};
pub use list::{MemberList, MemberListQuery};
pub use many::{MAX_SET_CHUNK, SetMany};
pub use model::{Member, MemberId, MemberInfo};
pub use set::{Datakey, DatakeyMode, IfExists, MemberSet};

use super::core::Core;
use super::envelope;
use super::ids::{DraftId, GroupId, TrackId};
use super::params::{Params, group_id, non_empty};
use super::types::Accepted;
use crate::http::Request;
use model::truthy;

/// Handler for contacts. Created by [`Client::members`](super::Client::members).
#[derive(Debug, Clone)]
pub struct MembersHandler {
    core: Arc<Core>,
}

impl MembersHandler {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self { core }
    }

    /// `member.set`: creates or updates a contact. Returns the stored contact when
    /// [`return_fresh_obj`](MemberSet::return_fresh_obj) was asked for. Not retried
    /// automatically.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// use relance::sendsay::MemberSet;
    /// let fresh = client
    ///     .members()
    ///     .set(MemberSet::new("ivan@example.com").set("base.firstName", "Ivan").return_fresh_obj(true))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn set(&self, member: MemberSet) -> Request<Option<Member>> {
        self.core
            .action("member.set", member.params(), |v| match v.get("obj") {
                Some(o) if o.is_object() => envelope::obj(v).map(Some),
                _ => Ok(None),
            })
    }

    /// Many `member.set`s, sent in `batch` calls with bounded concurrency, each contact
    /// accounted for by its own result (see [`SetMany`]).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// use relance::sendsay::{IfExists, MemberSet};
    /// let members = (0..2000).map(|i| {
    ///     MemberSet::new(format!("m{i}@example.com")).if_exists(IfExists::Update).set("base.firstName", "M")
    /// });
    /// let report = client.members().set_many(members).await?;
    /// for r in &report.rejected { eprintln!("{}: {}", r.key, r.reason); }
    /// # Ok(()) }
    /// ```
    pub fn set_many<I>(&self, members: I) -> SetMany<futures_util::stream::Iter<I::IntoIter>>
    where
        I: IntoIterator<Item = MemberSet>,
    {
        self.set_stream(futures_util::stream::iter(members))
    }

    /// [`set_many`](Self::set_many) from a `Stream`, pulled lazily.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// use relance::sendsay::MemberSet;
    /// let members = futures_util::stream::iter(vec![MemberSet::new("a@b.ru")]);
    /// let report = client.members().set_stream(members).await?;
    /// # Ok(()) }
    /// ```
    pub fn set_stream<S>(&self, members: S) -> SetMany<S>
    where
        S: futures_util::Stream<Item = MemberSet>,
    {
        SetMany::new(self.core.clone(), members)
    }

    /// `member.get`: one contact.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let m = client.members().get("ivan@example.com").await?;
    /// println!("{:?}", m.value("base.firstName"));
    /// # Ok(()) }
    /// ```
    pub fn get(&self, id: impl Into<MemberId>) -> Request<Member> {
        let params = id.into().params().and_then(Params::ok);
        self.core.action("member.get", params, envelope::obj)
    }

    /// `member.exists`.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// if !client.members().exists("ivan@example.com").await? { /* ... */ }
    /// # Ok(()) }
    /// ```
    pub fn exists(&self, id: impl Into<MemberId>) -> Request<bool> {
        let params = id.into().params().and_then(Params::ok);
        self.core.action("member.exists", params, |v| {
            Ok(match v.get("list") {
                Some(Value::Object(m)) => m.values().any(truthy),
                Some(Value::Array(a)) => !a.is_empty(),
                Some(other) => crate::wire::lenient::value_int(other).is_some_and(|n| n != 0),
                None => false,
            })
        })
    }

    /// `member.list` with an inline result (`result: "response"`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// use relance::sendsay::MemberListQuery;
    /// let page = client.members().list(MemberListQuery::new().group("list0004").pagesize(100)).await?;
    /// # Ok(()) }
    /// ```
    pub fn list(&self, query: MemberListQuery) -> Request<MemberList> {
        self.core
            .action("member.list", Ok(query.into_params()), envelope::from_value)
    }

    /// `member.list.count`: counts per identifier type, optionally for one group
    /// (`obj`, kept as sent: its exact shape is not documented).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let counts = client.members().count(Some("list0004")).await?;
    /// # Ok(()) }
    /// ```
    pub fn count(&self, group: Option<&str>) -> Request<Map<String, Value>> {
        let params = match group {
            Some(g) => group_id(g).map(|()| Params::new().set("group", g).0),
            None => Ok(Map::new()),
        };
        self.core.action("member.list.count", params, |v| {
            Ok(match v.get("obj") {
                Some(Value::Object(m)) => m.clone(),
                _ => Map::new(),
            })
        })
    }

    /// `member.delete`: asynchronous unless `sync`; never retried automatically.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let job = client.members().delete(relance::sendsay::MemberDelete::one("a@b.ru")).await?;
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, what: MemberDelete) -> Request<Accepted> {
        self.core
            .action("member.delete", what.into_params(), envelope::accepted)
    }

    /// `member.import`: starts a bulk upload and returns its job; never retried automatically.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// use relance::sendsay::MemberImport;
    /// let job = client.members().import(MemberImport::csv("a@b.ru\nc@d.ru").auto_group("list0004")).await?;
    /// let done = client.track(job).wait(relance::JobWait::new(std::time::Duration::from_secs(300))).await?;
    /// # Ok(()) }
    /// ```
    pub fn import(&self, import: MemberImport) -> Request<TrackId> {
        self.core
            .action("member.import", import.params(), envelope::track_id)
    }

    /// `member.sendconfirm`: sends the confirmation letter (`letter`, a draft id) to the
    /// unconfirmed contacts of `group`; never retried automatically.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let job = client.members().send_confirmation("unconfirmed", "12").await?;
    /// # Ok(()) }
    /// ```
    pub fn send_confirmation(
        &self,
        group: impl Into<GroupId>,
        letter_draft: impl Into<DraftId>,
    ) -> Request<Accepted> {
        let (group, letter) = (group.into(), letter_draft.into());
        let params = group_id(group.as_str()).and_then(|()| {
            non_empty("letter", letter.as_str())?;
            Params::new()
                .set("confirm", 1)
                .set("group", group.0)
                .set("letter", letter.0)
                .ok()
        });
        self.core
            .action("member.sendconfirm", params, envelope::accepted)
    }
}
