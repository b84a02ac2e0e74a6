//! The commands of the pause facet: EIP-712 structs, each with its stable type id in the log and
//! the Solidity-style signature whose keccak gives its diamond selector.

use alloy_sol_types::sol;

sol! {
    /// Pause the protocol (GUARDIAN up to 72 hours, governance up to 30 days).
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct Pause { uint64 durationS; uint64 nonce; uint64 deadline; }
    /// End a pause (GUARDIAN or governance).
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct Unpause { uint64 nonce; uint64 deadline; }
}

crate::command::command_specs! {
    40 => Pause, "pause(uint64)";
    41 => Unpause, "unpause()";
}
