//! Contact jobs: imports, exports and purges (`/contacts/import`, `/contacts/export`,
//! `/contacts/purge`) — asynchronous server jobs, with streamed uploads and downloads.
//!
//! - **Imports** upload a file (multipart). The file can be a path, bytes, or rows or typed
//!   contacts (from an iterator or a stream) that `relance` writes as CSV *while uploading*:
//!   memory stays flat in the number of contacts. A generated file has no known length, so its
//!   request is sent with chunked transfer encoding.
//! - **Exports** produce a zip archive; [`ExportsHandler::records`] waits for it, downloads
//!   it to a temporary file, and reads its CSV one row at a time.
//! - **Purges** delete the contacts whose keys are listed in an uploaded file.
//!
//! The three share one handler, [`JobsHandler`], written once for every [`ContactJob`]: list,
//! get, delete, wait for, and download the archive of a job. Each kind adds how it starts
//! (`imports`, `exports`, `purges`); the uploaded files are in `upload`, the reading of a
//! job's status in `status`.

mod exports;
mod imports;
mod purges;
mod status;
mod upload;

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use bytes::Bytes;
use reqwest::Method;
use serde::de::DeserializeOwned;

pub use exports::{ContactExport, ExportFilter, ExportJob, ExportJobId};
pub use imports::{ContactImport, DuplicateOption, ImportColumn, ImportId, ImportJob};
pub use purges::{ContactPurge, PurgeId, PurgeJob};
pub(crate) use status::{file_name_of, looks_failed};
pub use upload::{FileEncoding, FileSource, SEPARATORS};

use super::core::{Core, RequestDraft};
use super::types::ServerMessage;
use crate::error::Result;
use crate::http::{Body, Job, JobWait, Request, wait_for};

/// What the crate needs to know of a job kind; not nameable outside it, so only the three
/// kinds of this module implement [`ContactJob`].
mod sealed {
    use crate::http::JobKind;

    /// The path templates of one kind of job (what traces record).
    #[derive(Debug)]
    pub struct Routes {
        /// The path segment after `contacts` (`import`).
        pub segment: &'static str,
        /// `/contacts/<segment>`.
        pub list: &'static str,
        /// `/contacts/<segment>/{id}`.
        pub one: &'static str,
        /// `/contacts/<segment>/file/{fileName}`.
        pub file: &'static str,
        /// `/contacts/<segment>/add`.
        pub add: &'static str,
    }

    pub trait Sealed {
        /// The kind errors and traces name.
        const KIND: JobKind;
        /// The paths.
        const ROUTES: Routes;
        /// The status text as received.
        fn wire_status(&self) -> Option<&str>;
        /// The archive link as received.
        fn wire_link(&self) -> Option<&str>;
    }
}

/// A kind of contact job — [`ImportJob`], [`ExportJob`] or [`PurgeJob`] — and so what a
/// [`JobsHandler`] handles. Implemented by these three only.
pub trait ContactJob: sealed::Sealed + DeserializeOwned + Send + 'static {
    /// The id of a job of this kind ([`ImportId`], [`ExportJobId`], [`PurgeId`]).
    type Id: Copy + fmt::Display + Send + Sync + 'static;
}

/// Implements the public helpers and [`ContactJob`] for a job type whose `status` and `link`
/// are optional strings, under `/contacts/<segment>`.
macro_rules! contact_job {
    ($job:ident, $id:ident, $kind:ident, $segment:literal) => {
        impl $job {
            /// Whether the job has finished: its link is set, or its status (an
            /// undocumented value set) reads like completion (`done`, `finished`,
            /// `complete`, `success`, `terminé`).
            ///
            /// ```
            #[doc = concat!("# fn show(job: &relance::sendethic::", stringify!($job), ") {")]
            /// if job.is_finished() { println!("done"); }
            /// # }
            /// ```
            #[must_use]
            pub fn is_finished(&self) -> bool {
                super::status::job_progress(self.status.as_deref(), self.link.as_deref())
                    == crate::http::Progress::Done
            }

            /// The file name of the job's archive (the last segment of `Link`), once set.
            ///
            /// ```
            #[doc = concat!("# fn show(job: &relance::sendethic::", stringify!($job), ") {")]
            /// if let Some(file) = job.file_name() { println!("{file}"); }
            /// # }
            /// ```
            #[must_use]
            pub fn file_name(&self) -> Option<String> {
                super::status::file_name_of(self.link.as_deref()?)
            }
        }

        impl super::sealed::Sealed for $job {
            const KIND: crate::http::JobKind = crate::http::JobKind::$kind;
            const ROUTES: super::sealed::Routes = super::sealed::Routes {
                segment: $segment,
                list: concat!("/contacts/", $segment),
                one: concat!("/contacts/", $segment, "/{id}"),
                file: concat!("/contacts/", $segment, "/file/{fileName}"),
                add: concat!("/contacts/", $segment, "/add"),
            };

            fn wire_status(&self) -> Option<&str> {
                self.status.as_deref()
            }

            fn wire_link(&self) -> Option<&str> {
                self.link.as_deref()
            }
        }

        impl super::ContactJob for $job {
            type Id = $id;
        }
    };
}
use contact_job;

