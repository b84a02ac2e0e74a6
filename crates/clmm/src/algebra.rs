//! Algebra Integral's adaptive fee, exact to the contracts: the volatility oracle (timepoints ring
//! with tick and volatility cumulatives, 24-hour average tick) and the fee curve (base fee plus two
//! sigmoids of the average volatility, with Algebra's integer approximation of the exponential).
//!
//! Version followed: the default plugin of **Algebra Integral 1.1** (`AlgebraBasePluginV1`, "Algebra
//! Integral 1.1 default plugin"), repository `cryptoalgebra/Algebra`:
//! - `src/plugin/contracts/libraries/VolatilityOracle.sol` (commit `00791ade67bc`): timepoints,
//!   `write`, `getSingleTimepoint`, `getAverageVolatility`, `_volatilityOnRange`,
//!   `_getAverageTick`, `_lteConsideringOverflow`, `WINDOW = 1 days`, a ring of 65,536 slots;
//! - `src/plugin/contracts/libraries/AdaptiveFee.sol` (commit `3cf3896f0f60`): `getFee`,
//!   `sigmoid`, `expXg4`, `initialFeeConfiguration`, `validateFeeConfiguration`;
//! - `src/plugin/contracts/AlgebraBasePluginV1.sol` (commit `03c46f49e7c8`): `afterInitialize`
//!   (first timepoint, fee = base fee) and `beforeSwap` / `_writeTimepointAndUpdateFee` (at the
//!   first swap of a block: write a timepoint with the pre-swap tick, then set the fee from the
//!   average volatility at that timepoint; later swaps in the same block keep the fee).
//!
//! The formulas, constants and roundings are the contracts' (facts, cited); the code is this
//! crate's own. Solidity's unchecked `int56` / `uint88` / `uint16` / `uint32` arithmetic is
//! reproduced with explicit wrapping. Pinned by the vectors of `src/plugin/test/AdaptiveFee.spec.ts`
//! (its fee-grid snapshot) and `src/plugin/test/VolatilityOracle.spec.ts` (tests/it/algebra.rs).

use alloy_primitives::{I256, U256};

use crate::error::{ClmmError, Result};
use crate::flavour::AdaptiveFeeConfig;

/// Averaging window of the volatility oracle (`VolatilityOracle.WINDOW = 1 days`).
pub const WINDOW: u32 = 86_400;
/// Slots of the timepoints ring (`UINT16_MODULO`).
pub const RING_SIZE: usize = 65_536;

const MASK88: u128 = (1u128 << 88) - 1;

#[inline]
fn wrap56(x: i64) -> i64 {
    (x << 8) >> 8
}

#[inline]
fn wrap88(x: u128) -> u128 {
    x & MASK88
}

#[inline]
fn wrap24(x: i64) -> i32 {
    ((x as i32) << 8) >> 8
}

/// `a` is chronologically at or before `b`, both at or before `now`, with at most one wrap of
/// the 32-bit timestamps (`_lteConsideringOverflow`): a timestamp above `now` is from before the
/// wrap.
pub fn lte_considering_overflow(a: u32, b: u32, now: u32) -> bool {
    let (a_before_wrap, b_before_wrap) = (a > now, b > now);
    if a_before_wrap == b_before_wrap { a <= b } else { a_before_wrap }
}

/// One slot of the ring (`VolatilityOracle.Timepoint`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Timepoint {
    /// Whether the slot has been written.
    pub initialized: bool,
    /// Block timestamp of the timepoint.
    pub block_timestamp: u32,
    /// Tick x seconds since initialization (`int56`, wraps).
    pub tick_cumulative: i64,
    /// Sum of per-second squared deviations of the tick from its 24-hour average (`uint88`,
    /// wraps).
    pub volatility_cumulative: u128,
    /// The tick at this timepoint.
    pub tick: i32,
    /// The 24-hour average tick at this timepoint.
    pub average_tick: i32,
    /// Index of the closest timepoint at or before `WINDOW` seconds earlier (or the oldest).
    pub window_start_index: u16,
}

