//! The embedded backend: one SQLite file in WAL mode.
//!
//! One writer connection sits behind a mutex (SQLite allows one writer at a time anyway) and
//! [`SQLITE_READERS`] read-only connections form a pool, so in WAL mode readers never wait for
//! the writer and always see the last committed block. Statements are prepared once per
//! connection and cached.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::types::Value;
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, Row, TransactionBehavior};

use crate::error::Context;
use crate::pool::{Pool, lock};
use crate::sql::{self, Binder, TX_COLUMNS, int};
use crate::witness::Witness;
use crate::{
    Addr20, BLOCKS_FROM_MAX, BlockRecord, BlockWrite, EVENTS_PAGE_MAX, EventCursor, EventFilter,
    EventRecord, Hash32, RECENT_BLOCKS_MAX, Result, SNAPSHOTS_KEPT, SnapshotRecord, Store,
    StoreError, TXS_PAGE_MAX, TxRecord, check_batch, check_extends, check_meta_key, check_rows,
    clamp_limit,
};

/// Read-only connections in the reader pool.
pub const SQLITE_READERS: usize = 4;
/// How long a connection waits for a lock held by another process before failing.
pub const SQLITE_BUSY_TIMEOUT_MS: u64 = 5_000;
/// Page cache of the writer connection, KiB.
pub const SQLITE_WRITER_CACHE_KIB: i64 = 64 * 1024;
/// Page cache of each reader connection, KiB.
pub const SQLITE_READER_CACHE_KIB: i64 = 16 * 1024;
/// Prepared statements cached per connection (the event queries vary with the filter's shape).
pub const SQLITE_STATEMENT_CACHE_MAX: usize = 128;
/// WAL pages (4 KiB each) after which a commit checkpoints the WAL into the database file.
/// SQLite's default (1,000) checkpoints every few busy blocks and doubles the write cost: index
/// pages dirtied by consecutive blocks are written once per checkpoint instead of once per block.
pub const SQLITE_WAL_AUTOCHECKPOINT_PAGES: i64 = 16_384;
/// Size the WAL file is truncated back to after a checkpoint, bytes.
pub const SQLITE_WAL_SIZE_LIMIT_BYTES: i64 = 64 * 1024 * 1024;

/// Replaces the database file `db` by `new` (another closed SQLite database, such as one that
/// `hoard reindex` rebuilt), keeping the old one as `keep_old_as`. Each file moves with its
/// acknowledged-head record; leftover write-ahead files of `db` move with it. Both databases must
/// be closed ([`SqliteStore::close`]) and the caller must hold `db`'s [`SequencerLock`].
pub fn replace_database(db: &Path, new: &Path, keep_old_as: &Path) -> Result<()> {
    let with_suffix = |p: &Path, suffix: &str| {
        let mut s = p.as_os_str().to_owned();
        s.push(suffix);
        PathBuf::from(s)
    };
    let witness = crate::witness::witness_path;
    for suffix in ["-wal", "-shm"] {
        let from = with_suffix(db, suffix);
        if from.exists() {
            std::fs::rename(&from, with_suffix(keep_old_as, suffix))
                .op("moving the old database aside")?;
        }
    }
    if db.exists() {
        std::fs::rename(db, keep_old_as).op("moving the old database aside")?;
    }
    if witness(db).exists() {
        std::fs::rename(witness(db), witness(keep_old_as)).op("moving the old database aside")?;
    }
    std::fs::rename(new, db).op("moving the new database in place")?;
    if witness(new).exists() {
        std::fs::rename(witness(new), witness(db)).op("moving the new database in place")?;
    }
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(with_suffix(new, suffix));
    }
    if let Some(dir) = db.parent().filter(|p| !p.as_os_str().is_empty()) {
        File::open(dir).and_then(|d| d.sync_all()).op("syncing the database directory")?;
    }
    Ok(())
}

