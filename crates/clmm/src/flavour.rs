//! Pool flavours by parameters: Uniswap V3, PancakeSwap V3, Algebra Integral (Thena), Uniswap V4.
//!
//! A flavour decides which (fee, tick spacing) pairs are allowed, how the protocol's share of the
//! swap fee is expressed, and whether the fee is static, adaptive (Algebra) or set by the pool's
//! owner (V4 dynamic-fee flag). The swap, tick and position mechanics are the same for all.

use alloy_primitives::U256;

use crate::error::{ClmmError, Result};

/// The family of a pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flavour {
    /// Uniswap V3: fee tiers 100/1, 500/10, 3000/60, 10000/200; protocol fee 1/4..1/10 of the fee.
    UniswapV3,
    /// PancakeSwap V3: tiers 100/1, 500/10, 2500/50, 10000/200; protocol fee in 1/10,000ths
    /// (0 or 1,000..=4,000 per token), set per tier by `initialize`
    /// ([`PANCAKE_V3_DEFAULT_PROTOCOL_FEES`]).
    PancakeV3,
    /// Thena on Algebra Integral: adaptive fee from recent volatility, spacing 60 by default,
    /// community fee in 1/1,000ths.
    AlgebraIntegral,
    /// Uniswap V4 style pools inside a singleton manager: any fee below 100% and any spacing in
    /// 1..=32767; an optional dynamic-fee flag lets the pool's owner set the fee.
    UniswapV4,
}

impl Flavour {
    /// Stable lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Flavour::UniswapV3 => "uniswap_v3",
            Flavour::PancakeV3 => "pancake_v3",
            Flavour::AlgebraIntegral => "algebra_integral",
            Flavour::UniswapV4 => "uniswap_v4",
        }
    }
}

/// Uniswap V3 factory fee tiers (fee in hundredths of a bip, tick spacing).
pub const UNISWAP_V3_TIERS: [(u32, i32); 4] = [(100, 1), (500, 10), (3000, 60), (10_000, 200)];
/// PancakeSwap V3 factory fee tiers.
pub const PANCAKE_V3_TIERS: [(u32, i32); 4] = [(100, 1), (500, 10), (2500, 50), (10_000, 200)];
/// PancakeSwap V3: the protocol fee `PancakeV3Pool.initialize` sets for each token, per fee tier
/// (fee in pips, share of the swap fee in 1/10,000ths): 33% at 0.01%, 34% at 0.05%, 32% at
/// 0.25% and 1%. The contract stores them packed as `f0 + (f1 << 16)`: 216272100, 222825800,
/// 209718400 (pancakeswap/pancake-v3-contracts, projects/v3-core/contracts/PancakeV3Pool.sol,
/// `initialize`, commit 5cc479f0c5a9).
pub const PANCAKE_V3_DEFAULT_PROTOCOL_FEES: [(u32, u32); 4] =
    [(100, 3300), (500, 3400), (2500, 3200), (10_000, 3200)];
/// PancakeSwap V3: the protocol fee `initialize` sets for a fee not in
/// [`PANCAKE_V3_DEFAULT_PROTOCOL_FEES`] (the slot's initial value, 3200:3200).
pub const PANCAKE_V3_FALLBACK_PROTOCOL_FEE: u32 = 3200;
/// PancakeSwap V3: the protocol fee's denominator (`PROTOCOL_FEE_DENOMINATOR`).
pub const PANCAKE_V3_PROTOCOL_FEE_DENOMINATOR: u32 = 10_000;
/// PancakeSwap V3: the smallest non-zero protocol fee `setFeeProtocol` accepts.
pub const PANCAKE_V3_MIN_PROTOCOL_FEE: u32 = 1000;
/// PancakeSwap V3: the largest protocol fee `setFeeProtocol` accepts.
pub const PANCAKE_V3_MAX_PROTOCOL_FEE: u32 = 4000;
/// Algebra Integral's default tick spacing.
pub const ALGEBRA_DEFAULT_TICK_SPACING: i32 = 60;
/// V4's largest tick spacing (`TickMath.MAX_TICK_SPACING`).
pub const V4_MAX_TICK_SPACING: i32 = i16::MAX as i32;
/// Fee denominator: fees are in hundredths of a bip.
pub const FEE_PIPS_DENOMINATOR: u32 = 1_000_000;

