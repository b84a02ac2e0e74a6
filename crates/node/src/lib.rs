//! The Hoard node: recovery, the sequencer, durable group commit, and the committed view that
//! the API reads.
//!
//! Design: one sequencer thread owns the working [`Engine`]. Submissions (already
//! signature-checked) arrive on a bounded channel; the sequencer executes each command at once
//! against the block being built (so nonce and deadline checks see every earlier command),
//! closes the block after [`BLOCK_INTERVAL`] or [`BLOCK_TXS_MAX`] commands, seals it, and commits
//! it to the [`Store`] in one transaction (group commit). Only then are the submitters answered
//! and the block's change set applied to the committed replica behind an `RwLock`, which is all
//! the API ever reads: nothing uncommitted is ever visible or acknowledged. A failed commit stops
//! the sequencer (fail-stop): the working engine is ahead of the disk, and a restart recovers from
//! the log.
//!
//! Recovery ([`Node::open`]): load the newest snapshot (checking its root against its block's
//! header), replay the blocks after it (checking every root), and continue. A kill -9 at any
//! point loses nothing acknowledged, because acknowledgement follows the durable commit, and
//! leaves nothing half-applied, because a block and its projections commit atomically.

pub mod devnet;
mod guarded;
mod metrics;
mod recovery;
mod sequencer;

use std::{
    sync::{Arc, RwLock, RwLockReadGuard, atomic::AtomicBool, mpsc},
    thread::JoinHandle,
    time::Duration,
};

use alloy_primitives::B256;
use alloy_sol_types::Eip712Domain;
use hoard_core::{
    Engine, Receipt,
    block::{Header, SealedBlock},
    command::Tx,
    facets::Addresses,
    genesis::{Genesis, GenesisError},
    rejection::TxInvalid,
};
use hoard_store::{Store, StoreError};

pub use guarded::GuardedStore;
pub use metrics::Metrics;
pub use recovery::{Problem, VerifyReport, rebuild, reindex, verify};

/// Longest a block stays open.
pub const BLOCK_INTERVAL: Duration = Duration::from_millis(250);
/// Most commands per block (and per submission).
pub const BLOCK_TXS_MAX: usize = hoard_core::block::BLOCK_TXS_MAX;
/// Submissions waiting for the sequencer.
pub const SUBMIT_QUEUE_MAX: usize = 4_096;
/// Committed blocks buffered in the broadcast channel. Its consumers (the API's stream hub) read
/// it at once and keep their own buffer bounded in bytes, so a short channel suffices.
pub const SUBSCRIBERS_BUFFER_MAX: usize = 64;
/// A snapshot is written after this many transactions since the last one...
pub const SNAPSHOT_EVERY_TXS: u64 = 100_000;
/// ...or this many blocks.
pub const SNAPSHOT_EVERY_BLOCKS: u64 = 2_000;

/// Node failures (infrastructure, never protocol rules).
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// Storage failed.
    #[error("storage: {0}")]
    Store(#[from] StoreError),
    /// The genesis is invalid.
    #[error("genesis: {0}")]
    Genesis(#[from] GenesisError),
    /// The database holds another chain.
    #[error(
        "the database belongs to another chain (genesis {stored}), not this genesis ({expected})"
    )]
    WrongChain {
        /// Genesis hash in the database.
        stored: B256,
        /// Genesis hash of the configuration.
        expected: B256,
    },
    /// The log does not replay to its own roots.
    #[error("the log is corrupt: {0}")]
    Corrupt(String),
    /// The sequencer has stopped (shutdown or a failed commit).
    #[error("the sequencer is not running")]
    Stopped,
    /// Too many submissions queued.
    #[error("the node is overloaded; retry later")]
    Overloaded,
    /// Batch too large.
    #[error("a submission holds at most {BLOCK_TXS_MAX} commands")]
    TooLarge,
    /// Another node (or `hoard reindex`) holds this database's writer lock.
    #[error(
        "another node or `hoard reindex` is writing this {backend} database (it holds the \
         sequencer lock); stop it first, or give this node its own database"
    )]
    Locked {
        /// The store's backend.
        backend: &'static str,
    },
    /// The database holds fewer blocks than were acknowledged: the storage lost data.
    #[error(
        "the database lost acknowledged blocks: block {acknowledged} was durably committed and \
         acknowledged to clients, but {what}. The disk or file system lost data (a damaged \
         write-ahead log, a restored old copy, ...). Restore the database from a backup; or, to \
         accept the loss and continue from block {present}, start once with \
         --accept-lost-blocks (the commands acknowledged after block {present} are gone)"
    )]
    LostBlocks {
        /// The newest acknowledged block.
        acknowledged: u64,
        /// The log's head now.
        present: u64,
        /// What is wrong.
        what: String,
    },
}

