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

pub(crate) fn open_chain(
    store: &dyn Store,
    genesis: &Genesis,
    accept_lost_blocks: bool,
) -> Result<Recovered, NodeError> {
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
    check_acknowledged_head(store, accept_lost_blocks)?;
    // Start from the newest snapshot that matches its block, else from genesis. A snapshot that
    // does not match is set aside (kept for inspection), never a reason to refuse to start.
    let (mut engine, mut head) = (genesis_engine, head_of(&genesis_block.header, genesis_hash));
    for height in store.snapshot_heights()? {
        match load_snapshot(store, genesis, height)? {
            Ok((loaded, header)) => {
                engine = loaded;
                head = head_of(&header, header.hash());
                break;
            }
            Err(reason) => {
                tracing::warn!(
                    height,
                    %reason,
                    "snapshot set aside; recovering from an older snapshot or from genesis"
                );
                store.set_aside_snapshot(height, &reason)?;
            }
        }
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

/// Compares the log's head with the store's acknowledged-head record: a log that ends before
/// the record, or holds another block at its height, lost acknowledged blocks.
fn check_acknowledged_head(store: &dyn Store, accept_lost_blocks: bool) -> Result<(), NodeError> {
    let present = store.head()?.map_or(0, |(h, _)| h);
    let Some((acknowledged, hash)) = store.acknowledged_head()? else {
        // A database from before the record existed: start keeping it.
        return Ok(store.reset_acknowledged_head()?);
    };
    let what = if acknowledged > present {
        Some(format!("the log now ends at block {present}"))
    } else {
        match store.block(acknowledged)? {
            Some(b) if b.hash == hash => None,
            _ => Some(format!("the log holds another block at height {acknowledged}")),
        }
    };
    let Some(what) = what else { return Ok(()) };
    if !accept_lost_blocks {
        return Err(NodeError::LostBlocks { acknowledged, present, what });
    }
    tracing::error!(
        acknowledged,
        present,
        %what,
        "continuing after a loss of acknowledged blocks, as --accept-lost-blocks asks"
    );
    Ok(store.reset_acknowledged_head()?)
}

/// The engine of the snapshot at `height`, or why it cannot be used (`Ok(Err(reason))`).
fn load_snapshot(
    store: &dyn Store,
    genesis: &Genesis,
    height: u64,
) -> Result<Result<(Engine, Header), String>, NodeError> {
    let Some(snap) = store.snapshot(height)? else {
        return Ok(Err("it vanished while recovering".into()));
    };
    let Some(rec) = store.block(height)? else {
        return Ok(Err(format!("block {height} is not in the log")));
    };
    let header = decode_header(&rec)?;
    let state = match State::decode_snapshot(&snap.bytes) {
        Ok(state) => state,
        Err(e) => return Ok(Err(format!("it does not decode: {e}"))),
    };
    let loaded = Engine::new(genesis.chain_id, genesis.diamond, state);
    if loaded.state_root() != header.state_root || loaded.state_root().0 != snap.state_root {
        return Ok(Err(format!("it does not match the state root of block {height}")));
    }
    Ok(Ok((loaded, header)))
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

/// Most problems one `hoard verify` lists.
pub const VERIFY_PROBLEMS_MAX: usize = 100;

/// One thing `hoard verify` found wrong.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// The block it concerns, when it concerns one.
    pub height: Option<u64>,
    /// What is wrong, in words.
    pub what: String,
}

/// What `hoard verify` found.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct VerifyReport {
    /// Whether nothing is wrong.
    pub ok: bool,
    /// Blocks replayed (including genesis).
    pub blocks: u64,
    /// Transactions replayed.
    pub txs: u64,
    /// Final head replayed.
    pub head_height: u64,
    /// Final state root.
    pub state_root: B256,
    /// Snapshots checked against the replayed roots.
    pub snapshots_checked: u64,
    /// The first block found wrong (unreadable, not replaying to its roots, or with wrong or
    /// unreadable receipts and events).
    pub first_bad_block: Option<u64>,
    /// Everything found wrong, in the order found (at most [`VERIFY_PROBLEMS_MAX`]).
    pub problems: Vec<Problem>,
}

struct Findings(Vec<Problem>);

impl Findings {
    fn add(&mut self, height: Option<u64>, what: String) {
        if self.0.len() < VERIFY_PROBLEMS_MAX {
            self.0.push(Problem { height, what });
        }
    }
}

/// Replays the whole log from genesis, re-verifying every signature and every root, and checks
/// the database's structure, the acknowledged-head record, the stored snapshots and the
/// projections (receipts and events of every block) against the replay. Problems are reported,
/// not raised: the report names the first bad block and what is wrong with it. A replay stops at
/// the first block that cannot be read or does not reproduce its roots.
pub fn verify(
    store: &dyn Store,
    genesis: &Genesis,
    mut progress: impl FnMut(u64, u64),
) -> Result<VerifyReport, NodeError> {
    let (mut engine, genesis_block) = genesis_block(genesis)?;
    let mut found = Findings(Vec::new());
    for p in store.integrity_check()? {
        found.add(None, format!("database structure: {p}"));
    }
    match store.block(0) {
        Ok(Some(stored)) if stored.hash != genesis_block.hash.0 => {
            return Err(NodeError::WrongChain {
                stored: B256::from(stored.hash),
                expected: genesis_block.hash,
            });
        }
        Ok(Some(_)) => {}
        Ok(None) => found.add(Some(0), "the genesis block is missing".into()),
        Err(e) => found.add(Some(0), format!("the genesis block cannot be read: {e}")),
    }
    let head_height = store.head()?.map(|(h, _)| h).unwrap_or(0);
    if let Some((acknowledged, hash)) = store.acknowledged_head()? {
        if acknowledged > head_height {
            found.add(
                Some(head_height + 1),
                format!(
                    "blocks {} to {acknowledged} were acknowledged but are missing from the \
                     log (the storage lost them)",
                    head_height + 1
                ),
            );
        } else if store.block(acknowledged).ok().flatten().is_some_and(|b| b.hash != hash) {
            found.add(
                Some(acknowledged),
                "the block at this height is not the one acknowledged".into(),
            );
        }
    }
    let snapshots: std::collections::BTreeMap<u64, B256> = store
        .snapshot_heights()?
        .into_iter()
        .filter_map(|h| store.snapshot(h).ok().flatten().map(|s| (h, B256::from(s.state_root))))
        .collect();
    let (mut blocks, mut txs, mut snapshots_checked, mut last) = (1u64, 0u64, 0u64, 0u64);
    let mut parent = genesis_block.hash;
    let mut next = 1u64;
    'replay: loop {
        let batch = match store.blocks_from(next, BLOCKS_FROM_MAX) {
            Ok(batch) => batch,
            Err(e) => {
                // Find the first block that cannot be read, one by one.
                let mut h = next;
                let what = loop {
                    match store.block(h) {
                        Ok(Some(_)) if h < head_height => h += 1,
                        Ok(_) => break format!("blocks after it cannot be read: {e}"),
                        Err(e) => break format!("the block cannot be read from the log: {e}"),
                    }
                };
                found.add(Some(h), what);
                break;
            }
        };
        if batch.is_empty() {
            break;
        }
        for rec in batch {
            if rec.height != next {
                found.add(
                    Some(next),
                    format!("missing from the log (next stored block is {})", rec.height),
                );
                break 'replay;
            }
            let replayed = decode_header(&rec).and_then(|header| {
                let body = block::decode_body(&rec.body)
                    .map_err(|e| corrupt(format!("block {}: {e}", rec.height)))?;
                block::replay_block(&mut engine, parent, &header, body, true)
                    .map_err(|e| corrupt(e.to_string()))
            });
            let sealed = match replayed {
                Ok(sealed) => sealed,
                Err(e) => {
                    found.add(Some(rec.height), e.to_string());
                    break 'replay;
                }
            };
            check_projections(store, &rec, &sealed, &mut found);
            if let Some(root) = snapshots.get(&rec.height) {
                if *root != sealed.header.state_root {
                    found.add(
                        Some(rec.height),
                        "the snapshot at this block has a wrong state root".into(),
                    );
                }
                snapshots_checked += 1;
            }
            txs += sealed.txs.len() as u64;
            blocks += 1;
            last = rec.height;
            parent = sealed.hash;
            next = rec.height + 1;
            progress(rec.height, head_height);
        }
    }
    let first_bad_block = found.0.iter().filter_map(|p| p.height).min();
    Ok(VerifyReport {
        ok: found.0.is_empty(),
        blocks,
        txs,
        head_height: last,
        state_root: engine.state_root(),
        snapshots_checked,
        first_bad_block,
        problems: found.0,
    })
}

