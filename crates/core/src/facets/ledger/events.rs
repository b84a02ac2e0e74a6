//! The events of the ledger (the node's own system commands): EVM-style logs (topic0 = keccak of the signature), so existing
//! tooling decodes them.

use alloy_sol_types::sol;

sol! {
    /// A scheduled task failed; it was dropped and its writes undone.
    event TaskFailed(uint8 indexed facet, uint16 kind, string code);
}

/// This facet's events, for naming logs.
pub(super) const EVENTS: &[crate::event::EventInfo] = crate::event::event_infos![TaskFailed];
