//! Files uploaded by imports and purges: where their bytes come from ([`FileSource`]), how
//! rows are written as CSV while uploading, and the layout parts both send.

use std::fmt;
use std::path::Path;

use bytes::Bytes;
use futures_util::stream::BoxStream;
use futures_util::{Stream, StreamExt};
use reqwest::multipart::{Form, Part};

use super::imports::ImportColumn;
use crate::error::{Error, Result};
use crate::sendethic::contacts::Contact;
use crate::wire::open_enum;

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

/// The separators Sendethic accepts for import and purge files.
pub const SEPARATORS: &[char] = &[
    ',', ';', ' ', '\t', '-', '|', '*', ':', '.', '&', '/', '\\', '+', '"',
];

/// Checks the layout of an uploaded file and appends its parts (`firstLine`,
/// `firstLineAsHeader`, `encoding`, `separator`), shared by imports and purges.
pub(super) fn layout_parts(
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
    /// for each column (a [`Patch::Set`](crate::sendethic::Patch::Set) value as written on the wire;
    /// [`Patch::Unset`](crate::sendethic::Patch::Unset) and [`Patch::Clear`](crate::sendethic::Patch::Clear) as
    /// an empty cell). An `email` column falls back to the contact key when the contact's
    /// `email` is unset. Contacts are pulled lazily: memory stays flat in their number.
    ///
    /// [`ContactImport::from_contacts`](super::ContactImport::from_contacts) builds the whole import (matchings included).
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
    pub(super) fn into_part(self, separator: char) -> Result<Part> {
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
            Some(v) => v.into_owned(),
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
fn write_csv_row(out: &mut String, row: &[String], separator: char) {
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
    fn separators_are_checked() {
        assert!(check_separator(';').is_ok());
        assert!(check_separator('\t').is_ok());
        assert!(matches!(
            check_separator('#'),
            Err(Error::InvalidInput { .. })
        ));
    }
}
