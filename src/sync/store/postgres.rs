//! The `PostgreSQL` store: one table shared by every provider account.

use std::net::IpAddr;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use futures_util::TryStreamExt;
use futures_util::future::BoxFuture;
use tokio_postgres::config::Host;
use tokio_postgres::tls::{MakeTlsConnect, TlsConnect};
use tokio_postgres::{Client, Config, NoTls, Socket, Statement};

use super::fingerprints::{Builder, normalise};
use super::{Fingerprints, Held, RunLock, Scope, StateStore, batch, locked};
use crate::error::{Error, Result, StateError};

const CREATE_TABLE: &str = "
BEGIN;
SELECT pg_advisory_xact_lock(hashtextextended('relance_sync_state', 0));
CREATE TABLE IF NOT EXISTS relance_sync_state (
    provider text NOT NULL,
    account text NOT NULL,
    email text NOT NULL,
    fingerprint bigint NOT NULL,
    pushed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, account, email)
);
COMMIT;
";

const CREATE_EVENTS_TABLE: &str = "
BEGIN;
SELECT pg_advisory_xact_lock(hashtextextended('relance_delivered_events', 0));
CREATE TABLE IF NOT EXISTS relance_delivered_events (
    provider text NOT NULL,
    account text NOT NULL,
    key text NOT NULL,
    delivered_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, account, key)
);
CREATE TABLE IF NOT EXISTS relance_checkpoints (
    provider text NOT NULL,
    account text NOT NULL,
    name text NOT NULL,
    at_micros bigint NOT NULL,
    PRIMARY KEY (provider, account, name)
);
CREATE TABLE IF NOT EXISTS relance_outbox (
    provider text NOT NULL,
    account text NOT NULL,
    key text NOT NULL,
    seq bigserial,
    status text NOT NULL,
    attempts integer NOT NULL,
    next_at_micros bigint NOT NULL,
    entry text NOT NULL,
    PRIMARY KEY (provider, account, key)
);
CREATE INDEX IF NOT EXISTS relance_outbox_due
    ON relance_outbox (provider, account, status, next_at_micros);
COMMIT;
";

const LOCK: &str = "SELECT pg_try_advisory_lock(hashtextextended($1, 0))";
const UNLOCK: &str = "SELECT pg_advisory_unlock(hashtextextended($1, 0))";

/// Opens one more connection (the store's, then one per run lock).
type Connect = Arc<dyn Fn() -> BoxFuture<'static, Result<Client>> + Send + Sync>;

