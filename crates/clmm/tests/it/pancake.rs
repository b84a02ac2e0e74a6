//! PancakeSwap V3's protocol fee, pinned against its contract
//! (pancakeswap/pancake-v3-contracts, projects/v3-core/contracts/PancakeV3Pool.sol, commit
//! 5cc479f0c5a9; facts only):
//! - `initialize` sets slot0 `feeProtocol` per fee tier: 216272100 (3300:3300) for fee 100,
//!   222825800 (3400:3400) for 500, 209718400 (3200:3200) for 2500 and 10000;
//! - `feeProtocol` packs token0's share in the low 16 bits (`% PROTOCOL_FEE_SP`, 65536) and
//!   token1's above (`>> 16`), each per `PROTOCOL_FEE_DENOMINATOR` = 10,000; a zero-for-one swap
//!   uses token0's share, a one-for-zero swap token1's;
//! - each swap step gives the protocol `feeAmount * feeProtocol / 10,000` (floored) and the rest
//!   to fee growth: `feeGrowthGlobalX128 += mulDiv(feeAmount - delta, Q128, liquidity)`;
//! - `setFeeProtocol` requires each share to be 0 or within 1000..=4000 (a bare `require`).

use alloy_primitives::{Address, I256, U256};
use hoard_clmm::flavour::{PANCAKE_V3_DEFAULT_PROTOCOL_FEES, PANCAKE_V3_TIERS};
use hoard_clmm::math::tick_math::{MAX_SQRT_RATIO, MIN_SQRT_RATIO};
use hoard_clmm::{ClmmError, Pool, PoolConfig, ProtocolFee};
use uniswap_v3_math as refm;

use crate::common::{encode_price_sqrt, u};

const T0: u32 = 1_700_000_000;
const L: u128 = 1_000_000_000_000_000_000; // 1e18 over the full range
const AMOUNT: u128 = 1_000_000_000_000_000; // 1e15 exact input

fn lp() -> Address {
    Address::repeat_byte(0x11)
}

fn full_range(spacing: i32) -> (i32, i32) {
    ((-887_272 / spacing) * spacing, (887_272 / spacing) * spacing)
}

/// A fresh PancakeSwap pool of tier `fee` at price 1 with `L` over the full range.
fn fresh_pool(fee: u32) -> Pool {
    let mut p = Pool::new(PoolConfig::pancake_v3(fee).unwrap());
    p.initialize(encode_price_sqrt(1, 1), T0).unwrap();
    let (lo, hi) = full_range(p.config().tick_spacing);
    p.mint(lp(), lo, hi, L, T0).unwrap();
    p
}

fn exact_in(p: &mut Pool, zero_for_one: bool) -> hoard_clmm::SwapResult {
    let limit = if zero_for_one { MIN_SQRT_RATIO + U256::ONE } else { MAX_SQRT_RATIO - U256::ONE };
    p.swap(zero_for_one, I256::try_from(AMOUNT).unwrap(), limit, T0 + 1).unwrap()
}