impl NodeError {
    /// Stable code for API errors.
    pub fn code(&self) -> &'static str {
        match self {
            NodeError::Store(_) => "node.storage",
            NodeError::Genesis(_) => "node.genesis",
            NodeError::WrongChain { .. } => "node.wrong_chain",
            NodeError::Corrupt(_) => "node.corrupt",
            NodeError::Stopped => "node.stopped",
            NodeError::Overloaded => "node.overloaded",
            NodeError::TooLarge => "node.batch_too_large",
            NodeError::Locked { .. } => "node.locked",
            NodeError::LostBlocks { .. } => "node.lost_blocks",
        }
    }
}

/// The newest committed block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Head {
    /// Height.
    pub height: u64,
    /// Header hash.
    pub hash: B256,
    /// Block time.
    pub time_s: u64,
    /// State root after it.
    pub state_root: B256,
}

/// The committed state: what the API reads.
#[derive(Debug)]
pub struct Committed {
    /// A replica of the engine at `head`.
    pub engine: Engine,
    /// The newest committed block.
    pub head: Head,
}

/// A committed block as broadcast to subscribers.
#[derive(Debug)]
pub struct CommittedBlock {
    /// Header.
    pub header: Header,
    /// Hash.
    pub hash: B256,
    /// Transactions.
    pub txs: Vec<Tx>,
    /// Receipts.
    pub receipts: Vec<Receipt>,
}

/// What happened to one submitted command.
#[derive(Clone, Debug)]
pub enum TxOutcome {
    /// Included in a committed block (its receipt says whether it applied).
    Included {
        /// Receipt.
        receipt: Receipt,
        /// Block height.
        height: u64,
        /// Index in block.
        index: u32,
    },
    /// Refused before inclusion (nonce, deadline): nothing changed.
    Invalid(TxInvalid),
    /// The node failed before committing it: it was not applied.
    Failed(String),
}

/// Clock: unix seconds. Injected so tests control time.
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
    })
}

/// Node settings.
#[derive(Clone)]
pub struct NodeConfig {
    /// Source of block times.
    pub clock: Clock,
    /// How long a block stays open.
    pub block_interval: Duration,
    /// Accept a detected loss of acknowledged blocks and continue from the log's head (the
    /// operator's explicit decision; logged).
    pub accept_lost_blocks: bool,
    /// Check the database's structure in the background after start (SQLite `quick_check`);
    /// damage turns `/healthz` red.
    pub integrity_check: bool,
}

impl Default for NodeConfig {
    fn default() -> Self {
        NodeConfig {
            clock: system_clock(),
            block_interval: BLOCK_INTERVAL,
            accept_lost_blocks: false,
            integrity_check: true,
        }
    }
}

/// What `/healthz` reports.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Health {
    /// Whether the sequencer accepts commands.
    pub sequencer_running: bool,
    /// Why the sequencer stopped, when it stopped for a failure.
    pub stop_reason: Option<String>,
    /// The first damage of the database seen by any read, write or check.
    pub damage: Option<String>,
    /// Whether the start-up integrity check has finished (and found nothing).
    pub integrity_checked: bool,
}

impl Health {
    /// Healthy: the sequencer runs and no damage was seen.
    pub fn ok(&self) -> bool {
        self.sequencer_running && self.damage.is_none()
    }
}

pub(crate) struct Submission {
    txs: Vec<Tx>,
    reply: tokio::sync::oneshot::Sender<Vec<TxOutcome>>,
}

struct Shared {
    committed: RwLock<Committed>,
    /// The replica dry runs execute on (made from `committed` on the first dry run, then kept
    /// at the head by the sequencer), so a dry run never holds the lock readers take.
    scratch: std::sync::Mutex<Option<Committed>>,
    store: Arc<dyn Store>,
    guard: Arc<GuardedStore>,
    stop_reason: std::sync::Mutex<Option<String>>,
    integrity_checked: AtomicBool,
    blocks: tokio::sync::broadcast::Sender<Arc<CommittedBlock>>,
    metrics: Metrics,
    running: AtomicBool,
    stop: AtomicBool,
    genesis_hash: B256,
    /// Fixed for the life of the chain, so readers need no lock for them.
    chain_id: u64,
    addresses: Addresses,
    domain: Eip712Domain,
}