/// Stepwise schema migrations; migration `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: the log, its projections, snapshots and meta.
    "CREATE TABLE meta (
        key TEXT PRIMARY KEY NOT NULL,
        value BLOB NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE blocks (
        height INTEGER PRIMARY KEY NOT NULL,
        hash BLOB NOT NULL,
        parent_hash BLOB NOT NULL,
        timestamp INTEGER NOT NULL,
        tx_count INTEGER NOT NULL,
        header BLOB NOT NULL,
        body BLOB NOT NULL
    );
    CREATE UNIQUE INDEX blocks_by_hash ON blocks (hash);
    CREATE TABLE txs (
        height INTEGER NOT NULL,
        idx INTEGER NOT NULL,
        hash BLOB NOT NULL,
        sender BLOB NOT NULL,
        success INTEGER NOT NULL,
        code TEXT,
        receipt BLOB NOT NULL,
        PRIMARY KEY (height, idx)
    ) WITHOUT ROWID;
    CREATE INDEX txs_by_hash ON txs (hash);
    CREATE INDEX txs_by_sender ON txs (sender, height, idx);
    CREATE TABLE events (
        height INTEGER NOT NULL,
        log_index INTEGER NOT NULL,
        tx_index INTEGER NOT NULL,
        tx_hash BLOB NOT NULL,
        address BLOB NOT NULL,
        topic0 BLOB,
        topic1 BLOB,
        topic2 BLOB,
        topic3 BLOB,
        data BLOB NOT NULL,
        PRIMARY KEY (height, log_index)
    ) WITHOUT ROWID;
    CREATE INDEX events_by_address ON events (address, height, log_index);
    CREATE INDEX events_by_topic0 ON events (topic0, height, log_index) WHERE topic0 IS NOT NULL;
    CREATE INDEX events_by_topic1 ON events (topic1, height, log_index) WHERE topic1 IS NOT NULL;
    CREATE INDEX events_by_topic2 ON events (topic2, height, log_index) WHERE topic2 IS NOT NULL;
    CREATE INDEX events_by_topic3 ON events (topic3, height, log_index) WHERE topic3 IS NOT NULL;
    CREATE TABLE snapshots (
        height INTEGER PRIMARY KEY NOT NULL,
        state_root BLOB NOT NULL,
        bytes BLOB NOT NULL
    );",
    // 2: snapshots that did not match their block, kept for inspection instead of deleted.
    "CREATE TABLE snapshots_set_aside (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        height INTEGER NOT NULL,
        state_root BLOB NOT NULL,
        bytes BLOB NOT NULL,
        reason TEXT NOT NULL,
        set_aside_at INTEGER NOT NULL
    );",
];

/// Schema version this build writes and reads.
pub const SQLITE_SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

const BLOCK_COLUMNS: &str = "height, hash, parent_hash, timestamp, tx_count, header, body";

const INSERT_BLOCK: &str = "INSERT INTO blocks (height, hash, parent_hash, timestamp, tx_count, \
     header, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
const INSERT_TX: &str = "INSERT INTO txs (hash, height, idx, sender, success, code, receipt) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
const INSERT_EVENT: &str = "INSERT INTO events (height, tx_index, log_index, tx_hash, address, \
     topic0, topic1, topic2, topic3, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
const SELECT_HEAD: &str = "SELECT height, hash FROM blocks ORDER BY height DESC LIMIT 1";

/// The SQLite store. See the module documentation.
pub struct SqliteStore {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Pool<Connection>,
    sequencer_lock: Mutex<Option<SequencerLock>>,
    witness: Mutex<Witness>,
}

/// The exclusive lock of the one writer of a SQLite database: an advisory lock on the file
/// `<database>.sequencer-lock`, held while this value lives (released by the OS if the process
/// dies, so a killed node never leaves a stale lock).
#[derive(Debug)]
pub struct SequencerLock {
    _file: File,
}

impl SequencerLock {
    /// The lock file of the database file `db`.
    pub fn path(db: &Path) -> PathBuf {
        let mut path = db.as_os_str().to_owned();
        path.push(".sequencer-lock");
        PathBuf::from(path)
    }

