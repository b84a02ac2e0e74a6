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
            // Written to the stderr handle, which libtest does not capture, so a skip is always visible.
            let _ = std::io::Write::write_fmt(
                &mut std::io::stderr(),
                format_args!(
                    "skipped: {}: {DATA} not found\n",
                    std::thread::current().name().unwrap_or("a test")
                ),
            );
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

/// A history produced by a pool (initialize, mints, burns, collects, exact-input and
/// exact-output swaps, some with price limits) replays from JSON Lines with no divergence and
/// ends in the same state: the replay finds each swap's mode from its amounts alone.
#[test]
fn generated_history_replays_exactly() {
    use alloy_primitives::{Address, I256, U256};
    use hoard_clmm::Pool;
    use hoard_clmm::math::tick_math::{MAX_SQRT_RATIO, MIN_SQRT_RATIO, get_sqrt_ratio_at_tick};
    use hoard_clmm::replay::{Event, Replayer};

    let config = PoolConfig::uniswap_v3(3000).unwrap();
    let mut pool = Pool::new(config);
    let price = get_sqrt_ratio_at_tick(100).unwrap();
    pool.initialize(price, 10).unwrap();
    let blank = Event {
        block: 0,
        time: 10,
        kind: EventKind::Initialize,
        owner: Address::ZERO,
        tick_lower: 0,
        tick_upper: 0,
        liquidity: 0,
        amount0: I256::ZERO,
        amount1: I256::ZERO,
        sqrt_price_x96: Some(price),
        tick: None,
        pool_liquidity: None,
    };
    let mut events = vec![blank.clone()];
    let background = Address::repeat_byte(9);
    let (b0, b1) = pool.mint(background, -887_220, 887_220, 10u128.pow(20), 10).unwrap();
    events.push(Event {
        kind: EventKind::Mint,
        owner: background,
        tick_lower: -887_220,
        tick_upper: 887_220,
        liquidity: 10u128.pow(20),
        amount0: I256::from_raw(b0),
        amount1: I256::from_raw(b1),
        sqrt_price_x96: None,
        ..blank.clone()
    });
    let lps = [Address::repeat_byte(1), Address::repeat_byte(2), Address::repeat_byte(3)];
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for i in 0..400u32 {
        let time = 10 + i * 7;
        let r = next();
        let lp = lps[(r % 3) as usize];
        let lower = ((r >> 8) % 40) as i32 * 60 - 1200;
        let upper = lower + 60 * (1 + ((r >> 16) % 10) as i32);
        match r % 10 {
            0 | 1 => {
                let l = 10u128.pow(15 + ((r >> 24) % 5) as u32);
                let (a0, a1) = pool.mint(lp, lower, upper, l, time).unwrap();
                events.push(Event {
                    time,
                    kind: EventKind::Mint,
                    owner: lp,
                    tick_lower: lower,
                    tick_upper: upper,
                    liquidity: l,
                    amount0: I256::from_raw(a0),
                    amount1: I256::from_raw(a1),
                    sqrt_price_x96: None,
                    ..blank.clone()
                });
            }
            2 => {
                let held: Vec<_> =
                    pool.positions_sorted().into_iter().filter(|(_, p)| p.liquidity > 0).collect();
                if let Some((k, p)) = held.get((r >> 32) as usize % held.len().max(1)) {
                    let l = p.liquidity / 2 + 1;
                    let (a0, a1) = pool.burn(k.owner, k.tick_lower, k.tick_upper, l, time).unwrap();
                    events.push(Event {
                        time,
                        kind: EventKind::Burn,
                        owner: k.owner,
                        tick_lower: k.tick_lower,
                        tick_upper: k.tick_upper,
                        liquidity: l,
                        amount0: I256::from_raw(a0),
                        amount1: I256::from_raw(a1),
                        sqrt_price_x96: None,
                        ..blank.clone()
                    });
                    let (c0, c1) = pool
                        .collect(k.owner, k.tick_lower, k.tick_upper, u128::MAX, u128::MAX)
                        .unwrap();
                    events.push(Event {
                        time,
                        kind: EventKind::Collect,
                        owner: k.owner,
                        tick_lower: k.tick_lower,
                        tick_upper: k.tick_upper,
                        amount0: I256::from_raw(U256::from(c0)),
                        amount1: I256::from_raw(U256::from(c1)),
                        sqrt_price_x96: None,
                        ..blank.clone()
                    });
                }
            }
            _ => {
                let z = r & (1 << 40) != 0;
                let m = I256::try_from(10i128.pow(14 + ((r >> 41) % 6) as u32) + (r >> 50) as i128)
                    .unwrap();
                let amount = if r & (1 << 47) != 0 { -m } else { m };
                let limit = if r & (1 << 48) != 0 {
                    let t = (pool.tick() + if z { -30 } else { 30 }).clamp(-887_000, 887_000);
                    get_sqrt_ratio_at_tick(t).unwrap()
                } else if z {
                    MIN_SQRT_RATIO + U256::ONE
                } else {
                    MAX_SQRT_RATIO - U256::ONE
                };
                if let Ok(s) = pool.swap(z, amount, limit, time) {
                    events.push(Event {
                        time,
                        kind: EventKind::Swap,
                        amount0: s.amount0,
                        amount1: s.amount1,
                        sqrt_price_x96: Some(s.sqrt_price_x96),
                        tick: Some(s.tick),
                        pool_liquidity: Some(s.liquidity),
                        ..blank.clone()
                    });
                }
            }
        }
    }
    let parsed = parse_jsonl(&to_jsonl(&events)).unwrap();
    let mut replayer = Replayer::new(config);
    replayer.apply_all(&parsed).unwrap();
    let report = replayer.report().clone();
    assert!(report.swaps > 200, "swaps {}", report.swaps);
    assert!(report.swaps_exact_output > 20, "exact-output swaps {}", report.swaps_exact_output);
    assert_eq!(report.divergence_count, 0, "{:?}", report.divergences.first());
    assert_eq!(report.swaps_exact, report.swaps);
    let replayed = replayer.pool().unwrap();
    assert_eq!(replayed.sqrt_price_x96(), pool.sqrt_price_x96());
    assert_eq!(replayed.liquidity(), pool.liquidity());
    assert_eq!(replayed.fee_growth_global_x128(), pool.fee_growth_global_x128());
    assert_eq!(replayed.balances(), pool.balances());
    assert_eq!(replayed.positions_sorted(), pool.positions_sorted());
}
