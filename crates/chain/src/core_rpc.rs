//! Bitcoin Core JSON-RPC client (<https://developer.bitcoin.org/reference/rpc/>).
//!
//! UTXOs come from `scantxoutset` (confirmed UTXO set, no wallet needed); transactions from
//! `getrawtransaction` (needs `-txindex` for transactions that are not the node's own).

use core::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};

use bitcoin::block::Header;
use bitcoin::{Amount, BlockHash, MerkleBlock, OutPoint, Script, Transaction, TxOut, Txid};
use serde_json::{Value, json};

use crate::decimal::{btc_to_sats, scaled};
use crate::error::{ChainError, Result};
use crate::http::{Http, HttpConfig};
use crate::{ChainSource, ChainUtxo, FeeEstimate, consensus, decode_hex};

/// RPC error code of Core for "no such transaction / block" (RPC_INVALID_ADDRESS_OR_KEY).
const RPC_NOT_FOUND: i64 = -5;
/// RPC_INVALID_PARAMETER, which `getblockhash` answers for a height above the tip.
const RPC_OUT_OF_RANGE: i64 = -8;

/// One Core node: URL and credentials (`rpcuser`/`rpcpassword`, or `__cookie__` and the cookie).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpcEndpoint {
    /// `http://127.0.0.1:8332` or similar.
    pub url: String,
    /// User name.
    pub user: String,
    /// Password.
    pub password: String,
}

/// Client of one or more Core nodes (tried in order).
#[derive(Debug)]
pub struct CoreRpcClient {
    http: Http,
    auth: Vec<(String, String)>,
    next_id: AtomicU64,
}

impl CoreRpcClient {
    /// A client of these nodes.
    pub fn new(endpoints: Vec<RpcEndpoint>, config: HttpConfig) -> Result<Self> {
        use bitcoin::base64::Engine as _;
        let urls: Vec<String> =
            endpoints.iter().map(|e| e.url.trim_end_matches('/').to_string()).collect();
        let auth = endpoints
            .iter()
            .zip(&urls)
            .map(|(e, u)| {
                let token = bitcoin::base64::engine::general_purpose::STANDARD
                    .encode(format!("{}:{}", e.user, e.password));
                (u.clone(), format!("Basic {token}"))
            })
            .collect();
        Ok(Self { http: Http::new(urls, config)?, auth, next_id: AtomicU64::new(1) })
    }

    /// Calls `method` with `params` and returns `result`.
    pub fn call(&self, method: &str, params: Value) -> Result<Value> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let body =
            json!({"jsonrpc": "1.0", "id": id, "method": method, "params": params}).to_string();
        self.http.failover(|ep| {
            let auth = self.auth.iter().find(|(u, _)| u == ep).map(|(_, a)| a.as_str());
            let reply =
                self.http.request(ep, "/", Some(("application/json", body.as_bytes())), auth)?;
            // Core answers RPC errors with HTTP 500 (404 for unknown methods) and a JSON body.
            let parsed: Option<Value> = serde_json::from_slice(&reply.body).ok();
            let Some(v) = parsed else {
                return Err(if reply.status == 200 {
                    ChainError::Decode { endpoint: ep.into(), detail: "not JSON".into() }
                } else {
                    ChainError::Http {
                        endpoint: ep.into(),
                        status: reply.status,
                        body: String::from_utf8_lossy(&reply.body).chars().take(200).collect(),
                    }
                });
            };
            if let Some(err) = v.get("error").filter(|e| !e.is_null()) {
                let code = err.get("code").and_then(Value::as_i64).unwrap_or(0);
                let message = err.get("message").and_then(Value::as_str).unwrap_or("").to_string();
                return Err(if code == RPC_NOT_FOUND || code == RPC_OUT_OF_RANGE {
                    ChainError::NotFound(message)
                } else {
                    ChainError::Rpc { code, message }
                });
            }
            if v.get("id").and_then(Value::as_u64) != Some(id) {
                return Err(ChainError::Decode {
                    endpoint: ep.into(),
                    detail: "answer to another request id".into(),
                });
            }
            v.get("result").cloned().ok_or_else(|| ChainError::Decode {
                endpoint: ep.into(),
                detail: "no result".into(),
            })
        })
    }

    fn call_str(&self, method: &str, params: Value) -> Result<String> {
        let v = self.call(method, params)?;
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| decode_err(format!("{method}: expected a string")))
    }
}

fn decode_err(detail: impl ToString) -> ChainError {
    ChainError::Decode { endpoint: "core".into(), detail: detail.to_string() }
}

