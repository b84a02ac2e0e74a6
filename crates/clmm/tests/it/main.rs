//! Integration tests of `hoard-clmm`, one binary with modules.
#![allow(clippy::unwrap_used)]

mod algebra;
mod common;
mod differential;
mod flavours;
mod pancake;
mod pool_vectors;
mod props;
mod replay_data;
mod reverts;
mod storage;
mod v4_fees;
mod vectors;
