//! Segments: groups of type `filter` and their rules (`group.create`, `group.filter.*`).

use std::sync::Arc;

use serde_json::Value;

use super::core::Core;
use super::envelope;
use super::filter::Filter;
use super::groups::{NewGroup, group_id_param};
use super::ids::GroupId;
use crate::error::{Error, Result};
use crate::http::Request;

/// Handler for segments (groups of type `filter`). Created by
/// [`Client::segments`](super::Client::segments).
#[derive(Debug, Clone)]
pub struct SegmentsHandler {
    core: Arc<Core>,
}

impl SegmentsHandler {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self { core }
    }

    /// `group.create` with `type: "filter"`; returns the id.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let id = client.segments().create(Some("vip"), "VIP").await?;
    /// # Ok(()) }
    /// ```
    pub fn create(&self, id: Option<&str>, name: &str) -> Request<GroupId> {
        let mut g = NewGroup::segment(name);
        if let Some(id) = id {
            g = g.id(id);
        }
        self.core
            .action("group.create", g.params(), envelope::created_id)
    }

    /// `group.filter.set`: replaces a segment's rules.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// use relance::sendsay::{FilterRule, Filter};
    /// client.segments().set_filter("vip", &Filter::new().and(FilterRule::ge("custom.spent", "1000"))).await?;
    /// # Ok(()) }
    /// ```
    pub fn set_filter(&self, id: impl Into<GroupId>, filter: &Filter) -> Request<()> {
        let params = group_id_param(id.into()).and_then(|mut p| {
            p.insert("filter".into(), segment_filter(filter)?);
            Ok(p)
        });
        self.core.action("group.filter.set", params, envelope::unit)
    }

    /// `group.filter.get`: the rules as the service stores them (the UI may produce
    /// forms `relance` does not type), plus `usage`/`depth`/`max_usage` when sent.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let filter = client.segments().filter("vip").await?;
    /// # Ok(()) }
    /// ```
    pub fn filter(&self, id: impl Into<GroupId>) -> Request<Value> {
        self.core
            .action("group.filter.get", group_id_param(id.into()), Ok)
    }

    /// Creates a segment and sets its filter: two calls (`group.create`, then
    /// `group.filter.set`). Returns the segment id.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// use relance::sendsay::{FilterRule, Filter};
    /// let id = client
    ///     .segments()
    ///     .create_with_filter(None, "Abandoned carts", Filter::new().and(FilterRule::gt("size(sendsay_basket.items)", "0")))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn create_with_filter(
        &self,
        id: Option<&str>,
        name: &str,
        filter: Filter,
    ) -> Result<GroupId> {
        segment_filter(&filter)?;
        let id = self.create(id, name).await?;
        self.set_filter(&id, &filter).await?;
        Ok(id)
    }
}

/// The wire form of a filter fit for a segment: valid rules, at least one.
fn segment_filter(filter: &Filter) -> Result<Value> {
    filter.check()?;
    if filter.is_empty() {
        return Err(Error::invalid(
            "filter",
            "a segment filter needs a condition",
        ));
    }
    Ok(filter.to_value())
}
