//! Tick <-> sqrt price (`TickMath`): `sqrt(1.0001^tick) * 2^96` in Q64.96, rounded up, and its
//! inverse, the greatest tick whose sqrt price is at most the given one.

use alloy_primitives::U256;

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
    if abs_tick == 0 {
        return Ok(U256::from(1u8) << 96);
    }
    // ratio = 1 / sqrt(1.0001)^|tick| in Q128.128, multiplied bit by bit. It starts at 1.0
    // (2^128, implicit) and stays below 2^128 once a factor is applied, so u128 suffices.
    let mut ratio: Option<u128> = None;
    let mut bits = abs_tick;
    let mut i = 0;
    while bits != 0 {
        if bits & 1 != 0 {
            ratio = Some(match ratio {
                None => RATIO_FACTORS[i],
                Some(r) => mul_shr128(r, RATIO_FACTORS[i]),
            });
        }
        bits >>= 1;
        i += 1;
    }
    let ratio = ratio.expect("invariant: a non-zero tick has a set bit");
    let ratio = if tick > 0 { U256::MAX / U256::from(ratio) } else { U256::from(ratio) };
    // Q128.128 -> Q64.96, rounding up so that the inverse is exact at tick boundaries.
    let low_mask = U256::from(u32::MAX);
    let rounded = (ratio >> 32) + if (ratio & low_mask).is_zero() { U256::ZERO } else { U256::ONE };
    Ok(rounded)
}

/// The full 256-bit product of two `u128`, as (high, low) halves.
#[inline]
pub(crate) fn mul_wide(a: u128, b: u128) -> (u128, u128) {
    const M: u128 = u64::MAX as u128;
    let (a1, a0) = (a >> 64, a & M);
    let (b1, b0) = (b >> 64, b & M);
    let p00 = a0 * b0;
    let p01 = a0 * b1;
    let p10 = a1 * b0;
    let p11 = a1 * b1;
    let mid = (p00 >> 64) + (p01 & M) + (p10 & M);
    let high = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
    let low = (mid << 64) | (p00 & M);
    (high, low)
}

/// `(a * b) >> 128` for `u128` operands.
#[inline]
fn mul_shr128(a: u128, b: u128) -> u128 {
    mul_wide(a, b).0
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
    get_tick_at_sqrt_ratio_with(sqrt_price_x96, get_sqrt_ratio_at_tick)
}

/// [`get_tick_at_sqrt_ratio`] with the final check's `get_sqrt_ratio_at_tick` supplied by the
/// caller (a cache); `sqrt_ratio_at` must return exactly `get_sqrt_ratio_at_tick`.
pub fn get_tick_at_sqrt_ratio_with(
    sqrt_price_x96: U256,
    mut sqrt_ratio_at: impl FnMut(i32) -> Result<U256>,
) -> Result<i32> {
    if sqrt_price_x96 < MIN_SQRT_RATIO || sqrt_price_x96 >= MAX_SQRT_RATIO {
        return Err(ClmmError::SqrtPriceOutOfRange);
    }
    // Q128.128 price ratio (up to 2^192) and its most significant bit.
    let ratio: U256 = sqrt_price_x96 << 32;
    let msb = ratio.bit_len() as i32 - 1;
    // Normalise to [2^127, 2^128).
    let normalised: U256 =
        if msb >= 128 { ratio >> (msb - 127) as usize } else { ratio << (127 - msb) as usize };
    let mut r: u128 = normalised.to::<u128>();
    // Integer part of log2 in Q64.64, then 14 fractional bits by repeated squaring: r^2 / 2^127
    // is in [2^127, 2^129); a result of 2^128 or more sets the bit and is halved.
    let mut log_2: i128 = ((msb - 128) as i128) << 64;
    for shift in (50..=63).rev() {
        let (high, low) = mul_wide(r, r);
        if high >> 127 == 1 {
            log_2 |= 1i128 << shift;
            r = high; // (r^2 / 2^127) / 2
        } else {
            r = (high << 1) | (low >> 127);
        }
    }
    // log_sqrt10001 = log_2 * factor, a signed 256-bit value kept as (high, low) halves.
    let (mut high, mut low) = mul_wide(log_2.unsigned_abs(), LOG_SQRT10001_FACTOR);
    if log_2 < 0 {
        // Two's complement negation of the 256-bit magnitude.
        low = !low;
        high = !high;
        let (l, carry) = low.overflowing_add(1);
        low = l;
        if carry {
            high = high.wrapping_add(1);
        }
    }
    // tick = (log_sqrt10001 -/+ error) >> 128, an arithmetic shift: the signed high half.
    let (_, borrow) = low.overflowing_sub(TICK_LOW_ERROR);
    let tick_low_i = (high as i128).wrapping_sub(i128::from(borrow));
    let (_, carry) = low.overflowing_add(TICK_HIGH_ERROR);
    let tick_high_i = (high as i128).wrapping_add(i128::from(carry));
    let tick_low = i32::try_from(tick_low_i).expect("invariant: tick estimate fits i32");
    let tick_high = i32::try_from(tick_high_i).expect("invariant: tick estimate fits i32");
    if tick_low == tick_high {
        return Ok(tick_low);
    }
    if sqrt_ratio_at(tick_high)? <= sqrt_price_x96 { Ok(tick_high) } else { Ok(tick_low) }
}

