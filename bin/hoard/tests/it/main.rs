//! End-to-end tests of the `hoard` binary: the devnet node as a real process, the CLI wallet,
//! and a kill -9 during load.

mod btc_balance;
mod btc_cli;
mod cli;
mod crash;
mod faults;
mod newuser;
mod readme;
mod support;
