//! Next sqrt price from an amount and amount deltas between two sqrt prices (`SqrtPriceMath`).
//!
//! Roundings: the price moves by at most the amount given (rounded against the trader), amounts
//! owed to the pool round up, amounts paid by the pool round down.

use alloy_primitives::{I256, U256};

use super::full_math::{div_rounding_up, mul_div, mul_div_rounding_up};
use super::{MAX_U160, Q96};
use crate::error::{ClmmError, Result};

#[inline]
fn to_u160(x: U256) -> Result<U256> {
    if x > MAX_U160 { Err(ClmmError::Overflow("uint160")) } else { Ok(x) }
}

/// Next sqrt price after adding (`add`) or removing `amount` of token0, rounded up
/// (`getNextSqrtPriceFromAmount0RoundingUp`).
pub fn get_next_sqrt_price_from_amount0_rounding_up(
    sqrt_price_x96: U256,
    liquidity: u128,
    amount: U256,
    add: bool,
) -> Result<U256> {
    if amount.is_zero() {
        return Ok(sqrt_price_x96);
    }
    let numerator1: U256 = U256::from(liquidity) << 96;
    let product = amount.checked_mul(sqrt_price_x96);
    if add {
        if let Some(product) = product
            && let Some(denominator) = numerator1.checked_add(product)
        {
            return mul_div_rounding_up(numerator1, sqrt_price_x96, denominator);
        }
        // L * 2^96 / (L * 2^96 / sqrtP + amount), without the overflowing product.
        let denominator = (numerator1 / sqrt_price_x96)
            .checked_add(amount)
            .ok_or(ClmmError::Overflow("amount0 denominator"))?;
        Ok(div_rounding_up(numerator1, denominator))
    } else {
        let product = product.ok_or(ClmmError::InsufficientReserves)?;
        if numerator1 <= product {
            return Err(ClmmError::InsufficientReserves);
        }
        to_u160(mul_div_rounding_up(numerator1, sqrt_price_x96, numerator1 - product)?)
    }
}

/// Next sqrt price after adding (`add`) or removing `amount` of token1, rounded down
/// (`getNextSqrtPriceFromAmount1RoundingDown`).
pub fn get_next_sqrt_price_from_amount1_rounding_down(
    sqrt_price_x96: U256,
    liquidity: u128,
    amount: U256,
    add: bool,
) -> Result<U256> {
    let liquidity = U256::from(liquidity);
    if add {
        let quotient = if amount <= MAX_U160 {
            (amount << 96) / liquidity
        } else {
            mul_div(amount, Q96, liquidity)?
        };
        to_u160(sqrt_price_x96.checked_add(quotient).ok_or(ClmmError::Overflow("sqrt price"))?)
    } else {
        let quotient = if amount <= MAX_U160 {
            div_rounding_up(amount << 96, liquidity)
        } else {
            mul_div_rounding_up(amount, Q96, liquidity)?
        };
        if sqrt_price_x96 <= quotient {
            return Err(ClmmError::InsufficientReserves);
        }
        Ok(sqrt_price_x96 - quotient)
    }
}

/// Next sqrt price after an input of `amount_in` of token0 (`zero_for_one`) or token1
/// (`getNextSqrtPriceFromInput`): the price never moves past what the input pays for.
pub fn get_next_sqrt_price_from_input(
    sqrt_price_x96: U256,
    liquidity: u128,
    amount_in: U256,
    zero_for_one: bool,
) -> Result<U256> {
    if sqrt_price_x96.is_zero() {
        return Err(ClmmError::ZeroPrice);
    }
    if liquidity == 0 {
        return Err(ClmmError::ZeroLiquidity);
    }
    if zero_for_one {
        get_next_sqrt_price_from_amount0_rounding_up(sqrt_price_x96, liquidity, amount_in, true)
    } else {
        get_next_sqrt_price_from_amount1_rounding_down(sqrt_price_x96, liquidity, amount_in, true)
    }
}

