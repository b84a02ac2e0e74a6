//! Esplora HTTP API client (<https://github.com/Blockstream/esplora/blob/master/API.md>).

use core::str::FromStr;

use bitcoin::block::Header;
use bitcoin::hashes::{Hash, sha256};
use bitcoin::{Amount, BlockHash, MerkleBlock, OutPoint, Script, Transaction, TxOut, Txid};
use serde::Deserialize;

use crate::decimal::scaled;
use crate::error::{ChainError, Result};
use crate::http::{Http, HttpConfig, status_error};
use crate::{ChainSource, ChainUtxo, FeeEstimate, consensus, decode_hex};

/// Client of one or more Esplora servers (tried in order).
#[derive(Debug)]
pub struct EsploraClient {
    http: Http,
}

#[derive(Deserialize)]
struct UtxoJson {
    txid: String,
    vout: u32,
    value: u64,
    status: StatusJson,
}

#[derive(Deserialize)]
struct StatusJson {
    confirmed: bool,
    block_height: Option<u32>,
}

impl EsploraClient {
    /// A client of these base URLs (e.g. `https://blockstream.info/api`).
    pub fn new(endpoints: Vec<String>, config: HttpConfig) -> Result<Self> {
        Ok(Self { http: Http::new(endpoints, config)? })
    }

    fn get_parsed<T>(
        &self,
        path: &str,
        what: &str,
        parse: impl Fn(&str, &str) -> Result<T>,
    ) -> Result<T> {
        // Parse inside the failover so that a server answering garbage is skipped.
        self.http.failover(|ep| {
            let reply = self.http.request(ep, path, None, None)?;
            if reply.status != 200 {
                return Err(status_error(ep, what, &reply));
            }
            let text = core::str::from_utf8(&reply.body).map_err(|_| ChainError::Decode {
                endpoint: ep.into(),
                detail: "not UTF-8".into(),
            })?;
            parse(ep, text)
        })
    }
}

fn decode_err(ep: &str, detail: impl ToString) -> ChainError {
    ChainError::Decode { endpoint: ep.to_string(), detail: detail.to_string() }
}

/// Esplora's script hash: SHA-256 of the script, hex in reversed byte order.
pub fn script_hash(script: &Script) -> String {
    let mut h = sha256::Hash::hash(script.as_bytes()).to_byte_array();
    h.reverse();
    h.iter().map(|b| format!("{b:02x}")).collect()
}

impl ChainSource for EsploraClient {
    fn tip_height(&self) -> Result<u32> {
        self.get_parsed("/blocks/tip/height", "tip height", |ep, t| {
            t.trim().parse().map_err(|e| decode_err(ep, e))
        })
    }

    fn block_hash(&self, height: u32) -> Result<BlockHash> {
        self.get_parsed(&format!("/block-height/{height}"), "block height", |ep, t| {
            BlockHash::from_str(t.trim()).map_err(|e| decode_err(ep, e))
        })
    }

    fn header(&self, hash: &BlockHash) -> Result<Header> {
        let header: Header =
            self.get_parsed(&format!("/block/{hash}/header"), "block", |ep, t| {
                consensus(ep, &decode_hex(ep, t)?)
            })?;
        if header.block_hash() != *hash {
            return Err(decode_err("esplora", format!("header does not hash to {hash}")));
        }
        Ok(header)
    }

    fn transaction(&self, txid: &Txid) -> Result<Transaction> {
        let tx: Transaction =
            self.get_parsed(&format!("/tx/{txid}/hex"), "transaction", |ep, t| {
                consensus(ep, &decode_hex(ep, t)?)
            })?;
        if tx.compute_txid() != *txid {
            return Err(decode_err("esplora", format!("transaction does not hash to {txid}")));
        }
        Ok(tx)
    }

    fn merkle_proof(&self, txid: &Txid) -> Result<MerkleBlock> {
        self.get_parsed(&format!("/tx/{txid}/merkleblock-proof"), "merkle proof", |ep, t| {
            consensus(ep, &decode_hex(ep, t)?)
        })
    }

    fn script_utxos(&self, script: &Script) -> Result<Vec<ChainUtxo>> {
        let path = format!("/scripthash/{}/utxo", script_hash(script));
        self.get_parsed(&path, "script", |ep, t| {
            let list: Vec<UtxoJson> = serde_json::from_str(t).map_err(|e| decode_err(ep, e))?;
            list.into_iter()
                .map(|u| {
                    let txid = Txid::from_str(&u.txid).map_err(|e| decode_err(ep, e))?;
                    let height = match (u.status.confirmed, u.status.block_height) {
                        (true, Some(h)) => Some(h),
                        (true, None) => return Err(decode_err(ep, "confirmed without height")),
                        (false, _) => None,
                    };
                    Ok(ChainUtxo {
                        outpoint: OutPoint { txid, vout: u.vout },
                        txout: TxOut {
                            value: Amount::from_sat(u.value),
                            script_pubkey: script.to_owned(),
                        },
                        height,
                    })
                })
                .collect()
        })
    }

    fn fee_estimate(&self, target_blocks: u16) -> Result<FeeEstimate> {
        self.get_parsed("/fee-estimates", "fee estimates", |ep, t| {
            let map: std::collections::BTreeMap<String, serde_json::Number> =
                serde_json::from_str(t).map_err(|e| decode_err(ep, e))?;
            // The estimate for the largest target not above the one asked for.
            let best = map
                .iter()
                .filter_map(|(k, v)| Some((k.parse::<u16>().ok()?, v)))
                .filter(|(k, _)| *k <= target_blocks.max(1))
                .max_by_key(|(k, _)| *k)
                .ok_or_else(|| {
                    ChainError::NotFound(format!("no estimate for {target_blocks} blocks"))
                })?;
            let sat_per_kvb = scaled(&best.1.to_string(), 3, true)
                .and_then(|v| u64::try_from(v).ok())
                .ok_or_else(|| decode_err(ep, format!("fee rate {}", best.1)))?;
            Ok(FeeEstimate { target_blocks: best.0, sat_per_kvb })
        })
    }

    fn broadcast(&self, tx: &Transaction) -> Result<Txid> {
        let hex: String = bitcoin::consensus::encode::serialize_hex(tx);
        let (_, text) = self.http.failover(|ep| {
            let reply = self.http.request(ep, "/tx", Some(("text/plain", hex.as_bytes())), None)?;
            if reply.status != 200 {
                return Err(status_error(ep, "broadcast", &reply));
            }
            Ok((ep.to_string(), String::from_utf8_lossy(&reply.body).to_string()))
        })?;
        let txid = Txid::from_str(text.trim()).map_err(|e| decode_err("esplora", e))?;
        if txid != tx.compute_txid() {
            return Err(decode_err("esplora", "broadcast answered another txid"));
        }
        Ok(txid)
    }
}
