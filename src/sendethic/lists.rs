//! Lists: contact imports, exports and purges (`/contacts/import`, `/contacts/export`,
//! `/contacts/purge`) — asynchronous server jobs, with streamed uploads and downloads.
//!
//! - **Imports** upload a file (multipart). The file can be a path, bytes, or rows or typed
//!   [`Contact`]s (from an iterator or a stream) that `relance` writes as CSV *while
//!   uploading*: memory stays flat in the number of contacts. A generated file has no known
//!   length, so its request is sent with chunked transfer encoding.
//! - **Exports** produce a zip archive; [`ListsHandler::export_records`] waits for it,
//!   downloads it to a temporary file, and reads its CSV one row at a time.
//! - **Purges** delete the contacts whose keys are listed in an uploaded file.
//!
//! Job status values are undocumented. A job counts as **finished** when its `Link` is set or
//! its status reads like completion (`done`, `finished`, `complete`, `success`, `terminé`), and
//! as **failed** when it reads like an error (`error`, `fail`, `cancel`, `abort`); anything else
//! is still running.

use std::fmt;
use std::io::{Seek, Write};
use std::path::Path;

use bytes::Bytes;
use futures_util::stream::BoxStream;
use futures_util::{Stream, StreamExt};
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde::{Deserialize, Serialize};

use super::records::RecordReader;
use super::stats::{file_name_of, looks_failed};
use super::types::{ServerMessage, Timestamp};
use super::{Client, Contact, Request, RequestDraft};
use crate::error::{Error, Result};
use crate::http::Body;
use crate::http::{Job, JobKind, JobWait, Progress, RequestOptions, wait_for};
use crate::wire::{numeric_id, open_enum};

