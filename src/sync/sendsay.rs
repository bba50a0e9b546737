//! The Sendsay target: a `relance` questionnaire and `member.set` with data keys.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use futures_util::StreamExt;
use serde_json::Value;

use super::record::{SyncRecord, SyncValue};
use futures_util::stream::BoxStream;

use super::PREDICTED_DECIMALS;
use super::joined::Joined;
use super::store::Scope;
use super::target::with_side_events;
use super::{Erased, Naming, PhoneRegion, SegmentOutcome, SyncTarget};
use crate::JobWait;
use crate::customer::events::{EventKind, LifecycleEvent};
use crate::customer::segment::{self as domain, Match, Op, Value as Operand};
use crate::customer::{FieldKind, OptIn, ProfileField};
use crate::error::{Error, Result};
use crate::http::{BulkEvent, create_verified};
use crate::sendsay::{
    Accepted, AddrType, Anketa, AnketaDetail, Client, Filter, FilterRule, Group, IfExists,
    MemberDelete, MemberId, MemberSet, NewQuestion,
};

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
/// - Each record is one `member.set` (`if_exists: update`, no confirmation letter), sent in
///   `batch` calls of 200 with bounded concurrency
///   ([`MembersHandler::set_many`](crate::sendsay::MembersHandler::set_many)): each contact
///   is confirmed by its own sub-result, refused with the service's error, or sent again when
///   its result is missing. Such a `member.set` is idempotent, so the batch is retried like a
///   read. [`SyncValue::Empty`] deletes the value (data-key mode `delete`).
/// - The questionnaire and its questions are created once, each creation checked by reading
///   again after a failure, never blindly sent twice.
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
    chunk_size: usize,
    concurrency: usize,
    naming: Naming,
    msisdn: Option<PhoneRegion>,
    sign_up_list: Option<String>,
    /// Whether sign-ups get the double-opt-in letter, and which draft (the account's default
    /// when `None`).
    double_opt_in: bool,
    confirmation_letter: Option<String>,
    event_workflows: std::collections::BTreeMap<EventKind, crate::sendsay::WorkflowId>,
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
            chunk_size: 200,
            concurrency: 4,
            naming: Naming::default(),
            msisdn: None,
            sign_up_list: None,
            double_opt_in: false,
            confirmation_letter: None,
            event_workflows: std::collections::BTreeMap::new(),
        }
    }

    /// How question labels and segment names are shown (default prefix `[relance] `; the
    /// questionnaire id and question ids stay `relance` and the field names).
    ///
    /// ```no_run
    /// # fn f(client: relance::sendsay::Client) {
    /// use relance::sync::{Naming, SendsayTarget};
    /// let target = SendsayTarget::new(client).naming(Naming::new("[Shop] ", "shop_"));
    /// # let _ = target;
    /// # }
    /// ```
    #[must_use]
    pub fn naming(mut self, naming: Naming) -> Self {
        self.naming = naming;
        self
    }

    /// Makes each contact with a phone reachable by SMS: the number is read as E.164 in
    /// `region` (the shop's country for national numbers) and a member identified by it
    /// (`addr_type: "msisdn"`, the digits of the E.164 form without `+`, as Sendsay's own
    /// examples write numbers; the exact form the service wants is not documented) is set
    /// with the same data beside the email member. The contact counts as pushed only when
    /// both are confirmed. A number that cannot be read is reported in
    /// [`SyncReport::warnings`](super::SyncReport::warnings) and the contact is still synced
    /// by email.
    ///
    /// ```no_run
    /// # fn f(client: relance::sendsay::Client) -> relance::Result<()> {
    /// use relance::sync::{PhoneRegion, SendsayTarget};
    /// let target = SendsayTarget::new(client).msisdn_region(PhoneRegion::new("RU")?);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn msisdn_region(mut self, region: PhoneRegion) -> Self {
        self.msisdn = Some(region);
        self
    }

    /// The list (group id) contacts who sign up through
    /// [`Syncer::subscribe`](super::Syncer::subscribe) are added to (the data key
    /// `-group.<id>`).
    ///
    /// ```no_run
    /// # fn f(client: relance::sendsay::Client) {
    /// let target = relance::sync::SendsayTarget::new(client).sign_up_list("newsletter");
    /// # let _ = target;
    /// # }
    /// ```
    #[must_use]
    pub fn sign_up_list(mut self, group: impl Into<String>) -> Self {
        self.sign_up_list = Some(group.into());
        self
    }

    /// Sign-ups of new contacts get the double-opt-in letter (`newbie.confirm`; `letter`:
    /// the draft id of the confirmation letter, the account's default when `None`) and wait
    /// for its link ([`Subscribed::AwaitingConfirmation`](super::Subscribed)). Such a
    /// `member.set` sends a letter: it is never retried automatically.
    ///
    /// ```no_run
    /// # fn f(client: relance::sendsay::Client) {
    /// let target = relance::sync::SendsayTarget::new(client).double_opt_in(Some("42"));
    /// # let _ = target;
    /// # }
    /// ```
    #[must_use]
    pub fn double_opt_in(mut self, letter: Option<&str>) -> Self {
        self.double_opt_in = true;
        self.confirmation_letter = letter.map(str::to_owned);
        self
    }

    /// Delivers events of `kind` by starting a workflow for the member
    /// (`sequence.member.start {"id": workflow, "email": …}`). Such a start sends mail: it is
    /// never retried automatically, and an ambiguous one is reported, not resolved (Sendsay
    /// offers no read-back of a start).
    ///
    /// ```no_run
    /// # fn f(client: relance::sendsay::Client) {
    /// use relance::customer::events::EventKind;
    /// let target = relance::sync::SendsayTarget::new(client).event_workflow(EventKind::FirstSale, 12);
    /// # let _ = target;
    /// # }
    /// ```
    #[must_use]
    pub fn event_workflow(
        mut self,
        kind: EventKind,
        workflow_id: impl Into<crate::sendsay::WorkflowId>,
    ) -> Self {
        self.event_workflows.insert(kind, workflow_id.into());
        self
    }

    /// `member.set`s per `batch` call (default 200, 1 to
    /// [`MAX_SET_CHUNK`](crate::sendsay::MAX_SET_CHUNK)).
    ///
    /// ```no_run
    /// # fn f(client: relance::sendsay::Client) {
    /// let target = relance::sync::SendsayTarget::new(client).chunk_size(100);
    /// # let _ = target;
    /// # }
    /// ```
    #[must_use]
    pub fn chunk_size(mut self, n: usize) -> Self {
        self.chunk_size = n;
        self
    }

    /// `batch` calls in flight at once (default 4, at least 1).
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

    fn question(&self, field: &ProfileField) -> NewQuestion {
        let label = self.naming.label(field);
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
            // No `<` operator is documented; a predicted value is pushed with
            // PREDICTED_DECIMALS decimals, so below x means at most x minus one last digit.
            (Op::LessThan(n), FieldKind::Number) if c.field.is_predicted() => {
                let step = 10f64.powi(-i32::try_from(PREDICTED_DECIMALS).unwrap_or(2));
                let below = ((n / step - 1e-9).ceil() - 1.0) * step;
                FilterRule::le(path, format!("{below:.PREDICTED_DECIMALS$}"))
            }
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

    /// The `member.set`s of a record: by email, and by phone when it is reachable by SMS
    /// (with a warning when its phone cannot be read).
    fn members(&self, record: &SyncRecord) -> Result<(Vec<MemberSet>, Option<Error>)> {
        let by_email = self.member(record, MemberId::from(record.email()))?;
        let phone = match (self.msisdn, record.get(&ProfileField::Phone)) {
            (Some(region), Some(SyncValue::Text(raw))) => Some(region.e164(raw)),
            _ => None,
        };
        Ok(match phone {
            Some(Ok(e164)) => {
                let digits = e164.trim_start_matches('+').to_owned();
                let by_phone = self.member(record, MemberId::new(digits, AddrType::Msisdn))?;
                (vec![by_email, by_phone], None)
            }
            Some(Err(reason)) => (
                vec![by_email],
                Some(Error::invalid(
                    format!("{}: phone", record.email()),
                    format!("{reason}; no msisdn member is written"),
                )),
            ),
            None => (vec![by_email], None),
        })
    }

    fn member(&self, record: &SyncRecord, id: MemberId) -> Result<MemberSet> {
        let mut set = MemberSet::new(id)
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
        // Creations are verified by reading again, never blindly sent twice.
        let fields = self.client.fields();
        let ours = |list: &[Anketa]| {
            list.iter()
                .find(|a| a.id == Some(ANKETA_ID.into()))
                .and_then(|a| a.id.clone())
        };
        if ours(&fields.list().await?).is_none() {
            create_verified(
                ours,
                || fields.create("relance", Some(ANKETA_ID)).send(),
                || fields.list().send(),
            )
            .await?;
        }
        let existing = fields.get(ANKETA_ID).await?;
        let missing: Vec<&ProfileField> = custom
            .iter()
            .copied()
            .filter(|f| !existing.quests.contains_key(f.name()))
            .collect();
        if !missing.is_empty() {
            let questions: Vec<NewQuestion> = missing.iter().map(|f| self.question(f)).collect();
            let all_there = |details: &[AnketaDetail]| {
                details
                    .iter()
                    .any(|d| missing.iter().all(|f| d.quests.contains_key(f.name())))
                    .then_some(Value::Null)
            };
            create_verified(
                all_there,
                || fields.add_questions(ANKETA_ID, &questions).send(),
                || async { Ok(vec![fields.get(ANKETA_ID).send().await?]) },
            )
            .await?;
        }
        Ok(())
    }

    async fn plan_fields(&mut self, fields: &[ProfileField]) -> Result<super::Provisioning> {
        let custom: Vec<&ProfileField> = fields.iter().filter(|f| Self::is_question(f)).collect();
        let mut out = super::Provisioning::default();
        if custom.is_empty() {
            return Ok(out);
        }
        let api = self.client.fields();
        let has_anketa = api
            .list()
            .await?
            .iter()
            .any(|a| a.id == Some(ANKETA_ID.into()));
        let existing = if has_anketa {
            Some(api.get(ANKETA_ID).await?)
        } else {
            out.create_fields.push(format!("questionnaire {ANKETA_ID}"));
            None
        };
        for f in custom {
            if !existing
                .as_ref()
                .is_some_and(|a| a.quests.contains_key(f.name()))
            {
                out.create_fields.push(Self::path(f));
            }
        }
        Ok(out)
    }

    async fn plan_segments(&self, segments: &[domain::SegmentSpec]) -> Result<super::Provisioning> {
        let mut out = super::Provisioning::default();
        let existing: Vec<String> = self
            .client
            .groups()
            .list()
            .await?
            .into_iter()
            .filter_map(|g| g.id.map(|id| id.0))
            .collect();
        for spec in segments {
            let Ok(filter) = Self::filter(spec) else {
                continue; // not expressible: the run reports it, creates nothing
            };
            let id = Self::group_id(&spec.tag);
            if !existing.contains(&id) {
                out.create_segments.push(spec.tag.clone());
                continue;
            }
            let stored = self.client.segments().filter(id.as_str()).await?;
            if !same_filter(&stored, &filter.to_value()) {
                out.update_segments.push(spec.tag.clone());
            }
        }
        Ok(out)
    }

    fn scope(&self) -> Result<Scope> {
        Scope::new("sendsay", self.client.account())
    }

    fn push<'a>(&'a self, records: BoxStream<'a, SyncRecord>) -> BoxStream<'a, BulkEvent> {
        // Records whose member.set cannot be built are rejected here; the others go to
        // `set_many` (one or two members each), whose items are settled back per record.
        let joined = Arc::new(Mutex::new(Joined::default()));
        let side = Arc::new(Mutex::new(Vec::new()));
        let members = {
            let (joined, side) = (joined.clone(), side.clone());
            records.enumerate().flat_map(move |(index, record)| {
                let sets = match self.members(&record) {
                    Ok((sets, warning)) => {
                        lock(&joined).register(index, sets.len());
                        if let Some(error) = warning {
                            lock(&side).push(BulkEvent::Warned {
                                index,
                                key: record.email().to_owned(),
                                error,
                            });
                        }
                        sets
                    }
                    Err(error) => {
                        lock(&side).push(BulkEvent::Rejected {
                            index,
                            key: record.email().to_owned(),
                            error,
                        });
                        Vec::new()
                    }
                };
                futures_util::stream::iter(sets)
            })
        };
        let events = self
            .client
            .members()
            .set_stream(members)
            .chunk_size(self.chunk_size)
            .concurrency(self.concurrency)
            .events()
            .filter_map(move |event| std::future::ready(lock(&joined).settle(event)));
        with_side_events(events, side)
    }

    async fn subscribe(&self, record: &SyncRecord) -> Result<super::Subscribed> {
        let mut set = self
            .member(record, MemberId::from(record.email()))?
            .return_fresh_obj(true);
        if let Some(group) = &self.sign_up_list {
            set = set.set(format!("-group.{group}"), "1");
        }
        if self.double_opt_in {
            set = set
                .newbie_confirm(true)
                .welcome_letters(self.confirmation_letter.as_deref(), None);
        }
        let fresh = self.client.members().set(set).await?;
        // Without a fresh object the write was confirmed but its state is unknown: a
        // double-opt-in sign-up waits for its link until read otherwise.
        let waiting = fresh.map_or(self.double_opt_in, |m| m.member.lockconfirm);
        Ok(if waiting {
            super::Subscribed::AwaitingConfirmation
        } else {
            super::Subscribed::Subscribed
        })
    }

    async fn consent_changes(
        &self,
        since: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<Vec<super::ConsentChange>> {
        // The stop-list: every address no mail goes to, without dates (so `since` cannot
        // narrow it).
        let _ = since;
        Ok(self
            .client
            .stoplist()
            .get()
            .await?
            .iter()
            .map(|e| super::ConsentChange::new(e, false, None))
            .collect())
    }

    async fn deliver_event(&self, event: &LifecycleEvent) -> Result<super::EventDelivery> {
        let Some(workflow) = self.event_workflows.get(&event.kind) else {
            return Ok(super::EventDelivery::Unmapped);
        };
        self.client
            .workflows()
            .start(&crate::sendsay::WorkflowCall::one(
                workflow.clone(),
                event.email.as_str(),
            ))
            .await?;
        Ok(super::EventDelivery::Delivered)
    }

    async fn erase(&self, email: &str) -> Result<Erased> {
        // `member.delete` is never sent twice: read first, delete, then read again to confirm
        // (after its job, when the service queued one).
        let members = self.client.members();
        if !members.exists(email).await? {
            return Ok(Erased::Absent);
        }
        let deleted = members.delete(MemberDelete::one(email)).await;
        if let Ok(Accepted {
            track_id: Some(track),
            ..
        }) = &deleted
        {
            self.client
                .track(track.clone())
                .wait(JobWait::new(std::time::Duration::from_secs(120)))
                .await?;
        }
        if members.exists(email).await? {
            return Err(deleted.err().unwrap_or_else(|| {
                Error::Protocol(
                    format!("member.delete of {email} was accepted but the member still exists")
                        .into(),
                )
            }));
        }
        Ok(Erased::Deleted)
    }

    async fn ensure_segments(
        &self,
        segments: &[domain::SegmentSpec],
    ) -> Result<Vec<SegmentOutcome>> {
        let groups = self.client.groups();
        let segments_api = self.client.segments();
        let existing: Vec<String> = groups
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
                // The group: created once, verified by reading the list again after a
                // failed or ambiguous creation.
                let created = if existing.contains(&id) {
                    false
                } else {
                    let ours = |list: &[Group]| {
                        list.iter()
                            .any(|g| g.id.as_ref().is_some_and(|g| g.0 == id))
                            .then_some(())
                    };
                    create_verified(
                        ours,
                        || async {
                            segments_api
                                .create(Some(&id), &self.naming.segment_name(&spec.name))
                                .send()
                                .await?;
                            Ok(())
                        },
                        || groups.list().send(),
                    )
                    .await?
                    .1
                };
                // The filter: set on every run (idempotent by content), so that a segment
                // whose filter call failed on an earlier run does not stay without one.
                segments_api.set_filter(id.as_str(), &filter).await?;
                Ok((super::SegmentRef::Sendsay(id.as_str().into()), created))
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

/// Whether a stored filter (`group.filter.get`: a `filter` array, at the top level or under
/// `obj`; the shape is not documented) has the same rules as `wanted`, values compared as
/// text (the service may write numbers as strings).
fn same_filter(stored: &Value, wanted: &Value) -> bool {
    fn text(v: &Value) -> Value {
        match v {
            Value::Array(a) => Value::Array(a.iter().map(text).collect()),
            Value::Object(o) => {
                Value::Object(o.iter().map(|(k, v)| (k.clone(), text(v))).collect())
            }
            Value::Number(n) => Value::String(n.to_string()),
            other => other.clone(),
        }
    }
    let rules = stored
        .get("filter")
        .or_else(|| stored.get("obj").and_then(|o| o.get("filter")));
    rules.is_some_and(|r| text(r) == text(wanted))
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
