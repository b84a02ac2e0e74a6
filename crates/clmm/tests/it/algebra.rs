//! Algebra Integral's adaptive fee and volatility oracle against Algebra's own tests
//! (repository cryptoalgebra/Algebra, Integral 1.1 plugin):
//! - `src/plugin/test/AdaptiveFee.spec.ts` and its snapshot
//!   `src/plugin/test/__snapshots__/AdaptiveFee.spec.ts.snap` ("fee grid snapshot": the contract's
//!   `getFee(volatility * 15)` for 33 volatilities with the default configuration);
//! - `src/plugin/test/VolatilityOracle.spec.ts` (driven through `VolatilityOracleTest.sol`, whose
//!   `update` writes a timepoint with the *previous* tick and then sets the new tick, exactly the
//!   plugin's order: write with the pre-swap tick, then swap) and its snapshot.
//!
//! Plus property tests: the fee stays within `[baseFee, baseFee + alpha1 + alpha2]` and never
//! decreases when the volatility grows.

use alloy_primitives::{Address, I256, U256};
use hoard_clmm::algebra::{VolatilityOracle, WINDOW, exp_x_g4, lte_considering_overflow};
use hoard_clmm::math::tick_math::{MAX_SQRT_RATIO, MIN_SQRT_RATIO};
use hoard_clmm::{AdaptiveFeeConfig, ClmmError, Pool, PoolConfig};
use proptest::prelude::*;

use crate::common::encode_price_sqrt;

/// The `VolatilityOracleTest` harness: an oracle plus the harness's own time and tick.
struct Harness {
    oracle: VolatilityOracle,
    time: u32,
    tick: i32,
}

impl Harness {
    fn init(time: u32, tick: i32) -> Self {
        let mut oracle = VolatilityOracle::new();
        oracle.initialize(time, tick).unwrap();
        Self { oracle, time, tick }
    }
    /// `update({advanceTimeBy, tick})`: write with the current tick, then move the tick.
    fn update(&mut self, advance: u32, tick: i32) {
        self.time = self.time.wrapping_add(advance);
        self.oracle.write(self.time, self.tick).unwrap();
        self.tick = tick;
    }
    fn advance(&mut self, by: u32) {
        self.time = self.time.wrapping_add(by);
    }
    fn vol(&self) -> u128 {
        self.oracle.average_volatility(self.time, self.tick).unwrap()
    }
    fn avg_tick(&self) -> i32 {
        self.oracle.average_tick(self.time, self.tick).unwrap()
    }
    fn tc(&self, seconds_ago: u32) -> Result<i64, ClmmError> {
        self.oracle.timepoints(self.time, &[seconds_ago], self.tick).map(|v| v[0].0)
    }
}

#[test]
fn adaptive_fee_grid_snapshot() {
    // AdaptiveFee.spec.ts.snap, "fee grid snapshot": [Volt: v] Fee: getFee(v * 15).
    let grid: [(u128, u16); 33] = [
        (0, 100),
        (25, 109),
        (50, 115),
        (75, 122),
        (100, 134),
        (112, 142),
        (125, 152),
        (150, 179),
        (175, 220),
        (200, 279),
        (250, 486),
        (300, 870),
        (325, 1126),
        (350, 1427),
        (359, 1537),
        (360, 1550),
        (375, 1733),
        (400, 2029),
        (500, 2752),
        (525, 2834),
        (800, 3000),
        (1000, 3000),
        (1500, 3000),
        (2000, 3000),
        (3000, 3000),
        (5000, 3000),
        (8000, 3000),
        (10_000, 3033),
        (20_000, 3107),
        (50_000, 5828),
        (60_000, 9000),
        (80_000, 13_957),
        (100_000, 14_892),
    ];
    let cfg = AdaptiveFeeConfig::default();
    for (v, fee) in grid {
        assert_eq!(cfg.fee(v * 15), fee, "getFee({v} * 15)");
    }
    // AdaptiveFee.spec.ts "fee: 0 volatility 0 volume".
    assert_eq!(cfg.fee(0), 100);
}