numeric_id!(
    /// Id of an import job.
    ImportId in "relance::sendethic"
);
numeric_id!(
    /// Id of an export job.
    ExportJobId in "relance::sendethic"
);
numeric_id!(
    /// Id of a purge job.
    PurgeId in "relance::sendethic"
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

/// An export job (`ExportOperation`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
#[allow(missing_docs)] // one-to-one with the documented wire properties
pub struct ExportJob {
    #[serde(default)]
    pub id: ExportJobId,
    #[serde(default, deserialize_with = "crate::wire::lenient::opt_string")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<Timestamp>,
    /// Status text (undocumented value set).
    #[serde(default, deserialize_with = "crate::wire::lenient::opt_string")]
    pub status: Option<String>,
    /// Link to the archive, once ready.
    #[serde(default, deserialize_with = "crate::wire::lenient::opt_string")]
    pub link: Option<String>,
    #[serde(default, deserialize_with = "crate::wire::lenient::int")]
    pub total_contact: i64,
    /// Properties this version of `relance` does not model.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// A purge job (`PurgeOperation`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
#[allow(missing_docs)] // one-to-one with the documented wire properties
pub struct PurgeJob {
    #[serde(default)]
    pub id: PurgeId,
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
    /// Properties this version of `relance` does not model.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// The lenient reading of a job's status and link (see the module docs).
fn job_progress(status: Option<&str>, link: Option<&str>) -> Progress {
    let status = status.unwrap_or_default().to_owned();
    if link.is_some_and(|l| file_name_of(l).is_some()) {
        return Progress::Done;
    }
    if looks_failed(&status) {
        return Progress::Failed(status);
    }
    let s = status.to_lowercase();
    if ["done", "finish", "complete", "success", "termin"]
        .iter()
        .any(|w| s.contains(w))
    {
        Progress::Done
    } else {
        Progress::Pending(status)
    }
}

macro_rules! job_helpers {
    ($ty:ident) => {
        impl $ty {
            /// Whether the job has finished (see the module docs for how this is read).
            ///
            /// ```
            /// # fn show(job: &relance::sendethic::ImportJob) {
            /// if job.is_finished() { println!("done"); }
            /// # }
            /// ```
            #[must_use]
            pub fn is_finished(&self) -> bool {
                self.progress() == Progress::Done
            }

            /// The file name of the job's archive (the last segment of `Link`), once set.
            ///
            /// ```
            /// # fn show(job: &relance::sendethic::ImportJob) {
            /// if let Some(file) = job.file_name() { println!("{file}"); }
            /// # }
            /// ```
            #[must_use]
            pub fn file_name(&self) -> Option<String> {
                file_name_of(self.link.as_deref()?)
            }

            fn progress(&self) -> Progress {
                job_progress(self.status.as_deref(), self.link.as_deref())
            }
        }
    };
}
job_helpers!(ImportJob);
job_helpers!(ExportJob);
job_helpers!(PurgeJob);

open_enum!(
    /// File encoding of an import or purge file.
    FileEncoding in "relance::sendethic" {
        /// UTF-8 (what `relance` writes).
        Utf8 => "UTF-8",
        /// UTF-16 (`Unicode`).
        Unicode => "Unicode",
        /// Latin-1.
        Iso8859_1 => "ISO-8859-1",
        /// Latin-9.
        Iso8859_15 => "ISO-8859-15",
        /// UTF-32.
        Utf32 => "UTF-32",
        /// UTF-7.
        Utf7 => "UTF-7",
    }
);

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

/// The separators Sendethic accepts for import and purge files.
pub const SEPARATORS: &[char] = &[
    ',', ';', ' ', '\t', '-', '|', '*', ':', '.', '&', '/', '\\', '+', '"',
];

/// Checks the layout of an uploaded file and appends its parts (`firstLine`,
/// `firstLineAsHeader`, `encoding`, `separator`), shared by imports and purges.
fn layout_parts(
    form: Form,
    first_line: u32,
    header: bool,
    encoding: &FileEncoding,
    separator: char,
) -> Result<Form> {
    if first_line < 1 {
        return Err(Error::invalid("firstLine", "lines are numbered from 1"));
    }
    check_separator(separator)?;
    Ok(form
        .text("firstLine", first_line.to_string())
        .text("firstLineAsHeader", header.to_string())
        .text("encoding", encoding.as_str().to_owned())
        .text("separator", separator.to_string()))
}

fn check_separator(sep: char) -> Result<()> {
    if SEPARATORS.contains(&sep) {
        Ok(())
    } else {
        Err(Error::invalid(
            format!("separator {sep:?}"),
            "not one of the separators Sendethic accepts",
        ))
    }
}

/// A file to upload.
pub struct FileSource {
    kind: SourceKind,
}

enum SourceKind {
    Bytes(Bytes, String),
    Path(std::path::PathBuf),
    Rows(BoxStream<'static, Vec<String>>),
}

impl fmt::Debug for FileSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            SourceKind::Bytes(b, name) => write!(f, "FileSource::Bytes({name}, {} bytes)", b.len()),
            SourceKind::Path(p) => write!(f, "FileSource::Path({})", p.display()),
            SourceKind::Rows(_) => f.write_str("FileSource::Rows(..)"),
        }
    }
}

impl FileSource {
    /// A file already in memory.
    ///
    /// ```
    /// let src = relance::sendethic::FileSource::bytes("email;firstname\na@x.fr;Ann\n", "contacts.csv");
    /// # let _ = src;
    /// ```
    #[must_use]
    pub fn bytes(content: impl Into<Bytes>, file_name: impl Into<String>) -> Self {
        Self {
            kind: SourceKind::Bytes(content.into(), file_name.into()),
        }
    }

    /// A file on disk, streamed while uploading.
    ///
    /// ```
    /// let src = relance::sendethic::FileSource::path("/var/exports/contacts.csv");
    /// # let _ = src;
    /// ```
    #[must_use]
    pub fn path(path: impl AsRef<Path>) -> Self {
        Self {
            kind: SourceKind::Path(path.as_ref().to_owned()),
        }
    }

    /// Rows that `relance` writes as CSV (UTF-8, quoted as needed) while uploading; nothing
    /// is buffered beyond one chunk, so memory stays flat in the number of rows. The first
    /// row is written first (use it for a header line).
    ///
    /// ```
    /// let rows = (0..1_000_000).map(|i| vec![format!("user{i}@example.com"), format!("User {i}")]);
    /// let src = relance::sendethic::FileSource::rows(rows);
    /// # let _ = src;
    /// ```
    #[must_use]
    pub fn rows<I>(rows: I) -> Self
    where
        I: IntoIterator<Item = Vec<String>>,
        I::IntoIter: Send + 'static,
    {
        Self::row_stream(futures_util::stream::iter(rows))
    }

    /// Like [`rows`](Self::rows), from an asynchronous stream (for example rows read from a
    /// database cursor): each row is pulled only when the upload needs more data.
    ///
    /// ```
    /// use futures_util::stream;
    /// let rows = stream::iter(vec![vec!["email".to_owned()], vec!["a@example.com".to_owned()]]);
    /// let src = relance::sendethic::FileSource::row_stream(rows);
    /// # let _ = src;
    /// ```
    #[must_use]
    pub fn row_stream<S>(rows: S) -> Self
    where
        S: Stream<Item = Vec<String>> + Send + 'static,
    {
        Self {
            kind: SourceKind::Rows(rows.boxed()),
        }
    }

    /// Typed contacts written as CSV while uploading: a header line with the wire id of
    /// each column (`email`, `firstname`, `26`...), then one line per contact with its value
    /// for each column (a [`Patch::Set`](super::Patch::Set) value as written on the wire;
    /// [`Patch::Unset`](super::Patch::Unset) and [`Patch::Clear`](super::Patch::Clear) as
    /// an empty cell). An `email` column falls back to the contact key when the contact's
    /// `email` is unset. Contacts are pulled lazily: memory stays flat in their number.
    ///
    /// [`ContactImport::from_contacts`] builds the whole import (matchings included).
    ///
    /// ```
    /// use relance::sendethic::{Contact, FieldId, FileSource, ImportColumn};
    /// let contacts = (0..100_000).map(|i| Contact::new(format!("u{i}@example.com")).first_name(format!("User {i}")));
    /// let columns = [ImportColumn::standard("email"), ImportColumn::standard("firstname"), ImportColumn::Custom(FieldId(26))];
    /// let src = FileSource::contacts(contacts, &columns);
    /// # let _ = src;
    /// ```
    #[must_use]
    pub fn contacts<I>(contacts: I, columns: &[ImportColumn]) -> Self
    where
        I: IntoIterator<Item = Contact>,
        I::IntoIter: Send + 'static,
    {
        Self::contact_stream(futures_util::stream::iter(contacts), columns)
    }

    /// Like [`contacts`](Self::contacts), from an asynchronous stream of contacts.
    ///
    /// ```
    /// use futures_util::stream;
    /// use relance::sendethic::{Contact, FileSource, ImportColumn};
    /// let contacts = stream::iter((0..10).map(|i| Contact::new(format!("u{i}@example.com"))));
    /// let src = FileSource::contact_stream(contacts, &[ImportColumn::standard("email")]);
    /// # let _ = src;
    /// ```
    #[must_use]
    pub fn contact_stream<S>(contacts: S, columns: &[ImportColumn]) -> Self
    where
        S: Stream<Item = Contact> + Send + 'static,
    {
        let ids: Vec<String> = columns.iter().map(ImportColumn::wire).collect();
        let header = futures_util::stream::iter([ids.clone()]);
        let rows = contacts.map(move |c| contact_row(&c, &ids));
        Self::row_stream(header.chain(rows))
    }

    /// The multipart file part. Rows are written with `separator`.
    fn into_part(self, separator: char) -> Result<Part> {
        let part = match self.kind {
            SourceKind::Bytes(bytes, name) => {
                Part::stream(reqwest::Body::from(bytes)).file_name(name)
            }
            SourceKind::Path(path) => {
                let name = path.file_name().map_or_else(
                    || "contacts.csv".to_owned(),
                    |n| n.to_string_lossy().into_owned(),
                );
                let file = std::fs::File::open(&path).map_err(|e| {
                    Error::io(format!("cannot open the file {}", path.display()), e)
                })?;
                let len = file.metadata().map(|m| m.len()).ok();
                let stream = file_chunks(file);
                let body = reqwest::Body::wrap_stream(stream);
                match len {
                    Some(len) => Part::stream_with_length(body, len),
                    None => Part::stream(body),
                }
                .file_name(name)
            }
            SourceKind::Rows(_) if separator == '"' => {
                return Err(Error::invalid(
                    "separator '\"'",
                    "rows cannot be written as CSV with the quote character as separator",
                ));
            }
            SourceKind::Rows(rows) => {
                Part::stream(reqwest::Body::wrap_stream(csv_chunks(rows, separator)))
                    .file_name("contacts.csv")
            }
        };
        part.mime_str("text/csv")
            .map_err(|e| Error::invalid("file", format!("bad content type: {e}")))
    }
}

/// One CSV row of a contact: its wire value for each column id.
fn contact_row(contact: &Contact, ids: &[String]) -> Vec<String> {
    ids.iter()
        .map(|id| match contact.wire_value(id) {
            Some(v) => v,
            None if id == "email" => contact.key.clone(),
            None => String::new(),
        })
        .collect()
}

/// Reads a file in 64 KiB chunks, blocking I/O on a small file read per chunk.
fn file_chunks(
    file: std::fs::File,
) -> impl futures_util::Stream<Item = std::io::Result<Bytes>> + Send + 'static {
    futures_util::stream::unfold(Some(file), |state| async move {
        let mut file = state?;
        let mut buf = vec![0u8; 64 * 1024];
        match std::io::Read::read(&mut file, &mut buf) {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(Bytes::from(buf)), Some(file)))
            }
            Err(e) => Some((Err(e), None)),
        }
    })
}

