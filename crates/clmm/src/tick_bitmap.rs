//! Which ticks are initialized, one bit per spaced tick (`TickBitmap`).
//!
//! Storage is dense: one 256-bit word per 256 compressed ticks over the whole valid range, so a
//! lookup is an index, never a hash. Word positions are `compressed >> 8` (floored, as an
//! arithmetic shift), bit positions `compressed & 0xff`.

use alloy_primitives::U256;

use crate::error::{ClmmError, Result};
use crate::math::tick_math::{MAX_TICK, MIN_TICK};

/// A tick bitmap for one tick spacing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TickBitmap {
    spacing: i32,
    min_word: i32,
    words: Vec<U256>,
}

impl TickBitmap {
    /// An empty bitmap for `spacing` (at least 1).
    pub fn new(spacing: i32) -> Self {
        assert!(spacing >= 1, "invariant: tick spacing is at least 1");
        // One word more on each side so that every next-tick search stays in bounds.
        let min_word = (floor_div(MIN_TICK, spacing) >> 8) - 1;
        let max_word = (floor_div(MAX_TICK, spacing) >> 8) + 1;
        Self { spacing, min_word, words: vec![U256::ZERO; (max_word - min_word + 1) as usize] }
    }

    #[inline]
    fn word(&self, word_pos: i32) -> U256 {
        self.words.get((word_pos - self.min_word) as usize).copied().unwrap_or(U256::ZERO)
    }

    /// Flips the bit of `tick`, which must be a multiple of the spacing (`flipTick`).
    pub fn flip_tick(&mut self, tick: i32) -> Result<()> {
        if tick % self.spacing != 0 {
            return Err(ClmmError::TickNotSpaced { tick, spacing: self.spacing });
        }
        let compressed = tick / self.spacing;
        let index = ((compressed >> 8) - self.min_word) as usize;
        let bit = (compressed & 0xff) as usize;
        let word = self.words.get_mut(index).ok_or(ClmmError::TickOutOfRange(tick))?;
        *word ^= U256::ONE << bit;
        Ok(())
    }

    /// Whether `tick` (a multiple of the spacing) is flagged as initialized.
    pub fn is_initialized(&self, tick: i32) -> bool {
        if tick % self.spacing != 0 {
            return false;
        }
        let compressed = tick / self.spacing;
        self.word(compressed >> 8).bit((compressed & 0xff) as usize)
    }

    /// The next initialized tick in the same 256-tick word as `tick`, at or left of it (`lte`)
    /// or strictly right of it, or the word's last tick in that direction with `false`
    /// (`nextInitializedTickWithinOneWord`).
    #[inline]
    pub fn next_initialized_tick_within_one_word(&self, tick: i32, lte: bool) -> (i32, bool) {
        let compressed = floor_div(tick, self.spacing);
        if lte {
            let word_pos = compressed >> 8;
            let bit_pos = (compressed & 0xff) as usize;
            // All bits at or right of bit_pos (towards lower ticks).
            let mask =
                if bit_pos == 255 { U256::MAX } else { (U256::ONE << (bit_pos + 1)) - U256::ONE };
            let masked = self.word(word_pos) & mask;
            if masked.is_zero() {
                ((compressed - bit_pos as i32) * self.spacing, false)
            } else {
                let msb = masked.bit_len() as i32 - 1;
                ((compressed - (bit_pos as i32 - msb)) * self.spacing, true)
            }
        } else {
            let next = compressed + 1;
            let word_pos = next >> 8;
            let bit_pos = (next & 0xff) as usize;
            let mask = !((U256::ONE << bit_pos) - U256::ONE);
            let masked = self.word(word_pos) & mask;
            if masked.is_zero() {
                ((next + (255 - bit_pos as i32)) * self.spacing, false)
            } else {
                let lsb = masked.trailing_zeros() as i32;
                ((next + (lsb - bit_pos as i32)) * self.spacing, true)
            }
        }
    }
}

/// Division rounding toward minus infinity.
#[inline]
pub(crate) fn floor_div(a: i32, b: i32) -> i32 {
    let q = a / b;
    if a % b != 0 && (a < 0) != (b < 0) { q - 1 } else { q }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floor_div_rounds_toward_minus_infinity() {
        assert_eq!(floor_div(7, 2), 3);
        assert_eq!(floor_div(-7, 2), -4);
        assert_eq!(floor_div(-8, 2), -4);
        assert_eq!(floor_div(0, 60), 0);
        assert_eq!(floor_div(-1, 60), -1);
    }

    #[test]
    fn negative_spaced_ticks_search_the_right_word() {
        let mut b = TickBitmap::new(60);
        b.flip_tick(-120).unwrap();
        // -61 compresses to -2 (floored), so -120 is at or left of it.
        assert_eq!(b.next_initialized_tick_within_one_word(-61, true), (-120, true));
        assert_eq!(b.next_initialized_tick_within_one_word(-180, false), (-120, true));
    }
}
