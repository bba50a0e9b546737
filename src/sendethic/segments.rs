//! Segments: `/segment` and the idempotent [`SegmentsHandler::ensure`].
//!
//! # Tags
//! [`SegmentsHandler::ensure`] finds a segment by its provisioning tag, stored in
//! `description` (set directly on create). The SOAP-era `Intersection|<tag>` mode form is
//! unverified on REST, so `relance` sends a plain `mode` and the tag in `description`;
//! [`Segment::tag`] also reads a tag after a `|` in `description`.

use std::sync::Arc;

use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::core::Core;
use super::criteria::{Criteria, Mode};
use super::types::{SegmentId, ServerMessage, Timestamp};
use crate::error::{Error, Result};
use crate::http::Request;
use crate::http::create_verified;

/// A segment (`Segment`). Read-modify-write safe: properties this version does not model are
/// kept in `extra` and sent back by [`SegmentsHandler::update`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Segment {
    /// Segment id.
    #[serde(default)]
    pub id: SegmentId,
    /// Name (required by the server).
    #[serde(default, deserialize_with = "crate::wire::lenient::string")]
    pub name: String,
    /// How the criteria combine.
    #[serde(default)]
    pub mode: Mode,
    /// Description; holds the provisioning tag of [`SegmentsHandler::ensure`].
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::lenient::opt_string"
    )]
    pub description: Option<String>,
    /// Creation date (`yyyy-MM-dd HH:mm:ss`, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<Timestamp>,
    /// The criteria XML, verbatim (see [`criteria`](Self::criteria)).
    #[serde(default, deserialize_with = "crate::wire::lenient::string")]
    pub details: String,
    /// Properties this version of `relance` does not model, kept for round trips.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Segment {
    /// The parsed criteria (unknown criteria are kept raw).
    ///
    /// ```
    /// # fn f(s: relance::sendethic::Segment) -> relance::Result<()> {
    /// for item in s.criteria()?.items() { println!("{item:?}"); }
    /// # Ok(()) }
    /// ```
    pub fn criteria(&self) -> Result<Criteria> {
        Criteria::parse(&self.details)
    }

    /// Replaces the criteria.
    ///
    /// ```
    /// # fn f(mut s: relance::sendethic::Segment) {
    /// s.set_criteria(&relance::sendethic::Criteria::new().with(relance::sendethic::Criterion::unsubscribed_from_email()));
    /// # }
    /// ```
    pub fn set_criteria(&mut self, criteria: &Criteria) {
        self.details = criteria.to_xml();
    }

    /// The provisioning tag: the `description`, or its part after the last `|`.
    ///
    /// ```
    /// # fn f(s: relance::sendethic::Segment) {
    /// if s.tag() == Some("relance_buyers") { /* ours */ }
    /// # }
    /// ```
    #[must_use]
    pub fn tag(&self) -> Option<&str> {
        let d = self.description.as_deref()?.trim();
        let tag = d.rsplit('|').next().unwrap_or(d).trim();
        (!tag.is_empty()).then_some(tag)
    }
}

/// A segment to create.
///
/// ```
/// use relance::sendethic::{Criteria, Criterion, FieldId, Mode, NewSegment};
/// let s = NewSegment::new("Buyers", Mode::Intersect, Criteria::new().with(Criterion::number_greater_than(FieldId(31), 0)))
///     .description("relance_buyers");
/// # let _ = s;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSegment {
    name: String,
    mode: Mode,
    description: Option<String>,
    criteria: Criteria,
}

impl NewSegment {
    /// A segment with a name, a mode and criteria.
    ///
    /// ```
    /// let s = relance::sendethic::NewSegment::new("All", relance::sendethic::Mode::Union, relance::sendethic::Criteria::new());
    /// # let _ = s;
    /// ```
    #[must_use]
    pub fn new(name: impl Into<String>, mode: Mode, criteria: Criteria) -> Self {
        Self {
            name: name.into(),
            mode,
            description: None,
            criteria,
        }
    }

    /// A description (where [`SegmentsHandler::ensure`] keeps its tag).
    ///
    /// ```
    /// let s = relance::sendethic::NewSegment::new("All", relance::sendethic::Mode::Union, relance::sendethic::Criteria::new())
    ///     .description("relance_all");
    /// # let _ = s;
    /// ```
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    fn validate(&self) -> Result<()> {
        if self.name.trim().is_empty() {
            return Err(Error::invalid("name", "a segment name must not be empty"));
        }
        if let Mode::Unknown(m) = &self.mode {
            return Err(Error::invalid(m.clone(), "unknown segment mode"));
        }
        Ok(())
    }
}

#[derive(Serialize)]
struct WireNewSegment<'a> {
    id: i64,
    name: &'a str,
    mode: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    details: String,
}

