//! Tick <-> sqrt price (`TickMath`): `sqrt(1.0001^tick) * 2^96` in Q64.96, rounded up, and its
//! inverse, the greatest tick whose sqrt price is at most the given one.

use alloy_primitives::{I256, U256};

use crate::error::{ClmmError, Result};

/// The smallest tick: `log_1.0001(2^-128)` rounded toward zero.
pub const MIN_TICK: i32 = -887_272;
/// The largest tick.
pub const MAX_TICK: i32 = -MIN_TICK;
/// `get_sqrt_ratio_at_tick(MIN_TICK)`.
pub const MIN_SQRT_RATIO: U256 = U256::from_limbs([4_295_128_739, 0, 0, 0]);
/// `get_sqrt_ratio_at_tick(MAX_TICK)` = 1461446703485210103287273052203988822378723970342.
pub const MAX_SQRT_RATIO: U256 =
    U256::from_limbs([0x5d951d5263988d26, 0xefd1fc6a50648849, 0xfffd8963, 0]);

/// `2^128 / sqrt(1.0001)^(2^i)` in Q128.128 for bit `i` of |tick|, i = 0..19. These constants are
/// facts of the Q128 expansion used by Uniswap V3's TickMath (the same numbers appear there).
const RATIO_FACTORS: [u128; 20] = [
    0xfffcb933bd6fad37aa2d162d1a594001,
    0xfff97272373d413259a46990580e213a,
    0xfff2e50f5f656932ef12357cf3c7fdcc,
    0xffe5caca7e10e4e61c3624eaa0941cd0,
    0xffcb9843d60f6159c9db58835c926644,
    0xff973b41fa98c081472e6896dfb254c0,
    0xff2ea16466c96a3843ec78b326b52861,
    0xfe5dee046a99a2a811c461f1969c3053,
    0xfcbe86c7900a88aedcffc83b479aa3a4,
    0xf987a7253ac413176f2b074cf7815e54,
    0xf3392b0822b70005940c7a398e4b70f3,
    0xe7159475a2c29b7443b29c7fa6e889d9,
    0xd097f3bdfd2022b8845ad8f792aa5825,
    0xa9f746462d870fdf8a65dc1f90e061e5,
    0x70d869a156d2a1b890bb3df62baf32f7,
    0x31be135f97d08fd981231505542fcfa6,
    0x9aa508b5b7a84e1c677de54f3e99bc9,
    0x5d6af8dedb81196699c329225ee604,
    0x2216e584f5fa1ea926041bedfe98,
    0x48a170391f7dc42444e8fa2,
];

/// The sqrt price `sqrt(1.0001^tick) * 2^96` as Q64.96, rounded up (`getSqrtRatioAtTick`).
///
/// Fails with [`ClmmError::TickOutOfRange`] outside `[MIN_TICK, MAX_TICK]`.
pub fn get_sqrt_ratio_at_tick(tick: i32) -> Result<U256> {
    if !(MIN_TICK..=MAX_TICK).contains(&tick) {
        return Err(ClmmError::TickOutOfRange(tick));
    }
    let abs_tick = tick.unsigned_abs();
    // ratio = 1 / sqrt(1.0001)^|tick| in Q128.128, multiplied bit by bit.
    let mut ratio: U256 = if abs_tick & 1 != 0 {
        U256::from(RATIO_FACTORS[0])
    } else {
        U256::from_limbs([0, 0, 1, 0])
    };
    let mut bits = abs_tick >> 1;
    let mut i = 1;
    while bits != 0 {
        if bits & 1 != 0 {
            ratio = (ratio * U256::from(RATIO_FACTORS[i])) >> 128;
        }
        bits >>= 1;
        i += 1;
    }
    if tick > 0 {
        ratio = U256::MAX / ratio;
    }
    // Q128.128 -> Q64.96, rounding up so that the inverse is exact at tick boundaries.
    let low_mask = U256::from(u32::MAX);
    let rounded = (ratio >> 32) + if (ratio & low_mask).is_zero() { U256::ZERO } else { U256::ONE };
    Ok(rounded)
}

/// `log2(sqrt(1.0001))` inverse scale: `2^64 * 2^64 / log2(sqrt(1.0001))` rounded, a fact used to
/// turn a Q64.64 log2 into a Q128.128 log base sqrt(1.0001).
const LOG_SQRT10001_FACTOR: u128 = 255_738_958_999_603_826_347_141;
/// Error bounds of the 14-bit log approximation (below and above), in Q128.128 ticks.
const TICK_LOW_ERROR: u128 = 3_402_992_956_809_132_418_596_140_100_660_247_210;
const TICK_HIGH_ERROR: u128 = 291_339_464_771_989_622_907_027_621_153_398_088_495;

/// The greatest tick whose sqrt price is at most `sqrt_price_x96` (`getTickAtSqrtRatio`).
///
/// Fails with [`ClmmError::SqrtPriceOutOfRange`] outside `[MIN_SQRT_RATIO, MAX_SQRT_RATIO)`.
pub fn get_tick_at_sqrt_ratio(sqrt_price_x96: U256) -> Result<i32> {
    if sqrt_price_x96 < MIN_SQRT_RATIO || sqrt_price_x96 >= MAX_SQRT_RATIO {
        return Err(ClmmError::SqrtPriceOutOfRange);
    }
    // Q128.128 price ratio and its most significant bit.
    let ratio: U256 = sqrt_price_x96 << 32;
    let msb = ratio.bit_len() as i32 - 1;
    // Normalise to [2^127, 2^128).
    let mut r: U256 =
        if msb >= 128 { ratio >> (msb - 127) as usize } else { ratio << (127 - msb) as usize };
    // Integer part of log2 in Q64.64, then 14 fractional bits by repeated squaring.
    let mut log_2: i128 = ((msb - 128) as i128) << 64;
    for shift in (50..=63).rev() {
        r = (r * r) >> 127;
        let f: u64 = U256::to::<u64>(&(r >> 128usize));
        log_2 |= (f as i128) << shift;
        r >>= f as usize;
    }
    let log_sqrt10001 = I256::try_from(log_2).expect("invariant: i128 fits I256")
        * I256::try_from(LOG_SQRT10001_FACTOR).expect("invariant: u128 constant fits I256");
    let low = (log_sqrt10001
        - I256::try_from(TICK_LOW_ERROR).expect("invariant: u128 constant fits I256"))
    .asr(128);
    let high = (log_sqrt10001
        + I256::try_from(TICK_HIGH_ERROR).expect("invariant: u128 constant fits I256"))
    .asr(128);
    let tick_low = i32::try_from(low).expect("invariant: tick estimate fits i32");
    let tick_high = i32::try_from(high).expect("invariant: tick estimate fits i32");
    if tick_low == tick_high {
        return Ok(tick_low);
    }
    if get_sqrt_ratio_at_tick(tick_high)? <= sqrt_price_x96 { Ok(tick_high) } else { Ok(tick_low) }
}
