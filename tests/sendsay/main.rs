//! Sendsay, one module per source room: request shapes against the reference's fixtures
//! (wiremock, exact JSON bodies) for each handler, then the envelope layer (session,
//! `REDIRECT`, `errors[]`, retry safety), the fixtures themselves and the traces.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

mod batch;
mod client;
mod drafts;
mod envelope;
mod fields;
mod fixtures;
mod groups;
mod issues;
mod members;
mod redirect;
mod safety;
mod segments;
mod senders;
mod session;
mod stats;
mod stoplist;
mod traces;
mod tracks;
mod workflows;
