//! Contacts: single (`/contact/...`), bulk (`/contacts/attribute`) and history.
//!
//! # Wire choices
//! - A [`Contact`] is written as `ContactData`: `{"id", "contactKey", "attributes": [{"id",
//!   "fieldValue"}]}`. Standard fields use their standard ids (`"email"`, `"firstname"`, ...);
//!   custom fields use their numeric id **as a string** (`"26"`), the documented type of
//!   `ContactAttribute.id`. `fieldName` is informational for the server and is not sent.
//! - [`Patch::Unset`] attributes are omitted; [`Patch::Clear`] is sent as `"fieldValue": ""`
//!   (the server ignores nulls, so clearing has to be an explicit empty value).
//! - Status dates are sent as `yyyy-MM-dd HH:mm:ss+0000`; use
//!   [`Contact::custom_datetime`] for custom `DateTime` fields (`yyyy-MM-dd HH:mm:ss`, UTC).
//!
//! # Validation
//! Everything is checked before anything is sent (see [`validate`]): the key is non-empty and
//! not `.`/`..`; `email` has a pragmatic syntax (at most 254 characters, exactly one `@`, a
//! non-empty local part, a domain with a dot and no empty label, no whitespace or control
//! character); `mobile` is E.164 (`+` then 8 to 15 digits, the first one 1–9, no spaces);
//! opt-ins are values whose meaning is known; status dates parse. With a [`FieldCatalog`]
//! custom values are also checked against their field's format: `Number` is a decimal with
//! `.`, `DateTime` parses, selections are existing value ids (comma-separated for
//! `MultipleSelection`), and unknown field ids are refused.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::stream::{self, Stream, StreamExt};
use reqwest::Method;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::criteria::{FieldRef, is_decimal};
use super::fields::{ContactField, FieldFormat, FieldValue};
use super::types::{
    ContactId, FieldId, FieldValueId, Patch, ServerMessage, Timestamp, format_plain,
    format_with_offset,
};
use super::{Client, Request};
use crate::error::{Error, Result};
use crate::http::{RawResponse, RequestOptions, RetryPolicy, Safety};

/// The most contacts Sendethic accepts in one bulk call.
pub const MAX_BULK_CHUNK: usize = 500;
/// The most history entries one read returns.
pub const MAX_HISTORY_SIZE: u32 = 500;

/// A consent value (`emailoptin`, `mobileoptin`, `emailoptinpartners`, `mobileoptinpartners`).
///
/// The documented wire strings `"true"`, `"yes1"`, `"no"` (and `"false"`) have their own
/// variants and round-trip exactly; anything else is kept verbatim in [`OptIn::Unknown`].
/// [`is_opted_in`](Self::is_opted_in) reads `true|yes|yes1|1` as yes and `false|no|0|""` as
/// no (case-insensitive). Server-sent: match on [`as_str`](Self::as_str) or keep a wildcard.
///
/// ```
/// use relance::sendethic::OptIn;
/// assert_eq!(OptIn::parse("yes1"), OptIn::Yes1);
/// assert_eq!(OptIn::parse("1").is_opted_in(), Some(true));
/// assert_eq!(OptIn::parse("").is_opted_in(), Some(false));
/// assert_eq!(OptIn::parse("maybe").is_opted_in(), None);
/// assert_eq!(OptIn::parse("YES").as_str(), "YES");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OptIn {
    /// `"true"` (what the `WordPress` widget sends).
    True,
    /// `"yes1"` (what the Magento extension sends).
    Yes1,
    /// `"no"`.
    No,
    /// `"false"`.
    False,
    /// Any other value, verbatim.
    Unknown(String),
}

impl OptIn {
    /// Reads a wire value; exact documented strings get their variant.
    ///
    /// ```
    /// assert_eq!(relance::sendethic::OptIn::parse("true"), relance::sendethic::OptIn::True);
    /// ```
    #[must_use]
    pub fn parse(raw: &str) -> Self {
        match raw {
            "true" => Self::True,
            "yes1" => Self::Yes1,
            "no" => Self::No,
            "false" => Self::False,
            other => Self::Unknown(other.to_owned()),
        }
    }

    /// The wire value.
    ///
    /// ```
    /// assert_eq!(relance::sendethic::OptIn::Yes1.as_str(), "yes1");
    /// ```
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::True => "true",
            Self::Yes1 => "yes1",
            Self::No => "no",
            Self::False => "false",
            Self::Unknown(s) => s,
        }
    }

    /// Whether this means "opted in": `Some(true)` for `true|yes|yes1|1`, `Some(false)` for
    /// `false|no|0|""`, `None` for anything else.
    ///
    /// ```
    /// assert_eq!(relance::sendethic::OptIn::No.is_opted_in(), Some(false));
    /// ```
    #[must_use]
    pub fn is_opted_in(&self) -> Option<bool> {
        match self.as_str().trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "yes1" | "1" => Some(true),
            "false" | "no" | "0" | "" => Some(false),
            _ => None,
        }
    }
}

impl From<bool> for OptIn {
    /// `true` → `"true"`, `false` → `"no"`.
    fn from(v: bool) -> Self {
        if v { Self::True } else { Self::No }
    }
}

impl fmt::Display for OptIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a typed member is written and read as an attribute value.
trait WireValue: Sized {
    fn to_wire(&self) -> String;
    fn from_wire(raw: String) -> Self;
}

impl WireValue for String {
    fn to_wire(&self) -> String {
        self.clone()
    }
    fn from_wire(raw: String) -> Self {
        raw
    }
}

impl WireValue for OptIn {
    fn to_wire(&self) -> String {
        self.as_str().to_owned()
    }
    fn from_wire(raw: String) -> Self {
        Self::parse(&raw)
    }
}

impl WireValue for Timestamp {
    fn to_wire(&self) -> String {
        self.datetime()
            .map_or_else(|| self.as_str().to_owned(), format_with_offset)
    }
    fn from_wire(raw: String) -> Self {
        Self::parse(raw)
    }
}

fn patch_to_wire<T: WireValue>(p: &Patch<T>) -> Option<String> {
    match p {
        Patch::Unset => None,
        Patch::Clear => Some(String::new()),
        Patch::Set(v) => Some(v.to_wire()),
    }
}

fn patch_from_wire<T: WireValue>(raw: String) -> Patch<T> {
    if raw.is_empty() {
        Patch::Clear
    } else {
        Patch::Set(T::from_wire(raw))
    }
}

