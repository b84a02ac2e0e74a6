//! Pool-level vectors of Uniswap/v3-core `test/UniswapV3Pool.spec.ts` (facts only): the pool is
//! the 0.3% pool (spacing 60) initialized at price 1:10 with 3161 liquidity over the full range,
//! or at price 1 with 2e18 liquidity ("initializeAtZeroTick").

use alloy_primitives::{Address, I256, U256};
use hoard_clmm::math::tick_math::{MAX_SQRT_RATIO, MIN_SQRT_RATIO};
use hoard_clmm::{ClmmError, Pool, PoolConfig, ProtocolFee};

use crate::common::{e18, encode_price_sqrt, u};

const T0: u32 = 1_601_906_400; // TEST_POOL_START_TIME
const SPACING: i32 = 60;
const MIN: i32 = -887_220; // getMinTick(60)
const MAX: i32 = 887_220;

fn wallet() -> Address {
    Address::repeat_byte(0x11)
}

fn other() -> Address {
    Address::repeat_byte(0x22)
}

fn pool_1_10() -> Pool {
    let mut p = Pool::new(PoolConfig::uniswap_v3(3000).unwrap());
    p.initialize(encode_price_sqrt(1, 10), T0).unwrap();
    p.mint(wallet(), MIN, MAX, 3161, T0).unwrap();
    p
}

fn pool_at_zero(fee: u32) -> Pool {
    let mut p = Pool::new(PoolConfig::uniswap_v3(fee).unwrap());
    p.initialize(encode_price_sqrt(1, 1), T0).unwrap();
    let s = p.config().tick_spacing;
    let (min, max) = ((-887_272 / s) * s, (887_272 / s) * s);
    p.mint(wallet(), min, max, 2 * 10u128.pow(18), T0).unwrap();
    p
}

fn exact_in(p: &mut Pool, zero_for_one: bool, amount: U256, time: u32) -> hoard_clmm::SwapResult {
    let limit = if zero_for_one { MIN_SQRT_RATIO + U256::ONE } else { MAX_SQRT_RATIO - U256::ONE };
    p.swap(zero_for_one, I256::from_raw(amount), limit, time).unwrap()
}

#[test]
fn initialize_rules() {
    let mut p = Pool::new(PoolConfig::uniswap_v3(3000).unwrap());
    assert_eq!(p.mint(wallet(), -SPACING, SPACING, 1, T0), Err(ClmmError::NotInitialized));
    assert_eq!(p.increase_observation_cardinality_next(2), Err(ClmmError::NotInitialized));
    assert_eq!(p.initialize(U256::ONE, T0), Err(ClmmError::SqrtPriceOutOfRange));
    assert_eq!(p.initialize(MIN_SQRT_RATIO - U256::ONE, T0), Err(ClmmError::SqrtPriceOutOfRange));
    assert_eq!(p.initialize(MAX_SQRT_RATIO, T0), Err(ClmmError::SqrtPriceOutOfRange));
    p.initialize(encode_price_sqrt(1, 2), T0).unwrap();
    assert_eq!(p.tick(), -6932);
    assert_eq!(p.initialize(encode_price_sqrt(1, 1), T0), Err(ClmmError::AlreadyInitialized));
    let mut q = Pool::new(PoolConfig::uniswap_v3(3000).unwrap());
    q.initialize(MIN_SQRT_RATIO, T0).unwrap();
    assert_eq!(q.tick(), -887_272);
    let mut q = Pool::new(PoolConfig::uniswap_v3(3000).unwrap());
    q.initialize(MAX_SQRT_RATIO - U256::ONE, T0).unwrap();
    assert_eq!(q.tick(), 887_271);
}

#[test]
fn cardinality_next_grows_but_never_shrinks() {
    let mut p = pool_at_zero(3000);
    p.increase_observation_cardinality_next(3).unwrap();
    p.increase_observation_cardinality_next(2).unwrap();
    assert_eq!(p.slot0().observation_cardinality_next, 3);
    assert_eq!(p.slot0().observation_cardinality, 1);
}