/// Entries of [`SqrtPriceCache`].
const CACHE_SLOTS: usize = 64;
/// Bits of price per cache word; four words hold a 160-bit sqrt price.
const CHUNK_BITS: usize = 40;
const CHUNK_MASK: u64 = (1 << CHUNK_BITS) - 1;

/// A small direct-mapped cache of `get_sqrt_ratio_at_tick`, for the ticks a pool touches again
/// and again (next initialized ticks, the final tick of a swap). It holds no state: clones start
/// empty and nothing depends on what it holds.
///
/// Lock-free and `Sync`: a slot is four relaxed atomic words, each carrying the tick (biased,
/// 24 bits) and 40 bits of its price. A read is accepted only if all four words carry the asked
/// tick; since the price of a tick is a pure function of it, words written by racing writers for
/// the same tick agree, so a torn read is never a wrong price.
pub struct SqrtPriceCache {
    slots: [[std::sync::atomic::AtomicU64; 4]; CACHE_SLOTS],
}

impl Default for SqrtPriceCache {
    fn default() -> Self {
        Self {
            slots: std::array::from_fn(|_| {
                std::array::from_fn(|_| std::sync::atomic::AtomicU64::new(0))
            }),
        }
    }
}

impl Clone for SqrtPriceCache {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl std::fmt::Debug for SqrtPriceCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SqrtPriceCache")
    }
}

impl SqrtPriceCache {
    /// `get_sqrt_ratio_at_tick(tick)`, from the cache when present.
    #[inline]
    pub fn get(&self, tick: i32) -> Result<U256> {
        use std::sync::atomic::Ordering::Relaxed;
        if !(MIN_TICK..=MAX_TICK).contains(&tick) {
            return Err(ClmmError::TickOutOfRange(tick));
        }
        // 1..=1,774,545: fits 24 bits, and 0 marks an empty word.
        let tag = ((tick - MIN_TICK) as u64 + 1) << CHUNK_BITS;
        let slot = &self.slots[(tick as u32 as usize) % CACHE_SLOTS];
        let words = [
            slot[0].load(Relaxed),
            slot[1].load(Relaxed),
            slot[2].load(Relaxed),
            slot[3].load(Relaxed),
        ];
        if words.iter().all(|w| w & !CHUNK_MASK == tag) {
            let mut price = U256::ZERO;
            for (i, w) in words.iter().enumerate() {
                price |= U256::from(w & CHUNK_MASK) << (CHUNK_BITS * i);
            }
            return Ok(price);
        }
        let price = get_sqrt_ratio_at_tick(tick)?;
        for (i, word) in slot.iter().enumerate() {
            let chunk = (price >> (CHUNK_BITS * i)).wrapping_to::<u64>() & CHUNK_MASK;
            word.store(tag | chunk, Relaxed);
        }
        Ok(price)
    }

    /// `get_tick_at_sqrt_ratio(price)` using the cache for its final check.
    #[inline]
    pub fn tick_at(&self, sqrt_price_x96: U256) -> Result<i32> {
        get_tick_at_sqrt_ratio_with(sqrt_price_x96, |t| self.get(t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mul_wide_is_the_full_product() {
        for (a, b) in
            [(u128::MAX, u128::MAX), (1, u128::MAX), (0xdead_beef << 70, 0x1234_5678_9abc), (0, 5)]
        {
            let (high, low) = mul_wide(a, b);
            let expected = U256::from(a) * U256::from(b);
            assert_eq!((U256::from(high) << 128) | U256::from(low), expected);
        }
    }

    #[test]
    fn cache_returns_exactly_the_function() {
        let cache = SqrtPriceCache::default();
        for t in [MIN_TICK, -1, 0, 1, 63, 64, 127, 199_045, MAX_TICK, 199_045 + 64] {
            assert_eq!(cache.get(t).unwrap(), get_sqrt_ratio_at_tick(t).unwrap(), "miss {t}");
            assert_eq!(cache.get(t).unwrap(), get_sqrt_ratio_at_tick(t).unwrap(), "hit {t}");
        }
        // Colliding ticks (same slot) evict each other but never answer for each other.
        assert_eq!(cache.get(64).unwrap(), get_sqrt_ratio_at_tick(64).unwrap());
        assert_eq!(cache.get(0).unwrap(), get_sqrt_ratio_at_tick(0).unwrap());
        assert_eq!(cache.get(MAX_TICK + 1), Err(ClmmError::TickOutOfRange(MAX_TICK + 1)));
        let p = get_sqrt_ratio_at_tick(199_045).unwrap() + U256::from(12_345);
        assert_eq!(cache.tick_at(p).unwrap(), get_tick_at_sqrt_ratio(p).unwrap());
    }
}
