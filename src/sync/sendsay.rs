//! The Sendsay target: a `relance` questionnaire and `member.set` with data keys.

use futures_util::StreamExt;
use serde_json::Value;

use super::record::{SyncRecord, SyncValue};
use futures_util::stream::BoxStream;

use super::store::Scope;
use super::{SegmentOutcome, SyncTarget, label};
use crate::customer::segment::{self as domain, Match, Op, Value as Operand};
use crate::customer::{FieldKind, OptIn, ProfileField};
use crate::error::{Error, Result};
use crate::http::BulkEvent;
use crate::sendsay::{Client, Filter, FilterRule, IfExists, MemberSet, NewQuestion};

/// The questionnaire (anketa) id `relance` provisions for its fields.
pub const ANKETA_ID: &str = "relance";

/// Pushes [`SyncRecord`]s to Sendsay.
///
/// - First name, last name, civility and birth date go to the built-in `base.firstName`,
///   `base.lastName`, `base.gender` and `base.birthDate`.
/// - Every other field is a question of a questionnaire `relance` (created when missing,
///   questions added when missing), written as the data key `relance.<name>`: `dt` with second
///   precision for dates (converted to the account timezone, which the client must be
///   configured with), `int` for the order count, `free` text for amounts (decimal strings),
///   ids and groups, and a `1m` choice `1`/`0` for the opt-in. The exact naming of custom
///   data-key paths is unverified against a live account: check a pushed member with
///   `member.get` on first use.
/// - Each record is one `member.set` (`if_exists: update`, no confirmation letter), sent with
///   bounded concurrency. The Sendsay client retries only read-only actions, so a failed
///   `member.set` is not resent within the run: the contact stays dirty and is pushed on the
///   next run. [`SyncValue::Empty`] deletes the value (data-key mode `delete`).
///
/// ```no_run
/// # fn f(client: relance::sendsay::Client) {
/// let target = relance::sync::SendsayTarget::new(client);
/// # let _ = target;
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct SendsayTarget {
    client: Client,
    concurrency: usize,
}

impl SendsayTarget {
    /// A target writing through `client` (configure its account timezone when date fields
    /// are pushed).
    ///
    /// ```no_run
    /// # fn f(client: relance::sendsay::Client) {
    /// let target = relance::sync::SendsayTarget::new(client);
    /// # let _ = target;
    /// # }
    /// ```
    #[must_use]
    pub fn new(client: Client) -> Self {
        Self {
            client,
            concurrency: 4,
        }
    }

    /// `member.set` calls in flight at once (default 4, at least 1).
    ///
    /// ```no_run
    /// # fn f(client: relance::sendsay::Client) {
    /// let target = relance::sync::SendsayTarget::new(client).concurrency(8);
    /// # let _ = target;
    /// # }
    /// ```
    #[must_use]
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// The data-key path a field is written to (the email is the member's id,
    /// `member.email`).
    ///
    /// ```
    /// use relance::customer::ProfileField;
    /// use relance::sync::SendsayTarget;
    /// assert_eq!(SendsayTarget::path(&ProfileField::FirstName), "base.firstName");
    /// assert_eq!(SendsayTarget::path(&ProfileField::Revenue), "relance.revenue");
    /// ```
    #[must_use]
    pub fn path(field: &ProfileField) -> String {
        match field {
            ProfileField::Email => "member.email".into(),
            ProfileField::FirstName => "base.firstName".into(),
            ProfileField::LastName => "base.lastName".into(),
            ProfileField::Civility => "base.gender".into(),
            ProfileField::BirthDate => "base.birthDate".into(),
            other => format!("{ANKETA_ID}.{}", other.name()),
        }
    }

    /// Whether a field is a question of the `relance` questionnaire (not a built-in key).
    fn is_question(field: &ProfileField) -> bool {
        Self::path(field).starts_with(&format!("{ANKETA_ID}."))
    }

    fn question(field: &ProfileField) -> NewQuestion {
        let label = label(field);
        let q = match (field, field.kind()) {
            (_, FieldKind::DateTime) => NewQuestion::datetime(label, "ys"),
            (_, FieldKind::Date) => NewQuestion::date(label),
            (ProfileField::OrdersCount, _) => NewQuestion::int(label),
            (_, FieldKind::OptIn) => NewQuestion::boolean(label),
            _ => NewQuestion::text(label, 256),
        };
        q.id(field.name())
    }

    fn value(&self, value: &SyncValue) -> Result<Option<Value>> {
        Ok(Some(match value {
            SyncValue::Empty => return Ok(None),
            SyncValue::Text(t) | SyncValue::Number(t) => Value::String(t.clone()),
            SyncValue::DateTime(d) => Value::String(self.client.wire_datetime(*d)?),
            SyncValue::Date(d) => Value::String(d.format("%Y-%m-%d").to_string()),
            SyncValue::OptIn(yes) => Value::String(if *yes { "1" } else { "0" }.into()),
        }))
    }

    /// The Sendsay group id of a segment tag: its letters and digits (ids must match
    /// `[a-zA-Z0-9]`), at most 32 of them.
    ///
    /// ```
    /// assert_eq!(relance::sync::SendsayTarget::group_id("relance_repeat"), "relancerepeat");
    /// ```
    #[must_use]
    pub fn group_id(tag: &str) -> String {
        tag.chars()
            .filter(char::is_ascii_alphanumeric)
            .take(32)
            .collect()
    }