/// Writes rows as CSV into ~64 KiB chunks, pulling rows only when the upload asks for the
/// next chunk.
fn csv_chunks(
    rows: BoxStream<'static, Vec<String>>,
    separator: char,
) -> impl Stream<Item = std::io::Result<Bytes>> + Send + 'static {
    futures_util::stream::unfold(Some(rows), move |state| async move {
        let mut rows = state?;
        let mut chunk = String::with_capacity(72 * 1024);
        let mut ended = false;
        while chunk.len() < 64 * 1024 {
            let Some(row) = rows.next().await else {
                ended = true;
                break;
            };
            write_csv_row(&mut chunk, &row, separator);
        }
        if chunk.is_empty() {
            None
        } else {
            Some((Ok(Bytes::from(chunk)), (!ended).then_some(rows)))
        }
    })
}

/// Appends one CSV row (quoting fields that need it) and a newline.
pub(crate) fn write_csv_row(out: &mut String, row: &[String], separator: char) {
    for (i, field) in row.iter().enumerate() {
        if i > 0 {
            out.push(separator);
        }
        let needs_quotes = field.contains(separator)
            || field.contains('"')
            || field.contains('\n')
            || field.contains('\r')
            || field.starts_with(' ')
            || field.ends_with(' ');
        if needs_quotes {
            out.push('"');
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(field);
        }
    }
    out.push('\n');
}

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
    Custom(super::FieldId),
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

    fn wire(&self) -> String {
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

    /// The separator (one of [`SEPARATORS`]; checked before sending).
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

/// A contact export (`ContactExportNfo`).
///
/// ```
/// use relance::sendethic::{ContactExport, ExportFilter, SegmentId};
/// let export = ContactExport::new("weekly")
///     .segment(SegmentId(12))
///     .fields(["email", "firstname", "emailopenings", "26"])
///     .filter(ExportFilter::EmailOptIn);
/// # let _ = export;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactExport {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fields: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    filters: Vec<ExportFilter>,
}