#[test]
fn mint_failure_cases() {
    let mut p = pool_1_10();
    assert_eq!(
        p.mint(wallet(), 60, 0, 1, T0),
        Err(ClmmError::TickLowerNotBelowUpper { lower: 60, upper: 0 })
    );
    assert_eq!(p.mint(wallet(), -887_273, 0, 1, T0), Err(ClmmError::TickLowerTooLow(-887_273)));
    assert_eq!(p.mint(wallet(), 0, 887_273, 1, T0), Err(ClmmError::TickUpperTooHigh(887_273)));
    assert!(matches!(p.mint(wallet(), 1, 60, 1, T0), Err(ClmmError::TickNotSpaced { .. })));
    assert_eq!(
        p.mint(wallet(), MIN + SPACING, MAX - SPACING, 0, T0),
        Err(ClmmError::ZeroAmount("mint liquidity"))
    );
    let max_per_tick = hoard_clmm::tick::max_liquidity_per_tick(SPACING);
    assert_eq!(
        p.mint(wallet(), MIN + SPACING, MAX - SPACING, max_per_tick + 1, T0),
        Err(ClmmError::LiquidityOverflowPerTick)
    );
    let before = p.clone().positions_sorted();
    p.mint(wallet(), MIN + SPACING, MAX - SPACING, 1000, T0).unwrap();
    assert_eq!(
        p.mint(wallet(), MIN + 2 * SPACING, MAX - SPACING, max_per_tick - 1000 + 1, T0),
        Err(ClmmError::LiquidityOverflowPerTick)
    );
    p.mint(wallet(), MIN + SPACING, MAX - SPACING, max_per_tick - 1000, T0).unwrap();
    assert_ne!(before, p.positions_sorted());
}

#[test]
fn mint_amounts_match_the_contracts() {
    let p = pool_1_10();
    assert_eq!(p.balances(), (U256::from(9996), U256::from(1000)));
    assert_eq!(p.tick(), -23028);
    // above current price: token0 only
    let mut q = p.clone();
    assert_eq!(q.mint(wallet(), -22980, 0, 10000, T0).unwrap(), (U256::from(21549), U256::ZERO));
    let mut q = p.clone();
    q.mint(wallet(), MAX - SPACING, MAX, 1u128 << 102, T0).unwrap();
    assert_eq!(q.balances(), (U256::from(9996 + 828011525), U256::from(1000)));
    let mut q = p.clone();
    assert_eq!(q.mint(wallet(), -22980, MAX, 10000, T0).unwrap().0, U256::from(31549));
    let mut q = p.clone();
    q.mint(wallet(), -240, 0, 10000, T0).unwrap();
    q.burn(wallet(), -240, 0, 10000, T0).unwrap();
    assert_eq!(q.collect(wallet(), -240, 0, u128::MAX, u128::MAX).unwrap(), (120, 0));
    // liquidity gross bookkeeping
    let mut q = p.clone();
    q.mint(wallet(), -240, 0, 100, T0).unwrap();
    q.mint(wallet(), -240, SPACING, 150, T0).unwrap();
    q.mint(wallet(), 0, 2 * SPACING, 60, T0).unwrap();
    let gross = |q: &Pool, t: i32| q.tick_info(t).map_or(0, |i| i.liquidity_gross);
    assert_eq!(
        [gross(&q, -240), gross(&q, 0), gross(&q, SPACING), gross(&q, 2 * SPACING)],
        [250, 160, 150, 60]
    );
    let mut q = p.clone();
    q.mint(wallet(), -240, 0, 100, T0).unwrap();
    q.mint(wallet(), -SPACING, 0, 250, T0).unwrap();
    q.burn(wallet(), -240, 0, 100, T0).unwrap();
    assert!(q.tick_info(-240).is_none(), "the unused tick is cleared");
    assert_eq!(gross(&q, -SPACING), 250);
    // including current price
    let mut q = p.clone();
    assert_eq!(
        q.mint(wallet(), MIN + SPACING, MAX - SPACING, 100, T0).unwrap(),
        (U256::from(317), U256::from(32))
    );
    let mut q = p.clone();
    assert_eq!(
        q.mint(wallet(), MIN, MAX, 10000, T0).unwrap(),
        (U256::from(31623), U256::from(3163))
    );
    let mut q = p.clone();
    q.mint(wallet(), MIN + SPACING, MAX - SPACING, 100, T0).unwrap();
    q.burn(wallet(), MIN + SPACING, MAX - SPACING, 100, T0).unwrap();
    assert_eq!(
        q.collect(wallet(), MIN + SPACING, MAX - SPACING, u128::MAX, u128::MAX).unwrap(),
        (316, 31)
    );
    // writes an observation one second later
    let mut q = p.clone();
    q.mint(wallet(), MIN, MAX, 100, T0 + 1).unwrap();
    let (tc, spl) = q.observe(T0 + 1, &[0]).unwrap();
    assert_eq!(tc[0], -23028);
    assert_eq!(spl[0], u("107650226801941937191829992860413859"));
    // below current price: token1 only
    let mut q = p.clone();
    assert_eq!(
        q.mint(wallet(), -46080, -23040, 10000, T0).unwrap(),
        (U256::ZERO, U256::from(2162))
    );
    let mut q = p.clone();
    q.mint(wallet(), MIN, MIN + SPACING, 1u128 << 102, T0).unwrap();
    assert_eq!(q.balances(), (U256::from(9996), U256::from(1000 + 828011520)));
    let mut q = p.clone();
    assert_eq!(q.mint(wallet(), MIN, -23040, 10000, T0).unwrap().1, U256::from(3161));
    let mut q = p.clone();
    q.mint(wallet(), -46080, -46020, 10000, T0).unwrap();
    q.burn(wallet(), -46080, -46020, 10000, T0).unwrap();
    assert_eq!(q.collect(wallet(), -46080, -46020, u128::MAX, u128::MAX).unwrap(), (0, 3));
}

