//! `hoard btc balance` end to end: the binary against a fake Esplora server on 127.0.0.1 that
//! answers in Esplora's formats (`/block-height/0`, `/blocks/tip/height`,
//! `/scripthash/:hash/utxo`), for a 2-of-3 regtest wallet built from the library's devnet keys.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::Output;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use hoard_btc::bitcoin::hashes::{Hash, sha256};
use hoard_btc::bitcoin::{BlockHash, Network, ScriptBuf, constants::genesis_block};
use hoard_btc::{Keychain, SoftwareSigner, Wallet, WalletPolicy};
use serde_json::Value;

use crate::support::hoard;

const TIP: u32 = 200;
const MIN_CONF: u32 = 6;
const SCAN: u32 = 20;

/// One coin the fake server reports.
struct Coin {
    keychain: Keychain,
    index: u32,
    txid: String,
    vout: u32,
    value: u64,
    /// Confirmation height; `None` in the mempool.
    height: Option<u32>,
}

fn coin(keychain: Keychain, index: u32, n: u8, value: u64, height: Option<u32>) -> Coin {
    Coin {
        keychain,
        index,
        txid: format!("{n:02x}").repeat(32),
        vout: u32::from(n % 3),
        value,
        height,
    }
}

/// The chain state: coins at several depths at tip 200.
fn fixture() -> Vec<Coin> {
    use Keychain::{External, Internal};
    vec![
        coin(External, 0, 0x11, 1_000_000, Some(150)), // 51 confirmations
        coin(External, 1, 0x12, 250_000, Some(TIP - MIN_CONF + 1)), // exactly 6
        coin(External, 1, 0x13, 40_000, Some(TIP - MIN_CONF + 2)), // 5: shallow
        coin(Internal, 0, 0x14, 7_000, Some(TIP)),     // 1: shallow
        coin(External, 3, 0x15, 3_333, None),          // mempool
        coin(Internal, 2, 0x16, 500_000, Some(100)),   // 101 confirmations, change chain
        coin(External, SCAN + 10, 0x17, 9_999_999, Some(10)), // beyond the scanned window
    ]
}

fn confirmations(height: Option<u32>) -> u32 {
    match height {
        Some(h) if h <= TIP => TIP - h + 1,
        _ => 0,
    }
}

/// Esplora's script hash: SHA-256 of the script, hex of the reversed digest.
fn esplora_script_hash(script: &ScriptBuf) -> String {
    let mut d = sha256::Hash::hash(script.as_bytes()).to_byte_array();
    d.reverse();
    d.iter().map(|b| format!("{b:02x}")).collect()
}

fn test_wallet() -> (WalletPolicy, Wallet) {
    let keys = (0..3)
        .map(|i| {
            SoftwareSigner::devnet(Network::Regtest, "balance-e2e", i)
                .and_then(|s| s.signer_key(0))
                .expect("devnet key")
        })
        .collect();
    let policy =
        WalletPolicy::multisig("balance-e2e", Network::Regtest, 2, keys).expect("2-of-3 policy");
    let wallet = Wallet::new(policy.clone()).expect("wallet");
    (policy, wallet)
}

/// What the server saw.
#[derive(Default)]
struct Seen {
    paths: Vec<String>,
}

