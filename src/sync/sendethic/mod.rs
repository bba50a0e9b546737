//! The Sendethic target: tagged custom fields and bulk upserts.

mod criteria;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use super::record::{SyncRecord, SyncValue};
use futures_util::stream::{BoxStream, StreamExt};

use super::store::Scope;
use super::target::with_side_events;
use super::{Erased, Naming, PhoneRegion, SegmentOutcome, SyncTarget};
use crate::customer::events::{EventKind, LifecycleEvent};
use crate::customer::segment as domain;
use crate::customer::{FieldKind, ProfileField};
use crate::error::{Error, Result};
use crate::http::BulkEvent;
use crate::sendethic::{
    BulkOptions, Client, Contact, FieldCatalog, FieldFormat, FieldId, FieldPlan, FieldSpec,
    FieldValueId, Patch, SegmentPlan,
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
/// - The email is the contact key (the standard field `email`); first name, last name,
///   civility, phone and postcode go to the standard fields `firstname`, `lastname`,
///   `salutation`, `phone`, `zipcode`.
/// - Every other field is a custom field found or created by its tag `relance_<name>` (the
///   `Format|tag` convention): `Number` for amounts and counts, `DateTime` for dates (sent as
///   UTC `yyyy-MM-dd HH:mm:ss`; a birth date at midnight), `ShortText` for ids, and a
///   `SingleSelection` with the values `No` and `Yes` for the newsletter opt-in, also
///   written to Sendethic's own `emailoptin` (`"true"` / `"no"`; see
///   [`write_emailoptin`](Self::write_emailoptin)); the consent instant goes to its own
///   `DateTime` field.
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
    slots: BTreeMap<ProfileField, Slot>,
    /// The `Yes` and `No` value ids of each opt-in field.
    optin: BTreeMap<FieldId, (FieldValueId, FieldValueId)>,
    options: BulkOptions,
    catalog: Option<FieldCatalog>,
    mobile: Option<PhoneRegion>,
    naming: Naming,
    /// Tags and names of existing fields to adopt, per field.
    adopt: BTreeMap<ProfileField, (Vec<String>, Vec<String>)>,
    /// Whether the shop's newsletter consent is also written to `emailoptin`.
    emailoptin: bool,
    /// The `source` written on sign-ups.
    sign_up_source: Option<String>,
    /// The triggered operation of each event kind.
    event_operations: BTreeMap<EventKind, i64>,
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
            optin: BTreeMap::new(),
            options: BulkOptions::default().retry_upserts(true),
            catalog: None,
            mobile: None,
            naming: Naming::default(),
            adopt: BTreeMap::new(),
            emailoptin: true,
            sign_up_source: None,
            event_operations: BTreeMap::new(),
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

    /// Writes the phone to Sendethic's `mobile` (what SMS operations use) in E.164, reading
    /// numbers written nationally in `region`, instead of the free-text `phone`. A number
    /// that cannot be read is not written (the contact still is) and is reported in
    /// [`SyncReport::warnings`](super::SyncReport::warnings).
    ///
    /// ```no_run
    /// # fn f(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sync::{PhoneRegion, SendethicTarget};
    /// let target = SendethicTarget::new(client).mobile_region(PhoneRegion::new("FR")?);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn mobile_region(mut self, region: PhoneRegion) -> Self {
        self.mobile = Some(region);
        self
    }

    /// How provisioned fields and segments are named (default `[relance] ` labels and
    /// `relance_` tags). Fields are found again by tag: changing the namespace of an account
    /// already synced creates new fields.
    ///
    /// ```no_run
    /// # fn f(client: relance::sendethic::Client) {
    /// use relance::sync::{Naming, SendethicTarget};
    /// let target = SendethicTarget::new(client).naming(Naming::new("[Shop] ", "shop_"));
    /// # let _ = target;
    /// # }
    /// ```
    #[must_use]
    pub fn naming(mut self, naming: Naming) -> Self {
        self.naming = naming;
        self
    }

    /// Adopts an existing field for `field` when it has one of these tags (tried in order,
    /// after the field's own tag): the field is written there instead of a new one being
    /// created. Its format must be the one `relance` would create (a typed error names
    /// both fields otherwise).
    ///
    /// ```no_run
    /// # fn f(client: relance::sendethic::Client) {
    /// use relance::customer::ProfileField;
    /// let target = relance::sync::SendethicTarget::new(client)
    ///     .adopt(ProfileField::Revenue, ["ps_total_spent"]);
    /// # let _ = target;
    /// # }
    /// ```
    #[must_use]
    pub fn adopt<I, S>(mut self, field: ProfileField, tags: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let entry = self.adopt.entry(field).or_default();
        entry.0.extend(tags.into_iter().map(Into::into));
        self
    }

    /// Adopts an existing field for `field` by its name (compared without case), for
    /// fields created without a tag. A field with the very name `relance` would create is
    /// always adopted when its format matches.
    ///
    /// ```no_run
    /// # fn f(client: relance::sendethic::Client) {
    /// use relance::customer::ProfileField;
    /// let target = relance::sync::SendethicTarget::new(client)
    ///     .adopt_name(ProfileField::OrdersCount, "[PS] Nombre de commandes");
    /// # let _ = target;
    /// # }
    /// ```
    #[must_use]
    pub fn adopt_name(mut self, field: ProfileField, name: impl Into<String>) -> Self {
        self.adopt.entry(field).or_default().1.push(name.into());
        self
    }

    /// Adopts the fields the earlier connectors created ([`connector_tags`](super::connector_tags):
    /// the Magento extension's `magento_*` and the Woo plugin's `woo_*` tags), so
    /// that moving off them does not leave the account with duplicates.
    ///
    /// ```no_run
    /// # fn f(client: relance::sendethic::Client) {
    /// let target = relance::sync::SendethicTarget::new(client).adopt_connectors();
    /// # let _ = target;
    /// # }
    /// ```
    #[must_use]
    pub fn adopt_connectors(mut self) -> Self {
        for field in ProfileField::ALL {
            let tags = super::connector_tags(&field);
            if !tags.is_empty() {
                self = self.adopt(field, tags.iter().copied());
            }
        }
        self
    }

    /// Whether the shop's newsletter consent ([`ProfileField::NewsletterOptIn`]) is also
    /// written to Sendethic's own `emailoptin` (`"true"` / `"no"`), the consent its email
    /// operations honour. Default `true`; `false` keeps `emailoptin` to the service (the
    /// consent then only lives in the tagged field).
    ///
    /// ```no_run
    /// # fn f(client: relance::sendethic::Client) {
    /// let target = relance::sync::SendethicTarget::new(client).write_emailoptin(false);
    /// # let _ = target;
    /// # }
    /// ```
    #[must_use]
    pub fn write_emailoptin(mut self, yes: bool) -> Self {
        self.emailoptin = yes;
        self
    }

    /// The label written to the standard `source` field of contacts who sign up through
    /// [`Syncer::subscribe`](super::Syncer::subscribe) (`newsletter-footer`, say): what a
    /// sign-up segment selects them by.
    ///
    /// ```no_run
    /// # fn f(client: relance::sendethic::Client) {
    /// let target = relance::sync::SendethicTarget::new(client).sign_up_source("newsletter-footer");
    /// # let _ = target;
    /// # }
    /// ```
    #[must_use]
    pub fn sign_up_source(mut self, label: impl Into<String>) -> Self {
        self.sign_up_source = Some(label.into());
        self
    }

    /// Delivers events of `kind` to the contact's history with the id of a triggered
    /// operation (`POST /contact/history`: the operation id is what Sendethic's triggers
    /// use), the event's key as the entry's title.
    ///
    /// ```no_run
    /// # fn f(client: relance::sendethic::Client) {
    /// use relance::customer::events::EventKind;
    /// let target = relance::sync::SendethicTarget::new(client).event_operation(EventKind::FirstSale, 4242);
    /// # let _ = target;
    /// # }
    /// ```
    #[must_use]
    pub fn event_operation(mut self, kind: EventKind, operation_id: i64) -> Self {
        self.event_operations.insert(kind, operation_id);
        self
    }

    /// The custom field id a field was provisioned as (after preparation).
    ///
    /// ```no_run
    /// # fn f(target: relance::sync::SendethicTarget) {
    /// let revenue = target.field_id(&relance::customer::ProfileField::Revenue);
    /// # }
    /// ```
    #[must_use]
    pub fn field_id(&self, field: &ProfileField) -> Option<FieldId> {
        match self.slots.get(field) {
            Some(Slot::Custom(id)) => Some(*id),
            _ => None,
        }
    }

    /// Places the fields that go to standard fields; returns the others (custom fields).
    fn place_standard<'f>(&mut self, fields: &'f [ProfileField]) -> Vec<&'f ProfileField> {
        let mut custom = Vec::new();
        for field in fields {
            match Self::standard(field) {
                Some("phone") if self.mobile.is_some() => {
                    self.slots.insert(field.clone(), Slot::Standard("mobile"));
                }
                Some(id) => {
                    self.slots.insert(field.clone(), Slot::Standard(id));
                }
                None => custom.push(field),
            }
        }
        custom
    }

    /// The field spec of a custom field: tag, label, format, adoption, opt-in values.
    fn spec(&self, field: &ProfileField) -> FieldSpec {
        let mut spec = FieldSpec::new(
            self.naming.tag(field),
            self.naming.label(field),
            Self::format(field.kind()),
        );
        if let Some((tags, names)) = self.adopt.get(field) {
            spec = spec
                .adopt(tags.iter().cloned())
                .adopt_names(names.iter().cloned());
        }
        if field.kind() == FieldKind::OptIn {
            spec.values(["No", "Yes"])
        } else {
            spec
        }
    }

    fn standard(field: &ProfileField) -> Option<&'static str> {
        match field {
            ProfileField::Email => Some("email"),
            ProfileField::FirstName => Some("firstname"),
            ProfileField::LastName => Some("lastname"),
            ProfileField::Civility => Some("salutation"),
            ProfileField::Phone => Some("phone"),
            ProfileField::Postcode => Some("zipcode"),
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

    fn wire(&self, value: &SyncValue, slot: Option<&Slot>) -> Patch<String> {
        match value {
            SyncValue::Empty => Patch::Clear,
            SyncValue::Text(t) | SyncValue::Number(t) => Patch::Set(t.clone()),
            SyncValue::DateTime(d) => Patch::Set(d.format("%Y-%m-%d %H:%M:%S").to_string()),
            SyncValue::Date(d) => Patch::Set(format!("{} 00:00:00", d.format("%Y-%m-%d"))),
            SyncValue::OptIn(yes) => match slot.and_then(|s| self.optin_values(s)) {
                Some((y, n)) => Patch::Set(if *yes { y } else { n }.to_string()),
                None => Patch::Unset,
            },
        }
    }

    /// The `Yes` and `No` value ids of an opt-in field's slot.
    fn optin_values(&self, slot: &Slot) -> Option<(FieldValueId, FieldValueId)> {
        match slot {
            Slot::Custom(id) => self.optin.get(id).copied(),
            Slot::Standard(_) => None,
        }
    }

    /// The contact of a record, and why its phone was left out if it was.
    fn contact(&self, record: &SyncRecord) -> (Contact, Option<Error>) {
        let mut contact = Contact::new(record.email()).email(record.email());
        let mut warning = None;
        for (field, value) in record.values() {
            let slot = self.slots.get(field);
            let patch = self.wire(value, slot);
            match slot {
                Some(Slot::Standard("mobile")) => {
                    contact.mobile = match (self.mobile, patch) {
                        (Some(region), Patch::Set(raw)) => match region.e164(&raw) {
                            Ok(e164) => Patch::Set(e164),
                            Err(reason) => {
                                warning = Some(Error::invalid(
                                    format!("{}: phone", record.email()),
                                    format!("{reason}; the mobile is left as it was"),
                                ));
                                Patch::Unset
                            }
                        },
                        (_, other) => other,
                    };
                }
                Some(Slot::Standard("firstname")) => contact.first_name = patch,
                Some(Slot::Standard("lastname")) => contact.last_name = patch,
                Some(Slot::Standard("salutation")) => contact.salutation = patch,
                Some(Slot::Standard("phone")) => contact.phone = patch,
                Some(Slot::Standard("zipcode")) => contact.zip_code = patch,
                Some(Slot::Custom(id)) => {
                    if let (ProfileField::NewsletterOptIn, SyncValue::OptIn(yes), true) =
                        (field, value, self.emailoptin)
                    {
                        contact.email_optin = Patch::Set(crate::sendethic::OptIn::from(*yes));
                    }
                    contact.custom.insert(*id, patch);
                }
                _ => {}
            }
        }
        (contact, warning)
    }
}

