//! Which ticks are initialized, one bit per spaced tick (`TickBitmap`).
//!
//! A word holds 256 compressed ticks: word positions are `compressed >> 8` (floored, as an
//! arithmetic shift), bit positions `compressed & 0xff`, with `compressed = tick / spacing`
//! floored. Every valid tick's word position fits an `i16`, as in the contracts
//! (`mapping(int16 => uint256)`).
//!
//! The search and the flip are written against a word reader ([`next_initialized_tick_in`],
//! [`flip_position`]) so that a pool can keep its words in any
//! [`crate::storage::PoolStorage`]. [`TickBitmap`] is the in-memory store: dense, one word per
//! 256 compressed ticks over the whole valid range, so a lookup is an index, never a hash.

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

impl Default for TickBitmap {
    /// An empty bitmap with no words allocated (spacing 1 for [`Self::flip_tick`]); words are
    /// allocated by [`Self::set_word`].
    fn default() -> Self {
        Self { spacing: 1, min_word: 0, words: Vec::new() }
    }
}

/// The word positions a spacing's flips may touch: one word more on each side of the valid
/// range, so that every next-tick search stays in bounds.
fn word_range(spacing: i32) -> (i32, i32) {
    ((floor_div(MIN_TICK, spacing) >> 8) - 1, (floor_div(MAX_TICK, spacing) >> 8) + 1)
}

/// Where the bit of `tick` lives: (word position, mask with that one bit), checked as
/// `flipTick` does (`tick % spacing == 0`) and refused outside the words a spacing uses
/// ([`ClmmError::TickOutOfRange`]).
pub fn flip_position(tick: i32, spacing: i32) -> Result<(i16, U256)> {
    if tick % spacing != 0 {
        return Err(ClmmError::TickNotSpaced { tick, spacing });
    }
    let compressed = tick / spacing;
    let word_pos = compressed >> 8;
    // A valid tick's word is always in range; others are checked against the spacing's words.
    if !(MIN_TICK..=MAX_TICK).contains(&tick) {
        let (min_word, max_word) = word_range(spacing);
        if !(min_word..=max_word).contains(&word_pos) {
            return Err(ClmmError::TickOutOfRange(tick));
        }
    }
    let word_pos = i16::try_from(word_pos).map_err(|_| ClmmError::TickOutOfRange(tick))?;
    Ok((word_pos, U256::ONE << ((compressed & 0xff) as usize)))
}

/// Whether `tick` is flagged in the words read by `word` (`false` for a tick off the spacing).
#[inline]
pub fn is_initialized_in(word: impl Fn(i32) -> U256, spacing: i32, tick: i32) -> bool {
    if tick % spacing != 0 {
        return false;
    }
    let compressed = tick / spacing;
    word(compressed >> 8).bit((compressed & 0xff) as usize)
}

/// The next initialized tick in the same 256-tick word as `tick`, at or left of it (`lte`) or
/// strictly right of it, or the word's last tick in that direction with `false`
/// (`nextInitializedTickWithinOneWord`), over the words read by `word` (word position -> word;
/// zero for words never written).
#[inline]
pub fn next_initialized_tick_in(
    word: impl Fn(i32) -> U256,
    spacing: i32,
    tick: i32,
    lte: bool,
) -> (i32, bool) {
    let compressed = floor_div(tick, spacing);
    if lte {
        let word_pos = compressed >> 8;
        let bit_pos = (compressed & 0xff) as usize;
        // All bits at or right of bit_pos (towards lower ticks).
        let mask =
            if bit_pos == 255 { U256::MAX } else { (U256::ONE << (bit_pos + 1)) - U256::ONE };
        let masked = word(word_pos) & mask;
        if masked.is_zero() {
            ((compressed - bit_pos as i32) * spacing, false)
        } else {
            let msb = masked.bit_len() as i32 - 1;
            ((compressed - (bit_pos as i32 - msb)) * spacing, true)
        }
    } else {
        let next = compressed + 1;
        let word_pos = next >> 8;
        let bit_pos = (next & 0xff) as usize;
        let mask = !((U256::ONE << bit_pos) - U256::ONE);
        let masked = word(word_pos) & mask;
        if masked.is_zero() {
            ((next + (255 - bit_pos as i32)) * spacing, false)
        } else {
            let lsb = masked.trailing_zeros() as i32;
            ((next + (lsb - bit_pos as i32)) * spacing, true)
        }
    }
}

