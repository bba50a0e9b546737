//! Contact imports (`/contacts/import`): the import job, what starts one, and where its
//! columns go.

use reqwest::multipart::Form;
use serde::{Deserialize, Serialize};

use super::upload::{FileEncoding, FileSource, layout_parts};
use super::{ImportsHandler, contact_job};
use crate::error::{Error, Result};
use crate::http::{Body, Request};
use crate::sendethic::contacts::Contact;
use crate::sendethic::types::{FieldId, Timestamp};
use crate::wire::{numeric_id, open_enum};

numeric_id!(
    /// Id of an import job.
    ImportId in "relance::sendethic"
);

/// An import job (`ImportOperation`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
#[allow(missing_docs)] // one-to-one with the documented wire properties
pub struct ImportJob {
    #[serde(default)]
    pub id: ImportId,
    #[serde(default, deserialize_with = "crate::wire::lenient::opt_string")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<Timestamp>,
    /// Status text (undocumented value set).
    #[serde(default, deserialize_with = "crate::wire::lenient::opt_string")]
    pub status: Option<String>,
    /// Link to the report archive, once available.
    #[serde(default, deserialize_with = "crate::wire::lenient::opt_string")]
    pub link: Option<String>,
    #[serde(default, deserialize_with = "crate::wire::lenient::int")]
    pub line_read: i64,
    #[serde(default, deserialize_with = "crate::wire::lenient::int")]
    pub line_duplicate: i64,
    #[serde(default, deserialize_with = "crate::wire::lenient::int")]
    pub line_add: i64,
    #[serde(default, deserialize_with = "crate::wire::lenient::int")]
    pub line_update: i64,
    #[serde(default, deserialize_with = "crate::wire::lenient::int")]
    pub line_import: i64,
    #[serde(default, deserialize_with = "crate::wire::lenient::int")]
    pub line_error: i64,
    /// Properties this version of `relance` does not model.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

contact_job!(ImportJob, ImportId, Import, "import");

open_enum!(
    /// What an import does with contacts that already exist (`duplicateOption`).
    DuplicateOption in "relance::sendethic" {
        /// Update existing contacts (`disallowdupupdate`).
        Update => "disallowdupupdate",
        /// Only add new contacts (`disallowdup`).
        SkipExisting => "disallowdup",
        /// Allow duplicates, when the account allows them (`allowdup`).
        AllowDuplicates => "allowdup",
    }
);

/// A contact import (`POST /contacts/import/add`, multipart).
///
/// ```
/// use relance::sendethic::{ContactImport, DuplicateOption, FieldId, FileSource, ImportColumn};
/// let rows = std::iter::once(vec!["email".into(), "firstname".into(), "loyalty".into()])
///     .chain((0..3).map(|i| vec![format!("u{i}@example.com"), format!("User {i}"), "gold".into()]));
/// let import = ContactImport::new("nightly", FileSource::rows(rows))
///     .columns([ImportColumn::standard("email"), ImportColumn::standard("firstname"), ImportColumn::Custom(FieldId(26))])
///     .header(true)
///     .duplicates(DuplicateOption::Update);
/// # let _ = import;
/// ```
#[derive(Debug)]
pub struct ContactImport {
    name: String,
    source: FileSource,
    first_line: u32,
    header: bool,
    encoding: FileEncoding,
    separator: char,
    duplicates: DuplicateOption,
    columns: Vec<ImportColumn>,
}

/// Where an import column goes (`matchings`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportColumn {
    /// A standard field (`email`, `firstname`, `mobile`...).
    Standard(String),
    /// A custom field, by id.
    Custom(FieldId),
}

impl ImportColumn {
    /// A standard field by its id.
    ///
    /// ```
    /// let c = relance::sendethic::ImportColumn::standard("email");
    /// # let _ = c;
    /// ```
    #[must_use]
    pub fn standard(id: impl Into<String>) -> Self {
        Self::Standard(id.into())
    }

    pub(super) fn wire(&self) -> String {
        match self {
            Self::Standard(s) => s.clone(),
            Self::Custom(id) => id.to_string(),
        }
    }
}

impl ContactImport {
    /// An import of typed contacts (see [`FileSource::contacts`]): `columns` are both the
    /// written columns and the matchings; the file has a header line.
    ///
    /// ```
    /// use relance::sendethic::{Contact, ContactImport, FieldId, ImportColumn};
    /// let contacts = (0..1_000_000).map(|i| Contact::new(format!("u{i}@example.com")).custom(FieldId(26), "gold"));
    /// let import = ContactImport::from_contacts(
    ///     "nightly",
    ///     contacts,
    ///     [ImportColumn::standard("email"), ImportColumn::Custom(FieldId(26))],
    /// );
    /// # let _ = import;
    /// ```
    #[must_use]
    pub fn from_contacts<I>(
        name: impl Into<String>,
        contacts: I,
        columns: impl IntoIterator<Item = ImportColumn>,
    ) -> Self
    where
        I: IntoIterator<Item = Contact>,
        I::IntoIter: Send + 'static,
    {
        let columns: Vec<ImportColumn> = columns.into_iter().collect();
        Self::new(name, FileSource::contacts(contacts, &columns))
            .columns(columns)
            .header(true)
    }