impl SyncTarget for SendethicTarget {
    async fn prepare(&mut self, fields: &[ProfileField]) -> Result<()> {
        let custom = self.place_standard(fields);
        let specs = custom.iter().map(|field| self.spec(field));
        // One read of the field list for the whole run, creations verified by re-reading.
        let ensured = self.client.fields().ensure_all(specs).await?;
        let mut catalog = Vec::with_capacity(ensured.len());
        for (field, ensured) in custom.into_iter().zip(ensured) {
            if field.kind() == FieldKind::OptIn {
                let find = |label: &str| {
                    ensured
                        .values
                        .iter()
                        .find(|v| v.text == label)
                        .map(|v| v.id)
                };
                match (find("Yes"), find("No")) {
                    (Some(y), Some(n)) => {
                        self.optin.insert(ensured.field.id, (y, n));
                    }
                    _ => {
                        return Err(Error::invalid(
                            self.naming.tag(field),
                            "the opt-in field lacks its Yes/No values",
                        ));
                    }
                }
            }
            self.slots
                .insert(field.clone(), Slot::Custom(ensured.field.id));
            catalog.push((ensured.field, ensured.values));
        }
        // Values are checked against the fields' formats before anything is sent.
        let mut checks = FieldCatalog::new(catalog.iter().map(|(f, _)| f.clone()));
        for (field, values) in catalog {
            if field.format.is_selection() {
                checks = checks.with_values(field.id, values);
            }
        }
        self.catalog = Some(checks);
        Ok(())
    }