/// Volatility accumulated between two consecutive timepoints, resampled to one-second steps
/// (`_volatilityOnRange`): with the tick and the average tick moving linearly over `(0, dt]`,
/// the sum over `t = 1..=dt` of `(tick(t) - avgTick(t))^2`, which Algebra evaluates in closed
/// form as `(k^2 * S2 + 6 b k S1 + 6 dt b^2) / (6 dt^2)` with `k = (tick1 - tick0) - (avg1 -
/// avg0)`, `b = (tick0 - avg0) * dt`, `S1 = dt (dt + 1)`, `S2 = S1 (2 dt + 1)` (integer division,
/// truncating). `dt` must be positive.
pub fn volatility_on_range(
    dt: u32,
    tick0: i32,
    tick1: i32,
    avg_tick0: i32,
    avg_tick1: i32,
) -> U256 {
    let dt = I256::try_from(i64::from(dt)).expect("invariant: u32 fits I256");
    let big = |v: i64| I256::try_from(v).expect("invariant: i64 fits I256");
    let k =
        big((i64::from(tick1) - i64::from(tick0)) - (i64::from(avg_tick1) - i64::from(avg_tick0)));
    let b = big(i64::from(tick0) - i64::from(avg_tick0)) * dt;
    let one = I256::ONE;
    let two = big(2);
    let six = big(6);
    let s1 = dt * (dt + one);
    let s2 = s1 * (two * dt + one);
    let numerator = k * k * s2 + six * b * k * s1 + six * dt * b * b;
    let denominator = six * dt * dt;
    if denominator.is_zero() {
        return U256::ZERO;
    }
    (numerator / denominator).into_raw()
}

impl Timepoint {
    /// The timepoint that follows this one at `block_timestamp` (`_createNewTimepoint`, which
    /// Algebra exposes for its tests): tick cumulative and volatility advanced over the interval
    /// with `tick` held and the average tick moving linearly to `average_tick`.
    pub fn next(
        self,
        block_timestamp: u32,
        tick: i32,
        average_tick: i32,
        window_start_index: u16,
    ) -> Timepoint {
        next_timepoint(self, block_timestamp, tick, average_tick, window_start_index)
    }
}

/// A new timepoint from the previous one (`_createNewTimepoint`): the tick held since `last` is
/// the current `tick` (ticks only move in swaps, which write first).
fn next_timepoint(
    last: Timepoint,
    block_timestamp: u32,
    tick: i32,
    average_tick: i32,
    window_start_index: u16,
) -> Timepoint {
    let delta = block_timestamp.wrapping_sub(last.block_timestamp);
    let added = volatility_on_range(delta, tick, tick, last.average_tick, average_tick);
    let added88 = wrap88(added.wrapping_to::<u128>());
    Timepoint {
        initialized: true,
        block_timestamp,
        tick_cumulative: wrap56(
            last.tick_cumulative.wrapping_add(i64::from(tick).wrapping_mul(i64::from(delta))),
        ),
        volatility_cumulative: wrap88(last.volatility_cumulative.wrapping_add(added88)),
        tick,
        average_tick,
        window_start_index,
    }
}

/// A read-only view of the ring (slots read by `read`, the default for slots never written),
/// optionally with one timepoint about to be written.
struct Ring<F> {
    read: F,
    pending: Option<(u16, Timepoint)>,
}

/// Beginning and end of the interval that holds a target time.
struct Bracket {
    before: Timepoint,
    after: Timepoint,
    same: bool,
    index_before: u16,
}

impl<F: Fn(u16) -> Timepoint> Ring<F> {
    #[inline]
    fn at(&self, i: u16) -> Timepoint {
        match self.pending {
            Some((j, tp)) if j == i => tp,
            _ => (self.read)(i),
        }
    }

    /// `getOldestIndex`: the slot after the last one if it was ever written (the ring wrapped),
    /// else 0.
    fn oldest_index(&self, last: u16) -> u16 {
        let next = last.wrapping_add(1);
        if self.at(next).initialized { next } else { 0 }
    }

