//! Integration tests of `hoard-chain` against local HTTP servers (127.0.0.1 only) that answer in
//! the formats of the Esplora API and of Bitcoin Core's JSON-RPC.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod core_rpc;
mod esplora;
mod failover;
mod fixtures;
mod server;
