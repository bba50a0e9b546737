//! The field model: formats, fields, selection values, and what creates or ensures them.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};
use crate::sendethic::types::{FieldId, FieldValueId, Timestamp};

/// The format of a contact field (`ContactField.format`).
///
/// Server-sent: match on [`as_str`](Self::as_str) or keep a wildcard arm, since Sendethic may
/// add formats; an unknown value decodes to [`FieldFormat::Unknown`] instead of failing.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum FieldFormat {
    /// Free text (the default).
    #[default]
    ShortText,
    /// A number (plain decimal with `.`).
    Number,
    /// A date and time (`yyyy-MM-dd HH:mm:ss`).
    DateTime,
    /// One value among a list (values by id).
    SingleSelection,
    /// Several values among a list (comma-separated value ids).
    MultipleSelection,
    /// A format this version of `relance` does not know.
    Unknown(String),
}

impl FieldFormat {
    /// The wire name.
    ///
    /// ```
    /// assert_eq!(relance::sendethic::FieldFormat::Number.as_str(), "Number");
    /// ```
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::ShortText => "ShortText",
            Self::Number => "Number",
            Self::DateTime => "DateTime",
            Self::SingleSelection => "SingleSelection",
            Self::MultipleSelection => "MultipleSelection",
            Self::Unknown(s) => s,
        }
    }

    /// Parses a wire name (case-insensitive; a `|tag` suffix is ignored).
    ///
    /// ```
    /// use relance::sendethic::FieldFormat;
    /// assert_eq!(FieldFormat::parse("Number|relance_revenue"), FieldFormat::Number);
    /// assert_eq!(FieldFormat::parse("Geo"), FieldFormat::Unknown("Geo".into()));
    /// ```
    #[must_use]
    pub fn parse(raw: &str) -> Self {
        let name = raw.split('|').next().unwrap_or("").trim();
        match name.to_ascii_lowercase().as_str() {
            "shorttext" => Self::ShortText,
            "number" => Self::Number,
            "datetime" => Self::DateTime,
            "singleselection" => Self::SingleSelection,
            "multipleselection" => Self::MultipleSelection,
            _ => Self::Unknown(raw.to_owned()),
        }
    }

    /// Whether values of this format are selection value ids.
    ///
    /// ```
    /// assert!(relance::sendethic::FieldFormat::SingleSelection.is_selection());
    /// ```
    #[must_use]
    pub fn is_selection(&self) -> bool {
        matches!(self, Self::SingleSelection | Self::MultipleSelection)
    }
}

impl fmt::Display for FieldFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for FieldFormat {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for FieldFormat {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        Ok(crate::wire::lenient::opt_string(d)?
            .map(|s| Self::parse(&s))
            .unwrap_or_default())
    }
}

/// A contact field (`ContactField`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ContactField {
    /// Field id (custom fields are written to contacts by this id).
    #[serde(default)]
    pub id: FieldId,
    /// Display name (unique in the account).
    #[serde(default)]
    pub name: String,
    /// Format.
    #[serde(default)]
    pub format: FieldFormat,
    /// Hidden description; holds the provisioning tag of the `Format|tag` convention.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Format options: a display format for `DateTime`, `"true"`/`"false"` for selections.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::lenient::opt_string"
    )]
    pub options: Option<String>,
    /// Creation date (`yyyy-MM-dd HH:mm:ss`, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<Timestamp>,
    /// Properties this version of `relance` does not model, kept for round trips.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl ContactField {
    /// The provisioning tag (the `description`, or its part after `|`), if any.
    ///
    /// ```
    /// # fn show(f: relance::sendethic::ContactField) {
    /// if f.tag() == Some("relance_revenue") { /* ours */ }
    /// # }
    /// ```
    #[must_use]
    pub fn tag(&self) -> Option<&str> {
        let d = self.description.as_deref()?.trim();
        let tag = d.rsplit('|').next().unwrap_or(d).trim();
        (!tag.is_empty()).then_some(tag)
    }
}

/// A value of a selection field (`ContactFieldValue`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FieldValue {
    /// Value id (what contacts store).
    #[serde(default)]
    pub id: FieldValueId,
    /// Position in the list.
    #[serde(default, deserialize_with = "crate::wire::lenient::int")]
    pub index: i64,
    /// Label.
    #[serde(default)]
    pub text: String,
    /// Creation date (format undocumented; parsed leniently).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<Timestamp>,
}

