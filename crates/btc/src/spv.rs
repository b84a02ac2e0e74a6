//! SPV: header-chain verification from a trusted checkpoint, Merkle inclusion proofs
//! (Bitcoin Core's `gettxoutproof` format, a serialized `MerkleBlock`), and a wallet's confirmed
//! balance at a height from proven transactions.
//!
//! What SPV proves and what it does not: a verified chain proves that the headers carry the
//! claimed proof of work and link to the checkpoint; an inclusion proof proves a transaction is
//! in a block of that chain. Neither proves that an output is still unspent: a spend not shown
//! is not subtracted. Reserve attestations therefore combine proofs with reporter signatures and
//! a challenge window (SPEC 3.8).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use bitcoin::block::Header;
use bitcoin::consensus::Params;
use bitcoin::consensus::{deserialize, deserialize_partial, encode};
use bitcoin::pow::{CompactTarget, Work};
use bitcoin::{BlockHash, MerkleBlock, Network, OutPoint, Script, Transaction, Txid};
use serde::{Deserialize, Serialize};

use crate::error::{BtcError, Result};

/// Confirmations a transaction needs to count towards a reserve balance by default.
pub const CONFIRMATIONS_DEFAULT: u32 = 6;
/// Blocks per difficulty period.
pub const RETARGET_INTERVAL: u32 = 2016;
/// Headers in the median-time-past window.
const MTP_WINDOW: usize = 11;
/// Most headers one `extend` call accepts.
pub const HEADERS_PER_CALL_MAX: usize = 100_000;

/// A trusted starting point: a header and its height, plus, if the checkpoint is not the first
/// block of a difficulty period, the timestamp of that first block (needed to check the next
/// retarget).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Height of `header`.
    pub height: u32,
    /// The header.
    pub header: Header,
    /// Timestamp of the block at `height - height % 2016`, when `height` is not a multiple of 2016.
    pub period_start_time: Option<u32>,
}

/// A header chain verified from a checkpoint.
#[derive(Debug, Clone)]
pub struct HeaderChain {
    network: Network,
    params: Params,
    start_height: u32,
    headers: Vec<Header>,
    hashes: Vec<BlockHash>,
    by_hash: HashMap<BlockHash, u32>,
    period_start_time: Option<u32>,
    work: Work,
}

impl HeaderChain {
    /// A chain holding only the checkpoint.
    pub fn new(network: Network, checkpoint: Checkpoint) -> Self {
        let hash = checkpoint.header.block_hash();
        let period_start_time = if checkpoint.height.is_multiple_of(RETARGET_INTERVAL) {
            Some(checkpoint.header.time)
        } else {
            checkpoint.period_start_time
        };
        Self {
            network,
            params: Params::new(network),
            start_height: checkpoint.height,
            headers: vec![checkpoint.header],
            hashes: vec![hash],
            by_hash: HashMap::from([(hash, checkpoint.height)]),
            period_start_time,
            work: Work::from_be_bytes([0; 32]),
        }
    }

    /// Height of the checkpoint.
    pub fn start_height(&self) -> u32 {
        self.start_height
    }

    /// Height of the last verified header.
    pub fn tip_height(&self) -> u32 {
        self.start_height + (self.headers.len() as u32 - 1)
    }

    /// Hash of the last verified header.
    pub fn tip_hash(&self) -> BlockHash {
        *self.hashes.last().expect("invariant: the chain holds at least its checkpoint")
    }

    /// Work of the headers added after the checkpoint.
    pub fn cumulative_work(&self) -> Work {
        self.work
    }

    /// Header at a height, if verified.
    pub fn header_at(&self, height: u32) -> Option<&Header> {
        let i = height.checked_sub(self.start_height)?;
        self.headers.get(i as usize)
    }

    /// Height of a verified block.
    pub fn height_of(&self, hash: &BlockHash) -> Option<u32> {
        self.by_hash.get(hash).copied()
    }

    /// Verifies and appends headers. All or nothing: on error the chain is unchanged.
    ///
    /// Checks each header's link to its predecessor, its proof of work against the target in
    /// the header, that target against the network's limit, the timestamp against the median of
    /// the previous eleven, and on mainnet (and regtest, which never retargets) the difficulty
    /// rules: the same bits within a period and Bitcoin Core's retarget every 2016 blocks. The
    /// test networks' minimum-difficulty exceptions are not modelled: there only the proof of
    /// work against the header's own target is checked.
    pub fn extend(&mut self, headers: &[Header]) -> Result<()> {
        if headers.len() > HEADERS_PER_CALL_MAX {
            return Err(BtcError::InvalidHeader(format!(
                "{} headers in one call, at most {HEADERS_PER_CALL_MAX}: verify them in batches",
                headers.len()
            )));
        }
        let before = self.headers.len();
        let work_before = self.work;
        for h in headers {
            if let Err(e) = self.push(h) {
                self.headers.truncate(before);
                for hash in self.hashes.drain(before..) {
                    self.by_hash.remove(&hash);
                }
                self.work = work_before;
                return Err(e);
            }
        }
        Ok(())
    }

