//! Node integration tests on a real SQLite file: acknowledgement after commit, recovery from
//! snapshot and log, verify and reindex.

use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};

use alloy_primitives::{Address, U256};
use hoard_core::{
    command::{Command, SignedCommand, Transfer, Tx},
    facets::token::TokenId,
    genesis::Genesis,
};
use hoard_node::{Node, NodeConfig, NodeHandle, TxOutcome, devnet};

mod faults;

fn tokens(n: u64) -> U256 {
    U256::from(n) * U256::from(10u64).pow(U256::from(18u8))
}

struct Fixture {
    dir: tempfile::TempDir,
    genesis: Genesis,
    clock: Arc<AtomicU64>,
}

impl Fixture {
    fn new() -> Fixture {
        let genesis = devnet::genesis(1_767_225_600);
        Fixture {
            dir: tempfile::tempdir().expect("tempdir"),
            clock: Arc::new(AtomicU64::new(genesis.timestamp + 10)),
            genesis,
        }
    }
    /// A fixture whose database lives under `root` (a small file system, say).
    fn in_dir(root: &std::path::Path) -> Fixture {
        Fixture { dir: tempfile::tempdir_in(root).expect("tempdir"), ..Fixture::new() }
    }
    fn config(&self) -> NodeConfig {
        let clock = Arc::clone(&self.clock);
        NodeConfig {
            clock: Arc::new(move || clock.load(Ordering::SeqCst)),
            block_interval: std::time::Duration::from_millis(20),
            ..NodeConfig::default()
        }
    }
    fn path(&self) -> String {
        self.dir.path().join("hoard.sqlite").to_string_lossy().into_owned()
    }
    fn open(&self) -> Node {
        let store = hoard_store::open(&self.path()).expect("store");
        Node::open(store, &self.genesis, self.config()).expect("node opens")
    }
}

fn transfer(h: &NodeHandle, from: &str, to: Address, amount: U256, nonce: u64) -> Tx {
    let c = h.committed();
    let cmd = Command::Transfer(Transfer {
        token: c.engine.addresses().icy,
        to,
        amount,
        nonce,
        deadline: u64::MAX,
    });
    let key = devnet::account(from).expect("demo").secret;
    SignedCommand::sign(cmd, c.engine.domain(), &key).verify(c.engine.domain()).expect("verifies")
}

fn submit(h: &NodeHandle, txs: Vec<Tx>) -> Vec<TxOutcome> {
    h.submit(txs).expect("queued").blocking_recv().expect("answered")
}

#[test]
fn acknowledged_commands_are_committed_and_survive_restart() {
    let f = Fixture::new();
    let bob = devnet::account("bob").expect("bob").address;
    let (root, height) = {
        let node = f.open();
        let h = node.handle();
        let txs = (0..50).map(|n| transfer(&h, "alice", bob, tokens(1), n)).collect();
        let out = submit(&h, txs);
        assert!(
            out.iter()
                .all(|o| matches!(o, TxOutcome::Included { receipt, .. } if receipt.success()))
        );
        // Acknowledged means visible in the committed view and in the store.
        let TxOutcome::Included { receipt, height, .. } = &out[49] else { panic!("included") };
        assert!(h.store().tx(&receipt.tx_hash.0).expect("read").is_some());
        let c = h.committed();
        assert_eq!(c.head.height, *height);
        assert_eq!(c.engine.balance_of(TokenId::Icy, &bob), tokens(10_000_050));
        (c.engine.state_root(), c.head.height)
    };
    let node = f.open();
    let h = node.handle();
    let c = h.committed();
    assert_eq!(c.head.height, height);
    assert_eq!(c.engine.state_root(), root);
    assert_eq!(c.engine.nonce(&devnet::account("alice").expect("alice").address), 50);
}

