//! The stateful fakes of `relance::testing` (feature `mock`).
//!
//! `conformance`: what the fakes demand as the real services do. Then modules named as in
//! `src/testing/`: `sendethic` (fields, contacts, history, segments, account, faults),
//! `sendethic_jobs` (imports, exports, purges), `sendethic_campaigns` (email and SMS
//! operations, activity statistics) and `sendsay` (every Sendsay resource).

mod conformance;
mod network;
mod sendethic;
mod sendethic_campaigns;
mod sendethic_jobs;
mod sendsay;
