//! Stateful fake servers for tests and offline examples (feature `mock`): [`FakeSendethic`]
//! and [`FakeSendsay`].
//!
//! The fakes listen on loopback through [`wiremock`], keep real state (ids, uniqueness,
//! not-found answers, credentials), expose that state for assertions, and inject faults
//! ([`Fault`]) per path: status codes, HTML error pages, delays, by count or probability.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> relance::Result<()> {
//! use relance::testing::{FakeSendethic, Fault};
//!
//! let fake = FakeSendethic::start().await;
//! fake.inject(Fault::status(503).on("GET", "/account/contactattribute").times(1));
//! let fields = fake.client().fields().list().await?; // retried once, then succeeds
//! assert!(fields.is_empty());
//! assert_eq!(fake.hits("GET", "/account/contactattribute"), 2);
//! # Ok(()) }
//! ```

mod campaigns;
mod faults;
mod lists;
mod sendethic;
mod sendsay;

pub use campaigns::SentMessage;
pub use faults::Fault;
pub use lists::{MultipartPart, parse_multipart};
pub use sendethic::{API_ROOT as SENDETHIC_API_ROOT, FakeSendethic};
pub use sendsay::FakeSendsay;
/// Credentials and settings of [`FakeSendsay`].
pub mod sendsay_fake {
    pub use super::sendsay::{ACCOUNT, API_KEY, PASSWORD, REDIRECT, SUBLOGIN};
}

/// A request received by a fake.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// HTTP method (`GET`, `POST`, ...).
    pub method: String,
    /// Path below the API root, percent-decoded (`/contact/attribute/a b@x.fr`).
    pub path: String,
    /// The request body as text.
    pub body: String,
}