#[test]
fn invalid_commands_are_answered_without_inclusion() {
    let f = Fixture::new();
    let node = f.open();
    let h = node.handle();
    let bob = devnet::account("bob").expect("bob").address;
    let head_before = h.committed().head;
    // Nonce gap, then a reused nonce after a valid one.
    let out = submit(&h, vec![transfer(&h, "alice", bob, tokens(1), 3)]);
    assert!(matches!(&out[0], TxOutcome::Invalid(e) if e.code() == "tx.nonce_gap"));
    assert_eq!(h.committed().head, head_before, "empty blocks are not written");
    let out = submit(
        &h,
        vec![transfer(&h, "alice", bob, tokens(1), 0), transfer(&h, "alice", bob, tokens(1), 0)],
    );
    assert!(matches!(&out[0], TxOutcome::Included { .. }));
    assert!(matches!(&out[1], TxOutcome::Invalid(e) if e.code() == "tx.nonce_reused"));
    // A rule violation is included with a rejection receipt.
    let out = submit(&h, vec![transfer(&h, "alice", bob, tokens(1_000_000_000), 1)]);
    assert!(
        matches!(&out[0], TxOutcome::Included { receipt, .. } if receipt.code() == Some("token.insufficient_balance"))
    );
    assert!(
        h.submit((0..1001).map(|n| transfer(&h, "alice", bob, tokens(1), n)).collect()).is_err()
    );
}

#[test]
fn recovery_uses_snapshot_then_replays_the_rest() {
    let f = Fixture::new();
    let bob = devnet::account("bob").expect("bob").address;
    let root = {
        let node = f.open();
        let h = node.handle();
        for n in 0..3 {
            let out = submit(&h, vec![transfer(&h, "alice", bob, tokens(1), n)]);
            assert!(matches!(out[0], TxOutcome::Included { .. }));
        }
        let root = h.committed().engine.state_root();
        node.shutdown(); // writes a snapshot at the head
        root
    };
    let store = hoard_store::open(&f.path()).expect("store");
    let snap = store.latest_snapshot().expect("read").expect("snapshot written at shutdown");
    assert_eq!(snap.state_root, root.0);
    drop(store);
    let node = f.open();
    let h = node.handle();
    let out = submit(&h, vec![transfer(&h, "alice", bob, tokens(1), 3)]);
    assert!(matches!(out[0], TxOutcome::Included { .. }));
    let root2 = h.committed().engine.state_root();
    drop(node);
    // Drop also snapshots; remove snapshots' effect by verifying the log from genesis.
    let store = hoard_store::open(&f.path()).expect("store");
    let report = hoard_node::verify(store.as_ref(), &f.genesis, |_, _| {}).expect("verifies");
    assert_eq!(report.state_root, root2);
    assert_eq!(report.txs, 4);
}

#[test]
fn another_genesis_is_refused() {
    let f = Fixture::new();
    drop(f.open());
    let store = hoard_store::open(&f.path()).expect("store");
    let other = devnet::genesis(f.genesis.timestamp + 1);
    let err = Node::open(store, &other, NodeConfig::default()).err().expect("refused");
    assert_eq!(err.code(), "node.wrong_chain");
}

#[test]
fn reindex_rebuilds_identical_projections() {
    let f = Fixture::new();
    let bob = devnet::account("bob").expect("bob").address;
    {
        let node = f.open();
        let h = node.handle();
        let txs = (0..20).map(|n| transfer(&h, "alice", bob, tokens(n + 1), n)).collect();
        submit(&h, txs);
    }
    let store = hoard_store::open(&f.path()).expect("store");
    let filter = hoard_store::EventFilter::default();
    let (before, _) = store.events(&filter, None, false, 1000).expect("events");
    assert_eq!(before.len(), 20);
    store.clear_projections().expect("clear");
    assert!(store.events(&filter, None, false, 1000).expect("events").0.is_empty());
    let blocks = hoard_node::reindex(store.as_ref(), &f.genesis, |_, _| {}).expect("reindex");
    assert!(blocks >= 1);
    let (after, _) = store.events(&filter, None, false, 1000).expect("events");
    assert_eq!(before, after);
    hoard_node::verify(store.as_ref(), &f.genesis, |_, _| {}).expect("still verifies");
}

