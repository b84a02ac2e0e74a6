//! kill -9 during load: every acknowledged command survives, `hoard verify` stays clean.

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

fn batch(
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

#[test]
fn kill_9_during_load_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = NodeProcess::start(dir.path());
    let (_, chain) = node.get("/v1/chain").expect("chain");
    let acked: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    // Two clients load the node with batches; each records only what was acknowledged.
    let loaders: Vec<_> = ["alice", "bob"]
        .into_iter()
        .map(|from| {
            let (acked, stop, chain, port) =
                (Arc::clone(&acked), Arc::clone(&stop), chain.clone(), node.port);
            std::thread::spawn(move || {
                let mut nonce = 0;
                while !stop.load(Ordering::SeqCst) {
                    let (body, hashes) = batch(&chain, from, nonce, 100);
                    match crate::support::request(port, "POST", "/v1/txs", Some(&body.to_string()))
                    {
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
    // Let some batches commit, then kill -9 in the middle of the load.
    let t = std::time::Instant::now();
    while acked.lock().expect("lock").len() < 1_000 && t.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(20));
    }
    node.kill();
    stop.store(true, Ordering::SeqCst);
    for l in loaders {
        l.join().expect("loader");
    }
    let acked = acked.lock().expect("lock").clone();
    assert!(acked.len() >= 1_000, "load ran before the kill ({} acknowledged)", acked.len());

    // Restart: every acknowledged transaction is there.
    let node = NodeProcess::start(dir.path());
    for h in &acked {
        let (status, v) = node.get(&format!("/v1/txs/{h}")).expect("query");
        assert_eq!(status, 200, "acknowledged {h} lost: {v}");
        assert_eq!(v["receipt"]["success"], true);
    }
    // The node accepts new work after recovery.
    let (_, alice) = node
        .get(&format!("/v1/accounts/{}", devnet::account("alice").expect("alice").address))
        .expect("account");
    let (body, _) = batch(&chain, "alice", alice["nonce"].as_u64().expect("nonce"), 1);
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
    assert!(report["report"]["txs"].as_u64().expect("txs") > acked.len() as u64);
}
