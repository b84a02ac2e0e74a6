//! Positions (`Position`): liquidity of an owner over a range and the fees owed to it.

use alloy_primitives::{Address, U256};

use crate::error::{ClmmError, Result};
use crate::math::Q128;
use crate::math::full_math::mul_div;
use crate::math::liquidity_math::add_delta;

/// A position's key in a pool: owner and range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct PositionKey {
    /// The owner (the caller of mint for V3, the position manager for NFT positions).
    pub owner: Address,
    /// Lower tick.
    pub tick_lower: i32,
    /// Upper tick.
    pub tick_upper: i32,
}

/// State of one position.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct PositionInfo {
    /// Liquidity of the position.
    pub liquidity: u128,
    /// Fee growth inside the range of token0 at the last update (Q128.128).
    pub fee_growth_inside0_last_x128: U256,
    /// Fee growth inside the range of token1 at the last update (Q128.128).
    pub fee_growth_inside1_last_x128: U256,
    /// Token0 owed to the owner (burned principal and fees), collectable.
    pub tokens_owed0: u128,
    /// Token1 owed to the owner.
    pub tokens_owed1: u128,
}

impl PositionInfo {
    /// Credits fees accrued since the last update and applies a liquidity delta
    /// (`Position.update`). A zero delta on an empty position fails with `NP`.
    pub fn update(
        &mut self,
        liquidity_delta: i128,
        fee_growth_inside0_x128: U256,
        fee_growth_inside1_x128: U256,
    ) -> Result<()> {
        let liquidity_next = if liquidity_delta == 0 {
            if self.liquidity == 0 {
                return Err(ClmmError::NoPosition);
            }
            self.liquidity
        } else {
            add_delta(self.liquidity, liquidity_delta)?
        };
        let liquidity = U256::from(self.liquidity);
        // Fees owed, rounded down; the contracts truncate to uint128 (documented overflow).
        let owed0 = mul_div(
            fee_growth_inside0_x128.wrapping_sub(self.fee_growth_inside0_last_x128),
            liquidity,
            Q128,
        )?;
        let owed1 = mul_div(
            fee_growth_inside1_x128.wrapping_sub(self.fee_growth_inside1_last_x128),
            liquidity,
            Q128,
        )?;
        self.liquidity = liquidity_next;
        self.fee_growth_inside0_last_x128 = fee_growth_inside0_x128;
        self.fee_growth_inside1_last_x128 = fee_growth_inside1_x128;
        self.tokens_owed0 = self.tokens_owed0.wrapping_add(owed0.wrapping_to::<u128>());
        self.tokens_owed1 = self.tokens_owed1.wrapping_add(owed1.wrapping_to::<u128>());
        Ok(())
    }
}
