//! Pools inside the engine: created by ADMIN, liquidity and swaps paid in ledger assets within
//! the caller's bounds, Uniswap V3 events from the pool's address, the reserves in the pools
//! module account, and exactly the bare pool's results.

use alloy_primitives::{Address, I256, U256, aliases::I24, aliases::U160};
use hoard_clmm::{Flavour, Pool, PoolConfig, math::tick_math};
use hoard_core::{
    command::*,
    facets::{modules::Module, pools, token},
};

use crate::harness::*;

fn usdc() -> Address {
    token::asset_address("USDC")
}

/// ICY and USDC ordered by address.
fn pair(c: &Chain) -> (Address, Address) {
    let icy = c.engine.addresses().icy;
    if icy < usdc() { (icy, usdc()) } else { (usdc(), icy) }
}

fn i24(v: i32) -> I24 {
    I24::try_from(v).expect("fits")
}

fn create(c: &Chain, who: u32) -> Command {
    let (token0, token1) = pair(c);
    Command::CreatePool(CreatePool {
        token0,
        token1,
        flavour: 0,
        fee: 3000,
        tickSpacing: i24(60),
        sqrtPriceX96: U160::from(1u128 << 96),
        nonce: c.nonce(who),
        deadline: c.deadline(),
    })
}

fn add(c: &Chain, who: u32, lower: i32, upper: i32, liquidity: u128, max: U256) -> Command {
    Command::AddLiquidity(AddLiquidity {
        pool: 0,
        tickLower: i24(lower),
        tickUpper: i24(upper),
        liquidity: U256::from(liquidity),
        amount0Max: max,
        amount1Max: max,
        nonce: c.nonce(who),
        deadline: c.deadline(),
    })
}

fn swap(c: &Chain, who: u32, zero_for_one: bool, amount: i128, limit: U256) -> Command {
    let sqrt_limit = if zero_for_one {
        tick_math::MIN_SQRT_RATIO + U256::ONE
    } else {
        tick_math::MAX_SQRT_RATIO - U256::ONE
    };
    Command::Swap(Swap {
        pool: 0,
        zeroForOne: zero_for_one,
        amountSpecified: I256::try_from(amount).expect("fits"),
        sqrtPriceLimitX96: sqrt_limit.to(),
        amountLimit: limit,
        nonce: c.nonce(who),
        deadline: c.deadline(),
    })
}

fn names(r: &hoard_core::Receipt) -> Vec<&'static str> {
    r.logs.iter().filter_map(|l| l.name()).collect()
}

/// The pools account holds exactly what the pools' records say they hold.
fn reserves_match(c: &Chain) {
    let reserves = Module::Pools.account();
    let (token0, token1) = pair(c);
    let pool = pools::view(c.engine.state(), 0).expect("pool 0");
    let (b0, b1) = pool.balances();
    assert_eq!(c.engine.asset_balance(&token0, &reserves), b0);
    assert_eq!(c.engine.asset_balance(&token1, &reserves), b1);
}

