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
/// Projection rows buffered by `reindex` before each write.
const REINDEX_ROWS_PER_WRITE: usize = 100_000;
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
    replay_stored(store, &mut engine, head.hash, head.height + 1, false, |_, sealed| {
        txs_since += sealed.txs.len() as u64;
        blocks_since += 1;
        head = head_of(&sealed.header, sealed.hash);
        Ok(())
    })?;
    Ok(Recovered {
        engine,
        head,
        genesis_hash,
        txs_since_snapshot: txs_since,
        blocks_since_snapshot: blocks_since,
    })
}

/// Replays every stored block after `parent` (at height `from - 1`) on `engine`, checking each
/// block's hash, parent link and roots, and hands each record and its re-executed block to
/// `each`. Returns the last replayed block's hash (or `parent` when there was none).
fn replay_stored(
    store: &dyn Store,
    engine: &mut Engine,
    mut parent: B256,
    from: u64,
    verify_signatures: bool,
    mut each: impl FnMut(&hoard_store::BlockRecord, &block::SealedBlock) -> Result<(), NodeError>,
) -> Result<B256, NodeError> {
    let mut next = from;
    loop {
        let batch = store.blocks_from(next, BLOCKS_FROM_MAX)?;
        if batch.is_empty() {
            return Ok(parent);
        }
        for rec in batch {
            let header = decode_header(&rec)?;
            let txs = block::decode_body(&rec.body)
                .map_err(|e| corrupt(format!("block {}: {e}", rec.height)))?;
            let sealed = block::replay_block(engine, parent, &header, txs, verify_signatures)
                .map_err(|e| corrupt(e.to_string()))?;
            each(&rec, &sealed)?;
            parent = sealed.hash;
            next = rec.height + 1;
        }
    }
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
    let latest_snapshot = store.latest_snapshot()?;
    let (mut blocks, mut txs, mut snapshots_checked, mut last) = (1u64, 0u64, 0u64, 0u64);
    replay_stored(store, &mut engine, genesis_block.hash, 1, true, |rec, sealed| {
        // Projections agree with the replay.
        let (expected_txs, _) = crate::projections(rec.height, &sealed.receipts);
        if store.txs_in_block(rec.height)? != expected_txs {
            return Err(corrupt(format!(
                "block {}: stored receipts differ from the replay",
                rec.height
            )));
        }
        if let Some(snap) = &latest_snapshot
            && snap.height == rec.height
        {
            if snap.state_root != sealed.header.state_root.0 {
                return Err(corrupt(format!("snapshot at {} has a wrong state root", rec.height)));
            }
            snapshots_checked += 1;
        }
        txs += sealed.txs.len() as u64;
        blocks += 1;
        last = rec.height;
        progress(rec.height, head_height);
        Ok(())
    })?;
    Ok(VerifyReport {
        blocks,
        txs,
        head_height: last,
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
    let (mut count, mut last) = (0u64, 0u64);
    let (mut txs, mut events) = (Vec::new(), Vec::new());
    replay_stored(store, &mut engine, genesis_block.hash, 1, false, |rec, sealed| {
        let (t, e) = crate::projections(rec.height, &sealed.receipts);
        txs.extend(t);
        events.extend(e);
        if txs.len() + events.len() >= REINDEX_ROWS_PER_WRITE {
            store.write_projections(&txs, &events)?;
            txs.clear();
            events.clear();
        }
        count += 1;
        last = rec.height;
        progress(rec.height, head_height);
        Ok(())
    })?;
    store.write_projections(&txs, &events)?;
    // Snapshots were cleared with the projections: write a fresh one at the head.
    store.put_snapshot(&hoard_store::SnapshotRecord {
        height: last,
        state_root: engine.state_root().0,
        bytes: engine.state().encode_snapshot(),
    })?;
    Ok(count)
}
