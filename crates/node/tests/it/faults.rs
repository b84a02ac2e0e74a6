//! Fault injection under the node: a commit that fails (a full disk, injected and real), a
//! snapshot that does not match, a second writer, a lost durable tail and a damaged page. Each
//! case checks that nothing acknowledged is lost, nothing half-applied, and that what the disk
//! itself lost is detected and reported at start.

use std::{
    path::Path,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use hoard_core::command::Tx;
use hoard_node::{Node, NodeConfig, NodeError, TxOutcome, devnet};
use hoard_store::{
    Addr20, BlockRecord, BlockWrite, EventCursor, EventFilter, EventRecord, Hash32, SnapshotRecord,
    SqliteStore, Store, StoreError, TxRecord, conformance::faults,
};

use crate::{Fixture, submit, tokens, transfer};

/// A SQLite store whose appends fail with ENOSPC while `full` is set: the disk is full for the
/// log, while small writes (snapshots) may still pass, as the reviewer saw.
struct FullDisk {
    inner: SqliteStore,
    full: Arc<AtomicBool>,
}

impl Store for FullDisk {
    fn append_blocks(&self, blocks: &[BlockWrite]) -> hoard_store::Result<()> {
        if self.full.load(Ordering::SeqCst) {
            return Err(StoreError::Backend {
                op: "committing blocks",
                source: Box::new(std::io::Error::from_raw_os_error(28)),
            });
        }
        self.inner.append_blocks(blocks)
    }
    fn head(&self) -> hoard_store::Result<Option<(u64, Hash32)>> {
        self.inner.head()
    }
    fn block(&self, height: u64) -> hoard_store::Result<Option<BlockRecord>> {
        self.inner.block(height)
    }
    fn block_by_hash(&self, hash: &Hash32) -> hoard_store::Result<Option<BlockRecord>> {
        self.inner.block_by_hash(hash)
    }
    fn blocks_from(&self, from: u64, limit: usize) -> hoard_store::Result<Vec<BlockRecord>> {
        self.inner.blocks_from(from, limit)
    }
    fn recent_blocks(
        &self,
        before: Option<u64>,
        limit: usize,
    ) -> hoard_store::Result<Vec<BlockRecord>> {
        self.inner.recent_blocks(before, limit)
    }
    fn tx(&self, hash: &Hash32) -> hoard_store::Result<Option<TxRecord>> {
        self.inner.tx(hash)
    }
    fn txs_in_block(&self, height: u64) -> hoard_store::Result<Vec<TxRecord>> {
        self.inner.txs_in_block(height)
    }
    fn txs_by_sender(
        &self,
        sender: &Addr20,
        before: Option<(u64, u32)>,
        limit: usize,
    ) -> hoard_store::Result<Vec<TxRecord>> {
        self.inner.txs_by_sender(sender, before, limit)
    }
    fn events(
        &self,
        filter: &EventFilter,
        after: Option<EventCursor>,
        descending: bool,
        limit: usize,
    ) -> hoard_store::Result<(Vec<EventRecord>, Option<EventCursor>)> {
        self.inner.events(filter, after, descending, limit)
    }
    fn put_snapshot(&self, snapshot: &SnapshotRecord) -> hoard_store::Result<()> {
        self.inner.put_snapshot(snapshot)
    }
    fn latest_snapshot(&self) -> hoard_store::Result<Option<SnapshotRecord>> {
        self.inner.latest_snapshot()
    }
    fn snapshot_heights(&self) -> hoard_store::Result<Vec<u64>> {
        self.inner.snapshot_heights()
    }
    fn snapshot(&self, height: u64) -> hoard_store::Result<Option<SnapshotRecord>> {
        self.inner.snapshot(height)
    }
    fn set_aside_snapshot(&self, height: u64, reason: &str) -> hoard_store::Result<()> {
        self.inner.set_aside_snapshot(height, reason)
    }
    fn acknowledged_head(&self) -> hoard_store::Result<Option<(u64, Hash32)>> {
        self.inner.acknowledged_head()
    }
    fn meta(&self, key: &str) -> hoard_store::Result<Option<Vec<u8>>> {
        self.inner.meta(key)
    }
    fn set_meta(&self, key: &str, value: &[u8]) -> hoard_store::Result<()> {
        self.inner.set_meta(key, value)
    }
    fn clear_projections(&self) -> hoard_store::Result<()> {
        self.inner.clear_projections()
    }
    fn write_projections(
        &self,
        txs: &[TxRecord],
        events: &[EventRecord],
    ) -> hoard_store::Result<()> {
        self.inner.write_projections(txs, events)
    }
    fn try_lock_sequencer(&self) -> hoard_store::Result<bool> {
        self.inner.try_lock_sequencer()
    }
    fn backend_name(&self) -> &'static str {
        "sqlite"
    }
}