/// Algebra's adaptive-fee configuration (`AlgebraFeeConfiguration`, same field widths):
/// `fee = baseFee + α1/(1+e^((β1-x)/γ1)) + α2/(1+e^((β2-x)/γ2))` with `x` the average volatility
/// normalised to 15-second intervals, evaluated exactly as Algebra does (see [`crate::algebra`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AdaptiveFeeConfig {
    /// Height of the first sigmoid (pips).
    pub alpha1: u16,
    /// Height of the second sigmoid (pips).
    pub alpha2: u16,
    /// Shift of the first sigmoid.
    pub beta1: u32,
    /// Shift of the second sigmoid.
    pub beta2: u32,
    /// Stretch of the first sigmoid (non-zero).
    pub gamma1: u16,
    /// Stretch of the second sigmoid (non-zero).
    pub gamma2: u16,
    /// Minimum fee (pips).
    pub base_fee: u16,
}

impl Default for AdaptiveFeeConfig {
    /// Algebra Integral's default configuration (`AdaptiveFee.initialFeeConfiguration`,
    /// cryptoalgebra/Algebra src/plugin/contracts/libraries/AdaptiveFee.sol):
    /// α1 = 3000 - 100, α2 = 15000 - 3000, β1 = 360, β2 = 60000, γ1 = 59, γ2 = 8500, base 100.
    fn default() -> Self {
        Self {
            alpha1: 2900,
            alpha2: 12_000,
            beta1: 360,
            beta2: 60_000,
            gamma1: 59,
            gamma2: 8500,
            base_fee: 100,
        }
    }
}

impl AdaptiveFeeConfig {
    /// Validates like `AdaptiveFee.validateFeeConfiguration`: `alpha1 + alpha2 + baseFee` fits
    /// `u16` ('Max fee exceeded'), gammas are non-zero ('Gammas must be > 0').
    pub fn validate(&self) -> Result<()> {
        if u32::from(self.alpha1) + u32::from(self.alpha2) + u32::from(self.base_fee)
            > u32::from(u16::MAX)
            || self.gamma1 == 0
            || self.gamma2 == 0
        {
            return Err(ClmmError::InvalidProtocolFee);
        }
        Ok(())
    }

    /// The fee (pips) for an average volatility (`AdaptiveFee.getFee`; the volatility is the
    /// oracle's `uint88` average, see [`crate::algebra::VolatilityOracle`]).
    pub fn fee(&self, volatility: u128) -> u16 {
        crate::algebra::adaptive_fee(volatility, self)
    }

    /// The largest fee the configuration can give: `baseFee + alpha1 + alpha2`.
    pub fn max_fee(&self) -> u32 {
        u32::from(self.base_fee) + u32::from(self.alpha1) + u32::from(self.alpha2)
    }
}

/// How a pool's swap fee is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeeMode {
    /// A fixed fee in pips.
    Static,
    /// Algebra's adaptive fee from volatility.
    Adaptive(AdaptiveFeeConfig),
    /// V4 dynamic-fee flag: the owner sets the fee with `set_dynamic_fee`.
    OwnerSet,
}

/// The parameters of a pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PoolConfig {
    /// The family.
    pub flavour: Flavour,
    /// The starting swap fee in pips (the current one for adaptive or owner-set fees).
    pub fee: u32,
    /// Tick spacing.
    pub tick_spacing: i32,
    /// How the fee evolves.
    pub fee_mode: FeeMode,
}

impl PoolConfig {
    /// A Uniswap V3 pool of one of the factory's fee tiers.
    pub fn uniswap_v3(fee: u32) -> Result<Self> {
        tier(Flavour::UniswapV3, &UNISWAP_V3_TIERS, fee)
    }