/// A fake Esplora server: answers at most `max_requests` connections, one request each, then
/// stops; it also stops by itself after 60 s.
fn esplora(
    genesis: BlockHash,
    utxos: BTreeMap<String, String>,
    max_requests: usize,
) -> (String, Arc<Mutex<Seen>>, thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let seen = Arc::new(Mutex::new(Seen::default()));
    let log = seen.clone();
    let handle = thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut served = 0;
        while served < max_requests && Instant::now() < deadline {
            let mut stream = match listener.accept() {
                Ok((s, _)) => s,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    thread::sleep(Duration::from_millis(5));
                    continue;
                }
                Err(_) => continue,
            };
            served += 1;
            let _ = stream.set_nonblocking(false);
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            let mut parts = line.split_whitespace();
            let method = parts.next().unwrap_or_default().to_string();
            let path = parts.next().unwrap_or_default().to_string();
            loop {
                let mut h = String::new();
                if !reader.read_line(&mut h).is_ok_and(|n| n > 0) || h.trim().is_empty() {
                    break;
                }
            }
            log.lock().expect("log").paths.push(path.clone());
            let (status, ctype, body) = if method != "GET" {
                (405, "text/plain", "method not allowed".to_string())
            } else if path == "/block-height/0" {
                (200, "text/plain", genesis.to_string())
            } else if path == "/blocks/tip/height" {
                (200, "text/plain", TIP.to_string())
            } else if let Some(hash) =
                path.strip_prefix("/scripthash/").and_then(|r| r.strip_suffix("/utxo"))
            {
                (200, "application/json", utxos.get(hash).cloned().unwrap_or_else(|| "[]".into()))
            } else {
                (404, "text/plain", format!("no route {path}"))
            };
            let reason = if status == 200 { "OK" } else { "Error" };
            let resp = format!(
                "HTTP/1.1 {status} {reason}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(resp.as_bytes());
        }
    });
    (url, seen, handle)
}

/// The `/scripthash/:hash/utxo` answers of the fixture, in Esplora's JSON.
fn utxo_answers(wallet: &Wallet, coins: &[Coin]) -> BTreeMap<String, String> {
    let mut by_hash: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for c in coins {
        let spk = wallet.script_pubkey(c.keychain, c.index).expect("script");
        let status = match c.height {
            Some(h) => serde_json::json!({
                "confirmed": true,
                "block_height": h,
                "block_hash": format!("{:064x}", h),
                "block_time": 1_700_000_000 + u64::from(h) * 600,
            }),
            None => serde_json::json!({"confirmed": false}),
        };
        by_hash.entry(esplora_script_hash(&spk)).or_default().push(serde_json::json!({
            "txid": c.txid, "vout": c.vout, "status": status, "value": c.value,
        }));
    }
    by_hash.into_iter().map(|(k, v)| (k, Value::Array(v).to_string())).collect()
}

fn write_policy(dir: &Path, name: &str, json: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, json).expect("write policy");
    p.to_str().expect("utf-8 path").to_string()
}

fn run(args: &[&str]) -> Output {
    hoard().args(["btc", "balance"]).args(args).output().expect("run hoard")
}

fn stdout_json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "hoard failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

/// Confirmed balance counts only coins with `min_conf` confirmations; shallow and mempool coins
/// are reported apart; coins beyond the scanned window are not seen.
#[test]
fn btc_balance_counts_only_deep_coins() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (policy, wallet) = test_wallet();
    let policy_file =
        write_policy(dir.path(), "policy.json", &serde_json::to_string(&policy).unwrap());
    let coins = fixture();
    let scanned: Vec<&Coin> = coins.iter().filter(|c| c.index < SCAN).collect();
    let genesis = genesis_block(Network::Regtest).block_hash();

    for min_conf in [MIN_CONF, 1] {
        // Expected figures from the fixture.
        let confirmed: u64 =
            scanned.iter().filter(|c| confirmations(c.height) >= min_conf).map(|c| c.value).sum();
        let pending: u64 =
            scanned.iter().filter(|c| confirmations(c.height) < min_conf).map(|c| c.value).sum();
        if min_conf == MIN_CONF {
            assert_eq!(confirmed, 1_000_000 + 250_000 + 500_000);
            assert_eq!(pending, 40_000 + 7_000 + 3_333);
        } else {
            assert_eq!(pending, 3_333);
        }

        // Genesis check, tip, then both chains' scripts 0..SCAN.
        let expected_requests = 2 + 2 * SCAN as usize;
        let (url, seen, server) =
            esplora(genesis, utxo_answers(&wallet, &coins), expected_requests);
        let out = run(&[
            "--policy",
            &policy_file,
            "--esplora",
            &url,
            "--count",
            &SCAN.to_string(),
            "--min-conf",
            &min_conf.to_string(),
            "--timeout-ms",
            "5000",
        ]);
        let v = stdout_json(&out);
        assert_eq!(v["wallet"], "balance-e2e");
        assert_eq!(v["tip_height"], TIP);
        assert_eq!(v["min_confirmations"], min_conf);
        assert_eq!(v["confirmed_sats"], confirmed, "{v:#}");
        assert_eq!(v["unconfirmed_or_shallow_sats"], pending, "{v:#}");

        // Every scanned coin is listed once, with its derivation and height; nothing else.
        let listed = v["coins"].as_array().expect("coins");
        assert_eq!(listed.len(), scanned.len(), "{v:#}");
        for c in &scanned {
            let outpoint = format!("{}:{}", c.txid, c.vout);
            let got = listed
                .iter()
                .find(|l| l["outpoint"] == outpoint.as_str())
                .unwrap_or_else(|| panic!("coin {outpoint} missing: {v:#}"));
            assert_eq!(got["txout"]["value"], c.value);
            assert_eq!(got["index"], c.index);
            assert_eq!(got["keychain"], serde_json::to_value(c.keychain).unwrap());
            assert_eq!(got["confirmation_height"], serde_json::to_value(c.height).unwrap());
            let spk = wallet.script_pubkey(c.keychain, c.index).unwrap();
            assert_eq!(got["txout"]["script_pubkey"], spk.to_hex_string());
        }

        // The command asked what it should: the genesis, the tip, and each script once.
        server.join().expect("server thread");
        let paths = std::mem::take(&mut seen.lock().unwrap().paths);
        assert_eq!(paths.len(), expected_requests, "{paths:?}");
        assert_eq!(paths.iter().filter(|p| *p == "/block-height/0").count(), 1);
        assert_eq!(paths.iter().filter(|p| *p == "/blocks/tip/height").count(), 1);
        for keychain in [Keychain::External, Keychain::Internal] {
            for i in 0..SCAN {
                let h = esplora_script_hash(&wallet.script_pubkey(keychain, i).unwrap());
                let p = format!("/scripthash/{h}/utxo");
                assert_eq!(paths.iter().filter(|x| **x == p).count(), 1, "{p} in {paths:?}");
            }
        }
    }
}