/// Compares a block's stored receipts and events with its replay.
fn check_projections(
    store: &dyn Store,
    rec: &hoard_store::BlockRecord,
    sealed: &block::SealedBlock,
    found: &mut Findings,
) {
    let height = rec.height;
    let (expected_txs, expected_events) = crate::projections(height, &sealed.receipts);
    match store.txs_in_block(height) {
        Ok(stored) if stored == expected_txs => {}
        Ok(_) => found.add(
            Some(height),
            "its stored transactions and receipts differ from the replay (`hoard reindex` \
             rebuilds them)"
                .into(),
        ),
        Err(e) => found.add(
            Some(height),
            format!(
                "its transactions and receipts cannot be read: {e} (`hoard reindex` rebuilds them)"
            ),
        ),
    }
    let filter = hoard_store::EventFilter {
        from_height: Some(height),
        to_height: Some(height),
        ..Default::default()
    };
    let mut stored_events = Vec::with_capacity(expected_events.len());
    let mut cursor = None;
    loop {
        match store.events(&filter, cursor, false, hoard_store::EVENTS_PAGE_MAX) {
            Ok((page, next)) => {
                stored_events.extend(page);
                match next {
                    Some(c) => cursor = Some(c),
                    None => break,
                }
            }
            Err(e) => {
                found.add(
                    Some(height),
                    format!("its events cannot be read: {e} (`hoard reindex` rebuilds them)"),
                );
                return;
            }
        }
    }
    if stored_events != expected_events {
        found.add(
            Some(height),
            "its stored events differ from the replay (`hoard reindex` rebuilds them)".into(),
        );
    }
}

