//! The Core JSON-RPC client against a local server speaking Core's JSON-RPC.

use std::str::FromStr;
use std::sync::Arc;

use bitcoin::consensus::serialize;
use bitcoin::{MerkleBlock, Txid};
use hoard_chain::{ChainSource, CoreRpcClient, RpcEndpoint, wallet_utxos};
use serde_json::{Value, json};

use crate::esplora::quick;
use crate::fixtures::{Fixture, fixture, hex};
use crate::server::{Request, Server, serve};

// "Basic " + base64("hoard:secret")
const AUTH: &str = "Basic aG9hcmQ6c2VjcmV0";

fn core_server(f: Arc<Fixture>) -> Server {
    serve(move |r: &Request| {
        if r.header("authorization") != Some(AUTH) {
            return (401, "text/plain", String::new());
        }
        let req: Value = serde_json::from_slice(&r.body).unwrap();
        let id = req["id"].clone();
        let p = &req["params"];
        let ok = |result: Value| {
            (
                200,
                "application/json",
                json!({"result": result, "error": null, "id": id}).to_string(),
            )
        };
        let err = |code: i64, message: &str| {
            (
                500,
                "application/json",
                json!({"result": null, "error": {"code": code, "message": message}, "id": id})
                    .to_string(),
            )
        };
        let deposit_id = f.deposit.compute_txid().to_string();
        match req["method"].as_str().unwrap() {
            "getblockcount" => ok(json!(f.blocks.len() - 1)),
            "getblockhash" => match f.blocks.get(p[0].as_u64().unwrap() as usize) {
                Some(b) => ok(json!(b.block_hash().to_string())),
                None => err(-8, "Block height out of range"),
            },
            "getblockheader" => {
                assert_eq!(p[1], json!(false));
                let b = f.blocks.iter().find(|b| b.block_hash().to_string() == p[0].as_str().unwrap()).unwrap();
                ok(json!(hex(&serialize(&b.header))))
            }
            "getrawtransaction" if p[0] == json!(deposit_id) => ok(json!(hex(&serialize(&f.deposit)))),
            "getrawtransaction" => err(-5, "No such mempool or blockchain transaction. Use gettransaction for wallet transactions."),
            "gettxoutproof" => {
                let b = &f.blocks[f.deposit_height as usize];
                let ids: Vec<Txid> = b.txdata.iter().map(|t| t.compute_txid()).collect();
                let mb = MerkleBlock::from_header_txids_with_predicate(&b.header, &ids, |t| t.to_string() == deposit_id);
                ok(json!(hex(&serialize(&mb))))
            }
            "scantxoutset" => {
                assert_eq!(p[0], json!("start"));
                let desc = p[1][0]["desc"].as_str().unwrap().to_string();
                let spk = f.wallet.script_pubkey(hoard_btc::Keychain::External, 1).unwrap();
                let unspents = if desc == format!("raw({})", spk.to_hex_string()) {
                    json!([{"txid": deposit_id, "vout": 0, "scriptPubKey": spk.to_hex_string(), "desc": desc,
                            "amount": 0.0007, "coinbase": false, "height": f.deposit_height,
                            "blockhash": f.blocks[f.deposit_height as usize].block_hash().to_string(), "confirmations": 5}])
                } else {
                    json!([])
                };
                ok(json!({"success": true, "txouts": 100, "height": 7, "bestblock": f.blocks[7].block_hash().to_string(),
                          "unspents": unspents, "total_amount": 0.0007}))
            }
            "estimatesmartfee" => ok(json!({"feerate": 0.00012345, "blocks": p[0]})),
            "sendrawtransaction" => {
                let tx: bitcoin::Transaction = bitcoin::consensus::deserialize(&hex::decode(p[0].as_str().unwrap()).unwrap()).unwrap();
                ok(json!(tx.compute_txid().to_string()))
            }
            _ => (404, "application/json", json!({"result": null, "error": {"code": -32601, "message": "Method not found"}, "id": id}).to_string()),
        }
    })
}

fn client(url: &str, password: &str) -> CoreRpcClient {
    CoreRpcClient::new(
        vec![RpcEndpoint { url: url.into(), user: "hoard".into(), password: password.into() }],
        quick(),
    )
    .unwrap()
}

#[test]
fn core_rpc_reports_facts() {
    let f = Arc::new(fixture());
    let server = core_server(f.clone());
    let c = client(&server.url, "secret");
    assert_eq!(c.tip_height().unwrap(), 7);
    let headers = c.headers(0, 8).unwrap();
    assert_eq!(headers.len(), 8);
    assert_eq!(headers[5].block_hash(), f.blocks[5].block_hash());
    let txid = f.deposit.compute_txid();
    assert_eq!(c.transaction(&txid).unwrap(), f.deposit);
    assert_eq!(
        hoard_btc::spv::verify_merkle_block(&c.merkle_proof(&txid).unwrap()).unwrap()[0].0,
        txid
    );
    let utxos = wallet_utxos(&c, &f.wallet, 4).unwrap();
    assert_eq!(utxos.len(), 1);
    assert_eq!(
        (utxos[0].amount().to_sat(), utxos[0].confirmation_height, utxos[0].index),
        (70_000, Some(3), 1)
    );
    // 0.00012345 BTC/kvB = 12,345 sat/kvB, 13 sat/vB rounded up.
    let fe = c.fee_estimate(6).unwrap();
    assert_eq!((fe.sat_per_kvb, fe.sat_per_vb_ceil(), fe.target_blocks), (12_345, 13, 6));
    assert_eq!(c.broadcast(&f.deposit).unwrap(), txid);
    // RPC errors keep their meaning.
    let unknown = Txid::from_str(&"cd".repeat(32)).unwrap();
    assert_eq!(c.transaction(&unknown).unwrap_err().code(), "chain.not_found");
    assert_eq!(c.block_hash(100).unwrap_err().code(), "chain.not_found");
    assert_eq!(c.call("nosuchmethod", json!([])).unwrap_err().code(), "chain.rpc_error");
}

#[test]
fn core_rpc_wrong_credentials_fail_clearly() {
    let f = Arc::new(fixture());
    let server = core_server(f);
    let e = client(&server.url, "wrong").tip_height().unwrap_err();
    assert_eq!(e.code(), "chain.http_status", "{e}");
    assert!(e.to_string().contains("401"));
}
