//! `hoard-clmm`: concentrated-liquidity pools exact to the wei, the DEX engine under Hoard's ALM
//! vaults (SPEC 3.11, 3.12).
//!
//! # Purpose
//! Pools with Uniswap V3's integer semantics: tick <-> sqrt price (Q64.96), full-precision
//! mul-div with explicit rounding, liquidity <-> amounts, swap steps, the tick bitmap, fee growth
//! global/outside/inside, positions with tokens owed, the protocol fee, the observations ring
//! with `observe` and TWAP, and `snapshotCumulativesInside`. Flavours by parameters: Uniswap V3,
//! PancakeSwap V3, Thena / Algebra Integral (adaptive fee), and Uniswap V4 style pools in a
//! singleton manager with flash accounting. [`replay`] applies a recorded event history
//! (CSV or JSON Lines) and reports every divergence from the chain; a history that starts
//! mid-life is bootstrapped from its first recorded state, learning tick liquidity from the
//! recorded liquidity changes (docs/CLMM.md). [`mod@bench`] holds pure benchmark workloads.
//!
//! # Design
//! - Pure: no IO, no clock, no threads, no floats. Time (`u32` block timestamp) is an argument.
//! - [`math`] reimplements the Solidity libraries function by function with `U256`; each
//!   function documents its rounding, and results match the contracts to the wei (pinned by
//!   Uniswap's published vectors and a differential test against an independent implementation).
//! - [`pool::Pool`] keeps its state behind a storage trait, [`storage::PoolStorage`] (reads) and
//!   [`storage::PoolStorageMut`] (writes), one entry per call (the scalar record, a tick, a
//!   bitmap word, a position, an observation slot, Algebra's timepoints), so that an engine can
//!   journal each entry; [`storage::MemoryStorage`] is the default. Generic, not `dyn`: the hot
//!   paths are monomorphized per storage.
//! - [`pool::Pool`] computes a swap read-only (a quote) and commits it only on success, so an
//!   error leaves no trace; position changes are planned, then applied. Every operation checks
//!   everything before its first write, so a refused one writes nothing, on any storage.
//! - Errors are one enum, [`ClmmError`], whose variants name the contracts' revert strings.
//! - Pools are `Send + Sync`: the only interior mutability is a lock-free memo of tick prices
//!   that holds no state.
//!
//! # Invariants (tested)
//! - `get_tick_at_sqrt_ratio(get_sqrt_ratio_at_tick(t)) == t` for every valid tick.
//! - No swap creates tokens: the pool's balances always cover the protocol fees, every position's
//!   tokens owed and what burning all its liquidity would pay.
//! - Fee growth inside a range never decreases (modulo 2^256, as in the contracts).
//! - Exact-output swaps never take less than the exact-input swap of the same result: the input
//!   an exact-output swap takes, swapped as exact input, delivers at least the same output.
//! - `observe` returns the exact tick cumulative across ring growth and wrap-around.
#![deny(clippy::float_arithmetic)]
#![warn(missing_docs)]

/// Re-export of the integer types used in this crate's API.
pub use alloy_primitives;

pub mod algebra;
pub mod bench;
pub mod error;
pub mod flavour;
pub mod math;
pub mod oracle;
pub mod pool;
pub mod position;
pub mod replay;
pub mod storage;
pub mod tick;
pub mod tick_bitmap;
pub mod v4;

pub use error::{ClmmError, Result};
pub use flavour::{AdaptiveFeeConfig, FeeMode, Flavour, PoolConfig, ProtocolFee};
pub use pool::{Pool, Slot0, SwapResult};
pub use position::{PositionInfo, PositionKey};
pub use storage::{MemoryStorage, PoolState, PoolStorage, PoolStorageMut};