    /// `_getTimepointsAt`: the timepoints around `target`. A target at or after the last
    /// timepoint gives the last one twice (`same`).
    fn bracket(&self, now: u32, target: u32, last: u16, oldest: u16) -> Result<Bracket> {
        let last_tp = self.at(last);
        if target == now || lte_considering_overflow(last_tp.block_timestamp, target, now) {
            return Ok(Bracket { before: last_tp, after: last_tp, same: true, index_before: last });
        }
        // Within a window of the last timepoint the search starts at its window start (safe:
        // `write` never lets it point at an overwritten slot).
        let oldest = if last_tp.block_timestamp.wrapping_sub(target) <= WINDOW {
            last_tp.window_start_index
        } else {
            oldest
        };
        let oldest_tp = self.at(oldest);
        if !lte_considering_overflow(oldest_tp.block_timestamp, target, now) {
            return Err(ClmmError::TargetIsTooOld);
        }
        if oldest_tp.block_timestamp == target {
            return Ok(Bracket {
                before: oldest_tp,
                after: oldest_tp,
                same: true,
                index_before: oldest,
            });
        }
        // Timestamps strictly increase from `oldest` to `last` and
        // ts(oldest) < target < ts(last): find the last slot at or before the target. (Where
        // the target equals a timestamp, Algebra's search may return the pair ending there
        // instead; every caller then reads that timepoint's own values, so results agree.)
        let mut lo = usize::from(oldest);
        let mut hi = if last < oldest { usize::from(last) + RING_SIZE } else { usize::from(last) };
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            let tp = self.at((mid % RING_SIZE) as u16);
            if tp.initialized && lte_considering_overflow(tp.block_timestamp, target, now) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let i = (lo % RING_SIZE) as u16;
        Ok(Bracket {
            before: self.at(i),
            after: self.at(i.wrapping_add(1)),
            same: false,
            index_before: i,
        })
    }

    /// `_getTickCumulativeAt`: tick cumulative at `now - seconds_ago` and the index of the
    /// timepoint at or before it.
    fn tick_cumulative_at(
        &self,
        now: u32,
        seconds_ago: u32,
        tick: i32,
        last: u16,
        oldest: u16,
    ) -> Result<(i64, u16)> {
        let target = now.wrapping_sub(seconds_ago);
        let br = self.bracket(now, target, last, oldest)?;
        let (b, a) = (br.before, br.after);
        if target == b.block_timestamp {
            return Ok((b.tick_cumulative, br.index_before));
        }
        if br.same {
            let dt = i64::from(target.wrapping_sub(b.block_timestamp));
            let tc = wrap56(b.tick_cumulative.wrapping_add(i64::from(tick).wrapping_mul(dt)));
            return Ok((tc, br.index_before));
        }
        if target == a.block_timestamp {
            return Ok((a.tick_cumulative, br.index_before.wrapping_add(1)));
        }
        Ok((interpolate_tick_cumulative(b, a, target), br.index_before))
    }

    /// `_getVolatilityCumulativeAt`.
    fn volatility_cumulative_at(
        &self,
        now: u32,
        seconds_ago: u32,
        tick: i32,
        last: u16,
        oldest: u16,
    ) -> Result<u128> {
        let target = now.wrapping_sub(seconds_ago);
        let br = self.bracket(now, target, last, oldest)?;
        let (b, a) = (br.before, br.after);
        if target == b.block_timestamp {
            return Ok(b.volatility_cumulative);
        }
        if br.same {
            let (avg, _) = self.average_tick(
                target,
                tick,
                last,
                oldest,
                b.block_timestamp,
                b.tick_cumulative,
            )?;
            let dt = target.wrapping_sub(b.block_timestamp);
            let added = volatility_on_range(dt, tick, tick, b.average_tick, avg);
            return Ok(wrap88(
                b.volatility_cumulative.wrapping_add(wrap88(added.wrapping_to::<u128>())),
            ));
        }
        if target == a.block_timestamp {
            return Ok(a.volatility_cumulative);
        }
        interpolate_volatility_cumulative(b, a, target)
    }

    /// `_getAverageTickCasted`: the average tick over the `WINDOW` before `time` (over the whole
    /// history when it is shorter) and the index of the window's start, cast to `int24` /
    /// `uint16` like the contract.
    fn average_tick(
        &self,
        time: u32,
        tick: i32,
        last: u16,
        oldest: u16,
        last_timestamp: u32,
        last_tick_cumulative: i64,
    ) -> Result<(i32, u16)> {
        let oldest_tp = self.at(oldest);
        let elapsed = i64::from(time.wrapping_sub(last_timestamp));
        let current =
            wrap56(last_tick_cumulative.wrapping_add(i64::from(tick).wrapping_mul(elapsed)));
        let window_start = time.wrapping_sub(WINDOW);
        if !lte_considering_overflow(oldest_tp.block_timestamp, window_start, time) {
            // The history is shorter than the window.
            if time == oldest_tp.block_timestamp {
                return Ok((tick, oldest));
            }
            let span = i64::from(time.wrapping_sub(oldest_tp.block_timestamp));
            let avg = wrap56(current.wrapping_sub(oldest_tp.tick_cumulative)) / span;
            return Ok((wrap24(avg), oldest));
        }
        if lte_considering_overflow(last_timestamp, window_start, time) {
            // No timepoint inside the window: the tick has not moved during it.
            return Ok((tick, last));
        }
        let (at_start, start_index) = self.tick_cumulative_at(time, WINDOW, tick, last, oldest)?;
        let avg = wrap56(current.wrapping_sub(at_start)) / i64::from(WINDOW);
        Ok((wrap24(avg), start_index))
    }

