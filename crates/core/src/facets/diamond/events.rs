//! The events of the diamond facet: EVM-style logs (topic0 = keccak of the signature), so existing
//! tooling decodes them.

use alloy_sol_types::sol;

sol! {
    /// A diamond cut was proposed (EIP-2535 cut data is in the command).
    event CutProposed(uint64 indexed cutId, address indexed sender, uint64 eta);
    /// A diamond cut was executed.
    event DiamondCut(uint64 indexed cutId, uint32 selectorsChanged);
    /// A diamond cut was cancelled.
    event CutCancelled(uint64 indexed cutId, address indexed sender);
}

/// This facet's events, for naming logs.
pub(super) const EVENTS: &[crate::event::EventInfo] =
    crate::event::event_infos![CutProposed, DiamondCut, CutCancelled];
