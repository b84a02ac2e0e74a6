//! The conformance suite and SQLite-specific behaviour.

use hoard_store::conformance::{self, fixtures};
use hoard_store::{SqliteStore, Store};

/// A fresh store in its own temporary directory (kept alive by the returned guard).
pub struct TempStore {
    pub store: SqliteStore,
    _dir: tempfile::TempDir,
}

impl std::ops::Deref for TempStore {
    type Target = SqliteStore;
    fn deref(&self) -> &SqliteStore {
        &self.store
    }
}

impl AsRef<dyn Store> for TempStore {
    fn as_ref(&self) -> &(dyn Store + 'static) {
        &self.store
    }
}

pub fn temp_store() -> TempStore {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(dir.path().join("hoard.db")).expect("open sqlite store");
    TempStore { store, _dir: dir }
}

fn fresh() -> Option<TempStore> {
    Some(temp_store())
}

/// A factory opening the same file each time; the directory lives as long as the closure.
fn factory() -> Option<Box<dyn Fn() -> Box<dyn Store>>> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("hoard.db");
    Some(Box::new(move || {
        let _keep = &dir;
        hoard_store::open(path.to_str().expect("utf-8 temp path")).expect("open sqlite store")
    }))
}

super::conformance_tests!(fresh, factory;
    stores: [
        empty_store, append_and_read_back, first_block_height, conflict_wrong_height,
        conflict_wrong_parent, conflict_is_atomic, invalid_input_refused, filter_by_address,
        filter_by_topic_positions, filter_or_sets, filter_by_account, filter_by_height_range,
        pagination_ascending, pagination_descending, page_limits_clamp, recent_blocks_order,
        txs_by_sender_order, snapshots_keep_n, snapshots_set_aside, meta_round_trip, reindex_reproduces,
        concurrent_readers,
    ];
    factories: [durability_across_reopen, sequencer_lock]
);

#[test]
fn opens_in_wal_mode_with_full_sync() {
    let store = temp_store();
    let conn = rusqlite::Connection::open(store.path()).expect("open raw");
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).expect("pragma");
    assert_eq!(mode.to_lowercase(), "wal");
    assert!(store.path().with_extension("db-wal").exists(), "the WAL file exists");
    assert_eq!(
        store.schema_version().expect("version"),
        hoard_store::sqlite::SQLITE_SCHEMA_VERSION
    );
}

#[test]
fn reopening_does_not_migrate_again() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("hoard.db");
    drop(SqliteStore::open(&path).expect("first open"));
    drop(SqliteStore::open(&path).expect("second open"));
    let conn = rusqlite::Connection::open(&path).expect("open raw");
    let rows: i64 =
        conn.query_row("SELECT COUNT(*) FROM schema_version", [], |r| r.get(0)).expect("count");
    assert_eq!(rows, hoard_store::sqlite::SQLITE_SCHEMA_VERSION, "one row per migration");
}

#[test]
fn newer_schema_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("hoard.db");
    drop(SqliteStore::open(&path).expect("create"));
    let conn = rusqlite::Connection::open(&path).expect("open raw");
    conn.execute("INSERT INTO schema_version (version, applied_at) VALUES (999, 0)", [])
        .expect("fake a future migration");
    drop(conn);
    let err = SqliteStore::open(&path).expect_err("a future schema is refused");
    assert_eq!(err.code(), "store.schema");
    assert!(err.to_string().contains("999"));
}

#[test]
fn corrupt_hash_is_reported_as_corruption() {
    let store = temp_store();
    store.append_blocks(&fixtures::chain_after(None, 1, 1, 0, 1)).expect("append");
    let conn = rusqlite::Connection::open(store.path()).expect("open raw");
    conn.execute("UPDATE blocks SET hash = x'0102' WHERE height = 1", []).expect("corrupt");
    drop(conn);
    let err = store.block(1).expect_err("a 2-byte hash is corrupt");
    assert_eq!(err.code(), "store.corrupt");
}

#[test]
fn open_dispatches_on_the_url() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("nested").join("via-open.db");
    let store = hoard_store::open(&format!("sqlite://{}", path.display())).expect("open");
    assert_eq!(store.backend_name(), "sqlite");
    assert!(path.exists(), "the sqlite:// prefix is stripped and the directory created");
    // A PostgreSQL URL goes to the PostgreSQL backend: nothing listens on port 1.
    let err =
        hoard_store::open("postgres://nobody:hunter2@127.0.0.1:1/none").err().expect("no server");
    assert_eq!(err.code(), "store.backend");
    assert!(!err.to_string().contains("hunter2"), "credentials never reach the message");
}

#[test]
fn model_agrees_after_a_long_chain() {
    let store = temp_store();
    let mut model = conformance::Model::default();
    for seed in 0..5 {
        let chain = fixtures::chain_after(model.head(), 10, 30, 3, seed);
        conformance::append_both(&*store, &mut model, &chain);
    }
    conformance::assert_same_answers(&*store, &model);
}