#[test]
fn protocol_fees_accumulate_as_expected() {
    let mut p = pool_1_10();
    p.set_fee_protocol(ProtocolFee { token0: 6, token1: 6 }).unwrap();
    p.mint(wallet(), MIN + SPACING, MAX - SPACING, 10u128.pow(18), T0).unwrap();
    exact_in(&mut p, true, e18(1) / U256::from(10), T0);
    exact_in(&mut p, false, e18(1) / U256::from(100), T0);
    assert_eq!(p.protocol_fees(), (50_000_000_000_000, 5_000_000_000_000));
    assert_eq!(
        p.set_fee_protocol(ProtocolFee { token0: 3, token1: 6 }),
        Err(ClmmError::InvalidProtocolFee)
    );
    assert_eq!(
        p.set_fee_protocol(ProtocolFee { token0: 6, token1: 11 }),
        Err(ClmmError::InvalidProtocolFee)
    );
    // collectProtocol leaves one unit in a drained slot
    assert_eq!(p.collect_protocol(u128::MAX, 1).unwrap(), (49_999_999_999_999, 1));
}

#[test]
fn positions_are_protected_before_protocol_fee_is_turned_on_and_poke_needs_liquidity() {
    let mut p = pool_1_10();
    p.mint(other(), MIN + SPACING, MAX - SPACING, 10u128.pow(18), T0).unwrap();
    exact_in(&mut p, true, e18(1) / U256::from(10), T0);
    exact_in(&mut p, false, e18(1) / U256::from(100), T0);
    assert_eq!(p.protocol_fees(), (0, 0));
    assert_eq!(p.burn(wallet(), MIN + SPACING, MAX - SPACING, 0, T0), Err(ClmmError::NoPosition));
    p.mint(wallet(), MIN + SPACING, MAX - SPACING, 1, T0).unwrap();
    let pos = p.position(wallet(), MIN + SPACING, MAX - SPACING).unwrap().clone();
    assert_eq!(pos.liquidity, 1);
    assert_eq!(pos.fee_growth_inside0_last_x128, u("102084710076281216349243831104605583"));
    assert_eq!(pos.fee_growth_inside1_last_x128, u("10208471007628121634924383110460558"));
    assert_eq!((pos.tokens_owed0, pos.tokens_owed1), (0, 0));
    p.burn(wallet(), MIN + SPACING, MAX - SPACING, 1, T0).unwrap();
    let pos = p.position(wallet(), MIN + SPACING, MAX - SPACING).unwrap();
    assert_eq!(pos.liquidity, 0);
    assert_eq!(pos.fee_growth_inside0_last_x128, u("102084710076281216349243831104605583"));
    assert_eq!((pos.tokens_owed0, pos.tokens_owed1), (3, 0));
}