impl TickBitmap {
    /// An empty bitmap for `spacing` (at least 1), with every word the spacing uses allocated.
    pub fn new(spacing: i32) -> Self {
        assert!(spacing >= 1, "invariant: tick spacing is at least 1");
        let (min_word, max_word) = word_range(spacing);
        Self { spacing, min_word, words: vec![U256::ZERO; (max_word - min_word + 1) as usize] }
    }

    /// The word at `word_pos` (zero if never written).
    #[inline]
    pub fn word(&self, word_pos: i32) -> U256 {
        self.words.get((word_pos - self.min_word) as usize).copied().unwrap_or(U256::ZERO)
    }

    /// Overwrites the word at `word_pos`, allocating words if needed.
    #[inline]
    pub fn set_word(&mut self, word_pos: i16, word: U256) {
        let pos = i32::from(word_pos);
        if let Some(w) = self.words.get_mut((pos - self.min_word) as usize) {
            *w = word;
            return;
        }
        self.grow_to(pos);
        let index = (pos - self.min_word) as usize;
        self.words[index] = word;
    }

    /// Allocates words so that `pos` is stored.
    fn grow_to(&mut self, pos: i32) {
        if self.words.is_empty() {
            self.min_word = pos;
        }
        if pos < self.min_word {
            let missing = (self.min_word - pos) as usize;
            self.words.splice(0..0, std::iter::repeat_n(U256::ZERO, missing));
            self.min_word = pos;
        }
        let index = (pos - self.min_word) as usize;
        if index >= self.words.len() {
            self.words.resize(index + 1, U256::ZERO);
        }
    }

    /// The non-zero words, by word position.
    pub fn nonzero_words(&self) -> Vec<(i16, U256)> {
        self.words
            .iter()
            .enumerate()
            .filter(|(_, w)| !w.is_zero())
            .map(|(i, w)| {
                let pos = i16::try_from(i as i32 + self.min_word)
                    .expect("invariant: stored word positions fit i16");
                (pos, *w)
            })
            .collect()
    }

    /// Flips the bit of `tick`, which must be a multiple of the spacing (`flipTick`).
    pub fn flip_tick(&mut self, tick: i32) -> Result<()> {
        let (word_pos, mask) = flip_position(tick, self.spacing)?;
        let word = self.word(i32::from(word_pos));
        self.set_word(word_pos, word ^ mask);
        Ok(())
    }

    /// Whether `tick` (a multiple of the spacing) is flagged as initialized.
    pub fn is_initialized(&self, tick: i32) -> bool {
        is_initialized_in(|p| self.word(p), self.spacing, tick)
    }

    /// The next initialized tick in the same 256-tick word as `tick`, at or left of it (`lte`)
    /// or strictly right of it, or the word's last tick in that direction with `false`
    /// (`nextInitializedTickWithinOneWord`).
    #[inline]
    pub fn next_initialized_tick_within_one_word(&self, tick: i32, lte: bool) -> (i32, bool) {
        next_initialized_tick_in(|p| self.word(p), self.spacing, tick, lte)
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

    #[test]
    fn words_allocate_on_demand() {
        let mut b = TickBitmap::default();
        assert_eq!(b.word(5), U256::ZERO);
        b.set_word(5, U256::from(3));
        b.set_word(-2, U256::from(1));
        b.set_word(7, U256::from(9));
        assert_eq!(
            (b.word(-2), b.word(5), b.word(7), b.word(0)),
            (U256::from(1), U256::from(3), U256::from(9), U256::ZERO)
        );
        assert_eq!(
            b.nonzero_words(),
            vec![(-2, U256::from(1)), (5, U256::from(3)), (7, U256::from(9))]
        );
    }
}
