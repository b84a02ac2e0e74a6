//! Throughput of the CLMM engine: swap steps, full swaps with tick crossings, replayed mainnet
//! events. Run: `cargo bench -p hoard-clmm --bench clmm`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hoard_clmm::PoolConfig;
use hoard_clmm::bench;
use hoard_clmm::replay::parse_csv;

const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/uniswap-v3/ethereum-usdc-weth-500-2024-01-05.events.csv"
);

fn benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("clmm");
    g.throughput(Throughput::Elements(1000));
    g.bench_function("swap_step x1000", |b| {
        b.iter(|| black_box(bench::swap_steps(black_box(1000))))
    });

    let pool = bench::crossing_pool(200);
    {
        let mut probe = pool.clone();
        let crossed = bench::full_swaps(&mut probe, 100);
        println!("full swaps cross {} initialized ticks each on average", crossed / 100);
    }
    g.throughput(Throughput::Elements(100));
    g.bench_function("full_swap_with_crossings x100", |b| {
        b.iter_batched(
            || pool.clone(),
            |mut p| black_box(bench::full_swaps(&mut p, 100)),
            criterion::BatchSize::LargeInput,
        )
    });

    match std::fs::read_to_string(DATA) {
        Ok(text) => {
            let events = parse_csv(&text).expect("the shipped file parses");
            let config = PoolConfig::uniswap_v3(500).expect("valid tier");
            g.throughput(Throughput::Elements(events.len() as u64));
            g.bench_function(format!("replay mainnet day ({} events)", events.len()), |b| {
                b.iter(|| black_box(bench::replay(config, black_box(&events))))
            });
        }
        Err(_) => println!("skipped: {DATA} not found"),
    }
    g.finish();
}

criterion_group!(clmm, benches);
criterion_main!(clmm);