    /// An import named `name` of `source`. Defaults: first line 1, a header line, UTF-8,
    /// `;` separator, update existing contacts.
    ///
    /// ```
    /// use relance::sendethic::{ContactImport, FileSource};
    /// let i = ContactImport::new("daily", FileSource::path("contacts.csv"));
    /// # let _ = i;
    /// ```
    #[must_use]
    pub fn new(name: impl Into<String>, source: FileSource) -> Self {
        Self {
            name: name.into(),
            source,
            first_line: 1,
            header: true,
            encoding: FileEncoding::Utf8,
            separator: ';',
            duplicates: DuplicateOption::Update,
            columns: Vec::new(),
        }
    }

    /// The first line to read (1-based; `firstLine`). The reference says the value "must be
    /// greater than 1" without saying whether line 1 is then excluded; `relance` accepts 1
    /// (the whole file) and rejects 0 before sending.
    ///
    /// ```
    /// # use relance::sendethic::{ContactImport, FileSource};
    /// let i = ContactImport::new("n", FileSource::path("f.csv")).first_line(2);
    /// # let _ = i;
    /// ```
    #[must_use]
    pub fn first_line(mut self, line: u32) -> Self {
        self.first_line = line;
        self
    }

    /// Whether the first line is a header (`firstLineAsHeader`).
    ///
    /// ```
    /// # use relance::sendethic::{ContactImport, FileSource};
    /// let i = ContactImport::new("n", FileSource::path("f.csv")).header(false);
    /// # let _ = i;
    /// ```
    #[must_use]
    pub fn header(mut self, header: bool) -> Self {
        self.header = header;
        self
    }

    /// The file encoding (rows written by `relance` are UTF-8).
    ///
    /// ```
    /// # use relance::sendethic::{ContactImport, FileEncoding, FileSource};
    /// let i = ContactImport::new("n", FileSource::path("f.csv")).encoding(FileEncoding::Iso8859_1);
    /// # let _ = i;
    /// ```
    #[must_use]
    pub fn encoding(mut self, encoding: FileEncoding) -> Self {
        self.encoding = encoding;
        self
    }

    /// The separator (one of [`SEPARATORS`](super::SEPARATORS); checked before sending).
    ///
    /// ```
    /// # use relance::sendethic::{ContactImport, FileSource};
    /// let i = ContactImport::new("n", FileSource::path("f.csv")).separator(',');
    /// # let _ = i;
    /// ```
    #[must_use]
    pub fn separator(mut self, separator: char) -> Self {
        self.separator = separator;
        self
    }

    /// What to do with existing contacts.
    ///
    /// ```
    /// # use relance::sendethic::{ContactImport, DuplicateOption, FileSource};
    /// let i = ContactImport::new("n", FileSource::path("f.csv")).duplicates(DuplicateOption::SkipExisting);
    /// # let _ = i;
    /// ```
    #[must_use]
    pub fn duplicates(mut self, option: DuplicateOption) -> Self {
        self.duplicates = option;
        self
    }

    /// The target of each column, in file order (`matchings`).
    ///
    /// ```
    /// # use relance::sendethic::{ContactImport, FileSource, ImportColumn};
    /// let i = ContactImport::new("n", FileSource::path("f.csv")).columns([ImportColumn::standard("email")]);
    /// # let _ = i;
    /// ```
    #[must_use]
    pub fn columns(mut self, columns: impl IntoIterator<Item = ImportColumn>) -> Self {
        self.columns = columns.into_iter().collect();
        self
    }

    fn into_form(self) -> Result<Form> {
        if self.name.trim().is_empty() {
            return Err(Error::invalid("name", "the import name is required"));
        }
        if self.columns.is_empty() {
            return Err(Error::invalid(
                "matchings",
                "say which field each column goes to",
            ));
        }
        if let Some(ImportColumn::Standard(bad)) = self
            .columns
            .iter()
            .find(|c| matches!(c, ImportColumn::Standard(s) if s.trim().is_empty()))
        {
            return Err(Error::invalid(bad.clone(), "an empty column target"));
        }
        let matchings: Vec<String> = self.columns.iter().map(ImportColumn::wire).collect();
        let matchings = serde_json::to_string(&matchings)
            .map_err(|e| Error::invalid("matchings", e.to_string()))?;
        let form = Form::new().text("name", self.name);
        let form = layout_parts(
            form,
            self.first_line,
            self.header,
            &self.encoding,
            self.separator,
        )?;
        let file = self.source.into_part(self.separator)?;
        Ok(form
            .text("duplicateOption", self.duplicates.as_str().to_owned())
            .text("matchings", matchings)
            .part("file", file))
    }
}

impl ImportsHandler {
    /// Starts an import (`POST /contacts/import/add`). The upload streams and is never
    /// retried.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::{ContactImport, FileSource, ImportColumn};
    /// let job = client
    ///     .imports()
    ///     .start(ContactImport::new("daily", FileSource::path("contacts.csv")).columns([ImportColumn::standard("email")]))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    #[doc(alias = "import")]
    pub fn start(&self, import: ContactImport) -> Request<ImportJob> {
        self.start_with(import.into_form().map(Body::multipart))
    }
}
