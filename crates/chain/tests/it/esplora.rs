//! The Esplora client against a local server speaking the Esplora API.

use std::str::FromStr;
use std::sync::Arc;

use bitcoin::consensus::serialize;
use bitcoin::{BlockHash, MerkleBlock, Network, Txid};
use hoard_btc::{Checkpoint, HeaderChain};
use hoard_chain::esplora::script_hash;
use hoard_chain::{ChainSource, EsploraClient, HttpConfig, wallet_utxos};

use crate::fixtures::{Fixture, fixture, hex};
use crate::server::{Request, Server, serve};

pub fn esplora_server(f: Arc<Fixture>) -> Server {
    serve(move |r: &Request| {
        let p = r.path.as_str();
        let tip = f.blocks.len() - 1;
        if r.method == "POST" && p == "/tx" {
            let tx: bitcoin::Transaction =
                bitcoin::consensus::deserialize(&hex::decode(&r.body).unwrap()).unwrap();
            return (200, "text/plain", tx.compute_txid().to_string());
        }
        if p == "/blocks/tip/height" {
            return (200, "text/plain", tip.to_string());
        }
        if let Some(h) = p.strip_prefix("/block-height/") {
            return match h.parse::<usize>().ok().and_then(|h| f.blocks.get(h)) {
                Some(b) => (200, "text/plain", b.block_hash().to_string()),
                None => (404, "text/plain", "Block not found".into()),
            };
        }
        if let Some(rest) = p.strip_prefix("/block/") {
            let hash = rest.trim_end_matches("/header");
            return match f.blocks.iter().find(|b| b.block_hash().to_string() == hash) {
                Some(b) => (200, "text/plain", hex(&serialize(&b.header))),
                None => (404, "text/plain", "Block not found".into()),
            };
        }
        let deposit_id = f.deposit.compute_txid().to_string();
        if p == format!("/tx/{deposit_id}/hex") {
            return (200, "text/plain", hex(&serialize(&f.deposit)));
        }
        if p == format!("/tx/{deposit_id}/merkleblock-proof") {
            let b = &f.blocks[f.deposit_height as usize];
            let ids: Vec<Txid> = b.txdata.iter().map(|t| t.compute_txid()).collect();
            let mb = MerkleBlock::from_header_txids_with_predicate(&b.header, &ids, |t| {
                t.to_string() == deposit_id
            });
            return (200, "text/plain", hex(&serialize(&mb)));
        }
        let spk = f.wallet.script_pubkey(hoard_btc::Keychain::External, 1).unwrap();
        if p == format!("/scripthash/{}/utxo", script_hash(&spk)) {
            let body = format!(
                r#"[{{"txid":"{deposit_id}","vout":0,"status":{{"confirmed":true,"block_height":{},"block_hash":"{}","block_time":1700001800}},"value":70000}},
                    {{"txid":"{}","vout":1,"status":{{"confirmed":false}},"value":1234}}]"#,
                f.deposit_height,
                f.blocks[f.deposit_height as usize].block_hash(),
                "ab".repeat(32)
            );
            return (200, "application/json", body);
        }
        if p.starts_with("/scripthash/") {
            return (200, "application/json", "[]".into());
        }
        if p == "/fee-estimates" {
            return (
                200,
                "application/json",
                r#"{"1":87.882,"2":87.882,"3":87.882,"6":68.285,"144":1.027,"504":1.027}"#.into(),
            );
        }
        (404, "text/plain", format!("no route {p}"))
    })
}

pub fn quick() -> HttpConfig {
    HttpConfig {
        timeout_ms: 2_000,
        attempts_per_endpoint: 2,
        backoff_initial_ms: 5,
        backoff_max_ms: 20,
    }
}

#[test]
fn esplora_reports_facts_that_verify() {
    let f = Arc::new(fixture());
    let server = esplora_server(f.clone());
    let c = EsploraClient::new(vec![server.url.clone()], quick()).unwrap();
    assert_eq!(c.tip_height().unwrap(), 7);
    assert_eq!(c.block_hash(2).unwrap(), f.blocks[2].block_hash());
    // Headers fetched from the source verify as a chain in hoard-btc.
    let headers = c.headers(1, 7).unwrap();
    let mut chain = HeaderChain::new(
        Network::Regtest,
        Checkpoint { height: 0, header: f.blocks[0].header, period_start_time: None },
    );
    chain.extend(&headers).unwrap();
    assert_eq!(chain.tip_hash(), f.blocks[7].block_hash());
    // Transaction and Merkle proof.
    let txid = f.deposit.compute_txid();
    assert_eq!(c.transaction(&txid).unwrap(), f.deposit);
    let proof = c.merkle_proof(&txid).unwrap();
    assert_eq!(chain.verify_inclusion(&proof, txid).unwrap().height, 3);
    // UTXOs of the wallet: the confirmed deposit and a mempool output, at the right index.
    let utxos = wallet_utxos(&c, &f.wallet, 3).unwrap();
    assert_eq!(utxos.len(), 2);
    assert_eq!(
        (utxos[0].index, utxos[0].confirmation_height, utxos[0].amount().to_sat()),
        (1, Some(3), 70_000)
    );
    assert_eq!(utxos[1].confirmation_height, None);
    // Fee estimates: 68.285 sat/vB for 6 blocks -> 68,285 sat/kvB, 69 sat/vB rounded up.
    let fe = c.fee_estimate(6).unwrap();
    assert_eq!((fe.target_blocks, fe.sat_per_kvb, fe.sat_per_vb_ceil()), (6, 68_285, 69));
    assert_eq!(c.fee_estimate(10).unwrap().target_blocks, 6, "largest target not above 10");
    // Broadcast returns the txid.
    assert_eq!(c.broadcast(&f.deposit).unwrap(), txid);
    // Unknown objects are facts too: not found.
    let unknown = Txid::from_str(&"cd".repeat(32)).unwrap();
    assert_eq!(c.transaction(&unknown).unwrap_err().code(), "chain.not_found");
    assert_eq!(c.block_hash(99).unwrap_err().code(), "chain.not_found");
    let bogus = BlockHash::from_str(&"00".repeat(32)).unwrap();
    assert_eq!(c.header(&bogus).unwrap_err().code(), "chain.not_found");
}

#[test]
fn esplora_refuses_answers_that_do_not_match() {
    let f = Arc::new(fixture());
    let g = f.clone();
    // A server that answers the header of another block.
    let server = serve(move |r: &Request| {
        if r.path.starts_with("/block/") {
            (200, "text/plain", hex(&serialize(&g.blocks[1].header)))
        } else {
            (200, "text/plain", "not a number".into())
        }
    });
    let c = EsploraClient::new(vec![server.url.clone()], quick()).unwrap();
    assert_eq!(c.header(&f.blocks[2].block_hash()).unwrap_err().code(), "chain.decode");
    assert_eq!(c.tip_height().unwrap_err().code(), "chain.decode");
}
