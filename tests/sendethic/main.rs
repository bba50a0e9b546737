//! Tests of the Sendethic wing, one module per room of `src/sendethic/`: request shapes
//! against a mock server, behaviour (retries, validation before sending, jobs), decoding
//! round trips, and what traces record.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;
mod support;

mod account;
mod client;
mod contacts;
mod criteria;
mod decoding;
mod emailing;
mod exports;
mod fields;
mod imports;
mod jobs;
mod purges;
mod segments;
mod sms;
mod stats;
mod tracing;
