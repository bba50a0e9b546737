//! The stateful fakes of `relance::testing` (feature `mock`), with the modules named as in
//! `src/testing/`: `sendethic` (fields, contacts, history, segments, account, faults),
//! `sendethic_jobs` (imports, exports, purges), `sendethic_campaigns` (email and SMS
//! operations, activity statistics) and `sendsay` (every Sendsay resource).

mod sendethic;
mod sendethic_campaigns;
mod sendethic_jobs;
mod sendsay;
