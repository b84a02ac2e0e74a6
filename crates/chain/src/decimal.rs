//! Exact conversion of the decimal numbers that the APIs send (BTC amounts, fee rates) into
//! integers, without floating-point arithmetic.

/// Converts decimal text (`"0.0001"`, `"12"`, `"1e-5"`, `"1.5E-4"`) to an integer scaled by
/// `10^scale`. Rounds up when digits remain below the scale if `round_up`, else refuses them.
/// Negative numbers are refused.
pub fn scaled(text: &str, scale: u32, round_up: bool) -> Option<u128> {
    let t = text.trim();
    if t.starts_with('-') || t.is_empty() {
        return None;
    }
    let (mantissa, exp) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], t[i + 1..].parse::<i32>().ok()?),
        None => (t, 0),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((a, b)) => (a, b),
        None => (mantissa, ""),
    };
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits: String = format!("{int}{frac}");
    // value = digits * 10^(exp - frac.len()); scaled value = digits * 10^(exp - frac.len() + scale)
    let shift = exp
        .checked_sub(i32::try_from(frac.len()).ok()?)?
        .checked_add(i32::try_from(scale).ok()?)?;
    let digits = digits.trim_start_matches('0');
    if digits.is_empty() {
        return Some(0);
    }
    if digits.len() > 38 {
        return None;
    }
    let n: u128 = digits.parse().ok()?;
    if shift >= 0 {
        n.checked_mul(10u128.checked_pow(u32::try_from(shift).ok()?)?)
    } else {
        let div = 10u128.checked_pow(u32::try_from(-shift).ok()?)?;
        let (q, r) = (n / div, n % div);
        match (r, round_up) {
            (0, _) => Some(q),
            (_, true) => q.checked_add(1),
            (_, false) => None,
        }
    }
}

/// A BTC amount in decimal text to satoshis, exactly (more than 8 decimals is refused).
pub fn btc_to_sats(text: &str) -> Option<u64> {
    scaled(text, 8, false).and_then(|v| u64::try_from(v).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_exactly() {
        assert_eq!(btc_to_sats("0.00010000"), Some(10_000));
        assert_eq!(btc_to_sats("1"), Some(100_000_000));
        assert_eq!(btc_to_sats("21000000"), Some(2_100_000_000_000_000));
        assert_eq!(btc_to_sats("1e-5"), Some(1_000));
        assert_eq!(btc_to_sats("1.5E-4"), Some(15_000));
        assert_eq!(btc_to_sats("0.1"), Some(10_000_000));
        assert_eq!(btc_to_sats("0.123456789"), None);
        assert_eq!(btc_to_sats("-1"), None);
        assert_eq!(btc_to_sats("abc"), None);
        // sat/vB to sat/kvB, rounded up.
        assert_eq!(scaled("1.0011", 3, true), Some(1_002));
        assert_eq!(scaled("87.882", 3, true), Some(87_882));
        assert_eq!(scaled("0.00001", 8, true), Some(1_000));
    }
}
