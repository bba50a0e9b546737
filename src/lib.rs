#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(clippy::missing_panics_doc)]

pub mod customer;
pub mod error;
pub mod http;
pub mod io;
mod lenient;
pub mod sendethic;
pub mod sendsay;
pub mod sync;
#[cfg(feature = "mock")]
#[cfg_attr(docsrs, doc(cfg(feature = "mock")))]
pub mod testing;

pub use error::{ApiError, Error, Result};
/// The HTTP client crate `relance` is built on, re-exported so that an injected client
/// ([`http_client`](sendethic::ClientBuilder::http_client)) is always of the right version.
pub use reqwest;
