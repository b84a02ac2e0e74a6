//! Random sequences of signed pool commands through the engine give exactly the bare
//! `hoard_clmm` pool's results; a rejected command changes nothing but its sender's nonce; every
//! asset's supply is what its holders hold.

use alloy_primitives::{I256, U256, aliases::I24, aliases::U160};
use hoard_clmm::{Flavour, Pool, PoolConfig, math::tick_math};
use hoard_core::{
    command::*,
    facets::{modules::Module, pools, token},
};
use proptest::prelude::*;

use crate::harness::*;

#[derive(Clone, Debug)]
enum Op {
    Add { lower: i32, width: i32, liquidity: u128 },
    Remove { position: usize, share_pct: u8 },
    Swap { zero_for_one: bool, exact_in: bool, amount: i128 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (-8i32..8, 1i32..6, 1u128..10u128.pow(12)).prop_map(|(lower, width, liquidity)| Op::Add {
            lower,
            width,
            liquidity
        }),
        (0usize..8, 1u8..=100).prop_map(|(position, share_pct)| Op::Remove { position, share_pct }),
        (any::<bool>(), any::<bool>(), 1i128..10i128.pow(11)).prop_map(
            |(zero_for_one, exact_in, amount)| Op::Swap { zero_for_one, exact_in, amount }
        ),
    ]
}

fn i24(v: i32) -> I24 {
    I24::try_from(v).expect("fits")
}