    /// A PancakeSwap V3 pool of one of the factory's fee tiers.
    pub fn pancake_v3(fee: u32) -> Result<Self> {
        tier(Flavour::PancakeV3, &PANCAKE_V3_TIERS, fee)
    }

    /// A Thena / Algebra Integral pool with the default adaptive-fee configuration and spacing 60.
    pub fn algebra_integral() -> Self {
        let cfg = AdaptiveFeeConfig::default();
        Self {
            flavour: Flavour::AlgebraIntegral,
            fee: u32::from(cfg.base_fee),
            tick_spacing: ALGEBRA_DEFAULT_TICK_SPACING,
            fee_mode: FeeMode::Adaptive(cfg),
        }
    }

    /// An Algebra Integral pool with a custom spacing (1..=500 as Algebra allows) and config.
    pub fn algebra_integral_with(tick_spacing: i32, cfg: AdaptiveFeeConfig) -> Result<Self> {
        cfg.validate()?;
        if !(1..=500).contains(&tick_spacing) {
            return Err(ClmmError::InvalidFeeTier {
                flavour: "algebra_integral",
                fee: u32::from(cfg.base_fee),
                spacing: tick_spacing,
            });
        }
        Ok(Self {
            flavour: Flavour::AlgebraIntegral,
            fee: u32::from(cfg.base_fee),
            tick_spacing,
            fee_mode: FeeMode::Adaptive(cfg),
        })
    }

    /// A V4-style pool: any fee below 100% and spacing in `1..=32767`; `dynamic` sets the
    /// dynamic-fee flag (the fee starts at 0 as in V4 and the owner sets it).
    pub fn uniswap_v4(fee: u32, tick_spacing: i32, dynamic: bool) -> Result<Self> {
        if fee >= FEE_PIPS_DENOMINATOR || !(1..=V4_MAX_TICK_SPACING).contains(&tick_spacing) {
            return Err(ClmmError::InvalidFeeTier {
                flavour: "uniswap_v4",
                fee,
                spacing: tick_spacing,
            });
        }
        Ok(Self {
            flavour: Flavour::UniswapV4,
            fee: if dynamic { 0 } else { fee },
            tick_spacing,
            fee_mode: if dynamic { FeeMode::OwnerSet } else { FeeMode::Static },
        })
    }

    /// A pool of any flavour by (fee, spacing), validated against the flavour's rules.
    pub fn new(flavour: Flavour, fee: u32, tick_spacing: i32) -> Result<Self> {
        match flavour {
            Flavour::UniswapV3 => {
                tier(flavour, &UNISWAP_V3_TIERS, fee).and_then(|c| check_spacing(c, tick_spacing))
            }
            Flavour::PancakeV3 => {
                tier(flavour, &PANCAKE_V3_TIERS, fee).and_then(|c| check_spacing(c, tick_spacing))
            }
            Flavour::AlgebraIntegral => {
                Self::algebra_integral_with(tick_spacing, AdaptiveFeeConfig::default())
            }
            Flavour::UniswapV4 => Self::uniswap_v4(fee, tick_spacing, false),
        }
    }
}

fn tier(flavour: Flavour, tiers: &[(u32, i32)], fee: u32) -> Result<PoolConfig> {
    tiers
        .iter()
        .find(|(f, _)| *f == fee)
        .map(|&(fee, tick_spacing)| PoolConfig {
            flavour,
            fee,
            tick_spacing,
            fee_mode: FeeMode::Static,
        })
        .ok_or(ClmmError::InvalidFeeTier { flavour: flavour.name(), fee, spacing: 0 })
}

fn check_spacing(c: PoolConfig, spacing: i32) -> Result<PoolConfig> {
    if c.tick_spacing == spacing {
        Ok(c)
    } else {
        Err(ClmmError::InvalidFeeTier { flavour: c.flavour.name(), fee: c.fee, spacing })
    }
}

