//! Flavours pinned by tests: fee tiers, per-tick liquidity caps, protocol-fee units, Algebra's
//! adaptive fee, and the V4-style singleton with flash accounting and owner-set dynamic fees.

use alloy_primitives::{Address, I256, U256};
use hoard_clmm::flavour::{
    ALGEBRA_DEFAULT_TICK_SPACING, AdaptiveFeeConfig, PANCAKE_V3_TIERS, UNISWAP_V3_TIERS,
};
use hoard_clmm::math::tick_math::{MAX_SQRT_RATIO, MIN_SQRT_RATIO};
use hoard_clmm::tick::max_liquidity_per_tick;
use hoard_clmm::v4::{PoolKey, PoolManager};
use hoard_clmm::{ClmmError, FeeMode, Flavour, Pool, PoolConfig, ProtocolFee};

use crate::common::encode_price_sqrt;

#[test]
fn uniswap_v3_tiers() {
    assert_eq!(UNISWAP_V3_TIERS, [(100, 1), (500, 10), (3000, 60), (10_000, 200)]);
    for (fee, spacing) in UNISWAP_V3_TIERS {
        let c = PoolConfig::uniswap_v3(fee).unwrap();
        assert_eq!((c.fee, c.tick_spacing, c.fee_mode), (fee, spacing, FeeMode::Static));
        assert!(PoolConfig::new(Flavour::UniswapV3, fee, spacing + 1).is_err());
    }
    assert!(PoolConfig::uniswap_v3(2500).is_err());
    assert!(PoolConfig::uniswap_v3(0).is_err());
}

#[test]
fn pancake_v3_tiers() {
    assert_eq!(PANCAKE_V3_TIERS, [(100, 1), (500, 10), (2500, 50), (10_000, 200)]);
    for (fee, spacing) in PANCAKE_V3_TIERS {
        let c = PoolConfig::pancake_v3(fee).unwrap();
        assert_eq!((c.flavour, c.fee, c.tick_spacing), (Flavour::PancakeV3, fee, spacing));
    }
    assert!(PoolConfig::pancake_v3(3000).is_err());
}

#[test]
fn max_liquidity_per_tick_vectors() {
    // v3-core test/Tick.spec.ts #tickSpacingToMaxLiquidityPerTick.
    assert_eq!(max_liquidity_per_tick(10), 1_917_569_901_783_203_986_719_870_431_555_990);
    assert_eq!(max_liquidity_per_tick(60), 11_505_743_598_341_114_571_880_798_222_544_994);
    assert_eq!(max_liquidity_per_tick(200), 38_350_317_471_085_141_830_651_933_667_504_588);
    assert_eq!(max_liquidity_per_tick(887_272), u128::MAX / 3);
    assert_eq!(max_liquidity_per_tick(2302), 441_351_967_472_034_323_558_203_122_479_595_605);
}

fn pool_with_liquidity(config: PoolConfig) -> Pool {
    let mut p = Pool::new(config);
    p.initialize(encode_price_sqrt(1, 1), 1).unwrap();
    let s = config.tick_spacing;
    p.mint(Address::repeat_byte(1), (-887_272 / s) * s, (887_272 / s) * s, 10u128.pow(18), 1)
        .unwrap();
    p
}

#[test]
fn protocol_fee_units_per_flavour() {
    let amount = I256::try_from(10i128.pow(17)).unwrap();
    let limit = MIN_SQRT_RATIO + U256::ONE;
    // PancakeSwap: share in 1/10,000 of the fee; 3,200 = 32%.
    let mut p = pool_with_liquidity(PoolConfig::pancake_v3(2500).unwrap());
    p.set_fee_protocol(ProtocolFee { token0: 3200, token1: 3200 }).unwrap();
    let r = p.swap(true, amount, limit, 2).unwrap();
    assert_eq!(
        U256::from(p.protocol_fees().0),
        r.fee_amount * U256::from(3200) / U256::from(10_000)
    );
    assert_eq!(r.fee_amount, U256::from(250_000_000_000_000u64), "0.25% of 1e17 in one step");
    assert_eq!(
        p.set_fee_protocol(ProtocolFee { token0: 10_001, token1: 0 }),
        Err(ClmmError::InvalidProtocolFee)
    );
    // Uniswap V3: 1/n of the fee.
    let mut p = pool_with_liquidity(PoolConfig::uniswap_v3(3000).unwrap());
    p.set_fee_protocol(ProtocolFee { token0: 4, token1: 4 }).unwrap();
    let r = p.swap(true, amount, limit, 2).unwrap();
    assert_eq!(U256::from(p.protocol_fees().0), r.fee_amount / U256::from(4));
    // Algebra: 1/1,000 of the fee.
    let mut p = pool_with_liquidity(PoolConfig::algebra_integral());
    p.set_fee_protocol(ProtocolFee { token0: 150, token1: 150 }).unwrap();
    let r = p.swap(true, amount, limit, 2).unwrap();
    assert_eq!(U256::from(p.protocol_fees().0), r.fee_amount * U256::from(150) / U256::from(1000));
    assert_eq!(
        p.set_fee_protocol(ProtocolFee { token0: 1001, token1: 0 }),
        Err(ClmmError::InvalidProtocolFee)
    );
}

