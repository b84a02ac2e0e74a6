//! The commands of the pools facet: EIP-712 structs, each with its stable type id in the log and
//! the Solidity-style signature whose keccak gives its diamond selector.

use alloy_sol_types::sol;

sol! {
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct CreatePool { address token0; address token1; uint8 flavour; uint32 fee; int24 tickSpacing; uint160 sqrtPriceX96; uint64 nonce; uint64 deadline; }
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct AddLiquidity { uint32 pool; int24 tickLower; int24 tickUpper; uint256 liquidity; uint256 amount0Max; uint256 amount1Max; uint64 nonce; uint64 deadline; }
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct RemoveLiquidity { uint32 pool; int24 tickLower; int24 tickUpper; uint256 liquidity; uint256 amount0Min; uint256 amount1Min; uint64 nonce; uint64 deadline; }
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct CollectFees { uint32 pool; int24 tickLower; int24 tickUpper; uint256 amount0Requested; uint256 amount1Requested; uint64 nonce; uint64 deadline; }
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct Swap { uint32 pool; bool zeroForOne; int256 amountSpecified; uint160 sqrtPriceLimitX96; uint256 amountLimit; uint64 nonce; uint64 deadline; }
}

crate::command::command_specs! {
    70 => CreatePool, "createPool(address,address,uint8,uint32,int24,uint160)";
    71 => AddLiquidity, "addLiquidity(uint32,int24,int24,uint256,uint256,uint256)", pausable;
    72 => RemoveLiquidity, "removeLiquidity(uint32,int24,int24,uint256,uint256,uint256)", pausable;
    73 => CollectFees, "collectFees(uint32,int24,int24,uint256,uint256)", pausable;
    74 => Swap, "swap(uint32,bool,int256,uint160,uint256)", pausable;
}