macro_rules! contact_struct {
    ($( $(#[$doc:meta])* $name:ident : $ty:ty = $wire:literal, $ex:literal; )*) => {
        /// A contact: its key, standard fields as typed members, custom fields by
        /// [`FieldId`].
        ///
        /// Every member is a [`Patch`]: when writing, `Unset` leaves the stored value alone,
        /// `Clear` empties it, `Set` writes it. When reading, absent attributes are `Unset`
        /// and empty ones `Clear`. Build one with [`Contact::new`] and the setters, or set the
        /// public members directly.
        ///
        /// ```
        /// use relance::sendethic::{Contact, FieldId, OptIn, Patch};
        /// let mut c = Contact::new("ann@example.com")
        ///     .email("ann@example.com")
        ///     .first_name("Ann")
        ///     .email_optin(OptIn::True)
        ///     .custom(FieldId(26), "129.90");
        /// c.last_name = Patch::Clear; // sent as an empty value
        /// # let _ = c;
        /// ```
        #[derive(Debug, Clone, PartialEq, Eq, Default)]
        #[non_exhaustive]
        pub struct Contact {
            /// The contact id (`ContactData.id`): assigned by Sendethic, `None` for a new
            /// contact. [`ContactsHandler::update`] uses it instead of the key when set.
            pub id: Option<ContactId>,
            /// The unicity key (`contactKey`), normally the email address.
            pub key: String,
            $( $(#[$doc])* pub $name: Patch<$ty>, )*
            /// Custom fields by id (sent as string ids, `"26"`). Values are strings formatted
            /// per the field's format (see [`FieldCatalog`]).
            pub custom: BTreeMap<FieldId, Patch<String>>,
            /// Other attributes by wire id: standard ids this version does not type
            /// (`creationdate`, `remoteip`, ...), read back or written verbatim.
            pub other: BTreeMap<String, Patch<String>>,
        }

        impl Contact {
            $(
                #[doc = concat!("Sets `", $wire, "`.")]
                ///
                /// ```
                #[doc = concat!("let c = relance::sendethic::Contact::new(\"a@b.fr\").", stringify!($name), "(", $ex, ");")]
                /// # let _ = c;
                /// ```
                #[must_use]
                pub fn $name(mut self, value: impl Into<$ty>) -> Self {
                    self.$name = Patch::Set(value.into());
                    self
                }
            )*

            fn standard_attributes(&self, out: &mut Vec<WireAttribute>) {
                $(
                    if let Some(v) = patch_to_wire(&self.$name) {
                        out.push(WireAttribute { id: $wire.to_owned(), value: v });
                    }
                )*
            }

            /// The wire value of a standard field: `None` when the id is not a typed
            /// standard field, `Some(None)` when unset.
            fn standard_value(&self, id: &str) -> Option<Option<String>> {
                match id {
                    $( $wire => Some(patch_to_wire(&self.$name)), )*
                    _ => None,
                }
            }

            fn set_standard(&mut self, id: &str, raw: String) -> bool {
                match id {
                    $( $wire => { self.$name = patch_from_wire(raw); true } )*
                    _ => false,
                }
            }
        }
    };
}

contact_struct! {
    /// Salutation (`salutation`).
    salutation: String = "salutation", "\"x\"";
    /// First name (`firstname`).
    first_name: String = "firstname", "\"x\"";
    /// Last name (`lastname`).
    last_name: String = "lastname", "\"x\"";
    /// Company (`companyname`).
    company_name: String = "companyname", "\"x\"";
    /// Job title (`jobtitle`).
    job_title: String = "jobtitle", "\"x\"";
    /// Email address (`email`); validated before sending.
    email: String = "email", "\"x\"";
    /// Mobile number in E.164 (`mobile`, e.g. `+33612340001`); validated before sending.
    mobile: String = "mobile", "\"x\"";
    /// Phone (`phone`).
    phone: String = "phone", "\"x\"";
    /// Fax (`fax`).
    fax: String = "fax", "\"x\"";
    /// Address line 1 (`address1`).
    address1: String = "address1", "\"x\"";
    /// Address line 2 (`address2`).
    address2: String = "address2", "\"x\"";
    /// Postal code (`zipcode`).
    zip_code: String = "zipcode", "\"x\"";
    /// City (`city`).
    city: String = "city", "\"x\"";
    /// Country (`country`).
    country: String = "country", "\"x\"";
    /// Contact type (`type`).
    contact_type: String = "type", "\"x\"";
    /// Activity (`activity`).
    activity: String = "activity", "\"x\"";
    /// Comments (`comments`).
    comments: String = "comments", "\"x\"";
    /// Source (`source`).
    source: String = "source", "\"x\"";
    /// Activity rank (`activityrank`).
    activity_rank: String = "activityrank", "\"x\"";
    /// Influence rank (`influencerank`).
    influence_rank: String = "influencerank", "\"x\"";
    /// Email unsubscription reason (`emailunsubscriptionreason`).
    email_unsubscription_reason: String = "emailunsubscriptionreason", "\"x\"";
    /// Email status (`emailstatus`; open value set, e.g. `Soft`).
    email_status: String = "emailstatus", "\"x\"";
    /// Email status detail (`emailstatusdetail`).
    email_status_detail: String = "emailstatusdetail", "\"x\"";
    /// Email capping (`emailcapping`).
    email_capping: String = "emailcapping", "\"x\"";
    /// Mobile unsubscription reason (`mobileunsubscriptionreason`).
    mobile_unsubscription_reason: String = "mobileunsubscriptionreason", "\"x\"";
    /// Mobile status (`mobilestatus`).
    mobile_status: String = "mobilestatus", "\"x\"";
    /// Mobile status detail (`mobilestatusdetail`).
    mobile_status_detail: String = "mobilestatusdetail", "\"x\"";
    /// Mobile capping (`mobilecapping`).
    mobile_capping: String = "mobilecapping", "\"x\"";
    /// Email consent (`emailoptin`).
    email_optin: OptIn = "emailoptin", "relance::sendethic::OptIn::True";
    /// SMS consent (`mobileoptin`).
    mobile_optin: OptIn = "mobileoptin", "relance::sendethic::OptIn::True";
    /// Partners email consent (`emailoptinpartners`).
    email_optin_partners: OptIn = "emailoptinpartners", "relance::sendethic::OptIn::True";
    /// Partners SMS consent (`mobileoptinpartners`).
    mobile_optin_partners: OptIn = "mobileoptinpartners", "relance::sendethic::OptIn::True";
    /// Email unsubscription date (`emailunsubscriptiondate`, sent as `yyyy-MM-dd HH:mm:ss+0000`).
    email_unsubscription_date: Timestamp = "emailunsubscriptiondate", "relance::sendethic::Timestamp::parse(\"2024-05-01 10:00:00+0000\")";
    /// Email status date (`emailstatusdate`, sent as `yyyy-MM-dd HH:mm:ss+0000`).
    email_status_date: Timestamp = "emailstatusdate", "relance::sendethic::Timestamp::parse(\"2024-05-01 10:00:00+0000\")";
    /// Mobile unsubscription date (`mobileunsubscriptiondate`, sent as `yyyy-MM-dd HH:mm:ss+0000`).
    mobile_unsubscription_date: Timestamp = "mobileunsubscriptiondate", "relance::sendethic::Timestamp::parse(\"2024-05-01 10:00:00+0000\")";
    /// Mobile status date (`mobilestatusdate`, sent as `yyyy-MM-dd HH:mm:ss+0000`).
    mobile_status_date: Timestamp = "mobilestatusdate", "relance::sendethic::Timestamp::parse(\"2024-05-01 10:00:00+0000\")";
}

impl Contact {
    /// A contact identified by its unicity key (normally the email address), with every
    /// field [`Patch::Unset`].
    ///
    /// ```
    /// let c = relance::sendethic::Contact::new("ann@example.com");
    /// assert_eq!(c.key, "ann@example.com");
    /// ```
    #[must_use]
    pub fn new(key: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            ..Self::default()
        }
    }

    /// Sets the contact id (then [`ContactsHandler::update`] selects the contact by id).
    ///
    /// ```
    /// let c = relance::sendethic::Contact::new("a@b.fr").with_id(relance::sendethic::ContactId(9));
    /// # let _ = c;
    /// ```
    #[must_use]
    pub fn with_id(mut self, id: ContactId) -> Self {
        self.id = Some(id);
        self
    }

    /// Sets a custom field to a value formatted per its format (decimal with `.` for
    /// `Number`, value ids for selections, ...).
    ///
    /// ```
    /// let c = relance::sendethic::Contact::new("a@b.fr").custom(relance::sendethic::FieldId(26), "12.5");
    /// # let _ = c;
    /// ```
    #[must_use]
    pub fn custom(mut self, field: FieldId, value: impl Into<String>) -> Self {
        self.custom.insert(field, Patch::Set(value.into()));
        self
    }

    /// Sets a custom `DateTime` field, written as `yyyy-MM-dd HH:mm:ss` in UTC.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// let at = Utc.with_ymd_and_hms(2024, 5, 1, 10, 0, 0).unwrap();
    /// let c = relance::sendethic::Contact::new("a@b.fr").custom_datetime(relance::sendethic::FieldId(27), at);
    /// assert_eq!(c.custom_value(relance::sendethic::FieldId(27)), Some("2024-05-01 10:00:00"));
    /// ```
    #[must_use]
    pub fn custom_datetime(self, field: FieldId, at: DateTime<Utc>) -> Self {
        self.custom(field, format_plain(at))
    }

    /// Sets a selection field to value ids (one for `SingleSelection`, comma-separated for
    /// `MultipleSelection`).
    ///
    /// ```
    /// use relance::sendethic::{Contact, FieldId, FieldValueId};
    /// let c = Contact::new("a@b.fr").custom_selection(FieldId(30), [FieldValueId(53), FieldValueId(54)]);
    /// assert_eq!(c.custom_value(FieldId(30)), Some("53,54"));
    /// ```
    #[must_use]
    pub fn custom_selection(
        self,
        field: FieldId,
        values: impl IntoIterator<Item = FieldValueId>,
    ) -> Self {
        let joined = values
            .into_iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join(",");
        self.custom(field, joined)
    }

    /// Clears a custom field (sends an empty value).
    ///
    /// ```
    /// let c = relance::sendethic::Contact::new("a@b.fr").clear_custom(relance::sendethic::FieldId(26));
    /// # let _ = c;
    /// ```
    #[must_use]
    pub fn clear_custom(mut self, field: FieldId) -> Self {
        self.custom.insert(field, Patch::Clear);
        self
    }

    /// A custom field's value, when set.
    ///
    /// ```
    /// let c = relance::sendethic::Contact::new("a@b.fr");
    /// assert_eq!(c.custom_value(relance::sendethic::FieldId(26)), None);
    /// ```
    #[must_use]
    pub fn custom_value(&self, field: FieldId) -> Option<&str> {
        self.custom
            .get(&field)
            .and_then(Patch::value)
            .map(String::as_str)
    }

    /// The attributes as written on the wire, in a stable order: standard fields, other
    /// attributes, then custom fields by id.
    fn wire_attributes(&self) -> Vec<WireAttribute> {
        let mut out = Vec::new();
        self.standard_attributes(&mut out);
        for (id, p) in &self.other {
            if let Some(v) = patch_to_wire(p) {
                out.push(WireAttribute {
                    id: id.clone(),
                    value: v,
                });
            }
        }
        for (id, p) in &self.custom {
            if let Some(v) = patch_to_wire(p) {
                out.push(WireAttribute {
                    id: id.to_string(),
                    value: v,
                });
            }
        }
        out
    }

    fn to_wire(&self) -> WireContact {
        WireContact {
            id: self.id.map_or(0, ContactId::get),
            key: self.key.trim().to_owned(),
            attributes: self.wire_attributes(),
        }
    }

    /// The value written on the wire for an attribute id (`email`, `remoteip`, `"26"`):
    /// `Some("")` when cleared, `None` when unset. `key` reads the contact key.
    pub(crate) fn wire_value(&self, id: &str) -> Option<String> {
        if let Some(v) = self.standard_value(id) {
            return v;
        }
        match FieldRef::parse(id) {
            FieldRef::Custom(field) => self.custom.get(&field).and_then(patch_to_wire),
            FieldRef::Standard(name) => self.other.get(&name).and_then(patch_to_wire),
        }
    }

    /// Sets one attribute from its wire id and value.
    pub(crate) fn set_wire(&mut self, id: &str, raw: String) {
        if self.set_standard(id, raw.clone()) {
            return;
        }
        match FieldRef::parse(id) {
            FieldRef::Custom(field) => {
                self.custom.insert(field, patch_from_wire(raw));
            }
            FieldRef::Standard(name) => {
                self.other.insert(name, patch_from_wire(raw));
            }
        }
    }
}

/// `ContactAttribute` as sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct WireAttribute {
    id: String,
    #[serde(rename = "fieldValue")]
    value: String,
}

/// `ContactData` as sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct WireContact {
    id: i64,
    #[serde(rename = "contactKey")]
    key: String,
    attributes: Vec<WireAttribute>,
}

#[derive(Deserialize)]
struct ReadAttribute {
    #[serde(default, deserialize_with = "crate::wire::lenient::opt_string")]
    id: Option<String>,
    #[serde(
        default,
        rename = "fieldName",
        deserialize_with = "crate::wire::lenient::opt_string"
    )]
    field_name: Option<String>,
    #[serde(
        default,
        rename = "fieldValue",
        deserialize_with = "crate::wire::lenient::opt_string"
    )]
    field_value: Option<String>,
}

