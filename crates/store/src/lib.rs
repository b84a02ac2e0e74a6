//! hoard-store: the block log and its query projections, behind one storage trait.
//!
//! # Purpose
//!
//! The node's sequencer appends blocks here and the API reads them back. Two backends implement
//! the same [`Store`] trait: SQLite (the embedded default, one file) and PostgreSQL (for
//! deployments that outgrow one machine). [`open`] picks one from a URL or a path.
//!
//! # Design
//!
//! - **The log is the source of truth.** The `blocks` table holds every block's header and body
//!   as opaque bytes chosen by the node; this crate knows nothing of the engine. Transactions
//!   (with their receipts), events and snapshots are *projections*: query tables that
//!   [`Store::clear_projections`] drops and [`Store::write_projections`] rebuilds (`hoard reindex`).
//! - **Group commit.** [`Store::append_blocks`] writes any number of blocks (up to
//!   [`APPEND_BLOCKS_MAX`]) with their projections in one transaction and returns only once it is
//!   durable (SQLite: WAL with `synchronous=FULL`; PostgreSQL: a committed transaction).
//! - **Synchronous and shareable.** The trait is blocking and `Send + Sync`: one sequencer thread
//!   writes, API handlers read concurrently from `spawn_blocking`. SQLite has one writer
//!   connection behind a mutex and a small reader pool, so readers never wait for the writer;
//!   PostgreSQL has a writer client and a small reader pool.
//! - **A limit on everything.** Pages and batches are bounded by the `*_MAX` constants below.
//!   Read limits are clamped silently to `1..=MAX`; writes over a limit are refused with
//!   [`StoreError::Invalid`].
//! - **Versioned schema.** Both backends migrate stepwise through numbered migrations recorded in
//!   a `schema_version` table, each migration in its own transaction; a database newer than this
//!   build is refused ([`StoreError::SchemaTooNew`]).
//!
//! # Invariants
//!
//! - Heights in the log are contiguous and each block's `parent_hash` is its predecessor's hash;
//!   an append that would break this is refused with [`StoreError::Conflict`] and writes nothing.
//! - An append is atomic: a reader sees a block together with all of its transactions and events,
//!   or none of them.
//! - Every projection row belongs to a block of the log (its height is at most the head).
//! - `(height, index)` identifies a transaction and `(height, log_index)` an event; both are unique.
//!
//! See `docs/STORAGE.md` for the schema, the durability model and the decisions.

use std::collections::HashSet;

mod error;
mod pool;
pub mod postgres;
mod sql;
pub mod sqlite;
mod witness;

#[cfg(feature = "conformance")]
pub mod conformance;

pub use error::{Result, StoreError};
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;
pub use witness::witness_path;

/// A 32-byte hash (block hash, transaction hash, topic, state root).
pub type Hash32 = [u8; 32];
/// A 20-byte account or contract address.
pub type Addr20 = [u8; 20];

/// Most blocks that one [`Store::append_blocks`] call may carry (more is refused).
pub const APPEND_BLOCKS_MAX: usize = 1_024;
/// Most rows (transactions plus events) that one [`Store::write_projections`] call may carry.
pub const PROJECTION_ROWS_MAX: usize = 1_000_000;
/// Most blocks that [`Store::blocks_from`] returns per call (larger limits are clamped).
pub const BLOCKS_FROM_MAX: usize = 256;
/// Most blocks that [`Store::recent_blocks`] returns per call (larger limits are clamped).
pub const RECENT_BLOCKS_MAX: usize = 200;
/// Most transactions that [`Store::txs_by_sender`] returns per call (larger limits are clamped).
pub const TXS_PAGE_MAX: usize = 1_000;
/// Most events that [`Store::events`] returns per call (larger limits are clamped).
pub const EVENTS_PAGE_MAX: usize = 1_000;
/// Most addresses, and most topics per position, in one [`EventFilter`] (more is refused).
pub const FILTER_SET_MAX: usize = 256;
/// Most topics of one event (EVM logs have 0 to 4).
pub const TOPICS_MAX: usize = 4;
/// How many snapshots [`Store::put_snapshot`] keeps; older ones are pruned.
pub const SNAPSHOTS_KEPT: usize = 3;
/// How many set-aside snapshots (those that did not match their block) are kept for inspection.
pub const SNAPSHOTS_SET_ASIDE_KEPT: usize = 3;
/// Longest meta key, in bytes.
pub const META_KEY_LEN_MAX: usize = 128;
/// Largest height, timestamp or index that the backends can store (their integers are signed
/// 64-bit).
pub const INTEGER_MAX: u64 = i64::MAX as u64;