#[test]
fn initialize_sets_the_factory_default_protocol_fee_per_tier() {
    // The packed slot0 values written by `PancakeV3Pool.initialize`.
    let packed =
        [(100, 216_272_100u32), (500, 222_825_800), (2500, 209_718_400), (10_000, 209_718_400)];
    assert_eq!(
        PANCAKE_V3_DEFAULT_PROTOCOL_FEES,
        [(100, 3300), (500, 3400), (2500, 3200), (10_000, 3200)]
    );
    for ((fee, _), (&(f, n), &(g, word))) in
        PANCAKE_V3_TIERS.iter().zip(PANCAKE_V3_DEFAULT_PROTOCOL_FEES.iter().zip(packed.iter()))
    {
        assert_eq!((*fee, *fee), (f, g));
        let mut p = Pool::new(PoolConfig::pancake_v3(*fee).unwrap());
        assert_eq!(p.slot0().fee_protocol, ProtocolFee::default());
        p.initialize(encode_price_sqrt(1, 1), T0).unwrap();
        let fp = p.slot0().fee_protocol;
        assert_eq!(fp, ProtocolFee { token0: n, token1: n }, "fee {fee}");
        assert_eq!(fp.to_pancake_packed(), word, "fee {fee}: slot0 feeProtocol");
        assert_eq!(fp.to_pancake_packed(), n + (n << 16));
        assert_eq!(ProtocolFee::from_pancake_packed(word), Ok(fp));
        // A pool bootstrapped from a recorded state goes through initialize too.
        let q = Pool::from_recorded_state(
            PoolConfig::pancake_v3(*fee).unwrap(),
            encode_price_sqrt(1, 1),
            0,
            L,
            T0,
        )
        .unwrap();
        assert_eq!(q.slot0().fee_protocol, fp);
    }
    // Uniswap V3 and V4 pools start with the protocol fee off, as their contracts do.
    let mut p = Pool::new(PoolConfig::uniswap_v3(500).unwrap());
    p.initialize(encode_price_sqrt(1, 1), T0).unwrap();
    assert_eq!(p.slot0().fee_protocol, ProtocolFee::default());
    let mut p = Pool::new(PoolConfig::uniswap_v4(500, 10, false).unwrap());
    p.initialize(encode_price_sqrt(1, 1), T0).unwrap();
    assert_eq!(p.slot0().fee_protocol, ProtocolFee::default());
}

/// One row: tier, default share, the swap's fee amount, protocol part, fee growth (Q128.128),
/// what the LP is owed, and the final sqrt price of the zero-for-one / one-for-zero swap.
struct Expected {
    fee: u32,
    share: u128,
    fee_amount: u128,
    protocol: u128,
    growth: &'static str,
    owed: u128,
    price_zero_for_one: &'static str,
    price_one_for_zero: &'static str,
}

// Derivation by hand from the contracts' formulas, price 1 (sqrtP = 2^96), L = 1e18, exact input
// A = 1e15 (the first step, to tick 0's own price, is empty; the second stays inside the
// first 256-tick word, about 10 ticks from the start):
// - `SwapMath.computeSwapStep`: amountRemainingLessFee = A * (1e6 - fee) / 1e6, which is exact;
//   the target is not reached, so the price is `getNextSqrtPriceFromInput` and
//   amountIn = getAmount{0,1}Delta(price, next, L, up) = amountRemainingLessFee (the roundings
//   cancel at these numbers), and feeAmount = A - amountIn = A * fee / 1e6 = 1e9 * fee.
// - Protocol part: feeAmount * share / 10,000 (exact here: 1e9 * fee * share / 1e4).
// - Fee growth: floor((feeAmount - protocol) * 2^128 / 1e18); e.g. fee 100:
//   67,000,000,000 * 2^128 / 1e18 = 22798918583702877052046098697928.xx.
// - Owed to the only position: floor(growth * L / 2^128) = feeAmount - protocol - 1 (the
//   growth was floored).
const EXPECTED: [Expected; 4] = [
    Expected {
        fee: 100,
        share: 3300,
        fee_amount: 100_000_000_000,
        protocol: 33_000_000_000,
        growth: "22798918583702877052046098697928",
        owed: 66_999_999_999,
        price_zero_for_one: "79149021407758719649766149164",
        price_one_for_zero: "79307382753962350504703734931",
    },
    Expected {
        fee: 500,
        share: 3400,
        fee_amount: 500_000_000_000,
        protocol: 170_000_000_000,
        growth: "112293181083909692942913620452483",
        owed: 329_999_999_999,
        price_zero_for_one: "79149053035755100370723412286",
        price_one_for_zero: "79307351062697344798968697514",
    },
    Expected {
        fee: 2500,
        share: 3200,
        fee_amount: 2_500_000_000_000,
        protocol: 800_000_000_000,
        growth: "578480023765595387887736832634005",
        owed: 1_699_999_999_999,
        price_zero_for_one: "79149211176116161722226029872",
        price_one_for_zero: "79307192606372316270293510426",
    },
    Expected {
        fee: 10_000,
        share: 3200,
        fee_amount: 10_000_000_000_000,
        protocol: 3_200_000_000_000,
        growth: "2313920095062381551550947330536023",
        owed: 6_799_999_999_999,
        price_zero_for_one: "79149804208098320256490025212",
        price_one_for_zero: "79306598395153459287761558846",
    },
];

