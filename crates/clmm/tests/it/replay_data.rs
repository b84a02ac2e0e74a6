//! Replay of the shipped mainnet history (Uniswap V3 USDC/WETH 0.05%, 2024-01-05), read from
//! `shared/data/` beside the repository; skipped with a message when absent.

use hoard_clmm::PoolConfig;
use hoard_clmm::replay::{EventKind, parse_csv, parse_jsonl, replay, to_jsonl};

const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/uniswap-v3/ethereum-usdc-weth-500-2024-01-05.events.csv"
);

fn load() -> Option<String> {
    match std::fs::read_to_string(DATA) {
        Ok(t) => Some(t),
        Err(_) => {
            println!("skipped: {DATA} not found");
            None
        }
    }
}

#[test]
fn mainnet_day_replays_with_bootstrap() {
    let Some(text) = load() else { return };
    let events = parse_csv(&text).unwrap();
    assert_eq!(events.len(), 6046 + 54 + 69 + 65);
    let outcome = replay(PoolConfig::uniswap_v3(500).unwrap(), &events).unwrap();
    let r = &outcome.report;
    println!(
        "swaps {} exact {} divergences {} learned {} adopted {}",
        r.swaps, r.swaps_exact, r.divergence_count, r.ticks_learned, r.positions_adopted
    );
    // Measured on this file: 5,931 of 6,045 checked swaps exact to the wei; the rest cross ticks
    // whose liquidity before the history cannot be inferred (docs/CLMM.md). Guard the rate.
    assert!(
        r.swaps_exact * 100 >= 97 * (r.swaps - r.swaps_unchecked),
        "exact swaps {}",
        r.swaps_exact
    );
    assert_eq!(r.divergence_count, r.swaps - r.swaps_unchecked - r.swaps_exact);
    assert!(r.bootstrapped);
    assert_eq!(r.swaps, 6046);
    // The final state is the chain's last recorded state.
    let last = events.iter().rev().find(|e| e.kind == EventKind::Swap).unwrap();
    assert_eq!(outcome.state.sqrt_price_x96, last.sqrt_price_x96.unwrap().to_string());
    assert_eq!(outcome.state.tick, last.tick.unwrap());
    assert_eq!(outcome.state.liquidity, last.pool_liquidity.unwrap().to_string());
}

#[test]
fn csv_and_jsonl_parse_to_the_same_events() {
    let Some(text) = load() else { return };
    let events = parse_csv(&text).unwrap();
    let again = parse_jsonl(&to_jsonl(&events)).unwrap();
    assert!(events == again, "JSON Lines round trip changed the events");
}