    /// Takes the lock of the database file `db`; `None` while another process (or another
    /// store in this process) holds it.
    pub fn try_acquire(db: &Path) -> Result<Option<SequencerLock>> {
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(Self::path(db))
            .op("opening the sequencer lock file")?;
        match file.try_lock() {
            Ok(()) => Ok(Some(SequencerLock { _file: file })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(err)) => {
                Err(StoreError::backend("taking the sequencer lock", err))
            }
        }
    }
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").field("path", &self.path).finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens the database file at `path`, creating it (and its directory) and migrating it if
    /// needed.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).op("creating the database directory")?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut writer =
            Connection::open_with_flags(&path, flags).sql("opening the database file")?;
        configure(&writer, SQLITE_WRITER_CACHE_KIB)?;
        let mode: String = writer
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .sql("enabling write-ahead logging")?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::backend(
                "enabling write-ahead logging",
                format!("journal mode stayed {mode}"),
            ));
        }
        writer.pragma_update(None, "synchronous", "FULL").sql("setting synchronous=FULL")?;
        writer
            .pragma_update(None, "journal_size_limit", SQLITE_WAL_SIZE_LIMIT_BYTES)
            .sql("setting the WAL size limit")?;
        writer
            .pragma_update(None, "wal_autocheckpoint", SQLITE_WAL_AUTOCHECKPOINT_PAGES)
            .sql("setting the checkpoint interval")?;
        migrate(&mut writer)?;

        let mut readers = Vec::with_capacity(SQLITE_READERS);
        for _ in 0..SQLITE_READERS {
            let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
            let reader = Connection::open_with_flags(&path, flags).sql("opening a reader")?;
            configure(&reader, SQLITE_READER_CACHE_KIB)?;
            readers.push(reader);
        }
        let witness = Witness::open(&path)?;
        Ok(Self {
            path,
            writer: Mutex::new(writer),
            readers: Pool::new(readers),
            sequencer_lock: Mutex::new(None),
            witness: Mutex::new(witness),
        })
    }

    /// Closes the store, checkpointing its write-ahead log into the database file (so the file
    /// alone holds everything, as [`replace_database`] needs).
    pub fn close(self) -> Result<()> {
        let writer = self.writer.into_inner().unwrap_or_else(|p| p.into_inner());
        writer
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .sql("checkpointing the write-ahead log")?;
        drop(writer);
        Ok(())
    }

    /// The schema version recorded in the database.
    pub fn schema_version(&self) -> Result<i64> {
        let conn = self.readers.get();
        conn.query_row("SELECT COALESCE(MAX(version), 0) FROM schema_version", [], |row| row.get(0))
            .sql("reading the schema version")
    }

    /// Path of the database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read<T>(
        &self,
        op: &'static str,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T> {
        let conn = self.readers.get();
        f(&conn).sql(op)
    }
}

fn configure(conn: &Connection, cache_kib: i64) -> Result<()> {
    conn.busy_timeout(Duration::from_millis(SQLITE_BUSY_TIMEOUT_MS)).sql("setting busy_timeout")?;
    conn.pragma_update(None, "cache_size", -cache_kib).sql("setting the page cache size")?;
    conn.pragma_update(None, "temp_store", "MEMORY").sql("setting temp_store")?;
    conn.set_prepared_statement_cache_capacity(SQLITE_STATEMENT_CACHE_MAX);
    Ok(())
}

fn migrate(conn: &mut Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_version (
            version INTEGER PRIMARY KEY NOT NULL,
            applied_at INTEGER NOT NULL
        )",
    )
    .sql("creating the schema_version table")?;
    loop {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .sql("starting a migration")?;
        let current: i64 = tx
            .query_row("SELECT COALESCE(MAX(version), 0) FROM schema_version", [], |row| row.get(0))
            .sql("reading the schema version")?;
        if current > SQLITE_SCHEMA_VERSION {
            return Err(StoreError::SchemaTooNew {
                found: current,
                supported: SQLITE_SCHEMA_VERSION,
            });
        }
        let Some(step) = usize::try_from(current).ok().and_then(|i| MIGRATIONS.get(i)) else {
            return Ok(());
        };
        tx.execute_batch(step).sql("applying a schema migration")?;
        tx.execute(
            "INSERT INTO schema_version (version, applied_at) \
             VALUES (?1, CAST(strftime('%s', 'now') AS INTEGER))",
            [current + 1],
        )
        .sql("recording a schema migration")?;
        tx.commit().sql("committing a schema migration")?;
    }
}