/// One block of the log (the source of truth). `header` and `body` are opaque encodings chosen
/// by the node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockRecord {
    pub height: u64,
    pub hash: Hash32,
    pub parent_hash: Hash32,
    /// Block time, unix seconds, as stamped by the sequencer.
    pub timestamp: u64,
    /// Number of commands in the block, as given by the node (not checked against `txs`).
    pub tx_count: u32,
    pub header: Vec<u8>,
    pub body: Vec<u8>,
}

/// Projection: one executed command (accepted or rejected) with its opaque receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxRecord {
    pub hash: Hash32,
    pub height: u64,
    /// Position of the command in its block; unique within the block.
    pub index: u32,
    pub sender: Addr20,
    pub success: bool,
    /// Rejection code when `success` is false.
    pub code: Option<String>,
    pub receipt: Vec<u8>,
}

/// Projection: one EVM-style log. `log_index` is the index within the block (unique in it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRecord {
    pub height: u64,
    pub tx_index: u32,
    pub log_index: u32,
    pub tx_hash: Hash32,
    pub address: Addr20,
    /// Zero to [`TOPICS_MAX`] topics; topic0 is the event signature's keccak for ABI events.
    pub topics: Vec<Hash32>,
    pub data: Vec<u8>,
}

/// What the sequencer commits for one block: the log entry plus its projections, atomically.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockWrite {
    pub block: BlockRecord,
    pub txs: Vec<TxRecord>,
    pub events: Vec<EventRecord>,
}

/// A state snapshot (opaque bytes) taken after the block at `height`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotRecord {
    pub height: u64,
    pub state_root: Hash32,
    pub bytes: Vec<u8>,
}

/// An `eth_getLogs`-style filter. All conditions must hold:
///
/// - `from_height..=to_height` (each bound optional, inclusive);
/// - `addresses`: the event's address is one of them (empty = any address);
/// - `topics[i]`: `None` or `Some(empty set)` matches anything; `Some(set)` requires the event to
///   have a topic at position `i` equal to one of the set (as in `eth_getLogs`);
/// - `account`: if set, the event's topic1, topic2 or topic3 equals the address left-padded to 32
///   bytes (the indexed `from`/`to`/`owner` arguments of ERC-20-style events).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    pub from_height: Option<u64>,
    pub to_height: Option<u64>,
    pub addresses: Vec<Addr20>,
    pub topics: [Option<Vec<Hash32>>; 4],
    pub account: Option<Addr20>,
}

impl EventFilter {
    /// Whether `event` passes this filter. This is the reference semantics that the backends'
    /// SQL must agree with (the conformance suite checks it).
    pub fn matches(&self, event: &EventRecord) -> bool {
        if self.from_height.is_some_and(|from| event.height < from)
            || self.to_height.is_some_and(|to| event.height > to)
        {
            return false;
        }
        if !self.addresses.is_empty() && !self.addresses.contains(&event.address) {
            return false;
        }
        for (position, wanted) in self.topics.iter().enumerate() {
            if let Some(set) = wanted
                && !set.is_empty()
                && !event.topics.get(position).is_some_and(|topic| set.contains(topic))
            {
                return false;
            }
        }
        if let Some(account) = &self.account {
            let padded = pad_address(account);
            if !event.topics.iter().skip(1).any(|topic| *topic == padded) {
                return false;
            }
        }
        true
    }