#[test]
fn default_configuration_and_validation() {
    // AdaptiveFee.sol initialFeeConfiguration; AdaptiveFee.spec.ts "check pack and unpack".
    let cfg = AdaptiveFeeConfig::default();
    assert_eq!(
        (cfg.alpha1, cfg.alpha2, cfg.beta1, cfg.beta2, cfg.gamma1, cfg.gamma2, cfg.base_fee),
        (2900, 12_000, 360, 60_000, 59, 8500, 100)
    );
    assert_eq!(cfg.max_fee(), 15_000);
    // validateFeeConfiguration: 'Max fee exceeded', 'Gammas must be > 0'.
    assert!(AdaptiveFeeConfig { alpha1: 60_000, ..cfg }.validate().is_err());
    assert!(AdaptiveFeeConfig { gamma2: 0, ..cfg }.validate().is_err());
    assert!(AdaptiveFeeConfig { alpha1: 65_535 - 12_100, ..cfg }.validate().is_ok());
}

#[test]
fn exp_x_g4_matches_its_definition() {
    // expXg4(0, g) = g^4 exactly (table value 1, empty polynomial remainder).
    assert_eq!(exp_x_g4(0, 59), U256::from(59u64.pow(4)));
    // x = g: table e^1 x 10^20, remainder 0: g^4 * 271828182845904523536 / 10^20.
    let g4 = U256::from(59u64.pow(4));
    assert_eq!(
        exp_x_g4(59, 59),
        g4 * U256::from(271_828_182_845_904_523_536u128) / U256::from(10u128.pow(20))
    );
}

#[test]
fn lte_considering_overflow_cases() {
    assert!(lte_considering_overflow(1, 2, 10));
    assert!(!lte_considering_overflow(2, 1, 10));
    // a from before the wrap (above now) is older than b after it.
    assert!(lte_considering_overflow(u32::MAX - 1, 3, 5));
    assert!(!lte_considering_overflow(3, u32::MAX - 1, 5));
}

#[test]
fn initialize_and_write() {
    // VolatilityOracle.spec.ts #initialize.
    let mut h = Harness::init(1, 1);
    assert_eq!(h.oracle.index(), 0);
    let tp = h.oracle.timepoint(0);
    assert!(tp.initialized);
    assert_eq!((tp.block_timestamp, tp.tick_cumulative), (1, 0));
    assert_eq!(h.oracle.initialize(1, 1), Err(ClmmError::VolatilityOracleAlreadyInitialized));
    h.update(0, 5);

    // #write: does nothing if time has not changed.
    let mut h = Harness::init(0, 0);
    h.update(1, 3);
    assert_eq!(h.oracle.index(), 1);
    h.update(0, -5);
    assert_eq!(h.oracle.index(), 1);

    // #write: writes an index if time has changed.
    let mut h = Harness::init(0, 0);
    h.update(6, 3);
    assert_eq!(h.oracle.index(), 1);
    h.update(4, -5);
    assert_eq!(h.oracle.index(), 2);
    let tp = h.oracle.timepoint(1);
    assert_eq!((tp.initialized, tp.block_timestamp, tp.tick_cumulative), (true, 6, 0));

    // #write: accumulates.
    let mut h = Harness::init(0, 0);
    h.update(3, 3);
    h.update(4, -7);
    h.update(5, -2);
    assert_eq!(h.oracle.index(), 3);
    let cases = [(1u16, true, 3u32, 0i64), (2, true, 7, 12), (3, true, 12, -23), (4, false, 0, 0)];
    for (i, init, ts, tc) in cases {
        let tp = h.oracle.timepoint(i);
        assert_eq!((tp.initialized, tp.block_timestamp, tp.tick_cumulative), (init, ts, tc), "{i}");
    }
}