#[test]
fn algebra_adaptive_fee_formula() {
    let cfg = AdaptiveFeeConfig::default();
    assert_eq!(
        (cfg.alpha1, cfg.alpha2, cfg.beta1, cfg.beta2, cfg.gamma1, cfg.gamma2, cfg.base_fee),
        (2900, 12_000, 360, 60_000, 59, 8500, 100)
    );
    // No volatility: base fee (both sigmoids are cut off six stretches before their shift).
    assert_eq!(cfg.fee(0), 100);
    // At x = beta1 the first sigmoid is at half height: 100 + 1450 + ~0.
    let at_beta1 = cfg.fee(360 * 15);
    assert_eq!(at_beta1, 100 + 1450);
    // Far above both shifts: base + alpha1 + alpha2.
    assert_eq!(cfg.fee(60_000 * 15 + 6 * 8500 * 15), 100 + 2900 + 12_000);
    // At x = beta2: base + alpha1 (saturated) + alpha2 / 2.
    assert_eq!(cfg.fee(60_000 * 15), 100 + 2900 + 6000);
    // Monotone in volatility.
    let mut last = 0;
    for v in (0..2_000_000u128).step_by(997) {
        let f = cfg.fee(v);
        assert!(f >= last, "fee decreased at volatility {v}");
        last = f;
    }
    assert_eq!(PoolConfig::algebra_integral().tick_spacing, ALGEBRA_DEFAULT_TICK_SPACING);
    assert_eq!(ALGEBRA_DEFAULT_TICK_SPACING, 60);
    let bad = AdaptiveFeeConfig { gamma1: 0, ..cfg };
    assert!(PoolConfig::algebra_integral_with(60, bad).is_err());
    let too_high = AdaptiveFeeConfig { alpha2: 65_000, ..cfg };
    assert!(too_high.validate().is_err());
}

#[test]
fn algebra_fee_rises_with_volatility() {
    let mut p = pool_with_liquidity(PoolConfig::algebra_integral());
    assert_eq!(p.current_fee(10), 100);
    // Swing the price back and forth by hundreds of ticks every minute for an hour.
    let big = I256::try_from(3 * 10i128.pow(16)).unwrap();
    let mut t = 100;
    for i in 0..60 {
        let z = i % 2 == 0;
        let limit = if z { MIN_SQRT_RATIO + U256::ONE } else { MAX_SQRT_RATIO - U256::ONE };
        p.swap(z, big, limit, t).unwrap();
        t += 60;
    }
    assert!(p.volatility(t) > 0);
    let fee = p.current_fee(t);
    assert!(fee > 100, "fee {fee} did not rise above the base");
    assert_eq!(fee, u32::from(AdaptiveFeeConfig::default().fee(p.volatility(t))));
    // The swap uses the adaptive fee.
    let r = p.quote(true, big, MIN_SQRT_RATIO + U256::ONE, t).unwrap();
    assert_eq!(r.fee_pips, fee);
    // Two calm days later the first swap still pays more than the base: Algebra's timepoint
    // written after the gap interpolates the average tick linearly from the old average to the
    // current tick across the whole gap, so the last 24 hours still see part of the swing.
    let t2 = t + 2 * 86_400;
    let tick = p.tick();
    let fee2 = p.current_fee(t2);
    assert!(fee2 > 100 && fee2 <= fee, "fee {fee2} after two calm days");
    let tiny = I256::try_from(1000).unwrap();
    let r = p.swap(true, tiny, MIN_SQRT_RATIO + U256::ONE, t2).unwrap();
    assert_eq!(
        (r.fee_pips, r.tick),
        (fee2, tick),
        "a tiny swap writes a timepoint, tick unchanged"
    );
    // A day after that timepoint (whose average tick is the current tick) there is no
    // volatility left in the window: back to the base fee.
    assert_eq!(p.volatility(t2 + 86_400 + 1), 0);
    assert_eq!(p.current_fee(t2 + 86_400 + 1), 100);
}

#[test]
fn v4_config_rules() {
    assert!(PoolConfig::uniswap_v4(1_000_000, 1, false).is_err());
    assert!(PoolConfig::uniswap_v4(0, 0, false).is_err());
    assert!(PoolConfig::uniswap_v4(0, 32_768, false).is_err());
    let c = PoolConfig::uniswap_v4(1234, 7, false).unwrap();
    assert_eq!((c.fee, c.tick_spacing), (1234, 7));
    let d = PoolConfig::uniswap_v4(999, 7, true).unwrap();
    assert_eq!((d.fee, d.fee_mode), (0, FeeMode::OwnerSet));
    let mut p = Pool::new(c);
    assert_eq!(p.set_dynamic_fee(10), Err(ClmmError::NotDynamicFee));
}

