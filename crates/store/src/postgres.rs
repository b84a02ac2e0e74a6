//! The PostgreSQL backend, on the synchronous `postgres` client.
//!
//! One writer client sits behind a mutex and [`POSTGRES_READERS`] clients form a reader pool;
//! PostgreSQL's MVCC means readers never wait for the writer. Each client caches its prepared
//! statements. Rows are written with one `INSERT ... SELECT FROM UNNEST(arrays)` statement per
//! table and chunk, so a block of thousands of rows costs a handful of round trips.
//!
//! The sync client runs its own small runtime: call this store from plain threads or
//! `tokio::task::spawn_blocking`, never directly from async code.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

use postgres::error::SqlState;
use postgres::types::ToSql;
use postgres::{Client, Config, NoTls, Row, Statement, Transaction};

use crate::pool::{Pool, lock};
use crate::sql::{self, Binder, TX_COLUMNS, int};
use crate::{
    Addr20, BLOCKS_FROM_MAX, BlockWrite, EVENTS_PAGE_MAX, EventCursor, EventFilter, EventRecord,
    Hash32, PROJECTION_ROWS_MAX, RECENT_BLOCKS_MAX, Result, SNAPSHOTS_KEPT, SnapshotRecord, Store,
    StoreError, TXS_PAGE_MAX, TxRecord, check_batch, check_extends, check_meta_key, check_rows,
    clamp_limit,
};
use crate::{BlockRecord, error::BoxError};

/// Clients in the reader pool (the writer has its own).
pub const POSTGRES_READERS: usize = 4;
/// How long connecting to the server may take.
pub const POSTGRES_CONNECT_TIMEOUT_S: u64 = 10;
/// Longest a single read statement may run on the server before it is cancelled.
pub const POSTGRES_READ_TIMEOUT_MS: u64 = 30_000;
/// Prepared statements cached per client (the event queries vary with the filter's shape).
pub const POSTGRES_STATEMENT_CACHE_MAX: usize = 128;
/// Most rows sent in one multi-row insert statement.
pub const POSTGRES_INSERT_CHUNK_ROWS: usize = 5_000;
/// Longest schema name accepted by [`PostgresStore::open_in_schema`] (PostgreSQL's limit).
pub const POSTGRES_SCHEMA_NAME_LEN_MAX: usize = 63;

/// Advisory lock key serialising migrations (database-wide; migrations are short).
const MIGRATION_LOCK_KEY: i64 = 0x486f_6172_644d_6967; // "HoardMig"

/// Stepwise schema migrations; migration `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: the log, its projections, snapshots and meta.
    "CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value BYTEA NOT NULL
    );
    CREATE TABLE blocks (
        height BIGINT PRIMARY KEY,
        hash BYTEA NOT NULL UNIQUE,
        parent_hash BYTEA NOT NULL,
        timestamp BIGINT NOT NULL,
        tx_count BIGINT NOT NULL,
        header BYTEA NOT NULL,
        body BYTEA NOT NULL
    );
    CREATE TABLE txs (
        height BIGINT NOT NULL,
        idx BIGINT NOT NULL,
        hash BYTEA NOT NULL,
        sender BYTEA NOT NULL,
        success BOOLEAN NOT NULL,
        code TEXT,
        receipt BYTEA NOT NULL,
        PRIMARY KEY (height, idx)
    );
    CREATE INDEX txs_by_hash ON txs (hash);
    CREATE INDEX txs_by_sender ON txs (sender, height, idx);
    CREATE TABLE events (
        height BIGINT NOT NULL,
        log_index BIGINT NOT NULL,
        tx_index BIGINT NOT NULL,
        tx_hash BYTEA NOT NULL,
        address BYTEA NOT NULL,
        topic0 BYTEA,
        topic1 BYTEA,
        topic2 BYTEA,
        topic3 BYTEA,
        data BYTEA NOT NULL,
        PRIMARY KEY (height, log_index)
    );
    CREATE INDEX events_by_address ON events (address, height, log_index);
    CREATE INDEX events_by_topic0 ON events (topic0, height, log_index);
    CREATE INDEX events_by_topic1 ON events (topic1, height, log_index);
    CREATE INDEX events_by_topic2 ON events (topic2, height, log_index);
    CREATE INDEX events_by_topic3 ON events (topic3, height, log_index);
    CREATE TABLE snapshots (
        height BIGINT PRIMARY KEY,
        state_root BYTEA NOT NULL,
        bytes BYTEA NOT NULL
    );",
    // 2: snapshots that did not match their block, kept for inspection instead of deleted.
    "CREATE TABLE snapshots_set_aside (
        id BIGSERIAL PRIMARY KEY,
        height BIGINT NOT NULL,
        state_root BYTEA NOT NULL,
        bytes BYTEA NOT NULL,
        reason TEXT NOT NULL,
        set_aside_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );",
];