#[test]
fn average_tick_vectors() {
    let w = WINDOW;
    // #getAverageTick "in the same block with init".
    assert_eq!(Harness::init(1000, 7200).avg_tick(), 7200);
    // "does not change after write".
    let mut h = Harness::init(1000, 7200);
    h.update(3600, 7500);
    h.advance(300);
    let before = h.avg_tick();
    h.update(0, 100_000);
    assert_eq!(h.avg_tick(), before);
    h.advance(1);
    assert_ne!(h.avg_tick(), before);
    // "in exactly 24h ago".
    let mut h = Harness::init(1000, 7200);
    h.update(2, 7300);
    h.update(w, 7400);
    assert_eq!(h.avg_tick(), 7300);
    // "last index is exactly 24h ago".
    let mut h = Harness::init(1000, 7200);
    h.update(2, 7300);
    h.advance(w);
    assert_eq!(h.avg_tick(), 7300);
    // "last index is more then 24h ago".
    let mut h = Harness::init(1000, 7200);
    h.update(2, 7300);
    h.advance(w + 1);
    assert_eq!(h.avg_tick(), 7300);
    assert_eq!(h.oracle.tick_cumulative_at(h.time, 0, h.tick).unwrap(), 630_741_700);
    // "find tick cumulative at the start of previous window".
    let mut h = Harness::init(1000, 7200);
    h.update(2, 7300);
    h.update(w, 7350);
    h.advance(1);
    let tc = h.oracle.tick_cumulative_at(h.time, w + 1, h.tick).unwrap();
    assert_eq!(tc, 14_400);
    assert_eq!(h.oracle.tick_cumulative_at(h.time, w, h.tick).unwrap(), tc + 7300);
    assert_eq!(h.oracle.tick_cumulative_at(h.time, w - 1, h.tick).unwrap(), tc + 2 * 7300);
    // "oldest timepoint is more than WINDOW seconds ago".
    let mut h = Harness::init(1000, 7200);
    h.update(w / 2, 7300);
    h.update(w / 2 + 1, 7350);
    assert_eq!(h.avg_tick(), 7250);
    h.advance(10);
    assert_eq!(h.avg_tick(), 7250);
    // "oldest timepoint is less than WINDOW seconds ago".
    let mut h = Harness::init(1000, 7200);
    h.update(2, 7250);
    h.update(w / 2, 7230);
    assert_eq!(h.avg_tick(), 7249);
    h.advance(10);
    assert_eq!(h.avg_tick(), 7249);
    // "potential overflow scenario".
    let mut h = Harness::init(1000, 7200);
    assert!((7101..7300).contains(&h.avg_tick()));
    h.update(3600, 7300);
    assert!((7200..7300).contains(&h.avg_tick()));
    h.update(w - 2, 7400);
    assert!((7201..7400).contains(&h.avg_tick()));
    h.update(2, 7600);
    assert!((7201..7400).contains(&h.avg_tick()));
}

#[test]
fn average_volatility_vectors() {
    let w = WINDOW;
    // #getAverageVolatility "in the same block with init".
    assert_eq!(Harness::init(1000, 7200).vol(), 0);
    // "in exactly 24h ago".
    let mut h = Harness::init(1000, 7200);
    h.update(2, 7300);
    h.update(w, 7500);
    assert_eq!(h.vol(), 3333);
    // "last index is exactly 24h ago".
    let mut h = Harness::init(1000, 7200);
    h.update(2, 7300);
    h.advance(w);
    assert_eq!(h.vol(), 3333);
    // "last index is more then 24h ago".
    let mut h = Harness::init(1000, 7200);
    h.update(2, 7300);
    h.advance(w + 1);
    assert_eq!(h.vol(), 3333);
    // "specific case for binary search (atOrAfter)".
    let mut h = Harness::init(1000, 7200);
    h.update(2, 7300);
    h.update(2 * 3600, 7300);
    h.update(2 * 3600, 73_100);
    h.advance(w - 2 * 3600);
    assert_eq!(h.vol(), 1_442_410_782);
    // "oldest timepoint is more than WINDOW seconds ago".
    let mut h = Harness::init(1000, 7200);
    h.update(w / 2, 7300);
    h.update(w / 2 + 1, 7350);
    assert_eq!(h.vol(), 2916);
    h.advance(10);
    assert_eq!(h.vol(), 2917);
    // "oldest timepoint is less than WINDOW seconds ago".
    let mut h = Harness::init(1000, 7200);
    h.update(2, 7250);
    h.update(w / 2, 7230);
    assert_eq!(h.vol(), 850);
    h.advance(10);
    assert_eq!(h.vol(), 850);
}

