//! Hoard's deterministic state machine: the Dwarves+ and BTR protocols as pure Rust.
//!
//! Design (see `docs/ARCHITECTURE.md`): a client signs an EIP-712 command ([`command`]); the node
//! verifies the signature and hands the engine a [`command::Tx`]; the [`engine::Engine`] checks
//! the nonce and deadline against the block's [`env::Env`], executes the command through the
//! diamond's selector registry into one facet ([`facets`]), and returns a [`engine::Receipt`]
//! with EVM-style logs or a typed [`rejection::Rejection`]. Every write goes through a journal
//! ([`state::State`]) so a rejected command leaves no trace (only the sender's nonce moves). At
//! the end of a block the dirty entries form a [`state::ChangeSet`], hashed into the state root
//! ([`commitment`]) that supports balance inclusion proofs; [`block`] seals and replays blocks.
//!
//! Invariants (checked by tests, see `docs/INVARIANTS.md`): same genesis and log give the same
//! roots; ICY supply = sum of balances; DFG supply = sum of balances = 10,000,000; each
//! delegate's votes = sum of its delegators' DFG; past votes never change; vesting never
//! releases more than has vested.
//!
//! No IO, no clock, no threads, no floats.
#![deny(clippy::float_arithmetic)]
#![warn(missing_docs)]

pub mod block;
pub mod codec;
pub mod command;
pub mod commitment;
pub mod engine;
pub mod env;
pub mod event;
pub mod facets;
pub mod genesis;
pub mod rejection;
pub mod roles;
pub mod state;
pub mod views;

pub use alloy_primitives::{Address, B256, U256};
pub use engine::{Engine, Receipt};
pub use env::Env;
