//! EVM-style event logs: topic0 = keccak of the event signature, indexed topics, ABI data, so
//! existing tooling decodes them.

use alloy_primitives::{Address, B256, keccak256};
use alloy_sol_types::{SolEvent, sol};

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
    /// ERC20Votes: delegation changed.
    event DelegateChanged(address indexed delegator, address indexed fromDelegate, address indexed toDelegate);
    /// ERC20Votes: a delegate's voting power changed.
    event DelegateVotesChanged(address indexed delegate, uint256 previousVotes, uint256 newVotes);
    /// A vesting schedule was created.
    event VestingCreated(uint64 indexed scheduleId, address indexed beneficiary, uint256 amount, uint64 start, uint64 cliffS, uint64 durationS);
    /// Vested tokens were released.
    event VestingReleased(uint64 indexed scheduleId, address indexed beneficiary, uint256 amount);
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
    /// The protocol was paused.
    event Paused(address indexed account, uint64 until);
    /// The pause ended early.
    event Unpaused(address indexed account);
    /// A diamond cut was proposed (EIP-2535 cut data is in the command).
    event CutProposed(uint64 indexed cutId, address indexed sender, uint64 eta);
    /// A diamond cut was executed.
    event DiamondCut(uint64 indexed cutId, uint32 selectorsChanged);
    /// A diamond cut was cancelled.
    event CutCancelled(uint64 indexed cutId, address indexed sender);
    /// The governance steward made governance execute a command (the inner command's own
    /// events follow).
    event GovernanceActed(address indexed steward, uint16 commandType);
    /// A scheduled task failed; it was dropped and its writes undone.
    event TaskFailed(uint8 indexed facet, uint16 kind, string code);
    /// A pause ended at its time (not lifted early).
    event PauseEnded(uint64 until);
    /// A pool was created (from the diamond).
    event PoolCreated(uint32 indexed pool, address indexed token0, address indexed token1, uint8 flavour, uint32 fee, int24 tickSpacing, address poolAddress);
    /// Uniswap V3 `Initialize` (from the pool's address).
    event Initialize(uint160 sqrtPriceX96, int24 tick);
    /// Uniswap V3 `Mint` (from the pool's address).
    event Mint(address sender, address indexed owner, int24 indexed tickLower, int24 indexed tickUpper, uint128 amount, uint256 amount0, uint256 amount1);
    /// Uniswap V3 `Burn` (from the pool's address).
    event Burn(address indexed owner, int24 indexed tickLower, int24 indexed tickUpper, uint128 amount, uint256 amount0, uint256 amount1);
    /// Uniswap V3 `Collect` (from the pool's address).
    event Collect(address indexed owner, address recipient, int24 indexed tickLower, int24 indexed tickUpper, uint128 amount0, uint128 amount1);
    /// Uniswap V3 `Swap` (from the pool's address).
    event Swap(address indexed sender, address indexed recipient, int256 amount0, int256 amount1, uint160 sqrtPriceX96, uint128 liquidity, int24 tick);
    /// An asset was registered in the ledger.
    event AssetRegistered(address indexed asset, string symbol, uint8 decimals);
    /// The governance steward's stewardship ended; only the governance facet's proposals can
    /// act for governance from now on.
    event StewardshipEnded(address indexed steward);
}

/// One log entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Log {
    /// Emitting contract address (the token for ERC-20 events, the diamond otherwise).
    pub address: Address,
    /// topic0 and indexed arguments.
    pub topics: Vec<B256>,
    /// ABI-encoded non-indexed arguments.
    pub data: Vec<u8>,
}

impl Log {
    /// Builds a log from a `sol!` event.
    pub fn new<E: SolEvent>(address: Address, event: &E) -> Log {
        let data = event.encode_log_data();
        Log { address, topics: data.topics().to_vec(), data: data.data.to_vec() }
    }

    /// Canonical encoding used for receipt hashes.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.address.as_slice());
        out.push(self.topics.len() as u8);
        for t in &self.topics {
            out.extend_from_slice(t.as_slice());
        }
        out.extend_from_slice(&(self.data.len() as u32).to_be_bytes());
        out.extend_from_slice(&self.data);
    }

    /// The event's name when it is one of the protocol's, for display.
    pub fn name(&self) -> Option<&'static str> {
        let t0 = self.topics.first()?;
        EVENT_NAMES.iter().find(|(sig, _)| keccak256(sig.as_bytes()) == *t0).map(|(_, n)| *n)
    }
}

/// Signatures of the protocol's events, for naming logs.
pub const EVENT_NAMES: &[(&str, &str)] = &[
    (Transfer::SIGNATURE, "Transfer"),
    (Approval::SIGNATURE, "Approval"),
    (Burned::SIGNATURE, "Burned"),
    (MinterSet::SIGNATURE, "MinterSet"),
    (IcyParamsSet::SIGNATURE, "IcyParamsSet"),
    (ExcludedAccountsSet::SIGNATURE, "ExcludedAccountsSet"),
    (DelegateChanged::SIGNATURE, "DelegateChanged"),
    (DelegateVotesChanged::SIGNATURE, "DelegateVotesChanged"),
    (VestingCreated::SIGNATURE, "VestingCreated"),
    (VestingReleased::SIGNATURE, "VestingReleased"),
    (RoleGrantProposed::SIGNATURE, "RoleGrantProposed"),
    (RoleGrantCancelled::SIGNATURE, "RoleGrantCancelled"),
    (RoleGranted::SIGNATURE, "RoleGranted"),
    (RoleRevoked::SIGNATURE, "RoleRevoked"),
    (RoleRevokedAll::SIGNATURE, "RoleRevokedAll"),
    (RoleDelaysSet::SIGNATURE, "RoleDelaysSet"),
    (Paused::SIGNATURE, "Paused"),
    (Unpaused::SIGNATURE, "Unpaused"),
    (CutProposed::SIGNATURE, "CutProposed"),
    (DiamondCut::SIGNATURE, "DiamondCut"),
    (CutCancelled::SIGNATURE, "CutCancelled"),
    (GovernanceActed::SIGNATURE, "GovernanceActed"),
    (AssetRegistered::SIGNATURE, "AssetRegistered"),
    (PoolCreated::SIGNATURE, "PoolCreated"),
    (Initialize::SIGNATURE, "Initialize"),
    (Mint::SIGNATURE, "Mint"),
    (Burn::SIGNATURE, "Burn"),
    (Collect::SIGNATURE, "Collect"),
    (Swap::SIGNATURE, "Swap"),
    (TaskFailed::SIGNATURE, "TaskFailed"),
    (PauseEnded::SIGNATURE, "PauseEnded"),
    (StewardshipEnded::SIGNATURE, "StewardshipEnded"),
];
