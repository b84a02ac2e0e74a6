//! Uniswap V3's integer math, rewritten for `U256`: every function states its rounding.
//!
//! The semantics (results, roundings, reverts) are those of Uniswap V3's libraries `FullMath`,
//! `TickMath`, `SqrtPriceMath`, `SwapMath`, `LiquidityMath` and v3-periphery's
//! `LiquidityAmounts`; the code is this repository's own.

pub mod full_math;
pub mod liquidity_amounts;
pub mod liquidity_math;
pub mod sqrt_price_math;
pub mod swap_math;
pub mod tick_math;

use alloy_primitives::U256;

/// 2^96, the scale of Q64.96 sqrt prices.
pub const Q96: U256 = U256::from_limbs([0, 1 << 32, 0, 0]);
/// 2^128, the scale of Q128.128 fee growth.
pub const Q128: U256 = U256::from_limbs([0, 0, 1, 0]);
/// 2^160 - 1, the largest `uint160`.
pub const MAX_U160: U256 = U256::from_limbs([u64::MAX, u64::MAX, u32::MAX as u64, 0]);

/// Truncates to 160 bits (Solidity `uint160` arithmetic wraps modulo 2^160).
#[inline]
pub fn wrap_u160(x: U256) -> U256 {
    x & MAX_U160
}
