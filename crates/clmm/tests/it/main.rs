//! Integration tests of `hoard-clmm`, one binary with modules.
#![allow(clippy::unwrap_used)]

mod common;
mod pool_vectors;
mod replay_data;
mod vectors;