/// A cheap, clonable handle for the API.
#[derive(Clone)]
pub struct NodeHandle {
    shared: Arc<Shared>,
    submit: mpsc::SyncSender<Submission>,
}

/// A running node.
pub struct Node {
    handle: NodeHandle,
    thread: Option<JoinHandle<()>>,
}

impl Node {
    /// Opens (or initialises) the chain in `store` and starts the sequencer.
    pub fn open(
        store: Box<dyn Store>,
        genesis: &Genesis,
        config: NodeConfig,
    ) -> Result<Node, NodeError> {
        let guard = Arc::new(GuardedStore::new(store));
        if !guard.try_lock_sequencer()? {
            return Err(NodeError::Locked { backend: guard.backend_name() });
        }
        let store: Arc<dyn Store> = guard.clone();
        let recovered = recovery::open_chain(store.as_ref(), genesis, config.accept_lost_blocks)?;
        let committed = Committed { engine: recovered.engine.clone(), head: recovered.head };
        let (chain_id, addresses, domain) = (
            recovered.engine.chain_id(),
            recovered.engine.addresses().clone(),
            recovered.engine.domain().clone(),
        );
        let (blocks, _) = tokio::sync::broadcast::channel(SUBSCRIBERS_BUFFER_MAX);
        let shared = Arc::new(Shared {
            committed: RwLock::new(committed),
            scratch: std::sync::Mutex::new(None),
            store,
            guard,
            stop_reason: std::sync::Mutex::new(None),
            integrity_checked: AtomicBool::new(false),
            blocks,
            metrics: Metrics::default(),
            running: AtomicBool::new(true),
            stop: AtomicBool::new(false),
            genesis_hash: recovered.genesis_hash,
            chain_id,
            addresses,
            domain,
        });
        shared.metrics.set_head(recovered.head.height);
        if config.integrity_check {
            let shared = Arc::clone(&shared);
            // Reads every page: in the background, so a large database starts at once.
            let spawned =
                std::thread::Builder::new().name("hoard-integrity".into()).spawn(move || {
                    match shared.guard.integrity_check() {
                        Ok(problems) if problems.is_empty() => {
                            shared
                                .integrity_checked
                                .store(true, std::sync::atomic::Ordering::SeqCst);
                            tracing::info!("database integrity check: ok");
                        }
                        Ok(problems) => shared
                            .guard
                            .report_damage(format!("integrity check: {}", problems.join("; "))),
                        Err(e) => tracing::warn!(
                            error = %e,
                            cause = e.cause().unwrap_or_default(),
                            "the database integrity check could not run"
                        ),
                    }
                });
            if let Err(e) = spawned {
                tracing::warn!(error = %e, "cannot start the integrity check");
            }
        }
        let (tx, rx) = mpsc::sync_channel(SUBMIT_QUEUE_MAX);
        let seq = sequencer::Sequencer::new(Arc::clone(&shared), recovered, rx, config);
        let thread = std::thread::Builder::new()
            .name("hoard-sequencer".into())
            .spawn(move || seq.run())
            .map_err(|e| NodeError::Corrupt(format!("cannot start the sequencer thread: {e}")))?;
        Ok(Node { handle: NodeHandle { shared, submit: tx }, thread: Some(thread) })
    }

    /// A handle for the API.
    pub fn handle(&self) -> NodeHandle {
        self.handle.clone()
    }