/// Words for a SQLite error, for logs: what kind of failure it is and SQLite's codes.
pub(crate) fn describe(err: &rusqlite::Error) -> String {
    let rusqlite::Error::SqliteFailure(failure, message) = err else {
        return err.to_string();
    };
    let kind = match failure.code {
        ErrorCode::DiskFull => "disk full (SQLITE_FULL)",
        ErrorCode::SystemIoFailure => "I/O error (SQLITE_IOERR)",
        ErrorCode::DatabaseCorrupt => "database file damaged (SQLITE_CORRUPT)",
        ErrorCode::NotADatabase => "not a database file (SQLITE_NOTADB)",
        ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => {
            "database locked by another connection (SQLITE_BUSY)"
        }
        ErrorCode::ReadOnly => "database is read-only (SQLITE_READONLY)",
        ErrorCode::CannotOpen => "cannot open the database file (SQLITE_CANTOPEN)",
        ErrorCode::PermissionDenied => "permission denied (SQLITE_PERM)",
        ErrorCode::OutOfMemory => "out of memory (SQLITE_NOMEM)",
        _ => "SQLite error",
    };
    match message {
        Some(m) => format!("{kind}, extended code {}: {m}", failure.extended_code),
        None => format!("{kind}, extended code {}", failure.extended_code),
    }
}

/// Maps rusqlite errors: undecodable stored values are corruption, a damaged file is
/// [`StoreError::Damaged`], the rest backend failures.
trait SqlContext<T> {
    fn sql(self, op: &'static str) -> Result<T>;
}

impl<T> SqlContext<T> for rusqlite::Result<T> {
    fn sql(self, op: &'static str) -> Result<T> {
        self.map_err(|err| match err {
            rusqlite::Error::FromSqlConversionFailure(..)
            | rusqlite::Error::IntegralValueOutOfRange(..)
            | rusqlite::Error::InvalidColumnType(..) => {
                StoreError::Corrupt { what: "a stored value has the wrong type or size" }
            }
            other
                if matches!(
                    other.sqlite_error_code(),
                    Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase)
                ) =>
            {
                StoreError::Damaged { op }
            }
            other => StoreError::backend(op, other),
        })
    }
}

fn is_constraint(err: &rusqlite::Error) -> bool {
    err.sqlite_error_code() == Some(ErrorCode::ConstraintViolation)
}

/// Reads a non-negative integer column as `u64`.
fn uint(row: &Row<'_>, column: usize) -> rusqlite::Result<u64> {
    let value: i64 = row.get(column)?;
    u64::try_from(value).map_err(|_| rusqlite::Error::IntegralValueOutOfRange(column, value))
}

fn block_row(row: &Row<'_>) -> rusqlite::Result<BlockRecord> {
    Ok(BlockRecord {
        height: uint(row, 0)?,
        hash: row.get(1)?,
        parent_hash: row.get(2)?,
        timestamp: uint(row, 3)?,
        tx_count: row.get(4)?,
        header: row.get(5)?,
        body: row.get(6)?,
    })
}

fn tx_row(row: &Row<'_>) -> rusqlite::Result<TxRecord> {
    Ok(TxRecord {
        hash: row.get(0)?,
        height: uint(row, 1)?,
        index: row.get(2)?,
        sender: row.get(3)?,
        success: row.get(4)?,
        code: row.get(5)?,
        receipt: row.get(6)?,
    })
}

fn event_row(row: &Row<'_>) -> rusqlite::Result<EventRecord> {
    let mut topics = Vec::with_capacity(4);
    for column in 5..9 {
        match row.get::<_, Option<Hash32>>(column)? {
            Some(topic) => topics.push(topic),
            None => break,
        }
    }
    Ok(EventRecord {
        height: uint(row, 0)?,
        tx_index: row.get(1)?,
        log_index: row.get(2)?,
        tx_hash: row.get(3)?,
        address: row.get(4)?,
        topics,
        data: row.get(9)?,
    })
}

fn head_in(conn: &Connection) -> Result<Option<(u64, Hash32)>> {
    conn.prepare_cached(SELECT_HEAD)
        .and_then(|mut stmt| stmt.query_row([], |row| Ok((uint(row, 0)?, row.get(1)?))).optional())
        .sql("reading the head")
}

