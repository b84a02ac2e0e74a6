//! Blocks: a header hash-chained to its parent and committing to its transactions, receipts and
//! the state root after it; a body of encoded transactions. [`replay_block`] re-executes a stored
//! block and checks every root.

use alloy_primitives::{B256, keccak256};

use crate::{
    codec::{CodecError, Put, Reader},
    command::Tx,
    commitment::merkle_root,
    engine::{Engine, Receipt},
    env::Env,
    rejection::{BlockInvalid, TxInvalid},
    state::ChangeSet,
};

/// Most commands in one block.
pub const BLOCK_TXS_MAX: usize = 1_000;

/// A block header.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Header {
    /// Chain id.
    pub chain_id: u64,
    /// Height (genesis is 0).
    pub height: u64,
    /// Hash of the parent header (zero for genesis).
    pub parent_hash: B256,
    /// Block time, unix seconds.
    pub time_s: u64,
    /// Merkle root of transaction hashes.
    pub tx_root: B256,
    /// Merkle root of receipt hashes.
    pub receipts_root: B256,
    /// State root after the block.
    pub state_root: B256,
    /// Number of transactions.
    pub tx_count: u32,
}

impl Header {
    /// Canonical encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 * 3 + 32 * 4 + 4 + 1);
        out.put_u8(1); // header version
        out.put_u64(self.chain_id);
        out.put_u64(self.height);
        out.put_b256(&self.parent_hash);
        out.put_u64(self.time_s);
        out.put_b256(&self.tx_root);
        out.put_b256(&self.receipts_root);
        out.put_b256(&self.state_root);
        out.put_u32(self.tx_count);
        out
    }

    /// Decodes [`Header::encode`].
    pub fn decode(bytes: &[u8]) -> Result<Header, CodecError> {
        let mut r = Reader::new(bytes);
        if r.u8()? != 1 {
            return Err(CodecError("unknown header version"));
        }
        let h = Header {
            chain_id: r.u64()?,
            height: r.u64()?,
            parent_hash: r.b256()?,
            time_s: r.u64()?,
            tx_root: r.b256()?,
            receipts_root: r.b256()?,
            state_root: r.b256()?,
            tx_count: r.u32()?,
        };
        r.finish()?;
        Ok(h)
    }

    /// keccak256 of the encoding.
    pub fn hash(&self) -> B256 {
        keccak256(self.encode())
    }
}

/// Encodes a block body.
pub fn encode_body(txs: &[Tx]) -> Vec<u8> {
    let mut out = Vec::with_capacity(txs.len() * 260);
    for tx in txs {
        tx.encode(&mut out);
    }
    out
}

/// Decodes a block body.
pub fn decode_body(mut bytes: &[u8]) -> Result<Vec<Tx>, TxInvalid> {
    let mut txs = Vec::new();
    while !bytes.is_empty() {
        txs.push(Tx::decode(&mut bytes)?);
    }
    Ok(txs)
}

/// Everything a sealed block produced.
#[derive(Clone, Debug)]
pub struct SealedBlock {
    /// Header.
    pub header: Header,
    /// Its hash.
    pub hash: B256,
    /// Included transactions.
    pub txs: Vec<Tx>,
    /// Their receipts, in order.
    pub receipts: Vec<Receipt>,
    /// The state changes.
    pub changes: ChangeSet,
}

/// Seals a block whose transactions were executed on `engine` (ends the block there).
pub fn seal(
    engine: &mut Engine,
    parent_hash: B256,
    env: &Env,
    txs: Vec<Tx>,
    receipts: Vec<Receipt>,
) -> SealedBlock {
    let (changes, state_root) = engine.finish_block(env);
    let tx_root = merkle_root(&txs.iter().map(|t| t.hash).collect::<Vec<_>>());
    let receipts_root = merkle_root(&receipts.iter().map(Receipt::hash).collect::<Vec<_>>());
    let header = Header {
        chain_id: env.chain_id,
        height: env.height,
        parent_hash,
        time_s: env.time_s,
        tx_root,
        receipts_root,
        state_root,
        tx_count: txs.len() as u32,
    };
    let hash = header.hash();
    SealedBlock { header, hash, txs, receipts, changes }
}

