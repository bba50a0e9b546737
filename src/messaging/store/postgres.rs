//! The outbox in the PostgreSQL store's database (table `relance_outbox`, per scope).

use chrono::{DateTime, Utc};

use super::{OutboxStore, from_json, to_json};
use crate::error::{Result, StateError};
use crate::messaging::{MessageStatus, OutboxEntry};
use crate::sync::store::{PostgresStore, StateStore};

fn micros(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

fn attempts(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn decode(rows: &[tokio_postgres::Row]) -> Result<Vec<OutboxEntry>> {
    rows.iter()
        .map(|r| {
            let text: String = r
                .try_get(0)
                .map_err(|e| StateError::backend("cannot read the outbox", e))?;
            from_json(&text)
        })
        .collect()
}

impl OutboxStore for PostgresStore {
    async fn insert(&self, entry: &OutboxEntry) -> Result<Option<OutboxEntry>> {
        let scope = self.scope();
        let inserted = self
            .client()
            .execute(
                "INSERT INTO relance_outbox (provider, account, key, status, attempts, next_at_micros, entry) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (provider, account, key) DO NOTHING",
                &[
                    &scope.provider(),
                    &scope.account(),
                    &entry.key(),
                    &entry.status.as_str(),
                    &attempts(entry.attempts),
                    &micros(entry.next_at),
                    &to_json(entry)?,
                ],
            )
            .await
            .map_err(|e| StateError::backend("cannot enqueue a message", e))?;
        if inserted == 1 {
            return Ok(None);
        }
        self.entry(entry.key()).await
    }

    async fn entry(&self, key: &str) -> Result<Option<OutboxEntry>> {
        let scope = self.scope();
        let rows = self
            .client()
            .query(
                "SELECT entry FROM relance_outbox WHERE provider = $1 AND account = $2 AND key = $3",
                &[&scope.provider(), &scope.account(), &key],
            )
            .await
            .map_err(|e| StateError::backend("cannot read the outbox", e))?;
        Ok(decode(&rows)?.into_iter().next())
    }

    async fn due(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<OutboxEntry>> {
        let scope = self.scope();
        let rows = self
            .client()
            .query(
                "SELECT entry FROM relance_outbox \
                 WHERE provider = $1 AND account = $2 \
                 AND status IN ('pending', 'ambiguous', 'sending') AND next_at_micros <= $3 \
                 ORDER BY next_at_micros, seq LIMIT $4",
                &[
                    &scope.provider(),
                    &scope.account(),
                    &micros(now),
                    &i64::try_from(limit).unwrap_or(i64::MAX),
                ],
            )
            .await
            .map_err(|e| StateError::backend("cannot read the outbox", e))?;
        decode(&rows)
    }

    async fn update(&self, entry: &OutboxEntry, expected: (MessageStatus, u32)) -> Result<bool> {
        let scope = self.scope();
        let changed = self
            .client()
            .execute(
                "UPDATE relance_outbox SET status = $4, attempts = $5, next_at_micros = $6, entry = $7 \
                 WHERE provider = $1 AND account = $2 AND key = $3 AND status = $8 AND attempts = $9",
                &[
                    &scope.provider(),
                    &scope.account(),
                    &entry.key(),
                    &entry.status.as_str(),
                    &attempts(entry.attempts),
                    &micros(entry.next_at),
                    &to_json(entry)?,
                    &expected.0.as_str(),
                    &attempts(expected.1),
                ],
            )
            .await
            .map_err(|e| StateError::backend("cannot record a message's delivery", e))?;
        Ok(changed == 1)
    }

    async fn entries(&self) -> Result<Vec<OutboxEntry>> {
        let scope = self.scope();
        let rows = self
            .client()
            .query(
                "SELECT entry FROM relance_outbox WHERE provider = $1 AND account = $2 ORDER BY seq",
                &[&scope.provider(), &scope.account()],
            )
            .await
            .map_err(|e| StateError::backend("cannot read the outbox", e))?;
        decode(&rows)
    }
}