#[test]
fn pools_trade_ledger_assets_with_the_bare_pools_results() {
    let mut c = Chain::new();
    let cmd = create(&c, ALICE);
    c.rejected(ALICE, cmd, "access.unauthorized");
    let r = c.ok(ADMIN, create(&c, ADMIN));
    assert_eq!(names(&r), ["PoolCreated", "Initialize"]);
    assert_eq!(r.logs[1].address, pools::pool_address(0));
    let mut bare = Pool::new(PoolConfig::new(Flavour::UniswapV3, 3000, 60).expect("config"));
    bare.initialize(U256::from(1u128 << 96), 0).expect("initialize");

    // Alice provides liquidity around the price and pays what the pool asks.
    let liquidity = 10u128.pow(13);
    let cmd = add(&c, ALICE, -600, 600, liquidity, U256::ONE);
    c.rejected(ALICE, cmd, "pools.slippage");
    let (token0, token1) = pair(&c);
    let before0 = c.engine.asset_balance(&token0, &addr(ALICE));
    let before1 = c.engine.asset_balance(&token1, &addr(ALICE));
    let r = c.ok(ALICE, add(&c, ALICE, -600, 600, liquidity, U256::MAX));
    assert!(names(&r).contains(&"Mint"));
    let (a0, a1) = bare.mint(addr(ALICE), -600, 600, liquidity, 0).expect("bare mint");
    assert_eq!(before0 - c.engine.asset_balance(&token0, &addr(ALICE)), a0);
    assert_eq!(before1 - c.engine.asset_balance(&token1, &addr(ALICE)), a1);
    reserves_match(&c);
    let r = c.ok(ALICE, add(&c, ALICE, -120, 120, liquidity, U256::MAX));
    assert!(names(&r).contains(&"Mint"));
    bare.mint(addr(ALICE), -120, 120, liquidity, 0).expect("bare mint");

    // Bob swaps token0 for token1, crossing ticks, with the bare pool's exact amounts.
    let amount = 3 * 10i128.pow(11);
    let owner = if token0 == usdc() { ALICE } else { BOB };
    let r = c.ok(owner, swap(&c, owner, true, amount, U256::ZERO));
    assert!(names(&r).contains(&"Swap"), "{:?}", names(&r));
    let expected = bare
        .swap(true, I256::try_from(amount).expect("fits"), tick_math::MIN_SQRT_RATIO + U256::ONE, 0)
        .expect("bare swap");
    let state = pools::view(c.engine.state(), 0).expect("pool");
    assert_eq!(state.slot0(), bare.slot0(), "the same price, tick and oracle bookkeeping");
    assert_eq!(state.liquidity(), bare.liquidity());
    assert_eq!(state.balances(), bare.balances());
    assert!(expected.ticks_crossed >= 1, "the swap crossed ticks");
    reserves_match(&c);
    // An output below the caller's minimum is refused and changes nothing.
    let cmd = swap(&c, owner, true, amount, U256::MAX);
    c.rejected(owner, cmd, "pools.slippage");
    // A price limit on the wrong side is the contract's SPL.
    let mut bad = swap(&c, owner, true, amount, U256::ZERO);
    if let Command::Swap(s) = &mut bad {
        s.sqrtPriceLimitX96 = (tick_math::MAX_SQRT_RATIO - U256::ONE).to();
    }
    let r = c.rejected(owner, bad, "pools.refused");
    assert!(r.message().is_some_and(|m| m.contains("SPL")), "{:?}", r.message());
    // No such pool.
    let mut missing = swap(&c, owner, true, amount, U256::ZERO);
    if let Command::Swap(s) = &mut missing {
        s.pool = 9;
    }
    c.rejected(owner, missing, "pools.not_found");

    // Alice takes her liquidity out and collects it with the fees.
    let cmd = Command::RemoveLiquidity(RemoveLiquidity {
        pool: 0,
        tickLower: i24(-120),
        tickUpper: i24(120),
        liquidity: U256::from(liquidity),
        amount0Min: U256::ZERO,
        amount1Min: U256::ZERO,
        nonce: c.nonce(ALICE),
        deadline: c.deadline(),
    });
    assert!(names(&c.ok(ALICE, cmd)).contains(&"Burn"));
    let held = |c: &Chain| {
        (
            c.engine.asset_balance(&token0, &addr(ALICE)),
            c.engine.asset_balance(&token1, &addr(ALICE)),
        )
    };
    let (h0, h1) = held(&c);
    let cmd = Command::CollectFees(CollectFees {
        pool: 0,
        tickLower: i24(-120),
        tickUpper: i24(120),
        amount0Requested: U256::MAX,
        amount1Requested: U256::MAX,
        nonce: c.nonce(ALICE),
        deadline: c.deadline(),
    });
    let r = c.ok(ALICE, cmd);
    assert!(names(&r).contains(&"Collect"));
    // The position was below the price after the swap: it holds token0, its principal and fees.
    let (n0, n1) = held(&c);
    assert!(n0 > h0, "collected token0");
    assert_eq!(n1, h1);
    reserves_match(&c);
    // Nobody but the pools facet moves the reserves.
    let cmd = Command::TransferFrom(TransferFrom {
        token: token0,
        from: Module::Pools.account(),
        to: addr(BOB),
        amount: U256::ONE,
        nonce: c.nonce(BOB),
        deadline: c.deadline(),
    });
    c.rejected(BOB, cmd, "token.insufficient_allowance");
    // While paused, pools do not trade.
    let cmd =
        Command::Pause(Pause { durationS: 60, nonce: c.nonce(GUARDIAN), deadline: c.deadline() });
    c.ok(GUARDIAN, cmd);
    let cmd = swap(&c, owner, true, amount, U256::ZERO);
    c.rejected(owner, cmd, "pause.paused");
}
