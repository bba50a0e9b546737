//! The Sendethic target: tagged custom fields and bulk upserts.

use std::collections::BTreeMap;

use super::profile::field_of;
use super::record::{FieldKind, SyncField, SyncRecord, SyncValue};
use super::{PushOutcome, SegmentOutcome, SyncTarget};
use crate::customer::OptIn;
use crate::customer::segment::{self as domain, Match, Op, Value};
use crate::error::{Error, Result};
use crate::sendethic::{
    BulkOptions, Client, Contact, Criteria, Criterion, FieldFormat, FieldId, FieldRef, FieldSpec,
    FieldValueId, Mode, Patch, SegmentDefinition,
};

/// Where a field lives on Sendethic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    /// A standard contact field.
    Standard(&'static str),
    /// A custom field provisioned by tag.
    Custom(FieldId),
}

/// Pushes [`SyncRecord`]s to Sendethic.
///
/// - First name, last name, civility, phone and postcode go to the standard fields
///   `firstname`, `lastname`, `salutation`, `phone`, `zipcode`.
/// - Every other field is a custom field found or created by its tag `relance_<name>` (the
///   `Format|tag` convention): `Number` for amounts and counts, `DateTime` for dates (sent as
///   UTC `yyyy-MM-dd HH:mm:ss`; a birth date at midnight), `ShortText` for ids, and a
///   `SingleSelection` with the values `No` and `Yes` for the newsletter opt-in (the shop's
///   consent is kept apart from Sendethic's own `emailoptin`, which it does not overwrite).
/// - An [`SyncValue::Empty`] clears the value (sends `""`).
/// - Records are upserted in chunks of 500 with bounded concurrency; upserts by key are
///   idempotent, so failed chunks are retried per the client's policy.
///
/// ```no_run
/// # fn f(client: relance::sendethic::Client) {
/// let target = relance::sync::SendethicTarget::new(client);
/// # let _ = target;
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct SendethicTarget {
    client: Client,
    slots: BTreeMap<SyncField, Slot>,
    optin: Option<(FieldValueId, FieldValueId)>,
    options: BulkOptions,
}

impl SendethicTarget {
    /// A target writing through `client`.
    ///
    /// ```no_run
    /// # fn f(client: relance::sendethic::Client) {
    /// let target = relance::sync::SendethicTarget::new(client);
    /// # let _ = target;
    /// # }
    /// ```
    #[must_use]
    pub fn new(client: Client) -> Self {
        Self {
            client,
            slots: BTreeMap::new(),
            optin: None,
            options: BulkOptions::default().retry_upserts(true),
        }
    }

    /// Bulk options (chunk size, concurrency, whether failed chunks are retried).
    ///
    /// ```no_run
    /// # fn f(client: relance::sendethic::Client) {
    /// use relance::sendethic::BulkOptions;
    /// let target = relance::sync::SendethicTarget::new(client).bulk_options(BulkOptions::default().concurrency(2));
    /// # let _ = target;
    /// # }
    /// ```
    #[must_use]
    pub fn bulk_options(mut self, options: BulkOptions) -> Self {
        self.options = options;
        self
    }

    /// The custom field id a field was provisioned as (after preparation).
    ///
    /// ```no_run
    /// # fn f(target: relance::sync::SendethicTarget) {
    /// let revenue = target.field_id(relance::sync::SyncField::Revenue);
    /// # }
    /// ```
    #[must_use]
    pub fn field_id(&self, field: SyncField) -> Option<FieldId> {
        match self.slots.get(&field) {
            Some(Slot::Custom(id)) => Some(*id),
            _ => None,
        }
    }

