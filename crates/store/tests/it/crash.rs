//! Crash safety (SPEC 4: "a crash (kill -9) at any moment loses nothing acknowledged and leaves
//! nothing half-applied"). The test binary re-runs itself as a child process that appends blocks
//! and prints each acknowledged height; the parent kills it with SIGKILL mid-stream, reopens the
//! store and checks that every acknowledged block is there, whole, and the chain is intact.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hoard_store::conformance::fixtures;
use hoard_store::{EventFilter, Store};

const TARGET_VAR: &str = "HOARD_CRASH_CHILD_TARGET";
const CHILD_TEST: &str = "crash::crash_child";

/// Opens the store named by a target: `sqlite:<path>` or `postgres:<schema>`.
fn open_target(target: &str) -> Box<dyn Store> {
    if let Some(path) = target.strip_prefix("sqlite:") {
        Box::new(hoard_store::SqliteStore::open(path).expect("open sqlite"))
    } else if let Some(schema) = target.strip_prefix("postgres:") {
        let url = std::env::var(super::postgres::URL_VAR).expect("postgres url for the child");
        Box::new(hoard_store::PostgresStore::open_in_schema(&url, schema).expect("open postgres"))
    } else {
        panic!("unknown crash target {target}")
    }
}

/// The child: appends blocks forever, printing `ack <height>` after each durable append. Does
/// nothing unless started by `kill_and_verify` (the variable is set only there).
#[test]
fn crash_child() {
    let Ok(target) = std::env::var(TARGET_VAR) else { return };
    let store = open_target(&target);
    let mut seed = 0;
    loop {
        seed += 1;
        let chain = fixtures::chain_after(store.head().expect("head"), 2, 40, 2, seed);
        store.append_blocks(&chain).expect("append");
        println!("ack {}", chain[1].block.height);
    }
}

fn kill_and_verify(target: &str) {
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args([CHILD_TEST, "--exact", "--nocapture", "--test-threads=1"])
        .env(TARGET_VAR, target)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn the child");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut acknowledged = 0u64;
    let started = Instant::now();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("child output");
        if let Some(height) = line.strip_prefix("ack ") {
            acknowledged = height.parse().expect("height");
        }
        if acknowledged >= 30 || started.elapsed() > Duration::from_secs(60) {
            break;
        }
    }
    child.kill().expect("SIGKILL the child");
    let _ = child.wait();
    assert!(acknowledged >= 30, "the child acknowledged blocks before it was killed");

    let store = open_target(target);
    let (head, _) = store.head().expect("head").expect("a head after the crash");
    assert!(head >= acknowledged, "head {head} lost acknowledged block {acknowledged}");
    let mut parent = [0u8; 32];
    let mut from = 1;
    while from <= head {
        let blocks = store.blocks_from(from, 100).expect("blocks");
        assert!(!blocks.is_empty());
        for block in blocks {
            assert_eq!(block.height, from, "no gap in the log");
            if from > 1 {
                assert_eq!(block.parent_hash, parent, "the chain is intact");
            }
            let (_, txs, events) = fixtures::parse_header(&block.header).expect("header");
            assert_eq!(store.txs_in_block(from).expect("txs").len(), txs as usize);
            let filter = EventFilter {
                from_height: Some(from),
                to_height: Some(from),
                ..Default::default()
            };
            let (seen, _) = store.events(&filter, None, false, 1000).expect("events");
            assert_eq!(seen.len(), events as usize, "block {from} is whole");
            parent = block.hash;
            from += 1;
        }
    }
    // The store is usable after the crash: appends continue from the head.
    let next = fixtures::chain_after(store.head().expect("head"), 1, 3, 1, 999);
    store.append_blocks(&next).expect("append after recovery");
}

#[test]
fn sqlite_survives_kill_9() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("crash.db");
    kill_and_verify(&format!("sqlite:{}", path.to_str().expect("utf-8 path")));
}

#[test]
fn postgres_survives_kill_9() {
    let Some(schema) = super::postgres::TempSchema::new() else { return };
    kill_and_verify(&format!("postgres:{}", schema.name));
}
