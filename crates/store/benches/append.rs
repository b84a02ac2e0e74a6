//! Throughput of `Store::append_blocks` (durable group commit) and of an event page query.
//!
//! `cargo bench -p hoard-store --bench append`; set `HOARD_TEST_POSTGRES_URL` to also measure
//! PostgreSQL. Each append commits durably (SQLite WAL with synchronous=FULL; a PostgreSQL
//! commit). Blocks look like a busy ledger: 1,000 transfers with a ~120-byte receipt each and two
//! 3-topic events per transfer (2,000 events), a 250-byte body entry per command.

use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hoard_store::conformance::fixtures::{self, Rng};
use hoard_store::{
    BlockRecord, BlockWrite, EventFilter, EventRecord, Hash32, Store, TxRecord, pad_address,
};

const TXS_PER_BLOCK: u32 = 1_000;
const EVENTS_PER_TX: u32 = 2;

/// A block of transfers at `height` on `parent`.
fn transfer_block(height: u64, parent: Hash32) -> BlockWrite {
    let mut rng = Rng(height);
    let mut txs = Vec::with_capacity(TXS_PER_BLOCK as usize);
    let mut events = Vec::with_capacity((TXS_PER_BLOCK * EVENTS_PER_TX) as usize);
    for index in 0..TXS_PER_BLOCK {
        let hash = fixtures::hash(0x70, height, u64::from(index));
        let sender: [u8; 20] = fixtures::hash(0x51, rng.below(10_000), 0)[..20]
            .try_into()
            .expect("invariant: 20 of 32 bytes");
        let to = fixtures::hash(0x52, rng.below(10_000), 0);
        txs.push(TxRecord {
            hash,
            height,
            index,
            sender,
            success: true,
            code: None,
            receipt: vec![0x42; 120],
        });
        for e in 0..EVENTS_PER_TX {
            let log_index = index * EVENTS_PER_TX + e;
            events.push(EventRecord {
                height,
                tx_index: index,
                log_index,
                tx_hash: hash,
                address: fixtures::CONTRACTS[e as usize % fixtures::CONTRACTS.len()],
                topics: vec![fixtures::SIGNATURES[e as usize % 3], pad_address(&sender), to],
                data: rng.next_u64().to_be_bytes().repeat(4),
            });
        }
    }
    BlockWrite {
        block: BlockRecord {
            height,
            hash: fixtures::hash(0xb0, height, 0),
            parent_hash: parent,
            timestamp: 1_700_000_000 + height,
            tx_count: TXS_PER_BLOCK,
            header: vec![7; 200],
            body: vec![9; 250 * TXS_PER_BLOCK as usize],
        },
        txs,
        events,
    }
}

/// Appends `per_commit` fresh blocks per timed call.
fn bench_append(c: &mut Criterion, name: &str, store: &dyn Store, per_commit: usize) {
    let mut group = c.benchmark_group(name);
    group.sample_size(20).measurement_time(Duration::from_secs(15));
    group.throughput(Throughput::Elements(u64::from(TXS_PER_BLOCK) * per_commit as u64));
    group.bench_function(format!("append_{per_commit}x1000tx_2000ev"), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let (mut height, mut parent) =
                    store.head().expect("head").map_or((1, [0; 32]), |(h, hash)| (h + 1, hash));
                let mut batch = Vec::with_capacity(per_commit);
                for _ in 0..per_commit {
                    let block = transfer_block(height, parent);
                    parent = block.block.hash;
                    height += 1;
                    batch.push(block);
                }
                let start = Instant::now();
                store.append_blocks(&batch).expect("append");
                total += start.elapsed();
            }
            total
        });
    });
    group.finish();
}

/// The two halves of a deferred-projection design: the log entry alone (what a sequencer must
/// make durable before acknowledging), then its projection rows through `write_projections`.
fn bench_split(c: &mut Criterion, name: &str, store: &dyn Store) {
    let mut group = c.benchmark_group(name);
    group.sample_size(20).measurement_time(Duration::from_secs(15));
    group.throughput(Throughput::Elements(u64::from(TXS_PER_BLOCK)));
    group.bench_function("log_only_1x1000tx", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let (height, parent) =
                    store.head().expect("head").map_or((1, [0; 32]), |(h, x)| (h + 1, x));
                let mut block = transfer_block(height, parent);
                let (txs, events) =
                    (std::mem::take(&mut block.txs), std::mem::take(&mut block.events));
                let start = Instant::now();
                store.append_blocks(&[block]).expect("append");
                total += start.elapsed();
                store.write_projections(&txs, &events).expect("projections");
            }
            total
        });
    });
    group.finish();
}

fn bench_events(c: &mut Criterion, name: &str, store: &dyn Store) {
    let mut group = c.benchmark_group(name);
    group.sample_size(20).measurement_time(Duration::from_secs(5));
    let by_contract = EventFilter { addresses: vec![fixtures::CONTRACTS[1]], ..Default::default() };
    group.bench_function("events_page_100_newest_by_address", |b| {
        b.iter(|| store.events(&by_contract, None, true, 100).expect("events"))
    });
    group.finish();
}

fn backends(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite = hoard_store::SqliteStore::open(dir.path().join("bench.db")).expect("sqlite");
    bench_append(c, "sqlite", &sqlite, 1);
    bench_append(c, "sqlite", &sqlite, 4);
    bench_split(c, "sqlite", &sqlite);
    bench_events(c, "sqlite", &sqlite);
    drop(sqlite);

    match std::env::var("HOARD_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => {
            let schema = format!("hoard_bench_{}", std::process::id());
            let pg = hoard_store::PostgresStore::open_in_schema(&url, &schema).expect("postgres");
            bench_append(c, "postgres", &pg, 1);
            bench_append(c, "postgres", &pg, 4);
            bench_split(c, "postgres", &pg);
            bench_events(c, "postgres", &pg);
            drop(pg);
            if let Ok(mut client) = postgres::Client::connect(&url, postgres::NoTls) {
                let _ = client.batch_execute(&format!("DROP SCHEMA \"{schema}\" CASCADE"));
            }
        }
        _ => println!("postgres benches skipped: HOARD_TEST_POSTGRES_URL not set"),
    }
}

criterion_group!(benches, backends);
criterion_main!(benches);