    fn push(&mut self, h: &Header) -> Result<()> {
        let height = self.tip_height() + 1;
        let prev =
            *self.headers.last().expect("invariant: the chain holds at least its checkpoint");
        if h.prev_blockhash != self.tip_hash() {
            return Err(BtcError::HeaderChainBroken { height });
        }
        let expected_bits = match self.network {
            Network::Bitcoin | Network::Regtest => Some(self.expected_bits(height, &prev)?),
            _ => None,
        };
        if let Some(expected) = expected_bits
            && h.bits != expected
        {
            return Err(BtcError::BadDifficulty {
                height,
                got: h.bits.to_consensus(),
                expected: expected.to_consensus(),
            });
        }
        let target = h.target();
        if target > self.params.max_attainable_target || h.validate_pow(target).is_err() {
            return Err(BtcError::InsufficientWork { height });
        }
        if self.headers.len() >= MTP_WINDOW {
            let mut times: Vec<u32> =
                self.headers[self.headers.len() - MTP_WINDOW..].iter().map(|x| x.time).collect();
            times.sort_unstable();
            if h.time <= times[MTP_WINDOW / 2] {
                return Err(BtcError::TimestampTooOld { height });
            }
        }
        let hash = h.block_hash();
        self.headers.push(*h);
        self.hashes.push(hash);
        self.by_hash.insert(hash, height);
        self.work = self.work + h.work();
        if height.is_multiple_of(RETARGET_INTERVAL) {
            self.period_start_time = Some(h.time);
        }
        Ok(())
    }

    fn expected_bits(&self, height: u32, prev: &Header) -> Result<CompactTarget> {
        if !height.is_multiple_of(RETARGET_INTERVAL) || self.params.no_pow_retargeting {
            return Ok(prev.bits);
        }
        // The period that ends at `height - 1` started at `height - 2016`.
        let start = self.period_start_time.ok_or(BtcError::RetargetUnverifiable { height })?;
        let first_height = height - RETARGET_INTERVAL;
        let start_known = first_height >= self.start_height
            || first_height == self.start_height - self.start_height % RETARGET_INTERVAL;
        if !start_known {
            return Err(BtcError::RetargetUnverifiable { height });
        }
        let timespan = i64::from(prev.time) - i64::from(start);
        let timespan = u64::try_from(timespan.max(0)).expect("invariant: clamped to non-negative");
        Ok(CompactTarget::from_next_work_required(prev.bits, timespan, &self.params))
    }

    /// Checks a Merkle proof against this chain and returns the proven position of `txid`.
    pub fn verify_inclusion(&self, proof: &MerkleBlock, txid: Txid) -> Result<ProvenTx> {
        let matches = verify_merkle_block(proof)?;
        let hash = proof.header.block_hash();
        let height =
            self.height_of(&hash).ok_or_else(|| BtcError::UnknownBlock(hash.to_string()))?;
        let index = matches
            .iter()
            .find(|(t, _)| *t == txid)
            .map(|(_, i)| *i)
            .ok_or_else(|| BtcError::TxNotProven(txid.to_string()))?;
        Ok(ProvenTx { txid, block_hash: hash, height, index })
    }
}

/// A transaction proven to be in a block of a verified chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvenTx {
    /// The transaction.
    pub txid: Txid,
    /// Its block.
    pub block_hash: BlockHash,
    /// Height of the block.
    pub height: u32,
    /// Position in the block.
    pub index: u32,
}

/// Decodes concatenated 80-byte headers.
pub fn decode_headers(bytes: &[u8]) -> Result<Vec<Header>> {
    if !bytes.len().is_multiple_of(80) {
        return Err(BtcError::InvalidHeader(format!(
            "the headers are {} bytes long, not a multiple of 80 (one header is 80 bytes)",
            bytes.len()
        )));
    }
    bytes
        .chunks_exact(80)
        .enumerate()
        .map(|(i, c)| {
            deserialize::<Header>(c)
                .map_err(|e| BtcError::InvalidHeader(format!("header {i} does not decode: {e}")))
        })
        .collect()
}

/// Decodes a `gettxoutproof` / `MerkleBlock` serialization: exactly one proof, nothing after it.
pub fn decode_merkle_block(bytes: &[u8]) -> Result<MerkleBlock> {
    if bytes.is_empty() {
        return Err(BtcError::InvalidMerkleProof("the Merkle proof is empty".into()));
    }
    match deserialize_partial::<MerkleBlock>(bytes) {
        Ok((proof, used)) if used == bytes.len() => Ok(proof),
        Ok((_, used)) => Err(BtcError::InvalidMerkleProof(format!(
            "the Merkle proof is followed by {} unexpected bytes (it ends after {used} of {} bytes)",
            bytes.len() - used,
            bytes.len()
        ))),
        Err(encode::Error::Io(e)) if e.kind() == bitcoin::io::ErrorKind::UnexpectedEof => {
            Err(BtcError::InvalidMerkleProof(format!(
                "the Merkle proof is truncated: its {} bytes end before the proof does",
                bytes.len()
            )))
        }
        Err(e) => Err(BtcError::InvalidMerkleProof(format!(
            "the Merkle proof does not decode: {}",
            crate::error::describe(&e)
        ))),
    }
}

