//! The events of the access facet: EVM-style logs (topic0 = keccak of the signature), so existing
//! tooling decodes them.

use alloy_sol_types::sol;

sol! {
    /// A role grant was proposed.
    event RoleGrantProposed(bytes32 indexed role, address indexed account, address indexed sender, uint64 acceptableAt, uint64 expiresAt);
    /// A pending grant was cancelled.
    event RoleGrantCancelled(bytes32 indexed role, address indexed account, address indexed sender);
    /// A role was granted (OpenZeppelin AccessControl's event).
    event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender);
    /// A role was revoked (OpenZeppelin AccessControl's event).
    event RoleRevoked(bytes32 indexed role, address indexed account, address indexed sender);
    /// Every holder of a role was revoked.
    event RoleRevokedAll(bytes32 indexed role, address indexed sender, uint32 count);
    /// Grant delay and window changed.
    event RoleDelaysSet(uint64 grantDelayS, uint64 acceptWindowS);
}

/// This facet's events, for naming logs.
pub(super) const EVENTS: &[crate::event::EventInfo] = crate::event::event_infos![
    RoleGrantProposed,
    RoleGrantCancelled,
    RoleGranted,
    RoleRevoked,
    RoleRevokedAll,
    RoleDelaysSet
];