    pub(crate) fn check(&self) -> Result<()> {
        if self.addresses.len() > FILTER_SET_MAX
            || self.topics.iter().flatten().any(|set| set.len() > FILTER_SET_MAX)
        {
            return Err(StoreError::Invalid { what: "event filter has too many values" });
        }
        Ok(())
    }

    /// Whether no event can match the height range (stored heights are at most
    /// [`INTEGER_MAX`]).
    pub(crate) fn is_empty_range(&self) -> bool {
        self.from_height.is_some_and(|from| from > INTEGER_MAX)
            || matches!((self.from_height, self.to_height), (Some(from), Some(to)) if from > to)
    }

    /// The upper bound worth putting in a query: one above every stored height is no bound.
    pub(crate) fn effective_to_height(&self) -> Option<u64> {
        self.to_height.filter(|to| *to < INTEGER_MAX)
    }
}

/// Left-pads an address to a 32-byte topic, as the EVM ABI encodes indexed `address` arguments.
pub fn pad_address(address: &Addr20) -> Hash32 {
    let mut topic = [0u8; 32];
    topic[12..].copy_from_slice(address);
    topic
}

/// Cursor of an event page: `(height, log_index)` of the last event returned. The next page
/// starts strictly after it (strictly before it when descending).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventCursor {
    pub height: u64,
    pub log_index: u32,
}

impl EventCursor {
    /// Encodes the cursor as an opaque token for API clients (24 hex digits).
    pub fn to_token(&self) -> String {
        format!("{:016x}{:08x}", self.height, self.log_index)
    }

    /// Parses a token made by [`EventCursor::to_token`]; `None` if it is not one.
    pub fn from_token(token: &str) -> Option<Self> {
        if token.len() != 24 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let height = u64::from_str_radix(token.get(..16)?, 16).ok()?;
        let log_index = u32::from_str_radix(token.get(16..)?, 16).ok()?;
        Some(Self { height, log_index })
    }
}

/// The storage interface shared by every backend. All methods are blocking; call them from a
/// dedicated thread or `spawn_blocking`.
pub trait Store: Send + Sync {
    /// Appends `blocks` (in order) with their projections in one durable transaction (group
    /// commit); returns only once the data is durable. The first block must extend the head:
    /// height = head + 1 and `parent_hash` = the head's hash; on an empty store the first block
    /// must have height 0 or 1 (its parent hash is not checked). Each next block must extend the
    /// one before it. Otherwise returns [`StoreError::Conflict`] and writes nothing. Rows whose
    /// height is not their block's, duplicate indexes within a block, more than [`TOPICS_MAX`]
    /// topics or more than [`APPEND_BLOCKS_MAX`] blocks give [`StoreError::Invalid`] and write
    /// nothing. An empty slice is a no-op.
    fn append_blocks(&self, blocks: &[BlockWrite]) -> Result<()>;

    /// Height and hash of the newest block, `None` on an empty store.
    fn head(&self) -> Result<Option<(u64, Hash32)>>;

    /// The block at `height`.
    fn block(&self, height: u64) -> Result<Option<BlockRecord>>;

    /// The block with this hash.
    fn block_by_hash(&self, hash: &Hash32) -> Result<Option<BlockRecord>>;

    /// Blocks in ascending order from `from` (inclusive), at most `limit` (clamped to
    /// `1..=`[`BLOCKS_FROM_MAX`]); for replay.
    fn blocks_from(&self, from: u64, limit: usize) -> Result<Vec<BlockRecord>>;

    /// Blocks newest first, strictly below `before` if given, at most `limit` (clamped to
    /// `1..=`[`RECENT_BLOCKS_MAX`]); for the API and the dashboard.
    fn recent_blocks(&self, before: Option<u64>, limit: usize) -> Result<Vec<BlockRecord>>;

    /// The transaction with this hash (the earliest one if a hash were ever recorded twice).
    fn tx(&self, hash: &Hash32) -> Result<Option<TxRecord>>;

    /// The transactions of the block at `height`, by ascending index.
    fn txs_in_block(&self, height: u64) -> Result<Vec<TxRecord>>;