/// Schema version this build writes and reads.
pub const POSTGRES_SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

const BLOCK_COLUMNS: &str = "height, hash, parent_hash, timestamp, tx_count, header, body";

const SELECT_HEAD: &str = "SELECT height, hash FROM blocks ORDER BY height DESC LIMIT 1";
const INSERT_BLOCKS: &str = "INSERT INTO blocks (height, hash, parent_hash, timestamp, tx_count, \
     header, body) SELECT * FROM UNNEST($1::BIGINT[], $2::BYTEA[], $3::BYTEA[], $4::BIGINT[], \
     $5::BIGINT[], $6::BYTEA[], $7::BYTEA[])";
const INSERT_TXS: &str = "INSERT INTO txs (hash, height, idx, sender, success, code, receipt) \
     SELECT * FROM UNNEST($1::BYTEA[], $2::BIGINT[], $3::BIGINT[], $4::BYTEA[], $5::BOOLEAN[], \
     $6::TEXT[], $7::BYTEA[])";
const INSERT_EVENTS: &str = "INSERT INTO events (height, tx_index, log_index, tx_hash, address, \
     topic0, topic1, topic2, topic3, data) SELECT * FROM UNNEST($1::BIGINT[], $2::BIGINT[], \
     $3::BIGINT[], $4::BYTEA[], $5::BYTEA[], $6::BYTEA[], $7::BYTEA[], $8::BYTEA[], $9::BYTEA[], \
     $10::BYTEA[])";

/// How a client is set up after connecting.
#[derive(Debug, Clone)]
struct Settings {
    config: Config,
    schema: Option<String>,
}

/// A client with its prepared-statement cache.
struct Conn {
    client: Client,
    statements: HashMap<String, Statement>,
}

impl Conn {
    fn connect(settings: &Settings, read_only: bool) -> Result<Self> {
        let mut client = settings.config.connect(NoTls).map_err(pg("connecting to PostgreSQL"))?;
        let mut setup = String::new();
        if let Some(schema) = &settings.schema {
            // The writer connects first and creates the schema; readers only select it.
            if !read_only {
                setup.push_str(&format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\";"));
            }
            setup.push_str(&format!("SET search_path TO \"{schema}\";"));
        }
        if read_only {
            setup.push_str(&format!("SET statement_timeout = {POSTGRES_READ_TIMEOUT_MS};"));
        }
        if !setup.is_empty() {
            client.batch_execute(&setup).map_err(pg("setting up a session"))?;
        }
        Ok(Self { client, statements: HashMap::new() })
    }

    fn prepare(&mut self, sql: &str) -> Result<Statement> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(sql).map_err(pg("preparing a statement"))?;
        if self.statements.len() >= POSTGRES_STATEMENT_CACHE_MAX {
            self.statements.clear();
        }
        self.statements.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }
}

/// The writer client and whether it holds the sequencer lock.
struct Writer {
    conn: Option<Conn>,
    holds_sequencer_lock: bool,
}

/// The PostgreSQL store. See the module documentation.
pub struct PostgresStore {
    settings: Settings,
    sequencer_lock_key: i64,
    writer: Mutex<Writer>,
    readers: Pool<Option<Conn>>,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // No URL or config here: they may carry credentials.
        f.debug_struct("PostgresStore")
            .field("schema", &self.settings.schema)
            .finish_non_exhaustive()
    }
}

/// Maps a `postgres` error: a unique violation is reported separately by callers; the rest is
/// a backend failure with the detail kept as the source.
fn pg(op: &'static str) -> impl Fn(postgres::Error) -> StoreError {
    move |err| StoreError::backend(op, err)
}

/// Words for a PostgreSQL error, for logs: the SQLSTATE and the server's message, or the client
/// error (connection refused, closed, ...). Never the connection URL.
pub(crate) fn describe(err: &postgres::Error) -> String {
    match err.as_db_error() {
        Some(db) => {
            let code = db.code().code();
            let kind = match code {
                "53100" => "disk full",
                "53200" => "out of memory",
                "53300" => "too many connections",
                "57P01" | "57P02" | "57P03" => "server shutting down or starting",
                "58030" => "I/O error",
                "XX001" | "XX002" => "data corrupted",
                _ => "server error",
            };
            format!("{kind} (SQLSTATE {code}): {}", db.message())
        }
        None if err.is_closed() => "the connection to PostgreSQL is closed".to_string(),
        None => match std::error::Error::source(err) {
            Some(io) => match io.downcast_ref::<std::io::Error>() {
                Some(io) => crate::error::describe_io(io),
                None => io.to_string(),
            },
            None => err.to_string(),
        },
    }
}