/// Why a stored block does not replay to its header.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    /// The block does not link to its parent.
    #[error("block {height}: parent hash does not match the previous block")]
    BadParent {
        /// Height.
        height: u64,
    },
    /// A transaction was not includable.
    #[error("block {height}: transaction {index} is invalid: {source}")]
    InvalidTx {
        /// Height.
        height: u64,
        /// Index in block.
        index: usize,
        /// Why.
        source: TxInvalid,
    },
    /// The engine refuses to open the block (height, chain, time going backwards).
    #[error("block {height}: {source}")]
    Refused {
        /// Height.
        height: u64,
        /// Why.
        source: BlockInvalid,
    },
    /// A root differs.
    #[error("block {height}: {root} root differs from the header")]
    RootMismatch {
        /// Height.
        height: u64,
        /// Which root.
        root: &'static str,
    },
    /// Another field of the recomputed header differs from the stored one.
    #[error("block {height}: the header's {field} differs from the recomputed header")]
    HeaderMismatch {
        /// Height.
        height: u64,
        /// Which field.
        field: &'static str,
    },
    /// Signature re-verification failed.
    #[error("block {height}: transaction {index} has a signature that does not match its sender")]
    BadSignature {
        /// Height.
        height: u64,
        /// Index.
        index: usize,
    },
}

/// Re-executes a stored block on `engine` and checks that it reproduces the header.
/// With `verify_signatures`, also re-checks every signature against the recorded sender.
pub fn replay_block(
    engine: &mut Engine,
    parent_hash: B256,
    header: &Header,
    txs: Vec<Tx>,
    verify_signatures: bool,
) -> Result<SealedBlock, ReplayError> {
    let height = header.height;
    if header.parent_hash != parent_hash {
        return Err(ReplayError::BadParent { height });
    }
    let env = Env { chain_id: header.chain_id, height, time_s: header.time_s };
    engine.begin_block(&env).map_err(|source| ReplayError::Refused { height, source })?;
    let mut receipts = Vec::with_capacity(txs.len());
    for (index, tx) in txs.iter().enumerate() {
        if tx.command.info().is_system() {
            // The node's own transaction: no signature; the engine checks it is exactly the
            // one it makes for this block.
            let r = engine.execute_system(&env, tx).map_err(|source| ReplayError::InvalidTx {
                height,
                index,
                source,
            })?;
            receipts.push(r);
            continue;
        }
        if verify_signatures {
            let signer = crate::command::recover_hash(
                &tx.command.signing_hash(engine.domain()),
                &tx.signature,
            );
            if signer.ok() != Some(tx.sender) {
                return Err(ReplayError::BadSignature { height, index });
            }
        }
        let r = engine.execute(&env, tx).map_err(|source| ReplayError::InvalidTx {
            height,
            index,
            source,
        })?;
        receipts.push(r);
    }
    let sealed = seal(engine, parent_hash, &env, txs, receipts);
    for (name, a, b) in [
        ("state", sealed.header.state_root, header.state_root),
        ("transactions", sealed.header.tx_root, header.tx_root),
        ("receipts", sealed.header.receipts_root, header.receipts_root),
    ] {
        if a != b {
            return Err(ReplayError::RootMismatch { height, root: name });
        }
    }
    // Every other field too: the whole recomputed header is the stored one.
    let h = &sealed.header;
    for (field, same) in [
        ("chain id", h.chain_id == header.chain_id),
        ("height", h.height == header.height),
        ("parent hash", h.parent_hash == header.parent_hash),
        ("time", h.time_s == header.time_s),
        ("transaction count", h.tx_count == header.tx_count),
    ] {
        if !same {
            return Err(ReplayError::HeaderMismatch { height, field });
        }
    }
    debug_assert_eq!(sealed.header, *header);
    Ok(sealed)
}
