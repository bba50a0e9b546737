//! Sendethic REST API v4 (formerly Message Business).
//!
//! Start with [`Client::builder`] (or [`Client::from_env`]), then reach each resource through
//! its handler: [`Client::fields`], [`Client::contacts`], [`Client::segments`],
//! [`Client::account`], [`Client::emailing`], [`Client::sms`], [`Client::stats`], and the
//! contact jobs [`Client::imports`], [`Client::exports`], [`Client::purges`]. Every operation
//! returns a [`Request`] that you `.await` directly (or `.send().await`), after optionally
//! overriding the timeout or retry policy for that call.
//!
//! ```no_run
//! # async fn run() -> relance::Result<()> {
//! use relance::sendethic::{Client, CreditType};
//!
//! let client = Client::builder("12345", "api-key").build()?;
//! let credits = client.account().credits(CreditType::Sms).await?;
//! println!("{} SMS credits left", credits.remaining);
//! # Ok(()) }
//! ```

// The face: the client, its builder and the handler factories.
mod client;
// What every handler holds: the shared state and the request draft.
mod core;

// One room per resource, named after the handler it holds.
mod account;
mod contacts;
mod emailing;
mod fields;
mod jobs;
mod segments;
mod sms;
mod stats;

// What the resources share.
mod archive;
mod criteria;
mod operations;
mod records;
mod types;

pub use account::{AccountHandler, CreditType, Credits};
pub use client::{Client, ClientBuilder, DEFAULT_BASE_URL};
pub use contacts::{
    Bulk, BulkOptions, BulkReport, BulkTotals, Contact, ContactHistory, ContactLog,
    ContactsHandler, FailedWrite, MAX_BULK_CHUNK, MAX_HISTORY_SIZE, NewContactLog, OptIn, Rejected,
    validate,
};
pub use core::MAX_LIST_SIZE;
pub use criteria::{Criteria, CriteriaItem, Criterion, CriterionTest, Mode};
pub use emailing::{
    Analytics, ContentFormat, Culture, EmailOperation, EmailOptions, EmailUpdate, EmailingHandler,
    Importance, Mirror, NewEmail, TestEmail, TransactionalEmail,
};
pub use fields::{
    ContactField, EnsuredField, FieldCatalog, FieldFormat, FieldPlan, FieldSpec, FieldValue,
    FieldsHandler, NewField, NewFieldValue,
};
pub use jobs::{
    ContactExport, ContactImport, ContactJob, ContactPurge, DuplicateOption, ExportFilter,
    ExportJob, ExportJobId, ExportsHandler, FileEncoding, FileSource, ImportColumn, ImportId,
    ImportJob, ImportsHandler, JobsHandler, PurgeId, PurgeJob, PurgesHandler, SEPARATORS,
};
pub use operations::{
    MAX_NAME_CHARS, OperationStatus, Receivers, Schedule, ScheduleInfo, ScheduleKind, TriggerDelay,
};
pub use records::{MAX_RECORD_LINES, Record, RecordReader};
pub use segments::{
    EnsuredSegment, NewSegment, Segment, SegmentDefinition, SegmentPlan, SegmentsHandler,
};
pub use sms::{NewSms, SmsHandler, SmsMessage, SmsOperation, SmsUpdate};
pub use stats::{
    Activity, ActivityExport, ActivityRange, CampaignStats, ColumnStats, StatsHandler,
};
pub use types::{
    ContactId, ExportId, FieldId, FieldRef, FieldValueId, OperationId, Patch, SegmentId,
    ServerMessage, Timestamp,
};

#[doc(no_inline)]
pub use crate::http::{JobWait, Request};
