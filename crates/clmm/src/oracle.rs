//! The observations ring (`Oracle`): tick and seconds-per-liquidity accumulators written once per
//! block time, `observe` with interpolation, and the TWAP tick.
//!
//! Times are `u32` seconds and may wrap (comparisons are relative to the current time, as in the
//! contracts). The ring grows on demand up to `cardinality_next` (at most 65,535).
//!
//! The ring's logic is written against a slot reader ([`observe_single_in`], [`prepare_write`])
//! so that a pool can keep its slots in any [`crate::storage::PoolStorage`]; [`Observations`] is
//! the in-memory ring.

use alloy_primitives::U256;

use crate::error::{ClmmError, Result};
use crate::math::wrap_u160;
use crate::tick::wrap_i56;

/// The largest ring size (`uint16`).
pub const OBSERVATIONS_MAX: u16 = u16::MAX;

/// One observation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Observation {
    /// Block time of the observation.
    pub block_timestamp: u32,
    /// Sum of tick x seconds (`int56`).
    pub tick_cumulative: i64,
    /// Sum of seconds / max(1, liquidity) in Q128.128 (`uint160`).
    pub seconds_per_liquidity_cumulative_x128: U256,
    /// Whether the slot holds an observation.
    pub initialized: bool,
}

impl Observation {
    /// The observation carried forward to `time` at `tick` and `liquidity` (`transform`).
    #[inline]
    pub fn transform(&self, time: u32, tick: i32, liquidity: u128) -> Observation {
        let delta = time.wrapping_sub(self.block_timestamp);
        let per_liquidity = (U256::from(delta) << 128) / U256::from(liquidity.max(1));
        Observation {
            block_timestamp: time,
            tick_cumulative: wrap_i56(
                self.tick_cumulative.wrapping_add(i64::from(tick) * i64::from(delta)),
            ),
            seconds_per_liquidity_cumulative_x128: wrap_u160(
                self.seconds_per_liquidity_cumulative_x128 + per_liquidity,
            ),
            initialized: true,
        }
    }
}

/// The ring of observations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Observations {
    slots: Vec<Observation>,
}

/// `a <= b` for times in the 2^32 window that ends at `time` (`Oracle.lte`).
#[inline]
fn lte(time: u32, a: u32, b: u32) -> bool {
    if a <= time && b <= time {
        return a <= b;
    }
    let a_adj = if a > time { u64::from(a) } else { u64::from(a) + (1 << 32) };
    let b_adj = if b > time { u64::from(b) } else { u64::from(b) + (1 << 32) };
    a_adj <= b_adj
}

/// `Oracle.write` computed without storing: the index and cardinality after the write and the
/// observation to store at that index, or `None` if one already exists for `time` (the ring
/// is unchanged). `last` is the observation at `index`.
#[inline]
pub fn prepare_write(
    last: Observation,
    index: u16,
    time: u32,
    tick: i32,
    liquidity: u128,
    cardinality: u16,
    cardinality_next: u16,
) -> Option<(u16, u16, Observation)> {
    if last.block_timestamp == time {
        return None;
    }
    let cardinality_updated = if cardinality_next > cardinality && index == cardinality - 1 {
        cardinality_next
    } else {
        cardinality
    };
    let index_updated = ((u32::from(index) + 1) % u32::from(cardinality_updated)) as u16;
    Some((index_updated, cardinality_updated, last.transform(time, tick, liquidity)))
}

/// The observation that `Oracle.grow` leaves in a slot it prepares: time 1, not initialized,
/// so that searches behave as over the contracts' pre-touched storage.
pub const GROWN_SLOT: Observation = Observation {
    block_timestamp: 1,
    tick_cumulative: 0,
    seconds_per_liquidity_cumulative_x128: U256::ZERO,
    initialized: false,
};

/// The first observation of a ring started at `time` (`Oracle.initialize`).
pub fn first_observation(time: u32) -> Observation {
    Observation {
        block_timestamp: time,
        tick_cumulative: 0,
        seconds_per_liquidity_cumulative_x128: U256::ZERO,
        initialized: true,
    }
}