    async fn plan_fields(&mut self, fields: &[ProfileField]) -> Result<super::Provisioning> {
        let custom = self.place_standard(fields);
        let specs: Vec<FieldSpec> = custom.iter().map(|f| self.spec(f)).collect();
        let planned = self.client.fields().plan_all(specs.iter().cloned()).await?;
        let mut out = super::Provisioning::default();
        for ((field, spec), plan) in custom.into_iter().zip(&specs).zip(planned) {
            let found = match plan {
                FieldPlan::Exists(f) => f,
                FieldPlan::Adopt(f) => {
                    out.adopt_fields.push(format!(
                        "{} -> {} (id {}, tag {})",
                        spec.tag(),
                        f.name,
                        f.id,
                        f.tag().unwrap_or("none")
                    ));
                    f
                }
                _ => {
                    out.create_fields.push(spec.tag().to_owned());
                    continue;
                }
            };
            // Remembered (read only) so that segments can be planned on existing fields.
            if field.kind() == FieldKind::OptIn {
                let values = self.client.fields().values(found.id).await?;
                let find = |label: &str| values.iter().find(|v| v.text == label).map(|v| v.id);
                if let (Some(y), Some(n)) = (find("Yes"), find("No")) {
                    self.optin.insert(found.id, (y, n));
                }
            }
            self.slots.insert(field.clone(), Slot::Custom(found.id));
        }
        Ok(out)
    }

