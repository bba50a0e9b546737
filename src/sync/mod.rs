//! Incremental sync: consolidated contacts → a marketing service, night after night.
//!
//! 1. Turn each consolidated profile into a provider-neutral [`SyncRecord`] (the values the
//!    contact should have: revenue, orders, dates, opt-in...).
//! 2. A [`SyncTarget`] ([`SendethicTarget`], [`SendsayTarget`]) provisions a place for each
//!    [`ProfileField`](crate::customer::ProfileField) (idempotently: fields tagged
//!    `relance_<name>` on Sendethic, a Sendsay questionnaire) and pushes records in bulk,
//!    reporting each record's fate.
//! 3. [`Syncer`] pushes only the records whose values differ from their last **confirmed**
//!    push, kept in a [`store::StateStore`] (SQLite by default, PostgreSQL, or memory) tied to
//!    the provider account and locked for the run: exact change detection, including
//!    retractions (refunds, cancellations) and time-driven changes (a cart that just became
//!    abandoned), because the comparison is on the values themselves. Each chunk the service
//!    confirms is recorded at once; a contact that was refused or whose push failed stays
//!    dirty, and nothing is recorded that the service did not confirm.
//!
//! Dates are pushed as dates, not ages ("days since"), so the provider's relative segment
//! operators stay right without daily re-pushes.
//!
//! ```no_run
//! # async fn run() -> relance::Result<()> {
//! use relance::customer::ProfileField;
//! use relance::sync::store::SqliteStore;
//! use relance::sync::{SendethicTarget, SyncRecord, SyncTarget, SyncValue, Syncer};
//!
//! let target = SendethicTarget::new(relance::sendethic::Client::from_env()?);
//! let store = SqliteStore::open("sync-state.sqlite", target.scope()?)?;
//! let mut syncer = Syncer::new(target, store);
//! let records = vec![
//!     SyncRecord::new("ann@example.com")
//!         .with(ProfileField::OrdersCount, SyncValue::int(3))
//!         .with(ProfileField::Revenue, SyncValue::Number("129.90".into())),
//! ];
//! let report = syncer.run(records).await?;
//! println!("sync: {report}"); // considered 1, pushed 1, unchanged 0, rejected 0, failed 0
//! # Ok(()) }
//! ```

mod batch;
mod consent;
mod deliver;
mod engine;
mod fields;
mod joined;
mod marketplace;
mod mirror;
mod phone;
mod plan;
mod profile;
mod record;
mod report;
mod sendethic;
mod sendsay;
mod state;
pub mod store;
mod target;

pub use consent::ConsentChange;
pub use deliver::{EVENTS_CHECKPOINT, EventReport};
pub use engine::Syncer;
pub use fields::{Naming, connector_tags, label, tag};
pub use marketplace::marketplace_records;
pub use mirror::{DEFAULT_MIRROR_LIMIT, Mirror};
pub use phone::PhoneRegion;
pub use profile::PREDICTED_DECIMALS;
pub use record::{SyncRecord, SyncValue};
pub use report::{ContactOutcome, Outcome, Progress, Provisioning, SyncPlan, SyncReport};
pub use sendethic::SendethicTarget;
pub use sendsay::SendsayTarget;
pub use state::SyncState;
pub use target::{Erased, EventDelivery, SegmentOutcome, SegmentRef, Subscribed, SyncTarget};