#[derive(Deserialize)]
struct ReadContact {
    #[serde(default, deserialize_with = "crate::wire::lenient::int")]
    id: i64,
    #[serde(
        default,
        rename = "contactKey",
        deserialize_with = "crate::wire::lenient::opt_string"
    )]
    key: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    attributes: Vec<Option<ReadAttribute>>,
}

pub(crate) fn null_default<'de, D, T>(d: D) -> std::result::Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

impl<'de> Deserialize<'de> for Contact {
    /// Decodes a `ContactData`: unknown properties are ignored, ids may be strings,
    /// `null` values are skipped.
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let r = ReadContact::deserialize(d)?;
        let mut c = Contact::new(r.key.unwrap_or_default());
        c.id = (r.id != 0).then_some(ContactId(r.id));
        for a in r.attributes.into_iter().flatten() {
            let Some(id) = a.id.or(a.field_name).filter(|s| !s.trim().is_empty()) else {
                continue;
            };
            if let Some(v) = a.field_value {
                c.set_wire(id.trim(), v);
            }
        }
        Ok(c)
    }
}

impl Serialize for Contact {
    /// Encodes the `ContactData` this crate sends.
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.to_wire().serialize(s)
    }
}

/// Known custom fields, to check custom values against their format before sending.
///
/// ```no_run
/// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
/// let catalog = relance::sendethic::FieldCatalog::load(&client).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldCatalog {
    fields: BTreeMap<FieldId, (FieldFormat, Option<BTreeSet<FieldValueId>>)>,
}