#[test]
fn fresh_pool_swaps_pay_the_default_protocol_fee_in_each_tier() {
    for e in &EXPECTED {
        assert_eq!(e.fee_amount, AMOUNT * u128::from(e.fee) / 1_000_000);
        assert_eq!(e.protocol, e.fee_amount * e.share / 10_000);
        assert_eq!(e.owed, e.fee_amount - e.protocol - 1);
        for zero_for_one in [true, false] {
            let mut p = fresh_pool(e.fee);
            let (b0, b1) = p.balances();
            let r = exact_in(&mut p, zero_for_one);
            let what = format!("fee {} zero_for_one {zero_for_one}", e.fee);
            assert_eq!(r.fee_amount, U256::from(e.fee_amount), "{what}: fee amount");
            let price = if zero_for_one { e.price_zero_for_one } else { e.price_one_for_zero };
            assert_eq!(r.sqrt_price_x96, u(price), "{what}: price");
            let (g0, g1) = p.fee_growth_global_x128();
            let (f0, f1) = p.protocol_fees();
            if zero_for_one {
                assert_eq!((f0, f1), (e.protocol, 0), "{what}: protocol fees");
                assert_eq!((g0, g1), (u(e.growth), U256::ZERO), "{what}: fee growth");
            } else {
                assert_eq!((f0, f1), (0, e.protocol), "{what}: protocol fees");
                assert_eq!((g0, g1), (U256::ZERO, u(e.growth)), "{what}: fee growth");
            }
            // The LP's tokens owed and collect get the fee net of the protocol's part.
            let (lo, hi) = full_range(p.config().tick_spacing);
            p.burn(lp(), lo, hi, 0, T0 + 2).unwrap();
            let pos = p.position(lp(), lo, hi).unwrap();
            let owed = if zero_for_one { (e.owed, 0) } else { (0, e.owed) };
            assert_eq!((pos.tokens_owed0, pos.tokens_owed1), owed, "{what}: tokens owed");
            assert_eq!(p.collect(lp(), lo, hi, u128::MAX, u128::MAX).unwrap(), owed);
            // The protocol collects its part (one unit stays in the slot, as in the contract).
            let collected = p.collect_protocol(u128::MAX, u128::MAX).unwrap();
            let expected = if zero_for_one { (e.protocol - 1, 0) } else { (0, e.protocol - 1) };
            assert_eq!(collected, expected, "{what}: collectProtocol");
            // Balances: the swap's input in, output out, fees paid out.
            let (a0, a1) = (r.amount0, r.amount1);
            let (n0, n1) = p.balances();
            let paid = U256::from(e.owed + e.protocol - 1);
            if zero_for_one {
                assert_eq!(n0, b0 + a0.into_raw() - paid);
                assert_eq!(n1, b1 - a1.unsigned_abs());
            } else {
                assert_eq!(n0, b0 - a0.unsigned_abs());
                assert_eq!(n1, b1 + a1.into_raw() - paid);
            }
        }
    }
}