/// The protocol's share of swap fees, per token, in the flavour's own unit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProtocolFee {
    /// Setting for fees paid in token0.
    pub token0: u32,
    /// Setting for fees paid in token1.
    pub token1: u32,
}

impl ProtocolFee {
    /// Validates a setting for `flavour` as its `setFeeProtocol` does (a bare `require`, no
    /// reason string, in V3 and PancakeSwap): V3 takes 0 or a denominator 4..=10 (`fee / n`);
    /// PancakeSwap takes 0 or 1,000..=4,000 (`fee * n / 10,000`, `PancakeV3Pool.setFeeProtocol`);
    /// Algebra takes 0..=1,000 (`fee * n / 1,000`); V4 takes 0..=1,000 pips per direction
    /// (`ProtocolFeeLibrary.MAX_PROTOCOL_FEE`), `token0` for zero-for-one swaps (input token0)
    /// and `token1` for one-for-zero swaps.
    pub fn validate(self, flavour: Flavour) -> Result<Self> {
        let ok = |v: u32| match flavour {
            Flavour::UniswapV3 => v == 0 || (4..=10).contains(&v),
            Flavour::PancakeV3 => {
                v == 0 || (PANCAKE_V3_MIN_PROTOCOL_FEE..=PANCAKE_V3_MAX_PROTOCOL_FEE).contains(&v)
            }
            Flavour::AlgebraIntegral => v <= 1000,
            Flavour::UniswapV4 => v <= u32::from(crate::v4::MAX_PROTOCOL_FEE),
        };
        if ok(self.token0) && ok(self.token1) {
            Ok(self)
        } else {
            Err(ClmmError::InvalidProtocolFee)
        }
    }

    /// The protocol fee a new pool of `flavour` with swap fee `fee` (pips) has right after
    /// `initialize`: PancakeSwap's per-tier default ([`PANCAKE_V3_DEFAULT_PROTOCOL_FEES`], the
    /// same for both tokens); 0 (off) for Uniswap V3 and V4. Algebra's `initialize` sets the
    /// factory's `defaultCommunityFee`, which this crate does not model: `None` keeps the
    /// pool's current setting.
    pub fn initial(flavour: Flavour, fee: u32) -> Option<Self> {
        match flavour {
            Flavour::PancakeV3 => {
                let n = PANCAKE_V3_DEFAULT_PROTOCOL_FEES
                    .iter()
                    .find(|(f, _)| *f == fee)
                    .map_or(PANCAKE_V3_FALLBACK_PROTOCOL_FEE, |&(_, n)| n);
                Some(Self { token0: n, token1: n })
            }
            Flavour::UniswapV3 | Flavour::UniswapV4 => Some(Self::default()),
            Flavour::AlgebraIntegral => None,
        }
    }

    /// PancakeSwap V3: the setting from slot0's packed `uint32 feeProtocol`: token0's share in
    /// the low 16 bits (`feeProtocol % 65536`, used by zero-for-one swaps), token1's in the high
    /// 16 bits (`feeProtocol >> 16`), each in 1/10,000ths; refused unless `setFeeProtocol`
    /// would accept both halves.
    pub fn from_pancake_packed(packed: u32) -> Result<Self> {
        Self { token0: packed & 0xffff, token1: packed >> 16 }.validate(Flavour::PancakeV3)
    }

    /// PancakeSwap V3: the packed slot0 form `token0 + (token1 << 16)` (`setFeeProtocol`), for
    /// settings that [`Self::validate`] accepts for PancakeSwap.
    pub fn to_pancake_packed(self) -> u32 {
        (self.token0 & 0xffff) | ((self.token1 & 0xffff) << 16)
    }

