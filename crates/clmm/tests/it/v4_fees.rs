//! Uniswap V4 protocol fee, pinned to v4-core (repository Uniswap/v4-core):
//! - `test/libraries/ProtocolFeeLibrary.t.sol`: `test_getZeroForOneFee`, `test_getOneForZeroFee`,
//!   `test_isValidProtocolFee_fee`, `test_calculateSwapFee` (vectors) and
//!   `test_fuzz_calculateSwapFee` (its properties, as a proptest);
//! - `src/libraries/Pool.sol` `swap`: the swap fee combines protocol and LP fee; each step's
//!   protocol part is `(step.amountIn + step.feeAmount) * protocolFee / 1e6` (the whole step fee
//!   when `swapFee == protocolFee`), the LP fee growth gets `feeAmount - delta`.

use alloy_primitives::{Address, I256, U256};
use hoard_clmm::math::tick_math::MIN_SQRT_RATIO;
use hoard_clmm::v4::{
    MAX_LP_FEE, MAX_PROTOCOL_FEE, PoolKey, PoolManager, calculate_swap_fee, get_one_for_zero_fee,
    get_zero_for_one_fee, is_valid_protocol_fee,
};
use hoard_clmm::{ClmmError, Flavour, Pool, PoolConfig, ProtocolFee};
use proptest::prelude::*;

use crate::common::encode_price_sqrt;

const MAX: u32 = MAX_PROTOCOL_FEE as u32;

#[test]
fn protocol_fee_library_vectors() {
    // test_getZeroForOneFee / test_getOneForZeroFee.
    let fee = (MAX - 1) << 12 | MAX;
    assert_eq!(get_zero_for_one_fee(fee), MAX_PROTOCOL_FEE);
    assert_eq!(get_one_for_zero_fee(fee), MAX_PROTOCOL_FEE - 1);
    // test_isValidProtocolFee_fee.
    assert!(!is_valid_protocol_fee((MAX + 1) << 12 | MAX));
    assert!(!is_valid_protocol_fee(MAX << 12 | (MAX + 1)));
    assert!(!is_valid_protocol_fee((MAX + 1) << 12 | (MAX + 1)));
    assert!(is_valid_protocol_fee(MAX << 12 | MAX));
    assert!(is_valid_protocol_fee((MAX - 1) << 12 | (MAX - 1)));
    assert!(is_valid_protocol_fee(0));
    // test_calculateSwapFee.
    assert_eq!(calculate_swap_fee(MAX_PROTOCOL_FEE, MAX_LP_FEE), MAX_LP_FEE);
    assert_eq!(calculate_swap_fee(MAX_PROTOCOL_FEE, 3000), 3997);
    assert_eq!(calculate_swap_fee(MAX_PROTOCOL_FEE, 0), MAX);
    assert_eq!(calculate_swap_fee(0, 0), 0);
    assert_eq!(calculate_swap_fee(0, 1000), 1000);
    // The packed form round-trips through the pool setting (token0 = zero-for-one).
    let s = ProtocolFee::from_v4_packed(fee).unwrap();
    assert_eq!((s.token0, s.token1), (MAX, MAX - 1));
    assert_eq!(s.to_v4_packed(), fee);
    assert_eq!(ProtocolFee::from_v4_packed(MAX + 1), Err(ClmmError::InvalidProtocolFee));
    assert!(ProtocolFee { token0: MAX + 1, token1: 0 }.validate(Flavour::UniswapV4).is_err());
}

proptest! {
    // test_fuzz_calculateSwapFee.
    #[test]
    fn calculate_swap_fee_properties(p in 0u16..=MAX_PROTOCOL_FEE, lp in 0u32..=MAX_LP_FEE) {
        let swap_fee = calculate_swap_fee(p, lp);
        if lp < MAX_LP_FEE {
            prop_assert!(swap_fee < MAX_LP_FEE);
        }
        prop_assert!(swap_fee >= lp);
        let expected = u64::from(p) + u64::from(lp) * (u64::from(MAX_LP_FEE) - u64::from(p)) / u64::from(MAX_LP_FEE);
        prop_assert_eq!(u64::from(swap_fee), expected);
    }
}

fn v4_pool(lp_fee: u32, protocol: ProtocolFee) -> Pool {
    let mut p = Pool::new(PoolConfig::uniswap_v4(lp_fee, 60, false).unwrap());
    p.initialize(encode_price_sqrt(1, 1), 1).unwrap();
    p.set_fee_protocol(protocol).unwrap();
    p.mint(Address::repeat_byte(1), -887_220, 887_220, 10u128.pow(18), 1).unwrap();
    p
}

