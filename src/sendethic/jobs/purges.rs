//! Contact purges (`/contacts/purge`): the purge job and what starts one.

use reqwest::multipart::Form;
use serde::{Deserialize, Serialize};

use super::upload::{FileEncoding, FileSource, layout_parts};
use super::{PurgesHandler, contact_job};
use crate::error::{Error, Result};
use crate::http::{Body, Request};
use crate::sendethic::types::Timestamp;
use crate::wire::numeric_id;

numeric_id!(
    /// Id of a purge job.
    PurgeId in "relance::sendethic"
);

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
contact_job!(PurgeJob, PurgeId, Purge, "purge");

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

impl PurgesHandler {
    /// Starts a purge (`POST /contacts/purge/add`, multipart; never retried).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::ContactPurge;
    /// let job = client.purges().start(ContactPurge::keys(["gone@example.com"])).await?;
    /// # Ok(()) }
    /// ```
    #[doc(alias = "purge")]
    pub fn start(&self, purge: ContactPurge) -> Request<PurgeJob> {
        self.start_with(purge.into_form().map(Body::multipart))
    }
}
