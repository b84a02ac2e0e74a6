//! The commands of the vesting facet: EIP-712 structs, each with its stable type id in the log and
//! the Solidity-style signature whose keccak gives its diamond selector.

use alloy_sol_types::sol;

sol! {
    /// Lock `amount` of the sender's DFG in the vesting escrow for `beneficiary`.
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct CreateVesting { address beneficiary; uint256 amount; uint64 start; uint64 cliffS; uint64 durationS; uint64 nonce; uint64 deadline; }
    /// Release what has vested of a schedule to its beneficiary (the beneficiary signs).
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct ReleaseVested { uint64 scheduleId; uint64 nonce; uint64 deadline; }
}

crate::command::command_specs! {
    20 => CreateVesting, "createVesting(address,uint256,uint64,uint64,uint64)", pausable;
    21 => ReleaseVested, "release(uint64)", pausable;
}