#[test]
fn exact_input_step_splits_the_fee_as_pool_swap() {
    // LP fee 0.3%, protocol fee 1,000 pips on zero-for-one: swap fee 3,997 pips.
    let mut p = v4_pool(3000, ProtocolFee { token0: 1000, token1: 0 });
    let amount = 10u128.pow(15);
    let r = p.swap(true, I256::try_from(amount).unwrap(), MIN_SQRT_RATIO + U256::ONE, 2).unwrap();
    // Two steps: starting exactly on tick 0 and moving down, the first step targets the current
    // price (the word boundary at tick 0) and moves nothing; the second takes the whole input.
    assert_eq!((r.fee_pips, r.steps, r.ticks_crossed), (3997, 2, 0));
    // One step not reaching its target: amountIn = amount * (1e6 - 3997) / 1e6, the fee is the
    // rest (SwapMath.computeSwapStep).
    assert_eq!(r.fee_amount, U256::from(3_997_000_000_000u64));
    assert_eq!(r.amount0, I256::try_from(amount).unwrap());
    // Protocol: (amountIn + feeAmount) * 1000 / 1e6 = 1e15 / 1000.
    assert_eq!(p.protocol_fees(), (1_000_000_000_000, 0));
    // LPs: the rest of the step fee, as fee growth over the in-range liquidity.
    let lp_fee = U256::from(2_997_000_000_000u64);
    let growth = (lp_fee << 128usize) / U256::from(10u128.pow(18));
    assert_eq!(p.fee_growth_global_x128().0, growth);
    // The other direction has no protocol fee: swap fee = LP fee, nothing to the protocol.
    let r = p.swap(false, I256::try_from(amount).unwrap(), U256::from(2u8) << 100usize, 3).unwrap();
    assert_eq!(r.fee_pips, 3000);
    assert_eq!(p.protocol_fees().1, 0);
}

#[test]
fn exact_output_step_uses_the_same_formula() {
    let (lp_fee, protocol) = (500, 700u32);
    let mut p = v4_pool(lp_fee, ProtocolFee { token0: protocol, token1: protocol });
    let swap_fee = calculate_swap_fee(protocol as u16, lp_fee);
    assert_eq!(swap_fee, 500 + 700 - 1, "ceil(700 * 500 / 1e6) = 1");
    // Exact output of 1e14 token1 in one step (pool sign: negative = exact output).
    let r = p
        .swap(true, -I256::try_from(10u128.pow(14)).unwrap(), MIN_SQRT_RATIO + U256::ONE, 2)
        .unwrap();
    // As above: an empty first step at the tick-0 boundary, then one step with the amounts.
    assert_eq!((r.fee_pips, r.steps, r.ticks_crossed), (swap_fee, 2, 0));
    // amount0 = amountIn + feeAmount of the single step.
    let paid = r.amount0.into_raw();
    let delta = paid * U256::from(protocol) / U256::from(1_000_000u32);
    assert_eq!(U256::from(p.protocol_fees().0), delta);
    let growth = ((r.fee_amount - delta) << 128usize) / U256::from(10u128.pow(18));
    assert_eq!(p.fee_growth_global_x128().0, growth);
}

#[test]
fn zero_lp_fee_sends_the_whole_fee_to_the_protocol() {
    // swapFee == protocolFee: `delta = step.feeAmount`, fee growth unchanged.
    let mut p = v4_pool(0, ProtocolFee { token0: 1000, token1: 1000 });
    let r = p
        .swap(true, I256::try_from(10u128.pow(15)).unwrap(), MIN_SQRT_RATIO + U256::ONE, 2)
        .unwrap();
    assert_eq!(r.fee_pips, 1000);
    assert_eq!(U256::from(p.protocol_fees().0), r.fee_amount);
    assert_eq!(r.fee_amount, U256::from(10u128.pow(12)));
    assert_eq!(p.fee_growth_global_x128().0, U256::ZERO);
}

#[test]
fn manager_sets_protocol_fees_through_the_controller() {
    let owner = Address::repeat_byte(7);
    let controller = Address::repeat_byte(9);
    let key = PoolKey {
        currency0: Address::repeat_byte(0xa0),
        currency1: Address::repeat_byte(0xb0),
        fee: 3000,
        tick_spacing: 60,
        dynamic_fee: false,
    };
    let mut m = PoolManager::new();
    let id = m.initialize(key, owner, encode_price_sqrt(1, 1), 1).unwrap();
    assert_eq!(
        m.set_protocol_fee(id, controller, 1000),
        Err(ClmmError::Unauthorized("only the protocol fee controller"))
    );
    m.set_protocol_fee_controller(controller);
    assert_eq!(m.set_protocol_fee(id, controller, 1001), Err(ClmmError::InvalidProtocolFee));
    m.set_protocol_fee(id, controller, 500 << 12 | 1000).unwrap();
    assert_eq!(m.pool(id).unwrap().slot0().fee_protocol, ProtocolFee { token0: 1000, token1: 500 });
    let lp = Address::repeat_byte(8);
    m.unlock(|s| {
        let d = s.modify_liquidity(id, lp, -600, 600, 10i128.pow(18), 2)?;
        s.settle(key.currency0, (-d.0).into_raw())?;
        s.settle(key.currency1, (-d.1).into_raw())?;
        let (a0, a1, r) = s.swap(
            id,
            true,
            -I256::try_from(10i128.pow(15)).unwrap(),
            MIN_SQRT_RATIO + U256::ONE,
            3,
        )?;
        assert_eq!(r.fee_pips, 3997);
        s.settle(key.currency0, a0.unsigned_abs())?;
        s.take(key.currency1, a1.into_raw())?;
        Ok(())
    })
    .unwrap();
    assert_eq!(m.protocol_fees_accrued(key.currency0), U256::from(10u128.pow(12)));
    assert_eq!(m.protocol_fees_accrued(key.currency1), U256::ZERO);
}
