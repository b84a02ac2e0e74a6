//! Concentrated-liquidity pools inside the engine (SPEC 3.11). The pool logic is
//! `hoard_clmm`'s, exact to the wei against the contracts; its state lives in this facet's
//! tables ([`state`]), one journaled entry per piece, through [`storage::EngineStorage`].
//!
//! This step puts the pools' state on the engine; the commands that create pools and trade in
//! them with ledger assets (create, mint, burn, collect, swap with bounds), their views and events
//! come next.

pub mod state;
pub mod storage;

#[cfg(test)]
mod tests;