fn bob() -> alloy_primitives::Address {
    devnet::account("bob").expect("bob").address
}

fn included(out: &[TxOutcome]) -> Vec<alloy_primitives::B256> {
    out.iter()
        .filter_map(|o| match o {
            TxOutcome::Included { receipt, .. } => Some(receipt.tx_hash),
            _ => None,
        })
        .collect()
}

fn assert_present(f: &Fixture, hashes: &[alloy_primitives::B256]) {
    let store = hoard_store::open(&f.path()).expect("store");
    for h in hashes {
        assert!(store.tx(&h.0).expect("read").is_some(), "acknowledged {h} lost");
    }
}

fn verify_clean(f: &Fixture) -> hoard_node::VerifyReport {
    let store = hoard_store::open(&f.path()).expect("store");
    let report = hoard_node::verify(store.as_ref(), &f.genesis, |_, _| {}).expect("verify runs");
    assert!(report.ok, "verify: {:?}", report.problems);
    report
}

#[test]
fn a_failed_commit_never_reaches_a_snapshot_and_the_restart_recovers() {
    let f = Fixture::new();
    let full = Arc::new(AtomicBool::new(false));
    let store = FullDisk { inner: SqliteStore::open(f.path()).expect("open"), full: full.clone() };
    let node = Node::open(Box::new(store), &f.genesis, f.config()).expect("opens");
    let h = node.handle();
    let acked =
        included(&submit(&h, (0..5).map(|n| transfer(&h, "alice", bob(), tokens(1), n)).collect()));
    assert_eq!(acked.len(), 5);
    let head = h.committed().head;
    full.store(true, Ordering::SeqCst);
    let out = submit(&h, vec![transfer(&h, "alice", bob(), tokens(1), 5)]);
    assert!(matches!(&out[0], TxOutcome::Failed(m) if m.contains("not applied")), "{out:?}");
    let health = h.health();
    assert!(!health.ok() && !health.sequencer_running);
    let reason = health.stop_reason.expect("a reason");
    assert!(reason.contains("errno 28"), "the cause is named: {reason}");
    assert_eq!(h.committed().head, head, "the replica never saw the failed block");
    drop(h);
    node.shutdown(); // must not snapshot the working engine, which holds the failed block
    full.store(false, Ordering::SeqCst);
    let store = hoard_store::open(&f.path()).expect("store");
    if let Some(snap) = store.latest_snapshot().expect("read") {
        let block = store.block(snap.height).expect("read").expect("its block");
        let header = hoard_core::block::Header::decode(&block.header).expect("header");
        let state = hoard_core::state::State::decode_snapshot(&snap.bytes).expect("decodes");
        let engine = hoard_core::Engine::new(f.genesis.chain_id, f.genesis.diamond, state);
        assert_eq!(engine.state_root(), header.state_root, "a snapshot holds committed state only");
    }
    drop(store);
    // The disk is fine again: the node starts, with every acknowledged command and not the
    // failed one; the same signed command applies now.
    let node = f.open();
    let h = node.handle();
    assert_eq!(h.committed().head, head);
    let out = submit(&h, vec![transfer(&h, "alice", bob(), tokens(1), 5)]);
    assert_eq!(included(&out).len(), 1);
    drop(h);
    drop(node);
    assert_present(&f, &acked);
    verify_clean(&f);
}

#[test]
fn a_snapshot_that_does_not_match_is_set_aside_not_refused() {
    let f = Fixture::new();
    let acked = {
        let node = f.open();
        let h = node.handle();
        let mut acked = Vec::new();
        for n in 0..4 {
            acked.extend(included(&submit(&h, vec![transfer(&h, "alice", bob(), tokens(1), n)])));
        }
        acked
    }; // drop writes a good snapshot at the head
    let store = SqliteStore::open(f.path()).expect("open");
    let good = store.latest_snapshot().expect("read").expect("snapshot");
    // A snapshot of another height's state under the head, and garbage under an older height.
    let head = store.head().expect("head").expect("blocks").0;
    let genesis_state = f.genesis.build().expect("genesis").state().encode_snapshot();
    store
        .put_snapshot(&SnapshotRecord {
            height: head,
            state_root: good.state_root,
            bytes: genesis_state,
        })
        .expect("write");
    store
        .put_snapshot(&SnapshotRecord {
            height: head - 1,
            state_root: [9; 32],
            bytes: vec![1, 2, 3],
        })
        .expect("write");
    drop(store);
    let node = f.open();
    let h = node.handle();
    assert_eq!(h.committed().head.height, head, "rebuilt from genesis by replaying the log");
    assert_eq!(h.committed().head.state_root.0, good.state_root);
    drop(h);
    drop(node);
    let conn = rusqlite::Connection::open(f.path()).expect("raw");
    let reasons: Vec<(i64, String)> = conn
        .prepare("SELECT height, reason FROM snapshots_set_aside ORDER BY id")
        .expect("query")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(reasons.len(), 2, "both bad snapshots kept for inspection: {reasons:?}");
    assert!(reasons[0].1.contains("does not match the state root"), "{reasons:?}");
    assert!(reasons[1].1.contains("does not decode"), "{reasons:?}");
    assert_present(&f, &acked);
}

