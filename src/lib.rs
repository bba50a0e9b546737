#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(clippy::missing_panics_doc)]

pub mod customer;
pub mod error;
pub mod http;
pub mod io;
pub mod messaging;
pub mod sendethic;
pub mod sendsay;
pub mod sync;
#[cfg(feature = "mock")]
#[cfg_attr(docsrs, doc(cfg(feature = "mock")))]
pub mod testing;
mod wire;

pub use error::{ApiError, Error, Result};
pub use http::{
    BulkEvent, BulkReport, BulkTotals, FailedWrite, Job, JobKind, JobWait, Rejected, Request,
    RequestOptions,
};
/// The HTTP client crate `relance` is built on, re-exported so that an injected client
/// ([`http_client`](sendethic::ClientBuilder::http_client)) is always of the right version.
pub use reqwest;

// Crates whose types appear in `relance`'s public API, re-exported so that callers always
// name the versions `relance` was built with.
/// Arrow record batches (`arrow::record_batch::RecordBatch`) of [`io::arrow`].
#[cfg(feature = "arrow")]
#[cfg_attr(docsrs, doc(cfg(feature = "arrow")))]
pub use arrow;
/// Byte buffers (`bytes::Bytes`), returned by file downloads.
pub use bytes;
/// Dates and instants (`chrono::DateTime<Utc>`, `NaiveDate`) used throughout the API.
pub use chrono;
/// IANA timezones (`chrono_tz::Tz`) for the shop and Sendsay account timezones.
pub use chrono_tz;
/// The DataFusion version of [`io::datafusion`] (register its tables in this version's
/// `SessionContext`).
#[cfg(feature = "datafusion")]
#[cfg_attr(docsrs, doc(cfg(feature = "datafusion")))]
pub use datafusion;
/// Parquet errors (`parquet::errors::ParquetError`) of [`io::arrow`]'s Parquet writer.
#[cfg(feature = "parquet")]
#[cfg_attr(docsrs, doc(cfg(feature = "parquet")))]
pub use parquet;
/// JSON values (`serde_json::Value`) of raw calls and loosely typed replies.
pub use serde_json;
/// URLs (`url::Url`) of the configured base URLs.
pub use url;
