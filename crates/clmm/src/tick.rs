//! Per-tick state (`Tick`): liquidity gross/net and the "outside" accumulators that make fee
//! growth and seconds inside a range computable from two ticks.

use alloy_primitives::U256;

use crate::error::{ClmmError, Result};
use crate::math::liquidity_math::add_delta;
use crate::math::tick_math::{MAX_TICK, MIN_TICK};
use crate::math::wrap_u160;

/// State of one initialized tick.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct TickInfo {
    /// Total liquidity of the positions that use this tick as a bound.
    pub liquidity_gross: u128,
    /// Liquidity added when the price crosses this tick left to right.
    pub liquidity_net: i128,
    /// Fee growth of token0 on the other side of this tick from the current tick (Q128.128).
    pub fee_growth_outside0_x128: U256,
    /// Fee growth of token1 on the other side (Q128.128).
    pub fee_growth_outside1_x128: U256,
    /// Tick cumulative on the other side (`int56`).
    pub tick_cumulative_outside: i64,
    /// Seconds per liquidity on the other side (`uint160`, Q128.128).
    pub seconds_per_liquidity_outside_x128: U256,
    /// Seconds spent on the other side (`uint32`, wrapping).
    pub seconds_outside: u32,
    /// Whether the tick is initialized (`liquidity_gross > 0`, or seeded by a replay bootstrap).
    pub initialized: bool,
}

/// The accumulators of the pool at the moment of a tick update or crossing.
#[derive(Debug, Clone, Copy)]
pub struct Globals {
    /// Global fee growth of token0.
    pub fee_growth_global0_x128: U256,
    /// Global fee growth of token1.
    pub fee_growth_global1_x128: U256,
    /// Seconds per liquidity cumulative.
    pub seconds_per_liquidity_cumulative_x128: U256,
    /// Tick cumulative.
    pub tick_cumulative: i64,
    /// Block time (seconds, `uint32`).
    pub time: u32,
}

/// The most gross liquidity one tick may carry for `spacing`, so that the sum over all ticks
/// fits `u128` (`tickSpacingToMaxLiquidityPerTick`).
pub fn max_liquidity_per_tick(spacing: i32) -> u128 {
    let min_tick = (MIN_TICK / spacing) * spacing;
    let max_tick = (MAX_TICK / spacing) * spacing;
    let num_ticks = ((max_tick - min_tick) / spacing) as u128 + 1;
    u128::MAX / num_ticks
}

/// Wraps an integer to Solidity's `int56` (two's complement modulo 2^56).
#[inline]
pub(crate) fn wrap_i56(x: i64) -> i64 {
    (x << 8) >> 8
}

impl TickInfo {
    /// Applies a liquidity delta at this tick (`Tick.update`); returns whether the tick flipped
    /// between initialized and uninitialized. `upper` says the tick is the position's upper bound.
    #[allow(clippy::too_many_arguments)]
    pub fn update(
        &mut self,
        tick: i32,
        tick_current: i32,
        liquidity_delta: i128,
        globals: &Globals,
        upper: bool,
        max_liquidity: u128,
    ) -> Result<bool> {
        let gross_before = self.liquidity_gross;
        let gross_after = add_delta(gross_before, liquidity_delta)?;
        if gross_after > max_liquidity {
            return Err(ClmmError::LiquidityOverflowPerTick);
        }
        let net = if upper {
            self.liquidity_net.checked_sub(liquidity_delta)
        } else {
            self.liquidity_net.checked_add(liquidity_delta)
        }
        .ok_or(ClmmError::Overflow("int128 liquidity net"))?;
        let flipped = (gross_after == 0) != (gross_before == 0);
        if gross_before == 0 {
            // By convention all growth before initialization happened below the tick.
            if tick <= tick_current {
                self.fee_growth_outside0_x128 = globals.fee_growth_global0_x128;
                self.fee_growth_outside1_x128 = globals.fee_growth_global1_x128;
                self.seconds_per_liquidity_outside_x128 =
                    globals.seconds_per_liquidity_cumulative_x128;
                self.tick_cumulative_outside = globals.tick_cumulative;
                self.seconds_outside = globals.time;
            }
            self.initialized = true;
        }
        self.liquidity_gross = gross_after;
        self.liquidity_net = net;
        Ok(flipped)
    }

    /// Flips the outside accumulators as the price crosses this tick (`Tick.cross`); returns
    /// the liquidity net.
    #[inline]
    pub fn cross(&mut self, globals: &Globals) -> i128 {
        self.fee_growth_outside0_x128 =
            globals.fee_growth_global0_x128.wrapping_sub(self.fee_growth_outside0_x128);
        self.fee_growth_outside1_x128 =
            globals.fee_growth_global1_x128.wrapping_sub(self.fee_growth_outside1_x128);
        self.seconds_per_liquidity_outside_x128 = wrap_u160(
            globals
                .seconds_per_liquidity_cumulative_x128
                .wrapping_sub(self.seconds_per_liquidity_outside_x128),
        );
        self.tick_cumulative_outside =
            wrap_i56(globals.tick_cumulative.wrapping_sub(self.tick_cumulative_outside));
        self.seconds_outside = globals.time.wrapping_sub(self.seconds_outside);
        self.liquidity_net
    }
}

/// Fee growth per unit of liquidity inside `[lower, upper]` (`Tick.getFeeGrowthInside`), with
/// wrapping arithmetic as in the contracts (only differences of it are meaningful).
pub fn fee_growth_inside(
    lower: &TickInfo,
    upper: &TickInfo,
    tick_lower: i32,
    tick_upper: i32,
    tick_current: i32,
    fee_growth_global0_x128: U256,
    fee_growth_global1_x128: U256,
) -> (U256, U256) {
    let (below0, below1) = if tick_current >= tick_lower {
        (lower.fee_growth_outside0_x128, lower.fee_growth_outside1_x128)
    } else {
        (
            fee_growth_global0_x128.wrapping_sub(lower.fee_growth_outside0_x128),
            fee_growth_global1_x128.wrapping_sub(lower.fee_growth_outside1_x128),
        )
    };
    let (above0, above1) = if tick_current < tick_upper {
        (upper.fee_growth_outside0_x128, upper.fee_growth_outside1_x128)
    } else {
        (
            fee_growth_global0_x128.wrapping_sub(upper.fee_growth_outside0_x128),
            fee_growth_global1_x128.wrapping_sub(upper.fee_growth_outside1_x128),
        )
    };
    (
        fee_growth_global0_x128.wrapping_sub(below0).wrapping_sub(above0),
        fee_growth_global1_x128.wrapping_sub(below1).wrapping_sub(above1),
    )
}