    /// Transactions sent by `sender`, newest first: descending `(height, index)`, strictly below
    /// the cursor `before` if given, at most `limit` (clamped to `1..=`[`TXS_PAGE_MAX`]).
    fn txs_by_sender(
        &self,
        sender: &Addr20,
        before: Option<(u64, u32)>,
        limit: usize,
    ) -> Result<Vec<TxRecord>>;

    /// One page of events matching `filter`, in ascending `(height, log_index)` order (descending
    /// if `descending`), strictly after the cursor `after` in that order, at most `limit` (clamped
    /// to `1..=`[`EVENTS_PAGE_MAX`]). Returns the page and the cursor of the next page, `None`
    /// when there is no further matching event.
    fn events(
        &self,
        filter: &EventFilter,
        after: Option<EventCursor>,
        descending: bool,
        limit: usize,
    ) -> Result<(Vec<EventRecord>, Option<EventCursor>)>;

    /// Stores a snapshot (replacing one at the same height) and prunes all but the newest
    /// [`SNAPSHOTS_KEPT`].
    fn put_snapshot(&self, snapshot: &SnapshotRecord) -> Result<()>;

    /// The snapshot with the greatest height.
    fn latest_snapshot(&self) -> Result<Option<SnapshotRecord>>;

    /// Heights of the kept snapshots, newest first.
    fn snapshot_heights(&self) -> Result<Vec<u64>>;

    /// The snapshot at `height`.
    fn snapshot(&self, height: u64) -> Result<Option<SnapshotRecord>>;

    /// Moves the snapshot at `height` out of the snapshots (so recovery no longer sees it) into
    /// a set-aside table with `reason`, keeping the newest [`SNAPSHOTS_SET_ASIDE_KEPT`]. No-op
    /// when there is none at that height.
    fn set_aside_snapshot(&self, height: u64, reason: &str) -> Result<()>;

    /// The newest block recorded as durably committed and acknowledged, in a record kept apart
    /// from the log (SQLite: a small separately synced file beside the database). A head below
    /// it means the storage lost an acknowledged tail. `None` when the backend keeps no such
    /// record (PostgreSQL trusts its own write-ahead log) or nothing was recorded yet.
    fn acknowledged_head(&self) -> Result<Option<(u64, Hash32)>> {
        Ok(None)
    }

    /// Sets the acknowledged-head record to the log's current head: the operator accepts a
    /// detected loss (`hoard node --accept-lost-blocks`).
    fn reset_acknowledged_head(&self) -> Result<()> {
        Ok(())
    }

    /// Checks the database's own structure (SQLite: `PRAGMA quick_check`, which reads every
    /// page); returns the problems found, empty when there are none. Backends that check their
    /// pages themselves (PostgreSQL with data checksums) return no problems.
    fn integrity_check(&self) -> Result<Vec<String>> {
        Ok(Vec::new())
    }

    /// A metadata value (genesis hash, chain id, ...).
    fn meta(&self, key: &str) -> Result<Option<Vec<u8>>>;

    /// Sets a metadata value (keys up to [`META_KEY_LEN_MAX`] bytes).
    fn set_meta(&self, key: &str, value: &[u8]) -> Result<()>;

    /// Reindex support: deletes every projection row (transactions, events) and every snapshot;
    /// keeps the log and the meta.
    fn clear_projections(&self) -> Result<()>;

    /// Reindex support: writes projection rows for blocks already in the log, in one transaction.
    /// Rows above the head, or duplicating an existing row, give [`StoreError::Invalid`] and
    /// nothing is written.
    fn write_projections(&self, txs: &[TxRecord], events: &[EventRecord]) -> Result<()>;

    /// Tries to become the one sequencer of this database; `Ok(true)` if this store now holds
    /// (or already held) the sequencer lock. PostgreSQL: a session advisory lock, released when
    /// the connection ends. SQLite: an exclusive lock on a file beside the database. Whoever holds
    /// it or not, [`Store::append_blocks`] still refuses a block that does not extend the head, so
    /// two writers can never fork the log.
    fn try_lock_sequencer(&self) -> Result<bool>;

