//! `relance::io`: shop data in and profiles out: partitions by contact, Arrow and Parquet.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[cfg(feature = "parquet")]
mod arrow;
#[cfg(feature = "datafusion")]
mod datafusion;
mod partition;
mod support;
mod synth;
