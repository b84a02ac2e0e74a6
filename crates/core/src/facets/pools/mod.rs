//! Concentrated-liquidity pools inside the engine (SPEC 3.11). The pool logic is
//! `hoard_clmm`'s, exact to the wei against the contracts; its state lives in this facet's
//! tables ([`state`]), one journaled entry per piece, through [`storage::EngineStorage`].
//!
//! Pools trade ledger assets. Every pool's reserves sit in the pools module account
//! (`Module::Pools`), which only this facet moves; each pool's own share is its record's
//! balances. A command computes the pool's move first, checks the caller's bounds (max in /
//! min out, a deadline as every command has), then settles the assets; a rejection anywhere
//! reverts the pool's writes with the rest. Events are Uniswap V3's, emitted from the pool's
//! derived address (`keccak256("hoard.pool.<id>")[12..]`).

pub mod commands;
pub mod events;
pub mod state;
pub mod storage;

#[cfg(test)]
mod tests;

use alloy_primitives::{Address, I256, U256};
use hoard_clmm::{ClmmError, Flavour, Pool, PoolConfig};

use self::{
    state::{NEXT_POOL, POOLS, PoolMeta},
    storage::{EngineStorage, EngineView},
};
use super::{Ctx, access, derived_address, modules::Module, token};
use crate::{
    command, event,
    rejection::{Authority, Outcome, PoolReason, Rejection},
    roles,
    state::State,
};

/// The address a pool's events come from.
pub fn pool_address(pool: u32) -> Address {
    derived_address(&format!("hoard.pool.{pool}"))
}

/// A pool's configuration and tokens.
pub fn pool(state: &State, pool: u32) -> Option<PoolMeta> {
    state.get(&POOLS, &pool).copied()
}

/// Every pool, by id.
pub fn pools(state: &State) -> Vec<(u32, PoolMeta)> {
    state.iter(&POOLS).map(|(id, m)| (*id, *m)).collect()
}

/// The flavours by their number in [`PoolMeta::flavour`], with their stable names.
pub const FLAVOURS: [(Flavour, &str); 4] = [
    (Flavour::UniswapV3, "uniswap_v3"),
    (Flavour::PancakeV3, "pancake_v3"),
    (Flavour::AlgebraIntegral, "algebra_integral"),
    (Flavour::UniswapV4, "uniswap_v4"),
];

fn flavour_of(n: u8) -> Option<Flavour> {
    FLAVOURS.get(n as usize).map(|(f, _)| *f)
}

/// A flavour's stable name by its number.
pub fn flavour_name(n: u8) -> &'static str {
    FLAVOURS.get(n as usize).map_or("unknown", |(_, name)| name)
}

/// A flavour's number by its stable name.
pub fn flavour_number(name: &str) -> Option<u8> {
    FLAVOURS.iter().position(|(_, n)| *n == name).map(|i| i as u8)
}

/// The pool library's configuration of a pool.
pub fn config_of(meta: &PoolMeta) -> Option<PoolConfig> {
    PoolConfig::new(flavour_of(meta.flavour)?, meta.fee, meta.tick_spacing).ok()
}

/// A read-only pool over the engine's tables (views, quotes).
pub fn view(state: &State, id: u32) -> Option<Pool<EngineView<'_>>> {
    let meta = pool(state, id)?;
    Some(Pool::with_storage(config_of(&meta)?, EngineView { state, pool: id }))
}

/// Most `secondsAgo` values one `observe` takes (each is a binary search over the ring).
pub const OBSERVE_SECONDS_AGOS_MAX: usize = 64;

/// What `observe(pool, secondsAgos)` answers: the contract's two arrays, one entry per
/// `secondsAgo` in the order given, and what the ring covers.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Observed {
    /// `tickCumulatives` (`int56`).
    pub tick_cumulatives: Vec<i64>,
    /// `secondsPerLiquidityCumulativeX128s` (`uint160`).
    pub seconds_per_liquidity_cumulative_x128s: Vec<U256>,
    /// Observations the ring holds now (`slot0.observationCardinality`).
    pub cardinality: u16,
    /// What it grows to once it wraps (`slot0.observationCardinalityNext`).
    pub cardinality_next: u16,
    /// The largest `secondsAgo` answered now: the age of the oldest observation.
    pub seconds_ago_max: u32,
}