fn binary_search(
    slot: &impl Fn(u16) -> Observation,
    time: u32,
    target: u32,
    index: u16,
    cardinality: u16,
) -> (Observation, Observation) {
    let card = u32::from(cardinality);
    let mut l = (u32::from(index) + 1) % card;
    let mut r = l + card - 1;
    loop {
        let i = (l + r) / 2;
        let before = slot((i % card) as u16);
        if !before.initialized {
            l = i + 1;
            continue;
        }
        let after = slot(((i + 1) % card) as u16);
        let target_at_or_after = lte(time, before.block_timestamp, target);
        if target_at_or_after && lte(time, target, after.block_timestamp) {
            return (before, after);
        }
        if !target_at_or_after {
            r = i - 1;
        } else {
            l = i + 1;
        }
    }
}

/// The oldest observation of a ring of `cardinality` (> 0) slots whose newest is at `index`:
/// the slot after the newest once the ring wrapped, slot 0 before (`getSurroundingObservations`).
pub fn oldest_in(slot: &impl Fn(u16) -> Observation, index: u16, cardinality: u16) -> Observation {
    let oldest = slot(((u32::from(index) + 1) % u32::from(cardinality)) as u16);
    if oldest.initialized { oldest } else { slot(0) }
}

#[allow(clippy::too_many_arguments)]
fn surrounding(
    slot: &impl Fn(u16) -> Observation,
    time: u32,
    target: u32,
    tick: i32,
    index: u16,
    liquidity: u128,
    cardinality: u16,
) -> Result<(Observation, Observation)> {
    let newest = slot(index);
    if lte(time, newest.block_timestamp, target) {
        if newest.block_timestamp == target {
            return Ok((newest, newest));
        }
        return Ok((newest, newest.transform(target, tick, liquidity)));
    }
    let oldest = oldest_in(slot, index, cardinality);
    if !lte(time, oldest.block_timestamp, target) {
        return Err(ClmmError::ObservationTooOld);
    }
    Ok(binary_search(slot, time, target, index, cardinality))
}

/// Accumulators `seconds_ago` before `time` (`observeSingle`) over the ring read by `slot`
/// (index -> observation; the default for slots never written): (tick cumulative, seconds per
/// liquidity cumulative).
#[allow(clippy::too_many_arguments)]
pub fn observe_single_in(
    slot: &impl Fn(u16) -> Observation,
    time: u32,
    seconds_ago: u32,
    tick: i32,
    index: u16,
    liquidity: u128,
    cardinality: u16,
) -> Result<(i64, U256)> {
    if seconds_ago == 0 {
        let mut last = slot(index);
        if last.block_timestamp != time {
            last = last.transform(time, tick, liquidity);
        }
        return Ok((last.tick_cumulative, last.seconds_per_liquidity_cumulative_x128));
    }
    let target = time.wrapping_sub(seconds_ago);
    let (before, after) = surrounding(slot, time, target, tick, index, liquidity, cardinality)?;
    if target == before.block_timestamp {
        Ok((before.tick_cumulative, before.seconds_per_liquidity_cumulative_x128))
    } else if target == after.block_timestamp {
        Ok((after.tick_cumulative, after.seconds_per_liquidity_cumulative_x128))
    } else {
        let observation_delta = after.block_timestamp.wrapping_sub(before.block_timestamp);
        let target_delta = target.wrapping_sub(before.block_timestamp);
        // int56 division truncates toward zero, as Rust's does.
        let tick_cumulative = wrap_i56(before.tick_cumulative.wrapping_add(
            ((after.tick_cumulative - before.tick_cumulative) / i64::from(observation_delta))
                * i64::from(target_delta),
        ));
        let spl_delta = wrap_u160(
            after
                .seconds_per_liquidity_cumulative_x128
                .wrapping_sub(before.seconds_per_liquidity_cumulative_x128),
        );
        let spl = wrap_u160(
            before.seconds_per_liquidity_cumulative_x128
                + wrap_u160(spl_delta * U256::from(target_delta) / U256::from(observation_delta)),
        );
        Ok((tick_cumulative, spl))
    }
}

