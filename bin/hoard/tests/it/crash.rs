//! kill -9 at random moments during load: every acknowledged command survives every restart,
//! and `hoard verify` stays clean.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use alloy_primitives::{Address, U256, hex};
use hoard_core::command::{Command, SignedCommand, Transfer, domain};
use hoard_node::devnet;
use serde_json::json;

use crate::support::{NodeProcess, hoard};

/// Kills per run of the test.
const KILLS: usize = 5;

pub fn batch(
    chain: &serde_json::Value,
    from: &str,
    start_nonce: u64,
    n: u64,
) -> (serde_json::Value, Vec<String>) {
    let key = devnet::account(from).expect("demo").secret;
    let d = domain(
        chain["chain_id"].as_u64().expect("chain id"),
        chain["diamond"].as_str().expect("diamond").parse().expect("address"),
    );
    let icy: Address = chain["icy"].as_str().expect("icy").parse().expect("address");
    let to = devnet::account("dave").expect("dave").address;
    let mut hashes = Vec::new();
    let commands: Vec<serde_json::Value> = (start_nonce..start_nonce + n)
        .map(|nonce| {
            let cmd = Command::Transfer(Transfer { token: icy, to, amount: U256::from(1u8), nonce, deadline: u64::MAX });
            let signed = SignedCommand::sign(cmd.clone(), &d, &key);
            hashes.push(signed.clone().verify(&d).expect("verifies").hash.to_string());
            json!({ "type": "Transfer", "message": cmd.to_json(), "signature": hex::encode_prefixed(signed.signature) })
        })
        .collect();
    (json!({ "commands": commands }), hashes)
}

pub fn nonce_of(node: &NodeProcess, who: &str) -> u64 {
    let address = devnet::account(who).expect("demo").address;
    let (_, account) = node.get(&format!("/v1/accounts/{address}")).expect("account");
    account["nonce"].as_u64().expect("nonce")
}

/// SplitMix64 seeded from the clock: each run kills at other moments; the seed is printed so a
/// failure can be replayed (HOARD_CRASH_SEED).
fn seed() -> u64 {
    std::env::var("HOARD_CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(7)
    })
}

fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[test]
fn kill_9_at_random_moments_loses_nothing_acknowledged() {
    let seed = seed();
    eprintln!("kill_9_at_random_moments: seed {seed} (HOARD_CRASH_SEED replays it)");
    let mut rng = seed;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut acked_all: Vec<String> = Vec::new();
    let mut chain = serde_json::Value::Null;
    for round in 0..KILLS {
        let node = NodeProcess::start(dir.path());
        if round == 0 {
            chain = node.get("/v1/chain").expect("chain").1;
        }
        // Everything acknowledged before the previous kills is still there.
        for h in &acked_all {
            let (status, v) = node.get(&format!("/v1/txs/{h}")).expect("query");
            assert_eq!(status, 200, "round {round}: acknowledged {h} lost: {v}");
        }
        let acked: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        // Two clients load the node with batches; each records only what was acknowledged.
        let loaders: Vec<_> = ["alice", "bob"]
            .into_iter()
            .map(|from| {
                let (acked, stop, chain, port) =
                    (Arc::clone(&acked), Arc::clone(&stop), chain.clone(), node.port);
                let mut nonce = nonce_of(&node, from);
                std::thread::spawn(move || {
                    while !stop.load(Ordering::SeqCst) {
                        let (body, hashes) = batch(&chain, from, nonce, 100);
                        match crate::support::request(
                            port,
                            "POST",
                            "/v1/txs",
                            Some(&body.to_string()),
                        ) {
                            Some((200, v)) if v["committed"] == 100 => {
                                acked.lock().expect("lock").extend(hashes);
                                nonce += 100;
                            }
                            _ => break, // the node died mid-request: not acknowledged
                        }
                    }
                })
            })
            .collect();
        // Kill at a random moment of the load: 100 ms to 1.5 s after it is under way (the
        // first 200 commands acknowledged, so a busy machine still tests a loaded node).
        let started = std::time::Instant::now();
        while acked.lock().expect("lock").len() < 200 && started.elapsed() < Duration::from_secs(20)
        {
            std::thread::sleep(Duration::from_millis(10));
        }
        let delay_ms = 100 + next(&mut rng) % 1_400;
        std::thread::sleep(Duration::from_millis(delay_ms));
        node.kill();
        stop.store(true, Ordering::SeqCst);
        for l in loaders {
            l.join().expect("loader");
        }
        let acked = acked.lock().expect("lock").clone();
        eprintln!("round {round}: killed after {delay_ms} ms, {} acknowledged", acked.len());
        acked_all.extend(acked);
    }
    assert!(
        acked_all.len() >= 1_000,
        "load ran before the kills ({} acknowledged)",
        acked_all.len()
    );

    // The last restart: acknowledged against present.
    let node = NodeProcess::start(dir.path());
    let present = acked_all
        .iter()
        .filter(|h| {
            node.get(&format!("/v1/txs/{h}"))
                .is_some_and(|(s, v)| s == 200 && v["receipt"]["success"] == true)
        })
        .count();
    eprintln!("after {KILLS} kills: {} acknowledged, {present} present", acked_all.len());
    assert_eq!(present, acked_all.len(), "every acknowledged command is present");
    // The node accepts new work after recovery.
    let (body, _) = batch(&chain, "alice", nonce_of(&node, "alice"), 1);
    assert_eq!(node.post("/v1/txs", &body).expect("post").0, 200);
    node.kill();

    // The log replays from genesis with every signature and root checked.
    let out = hoard()
        .args(["verify", "--dev", "--data-dir"])
        .arg(dir.path())
        .output()
        .expect("verify runs");
    assert!(out.status.success(), "verify failed: {}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["ok"], true);
    assert!(report["report"]["txs"].as_u64().expect("txs") > acked_all.len() as u64);
}
