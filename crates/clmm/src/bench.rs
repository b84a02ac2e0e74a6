//! Benchmark workloads, pure and deterministic, for criterion (`benches/clmm.rs`) and for
//! `hoard bench` (which times them; this crate never reads a clock). `examples/throughput.rs`
//! times them in wall and CPU time.

use alloy_primitives::{Address, I256, U256};

use crate::flavour::PoolConfig;
use crate::math::swap_math::compute_swap_step;
use crate::math::tick_math::{MAX_SQRT_RATIO, MIN_SQRT_RATIO, get_sqrt_ratio_at_tick};
use crate::pool::Pool;
use crate::replay::{Event, Replayer};

/// Runs `n` swap steps (exact input, inside one range) and returns a checksum of the results.
pub fn swap_steps(n: u64) -> U256 {
    let current = get_sqrt_ratio_at_tick(199_045).expect("invariant: tick in range");
    let target = get_sqrt_ratio_at_tick(199_000).expect("invariant: tick in range");
    let liquidity = 12_453_647_101_533_358_277u128;
    let mut sum = U256::ZERO;
    for i in 0..n {
        let amount =
            I256::try_from(1_000_000_007i128 + i128::from(i % 1024)).expect("invariant: small");
        let s = compute_swap_step(current, target, liquidity, amount, 500)
            .expect("invariant: a step inside one range succeeds");
        sum = sum.wrapping_add(s.amount_out);
    }
    sum
}

/// A 0.05% pool at tick ~0 with a position on every spacing over +-`ranges` spacings, so that
/// swaps cross many initialized ticks.
pub fn crossing_pool(ranges: i32) -> Pool {
    let mut pool = Pool::new(PoolConfig::uniswap_v3(500).expect("invariant: valid tier"));
    pool.initialize(get_sqrt_ratio_at_tick(0).expect("invariant: tick 0"), 1)
        .expect("invariant: fresh pool");
    let s = pool.config().tick_spacing;
    let owner = Address::repeat_byte(1);
    pool.mint(owner, -887_270, 887_270, 10u128.pow(18), 1).expect("invariant: full range mint");
    for i in -ranges..ranges {
        pool.mint(owner, i * s, (i + 1) * s, 10u128.pow(18) + (i.unsigned_abs() as u128), 1)
            .expect("invariant: spaced range mint");
    }
    pool
}

/// Runs `n` full swaps of 5e15 alternating direction on `pool` (on [`crossing_pool`] each
/// crosses several initialized ticks); returns the total ticks crossed.
pub fn full_swaps(pool: &mut Pool, n: u64) -> u64 {
    let mut crossed = 0u64;
    for i in 0..n {
        let z = i % 2 == 0;
        let limit = if z { MIN_SQRT_RATIO + U256::ONE } else { MAX_SQRT_RATIO - U256::ONE };
        let amount = I256::try_from(5 * 10i128.pow(15)).expect("invariant: small");
        let r =
            pool.swap(z, amount, limit, 2 + (i / 8) as u32).expect("invariant: liquid pool swaps");
        crossed += u64::from(r.ticks_crossed);
    }
    crossed
}

/// Replays `events` from scratch for `config`; returns the number of exact swaps.
pub fn replay(config: PoolConfig, events: &[Event]) -> u64 {
    let mut r = Replayer::new(config);
    r.apply_all(events).expect("invariant: benchmark input is well formed");
    r.report().swaps_exact
}