fn key(fee: u32, spacing: i32, dynamic: bool) -> PoolKey {
    PoolKey {
        currency0: Address::repeat_byte(0xa0),
        currency1: Address::repeat_byte(0xb0),
        fee,
        tick_spacing: spacing,
        dynamic_fee: dynamic,
    }
}

#[test]
fn v4_singleton_flash_accounting() {
    let owner = Address::repeat_byte(7);
    let lp = Address::repeat_byte(8);
    let mut m = PoolManager::new();
    let k1 = key(3000, 60, false);
    let k2 = key(100, 1, true);
    let id1 = m.initialize(k1, owner, encode_price_sqrt(1, 1), 1).unwrap();
    let id2 = m.initialize(k2, owner, encode_price_sqrt(1, 1), 1).unwrap();
    assert_ne!(id1, id2);
    assert_eq!(
        m.initialize(k1, owner, encode_price_sqrt(1, 1), 1),
        Err(ClmmError::PoolAlreadyExists)
    );
    let swapped = PoolKey { currency0: k1.currency1, currency1: k1.currency0, ..k1 };
    assert_eq!(
        m.initialize(swapped, owner, encode_price_sqrt(1, 1), 1),
        Err(ClmmError::CurrenciesOutOfOrder)
    );
    let (c0, c1) = (k1.currency0, k1.currency1);

    // An unsettled session is rolled back entirely.
    let r = m.unlock(|s| s.modify_liquidity(id1, lp, -600, 600, 10i128.pow(18), 2));
    assert_eq!(r, Err(ClmmError::CurrencyNotSettled));
    assert_eq!(m.pool(id1).unwrap().liquidity(), 0);

    // Add liquidity to both pools and pay for it once, netted across pools.
    let (d1, d2) = m
        .unlock(|s| {
            let d1 = s.modify_liquidity(id1, lp, -600, 600, 10i128.pow(18), 2)?;
            let d2 = s.modify_liquidity(id2, lp, -50, 50, 10i128.pow(18), 2)?;
            s.settle(c0, (-(d1.0 + d2.0)).into_raw())?;
            s.settle(c1, (-(d1.1 + d2.1)).into_raw())?;
            assert_eq!(s.delta(c0), I256::ZERO);
            Ok((d1, d2))
        })
        .unwrap();
    assert!(d1.0.is_negative() && d1.1.is_negative() && d2.0.is_negative());
    assert_eq!(m.reserve(c0), (-(d1.0 + d2.0)).into_raw());

    // Route: swap in pool 1 exact input (V4 sign: negative), then pay and take.
    let limit = MIN_SQRT_RATIO + U256::ONE;
    let out = m
        .unlock(|s| {
            let (a0, a1, _) =
                s.swap(id1, true, I256::try_from(-10i128.pow(15)).unwrap(), limit, 3)?;
            assert_eq!(
                a0,
                I256::try_from(-10i128.pow(15)).unwrap(),
                "exact input owed by the caller"
            );
            assert!(a1.is_positive());
            s.settle(c0, a0.unsigned_abs())?;
            s.take(c1, a1.into_raw())?;
            Ok(a1)
        })
        .unwrap();
    assert!(out.is_positive());

    // Dynamic fee: only the pool owner sets it, and only on a pool with the flag.
    assert_eq!(
        m.update_dynamic_fee(id2, lp, 500),
        Err(ClmmError::Unauthorized("only the pool owner sets a dynamic fee"))
    );
    assert_eq!(m.update_dynamic_fee(id1, owner, 500), Err(ClmmError::NotDynamicFee));
    m.update_dynamic_fee(id2, owner, 4321).unwrap();
    assert_eq!(m.pool(id2).unwrap().fee(), 4321);
    let fee_paid = m
        .unlock(|s| {
            let (a0, a1, r) =
                s.swap(id2, true, I256::try_from(-10i128.pow(12)).unwrap(), limit, 4)?;
            s.settle(c0, a0.unsigned_abs())?;
            s.take(c1, a1.into_raw())?;
            Ok(r.fee_amount)
        })
        .unwrap();
    assert_eq!(fee_paid, U256::from(4_321_000_000u64), "1e12 x 0.4321%");

    // Removing liquidity credits principal and fees to the caller, who takes them.
    let before = m.reserve(c0);
    let (r0, _) = m
        .unlock(|s| {
            let d = s.modify_liquidity(id1, lp, -600, 600, -(10i128.pow(18)), 5)?;
            s.take(c0, d.0.into_raw())?;
            s.take(c1, d.1.into_raw())?;
            Ok(d)
        })
        .unwrap();
    assert!(r0.is_positive());
    assert_eq!(m.reserve(c0), before - r0.into_raw());
    // Taking more than the reserves fails and rolls back.
    assert!(m.unlock(|s| s.take(c0, U256::MAX)).is_err());
}

#[test]
fn pools_and_managers_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Pool>();
    assert_send_sync::<PoolManager>();
    assert_send_sync::<hoard_clmm::replay::Replayer>();
}
