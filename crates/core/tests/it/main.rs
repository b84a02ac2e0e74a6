//! Integration tests of the engine: scenario tests with explicit time travel, adversarial cases
//! per facet, and property tests of the invariants.

mod access;
mod admission;
mod assets;
mod commitment;
mod diamond;
mod errors;
mod genesis;
mod harness;
mod pool_props;
mod pools;
mod properties;
mod review;
mod signing;
mod tasks;
mod token;
mod vesting;
mod votes;