    /// V4: the setting from the pool's packed `uint24` protocol fee (zero-for-one fee in the
    /// low 12 bits, one-for-zero fee in the next 12), refused unless
    /// `ProtocolFeeLibrary.isValidProtocolFee` accepts it.
    pub fn from_v4_packed(packed: u32) -> Result<Self> {
        if !crate::v4::is_valid_protocol_fee(packed) {
            return Err(ClmmError::InvalidProtocolFee);
        }
        Ok(Self {
            token0: u32::from(crate::v4::get_zero_for_one_fee(packed)),
            token1: u32::from(crate::v4::get_one_for_zero_fee(packed)),
        })
    }

    /// V4: the packed `uint24` form (`token1 << 12 | token0`).
    pub fn to_v4_packed(self) -> u32 {
        ((self.token1 & 0xfff) << 12) | (self.token0 & 0xfff)
    }

    /// The setting that applies to a swap direction.
    #[inline]
    pub fn for_direction(self, zero_for_one: bool) -> u32 {
        if zero_for_one { self.token0 } else { self.token1 }
    }

    /// The fee rate a swap pays, in pips, given the LP fee: the LP fee itself for the flavours
    /// whose protocol fee is a share of the LP fee; for V4 with a protocol fee on the swap's
    /// direction, `ProtocolFeeLibrary.calculateSwapFee(protocolFee, lpFee)`.
    #[inline]
    pub fn swap_fee(self, flavour: Flavour, zero_for_one: bool, lp_fee: u32) -> u32 {
        let p = self.for_direction(zero_for_one);
        match flavour {
            Flavour::UniswapV4 if p != 0 => crate::v4::calculate_swap_fee(p as u16, lp_fee),
            _ => lp_fee,
        }
    }

    /// The protocol's part of one swap step's fee, rounded down (in the LPs' favour, as the
    /// contracts do). `amount_in` and `fee_amount` are the step's (`SwapMath.computeSwapStep`)
    /// and `swap_fee` the rate the step was computed with ([`Self::swap_fee`]).
    /// - V3: `feeAmount / feeProtocol`; PancakeSwap: `feeAmount * n / 10,000` with `n` the
    ///   half of slot0's `feeProtocol` for the swap's direction (`PancakeV3Pool.swap`); Algebra:
    ///   `feeAmount * n / 1,000`.
    /// - V4 (`Pool.swap`): the whole `feeAmount` when the swap fee equals the protocol fee (LP
    ///   fee 0), else `(amountIn + feeAmount) * protocolFee / 1,000,000` (unchecked arithmetic,
    ///   as in the contract).
    #[inline]
    pub fn cut(
        self,
        flavour: Flavour,
        zero_for_one: bool,
        amount_in: U256,
        fee_amount: U256,
        swap_fee: u32,
    ) -> U256 {
        let setting = self.for_direction(zero_for_one);
        if setting == 0 {
            return U256::ZERO;
        }
        let s = U256::from(setting);
        match flavour {
            Flavour::UniswapV3 => fee_amount / s,
            // The contract multiplies with an overflow check (`LowGasSafeMath.mul`). A step's
            // amounts are below 2^193 (liquidity below 2^128 over a Q64.96 price range), so with
            // PancakeSwap's fees (at most 1%) its fee is far below 2^256 / 4,000 and the
            // full-precision product has the same floor.
            Flavour::PancakeV3 => portion(fee_amount, s, PANCAKE_V3_PROTOCOL_FEE_DENOMINATOR),
            Flavour::AlgebraIntegral => portion(fee_amount, s, 1000),
            Flavour::UniswapV4 => {
                if swap_fee == setting {
                    fee_amount
                } else {
                    amount_in.wrapping_add(fee_amount).wrapping_mul(s)
                        / U256::from(FEE_PIPS_DENOMINATOR)
                }
            }
        }
    }
}

/// `amount * numerator / denominator` rounded down, for `numerator <= denominator`.
fn portion(amount: U256, numerator: U256, denominator: u32) -> U256 {
    crate::math::full_math::mul_div(amount, numerator, U256::from(denominator))
        .expect("invariant: a portion of at most 100% of a U256 fits a U256")
}
