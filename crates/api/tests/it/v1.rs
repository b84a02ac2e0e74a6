//! JSON API tests over real HTTP: submission, queries, proofs, SSE, and every bad input the
//! issue lists, each answered with a stable code and no state change.

use alloy_primitives::{Address, U256};
use hoard_core::commitment::{Proof, verify_balance_proof};
use hoard_node::devnet;
use serde_json::{Value, json};

use crate::support::{TestNode, http};

fn tokens(n: u64) -> U256 {
    U256::from(n) * U256::from(10u64).pow(U256::from(18u8))
}

fn get(n: &TestNode, path: &str) -> (u16, Value) {
    let (s, b) = http(n.addr, "GET", path, None);
    (s, serde_json::from_str(&b).unwrap_or(Value::String(b)))
}

fn post(n: &TestNode, path: &str, body: &Value) -> (u16, Value) {
    let (s, b) = http(n.addr, "POST", path, Some(&body.to_string()));
    (s, serde_json::from_str(&b).unwrap_or(Value::String(b)))
}

fn addr(name: &str) -> Address {
    devnet::account(name).expect("demo").address
}

fn balance(n: &TestNode, who: Address) -> (String, String, u64) {
    let (_, v) = get(n, &format!("/v1/accounts/{who}"));
    (
        v["icy"].as_str().unwrap_or("").to_string(),
        v["dfg"].as_str().unwrap_or("").to_string(),
        v["nonce"].as_u64().unwrap_or(0),
    )
}

fn code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("")
}

#[test]
fn transfer_round_trip_and_queries() {
    let n = TestNode::start();
    let (bob, alice) = (addr("bob"), addr("alice"));
    let (s, v) = post(&n, "/v1/tx", &n.signed_transfer_json("alice", bob, tokens(5), 0));
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "committed");
    assert_eq!(v["receipt"]["success"], true);
    let hash = v["hash"].as_str().expect("hash").to_string();
    let height = v["height"].as_u64().expect("height");
    assert_eq!(balance(&n, bob).0, tokens(10_000_005).to_string());
    assert_eq!(balance(&n, alice).2, 1);
    // The transaction, its block, and its event are queryable.
    let (s, t) = get(&n, &format!("/v1/txs/{hash}"));
    assert_eq!(s, 200);
    assert_eq!(t["receipt"]["logs"][0]["name"], "Transfer");
    let (s, b) = get(&n, &format!("/v1/blocks/{height}"));
    assert_eq!(s, 200);
    assert_eq!(b["transactions"][0]["hash"], hash.as_str());
    let (s, b2) = get(&n, &format!("/v1/blocks/{}", b["hash"].as_str().expect("hash")));
    assert_eq!(s, 200);
    assert_eq!(b2["height"], height);
    let (_, e) = get(&n, &format!("/v1/events?account={bob}"));
    assert_eq!(e["events"].as_array().expect("events").len(), 1);
    let (_, list) = get(&n, "/v1/blocks?limit=1");
    assert_eq!(list["blocks"][0]["height"], height);
    let (_, tok) = get(&n, "/v1/tokens");
    assert_eq!(tok["icy"]["total_supply"], tokens(100_000_000).to_string());
    assert_eq!(tok["dfg"]["total_supply"], tokens(10_000_000).to_string());
    let (_, chain) = get(&n, "/v1/chain");
    assert_eq!(chain["chain_id"], devnet::DEVNET_CHAIN_ID);
}

#[test]
fn batches_and_event_pagination() {
    let n = TestNode::start();
    let bob = addr("bob");
    let commands: Vec<Value> =
        (0..120).map(|i| n.signed_transfer_json("alice", bob, tokens(1), i)).collect();
    let (s, v) = post(&n, "/v1/txs", &json!({ "commands": commands }));
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["committed"], 120);
    // Page through the 120 Transfer events with a cursor: no gaps, no duplicates.
    let mut seen = std::collections::BTreeSet::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/events?account={bob}&limit=50&cursor={c}"),
            None => format!("/v1/events?account={bob}&limit=50"),
        };
        let (s, page) = get(&n, &path);
        assert_eq!(s, 200, "{page}");
        for e in page["events"].as_array().expect("events") {
            assert!(
                seen.insert((e["height"].as_u64(), e["log_index"].as_u64())),
                "duplicate event"
            );
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 120);
    let (s, v) = post(&n, "/v1/txs", &json!({ "commands": [] }));
    assert_eq!((s, code(&v)), (413, "api.batch_size"));
}