/// Next sqrt price after an output of `amount_out` of token1 (`zero_for_one`) or token0
/// (`getNextSqrtPriceFromOutput`): the price moves at least as far as the output requires.
pub fn get_next_sqrt_price_from_output(
    sqrt_price_x96: U256,
    liquidity: u128,
    amount_out: U256,
    zero_for_one: bool,
) -> Result<U256> {
    if sqrt_price_x96.is_zero() {
        return Err(ClmmError::ZeroPrice);
    }
    if liquidity == 0 {
        return Err(ClmmError::ZeroLiquidity);
    }
    if zero_for_one {
        get_next_sqrt_price_from_amount1_rounding_down(sqrt_price_x96, liquidity, amount_out, false)
    } else {
        get_next_sqrt_price_from_amount0_rounding_up(sqrt_price_x96, liquidity, amount_out, false)
    }
}

/// Token0 between two sqrt prices for `liquidity`: `L * 2^96 * (b - a) / (a * b)`, rounded up or
/// down (`getAmount0Delta`). Fails if the smaller price is zero.
pub fn get_amount0_delta(
    sqrt_ratio_a_x96: U256,
    sqrt_ratio_b_x96: U256,
    liquidity: u128,
    round_up: bool,
) -> Result<U256> {
    let (a, b) = if sqrt_ratio_a_x96 > sqrt_ratio_b_x96 {
        (sqrt_ratio_b_x96, sqrt_ratio_a_x96)
    } else {
        (sqrt_ratio_a_x96, sqrt_ratio_b_x96)
    };
    if a.is_zero() {
        return Err(ClmmError::ZeroPrice);
    }
    let numerator1: U256 = U256::from(liquidity) << 96;
    let numerator2 = b - a;
    if round_up {
        Ok(div_rounding_up(mul_div_rounding_up(numerator1, numerator2, b)?, a))
    } else {
        Ok(mul_div(numerator1, numerator2, b)? / a)
    }
}

/// Token1 between two sqrt prices for `liquidity`: `L * (b - a) / 2^96`, rounded up or down
/// (`getAmount1Delta`).
pub fn get_amount1_delta(
    sqrt_ratio_a_x96: U256,
    sqrt_ratio_b_x96: U256,
    liquidity: u128,
    round_up: bool,
) -> Result<U256> {
    let (a, b) = if sqrt_ratio_a_x96 > sqrt_ratio_b_x96 {
        (sqrt_ratio_b_x96, sqrt_ratio_a_x96)
    } else {
        (sqrt_ratio_a_x96, sqrt_ratio_b_x96)
    };
    let l = U256::from(liquidity);
    if round_up { mul_div_rounding_up(l, b - a, Q96) } else { mul_div(l, b - a, Q96) }
}

fn to_i256(x: U256) -> Result<I256> {
    let v = I256::from_raw(x);
    if v.is_negative() { Err(ClmmError::Overflow("int256")) } else { Ok(v) }
}

/// Signed token0 delta for a liquidity delta: positive (owed to the pool, rounded up) when
/// liquidity is added, negative (paid by the pool, rounded down) when removed.
pub fn get_amount0_delta_signed(a: U256, b: U256, liquidity: i128) -> Result<I256> {
    if liquidity < 0 {
        Ok(-to_i256(get_amount0_delta(a, b, liquidity.unsigned_abs(), false)?)?)
    } else {
        to_i256(get_amount0_delta(a, b, liquidity as u128, true)?)
    }
}

/// Signed token1 delta for a liquidity delta, rounded like [`get_amount0_delta_signed`].
pub fn get_amount1_delta_signed(a: U256, b: U256, liquidity: i128) -> Result<I256> {
    if liquidity < 0 {
        Ok(-to_i256(get_amount1_delta(a, b, liquidity.unsigned_abs(), false)?)?)
    } else {
        to_i256(get_amount1_delta(a, b, liquidity as u128, true)?)
    }
}
