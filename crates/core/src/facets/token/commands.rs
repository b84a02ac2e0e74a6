//! The commands of the token facet (ICY, DFG and every registered asset): EIP-712 structs, each with its stable type id in the log and
//! the Solidity-style signature whose keccak gives its diamond selector.

use alloy_sol_types::sol;

sol! {
    /// Move `amount` of `token` (ICY or DFG) to `to`.
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct Transfer { address token; address to; uint256 amount; uint64 nonce; uint64 deadline; }
    /// Set the allowance of `spender` over the sender's `token`.
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct Approve { address token; address spender; uint256 amount; uint64 nonce; uint64 deadline; }
    /// Move `amount` of `token` from `from` to `to` within the sender's allowance.
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct TransferFrom { address token; address from; address to; uint256 amount; uint64 nonce; uint64 deadline; }
    /// Burn the sender's ICY, with a reason kept in the event.
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct Burn { uint256 amount; string reason; uint64 nonce; uint64 deadline; }
    /// Mint ICY (MINTER role holders only, within allowance, inflation limit and cap).
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct Mint { address to; uint256 amount; uint64 nonce; uint64 deadline; }
    /// Register a minter with an allowance, or remove it with allowance 0 (ADMIN or governance).
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct SetMinter { address minter; uint256 allowance; uint64 nonce; uint64 deadline; }
    /// Set ICY's yearly inflation limit and transfer burn (governance).
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct SetIcyParams { uint16 inflationBps; uint16 transferBurnBps; uint64 nonce; uint64 deadline; }
    /// Replace the set of protocol-owned accounts excluded from circulating supply (governance);
    /// creates a new version of the set.
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct SetExcludedAccounts { address[] accounts; uint64 nonce; uint64 deadline; }
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct RegisterAsset { string symbol; uint8 decimals; uint64 nonce; uint64 deadline; }
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct Drip { address asset; uint64 nonce; uint64 deadline; }
}

crate::command::command_specs! {
    1 => Transfer, "transfer(address,address,uint256)", pausable;
    2 => Approve, "approve(address,address,uint256)";
    3 => TransferFrom, "transferFrom(address,address,address,uint256)", pausable;
    4 => Burn, "burn(uint256,string)", pausable;
    5 => Mint, "mint(address,uint256)", pausable;
    6 => SetMinter, "setMinter(address,uint256)";
    7 => SetIcyParams, "setIcyParams(uint16,uint16)";
    8 => SetExcludedAccounts, "setExcludedAccounts(address[])";
    9 => RegisterAsset, "registerAsset(string,uint8)";
    11 => Drip, "drip(address)";
}