open_enum!(
    /// A filter of a contact export.
    ExportFilter in "relance::sendethic" {
        /// Contacts opted in to email.
        EmailOptIn => "emailingoptin",
        /// Contacts opted in to SMS.
        MobileOptIn => "mobileoptin",
        /// Contacts opted out of email.
        EmailOptOut => "emailingoptout",
        /// Contacts opted out of SMS.
        MobileOptOut => "mobileoptout",
        /// Soft bounces.
        SoftBounce => "emailingsoft",
        /// Hard bounces.
        HardBounce => "emailinghard",
    }
);

impl ContactExport {
    /// An export of the whole base named `name`.
    ///
    /// ```
    /// let e = relance::sendethic::ContactExport::new("all");
    /// # let _ = e;
    /// ```
    #[must_use]
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            description: None,
            fields: Vec::new(),
            filters: Vec::new(),
        }
    }

    /// Exports one segment only (`description: "segment:<id>"`).
    ///
    /// ```
    /// let e = relance::sendethic::ContactExport::new("vip").segment(relance::sendethic::SegmentId(3));
    /// # let _ = e;
    /// ```
    #[must_use]
    pub fn segment(mut self, id: super::SegmentId) -> Self {
        self.description = Some(format!("segment:{id}"));
        self
    }

    /// The columns: standard field ids (`email`, `emailopenings`...) or custom field ids.
    ///
    /// ```
    /// let e = relance::sendethic::ContactExport::new("x").fields(["email", "emailclicks"]);
    /// # let _ = e;
    /// ```
    #[must_use]
    pub fn fields<I, S>(mut self, fields: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.fields = fields.into_iter().map(Into::into).collect();
        self
    }

    /// Adds a filter.
    ///
    /// ```
    /// let e = relance::sendethic::ContactExport::new("x").filter(relance::sendethic::ExportFilter::HardBounce);
    /// # let _ = e;
    /// ```
    #[must_use]
    pub fn filter(mut self, filter: ExportFilter) -> Self {
        self.filters.push(filter);
        self
    }
}

