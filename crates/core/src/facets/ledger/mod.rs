//! The ledger: what the engine itself keeps for every chain, beside the facets. Each account's
//! next nonce (an account with nonce 0 has no entry) and the chain's clock: the genesis time,
//! from which protocol years count, and the height and time of the last block begun, so the
//! engine itself refuses a block that does not follow it or whose time goes backwards.

pub mod state;

use alloy_primitives::Address;

use crate::state::State;

/// An account's next nonce.
pub fn nonce(state: &State, a: &Address) -> u64 {
    state.value(&state::NONCES, a)
}

/// Uses the account's nonce: the next command must carry the following one.
pub fn bump_nonce(state: &mut State, a: Address) {
    state.update(&state::NONCES, a, |n| *n += 1);
}

/// Block time of genesis.
pub fn genesis_time(state: &State) -> u64 {
    state.cell(&state::CHAIN).genesis_time
}

/// The chain's clock.
pub fn chain(state: &State) -> state::Chain {
    state.cell(&state::CHAIN)
}
