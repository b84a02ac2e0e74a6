//! The crate's one error type.
//!
//! Every variant mirrors a revert of the reference contracts; the short code in brackets is the
//! revert string of Uniswap V3 (or the custom error of V4 / Algebra) so that a divergence from the
//! contracts can be traced. Errors leave the pool unchanged: every state-changing method validates
//! and computes on copies before it writes.

/// Errors of the concentrated-liquidity engine.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClmmError {
    /// A tick outside `[MIN_TICK, MAX_TICK]` (`T`).
    #[error("tick {0} out of range (T)")]
    TickOutOfRange(i32),
    /// A sqrt price outside `[MIN_SQRT_RATIO, MAX_SQRT_RATIO)` (`R`).
    #[error("sqrt price out of range (R)")]
    SqrtPriceOutOfRange,
    /// Lower tick not below upper tick (`TLU`).
    #[error("tick lower {lower} must be below tick upper {upper} (TLU)")]
    TickLowerNotBelowUpper {
        /// The lower tick given.
        lower: i32,
        /// The upper tick given.
        upper: i32,
    },
    /// Lower tick below `MIN_TICK` (`TLM`).
    #[error("tick lower {0} below MIN_TICK (TLM)")]
    TickLowerTooLow(i32),
    /// Upper tick above `MAX_TICK` (`TUM`).
    #[error("tick upper {0} above MAX_TICK (TUM)")]
    TickUpperTooHigh(i32),
    /// A tick that is not a multiple of the pool's tick spacing (TickBitmap's `require`).
    #[error("tick {tick} is not a multiple of the tick spacing {spacing}")]
    TickNotSpaced {
        /// The tick given.
        tick: i32,
        /// The pool's tick spacing.
        spacing: i32,
    },
    /// Mint of zero liquidity, or a swap of zero amount (`AS`) and similar zero inputs.
    #[error("zero amount ({0})")]
    ZeroAmount(&'static str),
    /// Burn or poke of a position that has no liquidity (`NP`).
    #[error("position has no liquidity (NP)")]
    NoPosition,
    /// Liquidity subtraction below zero (`LS`).
    #[error("liquidity underflow (LS)")]
    LiquiditySub,
    /// Liquidity addition above `u128::MAX` (`LA`).
    #[error("liquidity overflow (LA)")]
    LiquidityAdd,
    /// Gross liquidity of a tick above the per-tick maximum (`LO`).
    #[error("tick liquidity above the per-tick maximum (LO)")]
    LiquidityOverflowPerTick,
    /// A price limit on the wrong side of the current price or outside the valid range (`SPL`).
    #[error("sqrt price limit invalid (SPL)")]
    PriceLimitInvalid,
    /// The pool is already initialized (`AI`).
    #[error("pool already initialized (AI)")]
    AlreadyInitialized,
    /// The pool has not been initialized (`LOK` in Uniswap V3 and PancakeSwap V3, whose `lock`
    /// functions all revert until `initialize`; `PoolNotInitialized` in V4).
    #[error("pool not initialized (LOK)")]
    NotInitialized,
    /// An observation older than the oldest stored one was requested (`OLD`).
    #[error("observation too old (OLD)")]
    ObservationTooOld,
    /// `snapshotCumulativesInside` on a tick that is not initialized.
    #[error("tick {0} not initialized")]
    TickNotInitialized(i32),
    /// Full-precision multiply-divide whose result does not fit 256 bits, or a zero denominator.
    #[error("mul_div overflow or division by zero")]
    MulDivOverflow,
    /// A value that does not fit the target width (SafeCast).
    #[error("arithmetic overflow in {0}")]
    Overflow(&'static str),
    /// Zero sqrt price given to price math (`P`).
    #[error("sqrt price is zero (P)")]
    ZeroPrice,
    /// Zero liquidity given to price math (`L`).
    #[error("liquidity is zero (L)")]
    ZeroLiquidity,
    /// An exact-output amount at or above the virtual reserves (`OUT` and SafeMath reverts).
    #[error("output amount exceeds the virtual reserves")]
    InsufficientReserves,
    /// A fee or tick spacing that the pool's flavour does not allow.
    #[error("fee {fee} with tick spacing {spacing} not allowed for {flavour}")]
    InvalidFeeTier {
        /// Flavour name.
        flavour: &'static str,
        /// Fee in hundredths of a bip.
        fee: u32,
        /// Tick spacing.
        spacing: i32,
    },
    /// A mint or swap callback paid less than owed (`M0`, `M1`, `IIA`).
    #[error("callback paid less than owed ({0})")]
    InsufficientPayment(&'static str),
    /// An invalid protocol fee setting.
    #[error("invalid protocol fee setting")]
    InvalidProtocolFee,
    /// A caller that is not allowed to perform the action (for example a fee update by a
    /// non-owner of a V4 dynamic-fee pool).
    #[error("unauthorized: {0}")]
    Unauthorized(&'static str),
    /// V4: the fee cannot be changed on a pool without the dynamic-fee flag.
    #[error("pool does not have a dynamic fee")]
    NotDynamicFee,
    /// V4: a pool with this key already exists.
    #[error("pool already exists")]
    PoolAlreadyExists,
    /// V4: no pool with this key.
    #[error("pool not found")]
    PoolNotFound,
    /// V4: the session closed with a non-zero currency delta.
    #[error("currency not settled")]
    CurrencyNotSettled,
    /// V4: an accounting action outside an unlocked session, or a nested unlock.
    #[error("manager locked state wrong: {0}")]
    ManagerLocked(&'static str),
    /// Invalid currency pair (V4 requires `currency0 < currency1`).
    #[error("currencies out of order or equal")]
    CurrenciesOutOfOrder,
    /// Algebra: a volatility-oracle timepoint older than the oldest stored one was requested
    /// (`VolatilityOracle.targetIsTooOld`).
    #[error("volatility oracle target is too old (targetIsTooOld)")]
    TargetIsTooOld,
    /// Algebra: the volatility oracle is already initialized
    /// (`volatilityOracleAlreadyInitialized`).
    #[error("volatility oracle already initialized")]
    VolatilityOracleAlreadyInitialized,
    /// A malformed replay input line.
    #[error("replay input line {line}: {reason}")]
    Parse {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
}

/// The crate's result alias.
pub type Result<T, E = ClmmError> = core::result::Result<T, E>;