/// Why `observe` has no answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ObserveError {
    /// No pool has this id.
    #[error("no pool {pool}")]
    NotFound {
        /// The pool asked for.
        pool: u32,
    },
    /// More `secondsAgo` values than [`OBSERVE_SECONDS_AGOS_MAX`].
    #[error("{given} secondsAgo values; at most {max} in one observe")]
    TooMany {
        /// How many were given.
        given: usize,
        /// The limit.
        max: usize,
    },
    /// The contract's `OLD`: a `secondsAgo` reaches before the oldest observation.
    #[error(
        "OLD: secondsAgo {seconds_ago} reaches before pool {pool}'s oldest observation, \
         {seconds_ago_max} seconds ago (its ring holds {cardinality} observations)"
    )]
    TooOld {
        /// The pool.
        pool: u32,
        /// The first `secondsAgo` out of reach.
        seconds_ago: u32,
        /// The largest one in reach.
        seconds_ago_max: u32,
        /// Observations in the ring.
        cardinality: u16,
    },
    /// Any other refusal of the pool library (an uninitialized pool: `I`).
    #[error("pool {pool} refuses observe: {reason}")]
    Refused {
        /// The pool.
        pool: u32,
        /// The library's error.
        reason: ClmmError,
    },
}

/// `observe(pool, secondsAgos)` at pool time `time` (`uint32(block.timestamp)`): Uniswap V3's
/// oracle, exactly (`Oracle.observe` over the ring in the pools' tables, interpolating between
/// observations and extrapolating from the newest). Every flavour keeps this ring in the
/// engine (see docs/DECISIONS.md). Reads only.
pub fn observe(
    state: &State,
    id: u32,
    time: u32,
    seconds_agos: &[u32],
) -> Result<Observed, ObserveError> {
    if seconds_agos.len() > OBSERVE_SECONDS_AGOS_MAX {
        return Err(ObserveError::TooMany {
            given: seconds_agos.len(),
            max: OBSERVE_SECONDS_AGOS_MAX,
        });
    }
    let p = view(state, id).ok_or(ObserveError::NotFound { pool: id })?;
    let slot0 = *p.slot0();
    let seconds_ago_max =
        p.oldest_observation().map_or(0, |oldest| time.wrapping_sub(oldest.block_timestamp));
    match p.observe(time, seconds_agos) {
        Ok((tick_cumulatives, seconds_per_liquidity_cumulative_x128s)) => Ok(Observed {
            tick_cumulatives,
            seconds_per_liquidity_cumulative_x128s,
            cardinality: slot0.observation_cardinality,
            cardinality_next: slot0.observation_cardinality_next,
            seconds_ago_max,
        }),
        Err(ClmmError::ObservationTooOld) => Err(ObserveError::TooOld {
            pool: id,
            seconds_ago: seconds_agos
                .iter()
                .copied()
                .find(|a| *a > seconds_ago_max)
                .unwrap_or(seconds_ago_max),
            seconds_ago_max,
            cardinality: slot0.observation_cardinality,
        }),
        Err(reason) => Err(ObserveError::Refused { pool: id, reason }),
    }
}

