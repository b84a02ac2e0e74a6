//! Faults of the disk under the SQLite backend: a lost durable tail, a damaged page, and the
//! causes named in errors.

use hoard_store::conformance::{faults, fixtures};
use hoard_store::{SqliteStore, Store};

#[test]
fn the_acknowledged_head_follows_every_append() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("hoard.db");
    let store = SqliteStore::open(&path).expect("open");
    assert_eq!(store.acknowledged_head().expect("read"), None);
    let chain = fixtures::chain_after(None, 3, 2, 1, 7);
    store.append_blocks(&chain[..2]).expect("append");
    assert_eq!(store.acknowledged_head().expect("read"), store.head().expect("head"));
    store.append_blocks(&chain[2..]).expect("append");
    let head = store.head().expect("head");
    assert_eq!(head.map(|h| h.0), Some(3));
    drop(store);
    let store = SqliteStore::open(&path).expect("reopen");
    assert_eq!(store.acknowledged_head().expect("read"), head, "durable across reopen");
}

#[test]
fn a_damaged_last_wal_frame_is_a_detectable_lost_tail() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("hoard.db");
    let store = SqliteStore::open(&path).expect("open");
    let mut head = None;
    for seed in 0..4 {
        let chain = fixtures::chain_after(head, 1, 20, 2, seed);
        store.append_blocks(&chain).expect("append");
        head = store.head().expect("head");
    }
    // What a kill -9 leaves on disk, then a torn last frame.
    let image = dir.path().join("crashed.db");
    faults::crash_image(&path, &image);
    assert!(faults::damage_last_wal_frame(&image), "the WAL holds frames");
    let crashed = SqliteStore::open(&image).expect("SQLite opens it without a word");
    let present = crashed.head().expect("head").expect("blocks");
    let acknowledged = crashed.acknowledged_head().expect("read").expect("recorded");
    assert_eq!(acknowledged.0, 4);
    assert!(present.0 < acknowledged.0, "the last commit is gone: {present:?}");
    // The operator accepts the loss: the record follows the log again.
    crashed.reset_acknowledged_head().expect("reset");
    assert_eq!(crashed.acknowledged_head().expect("read"), Some(present));
}

#[test]
fn a_damaged_page_is_reported_as_damage_and_by_the_integrity_check() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("hoard.db");
    let store = SqliteStore::open(&path).expect("open");
    assert!(store.integrity_check().expect("check").is_empty(), "a new file is sound");
    let mut head = None;
    for seed in 0..20 {
        let chain = fixtures::chain_after(head, 10, 20, 1, seed);
        store.append_blocks(&chain).expect("append");
        head = store.head().expect("head");
    }
    assert!(store.integrity_check().expect("check").is_empty());
    store.close().expect("close");
    faults::damage_table_page(&path, "txs");
    let store = SqliteStore::open(&path).expect("opens: the damage is in the middle");
    let problems = store.integrity_check().expect("the check runs");
    assert!(!problems.is_empty(), "quick_check finds the damaged page");
    let mut damaged = Vec::new();
    for height in 1..=200 {
        match store.txs_in_block(height) {
            Ok(txs) => assert!(txs.len() == 20 || txs.is_empty()),
            Err(e) => {
                assert_eq!(e.code(), "store.damaged", "{e}");
                damaged.push(height);
            }
        }
    }
    assert!(!damaged.is_empty(), "some block's transactions sit on the damaged page");
    // The log itself is intact.
    for height in 1..=200 {
        assert!(store.block(height).expect("block readable").is_some());
    }
}

#[test]
fn backend_errors_name_their_cause() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("hoard.db");
    let store = SqliteStore::open(&path).expect("open");
    // A database limited to its current size is full at the next page: SQLITE_FULL, the same
    // code SQLite gives for ENOSPC.
    let conn = rusqlite::Connection::open(&path).expect("raw");
    let pages: i64 = conn.query_row("PRAGMA page_count", [], |r| r.get(0)).expect("count");
    drop(conn);
    let full = rusqlite::Connection::open(&path).expect("raw");
    full.query_row(&format!("PRAGMA max_page_count = {pages}"), [], |_| Ok(())).expect("cap");
    let err = full
        .execute_batch(
            "CREATE TABLE filler (x BLOB); INSERT INTO filler VALUES (zeroblob(1000000));",
        )
        .expect_err("full");
    let store_err = hoard_store::StoreError::Backend { op: "filling", source: Box::new(err) };
    let cause = store_err.cause().expect("a cause");
    assert!(cause.starts_with("disk full (SQLITE_FULL)"), "{cause}");
    drop(store);
    let io = std::io::Error::from_raw_os_error(28);
    let store_err = hoard_store::StoreError::Backend { op: "writing", source: Box::new(io) };
    assert!(store_err.cause().expect("cause").starts_with("errno 28:"));
}
