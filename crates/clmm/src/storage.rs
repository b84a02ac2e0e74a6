//! Where a pool keeps its state: [`PoolStorage`] reads it, [`PoolStorageMut`] writes it, one
//! entry at a time, so that an engine can hold every piece of a pool as its own journaled
//! key/value entry (the split follows revm's read trait / commit trait).
//!
//! # Entries
//! | entry | key | value | absent reads as |
//! |---|---|---|---|
//! | scalar record | — | [`PoolState`]: slot0, fee, fee growth globals, protocol fees, in-range liquidity, balances | [`PoolState::EMPTY`] |
//! | tick | `i32` tick | [`TickInfo`] | `None` (= [`TickInfo::default`]) |
//! | bitmap word | `i16` word position | `U256` | zero |
//! | position | [`PositionKey`] | [`PositionInfo`] | `None` (= [`PositionInfo::default`]) |
//! | observation | `u16` slot | [`Observation`] | [`Observation::default`] |
//! | volatility oracle (Algebra) | — | [`VolatilityState`] | [`VolatilityState::default`] |
//! | timepoint (Algebra) | `u16` slot | [`Timepoint`] | [`Timepoint::default`] |
//!
//! The pool's parameters ([`crate::PoolConfig`]) are not state: they are given to
//! [`crate::Pool::with_storage`]. The observation ring's index and cardinalities are in slot0, as
//! in the contracts.
//!
//! # Rules
//! - Writing an entry's default value deletes it: an implementation may drop the entry or keep
//!   it, and the pool behaves the same either way (reads of an absent entry and of a stored
//!   default are interchangeable; [`MemoryStorage`] keeps default positions, as listings of a
//!   pool always did, and drops default ticks). The pool never writes a tick that is not
//!   initialized other than the default.
//! - Atomicity: every state-changing method of the pool checks everything before its first
//!   write; once it writes, it cannot fail. A refused operation therefore performs no write at
//!   all, on any storage, and the storage needs no transactions of its own. (An engine still
//!   reverts its journal when a command fails for reasons of its own.)
//! - Reads never fail and take `&self`: an implementation holds the pool's entries it serves
//!   (an engine's journaled tables do), or loads them before handing itself to the pool.
//!
//! # Implementing
//! An engine maps each method to one table entry: `state` / `volatility_state` to one entry per
//! pool, `tick`, `bitmap_word`, `position`, `observation` and `timepoint` to `(pool id, key)`
//! entries; writes journal the old value. Implementations for `&S` (reads) and `&mut S`
//! (reads and writes) let a pool borrow a storage: `Pool::with_storage(config, &mut tables)`.

use alloy_primitives::U256;
use alloy_primitives::map::HashMap;

use crate::algebra::{Timepoint, VolatilityOracle, VolatilityState};
use crate::flavour::{PoolConfig, ProtocolFee};
use crate::oracle::{Observation, Observations};
use crate::pool::Slot0;
use crate::position::{PositionInfo, PositionKey};
use crate::tick::TickInfo;
use crate::tick_bitmap::TickBitmap;

/// A pool's scalar state: one entry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct PoolState {
    /// Price, tick, observation ring bookkeeping, protocol fee setting, initialized flag.
    pub slot0: Slot0,
    /// The current swap fee in pips (static, owner-set or the last adaptive value).
    pub fee: u32,
    /// Global fee growth of token0 (Q128.128, wrapping).
    pub fee_growth_global0_x128: U256,
    /// Global fee growth of token1 (Q128.128, wrapping).
    pub fee_growth_global1_x128: U256,
    /// Accrued protocol fees of token0.
    pub protocol_fees0: u128,
    /// Accrued protocol fees of token1.
    pub protocol_fees1: u128,
    /// In-range liquidity.
    pub liquidity: u128,
    /// Token0 held by the pool.
    pub balance0: U256,
    /// Token1 held by the pool.
    pub balance1: U256,
}

impl PoolState {
    /// The all-zero record (what an empty storage reads).
    pub const EMPTY: PoolState = PoolState {
        slot0: Slot0 {
            sqrt_price_x96: U256::ZERO,
            tick: 0,
            observation_index: 0,
            observation_cardinality: 0,
            observation_cardinality_next: 0,
            fee_protocol: ProtocolFee { token0: 0, token1: 0 },
            initialized: false,
        },
        fee: 0,
        fee_growth_global0_x128: U256::ZERO,
        fee_growth_global1_x128: U256::ZERO,
        protocol_fees0: 0,
        protocol_fees1: 0,
        liquidity: 0,
        balance0: U256::ZERO,
        balance1: U256::ZERO,
    };

    /// The record of a new, uninitialized pool of `config`: everything zero but the fee.
    pub fn new(config: &PoolConfig) -> Self {
        Self { fee: config.fee, ..Self::EMPTY }
    }
}

