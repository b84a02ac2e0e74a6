//! Full-precision multiply-divide (`FullMath`): `a * b / d` with a 512-bit intermediate.

use alloy_primitives::{U256, U512};

use crate::error::{ClmmError, Result};

/// `floor(a * b / denominator)` with a 512-bit intermediate product.
///
/// Fails when `denominator` is zero or the result does not fit 256 bits (`FullMath.mulDiv`).
#[inline]
pub fn mul_div(a: U256, b: U256, denominator: U256) -> Result<U256> {
    if denominator.is_zero() {
        return Err(ClmmError::MulDivOverflow);
    }
    // Fast path: the product fits 256 bits.
    if let Some(product) = a.checked_mul(b) {
        return Ok(product / denominator);
    }
    let product: U512 = a.widening_mul(b);
    let quotient = product / U512::from(denominator);
    narrow(quotient)
}

/// `ceil(a * b / denominator)` with a 512-bit intermediate product
/// (`FullMath.mulDivRoundingUp`). Fails like [`mul_div`], and also when rounding up overflows.
#[inline]
pub fn mul_div_rounding_up(a: U256, b: U256, denominator: U256) -> Result<U256> {
    if denominator.is_zero() {
        return Err(ClmmError::MulDivOverflow);
    }
    if let Some(product) = a.checked_mul(b) {
        let (q, r) = product.div_rem(denominator);
        return if r.is_zero() {
            Ok(q)
        } else {
            q.checked_add(U256::ONE).ok_or(ClmmError::MulDivOverflow)
        };
    }
    let product: U512 = a.widening_mul(b);
    let (q, r) = product.div_rem(U512::from(denominator));
    let q = narrow(q)?;
    if r.is_zero() { Ok(q) } else { q.checked_add(U256::ONE).ok_or(ClmmError::MulDivOverflow) }
}

/// `ceil(x / y)` for `y > 0` (`UnsafeMath.divRoundingUp`); `y == 0` gives 0 as the EVM does.
#[inline]
pub fn div_rounding_up(x: U256, y: U256) -> U256 {
    if y.is_zero() {
        return U256::ZERO;
    }
    let (q, r) = x.div_rem(y);
    if r.is_zero() { q } else { q + U256::ONE }
}

#[inline]
fn narrow(x: U512) -> Result<U256> {
    let limbs = x.as_limbs();
    if limbs[4..].iter().any(|&l| l != 0) {
        return Err(ClmmError::MulDivOverflow);
    }
    Ok(U256::from_limbs([limbs[0], limbs[1], limbs[2], limbs[3]]))
}