/// A field to create.
///
/// ```
/// use relance::sendethic::{FieldFormat, NewField};
/// let field = NewField::new("Revenue", FieldFormat::Number).tag("relance_revenue");
/// # let _ = field;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewField {
    name: String,
    format: FieldFormat,
    tag: Option<String>,
    options: Option<String>,
}

impl NewField {
    /// A field with a display name and a format.
    ///
    /// ```
    /// let f = relance::sendethic::NewField::new("Loyalty", relance::sendethic::FieldFormat::ShortText);
    /// # let _ = f;
    /// ```
    #[must_use]
    pub fn new(name: impl Into<String>, format: FieldFormat) -> Self {
        Self {
            name: name.into(),
            format,
            tag: None,
            options: None,
        }
    }

    /// A hidden tag, sent as `Format|tag` and stored by the server in `description`, to find
    /// the field again without relying on its (renamable) name.
    ///
    /// ```
    /// let f = relance::sendethic::NewField::new("Revenue", relance::sendethic::FieldFormat::Number)
    ///     .tag("relance_revenue");
    /// # let _ = f;
    /// ```
    #[must_use]
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.tag = Some(tag.into());
        self
    }

    /// Format options: a display format for `DateTime` (`dd.mm.yyyy`, ...), or
    /// `"true"`/`"false"` for selections (whether new values found in imports are added).
    ///
    /// ```
    /// let f = relance::sendethic::NewField::new("Opt-in", relance::sendethic::FieldFormat::SingleSelection)
    ///     .options("false");
    /// # let _ = f;
    /// ```
    #[must_use]
    pub fn options(mut self, options: impl Into<String>) -> Self {
        self.options = Some(options.into());
        self
    }

    pub(super) fn validate(&self) -> Result<()> {
        if self.name.trim().is_empty() {
            return Err(Error::invalid("name", "a field name must not be empty"));
        }
        if let Some(tag) = &self.tag
            && (tag.trim().is_empty() || tag.contains('|'))
        {
            return Err(Error::invalid(
                tag.clone(),
                "a field tag must be non-empty and must not contain `|`",
            ));
        }
        if let FieldFormat::Unknown(f) = &self.format {
            return Err(Error::invalid(f.clone(), "unknown field format"));
        }
        Ok(())
    }

    pub(super) fn into_wire(self) -> WireNewField {
        let format = match &self.tag {
            Some(tag) => format!("{}|{}", self.format.as_str(), tag.trim()),
            None => self.format.as_str().to_owned(),
        };
        WireNewField {
            id: 0,
            name: self.name.trim().to_owned(),
            format,
            options: self.options,
        }
    }
}

#[derive(Serialize)]
pub(super) struct WireNewField {
    id: i64,
    name: String,
    format: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    options: Option<String>,
}

/// A selection value to add.
///
/// ```
/// let v = relance::sendethic::NewFieldValue::new("Yes").index(1);
/// # let _ = v;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFieldValue {
    pub(super) text: String,
    pub(super) index: Option<i64>,
}

impl NewFieldValue {
    /// A value with its label (added last unless [`index`](Self::index) is set).
    ///
    /// ```
    /// let v = relance::sendethic::NewFieldValue::new("Gold");
    /// # let _ = v;
    /// ```
    #[must_use]
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            index: None,
        }
    }

    /// The position in the list.
    ///
    /// ```
    /// let v = relance::sendethic::NewFieldValue::new("No").index(0);
    /// # let _ = v;
    /// ```
    #[must_use]
    pub fn index(mut self, index: i64) -> Self {
        self.index = Some(index);
        self
    }
}

/// What [`FieldsHandler::ensure`](super::FieldsHandler::ensure) should find or create.
///
/// ```
/// use relance::sendethic::{FieldFormat, FieldSpec};
/// let spec = FieldSpec::new("relance_optin", "Newsletter opt-in", FieldFormat::SingleSelection)
///     .values(["No", "Yes"]);
/// # let _ = spec;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSpec {
    pub(super) tag: String,
    pub(super) name: String,
    pub(super) format: FieldFormat,
    pub(super) options: Option<String>,
    pub(super) values: Vec<String>,
    pub(super) adopt: Vec<String>,
    pub(super) adopt_names: Vec<String>,
}

