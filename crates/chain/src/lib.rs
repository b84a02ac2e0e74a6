//! `hoard-chain`: chain-source adapters for Hoard's Bitcoin custody. They report facts (tip
//! height, headers, transactions, Merkle proofs, UTXOs of a script, fee estimates) and never
//! touch wallet state: the caller feeds the facts to `hoard-btc`, which verifies what it can
//! (headers by proof of work, inclusion by Merkle proofs) and trusts nothing else blindly.
//!
//! # Design
//! - [`ChainSource`]: the one read trait, implemented by [`EsploraClient`] (Esplora HTTP API,
//!   as served by Blockstream's and mempool.space's servers) and [`CoreRpcClient`] (Bitcoin
//!   Core JSON-RPC).
//! - Blocking HTTP on `ureq` (small, no async runtime: these calls are few and slow, and a
//!   blocking client keeps the compile light on 2 cores), with a timeout per request, bounded
//!   retries with exponential backoff on transient failures, and failover across several
//!   endpoints in order ([`HttpConfig`]).
//! - Amounts and fee rates that the APIs send as JSON decimals are converted from their decimal
//!   text to integers exactly (`decimal`), never through float arithmetic.
//!
//! # Limits
//! Response bodies are capped ([`http::BODY_BYTES_MAX`]), header ranges per call
//! ([`HEADERS_PER_CALL_MAX`]), endpoints per client ([`http::ENDPOINTS_MAX`]).
#![deny(clippy::float_arithmetic)]
#![warn(missing_docs)]

pub mod core_rpc;
pub mod decimal;
pub mod error;
pub mod esplora;
pub mod http;

use bitcoin::block::Header;
use bitcoin::{BlockHash, MerkleBlock, OutPoint, Script, Transaction, TxOut, Txid};
use hoard_btc::{Keychain, Utxo, Wallet};
use serde::{Deserialize, Serialize};

pub use core_rpc::{CoreRpcClient, RpcEndpoint};
pub use error::{ChainError, Result};
pub use esplora::EsploraClient;
pub use http::HttpConfig;

/// Most headers fetched by one [`ChainSource::headers`] call.
pub const HEADERS_PER_CALL_MAX: u32 = 2016;
/// Most addresses per chain scanned by [`wallet_utxos`].
pub const SCAN_ADDRESSES_MAX: u32 = 1000;

/// An unspent output as a chain source reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainUtxo {
    /// Where.
    pub outpoint: OutPoint,
    /// Amount and script.
    pub txout: TxOut,
    /// Confirmation height; `None` while in the mempool.
    pub height: Option<u32>,
}

/// A fee-rate estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeEstimate {
    /// Confirmation target, blocks.
    pub target_blocks: u16,
    /// Estimated rate, sat per 1000 vbytes (rounded up from the source's decimal).
    pub sat_per_kvb: u64,
}

impl FeeEstimate {
    /// The rate in whole sat/vB, rounded up (what `hoard-btc`'s fee terms take).
    pub fn sat_per_vb_ceil(&self) -> u64 {
        self.sat_per_kvb.div_ceil(1000).max(1)
    }
}

/// A read-only source of chain facts.
pub trait ChainSource {
    /// Height of the best block.
    fn tip_height(&self) -> Result<u32>;
    /// Hash of the best-chain block at `height`.
    fn block_hash(&self, height: u32) -> Result<BlockHash>;
    /// The 80-byte header of a block.
    fn header(&self, hash: &BlockHash) -> Result<Header>;
    /// A transaction.
    fn transaction(&self, txid: &Txid) -> Result<Transaction>;
    /// The `gettxoutproof`-format Merkle proof of a confirmed transaction.
    fn merkle_proof(&self, txid: &Txid) -> Result<MerkleBlock>;
    /// Unspent outputs paying `script` (confirmed ones, plus mempool ones where the source
    /// knows them, with `height: None`).
    fn script_utxos(&self, script: &Script) -> Result<Vec<ChainUtxo>>;
    /// Fee-rate estimate for confirmation within `target_blocks`.
    fn fee_estimate(&self, target_blocks: u16) -> Result<FeeEstimate>;
    /// Broadcasts a signed transaction; returns its txid.
    fn broadcast(&self, tx: &Transaction) -> Result<Txid>;

    /// Headers of heights `from..from + count` (at most [`HEADERS_PER_CALL_MAX`]), in order.
    fn headers(&self, from: u32, count: u32) -> Result<Vec<Header>> {
        if count > HEADERS_PER_CALL_MAX {
            return Err(ChainError::Config(format!(
                "at most {HEADERS_PER_CALL_MAX} headers per call"
            )));
        }
        (from..from.saturating_add(count)).map(|h| self.header(&self.block_hash(h)?)).collect()
    }
}

/// Checks that `source` serves the chain of `network` (its block at height 0 is the network's
/// genesis block): the same keys give the same scripts on every network, so a source of
/// another chain would otherwise answer for them without complaint.
pub fn check_network(source: &dyn ChainSource, network: bitcoin::Network) -> Result<()> {
    let expected = bitcoin::constants::genesis_block(network).block_hash();
    let got = source.block_hash(0)?;
    if got != expected {
        return Err(ChainError::WrongNetwork {
            network: network.to_string(),
            expected: expected.to_string(),
            got: got.to_string(),
        });
    }
    Ok(())
}

/// Collects the wallet's coins from a source by scanning indexes `0..count` of both chains.
pub fn wallet_utxos(source: &dyn ChainSource, wallet: &Wallet, count: u32) -> Result<Vec<Utxo>> {
    if count > SCAN_ADDRESSES_MAX {
        return Err(ChainError::Config(format!(
            "at most {SCAN_ADDRESSES_MAX} addresses per chain"
        )));
    }
    let mut out = Vec::new();
    for keychain in [Keychain::External, Keychain::Internal] {
        for index in 0..count {
            let spk = wallet
                .script_pubkey(keychain, index)
                .map_err(|e| ChainError::Config(e.to_string()))?;
            for u in source.script_utxos(&spk)? {
                if u.txout.script_pubkey != spk {
                    return Err(ChainError::Decode {
                        endpoint: "source".into(),
                        detail: format!("utxo {} does not pay the script asked for", u.outpoint),
                    });
                }
                out.push(Utxo {
                    outpoint: u.outpoint,
                    txout: u.txout,
                    keychain,
                    index,
                    confirmation_height: u.height,
                    prev_tx: None,
                });
            }
        }
    }
    Ok(out)
}

pub(crate) fn decode_hex(endpoint: &str, text: &str) -> Result<Vec<u8>> {
    use bitcoin::hex::FromHex;
    Vec::<u8>::from_hex(text.trim())
        .map_err(|e| ChainError::Decode { endpoint: endpoint.into(), detail: e.to_string() })
}

pub(crate) fn consensus<T: bitcoin::consensus::Decodable>(
    endpoint: &str,
    bytes: &[u8],
) -> Result<T> {
    bitcoin::consensus::deserialize(bytes)
        .map_err(|e| ChainError::Decode { endpoint: endpoint.into(), detail: e.to_string() })
}