    async fn plan_segments(&self, segments: &[domain::SegmentSpec]) -> Result<super::Provisioning> {
        let mut out = super::Provisioning::default();
        let mut defs = Vec::new();
        for spec in segments {
            let placed = spec
                .conditions
                .iter()
                .all(|c| c.field == ProfileField::Email || self.slots.contains_key(&c.field));
            match self.segment(spec) {
                Ok(def) if placed => defs.push(def),
                // A field it tests does not exist yet: the segment cannot either.
                _ if !placed => out.create_segments.push(spec.tag.clone()),
                // A condition Sendethic cannot express: the run reports it, creates nothing.
                _ => {}
            }
        }
        for (def, plan) in defs.iter().zip(self.client.segments().plan(&defs).await?) {
            match plan {
                SegmentPlan::Create => out.create_segments.push(def.tag().to_owned()),
                SegmentPlan::Update(_) => out.update_segments.push(def.tag().to_owned()),
                _ => {}
            }
        }
        Ok(out)
    }

    fn scope(&self) -> Result<Scope> {
        Scope::new("sendethic", self.client.account_id())
    }

    fn push<'a>(&'a self, records: BoxStream<'a, SyncRecord>) -> BoxStream<'a, BulkEvent> {
        let warned = Arc::new(Mutex::new(Vec::new()));
        let contacts = {
            let warned = warned.clone();
            records.enumerate().map(move |(index, record)| {
                let (contact, warning) = self.contact(&record);
                if let Some(error) = warning {
                    let event = BulkEvent::Warned {
                        index,
                        key: record.email().to_owned(),
                        error,
                    };
                    warned
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(event);
                }
                contact
            })
        };
        let bulk = self
            .client
            .contacts()
            .upsert_stream(contacts)
            .options(self.options);
        let bulk = match &self.catalog {
            Some(catalog) => bulk.catalog(catalog.clone()),
            None => bulk,
        };
        with_side_events(bulk.events(), warned)
    }