impl FieldCatalog {
    /// A catalog of these fields (selection values unknown, so not checked).
    ///
    /// ```
    /// let catalog = relance::sendethic::FieldCatalog::new(Vec::new());
    /// # let _ = catalog;
    /// ```
    #[must_use]
    pub fn new(fields: impl IntoIterator<Item = ContactField>) -> Self {
        Self {
            fields: fields
                .into_iter()
                .map(|f| (f.id, (f.format, None)))
                .collect(),
        }
    }

    /// Records the values of a selection field; its values are then checked.
    ///
    /// ```
    /// let catalog = relance::sendethic::FieldCatalog::new(Vec::new())
    ///     .with_values(relance::sendethic::FieldId(30), Vec::new());
    /// # let _ = catalog;
    /// ```
    #[must_use]
    pub fn with_values(
        mut self,
        field: FieldId,
        values: impl IntoIterator<Item = FieldValue>,
    ) -> Self {
        let ids = values.into_iter().map(|v| v.id).collect();
        if let Some(entry) = self.fields.get_mut(&field) {
            entry.1 = Some(ids);
        }
        self
    }

    /// Loads every field, and the values of every selection field, from the account.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let catalog = relance::sendethic::FieldCatalog::load(&client).await?;
    /// # Ok(()) }
    /// ```
    pub async fn load(client: &Client) -> Result<Self> {
        let fields = client.fields().list().await?;
        let selections: Vec<FieldId> = fields
            .iter()
            .filter(|f| f.format.is_selection())
            .map(|f| f.id)
            .collect();
        let mut catalog = Self::new(fields);
        for id in selections {
            let values = client.fields().values(id).await?;
            catalog = catalog.with_values(id, values);
        }
        Ok(catalog)
    }

    /// The format of a known field.
    ///
    /// ```
    /// let catalog = relance::sendethic::FieldCatalog::new(Vec::new());
    /// assert!(catalog.format(relance::sendethic::FieldId(1)).is_none());
    /// ```
    #[must_use]
    pub fn format(&self, field: FieldId) -> Option<&FieldFormat> {
        self.fields.get(&field).map(|(f, _)| f)
    }

    fn check(&self, field: FieldId, value: &str) -> std::result::Result<(), String> {
        let Some((format, values)) = self.fields.get(&field) else {
            return Err(format!("unknown custom field {field}"));
        };
        let selection_ok = |raw: &str| -> std::result::Result<(), String> {
            let id: i64 = raw
                .trim()
                .parse()
                .map_err(|_| format!("field {field}: `{raw}` is not a selection value id"))?;
            match values {
                Some(known) if !known.contains(&FieldValueId(id)) => {
                    Err(format!("field {field}: value id {id} does not exist"))
                }
                _ => Ok(()),
            }
        };
        match format {
            FieldFormat::Number if !is_decimal(value.trim()) => Err(format!(
                "field {field} is a Number: `{value}` is not a decimal with `.`"
            )),
            FieldFormat::DateTime if Timestamp::parse(value).datetime().is_none() => Err(format!(
                "field {field} is a DateTime: `{value}` is not yyyy-MM-dd HH:mm:ss"
            )),
            FieldFormat::SingleSelection => selection_ok(value),
            FieldFormat::MultipleSelection => value.split(',').try_for_each(selection_ok),
            _ => Ok(()),
        }
    }
}

impl From<&[ContactField]> for FieldCatalog {
    fn from(fields: &[ContactField]) -> Self {
        Self::new(fields.iter().cloned())
    }
}

/// Checks an email address (pragmatic syntax, see the module docs).
pub(crate) fn check_email(v: &str) -> std::result::Result<(), &'static str> {
    if v.len() > 254 {
        return Err("email is longer than 254 characters");
    }
    if v.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("email contains whitespace or control characters");
    }
    let mut parts = v.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err("email must contain exactly one `@`");
    };
    if local.is_empty() {
        return Err("email has an empty local part");
    }
    if !domain.contains('.') || domain.split('.').any(str::is_empty) {
        return Err("email domain must contain a dot and no empty label");
    }
    Ok(())
}

/// Checks an E.164 number: `+`, then 8 to 15 digits, the first one 1–9.
pub(crate) fn check_mobile(v: &str) -> std::result::Result<(), &'static str> {
    let digits = v
        .strip_prefix('+')
        .ok_or("mobile must start with `+` (E.164)")?;
    if !(8..=15).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("mobile must be `+` then 8 to 15 digits (E.164)");
    }
    if digits.starts_with('0') {
        return Err("mobile country code cannot start with 0 (E.164)");
    }
    Ok(())
}

fn check_key(key: &str) -> std::result::Result<(), &'static str> {
    let k = key.trim();
    if k.is_empty() {
        return Err("the contact key is empty");
    }
    if k == "." || k == ".." {
        return Err("the contact key cannot be `.` or `..`");
    }
    if k.chars().any(char::is_control) {
        return Err("the contact key contains control characters");
    }
    Ok(())
}

/// Validates a contact before sending; the error names the contact (its key) and says why.
///
/// `catalog`, when given, checks custom values against their field's format. See the module
/// docs for the rules.
///
/// ```
/// use relance::sendethic::{Contact, validate};
/// assert!(validate(&Contact::new("a@b.fr").email("a@b.fr"), None).is_ok());
/// let err = validate(&Contact::new("a@b.fr").mobile("0612"), None).unwrap_err();
/// assert!(err.to_string().contains("a@b.fr"));
/// ```
pub fn validate(contact: &Contact, catalog: Option<&FieldCatalog>) -> Result<()> {
    let item = if contact.key.trim().is_empty() {
        contact
            .id
            .map_or_else(|| "<no key>".to_owned(), |id| format!("contact id {id}"))
    } else {
        contact.key.trim().to_owned()
    };
    let fail = |reason: String| Err(Error::invalid(item.clone(), reason));
    if let Err(e) = check_key(&contact.key) {
        return fail(e.to_owned());
    }
    if let Some(email) = contact.email.value()
        && let Err(e) = check_email(email)
    {
        return fail(format!("{e} (`{email}`)"));
    }
    if let Some(mobile) = contact.mobile.value()
        && let Err(e) = check_mobile(mobile)
    {
        return fail(format!("{e} (`{mobile}`)"));
    }
    for (name, optin) in [
        ("emailoptin", &contact.email_optin),
        ("mobileoptin", &contact.mobile_optin),
        ("emailoptinpartners", &contact.email_optin_partners),
        ("mobileoptinpartners", &contact.mobile_optin_partners),
    ] {
        if let Some(v) = optin.value()
            && v.is_opted_in().is_none()
        {
            return fail(format!("{name}: `{v}` is not a known consent value"));
        }
    }
    for (name, date) in [
        (
            "emailunsubscriptiondate",
            &contact.email_unsubscription_date,
        ),
        ("emailstatusdate", &contact.email_status_date),
        (
            "mobileunsubscriptiondate",
            &contact.mobile_unsubscription_date,
        ),
        ("mobilestatusdate", &contact.mobile_status_date),
    ] {
        if let Some(v) = date.value()
            && v.datetime().is_none()
        {
            return fail(format!("{name}: `{v}` is not a date"));
        }
    }
    if let Some(catalog) = catalog {
        for (field, p) in &contact.custom {
            if let Some(v) = p.value()
                && let Err(e) = catalog.check(*field, v)
            {
                return fail(e);
            }
        }
    }
    Ok(())
}