/// A Sendethic segment identified by a provisioning tag: what [`SegmentsHandler::ensure`]
/// finds, or creates with this name, mode and criteria.
///
/// ```
/// use relance::sendethic::{Criteria, Criterion, FieldId, Mode, SegmentDefinition};
/// let definition = SegmentDefinition::new("relance_buyers", "[relance] Buyers", Mode::Intersect,
///     Criteria::new().with(Criterion::number_greater_than(FieldId(31), 0)));
/// # let _ = definition;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentDefinition {
    tag: String,
    name: String,
    mode: Mode,
    criteria: Criteria,
}

impl SegmentDefinition {
    /// A segment identified by `tag`, created as `name` with `mode` and `criteria` when
    /// missing.
    ///
    /// ```
    /// let s = relance::sendethic::SegmentDefinition::new("t", "n", relance::sendethic::Mode::Union, relance::sendethic::Criteria::new());
    /// assert_eq!(s.tag(), "t");
    /// ```
    #[must_use]
    pub fn new(
        tag: impl Into<String>,
        name: impl Into<String>,
        mode: Mode,
        criteria: Criteria,
    ) -> Self {
        Self {
            tag: tag.into(),
            name: name.into(),
            mode,
            criteria,
        }
    }

    /// The tag.
    ///
    /// ```
    /// let s = relance::sendethic::SegmentDefinition::new("t", "n", relance::sendethic::Mode::Union, relance::sendethic::Criteria::new());
    /// assert_eq!(s.tag(), "t");
    /// ```
    #[must_use]
    pub fn tag(&self) -> &str {
        &self.tag
    }
}

/// The result of [`SegmentsHandler::ensure`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct EnsuredSegment {
    /// The segment, found or created.
    pub segment: Segment,
    /// Whether this call created it.
    pub created: bool,
    /// Whether this call updated it in place (its name, mode or criteria differed from the
    /// definition).
    pub updated: bool,
}

/// What [`SegmentsHandler::plan`] found for one definition.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SegmentPlan {
    /// A segment with the tag exists and matches the definition.
    Unchanged(Segment),
    /// A segment with the tag exists with another name, mode or criteria: it would be
    /// updated in place.
    Update(Segment),
    /// No segment has the tag: it would be created.
    Create,
}

/// Handler for segments. Created by [`Client::segments`](super::Client::segments).
#[derive(Debug, Clone)]
pub struct SegmentsHandler {
    core: Arc<Core>,
}

