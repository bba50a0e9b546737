//! The embedded store: one `SQLite` file per provider account.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, ErrorCode, OptionalExtension, TransactionBehavior, params};

use super::fingerprints::{Builder, normalise};
use super::{Fingerprints, Held, RunLock, Scope, StateStore, batch, locked};
use crate::error::{Error, Result, StateError};

/// The schema version this code reads and writes (`relance_meta.schema_version`).
const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS relance_meta (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS relance_sync_state (
    email TEXT PRIMARY KEY NOT NULL,
    fingerprint INTEGER NOT NULL,
    pushed_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS relance_delivered_events (
    key TEXT PRIMARY KEY NOT NULL,
    delivered_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS relance_checkpoints (
    name TEXT PRIMARY KEY NOT NULL,
    at_micros INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS relance_outbox (
    key TEXT PRIMARY KEY NOT NULL,
    seq INTEGER NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_at_micros INTEGER NOT NULL,
    entry TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS relance_outbox_due ON relance_outbox (status, next_at_micros);
";

/// A [`StateStore`] in a `SQLite` file (feature `sqlite`, on by default; `SQLite` is compiled
/// in, no system library is needed).
///
/// The file holds a `relance_meta` table (the provider, the account and the schema version)
/// and a `relance_sync_state` table (`email`, `fingerprint` as a signed 64-bit integer,
/// `pushed_at` in Unix seconds): inspect it with any `SQLite` tool, even during a run. It is
/// written in WAL mode with `synchronous=NORMAL`: a process crash loses nothing committed;
/// a power loss may lose the last commits, which only means pushing those contacts again.
///
/// The run lock is an `flock(2)` on a file beside the database (`PATH.lock`, which holds the
/// pid of the last holder and is never deleted): the kernel releases it when the process
/// ends, however it ends. Keep the store on a local file system (NFS locks are unreliable).
///
/// Database calls run on Tokio's blocking thread pool (`spawn_blocking`): recording 500
/// contacts takes a few milliseconds and loading a million about a second, too long to hold
/// an async worker thread. Use the store inside a Tokio runtime.
///
/// ```no_run
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> relance::Result<()> {
/// use relance::sync::store::{Scope, SqliteStore, StateStore};
/// let store = SqliteStore::open("sync-state.db", Scope::new("sendethic", "12345")?)?;
/// let _lock = store.lock().await?;
/// let previous = store.load().await?;
/// # let _ = previous;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct SqliteStore {
    scope: Scope,
    path: PathBuf,
    conn: Arc<Mutex<Connection>>,
}

impl SqliteStore {
    /// Opens the store at `path` for `scope`, creating the file and its tables when absent.
    /// A file created for another scope is refused with [`StateError::OtherScope`], a
    /// `SQLite` file of another application with [`Error::InvalidInput`]. This call blocks
    /// for a few milliseconds.
    ///
    /// ```no_run
    /// use relance::sync::store::{Scope, SqliteStore};
    /// let store = SqliteStore::open("sync-state.db", Scope::new("sendsay", "login")?)?;
    /// # let _ = store;
    /// # Ok::<(), relance::Error>(())
    /// ```
    pub fn open(path: impl AsRef<Path>, scope: Scope) -> Result<Self> {
        let path = path.as_ref();
        let failed = |e| open_error(path, e);
        let mut conn = Connection::open(path).map_err(failed)?;
        conn.busy_timeout(Duration::from_secs(10))
            .and_then(|()| conn.pragma_update(None, "journal_mode", "WAL"))
            .and_then(|()| conn.pragma_update(None, "synchronous", "NORMAL"))
            .map_err(failed)?;
        check_scope(&mut conn, &scope, path)?;
        let path = path.canonicalize().map_err(|e| {
            Error::io(
                format!("cannot open the sync state store {}", path.display()),
                e,
            )
        })?;
        Ok(Self {
            scope,
            path,
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// The database file (absolute).
    ///
    /// ```no_run
    /// # fn f(store: relance::sync::store::SqliteStore) {
    /// println!("state in {}", store.path().display());
    /// # }
    /// ```
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock_path(&self) -> PathBuf {
        let mut name = self.path.clone().into_os_string();
        name.push(".lock");
        name.into()
    }

    /// Runs `f` on the connection on the blocking thread pool.
    pub(crate) async fn with_conn<R: Send + 'static>(
        &self,
        context: &'static str,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<R> + Send + 'static,
    ) -> Result<R> {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            // A panic inside `f` rolls its transaction back: the connection stays usable.
            let mut conn = conn.lock().unwrap_or_else(PoisonError::into_inner);
            f(&mut conn)
        })
        .await
        .map_err(|e| StateError::backend(context, e))?
        .map_err(|e| StateError::backend(context, e))
    }
}

/// The error of a store that cannot be opened, with a hint for a text state.
fn open_error(path: &Path, e: rusqlite::Error) -> Error {
    let hint = if e.sqlite_error_code() == Some(ErrorCode::NotADatabase) {
        " (a text state of an earlier version? import it with `import_text`)"
    } else {
        ""
    };
    let context = format!("cannot open the sync state store {}{hint}", path.display());
    StateError::backend(context, e)
}

/// Creates the tables and the scope of a new store, or checks the scope of an existing one.
fn check_scope(conn: &mut Connection, scope: &Scope, path: &Path) -> Result<()> {
    let failed = |e| open_error(path, e);
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(failed)?;
    let foreign: i64 = tx
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'relance\\_%' ESCAPE '\\' \
             AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
            [],
            |row| row.get(0),
        )
        .map_err(failed)?;
    if foreign > 0 {
        return Err(Error::invalid(
            path.display().to_string(),
            "a SQLite database of another application, not a relance sync state store",
        ));
    }
    tx.execute_batch(SCHEMA).map_err(failed)?;
    let meta = |key: &str| {
        tx.query_row(
            "SELECT value FROM relance_meta WHERE key = ?1",
            [key],
            |row| row.get::<_, String>(0),
        )
        .optional()
    };
    let found = (meta("provider"), meta("account"), meta("schema_version"));
    match found {
        (Ok(Some(provider)), Ok(Some(account)), Ok(Some(version))) => {
            let found = Scope::new(provider, account)?;
            let version = version.parse().unwrap_or(i64::MAX);
            if version > SCHEMA_VERSION {
                return Err(Error::State(StateError::Schema {
                    found: version,
                    supported: SCHEMA_VERSION,
                }));
            }
            if found != *scope {
                return Err(Error::State(StateError::OtherScope {
                    expected: scope.clone(),
                    found,
                }));
            }
            // Tables added since the store was created (the delivered events, the
            // checkpoints, the outbox) are kept.
            tx.commit().map_err(failed)
        }
        (Ok(None), Ok(None), Ok(None)) => {
            for (key, value) in [
                ("provider", scope.provider().to_owned()),
                ("account", scope.account().to_owned()),
                ("schema_version", SCHEMA_VERSION.to_string()),
            ] {
                tx.execute(
                    "INSERT INTO relance_meta (key, value) VALUES (?1, ?2)",
                    [key, &value],
                )
                .map_err(failed)?;
            }
            tx.commit().map_err(failed)
        }
        (Err(e), ..) | (_, Err(e), _) | (.., Err(e)) => Err(failed(e)),
        _ => Err(Error::invalid(
            path.display().to_string(),
            "the store's scope is incomplete (relance_meta was edited)",
        )),
    }
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Holds the `flock` of a [`SqliteStore`]'s run lock: closing the file releases it.
#[derive(Debug)]
struct FileHeld {
    _locked: File,
}

impl Held for FileHeld {}

impl StateStore for SqliteStore {
    fn scope(&self) -> &Scope {
        &self.scope
    }

    async fn lock(&self) -> Result<RunLock> {
        let path = self.lock_path();
        let context = || format!("cannot take the run lock {}", path.display());
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| Error::io(context(), e))?;
        // An explicit path: std's `File::try_lock` (Rust 1.89) is above the MSRV.
        match fs4::FileExt::try_lock(&file) {
            Ok(()) => {}
            Err(fs4::TryLockError::WouldBlock) => {
                return Err(locked(&self.scope));
            }
            Err(fs4::TryLockError::Error(e)) => return Err(Error::io(context(), e)),
        }
        // For whoever looks at the file: which process holds the lock.
        file.set_len(0)
            .and_then(|()| writeln!(file, "{}", std::process::id()))
            .map_err(|e| Error::io(context(), e))?;
        Ok(RunLock::new(
            self.scope.clone(),
            Box::new(FileHeld { _locked: file }),
        ))
    }

    async fn load(&self) -> Result<Fingerprints> {
        self.with_conn("cannot load the sync state", |conn| {
            let tx = conn.transaction()?;
            let (count, bytes): (i64, i64) = tx.query_row(
                "SELECT count(*), coalesce(sum(length(CAST(email AS BLOB))), 0) \
                 FROM relance_sync_state",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )?;
            let mut builder = Builder::with_capacity(
                usize::try_from(count).unwrap_or(0),
                usize::try_from(bytes).unwrap_or(0),
            );
            let mut stmt = tx.prepare("SELECT email, fingerprint FROM relance_sync_state")?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let email = row.get_ref(0)?.as_str()?;
                let fingerprint = row.get::<_, i64>(1)?.cast_unsigned();
                builder
                    .push(email, fingerprint)
                    .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
            }
            Ok(builder.build())
        })
        .await
    }

    async fn record(&self, pushed: &[(&str, u64)]) -> Result<()> {
        let pushed: Vec<(String, i64)> = batch(pushed)?
            .into_iter()
            .map(|(email, fingerprint)| (email.into_owned(), fingerprint.cast_signed()))
            .collect();
        self.with_conn("cannot record pushes", move |conn| {
            let at = now();
            let tx = conn.transaction()?;
            {
                let mut stmt = tx.prepare(
                    "INSERT INTO relance_sync_state (email, fingerprint, pushed_at) \
                     VALUES (?1, ?2, ?3) ON CONFLICT (email) DO UPDATE \
                     SET fingerprint = excluded.fingerprint, pushed_at = excluded.pushed_at",
                )?;
                for (email, fingerprint) in &pushed {
                    stmt.execute(params![email, fingerprint, at])?;
                }
            }
            tx.commit()
        })
        .await
    }

    async fn delivered(&self, keys: &[&str]) -> Result<Vec<bool>> {
        let keys: Vec<String> = keys.iter().map(|k| (*k).to_owned()).collect();
        self.with_conn("cannot read delivered events", move |conn| {
            let mut stmt = conn.prepare("SELECT 1 FROM relance_delivered_events WHERE key = ?1")?;
            keys.iter()
                .map(|k| stmt.exists([k]))
                .collect::<rusqlite::Result<Vec<bool>>>()
        })
        .await
    }

    async fn checkpoint(&self, name: &str) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
        let name = name.to_owned();
        let us: Option<i64> = self
            .with_conn("cannot read a checkpoint", move |conn| {
                conn.query_row(
                    "SELECT at_micros FROM relance_checkpoints WHERE name = ?1",
                    [&name],
                    |row| row.get(0),
                )
                .optional()
            })
            .await?;
        us.map(super::from_micros).transpose()
    }

    async fn set_checkpoint(&self, name: &str, at: chrono::DateTime<chrono::Utc>) -> Result<()> {
        let name = name.to_owned();
        self.with_conn("cannot record a checkpoint", move |conn| {
            conn.execute(
                "INSERT INTO relance_checkpoints (name, at_micros) VALUES (?1, ?2) \
                 ON CONFLICT (name) DO UPDATE SET at_micros = excluded.at_micros",
                params![name, super::micros(at)],
            )
            .map(drop)
        })
        .await
    }

    async fn mark_delivered(&self, keys: &[&str]) -> Result<()> {
        let keys: Vec<String> = keys.iter().map(|k| (*k).to_owned()).collect();
        self.with_conn("cannot record delivered events", move |conn| {
            let at = now();
            let tx = conn.transaction()?;
            {
                let mut stmt = tx.prepare(
                    "INSERT INTO relance_delivered_events (key, delivered_at) VALUES (?1, ?2) \
                     ON CONFLICT (key) DO NOTHING",
                )?;
                for key in &keys {
                    stmt.execute(params![key, at])?;
                }
            }
            tx.commit()
        })
        .await
    }

    async fn forget(&self, emails: &[&str]) -> Result<()> {
        let emails: Vec<String> = emails.iter().map(|e| normalise(e).into_owned()).collect();
        self.with_conn("cannot forget contacts", move |conn| {
            let tx = conn.transaction()?;
            {
                let mut stmt = tx.prepare("DELETE FROM relance_sync_state WHERE email = ?1")?;
                for email in &emails {
                    stmt.execute([email])?;
                }
            }
            tx.commit()
        })
        .await
    }
}