/// A contact's activity timeline (`ContactHistory`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ContactHistory {
    /// The contact key.
    #[serde(default, deserialize_with = "crate::wire::lenient::opt_string")]
    pub contact_key: Option<String>,
    /// Whether the contact was found (`contactFound`, an int).
    #[serde(default, deserialize_with = "crate::wire::lenient::int")]
    pub contact_found: i64,
    /// Number of records (`records`).
    #[serde(default, deserialize_with = "crate::wire::lenient::int")]
    pub records: i64,
    /// The entries, most recent first.
    #[serde(default, deserialize_with = "null_default")]
    pub logs: Vec<ContactLog>,
}

/// One history entry (`ContactLog`, Pascal case on the wire). `Type` and `Group` have
/// undocumented value sets and are kept as strings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ContactLog {
    /// Entry id.
    #[serde(default, deserialize_with = "crate::wire::lenient::int")]
    pub id: i64,
    /// Entry type (open value set).
    #[serde(default, deserialize_with = "crate::wire::lenient::opt_string")]
    pub r#type: Option<String>,
    /// Object.
    #[serde(default, deserialize_with = "crate::wire::lenient::opt_string")]
    pub object: Option<String>,
    /// Title.
    #[serde(default, deserialize_with = "crate::wire::lenient::opt_string")]
    pub title: Option<String>,
    /// Date (format undocumented; parsed leniently).
    #[serde(default)]
    pub date: Option<Timestamp>,
    /// Group (open value set).
    #[serde(default, deserialize_with = "crate::wire::lenient::opt_string")]
    pub group: Option<String>,
    /// Operation id (important for triggers).
    #[serde(default, deserialize_with = "crate::wire::lenient::int")]
    pub operation_id: i64,
    /// Log date (`yyyy-MM-dd HH:mm:ss+0000`).
    #[serde(default)]
    pub log_date: Option<Timestamp>,
}

/// A history entry to add: the server uses only `Title`, `OperationId` and `LogDate`.
///
/// ```
/// use chrono::Utc;
/// let log = relance::sendethic::NewContactLog::new("Order #1001 shipped", Utc::now()).operation_id(42);
/// # let _ = log;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewContactLog {
    title: String,
    operation_id: Option<i64>,
    at: DateTime<Utc>,
}

impl NewContactLog {
    /// An entry with a title, dated `at` (sent as `yyyy-MM-dd HH:mm:ss+0000`).
    ///
    /// ```
    /// let log = relance::sendethic::NewContactLog::new("Visited", chrono::Utc::now());
    /// # let _ = log;
    /// ```
    #[must_use]
    pub fn new(title: impl Into<String>, at: DateTime<Utc>) -> Self {
        Self {
            title: title.into(),
            operation_id: None,
            at,
        }
    }

    /// The operation the entry belongs to (used by triggers).
    ///
    /// ```
    /// let log = relance::sendethic::NewContactLog::new("Visited", chrono::Utc::now()).operation_id(7);
    /// # let _ = log;
    /// ```
    #[must_use]
    pub fn operation_id(mut self, id: i64) -> Self {
        self.operation_id = Some(id);
        self
    }
}

#[derive(Serialize)]
struct WireLog {
    #[serde(rename = "Title")]
    title: String,
    #[serde(rename = "OperationId", skip_serializing_if = "Option::is_none")]
    operation_id: Option<i64>,
    #[serde(rename = "LogDate")]
    log_date: String,
}

#[derive(Serialize)]
struct WireHistory {
    #[serde(rename = "contactKey")]
    key: String,
    logs: Vec<WireLog>,
}

/// Handler for contacts. Created by [`Client::contacts`].
#[derive(Debug, Clone)]
pub struct ContactsHandler {
    client: Client,
}

fn decode_first(r: &RawResponse) -> Result<Option<Contact>> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        Many(Vec<Contact>),
        One(Box<Contact>),
    }
    if r.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let v: Option<OneOrMany> = r.json()?;
    Ok(match v {
        None => None,
        Some(OneOrMany::Many(list)) => list.into_iter().next(),
        Some(OneOrMany::One(c)) => Some(*c),
    })
}

impl ContactsHandler {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    fn write(&self, method: Method, contact: &Contact) -> Request<ServerMessage> {
        let safety = if method == Method::POST {
            Safety::OnRequest
        } else {
            Safety::Safe
        };
        let draft = self
            .client
            .request(method, "/contact/attribute", &["contact", "attribute"])
            .safety(safety);
        let by_id = contact.id.is_some() && contact.key.trim().is_empty();
        let checked = if by_id {
            // Update by id: the key may be absent; check the rest with a placeholder key.
            let mut probe = contact.clone();
            "-".clone_into(&mut probe.key);
            validate(&probe, None)
        } else {
            validate(contact, None)
        };
        match checked {
            Ok(()) => draft.json(contact.to_wire()),
            Err(e) => draft.fail(e),
        }
        .message()
    }

    /// Creates or updates a contact by key (`POST /contact/attribute`). Validated first;
    /// not retried unless declared [`idempotent`](Request::idempotent) (writing the same
    /// values twice is harmless). Replies `"1 contact(s) affected."`
    /// ([`ServerMessage::affected`]).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::{Contact, OptIn};
    /// let reply = client
    ///     .contacts()
    ///     .upsert(Contact::new("ann@example.com").email("ann@example.com").email_optin(OptIn::True))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    #[allow(clippy::needless_pass_by_value)] // by value: the natural builder-chain call
    pub fn upsert(&self, contact: Contact) -> Request<ServerMessage> {
        self.write(Method::POST, &contact)
    }

    /// Updates an existing contact (`PUT /contact/attribute`), selected by
    /// [`Contact::id`] when set, otherwise by key. Only the attributes that are not
    /// [`Patch::Unset`] change. Retried per the policy.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::{Contact, Patch};
    /// let mut change = Contact::new("ann@example.com").city("Lyon");
    /// change.phone = Patch::Clear;
    /// client.contacts().update(change).await?;
    /// # Ok(()) }
    /// ```
    #[allow(clippy::needless_pass_by_value)] // by value: the natural builder-chain call
    pub fn update(&self, contact: Contact) -> Request<ServerMessage> {
        self.write(Method::PUT, &contact)
    }

    fn get_at(
        &self,
        template: &'static str,
        resource: &'static str,
        value: &str,
    ) -> Request<Option<Contact>> {
        self.client
            .request(Method::GET, template, &["contact", resource, value])
            .decode(decode_first)
    }

    /// Reads a contact by key (`GET /contact/attribute/{contactKey}`). The reply is an array;
    /// the first element is returned, and an empty array gives `Ok(None)` (an HTTP error
    /// status, such as a 404, stays an error).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// if let Some(c) = client.contacts().get("ann@example.com").await? {
    ///     println!("{:?} opted in: {:?}", c.first_name.value(), c.email_optin.value().and_then(|o| o.is_opted_in()));
    /// }
    /// # Ok(()) }
    /// ```
    pub fn get(&self, key: &str) -> Request<Option<Contact>> {
        self.get_at("/contact/attribute/{contactKey}", "attribute", key)
    }

