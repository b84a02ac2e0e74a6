//! One swap step inside a single liquidity range (`SwapMath.computeSwapStep`).

use alloy_primitives::{I256, U256};

use super::full_math::{mul_div, mul_div_rounding_up};
use super::sqrt_price_math::{
    get_amount0_delta, get_amount1_delta, get_next_sqrt_price_from_input,
    get_next_sqrt_price_from_output,
};
use crate::error::{ClmmError, Result};

/// Fees are in hundredths of a bip: 1,000,000 is 100%.
pub const FEE_DENOMINATOR: u32 = 1_000_000;

/// The result of one swap step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SwapStep {
    /// Sqrt price after the step.
    pub sqrt_price_next_x96: U256,
    /// Input paid into the range, fee excluded (rounded up).
    pub amount_in: U256,
    /// Output paid out of the range (rounded down).
    pub amount_out: U256,
    /// Fee paid on the input (rounded up, or the whole remainder of an exact input).
    pub fee_amount: U256,
}

/// Swaps within one range from `sqrt_price_current_x96` toward `sqrt_price_target_x96`.
///
/// `amount_remaining` is positive for exact input and negative for exact output; `fee_pips` is in
/// hundredths of a bip and must be below 1,000,000. The direction is `current >= target`
/// (token0 in). Same results and roundings as Uniswap V3's `computeSwapStep`.
pub fn compute_swap_step(
    sqrt_price_current_x96: U256,
    sqrt_price_target_x96: U256,
    liquidity: u128,
    amount_remaining: I256,
    fee_pips: u32,
) -> Result<SwapStep> {
    if fee_pips >= FEE_DENOMINATOR {
        return Err(ClmmError::Overflow("fee >= 100%"));
    }
    let zero_for_one = sqrt_price_current_x96 >= sqrt_price_target_x96;
    let exact_in = !amount_remaining.is_negative();
    let remaining_abs = amount_remaining.unsigned_abs();
    let fee_complement = U256::from(FEE_DENOMINATOR - fee_pips);
    let denominator = U256::from(FEE_DENOMINATOR);

    let mut amount_in = U256::ZERO;
    let mut amount_out = U256::ZERO;
    let sqrt_price_next_x96;
    if exact_in {
        let remaining_less_fee = mul_div(remaining_abs, fee_complement, denominator)?;
        amount_in = if zero_for_one {
            get_amount0_delta(sqrt_price_target_x96, sqrt_price_current_x96, liquidity, true)?
        } else {
            get_amount1_delta(sqrt_price_current_x96, sqrt_price_target_x96, liquidity, true)?
        };
        sqrt_price_next_x96 = if remaining_less_fee >= amount_in {
            sqrt_price_target_x96
        } else {
            get_next_sqrt_price_from_input(
                sqrt_price_current_x96,
                liquidity,
                remaining_less_fee,
                zero_for_one,
            )?
        };
    } else {
        amount_out = if zero_for_one {
            get_amount1_delta(sqrt_price_target_x96, sqrt_price_current_x96, liquidity, false)?
        } else {
            get_amount0_delta(sqrt_price_current_x96, sqrt_price_target_x96, liquidity, false)?
        };
        sqrt_price_next_x96 = if remaining_abs >= amount_out {
            sqrt_price_target_x96
        } else {
            get_next_sqrt_price_from_output(
                sqrt_price_current_x96,
                liquidity,
                remaining_abs,
                zero_for_one,
            )?
        };
    }

    let reached_target = sqrt_price_target_x96 == sqrt_price_next_x96;
    if zero_for_one {
        if !reached_target || !exact_in {
            amount_in =
                get_amount0_delta(sqrt_price_next_x96, sqrt_price_current_x96, liquidity, true)?;
        }
        if !reached_target || exact_in {
            amount_out =
                get_amount1_delta(sqrt_price_next_x96, sqrt_price_current_x96, liquidity, false)?;
        }
    } else {
        if !reached_target || !exact_in {
            amount_in =
                get_amount1_delta(sqrt_price_current_x96, sqrt_price_next_x96, liquidity, true)?;
        }
        if !reached_target || exact_in {
            amount_out =
                get_amount0_delta(sqrt_price_current_x96, sqrt_price_next_x96, liquidity, false)?;
        }
    }
    // An exact output never pays out more than asked.
    if !exact_in && amount_out > remaining_abs {
        amount_out = remaining_abs;
    }
    let fee_amount = if exact_in && sqrt_price_next_x96 != sqrt_price_target_x96 {
        // The price did not reach the target: the whole remainder beyond the input is fee.
        remaining_abs - amount_in
    } else {
        mul_div_rounding_up(amount_in, U256::from(fee_pips), fee_complement)?
    };
    Ok(SwapStep { sqrt_price_next_x96, amount_in, amount_out, fee_amount })
}
