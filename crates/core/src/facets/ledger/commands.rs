//! The commands of the ledger (the node's own system commands): EIP-712 structs, each with its stable type id in the log and
//! the Solidity-style signature whose keccak gives its diamond selector.

use alloy_sol_types::sol;

sol! {
    /// A system transaction: runs the `count` scheduled tasks due at block `height`'s time
    /// (nonce and deadline are 0; only the node makes it).
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct RunTasks { uint64 height; uint32 count; uint64 nonce; uint64 deadline; }
}

crate::command::command_specs! {
    1000 => RunTasks, "runTasks(uint64,uint32)";
}