/// A purge (`POST /contacts/purge/add`, multipart): deletes the contacts whose keys are in
/// the file.
///
/// ```
/// use relance::sendethic::ContactPurge;
/// let purge = ContactPurge::keys(["gone@example.com", "left@example.com"]);
/// # let _ = purge;
/// ```
#[derive(Debug)]
pub struct ContactPurge {
    source: FileSource,
    first_line: u32,
    header: bool,
    encoding: FileEncoding,
    separator: char,
    key_column: u32,
}

impl ContactPurge {
    /// A purge of these contact keys (written as a one-column file, no header).
    ///
    /// ```
    /// let p = relance::sendethic::ContactPurge::keys(vec!["a@x.fr".to_string()]);
    /// # let _ = p;
    /// ```
    #[must_use]
    pub fn keys<I, S>(keys: I) -> Self
    where
        I: IntoIterator<Item = S>,
        I::IntoIter: Send + 'static,
        S: Into<String>,
    {
        Self {
            source: FileSource::rows(keys.into_iter().map(|k| vec![k.into()])),
            first_line: 1,
            header: false,
            encoding: FileEncoding::Utf8,
            separator: ';',
            key_column: 1,
        }
    }

    /// A purge of a file whose column `key_column` (1-based) holds the keys.
    ///
    /// ```
    /// use relance::sendethic::{ContactPurge, FileSource};
    /// let p = ContactPurge::file(FileSource::path("leavers.csv"), 2).header(true);
    /// # let _ = p;
    /// ```
    #[must_use]
    pub fn file(source: FileSource, key_column: u32) -> Self {
        Self {
            source,
            first_line: 1,
            header: false,
            encoding: FileEncoding::Utf8,
            separator: ';',
            key_column,
        }
    }

    /// The first line to read (1-based; `firstLine`).
    ///
    /// ```
    /// use relance::sendethic::{ContactPurge, FileSource};
    /// let p = ContactPurge::file(FileSource::path("leavers.csv"), 1).first_line(3);
    /// # let _ = p;
    /// ```
    #[must_use]
    pub fn first_line(mut self, line: u32) -> Self {
        self.first_line = line;
        self
    }

    /// Whether the first line is a header.
    ///
    /// ```
    /// let p = relance::sendethic::ContactPurge::keys(vec!["a@x.fr".to_string()]).header(false);
    /// # let _ = p;
    /// ```
    #[must_use]
    pub fn header(mut self, header: bool) -> Self {
        self.header = header;
        self
    }

    /// The separator of the file.
    ///
    /// ```
    /// let p = relance::sendethic::ContactPurge::keys(vec!["a@x.fr".to_string()]).separator(',');
    /// # let _ = p;
    /// ```
    #[must_use]
    pub fn separator(mut self, separator: char) -> Self {
        self.separator = separator;
        self
    }

    /// The file encoding.
    ///
    /// ```
    /// use relance::sendethic::{ContactPurge, FileEncoding};
    /// let p = ContactPurge::keys(vec!["a@x.fr".to_string()]).encoding(FileEncoding::Utf8);
    /// # let _ = p;
    /// ```
    #[must_use]
    pub fn encoding(mut self, encoding: FileEncoding) -> Self {
        self.encoding = encoding;
        self
    }

    fn into_form(self) -> Result<Form> {
        let form = layout_parts(
            Form::new(),
            self.first_line,
            self.header,
            &self.encoding,
            self.separator,
        )?;
        if self.key_column < 1 {
            return Err(Error::invalid("keyColumn", "columns are numbered from 1"));
        }
        let file = self.source.into_part(self.separator)?;
        Ok(form
            .text("keyColumn", self.key_column.to_string())
            .part("file", file))
    }
}

/// Handler for imports, exports and purges. Created by [`Client::lists`].
#[derive(Debug, Clone)]
pub struct ListsHandler {
    client: Client,
}

impl ListsHandler {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    fn get(&self, template: &'static str, segments: &[&str]) -> RequestDraft {
        self.client.request(Method::GET, template, segments)
    }