    /// Stops the sequencer after the current block and writes a snapshot.
    pub fn shutdown(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        self.handle.shared.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

impl NodeHandle {
    /// Queues verified commands; the receiver yields their outcomes once their block is durably
    /// committed (or at once for commands refused before inclusion).
    pub fn submit(
        &self,
        txs: Vec<Tx>,
    ) -> Result<tokio::sync::oneshot::Receiver<Vec<TxOutcome>>, NodeError> {
        if txs.len() > BLOCK_TXS_MAX {
            return Err(NodeError::TooLarge);
        }
        if !self.is_running() {
            return Err(NodeError::Stopped);
        }
        let (reply, rx) = tokio::sync::oneshot::channel();
        match self.submit.try_send(Submission { txs, reply }) {
            Ok(()) => Ok(rx),
            Err(mpsc::TrySendError::Full(_)) => Err(NodeError::Overloaded),
            Err(mpsc::TrySendError::Disconnected(_)) => Err(NodeError::Stopped),
        }
    }

    /// The committed state.
    pub fn committed(&self) -> RwLockReadGuard<'_, Committed> {
        self.shared.committed.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Dry-runs a verified command against the committed state at block time `time_s` (at least
    /// the head's time): the receipt it would get, with nothing kept. It runs on a replica of its
    /// own (copied from the committed one on the first dry run, then kept at the head), so it
    /// never blocks readers of the committed state; dry runs take turns on that replica.
    pub fn dry_run(&self, tx: &Tx, time_s: u64) -> Result<Receipt, TxInvalid> {
        let mut scratch = self.shared.scratch.lock().unwrap_or_else(|p| p.into_inner());
        let c = scratch.get_or_insert_with(|| {
            let c = self.committed();
            Committed { engine: c.engine.clone(), head: c.head }
        });
        let env = hoard_core::Env {
            chain_id: c.engine.chain_id(),
            height: c.head.height + 1,
            time_s: time_s.max(c.head.time_s),
        };
        c.engine.simulate(&env, tx)
    }

    /// Whether dry runs have their own replica yet (tests).
    #[doc(hidden)]
    pub fn has_dry_run_replica(&self) -> bool {
        self.shared.scratch.lock().unwrap_or_else(|p| p.into_inner()).is_some()
    }

    /// The store (for blocks, receipts and events).
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.shared.store
    }

    /// New committed blocks.
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<Arc<CommittedBlock>> {
        self.shared.blocks.subscribe()
    }

    /// Counters for `/metrics`.
    pub fn metrics(&self) -> &Metrics {
        &self.shared.metrics
    }

    /// Whether the sequencer runs.
    pub fn is_running(&self) -> bool {
        self.shared.running.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// What `/healthz` reports: the sequencer, why it stopped, and any damage of the database.
    pub fn health(&self) -> Health {
        Health {
            sequencer_running: self.is_running(),
            stop_reason: self.shared.stop_reason.lock().unwrap_or_else(|p| p.into_inner()).clone(),
            damage: self.shared.guard.damage(),
            integrity_checked: self
                .shared
                .integrity_checked
                .load(std::sync::atomic::Ordering::SeqCst),
        }
    }

    /// The chain id (fixed; no lock taken).
    pub fn chain_id(&self) -> u64 {
        self.shared.chain_id
    }

    /// The chain's well-known addresses (fixed; no lock taken).
    pub fn addresses(&self) -> &Addresses {
        &self.shared.addresses
    }

    /// The EIP-712 domain commands are signed for (fixed; no lock taken).
    pub fn domain(&self) -> &Eip712Domain {
        &self.shared.domain
    }

    /// The chain's genesis hash.
    pub fn genesis_hash(&self) -> B256 {
        self.shared.genesis_hash
    }
}

/// Converts a sealed block to what the store commits: the log entry and its projections.
pub fn block_write(sealed: &SealedBlock) -> hoard_store::BlockWrite {
    let (txs, events) = projections(sealed.header.height, &sealed.receipts);
    hoard_store::BlockWrite {
        block: hoard_store::BlockRecord {
            height: sealed.header.height,
            hash: sealed.hash.0,
            parent_hash: sealed.header.parent_hash.0,
            timestamp: sealed.header.time_s,
            tx_count: sealed.header.tx_count,
            header: sealed.header.encode(),
            body: hoard_core::block::encode_body(&sealed.txs),
        },
        txs,
        events,
    }
}

/// Projection rows of a block's receipts.
pub fn projections(
    height: u64,
    receipts: &[Receipt],
) -> (Vec<hoard_store::TxRecord>, Vec<hoard_store::EventRecord>) {
    let mut txs = Vec::with_capacity(receipts.len());
    let mut events = Vec::new();
    let mut log_index = 0u32;
    for (i, r) in receipts.iter().enumerate() {
        let mut buf = Vec::with_capacity(256);
        r.encode(&mut buf);
        txs.push(hoard_store::TxRecord {
            hash: r.tx_hash.0,
            height,
            index: i as u32,
            sender: r.sender.0.0,
            success: r.success(),
            code: r.code().map(str::to_string),
            receipt: buf,
        });
        for l in &r.logs {
            events.push(hoard_store::EventRecord {
                height,
                tx_index: i as u32,
                log_index,
                tx_hash: r.tx_hash.0,
                address: l.address.0.0,
                topics: l.topics.iter().map(|t| t.0).collect(),
                data: l.data.clone(),
            });
            log_index += 1;
        }
    }
    (txs, events)
}
