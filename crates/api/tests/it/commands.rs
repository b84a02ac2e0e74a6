//! How commands are read: `chainId` as a number, a decimal or a hex string; EIP-2098 compact
//! signatures; and messages that name the bad field and never echo a huge input in full.

use alloy_primitives::{Address, U256, hex};
use hoard_core::command::{Command, SignedCommand, Transfer, Tx};
use hoard_node::devnet;
use serde_json::{Value, json};

use crate::support::{TestNode, get_json, post_json};

fn code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("")
}

fn message(v: &Value) -> &str {
    v["error"]["message"].as_str().unwrap_or("")
}

fn bob() -> Address {
    devnet::account("bob").expect("bob").address
}

#[test]
fn chain_id_as_number_decimal_or_hex() {
    let n = TestNode::start();
    let chain = devnet::DEVNET_CHAIN_ID;
    let base = n.signed_transfer_json("alice", bob(), U256::from(1u8), 0);
    let with = |cid: Value| {
        let mut b = base.clone();
        b["chainId"] = cid;
        b
    };
    // Accepted forms (dry runs: the same parsing as a submission, nothing kept).
    for cid in [
        json!(chain),
        json!(chain.to_string()),
        json!(format!("{chain:#x}")),
        json!(format!("0X{chain:X}")),
        json!(format!("0x000{chain:x}")),
    ] {
        let (s, v) = post_json(n.addr, "/v1/call", &with(cid.clone()));
        assert_eq!(s, 200, "{cid} -> {v}");
        assert_eq!(v["receipt"]["success"], true);
    }
    // Another chain, in any form, is the wrong chain.
    for cid in [
        json!(chain + 1),
        json!(format!("{:#x}", chain + 1)),
        json!(format!("0x{}", "f".repeat(64))),
    ] {
        let (s, v) = post_json(n.addr, "/v1/call", &with(cid.clone()));
        assert_eq!((s, code(&v)), (400, "tx.wrong_chain"), "{cid} -> {v}");
        assert!(message(&v).contains(&chain.to_string()), "{v}");
    }
    // Not a chain id at all: its own error.
    for cid in [
        json!("banana"),
        json!("0x"),
        json!(""),
        json!("-1"),
        json!(-1),
        json!(1.5),
        json!(null),
        json!([chain]),
        json!(" 31337"),
        json!(format!("0x1{}", "0".repeat(64))),
    ] {
        let (s, v) = post_json(n.addr, "/v1/call", &with(cid.clone()));
        assert_eq!((s, code(&v)), (400, "tx.bad_chain_id"), "{cid} -> {v}");
        assert!(message(&v).contains("chainId"), "{v}");
    }
    // A hex chain id on a real submission (was read as chain 0).
    let (s, v) = post_json(n.addr, "/v1/tx", &with(json!("0x7a69")));
    assert_eq!(s, 200, "{v}");
}

