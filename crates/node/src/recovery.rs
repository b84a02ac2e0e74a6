//! Opening a chain: genesis on an empty store, otherwise the newest snapshot plus a replay of the
//! blocks after it, with every root checked. Also `verify` (full replay from genesis with
//! signature checks) and `reindex` (rebuild the projections from the log).

use alloy_primitives::B256;
use hoard_core::{
    Engine,
    block::{self, Header},
    genesis::Genesis,
    state::State,
};
use hoard_store::{BLOCKS_FROM_MAX, Store};

use crate::{Head, NodeError};

const META_GENESIS: &str = "genesis_hash";
const META_CHAIN_ID: &str = "chain_id";

pub(crate) struct Recovered {
    pub engine: Engine,
    pub head: Head,
    pub genesis_hash: B256,
    pub txs_since_snapshot: u64,
    pub blocks_since_snapshot: u64,
}

fn corrupt(m: impl Into<String>) -> NodeError {
    NodeError::Corrupt(m.into())
}

/// The genesis block of a genesis file.
pub(crate) fn genesis_block(genesis: &Genesis) -> Result<(Engine, block::SealedBlock), NodeError> {
    let mut engine = genesis.build()?;
    let env = hoard_core::Env { chain_id: genesis.chain_id, height: 0, time_s: genesis.timestamp };
    let sealed = block::seal(&mut engine, B256::ZERO, &env, vec![], vec![]);
    Ok((engine, sealed))
}

fn decode_header(rec: &hoard_store::BlockRecord) -> Result<Header, NodeError> {
    let h =
        Header::decode(&rec.header).map_err(|e| corrupt(format!("block {}: {e}", rec.height)))?;
    if h.hash().0 != rec.hash || h.height != rec.height {
        return Err(corrupt(format!(
            "block {}: header does not hash to its recorded hash",
            rec.height
        )));
    }
    Ok(h)
}

pub(crate) fn open_chain(store: &dyn Store, genesis: &Genesis) -> Result<Recovered, NodeError> {
    let (genesis_engine, genesis_block) = genesis_block(genesis)?;
    let genesis_hash = genesis_block.hash;
    match store.meta(META_GENESIS)? {
        None => {
            if store.head()?.is_some() {
                return Err(corrupt("blocks without a genesis record"));
            }
            store.append_blocks(&[crate::block_write(&genesis_block)])?;
            store.set_meta(META_CHAIN_ID, &genesis.chain_id.to_be_bytes())?;
            store.set_meta(META_GENESIS, genesis_hash.as_slice())?;
        }
        Some(stored) => {
            if stored != genesis_hash.as_slice() {
                return Err(NodeError::WrongChain {
                    stored: B256::from_slice(&stored),
                    expected: genesis_hash,
                });
            }
        }
    }
    // Start from the newest snapshot whose root matches its block, else from genesis.
    let (mut engine, mut head) = (genesis_engine, head_of(&genesis_block.header, genesis_hash));
    if let Some(snap) = store.latest_snapshot()? {
        let rec =
            store.block(snap.height)?.ok_or_else(|| corrupt("snapshot of a missing block"))?;
        let header = decode_header(&rec)?;
        let state = State::decode_snapshot(&snap.bytes)
            .map_err(|e| corrupt(format!("snapshot {}: {e}", snap.height)))?;
        let loaded = Engine::new(genesis.chain_id, genesis.diamond, state);
        if loaded.state_root() != header.state_root || loaded.state_root().0 != snap.state_root {
            return Err(corrupt(format!(
                "snapshot at {} does not match its block's state root",
                snap.height
            )));
        }
        engine = loaded;
        head = head_of(&header, header.hash());
    }
    let (mut txs_since, mut blocks_since) = (0u64, 0u64);
    loop {
        let batch = store.blocks_from(head.height + 1, BLOCKS_FROM_MAX)?;
        if batch.is_empty() {
            break;
        }
        for rec in batch {
            let header = decode_header(&rec)?;
            let txs = block::decode_body(&rec.body)
                .map_err(|e| corrupt(format!("block {}: {e}", rec.height)))?;
            txs_since += txs.len() as u64;
            let sealed = block::replay_block(&mut engine, head.hash, &header, txs, false)
                .map_err(|e| corrupt(e.to_string()))?;
            head = head_of(&sealed.header, sealed.hash);
            blocks_since += 1;
        }
    }
    Ok(Recovered {
        engine,
        head,
        genesis_hash,
        txs_since_snapshot: txs_since,
        blocks_since_snapshot: blocks_since,
    })
}

