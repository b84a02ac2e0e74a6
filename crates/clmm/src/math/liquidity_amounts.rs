//! Liquidity <-> token amounts at a price (v3-periphery `LiquidityAmounts`): what a position of
//! given amounts is worth in liquidity (rounded down) and back (rounded down).

use alloy_primitives::U256;

use super::Q96;
use super::full_math::mul_div;
use crate::error::{ClmmError, Result};

fn sorted(a: U256, b: U256) -> (U256, U256) {
    if a > b { (b, a) } else { (a, b) }
}

fn to_u128(x: U256) -> Result<u128> {
    u128::try_from(x).map_err(|_| ClmmError::Overflow("uint128 liquidity"))
}

/// Liquidity bought by `amount0` of token0 over `[a, b]`: `amount0 * a * b / 2^96 / (b - a)`.
pub fn get_liquidity_for_amount0(a: U256, b: U256, amount0: U256) -> Result<u128> {
    let (a, b) = sorted(a, b);
    let intermediate = mul_div(a, b, Q96)?;
    to_u128(mul_div(amount0, intermediate, b - a)?)
}

/// Liquidity bought by `amount1` of token1 over `[a, b]`: `amount1 * 2^96 / (b - a)`.
pub fn get_liquidity_for_amount1(a: U256, b: U256, amount1: U256) -> Result<u128> {
    let (a, b) = sorted(a, b);
    to_u128(mul_div(amount1, Q96, b - a)?)
}

/// The most liquidity that `amount0` and `amount1` buy over `[a, b]` at price `sqrt_price_x96`.
pub fn get_liquidity_for_amounts(
    sqrt_price_x96: U256,
    a: U256,
    b: U256,
    amount0: U256,
    amount1: U256,
) -> Result<u128> {
    let (a, b) = sorted(a, b);
    if sqrt_price_x96 <= a {
        get_liquidity_for_amount0(a, b, amount0)
    } else if sqrt_price_x96 < b {
        let l0 = get_liquidity_for_amount0(sqrt_price_x96, b, amount0)?;
        let l1 = get_liquidity_for_amount1(a, sqrt_price_x96, amount1)?;
        Ok(l0.min(l1))
    } else {
        get_liquidity_for_amount1(a, b, amount1)
    }
}

/// Token0 worth of `liquidity` over `[a, b]`, rounded down.
pub fn get_amount0_for_liquidity(a: U256, b: U256, liquidity: u128) -> Result<U256> {
    let (a, b) = sorted(a, b);
    if a.is_zero() {
        return Err(ClmmError::ZeroPrice);
    }
    Ok(mul_div(U256::from(liquidity) << 96, b - a, b)? / a)
}

/// Token1 worth of `liquidity` over `[a, b]`, rounded down.
pub fn get_amount1_for_liquidity(a: U256, b: U256, liquidity: u128) -> Result<U256> {
    let (a, b) = sorted(a, b);
    mul_div(U256::from(liquidity), b - a, Q96)
}

/// Token amounts worth `liquidity` over `[a, b]` at `sqrt_price_x96`, rounded down.
pub fn get_amounts_for_liquidity(
    sqrt_price_x96: U256,
    a: U256,
    b: U256,
    liquidity: u128,
) -> Result<(U256, U256)> {
    let (a, b) = sorted(a, b);
    if sqrt_price_x96 <= a {
        Ok((get_amount0_for_liquidity(a, b, liquidity)?, U256::ZERO))
    } else if sqrt_price_x96 < b {
        Ok((
            get_amount0_for_liquidity(sqrt_price_x96, b, liquidity)?,
            get_amount1_for_liquidity(a, sqrt_price_x96, liquidity)?,
        ))
    } else {
        Ok((U256::ZERO, get_amount1_for_liquidity(a, b, liquidity)?))
    }
}
