//! Units, newtypes and exact integer math shared by every Hoard crate.
//!
//! Design: money is integers with the unit in the name. Token amounts are `U256` base units
//! (18 decimals for ICY and DFG), Bitcoin is `u64` satoshis, ratios are basis points ([`Bps`]) or
//! WAD fixed point (1e18). Every division names its rounding ([`Rounding`]); callers pick the one
//! that favours the protocol.
//!
//! Invariants: nothing here panics on overflow; every fallible operation returns `None` and the
//! caller turns it into its own typed error. No floating point (`clippy::float_arithmetic` is
//! denied).
#![deny(clippy::float_arithmetic)]

pub use alloy_primitives::{Address, B256, U256, U512, address, keccak256};

/// 1e18: the scale of WAD fixed-point ratios.
pub const WAD: U256 = U256::from_limbs([1_000_000_000_000_000_000, 0, 0, 0]);
/// Ten thousand basis points make one.
pub const BPS_ONE: u16 = 10_000;
/// Seconds in a protocol day.
pub const DAY_S: u64 = 86_400;
/// Seconds in a protocol year (365 days; leap days are not protocol time).
pub const YEAR_S: u64 = 365 * DAY_S;

/// Which way a division rounds. Each call site chooses the direction that favours the protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounding {
    /// Toward zero.
    Down,
    /// Away from zero.
    Up,
}

/// `a * b / d` with a 512-bit intermediate, so the product never overflows.
///
/// Returns `None` when `d` is zero or when the result does not fit in 256 bits.
pub fn mul_div(a: U256, b: U256, d: U256, rounding: Rounding) -> Option<U256> {
    if d.is_zero() {
        return None;
    }
    let product: U512 = a.widening_mul(b);
    let d512 = U512::from(d);
    let (q, r) = product.div_rem(d512);
    let q =
        if rounding == Rounding::Up && !r.is_zero() { q.checked_add(U512::from(1u8))? } else { q };
    U256::checked_from_limbs_slice(q.as_limbs())
}

/// Integer square root, rounded down: the largest `r` with `r * r <= n`.
pub fn isqrt(n: U256) -> U256 {
    n.root(2)
}

/// Basis points: a ratio in units of 1/10,000. Construction refuses values above one unless the
/// caller uses [`Bps::new_unbounded`] for ratios that may exceed 100% (e.g. multipliers).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct Bps(u16);

impl Bps {
    /// Zero.
    pub const ZERO: Bps = Bps(0);
    /// One hundred percent.
    pub const ONE: Bps = Bps(BPS_ONE);

    /// A ratio at most one (10,000 bps).
    pub const fn new(bps: u16) -> Option<Bps> {
        if bps <= BPS_ONE { Some(Bps(bps)) } else { None }
    }

    /// A ratio that may exceed one.
    pub const fn new_unbounded(bps: u16) -> Bps {
        Bps(bps)
    }

    /// The raw value.
    pub const fn get(self) -> u16 {
        self.0
    }

    /// `amount * self / 10,000` with the given rounding.
    pub fn of(self, amount: U256, rounding: Rounding) -> Option<U256> {
        mul_div(amount, U256::from(self.0), U256::from(BPS_ONE), rounding)
    }
}

impl std::fmt::Display for Bps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} bps", self.0)
    }
}

/// Formats base units with `decimals` decimals, trimming trailing zeros ("1.5", "100").
pub fn format_units(amount: U256, decimals: u8) -> String {
    let scale = U256::from(10u8).pow(U256::from(decimals));
    let (int, frac) = amount.div_rem(scale);
    if frac.is_zero() {
        return int.to_string();
    }
    let frac = format!("{:0>width$}", frac.to_string(), width = decimals as usize);
    format!("{int}.{}", frac.trim_end_matches('0'))
}

/// Parses a decimal string with up to `decimals` fractional digits into base units.
pub fn parse_units(text: &str, decimals: u8) -> Option<U256> {
    let text = text.trim();
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, f),
        None => (text, ""),
    };
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if frac.len() > decimals as usize
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let scale = U256::from(10u8).pow(U256::from(decimals));
    let int = if int.is_empty() { U256::ZERO } else { U256::from_str_radix(int, 10).ok()? };
    let frac_scaled = if frac.is_empty() {
        U256::ZERO
    } else {
        let f = U256::from_str_radix(frac, 10).ok()?;
        f.checked_mul(U256::from(10u8).pow(U256::from(decimals as usize - frac.len())))?
    };
    int.checked_mul(scale)?.checked_add(frac_scaled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn mul_div_rounds_as_asked() {
        let (a, b, d) = (U256::from(7u8), U256::from(3u8), U256::from(2u8));
        assert_eq!(mul_div(a, b, d, Rounding::Down), Some(U256::from(10u8)));
        assert_eq!(mul_div(a, b, d, Rounding::Up), Some(U256::from(11u8)));
        assert_eq!(mul_div(a, b, U256::ZERO, Rounding::Down), None);
        // Intermediate overflow is fine, result overflow is not.
        assert_eq!(mul_div(U256::MAX, U256::MAX, U256::MAX, Rounding::Down), Some(U256::MAX));
        assert_eq!(mul_div(U256::MAX, U256::from(2u8), U256::from(1u8), Rounding::Down), None);
    }

    #[test]
    fn isqrt_examples() {
        assert_eq!(isqrt(U256::ZERO), U256::ZERO);
        assert_eq!(isqrt(U256::from(15u8)), U256::from(3u8));
        assert_eq!(isqrt(U256::from(16u8)), U256::from(4u8));
        assert_eq!(isqrt(U256::MAX), U256::from(u128::MAX));
    }

    #[test]
    fn units_round_trip() {
        assert_eq!(parse_units("1.5", 18), Some(U256::from(1_500_000_000_000_000_000u128)));
        assert_eq!(format_units(U256::from(1_500_000_000_000_000_000u128), 18), "1.5");
        assert_eq!(parse_units("100", 6), Some(U256::from(100_000_000u64)));
        assert_eq!(parse_units("0.1234567", 6), None);
        assert_eq!(parse_units("-1", 6), None);
        assert_eq!(parse_units("", 6), None);
    }

    proptest! {
        #[test]
        fn isqrt_is_floor(n in any::<u128>()) {
            let n = U256::from(n);
            let r = isqrt(n);
            prop_assert!(r * r <= n);
            prop_assert!((r + U256::from(1u8)) * (r + U256::from(1u8)) > n);
        }

        #[test]
        fn mul_div_matches_u128(a in any::<u64>(), b in any::<u64>(), d in 1u64..) {
            let exact = (a as u128) * (b as u128);
            let down = exact / d as u128;
            let up = down + u128::from(!exact.is_multiple_of(d as u128));
            prop_assert_eq!(mul_div(U256::from(a), U256::from(b), U256::from(d), Rounding::Down), Some(U256::from(down)));
            prop_assert_eq!(mul_div(U256::from(a), U256::from(b), U256::from(d), Rounding::Up), Some(U256::from(up)));
        }

        #[test]
        fn units_format_parse(v in any::<u128>()) {
            let v = U256::from(v);
            prop_assert_eq!(parse_units(&format_units(v, 18), 18), Some(v));
        }
    }
}