    /// `getSingleTimepoint` (only the cumulatives of an interpolated result are meaningful).
    fn single_timepoint(
        &self,
        now: u32,
        seconds_ago: u32,
        tick: i32,
        last: u16,
        oldest: u16,
    ) -> Result<Timepoint> {
        let target = now.wrapping_sub(seconds_ago);
        let br = self.bracket(now, target, last, oldest)?;
        let (b, a) = (br.before, br.after);
        if target == b.block_timestamp {
            return Ok(b);
        }
        if br.same {
            let (avg, ws) = self.average_tick(
                target,
                tick,
                last,
                oldest,
                b.block_timestamp,
                b.tick_cumulative,
            )?;
            return Ok(next_timepoint(b, target, tick, avg, ws));
        }
        if target == a.block_timestamp {
            return Ok(a);
        }
        let mut out = b;
        out.tick_cumulative = interpolate_tick_cumulative(b, a, target);
        out.volatility_cumulative = interpolate_volatility_cumulative(b, a, target)?;
        Ok(out)
    }

    /// `getAverageVolatility`: the average per-second volatility over the `WINDOW` before `now`,
    /// or, with a shorter history, over the history with Bessel's correction (`n - 1`).
    fn average_volatility(&self, now: u32, tick: i32, last: u16, oldest: u16) -> Result<u128> {
        let last_tp = self.at(last);
        let at_last = last_tp.block_timestamp == now;
        let last_cumulative = if at_last {
            last_tp.volatility_cumulative
        } else {
            self.volatility_cumulative_at(now, 0, tick, last, oldest)?
        };
        let oldest_tp = self.at(oldest);
        let window_start = now.wrapping_sub(WINDOW);
        if lte_considering_overflow(oldest_tp.block_timestamp, window_start, now) {
            let at_start = if at_last {
                // The window starts between the last timepoint's window start and the next
                // slot: interpolate there (multiplication before division, in uint88).
                let ws = last_tp.window_start_index;
                let (s0, s1) = (self.at(ws), self.at(ws.wrapping_add(1)));
                let span = s1.block_timestamp.wrapping_sub(s0.block_timestamp);
                let into = window_start.wrapping_sub(s0.block_timestamp);
                let diff = wrap88(s1.volatility_cumulative.wrapping_sub(s0.volatility_cumulative));
                let scaled = wrap88(diff.wrapping_mul(u128::from(into)));
                let step = scaled
                    .checked_div(u128::from(span))
                    .ok_or(ClmmError::Overflow("volatility oracle: zero time span"))?;
                wrap88(s0.volatility_cumulative.wrapping_add(step))
            } else {
                self.volatility_cumulative_at(now, WINDOW, tick, last, oldest)?
            };
            return Ok(wrap88(last_cumulative.wrapping_sub(at_start)) / u128::from(WINDOW));
        }
        if now != oldest_tp.block_timestamp {
            let mut n = now.wrapping_sub(oldest_tp.block_timestamp);
            if n > 1 {
                n -= 1;
            }
            return Ok(wrap88(last_cumulative.wrapping_sub(oldest_tp.volatility_cumulative))
                / u128::from(n));
        }
        Ok(0)
    }

    /// `write` without storing: the index and timepoint to write and the oldest index after
    /// the write; `None` if a timepoint was already written at `time`.
    fn prepare_write(
        &self,
        last: u16,
        time: u32,
        tick: i32,
    ) -> Result<Option<(u16, u16, Timepoint)>> {
        let last_tp = self.at(last);
        if last_tp.block_timestamp == time {
            return Ok(None);
        }
        let index = last.wrapping_add(1);
        // A written slot at the next index means the ring has wrapped: it is the oldest.
        let mut oldest = if self.at(index).initialized { index } else { 0 };
        let (avg, mut window_start) = self.average_tick(
            time,
            tick,
            last,
            oldest,
            last_tp.block_timestamp,
            last_tp.tick_cumulative,
        )?;
        if window_start == index {
            window_start = window_start.wrapping_add(1);
        }
        let tp = next_timepoint(last_tp, time, tick, avg, window_start);
        if oldest == index {
            oldest = oldest.wrapping_add(1);
        }
        Ok(Some((index, oldest, tp)))
    }
}

