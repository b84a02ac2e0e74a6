//! The binary under faults: a second writer, `hoard reindex` against a live node, a lost durable
//! tail after a kill -9, and a damaged page, each with the message a person needs.

use hoard_store::conformance::faults;

use crate::{
    crash::{batch, nonce_of},
    support::{NodeProcess, hoard, node_refuses},
};

fn load(node: &NodeProcess, batches: usize) -> Vec<String> {
    let (_, chain) = node.get("/v1/chain").expect("chain");
    let mut acked = Vec::new();
    for _ in 0..batches {
        let (body, hashes) = batch(&chain, "alice", nonce_of(node, "alice"), 100);
        let (status, v) = node.post("/v1/txs", &body).expect("post");
        assert_eq!(status, 200, "{v}");
        acked.extend(hashes);
    }
    acked
}

fn cli(args: &[&str], dir: &std::path::Path) -> std::process::Output {
    hoard().args(args).arg("--dev").arg("--data-dir").arg(dir).output().expect("hoard runs")
}

#[test]
fn a_second_writer_and_a_live_reindex_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = NodeProcess::start(dir.path());
    let acked = load(&node, 2);
    let err = node_refuses(dir.path(), &[]);
    assert!(
        err.contains("another node or `hoard reindex` is writing this sqlite database"),
        "{err}"
    );
    let out = cli(&["reindex"], dir.path());
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("another node or `hoard reindex`"), "{err}");
    // The live node lost nothing and still writes.
    for h in &acked {
        assert_eq!(node.get(&format!("/v1/txs/{h}")).expect("query").0, 200, "{h}");
    }
    load(&node, 1);
    node.kill();
    // Stopped, the database can be reindexed.
    let out = cli(&["reindex"], dir.path());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let node = NodeProcess::start(dir.path());
    for h in &acked {
        assert_eq!(node.get(&format!("/v1/txs/{h}")).expect("query").0, 200, "{h}");
    }
}

#[test]
fn a_torn_last_wal_frame_is_reported_at_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = NodeProcess::start(dir.path());
    load(&node, 3);
    node.kill(); // kill -9: the WAL keeps the last commits
    let db = dir.path().join("hoard.sqlite");
    assert!(faults::damage_last_wal_frame(&db), "the WAL holds frames after a kill -9");
    let err = node_refuses(dir.path(), &[]);
    assert!(err.contains("the database lost acknowledged blocks"), "{err}");
    assert!(err.contains("--accept-lost-blocks"), "{err}");
    // verify agrees and names the first missing block.
    let out = cli(&["verify"], dir.path());
    assert!(!out.status.success(), "verify must fail");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json report");
    assert_eq!(report["ok"], false);
    let first = report["report"]["first_bad_block"].as_u64().expect("first bad block");
    assert_eq!(first, report["report"]["head_height"].as_u64().expect("head") + 1);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&format!("the first bad block is {first}"))
    );
    // The operator accepts the loss once; the node runs from the shorter log.
    let node = NodeProcess::start_with(dir.path(), &["--accept-lost-blocks"]);
    load(&node, 1);
    node.kill();
    assert!(cli(&["verify"], dir.path()).status.success(), "clean after the accepted loss");
}

#[test]
fn a_damaged_page_is_named_by_verify_and_repaired_by_reindex() {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = NodeProcess::start(dir.path());
    let acked = load(&node, 12);
    node.kill();
    // Stop cleanly once (SIGTERM-free: reopen and close the store to checkpoint the WAL).
    let db = dir.path().join("hoard.sqlite");
    hoard_store::SqliteStore::open(&db).expect("open").close().expect("checkpoint");
    faults::damage_table_page(&db, "txs");
    let out = cli(&["verify"], dir.path());
    assert!(!out.status.success());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json report");
    let first = report["report"]["first_bad_block"].as_u64().expect("names a block");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("the first bad block is {first}")), "{err}");
    // The node starts (the log is fine) but is not healthy.
    let node = NodeProcess::start_unhealthy(dir.path());
    node.kill();
    let out = cli(&["reindex"], dir.path());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = cli(&["verify"], dir.path());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let node = NodeProcess::start(dir.path());
    for h in &acked {
        assert_eq!(node.get(&format!("/v1/txs/{h}")).expect("query").0, 200, "{h}");
    }
}

#[test]
fn a_devnet_directory_of_another_build_says_to_start_afresh() {
    let dir = tempfile::tempdir().expect("tempdir");
    drop(NodeProcess::start(dir.path()));
    // Another build's devnet: its genesis differs from the one the database was made with.
    let path = dir.path().join("genesis.json");
    let mut g: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("genesis")).expect("json");
    g["timestamp"] = serde_json::json!(g["timestamp"].as_u64().expect("timestamp") + 1);
    std::fs::write(&path, g.to_string()).expect("write");
    let err = node_refuses(dir.path(), &[]);
    assert!(err.contains("[node.wrong_chain]"), "{err}");
    assert!(err.contains("delete it to start a fresh devnet"), "{err}");
}
