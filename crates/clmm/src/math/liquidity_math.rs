//! Liquidity plus a signed delta with overflow checks (`LiquidityMath.addDelta`).

use crate::error::{ClmmError, Result};

/// `x + y` for a signed `y`: fails with `LS` below zero and `LA` above `u128::MAX`.
#[inline]
pub fn add_delta(x: u128, y: i128) -> Result<u128> {
    if y < 0 {
        x.checked_sub(y.unsigned_abs()).ok_or(ClmmError::LiquiditySub)
    } else {
        x.checked_add(y as u128).ok_or(ClmmError::LiquidityAdd)
    }
}
