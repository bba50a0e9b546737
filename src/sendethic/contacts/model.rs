//! The contact model and its wire mapping (`ContactData`).
//!
//! - A [`Contact`] is written as `ContactData`: `{"id", "contactKey", "attributes": [{"id",
//!   "fieldValue"}]}`. Standard fields use their standard ids (`"email"`, `"firstname"`, ...);
//!   custom fields use their numeric id **as a string** (`"26"`), the documented type of
//!   `ContactAttribute.id`. `fieldName` is informational for the server and is not sent.
//! - [`Patch::Unset`] attributes are omitted; [`Patch::Clear`] is sent as `"fieldValue": ""`
//!   (the server ignores nulls, so clearing has to be an explicit value).
//! - Status dates are sent as `yyyy-MM-dd HH:mm:ss+0000`; use
//!   [`Contact::custom_datetime`] for custom `DateTime` fields (`yyyy-MM-dd HH:mm:ss`, UTC).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::sendethic::types::{
    ContactId, FieldId, FieldRef, FieldValueId, Patch, Timestamp, format_plain, format_with_offset,
};

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
    fn to_wire(&self) -> Cow<'_, str>;
    fn from_wire(raw: String) -> Self;
}

impl WireValue for String {
    fn to_wire(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
    fn from_wire(raw: String) -> Self {
        raw
    }
}

impl WireValue for OptIn {
    fn to_wire(&self) -> Cow<'_, str> {
        Cow::Borrowed(self.as_str())
    }
    fn from_wire(raw: String) -> Self {
        Self::parse(&raw)
    }
}

impl WireValue for Timestamp {
    fn to_wire(&self) -> Cow<'_, str> {
        self.datetime().map_or_else(
            || Cow::Borrowed(self.as_str()),
            |at| Cow::Owned(format_with_offset(at)),
        )
    }
    fn from_wire(raw: String) -> Self {
        Self::parse(raw)
    }
}

/// Appends `s` as a JSON string, escaped as `serde_json` escapes it.
fn json_str(out: &mut Vec<u8>, s: &str) {
    // Writing to a `Vec` cannot fail.
    drop(serde_json::to_writer(&mut *out, s));
}