/// A [`StateStore`] in a `PostgreSQL` table (feature `postgres`), for workers that already
/// have a database, or several pods that must share the state and the run lock.
///
/// The table `relance_sync_state (provider, account, email, fingerprint, pushed_at)`,
/// primary key `(provider, account, email)`, is created in the connection's `search_path`
/// when absent (the role needs `CREATE` on the schema the first time, then `SELECT`,
/// `INSERT`, `UPDATE`, `DELETE`). Every account's rows live in the one table.
///
/// The run lock is a session advisory lock (`pg_try_advisory_lock`) on a hash of the scope,
/// taken on a connection of its own that the [`RunLock`] keeps open: the server releases it
/// when that connection ends, including when the process dies. Connect to the server
/// directly or through a session-mode pooler (a transaction-mode pooler such as `PgBouncer`'s
/// `pool_mode=transaction` cannot hold a session lock).
///
/// ```no_run
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> relance::Result<()> {
/// use relance::sync::store::{PostgresStore, Scope, StateStore};
/// let scope = Scope::new("sendethic", "12345")?;
/// let store = PostgresStore::connect("postgresql://relance@localhost/shop", scope).await?;
/// let _lock = store.lock().await?;
/// let previous = store.load().await?;
/// # let _ = previous;
/// # Ok(()) }
/// ```
pub struct PostgresStore {
    scope: Scope,
    client: Client,
    connect: Connect,
    load: Statement,
    record: Statement,
    forget: Statement,
    delivered: Statement,
    mark_delivered: Statement,
}

impl PostgresStore {
    /// The store's connection, for the tables kept beside the state (the outbox).
    pub(crate) fn client(&self) -> &Client {
        &self.client
    }
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects without TLS to a server on this machine (a Unix socket, `localhost` or a
    /// loopback address) and creates the table if absent. `config` is a connection string,
    /// as a URL (`postgresql://user:password@localhost:5432/db`) or as `key=value` pairs.
    /// A remote host is refused: use [`connect_with`](Self::connect_with) and a TLS
    /// connector. Connecting times out after 10 s unless the string sets `connect_timeout`.
    ///
    /// ```no_run
    /// # async fn f() -> relance::Result<()> {
    /// use relance::sync::store::{PostgresStore, Scope};
    /// let store = PostgresStore::connect(
    ///     "host=/var/run/postgresql dbname=shop",
    ///     Scope::new("sendsay", "login")?,
    /// )
    /// .await?;
    /// # let _ = store;
    /// # Ok(()) }
    /// ```
    pub async fn connect(config: &str, scope: Scope) -> Result<Self> {
        let config: Config = config
            .parse()
            .map_err(|e| StateError::backend("invalid PostgreSQL connection string", e))?;
        if !is_local(&config) {
            return Err(Error::config(
                "plain PostgreSQL connections go to this machine only: use \
                 `PostgresStore::connect_with` and a TLS connector for a remote server",
            ));
        }
        Self::connect_with(config, NoTls, scope).await
    }

    /// Connects with `tls` (for a remote server, a connector from `postgres-native-tls` or
    /// `tokio-postgres-rustls` built for the `tokio-postgres` version re-exported as
    /// [`tokio_postgres`]) and creates the table if absent.
    ///
    /// ```no_run
    /// # async fn f() -> relance::Result<()> {
    /// use relance::sync::store::{tokio_postgres, PostgresStore, Scope};
    /// let mut config = tokio_postgres::Config::new();
    /// config.host("localhost").user("relance").dbname("shop");
    /// let scope = Scope::new("sendethic", "12345")?;
    /// let store = PostgresStore::connect_with(config, tokio_postgres::NoTls, scope).await?;
    /// # let _ = store;
    /// # Ok(()) }
    /// ```
    pub async fn connect_with<T>(mut config: Config, tls: T, scope: Scope) -> Result<Self>
    where
        T: MakeTlsConnect<Socket> + Clone + Send + Sync + 'static,
        T::Stream: Send + Sync,
        T::TlsConnect: Send + Sync,
        <T::TlsConnect as TlsConnect<Socket>>::Future: Send,
    {
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        let connect: Connect = Arc::new(move || {
            let (config, tls) = (config.clone(), tls.clone());
            Box::pin(async move {
                let (client, connection) = config
                    .connect(tls)
                    .await
                    .map_err(|e| StateError::backend("cannot connect to PostgreSQL", e))?;
                tokio::spawn(async move {
                    if let Err(e) = connection.await {
                        tracing::warn!(error = %e, "PostgreSQL connection of the sync state store failed");
                    }
                });
                Ok(client)
            })
        });
        let client = connect().await?;
        let failed = |e| StateError::backend("cannot prepare the sync state table", e);
        let exists: bool = client
            .query_one("SELECT to_regclass('relance_sync_state') IS NOT NULL", &[])
            .await
            .and_then(|row| row.try_get(0))
            .map_err(failed)?;
        if !exists {
            client.batch_execute(CREATE_TABLE).await.map_err(failed)?;
        }
        let events: bool = client
            .query_one(
                "SELECT to_regclass('relance_delivered_events') IS NOT NULL \
                 AND to_regclass('relance_checkpoints') IS NOT NULL \
                 AND to_regclass('relance_outbox') IS NOT NULL",
                &[],
            )
            .await
            .and_then(|row| row.try_get(0))
            .map_err(failed)?;
        if !events {
            client
                .batch_execute(CREATE_EVENTS_TABLE)
                .await
                .map_err(failed)?;
        }
        let prepare = |sql| client.prepare(sql);
        let load = prepare(
            "SELECT email, fingerprint FROM relance_sync_state \
             WHERE provider = $1 AND account = $2",
        )
        .await
        .map_err(failed)?;
        let record = prepare(
            "INSERT INTO relance_sync_state (provider, account, email, fingerprint, pushed_at) \
             SELECT $1, $2, t.email, t.fingerprint, now() \
             FROM unnest($3::text[], $4::int8[]) AS t (email, fingerprint) \
             ON CONFLICT (provider, account, email) DO UPDATE \
             SET fingerprint = EXCLUDED.fingerprint, pushed_at = EXCLUDED.pushed_at",
        )
        .await
        .map_err(failed)?;
        let forget = prepare(
            "DELETE FROM relance_sync_state \
             WHERE provider = $1 AND account = $2 AND email = ANY($3::text[])",
        )
        .await
        .map_err(failed)?;
        let delivered = prepare(
            "SELECT key FROM relance_delivered_events \
             WHERE provider = $1 AND account = $2 AND key = ANY($3::text[])",
        )
        .await
        .map_err(failed)?;
        let mark_delivered = prepare(
            "INSERT INTO relance_delivered_events (provider, account, key) \
             SELECT $1, $2, unnest($3::text[]) \
             ON CONFLICT (provider, account, key) DO NOTHING",
        )
        .await
        .map_err(failed)?;
        Ok(Self {
            scope,
            client,
            connect,
            load,
            record,
            forget,
            delivered,
            mark_delivered,
        })
    }
}

/// Whether every host of `config` is on this machine.
fn is_local(config: &Config) -> bool {
    let hosts_local = config.get_hosts().iter().all(|host| match host {
        Host::Tcp(name) => {
            name.eq_ignore_ascii_case("localhost")
                || name
                    .trim_matches(['[', ']'])
                    .parse::<IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        #[cfg(unix)]
        Host::Unix(_) => true,
    });
    hosts_local && config.get_hostaddrs().iter().all(IpAddr::is_loopback)
}

/// Holds a [`PostgresStore`]'s run lock: the advisory lock lives as long as the session.
#[derive(Debug)]
struct SessionHeld {
    client: Client,
    key: String,
}

impl Held for SessionHeld {
    fn release(self: Box<Self>) -> BoxFuture<'static, Result<()>> {
        Box::pin(async move {
            self.client
                .query_one(UNLOCK, &[&self.key])
                .await
                .map_err(|e| StateError::backend("cannot release the run lock", e))?;
            Ok(())
        })
    }
}

impl StateStore for PostgresStore {
    fn scope(&self) -> &Scope {
        &self.scope
    }

    async fn lock(&self) -> Result<RunLock> {
        let client = (self.connect)().await?;
        let key = self.scope.key();
        let taken: bool = client
            .query_one(LOCK, &[&key])
            .await
            .and_then(|row| row.try_get(0))
            .map_err(|e| StateError::backend("cannot take the run lock", e))?;
        if !taken {
            return Err(locked(&self.scope));
        }
        Ok(RunLock::new(
            self.scope.clone(),
            Box::new(SessionHeld { client, key }),
        ))
    }

    async fn load(&self) -> Result<Fingerprints> {
        let failed = |e| StateError::backend("cannot load the sync state", e);
        let (provider, account) = (self.scope.provider(), self.scope.account());
        let size = self
            .client
            .query_one(
                "SELECT count(*), coalesce(sum(octet_length(email)), 0)::int8 \
                 FROM relance_sync_state WHERE provider = $1 AND account = $2",
                &[&provider, &account],
            )
            .await
            .map_err(failed)?;
        let count: i64 = size.try_get(0).map_err(failed)?;
        let bytes: i64 = size.try_get(1).map_err(failed)?;
        let mut builder = Builder::with_capacity(
            usize::try_from(count).unwrap_or(0),
            usize::try_from(bytes).unwrap_or(0),
        );
        let rows = self
            .client
            .query_raw(&self.load, [provider, account])
            .await
            .map_err(failed)?;
        let mut rows = pin!(rows);
        while let Some(row) = rows.try_next().await.map_err(failed)? {
            let email: &str = row.try_get(0).map_err(failed)?;
            let fingerprint: i64 = row.try_get(1).map_err(failed)?;
            builder.push(email, fingerprint.cast_unsigned())?;
        }
        Ok(builder.build())
    }

    async fn record(&self, pushed: &[(&str, u64)]) -> Result<()> {
        let pushed = batch(pushed)?;
        let emails: Vec<&str> = pushed.iter().map(|(e, _)| e.as_ref()).collect();
        let fingerprints: Vec<i64> = pushed.iter().map(|(_, f)| f.cast_signed()).collect();
        self.client
            .execute(
                &self.record,
                &[
                    &self.scope.provider(),
                    &self.scope.account(),
                    &emails,
                    &fingerprints,
                ],
            )
            .await
            .map_err(|e| StateError::backend("cannot record pushes", e))?;
        Ok(())
    }

    async fn delivered(&self, keys: &[&str]) -> Result<Vec<bool>> {
        let rows = self
            .client
            .query(
                &self.delivered,
                &[&self.scope.provider(), &self.scope.account(), &keys],
            )
            .await
            .map_err(|e| StateError::backend("cannot read delivered events", e))?;
        let found: std::collections::HashSet<String> =
            rows.iter().filter_map(|r| r.try_get(0).ok()).collect();
        Ok(keys.iter().map(|k| found.contains(*k)).collect())
    }

    async fn checkpoint(&self, name: &str) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
        let row = self
            .client
            .query_opt(
                "SELECT at_micros FROM relance_checkpoints \
                 WHERE provider = $1 AND account = $2 AND name = $3",
                &[&self.scope.provider(), &self.scope.account(), &name],
            )
            .await
            .map_err(|e| StateError::backend("cannot read a checkpoint", e))?;
        row.map(|r| {
            r.try_get::<_, i64>(0)
                .map_err(|e| StateError::backend("cannot read a checkpoint", e))
                .and_then(super::from_micros)
        })
        .transpose()
    }

    async fn set_checkpoint(&self, name: &str, at: chrono::DateTime<chrono::Utc>) -> Result<()> {
        self.client
            .execute(
                "INSERT INTO relance_checkpoints (provider, account, name, at_micros) \
                 VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (provider, account, name) DO UPDATE SET at_micros = EXCLUDED.at_micros",
                &[
                    &self.scope.provider(),
                    &self.scope.account(),
                    &name,
                    &super::micros(at),
                ],
            )
            .await
            .map_err(|e| StateError::backend("cannot record a checkpoint", e))?;
        Ok(())
    }

    async fn mark_delivered(&self, keys: &[&str]) -> Result<()> {
        self.client
            .execute(
                &self.mark_delivered,
                &[&self.scope.provider(), &self.scope.account(), &keys],
            )
            .await
            .map_err(|e| StateError::backend("cannot record delivered events", e))?;
        Ok(())
    }

    async fn forget(&self, emails: &[&str]) -> Result<()> {
        let emails: Vec<String> = emails.iter().map(|e| normalise(e).into_owned()).collect();
        self.client
            .execute(
                &self.forget,
                &[&self.scope.provider(), &self.scope.account(), &emails],
            )
            .await
            .map_err(|e| StateError::backend("cannot forget contacts", e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_servers_without_tls() {
        let local = |s: &str| is_local(&s.parse().unwrap());
        assert!(local("postgresql://u@localhost/db"));
        assert!(local("postgresql://u@127.0.0.1:5433/db"));
        assert!(local("postgresql://u@[::1]/db"));
        assert!(local("host=/var/run/postgresql dbname=db"));
        assert!(!local("postgresql://u@db.example.com/db"));
        assert!(!local("host=localhost hostaddr=10.0.0.1"));
        assert!(!local("postgresql://u@localhost,db.example.com/db"));
    }
}