#[test]
fn eip_2098_compact_signatures_are_accepted() {
    let n = TestNode::start();
    let (domain, icy) = {
        let c = n.handle.committed();
        (c.engine.domain().clone(), c.engine.addresses().icy)
    };
    let alice = devnet::account("alice").expect("alice");
    let mut sent = Vec::new();
    // Enough signatures that both y parities occur.
    for nonce in 0..8u64 {
        let cmd = Command::Transfer(Transfer {
            token: icy,
            to: bob(),
            amount: U256::from(1u8),
            nonce,
            deadline: u64::MAX,
        });
        let sig = SignedCommand::sign(cmd.clone(), &domain, &alice.secret).signature;
        let parity = sig[64] - 27;
        let mut compact = [0u8; 64];
        compact.copy_from_slice(&sig[..64]);
        compact[32] |= parity << 7;
        let body = json!({ "type": "Transfer", "message": cmd.to_json(), "signature": hex::encode_prefixed(compact) });
        let (s, v) = post_json(n.addr, "/v1/tx", &body);
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["receipt"]["sender"], json!(alice.address));
        // The same transaction as the 65-byte form: same hash.
        assert_eq!(v["hash"], json!(Tx::new(alice.address, cmd, sig).hash));
        sent.push(parity);
    }
    assert!(sent.contains(&0) && sent.contains(&1), "both parities exercised: {sent:?}");
    // Other lengths are refused, naming the accepted forms.
    let mut body = n.signed_transfer_json("alice", bob(), U256::from(1u8), 8);
    for sig in [format!("0x{}", "11".repeat(63)), format!("0x{}", "11".repeat(66)), "0x".into()] {
        body["signature"] = json!(sig);
        let (s, v) = post_json(n.addr, "/v1/tx", &body);
        assert_eq!((s, code(&v)), (400, "tx.bad_signature"), "{v}");
        let m = message(&v);
        assert!(m.contains("65 bytes") && m.contains("64 bytes") && m.contains("EIP-2098"), "{m}");
    }
    body["signature"] = json!("not hex");
    let (s, v) = post_json(n.addr, "/v1/tx", &body);
    assert_eq!((s, code(&v)), (400, "tx.bad_signature"), "{v}");
    body.as_object_mut().expect("object").remove("signature");
    let (s, v) = post_json(n.addr, "/v1/tx", &body);
    assert_eq!((s, code(&v)), (400, "tx.bad_signature"), "{v}");
    assert!(message(&v).contains("missing"), "{v}");
}

#[test]
fn messages_name_the_field_and_cut_long_input() {
    let n = TestNode::start();
    let huge = format!("0x{}", "ab".repeat(50_000));
    let short = |v: &Value| message(v).chars().count() <= 400;
    // In a command's envelope.
    let mut body = n.signed_transfer_json("alice", bob(), U256::from(1u8), 0);
    body.as_object_mut().expect("object").remove("signature");
    body["from"] = json!(huge);
    let (s, v) = post_json(n.addr, "/v1/call", &body);
    assert_eq!((s, code(&v)), (400, "api.bad_address"), "{v}");
    assert!(message(&v).starts_with("from: ") && message(&v).contains('…') && short(&v), "{v}");
    let mut body = n.signed_transfer_json("alice", bob(), U256::from(1u8), 0);
    body["verifyingContract"] = json!(huge);
    let (_, v) = post_json(n.addr, "/v1/tx", &body);
    assert_eq!(code(&v), "api.bad_address");
    assert!(message(&v).starts_with("verifyingContract: ") && short(&v), "{v}");
    // In a command's message (the core's description quotes the value).
    let mut body = n.signed_transfer_json("alice", bob(), U256::from(1u8), 0);
    body["message"]["to"] = json!(huge);
    let (_, v) = post_json(n.addr, "/v1/tx", &body);
    assert_eq!(code(&v), "tx.malformed");
    assert!(short(&v), "{}", message(&v).len());
    let mut body = n.signed_transfer_json("alice", bob(), U256::from(1u8), 0);
    body["type"] = json!("T".repeat(100_000));
    let (_, v) = post_json(n.addr, "/v1/tx", &body);
    assert_eq!(code(&v), "tx.malformed");
    assert!(message(&v).contains('…') && short(&v), "{v}");
    let mut body = n.signed_transfer_json("alice", bob(), U256::from(1u8), 0);
    body["signature"] = json!(format!("zz{huge}"));
    let (_, v) = post_json(n.addr, "/v1/tx", &body);
    assert_eq!(code(&v), "tx.bad_signature");
    assert!(short(&v), "{v}");
    // In paths and query parameters (as long as a URI may be).
    let long = format!("0x{}", "cd".repeat(3_000));
    let (s, v) = get_json(n.addr, &format!("/v1/accounts/{long}"));
    assert_eq!((s, code(&v)), (400, "api.bad_address"));
    assert!(message(&v).starts_with("the address in the path: ") && short(&v), "{v}");
    let (_, v) = get_json(n.addr, &format!("/v1/events?address={long}"));
    assert!(message(&v).starts_with("address: ") && short(&v), "{v}");
    let (_, v) = get_json(n.addr, &format!("/v1/events?account={long}"));
    assert!(message(&v).starts_with("account: ") && short(&v), "{v}");
    let (_, v) = get_json(n.addr, &format!("/v1/txs/{long}"));
    assert_eq!(code(&v), "api.bad_hash");
    assert!(short(&v), "{v}");
    let (_, v) = get_json(n.addr, &format!("/v1/blocks/{}", "9".repeat(5_000)));
    assert_eq!(code(&v), "api.bad_block_id");
    assert!(short(&v), "{v}");
    let (_, v) = get_json(n.addr, &format!("/v1/events?order={}", "x".repeat(5_000)));
    assert_eq!(code(&v), "api.bad_order");
    assert!(short(&v), "{v}");
}