#[test]
fn tampered_log_is_detected_on_open() {
    let f = Fixture::new();
    let bob = devnet::account("bob").expect("bob").address;
    {
        let node = f.open();
        let h = node.handle();
        submit(&h, vec![transfer(&h, "alice", bob, tokens(1), 0)]);
    }
    // As after a kill -9 before any snapshot: only the log.
    let conn = rusqlite::Connection::open(f.path()).expect("raw");
    conn.execute("DELETE FROM snapshots", []).expect("drop snapshots");
    drop(conn);
    // Corrupt the stored block body, keeping the header.
    assert!(flip_block_body_byte(&f.path()), "edited the stored block");
    let store = hoard_store::open(&f.path()).expect("store");
    let err = Node::open(store, &f.genesis, NodeConfig::default()).err().expect("refused");
    assert_eq!(err.code(), "node.corrupt");
}

/// Flips the last byte of block 1's body (part of the command's ABI encoding) directly in the
/// SQLite file, as a disk fault or an attacker with file access would.
fn flip_block_body_byte(path: &str) -> bool {
    let Ok(conn) = rusqlite::Connection::open(path) else { return false };
    let Ok(mut body): Result<Vec<u8>, _> =
        conn.query_row("SELECT body FROM blocks WHERE height = 1", [], |r| r.get(0))
    else {
        return false;
    };
    let Some(last) = body.last_mut() else { return false };
    *last ^= 1;
    conn.execute("UPDATE blocks SET body = ?1 WHERE height = 1", [body]).is_ok()
}

#[test]
fn dry_runs_do_not_block_readers_and_follow_the_head() {
    let f = Fixture::new();
    let node = f.open();
    let h = node.handle();
    let bob = devnet::account("bob").expect("bob").address;
    let first = transfer(&h, "alice", bob, tokens(1), 0);
    // A reader holds the committed state while a dry run runs on another thread: the dry run
    // must finish (it once took the write lock and waited for every reader).
    let reader = h.committed();
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    let h2 = h.clone();
    let tx = first.clone();
    let worker = std::thread::spawn(move || {
        let r = h2.dry_run(&tx, 0).map(|r| r.success());
        let _ = done_tx.send(r);
    });
    let answer = done_rx.recv_timeout(std::time::Duration::from_secs(20));
    drop(reader);
    worker.join().expect("dry run thread");
    assert_eq!(answer.expect("the dry run finished while a reader held the state"), Ok(true));
    assert!(h.has_dry_run_replica());
    // After a block commits, dry runs see it: nonce 0 is used, nonce 1 is next.
    assert!(matches!(submit(&h, vec![first.clone()])[0], TxOutcome::Included { .. }));
    assert_eq!(h.dry_run(&first, 0).map_err(|e| e.code()), Err("tx.nonce_reused"));
    let second = transfer(&h, "alice", bob, tokens(1), 1);
    assert_eq!(h.dry_run(&second, 0).map(|r| r.success()), Ok(true));
    // Nothing a dry run did is kept.
    assert_eq!(h.committed().engine.nonce(&devnet::account("alice").expect("a").address), 1);
    drop(node);
}

