//! Property tests of the invariants in the crate header.

use alloy_primitives::{Address, I256, U256};
use hoard_clmm::math::tick_math::{
    MAX_SQRT_RATIO, MAX_TICK, MIN_SQRT_RATIO, MIN_TICK, get_sqrt_ratio_at_tick,
    get_tick_at_sqrt_ratio,
};
use hoard_clmm::tick::fee_growth_inside;
use hoard_clmm::{Pool, PoolConfig};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 5000, ..ProptestConfig::default() })]

    /// tick -> price -> tick is the identity, and the price sits in [S(t), S(t+1)). The price of
    /// MAX_TICK is MAX_SQRT_RATIO, which `getTickAtSqrtRatio` refuses (it requires
    /// `sqrtPriceX96 < MAX_SQRT_RATIO`), as the contract does.
    #[test]
    fn tick_price_tick_round_trip(tick in MIN_TICK..=MAX_TICK, bump in any::<u64>()) {
        let p = get_sqrt_ratio_at_tick(tick).unwrap();
        if tick == MAX_TICK {
            prop_assert_eq!(p, MAX_SQRT_RATIO);
            prop_assert!(get_tick_at_sqrt_ratio(p).is_err());
            return Ok(());
        }
        prop_assert_eq!(get_tick_at_sqrt_ratio(p).unwrap(), tick);
        let next = get_sqrt_ratio_at_tick(tick + 1).unwrap();
        prop_assert!(next > p);
        let inside = p + U256::from(bump) % (next - p);
        prop_assert_eq!(get_tick_at_sqrt_ratio(inside).unwrap(), tick);
    }
}

#[derive(Clone, Debug)]
enum Op {
    Mint(u8, i32, i32, u128),
    Burn(u8, usize, u8),
    Swap(bool, i128),
    Collect(u8, usize),
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    let op = prop_oneof![
        (0u8..3, -30i32..30, 1i32..10, 1u32..25).prop_map(|(o, a, w, e)| Op::Mint(
            o,
            a,
            a + w,
            10u128.pow(e) + 7
        )),
        (0u8..3, any::<usize>(), 1u8..=4).prop_map(|(o, i, f)| Op::Burn(o, i, f)),
        (any::<bool>(), 1u32..24, any::<bool>()).prop_map(|(z, e, exact_in)| {
            let m = 10i128.pow(e) + 3;
            Op::Swap(z, if exact_in { m } else { -m })
        }),
        (0u8..3, any::<usize>()).prop_map(|(o, i)| Op::Collect(o, i)),
    ];
    proptest::collection::vec(op, 1..50)
}

fn owner(o: u8) -> Address {
    Address::repeat_byte(o + 1)
}

fn limit(z: bool) -> U256 {
    if z { MIN_SQRT_RATIO + U256::ONE } else { MAX_SQRT_RATIO - U256::ONE }
}