    /// The filter condition of a domain condition. Relative dates use the `current - N DAY`
    /// syntax documented for `stat.uni`; its acceptance in segment filters is unverified.
    fn condition(c: &domain::Condition) -> Result<FilterRule> {
        let unsupported = || {
            Error::invalid(
                format!("{:?} {:?}", c.field, c.op),
                "no known Sendsay filter operator for this condition",
            )
        };
        let path = Self::path(&c.field);
        let kind = c.field.kind();
        Ok(match (&c.op, kind) {
            (Op::IsSet, _) => FilterRule::not_null(path),
            (Op::Equals(Operand::Number(n)), FieldKind::Number) => FilterRule::eq(path, *n),
            (Op::Equals(Operand::Text(t)), FieldKind::Text) => FilterRule::eq(path, t.clone()),
            (Op::Equals(Operand::OptIn(OptIn::Yes)), FieldKind::OptIn) => FilterRule::eq(path, "1"),
            (Op::Equals(Operand::OptIn(OptIn::No)), FieldKind::OptIn) => FilterRule::eq(path, "0"),
            (Op::AtLeast(n), FieldKind::Number) => FilterRule::ge(path, *n),
            (Op::GreaterThan(n), FieldKind::Number) => FilterRule::gt(path, *n),
            (Op::WithinLastDays(n), FieldKind::DateTime | FieldKind::Date) => {
                FilterRule::gt(path, format!("current - {n} DAY"))
            }
            (Op::MoreThanDaysAgo(n), FieldKind::DateTime | FieldKind::Date) => {
                FilterRule::le(path, format!("current - {n} DAY"))
            }
            _ => return Err(unsupported()),
        })
    }

    fn filter(spec: &domain::SegmentSpec) -> Result<Filter> {
        if spec.mode == Match::Any && spec.conditions.len() > 1 {
            return Err(Error::invalid(
                format!("segment {}", spec.tag),
                "Sendsay's OR syntax for filters is undocumented; only AND segments are provisioned",
            ));
        }
        let mut filter = Filter::new();
        for c in &spec.conditions {
            let cond = Self::condition(c).map_err(|e| match e {
                Error::InvalidInput { item, reason } => {
                    Error::invalid(format!("segment {}: {item}", spec.tag), reason)
                }
                other => other,
            })?;
            filter = filter.and(cond);
        }
        Ok(filter)
    }

    fn member(&self, record: &SyncRecord) -> Result<MemberSet> {
        let mut set = MemberSet::new(record.email())
            .if_exists(IfExists::Update)
            .newbie_confirm(false);
        for (field, value) in record.values() {
            let path = Self::path(field);
            set = match self.value(value)? {
                Some(v) => set.set(path, v),
                None => set.datakey(crate::sendsay::Datakey::new(
                    path,
                    crate::sendsay::DatakeyMode::Delete,
                    Value::Null,
                )),
            };
        }
        Ok(set)
    }
}

impl SyncTarget for SendsayTarget {
    async fn prepare(&mut self, fields: &[ProfileField]) -> Result<()> {
        let custom: Vec<&ProfileField> = fields.iter().filter(|f| Self::is_question(f)).collect();
        if custom.is_empty() {
            return Ok(());
        }
        if custom.iter().any(|f| f.kind() == FieldKind::DateTime)
            && self.client.timezone().is_none()
        {
            return Err(Error::config(
                "pushing dates to Sendsay needs the account timezone (ClientBuilder::timezone)",
            ));
        }
        let anketas = self.client.fields().list().await?;
        if !anketas.iter().any(|a| a.id == Some(ANKETA_ID.into())) {
            self.client
                .fields()
                .create("relance", Some(ANKETA_ID))
                .await?;
        }
        let existing = self.client.fields().get(ANKETA_ID).await?;
        let missing: Vec<NewQuestion> = custom
            .iter()
            .filter(|f| !existing.quests.contains_key(f.name()))
            .map(|f| Self::question(f))
            .collect();
        if !missing.is_empty() {
            self.client
                .fields()
                .add_questions(ANKETA_ID, &missing)
                .await?;
        }
        Ok(())
    }

    fn scope(&self) -> Result<Scope> {
        Scope::new("sendsay", self.client.account())
    }

    fn push<'a>(&'a self, records: BoxStream<'a, SyncRecord>) -> BoxStream<'a, BulkEvent> {
        let members = self.client.members();
        records
            .enumerate()
            .map(move |(index, record)| {
                let members = members.clone();
                async move {
                    let rejected = |error| BulkEvent::Rejected {
                        index,
                        key: record.email().to_owned(),
                        error,
                    };
                    match self.member(&record) {
                        Err(e) => rejected(e),
                        Ok(set) => match members.set(set).await {
                            Ok(_) => BulkEvent::Written(vec![index]),
                            Err(e @ Error::InvalidInput { .. }) => rejected(e),
                            Err(error) => BulkEvent::Failed {
                                indices: vec![index],
                                error,
                            },
                        },
                    }
                }
            })
            .buffer_unordered(self.concurrency)
            .boxed()
    }

    async fn ensure_segments(
        &self,
        segments: &[domain::SegmentSpec],
    ) -> Result<Vec<SegmentOutcome>> {
        let existing: Vec<String> = self
            .client
            .groups()
            .list()
            .await?
            .into_iter()
            .filter_map(|g| g.id.map(|id| id.0))
            .collect();
        let mut out = Vec::with_capacity(segments.len());
        for spec in segments {
            let id = Self::group_id(&spec.tag);
            let result = async {
                let filter = Self::filter(spec)?;
                if existing.contains(&id) {
                    Ok((id.clone(), false))
                } else {
                    self.client
                        .segments()
                        .create_with_filter(Some(&id), &spec.name, filter)
                        .await
                        .map(|created| (created.0, true))
                }
            }
            .await;
            out.push(SegmentOutcome {
                tag: spec.tag.clone(),
                result,
            });
        }
        Ok(out)
    }
}