impl SegmentsHandler {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self { core }
    }

    /// Lists every segment (`GET /segment`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// for s in client.segments().list().await? { println!("{} {}", s.id, s.name); }
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> Request<Vec<Segment>> {
        self.core
            .request(Method::GET, "/segment", &["segment"])
            .decode_json()
    }

    /// Gets one segment (`GET /segment/{id}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let s = client.segments().get(relance::sendethic::SegmentId(7)).await?;
    /// # Ok(()) }
    /// ```
    pub fn get(&self, id: SegmentId) -> Request<Segment> {
        self.core
            .request(Method::GET, "/segment/{id}", &["segment", &id.to_string()])
            .decode_json()
    }

    /// Creates a segment (`POST /segment`, not retried). Prefer [`ensure`](Self::ensure) for
    /// provisioning.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::{Criteria, Criterion, Mode, NewSegment};
    /// let s = client
    ///     .segments()
    ///     .create(NewSegment::new("Unsubscribed", Mode::Intersect, Criteria::new().with(Criterion::unsubscribed_from_email())))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn create(&self, segment: NewSegment) -> Request<Segment> {
        let draft = self.core.request(Method::POST, "/segment", &["segment"]);
        let draft = match segment.validate() {
            Ok(()) => {
                let NewSegment {
                    name,
                    mode,
                    description,
                    criteria,
                } = segment;
                draft.json(&WireNewSegment {
                    id: 0,
                    name: name.trim(),
                    mode: mode.as_str(),
                    description: description.as_deref(),
                    details: criteria.to_xml(),
                })
            }
            Err(e) => draft.fail(e),
        };
        draft.decode_json()
    }

    /// Updates a segment (`PUT /segment`; `id` selects it). Send back a segment read with
    /// [`get`](Self::get) and modified: unknown properties are kept.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let mut s = client.segments().get(relance::sendethic::SegmentId(7)).await?;
    /// s.name = "Renamed".into();
    /// client.segments().update(&s).await?;
    /// # Ok(()) }
    /// ```
    pub fn update(&self, segment: &Segment) -> Request<ServerMessage> {
        let draft = self.core.request(Method::PUT, "/segment", &["segment"]);
        let draft = if segment.name.trim().is_empty() {
            draft.fail(Error::invalid(
                segment.id.to_string(),
                "a segment name must not be empty",
            ))
        } else if segment.id.get() == 0 {
            draft.fail(Error::invalid("id", "a segment to update needs its id"))
        } else {
            draft.json(segment)
        };
        draft.message()
    }

    /// Deletes a segment (`DELETE /segment/{id}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// client.segments().delete(relance::sendethic::SegmentId(7)).await?;
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, id: SegmentId) -> Request<ServerMessage> {
        self.core
            .request(
                Method::DELETE,
                "/segment/{id}",
                &["segment", &id.to_string()],
            )
            .message()
    }

    /// Refreshes the segment count (`GET /segment/updatecache/{id}`). Whether the reply is
    /// the count is undocumented: use [`ServerMessage::as_count`].
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let reply = client.segments().refresh_count(relance::sendethic::SegmentId(7)).await?;
    /// println!("{:?} contacts", reply.as_count());
    /// # Ok(()) }
    /// ```
    pub fn refresh_count(&self, id: SegmentId) -> Request<ServerMessage> {
        self.core
            .request(
                Method::GET,
                "/segment/updatecache/{id}",
                &["segment", "updatecache", &id.to_string()],
            )
            .message()
    }

    /// What [`ensure`](Self::ensure) would do with each definition, read from one list of
    /// the segments, without writing anything.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client, defs: Vec<relance::sendethic::SegmentDefinition>) -> relance::Result<()> {
    /// for plan in client.segments().plan(&defs).await? {
    ///     println!("{plan:?}");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn plan(&self, specs: &[SegmentDefinition]) -> Result<Vec<SegmentPlan>> {
        let segments = self.list().await?;
        Ok(specs
            .iter()
            .map(|spec| {
                let new =
                    NewSegment::new(spec.name.clone(), spec.mode.clone(), spec.criteria.clone());
                let tag = spec.tag.trim();
                match segments.iter().find(|s| s.tag() == Some(tag)) {
                    Some(s) if matches_definition(s, &new) => SegmentPlan::Unchanged(s.clone()),
                    Some(s) => SegmentPlan::Update(s.clone()),
                    None => SegmentPlan::Create,
                }
            })
            .collect())
    }

    /// Finds the segment whose tag ([`Segment::tag`]) is the definition's, or creates it with the
    /// tag in `description`. Idempotent: safe on every start. An existing segment is returned
    /// as is (its criteria are not compared or changed).
    ///
    /// A create that fails (for example because a concurrent caller created it first) is
    /// followed by one more lookup before the error is returned.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::{Criteria, Criterion, FieldId, Mode, SegmentDefinition};
    /// let buyers = client
    ///     .segments()
    ///     .ensure(SegmentDefinition::new("relance_buyers", "[relance] Buyers", Mode::Intersect,
    ///         Criteria::new().with(Criterion::number_greater_than(FieldId(31), 0))))
    ///     .await?;
    /// println!("segment {}", buyers.segment.id);
    /// # Ok(()) }
    /// ```
    pub async fn ensure(&self, spec: SegmentDefinition) -> Result<EnsuredSegment> {
        let tag = spec.tag.trim().to_owned();
        if tag.is_empty() || tag.contains('|') {
            return Err(Error::invalid(
                spec.tag.clone(),
                "a segment tag must be non-empty and must not contain `|`",
            ));
        }
        let new = NewSegment::new(spec.name, spec.mode, spec.criteria).description(tag.clone());
        new.validate()?;
        let find = |segments: &[Segment]| segments.iter().find(|s| s.tag() == Some(&tag)).cloned();
        if let Some(mut segment) = find(&self.list().await?) {
            // Same tag, another definition: the definition wins (an update in place keeps the
            // segment's id, so campaigns aimed at it follow).
            let same = matches_definition(&segment, &new);
            if !same {
                segment.name.clone_from(&new.name);
                segment.mode = new.mode.clone();
                segment.details = new.criteria.to_xml();
                self.update(&segment).await?;
            }
            return Ok(EnsuredSegment {
                segment,
                created: false,
                updated: !same,
            });
        }
        let (segment, created) = create_verified(
            find,
            || self.create(new.clone()).send(),
            || self.list().send(),
        )
        .await?;
        Ok(EnsuredSegment {
            segment,
            created,
            updated: false,
        })
    }
}

/// Whether a stored segment has a new segment's name, mode and criteria.
fn matches_definition(segment: &Segment, new: &NewSegment) -> bool {
    segment.name == new.name
        && segment.mode == new.mode
        && segment
            .criteria()
            .is_ok_and(|stored| same_criteria(&stored, &new.criteria))
}

/// Whether two criteria lists test the same things in the same order (guids aside).
fn same_criteria(a: &Criteria, b: &Criteria) -> bool {
    use super::CriteriaItem;
    a.items().len() == b.items().len()
        && a.items().iter().zip(b.items()).all(|pair| match pair {
            (CriteriaItem::Known(x), CriteriaItem::Known(y)) => x.test() == y.test(),
            (CriteriaItem::Raw(x), CriteriaItem::Raw(y)) => x == y,
            _ => false,
        })
}