    /// Short name of the backend (`"sqlite"`, `"postgres"`), for logs and metrics.
    fn backend_name(&self) -> &'static str;
}

/// Where a database lives, parsed from what the operator gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A SQLite file.
    Sqlite(std::path::PathBuf),
    /// A PostgreSQL URL (`postgres://` or `postgresql://`).
    Postgres(String),
}

impl Location {
    /// `postgres://` or `postgresql://` selects PostgreSQL; `sqlite://PATH` or a plain path a
    /// SQLite file; any other `scheme://` is refused (a typo such as `postgress://` must not
    /// silently become a file name).
    pub fn parse(url_or_path: &str) -> Result<Location> {
        if url_or_path.starts_with("postgres://") || url_or_path.starts_with("postgresql://") {
            return Ok(Location::Postgres(url_or_path.to_string()));
        }
        if let Some(path) = url_or_path.strip_prefix("sqlite://") {
            return Ok(Location::Sqlite(path.into()));
        }
        if let Some((scheme, _)) = url_or_path.split_once("://")
            && !scheme.is_empty()
            && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
        {
            return Err(StoreError::Invalid {
                what: "unknown database URL scheme: give a SQLite file path, sqlite://PATH, \
                       postgres://... or postgresql://...",
            });
        }
        Ok(Location::Sqlite(url_or_path.into()))
    }
}

/// Opens (creating and migrating if needed) the store at `url_or_path` (see
/// [`Location::parse`]).
pub fn open(url_or_path: &str) -> Result<Box<dyn Store>> {
    match Location::parse(url_or_path)? {
        Location::Postgres(url) => Ok(Box::new(PostgresStore::open(&url)?)),
        Location::Sqlite(path) => Ok(Box::new(SqliteStore::open(path)?)),
    }
}

/// Clamps a requested page size to `1..=max`.
pub(crate) fn clamp_limit(limit: usize, max: usize) -> usize {
    limit.clamp(1, max)
}

/// Checks everything about a batch that does not need the database: sizes, ranges, chaining
/// inside the batch, and that every row belongs to its block.
pub(crate) fn check_batch(blocks: &[BlockWrite]) -> Result<()> {
    if blocks.len() > APPEND_BLOCKS_MAX {
        return Err(StoreError::Invalid { what: "too many blocks in one append" });
    }
    let mut previous: Option<&BlockRecord> = None;
    for write in blocks {
        let block = &write.block;
        if block.height > INTEGER_MAX || block.timestamp > INTEGER_MAX {
            return Err(StoreError::Invalid { what: "block height or timestamp is out of range" });
        }
        if let Some(previous) = previous {
            check_extends(Some((previous.height, previous.hash)), block)?;
        }
        if write.txs.iter().any(|tx| tx.height != block.height)
            || write.events.iter().any(|event| event.height != block.height)
        {
            return Err(StoreError::Invalid { what: "a row's height is not its block's height" });
        }
        check_rows(&write.txs, &write.events)?;
        previous = Some(block);
    }
    Ok(())
}

/// Checks that `block` may follow `head`.
pub(crate) fn check_extends(head: Option<(u64, Hash32)>, block: &BlockRecord) -> Result<()> {
    match head {
        None if block.height > 1 => Err(StoreError::Conflict {
            height: block.height,
            reason: "the first block of an empty store must have height 0 or 1",
        }),
        None => Ok(()),
        Some((height, _)) if Some(block.height) != height.checked_add(1) => {
            Err(StoreError::Conflict { height: block.height, reason: "height is not head + 1" })
        }
        Some((_, hash)) if block.parent_hash != hash => Err(StoreError::Conflict {
            height: block.height,
            reason: "parent hash is not the head's hash",
        }),
        Some(_) => Ok(()),
    }
}

