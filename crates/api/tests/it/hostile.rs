//! Hostile signatures over real HTTP: a signature made for another domain (by an independent
//! signer, Python eth-account, when it is installed), and a batch of random signatures, are
//! refused at admission with a message that says what is wrong, and store nothing.

use alloy_primitives::{U256, hex, keccak256};
use hoard_core::command::{Command, Transfer};
use hoard_node::devnet;
use serde_json::{Value, json};

use crate::support::{TestNode, http};

fn post(n: &TestNode, path: &str, body: &Value) -> (u16, Value) {
    let (s, b) = http(n.addr, "POST", path, Some(&body.to_string()));
    (s, serde_json::from_str(&b).unwrap_or(Value::String(b)))
}

fn get(n: &TestNode, path: &str) -> (u16, Value) {
    let (s, b) = http(n.addr, "GET", path, None);
    (s, serde_json::from_str(&b).unwrap_or(Value::String(b)))
}

#[test]
fn eth_account_signing_for_another_chain_gets_the_domain_message() {
    let probe = std::process::Command::new("python3").args(["-c", "import eth_account"]).output();
    if !probe.is_ok_and(|o| o.status.success()) {
        let _ = std::io::Write::write_fmt(
            &mut std::io::stderr(),
            format_args!(
                "skipped: {}: python eth-account not installed (pip install eth-account)\n",
                std::thread::current().name().unwrap_or("a test")
            ),
        );
        return;
    }
    let n = TestNode::start();
    let (_, types) = get(&n, "/v1/eip712/types");
    let (_, chain) = get(&n, "/v1/chain");
    let head = chain["head"]["height"].as_u64().expect("head");
    let bob = devnet::account("bob").expect("bob").address;
    let message = json!({ "token": chain["icy"], "to": bob, "amount": "1000", "nonce": 0, "deadline": 4_000_000_000u64 });
    let mut domain = types["domain"].clone();
    domain["chainId"] = json!(devnet::DEVNET_CHAIN_ID + 1);
    let typed = json!({
        "types": { "EIP712Domain": types["types"]["EIP712Domain"], "Transfer": types["types"]["Transfer"] },
        "primaryType": "Transfer",
        "domain": domain,
        "message": message,
    });
    let script = "import json,sys\nfrom eth_account import Account\nfrom eth_account.messages import encode_typed_data\nd=json.loads(sys.argv[1])\nd['message']['amount']=int(d['message']['amount'])\nprint('0x'+Account.sign_message(encode_typed_data(full_message=d), private_key=sys.argv[2]).signature.hex().removeprefix('0x'))";
    let key = hex::encode(devnet::account("alice").expect("alice").secret.secret_bytes());
    let out = std::process::Command::new("python3")
        .args(["-c", script, &typed.to_string(), &key])
        .output()
        .expect("python");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let sig = String::from_utf8(out.stdout).expect("utf8").trim().to_string();
    // Without the optional envelope chainId: the signature recovers a stranger.
    let (s, v) =
        post(&n, "/v1/tx", &json!({ "type": "Transfer", "message": message, "signature": sig }));
    assert_eq!(s, 400, "{v}");
    assert_eq!(v["error"]["code"], "tx.unknown_sender", "{v}");
    let text = v["error"]["message"].as_str().expect("message");
    assert!(text.contains("signature does not match any known account for this domain"), "{text}");
    assert!(text.contains("check chainId and verifyingContract"), "{text}");
    // With the envelope chainId the mismatch is named directly.
    let (s, v) = post(
        &n,
        "/v1/tx",
        &json!({ "type": "Transfer", "message": message, "signature": sig, "chainId": devnet::DEVNET_CHAIN_ID + 1 }),
    );
    assert_eq!(s, 400, "{v}");
    assert_eq!(v["error"]["code"], "tx.wrong_chain");
    let (_, chain) = get(&n, "/v1/chain");
    assert_eq!(chain["head"]["height"].as_u64(), Some(head), "nothing was committed");
}

#[test]
fn a_batch_of_random_signatures_commits_nothing() {
    let n = TestNode::start();
    let (_, chain) = get(&n, "/v1/chain");
    let head = chain["head"]["height"].as_u64().expect("head");
    let icy = chain["icy"].as_str().expect("icy").parse().expect("address");
    let bob = devnet::account("bob").expect("bob").address;
    let mut commands = Vec::new();
    for i in 0..1_000u32 {
        let cmd = Command::Transfer(Transfer {
            token: icy,
            to: bob,
            amount: U256::ZERO,
            nonce: 0,
            deadline: u64::MAX,
        });
        let mut signature = [0u8; 65];
        // A random r that is an x coordinate on the curve about half the time: keep those that
        // recover, so every command reaches admission.
        signature[..32].copy_from_slice(keccak256(format!("r{i}")).as_slice());
        signature[32] = 0x11;
        signature[33..64].copy_from_slice(&keccak256(format!("s{i}"))[..31]);
        signature[64] = 27;
        let signed = hoard_core::command::SignedCommand { command: cmd.clone(), signature };
        if signed.verify(n.handle.domain()).is_err() {
            continue;
        }
        commands.push(json!({ "type": "Transfer", "message": cmd.to_json(), "signature": hex::encode_prefixed(signature) }));
    }
    assert!(commands.len() > 300, "{} recover", commands.len());
    let count = commands.len();
    let (s, v) = post(&n, "/v1/txs", &json!({ "commands": commands }));
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["committed"], 0, "{v}");
    let results = v["results"].as_array().expect("results");
    assert_eq!(results.len(), count);
    assert!(results.iter().all(|r| r["error"]["code"] == "tx.unknown_sender"), "{v}");
    let (_, chain) = get(&n, "/v1/chain");
    assert_eq!(chain["head"]["height"].as_u64(), Some(head), "no block was written");
}