/// Cross-check of the 0.25% row with an independent implementation: the step by
/// `uniswap_v3_math` (another crate's port of `SwapMath`), the protocol part and fee growth by
/// its `FullMath.mulDiv` with the contract's formulas.
#[test]
fn fee_growth_cross_checked_with_an_independent_computation() {
    let (fee, share) = (2500u32, 3200u32);
    let spacing = 50;
    let start = encode_price_sqrt(1, 1);
    // The non-empty step's target: the lowest tick of the word below tick 0 (-256 compressed).
    let target = refm::tick_math::get_sqrt_ratio_at_tick(-256 * spacing).unwrap();
    let (next, amount_in, _, fee_amount) =
        refm::swap_math::compute_swap_step(start, target, L, I256::try_from(AMOUNT).unwrap(), fee)
            .unwrap();
    assert_ne!(next, target, "the swap ends inside the step");
    assert_eq!(amount_in + fee_amount, U256::from(AMOUNT));
    let protocol = fee_amount * U256::from(share) / U256::from(10_000);
    let growth =
        refm::full_math::mul_div(fee_amount - protocol, U256::ONE << 128, U256::from(L)).unwrap();

    let mut p = fresh_pool(fee);
    let r = exact_in(&mut p, true);
    assert_eq!((r.sqrt_price_x96, r.fee_amount), (next, fee_amount));
    assert_eq!(U256::from(p.protocol_fees().0), protocol);
    assert_eq!(p.fee_growth_global_x128().0, growth);
    assert_eq!(growth, u(EXPECTED[2].growth));
}

#[test]
fn the_two_halves_apply_to_their_own_direction() {
    // setFeeProtocol(1000, 4000): slot0 feeProtocol = 1000 + (4000 << 16) = 262145000.
    let fp = ProtocolFee { token0: 1000, token1: 4000 };
    assert_eq!(fp.to_pancake_packed(), 262_145_000);
    assert_eq!(ProtocolFee::from_pancake_packed(262_145_000), Ok(fp));
    // 0.05% of 1e15 = 5e11 in fees either way (see EXPECTED); token0's share is 10% and
    // token1's 40%: 5e10 and 2e11.
    for (zero_for_one, protocol) in [(true, (50_000_000_000, 0)), (false, (0, 200_000_000_000))] {
        let mut p = fresh_pool(500);
        p.set_fee_protocol(fp).unwrap();
        assert_eq!(p.slot0().fee_protocol.to_pancake_packed(), 262_145_000);
        let r = exact_in(&mut p, zero_for_one);
        assert_eq!(r.fee_amount, U256::from(500_000_000_000u64));
        assert_eq!(p.protocol_fees(), protocol, "zero_for_one {zero_for_one}");
    }
    // Turning it off.
    let mut p = fresh_pool(500);
    p.set_fee_protocol(ProtocolFee::default()).unwrap();
    exact_in(&mut p, true);
    exact_in(&mut p, false);
    assert_eq!(p.protocol_fees(), (0, 0));
}

#[test]
fn set_fee_protocol_accepts_zero_or_1000_to_4000() {
    let mut p = fresh_pool(2500);
    for ok in [0, 1000, 2500, 4000] {
        assert_eq!(p.set_fee_protocol(ProtocolFee { token0: ok, token1: ok }), Ok(()), "{ok}");
        assert_eq!(p.slot0().fee_protocol, ProtocolFee { token0: ok, token1: ok });
    }
    p.set_fee_protocol(ProtocolFee { token0: 0, token1: 4000 }).unwrap();
    for bad in [1, 999, 4001, 10_000, 65_535, u32::MAX] {
        for fp in
            [ProtocolFee { token0: bad, token1: 1000 }, ProtocolFee { token0: 1000, token1: bad }]
        {
            assert_eq!(p.set_fee_protocol(fp), Err(ClmmError::InvalidProtocolFee), "{fp:?}");
        }
        // Refused settings change nothing.
        assert_eq!(p.slot0().fee_protocol, ProtocolFee { token0: 0, token1: 4000 });
    }
    // The packed form is refused on the same terms.
    assert_eq!(ProtocolFee::from_pancake_packed(999), Err(ClmmError::InvalidProtocolFee));
    assert_eq!(
        ProtocolFee::from_pancake_packed(1000 + (4001 << 16)),
        Err(ClmmError::InvalidProtocolFee)
    );
    assert_eq!(
        ProtocolFee::from_pancake_packed(4000 << 16),
        Ok(ProtocolFee { token0: 0, token1: 4000 })
    );
}
