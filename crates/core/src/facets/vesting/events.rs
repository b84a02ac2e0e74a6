//! The events of the vesting facet: EVM-style logs (topic0 = keccak of the signature), so existing
//! tooling decodes them.

use alloy_sol_types::sol;

sol! {
    /// A vesting schedule was created.
    event VestingCreated(uint64 indexed scheduleId, address indexed beneficiary, uint256 amount, uint64 start, uint64 cliffS, uint64 durationS);
    /// Vested tokens were released.
    event VestingReleased(uint64 indexed scheduleId, address indexed beneficiary, uint256 amount);
}

/// This facet's events, for naming logs.
pub(super) const EVENTS: &[crate::event::EventInfo] =
    crate::event::event_infos![VestingCreated, VestingReleased];