    fn multipart(
        &self,
        template: &'static str,
        segments: &[&str],
        form: Result<Form>,
    ) -> RequestDraft {
        let draft = self.client.request(Method::POST, template, segments);
        match form {
            Ok(form) => draft.body(Body::multipart(form)),
            Err(e) => draft.fail(e),
        }
    }

    /// Starts an import (`POST /contacts/import/add`). The upload streams and is never
    /// retried.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::{ContactImport, FileSource, ImportColumn};
    /// let job = client
    ///     .lists()
    ///     .import(ContactImport::new("daily", FileSource::path("contacts.csv")).columns([ImportColumn::standard("email")]))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn import(&self, import: ContactImport) -> Request<ImportJob> {
        self.multipart(
            "/contacts/import/add",
            &["contacts", "import", "add"],
            import.into_form(),
        )
        .decode_json()
    }

    /// Lists import jobs (`GET /contacts/import`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let jobs = client.lists().imports().await?;
    /// # Ok(()) }
    /// ```
    pub fn imports(&self) -> Request<Vec<ImportJob>> {
        self.get("/contacts/import", &["contacts", "import"])
            .decode_json()
    }

    /// Gets an import job (`GET /contacts/import/{id}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let job = client.lists().import_job(relance::sendethic::ImportId(5)).await?;
    /// println!("{} lines imported, {} errors", job.line_import, job.line_error);
    /// # Ok(()) }
    /// ```
    pub fn import_job(&self, id: ImportId) -> Request<ImportJob> {
        self.get(
            "/contacts/import/{id}",
            &["contacts", "import", &id.to_string()],
        )
        .decode_json()
    }

    /// Deletes an import job (`DELETE /contacts/import/{id}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// client.lists().delete_import(relance::sendethic::ImportId(5)).await?;
    /// # Ok(()) }
    /// ```
    pub fn delete_import(&self, id: ImportId) -> Request<ServerMessage> {
        self.client
            .request(
                Method::DELETE,
                "/contacts/import/{id}",
                &["contacts", "import", &id.to_string()],
            )
            .message()
    }

    /// Downloads an import report archive (`GET /contacts/import/file/{fileName}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let zip = client.lists().download_import("import_5.zip").await?;
    /// # Ok(()) }
    /// ```
    pub fn download_import(&self, file_name: &str) -> Request<Bytes> {
        self.get(
            "/contacts/import/file/{fileName}",
            &["contacts", "import", "file", file_name],
        )
        .bytes()
    }

    /// Waits until an import job finishes (see the module docs for how status is read).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::{ImportId, JobWait};
    /// let job = client.lists().wait_import(ImportId(5), JobWait::new(std::time::Duration::from_secs(900))).await?;
    /// # Ok(()) }
    /// ```
    pub async fn wait_import(&self, id: ImportId, wait: JobWait) -> Result<ImportJob> {
        wait_for(
            Job::new(JobKind::Import, id),
            wait,
            || self.import_job(id).send(),
            ImportJob::progress,
        )
        .await
    }

    /// Starts an export (`POST /contacts/export/add`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::{ContactExport, SegmentId};
    /// let job = client.lists().export(ContactExport::new("vip").segment(SegmentId(3))).await?;
    /// # Ok(()) }
    /// ```
    pub fn export(&self, export: ContactExport) -> Request<ExportJob> {
        let draft = self.client.request(
            Method::POST,
            "/contacts/export/add",
            &["contacts", "export", "add"],
        );
        if export.name.trim().is_empty() {
            draft.fail(Error::invalid("name", "the export name is required"))
        } else {
            draft.json(export)
        }
        .decode_json()
    }

    /// Lists export jobs (`GET /contacts/export`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let jobs = client.lists().exports().await?;
    /// # Ok(()) }
    /// ```
    pub fn exports(&self) -> Request<Vec<ExportJob>> {
        self.get("/contacts/export", &["contacts", "export"])
            .decode_json()
    }

    /// Gets an export job (`GET /contacts/export/{id}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let job = client.lists().export_job(relance::sendethic::ExportJobId(8)).await?;
    /// # Ok(()) }
    /// ```
    pub fn export_job(&self, id: ExportJobId) -> Request<ExportJob> {
        self.get(
            "/contacts/export/{id}",
            &["contacts", "export", &id.to_string()],
        )
        .decode_json()
    }

    /// Deletes an export job (`DELETE /contacts/export/{id}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// client.lists().delete_export(relance::sendethic::ExportJobId(8)).await?;
    /// # Ok(()) }
    /// ```
    pub fn delete_export(&self, id: ExportJobId) -> Request<ServerMessage> {
        self.client
            .request(
                Method::DELETE,
                "/contacts/export/{id}",
                &["contacts", "export", &id.to_string()],
            )
            .message()
    }

    /// Downloads an export archive into memory (`GET /contacts/export/file/{fileName}`);
    /// prefer [`export_records`](Self::export_records) for large bases.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let zip = client.lists().download_export("export_8.zip").await?;
    /// # Ok(()) }
    /// ```
    pub fn download_export(&self, file_name: &str) -> Request<Bytes> {
        self.get(
            "/contacts/export/file/{fileName}",
            &["contacts", "export", "file", file_name],
        )
        .bytes()
    }

    /// Waits until an export's archive is ready.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::{ExportJobId, JobWait};
    /// let job = client.lists().wait_export(ExportJobId(8), JobWait::new(std::time::Duration::from_secs(900))).await?;
    /// # Ok(()) }
    /// ```
    pub async fn wait_export(&self, id: ExportJobId, wait: JobWait) -> Result<ExportJob> {
        wait_for(
            Job::new(JobKind::Export, id),
            wait,
            || self.export_job(id).send(),
            ExportJob::progress,
        )
        .await
    }

    /// Starts an export, waits for it, downloads the archive **to a temporary file**
    /// (streamed, never whole in memory), extracts its CSV to another temporary file, and
    /// returns a reader of its rows, one at a time. The temporary files are removed when the
    /// reader is dropped. The download may take as long as `wait`'s deadline (a large archive
    /// takes longer than the client's default per-attempt timeout).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use std::time::Duration;
    /// use relance::sendethic::{ContactExport, JobWait, SegmentId};
    /// let rows = client
    ///     .lists()
    ///     .export_records(
    ///         ContactExport::new("vip").segment(SegmentId(3)).fields(["email", "firstname"]),
    ///         JobWait::new(Duration::from_secs(900)),
    ///     )
    ///     .await?;
    /// for row in rows {
    ///     match row {
    ///         Ok(record) => println!("{:?}", record.email()),
    ///         Err(e) => eprintln!("skipped: {e}"),
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn export_records(
        &self,
        export: ContactExport,
        wait: JobWait,
    ) -> Result<RecordReader<std::fs::File>> {
        let job = self.export(export).await?;
        let job = if job.is_finished() {
            job
        } else {
            self.wait_export(job.id, wait).await?
        };
        let file = job
            .file_name()
            .ok_or_else(|| Error::invalid("Link", "the export has no download link"))?;
        let archive = self
            .download_to_temp(
                "/contacts/export/file/{fileName}",
                &["contacts", "export", "file", &file],
                wait.deadline(),
            )
            .await?;
        let csv = extract_csv(archive)?;
        RecordReader::new(csv)
    }

    async fn download_to_temp(
        &self,
        template: &'static str,
        segments: &[&str],
        timeout: std::time::Duration,
    ) -> Result<std::fs::File> {
        let mut options = RequestOptions::new();
        if timeout > std::time::Duration::ZERO {
            options = options.timeout(timeout);
        }
        let (core, raw) = self.get(template, segments).into_raw(options)?;
        let response = core.execute_streaming(raw).await?;
        let mut file =
            tempfile::tempfile().map_err(|e| Error::io("cannot create a temporary file", e))?;
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| {
                if e.is_timeout() {
                    Error::Timeout { source: Some(e) }
                } else {
                    Error::Transport(e)
                }
            })?;
            file.write_all(&chunk)
                .map_err(|e| Error::io("cannot write the temporary file", e))?;
        }
        file.rewind()
            .map_err(|e| Error::io("cannot read the temporary file", e))?;
        Ok(file)
    }

    /// Starts a purge (`POST /contacts/purge/add`, multipart; never retried).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::ContactPurge;
    /// let job = client.lists().purge(ContactPurge::keys(["gone@example.com"])).await?;
    /// # Ok(()) }
    /// ```
    pub fn purge(&self, purge: ContactPurge) -> Request<PurgeJob> {
        self.multipart(
            "/contacts/purge/add",
            &["contacts", "purge", "add"],
            purge.into_form(),
        )
        .decode_json()
    }

    /// Lists purge jobs (`GET /contacts/purge`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let jobs = client.lists().purges().await?;
    /// # Ok(()) }
    /// ```
    pub fn purges(&self) -> Request<Vec<PurgeJob>> {
        self.get("/contacts/purge", &["contacts", "purge"])
            .decode_json()
    }

    /// Gets a purge job (`GET /contacts/purge/{id}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let job = client.lists().purge_job(relance::sendethic::PurgeId(2)).await?;
    /// # Ok(()) }
    /// ```
    pub fn purge_job(&self, id: PurgeId) -> Request<PurgeJob> {
        self.get(
            "/contacts/purge/{id}",
            &["contacts", "purge", &id.to_string()],
        )
        .decode_json()
    }

    /// Deletes a purge job (`DELETE /contacts/purge/{id}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// client.lists().delete_purge(relance::sendethic::PurgeId(2)).await?;
    /// # Ok(()) }
    /// ```
    pub fn delete_purge(&self, id: PurgeId) -> Request<ServerMessage> {
        self.client
            .request(
                Method::DELETE,
                "/contacts/purge/{id}",
                &["contacts", "purge", &id.to_string()],
            )
            .message()
    }

    /// Downloads a purge report archive (`GET /contacts/purge/file/{fileName}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let zip = client.lists().download_purge("purge_2.zip").await?;
    /// # Ok(()) }
    /// ```
    pub fn download_purge(&self, file_name: &str) -> Request<Bytes> {
        self.get(
            "/contacts/purge/file/{fileName}",
            &["contacts", "purge", "file", file_name],
        )
        .bytes()
    }

    /// Waits until a purge job finishes.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::{JobWait, PurgeId};
    /// let job = client.lists().wait_purge(PurgeId(2), JobWait::new(std::time::Duration::from_secs(300))).await?;
    /// # Ok(()) }
    /// ```
    pub async fn wait_purge(&self, id: PurgeId, wait: JobWait) -> Result<PurgeJob> {
        wait_for(
            Job::new(JobKind::Purge, id),
            wait,
            || self.purge_job(id).send(),
            PurgeJob::progress,
        )
        .await
    }
}