/// Rebuilds every projection (receipts, events) from the log, in place: for backends whose
/// tables can be cleared (PostgreSQL). Takes the sequencer lock first, so it refuses while a node
/// writes the database.
pub fn reindex(
    store: &dyn Store,
    genesis: &Genesis,
    mut progress: impl FnMut(u64, u64),
) -> Result<u64, NodeError> {
    if !store.try_lock_sequencer()? {
        return Err(NodeError::Locked { backend: store.backend_name() });
    }
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

/// Rebuilds a whole database from the readable log of `from` into the empty store `into`: every
/// block replayed (every root checked) and appended with freshly computed projections, the
/// chain's meta, and a snapshot at the head. What `hoard reindex` does for SQLite, where damaged
/// projection pages cannot even be cleared in place. Returns the number of blocks.
pub fn rebuild(
    from: &dyn Store,
    into: &dyn Store,
    genesis: &Genesis,
    mut progress: impl FnMut(u64, u64),
) -> Result<u64, NodeError> {
    if into.head()?.is_some() {
        return Err(corrupt("the database to rebuild into is not empty"));
    }
    let (mut engine, genesis_block) = genesis_block(genesis)?;
    match from.block(0)? {
        Some(b) if b.hash == genesis_block.hash.0 => {}
        Some(b) => {
            return Err(NodeError::WrongChain {
                stored: B256::from(b.hash),
                expected: genesis_block.hash,
            });
        }
        None => return Err(corrupt("no genesis block")),
    }
    into.append_blocks(&[crate::block_write(&genesis_block)])?;
    let head_height = from.head()?.map(|(h, _)| h).unwrap_or(0);
    let (mut count, mut rows) = (0u64, 0usize);
    let mut pending: Vec<hoard_store::BlockWrite> = Vec::new();
    let flush = |pending: &mut Vec<hoard_store::BlockWrite>| -> Result<(), NodeError> {
        into.append_blocks(pending)?;
        pending.clear();
        Ok(())
    };
    replay_stored(from, &mut engine, genesis_block.hash, 1, false, |rec, sealed| {
        let (txs, events) = crate::projections(rec.height, &sealed.receipts);
        rows += txs.len() + events.len();
        pending.push(hoard_store::BlockWrite { block: rec.clone(), txs, events });
        if rows >= REINDEX_ROWS_PER_WRITE || pending.len() >= hoard_store::APPEND_BLOCKS_MAX {
            flush(&mut pending)?;
            rows = 0;
        }
        count += 1;
        progress(rec.height, head_height);
        Ok(())
    })?;
    flush(&mut pending)?;
    for key in [META_CHAIN_ID, META_GENESIS] {
        if let Some(v) = from.meta(key)? {
            into.set_meta(key, &v)?;
        }
    }
    let head = into.head()?.map_or(0, |(h, _)| h);
    into.put_snapshot(&hoard_store::SnapshotRecord {
        height: head,
        state_root: engine.state_root().0,
        bytes: engine.state().encode_snapshot(),
    })?;
    Ok(count)
}