/// [`observe_single_in`] for each of `seconds_agos` (`observe`).
#[allow(clippy::too_many_arguments)]
pub fn observe_in(
    slot: &impl Fn(u16) -> Observation,
    time: u32,
    seconds_agos: &[u32],
    tick: i32,
    index: u16,
    liquidity: u128,
    cardinality: u16,
) -> Result<(Vec<i64>, Vec<U256>)> {
    if cardinality == 0 {
        return Err(ClmmError::NotInitialized);
    }
    let mut ticks = Vec::with_capacity(seconds_agos.len());
    let mut spls = Vec::with_capacity(seconds_agos.len());
    for &ago in seconds_agos {
        let (t, s) = observe_single_in(slot, time, ago, tick, index, liquidity, cardinality)?;
        ticks.push(t);
        spls.push(s);
    }
    Ok((ticks, spls))
}

impl Observations {
    /// The observation in slot `index` (the default if never written).
    #[inline]
    pub fn slot(&self, index: u16) -> Observation {
        self.slots.get(usize::from(index)).copied().unwrap_or_default()
    }

    /// Overwrites slot `index`, allocating slots up to it.
    pub fn set_slot(&mut self, index: u16, observation: Observation) {
        let i = usize::from(index);
        if i >= self.slots.len() {
            self.slots.resize(i + 1, Observation::default());
        }
        self.slots[i] = observation;
    }

    /// Slots allocated so far (written or prepared by [`Self::grow`]).
    pub fn allocated(&self) -> usize {
        self.slots.len()
    }

    /// Starts the ring with one observation at `time`; returns (cardinality, cardinality next).
    pub fn initialize(&mut self, time: u32) -> (u16, u16) {
        self.slots.clear();
        self.slots.push(first_observation(time));
        (1, 1)
    }

    /// Writes an observation for `time` if none exists for it yet (`Oracle.write`); returns the
    /// new index and cardinality.
    pub fn write(
        &mut self,
        index: u16,
        time: u32,
        tick: i32,
        liquidity: u128,
        cardinality: u16,
        cardinality_next: u16,
    ) -> (u16, u16) {
        match prepare_write(
            self.slot(index),
            index,
            time,
            tick,
            liquidity,
            cardinality,
            cardinality_next,
        ) {
            None => (index, cardinality),
            Some((index_updated, cardinality_updated, next)) => {
                self.set_slot(index_updated, next);
                (index_updated, cardinality_updated)
            }
        }
    }

    /// Prepares the ring to hold `next` observations (`Oracle.grow`); returns the new
    /// cardinality next. Slots are allocated lazily, but marked as the contracts do (time 1,
    /// not initialized) so that searches behave the same.
    pub fn grow(&mut self, current: u16, next: u16) -> Result<u16> {
        if current == 0 {
            return Err(ClmmError::NotInitialized);
        }
        if next <= current {
            return Ok(current);
        }
        let n = usize::from(next);
        if self.slots.len() < n {
            self.slots.resize(n, GROWN_SLOT);
        }
        Ok(next)
    }

    /// Accumulators `seconds_ago` before `time` (`observeSingle`): (tick cumulative, seconds per
    /// liquidity cumulative).
    #[allow(clippy::too_many_arguments)]
    pub fn observe_single(
        &self,
        time: u32,
        seconds_ago: u32,
        tick: i32,
        index: u16,
        liquidity: u128,
        cardinality: u16,
    ) -> Result<(i64, U256)> {
        observe_single_in(&|i| self.slot(i), time, seconds_ago, tick, index, liquidity, cardinality)
    }

    /// [`Self::observe_single`] for each of `seconds_agos` (`observe`).
    pub fn observe(
        &self,
        time: u32,
        seconds_agos: &[u32],
        tick: i32,
        index: u16,
        liquidity: u128,
        cardinality: u16,
    ) -> Result<(Vec<i64>, Vec<U256>)> {
        observe_in(&|i| self.slot(i), time, seconds_agos, tick, index, liquidity, cardinality)
    }
}

/// Arithmetic mean tick between two tick cumulatives `seconds` apart, floored toward minus
/// infinity (as v3-periphery's `OracleLibrary.consult` does; plain integer division would round
/// negative means toward zero).
pub fn mean_tick(
    tick_cumulative_start: i64,
    tick_cumulative_end: i64,
    seconds: u32,
) -> Result<i32> {
    if seconds == 0 {
        return Err(ClmmError::ZeroAmount("TWAP period"));
    }
    let delta = tick_cumulative_end - tick_cumulative_start;
    let mean = delta.div_euclid(i64::from(seconds));
    i32::try_from(mean).map_err(|_| ClmmError::Overflow("mean tick"))
}