/// Inserts projection rows with cached statements; a constraint violation means a duplicate.
fn insert_rows(conn: &Connection, txs: &[TxRecord], events: &[EventRecord]) -> Result<()> {
    let duplicate = |err: rusqlite::Error, op| {
        if is_constraint(&err) {
            StoreError::Invalid { what: "a projection row already exists" }
        } else {
            StoreError::backend(op, err)
        }
    };
    let mut insert_tx = conn.prepare_cached(INSERT_TX).sql("preparing a statement")?;
    for tx in txs {
        insert_tx
            .execute((
                &tx.hash,
                int(tx.height)?,
                tx.index,
                &tx.sender,
                tx.success,
                tx.code.as_deref(),
                &tx.receipt,
            ))
            .map_err(|err| duplicate(err, "inserting a transaction"))?;
    }
    let mut insert_event = conn.prepare_cached(INSERT_EVENT).sql("preparing a statement")?;
    for event in events {
        let topic = |i: usize| event.topics.get(i).map(|t| t.as_slice());
        insert_event
            .execute((
                int(event.height)?,
                event.tx_index,
                event.log_index,
                &event.tx_hash,
                &event.address,
                topic(0),
                topic(1),
                topic(2),
                topic(3),
                &event.data,
            ))
            .map_err(|err| duplicate(err, "inserting an event"))?;
    }
    Ok(())
}

/// SQLite binding: numbered `?N` placeholders, sets as `IN (...)` lists.
struct SqliteBinder(Vec<Value>);

impl Binder for SqliteBinder {
    fn int(&mut self, value: i64) -> String {
        self.0.push(Value::Integer(value));
        format!("?{}", self.0.len())
    }
    fn blob(&mut self, value: Vec<u8>) -> String {
        self.0.push(Value::Blob(value));
        format!("?{}", self.0.len())
    }
    fn any_of(&mut self, column: &str, values: Vec<Vec<u8>>) -> String {
        let list: Vec<String> = values.into_iter().map(|v| self.blob(v)).collect();
        format!("{column} IN ({})", list.join(", "))
    }
}

/// Builds the SQL and parameters of an event query.
fn event_query(
    filter: &EventFilter,
    after: Option<EventCursor>,
    descending: bool,
    fetch: usize,
) -> Result<(String, Vec<Value>)> {
    let mut b = SqliteBinder(Vec::new());
    let sql = sql::event_query(filter, after, descending, fetch, &mut b)?;
    Ok((sql, b.0))
}

impl Store for SqliteStore {
    fn append_blocks(&self, blocks: &[BlockWrite]) -> Result<()> {
        let Some(first) = blocks.first() else { return Ok(()) };
        check_batch(blocks)?;
        let mut conn = lock(&self.writer);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .sql("starting a write")?;
        check_extends(head_in(&tx)?, &first.block)?;
        {
            let mut insert_block = tx.prepare_cached(INSERT_BLOCK).sql("preparing a statement")?;
            for write in blocks {
                let block = &write.block;
                insert_block
                    .execute((
                        int(block.height)?,
                        &block.hash,
                        &block.parent_hash,
                        int(block.timestamp)?,
                        block.tx_count,
                        &block.header,
                        &block.body,
                    ))
                    .map_err(|err| {
                        if is_constraint(&err) {
                            StoreError::Conflict {
                                height: block.height,
                                reason: "a block with this hash or height already exists",
                            }
                        } else {
                            StoreError::backend("inserting a block", err)
                        }
                    })?;
                insert_rows(&tx, &write.txs, &write.events)?;
            }
        }
        tx.commit().sql("committing blocks")?;
        drop(conn);
        // Durable in the database: record the acknowledged head beside it. A failure here does
        // not undo the commit (the blocks are durable); the record stays behind, which only
        // weakens the lost-tail check until the next append succeeds.
        let last = &blocks[blocks.len() - 1].block;
        if let Err(err) = lock(&self.witness).record(last.height, &last.hash) {
            tracing::warn!(
                error = %err,
                cause = err.cause().unwrap_or_default(),
                height = last.height,
                "could not record the acknowledged head beside the database"
            );
        }
        Ok(())
    }

