//! The events of the token facet (ICY, DFG and every registered asset): EVM-style logs (topic0 = keccak of the signature), so existing
//! tooling decodes them.

use alloy_sol_types::sol;

sol! {
    /// ERC-20 transfer (mint: from = 0, burn: to = 0).
    event Transfer(address indexed from, address indexed to, uint256 value);
    /// ERC-20 approval.
    event Approval(address indexed owner, address indexed spender, uint256 value);
    /// ICY burned by a holder, with a reason.
    event Burned(address indexed from, uint256 amount, string reason);
    /// A minter's allowance set (0 removes it).
    event MinterSet(address indexed minter, uint256 allowance);
    /// ICY parameters changed.
    event IcyParamsSet(uint16 inflationBps, uint16 transferBurnBps);
    /// A new version of the excluded-accounts set.
    event ExcludedAccountsSet(uint32 indexed version, address[] accounts);
    /// An asset was registered in the ledger.
    event AssetRegistered(address indexed asset, string symbol, uint8 decimals);
}

/// This facet's events, for naming logs.
pub(super) const EVENTS: &[crate::event::EventInfo] = crate::event::event_infos![
    Transfer,
    Approval,
    Burned,
    MinterSet,
    IcyParamsSet,
    ExcludedAccountsSet,
    AssetRegistered
];