fn is_unique_violation(err: &postgres::Error) -> bool {
    err.code() == Some(&SqlState::UNIQUE_VIOLATION)
}

/// FNV-1a, to derive a per-schema advisory lock key.
fn lock_key(schema: Option<&str>) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in b"hoard-sequencer:".iter().chain(schema.unwrap_or("public").as_bytes()) {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    i64::from_be_bytes(hash.to_be_bytes())
}

fn valid_schema_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b'a'..=b'z' | b'_'))
        && bytes.all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_'))
        && name.len() <= POSTGRES_SCHEMA_NAME_LEN_MAX
}

fn corrupt(_: impl Into<BoxError>) -> StoreError {
    StoreError::Corrupt { what: "a stored value has the wrong type or size" }
}

fn get_u64(row: &Row, column: usize) -> Result<u64> {
    let value: i64 = row.try_get(column).map_err(corrupt)?;
    u64::try_from(value).map_err(corrupt)
}

fn get_u32(row: &Row, column: usize) -> Result<u32> {
    let value: i64 = row.try_get(column).map_err(corrupt)?;
    u32::try_from(value).map_err(corrupt)
}

fn get_array<const N: usize>(row: &Row, column: usize) -> Result<[u8; N]> {
    let value: &[u8] = row.try_get(column).map_err(corrupt)?;
    value.try_into().map_err(corrupt)
}

fn get<'a, T: postgres::types::FromSql<'a>>(row: &'a Row, column: usize) -> Result<T> {
    row.try_get(column).map_err(corrupt)
}

fn block_row(row: &Row) -> Result<BlockRecord> {
    Ok(BlockRecord {
        height: get_u64(row, 0)?,
        hash: get_array(row, 1)?,
        parent_hash: get_array(row, 2)?,
        timestamp: get_u64(row, 3)?,
        tx_count: get_u32(row, 4)?,
        header: get(row, 5)?,
        body: get(row, 6)?,
    })
}

fn tx_row(row: &Row) -> Result<TxRecord> {
    Ok(TxRecord {
        hash: get_array(row, 0)?,
        height: get_u64(row, 1)?,
        index: get_u32(row, 2)?,
        sender: get_array(row, 3)?,
        success: get(row, 4)?,
        code: get(row, 5)?,
        receipt: get(row, 6)?,
    })
}

fn event_row(row: &Row) -> Result<EventRecord> {
    let mut topics = Vec::with_capacity(4);
    for column in 5..9 {
        let topic: Option<&[u8]> = get(row, column)?;
        match topic {
            Some(topic) => topics.push(topic.try_into().map_err(corrupt)?),
            None => break,
        }
    }
    Ok(EventRecord {
        height: get_u64(row, 0)?,
        tx_index: get_u32(row, 1)?,
        log_index: get_u32(row, 2)?,
        tx_hash: get_array(row, 3)?,
        address: get_array(row, 4)?,
        topics,
        data: get(row, 9)?,
    })
}

fn snapshot_row(row: &Row) -> Result<SnapshotRecord> {
    Ok(SnapshotRecord {
        height: get_u64(row, 0)?,
        state_root: get_array(row, 1)?,
        bytes: get(row, 2)?,
    })
}

fn head_in(tx: &mut Transaction<'_>, statement: &Statement) -> Result<Option<(u64, Hash32)>> {
    let row = tx.query_opt(statement, &[]).map_err(pg("reading the head"))?;
    row.map(|row| Ok((get_u64(&row, 0)?, get_array(&row, 1)?))).transpose()
}

/// The statements of the write path, prepared before the transaction starts.
struct WriteStatements {
    head: Statement,
    txs: Statement,
    events: Statement,
}

impl WriteStatements {
    fn prepare(conn: &mut Conn) -> Result<Self> {
        Ok(Self {
            head: conn.prepare(SELECT_HEAD)?,
            txs: conn.prepare(INSERT_TXS)?,
            events: conn.prepare(INSERT_EVENTS)?,
        })
    }
}

