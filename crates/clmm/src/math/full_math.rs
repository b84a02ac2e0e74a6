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
    if let Some((p, d)) = small(a, b, denominator) {
        return Ok(U256::from(p / d));
    }
    let product: U512 = a.widening_mul(b);
    if denominator.is_power_of_two() {
        // Q96 and Q128 denominators: a shift.
        return narrow(product >> denominator.trailing_zeros());
    }
    let limbs = product.as_limbs();
    if limbs[4..].iter().all(|&l| l == 0) {
        // Fast path: the product fits 256 bits.
        return Ok(U256::from_limbs([limbs[0], limbs[1], limbs[2], limbs[3]]) / denominator);
    }
    narrow(product / U512::from(denominator))
}

/// `ceil(a * b / denominator)` with a 512-bit intermediate product
/// (`FullMath.mulDivRoundingUp`). Fails like [`mul_div`], and also when rounding up overflows.
#[inline]
pub fn mul_div_rounding_up(a: U256, b: U256, denominator: U256) -> Result<U256> {
    if denominator.is_zero() {
        return Err(ClmmError::MulDivOverflow);
    }
    if let Some((p, d)) = small(a, b, denominator) {
        return Ok(U256::from(p.div_ceil(d)));
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

/// `(a * b, d)` as `u128` when the product and the denominator fit 128 bits (fees, amounts):
/// native 128-bit division is several times faster than a 256-bit one.
#[inline]
fn small(a: U256, b: U256, d: U256) -> Option<(u128, u128)> {
    let (a, b, d) = (a.as_limbs(), b.as_limbs(), d.as_limbs());
    if (a[2] | a[3] | b[1] | b[2] | b[3] | d[2] | d[3]) != 0 {
        return None;
    }
    let a = u128::from(a[0]) | (u128::from(a[1]) << 64);
    let p = a.checked_mul(u128::from(b[0]))?;
    Some((p, u128::from(d[0]) | (u128::from(d[1]) << 64)))
}

#[inline]
fn narrow(x: U512) -> Result<U256> {
    let limbs = x.as_limbs();
    if limbs[4..].iter().any(|&l| l != 0) {
        return Err(ClmmError::MulDivOverflow);
    }
    Ok(U256::from_limbs([limbs[0], limbs[1], limbs[2], limbs[3]]))
}
