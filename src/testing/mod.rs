//! Stateful fake servers for tests and offline examples (feature `mock`): [`FakeSendethic`]
//! and [`FakeSendsay`].
//!
//! The fakes listen on loopback, keep real state (ids, uniqueness, not-found answers,
//! credentials), expose that state for assertions, and inject faults ([`Fault`]) per path,
//! by count or with a seeded probability: status codes, HTML error pages, malformed answers,
//! connection resets, answers cut mid-body and delays, before or after the request is
//! processed.
//! Like the real services, they answer only at their documented endpoints and need the
//! configuration the real services need (a Sendsay client writing instants must be given the
//! account timezone).
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
//!
//! Layout: `core` holds what both fakes share (the server and its request pipeline, faults,
//! recording, replies); `sendethic` and `sendsay` hold one module per resource and a router
//! that only dispatches.

mod core;
mod sendethic;
mod sendsay;

pub use self::core::{Fault, MultipartPart, RecordedRequest, parse_multipart};
pub use sendethic::{API_ROOT as SENDETHIC_API_ROOT, FakeSendethic, SentMessage};
pub use sendsay::FakeSendsay;
/// Credentials and settings of [`FakeSendsay`].
pub mod sendsay_fake {
    pub use super::sendsay::{ACCOUNT, API_KEY, PASSWORD, REDIRECT, SUBLOGIN};
}