/// Reads of a pool's state, one entry per call (see the module docs for the entries).
pub trait PoolStorage {
    /// The scalar record ([`PoolState::EMPTY`] if never written).
    fn state(&self) -> &PoolState;
    /// A tick's state; `None` if absent (reads as [`TickInfo::default`]).
    fn tick(&self, tick: i32) -> Option<&TickInfo>;
    /// The bitmap word at `word_pos` (`compressed tick >> 8`); zero if absent.
    fn bitmap_word(&self, word_pos: i16) -> U256;
    /// A position's state; `None` if absent (reads as [`PositionInfo::default`]).
    fn position(&self, key: &PositionKey) -> Option<&PositionInfo>;
    /// Slot `index` of the observations ring; the default if absent.
    fn observation(&self, index: u16) -> Observation;
    /// Algebra: the volatility oracle's scalar fields; the default if absent.
    fn volatility_state(&self) -> VolatilityState;
    /// Algebra: slot `index` of the timepoints ring; the default if absent.
    fn timepoint(&self, index: u16) -> Timepoint;
}

/// Writes of a pool's state, one entry per call; writing the default deletes the entry. The pool
/// calls them only once every check of an operation has passed (module docs, "Atomicity").
pub trait PoolStorageMut: PoolStorage {
    /// Overwrites the scalar record.
    fn set_state(&mut self, state: PoolState);
    /// Overwrites a tick (the default: clears it).
    fn set_tick(&mut self, tick: i32, info: TickInfo);
    /// Updates a stored tick in place with `f` (a read-modify-write of that one entry); an
    /// absent tick stays absent and `f` is not called. The provided version reads, applies and
    /// writes back with [`PoolStorageMut::set_tick`]; an implementation may do it in one lookup.
    #[inline]
    fn update_tick(&mut self, tick: i32, f: impl FnOnce(&mut TickInfo)) {
        if let Some(info) = self.tick(tick) {
            let mut info = info.clone();
            f(&mut info);
            self.set_tick(tick, info);
        }
    }
    /// Overwrites the bitmap word at `word_pos`.
    fn set_bitmap_word(&mut self, word_pos: i16, word: U256);
    /// Overwrites a position.
    fn set_position(&mut self, key: PositionKey, info: PositionInfo);
    /// Overwrites slot `index` of the observations ring.
    fn set_observation(&mut self, index: u16, observation: Observation);
    /// Algebra: overwrites the volatility oracle's scalar fields.
    fn set_volatility_state(&mut self, state: VolatilityState);
    /// Algebra: overwrites slot `index` of the timepoints ring.
    fn set_timepoint(&mut self, index: u16, timepoint: Timepoint);
}

/// Reads through a reference: `&S` and `&mut S` read what `S` holds.
macro_rules! reads_through {
    ($($r:ty),*) => {$(
        impl<S: PoolStorage + ?Sized> PoolStorage for $r {
            #[inline]
            fn state(&self) -> &PoolState {
                (**self).state()
            }
            #[inline]
            fn tick(&self, tick: i32) -> Option<&TickInfo> {
                (**self).tick(tick)
            }
            #[inline]
            fn bitmap_word(&self, word_pos: i16) -> U256 {
                (**self).bitmap_word(word_pos)
            }
            #[inline]
            fn position(&self, key: &PositionKey) -> Option<&PositionInfo> {
                (**self).position(key)
            }
            #[inline]
            fn observation(&self, index: u16) -> Observation {
                (**self).observation(index)
            }
            #[inline]
            fn volatility_state(&self) -> VolatilityState {
                (**self).volatility_state()
            }
            #[inline]
            fn timepoint(&self, index: u16) -> Timepoint {
                (**self).timepoint(index)
            }
        }
    )*};
}

reads_through!(&S, &mut S);

impl<S: PoolStorageMut + ?Sized> PoolStorageMut for &mut S {
    #[inline]
    fn set_state(&mut self, state: PoolState) {
        (**self).set_state(state)
    }
    #[inline]
    fn set_tick(&mut self, tick: i32, info: TickInfo) {
        (**self).set_tick(tick, info)
    }
    #[inline]
    fn update_tick(&mut self, tick: i32, f: impl FnOnce(&mut TickInfo)) {
        (**self).update_tick(tick, f)
    }
    #[inline]
    fn set_bitmap_word(&mut self, word_pos: i16, word: U256) {
        (**self).set_bitmap_word(word_pos, word)
    }
    #[inline]
    fn set_position(&mut self, key: PositionKey, info: PositionInfo) {
        (**self).set_position(key, info)
    }
    #[inline]
    fn set_observation(&mut self, index: u16, observation: Observation) {
        (**self).set_observation(index, observation)
    }
    #[inline]
    fn set_volatility_state(&mut self, state: VolatilityState) {
        (**self).set_volatility_state(state)
    }
    #[inline]
    fn set_timepoint(&mut self, index: u16, timepoint: Timepoint) {
        (**self).set_timepoint(index, timepoint)
    }
}