#[test]
fn get_timepoints_vectors() {
    // #getTimepoints "before initialization" block of VolatilityOracle.spec.ts.
    let mut h = Harness::init(5, 2);
    assert_eq!(h.tc(1), Err(ClmmError::TargetIsTooOld));
    assert_eq!(h.tc(0).unwrap(), 0);
    h.advance(3);
    assert_eq!(h.tc(4), Err(ClmmError::TargetIsTooOld));
    assert_eq!(h.tc(3).unwrap(), 0);
    assert_eq!(h.tc(1).unwrap(), 4);
    assert_eq!(h.tc(0).unwrap(), 6);
    // "does not fail across overflow boundary".
    let mut h = Harness::init(u32::MAX, 2);
    h.advance(2);
    assert_eq!(h.tc(1).unwrap(), 2);
    // "timepoint does not change after time".
    let mut h = Harness::init(5, 2);
    h.update(24 * 60, 1500);
    h.advance(600);
    let before = h.tc(0).unwrap();
    h.advance(5);
    assert_eq!(h.tc(5).unwrap(), before);
    assert_ne!(h.tc(0).unwrap(), before);
    // "single timepoint at current time equal after write".
    let mut h = Harness::init(5, 2);
    h.update(600, 10);
    h.update(24 * 60, 15);
    h.advance(600);
    let before = h.oracle.timepoints(h.time, &[0], h.tick).unwrap()[0];
    h.update(0, 15);
    assert_eq!(h.oracle.timepoints(h.time, &[0], h.tick).unwrap()[0], before);
    h.advance(10);
    let after = h.oracle.timepoints(h.time, &[0], h.tick).unwrap()[0];
    assert!(after.0 != before.0 && after.1 != before.1);
    // "single timepoint in past exactly at the start of window" (+ "after some time").
    let mut h = Harness::init(5, 2);
    h.update(4, 1);
    h.update(WINDOW, 1);
    assert_eq!(h.tc(WINDOW).unwrap(), 8);
    h.advance(3);
    assert_eq!(h.tc(WINDOW + 3).unwrap(), 8);
    // Two timepoints in chronological order.
    let mut h = Harness::init(5, -5);
    h.update(4, 1);
    assert_eq!(h.tc(0).unwrap(), -20);
    h.advance(7);
    assert_eq!((h.tc(0).unwrap(), h.tc(11).unwrap(), h.tc(9).unwrap()), (-13, 0, -10));
    // Two timepoints in reverse order.
    let mut h = Harness::init(5, -5);
    h.update(4, 1);
    h.update(3, -5);
    assert_eq!(h.tc(0).unwrap(), -17);
    h.advance(7);
    assert_eq!((h.tc(0).unwrap(), h.tc(10).unwrap(), h.tc(9).unwrap()), (-52, -20, -19));
    // "can fetch multiple timepoints".
    let mut h = Harness::init(5, 2);
    h.update(13, 6);
    h.advance(5);
    let tcs: Vec<i64> = h
        .oracle
        .timepoints(h.time, &[0, 3, 8, 13, 15, 18], h.tick)
        .unwrap()
        .into_iter()
        .map(|(tc, _)| tc)
        .collect();
    assert_eq!(tcs, [56, 38, 20, 10, 6, 0]);
}

#[test]
fn five_timepoints_vectors_across_the_u32_wrap() {
    // "initialized with 5 timepoints with starting time of 5 / 4294967291".
    for start in [5u32, u32::MAX - 4] {
        let setup = || {
            let mut h = Harness::init(start, -5);
            for (dt, tick) in [(3, 1), (2, -6), (4, -2), (1, -2), (3, 4), (6, 6)] {
                h.update(dt, tick);
            }
            h
        };
        let h = setup();
        assert_eq!(h.tc(0).unwrap(), -21);
        assert_eq!(h.tc(3).unwrap(), -33);
        assert_eq!(h.tc(14).unwrap(), -13);
        assert_eq!(h.tc(22), Err(ClmmError::TargetIsTooOld));
        let mut h = setup();
        h.advance(5);
        assert_eq!((h.tc(5).unwrap(), h.tc(0).unwrap(), h.tc(8).unwrap()), (-21, 9, -33));
        assert_eq!(h.tc(27), Err(ClmmError::TargetIsTooOld));
        let mut h = setup();
        h.advance(6);
        assert_eq!(h.tc(20).unwrap(), -13);
        // Snapshot "fetch many values".
        let tcs: Vec<i64> = h
            .oracle
            .timepoints(h.time, &[20, 17, 13, 10, 5, 1, 0], h.tick)
            .unwrap()
            .into_iter()
            .map(|(tc, _)| tc)
            .collect();
        assert_eq!(tcs, [-13, -31, -43, -37, -15, 9, 15], "start {start}");
    }
}