/// Burns every position and collects everything (owed and protocol fees) on a copy: the pool's
/// balances must cover it all, i.e. no sequence of operations created tokens.
fn balances_cover_everything(pool: &Pool) -> Result<(), TestCaseError> {
    let mut p = pool.clone();
    let time = u32::MAX - 1;
    for (k, info) in pool.positions_sorted() {
        if info.liquidity > 0 {
            p.burn(k.owner, k.tick_lower, k.tick_upper, info.liquidity, time).unwrap();
        }
        let r = p.collect(k.owner, k.tick_lower, k.tick_upper, u128::MAX, u128::MAX);
        prop_assert!(r.is_ok(), "collect of {:?} not covered by balances: {:?}", k, r);
    }
    let (f0, f1) = p.protocol_fees();
    let (b0, b1) = p.balances();
    prop_assert!(b0 >= U256::from(f0) && b1 >= U256::from(f1));
    prop_assert_eq!(p.liquidity(), 0);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    /// No swap creates tokens, and fee growth inside every range never decreases.
    #[test]
    fn no_tokens_created_and_fee_growth_inside_monotone(fee_tier in 0usize..4, ops in ops(), protocol in prop_oneof![Just(0u32), 4u32..=10]) {
        let (fee, spacing) = hoard_clmm::flavour::UNISWAP_V3_TIERS[fee_tier];
        let mut pool = Pool::new(PoolConfig::uniswap_v3(fee).unwrap());
        pool.initialize(get_sqrt_ratio_at_tick(7 * spacing + 3).unwrap(), 1).unwrap();
        pool.set_fee_protocol(hoard_clmm::ProtocolFee { token0: protocol, token1: protocol }).unwrap();
        let mut ranges: Vec<(i32, i32)> = Vec::new();
        let mut last_inside: std::collections::HashMap<(i32, i32), (U256, U256)> = Default::default();
        for (i, op) in ops.iter().enumerate() {
            let time = 10 + i as u32;
            match *op {
                Op::Mint(o, a, b, l) => {
                    if pool.mint(owner(o), a * spacing, b * spacing, l, time).is_ok() {
                        ranges.push((a * spacing, b * spacing));
                    }
                }
                Op::Burn(o, i, frac) => {
                    let positions: Vec<_> = pool.positions_sorted().into_iter().filter(|(k, p)| k.owner == owner(o) && p.liquidity > 0).collect();
                    if !positions.is_empty() {
                        let (k, p) = &positions[i % positions.len()];
                        pool.burn(k.owner, k.tick_lower, k.tick_upper, p.liquidity / u128::from(frac), time).unwrap();
                    }
                }
                Op::Collect(o, i) => {
                    let positions: Vec<_> = pool.positions_sorted().into_iter().filter(|(k, _)| k.owner == owner(o)).collect();
                    if !positions.is_empty() {
                        let (k, _) = &positions[i % positions.len()];
                        pool.collect(k.owner, k.tick_lower, k.tick_upper, u128::MAX, u128::MAX).unwrap();
                    }
                }
                Op::Swap(z, m) => {
                    let _ = pool.swap(z, I256::try_from(m).unwrap(), limit(z), time);
                }
            }
            balances_cover_everything(&pool)?;
            let (g0, g1) = pool.fee_growth_global_x128();
            for &(a, b) in &ranges {
                let (Some(lo), Some(hi)) = (pool.tick_info(a), pool.tick_info(b)) else {
                    last_inside.remove(&(a, b));
                    continue;
                };
                let now = fee_growth_inside(lo, hi, a, b, pool.tick(), g0, g1);
                if let Some(prev) = last_inside.get(&(a, b)) {
                    // Monotone modulo 2^256, as the contracts define it: the increase is small.
                    let half = U256::ONE << 255;
                    prop_assert!(now.0.wrapping_sub(prev.0) < half, "token0 fee growth inside {:?} decreased", (a, b));
                    prop_assert!(now.1.wrapping_sub(prev.1) < half, "token1 fee growth inside {:?} decreased", (a, b));
                }
                last_inside.insert((a, b), now);
            }
        }
    }

    /// Exact-output swaps never take less than the exact-input swap of the same result: for the
    /// output `out` of an exact-input swap, the exact-output swap of `out` delivers exactly `out`
    /// and takes an input that, swapped as exact input, delivers at least `out`.
    #[test]
    fn exact_output_never_cheaper_than_exact_input(
        z in any::<bool>(),
        e in 3u32..26,
        start in -5000i32..5000,
        width in 1i32..50,
        liquidity_exp in 10u32..25,
    ) {
        let mut pool = Pool::new(PoolConfig::uniswap_v3(3000).unwrap());
        pool.initialize(get_sqrt_ratio_at_tick(start).unwrap(), 1).unwrap();
        let s = 60;
        let c = (start / s) * s;
        pool.mint(owner(0), -887_220, 887_220, 10u128.pow(liquidity_exp), 1).unwrap();
        pool.mint(owner(1), c - width * s, c + width * s, 3 * 10u128.pow(liquidity_exp), 1).unwrap();
        let a = I256::try_from(10i128.pow(e) + 11).unwrap();
        let Ok(exact_in) = pool.quote(z, a, limit(z), 2) else { return Ok(()) };
        let out = if z { exact_in.amount1 } else { exact_in.amount0 };
        prop_assume!(!out.is_zero() && exact_in.sqrt_price_x96 != limit(z));
        let exact_out = pool.quote(z, out, limit(z), 2).unwrap();
        let paid_in = if z { exact_out.amount0 } else { exact_out.amount1 };
        let got_out = if z { exact_out.amount1 } else { exact_out.amount0 };
        prop_assert_eq!(got_out, out, "exact output delivers exactly what was asked");
        // Exact output is never the cheaper way to buy `out`: exact input of what it took
        // delivers at least `out`. (Measured: exactly `out`. Note that `paid_in <= a` does not
        // hold in general: near depletion, per-step rounding makes exact output dearer.)
        let again = pool.quote(z, paid_in, limit(z), 2).unwrap();
        let again_out = if z { again.amount1 } else { again.amount0 };
        prop_assert!(again_out.unsigned_abs() >= out.unsigned_abs(), "exact input of {} delivers {} < {}", paid_in, again_out, out);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// `observe` returns the exact tick cumulative (sum of tick x seconds) at any time it can
    /// answer, across ring growth and wrap-around, and refuses only targets older than the
    /// oldest observation.
    #[test]
    fn observe_matches_brute_force_tick_cumulative(
        cardinality in 1u16..48,
        steps in proptest::collection::vec((0u32..40, any::<bool>(), 1u32..22), 1..60),
        probes in proptest::collection::vec(0u32..3000, 1..20),
    ) {
        let start = 1_000_000u32;
        let mut pool = Pool::new(PoolConfig::uniswap_v3(500).unwrap());
        pool.initialize(get_sqrt_ratio_at_tick(0).unwrap(), start).unwrap();
        pool.mint(owner(0), -887_270, 887_270, 10u128.pow(21), start).unwrap();
        pool.increase_observation_cardinality_next(cardinality).unwrap();
        // (time from which the tick holds, tick), in time order.
        let mut history: Vec<(u32, i32)> = vec![(start, pool.tick())];
        let mut time = start;
        for &(dt, z, e) in &steps {
            time += dt;
            let amount = I256::try_from(10i128.pow(e / 2 + 8)).unwrap();
            if pool.swap(z, amount, limit(z), time).is_ok() {
                match history.last_mut() {
                    Some(last) if last.0 == time => last.1 = pool.tick(),
                    _ => history.push((time, pool.tick())),
                }
            }
        }
        let cumulative_at = |t: u32| -> i64 {
            let mut sum = 0i64;
            for (i, &(from, tick)) in history.iter().enumerate() {
                let to = history.get(i + 1).map_or(t, |h| h.0.min(t));
                if to > from {
                    sum += i64::from(tick) * i64::from(to - from);
                }
            }
            sum
        };
        let now = time + 5;
        let (c, _) = pool.observe(now, &[0]).unwrap();
        prop_assert_eq!(c[0], cumulative_at(now));
        for ago in probes {
            let ago = ago.min(now - start);
            match pool.observe(now, &[ago]) {
                Ok((c, _)) => prop_assert_eq!(c[0], cumulative_at(now - ago), "seconds ago {}", ago),
                Err(e) => prop_assert_eq!(e, hoard_clmm::ClmmError::ObservationTooOld),
            }
        }
        // The newest observation is always observable.
        let (c, _) = pool.observe(now, &[5]).unwrap();
        prop_assert_eq!(c[0], cumulative_at(time));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// The bitmap walk finds exactly the initialized ticks of the pool's tick table within its
    /// bound, nearest first, cut at the limit, from any start, in both directions.
    #[test]
    fn the_bitmap_walk_lists_the_initialized_ticks_nearest_first(
        spacing in prop_oneof![Just(1i32), Just(10), Just(60), Just(200)],
        ranges in proptest::collection::vec((-3_000i32..3_000, 1i32..400), 1..12),
        start in -800_000i32..800_000,
        reach in 0i32..1_000_000,
        limit in 0usize..30,
    ) {
        let config = PoolConfig::new(hoard_clmm::Flavour::UniswapV4, 3000, spacing).unwrap();
        let mut pool = Pool::new(config);
        pool.initialize(U256::ONE << 96, 1).unwrap();
        for (i, (lower, width)) in ranges.iter().enumerate() {
            let (l, u) = (lower * spacing, (lower + width) * spacing);
            if l >= MIN_TICK && u <= MAX_TICK {
                pool.mint(owner(i as u8), l, u, 1_000_000 + i as u128, 1).unwrap();
            }
        }
        let all: Vec<i32> = pool.ticks_sorted().into_iter().map(|(t, _)| t).collect();
        let start = start.clamp(MIN_TICK, MAX_TICK);
        let down_bound = start.saturating_sub(reach);
        let mut below: Vec<i32> =
            all.iter().copied().filter(|t| *t <= start && *t >= down_bound.max(MIN_TICK)).collect();
        below.reverse();
        below.truncate(limit);
        let got: Vec<i32> =
            pool.initialized_ticks_from(start, true, down_bound, limit).into_iter().map(|(t, _)| t).collect();
        prop_assert_eq!(got, below);
        let up_bound = start.saturating_add(reach);
        let mut above: Vec<i32> =
            all.iter().copied().filter(|t| *t > start && *t <= up_bound.min(MAX_TICK)).collect();
        above.truncate(limit);
        let walked = pool.initialized_ticks_from(start, false, up_bound, limit);
        for (t, info) in &walked {
            prop_assert_eq!(Some(info), pool.tick_info(*t));
        }
        let got: Vec<i32> = walked.into_iter().map(|(t, _)| t).collect();
        prop_assert_eq!(got, above);
    }
}