/// The in-memory storage, [`crate::Pool`]'s default: hash maps of ticks and positions
/// (foldhash), a dense tick bitmap ([`TickBitmap`], one word per 256 compressed ticks over the
/// spacing's range, so a next-tick lookup is an index), and the two rings as vectors allocated
/// up to the highest slot written.
#[derive(Debug, Clone, Default)]
pub struct MemoryStorage {
    state: PoolState,
    ticks: HashMap<i32, TickInfo>,
    bitmap: TickBitmap,
    positions: HashMap<PositionKey, PositionInfo>,
    observations: Observations,
    volatility: VolatilityOracle,
}

impl MemoryStorage {
    /// An empty storage whose bitmap is allocated for `tick_spacing` (at least 1). Any
    /// storage serves any spacing; this one just never reallocates its bitmap.
    pub fn new(tick_spacing: i32) -> Self {
        Self { bitmap: TickBitmap::new(tick_spacing), ..Self::default() }
    }

    /// All stored ticks, sorted (only initialized ticks are ever stored).
    pub fn ticks_sorted(&self) -> Vec<(i32, TickInfo)> {
        let mut v: Vec<_> = self.ticks.iter().map(|(k, t)| (*k, t.clone())).collect();
        v.sort_by_key(|(k, _)| *k);
        v
    }

    /// All stored positions, sorted by key (positions stay listed once written, even emptied).
    pub fn positions_sorted(&self) -> Vec<(PositionKey, PositionInfo)> {
        let mut v: Vec<_> = self.positions.iter().map(|(k, p)| (*k, p.clone())).collect();
        v.sort_by_key(|(k, _)| *k);
        v
    }

    /// The tick bitmap.
    pub fn bitmap(&self) -> &TickBitmap {
        &self.bitmap
    }

    /// The observations ring.
    pub fn observations(&self) -> &Observations {
        &self.observations
    }

    /// Algebra: the volatility oracle (timepoints and scalar fields).
    pub fn volatility_oracle(&self) -> &VolatilityOracle {
        &self.volatility
    }
}

impl PoolStorage for MemoryStorage {
    #[inline]
    fn state(&self) -> &PoolState {
        &self.state
    }
    #[inline]
    fn tick(&self, tick: i32) -> Option<&TickInfo> {
        self.ticks.get(&tick)
    }
    #[inline]
    fn bitmap_word(&self, word_pos: i16) -> U256 {
        self.bitmap.word(i32::from(word_pos))
    }
    #[inline]
    fn position(&self, key: &PositionKey) -> Option<&PositionInfo> {
        self.positions.get(key)
    }
    #[inline]
    fn observation(&self, index: u16) -> Observation {
        self.observations.slot(index)
    }
    #[inline]
    fn volatility_state(&self) -> VolatilityState {
        self.volatility.state()
    }
    #[inline]
    fn timepoint(&self, index: u16) -> Timepoint {
        self.volatility.timepoint(index)
    }
}

impl PoolStorageMut for MemoryStorage {
    #[inline]
    fn set_state(&mut self, state: PoolState) {
        self.state = state;
    }
    #[inline]
    fn set_tick(&mut self, tick: i32, info: TickInfo) {
        if !info.initialized && info == TickInfo::default() {
            self.ticks.remove(&tick);
        } else {
            self.ticks.insert(tick, info);
        }
    }
    #[inline]
    fn update_tick(&mut self, tick: i32, f: impl FnOnce(&mut TickInfo)) {
        if let Some(info) = self.ticks.get_mut(&tick) {
            f(info);
            if !info.initialized && *info == TickInfo::default() {
                self.ticks.remove(&tick);
            }
        }
    }
    #[inline]
    fn set_bitmap_word(&mut self, word_pos: i16, word: U256) {
        self.bitmap.set_word(word_pos, word);
    }
    #[inline]
    fn set_position(&mut self, key: PositionKey, info: PositionInfo) {
        self.positions.insert(key, info);
    }
    #[inline]
    fn set_observation(&mut self, index: u16, observation: Observation) {
        self.observations.set_slot(index, observation);
    }
    #[inline]
    fn set_volatility_state(&mut self, state: VolatilityState) {
        self.volatility.set_volatility_state(state);
    }
    #[inline]
    fn set_timepoint(&mut self, index: u16, timepoint: Timepoint) {
        self.volatility.set_timepoint(index, timepoint);
    }
}
