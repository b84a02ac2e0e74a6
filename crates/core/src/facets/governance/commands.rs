//! The commands of the governance facet: EIP-712 structs, each with its stable type id in the log and
//! the Solidity-style signature whose keccak gives its diamond selector.

use alloy_sol_types::sol;

sol! {
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct ActAsGovernance { uint16 commandType; bytes command; uint64 nonce; uint64 deadline; }
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct EndStewardship { uint64 nonce; uint64 deadline; }
}

crate::command::command_specs! {
    60 => ActAsGovernance, "actAsGovernance(uint16,bytes)";
    61 => EndStewardship, "endStewardship()";
}