#[test]
fn a_task_due_without_user_traffic_makes_its_own_block_which_verify_replays() {
    let f = Fixture::new();
    let node = f.open();
    let h = node.handle();
    // The devnet admin (a GUARDIAN) pauses for 60 s.
    let c = h.committed();
    let cmd =
        Command::Pause(hoard_core::command::Pause { durationS: 60, nonce: 0, deadline: u64::MAX });
    let key = devnet::account("admin").expect("admin").secret;
    let tx =
        SignedCommand::sign(cmd, c.engine.domain(), &key).verify(c.engine.domain()).expect("ok");
    drop(c);
    assert!(matches!(submit(&h, vec![tx])[0], TxOutcome::Included { .. }));
    let (height, until) = {
        let c = h.committed();
        (c.head.height, c.engine.paused_until())
    };
    // Nobody sends anything; the clock passes the pause's end.
    f.clock.store(until, Ordering::SeqCst);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while h.committed().head.height == height {
        assert!(std::time::Instant::now() < deadline, "no block was made for the due task");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let head = h.committed().head.height;
    let txs = h.store().txs_in_block(head).expect("read");
    assert_eq!(txs.len(), 1, "the block holds the system transaction only");
    let receipt = hoard_core::Receipt::decode(&txs[0].receipt).expect("receipt");
    assert_eq!(receipt.command, "RunTasks");
    assert_eq!(receipt.logs.iter().filter_map(|l| l.name()).collect::<Vec<_>>(), ["PauseEnded"]);
    assert_eq!(h.committed().engine.next_task_due(), None);
    drop(h);
    drop(node);
    // The log verifies from genesis, system transaction included, and the node restarts.
    let store = hoard_store::open(&f.path()).expect("store");
    let report = hoard_node::verify(store.as_ref(), &f.genesis, |_, _| {}).expect("verifies");
    assert!(report.ok, "{report:?}");
    drop(store);
    let node = f.open();
    assert_eq!(node.handle().committed().head.height, head);
}

#[test]
fn the_devnet_has_pools_of_every_flavour_with_liquidity() {
    let engine = devnet::genesis(1_767_225_600).build().expect("devnet genesis");
    let pools = hoard_core::facets::pools::pools(engine.state());
    assert_eq!(pools.len(), 5);
    let flavours: std::collections::BTreeSet<u8> = pools.iter().map(|(_, m)| m.flavour).collect();
    assert_eq!(flavours.len(), 4, "the four flavours");
    let reserves = hoard_core::facets::modules::Module::Pools.account();
    let usdc = hoard_core::facets::token::asset_address("USDC");
    let mut usdc_in_pools = U256::ZERO;
    for (id, meta) in &pools {
        let view = hoard_core::facets::pools::view(engine.state(), *id).expect("pool");
        assert!(view.liquidity() > 0, "pool {id} has liquidity at its price");
        let (b0, b1) = view.balances();
        usdc_in_pools += if meta.token0 == usdc { b0 } else { b1 };
    }
    // About 1,000,000 USDC per pool on the USDC side, all in the reserves account.
    assert_eq!(engine.asset_balance(&usdc, &reserves), usdc_in_pools);
    let each = usdc_in_pools / U256::from(5u8);
    assert!(
        each > U256::from(900_000_000_000u64) && each < U256::from(1_100_000_000_000u64),
        "{each}"
    );
    // ICY trades near 1.5 USDC: a small quote.
    let (icy_pool, meta) = pools
        .iter()
        .find(|(_, m)| m.token0 == engine.addresses().icy || m.token1 == engine.addresses().icy)
        .expect("ICY/USDC");
    let view = hoard_core::facets::pools::view(engine.state(), *icy_pool).expect("pool");
    let icy_is_0 = meta.token0 == engine.addresses().icy;
    let one_icy = alloy_primitives::I256::try_from(10i128.pow(18)).expect("fits");
    let limit = if icy_is_0 {
        hoard_clmm::math::tick_math::MIN_SQRT_RATIO + U256::ONE
    } else {
        hoard_clmm::math::tick_math::MAX_SQRT_RATIO - U256::ONE
    };
    let q = view.quote(icy_is_0, one_icy, limit, 0).expect("quote");
    let usdc_out = if icy_is_0 { -q.amount1 } else { -q.amount0 };
    let usdc_out = usdc_out.into_raw();
    assert!(
        usdc_out > U256::from(1_400_000u64) && usdc_out < U256::from(1_500_000u64),
        "{usdc_out}"
    );
}
