//! The CLI wallet against a running devnet node.

use hoard_node::devnet;

use crate::support::{NodeProcess, hoard};

#[test]
fn tx_and_query_commands_round_trip() {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = NodeProcess::start(dir.path());
    let bob = devnet::account("bob").expect("bob").address.to_string();
    let out = hoard()
        .args([
            "tx",
            "--node",
            &node.url(),
            "--dev-key",
            "alice",
            "transfer",
            "--token",
            "icy",
            "--to",
            &bob,
            "--amount",
            "12.5",
        ])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["receipt"]["success"], true);
    // --print-only shows the signed command with amounts as decimal strings of base units.
    let out = hoard()
        .args([
            "tx",
            "--node",
            &node.url(),
            "--dev-key",
            "alice",
            "--print-only",
            "transfer",
            "--token",
            "icy",
            "--to",
            &bob,
            "--amount",
            "12.5",
        ])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(printed["message"]["amount"], "12500000000000000000", "{printed}");
    assert_eq!(printed["message"]["nonce"], 1);
    let out =
        hoard().args(["query", "--node", &node.url(), "account", &bob]).output().expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["icy"], "10000012500000000000000000");
    // Generic form by type name.
    let carol = devnet::account("carol").expect("carol").address.to_string();
    let out = hoard()
        .args([
            "tx",
            "--node",
            &node.url(),
            "--dev-key",
            "dave",
            "send",
            "Delegate",
            &format!("{{\"delegatee\":\"{carol}\"}}"),
        ])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // A rejection exits non-zero with its code.
    let out = hoard()
        .args([
            "tx",
            "--node",
            &node.url(),
            "--dev-key",
            "carol",
            "mint",
            "--to",
            &carol,
            "--amount",
            "1",
        ])
        .output()
        .expect("runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("access.unauthorized"));
    // The governance steward makes the keyless governance module act; signed directly, the
    // same command is not governance's.
    let url = node.url();
    let pause = |extra: &[&str]| {
        let mut args = vec!["tx", "--node", url.as_str(), "--dev-key", "governance"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["pause", "--duration-s", "60"]);
        hoard().args(args).output().expect("runs")
    };
    let out = pause(&[]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("[access.unauthorized]"));
    let out = pause(&["--as-governance"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["receipt"]["command"], "ActAsGovernance");
    let names: Vec<&str> = v["receipt"]["logs"]
        .as_array()
        .expect("logs")
        .iter()
        .filter_map(|l| l["name"].as_str())
        .collect();
    assert_eq!(names, ["GovernanceActed", "Paused"], "{v}");
    let out = hoard()
        .args([
            "tx",
            "--node",
            &node.url(),
            "--dev-key",
            "governance",
            "--as-governance",
            "unpause",
        ])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // A rejection with amounts says them in whole tokens, as the command was typed.
    let out = hoard()
        .args([
            "tx",
            "--node",
            &node.url(),
            "--dev-key",
            "bob",
            "transfer",
            "--token",
            "icy",
            "--to",
            &carol,
            "--amount",
            "20000000",
        ])
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "[token.insufficient_balance] insufficient balance: has 10,000,012.5 ICY, needs 20,000,000 ICY (HTTP 422)"
        ),
        "{stderr}"
    );
}

#[test]
fn keystore_sign_with_from() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = dir.path().join("keys");
    let node = NodeProcess::start(&dir.path().join("node"));
    // Import alice's devnet key into a keystore and sign with --from.
    let alice = devnet::account("alice").expect("alice");
    let out = hoard()
        .env("HOARD_PASSWORD", "pw")
        .args(["keys", "--keys-dir"])
        .arg(&keys)
        .args([
            "import",
            "--light",
            "--hex",
            &alloy_primitives::hex::encode(alice.secret.secret_bytes()),
        ])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = hoard().args(["keys", "--keys-dir"]).arg(&keys).arg("list").output().expect("runs");
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .to_lowercase()
            .contains(&alice.address.to_string().to_lowercase()[2..])
    );
    let out = hoard()
        .env("HOARD_PASSWORD", "pw")
        .args(["tx", "--node", &node.url(), "--from", &alice.address.to_string(), "--keys-dir"])
        .arg(&keys)
        .args(["delegate", "--to", &alice.address.to_string()])
        .output()
        .expect("runs");
    // Alice is already self-delegated at genesis: a clear rejection, signed by the right key.
    assert!(!out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        v["receipt"]["sender"].as_str().map(str::to_lowercase),
        Some(alice.address.to_string().to_lowercase())
    );
    assert_eq!(v["error"]["code"], "votes.already_delegated");
    // Wrong password: a clear error, nothing sent.
    let out = hoard()
        .env("HOARD_PASSWORD", "nope")
        .args(["tx", "--node", &node.url(), "--from", &alice.address.to_string(), "--keys-dir"])
        .arg(&keys)
        .args(["delegate", "--to", &alice.address.to_string()])
        .output()
        .expect("runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).to_lowercase().contains("password"));
}

#[test]
fn sigterm_stops_gracefully_with_a_snapshot() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut node = NodeProcess::start(dir.path());
    let bob = devnet::account("bob").expect("bob").address.to_string();
    let out = hoard()
        .args([
            "tx",
            "--node",
            &node.url(),
            "--dev-key",
            "alice",
            "transfer",
            "--token",
            "dfg",
            "--to",
            &bob,
            "--amount",
            "1",
        ])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (_, chain) = node.get("/v1/chain").expect("chain");
    let head = chain["head"]["height"].as_u64().expect("height");
    let status = std::process::Command::new("kill")
        .args(["-TERM", &node.child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let exit = node.child.wait().expect("node exits");
    assert!(exit.success(), "graceful exit, got {exit:?}");
    let store =
        hoard_store::open(&dir.path().join("hoard.sqlite").to_string_lossy()).expect("store");
    let snap = store.latest_snapshot().expect("read").expect("a snapshot at shutdown");
    assert_eq!(snap.height, head);
}