    fn head(&self) -> Result<Option<(u64, Hash32)>> {
        let conn = self.readers.get();
        head_in(&conn)
    }

    fn block(&self, height: u64) -> Result<Option<BlockRecord>> {
        let Ok(height) = i64::try_from(height) else { return Ok(None) };
        self.read("reading a block", |conn| {
            conn.prepare_cached(&format!("SELECT {BLOCK_COLUMNS} FROM blocks WHERE height = ?1"))?
                .query_row([height], block_row)
                .optional()
        })
    }

    fn block_by_hash(&self, hash: &Hash32) -> Result<Option<BlockRecord>> {
        self.read("reading a block by hash", |conn| {
            conn.prepare_cached(&format!("SELECT {BLOCK_COLUMNS} FROM blocks WHERE hash = ?1"))?
                .query_row([hash], block_row)
                .optional()
        })
    }

    fn blocks_from(&self, from: u64, limit: usize) -> Result<Vec<BlockRecord>> {
        let Ok(from) = i64::try_from(from) else { return Ok(Vec::new()) };
        let limit = clamp_limit(limit, BLOCKS_FROM_MAX) as i64;
        self.read("reading blocks", |conn| {
            conn.prepare_cached(&format!(
                "SELECT {BLOCK_COLUMNS} FROM blocks WHERE height >= ?1 ORDER BY height LIMIT ?2"
            ))?
            .query_map((from, limit), block_row)?
            .collect()
        })
    }

    fn recent_blocks(&self, before: Option<u64>, limit: usize) -> Result<Vec<BlockRecord>> {
        let before = before.map_or(i64::MAX, |b| i64::try_from(b).unwrap_or(i64::MAX));
        let limit = clamp_limit(limit, RECENT_BLOCKS_MAX) as i64;
        self.read("reading recent blocks", |conn| {
            conn.prepare_cached(&format!(
                "SELECT {BLOCK_COLUMNS} FROM blocks WHERE height < ?1 \
                 ORDER BY height DESC LIMIT ?2"
            ))?
            .query_map((before, limit), block_row)?
            .collect()
        })
    }

    fn tx(&self, hash: &Hash32) -> Result<Option<TxRecord>> {
        self.read("reading a transaction", |conn| {
            conn.prepare_cached(&format!(
                "SELECT {TX_COLUMNS} FROM txs WHERE hash = ?1 ORDER BY height, idx LIMIT 1"
            ))?
            .query_row([hash], tx_row)
            .optional()
        })
    }

    fn txs_in_block(&self, height: u64) -> Result<Vec<TxRecord>> {
        let Ok(height) = i64::try_from(height) else { return Ok(Vec::new()) };
        self.read("reading a block's transactions", |conn| {
            conn.prepare_cached(&format!(
                "SELECT {TX_COLUMNS} FROM txs WHERE height = ?1 ORDER BY idx"
            ))?
            .query_map([height], tx_row)?
            .collect()
        })
    }

    fn txs_by_sender(
        &self,
        sender: &Addr20,
        before: Option<(u64, u32)>,
        limit: usize,
    ) -> Result<Vec<TxRecord>> {
        let (height, index) = match before {
            Some((height, index)) => (i64::try_from(height).unwrap_or(i64::MAX), i64::from(index)),
            None => (i64::MAX, i64::MAX),
        };
        let limit = clamp_limit(limit, TXS_PAGE_MAX) as i64;
        self.read("reading an account's transactions", |conn| {
            conn.prepare_cached(&format!(
                "SELECT {TX_COLUMNS} FROM txs WHERE sender = ?1 AND (height, idx) < (?2, ?3) \
                 ORDER BY height DESC, idx DESC LIMIT ?4"
            ))?
            .query_map((sender, height, index, limit), tx_row)?
            .collect()
        })
    }