#[test]
fn rejections_also_read_in_whole_tokens() {
    let n = TestNode::start();
    let alice = devnet::account("alice").expect("alice").address;
    let (_, acc) = get_json(n.addr, &format!("/v1/accounts/{alice}"));
    let has: U256 = acc["icy"].as_str().expect("icy").parse().expect("decimal");
    // Asks for one and a half ICY more than she holds.
    let needed = has + U256::from(15u8) * U256::from(10u8).pow(U256::from(17u8));
    let body = n.signed_transfer_json("alice", bob(), needed, 0);
    let expect_display = format!(
        "insufficient balance: has {}, needs {}",
        hoard_api::display::amount(has, "ICY"),
        hoard_api::display::amount(needed, "ICY")
    );
    let recorded = format!("insufficient balance: has {has}, needs {needed}");

    let (s, v) = post_json(n.addr, "/v1/call", &body);
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["receipt"]["message"], recorded.as_str(), "{v}");
    assert_eq!(v["receipt"]["message_display"], expect_display.as_str(), "{v}");

    let (s, v) = post_json(n.addr, "/v1/tx", &body);
    assert_eq!((s, code(&v)), (422, "token.insufficient_balance"), "{v}");
    assert_eq!(message(&v), recorded, "the recorded message stays in base units: {v}");
    assert_eq!(v["error"]["message_display"], expect_display.as_str(), "{v}");
    assert!(expect_display.contains(".5 ICY"), "{expect_display}");

    let hash = v["hash"].as_str().expect("hash");
    let (s, v) = get_json(n.addr, &format!("/v1/txs/{hash}"));
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["receipt"]["message_display"], expect_display.as_str(), "{v}");

    // A rejection with no amounts in it has no display form.
    let (s, v) =
        post_json(n.addr, "/v1/tx", &n.signed_transfer_json("alice", bob(), U256::from(1u8), 0));
    assert_eq!((s, code(&v)), (409, "tx.nonce_reused"), "{v}");
    assert!(v["error"].get("message_display").is_none(), "{v}");
}

#[test]
fn system_commands_are_not_for_clients() {
    let n = TestNode::start();
    let body = json!({
        "type": "RunTasks",
        "message": { "height": 1, "count": 1, "nonce": 0, "deadline": 0 },
        "signature": format!("0x{}", "11".repeat(65)),
    });
    let (s, v) = post_json(n.addr, "/v1/tx", &body);
    assert_eq!((s, code(&v)), (400, "tx.system_only"), "{v}");
    let (_, types) = get_json(n.addr, "/v1/eip712/types");
    let listed: Vec<&str> = types["commands"]
        .as_array()
        .expect("commands")
        .iter()
        .filter_map(|c| c["type"].as_str())
        .collect();
    assert!(!listed.contains(&"RunTasks"), "{listed:?}");
    assert!(listed.contains(&"Transfer"));
}
