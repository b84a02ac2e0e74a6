//! The commands of the votes facet: EIP-712 structs, each with its stable type id in the log and
//! the Solidity-style signature whose keccak gives its diamond selector.

use alloy_sol_types::sol;

sol! {
    /// Delegate the sender's DFG voting power (to itself to vote directly).
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct Delegate { address delegatee; uint64 nonce; uint64 deadline; }
}

crate::command::command_specs! {
    10 => Delegate, "delegate(address)";
}