#[test]
fn one_writer_per_database() {
    let f = Fixture::new();
    let node = f.open();
    let h = node.handle();
    let acked = included(&submit(&h, vec![transfer(&h, "alice", bob(), tokens(1), 0)]));
    // A second node on the same file refuses to start, with a clear message.
    let second = Node::open(hoard_store::open(&f.path()).expect("store"), &f.genesis, f.config());
    let err = second.err().expect("refused");
    assert_eq!(err.code(), "node.locked");
    assert!(err.to_string().contains("another node or `hoard reindex`"), "{err}");
    // A reindex refuses too, and leaves the live node's projections alone.
    let other = hoard_store::open(&f.path()).expect("store");
    let err = hoard_node::reindex(other.as_ref(), &f.genesis, |_, _| {}).expect_err("refused");
    assert!(matches!(err, NodeError::Locked { .. }), "{err}");
    assert!(
        hoard_store::sqlite::SequencerLock::try_acquire(Path::new(&f.path()))
            .expect("lock")
            .is_none(),
        "the SQLite rebuild path sees the lock too"
    );
    assert!(h.store().tx(&acked[0].0).expect("read").is_some(), "projections untouched");
    let out = submit(&h, vec![transfer(&h, "alice", bob(), tokens(1), 1)]);
    assert_eq!(included(&out).len(), 1, "the first node still writes");
    drop(h);
    drop(node);
    // Once it stopped, another may take over.
    drop(f.open());
}

#[test]
fn a_lost_durable_tail_is_detected_at_start() {
    let f = Fixture::new();
    let image = f.dir.path().join("crashed.sqlite");
    let (head, acked) = {
        let node = f.open();
        let h = node.handle();
        let mut acked = Vec::new();
        for n in 0..6 {
            acked.extend(included(&submit(&h, vec![transfer(&h, "alice", bob(), tokens(1), n)])));
        }
        let head = h.committed().head.height;
        // What a kill -9 leaves, then the disk tears the last WAL frame.
        faults::crash_image(Path::new(&f.path()), &image);
        (head, acked)
    };
    assert!(faults::damage_last_wal_frame(&image));
    let open = |accept: bool| {
        let store = hoard_store::open(image.to_str().expect("utf-8")).expect("store");
        Node::open(store, &f.genesis, NodeConfig { accept_lost_blocks: accept, ..f.config() })
    };
    let err = open(false).err().expect("refused");
    assert_eq!(err.code(), "node.lost_blocks");
    let message = err.to_string();
    assert!(
        message.contains(&format!("block {head} was durably committed and acknowledged")),
        "{message}"
    );
    assert!(message.contains("--accept-lost-blocks"), "{message}");
    // verify says the same, naming the first missing block.
    let store = hoard_store::open(image.to_str().expect("utf-8")).expect("store");
    let report = hoard_node::verify(store.as_ref(), &f.genesis, |_, _| {}).expect("runs");
    assert!(!report.ok);
    assert_eq!(report.first_bad_block, Some(report.head_height + 1));
    assert!(
        report.problems[0].what.contains("acknowledged but are missing"),
        "{:?}",
        report.problems
    );
    drop(store);
    // The operator accepts the loss: the node goes on from the shorter log, and says so once.
    let node = open(true).expect("accepted");
    let present = node.handle().committed().head.height;
    assert!(present < head);
    drop(node);
    drop(open(false).expect("no alarm after the loss was accepted"));
    // The original, undamaged, has everything.
    assert_present(&f, &acked);
}

