//! A pool's state on the engine's tables: [`EngineStorage`] implements `hoard_clmm`'s storage
//! traits over the journaled [`State`], one entry per record, tick, bitmap word, position,
//! observation and timepoint, so every write of a pool operation is journaled (a rejected
//! command's pool writes revert with the rest) and only what changed reaches the block's change
//! set.

use alloy_primitives::U256;
use hoard_clmm::{
    PoolState, PoolStorage, PoolStorageMut, PositionInfo, PositionKey, algebra::Timepoint,
    algebra::VolatilityState, oracle::Observation, tick::TickInfo,
};

use super::state::{OBSERVATIONS, POSITIONS, STATE, TICKS, TIMEPOINTS, VOLATILITY, WORDS};
use crate::state::State;

/// Pool `pool`'s state in `state`.
pub struct EngineStorage<'a> {
    /// The engine's state.
    pub state: &'a mut State,
    /// Which pool.
    pub pool: u32,
}

/// Pool `pool`'s state in `state`, read only.
pub struct EngineView<'a> {
    /// The engine's state.
    pub state: &'a State,
    /// Which pool.
    pub pool: u32,
}

macro_rules! reads {
    ($t:ty) => {
        impl PoolStorage for $t {
            fn state(&self) -> &PoolState {
                self.state.get(&STATE, &self.pool).unwrap_or(&PoolState::EMPTY)
            }
            fn tick(&self, tick: i32) -> Option<&TickInfo> {
                self.state.get(&TICKS, &(self.pool, tick))
            }
            fn bitmap_word(&self, word_pos: i16) -> U256 {
                self.state.value(&WORDS, &(self.pool, word_pos))
            }
            fn position(&self, key: &PositionKey) -> Option<&PositionInfo> {
                self.state.get(&POSITIONS, &(self.pool, *key))
            }
            fn observation(&self, index: u16) -> Observation {
                self.state.value(&OBSERVATIONS, &(self.pool, index))
            }
            fn volatility_state(&self) -> VolatilityState {
                self.state.value(&VOLATILITY, &self.pool)
            }
            fn timepoint(&self, index: u16) -> Timepoint {
                self.state.value(&TIMEPOINTS, &(self.pool, index))
            }
        }
    };
}

reads!(EngineStorage<'_>);
reads!(EngineView<'_>);

impl PoolStorageMut for EngineStorage<'_> {
    fn set_state(&mut self, s: PoolState) {
        self.state.put(&STATE, self.pool, s);
    }
    fn set_tick(&mut self, tick: i32, info: TickInfo) {
        self.state.put(&TICKS, (self.pool, tick), info);
    }
    fn set_bitmap_word(&mut self, word_pos: i16, word: U256) {
        self.state.put(&WORDS, (self.pool, word_pos), word);
    }
    fn set_position(&mut self, key: PositionKey, info: PositionInfo) {
        self.state.put(&POSITIONS, (self.pool, key), info);
    }
    fn set_observation(&mut self, index: u16, observation: Observation) {
        self.state.put(&OBSERVATIONS, (self.pool, index), observation);
    }
    fn set_volatility_state(&mut self, s: VolatilityState) {
        self.state.put(&VOLATILITY, self.pool, s);
    }
    fn set_timepoint(&mut self, index: u16, timepoint: Timepoint) {
        self.state.put(&TIMEPOINTS, (self.pool, index), timepoint);
    }
}