fn interpolate_tick_cumulative(b: Timepoint, a: Timepoint, target: u32) -> i64 {
    // int56: ((after - before) / span) * into, truncating division first.
    let span = i64::from(a.block_timestamp.wrapping_sub(b.block_timestamp));
    let into = i64::from(target.wrapping_sub(b.block_timestamp));
    let per_second = wrap56(a.tick_cumulative.wrapping_sub(b.tick_cumulative)) / span;
    wrap56(b.tick_cumulative.wrapping_add(wrap56(per_second.wrapping_mul(into))))
}

fn interpolate_volatility_cumulative(b: Timepoint, a: Timepoint, target: u32) -> Result<u128> {
    // uint88: ((after - before) / span) * into, truncating division first.
    let span = u128::from(a.block_timestamp.wrapping_sub(b.block_timestamp));
    let into = u128::from(target.wrapping_sub(b.block_timestamp));
    let diff = wrap88(a.volatility_cumulative.wrapping_sub(b.volatility_cumulative));
    let per_second =
        diff.checked_div(span).ok_or(ClmmError::Overflow("volatility oracle: zero time span"))?;
    Ok(wrap88(b.volatility_cumulative.wrapping_add(wrap88(per_second.wrapping_mul(into)))))
}

/// The volatility oracle's scalar fields (`timepointIndex`, `lastTimepointTimestamp`,
/// `isInitialized`): one storage entry of a pool ([`crate::storage::PoolStorage`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct VolatilityState {
    /// Index of the newest timepoint (`timepointIndex`).
    pub index: u16,
    /// Timestamp of the newest timepoint (`lastTimepointTimestamp`).
    pub last_timestamp: u32,
    /// Whether the oracle was initialized.
    pub initialized: bool,
}

/// The first timepoint of an oracle initialized at `time` and `tick` (`initialize`): slot 0,
/// average tick = tick.
pub fn first_timepoint(time: u32, tick: i32) -> Timepoint {
    Timepoint {
        initialized: true,
        block_timestamp: time,
        tick,
        average_tick: tick,
        ..Timepoint::default()
    }
}

/// The oracle's logic over any timepoint reader: the scalar fields and `read` (index ->
/// timepoint, the default for slots never written). [`VolatilityOracle`] and the pool
/// ([`crate::pool::Pool`], over its storage) both use it.
pub(crate) struct OracleView<F> {
    ring: Ring<F>,
    state: VolatilityState,
}

impl<F: Fn(u16) -> Timepoint> OracleView<F> {
    /// A view of the ring read by `read` with scalar fields `state`.
    #[inline]
    pub(crate) fn new(read: F, state: VolatilityState) -> Self {
        Self { ring: Ring { read, pending: None }, state }
    }

    fn oldest_index(&self) -> u16 {
        self.ring.oldest_index(self.state.index)
    }

    /// [`VolatilityOracle::prepare_write`].
    pub(crate) fn prepare_write(&self, time: u32, tick: i32) -> Result<Option<PendingWrite>> {
        Ok(self
            .ring
            .prepare_write(self.state.index, time, tick)?
            .map(|(index, oldest, timepoint)| PendingWrite { index, oldest, timepoint }))
    }

    /// [`VolatilityOracle::timepoints`].
    pub(crate) fn timepoints(
        &self,
        now: u32,
        seconds_agos: &[u32],
        tick: i32,
    ) -> Result<Vec<(i64, u128)>> {
        let oldest = self.oldest_index();
        seconds_agos
            .iter()
            .map(|&s| {
                self.ring
                    .single_timepoint(now, s, tick, self.state.index, oldest)
                    .map(|tp| (tp.tick_cumulative, tp.volatility_cumulative))
            })
            .collect()
    }

    /// [`VolatilityOracle::average_volatility`].
    pub(crate) fn average_volatility(&self, now: u32, tick: i32) -> Result<u128> {
        self.ring.average_volatility(now, tick, self.state.index, self.oldest_index())
    }

    /// [`VolatilityOracle::average_tick`].
    pub(crate) fn average_tick(&self, now: u32, tick: i32) -> Result<i32> {
        let last = self.ring.at(self.state.index);
        self.ring
            .average_tick(
                now,
                tick,
                self.state.index,
                self.oldest_index(),
                last.block_timestamp,
                last.tick_cumulative,
            )
            .map(|(avg, _)| avg)
    }