    /// Reads a contact by key with selection fields as value ids
    /// (`GET /contact/attributevalueid/{contactKey}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let c = client.contacts().get_value_ids("ann@example.com").await?;
    /// # Ok(()) }
    /// ```
    pub fn get_value_ids(&self, key: &str) -> Request<Option<Contact>> {
        self.get_at(
            "/contact/attributevalueid/{contactKey}",
            "attributevalueid",
            key,
        )
    }

    /// Reads a contact by id (`GET /contact/attributebycid/{id}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let c = client.contacts().get_by_id(relance::sendethic::ContactId(9)).await?;
    /// # Ok(()) }
    /// ```
    pub fn get_by_id(&self, id: ContactId) -> Request<Option<Contact>> {
        self.get_at(
            "/contact/attributebycid/{id}",
            "attributebycid",
            &id.to_string(),
        )
    }

    /// Reads a contact by id with selection fields as value ids
    /// (`GET /contact/attributevalueidbycid/{id}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let c = client.contacts().get_value_ids_by_id(relance::sendethic::ContactId(9)).await?;
    /// # Ok(()) }
    /// ```
    pub fn get_value_ids_by_id(&self, id: ContactId) -> Request<Option<Contact>> {
        self.get_at(
            "/contact/attributevalueidbycid/{id}",
            "attributevalueidbycid",
            &id.to_string(),
        )
    }

    /// Deletes a contact permanently, by key (`DELETE /contact/attribute/{contactKey}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// client.contacts().delete("ann@example.com").await?;
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, key: &str) -> Request<ServerMessage> {
        self.client
            .request(
                Method::DELETE,
                "/contact/attribute/{contactKey}",
                &["contact", "attribute", key],
            )
            .message()
    }

    /// Deletes a contact permanently, by id (`DELETE /contact/attributebycid/{id}`), e.g. for
    /// a GDPR erasure after [`get`](Self::get).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// client.contacts().delete_by_id(relance::sendethic::ContactId(9)).await?;
    /// # Ok(()) }
    /// ```
    pub fn delete_by_id(&self, id: ContactId) -> Request<ServerMessage> {
        self.client
            .request(
                Method::DELETE,
                "/contact/attributebycid/{id}",
                &["contact", "attributebycid", &id.to_string()],
            )
            .message()
    }

    /// The last `size` history entries of a contact, most recent first
    /// (`GET /contact/history/{contactKey}/{size}`); `size` must be 1 to 500.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let history = client.contacts().history("ann@example.com", 50).await?;
    /// for log in &history.logs { println!("{:?} {:?}", log.log_date, log.title); }
    /// # Ok(()) }
    /// ```
    pub fn history(&self, key: &str, size: u32) -> Request<ContactHistory> {
        let draft = self.client.request(
            Method::GET,
            "/contact/history/{contactKey}/{size}",
            &["contact", "history", key, &size.to_string()],
        );
        let draft = if (1..=MAX_HISTORY_SIZE).contains(&size) {
            draft
        } else {
            draft.fail(Error::invalid(
                "size",
                format!("history size must be 1 to {MAX_HISTORY_SIZE}, got {size}"),
            ))
        };
        draft.decode_json()
    }

    /// Adds history entries to a contact (`POST /contact/history`). This appends, so it is
    /// **never retried** automatically.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::NewContactLog;
    /// client
    ///     .contacts()
    ///     .add_history("ann@example.com", [NewContactLog::new("Order #1001", chrono::Utc::now()).operation_id(42)])
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn add_history(
        &self,
        key: &str,
        logs: impl IntoIterator<Item = NewContactLog>,
    ) -> Request<ServerMessage> {
        let draft = self
            .client
            .request(Method::POST, "/contact/history", &["contact", "history"]);
        let logs: Vec<WireLog> = logs
            .into_iter()
            .map(|l| WireLog {
                title: l.title,
                operation_id: l.operation_id,
                log_date: format_with_offset(l.at),
            })
            .collect();
        let draft = if let Err(e) = check_key(key) {
            draft.fail(Error::invalid(key, e))
        } else if logs.is_empty() {
            draft.fail(Error::invalid(key, "no history entry to add"))
        } else if logs.iter().any(|l| l.title.trim().is_empty()) {
            draft.fail(Error::invalid(key, "a history entry has an empty title"))
        } else {
            draft.json(&WireHistory {
                key: key.trim().to_owned(),
                logs,
            })
        };
        draft.message()
    }

    /// Creates or updates any number of contacts with `POST /contacts/attribute`, in chunks of
    /// at most 500 sent with bounded concurrency. Every contact is validated first; rejected
    /// ones are reported, the others still go through. Chunks are retried only with
    /// [`BulkOptions::retry_upserts`]. The result is a [`BulkReport`]: nothing is dropped
    /// silently.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::Contact;
    /// let contacts = (0..2000).map(|i| Contact::new(format!("c{i}@example.com")).first_name("X"));
    /// let report = client.contacts().upsert_many(contacts).concurrency(4).await?;
    /// println!("{} affected, {} rejected", report.totals().affected, report.rejected.len());
    /// # Ok(()) }
    /// ```
    pub fn upsert_many<I>(&self, contacts: I) -> Bulk<stream::Iter<I::IntoIter>>
    where
        I: IntoIterator<Item = Contact>,
    {
        self.upsert_stream(stream::iter(contacts))
    }

    /// [`upsert_many`](Self::upsert_many) from a `Stream`: at most
    /// `concurrency × chunk_size` contacts are held in memory at a time.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::Contact;
    /// let stream = futures_util::stream::iter((0..10).map(|i| Contact::new(format!("c{i}@example.com"))));
    /// let report = client.contacts().upsert_stream(stream).await?;
    /// # Ok(()) }
    /// ```
    pub fn upsert_stream<S>(&self, contacts: S) -> Bulk<S>
    where
        S: Stream<Item = Contact>,
    {
        Bulk::new(self.client.clone(), Method::POST, contacts)
    }

    /// Updates existing contacts with `PUT /contacts/attribute` (by key), like
    /// [`upsert_many`](Self::upsert_many). PUT chunks are retried per the client's policy.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::Contact;
    /// let report = client.contacts().update_many([Contact::new("a@b.fr").city("Lyon")]).await?;
    /// # Ok(()) }
    /// ```
    pub fn update_many<I>(&self, contacts: I) -> Bulk<stream::Iter<I::IntoIter>>
    where
        I: IntoIterator<Item = Contact>,
    {
        self.update_stream(stream::iter(contacts))
    }

    /// [`update_many`](Self::update_many) from a `Stream`.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::Contact;
    /// let stream = futures_util::stream::iter([Contact::new("a@b.fr").city("Lyon")]);
    /// let report = client.contacts().update_stream(stream).await?;
    /// # Ok(()) }
    /// ```
    pub fn update_stream<S>(&self, contacts: S) -> Bulk<S>
    where
        S: Stream<Item = Contact>,
    {
        Bulk::new(self.client.clone(), Method::PUT, contacts)
    }
}

