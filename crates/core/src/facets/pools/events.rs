//! The events of the pools facet: EVM-style logs (topic0 = keccak of the signature), so existing
//! tooling decodes them.

use alloy_sol_types::sol;

sol! {
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
}

/// This facet's events, for naming logs.
pub(super) const EVENTS: &[crate::event::EventInfo] =
    crate::event::event_infos![PoolCreated, Initialize, Mint, Burn, Collect, Swap];
