//! The sync state stores: memory, `SQLite` (feature `sqlite`) and `PostgreSQL` (feature
//! `postgres`, against the server named by `RELANCE_TEST_POSTGRES_URL`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use relance::Error;
use relance::customer::ProfileField;
use relance::error::StateError;
use relance::sync::store::{MemoryStore, RunLock, Scope, StateStore};
use relance::sync::{SyncRecord, SyncState, SyncValue};

fn scope(account: &str) -> Scope {
    Scope::new("sendethic", account).unwrap()
}

/// A scope no other test (nor an earlier run against the same database) uses.
#[cfg(feature = "postgres")]
fn unique_scope(name: &str) -> Scope {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    scope(&format!("{name}-{}-{nanos}", std::process::id()))
}

fn expect_locked(result: relance::Result<RunLock>, scope: &Scope) {
    match result {
        Err(Error::State(StateError::Locked { scope: locked })) => assert_eq!(&locked, scope),
        other => panic!("expected Locked, got {other:?}"),
    }
}

/// Takes the lock, retrying for up to 5 s (a server notices a closed connection late).
async fn lock_eventually<S: StateStore>(store: &S) -> RunLock {
    let start = Instant::now();
    loop {
        match store.lock().await {
            Ok(lock) => return lock,
            Err(e) if start.elapsed() < Duration::from_secs(5) => {
                assert!(matches!(e, Error::State(StateError::Locked { .. })), "{e}");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(e) => panic!("lock still held after 5 s: {e}"),
        }
    }
}

/// Delivered event keys: recorded once, read back in order, idempotent.
async fn delivered_events<S: StateStore>(store: &S) {
    let keys = [
        "a@b.fr/seller/first_sale/1",
        "a@b.fr/seller/milestone_100/2",
        "c@d.fr/buyer/delivered/3",
    ];
    assert_eq!(store.delivered(&keys).await.unwrap(), [false, false, false]);
    store.mark_delivered(&keys[..2]).await.unwrap();
    store.mark_delivered(&keys[1..2]).await.unwrap();
    assert_eq!(store.delivered(&keys).await.unwrap(), [true, true, false]);
    assert_eq!(store.delivered(&[]).await.unwrap(), Vec::<bool>::new());
    // Events are not contacts: forgetting a contact keeps its delivered events.
    store.forget(&["a@b.fr"]).await.unwrap();
    assert_eq!(store.delivered(&keys[..1]).await.unwrap(), [true]);
}

/// Checkpoints: none at first, the last one set wins, one per name.
async fn checkpoints<S: StateStore>(store: &S) {
    let at = |s| chrono::DateTime::from_timestamp(s, 123_456_000).unwrap();
    assert_eq!(store.checkpoint("events").await.unwrap(), None);
    store
        .set_checkpoint("events", at(1_700_000_000))
        .await
        .unwrap();
    store.set_checkpoint("other", at(5)).await.unwrap();
    store
        .set_checkpoint("events", at(1_600_000_000))
        .await
        .unwrap();
    assert_eq!(
        store.checkpoint("events").await.unwrap(),
        Some(at(1_600_000_000)),
        "the last one set, to the microsecond"
    );
    assert_eq!(store.checkpoint("other").await.unwrap(), Some(at(5)));
}

async fn round_trip_overwrite_forget<S: StateStore>(store: &S) {
    assert!(store.load().await.unwrap().is_empty());
    store
        .record(&[("Ann@Example.com ", 1), ("bob@example.com", 2)])
        .await
        .unwrap();
    let loaded = store.load().await.unwrap();
    assert_eq!(loaded.len(), 2);
    assert_eq!(loaded.get("ann@example.com"), Some(1));
    let mut all: Vec<(String, u64)> = loaded.iter().map(|(e, f)| (e.to_owned(), f)).collect();
    all.sort();
    assert_eq!(
        all,
        [("ann@example.com".into(), 1), ("bob@example.com".into(), 2)]
    );

    // Overwrites, the later pair of a call winning; fingerprints keep all 64 bits.
    store
        .record(&[
            ("ann@example.com", 3),
            ("ANN@example.com", u64::MAX),
            ("cy@x.fr", 0),
        ])
        .await
        .unwrap();
    let loaded = store.load().await.unwrap();
    assert_eq!(loaded.len(), 3);
    assert_eq!(loaded.get("ann@example.com"), Some(u64::MAX));
    assert_eq!(loaded.get("bob@example.com"), Some(2));

    store
        .forget(&[" BOB@example.com", "nobody@x.fr"])
        .await
        .unwrap();
    let loaded = store.load().await.unwrap();
    assert_eq!(loaded.len(), 2);
    assert_eq!(loaded.get("bob@example.com"), None);

    // A failed call records nothing.
    assert!(store.record(&[("dan@x.fr", 4), (" ", 5)]).await.is_err());
    assert_eq!(store.load().await.unwrap().get("dan@x.fr"), None);
}

async fn lock_is_exclusive_and_released<S: StateStore>(first: &S, second: &S) {
    let lock = first.lock().await.unwrap();
    assert_eq!(lock.scope(), first.scope());
    let start = Instant::now();
    expect_locked(second.lock().await, second.scope());
    expect_locked(first.lock().await, first.scope());
    assert!(start.elapsed() < Duration::from_secs(2), "not fast");
    // The store still works for the lock's holder.
    first.record(&[("a@b.fr", 1)]).await.unwrap();
    drop(lock);
    let lock = lock_eventually(second).await;
    expect_locked(first.lock().await, first.scope());
    lock.release().await.unwrap();
    second.lock().await.unwrap().release().await.unwrap();
}

fn text_state(n: i64) -> SyncState {
    let mut state = SyncState::default();
    for i in 0..n {
        state.mark_pushed(
            &SyncRecord::new(format!("c{i}@x.fr"))
                .with(ProfileField::OrdersCount, SyncValue::int(i)),
        );
    }
    state
}

async fn text_state_is_imported_once<S: StateStore>(store: &S) {
    let state = text_state(1000);
    let text = state.to_text();
    let altered = text.replacen("c1@x.fr", "c1@y.fr", 1);
    assert!(store.import_text(&altered).await.is_err());
    assert!(store.load().await.unwrap().is_empty());

    assert_eq!(store.import_text(&text).await.unwrap(), 1000);
    let loaded = store.load().await.unwrap();
    assert_eq!(loaded.len(), 1000);
    for i in 0..1000 {
        let r = SyncRecord::new(format!("c{i}@x.fr"))
            .with(ProfileField::OrdersCount, SyncValue::int(i));
        assert!(!state.is_dirty(&r));
        assert!(!loaded.is_dirty(&r), "c{i} dirty after import");
    }
    match store.import_text(&text).await {
        Err(Error::State(StateError::NotEmpty { scope })) => assert_eq!(&scope, store.scope()),
        other => panic!("expected NotEmpty, got {other:?}"),
    }
}

fn fingerprint_of(i: u64) -> u64 {
    i.wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// One million contacts recorded in chunks of 500, then loaded back whole.
async fn a_million_in_chunks<S: StateStore>(store: &S) {
    const N: u64 = 1_000_000;
    let emails: Vec<String> = (0..N).map(|i| format!("customer{i}@example.com")).collect();
    for (c, chunk) in emails.chunks(500).enumerate() {
        let base = c as u64 * 500;
        let pairs: Vec<(&str, u64)> = chunk
            .iter()
            .zip(base..)
            .map(|(e, i)| (e.as_str(), fingerprint_of(i)))
            .collect();
        store.record(&pairs).await.unwrap();
    }
    let loaded = store.load().await.unwrap();
    assert_eq!(loaded.len(), emails.len());
    for (i, email) in (0..N).zip(&emails) {
        assert_eq!(loaded.get(email), Some(fingerprint_of(i)), "{email}");
    }
    assert_eq!(loaded.get("customer1000000@example.com"), None);
}

#[tokio::test]
async fn memory_store() {
    round_trip_overwrite_forget(&MemoryStore::new(scope("1"))).await;
    delivered_events(&MemoryStore::new(scope("1"))).await;
    checkpoints(&MemoryStore::new(scope("1"))).await;
    let store = MemoryStore::new(scope("1"));
    lock_is_exclusive_and_released(&store, &store.clone()).await;
    text_state_is_imported_once(&MemoryStore::new(scope("1"))).await;
}

#[tokio::test]
async fn memory_store_a_million() {
    a_million_in_chunks(&MemoryStore::new(scope("1"))).await;
}

#[cfg(feature = "sqlite")]
mod sqlite {
    use std::io::{BufRead, BufReader};
    use std::path::Path;
    use std::process::{Child, Command, Stdio};

    use relance::sync::store::SqliteStore;

    use super::*;

    fn open(dir: &tempfile::TempDir, account: &str) -> relance::Result<SqliteStore> {
        SqliteStore::open(dir.path().join("state.db"), scope(account))
    }

    #[tokio::test]
    async fn round_trip_overwrite_forget_and_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(&dir, "12345").unwrap();
        round_trip_overwrite_forget(&store).await;
        drop(store);
        let reopened = open(&dir, "12345").unwrap();
        let loaded = reopened.load().await.unwrap();
        assert_eq!(loaded.len(), 2);
        assert_eq!(loaded.get("ann@example.com"), Some(u64::MAX));
        assert!(reopened.path().is_absolute());
    }

    #[tokio::test]
    async fn delivered_events_survive_a_reopen_and_old_files_get_the_table() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(&dir, "12345").unwrap();
        delivered_events(&store).await;
        drop(store);
        let reopened = open(&dir, "12345").unwrap();
        assert_eq!(
            reopened
                .delivered(&["a@b.fr/seller/first_sale/1"])
                .await
                .unwrap(),
            [true]
        );
        // A store written before events existed: the table is added on open.
        drop(reopened);
        let conn = rusqlite::Connection::open(dir.path().join("state.db")).unwrap();
        conn.execute_batch("DROP TABLE relance_delivered_events")
            .unwrap();
        drop(conn);
        let old = open(&dir, "12345").unwrap();
        old.mark_delivered(&["k"]).await.unwrap();
        assert_eq!(old.delivered(&["k"]).await.unwrap(), [true]);
    }

    #[tokio::test]
    async fn checkpoints_survive_a_reopen_and_old_files_get_the_table() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(&dir, "12345").unwrap();
        checkpoints(&store).await;
        drop(store);
        let reopened = open(&dir, "12345").unwrap();
        assert!(reopened.checkpoint("events").await.unwrap().is_some());
        drop(reopened);
        let conn = rusqlite::Connection::open(dir.path().join("state.db")).unwrap();
        conn.execute_batch("DROP TABLE relance_checkpoints")
            .unwrap();
        drop(conn);
        let old = open(&dir, "12345").unwrap();
        assert_eq!(old.checkpoint("events").await.unwrap(), None);
        checkpoints(&old).await;
    }

    #[tokio::test]
    async fn another_scope_is_refused_with_both_names() {
        let dir = tempfile::tempdir().unwrap();
        open(&dir, "12345").unwrap();
        let err = open(&dir, "67890").unwrap_err();
        let text = err.to_string();
        match err {
            Error::State(StateError::OtherScope { expected, found }) => {
                assert_eq!(expected, scope("67890"));
                assert_eq!(found, scope("12345"));
            }
            other => panic!("expected OtherScope, got {other:?}"),
        }
        assert!(text.contains("sendethic account 12345"), "{text}");
        assert!(text.contains("sendethic account 67890"), "{text}");
        let sendsay = SqliteStore::open(
            dir.path().join("state.db"),
            Scope::new("sendsay", "12345").unwrap(),
        );
        assert!(matches!(
            sendsay,
            Err(Error::State(StateError::OtherScope { .. }))
        ));
    }

    #[tokio::test]
    async fn files_that_are_not_stores_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("state.txt");
        std::fs::write(&text, text_state(3).to_text()).unwrap();
        let err = SqliteStore::open(&text, scope("1"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("import_text"), "{err}");

        let other = dir.path().join("app.db");
        let conn = rusqlite::Connection::open(&other).unwrap();
        conn.execute_batch("CREATE TABLE orders (id INTEGER)")
            .unwrap();
        drop(conn);
        let err = SqliteStore::open(&other, scope("1")).unwrap_err();
        assert!(matches!(err, Error::InvalidInput { .. }), "{err}");

        let newer = dir.path().join("newer.db");
        drop(SqliteStore::open(&newer, scope("1")).unwrap());
        let conn = rusqlite::Connection::open(&newer).unwrap();
        conn.execute_batch("UPDATE relance_meta SET value = '2' WHERE key = 'schema_version'")
            .unwrap();
        drop(conn);
        let err = SqliteStore::open(&newer, scope("1")).unwrap_err();
        assert!(
            matches!(
                err,
                Error::State(StateError::Schema {
                    found: 2,
                    supported: 1
                })
            ),
            "{err}"
        );
    }

    #[tokio::test]
    async fn the_lock_is_per_file_not_per_connection() {
        let dir = tempfile::tempdir().unwrap();
        let first = open(&dir, "12345").unwrap();
        let second = open(&dir, "12345").unwrap();
        lock_is_exclusive_and_released(&first, &second).await;
        // A run in progress does not stop a standard SQLite reader.
        let _lock = first.lock().await.unwrap();
        let conn = rusqlite::Connection::open(first.path()).unwrap();
        let rows: i64 = conn
            .query_row("SELECT count(*) FROM relance_sync_state", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 1);
    }

    #[tokio::test]
    async fn text_state_is_imported_once_into_a_file() {
        let dir = tempfile::tempdir().unwrap();
        text_state_is_imported_once(&open(&dir, "1").unwrap()).await;
    }

    #[tokio::test]
    async fn a_million_in_a_file() {
        let dir = tempfile::tempdir().unwrap();
        a_million_in_chunks(&open(&dir, "1").unwrap()).await;
    }

    const CHILD: &str = "RELANCE_STORE_LOCK_CHILD";
    const TEST: &str = "lock_dies_with_the_process_holding_it";

    /// Starts this test binary again, running only [`TEST`] as a child that takes the lock
    /// of the store at `path`; returns once the child holds it.
    fn spawn_holder(path: &Path) -> Child {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([TEST, "--nocapture", "--test-threads=1"])
            .env(CHILD, path)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let held = lines
            .by_ref()
            .map_while(Result::ok)
            .any(|l| l.contains("child holds the lock"));
        assert!(held, "the child did not take the lock");
        // Reads the rest, so that the child's last lines do not meet a closed pipe.
        std::thread::spawn(move || lines.for_each(drop));
        child
    }

    /// As a parent: another process holding the lock makes `lock` fail fast; killing it
    /// (SIGKILL: no destructor runs) or letting it exit releases the lock. As a child
    /// (`RELANCE_STORE_LOCK_CHILD` set): holds the lock until its standard input closes.
    #[tokio::test]
    async fn lock_dies_with_the_process_holding_it() {
        if let Ok(path) = std::env::var(CHILD) {
            let store = SqliteStore::open(path, scope("12345")).unwrap();
            let _lock = store.lock().await.unwrap();
            println!("child holds the lock");
            let mut line = String::new();
            while std::io::stdin().read_line(&mut line).unwrap() > 0 {}
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let store = open(&dir, "12345").unwrap();

        let mut child = spawn_holder(store.path());
        let start = Instant::now();
        expect_locked(store.lock().await, &scope("12345"));
        assert!(start.elapsed() < Duration::from_secs(1));
        child.kill().unwrap();
        child.wait().unwrap();
        store.lock().await.unwrap().release().await.unwrap();

        let mut child = spawn_holder(store.path());
        expect_locked(store.lock().await, &scope("12345"));
        drop(child.stdin.take());
        assert!(child.wait().unwrap().success());
        let _lock = store.lock().await.unwrap();
        let pid = std::fs::read_to_string(format!("{}.lock", store.path().display())).unwrap();
        assert_eq!(pid.trim(), std::process::id().to_string());
    }
}