/// Handler for one kind of contact job: [`ImportsHandler`] ([`Client::imports`]),
/// [`ExportsHandler`] ([`Client::exports`]) or [`PurgesHandler`] ([`Client::purges`]).
///
/// Every kind is listed, read, deleted, waited for and downloaded the same way; how a job
/// starts depends on its kind (`start`, and [`ExportsHandler::records`] for the whole export
/// pipeline).
///
/// [`Client::imports`]: super::Client::imports
/// [`Client::exports`]: super::Client::exports
/// [`Client::purges`]: super::Client::purges
pub struct JobsHandler<J> {
    core: Arc<Core>,
    job: PhantomData<fn() -> J>,
}

/// Handler for contact imports (`/contacts/import`). Created by
/// [`Client::imports`](super::Client::imports).
pub type ImportsHandler = JobsHandler<ImportJob>;
/// Handler for contact exports (`/contacts/export`). Created by
/// [`Client::exports`](super::Client::exports).
pub type ExportsHandler = JobsHandler<ExportJob>;
/// Handler for contact purges (`/contacts/purge`). Created by
/// [`Client::purges`](super::Client::purges).
pub type PurgesHandler = JobsHandler<PurgeJob>;

impl<J> Clone for JobsHandler<J> {
    fn clone(&self) -> Self {
        Self {
            core: Arc::clone(&self.core),
            job: PhantomData,
        }
    }
}

impl<J: ContactJob> fmt::Debug for JobsHandler<J> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JobsHandler")
            .field("kind", &J::KIND)
            .field("core", &self.core)
            .finish()
    }
}

impl<J: ContactJob> JobsHandler<J> {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self {
            core,
            job: PhantomData,
        }
    }

    /// `POST /contacts/<kind>/add` with `body` (never retried: each call starts a job).
    fn start_with(&self, body: Result<Body>) -> Request<J> {
        let routes = J::ROUTES;
        self.core
            .request(
                Method::POST,
                routes.add,
                &["contacts", routes.segment, "add"],
            )
            .try_body(body)
            .decode_json()
    }

    /// `GET /contacts/<kind>/file/{fileName}`.
    fn file(&self, file_name: &str) -> RequestDraft {
        let routes = J::ROUTES;
        self.core.request(
            Method::GET,
            routes.file,
            &["contacts", routes.segment, "file", file_name],
        )
    }

    /// Lists the jobs of this kind (`GET /contacts/import`, `/contacts/export`,
    /// `/contacts/purge`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let imports = client.imports().list().await?;
    /// let exports = client.exports().list().await?;
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> Request<Vec<J>> {
        let routes = J::ROUTES;
        self.core
            .request(Method::GET, routes.list, &["contacts", routes.segment])
            .decode_json()
    }

    /// Gets a job (`GET /contacts/<kind>/{id}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let job = client.imports().get(relance::sendethic::ImportId(5)).await?;
    /// println!("{} lines imported, {} errors", job.line_import, job.line_error);
    /// # Ok(()) }
    /// ```
    pub fn get(&self, id: J::Id) -> Request<J> {
        let routes = J::ROUTES;
        self.core
            .request(
                Method::GET,
                routes.one,
                &["contacts", routes.segment, &id.to_string()],
            )
            .decode_json()
    }

    /// Deletes a job (`DELETE /contacts/<kind>/{id}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// client.purges().delete(relance::sendethic::PurgeId(2)).await?;
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, id: J::Id) -> Request<ServerMessage> {
        let routes = J::ROUTES;
        self.core
            .request(
                Method::DELETE,
                routes.one,
                &["contacts", routes.segment, &id.to_string()],
            )
            .message()
    }

    /// Downloads a job's archive into memory (`GET /contacts/<kind>/file/{fileName}`): an
    /// import or purge report, or an export (prefer [`ExportsHandler::records`] for large
    /// bases).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let zip = client.imports().download("import_5.zip").await?;
    /// # Ok(()) }
    /// ```
    pub fn download(&self, file_name: &str) -> Request<Bytes> {
        self.file(file_name).bytes()
    }

    /// Waits until a job finishes (see [`ImportJob::is_finished`] for how its status is
    /// read): [`Error::JobFailed`](crate::Error::JobFailed) when its status reads like a
    /// failure, [`Error::JobTimeout`](crate::Error::JobTimeout) past the deadline.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::{ImportId, JobWait};
    /// let job = client.imports().wait(ImportId(5), JobWait::new(std::time::Duration::from_secs(900))).await?;
    /// # Ok(()) }
    /// ```
    pub async fn wait(&self, id: J::Id, wait: JobWait) -> Result<J> {
        wait_for(
            Job::new(J::KIND, id),
            wait,
            || self.get(id).send(),
            |job: &J| status::job_progress(job.wire_status(), job.wire_link()),
        )
        .await
    }
}
