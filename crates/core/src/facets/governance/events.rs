//! The events of the governance facet: EVM-style logs (topic0 = keccak of the signature), so existing
//! tooling decodes them.

use alloy_sol_types::sol;

sol! {
    /// The governance steward made governance execute a command (the inner command's own
    /// events follow).
    event GovernanceActed(address indexed steward, uint16 commandType);
    /// The governance steward's stewardship ended; only the governance facet's proposals can
    /// act for governance from now on.
    event StewardshipEnded(address indexed steward);
}

/// This facet's events, for naming logs.
pub(super) const EVENTS: &[crate::event::EventInfo] =
    crate::event::event_infos![GovernanceActed, StewardshipEnded];