#[cfg(feature = "postgres")]
mod postgres {
    use relance::sync::store::{PostgresStore, tokio_postgres};

    use super::*;

    /// The test server, or `None` (with the reason printed) when none is configured.
    fn url() -> Option<String> {
        match std::env::var("RELANCE_TEST_POSTGRES_URL") {
            Ok(url) if !url.is_empty() => Some(url),
            _ => {
                assert_ne!(
                    std::env::var("RELANCE_REQUIRE_POSTGRES").as_deref(),
                    Ok("1"),
                    "RELANCE_REQUIRE_POSTGRES=1 but RELANCE_TEST_POSTGRES_URL is not set"
                );
                eprintln!("skipped: RELANCE_TEST_POSTGRES_URL is not set (no PostgreSQL server)");
                None
            }
        }
    }

    /// Runs `test` on a store of a new scope of the test server (if any), then deletes the
    /// scope's rows.
    async fn on_fresh_store(name: &str, test: impl AsyncFnOnce(&str, &PostgresStore)) {
        let Some(url) = url() else { return };
        let store = PostgresStore::connect(&url, unique_scope(name))
            .await
            .unwrap();
        test(&url, &store).await;
        let config: tokio_postgres::Config = url.parse().unwrap();
        let (client, connection) = config.connect(tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(connection);
        let scope = store.scope();
        client
            .execute(
                "DELETE FROM relance_sync_state WHERE provider = $1 AND account = $2",
                &[&scope.provider(), &scope.account()],
            )
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn round_trip_overwrite_forget_and_reconnect() {
        on_fresh_store("round-trip", async |url, store| {
            round_trip_overwrite_forget(store).await;
            let again = PostgresStore::connect(url, store.scope().clone())
                .await
                .unwrap();
            let loaded = again.load().await.unwrap();
            assert_eq!(loaded.get("ann@example.com"), Some(u64::MAX));
        })
        .await;
    }

    #[tokio::test]
    async fn delivered_events_in_the_table_per_scope() {
        on_fresh_store("events-a", async |url, a| {
            delivered_events(a).await;
            let b = PostgresStore::connect(url, unique_scope("events-b"))
                .await
                .unwrap();
            assert_eq!(
                b.delivered(&["a@b.fr/seller/first_sale/1"]).await.unwrap(),
                [false],
                "another scope's events are its own"
            );
        })
        .await;
    }

    #[tokio::test]
    async fn checkpoints_in_the_table_per_scope() {
        on_fresh_store("checkpoints-a", async |url, a| {
            checkpoints(a).await;
            let b = PostgresStore::connect(url, unique_scope("checkpoints-b"))
                .await
                .unwrap();
            assert_eq!(
                b.checkpoint("events").await.unwrap(),
                None,
                "another scope's checkpoints are its own"
            );
        })
        .await;
    }

    #[tokio::test]
    async fn scopes_share_the_table_but_nothing_else() {
        on_fresh_store("scope-a", async |url, a| {
            let b = PostgresStore::connect(url, unique_scope("scope-b"))
                .await
                .unwrap();
            a.record(&[("ann@example.com", 1)]).await.unwrap();
            b.record(&[("ann@example.com", 2)]).await.unwrap();
            assert_eq!(a.load().await.unwrap().get("ann@example.com"), Some(1));
            assert_eq!(b.load().await.unwrap().get("ann@example.com"), Some(2));
            b.forget(&["ann@example.com"]).await.unwrap();
            assert_eq!(a.load().await.unwrap().len(), 1);
            assert!(b.load().await.unwrap().is_empty());
            // Each scope has its own run lock.
            let _a = a.lock().await.unwrap();
            let _b = b.lock().await.unwrap();
        })
        .await;
    }

    #[tokio::test]
    async fn the_lock_is_per_scope_across_connections() {
        on_fresh_store("lock", async |url, first| {
            let second = PostgresStore::connect(url, first.scope().clone())
                .await
                .unwrap();
            lock_is_exclusive_and_released(first, &second).await;
        })
        .await;
    }

    #[tokio::test]
    async fn text_state_is_imported_once_into_the_table() {
        on_fresh_store("import", async |_, store| {
            text_state_is_imported_once(store).await;
        })
        .await;
    }

    #[tokio::test]
    async fn a_million_in_the_table() {
        on_fresh_store("million", async |_, store| {
            a_million_in_chunks(store).await;
        })
        .await;
    }

    #[tokio::test]
    async fn remote_servers_need_tls() {
        let err = PostgresStore::connect("postgresql://u@db.example.com/db", scope("1"))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{err}");
    }
}