/// Checks a Merkle proof on its own: the partial tree is well formed and hashes to the header's
/// Merkle root, and the header's hash meets its own target. Returns the matched txids with their
/// positions in the block.
pub fn verify_merkle_block(proof: &MerkleBlock) -> Result<Vec<(Txid, u32)>> {
    let mut matches = Vec::new();
    let mut indexes = Vec::new();
    proof
        .extract_matches(&mut matches, &mut indexes)
        .map_err(|e| BtcError::InvalidMerkleProof(format!("the Merkle proof is invalid: {e}")))?;
    if matches.is_empty() {
        return Err(BtcError::InvalidMerkleProof("the Merkle proof matches no transaction".into()));
    }
    proof.header.validate_pow(proof.header.target()).map_err(|_| {
        BtcError::InvalidMerkleProof(
            "the Merkle proof's block header does not meet its own proof-of-work target".into(),
        )
    })?;
    Ok(matches.into_iter().zip(indexes).collect())
}

/// A transaction with the proof of its inclusion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvenTransaction {
    /// The full transaction (its outputs are what a balance counts).
    pub tx: Transaction,
    /// Its `gettxoutproof`.
    pub proof: MerkleBlock,
}

/// A coin counted in a reserve balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvenCoin {
    /// The output.
    pub outpoint: OutPoint,
    /// Its amount.
    pub amount_sats: u64,
    /// Height of its block.
    pub height: u32,
}

/// A wallet's balance at a height, from proven transactions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReserveBalance {
    /// The height the balance is for.
    pub at_height: u32,
    /// Hash of the block at that height.
    pub at_block_hash: BlockHash,
    /// Confirmations required.
    pub min_confirmations: u32,
    /// Sum of `coins`.
    pub balance_sats: u64,
    /// Outputs to the wallet, proven, deep enough, and not spent by a proven transaction.
    pub coins: Vec<ProvenCoin>,
    /// Proven transactions left out because they have fewer than `min_confirmations` at
    /// `at_height` (or are above it).
    pub too_shallow: Vec<Txid>,
}

/// Computes a confirmed balance at `at_height`: every transaction must be proven in the chain;
/// outputs paying `is_mine` scripts count once they have `min_confirmations` at `at_height`;
/// outputs spent by any proven transaction confirmed at or below `at_height` are removed, even
/// when that spend is shallower than `min_confirmations` (the balance errs low, never high).
pub fn proven_balance(
    chain: &HeaderChain,
    is_mine: impl Fn(&Script) -> bool,
    txs: &[ProvenTransaction],
    at_height: u32,
    min_confirmations: u32,
) -> Result<ReserveBalance> {
    let at_block_hash = chain
        .header_at(at_height)
        .map(Header::block_hash)
        .ok_or_else(|| BtcError::UnknownBlock(format!("height {at_height}")))?;
    let mut coins: BTreeMap<OutPoint, ProvenCoin> = BTreeMap::new();
    let mut spent: BTreeSet<OutPoint> = BTreeSet::new();
    let mut too_shallow = Vec::new();
    for p in txs {
        let txid = p.tx.compute_txid();
        // A 64-byte transaction can pose as an inner Merkle node (CVE-2017-12842).
        if encode::serialize(&p.tx).len() == 64 {
            return Err(BtcError::InvalidMerkleProof(format!(
                "transaction {txid} is 64 bytes long and could pose as a Merkle tree node \
                 (CVE-2017-12842): refused"
            )));
        }
        let proven = chain.verify_inclusion(&p.proof, txid)?;
        if proven.height > at_height {
            too_shallow.push(txid);
            continue;
        }
        // A confirmed spend removes a coin at once, however shallow: the balance errs low.
        for input in &p.tx.input {
            spent.insert(input.previous_output);
        }
        let confirmations = at_height + 1 - proven.height;
        if confirmations < min_confirmations.max(1) {
            too_shallow.push(txid);
            continue;
        }
        for (vout, out) in p.tx.output.iter().enumerate() {
            if is_mine(&out.script_pubkey) {
                let outpoint = OutPoint { txid, vout: vout as u32 };
                coins.insert(
                    outpoint,
                    ProvenCoin { outpoint, amount_sats: out.value.to_sat(), height: proven.height },
                );
            }
        }
    }
    coins.retain(|op, _| !spent.contains(op));
    let balance_sats = coins
        .values()
        .try_fold(0u64, |acc, c| acc.checked_add(c.amount_sats))
        .ok_or_else(|| BtcError::InvalidMerkleProof("the proven balance overflows".into()))?;
    Ok(ReserveBalance {
        at_height,
        at_block_hash,
        min_confirmations,
        balance_sats,
        coins: coins.into_values().collect(),
        too_shallow,
    })
}
