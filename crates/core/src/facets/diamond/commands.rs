//! The commands of the diamond facet: EIP-712 structs, each with its stable type id in the log and
//! the Solidity-style signature whose keccak gives its diamond selector.

use alloy_sol_types::sol;

sol! {
    /// One EIP-2535 facet cut: action 0 add, 1 replace, 2 remove.
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct FacetCut { address facetAddress; uint8 action; bytes4[] functionSelectors; }
    /// Propose a diamond cut; it waits out the cut timelock (governance).
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct ProposeCut { FacetCut[] cuts; uint64 nonce; uint64 deadline; }
    /// Execute a proposed cut after its timelock (governance).
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct ExecuteCut { uint64 cutId; uint64 nonce; uint64 deadline; }
    /// Cancel a proposed cut (governance or GUARDIAN).
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct CancelCut { uint64 cutId; uint64 nonce; uint64 deadline; }
}

crate::command::command_specs! {
    50 => ProposeCut, "diamondCut((address,uint8,bytes4[])[])";
    51 => ExecuteCut, "executeCut(uint64)";
    52 => CancelCut, "cancelCut(uint64)";
}
