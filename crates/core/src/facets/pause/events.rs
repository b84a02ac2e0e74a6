//! The events of the pause facet: EVM-style logs (topic0 = keccak of the signature), so existing
//! tooling decodes them.

use alloy_sol_types::sol;

sol! {
    /// The protocol was paused.
    event Paused(address indexed account, uint64 until);
    /// The pause ended early.
    event Unpaused(address indexed account);
    /// A pause ended at its time (not lifted early).
    event PauseEnded(uint64 until);
}

/// This facet's events, for naming logs.
pub(super) const EVENTS: &[crate::event::EventInfo] =
    crate::event::event_infos![Paused, Unpaused, PauseEnded];