fn patch_to_wire<T: WireValue>(p: &Patch<T>) -> Option<Cow<'_, str>> {
    match p {
        Patch::Unset => None,
        Patch::Clear => Some(Cow::Borrowed("")),
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
            /// contact. [`ContactsHandler::update`](crate::sendethic::ContactsHandler::update) uses it instead of the key when set.
            pub id: Option<ContactId>,
            /// The unicity key (`contactKey`), normally the email address.
            pub key: String,
            $( $(#[$doc])* pub $name: Patch<$ty>, )*
            /// Custom fields by id (sent as string ids, `"26"`). Values are strings formatted
            /// per the field's format (see [`FieldCatalog`](crate::sendethic::FieldCatalog)).
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
                #[inline]
                pub fn $name(mut self, value: impl Into<$ty>) -> Self {
                    self.$name = Patch::Set(value.into());
                    self
                }
            )*

            /// Calls `f` with the wire id and value of each standard field that is set or
            /// cleared, in declaration order.
            fn for_each_standard<'a>(&'a self, mut f: impl FnMut(&'static str, Cow<'a, str>)) {
                $(
                    if let Some(v) = patch_to_wire(&self.$name) {
                        f($wire, v);
                    }
                )*
            }

            /// The wire value of a standard field: `None` when the id is not a typed
            /// standard field, `Some(None)` when unset.
            fn standard_value(&self, id: &str) -> Option<Option<Cow<'_, str>>> {
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
    #[inline]
    pub fn new(key: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            ..Self::default()
        }
    }

    /// Sets the contact id (then [`ContactsHandler::update`](crate::sendethic::ContactsHandler::update) selects the contact by id).
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
    #[inline]
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
    fn wire_attributes(&self) -> Vec<WireAttribute<'_>> {
        let mut out = Vec::with_capacity(4 + self.other.len() + self.custom.len());
        self.for_each_standard(|id, value| {
            out.push(WireAttribute {
                id: Cow::Borrowed(id),
                value,
            });
        });
        for (id, p) in &self.other {
            if let Some(v) = patch_to_wire(p) {
                out.push(WireAttribute {
                    id: Cow::Borrowed(id),
                    value: v,
                });
            }
        }
        for (id, p) in &self.custom {
            if let Some(v) = patch_to_wire(p) {
                out.push(WireAttribute {
                    id: Cow::Owned(id.to_string()),
                    value: v,
                });
            }
        }
        out
    }

    /// Appends the JSON of this contact's `ContactData` to `out`: the bytes `serde_json`
    /// writes for [`to_wire`](Self::to_wire), without building it (the bulk writer's hot
    /// path).
    pub(crate) fn write_wire_json(&self, out: &mut Vec<u8>) {
        /// One attribute, after the first one's comma.
        fn attribute(
            out: &mut Vec<u8>,
            first: &mut bool,
            id: impl FnOnce(&mut Vec<u8>),
            value: &str,
        ) {
            if !std::mem::take(first) {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"id\":");
            id(out);
            out.extend_from_slice(b",\"fieldValue\":");
            json_str(out, value);
            out.push(b'}');
        }
        out.extend_from_slice(b"{\"id\":");
        match self.id {
            None => out.push(b'0'),
            // Writing to a `Vec` cannot fail.
            Some(id) => out.extend_from_slice(itoa::Buffer::new().format(id.get()).as_bytes()),
        }
        out.extend_from_slice(b",\"contactKey\":");
        json_str(out, self.key.trim());
        out.extend_from_slice(b",\"attributes\":[");
        let mut first = true;
        self.for_each_standard(|id, value| {
            attribute(out, &mut first, |out| json_str(out, id), &value);
        });
        for (id, p) in &self.other {
            if let Some(value) = patch_to_wire(p) {
                attribute(out, &mut first, |out| json_str(out, id), &value);
            }
        }
        for (id, p) in &self.custom {
            if let Some(value) = patch_to_wire(p) {
                let id = |out: &mut Vec<u8>| {
                    out.push(b'"');
                    out.extend_from_slice(itoa::Buffer::new().format(id.0).as_bytes());
                    out.push(b'"');
                };
                attribute(out, &mut first, id, &value);
            }
        }
        out.extend_from_slice(b"]}");
    }

    pub(crate) fn to_wire(&self) -> WireContact<'_> {
        WireContact {
            id: self.id.map_or(0, ContactId::get),
            key: self.key.trim(),
            attributes: self.wire_attributes(),
        }
    }

    /// The value written on the wire for an attribute id (`email`, `remoteip`, `"26"`):
    /// `Some("")` when cleared, `None` when unset. `key` reads the contact key.
    pub(crate) fn wire_value(&self, id: &str) -> Option<Cow<'_, str>> {
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
struct WireAttribute<'a> {
    id: Cow<'a, str>,
    #[serde(rename = "fieldValue")]
    value: Cow<'a, str>,
}

/// `ContactData` as sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct WireContact<'a> {
    id: i64,
    #[serde(rename = "contactKey")]
    key: &'a str,
    attributes: Vec<WireAttribute<'a>>,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_direct_json_writer_writes_what_serde_writes() {
        let mut cleared = Contact::new(" Ann@Example.com ")
            .with_id(ContactId(42))
            .first_name("Ann \"Nan\" \u{e9}\u{1F600}\n\t\\")
            .email_optin(OptIn::Yes1)
            .custom(FieldId(26), "12.50")
            .custom(FieldId(3), "</script>");
        cleared.last_name = Patch::Clear;
        cleared
            .other
            .insert("remoteip".into(), Patch::Set("10.0.0.1".into()));
        cleared.other.insert("creationdate".into(), Patch::Clear);
        let contacts = [
            Contact::new("a@b.fr"),
            Contact::new(""),
            cleared,
            Contact::new("x@y.fr").clear_custom(FieldId(7)),
        ];
        for c in contacts {
            let mut direct = Vec::new();
            c.write_wire_json(&mut direct);
            let by_serde = serde_json::to_vec(&c.to_wire()).unwrap();
            assert_eq!(
                String::from_utf8(direct).unwrap(),
                String::from_utf8(by_serde).unwrap()
            );
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