    fn events(
        &self,
        filter: &EventFilter,
        after: Option<EventCursor>,
        descending: bool,
        limit: usize,
    ) -> Result<(Vec<EventRecord>, Option<EventCursor>)> {
        filter.check()?;
        if filter.is_empty_range() {
            return Ok((Vec::new(), None));
        }
        let limit = clamp_limit(limit, EVENTS_PAGE_MAX);
        let (sql, params) = event_query(filter, after, descending, limit + 1)?;
        let mut events: Vec<EventRecord> = self.read("querying events", |conn| {
            conn.prepare_cached(&sql)?
                .query_map(rusqlite::params_from_iter(params), event_row)?
                .collect()
        })?;
        let next = if events.len() > limit {
            events.truncate(limit);
            events.last().map(|e| EventCursor { height: e.height, log_index: e.log_index })
        } else {
            None
        };
        Ok((events, next))
    }

    fn put_snapshot(&self, snapshot: &SnapshotRecord) -> Result<()> {
        let height = int(snapshot.height)?;
        let mut conn = lock(&self.writer);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .sql("starting a write")?;
        tx.prepare_cached(
            "INSERT OR REPLACE INTO snapshots (height, state_root, bytes) VALUES (?1, ?2, ?3)",
        )
        .and_then(|mut stmt| stmt.execute((height, &snapshot.state_root, &snapshot.bytes)))
        .sql("writing a snapshot")?;
        tx.prepare_cached(
            "DELETE FROM snapshots WHERE height NOT IN \
             (SELECT height FROM snapshots ORDER BY height DESC LIMIT ?1)",
        )
        .and_then(|mut stmt| stmt.execute([SNAPSHOTS_KEPT as i64]))
        .sql("pruning snapshots")?;
        tx.commit().sql("committing a snapshot")
    }

    fn latest_snapshot(&self) -> Result<Option<SnapshotRecord>> {
        self.read("reading the latest snapshot", |conn| {
            conn.prepare_cached(
                "SELECT height, state_root, bytes FROM snapshots ORDER BY height DESC LIMIT 1",
            )?
            .query_row([], |row| {
                Ok(SnapshotRecord {
                    height: uint(row, 0)?,
                    state_root: row.get(1)?,
                    bytes: row.get(2)?,
                })
            })
            .optional()
        })
    }

    fn snapshot(&self, height: u64) -> Result<Option<SnapshotRecord>> {
        let Ok(height) = i64::try_from(height) else { return Ok(None) };
        self.read("reading a snapshot", |conn| {
            conn.prepare_cached(
                "SELECT height, state_root, bytes FROM snapshots WHERE height = ?1",
            )?
            .query_row([height], |row| {
                Ok(SnapshotRecord {
                    height: uint(row, 0)?,
                    state_root: row.get(1)?,
                    bytes: row.get(2)?,
                })
            })
            .optional()
        })
    }

    fn set_aside_snapshot(&self, height: u64, reason: &str) -> Result<()> {
        let height = int(height)?;
        let mut conn = lock(&self.writer);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .sql("starting a write")?;
        tx.execute(
            "INSERT INTO snapshots_set_aside (height, state_root, bytes, reason, set_aside_at) \
             SELECT height, state_root, bytes, ?2, CAST(strftime('%s', 'now') AS INTEGER) \
             FROM snapshots WHERE height = ?1",
            (height, reason),
        )
        .sql("setting a snapshot aside")?;
        tx.execute("DELETE FROM snapshots WHERE height = ?1", [height])
            .sql("setting a snapshot aside")?;
        tx.execute(
            "DELETE FROM snapshots_set_aside WHERE id NOT IN \
             (SELECT id FROM snapshots_set_aside ORDER BY id DESC LIMIT ?1)",
            [crate::SNAPSHOTS_SET_ASIDE_KEPT as i64],
        )
        .sql("pruning set-aside snapshots")?;
        tx.commit().sql("committing a set-aside snapshot")
    }

    fn acknowledged_head(&self) -> Result<Option<(u64, Hash32)>> {
        Ok(lock(&self.witness).head())
    }

    fn reset_acknowledged_head(&self) -> Result<()> {
        let head = head_in(&lock(&self.writer))?;
        if let Some((height, hash)) = head {
            lock(&self.witness).record(height, &hash)?;
        }
        Ok(())
    }