    async fn erase(&self, email: &str) -> Result<Erased> {
        // A DELETE by key removes the same contact however often it is sent; a contact the
        // service does not have is a 404.
        match self.client.contacts().delete(email).idempotent(true).await {
            Ok(_) => Ok(Erased::Deleted),
            Err(e) if e.status() == Some(404) => Ok(Erased::Absent),
            Err(e) => Err(e),
        }
    }

    async fn subscribe(&self, record: &SyncRecord) -> Result<super::Subscribed> {
        let (mut contact, _) = self.contact(record);
        contact.email_optin = Patch::Set(crate::sendethic::OptIn::True);
        if let Some(source) = &self.sign_up_source {
            contact.source = Patch::Set(source.clone());
        }
        if let Some(catalog) = &self.catalog {
            crate::sendethic::validate(&contact, Some(catalog))?;
        }
        // An upsert by key: the same contact however often it is sent.
        let answer = self
            .client
            .contacts()
            .upsert(contact)
            .idempotent(true)
            .await?;
        match answer.affected() {
            Some(0) => Err(Error::Protocol(
                format!(
                    "the sign-up of {} was answered `{}`: not written",
                    record.email(),
                    answer.text()
                )
                .into(),
            )),
            _ => Ok(super::Subscribed::Subscribed),
        }
    }

    async fn consent_changes(
        &self,
        since: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<Vec<super::ConsentChange>> {
        let wait = crate::JobWait::new(std::time::Duration::from_secs(900));
        let export = |name: &str, date: &str, filter| {
            crate::sendethic::ContactExport::new(name)
                .fields(["email", "emailoptin", date])
                .filter(filter)
        };
        let mut out = Vec::new();
        // Opt-outs: dated by the unsubscription instant Sendethic records when a contact
        // unsubscribes there (an opt-out without it was written, by this sync say, not
        // made there). Opt-ins: the contacts opted in, dated by their last modification
        // (Sendethic dates no re-subscription as such: the instant is the contact's last
        // change, an approximation).
        for (subscribed, date, filter) in [
            (
                false,
                "emailunsubscriptiondate",
                crate::sendethic::ExportFilter::EmailOptOut,
            ),
            (
                true,
                "modificationdate",
                crate::sendethic::ExportFilter::EmailOptIn,
            ),
        ] {
            let rows = self
                .client
                .exports()
                .records(export("relance consent changes", date, filter), wait)
                .await?;
            for row in rows {
                let row = row?;
                let Some(email) = row.email().filter(|e| !e.trim().is_empty()) else {
                    continue;
                };
                let Some(at) = row
                    .non_empty(date)
                    .and_then(|d| crate::sendethic::Timestamp::parse(d).datetime())
                else {
                    continue;
                };
                if since.is_some_and(|since| at <= since) {
                    continue;
                }
                out.push(super::ConsentChange::new(email, subscribed, Some(at)));
            }
        }
        Ok(out)
    }

    async fn deliver_event(&self, event: &LifecycleEvent) -> Result<super::EventDelivery> {
        let Some(&operation) = self.event_operations.get(&event.kind) else {
            return Ok(super::EventDelivery::Unmapped);
        };
        let entry =
            crate::sendethic::NewContactLog::new(event.key(), event.at).operation_id(operation);
        self.client
            .contacts()
            .add_history(&event.email, [entry])
            .await?;
        Ok(super::EventDelivery::Delivered)
    }

    async fn event_landed(&self, event: &LifecycleEvent) -> Result<Option<bool>> {
        // The entry's title is the event's key: read the contact's recent history.
        let key = event.key();
        let history = self.client.contacts().history(&event.email, 100).await?;
        Ok(Some(history.logs.iter().any(|l| {
            l.title.as_deref() == Some(key.as_str()) || l.object.as_deref() == Some(key.as_str())
        })))
    }

    async fn unsubscribe(&self, email: &str) -> Result<()> {
        // An update by key (never a creation) setting `emailoptin` to `no`: the same
        // contact state however often it is sent; 0 contacts affected means the service
        // does not have the contact, which is as unsubscribed as it gets.
        let contact = Contact::new(email).email_optin(crate::sendethic::OptIn::No);
        self.client
            .contacts()
            .update(contact)
            .idempotent(true)
            .await
            .map(|_| ())
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
                    .map(|e| (super::SegmentRef::Sendethic(e.segment.id), e.created)),
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
