//! Reverts that depend on the contracts' structure, per flavour (facts from the contracts):
//! - the `lock` modifier: Uniswap V3 (Uniswap/v3-core contracts/UniswapV3Pool.sol) and
//!   PancakeSwap V3 (pancakeswap/pancake-v3-contracts projects/v3-core/contracts/PancakeV3Pool.sol)
//!   revert with `LOK` in every `lock` function (`collect`, `setFeeProtocol`, `collectProtocol`,
//!   ...) until `initialize` sets `slot0.unlocked`; V4 (Uniswap/v4-core src/libraries/Pool.sol)
//!   checks `PoolNotInitialized` in `setProtocolFee` and `modifyLiquidity`; Algebra Integral
//!   (cryptoalgebra/Algebra src/core/contracts) unlocks its pools in the constructor;
//! - the order of position checks: `checkTicks`, then `Tick.update` of both ticks (`LS`/`LA`,
//!   `LO`), then `TickBitmap.flipTick`'s alignment `require`, then `Position.update` (`NP`).

use alloy_primitives::{Address, U256};
use hoard_clmm::tick::max_liquidity_per_tick;
use hoard_clmm::{ClmmError, Flavour, Pool, PoolConfig, ProtocolFee};

use crate::common::encode_price_sqrt;

const T0: u32 = 1_000;

fn owner() -> Address {
    Address::repeat_byte(0x33)
}

fn configs() -> [PoolConfig; 4] {
    [
        PoolConfig::uniswap_v3(3000).unwrap(),
        PoolConfig::pancake_v3(2500).unwrap(),
        PoolConfig::uniswap_v4(3000, 60, false).unwrap(),
        PoolConfig::algebra_integral(),
    ]
}

/// A valid, non-zero protocol fee for each flavour.
fn some_protocol_fee(flavour: Flavour) -> ProtocolFee {
    let n = match flavour {
        Flavour::UniswapV3 => 5,
        Flavour::PancakeV3 => 2000,
        Flavour::UniswapV4 | Flavour::AlgebraIntegral => 100,
    };
    ProtocolFee { token0: n, token1: n }
}

#[test]
fn lock_functions_revert_before_initialize_where_the_contract_does() {
    for config in configs() {
        let f = config.flavour;
        let mut p = Pool::new(config);
        let fp = some_protocol_fee(f);
        let (collect, set, collect_protocol) = (
            p.collect(owner(), -60, 60, u128::MAX, u128::MAX),
            p.set_fee_protocol(fp),
            p.collect_protocol(u128::MAX, u128::MAX),
        );
        match f {
            Flavour::UniswapV3 | Flavour::PancakeV3 => {
                assert!(f.locked_before_initialize());
                assert_eq!(collect, Err(ClmmError::NotInitialized), "{f:?} collect");
                assert_eq!(set, Err(ClmmError::NotInitialized), "{f:?} setFeeProtocol");
                assert_eq!(
                    collect_protocol,
                    Err(ClmmError::NotInitialized),
                    "{f:?} collectProtocol"
                );
                assert!(ClmmError::NotInitialized.to_string().contains("LOK"));
                // The lock comes before the value check (modifier first).
                assert_eq!(
                    p.set_fee_protocol(ProtocolFee { token0: 1, token1: 1 }),
                    Err(ClmmError::NotInitialized)
                );
            }
            Flavour::UniswapV4 => {
                assert!(!f.locked_before_initialize());
                assert_eq!(collect, Err(ClmmError::NotInitialized), "V4 modifyLiquidity");
                assert_eq!(set, Err(ClmmError::NotInitialized), "V4 setProtocolFee");
                assert_eq!(collect_protocol, Ok((0, 0)), "V4: the manager's, per currency");
            }
            Flavour::AlgebraIntegral => {
                assert!(!f.locked_before_initialize());
                assert_eq!(collect, Ok((0, 0)));
                assert_eq!(set, Ok(()));
                assert_eq!(collect_protocol, Ok((0, 0)));
            }
        }
        // Nothing changed by the refusals; after initialize everything is allowed.
        p.initialize(encode_price_sqrt(1, 1), T0).unwrap();
        assert_eq!(p.collect(owner(), -60, 60, u128::MAX, u128::MAX), Ok((0, 0)), "{f:?}");
        assert_eq!(p.set_fee_protocol(fp), Ok(()), "{f:?}");
        assert_eq!(p.slot0().fee_protocol, fp);
        assert_eq!(p.collect_protocol(u128::MAX, u128::MAX), Ok((0, 0)), "{f:?}");
    }
}