fn duplicate_row(err: postgres::Error, op: &'static str) -> StoreError {
    if is_unique_violation(&err) {
        StoreError::Invalid { what: "a projection row already exists" }
    } else {
        StoreError::backend(op, err)
    }
}

/// Inserts projection rows with one multi-row statement per table and chunk.
fn insert_rows(
    tx: &mut Transaction<'_>,
    statements: &WriteStatements,
    txs: &[&TxRecord],
    events: &[&EventRecord],
) -> Result<()> {
    for chunk in txs.chunks(POSTGRES_INSERT_CHUNK_ROWS) {
        let hashes: Vec<&[u8]> = chunk.iter().map(|t| t.hash.as_slice()).collect();
        let heights = chunk.iter().map(|t| int(t.height)).collect::<Result<Vec<i64>>>()?;
        let indexes: Vec<i64> = chunk.iter().map(|t| i64::from(t.index)).collect();
        let senders: Vec<&[u8]> = chunk.iter().map(|t| t.sender.as_slice()).collect();
        let successes: Vec<bool> = chunk.iter().map(|t| t.success).collect();
        let codes: Vec<Option<&str>> = chunk.iter().map(|t| t.code.as_deref()).collect();
        let receipts: Vec<&[u8]> = chunk.iter().map(|t| t.receipt.as_slice()).collect();
        tx.execute(
            &statements.txs,
            &[&hashes, &heights, &indexes, &senders, &successes, &codes, &receipts],
        )
        .map_err(|err| duplicate_row(err, "inserting transactions"))?;
    }
    for chunk in events.chunks(POSTGRES_INSERT_CHUNK_ROWS) {
        let heights = chunk.iter().map(|e| int(e.height)).collect::<Result<Vec<i64>>>()?;
        let tx_indexes: Vec<i64> = chunk.iter().map(|e| i64::from(e.tx_index)).collect();
        let log_indexes: Vec<i64> = chunk.iter().map(|e| i64::from(e.log_index)).collect();
        let tx_hashes: Vec<&[u8]> = chunk.iter().map(|e| e.tx_hash.as_slice()).collect();
        let addresses: Vec<&[u8]> = chunk.iter().map(|e| e.address.as_slice()).collect();
        let topic = |i: usize| -> Vec<Option<&[u8]>> {
            chunk.iter().map(|e| e.topics.get(i).map(|t| t.as_slice())).collect()
        };
        let (topic0, topic1, topic2, topic3) = (topic(0), topic(1), topic(2), topic(3));
        let data: Vec<&[u8]> = chunk.iter().map(|e| e.data.as_slice()).collect();
        tx.execute(
            &statements.events,
            &[
                &heights,
                &tx_indexes,
                &log_indexes,
                &tx_hashes,
                &addresses,
                &topic0,
                &topic1,
                &topic2,
                &topic3,
                &data,
            ],
        )
        .map_err(|err| duplicate_row(err, "inserting events"))?;
    }
    Ok(())
}

type Params = Vec<Box<dyn ToSql + Sync>>;

/// PostgreSQL binding: numbered `$N` placeholders, sets as one array parameter with `= ANY`.
struct PostgresBinder(Params);

impl Binder for PostgresBinder {
    fn int(&mut self, value: i64) -> String {
        self.0.push(Box::new(value));
        format!("${}", self.0.len())
    }
    fn blob(&mut self, value: Vec<u8>) -> String {
        self.0.push(Box::new(value));
        format!("${}", self.0.len())
    }
    fn any_of(&mut self, column: &str, values: Vec<Vec<u8>>) -> String {
        self.0.push(Box::new(values));
        format!("{column} = ANY(${})", self.0.len())
    }
}