impl ChainSource for CoreRpcClient {
    fn tip_height(&self) -> Result<u32> {
        let v = self.call("getblockcount", json!([]))?;
        v.as_u64().and_then(|h| u32::try_from(h).ok()).ok_or_else(|| decode_err("getblockcount"))
    }

    fn block_hash(&self, height: u32) -> Result<BlockHash> {
        BlockHash::from_str(&self.call_str("getblockhash", json!([height]))?).map_err(decode_err)
    }

    fn header(&self, hash: &BlockHash) -> Result<Header> {
        let hex = self.call_str("getblockheader", json!([hash.to_string(), false]))?;
        let header: Header = consensus("core", &decode_hex("core", &hex)?)?;
        if header.block_hash() != *hash {
            return Err(decode_err(format!("header does not hash to {hash}")));
        }
        Ok(header)
    }

    fn transaction(&self, txid: &Txid) -> Result<Transaction> {
        let hex = self.call_str("getrawtransaction", json!([txid.to_string(), false]))?;
        let tx: Transaction = consensus("core", &decode_hex("core", &hex)?)?;
        if tx.compute_txid() != *txid {
            return Err(decode_err(format!("transaction does not hash to {txid}")));
        }
        Ok(tx)
    }

    fn merkle_proof(&self, txid: &Txid) -> Result<MerkleBlock> {
        let hex = self.call_str("gettxoutproof", json!([[txid.to_string()]]))?;
        consensus("core", &decode_hex("core", &hex)?)
    }

    fn script_utxos(&self, script: &Script) -> Result<Vec<ChainUtxo>> {
        let desc = format!("raw({})", script.to_hex_string());
        let v = self.call("scantxoutset", json!(["start", [{"desc": desc}]]))?;
        let unspents = v
            .get("unspents")
            .and_then(Value::as_array)
            .ok_or_else(|| decode_err("scantxoutset: no unspents"))?;
        unspents
            .iter()
            .map(|u| {
                let txid = u
                    .get("txid")
                    .and_then(Value::as_str)
                    .ok_or_else(|| decode_err("unspent without txid"))?;
                let vout =
                    u.get("vout").and_then(Value::as_u64).and_then(|v| u32::try_from(v).ok());
                let amount = u.get("amount").and_then(|a| a.as_number()).map(ToString::to_string);
                let height =
                    u.get("height").and_then(Value::as_u64).and_then(|h| u32::try_from(h).ok());
                let spk = u.get("scriptPubKey").and_then(Value::as_str).unwrap_or_default();
                let sats = amount
                    .as_deref()
                    .and_then(btc_to_sats)
                    .ok_or_else(|| decode_err("bad amount"))?;
                if !spk.eq_ignore_ascii_case(&script.to_hex_string()) {
                    return Err(decode_err("unspent for another script"));
                }
                Ok(ChainUtxo {
                    outpoint: OutPoint {
                        txid: Txid::from_str(txid).map_err(decode_err)?,
                        vout: vout.ok_or_else(|| decode_err("bad vout"))?,
                    },
                    txout: TxOut {
                        value: Amount::from_sat(sats),
                        script_pubkey: script.to_owned(),
                    },
                    // The UTXO set only holds confirmed outputs.
                    height: Some(height.ok_or_else(|| decode_err("unspent without height"))?),
                })
            })
            .collect()
    }

    fn fee_estimate(&self, target_blocks: u16) -> Result<FeeEstimate> {
        let v = self.call("estimatesmartfee", json!([target_blocks]))?;
        let rate = v.get("feerate").and_then(|r| r.as_number()).ok_or_else(|| {
            ChainError::NotFound(format!("no estimate for {target_blocks} blocks"))
        })?;
        // BTC per kvB to sat per kvB, rounded up.
        let sat_per_kvb = scaled(&rate.to_string(), 8, true)
            .and_then(|s| u64::try_from(s).ok())
            .ok_or_else(|| decode_err(format!("fee rate {rate}")))?;
        let blocks = v
            .get("blocks")
            .and_then(Value::as_u64)
            .and_then(|b| u16::try_from(b).ok())
            .unwrap_or(target_blocks);
        Ok(FeeEstimate { target_blocks: blocks, sat_per_kvb })
    }

    fn broadcast(&self, tx: &Transaction) -> Result<Txid> {
        let hex = bitcoin::consensus::encode::serialize_hex(tx);
        let txid = Txid::from_str(&self.call_str("sendrawtransaction", json!([hex]))?)
            .map_err(decode_err)?;
        if txid != tx.compute_txid() {
            return Err(decode_err("broadcast answered another txid"));
        }
        Ok(txid)
    }
}
