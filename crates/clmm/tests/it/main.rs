//! Integration tests of `hoard-clmm`, one binary with modules.
#![allow(clippy::unwrap_used)]

mod common;
mod replay_data;
mod vectors;