/// Checks projection rows: topics, integer ranges, and unique `(height, index)` /
/// `(height, log_index)` among the given rows.
pub(crate) fn check_rows(txs: &[TxRecord], events: &[EventRecord]) -> Result<()> {
    if txs.iter().any(|tx| tx.height > INTEGER_MAX)
        || events.iter().any(|event| event.height > INTEGER_MAX)
    {
        return Err(StoreError::Invalid { what: "a row's height is out of range" });
    }
    if events.iter().any(|event| event.topics.len() > TOPICS_MAX) {
        return Err(StoreError::Invalid { what: "an event has more than 4 topics" });
    }
    // Rows usually come in strictly ascending order; only otherwise pay for a set.
    let txs_sorted = txs.windows(2).all(|w| (w[0].height, w[0].index) < (w[1].height, w[1].index));
    if !txs_sorted {
        let mut seen = HashSet::with_capacity(txs.len());
        if !txs.iter().all(|tx| seen.insert((tx.height, tx.index))) {
            return Err(StoreError::Invalid { what: "two transactions share a block index" });
        }
    }
    let events_sorted =
        events.windows(2).all(|w| (w[0].height, w[0].log_index) < (w[1].height, w[1].log_index));
    if !events_sorted {
        let mut seen = HashSet::with_capacity(events.len());
        if !events.iter().all(|event| seen.insert((event.height, event.log_index))) {
            return Err(StoreError::Invalid { what: "two events share a log index" });
        }
    }
    Ok(())
}

pub(crate) fn check_meta_key(key: &str) -> Result<()> {
    if key.is_empty() || key.len() > META_KEY_LEN_MAX {
        return Err(StoreError::Invalid { what: "meta key is empty or too long" });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_token_round_trips_and_rejects_garbage() {
        let cursor = EventCursor { height: 123_456_789, log_index: 42 };
        assert_eq!(EventCursor::from_token(&cursor.to_token()), Some(cursor));
        assert_eq!(EventCursor::from_token("xyz"), None);
        assert_eq!(EventCursor::from_token("+00000000000000000000001"), None);
        assert_eq!(EventCursor::from_token(&"g".repeat(24)), None);
    }

    #[test]
    fn limits_clamp_into_range() {
        assert_eq!(clamp_limit(0, 10), 1);
        assert_eq!(clamp_limit(5, 10), 5);
        assert_eq!(clamp_limit(usize::MAX, 10), 10);
    }

    #[test]
    fn empty_store_accepts_height_zero_or_one_only() {
        let block = |height| BlockRecord {
            height,
            hash: [1; 32],
            parent_hash: [0; 32],
            timestamp: 0,
            tx_count: 0,
            header: vec![],
            body: vec![],
        };
        assert!(check_extends(None, &block(0)).is_ok());
        assert!(check_extends(None, &block(1)).is_ok());
        assert_eq!(check_extends(None, &block(2)).map_err(|e| e.code()), Err("store.conflict"));
        assert_eq!(
            check_extends(Some((u64::MAX, [1; 32])), &block(0)).map_err(|e| e.code()),
            Err("store.conflict")
        );
    }

    #[test]
    fn locations_parse_and_typos_are_refused() {
        assert_eq!(
            Location::parse("postgres://u@h/db").ok(),
            Some(Location::Postgres("postgres://u@h/db".into()))
        );
        assert_eq!(
            Location::parse("postgresql://h/db").ok(),
            Some(Location::Postgres("postgresql://h/db".into()))
        );
        assert_eq!(
            Location::parse("sqlite:///a/b.db").ok(),
            Some(Location::Sqlite("/a/b.db".into()))
        );
        assert_eq!(
            Location::parse("data/x.sqlite").ok(),
            Some(Location::Sqlite("data/x.sqlite".into()))
        );
        for typo in ["postgress://u@h/db", "postgre://h", "mysql://h/db", "file://x"] {
            assert_eq!(
                Location::parse(typo).map_err(|e| e.code()).err(),
                Some("store.invalid"),
                "{typo}"
            );
        }
    }

    #[test]
    fn pad_address_left_pads() {
        let topic = pad_address(&[0xab; 20]);
        assert_eq!(&topic[..12], &[0u8; 12]);
        assert_eq!(&topic[12..], &[0xab; 20]);
    }
}