#[test]
fn burn_keeps_the_fee_snapshot_and_clears_unused_ticks() {
    let mut p = pool_at_zero(3000);
    p.mint(other(), MIN, MAX, 10u128.pow(18), T0 + 10).unwrap();
    exact_in(&mut p, true, e18(1), T0 + 10);
    exact_in(&mut p, false, e18(1), T0 + 10);
    p.burn(other(), MIN, MAX, 10u128.pow(18), T0 + 10).unwrap();
    let pos = p.position(other(), MIN, MAX).unwrap();
    assert_eq!(pos.liquidity, 0);
    assert!(pos.tokens_owed0 > 0 && pos.tokens_owed1 > 0);
    assert_eq!(pos.fee_growth_inside0_last_x128, u("340282366920938463463374607431768211"));
    assert_eq!(pos.fee_growth_inside1_last_x128, u("340282366920938576890830247744589365"));

    let (lo, hi) = (MIN + SPACING, MAX - SPACING);
    let mut p = pool_at_zero(3000);
    p.mint(wallet(), lo, hi, 1, T0 + 10).unwrap();
    p.mint(wallet(), lo + SPACING, hi, 1, T0 + 10).unwrap();
    exact_in(&mut p, true, e18(1), T0 + 10);
    p.burn(wallet(), lo, hi, 1, T0 + 10).unwrap();
    assert!(p.tick_info(lo).is_none());
    assert!(p.tick_info(hi).is_some_and(|t| t.liquidity_gross > 0));
    assert!(!p.bitmap().is_initialized(lo));
}

#[test]
fn observe_tick_accumulator() {
    let mut p = pool_at_zero(3000);
    assert_eq!(p.observe(T0, &[0]).unwrap().0, vec![0]);
    assert_eq!(p.observe(T0 + 10, &[0]).unwrap().0, vec![0]);
    let mut q = p.clone();
    exact_in(&mut q, true, U256::from(1000), T0);
    assert_eq!(q.observe(T0 + 4, &[0]).unwrap().0, vec![-4]);
    exact_in(&mut p, true, e18(1) / U256::from(2), T0);
    assert_eq!(p.tick(), -4452);
    exact_in(&mut p, false, e18(1) / U256::from(4), T0 + 4);
    assert_eq!(p.tick(), -1558);
    assert_eq!(p.observe(T0 + 10, &[0]).unwrap().0, vec![-27156]);
}

#[test]
fn miscellaneous_mints_of_the_low_fee_pool() {
    let p = pool_at_zero(500);
    let s = 10;
    let mut q = p.clone();
    assert_eq!(q.mint(wallet(), s, 2 * s, 1000, T0).unwrap(), (U256::ONE, U256::ZERO));
    let mut q = p.clone();
    assert_eq!(q.mint(wallet(), -2 * s, -s, 1000, T0).unwrap(), (U256::ZERO, U256::ONE));
    let mut q = p.clone();
    assert_eq!(q.mint(wallet(), -s, s, 1000, T0).unwrap(), (U256::ONE, U256::ONE));
    assert!(q.liquidity() >= p.liquidity());
    // cannot remove more than the entire position
    assert_eq!(q.burn(wallet(), -s, s, 1001, T0), Err(ClmmError::LiquiditySub));
}

#[test]
fn swap_reverts_are_typed_and_leave_no_trace() {
    let mut p = pool_at_zero(3000);
    let before = (p.sqrt_price_x96(), p.tick(), p.liquidity(), p.balances());
    assert_eq!(
        p.swap(true, I256::ZERO, MIN_SQRT_RATIO + U256::ONE, T0),
        Err(ClmmError::ZeroAmount("swap amount (AS)"))
    );
    let price = p.sqrt_price_x96();
    assert_eq!(p.swap(true, I256::ONE, price, T0), Err(ClmmError::PriceLimitInvalid));
    assert_eq!(p.swap(true, I256::ONE, MIN_SQRT_RATIO, T0), Err(ClmmError::PriceLimitInvalid));
    assert_eq!(p.swap(false, I256::ONE, price, T0), Err(ClmmError::PriceLimitInvalid));
    assert_eq!(p.swap(false, I256::ONE, MAX_SQRT_RATIO, T0), Err(ClmmError::PriceLimitInvalid));
    assert_eq!(before, (p.sqrt_price_x96(), p.tick(), p.liquidity(), p.balances()));
}

