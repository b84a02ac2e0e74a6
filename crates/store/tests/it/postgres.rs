//! The conformance suite on PostgreSQL, when `HOARD_TEST_POSTGRES_URL` is set. Each test works
//! in its own fresh schema of that database, so tests run in parallel; the schema is dropped at
//! the end. Without the variable every test here prints that it was skipped, and passes.

use std::sync::atomic::{AtomicU64, Ordering};

use hoard_store::conformance::{self, fixtures};
use hoard_store::{PostgresStore, Store};

pub const URL_VAR: &str = "HOARD_TEST_POSTGRES_URL";

/// The test database URL, or `None` after saying the test is skipped.
pub fn test_url() -> Option<String> {
    match std::env::var(URL_VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            // Written to the stderr handle, which libtest does not capture, so a skip is always visible.
            let _ = std::io::Write::write_fmt(
                &mut std::io::stderr(),
                format_args!(
                    "skipped: {}: {URL_VAR} not set\n",
                    std::thread::current().name().unwrap_or("a test")
                ),
            );
            None
        }
    }
}

/// A fresh schema, dropped (with everything in it) when this guard goes.
pub struct TempSchema {
    pub url: String,
    pub name: String,
}

impl TempSchema {
    pub fn new() -> Option<Self> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let url = test_url()?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!(
            "hoard_t{}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            nanos
        );
        Some(Self { url, name })
    }

    pub fn open(&self) -> PostgresStore {
        PostgresStore::open_in_schema(&self.url, &self.name).expect("open postgres store")
    }
}

impl Drop for TempSchema {
    fn drop(&mut self) {
        if let Ok(mut client) = postgres::Client::connect(&self.url, postgres::NoTls) {
            let _ =
                client.batch_execute(&format!("DROP SCHEMA IF EXISTS \"{}\" CASCADE", self.name));
        }
    }
}

/// A store in a fresh schema; the schema guard drops after the store (field order).
pub struct TempStore {
    pub store: PostgresStore,
    _schema: TempSchema,
}

impl AsRef<dyn Store> for TempStore {
    fn as_ref(&self) -> &(dyn Store + 'static) {
        &self.store
    }
}

pub fn temp_store() -> Option<TempStore> {
    let schema = TempSchema::new()?;
    Some(TempStore { store: schema.open(), _schema: schema })
}

fn fresh() -> Option<TempStore> {
    temp_store()
}

fn factory() -> Option<Box<dyn Fn() -> Box<dyn Store>>> {
    let schema = TempSchema::new()?;
    Some(Box::new(move || Box::new(schema.open()) as Box<dyn Store>))
}

super::conformance_tests!(fresh, factory;
    stores: [
        empty_store, append_and_read_back, first_block_height, conflict_wrong_height,
        conflict_wrong_parent, conflict_is_atomic, invalid_input_refused, filter_by_address,
        filter_by_topic_positions, filter_or_sets, filter_by_account, filter_by_height_range,
        pagination_ascending, pagination_descending, page_limits_clamp, recent_blocks_order,
        txs_by_sender_order, snapshots_keep_n, snapshots_set_aside, meta_round_trip, reindex_reproduces,
        concurrent_readers,
    ];
    factories: [durability_across_reopen, sequencer_lock]
);

#[test]
fn migrations_are_recorded_once_and_newer_schema_is_refused() {
    let Some(schema) = TempSchema::new() else { return };
    drop(schema.open());
    let store = schema.open();
    assert_eq!(
        store.schema_version().expect("version"),
        hoard_store::postgres::POSTGRES_SCHEMA_VERSION
    );
    drop(store);
    let mut client = postgres::Client::connect(&schema.url, postgres::NoTls).expect("connect");
    let table = format!("\"{}\".schema_version", schema.name);
    let rows: i64 =
        client.query_one(&format!("SELECT COUNT(*) FROM {table}"), &[]).expect("count").get(0);
    assert_eq!(rows, hoard_store::postgres::POSTGRES_SCHEMA_VERSION, "one row per migration");
    client
        .batch_execute(&format!("INSERT INTO {table} (version, applied_at) VALUES (999, 0)"))
        .expect("fake a future migration");
    let err = PostgresStore::open_in_schema(&schema.url, &schema.name).expect_err("refused");
    assert_eq!(err.code(), "store.schema");
}