/// Options of a bulk write.
///
/// ```
/// let o = relance::sendethic::BulkOptions::default().chunk_size(200).concurrency(2).retry_upserts(true);
/// assert_eq!(o.chunk_size, 200);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct BulkOptions {
    /// Contacts per request, 1 to 500 (default 500).
    pub chunk_size: usize,
    /// Requests in flight at once, at least 1 (default 4).
    pub concurrency: usize,
    /// Whether upsert chunks (`POST`) may be resent by the retry policy after a failure that
    /// may have reached the server (default `false`). Upserts by key are idempotent, so this
    /// is safe for your data; it is off by default like every POST.
    pub retry_upserts: bool,
}

impl Default for BulkOptions {
    fn default() -> Self {
        Self {
            chunk_size: MAX_BULK_CHUNK,
            concurrency: 4,
            retry_upserts: false,
        }
    }
}

impl BulkOptions {
    /// Sets [`chunk_size`](Self::chunk_size).
    ///
    /// ```
    /// let o = relance::sendethic::BulkOptions::default().chunk_size(50);
    /// # let _ = o;
    /// ```
    #[must_use]
    pub fn chunk_size(mut self, n: usize) -> Self {
        self.chunk_size = n;
        self
    }

    /// Sets [`concurrency`](Self::concurrency).
    ///
    /// ```
    /// let o = relance::sendethic::BulkOptions::default().concurrency(8);
    /// # let _ = o;
    /// ```
    #[must_use]
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n;
        self
    }

    /// Sets [`retry_upserts`](Self::retry_upserts).
    ///
    /// ```
    /// let o = relance::sendethic::BulkOptions::default().retry_upserts(true);
    /// # let _ = o;
    /// ```
    #[must_use]
    pub fn retry_upserts(mut self, yes: bool) -> Self {
        self.retry_upserts = yes;
        self
    }
}

/// A contact refused before sending.
#[derive(Debug)]
#[non_exhaustive]
pub struct Rejected {
    /// Its position in the input (0-based).
    pub index: usize,
    /// Its key, as given.
    pub key: String,
    /// Why ([`Error::InvalidInput`] naming the contact).
    pub reason: Error,
}

/// What happened to one chunk.
#[derive(Debug)]
#[non_exhaustive]
pub struct ChunkOutcome {
    /// Chunk number, in input order (0-based).
    pub index: usize,
    /// Input positions of the contacts it carried.
    pub indices: Vec<usize>,
    /// The count in the server's `"<N> contact(s) affected."` reply, when it had that form.
    pub affected: Option<u64>,
    /// The server's reply, on success.
    pub message: Option<ServerMessage>,
    /// The error, when the chunk failed.
    pub error: Option<Error>,
}

impl ChunkOutcome {
    /// Whether the chunk was accepted.
    ///
    /// ```
    /// # fn f(c: &relance::sendethic::ChunkOutcome) {
    /// if !c.is_ok() { eprintln!("chunk {} failed", c.index); }
    /// # }
    /// ```
    #[must_use]
    pub fn is_ok(&self) -> bool {
        self.error.is_none()
    }
}

/// Totals of a [`BulkReport`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct BulkTotals {
    /// Contacts read from the input.
    pub submitted: usize,
    /// Contacts refused by validation.
    pub rejected: usize,
    /// Contacts in chunks the server accepted.
    pub sent: usize,
    /// Contacts in chunks that failed.
    pub failed: usize,
    /// Sum of the affected counts the server reported.
    pub affected: u64,
    /// Chunks sent.
    pub chunks: usize,
    /// Chunks that failed.
    pub failed_chunks: usize,
}

/// The result of a bulk write: every input contact is either rejected (with the reason) or
/// in exactly one chunk (accepted, with the server's count, or failed, with the error).
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct BulkReport {
    /// Contacts read from the input.
    pub submitted: usize,
    /// Contacts refused before sending, in input order.
    pub rejected: Vec<Rejected>,
    /// One outcome per chunk, in input order.
    pub chunks: Vec<ChunkOutcome>,
}

impl BulkReport {
    /// The totals.
    ///
    /// ```
    /// let t = relance::sendethic::BulkReport::default().totals();
    /// assert_eq!(t.submitted, 0);
    /// ```
    #[must_use]
    pub fn totals(&self) -> BulkTotals {
        let mut t = BulkTotals {
            submitted: self.submitted,
            rejected: self.rejected.len(),
            chunks: self.chunks.len(),
            ..BulkTotals::default()
        };
        for c in &self.chunks {
            if c.is_ok() {
                t.sent += c.indices.len();
                t.affected += c.affected.unwrap_or(0);
            } else {
                t.failed += c.indices.len();
                t.failed_chunks += 1;
            }
        }
        t
    }

    /// The failed chunks.
    ///
    /// ```
    /// assert_eq!(relance::sendethic::BulkReport::default().failed_chunks().count(), 0);
    /// ```
    pub fn failed_chunks(&self) -> impl Iterator<Item = &ChunkOutcome> {
        self.chunks.iter().filter(|c| !c.is_ok())
    }

    /// Whether every contact was valid and every chunk accepted.
    ///
    /// ```
    /// assert!(relance::sendethic::BulkReport::default().is_complete());
    /// ```
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.rejected.is_empty() && self.chunks.iter().all(ChunkOutcome::is_ok)
    }
}

/// A bulk write being configured. Created by [`ContactsHandler::upsert_many`] and friends;
/// `.await` it to run it (that needs a `Send + 'static` source, such as an owning iterator
/// or `Vec`); [`send`](Self::send) also accepts a borrowing one.
///
/// The source is pulled lazily: at most `concurrency` chunks (each at most `chunk_size`
/// contacts) are held at a time, plus the rejected items' keys and reasons for the report.
#[must_use = "a bulk write does nothing until it is awaited"]
pub struct Bulk<S> {
    client: Client,
    method: Method,
    source: S,
    catalog: Option<FieldCatalog>,
    options: BulkOptions,
    request: RequestOptions,
}

impl<S> fmt::Debug for Bulk<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("sendethic::Bulk")
            .field("method", &self.method)
            .field("options", &self.options)
            .field("catalog", &self.catalog.is_some())
            .finish_non_exhaustive()
    }
}

impl<S: Stream<Item = Contact>> Bulk<S> {
    fn new(client: Client, method: Method, source: S) -> Self {
        Self {
            client,
            method,
            source,
            catalog: None,
            options: BulkOptions::default(),
            request: RequestOptions::default(),
        }
    }

    /// Checks custom values against these fields' formats (selection values are not known
    /// this way; use [`catalog`](Self::catalog) with [`FieldCatalog::load`] for that).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let fields = client.fields().list().await?;
    /// let report = client.contacts().upsert_many(Vec::new()).with_fields(&fields).await?;
    /// # Ok(()) }
    /// ```
    pub fn with_fields(mut self, fields: &[ContactField]) -> Self {
        self.catalog = Some(FieldCatalog::from(fields));
        self
    }

    /// Checks custom values against a catalog.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let catalog = relance::sendethic::FieldCatalog::load(&client).await?;
    /// let report = client.contacts().upsert_many(Vec::new()).catalog(catalog).await?;
    /// # Ok(()) }
    /// ```
    pub fn catalog(mut self, catalog: FieldCatalog) -> Self {
        self.catalog = Some(catalog);
        self
    }