    /// [`VolatilityOracle::tick_cumulative_at`].
    pub(crate) fn tick_cumulative_at(&self, now: u32, seconds_ago: u32, tick: i32) -> Result<i64> {
        self.ring
            .tick_cumulative_at(now, seconds_ago, tick, self.state.index, self.oldest_index())
            .map(|(tc, _)| tc)
    }

    /// [`VolatilityOracle::volatility_for_swap`].
    pub(crate) fn volatility_for_swap(&self, now: u32, tick: i32) -> Result<u128> {
        let index = self.state.index;
        match self.ring.prepare_write(index, now, tick)? {
            None => self.ring.average_volatility(now, tick, index, self.oldest_index()),
            Some((written, oldest, tp)) => {
                let view = Ring { read: &self.ring.read, pending: Some((written, tp)) };
                view.average_volatility(now, tick, written, oldest)
            }
        }
    }

    /// [`VolatilityOracle::fee_for_swap`].
    pub(crate) fn fee_for_swap(
        &self,
        now: u32,
        tick: i32,
        cfg: &AdaptiveFeeConfig,
    ) -> Result<Option<u16>> {
        if self.state.last_timestamp == now {
            return Ok(None);
        }
        if cfg.alpha1 | cfg.alpha2 == 0 {
            return Ok(Some(cfg.base_fee));
        }
        Ok(Some(adaptive_fee(self.volatility_for_swap(now, tick)?, cfg)))
    }
}

/// A timepoint write computed by [`VolatilityOracle::prepare_write`], not yet stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingWrite {
    /// The slot written (`indexUpdated`).
    pub index: u16,
    /// The oldest index after the write, as `write` returns it.
    pub oldest: u16,
    /// The new timepoint.
    pub timepoint: Timepoint,
}

impl PendingWrite {
    /// The oracle's scalar fields after this write on an oracle whose fields are `before`.
    pub fn state_after(&self, before: VolatilityState) -> VolatilityState {
        VolatilityState {
            index: self.index,
            last_timestamp: self.timepoint.block_timestamp,
            initialized: before.initialized,
        }
    }
}

/// The plugin's timepoints ring and its bookkeeping (`timepoints`, `timepointIndex`,
/// `lastTimepointTimestamp`, `isInitialized`), in memory. Slots are allocated lazily up to
/// 65,536 and behave as the contract's zeroed storage.
#[derive(Debug, Clone, Default)]
pub struct VolatilityOracle {
    slots: Vec<Timepoint>,
    state: VolatilityState,
}

impl VolatilityOracle {
    /// An empty, uninitialized oracle.
    pub fn new() -> Self {
        Self::default()
    }

    #[inline]
    fn slot(&self, i: u16) -> Timepoint {
        self.slots.get(usize::from(i)).copied().unwrap_or_default()
    }

