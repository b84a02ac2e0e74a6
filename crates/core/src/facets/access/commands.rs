//! The commands of the access facet: EIP-712 structs, each with its stable type id in the log and
//! the Solidity-style signature whose keccak gives its diamond selector.

use alloy_sol_types::sol;

sol! {
    /// Propose a role grant (ADMIN or governance); the account accepts it after the delay.
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct GrantRole { bytes32 role; address account; uint64 nonce; uint64 deadline; }
    /// Accept a pending role grant within its window.
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct AcceptRole { bytes32 role; uint64 nonce; uint64 deadline; }
    /// Withdraw a pending grant (ADMIN or governance).
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct CancelGrant { bytes32 role; address account; uint64 nonce; uint64 deadline; }
    /// Revoke a role from an account (ADMIN or governance).
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct RevokeRole { bytes32 role; address account; uint64 nonce; uint64 deadline; }
    /// Give up one of the sender's roles.
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct RenounceRole { bytes32 role; uint64 nonce; uint64 deadline; }
    /// Emergency: revoke a role from every holder and drop its pending grants (ADMIN or governance).
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct RevokeAll { bytes32 role; uint64 nonce; uint64 deadline; }
    /// Set the grant delay and acceptance window (governance).
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct SetRoleDelays { uint64 grantDelayS; uint64 acceptWindowS; uint64 nonce; uint64 deadline; }
}

crate::command::command_specs! {
    30 => GrantRole, "grantRole(bytes32,address)";
    31 => AcceptRole, "acceptRole(bytes32)";
    32 => CancelGrant, "cancelGrant(bytes32,address)";
    33 => RevokeRole, "revokeRole(bytes32,address)";
    34 => RenounceRole, "renounceRole(bytes32)";
    35 => RevokeAll, "revokeAll(bytes32)";
    36 => SetRoleDelays, "setRoleDelays(uint64,uint64)";
}