#[test]
fn per_tick_cap_is_checked_before_tick_alignment() {
    for config in configs() {
        let f = config.flavour;
        let s = config.tick_spacing;
        let max = max_liquidity_per_tick(s);
        let mut p = Pool::new(config);
        p.initialize(encode_price_sqrt(1, 1), T0).unwrap();
        p.mint(owner(), -s, s, 1000, T0).unwrap();
        let (ticks, liquidity, balances) = (p.ticks_sorted(), p.liquidity(), p.balances());
        let unaligned_lower = (-s + 1, s);
        let unaligned_upper = (-s, s - 1);
        let lower_not_spaced = ClmmError::TickNotSpaced { tick: -s + 1, spacing: s };
        let upper_not_spaced = ClmmError::TickNotSpaced { tick: s - 1, spacing: s };
        if f == Flavour::AlgebraIntegral {
            // Algebra's `mint` checks `tickIsNotSpaced` before any tick update.
            let (lo, hi) = unaligned_lower;
            assert_eq!(p.mint(owner(), lo, hi, max + 1, T0), Err(lower_not_spaced));
        } else {
            // Above the cap: LO, whichever tick is unaligned (Tick.update before flipTick).
            let (lo, hi) = unaligned_lower;
            assert_eq!(
                p.mint(owner(), lo, hi, max + 1, T0),
                Err(ClmmError::LiquidityOverflowPerTick),
                "{f:?}"
            );
            let (lo, hi) = unaligned_upper;
            assert_eq!(
                p.mint(owner(), lo, hi, max + 1, T0),
                Err(ClmmError::LiquidityOverflowPerTick),
                "{f:?}"
            );
            // The aligned upper tick already carries 1000: one more than `max - 1000` puts it
            // above the cap, which is checked before the unaligned lower tick would flip.
            let (lo, hi) = unaligned_lower;
            assert_eq!(
                p.mint(owner(), lo, hi, max - 999, T0),
                Err(ClmmError::LiquidityOverflowPerTick),
                "{f:?}"
            );
            // Within the cap: the alignment check of the tick that flips.
            assert_eq!(p.mint(owner(), lo, hi, max - 1000, T0), Err(lower_not_spaced.clone()));
            let (lo, hi) = unaligned_upper;
            assert_eq!(p.mint(owner(), lo, hi, 1, T0), Err(upper_not_spaced));
        }
        // A burn on an unaligned tick underflows its gross liquidity first (LS); a poke finds no
        // position (NP).
        let (lo, hi) = unaligned_lower;
        assert_eq!(p.burn(owner(), lo, hi, 1, T0), Err(ClmmError::LiquiditySub), "{f:?}");
        assert_eq!(p.burn(owner(), lo, hi, 0, T0), Err(ClmmError::NoPosition), "{f:?}");
        // Refusals leave no trace.
        assert_eq!((p.ticks_sorted(), p.liquidity(), p.balances()), (ticks, liquidity, balances));
        assert_eq!(p.tick_info(-s + 1), None);
        // Aligned ticks within the cap still mint.
        assert!(p.mint(owner(), -2 * s, 2 * s, 1000, T0).unwrap().0 > U256::ZERO);
    }
}