/// Extracts the first `.csv`/`.txt` entry (or the first entry) of a zip file to a temporary
/// file, streaming.
fn extract_csv(archive: std::fs::File) -> Result<std::fs::File> {
    let mut zip = zip::ZipArchive::new(archive)
        .map_err(|e| Error::io("not a readable zip archive", std::io::Error::other(e)))?;
    let index = (0..zip.len())
        .find(|&i| {
            zip.name_for_index(i).is_some_and(|n| {
                Path::new(n)
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("csv") || e.eq_ignore_ascii_case("txt"))
            })
        })
        .unwrap_or(0);
    let mut entry = zip
        .by_index(index)
        .map_err(|e| Error::io("cannot open the archive entry", std::io::Error::other(e)))?;
    let mut out =
        tempfile::tempfile().map_err(|e| Error::io("cannot create a temporary file", e))?;
    std::io::copy(&mut entry, &mut out)
        .map_err(|e| Error::io("cannot extract the archive", std::io::Error::other(e)))?;
    out.rewind()
        .map_err(|e| Error::io("cannot read the temporary file", e))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_are_quoted_as_needed() {
        let mut out = String::new();
        write_csv_row(
            &mut out,
            &["a;b".into(), "say \"hi\"".into(), "x".into(), " pad".into()],
            ';',
        );
        assert_eq!(out, "\"a;b\";\"say \"\"hi\"\"\";x;\" pad\"\n");
    }

    #[test]
    fn job_progress_is_lenient() {
        assert_eq!(
            job_progress(Some("Pending"), None),
            Progress::Pending("Pending".into())
        );
        assert_eq!(job_progress(Some("Terminé"), None), Progress::Done);
        assert_eq!(
            job_progress(None, Some("https://x/file/a.zip")),
            Progress::Done
        );
        assert_eq!(
            job_progress(Some("Error"), None),
            Progress::Failed("Error".into())
        );
    }

    #[test]
    fn separators_are_checked() {
        assert!(check_separator(';').is_ok());
        assert!(check_separator('\t').is_ok());
        assert!(matches!(
            check_separator('#'),
            Err(Error::InvalidInput { .. })
        ));
    }
}
