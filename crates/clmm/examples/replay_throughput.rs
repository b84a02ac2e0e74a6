//! Replays the shipped mainnet day N times and prints events per second of wall time. On a
//! shared machine, run it under `perf stat -e task-clock` to get the CPU time of one core:
//! `cargo build --release -p hoard-clmm --example replay_throughput &&
//!  perf stat -e task-clock target/release/examples/replay_throughput 40`.
#![allow(clippy::unwrap_used)]

use std::time::Instant;

const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/uniswap-v3/ethereum-usdc-weth-500-2024-01-05.events.csv"
);

fn main() {
    let Ok(text) = std::fs::read_to_string(DATA) else {
        println!("skipped: {DATA} not found");
        return;
    };
    let runs: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(40);
    let events = hoard_clmm::replay::parse_csv(&text).unwrap();
    let config = hoard_clmm::PoolConfig::uniswap_v3(500).unwrap();
    let start = Instant::now();
    let mut exact = 0;
    for _ in 0..runs {
        exact += hoard_clmm::bench::replay(config, &events);
    }
    let elapsed = start.elapsed();
    let total = (events.len() * runs) as u128;
    println!(
        "{total} events in {} ms: {} events/s of wall time ({} exact swaps per run)",
        elapsed.as_millis(),
        total * 1_000_000 / elapsed.as_micros().max(1),
        exact / runs as u64
    );
}