#[test]
fn ring_wraps_after_65536_writes() {
    // The ring has 65,536 slots: after filling it, the slot after the newest is the oldest
    // (getOldestIndex), and reading older than it fails with targetIsTooOld.
    let mut h = Harness::init(1000, 0);
    for i in 0..65_536u32 {
        h.update(13, -((i % 200) as i32));
    }
    assert_eq!(h.oracle.index(), 0, "65,536 writes after slot 0 land on slot 0 again");
    assert_eq!(h.oracle.oldest_index(), 1);
    let oldest = h.oracle.timepoint(1).block_timestamp;
    let span = h.time - oldest;
    assert!(h.tc(span).is_ok());
    assert_eq!(h.tc(span + 1), Err(ClmmError::TargetIsTooOld));
    // The window is far shorter than the ring here (13 s per write): the average volatility
    // is over exactly 24 hours and equals the windowed difference of cumulatives.
    let (now_tc_vc, start_vc) = {
        let v = h.oracle.timepoints(h.time, &[0, WINDOW], h.tick).unwrap();
        (v[0].1, v[1].1)
    };
    assert_eq!(h.vol(), (now_tc_vc - start_vc) / u128::from(WINDOW));
}

fn pool_with_liquidity(config: PoolConfig, time: u32) -> Pool {
    let mut p = Pool::new(config);
    p.initialize(encode_price_sqrt(1, 1), time).unwrap();
    let s = config.tick_spacing;
    p.mint(Address::repeat_byte(1), (-887_272 / s) * s, (887_272 / s) * s, 10u128.pow(18), time)
        .unwrap();
    p
}