#[test]
fn twap_is_floored_toward_minus_infinity() {
    let mut p = pool_at_zero(3000);
    p.increase_observation_cardinality_next(10).unwrap();
    // Move to a negative tick, then let 3 seconds pass: mean over 2 seconds of a cumulative that
    // is odd must floor, not truncate.
    exact_in(&mut p, true, U256::from(1000), T0 + 1); // tick -1
    let (c, _) = p.observe(T0 + 4, &[3, 0]).unwrap();
    assert_eq!(c[1] - c[0], -3);
    assert_eq!(p.twap_tick(T0 + 4, 3).unwrap(), -1);
    // -1 over 2 seconds mixed with 0: cumulative delta -1 over 2 s -> mean -0.5 -> floor -1.
    assert_eq!(hoard_clmm::oracle::mean_tick(0, -1, 2).unwrap(), -1);
    assert_eq!(hoard_clmm::oracle::mean_tick(0, 1, 2).unwrap(), 0);
    assert_eq!(p.observe(T0 + 4, &[100]), Err(ClmmError::ObservationTooOld));
}

#[test]
fn snapshot_cumulatives_inside_tracks_time_in_range() {
    let mut p = pool_at_zero(3000);
    p.mint(wallet(), -120, 120, 10u128.pow(18), T0).unwrap();
    assert_eq!(
        p.snapshot_cumulatives_inside(-180, 120, T0),
        Err(ClmmError::TickNotInitialized(-180))
    );
    let (_, _, s0) = p.snapshot_cumulatives_inside(-120, 120, T0).unwrap();
    let (tc1, _, s1) = p.snapshot_cumulatives_inside(-120, 120, T0 + 10).unwrap();
    assert_eq!(s1.wrapping_sub(s0), 10);
    // Leave the range upward: seconds inside stop growing.
    exact_in(&mut p, false, e18(1), T0 + 10);
    assert!(p.tick() >= 120);
    let (tc2, _, s2) = p.snapshot_cumulatives_inside(-120, 120, T0 + 50).unwrap();
    assert_eq!(s2.wrapping_sub(s0), 10);
    assert_eq!(tc2, tc1);
}

#[test]
fn callbacks_must_pay_what_is_owed() {
    let mut p = pool_1_10();
    let before = p.balances();
    // Mint of 100 over (MIN + 60, MAX - 60) owes (317, 32) (v3-core's vector above).
    assert_eq!(
        p.mint_paid(
            wallet(),
            MIN + SPACING,
            MAX - SPACING,
            100,
            Some((U256::from(316), U256::from(32))),
            T0
        ),
        Err(ClmmError::InsufficientPayment("M0"))
    );
    assert_eq!(
        p.mint_paid(
            wallet(),
            MIN + SPACING,
            MAX - SPACING,
            100,
            Some((U256::from(317), U256::from(31))),
            T0
        ),
        Err(ClmmError::InsufficientPayment("M1"))
    );
    assert_eq!(p.balances(), before, "a refused mint leaves no trace");
    let owed = p
        .mint_paid(
            wallet(),
            MIN + SPACING,
            MAX - SPACING,
            100,
            Some((U256::from(400), U256::from(32))),
            T0,
        )
        .unwrap();
    assert_eq!(owed, (U256::from(317), U256::from(32)));
    assert_eq!(
        p.balances(),
        (before.0 + U256::from(400), before.1 + U256::from(32)),
        "overpayment stays in the pool"
    );

    let q = p.quote(true, I256::try_from(1000).unwrap(), MIN_SQRT_RATIO + U256::ONE, T0).unwrap();
    let owed_in = q.amount0.into_raw();
    let state = (p.sqrt_price_x96(), p.balances());
    assert_eq!(
        p.swap_paid(
            true,
            I256::try_from(1000).unwrap(),
            MIN_SQRT_RATIO + U256::ONE,
            Some(owed_in - U256::ONE),
            T0
        ),
        Err(ClmmError::InsufficientPayment("IIA"))
    );
    assert_eq!((p.sqrt_price_x96(), p.balances()), state, "a refused swap leaves no trace");
    let r = p
        .swap_paid(
            true,
            I256::try_from(1000).unwrap(),
            MIN_SQRT_RATIO + U256::ONE,
            Some(owed_in),
            T0,
        )
        .unwrap();
    assert_eq!(r, q);
}
