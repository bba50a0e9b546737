//! The outbox in the SQLite store's file (table `relance_outbox`).

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{OutboxStore, from_json, to_json};
use crate::error::Result;
use crate::messaging::{MessageStatus, OutboxEntry};
use crate::sync::store::SqliteStore;

fn micros(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

fn decode(rows: &[String]) -> Result<Vec<OutboxEntry>> {
    rows.iter().map(|t| from_json(t)).collect()
}

impl OutboxStore for SqliteStore {
    async fn insert(&self, entry: &OutboxEntry) -> Result<Option<OutboxEntry>> {
        let (key, json) = (entry.key().to_owned(), to_json(entry)?);
        let (status, attempts, next) =
            (entry.status.as_str(), entry.attempts, micros(entry.next_at));
        let existing: Option<String> = self
            .with_conn("cannot enqueue a message", move |conn| {
                let tx = conn.transaction()?;
                let found: Option<String> = tx
                    .query_row("SELECT entry FROM relance_outbox WHERE key = ?1", [&key], |r| r.get(0))
                    .optional()?;
                if found.is_none() {
                    tx.execute(
                        "INSERT INTO relance_outbox (key, seq, status, attempts, next_at_micros, entry) \
                         VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM relance_outbox), ?2, ?3, ?4, ?5)",
                        params![key, status, attempts, next, json],
                    )?;
                }
                tx.commit()?;
                Ok(found)
            })
            .await?;
        existing.map(|t| from_json(&t)).transpose()
    }

    async fn entry(&self, key: &str) -> Result<Option<OutboxEntry>> {
        let key = key.to_owned();
        let found: Option<String> = self
            .with_conn("cannot read the outbox", move |conn| {
                conn.query_row(
                    "SELECT entry FROM relance_outbox WHERE key = ?1",
                    [&key],
                    |r| r.get(0),
                )
                .optional()
            })
            .await?;
        found.map(|t| from_json(&t)).transpose()
    }

    async fn due(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<OutboxEntry>> {
        let (now, limit) = (micros(now), i64::try_from(limit).unwrap_or(i64::MAX));
        let rows = self
            .with_conn("cannot read the outbox", move |conn| {
                let mut stmt = conn.prepare(
                    "SELECT entry FROM relance_outbox \
                     WHERE status IN ('pending', 'ambiguous', 'sending') AND next_at_micros <= ?1 \
                     ORDER BY next_at_micros, seq LIMIT ?2",
                )?;
                stmt.query_map(params![now, limit], |r| r.get(0))?
                    .collect::<rusqlite::Result<Vec<String>>>()
            })
            .await?;
        decode(&rows)
    }

    async fn update(&self, entry: &OutboxEntry, expected: (MessageStatus, u32)) -> Result<bool> {
        let (key, json) = (entry.key().to_owned(), to_json(entry)?);
        let (status, attempts, next) =
            (entry.status.as_str(), entry.attempts, micros(entry.next_at));
        let (was, tried) = (expected.0.as_str(), expected.1);
        let changed = self
            .with_conn("cannot record a message's delivery", move |conn| {
                conn.execute(
                    "UPDATE relance_outbox SET status = ?1, attempts = ?2, next_at_micros = ?3, entry = ?4 \
                     WHERE key = ?5 AND status = ?6 AND attempts = ?7",
                    params![status, attempts, next, json, key, was, tried],
                )
            })
            .await?;
        Ok(changed == 1)
    }

    async fn entries(&self) -> Result<Vec<OutboxEntry>> {
        let rows = self
            .with_conn("cannot read the outbox", |conn| {
                let mut stmt = conn.prepare("SELECT entry FROM relance_outbox ORDER BY seq")?;
                stmt.query_map([], |r| r.get(0))?
                    .collect::<rusqlite::Result<Vec<String>>>()
            })
            .await?;
        decode(&rows)
    }
}
