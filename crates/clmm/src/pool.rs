//! The pool state machine (`UniswapV3Pool`): initialize, mint, burn, collect, swap, protocol fee,
//! observations and `snapshotCumulativesInside`.
//!
//! Time is an argument of every call that needs it (`time`, a `u32` block timestamp as in the
//! contracts); the pool never reads a clock. Token transfers are modelled as the pool's balances:
//! a mint's callback pays exactly the amounts owed, a swap's callback pays exactly the input.
//!
//! The state lives in a [`PoolStorage`] ([`MemoryStorage`] by default), read and written one
//! entry at a time. Every state-changing method either succeeds or returns an error without
//! having written anything: it checks and computes everything first (swaps are planned read-only,
//! as `quote` does, then committed; position changes are planned, then applied), and its write
//! phase cannot fail.

use alloy_primitives::{Address, I256, U256};

use crate::algebra::{OracleView, PendingWrite, Timepoint, VolatilityState, first_timepoint};
use crate::error::{ClmmError, Result};
use crate::flavour::{FeeMode, Flavour, PoolConfig, ProtocolFee};
use crate::math::Q128;
use crate::math::full_math::mul_div;
use crate::math::liquidity_math::add_delta;
use crate::math::sqrt_price_math::{get_amount0_delta_signed, get_amount1_delta_signed};
use crate::math::swap_math::compute_swap_step;
use crate::math::tick_math::{
    MAX_SQRT_RATIO, MAX_TICK, MIN_SQRT_RATIO, MIN_TICK, SqrtPriceCache, get_sqrt_ratio_at_tick,
    get_tick_at_sqrt_ratio,
};
use crate::oracle::{GROWN_SLOT, first_observation, observe_in, observe_single_in, prepare_write};
use crate::position::{PositionInfo, PositionKey};
use crate::storage::{MemoryStorage, PoolState, PoolStorage, PoolStorageMut};
use crate::tick::{Globals, TickInfo, fee_growth_inside, max_liquidity_per_tick};
use crate::tick_bitmap::{TickBitmap, flip_position, is_initialized_in, next_initialized_tick_in};

/// The pool's packed "slot 0".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Slot0 {
    /// Current sqrt price, Q64.96.
    pub sqrt_price_x96: U256,
    /// Current tick (the greatest tick whose price is at most the current price, or one below a
    /// tick just crossed downward).
    pub tick: i32,
    /// Index of the newest observation.
    pub observation_index: u16,
    /// Observations in use.
    pub observation_cardinality: u16,
    /// Observations to use once the ring wraps.
    pub observation_cardinality_next: u16,
    /// The protocol's share of swap fees.
    pub fee_protocol: ProtocolFee,
    /// Whether the pool has been initialized.
    pub initialized: bool,
}

/// The outcome of a swap (or of a quote, which changes nothing).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SwapResult {
    /// Token0 delta from the pool's view: positive = paid in, negative = paid out.
    pub amount0: I256,
    /// Token1 delta from the pool's view.
    pub amount1: I256,
    /// Sqrt price after the swap.
    pub sqrt_price_x96: U256,
    /// Tick after the swap.
    pub tick: i32,
    /// In-range liquidity after the swap.
    pub liquidity: u128,
    /// The fee rate used (pips): the LP fee, the adaptive fee for Algebra pools, and for V4 pools
    /// with a protocol fee the combined swap fee (`ProtocolFeeLibrary.calculateSwapFee`).
    pub fee_pips: u32,
    /// Total LP + protocol fee paid on the input.
    pub fee_amount: U256,
    /// Initialized ticks crossed.
    pub ticks_crossed: u32,
    /// Swap steps computed.
    pub steps: u32,
}

/// A computed but not yet applied swap: [`Pool::plan_swap_at`] then [`Pool::commit_swap`].
#[derive(Debug, Clone)]
pub struct SwapPlan {
    result: SwapResult,
    zero_for_one: bool,
    fee_growth_global_x128: U256,
    protocol_fee: U256,
    crossings: Vec<(i32, Globals)>,
}

/// Tick changes of a position update, computed before anything is written.
struct TickUpdates {
    lower: TickInfo,
    upper: TickInfo,
    /// The bitmap bit to flip for the lower tick, if it flips.
    flip_lower: Option<(i16, U256)>,
    /// The bitmap bit to flip for the upper tick, if it flips.
    flip_upper: Option<(i16, U256)>,
    /// Whether the tick is cleared (a burn that flips it).
    clear_lower: bool,
    clear_upper: bool,
    /// The in-range liquidity after the change, when the range holds the current tick.
    liquidity_after: Option<u128>,
}

/// A position change computed without writing ([`Pool::plan_modify_position`]).
struct ModifyPlan {
    key: PositionKey,
    ticks: Option<TickUpdates>,
    position: PositionInfo,
    amount0: I256,
    amount1: I256,
}

/// A tick seeding computed without writing ([`Pool::plan_seed`]).
struct SeedPlan {
    previous: Option<TickInfo>,
    info: TickInfo,
    flip: Option<(i16, U256)>,
}

/// One concentrated-liquidity pool: its parameters and its state in a [`PoolStorage`]
/// ([`MemoryStorage`] unless another is named).
#[derive(Debug, Clone)]
pub struct Pool<S = MemoryStorage> {
    config: PoolConfig,
    max_liquidity_per_tick: u128,
    storage: S,
    /// Memo of tick -> sqrt price (no state).
    prices: SqrtPriceCache,
}

/// Window of Algebra's volatility average (24 hours, `VolatilityOracle.WINDOW`).
pub const VOLATILITY_WINDOW_SECONDS: u32 = crate::algebra::WINDOW;

impl Pool<MemoryStorage> {
    /// A new, uninitialized pool in memory.
    pub fn new(config: PoolConfig) -> Self {
        Self::create(config, MemoryStorage::new(config.tick_spacing))
    }

    /// A pool in memory that starts mid-life at a recorded state: price, tick and in-range
    /// liquidity are known, ticks and positions are not (they are learned by [`crate::replay`]).
    /// Balances and fee growth start at zero, so they count from this point on.
    pub fn from_recorded_state(
        config: PoolConfig,
        sqrt_price_x96: U256,
        tick: i32,
        liquidity: u128,
        time: u32,
    ) -> Result<Self> {
        Self::from_recorded_state_in(
            config,
            MemoryStorage::new(config.tick_spacing),
            sqrt_price_x96,
            tick,
            liquidity,
            time,
        )
    }

    /// All initialized ticks, sorted.
    pub fn ticks_sorted(&self) -> Vec<(i32, TickInfo)> {
        self.storage.ticks_sorted()
    }

    /// All positions, sorted by key.
    pub fn positions_sorted(&self) -> Vec<(PositionKey, PositionInfo)> {
        self.storage.positions_sorted()
    }

    /// The tick bitmap.
    pub fn bitmap(&self) -> &TickBitmap {
        self.storage.bitmap()
    }

    /// Algebra: the plugin's volatility oracle (timepoints with tick and volatility
    /// cumulatives, usable as a TWAP source).
    pub fn volatility_oracle(&self) -> &crate::algebra::VolatilityOracle {
        self.storage.volatility_oracle()
    }
}