/// Every holder's balance of `asset` adds up to its total supply.
fn supply_conserved(c: &Chain, asset: alloy_primitives::Address) {
    let held: U256 = c.engine.asset_holders(asset).map(|(_, b)| b).sum();
    assert_eq!(held, token::supply(c.engine.state(), &asset).total, "asset {asset}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn pool_commands_through_the_engine_match_the_bare_pool(ops in proptest::collection::vec(op(), 1..40)) {
        let mut c = Chain::new();
        let icy = c.engine.addresses().icy;
        let usdc = token::asset_address("USDC");
        let (token0, token1) = if icy < usdc { (icy, usdc) } else { (usdc, icy) };
        let create = Command::CreatePool(CreatePool {
            token0, token1, flavour: 0, fee: 3000, tickSpacing: i24(60),
            sqrtPriceX96: U160::from(1u128 << 96), nonce: c.nonce(ADMIN), deadline: c.deadline(),
        });
        c.ok(ADMIN, create);
        let mut bare = Pool::new(PoolConfig::new(Flavour::UniswapV3, 3000, 60).expect("config"));
        bare.initialize(U256::from(1u128 << 96), 0).expect("initialize");
        let who = ALICE;
        let owner = addr(who);
        let mut positions: Vec<(i32, i32, u128)> = Vec::new();
        for op in &ops {
            let time = c.env().time_s as u32;
            let (command, expected): (Command, Result<(), String>) = match op {
                Op::Add { lower, width, liquidity } => {
                    let (l, u) = (lower * 60, (lower + width) * 60);
                    let expected = bare.clone().mint(owner, l, u, *liquidity, time).map(|_| ()).map_err(|e| e.to_string());
                    (Command::AddLiquidity(AddLiquidity {
                        pool: 0, tickLower: i24(l), tickUpper: i24(u), liquidity: U256::from(*liquidity),
                        amount0Max: U256::MAX, amount1Max: U256::MAX, nonce: c.nonce(who), deadline: c.deadline(),
                    }), expected)
                }
                Op::Remove { position, share_pct } => {
                    let Some(&(l, u, held)) = positions.get(*position % positions.len().max(1)) else { continue };
                    let amount = held * u128::from(*share_pct) / 100;
                    let expected = bare.clone().burn(owner, l, u, amount, time).map(|_| ()).map_err(|e| e.to_string());
                    (Command::RemoveLiquidity(RemoveLiquidity {
                        pool: 0, tickLower: i24(l), tickUpper: i24(u), liquidity: U256::from(amount),
                        amount0Min: U256::ZERO, amount1Min: U256::ZERO, nonce: c.nonce(who), deadline: c.deadline(),
                    }), expected)
                }
                Op::Swap { zero_for_one, exact_in, amount } => {
                    let specified = I256::try_from(if *exact_in { *amount } else { -*amount }).expect("fits");
                    let limit = if *zero_for_one { tick_math::MIN_SQRT_RATIO + U256::ONE } else { tick_math::MAX_SQRT_RATIO - U256::ONE };
                    let expected = bare.clone().swap(*zero_for_one, specified, limit, time).map(|_| ()).map_err(|e| e.to_string());
                    (Command::Swap(Swap {
                        pool: 0, zeroForOne: *zero_for_one, amountSpecified: specified, sqrtPriceLimitX96: limit.to(),
                        amountLimit: if *exact_in { U256::ZERO } else { U256::MAX }, nonce: c.nonce(who), deadline: c.deadline(),
                    }), expected)
                }
            };
            let before = state_without_nonce(&c.engine, owner);
            let held0 = c.engine.asset_balance(&token0, &owner);
            let held1 = c.engine.asset_balance(&token1, &owner);
            let r = c.run(who, command);
            if r.success() {
                prop_assert!(expected.is_ok(), "the engine applied what the bare pool refuses: {:?}", expected);
                // Apply the same operation to the bare pool and compare what was paid.
                let (paid0, paid1) = match op {
                    Op::Add { lower, width, liquidity } => {
                        let (l, u) = (lower * 60, (lower + width) * 60);
                        let (a0, a1) = bare.mint(owner, l, u, *liquidity, time).expect("checked");
                        match positions.iter_mut().find(|p| p.0 == l && p.1 == u) {
                            Some(p) => p.2 += liquidity,
                            None => positions.push((l, u, *liquidity)),
                        }
                        (I256::from_raw(a0), I256::from_raw(a1))
                    }
                    Op::Remove { position, share_pct } => {
                        let i = *position % positions.len();
                        let (l, u, held) = positions[i];
                        let amount = held * u128::from(*share_pct) / 100;
                        bare.burn(owner, l, u, amount, time).expect("checked");
                        positions[i].2 -= amount;
                        (I256::ZERO, I256::ZERO)
                    }
                    Op::Swap { zero_for_one, exact_in, amount } => {
                        let specified = I256::try_from(if *exact_in { *amount } else { -*amount }).expect("fits");
                        let limit = if *zero_for_one { tick_math::MIN_SQRT_RATIO + U256::ONE } else { tick_math::MAX_SQRT_RATIO - U256::ONE };
                        let s = bare.swap(*zero_for_one, specified, limit, time).expect("checked");
                        (s.amount0, s.amount1)
                    }
                };
                let spent0 = I256::from_raw(held0) - I256::from_raw(c.engine.asset_balance(&token0, &owner));
                let spent1 = I256::from_raw(held1) - I256::from_raw(c.engine.asset_balance(&token1, &owner));
                prop_assert_eq!((spent0, spent1), (paid0, paid1), "what the sender paid (+) or got (-)");
            } else {
                // Refused by the pool, or by the ledger (not enough to pay): nothing changed.
                prop_assert_eq!(state_without_nonce(&c.engine, owner), before, "{:?}", r.code());
                if r.code() == Some("pools.refused") {
                    prop_assert!(expected.is_err(), "the engine refused what the bare pool does: {:?}", r.message());
                }
            }
            let p = pools::view(c.engine.state(), 0).expect("pool 0");
            prop_assert_eq!(p.sqrt_price_x96(), bare.sqrt_price_x96());
            prop_assert_eq!(p.tick(), bare.tick());
            prop_assert_eq!(p.liquidity(), bare.liquidity());
            prop_assert_eq!(p.fee_growth_global_x128(), bare.fee_growth_global_x128());
            prop_assert_eq!(p.balances(), bare.balances());
            let reserves = Module::Pools.account();
            prop_assert_eq!((c.engine.asset_balance(&token0, &reserves), c.engine.asset_balance(&token1, &reserves)), p.balances());
            supply_conserved(&c, token0);
            supply_conserved(&c, token1);
        }
    }
}