fn assert_refused(out: &Output, needles: &[&str]) {
    assert!(
        !out.status.success(),
        "expected a failure, got {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(out.stdout.is_empty(), "no JSON on failure: {}", String::from_utf8_lossy(&out.stdout));
    let err = String::from_utf8_lossy(&out.stderr);
    for n in needles {
        assert!(err.contains(n), "stderr lacks {n:?}: {err}");
    }
}

/// Bad inputs exit non-zero with a clear error: an unreachable endpoint, a source serving another
/// network's chain, a policy file whose keys are not for its network.
#[test]
fn btc_balance_refuses_bad_inputs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (policy, wallet) = test_wallet();
    let json = serde_json::to_string(&policy).unwrap();
    let policy_file = write_policy(dir.path(), "policy.json", &json);

    // Nothing listens there.
    let dead = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let out = run(&["--policy", &policy_file, "--esplora", &dead, "--timeout-ms", "2000"]);
    assert_refused(&out, &["[chain.transport]", dead.as_str()]);

    // A testnet server for a regtest wallet: the same scripts exist there, so without the genesis
    // check its coins would be reported as this wallet's. It is refused before any script query.
    let testnet = genesis_block(Network::Testnet).block_hash();
    let (url, seen, server) = esplora(testnet, utxo_answers(&wallet, &fixture()), 1);
    let out = run(&["--policy", &policy_file, "--esplora", &url, "--timeout-ms", "5000"]);
    server.join().expect("server thread");
    assert_refused(&out, &["[chain.wrong_network]", &testnet.to_string(), "regtest"]);
    assert_eq!(seen.lock().unwrap().paths, ["/block-height/0"]);

    // A policy that claims mainnet with test-network keys.
    let doc: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["network"], "regtest");
    let mut wrong = doc.clone();
    wrong["network"] = Value::from("bitcoin");
    let wrong_file = write_policy(dir.path(), "wrong.json", &wrong.to_string());
    let out = run(&["--policy", &wrong_file, "--esplora", &dead]);
    assert_refused(&out, &["[btc.key_network_mismatch]", "is not for network bitcoin"]);

    // Both or neither source.
    let out = run(&["--policy", &policy_file]);
    assert_refused(&out, &["give either --esplora URL(s) or --rpc URL(s)"]);
}