#[test]
fn a_damaged_page_turns_health_red_verify_names_the_block_and_reindex_rebuilds() {
    let f = Fixture::new();
    let acked = {
        let node = f.open();
        let h = node.handle();
        let mut acked = Vec::new();
        for round in 0..30u64 {
            let txs: Vec<Tx> =
                (0..40).map(|n| transfer(&h, "alice", bob(), tokens(1), round * 40 + n)).collect();
            acked.extend(included(&submit(&h, txs)));
        }
        acked
    };
    assert_eq!(acked.len(), 1200);
    let store = SqliteStore::open(f.path()).expect("open");
    store.close().expect("checkpoint");
    faults::damage_table_page(Path::new(&f.path()), "txs");

    // The log is intact: the node starts, and its health turns red once the damage is seen.
    let node = f.open();
    let h = node.handle();
    let t = std::time::Instant::now();
    while h.health().damage.is_none() && t.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let damage = h.health().damage.expect("the integrity check finds the damage");
    assert!(!h.health().ok());
    assert!(damage.contains("integrity check"), "{damage}");
    let unreadable: Vec<_> = acked.iter().filter(|t| h.store().tx(&t.0).is_err()).collect();
    drop(h);
    drop(node);

    // verify names the first bad block and what is wrong with it.
    let store = hoard_store::open(&f.path()).expect("store");
    let report = hoard_node::verify(store.as_ref(), &f.genesis, |_, _| {}).expect("runs");
    assert!(!report.ok);
    let first = report.first_bad_block.expect("a bad block");
    let problem = report
        .problems
        .iter()
        .find(|p| p.height == Some(first))
        .expect("a problem at the first bad block");
    assert!(
        problem.what.contains("cannot be read") || problem.what.contains("differ"),
        "{problem:?}"
    );
    assert!(report.problems.iter().any(|p| p.height.is_none()), "the structure check reports too");
    drop(store);

    // Rebuilt from the readable log into a new file: every acknowledged command is back.
    let old = SqliteStore::open(f.path()).expect("open");
    let fresh = f.dir.path().join("rebuilt.sqlite");
    let new = SqliteStore::open(&fresh).expect("open");
    hoard_node::rebuild(&old, &new, &f.genesis, |_, _| {}).expect("rebuild");
    new.close().expect("close");
    drop(old);
    let kept = f.dir.path().join("damaged.sqlite");
    hoard_store::sqlite::replace_database(Path::new(&f.path()), &fresh, &kept).expect("swap");
    assert!(kept.exists());
    let _ = unreadable;
    assert_present(&f, &acked);
    let report = verify_clean(&f);
    assert_eq!(report.txs, 1200);
    drop(f.open());
}

/// The real thing: a small tmpfs fills up under load. Needs root (to mount); skipped otherwise,
/// saying so.
#[test]
fn a_full_disk_stops_the_sequencer_and_the_restart_loses_nothing_acknowledged() {
    let Some(mount) = Tmpfs::mount(2 * 1024 * 1024) else {
        eprintln!(
            "skipped: {}: cannot mount a tmpfs here (needs root)",
            std::thread::current().name().unwrap_or("a test")
        );
        return;
    };
    let f = Fixture::in_dir(mount.path());
    let node = f.open();
    let h = node.handle();
    let mut acked = Vec::new();
    let mut failed = None;
    let mut nonce = 0u64;
    for _ in 0..2_000 {
        let txs: Vec<Tx> =
            (0..200).map(|n| transfer(&h, "alice", bob(), tokens(1), nonce + n)).collect();
        let out = submit(&h, txs);
        let ok = included(&out);
        nonce += ok.len() as u64;
        acked.extend(ok);
        if let Some(TxOutcome::Failed(m)) = out.iter().find(|o| matches!(o, TxOutcome::Failed(_))) {
            failed = Some(m.clone());
            break;
        }
    }
    assert!(failed.is_some(), "the disk filled up");
    let reason = h.health().stop_reason.expect("stopped with a reason");
    assert!(reason.contains("disk full"), "the cause is named: {reason}");
    drop(h);
    drop(node);
    assert!(!acked.is_empty());
    mount.grow(64 * 1024 * 1024);
    let node = f.open();
    let h = node.handle();
    assert!(h.health().sequencer_running);
    let out = submit(&h, vec![transfer(&h, "alice", bob(), tokens(1), nonce)]);
    assert_eq!(included(&out).len(), 1, "writes again once there is space");
    drop(h);
    drop(node);
    assert_present(&f, &acked);
    verify_clean(&f);
}

/// A tmpfs mounted for one test (unmounted on drop).
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(bytes: u64) -> Option<Tmpfs> {
        let dir = tempfile::tempdir().ok()?;
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={bytes}"), "tmpfs"])
            .arg(dir.path())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(Tmpfs { dir })
    }
    fn path(&self) -> &Path {
        self.dir.path()
    }
    fn grow(&self, bytes: u64) {
        let ok = std::process::Command::new("mount")
            .args(["-o", &format!("remount,size={bytes}")])
            .arg(self.dir.path())
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "remount the tmpfs larger");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(self.dir.path()).status();
    }
}