#[test]
fn bad_input_gets_stable_codes_and_changes_nothing() {
    let n = TestNode::start();
    let (alice, bob) = (addr("alice"), addr("bob"));
    let before = (balance(&n, alice), balance(&n, bob));
    let root = |n: &TestNode| n.handle.committed().engine.state_root();
    let root0 = root(&n);
    let cases: Vec<(Value, u16, &str)> = vec![
        (json!("not an object"), 400, "tx.malformed"),
        (json!({ "type": "Nope", "message": {}, "signature": "0x00" }), 400, "tx.malformed"),
        (
            json!({ "type": "Transfer", "message": { "to": 5 }, "signature": "0x00" }),
            400,
            "tx.malformed",
        ),
        (
            {
                let mut t = n.signed_transfer_json("alice", bob, tokens(1), 0);
                t["signature"] = json!("0x1234");
                t
            },
            400,
            "tx.bad_signature",
        ),
        (
            {
                let mut t = n.signed_transfer_json("alice", bob, tokens(1), 0);
                t["chainId"] = json!(1);
                t
            },
            400,
            "tx.wrong_chain",
        ),
        (
            {
                let mut t = n.signed_transfer_json("alice", bob, tokens(1), 0);
                t["verifyingContract"] = json!(Address::repeat_byte(1));
                t
            },
            400,
            "tx.wrong_domain",
        ),
        (n.signed_transfer_json("alice", bob, tokens(1), 7), 409, "tx.nonce_gap"),
    ];
    for (body, status, expected) in cases {
        let (s, v) = post(&n, "/v1/tx", &body);
        assert_eq!((s, code(&v)), (status, expected), "{body} -> {v}");
        assert!(v["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let (s, v) = http(n.addr, "POST", "/v1/tx", Some("{not json"));
    assert_eq!(s, 400, "{v}");
    assert!(v.contains("api.bad_json"));
    assert_eq!(root(&n), root0, "refused commands change nothing");
    assert_eq!((balance(&n, alice), balance(&n, bob)), before);

    // Expired deadline.
    let t;
    {
        let c = n.handle.committed();
        let cmd = hoard_core::command::Command::Transfer(hoard_core::command::Transfer {
            token: c.engine.addresses().icy,
            to: bob,
            amount: tokens(1),
            nonce: 0,
            deadline: 1,
        });
        let key = devnet::account("alice").expect("alice").secret;
        let signed = hoard_core::command::SignedCommand::sign(cmd.clone(), c.engine.domain(), &key);
        t = json!({ "type": "Transfer", "message": cmd.to_json(), "signature": alloy_primitives::hex::encode_prefixed(signed.signature) });
    }
    let (s, v) = post(&n, "/v1/tx", &t);
    assert_eq!((s, code(&v)), (400, "tx.expired"), "{v}");
    assert_eq!(root(&n), root0);

    // Reused nonce after a good one.
    let good = n.signed_transfer_json("alice", bob, tokens(1), 0);
    assert_eq!(post(&n, "/v1/tx", &good).0, 200);
    let (s, v) = post(&n, "/v1/tx", &good);
    assert_eq!((s, code(&v)), (409, "tx.nonce_reused"));

    // Rule violations are included with a rejection: 422, balances unchanged, nonce consumed.
    let before = (balance(&n, alice), balance(&n, bob));
    let (s, v) = post(&n, "/v1/tx", &n.signed_transfer_json("alice", bob, tokens(999_999_999), 1));
    assert_eq!((s, code(&v)), (422, "token.insufficient_balance"), "{v}");
    assert_eq!(v["status"], "committed");
    let after = (balance(&n, alice), balance(&n, bob));
    assert_eq!((after.0.0.clone(), after.1.clone()), (before.0.0.clone(), before.1.clone()));
    assert_eq!(after.0.2, before.0.2 + 1);
}

fn signed(n: &TestNode, who: &str, cmd: hoard_core::command::Command) -> Value {
    let c = n.handle.committed();
    let key = devnet::account(who).expect("demo").secret;
    let s = hoard_core::command::SignedCommand::sign(cmd.clone(), c.engine.domain(), &key);
    json!({ "type": cmd.name(), "message": cmd.to_json(), "signature": alloy_primitives::hex::encode_prefixed(s.signature) })
}

#[test]
fn authority_cap_allowance_and_pause_rejections() {
    use hoard_core::command::*;
    let n = TestNode::start();
    let (alice, bob) = (addr("alice"), addr("bob"));
    let nonce = |n: &TestNode, who: &str| n.handle.committed().engine.nonce(&addr(who));
    // Unauthorised mint.
    let cmd = Command::Mint(Mint {
        to: alice,
        amount: tokens(1),
        nonce: nonce(&n, "alice"),
        deadline: u64::MAX,
    });
    let (s, v) = post(&n, "/v1/tx", &signed(&n, "alice", cmd));
    assert_eq!((s, code(&v)), (422, "access.unauthorized"));
    // Minter beyond this year's inflation room (3% of 100M = 3M; allowance 3M).
    let cmd = Command::Mint(Mint {
        to: alice,
        amount: tokens(3_000_001),
        nonce: nonce(&n, "minter"),
        deadline: u64::MAX,
    });
    let (s, v) = post(&n, "/v1/tx", &signed(&n, "minter", cmd));
    assert_eq!(s, 422);
    assert!(["icy.inflation_exceeded", "icy.minter_allowance_exceeded"].contains(&code(&v)), "{v}");
    // transferFrom without allowance.
    let icy = n.handle.committed().engine.addresses().icy;
    let cmd = Command::TransferFrom(TransferFrom {
        token: icy,
        from: alice,
        to: bob,
        amount: tokens(1),
        nonce: nonce(&n, "bob"),
        deadline: u64::MAX,
    });
    let (s, v) = post(&n, "/v1/tx", &signed(&n, "bob", cmd));
    assert_eq!((s, code(&v)), (422, "token.insufficient_allowance"));
    // Pause by the guardian, then a transfer is refused.
    let cmd =
        Command::Pause(Pause { durationS: 3600, nonce: nonce(&n, "admin"), deadline: u64::MAX });
    assert_eq!(post(&n, "/v1/tx", &signed(&n, "admin", cmd)).0, 200);
    let (s, v) =
        post(&n, "/v1/tx", &n.signed_transfer_json("alice", bob, tokens(1), nonce(&n, "alice")));
    assert_eq!((s, code(&v)), (422, "pause.paused"));
}

#[test]
fn oversized_bodies_and_unknown_routes() {
    let n = TestNode::start();
    // Headers announcing a body over the limit: refused from the Content-Length alone, before
    // any of it is read (sending no body keeps the socket free of unread data).
    {
        use std::io::{Read, Write};
        let mut sock = std::net::TcpStream::connect(n.addr).expect("connect");
        sock.set_read_timeout(Some(std::time::Duration::from_secs(10))).expect("timeout");
        write!(
            sock,
            "POST /v1/txs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            hoard_api::limits::BODY_BYTES_MAX + 10
        )
        .expect("write");
        let mut head = [0u8; 64];
        let k = sock.read(&mut head).expect("answer");
        let text = String::from_utf8_lossy(&head[..k]);
        assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    }
    let (s, v) = get(&n, "/v1/nothing");
    assert_eq!((s, code(&v)), (404, "api.not_found"));
    let (s, page) = http(n.addr, "GET", "/no/such/page", None);
    assert_eq!(s, 404);
    assert!(page.contains("<h1>Not found <span class=\"sub\">404</span></h1>"), "{page}");
    assert!(page.contains("There is no page at /no/such/page."), "{page}");
    let (s, v) = get(&n, "/v1/accounts/0x1234");
    assert_eq!((s, code(&v)), (400, "api.bad_address"));
    let (s, v) = get(&n, "/v1/blocks/abc");
    assert_eq!((s, code(&v)), (400, "api.bad_block_id"));
    let (s, v) = get(&n, "/v1/blocks/999999");
    assert_eq!((s, code(&v)), (404, "api.not_found"));
    let (s, v) = get(&n, "/v1/events?cursor=garbage");
    assert_eq!((s, code(&v)), (400, "api.bad_cursor"));
    let (s, v) = get(&n, "/v1/events?order=sideways");
    assert_eq!((s, code(&v)), (400, "api.bad_order"));
    // The node keeps serving.
    assert_eq!(get(&n, "/healthz").0, 200);
}

#[test]
fn dry_run_keeps_nothing() {
    let n = TestNode::start();
    let root = n.handle.committed().engine.state_root();
    let mut body = n.signed_transfer_json("alice", addr("bob"), tokens(3), 0);
    let (s, v) = post(&n, "/v1/call", &body);
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["receipt"]["success"], true);
    body.as_object_mut().expect("object").remove("signature");
    body["from"] = json!(addr("carol"));
    let (_, v) = post(&n, "/v1/call", &body);
    assert_eq!(v["receipt"]["success"], true);
    body["message"]["amount"] = json!(tokens(1_000_000_000).to_string());
    let (_, v) = post(&n, "/v1/call", &body);
    assert_eq!(v["receipt"]["code"], "token.insufficient_balance");
    assert_eq!(n.handle.committed().engine.state_root(), root);
}

#[test]
fn balance_proof_verifies_independently() {
    let n = TestNode::start();
    let alice = addr("alice");
    for token in ["icy", "dfg"] {
        let (s, v) = get(&n, &format!("/v1/proofs/balance/{alice}?token={token}"));
        assert_eq!(s, 200, "{v}");
        let proof: Proof = serde_json::from_value(v["proof"].clone()).expect("proof parses");
        let balance: U256 = v["balance"].as_str().expect("balance").parse().expect("u256");
        let token_address: Address =
            v["token_address"].as_str().expect("token").parse().expect("address");
        assert_eq!(v["token"], token.to_uppercase());
        let root = v["block"]["state_root"].as_str().expect("root").parse().expect("b256");
        assert!(verify_balance_proof(&root, &token_address, &alice, &balance, &proof));
        assert!(!verify_balance_proof(
            &root,
            &token_address,
            &alice,
            &(balance + U256::from(1u8)),
            &proof
        ));
    }
    // ICY is the default; a holder of nothing has nothing to prove; an unknown token is refused.
    let (_, v) = get(&n, &format!("/v1/proofs/balance/{alice}"));
    assert_eq!(v["token"], "ICY");
    // A zero balance is proved absent.
    let nobody = Address::repeat_byte(0x55);
    let (s, v) = get(&n, &format!("/v1/proofs/balance/{nobody}"));
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["present"], false);
    let proof: Proof = serde_json::from_value(v["proof"].clone()).expect("proof parses");
    let root = v["block"]["state_root"].as_str().expect("root").parse().expect("b256");
    let icy: Address = v["token_address"].as_str().expect("token").parse().expect("address");
    assert!(hoard_core::commitment::verify_zero_balance_proof(&root, &icy, &nobody, &proof));
    assert!(!hoard_core::commitment::verify_zero_balance_proof(&root, &icy, &alice, &proof));
    let (s, v) = get(&n, &format!("/v1/proofs/balance/{alice}?token=usdc"));
    assert_eq!((s, v["error"]["code"].as_str()), (400, Some("api.bad_token")), "{v}");
}

#[test]
fn discovery_endpoints() {
    let n = TestNode::start();
    let (s, types) = get(&n, "/v1/eip712/types");
    assert_eq!(s, 200);
    assert_eq!(types["types"]["Transfer"][0]["name"], "token");
    assert_eq!(types["domain"]["name"], "Hoard");
    let (_, f) = get(&n, "/v1/facets");
    let facets = f["facets"].as_array().expect("facets");
    assert_eq!(facets.len(), hoard_core::facets::diamond::builtin_facets().len());
    let transfer = facets
        .iter()
        .flat_map(|f| f["selectors"].as_array().expect("sels"))
        .find(|s| s["signature"] == "transfer(address,address,uint256)")
        .expect("transfer selector");
    let sel = transfer["selector"].as_str().expect("sel");
    let (_, owner) = get(&n, &format!("/v1/facets/selector/{sel}"));
    assert!(owner["facet"].is_string());
    let (_, m) = http(n.addr, "GET", "/metrics", None);
    assert!(m.contains("hoard_head_height"));
    // Every documented endpoint exists (none answers with the router's 404).
    let (_, doc) = get(&n, "/v1/openapi.json");
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        if ops.get("get").is_none() || path.contains("stream") {
            continue;
        }
        let concrete = path
            .replace("{address}", &addr("alice").to_string())
            .replace("{id}", "0")
            .replace("{hash}", &format!("0x{}", "00".repeat(32)))
            .replace("{selector}", sel);
        let (_, v) = get(&n, &concrete);
        assert_ne!(
            v["error"]["message"], "no such endpoint; see /v1/openapi.json",
            "{path} is documented but not routed"
        );
    }
}

#[test]
fn server_sent_events_announce_blocks() {
    use std::io::{BufRead, BufReader, Write};
    let n = TestNode::start();
    let mut s = std::net::TcpStream::connect(n.addr).expect("connect");
    s.set_read_timeout(Some(std::time::Duration::from_secs(10))).expect("timeout");
    write!(s, "GET /v1/stream HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
        .expect("write");
    let mut reader = BufReader::new(s);
    // Wait for the headers before submitting, so the subscription exists.
    let mut line = String::new();
    while reader.read_line(&mut line).expect("read") > 0 && line != "\r\n" {
        line.clear();
    }
    let (status, _) =
        post(&n, "/v1/tx", &n.signed_transfer_json("alice", addr("bob"), tokens(1), 0));
    assert_eq!(status, 200);
    let mut saw_block = false;
    let mut saw_log = false;
    for _ in 0..200 {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        saw_block |= line.contains("event: block") || line.contains("event:block");
        saw_log |= line.contains("\"name\":\"Transfer\"");
        if saw_block && saw_log {
            break;
        }
    }
    assert!(saw_block && saw_log);
}

/// A transfer signed by Python eth-account from the published type definitions is accepted.
#[test]
fn independent_signer_through_http() {
    let probe = std::process::Command::new("python3").args(["-c", "import eth_account"]).output();
    if !probe.is_ok_and(|o| o.status.success()) {
        // Written to the stderr handle, which libtest does not capture, so a skip is always visible.
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
    let message = json!({ "token": chain["icy"], "to": addr("bob"), "amount": tokens(2).to_string(), "nonce": 0, "deadline": 4_000_000_000u64 });
    let typed = json!({
        "types": { "EIP712Domain": types["types"]["EIP712Domain"], "Transfer": types["types"]["Transfer"] },
        "primaryType": "Transfer",
        "domain": types["domain"],
        "message": message,
    });
    let script = "import json,sys\nfrom eth_account import Account\nfrom eth_account.messages import encode_typed_data\nd=json.loads(sys.argv[1])\nd['message']['amount']=int(d['message']['amount'])\nprint('0x'+Account.sign_message(encode_typed_data(full_message=d), private_key=sys.argv[2]).signature.hex().removeprefix('0x'))";
    let key = alloy_primitives::hex::encode(
        devnet::account("alice").expect("alice").secret.secret_bytes(),
    );
    let out = std::process::Command::new("python3")
        .args(["-c", script, &typed.to_string(), &key])
        .output()
        .expect("python");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let sig = String::from_utf8(out.stdout).expect("utf8").trim().to_string();
    let (s, v) = post(
        &n,
        "/v1/tx",
        &json!({ "type": "Transfer", "message": message, "signature": sig, "chainId": devnet::DEVNET_CHAIN_ID }),
    );
    assert_eq!(s, 200, "{v}");
    let sender: Address =
        v["receipt"]["sender"].as_str().expect("sender").parse().expect("address");
    assert_eq!(sender, addr("alice"));
}

#[test]
fn a_page_of_blocks_never_looks_complete_when_more_remain() {
    let n = TestNode::start();
    let (_, heights) = n.transfer_blocks(hoard_store::RECENT_BLOCKS_MAX + 1, 1, 0);
    // More blocks than the store returns at once: the page asked for is cut, with a next page.
    let (s, page) = get(&n, "/v1/blocks?limit=500");
    assert_eq!(s, 200, "{page}");
    let blocks = page["blocks"].as_array().expect("blocks");
    assert_eq!(blocks.len(), hoard_store::RECENT_BLOCKS_MAX);
    let next = page["next_before"].as_u64().expect("a next page");
    let (_, rest) = get(&n, &format!("/v1/blocks?limit=500&before={next}"));
    let total = blocks.len() + rest["blocks"].as_array().expect("blocks").len();
    // Every block, genesis included.
    assert_eq!(total as u64, heights.last().copied().expect("heights") + 1);
}

#[test]
fn assets_are_listed_and_held_with_their_decimals() {
    let n = TestNode::start();
    let (s, v) = get(&n, "/v1/assets");
    assert_eq!(s, 200, "{v}");
    let assets = v["assets"].as_array().expect("assets");
    let find = |symbol: &str| {
        assets.iter().find(|a| a["symbol"] == symbol).unwrap_or_else(|| panic!("{symbol}: {v}"))
    };
    for (symbol, decimals, faucet) in [
        ("ICY", 18, false),
        ("DFG", 18, false),
        ("USDC", 6, true),
        ("WBTC", 8, true),
        ("WETH", 18, true),
    ] {
        let a = find(symbol);
        assert_eq!(a["decimals"], decimals, "{a}");
        assert_eq!(a["faucet"], faucet, "{a}");
    }
    // USDC: 4 demo accounts with 1,000,000, the treasury with 50,000,000, the devnet's market
    // maker with 2,000,000.
    assert_eq!(find("USDC")["total_supply"], "56000000000000");
    assert_eq!(find("USDC")["total_supply_display"], "56,000,000 USDC");
    let (_, acc) = get(&n, &format!("/v1/accounts/{}", addr("alice")));
    let held = acc["assets"].as_array().expect("assets");
    let wbtc = held.iter().find(|a| a["symbol"] == "WBTC").expect("alice holds WBTC");
    assert_eq!(wbtc["balance"], "2000000000");
    assert_eq!(wbtc["balance_display"], "20 WBTC");
    // Alice sends 1.5 USDC to a fresh address: 1,500,000 base units.
    let usdc: Address = find("USDC")["address"].as_str().expect("address").parse().expect("addr");
    let fresh = Address::repeat_byte(0x77);
    let c = n.handle.committed();
    let cmd = hoard_core::command::Command::Transfer(hoard_core::command::Transfer {
        token: usdc,
        to: fresh,
        amount: U256::from(1_500_000u64),
        nonce: c.engine.nonce(&addr("alice")),
        deadline: u64::MAX,
    });
    let key = devnet::account("alice").expect("alice").secret;
    let signed = hoard_core::command::SignedCommand::sign(cmd.clone(), c.engine.domain(), &key);
    drop(c);
    let body = json!({
        "type": "Transfer",
        "message": cmd.to_json(),
        "signature": alloy_primitives::hex::encode_prefixed(signed.signature),
    });
    let (s, v) = post(&n, "/v1/tx", &body);
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        v["receipt"]["logs"][0]["address"].as_str().map(str::to_lowercase),
        Some(usdc.to_string().to_lowercase())
    );
    let (_, acc) = get(&n, &format!("/v1/accounts/{fresh}"));
    assert_eq!(acc["assets"][0]["balance_display"], "1.5 USDC", "{acc}");
}

/// The balance proofs verify in Python with nothing but an independent keccak, following the
/// recipe the API returns with each proof.
#[test]
fn balance_proofs_verify_independently_in_python() {
    let probe = std::process::Command::new("python3")
        .args(["-c", "from eth_hash.auto import keccak; keccak(b'')"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        let _ = std::io::Write::write_fmt(
            &mut std::io::stderr(),
            format_args!(
                "skipped: {}: python eth-hash not installed (pip install eth-account)\n",
                std::thread::current().name().unwrap_or("a test")
            ),
        );
        return;
    }
    let n = TestNode::start();
    let script = r#"
import json, sys
from eth_hash.auto import keccak
def bits(h):
    return [(h[i // 8] >> (7 - i % 8)) & 1 for i in range(256)]
for doc in map(json.loads, sys.argv[1:]):
    token = bytes.fromhex(doc["token_address"][2:]); who = bytes.fromhex(doc["address"][2:])
    key = bytes([1, 0]) + token + who
    kh = keccak(key)
    proof = doc["proof"]; sib = [bytes.fromhex(s[2:]) for s in proof["siblings"]]
    leaf = proof["leaf"]
    if doc["present"]:
        vh = keccak(int(doc["balance"]).to_bytes(32, "big"))
        assert leaf and bytes.fromhex(leaf["key_hash"][2:]) == kh and bytes.fromhex(leaf["value_hash"][2:]) == vh
        h = keccak(b"\x00" + kh + vh)
    elif leaf is None:
        h = b"\x00" * 32
    else:
        other = bytes.fromhex(leaf["key_hash"][2:])
        assert other != kh and bits(other)[:len(sib)] == bits(kh)[:len(sib)]
        h = keccak(b"\x00" + other + bytes.fromhex(leaf["value_hash"][2:]))
    b = bits(kh)
    for i in range(len(sib) - 1, -1, -1):
        h = keccak(b"\x01" + sib[i] + h) if b[i] else keccak(b"\x01" + h + sib[i])
    assert h == bytes.fromhex(doc["block"]["state_root"][2:]), "root"
print("ok")
"#;
    let mut docs = Vec::new();
    for (who, token) in
        [(addr("alice"), "icy"), (addr("bob"), "dfg"), (Address::repeat_byte(0x55), "icy")]
    {
        let (s, v) = get(&n, &format!("/v1/proofs/balance/{who}?token={token}"));
        assert_eq!(s, 200, "{v}");
        docs.push(v.to_string());
    }
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(&docs)
        .output()
        .expect("python");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "ok");
}

#[test]
fn balance_proofs_at_a_past_block_while_its_snapshot_is_kept() {
    let n = TestNode::start();
    let alice = addr("alice");
    let (_, v) = post(&n, "/v1/tx", &n.signed_transfer_json("alice", addr("bob"), tokens(5), 0));
    assert_eq!(v["status"], "committed", "{v}");
    // Keep a snapshot of this block, as the node does every few thousand blocks.
    let (past, balance_then) = {
        let c = n.handle.committed();
        let snapshot = hoard_store::SnapshotRecord {
            height: c.head.height,
            state_root: c.head.state_root.0,
            bytes: c.engine.state().encode_snapshot(),
        };
        n.handle.store().put_snapshot(&snapshot).expect("kept");
        (c.head.height, c.engine.balance_of(hoard_core::facets::token::TokenId::Icy, &alice))
    };
    let (_, v) = post(&n, "/v1/tx", &n.signed_transfer_json("alice", addr("bob"), tokens(7), 1));
    assert_eq!(v["status"], "committed", "{v}");
    let (s, v) = get(&n, &format!("/v1/proofs/balance/{alice}?height={past}"));
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["block"]["height"], past);
    assert_eq!(v["balance"], balance_then.to_string());
    let (_, block) = get(&n, &format!("/v1/blocks/{past}"));
    assert_eq!(v["block"]["state_root"], block["state_root"], "the block's own root");
    let proof: Proof = serde_json::from_value(v["proof"].clone()).expect("proof");
    let root = v["block"]["state_root"].as_str().expect("root").parse().expect("b256");
    let icy: Address = v["token_address"].as_str().expect("icy").parse().expect("address");
    assert!(verify_balance_proof(&root, &icy, &alice, &balance_then, &proof));
    // The head's balance is another one, proved against the head's root.
    let (_, now) = get(&n, &format!("/v1/proofs/balance/{alice}"));
    assert_ne!(now["balance"], v["balance"]);
    // A block whose snapshot is not kept cannot be proved, and the answer says which can.
    let (_, v) = post(&n, "/v1/tx", &n.signed_transfer_json("alice", addr("bob"), tokens(1), 2));
    assert_eq!(v["status"], "committed", "{v}");
    let (s, v) = get(&n, &format!("/v1/proofs/balance/{alice}?height={}", past + 1));
    assert_eq!(s, 404, "{v}");
    assert!(v["error"]["message"].as_str().is_some_and(|m| m.contains(&past.to_string())), "{v}");
}

#[test]
fn the_devnet_pools_are_listed_and_a_swap_through_the_api_moves_assets() {
    let n = TestNode::start();
    let (s, v) = get(&n, "/v1/pools");
    assert_eq!(s, 200, "{v}");
    let pools = v["pools"].as_array().expect("pools");
    assert_eq!(pools.len(), 5, "{v}");
    let icy_pool =
        pools.iter().find(|p| p["symbol0"] == "ICY" || p["symbol1"] == "ICY").expect("an ICY pool");
    assert_eq!(icy_pool["flavour"], "uniswap_v3");
    let id = icy_pool["id"].as_u64().expect("id") as u32;
    let icy_is_0 = icy_pool["symbol0"] == "ICY";
    // Alice sells 10 ICY for USDC, asking for at least 14 USDC.
    let limit = if icy_is_0 {
        hoard_clmm::math::tick_math::MIN_SQRT_RATIO + U256::ONE
    } else {
        hoard_clmm::math::tick_math::MAX_SQRT_RATIO - U256::ONE
    };
    let (_, before) = get(&n, &format!("/v1/accounts/{}", addr("alice")));
    let cmd = hoard_core::command::Command::Swap(hoard_core::command::Swap {
        pool: id,
        zeroForOne: icy_is_0,
        amountSpecified: alloy_primitives::I256::try_from(10i128.pow(19)).expect("fits"),
        sqrtPriceLimitX96: limit.to(),
        amountLimit: U256::from(14_000_000u64),
        nonce: n.nonce("alice"),
        deadline: u64::MAX,
    });
    let (s, v) = post(&n, "/v1/tx", &n.signed_json("alice", cmd));
    assert_eq!(s, 200, "{v}");
    let names: Vec<&str> = v["receipt"]["logs"]
        .as_array()
        .expect("logs")
        .iter()
        .filter_map(|l| l["name"].as_str())
        .collect();
    assert!(names.contains(&"Swap"), "{names:?}");
    let (_, after) = get(&n, &format!("/v1/accounts/{}", addr("alice")));
    let usdc = |acc: &Value| -> U256 {
        acc["assets"]
            .as_array()
            .and_then(|a| a.iter().find(|x| x["symbol"] == "USDC"))
            .map_or(U256::ZERO, |x| x["balance"].as_str().expect("balance").parse().expect("u256"))
    };
    let got = usdc(&after) - usdc(&before);
    assert!(got >= U256::from(14_000_000u64) && got < U256::from(15_000_000u64), "{got}");
}

#[test]
fn a_pool_quote_is_the_swap_that_follows() {
    let n = TestNode::start();
    let (_, v) = get(&n, "/v1/pools");
    let pool = &v["pools"][1];
    let id = pool["id"].as_u64().expect("id");
    let wbtc_is_0 = pool["symbol0"] == "WBTC";
    // Sell 0.01 WBTC (10^6 base units).
    let (s, q) = get(&n, &format!("/v1/pools/{id}/quote?zero_for_one={wbtc_is_0}&amount=1000000"));
    assert_eq!(s, 200, "{q}");
    let out: alloy_primitives::I256 = if wbtc_is_0 { &q["amount1"] } else { &q["amount0"] }
        .as_str()
        .expect("amount")
        .parse()
        .expect("i256");
    // About 600 USDC out (negative: paid by the pool).
    assert!(out < alloy_primitives::I256::ZERO);
    let got = (-out).into_raw();
    assert!(got > U256::from(590_000_000u64) && got < U256::from(600_000_000u64), "{got}");
    // Bad input, and a pool that does not exist.
    let (s, e) = get(&n, &format!("/v1/pools/{id}/quote?zero_for_one=true&amount=lots"));
    assert_eq!((s, e["error"]["code"].as_str()), (400, Some("api.bad_amount")), "{e}");
    let (s, _) = get(&n, "/v1/pools/99/quote?zero_for_one=true&amount=1");
    assert_eq!(s, 404);
}