    fn view(&self) -> OracleView<impl Fn(u16) -> Timepoint + '_> {
        OracleView::new(|i| self.slot(i), self.state)
    }

    fn store(&mut self, i: u16, tp: Timepoint) {
        let i = usize::from(i);
        if self.slots.len() <= i {
            self.slots.resize(i + 1, Timepoint::default());
        }
        self.slots[i] = tp;
    }

    /// Writes the first timepoint (`initialize`): slot 0, average tick = tick.
    pub fn initialize(&mut self, time: u32, tick: i32) -> Result<()> {
        if self.slot(0).initialized {
            return Err(ClmmError::VolatilityOracleAlreadyInitialized);
        }
        self.store(0, first_timepoint(time, tick));
        self.state = VolatilityState { index: 0, last_timestamp: time, initialized: true };
        Ok(())
    }

    /// Whether [`Self::initialize`] was called.
    pub fn is_initialized(&self) -> bool {
        self.state.initialized
    }

    /// Index of the newest timepoint (`timepointIndex`).
    pub fn index(&self) -> u16 {
        self.state.index
    }

    /// Timestamp of the newest timepoint (`lastTimepointTimestamp`).
    pub fn last_timestamp(&self) -> u32 {
        self.state.last_timestamp
    }

    /// The scalar fields (index, last timestamp, initialized).
    pub fn state(&self) -> VolatilityState {
        self.state
    }

    /// A slot of the ring (zeroed if never written).
    pub fn timepoint(&self, i: u16) -> Timepoint {
        self.slot(i)
    }

    /// Overwrites a slot without any check (`VolatilityOracleTest.writeTimepointDirectly`): for
    /// reproducing states in tests and fixtures, and for a pool's in-memory storage.
    pub fn set_timepoint(&mut self, i: u16, timepoint: Timepoint) {
        self.store(i, timepoint);
    }

    /// Sets the newest index and its timestamp without any check (as `VolatilityOracleTest`'s
    /// `setState` does for its index): for reproducing states in tests and fixtures.
    pub fn set_state(&mut self, index: u16, last_timestamp: u32) {
        self.state.index = index;
        self.state.last_timestamp = last_timestamp;
    }

    /// Overwrites all the scalar fields without any check (a pool's in-memory storage).
    pub fn set_volatility_state(&mut self, state: VolatilityState) {
        self.state = state;
    }

    /// The written slots, by index (slots never written are left out).
    pub fn written_timepoints(&self) -> Vec<(u16, Timepoint)> {
        self.slots
            .iter()
            .enumerate()
            .filter(|(_, tp)| **tp != Timepoint::default())
            .map(|(i, tp)| (u16::try_from(i).expect("invariant: at most 65,536 slots"), *tp))
            .collect()
    }

    /// Index of the oldest timepoint (`getOldestIndex`).
    pub fn oldest_index(&self) -> u16 {
        self.view().oldest_index()
    }

    /// Writes a timepoint at `time` with the tick held since the last one (`write`); at most one
    /// per timestamp. Returns the new index and the oldest index as `write` does (`(last, 0)`
    /// when nothing was written).
    pub fn write(&mut self, time: u32, tick: i32) -> Result<(u16, u16)> {
        match self.prepare_write(time, tick)? {
            None => Ok((self.state.index, 0)),
            Some(w) => {
                let out = (w.index, w.oldest);
                self.apply_write(w);
                Ok(out)
            }
        }
    }

    /// [`Self::write`] computed without storing (`None`: a timepoint exists at `time`).
    pub fn prepare_write(&self, time: u32, tick: i32) -> Result<Option<PendingWrite>> {
        self.view().prepare_write(time, tick)
    }

    /// Stores a write computed by [`Self::prepare_write`] on this oracle's current state.
    pub fn apply_write(&mut self, w: PendingWrite) {
        self.store(w.index, w.timepoint);
        self.state = w.state_after(self.state);
    }

    /// Tick and volatility cumulatives `seconds_agos` before `now` (`getTimepoints`); `tick` is
    /// the current tick.
    pub fn timepoints(
        &self,
        now: u32,
        seconds_agos: &[u32],
        tick: i32,
    ) -> Result<Vec<(i64, u128)>> {
        self.view().timepoints(now, seconds_agos, tick)
    }

    /// The average volatility at `now` without writing (`getAverageVolatility` with the current
    /// index, as the plugin's `getCurrentAverageVolatility` view).
    pub fn average_volatility(&self, now: u32, tick: i32) -> Result<u128> {
        self.view().average_volatility(now, tick)
    }

    /// The 24-hour average tick at `now` (`_getAverageTick` from the newest timepoint).
    pub fn average_tick(&self, now: u32, tick: i32) -> Result<i32> {
        self.view().average_tick(now, tick)
    }

    /// Tick cumulative `seconds_ago` before `now` (`_getTickCumulativeAt`).
    pub fn tick_cumulative_at(&self, now: u32, seconds_ago: u32, tick: i32) -> Result<i64> {
        self.view().tick_cumulative_at(now, seconds_ago, tick)
    }

    /// The average volatility a swap at `now` sets the fee from: the plugin first writes a
    /// timepoint with the pre-swap `tick` (unless one exists at `now`), then reads the average
    /// at that timepoint. Read-only.
    pub fn volatility_for_swap(&self, now: u32, tick: i32) -> Result<u128> {
        self.view().volatility_for_swap(now, tick)
    }

    /// The fee a swap at `now` sets (`_writeTimepointAndUpdateFee`), read-only: `None` when a
    /// timepoint already exists at `now` (the plugin returns early and the fee stays).
    pub fn fee_for_swap(
        &self,
        now: u32,
        tick: i32,
        cfg: &AdaptiveFeeConfig,
    ) -> Result<Option<u16>> {
        self.view().fee_for_swap(now, tick, cfg)
    }

    /// The plugin's `beforeSwap`: writes the timepoint and returns the new fee, or `None` if a
    /// timepoint already exists at `now` (fee unchanged).
    pub fn before_swap(
        &mut self,
        now: u32,
        tick: i32,
        cfg: &AdaptiveFeeConfig,
    ) -> Result<Option<u16>> {
        let fee = self.fee_for_swap(now, tick, cfg)?;
        if fee.is_some() {
            self.write(now, tick)?;
        }
        Ok(fee)
    }
}