/// The stable number of a pool error (its order in the library's error enum), for receipts.
fn reason(e: &ClmmError) -> PoolReason {
    PoolReason(match e {
        ClmmError::TickOutOfRange(_) => 0,
        ClmmError::SqrtPriceOutOfRange => 1,
        ClmmError::TickLowerNotBelowUpper { .. } => 2,
        ClmmError::TickLowerTooLow(_) => 3,
        ClmmError::TickUpperTooHigh(_) => 4,
        ClmmError::TickNotSpaced { .. } => 5,
        ClmmError::ZeroAmount(_) => 6,
        ClmmError::NoPosition => 7,
        ClmmError::LiquiditySub => 8,
        ClmmError::LiquidityAdd => 9,
        ClmmError::LiquidityOverflowPerTick => 10,
        ClmmError::PriceLimitInvalid => 11,
        ClmmError::AlreadyInitialized => 12,
        ClmmError::NotInitialized => 13,
        ClmmError::ObservationTooOld => 14,
        ClmmError::TickNotInitialized(_) => 15,
        ClmmError::MulDivOverflow => 16,
        ClmmError::Overflow(_) => 17,
        ClmmError::ZeroPrice => 18,
        ClmmError::ZeroLiquidity => 19,
        ClmmError::InsufficientReserves => 20,
        ClmmError::InvalidFeeTier { .. } => 21,
        ClmmError::InsufficientPayment(_) => 22,
        ClmmError::InvalidProtocolFee => 23,
        ClmmError::Unauthorized(_) => 24,
        ClmmError::NotDynamicFee => 25,
        ClmmError::PoolAlreadyExists => 26,
        ClmmError::PoolNotFound => 27,
        ClmmError::CurrencyNotSettled => 28,
        ClmmError::ManagerLocked(_) => 29,
        ClmmError::CurrenciesOutOfOrder => 30,
        ClmmError::TargetIsTooOld => 31,
        ClmmError::VolatilityOracleAlreadyInitialized => 32,
        ClmmError::Parse { .. } => 33,
    })
}

fn refused(pool: u32) -> impl Fn(ClmmError) -> Rejection {
    move |e| Rejection::PoolRefused { pool: pool.into(), reason: reason(&e) }
}

/// Pool time: the block time as the contracts' `uint32(block.timestamp)`.
fn time(ctx: &Ctx<'_>) -> u32 {
    ctx.env.time_s as u32
}

/// A position command's range and liquidity as the pool library takes them.
fn position_of(
    pool: u32,
    lower: alloy_primitives::aliases::I24,
    upper: alloy_primitives::aliases::I24,
    liquidity: U256,
) -> Result<(i32, i32, u128), Rejection> {
    Ok((lower.as_i32(), upper.as_i32(), liquidity_of(pool, liquidity)?))
}

/// The pool's configuration, or a rejection.
fn open(ctx: &Ctx<'_>, id: u32) -> Result<(PoolMeta, PoolConfig), Rejection> {
    let meta = pool(ctx.state, id).ok_or(Rejection::PoolNotFound { pool: id.into() })?;
    let config = config_of(&meta).expect("invariant: a created pool's configuration is valid");
    Ok((meta, config))
}

/// A liquidity amount of a command (uint256 in the signed message, so that JSON clients send it
/// as a string) as the pool's `uint128`; more is the contract's liquidity overflow (LA).
fn liquidity_of(pool: u32, v: U256) -> Result<u128, Rejection> {
    u128::try_from(v).map_err(|_| refused(pool)(ClmmError::LiquidityAdd))
}

/// Moves `amount` of `token` from `from` to `to` (nothing when zero).
fn settle(ctx: &mut Ctx<'_>, token: Address, from: Address, to: Address, amount: U256) -> Outcome {
    if amount.is_zero() { Ok(()) } else { token::move_tokens(ctx, token, from, to, amount) }
}

/// `createPool(token0, token1, flavour, fee, tickSpacing, sqrtPriceX96)`: ADMIN or governance
/// create and initialize a pool of two registered assets.
pub fn create(ctx: &mut Ctx<'_>, c: &command::CreatePool) -> Outcome {
    if !ctx.is_governance() && !access::has_role(ctx.state, &roles::ADMIN.id(), &ctx.sender) {
        return Err(Rejection::Unauthorized { needs: Authority::AdminOrGovernance });
    }
    let registered = |t: &Address| token::asset(ctx.state, t).is_some();
    if c.token0 >= c.token1 || !registered(&c.token0) || !registered(&c.token1) {
        return Err(Rejection::BadPoolTokens { token0: c.token0, token1: c.token1 });
    }
    let id = ctx.state.cell(&NEXT_POOL);
    let spacing = c.tickSpacing.as_i32();
    let config = flavour_of(c.flavour)
        .ok_or(ClmmError::InvalidFeeTier { fee: c.fee, spacing, flavour: "unknown flavour" })
        .and_then(|f| PoolConfig::new(f, c.fee, spacing))
        .map_err(refused(id))?;
    let sqrt_price = U256::from(c.sqrtPriceX96);
    let now = time(ctx);
    let mut p = Pool::create(config, EngineStorage { state: ctx.state, pool: id });
    p.initialize(sqrt_price, now).map_err(refused(id))?;
    let tick = p.tick();
    ctx.state.set_cell(&NEXT_POOL, id + 1);
    let meta = PoolMeta {
        token0: c.token0,
        token1: c.token1,
        flavour: c.flavour,
        fee: c.fee,
        tick_spacing: spacing,
    };
    ctx.state.put(&POOLS, id, meta);
    let address = pool_address(id);
    ctx.emit(
        ctx.addrs.diamond,
        event::PoolCreated {
            pool: id,
            token0: c.token0,
            token1: c.token1,
            flavour: c.flavour,
            fee: c.fee,
            tickSpacing: c.tickSpacing,
            poolAddress: address,
        },
    );
    ctx.emit(address, event::Initialize { sqrtPriceX96: c.sqrtPriceX96, tick: i24(tick) });
    Ok(())
}