    fn integrity_check(&self) -> Result<Vec<String>> {
        let conn = self.readers.get();
        let rows: rusqlite::Result<Vec<String>> = conn
            .prepare("PRAGMA quick_check(100)")
            .and_then(|mut stmt| stmt.query_map([], |row| row.get::<_, String>(0))?.collect());
        match rows {
            Ok(rows) if rows.len() == 1 && rows[0] == "ok" => Ok(Vec::new()),
            Ok(rows) => Ok(rows),
            // The check itself can trip over the damage it looks for.
            Err(err)
                if matches!(
                    err.sqlite_error_code(),
                    Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase)
                ) =>
            {
                Ok(vec![describe(&err)])
            }
            Err(err) => Err(StoreError::backend("checking the database file", err)),
        }
    }

    fn snapshot_heights(&self) -> Result<Vec<u64>> {
        self.read("listing snapshots", |conn| {
            conn.prepare_cached("SELECT height FROM snapshots ORDER BY height DESC")?
                .query_map([], |row| uint(row, 0))?
                .collect()
        })
    }

    fn meta(&self, key: &str) -> Result<Option<Vec<u8>>> {
        check_meta_key(key)?;
        self.read("reading meta", |conn| {
            conn.prepare_cached("SELECT value FROM meta WHERE key = ?1")?
                .query_row([key], |row| row.get(0))
                .optional()
        })
    }

    fn set_meta(&self, key: &str, value: &[u8]) -> Result<()> {
        check_meta_key(key)?;
        let conn = lock(&self.writer);
        conn.prepare_cached("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)")
            .and_then(|mut stmt| stmt.execute((key, value)))
            .sql("writing meta")?;
        Ok(())
    }

    fn clear_projections(&self) -> Result<()> {
        let mut conn = lock(&self.writer);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .sql("starting a write")?;
        tx.execute_batch("DELETE FROM txs; DELETE FROM events; DELETE FROM snapshots;")
            .sql("clearing projections")?;
        tx.commit().sql("committing the cleared projections")
    }

    fn write_projections(&self, txs: &[TxRecord], events: &[EventRecord]) -> Result<()> {
        if txs.len().saturating_add(events.len()) > crate::PROJECTION_ROWS_MAX {
            return Err(StoreError::Invalid { what: "too many projection rows in one call" });
        }
        check_rows(txs, events)?;
        let mut conn = lock(&self.writer);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .sql("starting a write")?;
        let top = txs.iter().map(|t| t.height).chain(events.iter().map(|e| e.height)).max();
        if let Some(top) = top
            && head_in(&tx)?.is_none_or(|(head, _)| top > head)
        {
            return Err(StoreError::Invalid { what: "a projection row is above the head" });
        }
        insert_rows(&tx, txs, events)?;
        tx.commit().sql("committing projections")
    }

    fn try_lock_sequencer(&self) -> Result<bool> {
        let mut held = lock(&self.sequencer_lock);
        if held.is_none() {
            *held = SequencerLock::try_acquire(&self.path)?;
        }
        Ok(held.is_some())
    }

    fn backend_name(&self) -> &'static str {
        "sqlite"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_query_numbers_parameters_in_order() {
        let filter = EventFilter {
            from_height: Some(3),
            addresses: vec![[1; 20], [2; 20]],
            topics: [None, Some(vec![[9; 32]]), None, None],
            account: Some([5; 20]),
            ..EventFilter::default()
        };
        let cursor = Some(EventCursor { height: 4, log_index: 2 });
        let (sql, params) = event_query(&filter, cursor, true, 11).expect("query builds");
        assert!(sql.contains("height >= ?1"));
        assert!(sql.contains("address IN (?2, ?3)"));
        assert!(sql.contains("topic1 IN (?4)"));
        assert!(sql.contains("(height, log_index) < (?5, ?6)"));
        for k in 1..4 {
            assert!(sql.contains(&format!("AND topic{k} = ?8 ORDER BY height DESC")));
        }
        assert_eq!(sql.matches(" UNION ").count(), 2, "one branch per account position");
        assert!(sql.ends_with("AS matched ORDER BY height DESC, log_index DESC LIMIT ?7"));
        assert_eq!(params.len(), 8);
        assert_eq!(params[6], Value::Integer(11));
    }
}