impl<S> Pool<S> {
    /// A pool of `config` over `storage` as it is (an existing pool's entries, or an empty
    /// storage: see [`Self::create`] for a new pool). Writes nothing.
    pub fn with_storage(config: PoolConfig, storage: S) -> Self {
        Self {
            config,
            max_liquidity_per_tick: max_liquidity_per_tick(config.tick_spacing),
            storage,
            prices: SqrtPriceCache::default(),
        }
    }

    /// The pool's parameters.
    pub fn config(&self) -> &PoolConfig {
        &self.config
    }

    /// The storage holding the pool's state.
    pub fn storage(&self) -> &S {
        &self.storage
    }

    /// The storage, giving up the pool.
    pub fn into_storage(self) -> S {
        self.storage
    }
}

impl<S: PoolStorage> Pool<S> {
    #[inline]
    fn st(&self) -> &PoolState {
        self.storage.state()
    }

    /// The bitmap word at an `i32` word position (zero outside the `i16` range).
    #[inline]
    fn word(&self, word_pos: i32) -> U256 {
        match i16::try_from(word_pos) {
            Ok(p) => self.storage.bitmap_word(p),
            Err(_) => U256::ZERO,
        }
    }

    #[inline]
    fn oracle(&self) -> OracleView<impl Fn(u16) -> Timepoint + '_> {
        OracleView::new(|i| self.storage.timepoint(i), self.storage.volatility_state())
    }

    // ----- accessors ---------------------------------------------------------------------

    /// Slot 0.
    pub fn slot0(&self) -> &Slot0 {
        &self.st().slot0
    }
    /// Current sqrt price.
    pub fn sqrt_price_x96(&self) -> U256 {
        self.st().slot0.sqrt_price_x96
    }
    /// Current tick.
    pub fn tick(&self) -> i32 {
        self.st().slot0.tick
    }
    /// In-range liquidity.
    pub fn liquidity(&self) -> u128 {
        self.st().liquidity
    }
    /// The current swap fee in pips (static, owner-set or the last adaptive value).
    pub fn fee(&self) -> u32 {
        self.st().fee
    }
    /// Global fee growth (token0, token1), Q128.128.
    pub fn fee_growth_global_x128(&self) -> (U256, U256) {
        let st = self.st();
        (st.fee_growth_global0_x128, st.fee_growth_global1_x128)
    }
    /// Accrued protocol fees (token0, token1).
    pub fn protocol_fees(&self) -> (u128, u128) {
        let st = self.st();
        (st.protocol_fees0, st.protocol_fees1)
    }
    /// Tokens held by the pool (token0, token1).
    pub fn balances(&self) -> (U256, U256) {
        let st = self.st();
        (st.balance0, st.balance1)
    }
    /// A tick's state, if initialized.
    pub fn tick_info(&self, tick: i32) -> Option<&TickInfo> {
        self.storage.tick(tick)
    }
    /// A position's state.
    pub fn position(
        &self,
        owner: Address,
        tick_lower: i32,
        tick_upper: i32,
    ) -> Option<&PositionInfo> {
        self.storage.position(&PositionKey { owner, tick_lower, tick_upper })
    }
    /// Whether `tick` is flagged in the tick bitmap (`false` off the spacing).
    pub fn is_tick_flagged(&self, tick: i32) -> bool {
        is_initialized_in(|p| self.word(p), self.config.tick_spacing, tick)
    }

    /// The initialized ticks met walking the tick bitmap away from `tick`, nearest first, with
    /// their state: downwards (`lte`: `tick` itself and below) or upwards (strictly above), no
    /// further than `bound` (inclusive; clamped to the tick range) and at most `limit` of
    /// them. A read-only walk as a swap's (`nextInitializedTickWithinOneWord`): one bitmap word
    /// per 256 tick spacings between `tick` and the last tick returned or `bound`.
    pub fn initialized_ticks_from(
        &self,
        tick: i32,
        lte: bool,
        bound: i32,
        limit: usize,
    ) -> Vec<(i32, TickInfo)> {
        let spacing = self.config.tick_spacing;
        let bound = bound.clamp(MIN_TICK, MAX_TICK);
        let mut out = Vec::new();
        let mut at = tick;
        while out.len() < limit {
            if (lte && at < bound) || (!lte && at >= bound) {
                break;
            }
            let (next, initialized) = next_initialized_tick_in(|p| self.word(p), spacing, at, lte);
            if (lte && next < bound) || (!lte && next > bound) {
                break;
            }
            if initialized {
                out.push((next, self.storage.tick(next).cloned().unwrap_or_default()));
            }
            // Downwards the next search starts below the tick found (or the word's first
            // tick); upwards it starts strictly above it, so every step moves.
            at = if lte { next - 1 } else { next };
        }
        out
    }

    // ----- oracle ------------------------------------------------------------------------

    /// Tick and seconds-per-liquidity cumulatives `seconds_agos` before `time` (`observe`).
    pub fn observe(&self, time: u32, seconds_agos: &[u32]) -> Result<(Vec<i64>, Vec<U256>)> {
        let st = self.st();
        observe_in(
            &|i| self.storage.observation(i),
            time,
            seconds_agos,
            st.slot0.tick,
            st.slot0.observation_index,
            st.liquidity,
            st.slot0.observation_cardinality,
        )
    }

    /// The oldest observation the ring holds (`None` before `initialize`): how far back
    /// `observe` reaches.
    pub fn oldest_observation(&self) -> Option<crate::oracle::Observation> {
        let slot0 = &self.st().slot0;
        (slot0.observation_cardinality > 0).then(|| {
            crate::oracle::oldest_in(
                &|i| self.storage.observation(i),
                slot0.observation_index,
                slot0.observation_cardinality,
            )
        })
    }

    /// Time-weighted arithmetic mean tick over the last `seconds` before `time`, floored toward
    /// minus infinity.
    pub fn twap_tick(&self, time: u32, seconds: u32) -> Result<i32> {
        let (cumulatives, _) = self.observe(time, &[seconds, 0])?;
        crate::oracle::mean_tick(cumulatives[0], cumulatives[1], seconds)
    }

    /// Tick cumulative, seconds per liquidity and seconds spent inside `[lower, upper]`
    /// (`snapshotCumulativesInside`). Only differences between snapshots are meaningful.
    pub fn snapshot_cumulatives_inside(
        &self,
        tick_lower: i32,
        tick_upper: i32,
        time: u32,
    ) -> Result<(i64, U256, u32)> {
        check_ticks(tick_lower, tick_upper)?;
        let lower = self
            .storage
            .tick(tick_lower)
            .filter(|t| t.initialized)
            .ok_or(ClmmError::TickNotInitialized(tick_lower))?;
        let upper = self
            .storage
            .tick(tick_upper)
            .filter(|t| t.initialized)
            .ok_or(ClmmError::TickNotInitialized(tick_upper))?;
        let wrap160 = crate::math::wrap_u160;
        let st = self.storage.state();
        let tick = st.slot0.tick;
        if tick < tick_lower {
            Ok((
                crate::tick::wrap_i56(
                    lower.tick_cumulative_outside.wrapping_sub(upper.tick_cumulative_outside),
                ),
                wrap160(
                    lower
                        .seconds_per_liquidity_outside_x128
                        .wrapping_sub(upper.seconds_per_liquidity_outside_x128),
                ),
                lower.seconds_outside.wrapping_sub(upper.seconds_outside),
            ))
        } else if tick < tick_upper {
            let (tc, spl) = observe_single_in(
                &|i| self.storage.observation(i),
                time,
                0,
                tick,
                st.slot0.observation_index,
                st.liquidity,
                st.slot0.observation_cardinality,
            )?;
            Ok((
                crate::tick::wrap_i56(
                    tc.wrapping_sub(lower.tick_cumulative_outside)
                        .wrapping_sub(upper.tick_cumulative_outside),
                ),
                wrap160(
                    spl.wrapping_sub(lower.seconds_per_liquidity_outside_x128)
                        .wrapping_sub(upper.seconds_per_liquidity_outside_x128),
                ),
                time.wrapping_sub(lower.seconds_outside).wrapping_sub(upper.seconds_outside),
            ))
        } else {
            Ok((
                crate::tick::wrap_i56(
                    upper.tick_cumulative_outside.wrapping_sub(lower.tick_cumulative_outside),
                ),
                wrap160(
                    upper
                        .seconds_per_liquidity_outside_x128
                        .wrapping_sub(lower.seconds_per_liquidity_outside_x128),
                ),
                upper.seconds_outside.wrapping_sub(lower.seconds_outside),
            ))
        }
    }

    /// Algebra: the average volatility (`uint88`) the fee of a swap at `time` is computed from:
    /// the plugin's `beforeSwap` writes a timepoint with the current tick (unless one exists at
    /// `time`) and averages over the 24 hours before it (see [`crate::algebra`]). 0 for other
    /// fee modes.
    pub fn volatility(&self, time: u32) -> u128 {
        if !matches!(self.config.fee_mode, FeeMode::Adaptive(_))
            || !self.storage.volatility_state().initialized
        {
            return 0;
        }
        self.oracle().volatility_for_swap(time, self.st().slot0.tick).unwrap_or(0)
    }

    /// The fee a swap at `time` pays (for Algebra pools, the adaptive fee that the plugin sets at
    /// the first swap of a block and keeps for the rest of the block).
    pub fn current_fee(&self, time: u32) -> u32 {
        self.swap_fee_at(time).unwrap_or(self.st().fee)
    }

    fn swap_fee_at(&self, time: u32) -> Result<u32> {
        let fee = self.st().fee;
        match self.config.fee_mode {
            FeeMode::Adaptive(cfg) if self.storage.volatility_state().initialized => Ok(self
                .oracle()
                .fee_for_swap(time, self.st().slot0.tick, &cfg)?
                .map_or(fee, u32::from)),
            _ => Ok(fee),
        }
    }

    // ----- positions ---------------------------------------------------------------------

    fn globals_at(&self, time: u32) -> Result<Globals> {
        let st = self.st();
        let (tick_cumulative, spl) = observe_single_in(
            &|i| self.storage.observation(i),
            time,
            0,
            st.slot0.tick,
            st.slot0.observation_index,
            st.liquidity,
            st.slot0.observation_cardinality,
        )?;
        Ok(Globals {
            fee_growth_global0_x128: st.fee_growth_global0_x128,
            fee_growth_global1_x128: st.fee_growth_global1_x128,
            seconds_per_liquidity_cumulative_x128: spl,
            tick_cumulative,
            time,
        })
    }

    /// Computes a position change without writing: the new ticks (and bitmap flips), the new
    /// position, and the signed amounts (positive = owed to the pool).
    fn plan_modify_position(
        &self,
        key: PositionKey,
        liquidity_delta: i128,
        time: u32,
    ) -> Result<ModifyPlan> {
        // The contracts' order (`_modifyPosition` -> `_updatePosition`): `checkTicks` (TLU, TLM,
        // TUM); then, for a non-zero delta, `Tick.update` of the lower and the upper tick (LS /
        // LA, then the per-tick cap LO); only then `TickBitmap.flipTick` of each tick that
        // flipped, whose `require(tick % tickSpacing == 0)` is the alignment check; then
        // `Position.update` (NP for a zero delta on an empty position). So an unaligned tick
        // fails with LO when the cap is exceeded, with LS on a burn, and with NP on a poke.
        // V4's `Pool.modifyLiquidity` also checks `TickLiquidityOverflow` before `flipTick`'s
        // `TickMisaligned`. Algebra Integral's `mint` is the exception: it checks
        // `tickIsNotSpaced` before touching any tick (its `burn` does not check alignment).
        check_ticks(key.tick_lower, key.tick_upper)?;
        let spacing = self.config.tick_spacing;
        if self.config.flavour == Flavour::AlgebraIntegral && liquidity_delta > 0 {
            for t in [key.tick_lower, key.tick_upper] {
                if t % spacing != 0 {
                    return Err(ClmmError::TickNotSpaced { tick: t, spacing });
                }
            }
        }
        let st = self.st();
        let tick = st.slot0.tick;
        let mut position = self.storage.position(&key).cloned().unwrap_or_default();
        let mut updates = None;
        let (mut lower, mut upper) = (
            self.storage.tick(key.tick_lower).cloned().unwrap_or_default(),
            self.storage.tick(key.tick_upper).cloned().unwrap_or_default(),
        );
        if liquidity_delta != 0 {
            let globals = self.globals_at(time)?;
            let flipped_lower = lower.update(
                key.tick_lower,
                tick,
                liquidity_delta,
                &globals,
                false,
                self.max_liquidity_per_tick,
            )?;
            let flipped_upper = upper.update(
                key.tick_upper,
                tick,
                liquidity_delta,
                &globals,
                true,
                self.max_liquidity_per_tick,
            )?;
            let flip_lower =
                if flipped_lower { Some(flip_position(key.tick_lower, spacing)?) } else { None };
            let flip_upper =
                if flipped_upper { Some(flip_position(key.tick_upper, spacing)?) } else { None };
            updates = Some(TickUpdates {
                lower: lower.clone(),
                upper: upper.clone(),
                flip_lower,
                flip_upper,
                clear_lower: liquidity_delta < 0 && flipped_lower,
                clear_upper: liquidity_delta < 0 && flipped_upper,
                liquidity_after: None,
            });
        }
        let (inside0, inside1) = fee_growth_inside(
            &lower,
            &upper,
            key.tick_lower,
            key.tick_upper,
            tick,
            st.fee_growth_global0_x128,
            st.fee_growth_global1_x128,
        );
        position.update(liquidity_delta, inside0, inside1)?;

        let (mut amount0, mut amount1) = (I256::ZERO, I256::ZERO);
        if let Some(u) = updates.as_mut() {
            let sa = get_sqrt_ratio_at_tick(key.tick_lower)?;
            let sb = get_sqrt_ratio_at_tick(key.tick_upper)?;
            if tick < key.tick_lower {
                amount0 = get_amount0_delta_signed(sa, sb, liquidity_delta)?;
            } else if tick < key.tick_upper {
                amount0 = get_amount0_delta_signed(st.slot0.sqrt_price_x96, sb, liquidity_delta)?;
                amount1 = get_amount1_delta_signed(sa, st.slot0.sqrt_price_x96, liquidity_delta)?;
                u.liquidity_after = Some(add_delta(st.liquidity, liquidity_delta)?);
            } else {
                amount1 = get_amount1_delta_signed(sa, sb, liquidity_delta)?;
            }
        }
        Ok(ModifyPlan { key, ticks: updates, position, amount0, amount1 })
    }

    fn require_initialized(&self) -> Result<()> {
        if self.st().slot0.initialized { Ok(()) } else { Err(ClmmError::NotInitialized) }
    }

    // ----- swaps -------------------------------------------------------------------------

    /// The result of a swap without performing it.
    pub fn quote(
        &self,
        zero_for_one: bool,
        amount_specified: I256,
        sqrt_price_limit_x96: U256,
        time: u32,
    ) -> Result<SwapResult> {
        Ok(self
            .plan_swap(
                zero_for_one,
                amount_specified,
                sqrt_price_limit_x96,
                time,
                self.swap_fee_at(time)?,
            )?
            .result)
    }

    /// Computes a swap without applying it, at the fee of `time`.
    pub fn plan_swap_at(
        &self,
        zero_for_one: bool,
        amount_specified: I256,
        limit: U256,
        time: u32,
    ) -> Result<SwapPlan> {
        self.plan_swap(zero_for_one, amount_specified, limit, time, self.swap_fee_at(time)?)
    }

    fn plan_swap(
        &self,
        zero_for_one: bool,
        amount_specified: I256,
        limit: U256,
        time: u32,
        fee: u32,
    ) -> Result<SwapPlan> {
        if amount_specified.is_zero() {
            return Err(ClmmError::ZeroAmount("swap amount (AS)"));
        }
        self.require_initialized()?;
        let st = self.storage.state();
        let start_price = st.slot0.sqrt_price_x96;
        let valid = if zero_for_one {
            limit < start_price && limit > MIN_SQRT_RATIO
        } else {
            limit > start_price && limit < MAX_SQRT_RATIO
        };
        if !valid {
            return Err(ClmmError::PriceLimitInvalid);
        }
        let flavour = self.config.flavour;
        let spacing = self.config.tick_spacing;
        // V4: the LP fee and the direction's protocol fee combine into the swap fee
        // (`ProtocolFeeLibrary.calculateSwapFee`); other flavours swap at the LP fee.
        let fee_protocol = st.slot0.fee_protocol;
        let fee = fee_protocol.swap_fee(flavour, zero_for_one, fee);
        let exact_input = !amount_specified.is_negative();
        let mut remaining = amount_specified;
        let mut calculated = I256::ZERO;
        let mut sqrt_price = start_price;
        let mut tick = st.slot0.tick;
        let mut liquidity = st.liquidity;
        let mut fee_growth_global =
            if zero_for_one { st.fee_growth_global0_x128 } else { st.fee_growth_global1_x128 };
        let mut protocol_fee = U256::ZERO;
        let mut fee_total = U256::ZERO;
        let mut crossings: Vec<(i32, Globals)> = Vec::new();
        let mut observed: Option<(i64, U256)> = None;
        let mut steps = 0u32;

        while !remaining.is_zero() && sqrt_price != limit {
            steps += 1;
            let step_start = sqrt_price;
            let (mut tick_next, initialized) =
                next_initialized_tick_in(|p| self.word(p), spacing, tick, zero_for_one);
            tick_next = tick_next.clamp(MIN_TICK, MAX_TICK);
            let price_next = self.prices.get(tick_next)?;
            let target =
                if (zero_for_one && price_next < limit) || (!zero_for_one && price_next > limit) {
                    limit
                } else {
                    price_next
                };
            let step = compute_swap_step(sqrt_price, target, liquidity, remaining, fee)?;
            sqrt_price = step.sqrt_price_next_x96;
            let in_plus_fee = to_i256(step.amount_in + step.fee_amount)?;
            let out = to_i256(step.amount_out)?;
            if exact_input {
                remaining -= in_plus_fee;
                calculated -= out;
            } else {
                remaining += out;
                calculated += in_plus_fee;
            }
            fee_total += step.fee_amount;
            let mut fee_amount = step.fee_amount;
            let cut = fee_protocol.cut(flavour, zero_for_one, step.amount_in, fee_amount, fee);
            if !cut.is_zero() {
                // Unchecked in V4 (the cut never exceeds the step's fee); checked elsewhere.
                fee_amount = fee_amount.wrapping_sub(cut);
                protocol_fee += cut;
            }
            if liquidity > 0 {
                // fee * 2^128 / L: a shift and one division when the fee fits 128 bits.
                let growth = if fee_amount.bit_len() <= 128 {
                    (fee_amount << 128usize) / U256::from(liquidity)
                } else {
                    mul_div(fee_amount, Q128, U256::from(liquidity))?
                };
                fee_growth_global = fee_growth_global.wrapping_add(growth);
            }
            if sqrt_price == price_next {
                if initialized {
                    let (tc, spl) = match observed {
                        Some(o) => o,
                        None => {
                            let o = observe_single_in(
                                &|i| self.storage.observation(i),
                                time,
                                0,
                                st.slot0.tick,
                                st.slot0.observation_index,
                                st.liquidity,
                                st.slot0.observation_cardinality,
                            )?;
                            observed = Some(o);
                            o
                        }
                    };
                    let globals = Globals {
                        fee_growth_global0_x128: if zero_for_one {
                            fee_growth_global
                        } else {
                            st.fee_growth_global0_x128
                        },
                        fee_growth_global1_x128: if zero_for_one {
                            st.fee_growth_global1_x128
                        } else {
                            fee_growth_global
                        },
                        seconds_per_liquidity_cumulative_x128: spl,
                        tick_cumulative: tc,
                        time,
                    };
                    let net = self.storage.tick(tick_next).map_or(0, |t| t.liquidity_net);
                    let net = if zero_for_one {
                        net.checked_neg().ok_or(ClmmError::Overflow("liquidity net"))?
                    } else {
                        net
                    };
                    liquidity = add_delta(liquidity, net)?;
                    crossings.push((tick_next, globals));
                }
                tick = if zero_for_one { tick_next - 1 } else { tick_next };
            } else if sqrt_price != step_start {
                // The price is strictly inside this step's range of ticks: search it there.
                let (lo, hi) = if zero_for_one { (tick_next, tick) } else { (tick, tick_next - 1) };
                tick = self.tick_in(sqrt_price, lo, hi)?;
            }
        }
        let (amount0, amount1) = if zero_for_one == exact_input {
            (amount_specified - remaining, calculated)
        } else {
            (calculated, amount_specified - remaining)
        };
        let ticks_crossed = crossings.len() as u32;
        Ok(SwapPlan {
            result: SwapResult {
                amount0,
                amount1,
                sqrt_price_x96: sqrt_price,
                tick,
                liquidity,
                fee_pips: fee,
                fee_amount: fee_total,
                ticks_crossed,
                steps,
            },
            zero_for_one,
            fee_growth_global_x128: fee_growth_global,
            protocol_fee,
            crossings,
        })
    }

    /// The greatest tick in `[lo, hi]` whose sqrt price is at most `sqrt_price_x96`, which the
    /// caller guarantees lies in `[S(lo), S(hi + 1))`: a bisection over cached tick prices for
    /// short ranges, the logarithm otherwise. Same result as `get_tick_at_sqrt_ratio`.
    #[inline]
    fn tick_in(&self, sqrt_price_x96: U256, lo: i32, hi: i32) -> Result<i32> {
        if hi < lo || hi - lo > 32 {
            return self.prices.tick_at(sqrt_price_x96);
        }
        let (mut lo, mut hi) = (lo, hi);
        while lo < hi {
            let mid = lo + (hi - lo + 1) / 2;
            if self.prices.get(mid)? <= sqrt_price_x96 {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        // Verify the bracket (cached prices); fall back to the logarithm if it does not hold.
        if lo < MAX_TICK
            && self.prices.get(lo)? <= sqrt_price_x96
            && sqrt_price_x96 < self.prices.get(lo + 1)?
        {
            debug_assert_eq!(Ok(lo), get_tick_at_sqrt_ratio(sqrt_price_x96));
            return Ok(lo);
        }
        self.prices.tick_at(sqrt_price_x96)
    }

    // ----- replay bootstrap (read side) --------------------------------------------------

    /// Computes [`Pool::seed_tick`] without writing.
    fn plan_seed(&self, tick: i32, delta: i128, time: u32) -> Result<SeedPlan> {
        let spacing = self.config.tick_spacing;
        if tick % spacing != 0 || !(MIN_TICK..=MAX_TICK).contains(&tick) {
            return Err(ClmmError::TickNotSpaced { tick, spacing });
        }
        let previous = self.storage.tick(tick).cloned();
        let mut info = previous.clone().unwrap_or_default();
        let mut flip = None;
        if !info.initialized {
            let globals = self.globals_at(time)?;
            if tick <= self.st().slot0.tick {
                info.fee_growth_outside0_x128 = globals.fee_growth_global0_x128;
                info.fee_growth_outside1_x128 = globals.fee_growth_global1_x128;
                info.seconds_per_liquidity_outside_x128 =
                    globals.seconds_per_liquidity_cumulative_x128;
                info.tick_cumulative_outside = globals.tick_cumulative;
                info.seconds_outside = time;
            }
            info.initialized = true;
            if !self.is_tick_flagged(tick) {
                flip = Some(flip_position(tick, spacing)?);
            }
        }
        info.liquidity_net =
            info.liquidity_net.checked_add(delta).ok_or(ClmmError::Overflow("liquidity net"))?;
        // Liquidity from before the history: at least 1 gross, so that in-file positions burned
        // later do not clear a tick that other liquidity still uses.
        info.liquidity_gross = info.liquidity_gross.saturating_add(delta.unsigned_abs());
        Ok(SeedPlan { previous, info, flip })
    }
}

impl<S: PoolStorageMut> Pool<S> {
    /// A new, uninitialized pool of `config` in `storage`, which should be empty: writes the
    /// initial scalar record ([`PoolState::new`]: everything zero but the fee).
    pub fn create(config: PoolConfig, mut storage: S) -> Self {
        storage.set_state(PoolState::new(&config));
        Self::with_storage(config, storage)
    }

    /// [`Pool::from_recorded_state`] in `storage` (which should be empty). Nothing is written
    /// if the price is invalid.
    pub fn from_recorded_state_in(
        config: PoolConfig,
        storage: S,
        sqrt_price_x96: U256,
        tick: i32,
        liquidity: u128,
        time: u32,
    ) -> Result<Self> {
        get_tick_at_sqrt_ratio(sqrt_price_x96)?;
        let mut pool = Self::create(config, storage);
        pool.initialize(sqrt_price_x96, time)?;
        // The recorded tick wins over the price's tick: after a downward crossing the pool sits
        // one tick below the boundary price.
        let mut st = *pool.st();
        st.slot0.tick = tick;
        st.liquidity = liquidity;
        pool.write_algebra_init(&mut st, time, tick);
        pool.storage.set_state(st);
        Ok(pool)
    }

    /// Flips one bitmap bit (a position from [`flip_position`]).
    #[inline]
    fn flip(&mut self, (word_pos, mask): (i16, U256)) {
        let word = self.storage.bitmap_word(word_pos);
        self.storage.set_bitmap_word(word_pos, word ^ mask);
    }

    /// Algebra's `afterInitialize`: the first timepoint at the initial tick, fee = base fee
    /// (set in `st`, which the caller writes).
    fn write_algebra_init(&mut self, st: &mut PoolState, time: u32, tick: i32) {
        if let FeeMode::Adaptive(cfg) = self.config.fee_mode {
            self.storage.set_timepoint(0, first_timepoint(time, tick));
            self.storage.set_volatility_state(VolatilityState {
                index: 0,
                last_timestamp: time,
                initialized: true,
            });
            st.fee = u32::from(cfg.base_fee);
        }
    }

    /// Sets the first price (`initialize`); fails with `AI` if already initialized. The protocol
    /// fee starts as the flavour's contract sets it ([`ProtocolFee::initial`]): PancakeSwap's
    /// per-tier default (`PancakeV3Pool.initialize`), off for Uniswap V3 and V4; Algebra pools
    /// keep their setting.
    pub fn initialize(&mut self, sqrt_price_x96: U256, time: u32) -> Result<()> {
        let mut st = *self.st();
        if st.slot0.initialized {
            return Err(ClmmError::AlreadyInitialized);
        }
        let tick = get_tick_at_sqrt_ratio(sqrt_price_x96)?;
        let fee_protocol = ProtocolFee::initial(self.config.flavour, self.config.fee)
            .unwrap_or(st.slot0.fee_protocol);
        st.slot0 = Slot0 {
            sqrt_price_x96,
            tick,
            observation_index: 0,
            observation_cardinality: 1,
            observation_cardinality_next: 1,
            fee_protocol,
            initialized: true,
        };
        self.storage.set_observation(0, first_observation(time));
        self.write_algebra_init(&mut st, time, tick);
        self.storage.set_state(st);
        Ok(())
    }

    // ----- owner actions -----------------------------------------------------------------

    /// Sets the protocol's share of swap fees (`setFeeProtocol`), validated per flavour. Before
    /// `initialize` it fails with `LOK` in Uniswap V3 and PancakeSwap V3 (the `lock` modifier:
    /// `slot0.unlocked` is false until `initialize`) and with `PoolNotInitialized` in V4
    /// (`Pool.setProtocolFee`); both are [`ClmmError::NotInitialized`]. Algebra's
    /// `setCommunityFee` is `onlyUnlocked` and its pools start unlocked, so it is allowed there.
    pub fn set_fee_protocol(&mut self, fee_protocol: ProtocolFee) -> Result<()> {
        if self.config.flavour != Flavour::AlgebraIntegral {
            self.require_initialized()?;
        }
        let mut st = *self.st();
        st.slot0.fee_protocol = fee_protocol.validate(self.config.flavour)?;
        self.storage.set_state(st);
        Ok(())
    }

    /// Collects up to the requested protocol fees (`collectProtocol`). Like the contracts, it
    /// leaves one unit in a fully drained slot. Before `initialize` it fails with `LOK`
    /// ([`ClmmError::NotInitialized`]) in Uniswap V3 and PancakeSwap V3 (the `lock` modifier);
    /// Algebra (community fees go to a vault) and V4 (`collectProtocolFees` is the manager's,
    /// per currency) have no such pool call and are not checked.
    pub fn collect_protocol(&mut self, requested0: u128, requested1: u128) -> Result<(u128, u128)> {
        if self.config.flavour.locked_before_initialize() {
            self.require_initialized()?;
        }
        let mut st = *self.st();
        let mut a0 = requested0.min(st.protocol_fees0);
        let mut a1 = requested1.min(st.protocol_fees1);
        if a0 > 0 {
            if a0 == st.protocol_fees0 {
                a0 -= 1;
            }
            st.protocol_fees0 -= a0;
            st.balance0 -= U256::from(a0);
        }
        if a1 > 0 {
            if a1 == st.protocol_fees1 {
                a1 -= 1;
            }
            st.protocol_fees1 -= a1;
            st.balance1 -= U256::from(a1);
        }
        if a0 > 0 || a1 > 0 {
            self.storage.set_state(st);
        }
        Ok((a0, a1))
    }

    /// Sets the fee of a V4 pool with the dynamic-fee flag (`updateDynamicLPFee`). Who may call
    /// it is checked by the caller (the V4 manager checks the pool's owner).
    pub fn set_dynamic_fee(&mut self, fee: u32) -> Result<()> {
        if self.config.fee_mode != FeeMode::OwnerSet {
            return Err(ClmmError::NotDynamicFee);
        }
        if fee >= crate::flavour::FEE_PIPS_DENOMINATOR {
            return Err(ClmmError::InvalidFeeTier {
                flavour: "uniswap_v4",
                fee,
                spacing: self.config.tick_spacing,
            });
        }
        let mut st = *self.st();
        st.fee = fee;
        self.storage.set_state(st);
        Ok(())
    }

    /// Grows the observation ring (`increaseObservationCardinalityNext`): like the contract,
    /// prepares each new slot (time 1, not initialized), one write per slot.
    pub fn increase_observation_cardinality_next(&mut self, next: u16) -> Result<()> {
        let mut st = *self.st();
        if !st.slot0.initialized {
            return Err(ClmmError::NotInitialized);
        }
        let current = st.slot0.observation_cardinality_next;
        if current == 0 {
            return Err(ClmmError::NotInitialized);
        }
        if next <= current {
            return Ok(());
        }
        for i in current..next {
            self.storage.set_observation(i, GROWN_SLOT);
        }
        st.slot0.observation_cardinality_next = next;
        self.storage.set_state(st);
        Ok(())
    }

    // ----- positions ---------------------------------------------------------------------

    /// Writes a planned position change and the new balances; cannot fail.
    fn apply_modify_position(&mut self, plan: ModifyPlan, time: u32, balances: (U256, U256)) {
        let key = plan.key;
        let mut st = *self.st();
        if let Some(u) = plan.ticks {
            if let Some(f) = u.flip_lower {
                self.flip(f);
            }
            if let Some(f) = u.flip_upper {
                self.flip(f);
            }
            self.storage.set_tick(
                key.tick_lower,
                if u.clear_lower { TickInfo::default() } else { u.lower },
            );
            self.storage.set_tick(
                key.tick_upper,
                if u.clear_upper { TickInfo::default() } else { u.upper },
            );
            if let Some(liquidity) = u.liquidity_after {
                let index = st.slot0.observation_index;
                if let Some((i, cardinality, observation)) = prepare_write(
                    self.storage.observation(index),
                    index,
                    time,
                    st.slot0.tick,
                    st.liquidity,
                    st.slot0.observation_cardinality,
                    st.slot0.observation_cardinality_next,
                ) {
                    self.storage.set_observation(i, observation);
                    st.slot0.observation_index = i;
                    st.slot0.observation_cardinality = cardinality;
                }
                st.liquidity = liquidity;
            }
        }
        self.storage.set_position(key, plan.position);
        (st.balance0, st.balance1) = balances;
        self.storage.set_state(st);
    }

    /// Adds `amount` of liquidity for `owner` over `[tick_lower, tick_upper]` (`mint`); returns
    /// the amounts owed to the pool (what the mint callback pays, rounded up), which the pool's
    /// balances receive.
    pub fn mint(
        &mut self,
        owner: Address,
        tick_lower: i32,
        tick_upper: i32,
        amount: u128,
        time: u32,
    ) -> Result<(U256, U256)> {
        self.mint_paid(owner, tick_lower, tick_upper, amount, None, time)
    }

    /// [`Self::mint`] with the mint callback's payment made explicit: `paid` is what the caller
    /// transfers in the callback (`None`: exactly the amounts owed). Less than owed fails with
    /// `M0` / `M1` like the contracts; more stays in the pool (a donation to no one).
    pub fn mint_paid(
        &mut self,
        owner: Address,
        tick_lower: i32,
        tick_upper: i32,
        amount: u128,
        paid: Option<(U256, U256)>,
        time: u32,
    ) -> Result<(U256, U256)> {
        self.require_initialized()?;
        if amount == 0 {
            return Err(ClmmError::ZeroAmount("mint liquidity"));
        }
        let delta = i128::try_from(amount).map_err(|_| ClmmError::Overflow("int128 liquidity"))?;
        let key = PositionKey { owner, tick_lower, tick_upper };
        let plan = self.plan_modify_position(key, delta, time)?;
        let (a0, a1) = (plan.amount0.into_raw(), plan.amount1.into_raw());
        let (p0, p1) = paid.unwrap_or((a0, a1));
        if p0 < a0 {
            return Err(ClmmError::InsufficientPayment("M0"));
        }
        if p1 < a1 {
            return Err(ClmmError::InsufficientPayment("M1"));
        }
        let st = self.st();
        let b0 = st.balance0.checked_add(p0).ok_or(ClmmError::Overflow("balance0"))?;
        let b1 = st.balance1.checked_add(p1).ok_or(ClmmError::Overflow("balance1"))?;
        self.apply_modify_position(plan, time, (b0, b1));
        Ok((a0, a1))
    }

    /// Removes `amount` of liquidity (`burn`); the amounts (rounded down) and the accrued fees
    /// become tokens owed to the position. A zero amount only credits fees ("poke").
    pub fn burn(
        &mut self,
        owner: Address,
        tick_lower: i32,
        tick_upper: i32,
        amount: u128,
        time: u32,
    ) -> Result<(U256, U256)> {
        self.require_initialized()?;
        let delta = i128::try_from(amount).map_err(|_| ClmmError::Overflow("int128 liquidity"))?;
        let key = PositionKey { owner, tick_lower, tick_upper };
        let mut plan = self.plan_modify_position(key, -delta, time)?;
        let (a0, a1) = (plan.amount0.unsigned_abs(), plan.amount1.unsigned_abs());
        // The contracts truncate to uint128 (amounts of one burn always fit).
        let position = &mut plan.position;
        position.tokens_owed0 = position.tokens_owed0.wrapping_add(a0.wrapping_to::<u128>());
        position.tokens_owed1 = position.tokens_owed1.wrapping_add(a1.wrapping_to::<u128>());
        let balances = self.balances();
        self.apply_modify_position(plan, time, balances);
        Ok((a0, a1))
    }

    /// Pays out up to the requested tokens owed of a position (`collect`). Before `initialize`
    /// it fails with `LOK` ([`ClmmError::NotInitialized`]) in Uniswap V3 and PancakeSwap V3
    /// (the `lock` modifier) and in V4, whose only way to collect fees, `modifyLiquidity`,
    /// fails with `PoolNotInitialized`; Algebra's pools start unlocked and pay nothing.
    pub fn collect(
        &mut self,
        owner: Address,
        tick_lower: i32,
        tick_upper: i32,
        requested0: u128,
        requested1: u128,
    ) -> Result<(u128, u128)> {
        if self.config.flavour != Flavour::AlgebraIntegral {
            self.require_initialized()?;
        }
        let key = PositionKey { owner, tick_lower, tick_upper };
        let Some(position) = self.storage.position(&key) else {
            return Ok((0, 0));
        };
        let a0 = requested0.min(position.tokens_owed0);
        let a1 = requested1.min(position.tokens_owed1);
        if a0 == 0 && a1 == 0 {
            return Ok((0, 0));
        }
        let mut position = position.clone();
        position.tokens_owed0 -= a0;
        position.tokens_owed1 -= a1;
        let mut st = *self.st();
        st.balance0 = st
            .balance0
            .checked_sub(U256::from(a0))
            .ok_or(ClmmError::Overflow("balance0 below owed"))?;
        st.balance1 = st
            .balance1
            .checked_sub(U256::from(a1))
            .ok_or(ClmmError::Overflow("balance1 below owed"))?;
        self.storage.set_position(key, position);
        self.storage.set_state(st);
        Ok((a0, a1))
    }

    // ----- swaps -------------------------------------------------------------------------

    /// Swaps (`swap`): `amount_specified` positive for exact input, negative for exact output;
    /// the price stops at `sqrt_price_limit_x96`. The pool's balances change by the returned
    /// amounts (input paid by the callback, output sent).
    pub fn swap(
        &mut self,
        zero_for_one: bool,
        amount_specified: I256,
        sqrt_price_limit_x96: U256,
        time: u32,
    ) -> Result<SwapResult> {
        self.swap_paid(zero_for_one, amount_specified, sqrt_price_limit_x96, None, time)
    }

    /// [`Self::swap`] with the swap callback's payment of the input token made explicit
    /// (`None`: exactly the input owed). Less than owed fails with `IIA` like the contracts and
    /// changes nothing; more stays in the pool.
    pub fn swap_paid(
        &mut self,
        zero_for_one: bool,
        amount_specified: I256,
        sqrt_price_limit_x96: U256,
        paid: Option<U256>,
        time: u32,
    ) -> Result<SwapResult> {
        let fee = self.swap_fee_at(time)?;
        let plan =
            self.plan_swap(zero_for_one, amount_specified, sqrt_price_limit_x96, time, fee)?;
        let owed = if zero_for_one { plan.result.amount0 } else { plan.result.amount1 };
        let owed = if owed.is_negative() { U256::ZERO } else { owed.into_raw() };
        let extra = match paid {
            Some(p) if p < owed => return Err(ClmmError::InsufficientPayment("IIA")),
            Some(p) => p - owed,
            None => U256::ZERO,
        };
        self.commit_swap_paying(&plan, time, extra)
    }

    /// Applies a plan computed on this pool's current state (by [`Self::plan_swap_at`]).
    pub fn commit_swap(&mut self, plan: &SwapPlan, time: u32) -> Result<SwapResult> {
        self.commit_swap_paying(plan, time, U256::ZERO)
    }

    /// [`Self::commit_swap`] with `extra` input paid beyond what is owed (kept by the pool).
    fn commit_swap_paying(
        &mut self,
        plan: &SwapPlan,
        time: u32,
        extra: U256,
    ) -> Result<SwapResult> {
        let r = &plan.result;
        let mut st = *self.st();
        // Everything fallible first: balances, then Algebra's beforeSwap (a timepoint with the
        // pre-swap tick; the plan's fee is the one it sets).
        let b0 = apply_signed(st.balance0, r.amount0).ok_or(ClmmError::Overflow("balance0"))?;
        let b1 = apply_signed(st.balance1, r.amount1).ok_or(ClmmError::Overflow("balance1"))?;
        let protocol_fee = plan.protocol_fee.wrapping_to::<u128>();
        let adaptive = matches!(self.config.fee_mode, FeeMode::Adaptive(_));
        let volatility = self.storage.volatility_state();
        let mut algebra: Option<PendingWrite> = None;
        if adaptive && volatility.initialized && volatility.last_timestamp != time {
            algebra = self.oracle().prepare_write(time, st.slot0.tick)?;
        }
        // Then the writes, which cannot fail.
        for (tick, globals) in &plan.crossings {
            self.storage.update_tick(*tick, |info| {
                info.cross(globals);
            });
        }
        if r.tick != st.slot0.tick {
            let index = st.slot0.observation_index;
            if let Some((i, cardinality, observation)) = prepare_write(
                self.storage.observation(index),
                index,
                time,
                st.slot0.tick,
                st.liquidity,
                st.slot0.observation_cardinality,
                st.slot0.observation_cardinality_next,
            ) {
                self.storage.set_observation(i, observation);
                st.slot0.observation_index = i;
                st.slot0.observation_cardinality = cardinality;
            }
            st.slot0.tick = r.tick;
        }
        st.slot0.sqrt_price_x96 = r.sqrt_price_x96;
        st.liquidity = r.liquidity;
        if plan.zero_for_one {
            st.fee_growth_global0_x128 = plan.fee_growth_global_x128;
            st.protocol_fees0 = st.protocol_fees0.wrapping_add(protocol_fee);
        } else {
            st.fee_growth_global1_x128 = plan.fee_growth_global_x128;
            st.protocol_fees1 = st.protocol_fees1.wrapping_add(protocol_fee);
        }
        (st.balance0, st.balance1) = (b0, b1);
        if !extra.is_zero() {
            let paid_in = if plan.zero_for_one { &mut st.balance0 } else { &mut st.balance1 };
            *paid_in = paid_in.saturating_add(extra);
        }
        if let Some(w) = algebra {
            self.storage.set_timepoint(w.index, w.timepoint);
            self.storage.set_volatility_state(w.state_after(volatility));
        }
        if adaptive {
            st.fee = r.fee_pips;
        }
        self.storage.set_state(st);
        Ok(plan.result.clone())
    }

    // ----- replay bootstrap --------------------------------------------------------------

    /// Bootstrap only: adds `delta` to a tick's liquidity net (and `|delta|` to its gross)
    /// without changing the in-range liquidity; initializes the tick if needed. Used by the
    /// replay to record liquidity revealed by a crossing. Returns the previous tick state and
    /// whether the bitmap was flipped, for [`Self::unseed_tick`].
    pub fn seed_tick(
        &mut self,
        tick: i32,
        delta: i128,
        time: u32,
    ) -> Result<(Option<TickInfo>, bool)> {
        let plan = self.plan_seed(tick, delta, time)?;
        let flipped = plan.flip.is_some();
        if let Some(f) = plan.flip {
            self.flip(f);
        }
        self.storage.set_tick(tick, plan.info);
        Ok((plan.previous, flipped))
    }

    /// Undoes [`Self::seed_tick`].
    pub fn unseed_tick(
        &mut self,
        tick: i32,
        previous: Option<TickInfo>,
        flipped: bool,
    ) -> Result<()> {
        let flip =
            if flipped { Some(flip_position(tick, self.config.tick_spacing)?) } else { None };
        if let Some(f) = flip {
            self.flip(f);
        }
        self.storage.set_tick(tick, previous.unwrap_or_default());
        Ok(())
    }

    /// Bootstrap only: records that `owner` held `liquidity` over `[lower, upper]` before the
    /// replayed history started. Tick nets and the in-range liquidity are unchanged (that
    /// liquidity is already part of the recorded state); gross liquidity grows so that a later
    /// burn does not clear ticks still used by other liquidity. Fees accrued before the start
    /// are unknown and not credited.
    pub fn adopt_position(
        &mut self,
        owner: Address,
        tick_lower: i32,
        tick_upper: i32,
        liquidity: u128,
        time: u32,
    ) -> Result<()> {
        check_ticks(tick_lower, tick_upper)?;
        let mut lower = self.plan_seed(tick_lower, 0, time)?;
        let mut upper = self.plan_seed(tick_upper, 0, time)?;
        for seed in [&mut lower, &mut upper] {
            seed.info.liquidity_gross = seed.info.liquidity_gross.saturating_add(liquidity);
        }
        let key = PositionKey { owner, tick_lower, tick_upper };
        let st = self.st();
        let (i0, i1) = fee_growth_inside(
            &lower.info,
            &upper.info,
            tick_lower,
            tick_upper,
            st.slot0.tick,
            st.fee_growth_global0_x128,
            st.fee_growth_global1_x128,
        );
        let mut position = self.storage.position(&key).cloned().unwrap_or_default();
        if position.liquidity == 0 {
            position.fee_growth_inside0_last_x128 = i0;
            position.fee_growth_inside1_last_x128 = i1;
        } else {
            position.update(0, i0, i1)?;
        }
        position.liquidity =
            position.liquidity.checked_add(liquidity).ok_or(ClmmError::LiquidityAdd)?;
        for (t, seed) in [(tick_lower, lower), (tick_upper, upper)] {
            if let Some(f) = seed.flip {
                self.flip(f);
            }
            self.storage.set_tick(t, seed.info);
        }
        self.storage.set_position(key, position);
        Ok(())
    }

    /// Moves `amount` of liquidity from position `from` to `to_owner` on the same range, fees
    /// credited to each side up to now (ticks, nets and in-range liquidity are unchanged). Used by
    /// the replay when a position was minted through a proxy; if all of `from`'s liquidity moves,
    /// its tokens owed move too.
    pub fn move_position_liquidity(
        &mut self,
        from: PositionKey,
        to_owner: Address,
        amount: u128,
    ) -> Result<()> {
        let lower = self.storage.tick(from.tick_lower).cloned().unwrap_or_default();
        let upper = self.storage.tick(from.tick_upper).cloned().unwrap_or_default();
        let st = self.st();
        let (i0, i1) = fee_growth_inside(
            &lower,
            &upper,
            from.tick_lower,
            from.tick_upper,
            st.slot0.tick,
            st.fee_growth_global0_x128,
            st.fee_growth_global1_x128,
        );
        let mut source = self.storage.position(&from).cloned().ok_or(ClmmError::NoPosition)?;
        source.update(0, i0, i1)?;
        source.liquidity = source.liquidity.checked_sub(amount).ok_or(ClmmError::LiquiditySub)?;
        let to = PositionKey { owner: to_owner, ..from };
        let mut target = self.storage.position(&to).cloned().unwrap_or_default();
        if target.liquidity > 0 {
            target.update(0, i0, i1)?;
        } else {
            target.fee_growth_inside0_last_x128 = i0;
            target.fee_growth_inside1_last_x128 = i1;
        }
        target.liquidity = target.liquidity.checked_add(amount).ok_or(ClmmError::LiquidityAdd)?;
        if source.liquidity == 0 {
            target.tokens_owed0 = target.tokens_owed0.wrapping_add(source.tokens_owed0);
            target.tokens_owed1 = target.tokens_owed1.wrapping_add(source.tokens_owed1);
            source.tokens_owed0 = 0;
            source.tokens_owed1 = 0;
        }
        self.storage.set_position(from, source);
        self.storage.set_position(to, target);
        Ok(())
    }

    /// Bootstrap only: overwrites price, tick and liquidity with recorded values after a
    /// divergence, so that the replay continues from the chain's state.
    pub fn resync(&mut self, sqrt_price_x96: U256, tick: i32, liquidity: u128) {
        let mut st = *self.st();
        st.slot0.sqrt_price_x96 = sqrt_price_x96;
        st.slot0.tick = tick;
        st.liquidity = liquidity;
        self.storage.set_state(st);
    }

    /// Bootstrap only: credits tokens that arrived without a modelled cause (for example fees
    /// a pre-existing position collects that were earned before the replayed history).
    pub fn credit_balances(&mut self, amount0: U256, amount1: U256) {
        let mut st = *self.st();
        st.balance0 = st.balance0.saturating_add(amount0);
        st.balance1 = st.balance1.saturating_add(amount1);
        self.storage.set_state(st);
    }

    /// Bootstrap only: adds to a position's tokens owed.
    pub fn credit_owed(
        &mut self,
        owner: Address,
        tick_lower: i32,
        tick_upper: i32,
        owed0: u128,
        owed1: u128,
    ) {
        let key = PositionKey { owner, tick_lower, tick_upper };
        let mut p = self.storage.position(&key).cloned().unwrap_or_default();
        p.tokens_owed0 = p.tokens_owed0.saturating_add(owed0);
        p.tokens_owed1 = p.tokens_owed1.saturating_add(owed1);
        self.storage.set_position(key, p);
    }
}

fn check_ticks(tick_lower: i32, tick_upper: i32) -> Result<()> {
    if tick_lower >= tick_upper {
        return Err(ClmmError::TickLowerNotBelowUpper { lower: tick_lower, upper: tick_upper });
    }
    if tick_lower < MIN_TICK {
        return Err(ClmmError::TickLowerTooLow(tick_lower));
    }
    if tick_upper > MAX_TICK {
        return Err(ClmmError::TickUpperTooHigh(tick_upper));
    }
    Ok(())
}

#[inline]
fn to_i256(x: U256) -> Result<I256> {
    let v = I256::from_raw(x);
    if v.is_negative() { Err(ClmmError::Overflow("int256")) } else { Ok(v) }
}

#[inline]
fn apply_signed(balance: U256, delta: I256) -> Option<U256> {
    if delta.is_negative() {
        balance.checked_sub(delta.unsigned_abs())
    } else {
        balance.checked_add(delta.into_raw())
    }
}

impl SwapPlan {
    /// The swap's outcome.
    pub fn result(&self) -> &SwapResult {
        &self.result
    }
}

impl Flavour {
    /// Whether pools of this flavour keep an oracle ring (all but V4, whose oracle is a hook).
    pub fn has_oracle(self) -> bool {
        !matches!(self, Flavour::UniswapV4)
    }

    /// Whether the flavour's pool contract is locked until `initialize` (`slot0.unlocked` false,
    /// so every `lock` function reverts with `LOK`): Uniswap V3 and PancakeSwap V3. Algebra's
    /// pools are unlocked from their constructor; V4 pools live in a manager and check
    /// initialization per call (`PoolNotInitialized`).
    pub fn locked_before_initialize(self) -> bool {
        matches!(self, Flavour::UniswapV3 | Flavour::PancakeV3)
    }
}