impl FieldSpec {
    /// A field identified by `tag`, created as `name` with `format` when missing.
    ///
    /// ```
    /// let s = relance::sendethic::FieldSpec::new("relance_revenue", "Revenue", relance::sendethic::FieldFormat::Number);
    /// # let _ = s;
    /// ```
    #[must_use]
    pub fn new(tag: impl Into<String>, name: impl Into<String>, format: FieldFormat) -> Self {
        Self {
            tag: tag.into(),
            name: name.into(),
            format,
            options: None,
            values: Vec::new(),
            adopt: Vec::new(),
            adopt_names: Vec::new(),
        }
    }

    /// Other tags under which an existing field is adopted instead of creating one (for
    /// example the tags an earlier connector used: `magento_orderstotal`,
    /// `woo_orderstotal`), tried in this order after the spec's own tag. An adopted field
    /// keeps its tag and name; its format must be the spec's.
    ///
    /// ```
    /// use relance::sendethic::{FieldFormat, FieldSpec};
    /// let s = FieldSpec::new("relance_revenue", "[relance] Revenue", FieldFormat::Number)
    ///     .adopt(["magento_orderstotal", "woo_orderstotal"]);
    /// # let _ = s;
    /// ```
    #[must_use]
    pub fn adopt<I, S>(mut self, tags: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.adopt.extend(tags.into_iter().map(Into::into));
        self
    }

    /// Names under which an existing field is adopted (compared without case), tried after
    /// the [`adopt`](Self::adopt) tags and before the spec's own name: for fields an earlier
    /// tool created without a tag. The format must be the spec's.
    ///
    /// ```
    /// use relance::sendethic::{FieldFormat, FieldSpec};
    /// let s = FieldSpec::new("relance_revenue", "[relance] Revenue", FieldFormat::Number)
    ///     .adopt_names(["[PS] Chiffre d'affaires"]);
    /// # let _ = s;
    /// ```
    #[must_use]
    pub fn adopt_names<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.adopt_names.extend(names.into_iter().map(Into::into));
        self
    }

    /// Format options used when the field is created.
    ///
    /// ```
    /// let s = relance::sendethic::FieldSpec::new("t", "Born", relance::sendethic::FieldFormat::DateTime)
    ///     .options("dd.mm.yyyy");
    /// # let _ = s;
    /// ```
    #[must_use]
    pub fn options(mut self, options: impl Into<String>) -> Self {
        self.options = Some(options.into());
        self
    }

    /// Selection values that must exist (matched by label, added in this order when missing).
    ///
    /// ```
    /// let s = relance::sendethic::FieldSpec::new("t", "Tier", relance::sendethic::FieldFormat::SingleSelection)
    ///     .values(["Bronze", "Silver", "Gold"]);
    /// # let _ = s;
    /// ```
    #[must_use]
    pub fn values<I, S>(mut self, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.values = values.into_iter().map(Into::into).collect();
        self
    }

    /// The tag.
    ///
    /// ```
    /// let s = relance::sendethic::FieldSpec::new("t", "n", relance::sendethic::FieldFormat::Number);
    /// assert_eq!(s.tag(), "t");
    /// ```
    #[must_use]
    pub fn tag(&self) -> &str {
        &self.tag
    }
}

/// What [`FieldsHandler::plan_all`](super::FieldsHandler::plan_all) found for one spec.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum FieldPlan {
    /// The field exists under the spec's tag.
    Exists(ContactField),
    /// An existing field would be adopted (another tag, or its name).
    Adopt(ContactField),
    /// The field would be created.
    Create,
}

/// The result of [`FieldsHandler::ensure`](super::FieldsHandler::ensure).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct EnsuredField {
    /// The field, found or created.
    pub field: ContactField,
    /// Whether this call created it.
    pub created: bool,
    /// Whether it was adopted: found under another tag than the spec's (one given to
    /// [`FieldSpec::adopt`], or none at all) rather than its own.
    pub adopted: bool,
    /// Its selection values (empty for other formats), including any this call added.
    pub values: Vec<FieldValue>,
}