#[test]
fn pool_sets_the_fee_at_the_first_swap_of_a_block() {
    let cfg = AdaptiveFeeConfig::default();
    let mut p = pool_with_liquidity(PoolConfig::algebra_integral(), 1000);
    assert_eq!(p.fee(), 100, "afterInitialize sets the base fee");
    let amount = I256::try_from(3 * 10i128.pow(16)).unwrap();
    let (down, up) = (MIN_SQRT_RATIO + U256::ONE, MAX_SQRT_RATIO - U256::ONE);
    let mut t = 1000;
    for i in 0..40 {
        t += 60;
        let tick_before = p.tick();
        let zero_for_one = i % 2 == 0;
        let limit = if zero_for_one { down } else { up };
        let expected = {
            let mut o = p.volatility_oracle().clone();
            o.before_swap(t, tick_before, &cfg).unwrap().unwrap()
        };
        assert_eq!(p.current_fee(t), u32::from(expected));
        let r = p.swap(zero_for_one, amount, limit, t).unwrap();
        assert_eq!(r.fee_pips, u32::from(expected));
        assert_eq!(p.fee(), u32::from(expected));
        // The timepoint written holds the pre-swap tick.
        let o = p.volatility_oracle();
        assert_eq!(o.timepoint(o.index()).tick, tick_before);
        assert_eq!(o.last_timestamp(), t);
        // A second swap in the same block keeps the fee and writes nothing.
        let index = o.index();
        let r2 = p
            .swap(
                !zero_for_one,
                I256::try_from(10i128.pow(12)).unwrap(),
                if zero_for_one { up } else { down },
                t,
            )
            .unwrap();
        assert_eq!(r2.fee_pips, u32::from(expected));
        assert_eq!(p.volatility_oracle().index(), index);
    }
    assert!(p.fee() > 100, "swinging the price raises the fee");
    assert_eq!(
        p.fee(),
        u32::from(cfg.fee(p.volatility_oracle().average_volatility(t, p.tick()).unwrap()))
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn fee_is_bounded_and_monotone(a in 0u128..(1u128 << 88), b in 0u128..(1u128 << 88)) {
        let cfg = AdaptiveFeeConfig::default();
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let (f_lo, f_hi) = (cfg.fee(lo), cfg.fee(hi));
        prop_assert!(u32::from(f_lo) >= u32::from(cfg.base_fee));
        prop_assert!(u32::from(f_hi) <= cfg.max_fee());
        prop_assert!(f_lo <= f_hi, "fee({lo}) = {f_lo} > fee({hi}) = {f_hi}");
    }

    #[test]
    fn fee_is_monotone_near_the_shifts(v in 0u128..2_000_000u128, step in 1u128..64) {
        let cfg = AdaptiveFeeConfig::default();
        prop_assert!(cfg.fee(v) <= cfg.fee(v + step));
    }

    #[test]
    fn fee_bounded_for_any_valid_config(
        alpha1 in 0u16..20_000, alpha2 in 0u16..20_000, base in 0u16..20_000,
        beta1 in 0u32..1_000_000, beta2 in 0u32..1_000_000,
        gamma1 in 1u16..=u16::MAX, gamma2 in 1u16..=u16::MAX,
        a in 0u128..(1u128 << 40), b in 0u128..(1u128 << 40),
    ) {
        let cfg = AdaptiveFeeConfig { alpha1, alpha2, beta1, beta2, gamma1, gamma2, base_fee: base };
        prop_assume!(cfg.validate().is_ok());
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let (f_lo, f_hi) = (cfg.fee(lo), cfg.fee(hi));
        prop_assert!(f_lo >= base && u32::from(f_hi) <= cfg.max_fee());
        prop_assert!(f_lo <= f_hi);
    }
}

/// `TEST_POOL_START_TIME` of Algebra's plugin test fixtures (`src/plugin/test/shared/fixtures.ts`).
const TEST_POOL_START_TIME: u32 = 1_601_906_400;

/// `VolatilityOracleTest.batchUpdateFast`: the harness's shortcut that builds `length`
/// timepoints `step` seconds apart directly (tick decreasing by one each time, the average tick
/// from the harness's own closed form, in its integer types: `uint16` index products and a
/// `uint32` product with the step, both wrapping).
fn batch_update_fast(h: &mut Harness, init_time: u32, step: u32, length: usize) {
    let mut tick = h.tick;
    let mut time = h.time;
    let mut index = u64::from(time.wrapping_sub(init_time) / step);
    let mut last = h.oracle.timepoint(index as u16);
    for _ in 0..length {
        time = time.wrapping_add(step);
        let next_index = (index + 1) as u16;
        let (avg, window_start) = if time.wrapping_sub(init_time) > WINDOW {
            let ws = (index - u64::from(WINDOW / step) + 1) as u16;
            let a = next_index
                .wrapping_add(1)
                .wrapping_mul(next_index)
                .wrapping_sub(ws.wrapping_add(1).wrapping_mul(ws));
            let q = u64::from(step.wrapping_mul(u32::from(a))) / (2 * u64::from(WINDOW));
            (-((q & 0xff_ffff) as i32), ws)
        } else {
            let dt = u64::from(time.wrapping_sub(init_time));
            let p = step
                .wrapping_mul(u32::from(next_index.wrapping_add(1)))
                .wrapping_mul(u32::from(next_index));
            let q = u64::from(p) / (2 * dt);
            (-((q & 0xff_ffff) as i32), 0)
        };
        last = last.next(time, tick, avg, window_start);
        h.oracle.set_timepoint(next_index, last);
        tick -= 1;
        index += 1;
    }
    h.tick = tick;
    h.time = time;
    h.oracle.set_state(index as u16, time);
}

/// The "full volatilityOracle" fixture of VolatilityOracle.spec.ts: 65 batches of 1,000 fast
/// updates, then 699 real writes (`batchUpdateFixedTimedelta`), so the ring has wrapped.
fn full_oracle(step: u32) -> Harness {
    let mut h = Harness::init(TEST_POOL_START_TIME, 0);
    let mut i = 1u32;
    let mut batch = 1000u32;
    while i < 65_536 {
        if i + batch > 65_536 {
            batch = 65_536u32.div_ceil(300) * 300 - i;
            for _ in 0..batch {
                let next = h.tick - 1;
                h.update(step, next);
            }
        } else {
            batch_update_fast(&mut h, TEST_POOL_START_TIME, step, batch as usize);
        }
        i += batch;
    }
    h
}

#[test]
fn full_oracle_vectors() {
    // VolatilityOracle.spec.ts "full volatilityOracle" (step 13).
    let step = 13;
    let h = full_oracle(step);
    assert_eq!(h.oracle.index(), 163, "index wrapped around");
    assert_eq!(h.tc(100 * step).unwrap(), -27_970_560_813);
    assert_eq!(h.tc(100 * step + 5).unwrap(), -27_970_232_823);
    assert_eq!(h.tc(0).unwrap(), -28_055_903_863);
    assert_eq!(h.tc(200 * step).unwrap(), -27_885_347_763);
    assert_eq!(h.tc(200 * step + 5).unwrap(), -27_885_020_273);
    assert_eq!(h.tc(step * 65_534).unwrap(), -175_890);
    let mut later = full_oracle(step);
    later.advance(5);
    assert_eq!(later.tc(5).unwrap(), -28_055_903_863);
    assert_eq!(later.tc(3).unwrap(), -28_056_035_261);
    assert_eq!(later.tc(step * 65_534 + 5).unwrap(), -175_890);
    // #getAverageVolatility, "oldest timepoint is more than WINDOW seconds ago".
    let mut h = h;
    h.update(WINDOW + 1, 7250);
    assert_eq!(h.vol(), 3_682_928);
    h.advance(10);
    assert_eq!(h.vol(), 4_298_339);
}

#[test]
fn full_oracle_maximal_density_vectors() {
    // VolatilityOracle.spec.ts "full volatilityOracle, maximal density" (step 1: the ring
    // holds less than a day).
    let step = 1;
    let h = full_oracle(step);
    assert_eq!(h.oracle.index(), 163);
    assert_eq!(h.tc(100).unwrap(), -2_151_581_601);
    assert_eq!(h.tc(105).unwrap(), -2_151_253_621);
    assert_eq!(h.tc(0).unwrap(), -2_158_146_451);
    assert_eq!(h.tc(200).unwrap(), -2_145_026_751);
    assert_eq!(h.tc(65_534).unwrap(), -13_530);
    assert_eq!(h.vol(), 360_563_298);
    let mut later = full_oracle(step);
    later.advance(5);
    assert_eq!(later.tc(5).unwrap(), -2_158_146_451);
    assert_eq!(later.tc(3).unwrap(), -2_158_277_849);
    assert_eq!(later.tc(65_539).unwrap(), -13_530);
    later.advance(5);
    assert_eq!(later.vol(), 360_672_090);
}

#[test]
fn index_overflow_vectors() {
    // VolatilityOracle.spec.ts "index overflow tests": "can overflow in first time" and
    // "can overflow twice".
    let (start, day) = (100u32, 86_400u32);
    let max = u16::MAX;
    let mut h = Harness::init(start, -5);
    h.update(3, 1);
    for (k, tick) in [(2u32, -5i32), (4, 1)] {
        let ts = start + k * day;
        h.oracle.set_timepoint(
            max - 1,
            hoard_clmm::algebra::Timepoint {
                initialized: true,
                block_timestamp: ts,
                tick_cumulative: i64::from(tick) * i64::from(k * day),
                volatility_cumulative: 10 * u128::from(k * day),
                tick,
                average_tick: tick,
                window_start_index: max - 2,
            },
        );
        h.oracle.set_state(max - 1, ts);
        h.time = ts;
        h.advance(day + 1);
        h.update(3, 1);
        assert_eq!((h.oracle.index(), h.oracle.oldest_index()), (max, 0));
        h.update(3, 1);
        assert_eq!((h.oracle.index(), h.oracle.oldest_index()), (0, 1));
    }
}
