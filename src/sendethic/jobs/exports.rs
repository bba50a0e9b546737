//! Contact exports (`/contacts/export`): the export job, what starts one, and the whole
//! pipeline to its rows.

use serde::{Deserialize, Serialize};

use super::{ExportsHandler, contact_job};
use crate::error::{Error, Result};
use crate::http::{JobWait, Request};
use crate::sendethic::archive;
use crate::sendethic::core::json_body;
use crate::sendethic::records::RecordReader;
use crate::sendethic::types::{SegmentId, Timestamp};
use crate::wire::{numeric_id, open_enum};

numeric_id!(
    /// Id of an export job.
    ExportJobId in "relance::sendethic"
);

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

contact_job!(ExportJob, ExportJobId, Export, "export");

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
    /// The export, once it has a name.
    fn checked(self) -> Result<Self> {
        if self.name.trim().is_empty() {
            Err(Error::invalid("name", "the export name is required"))
        } else {
            Ok(self)
        }
    }

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
    pub fn segment(mut self, id: SegmentId) -> Self {
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

impl ExportsHandler {
    /// Starts an export (`POST /contacts/export/add`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::{ContactExport, SegmentId};
    /// let job = client.exports().start(ContactExport::new("vip").segment(SegmentId(3))).await?;
    /// # Ok(()) }
    /// ```
    #[doc(alias = "export")]
    pub fn start(&self, export: ContactExport) -> Request<ExportJob> {
        self.start_with(export.checked().and_then(|e| json_body(&e)))
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
    ///     .exports()
    ///     .records(
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
    #[doc(alias = "export_records")]
    pub async fn records(
        &self,
        export: ContactExport,
        wait: JobWait,
    ) -> Result<RecordReader<std::fs::File>> {
        let job = self.start(export).await?;
        let job = if job.is_finished() {
            job
        } else {
            self.wait(job.id, wait).await?
        };
        let file = job
            .file_name()
            .ok_or_else(|| Error::invalid("Link", "the export has no download link"))?;
        let archive = archive::download_to_temp(self.file(&file), wait.deadline()).await?;
        archive::records_on_disk(archive)
    }
}
