//! The events of the votes facet: EVM-style logs (topic0 = keccak of the signature), so existing
//! tooling decodes them.

use alloy_sol_types::sol;

sol! {
    /// ERC20Votes: delegation changed.
    event DelegateChanged(address indexed delegator, address indexed fromDelegate, address indexed toDelegate);
    /// ERC20Votes: a delegate's voting power changed.
    event DelegateVotesChanged(address indexed delegate, uint256 previousVotes, uint256 newVotes);
}

/// This facet's events, for naming logs.
pub(super) const EVENTS: &[crate::event::EventInfo] =
    crate::event::event_infos![DelegateChanged, DelegateVotesChanged];