    fn standard(field: SyncField) -> Option<&'static str> {
        match field {
            SyncField::FirstName => Some("firstname"),
            SyncField::LastName => Some("lastname"),
            SyncField::Civility => Some("salutation"),
            SyncField::Phone => Some("phone"),
            SyncField::Postcode => Some("zipcode"),
            _ => None,
        }
    }

    fn format(kind: FieldKind) -> FieldFormat {
        match kind {
            FieldKind::Number => FieldFormat::Number,
            FieldKind::DateTime | FieldKind::Date => FieldFormat::DateTime,
            FieldKind::OptIn => FieldFormat::SingleSelection,
            _ => FieldFormat::ShortText,
        }
    }

    fn wire(&self, value: &SyncValue) -> Patch<String> {
        match value {
            SyncValue::Empty => Patch::Clear,
            SyncValue::Text(t) | SyncValue::Number(t) => Patch::Set(t.clone()),
            SyncValue::DateTime(d) => Patch::Set(d.format("%Y-%m-%d %H:%M:%S").to_string()),
            SyncValue::Date(d) => Patch::Set(format!("{} 00:00:00", d.format("%Y-%m-%d"))),
            SyncValue::OptIn(yes) => match self.optin {
                Some((y, n)) => Patch::Set(if *yes { y } else { n }.to_string()),
                None => Patch::Unset,
            },
        }
    }

    /// The Sendethic criterion of a domain condition.
    fn criterion(&self, c: &domain::Condition) -> Result<Criterion> {
        let unsupported = || {
            Error::invalid(
                format!("{:?} {:?}", c.field, c.op),
                "Sendethic has no known criterion for this condition",
            )
        };
        let field: FieldRef = match field_of(c.field) {
            None => FieldRef::from("email"),
            Some(f) => match self.slots.get(&f) {
                Some(Slot::Standard(id)) => FieldRef::from(*id),
                Some(Slot::Custom(id)) => FieldRef::from(*id),
                None => {
                    return Err(Error::invalid(
                        f.tag(),
                        "the field was not prepared: add it to the syncer's fields",
                    ));
                }
            },
        };
        let kind = field_of(c.field).map_or(FieldKind::Text, SyncField::kind);
        Ok(match (&c.op, kind) {
            (Op::IsSet, FieldKind::Text) => Criterion::text_not_empty(field),
            (Op::IsEmpty, FieldKind::Text) => Criterion::text_empty(field),
            (Op::IsSet, FieldKind::DateTime | FieldKind::Date) => Criterion::date_set(field),
            (Op::Equals(Value::Number(n)), FieldKind::Number) => Criterion::number_equals(field, n),
            (Op::AtLeast(n), FieldKind::Number) => Criterion::number_at_least(field, n),
            (Op::GreaterThan(n), FieldKind::Number) => Criterion::number_greater_than(field, n),
            (Op::WithinLastDays(n), FieldKind::DateTime | FieldKind::Date) => {
                Criterion::date_within_last_days(field, *n)
            }
            (Op::MoreThanDaysAgo(n), FieldKind::DateTime | FieldKind::Date) => {
                Criterion::date_older_than_days(field, *n)
            }
            (Op::Equals(Value::OptIn(o @ (OptIn::Yes | OptIn::No))), FieldKind::OptIn) => {
                let (yes, no) = self.optin.ok_or_else(unsupported)?;
                Criterion::selection_equals(field, if *o == OptIn::Yes { yes } else { no })
            }
            _ => return Err(unsupported()),
        })
    }

    fn segment(&self, spec: &domain::SegmentSpec) -> Result<SegmentDefinition> {
        let mut criteria = Criteria::new();
        for c in &spec.conditions {
            criteria.push(self.criterion(c).map_err(|e| match e {
                Error::InvalidInput { item, reason } => {
                    Error::invalid(format!("segment {}: {item}", spec.tag), reason)
                }
                other => other,
            })?);
        }
        let mode = match spec.mode {
            Match::All => Mode::Intersect,
            Match::Any => Mode::Union,
        };
        Ok(SegmentDefinition::new(
            spec.tag.clone(),
            spec.name.clone(),
            mode,
            criteria,
        ))
    }

    fn contact(&self, record: &SyncRecord) -> Contact {
        let mut contact = Contact::new(record.email()).email(record.email());
        for (field, value) in record.values() {
            let patch = self.wire(value);
            match self.slots.get(&field) {
                Some(Slot::Standard("firstname")) => contact.first_name = patch,
                Some(Slot::Standard("lastname")) => contact.last_name = patch,
                Some(Slot::Standard("salutation")) => contact.salutation = patch,
                Some(Slot::Standard("phone")) => contact.phone = patch,
                Some(Slot::Standard("zipcode")) => contact.zip_code = patch,
                Some(Slot::Custom(id)) => {
                    contact.custom.insert(*id, patch);
                }
                _ => {}
            }
        }
        contact
    }
}

impl SyncTarget for SendethicTarget {
    async fn prepare(&mut self, fields: &[SyncField]) -> Result<()> {
        for &field in fields {
            if let Some(id) = Self::standard(field) {
                self.slots.insert(field, Slot::Standard(id));
                continue;
            }
            let mut spec = FieldSpec::new(field.tag(), field.label(), Self::format(field.kind()));
            if field.kind() == FieldKind::OptIn {
                spec = spec.values(["No", "Yes"]);
            }
            let ensured = self.client.fields().ensure(spec).await?;
            if field.kind() == FieldKind::OptIn {
                let find = |label: &str| {
                    ensured
                        .values
                        .iter()
                        .find(|v| v.text == label)
                        .map(|v| v.id)
                };
                match (find("Yes"), find("No")) {
                    (Some(y), Some(n)) => self.optin = Some((y, n)),
                    _ => {
                        return Err(Error::invalid(
                            field.tag(),
                            "the opt-in field lacks its Yes/No values",
                        ));
                    }
                }
            }
            self.slots.insert(field, Slot::Custom(ensured.field.id));
        }
        Ok(())
    }

    async fn push(&self, records: &[SyncRecord]) -> Result<PushOutcome> {
        let contacts: Vec<Contact> = records.iter().map(|r| self.contact(r)).collect();
        let report = self
            .client
            .contacts()
            .upsert_many(contacts)
            .options(self.options)
            .send()
            .await?;
        let mut outcome = PushOutcome::default();
        for r in report.rejected {
            outcome.rejected.push((r.index, r.reason));
        }
        for chunk in report.chunks {
            match chunk.error {
                None => outcome.written.extend(chunk.indices),
                Some(error) => outcome.failed.push((chunk.indices, error)),
            }
        }
        Ok(outcome)
    }

    async fn ensure_segments(
        &self,
        segments: &[domain::SegmentSpec],
    ) -> Result<Vec<SegmentOutcome>> {
        let mut out = Vec::with_capacity(segments.len());
        for spec in segments {
            let result = match self.segment(spec) {
                Ok(s) => self
                    .client
                    .segments()
                    .ensure(s)
                    .await
                    .map(|e| (e.segment.id.to_string(), e.created)),
                Err(e) => Err(e),
            };
            out.push(SegmentOutcome {
                tag: spec.tag.clone(),
                result,
            });
        }
        Ok(out)
    }
}