#[test]
fn a_second_writer_cannot_fork_the_log() {
    let Some(schema) = TempSchema::new() else { return };
    let (a, b) = (schema.open(), schema.open());
    let chain = fixtures::chain_after(None, 2, 3, 1, 1);
    a.append_blocks(&chain[..1]).expect("a appends");
    let fork = fixtures::chain_after(a.head().expect("head"), 1, 1, 0, 99);
    b.append_blocks(&fork).expect("b extends the head it sees");
    let err = a.append_blocks(&chain[1..]).expect_err("a's block no longer extends the head");
    assert_eq!(err.code(), "store.conflict");
    assert_eq!(a.head().expect("head"), Some((2, fork[0].block.hash)));
}

#[test]
fn bad_schema_name_is_refused_and_errors_hide_credentials() {
    let Some(url) = test_url() else { return };
    let err = PostgresStore::open_in_schema(&url, "x; drop").expect_err("refused");
    assert_eq!(err.code(), "store.invalid");
    let err =
        hoard_store::open("postgres://hoard:topsecret@127.0.0.1:1/nothing").err().expect("fails");
    assert!(!err.to_string().contains("topsecret"));
}

#[test]
fn model_agrees_after_a_long_chain() {
    let Some(store) = temp_store() else { return };
    let mut model = conformance::Model::default();
    for seed in 0..5 {
        let chain = fixtures::chain_after(model.head(), 10, 30, 3, seed);
        conformance::append_both(store.as_ref(), &mut model, &chain);
    }
    conformance::assert_same_answers(store.as_ref(), &model);
}

#[test]
fn a_url_can_choose_the_schema_through_libpq_options() {
    let Some(schema) = TempSchema::new() else { return };
    let mut client = postgres::Client::connect(&schema.url, postgres::NoTls).expect("connect");
    client.batch_execute(&format!("CREATE SCHEMA \"{}\"", schema.name)).expect("create schema");
    let separator = if schema.url.contains('?') { '&' } else { '?' };
    let url = format!("{}{separator}options=-csearch_path%3D{}", schema.url, schema.name);
    let store = hoard_store::open(&url).expect("open through the URL");
    store.set_meta("where", b"here").expect("meta");
    let rows: i64 = client
        .query_one(&format!("SELECT COUNT(*) FROM \"{}\".meta", schema.name), &[])
        .expect("the meta table lives in the chosen schema")
        .get(0);
    assert_eq!(rows, 1);
}

#[test]
fn losing_the_sequencer_session_is_reported_then_recoverable() {
    let Some(schema) = TempSchema::new() else { return };
    let store = schema.open();
    let standby = schema.open();
    assert!(store.try_lock_sequencer().expect("lock"));
    assert!(!standby.try_lock_sequencer().expect("lock"), "held by the first store");
    let chain = fixtures::chain_after(None, 2, 2, 1, 5);
    store.append_blocks(&chain[..1]).expect("append while holding the lock");

    // The server ends the sequencer's session (a network cut, a restart, an operator).
    let pid = store.writer_backend_pid().expect("pid");
    let mut admin = postgres::Client::connect(&schema.url, postgres::NoTls).expect("connect");
    let killed: bool =
        admin.query_one("SELECT pg_terminate_backend($1)", &[&pid]).expect("terminate").get(0);
    assert!(killed);
    let code = store.append_blocks(&chain[1..]).expect_err("the session is gone").code();
    assert!(code == "store.lock_lost" || code == "store.backend", "got {code}");
    if code == "store.backend" {
        // The first failure noticed the dead connection; the next call reports the lost lock.
        let err = store.append_blocks(&chain[1..]).expect_err("lock lost");
        assert_eq!(err.code(), "store.lock_lost");
    }
    // The standby takes over; the old sequencer can no longer get the lock back.
    let mut taken = false;
    for _ in 0..50 {
        if standby.try_lock_sequencer().expect("lock") {
            taken = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(taken, "the standby takes the lock once the session is gone");
    assert!(!store.try_lock_sequencer().expect("lock"), "the old sequencer is now a standby");
    standby.append_blocks(&chain[1..]).expect("the new sequencer appends");
    assert_eq!(store.head().expect("head"), Some((2, chain[1].block.hash)));
}