/// A tick as an `int24` of an event.
fn i24(tick: i32) -> alloy_primitives::aliases::I24 {
    alloy_primitives::aliases::I24::try_from(tick).expect("invariant: ticks fit int24")
}

/// `addLiquidity(pool, tickLower, tickUpper, liquidity, amount0Max, amount1Max)`: mints a
/// position for the sender, who pays what the pool asks within the bounds.
pub fn add_liquidity(ctx: &mut Ctx<'_>, c: &command::AddLiquidity) -> Outcome {
    let (meta, config) = open(ctx, c.pool)?;
    let (lower, upper, liquidity) = position_of(c.pool, c.tickLower, c.tickUpper, c.liquidity)?;
    let now = time(ctx);
    let owner = ctx.sender;
    let (a0, a1) = Pool::with_storage(config, EngineStorage { state: ctx.state, pool: c.pool })
        .mint(owner, lower, upper, liquidity, now)
        .map_err(refused(c.pool))?;
    for (amount, bound) in [(a0, c.amount0Max), (a1, c.amount1Max)] {
        if amount > bound {
            return Err(Rejection::SlippageExceeded { amount, bound });
        }
    }
    let reserves = Module::Pools.account();
    settle(ctx, meta.token0, owner, reserves, a0)?;
    settle(ctx, meta.token1, owner, reserves, a1)?;
    ctx.emit(
        pool_address(c.pool),
        event::Mint {
            sender: owner,
            owner,
            tickLower: c.tickLower,
            tickUpper: c.tickUpper,
            amount: liquidity,
            amount0: a0,
            amount1: a1,
        },
    );
    Ok(())
}

/// `removeLiquidity(pool, tickLower, tickUpper, liquidity, amount0Min, amount1Min)`: burns
/// liquidity of the sender's position; the amounts become its tokens owed (collect them).
pub fn remove_liquidity(ctx: &mut Ctx<'_>, c: &command::RemoveLiquidity) -> Outcome {
    let (_, config) = open(ctx, c.pool)?;
    let (lower, upper, liquidity) = position_of(c.pool, c.tickLower, c.tickUpper, c.liquidity)?;
    let now = time(ctx);
    let owner = ctx.sender;
    let (a0, a1) = Pool::with_storage(config, EngineStorage { state: ctx.state, pool: c.pool })
        .burn(owner, lower, upper, liquidity, now)
        .map_err(refused(c.pool))?;
    for (amount, bound) in [(a0, c.amount0Min), (a1, c.amount1Min)] {
        if amount < bound {
            return Err(Rejection::SlippageExceeded { amount, bound });
        }
    }
    ctx.emit(
        pool_address(c.pool),
        event::Burn {
            owner,
            tickLower: c.tickLower,
            tickUpper: c.tickUpper,
            amount: liquidity,
            amount0: a0,
            amount1: a1,
        },
    );
    Ok(())
}