/// Builds the SQL and parameters of an event query.
fn event_query(
    filter: &EventFilter,
    after: Option<EventCursor>,
    descending: bool,
    fetch: usize,
) -> Result<(String, Params)> {
    let mut b = PostgresBinder(Vec::new());
    let sql = sql::event_query(filter, after, descending, fetch, &mut b)?;
    Ok((sql, b.0))
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user:password@host:port/db?...`, as libpq), creating and
    /// migrating the schema if needed, in the connection's default schema.
    pub fn open(url: &str) -> Result<Self> {
        Self::connect(url, None)
    }

    /// Like [`PostgresStore::open`], but keeps every table in `schema` (created if missing; a
    /// lowercase identifier of at most [`POSTGRES_SCHEMA_NAME_LEN_MAX`] bytes). Lets several
    /// stores share one database, e.g. parallel tests.
    pub fn open_in_schema(url: &str, schema: &str) -> Result<Self> {
        if !valid_schema_name(schema) {
            return Err(StoreError::Invalid { what: "schema name is not a plain identifier" });
        }
        Self::connect(url, Some(schema.to_owned()))
    }

    fn connect(url: &str, schema: Option<String>) -> Result<Self> {
        let mut config = Config::from_str(url).map_err(|err| StoreError::Backend {
            op: "parsing the PostgreSQL URL",
            source: err.into(),
        })?;
        config
            .connect_timeout(Duration::from_secs(POSTGRES_CONNECT_TIMEOUT_S))
            .application_name("hoard");
        let settings = Settings { config, schema };
        let mut writer = Conn::connect(&settings, false)?;
        migrate(&mut writer.client)?;
        let mut readers = Vec::with_capacity(POSTGRES_READERS);
        for _ in 0..POSTGRES_READERS {
            readers.push(Some(Conn::connect(&settings, true)?));
        }
        Ok(Self {
            sequencer_lock_key: lock_key(settings.schema.as_deref()),
            settings,
            writer: Mutex::new(Writer { conn: Some(writer), holds_sequencer_lock: false }),
            readers: Pool::new(readers),
        })
    }

    /// The schema version recorded in the database.
    pub fn schema_version(&self) -> Result<i64> {
        self.read(|conn| {
            let row = conn
                .client
                .query_one("SELECT COALESCE(MAX(version), 0)::BIGINT FROM schema_version", &[])
                .map_err(pg("reading the schema version"))?;
            get(&row, 0)
        })
    }

    /// Process id of the server session behind the writer client (the session that holds the
    /// sequencer lock), for operators and tests (`pg_terminate_backend`).
    pub fn writer_backend_pid(&self) -> Result<i32> {
        self.write(|conn| {
            let row = conn
                .client
                .query_one("SELECT pg_backend_pid()", &[])
                .map_err(pg("reading the backend pid"))?;
            get(&row, 0)
        })
    }

    /// Runs `f` on a reader client, reconnecting first if the client was lost.
    fn read<T>(&self, f: impl FnOnce(&mut Conn) -> Result<T>) -> Result<T> {
        let mut slot = self.readers.get();
        if slot.as_ref().is_none_or(|conn| conn.client.is_closed()) {
            *slot = None;
            *slot = Some(Conn::connect(&self.settings, true)?);
        }
        let conn = slot.as_mut().expect("invariant: the reader slot was just filled");
        f(conn)
    }

    /// Runs `f` on the writer client, reconnecting first if the client was lost, unless it held
    /// the sequencer lock (then the lock is gone too, and the caller must know).
    fn write<T>(&self, f: impl FnOnce(&mut Conn) -> Result<T>) -> Result<T> {
        let mut writer = lock(&self.writer);
        self.ensure_writer(&mut writer)?;
        let conn = writer.conn.as_mut().expect("invariant: ensure_writer filled the writer");
        f(conn)
    }

    fn ensure_writer(&self, writer: &mut Writer) -> Result<()> {
        if writer.conn.as_ref().is_none_or(|conn| conn.client.is_closed()) {
            writer.conn = None;
            if writer.holds_sequencer_lock {
                writer.holds_sequencer_lock = false;
                return Err(StoreError::LockLost);
            }
            writer.conn = Some(Conn::connect(&self.settings, false)?);
        }
        Ok(())
    }

    fn query_rows<T>(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
        op: &'static str,
        map: impl Fn(&Row) -> Result<T>,
    ) -> Result<Vec<T>> {
        self.read(|conn| {
            let statement = conn.prepare(sql)?;
            let rows = conn.client.query(&statement, params).map_err(pg(op))?;
            rows.iter().map(map).collect()
        })
    }

    fn query_row<T>(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
        op: &'static str,
        map: impl Fn(&Row) -> Result<T>,
    ) -> Result<Option<T>> {
        self.read(|conn| {
            let statement = conn.prepare(sql)?;
            let row = conn.client.query_opt(&statement, params).map_err(pg(op))?;
            row.as_ref().map(map).transpose()
        })
    }
}

fn migrate(client: &mut Client) -> Result<()> {
    loop {
        let mut tx = client.transaction().map_err(pg("starting a migration"))?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK_KEY])
            .map_err(pg("locking for migration"))?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_version (
                version BIGINT PRIMARY KEY,
                applied_at BIGINT NOT NULL
            )",
        )
        .map_err(pg("creating the schema_version table"))?;
        let row = tx
            .query_one("SELECT COALESCE(MAX(version), 0)::BIGINT FROM schema_version", &[])
            .map_err(pg("reading the schema version"))?;
        let current: i64 = get(&row, 0)?;
        if current > POSTGRES_SCHEMA_VERSION {
            return Err(StoreError::SchemaTooNew {
                found: current,
                supported: POSTGRES_SCHEMA_VERSION,
            });
        }
        let Some(step) = usize::try_from(current).ok().and_then(|i| MIGRATIONS.get(i)) else {
            return tx.commit().map_err(pg("finishing migrations"));
        };
        tx.batch_execute(step).map_err(pg("applying a schema migration"))?;
        tx.execute(
            "INSERT INTO schema_version (version, applied_at) \
             VALUES ($1, EXTRACT(EPOCH FROM now())::BIGINT)",
            &[&(current + 1)],
        )
        .map_err(pg("recording a schema migration"))?;
        tx.commit().map_err(pg("committing a schema migration"))?;
    }
}

impl Store for PostgresStore {
    fn append_blocks(&self, blocks: &[BlockWrite]) -> Result<()> {
        let Some(first) = blocks.first() else { return Ok(()) };
        check_batch(blocks)?;
        self.write(|conn| {
            let statements = WriteStatements::prepare(conn)?;
            let insert_blocks = conn.prepare(INSERT_BLOCKS)?;
            let mut tx = conn.client.transaction().map_err(pg("starting a write"))?;
            check_extends(head_in(&mut tx, &statements.head)?, &first.block)?;
            for chunk in blocks.chunks(POSTGRES_INSERT_CHUNK_ROWS) {
                let heights =
                    chunk.iter().map(|w| int(w.block.height)).collect::<Result<Vec<i64>>>()?;
                let hashes: Vec<&[u8]> = chunk.iter().map(|w| w.block.hash.as_slice()).collect();
                let parents: Vec<&[u8]> =
                    chunk.iter().map(|w| w.block.parent_hash.as_slice()).collect();
                let times =
                    chunk.iter().map(|w| int(w.block.timestamp)).collect::<Result<Vec<i64>>>()?;
                let counts: Vec<i64> = chunk.iter().map(|w| i64::from(w.block.tx_count)).collect();
                let headers: Vec<&[u8]> = chunk.iter().map(|w| w.block.header.as_slice()).collect();
                let bodies: Vec<&[u8]> = chunk.iter().map(|w| w.block.body.as_slice()).collect();
                tx.execute(
                    &insert_blocks,
                    &[&heights, &hashes, &parents, &times, &counts, &headers, &bodies],
                )
                .map_err(|err| {
                    if is_unique_violation(&err) {
                        StoreError::Conflict {
                            height: first.block.height,
                            reason: "a block with this hash or height already exists",
                        }
                    } else {
                        StoreError::backend("inserting blocks", err)
                    }
                })?;
            }
            let txs: Vec<&TxRecord> = blocks.iter().flat_map(|w| &w.txs).collect();
            let events: Vec<&EventRecord> = blocks.iter().flat_map(|w| &w.events).collect();
            insert_rows(&mut tx, &statements, &txs, &events)?;
            tx.commit().map_err(pg("committing blocks"))
        })
    }

    fn head(&self) -> Result<Option<(u64, Hash32)>> {
        self.query_row(SELECT_HEAD, &[], "reading the head", |row| {
            Ok((get_u64(row, 0)?, get_array(row, 1)?))
        })
    }

    fn block(&self, height: u64) -> Result<Option<BlockRecord>> {
        let Ok(height) = i64::try_from(height) else { return Ok(None) };
        self.query_row(
            &format!("SELECT {BLOCK_COLUMNS} FROM blocks WHERE height = $1"),
            &[&height],
            "reading a block",
            block_row,
        )
    }

    fn block_by_hash(&self, hash: &Hash32) -> Result<Option<BlockRecord>> {
        self.query_row(
            &format!("SELECT {BLOCK_COLUMNS} FROM blocks WHERE hash = $1"),
            &[&hash.as_slice()],
            "reading a block by hash",
            block_row,
        )
    }

    fn blocks_from(&self, from: u64, limit: usize) -> Result<Vec<BlockRecord>> {
        let Ok(from) = i64::try_from(from) else { return Ok(Vec::new()) };
        let limit = clamp_limit(limit, BLOCKS_FROM_MAX) as i64;
        self.query_rows(
            &format!(
                "SELECT {BLOCK_COLUMNS} FROM blocks WHERE height >= $1 ORDER BY height LIMIT $2"
            ),
            &[&from, &limit],
            "reading blocks",
            block_row,
        )
    }

    fn recent_blocks(&self, before: Option<u64>, limit: usize) -> Result<Vec<BlockRecord>> {
        let before = before.map_or(i64::MAX, |b| i64::try_from(b).unwrap_or(i64::MAX));
        let limit = clamp_limit(limit, RECENT_BLOCKS_MAX) as i64;
        self.query_rows(
            &format!(
                "SELECT {BLOCK_COLUMNS} FROM blocks WHERE height < $1 \
                 ORDER BY height DESC LIMIT $2"
            ),
            &[&before, &limit],
            "reading recent blocks",
            block_row,
        )
    }

    fn tx(&self, hash: &Hash32) -> Result<Option<TxRecord>> {
        self.query_row(
            &format!("SELECT {TX_COLUMNS} FROM txs WHERE hash = $1 ORDER BY height, idx LIMIT 1"),
            &[&hash.as_slice()],
            "reading a transaction",
            tx_row,
        )
    }

    fn txs_in_block(&self, height: u64) -> Result<Vec<TxRecord>> {
        let Ok(height) = i64::try_from(height) else { return Ok(Vec::new()) };
        self.query_rows(
            &format!("SELECT {TX_COLUMNS} FROM txs WHERE height = $1 ORDER BY idx"),
            &[&height],
            "reading a block's transactions",
            tx_row,
        )
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
        self.query_rows(
            &format!(
                "SELECT {TX_COLUMNS} FROM txs WHERE sender = $1 AND (height, idx) < ($2, $3) \
                 ORDER BY height DESC, idx DESC LIMIT $4"
            ),
            &[&sender.as_slice(), &height, &index, &limit],
            "reading an account's transactions",
            tx_row,
        )
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
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p.as_ref()).collect();
        let mut events = self.query_rows(&sql, &refs, "querying events", event_row)?;
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
        self.write(|conn| {
            let mut tx = conn.client.transaction().map_err(pg("starting a write"))?;
            tx.execute(
                "INSERT INTO snapshots (height, state_root, bytes) VALUES ($1, $2, $3) \
                 ON CONFLICT (height) DO UPDATE SET state_root = EXCLUDED.state_root, \
                 bytes = EXCLUDED.bytes",
                &[&height, &snapshot.state_root.as_slice(), &snapshot.bytes],
            )
            .map_err(pg("writing a snapshot"))?;
            tx.execute(
                "DELETE FROM snapshots WHERE height NOT IN \
                 (SELECT height FROM snapshots ORDER BY height DESC LIMIT $1)",
                &[&(SNAPSHOTS_KEPT as i64)],
            )
            .map_err(pg("pruning snapshots"))?;
            tx.commit().map_err(pg("committing a snapshot"))
        })
    }

    fn latest_snapshot(&self) -> Result<Option<SnapshotRecord>> {
        self.query_row(
            "SELECT height, state_root, bytes FROM snapshots ORDER BY height DESC LIMIT 1",
            &[],
            "reading the latest snapshot",
            snapshot_row,
        )
    }

    fn snapshot(&self, height: u64) -> Result<Option<SnapshotRecord>> {
        let Ok(height) = i64::try_from(height) else { return Ok(None) };
        self.query_row(
            "SELECT height, state_root, bytes FROM snapshots WHERE height = $1",
            &[&height],
            "reading a snapshot",
            snapshot_row,
        )
    }

    fn set_aside_snapshot(&self, height: u64, reason: &str) -> Result<()> {
        let height = int(height)?;
        self.write(|conn| {
            let mut tx = conn.client.transaction().map_err(pg("starting a write"))?;
            tx.execute(
                "INSERT INTO snapshots_set_aside (height, state_root, bytes, reason) \
                 SELECT height, state_root, bytes, $2 FROM snapshots WHERE height = $1",
                &[&height, &reason],
            )
            .map_err(pg("setting a snapshot aside"))?;
            tx.execute("DELETE FROM snapshots WHERE height = $1", &[&height])
                .map_err(pg("setting a snapshot aside"))?;
            tx.execute(
                "DELETE FROM snapshots_set_aside WHERE id NOT IN \
                 (SELECT id FROM snapshots_set_aside ORDER BY id DESC LIMIT $1)",
                &[&(crate::SNAPSHOTS_SET_ASIDE_KEPT as i64)],
            )
            .map_err(pg("pruning set-aside snapshots"))?;
            tx.commit().map_err(pg("committing a set-aside snapshot"))
        })
    }

    fn snapshot_heights(&self) -> Result<Vec<u64>> {
        self.query_rows(
            "SELECT height FROM snapshots ORDER BY height DESC",
            &[],
            "listing snapshots",
            |row| get_u64(row, 0),
        )
    }

    fn meta(&self, key: &str) -> Result<Option<Vec<u8>>> {
        check_meta_key(key)?;
        self.query_row("SELECT value FROM meta WHERE key = $1", &[&key], "reading meta", |row| {
            get(row, 0)
        })
    }

    fn set_meta(&self, key: &str, value: &[u8]) -> Result<()> {
        check_meta_key(key)?;
        self.write(|conn| {
            let statement = conn.prepare(
                "INSERT INTO meta (key, value) VALUES ($1, $2) \
                 ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            )?;
            conn.client.execute(&statement, &[&key, &value]).map_err(pg("writing meta"))?;
            Ok(())
        })
    }

    fn clear_projections(&self) -> Result<()> {
        self.write(|conn| {
            let mut tx = conn.client.transaction().map_err(pg("starting a write"))?;
            tx.batch_execute("DELETE FROM txs; DELETE FROM events; DELETE FROM snapshots;")
                .map_err(pg("clearing projections"))?;
            tx.commit().map_err(pg("committing the cleared projections"))
        })
    }

    fn write_projections(&self, txs: &[TxRecord], events: &[EventRecord]) -> Result<()> {
        if txs.len().saturating_add(events.len()) > PROJECTION_ROWS_MAX {
            return Err(StoreError::Invalid { what: "too many projection rows in one call" });
        }
        check_rows(txs, events)?;
        self.write(|conn| {
            let statements = WriteStatements::prepare(conn)?;
            let mut tx = conn.client.transaction().map_err(pg("starting a write"))?;
            let top = txs.iter().map(|t| t.height).chain(events.iter().map(|e| e.height)).max();
            if let Some(top) = top
                && head_in(&mut tx, &statements.head)?.is_none_or(|(head, _)| top > head)
            {
                return Err(StoreError::Invalid { what: "a projection row is above the head" });
            }
            let txs: Vec<&TxRecord> = txs.iter().collect();
            let events: Vec<&EventRecord> = events.iter().collect();
            insert_rows(&mut tx, &statements, &txs, &events)?;
            tx.commit().map_err(pg("committing projections"))
        })
    }

    fn try_lock_sequencer(&self) -> Result<bool> {
        let mut writer = lock(&self.writer);
        self.ensure_writer(&mut writer)?;
        if writer.holds_sequencer_lock {
            return Ok(true);
        }
        let conn = writer.conn.as_mut().expect("invariant: ensure_writer filled the writer");
        let row = conn
            .client
            .query_one("SELECT pg_try_advisory_lock($1)", &[&self.sequencer_lock_key])
            .map_err(pg("taking the sequencer lock"))?;
        let taken: bool = get(&row, 0)?;
        writer.holds_sequencer_lock = taken;
        Ok(taken)
    }

    fn backend_name(&self) -> &'static str {
        "postgres"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_names_are_plain_identifiers() {
        assert!(valid_schema_name("hoard_t1"));
        assert!(valid_schema_name("_x"));
        assert!(!valid_schema_name(""));
        assert!(!valid_schema_name("1abc"));
        assert!(!valid_schema_name("a\"; DROP TABLE blocks; --"));
        assert!(!valid_schema_name("Upper"));
        assert!(!valid_schema_name(&"a".repeat(64)));
    }

    #[test]
    fn lock_keys_differ_per_schema() {
        assert_eq!(lock_key(None), lock_key(Some("public")));
        assert_ne!(lock_key(Some("a")), lock_key(Some("b")));
    }

    #[test]
    fn event_query_uses_arrays_for_sets() {
        let filter = EventFilter {
            to_height: Some(9),
            addresses: vec![[1; 20], [2; 20]],
            topics: [Some(vec![[3; 32]]), None, None, Some(vec![])],
            ..EventFilter::default()
        };
        let (sql, params) = event_query(&filter, None, false, 5).expect("query builds");
        assert!(sql.contains("height <= $1"));
        assert!(sql.contains("address = ANY($2)"));
        assert!(sql.contains("topic0 = ANY($3)"));
        assert!(!sql.contains("topic3 = "), "an empty set is a wildcard");
        assert!(sql.ends_with("ORDER BY height ASC, log_index ASC LIMIT $4"));
        assert_eq!(params.len(), 4);
    }
}