    /// Replaces the options.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::BulkOptions;
    /// let report = client.contacts().upsert_many(Vec::new())
    ///     .options(BulkOptions::default().chunk_size(100).retry_upserts(true)).await?;
    /// # Ok(()) }
    /// ```
    pub fn options(mut self, options: BulkOptions) -> Self {
        self.options = options;
        self
    }

    /// Contacts per request (1 to 500).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let report = client.contacts().upsert_many(Vec::new()).chunk_size(50).await?;
    /// # Ok(()) }
    /// ```
    pub fn chunk_size(mut self, n: usize) -> Self {
        self.options.chunk_size = n;
        self
    }

    /// Requests in flight at once.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let report = client.contacts().upsert_many(Vec::new()).concurrency(2).await?;
    /// # Ok(()) }
    /// ```
    pub fn concurrency(mut self, n: usize) -> Self {
        self.options.concurrency = n;
        self
    }

    /// Lets the retry policy resend upsert chunks (see [`BulkOptions::retry_upserts`]).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let report = client.contacts().upsert_many(Vec::new()).retry_upserts(true).await?;
    /// # Ok(()) }
    /// ```
    pub fn retry_upserts(mut self, yes: bool) -> Self {
        self.options.retry_upserts = yes;
        self
    }

    /// Overrides the retry policy of every chunk request.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let report = client.contacts().upsert_many(Vec::new()).retry(relance::http::RetryPolicy::none()).await?;
    /// # Ok(()) }
    /// ```
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.request = self.request.retry(policy);
        self
    }

    /// Overrides the per-attempt timeout of every chunk request.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let report = client.contacts().upsert_many(Vec::new()).timeout(std::time::Duration::from_secs(60)).await?;
    /// # Ok(()) }
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.request = self.request.timeout(timeout);
        self
    }

    /// Runs the bulk write. Fails only for invalid options (chunk size outside 1..=500,
    /// zero concurrency); everything else is in the [`BulkReport`].
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let report = client.contacts().upsert_many(Vec::new()).send().await?;
    /// # Ok(()) }
    /// ```
    #[allow(clippy::too_many_lines)]
    pub async fn send(self) -> Result<BulkReport> {
        let Self {
            client,
            method,
            source,
            catalog,
            options,
            request,
        } = self;
        if !(1..=MAX_BULK_CHUNK).contains(&options.chunk_size) {
            return Err(Error::invalid(
                "chunk_size",
                format!("must be 1 to {MAX_BULK_CHUNK}, got {}", options.chunk_size),
            ));
        }
        if options.concurrency == 0 {
            return Err(Error::invalid("concurrency", "must be at least 1"));
        }
        let request = request.idempotent(options.retry_upserts);
        let rejected = Mutex::new(Vec::new());
        let submitted = Mutex::new(0usize);
        let catalog = catalog.as_ref();
        let valid = source.enumerate().filter_map(|(index, contact)| {
            *lock(&submitted) += 1;
            let out = match validate(&contact, catalog) {
                Ok(()) => Some((index, contact.to_wire())),
                Err(reason) => {
                    lock(&rejected).push(Rejected {
                        index,
                        key: contact.key,
                        reason,
                    });
                    None
                }
            };
            std::future::ready(out)
        });
        let method_ref = &method;
        let client_ref = &client;
        let request_ref = &request;
        let mut chunks: Vec<ChunkOutcome> = valid
            .chunks(options.chunk_size)
            .enumerate()
            .map(|(chunk, items)| async move {
                let (indices, body): (Vec<usize>, Vec<WireContact>) = items.into_iter().unzip();
                let safety = if *method_ref == Method::POST {
                    Safety::OnRequest
                } else {
                    Safety::Safe
                };
                let draft = client_ref
                    .request(
                        method_ref.clone(),
                        "/contacts/attribute",
                        &["contacts", "attribute"],
                    )
                    .safety(safety)
                    .json(&body);
                drop(body);
                let result = draft.message().options(request_ref.clone()).send().await;
                let count = indices.len();
                match result {
                    Ok(message) => {
                        let affected = message.affected();
                        if affected != Some(count as u64) {
                            tracing::warn!(
                                chunk,
                                sent = count,
                                affected = ?affected,
                                "Sendethic bulk write: affected count differs from the chunk size"
                            );
                        }
                        ChunkOutcome {
                            index: chunk,
                            indices,
                            affected,
                            message: Some(message),
                            error: None,
                        }
                    }
                    Err(error) => {
                        tracing::warn!(chunk, sent = count, error = %error, "Sendethic bulk chunk failed");
                        ChunkOutcome {
                            index: chunk,
                            indices,
                            affected: None,
                            message: None,
                            error: Some(error),
                        }
                    }
                }
            })
            .buffer_unordered(options.concurrency)
            .collect()
            .await;
        chunks.sort_by_key(|c| c.index);
        let mut rejected = rejected
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        rejected.sort_by_key(|r| r.index);
        let submitted = submitted
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Ok(BulkReport {
            submitted,
            rejected,
            chunks,
        })
    }
}

impl<S> IntoFuture for Bulk<S>
where
    S: Stream<Item = Contact> + Send + 'static,
{
    type Output = Result<BulkReport>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<BulkReport>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        for ok in ["a@b.fr", "a.b+c@x.example.com", "a..b@x.fr", "é@x.fr"] {
            assert!(check_email(ok).is_ok(), "{ok}");
        }
        for bad in [
            "", "a", "a@b", "@b.fr", "a@@b.fr", "a@b@c.fr", "a b@c.fr", "a@b..fr", "a@.b.fr",
            "a@b.fr.",
        ] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
        assert!(check_email(&format!("{}@x.fr", "a".repeat(250))).is_err());
    }

    #[test]
    fn mobiles() {
        for ok in ["+33612340001", "+14155550100", "+12345678"] {
            assert!(check_mobile(ok).is_ok(), "{ok}");
        }
        for bad in [
            "0612340001",
            "+0612340001",
            "+33 6 12 34 00 01",
            "+1234567",
            "+1234567890123456",
            "+33a12340001",
        ] {
            assert!(check_mobile(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn wire_shape_and_read_back() {
        let mut c = Contact::new(" a@b.fr ")
            .email("a@b.fr")
            .first_name("Ann")
            .email_optin(OptIn::Yes1)
            .email_status_date(Timestamp::parse("2024-05-01 10:00:00"))
            .custom(FieldId(26), "12.5");
        c.last_name = Patch::Clear;
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"id": 0, "contactKey": "a@b.fr", "attributes": [
                {"id": "firstname", "fieldValue": "Ann"},
                {"id": "lastname", "fieldValue": ""},
                {"id": "email", "fieldValue": "a@b.fr"},
                {"id": "emailoptin", "fieldValue": "yes1"},
                {"id": "emailstatusdate", "fieldValue": "2024-05-01 10:00:00+0000"},
                {"id": "26", "fieldValue": "12.5"}
            ]})
        );
        let back: Contact = serde_json::from_value(v).unwrap();
        assert_eq!(back.first_name, Patch::Set("Ann".into()));
        assert_eq!(back.last_name, Patch::Clear);
        assert_eq!(back.email_optin, Patch::Set(OptIn::Yes1));
        assert_eq!(back.custom_value(FieldId(26)), Some("12.5"));
    }
}
