//! Integration tests of `hoard-btc` (one binary, modules per area).
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;
mod descriptors;
mod embit;
mod errors;
mod policy;
mod psbt_flow;
mod psbt_vectors;
mod spv;
mod utxo;
