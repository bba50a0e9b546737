//! The customer-consolidation domain layer (`relance::customer`), one module per concern:
//! hand-computed goldens, an external oracle, a naive reference implementation, the default
//! segments, and the CSV pipeline around it (`relance::io`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::many_single_char_names,
    clippy::float_cmp
)]

mod clv;
mod clv_values;
mod dataset;
mod events;
mod golden;
mod latest_events;
mod marketplace_csv;
mod oracle;
mod pipeline;
mod reference;
mod segments;
mod sellers;

use chrono::{DateTime, Utc};

/// An RFC 3339 instant.
fn at(s: &str) -> DateTime<Utc> {
    relance::io::csv::parse_instant(s).unwrap_or_else(|| panic!("bad instant {s}"))
}