fn head_of(h: &Header, hash: B256) -> Head {
    Head { height: h.height, hash, time_s: h.time_s, state_root: h.state_root }
}

/// What `hoard verify` found.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct VerifyReport {
    /// Blocks replayed (including genesis).
    pub blocks: u64,
    /// Transactions replayed.
    pub txs: u64,
    /// Final head.
    pub head_height: u64,
    /// Final state root.
    pub state_root: B256,
    /// Snapshots checked against the replayed roots.
    pub snapshots_checked: u64,
}

/// Replays the whole log from genesis, re-verifying every signature and every root, and checks
/// the stored snapshots and projections against the replay.
pub fn verify(
    store: &dyn Store,
    genesis: &Genesis,
    mut progress: impl FnMut(u64, u64),
) -> Result<VerifyReport, NodeError> {
    let (mut engine, genesis_block) = genesis_block(genesis)?;
    let stored = store.block(0)?.ok_or_else(|| corrupt("no genesis block"))?;
    if stored.hash != genesis_block.hash.0 {
        return Err(NodeError::WrongChain {
            stored: B256::from(stored.hash),
            expected: genesis_block.hash,
        });
    }
    let head_height = store.head()?.map(|(h, _)| h).unwrap_or(0);
    let snapshot_heights = store.snapshot_heights()?;
    let latest_snapshot = store.latest_snapshot()?;
    let mut parent = genesis_block.hash;
    let (mut blocks, mut txs, mut snapshots_checked) = (1u64, 0u64, 0u64);
    let mut next = 1;
    loop {
        let batch = store.blocks_from(next, BLOCKS_FROM_MAX)?;
        if batch.is_empty() {
            break;
        }
        for rec in batch {
            let header = decode_header(&rec)?;
            let body = block::decode_body(&rec.body)
                .map_err(|e| corrupt(format!("block {}: {e}", rec.height)))?;
            txs += body.len() as u64;
            let sealed = block::replay_block(&mut engine, parent, &header, body, true)
                .map_err(|e| corrupt(e.to_string()))?;
            // Projections agree with the replay.
            let stored_txs = store.txs_in_block(rec.height)?;
            let (expected_txs, _) = crate::projections(rec.height, &sealed.receipts);
            if stored_txs != expected_txs {
                return Err(corrupt(format!(
                    "block {}: stored receipts differ from the replay",
                    rec.height
                )));
            }
            if let Some(snap) = &latest_snapshot
                && snap.height == rec.height
            {
                if snap.state_root != engine.state_root().0 {
                    return Err(corrupt(format!(
                        "snapshot at {} has a wrong state root",
                        rec.height
                    )));
                }
                snapshots_checked += 1;
            }
            parent = sealed.hash;
            blocks += 1;
            next = rec.height + 1;
            progress(rec.height, head_height);
        }
    }
    let _ = snapshot_heights;
    Ok(VerifyReport {
        blocks,
        txs,
        head_height: next - 1,
        state_root: engine.state_root(),
        snapshots_checked,
    })
}

/// Rebuilds every projection (receipts, events) from the log.
pub fn reindex(
    store: &dyn Store,
    genesis: &Genesis,
    mut progress: impl FnMut(u64, u64),
) -> Result<u64, NodeError> {
    let (mut engine, genesis_block) = genesis_block(genesis)?;
    let head_height = store.head()?.map(|(h, _)| h).unwrap_or(0);
    store.clear_projections()?;
    let mut parent = genesis_block.hash;
    let mut next = 1;
    let mut count = 0u64;
    loop {
        let batch = store.blocks_from(next, BLOCKS_FROM_MAX)?;
        if batch.is_empty() {
            break;
        }
        let (mut all_txs, mut all_events) = (Vec::new(), Vec::new());
        for rec in batch {
            let header = decode_header(&rec)?;
            let body = block::decode_body(&rec.body)
                .map_err(|e| corrupt(format!("block {}: {e}", rec.height)))?;
            let sealed = block::replay_block(&mut engine, parent, &header, body, false)
                .map_err(|e| corrupt(e.to_string()))?;
            let (t, e) = crate::projections(rec.height, &sealed.receipts);
            all_txs.extend(t);
            all_events.extend(e);
            parent = sealed.hash;
            next = rec.height + 1;
            count += 1;
            progress(rec.height, head_height);
        }
        store.write_projections(&all_txs, &all_events)?;
    }
    // Snapshots were cleared with the projections: write a fresh one at the head.
    store.put_snapshot(&hoard_store::SnapshotRecord {
        height: next - 1,
        state_root: engine.state_root().0,
        bytes: engine.state().encode_snapshot(),
    })?;
    Ok(count)
}