// ----- AdaptiveFee --------------------------------------------------------------------------

/// `e^n` x 10^20 for n = 0..=5, the table of `expXg4` (`closestValue`).
const EXP_TABLE: [u128; 6] = [
    100_000_000_000_000_000_000,
    271_828_182_845_904_523_536,
    738_905_609_893_065_022_723,
    2_008_553_692_318_766_774_092,
    5_459_815_003_314_423_907_811,
    14_841_315_910_257_660_342_111,
];
/// `e^0.5` x 10^20 (`expXg4`).
const EXP_HALF: u128 = 164_872_127_070_012_814_684;
const E20: u128 = 100_000_000_000_000_000_000;

/// `e^(x/g) * g^4` as Algebra approximates it (`expXg4`, accurate for `x/g < 6`): the table value
/// of `e^floor(x/g)` (times `e^0.5` when the remainder is at least `g/2`, reducing it by `g/2`),
/// times the 4th-order Taylor polynomial of the remainder `r`:
/// `g^4 + r g^3 + r^2 g^2 / 2 + (4 r^3 g + r^4) / 24`, each division truncating, then
/// `* table / 10^20`.
pub fn exp_x_g4(x: u64, g: u16) -> U256 {
    let g64 = u64::from(g);
    let whole = (x / g64).min(5) as usize;
    let mut table = U256::from(EXP_TABLE[whole]);
    let mut r = x % g64;
    if r >= g64 / 2 {
        r -= g64 / 2;
        table = table * U256::from(EXP_HALF) / U256::from(E20);
    }
    let (g, r) = (U256::from(g64), U256::from(r));
    let g2 = g * g;
    let g3 = g2 * g;
    let g4 = g3 * g;
    let r2 = r * r;
    let r3 = r2 * r;
    let poly = g4
        + r * g3
        + (r2 * g2) / U256::from(2u8)
        + (r3 * g * U256::from(4u8) + r3 * r) / U256::from(24u8);
    poly * table / U256::from(E20)
}

/// `alpha / (1 + e^((beta - x) / gamma))` as Algebra computes it (`sigmoid`): exactly 0 / `alpha`
/// six stretches or more below / above the shift; otherwise
/// `alpha * E / (g^4 + E)` above the shift and `alpha * g^4 / (g^4 + E)` at or below it, with
/// `E = expXg4(|x - beta|, gamma)`, truncating.
pub fn sigmoid(x: u128, gamma: u16, alpha: u16, beta: u32) -> u64 {
    let six_g = 6 * u128::from(gamma);
    let beta = u128::from(beta);
    let g4 = U256::from(u64::from(gamma).pow(4));
    let alpha_u = U256::from(alpha);
    if x > beta {
        let d = x - beta;
        if d >= six_g {
            return u64::from(alpha);
        }
        let e = exp_x_g4(d as u64, gamma);
        (alpha_u * e / (g4 + e)).to::<u64>()
    } else {
        let d = beta - x;
        if d >= six_g {
            return 0;
        }
        let e = g4 + exp_x_g4(d as u64, gamma);
        (alpha_u * g4 / e).to::<u64>()
    }
}

/// `AdaptiveFee.getFee`: `baseFee + sigmoid1 + sigmoid2` of `volatility / 15` (the average
/// volatility normalised to 15-second intervals), in hundredths of a bip.
pub fn adaptive_fee(volatility: u128, cfg: &AdaptiveFeeConfig) -> u16 {
    let x = volatility / 15;
    let sum = sigmoid(x, cfg.gamma1, cfg.alpha1, cfg.beta1)
        + sigmoid(x, cfg.gamma2, cfg.alpha2, cfg.beta2);
    let fee = u64::from(cfg.base_fee) + sum;
    // `validateFeeConfiguration` guarantees base + alpha1 + alpha2 <= u16::MAX and each sigmoid
    // is at most its alpha.
    u16::try_from(fee).unwrap_or(u16::MAX)
}