/// `collectFees(pool, tickLower, tickUpper, amount0Requested, amount1Requested)`: pays the
/// sender what its position is owed, up to the requested amounts.
pub fn collect(ctx: &mut Ctx<'_>, c: &command::CollectFees) -> Outcome {
    let (meta, config) = open(ctx, c.pool)?;
    let (lower, upper) = (c.tickLower.as_i32(), c.tickUpper.as_i32());
    let owner = ctx.sender;
    let (c0, c1) = Pool::with_storage(config, EngineStorage { state: ctx.state, pool: c.pool })
        // A request beyond uint128 asks for everything owed.
        .collect(
            owner,
            lower,
            upper,
            u128::try_from(c.amount0Requested).unwrap_or(u128::MAX),
            u128::try_from(c.amount1Requested).unwrap_or(u128::MAX),
        )
        .map_err(refused(c.pool))?;
    let reserves = Module::Pools.account();
    settle(ctx, meta.token0, reserves, owner, U256::from(c0))?;
    settle(ctx, meta.token1, reserves, owner, U256::from(c1))?;
    ctx.emit(
        pool_address(c.pool),
        event::Collect {
            owner,
            recipient: owner,
            tickLower: c.tickLower,
            tickUpper: c.tickUpper,
            amount0: c0,
            amount1: c1,
        },
    );
    Ok(())
}

/// `swap(pool, zeroForOne, amountSpecified, sqrtPriceLimitX96, amountLimit)`: exact input
/// (`amountSpecified > 0`, `amountLimit` the least output) or exact output (`< 0`,
/// `amountLimit` the most input), settled in ledger assets.
pub fn swap(ctx: &mut Ctx<'_>, c: &command::Swap) -> Outcome {
    let (meta, config) = open(ctx, c.pool)?;
    let now = time(ctx);
    let limit = U256::from(c.sqrtPriceLimitX96);
    let r = Pool::with_storage(config, EngineStorage { state: ctx.state, pool: c.pool })
        .swap(c.zeroForOne, c.amountSpecified, limit, now)
        .map_err(refused(c.pool))?;
    // Positive: paid into the pool; negative: paid out.
    let (token_in, token_out, paid, got) = if c.zeroForOne {
        (meta.token0, meta.token1, r.amount0, r.amount1)
    } else {
        (meta.token1, meta.token0, r.amount1, r.amount0)
    };
    let amount_in = paid.max(I256::ZERO).into_raw();
    let amount_out = (-got).max(I256::ZERO).into_raw();
    if c.amountSpecified > I256::ZERO {
        if amount_out < c.amountLimit {
            return Err(Rejection::SlippageExceeded { amount: amount_out, bound: c.amountLimit });
        }
    } else if amount_in > c.amountLimit {
        return Err(Rejection::SlippageExceeded { amount: amount_in, bound: c.amountLimit });
    }
    let reserves = Module::Pools.account();
    let trader = ctx.sender;
    settle(ctx, token_in, trader, reserves, amount_in)?;
    settle(ctx, token_out, reserves, trader, amount_out)?;
    ctx.emit(
        pool_address(c.pool),
        event::Swap {
            sender: trader,
            recipient: trader,
            amount0: r.amount0,
            amount1: r.amount1,
            sqrtPriceX96: r.sqrt_price_x96.to(),
            liquidity: r.liquidity,
            tick: i24(r.tick),
        },
    );
    Ok(())
}

/// The pools facet.
pub struct Definition;

/// Version 1.
const IMPLEMENTATIONS: &[super::Implementation] =
    &[super::Implementation::v1("pools", VIEWS, execute)];

/// The views of version 1.
const VIEWS: &[&str] =
    &["poolState(uint32)", "quote(uint32,bool,int256,uint160)", "observe(uint32,uint32[])"];

impl super::Facet for Definition {
    super::facet_conventions!("pools");
    fn implementations(&self) -> &'static [super::Implementation] {
        IMPLEMENTATIONS
    }
}

/// Version 1's handler of each command.
fn execute(ctx: &mut Ctx<'_>, command: &crate::command::Command) -> Outcome {
    use crate::command::Command;
    match command {
        Command::CreatePool(c) => create(ctx, c),
        Command::AddLiquidity(c) => add_liquidity(ctx, c),
        Command::RemoveLiquidity(c) => remove_liquidity(ctx, c),
        Command::CollectFees(c) => collect(ctx, c),
        Command::Swap(c) => swap(ctx, c),
        other => super::no_commands(ctx, other),
    }
}
