//! Throughput of the three benchmark workloads, in wall time and in CPU time of this thread
//! (from `/proc/thread-self/schedstat`, so that a loaded shared machine does not distort the
//! per-core figure). Run:
//! `cargo run --release -p hoard-clmm --example throughput`.
#![allow(clippy::unwrap_used)]

use std::time::Instant;

const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/uniswap-v3/ethereum-usdc-weth-500-2024-01-05.events.csv"
);

/// Nanoseconds this thread has run on a CPU (Linux), if available.
fn cpu_ns() -> Option<u128> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

fn measure(name: &str, items: u128, f: impl FnOnce()) {
    let (wall, cpu) = (Instant::now(), cpu_ns());
    f();
    let wall_ns = wall.elapsed().as_nanos().max(1);
    let per_s = |ns: u128| items * 1_000_000_000 / ns.max(1);
    match cpu.zip(cpu_ns()) {
        Some((a, b)) => println!(
            "{name}: {items} in {} ms wall, {} ms CPU: {} /s wall, {} /s per CPU-second",
            wall_ns / 1_000_000,
            (b - a) / 1_000_000,
            per_s(wall_ns),
            per_s(b - a)
        ),
        None => println!("{name}: {items} in {} ms: {} /s", wall_ns / 1_000_000, per_s(wall_ns)),
    }
}

fn main() {
    let steps = 2_000_000u64;
    measure("swap steps", u128::from(steps), || {
        std::hint::black_box(hoard_clmm::bench::swap_steps(steps));
    });
    let mut pool = hoard_clmm::bench::crossing_pool(200);
    let swaps = 200_000u64;
    let mut crossed = 0;
    measure("full swaps", u128::from(swaps), || {
        crossed = hoard_clmm::bench::full_swaps(&mut pool, swaps)
    });
    println!("  ({} initialized ticks crossed per swap on average)", crossed / swaps);
    let Ok(text) = std::fs::read_to_string(DATA) else {
        println!("replay: skipped: {DATA} not found");
        return;
    };
    let events = hoard_clmm::replay::parse_csv(&text).unwrap();
    let config = hoard_clmm::PoolConfig::uniswap_v3(500).unwrap();
    let runs = 40;
    let mut exact = 0;
    measure("replayed events", (events.len() * runs) as u128, || {
        for _ in 0..runs {
            exact += hoard_clmm::bench::replay(config, &events);
        }
    });
    println!("  ({} exact swaps per run of {} events)", exact / runs as u64, events.len());
}
