//! Figures as people read them, shared by the JSON API's `*_display` and `*_iso` fields and the
//! dashboard: token amounts in whole tokens, exact (integer arithmetic, never floats), with
//! thousands separators and the symbol; unix seconds as UTC ISO 8601; durations in days, hours,
//! minutes and seconds.

use alloy_primitives::{Address, I256, U256};
use hoard_core::command::Command;

/// Decimals of ICY and DFG.
pub const TOKEN_DECIMALS: u8 = 18;

/// Puts a comma between every group of three digits of a run of decimal digits.
pub fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// An 18-decimal token amount in whole tokens, exact, with thousands separators
/// (`1,234,567.5`); trailing zeros of the fraction are trimmed.
pub fn tokens(amount: U256) -> String {
    let text = hoard_primitives::format_units(amount, TOKEN_DECIMALS);
    match text.split_once('.') {
        Some((int, frac)) => format!("{}.{frac}", group_thousands(int)),
        None => group_thousands(&text),
    }
}

/// An amount of an asset with `decimals` decimals, with thousands separators and its symbol
/// (`1,234.5 USDC`), exact; trailing zeros of the fraction are trimmed.
pub fn units(amount: U256, decimals: u8, symbol: &str) -> String {
    format!("{} {symbol}", units_number(amount, decimals))
}

/// [`units`] without the symbol (`1,234.5`).
pub fn units_number(amount: U256, decimals: u8) -> String {
    let text = hoard_primitives::format_units(amount, decimals);
    match text.split_once('.') {
        Some((int, frac)) => format!("{}.{frac}", group_thousands(int)),
        None => group_thousands(&text),
    }
}

/// A signed amount (a pool's `Swap` amounts: positive into the pool) as [`units`], with a
/// minus sign when negative (`-14.3 USDC`).
pub fn signed_units(amount: I256, decimals: u8, symbol: &str) -> String {
    let sign = if amount.is_negative() { "-" } else { "" };
    format!("{sign}{}", units(amount.unsigned_abs(), decimals, symbol))
}

/// A fee in pips (millionths) as a percentage, exact: `3000` is `0.3 %`.
pub fn fee_percent(pips: u32) -> String {
    let (whole, frac) = (pips / 10_000, pips % 10_000);
    if frac == 0 {
        return format!("{whole} %");
    }
    let frac = format!("{frac:04}");
    format!("{whole}.{} %", frac.trim_end_matches('0'))
}

/// Significant digits of a human price ([`price_of_sqrt`]).
pub const PRICE_DIGITS: usize = 8;

/// Wide enough for a squared `uint160` times the decimal scalings of any price.
type Wide = alloy_primitives::Uint<1024, 16>;

/// `num / den` in decimal, truncated toward zero, with at least `digits` significant digits
/// (the whole integer part when it is longer), thousands separators on the integer part and
/// trailing zeros of the fraction trimmed; `0` for zero. Integers only.
fn ratio(num: Wide, den: Wide, digits: usize) -> String {
    if num.is_zero() || den.is_zero() {
        return "0".to_string();
    }
    let ten = Wide::from(10u8);
    let floor = ten.pow(Wide::from(digits.saturating_sub(1)));
    // Decimal places: the fewest that give `digits` significant digits (bounded: a price's
    // smallest value needs about 70).
    let mut scale = 0usize;
    let mut scaled = num;
    while scaled / den < floor && scale < 120 {
        scaled *= ten;
        scale += 1;
    }
    let text = (scaled / den).to_string();
    let (int, frac) =
        if text.len() > scale { text.split_at(text.len() - scale) } else { ("0", text.as_str()) };
    let frac = format!("{frac:0>scale$}");
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() { group_thousands(int) } else { format!("{}.{frac}", group_thousands(int)) }
}

/// The price of a pool's `sqrtPriceX96` for people: token1 per token0 in whole tokens
/// (`(sqrtPriceX96 / 2^96)^2 * 10^(decimals0 - decimals1)`), or token0 per token1 when
/// `invert`; [`PRICE_DIGITS`] significant digits, truncated, integers only.
pub fn price_of_sqrt(sqrt_price_x96: U256, decimals0: u8, decimals1: u8, invert: bool) -> String {
    let sqrt = Wide::from(sqrt_price_x96);
    let ten = Wide::from(10u8);
    let squared = sqrt * sqrt * ten.pow(Wide::from(decimals0));
    let q192 = (Wide::from(1u8) << 192) * ten.pow(Wide::from(decimals1));
    if invert { ratio(q192, squared, PRICE_DIGITS) } else { ratio(squared, q192, PRICE_DIGITS) }
}

/// An amount with its symbol: `12.5 ICY`.
pub fn amount(amount: U256, symbol: &str) -> String {
    format!("{} {symbol}", tokens(amount))
}

/// A whole number with thousands separators.
pub fn count(n: impl Into<u128>) -> String {
    group_thousands(&n.into().to_string())
}

/// Last second of year 9999; later times are shown as raw unix seconds.
pub const ISO_SECONDS_MAX: u64 = 253_402_300_799;

/// Unix seconds as a UTC ISO 8601 date and time (`2026-11-21T08:18:19Z`); beyond year 9999,
/// `unix N`.
pub fn iso_time(unix_s: u64) -> String {
    if unix_s > ISO_SECONDS_MAX {
        return format!("unix {unix_s}");
    }
    let days = unix_s / 86_400;
    let rem = unix_s % 86_400;
    let (y, m, d) = civil_date(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem / 60 % 60, rem % 60)
}

/// Year, month, day of a count of days since 1970-01-01 (proleptic Gregorian calendar), by
/// counting 400-year eras of 146,097 days from 0000-03-01, so that the leap day ends a year.
fn civil_date(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468; // days from 0000-03-01 to 1970-01-01
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 { month_from_march + 3 } else { month_from_march - 9 };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

/// A duration in seconds as `1d 2h 3m 4s` (zero parts left out; `0s` for zero).
pub fn duration(seconds: u64) -> String {
    let parts = [
        (seconds / 86_400, "d"),
        (seconds / 3_600 % 24, "h"),
        (seconds / 60 % 60, "m"),
        (seconds % 60, "s"),
    ];
    let text: Vec<String> = parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{}{unit}", count(*n)))
        .collect();
    if text.is_empty() { "0s".to_string() } else { text.join(" ") }
}

/// `part / whole` as a percentage with two decimals, truncated (`60.00 %`); `whole` zero gives
/// `0.00 %`.
pub fn percent(part: U256, whole: U256) -> String {
    if whole.is_zero() {
        return "0.00 %".to_string();
    }
    let hundredths = part.saturating_mul(U256::from(10_000u64)) / whole;
    let whole_part = hundredths / U256::from(100u8);
    let frac = hundredths % U256::from(100u8);
    format!("{whole_part}.{frac:0>2} %")
}

/// The engine's rejection message with its base-unit amounts in whole tokens and its unix
/// times in ISO 8601, for the rejections whose every number is one of those; `None` for the
/// others (shown as recorded).
pub fn readable_rejection(code: &str, message: &str, symbol: Option<&str>) -> Option<String> {
    enum Number<'a> {
        Amount(&'a str),
        Time,
    }
    let kind = match code {
        "token.insufficient_balance" | "token.insufficient_allowance" => Number::Amount(symbol?),
        "icy.cap_exceeded" | "icy.inflation_exceeded" | "icy.minter_allowance_exceeded" => {
            Number::Amount("ICY")
        }
        "pause.paused"
        | "pause.already_paused"
        | "pause.set_by_governance"
        | "pause.guardian_cooling_down"
        | "access.grant_not_yet_acceptable"
        | "access.grant_expired"
        | "diamond.cut_timelocked"
        | "diamond.cut_expired"
        | "token.faucet_cooling_down" => Number::Time,
        _ => return None,
    };
    let mut out = String::with_capacity(message.len() + 32);
    let mut rest = message;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        out.push_str(&rest[..start]);
        let digits = &rest[start..];
        let end = digits.find(|c: char| !c.is_ascii_digit()).unwrap_or(digits.len());
        let number = &digits[..end];
        match &kind {
            Number::Amount(symbol) => {
                out.push_str(&amount(U256::from_str_radix(number, 10).ok()?, symbol))
            }
            Number::Time => out.push_str(&iso_time(number.parse().ok()?)),
        }
        rest = &digits[end..];
    }
    out.push_str(rest);
    Some(out)
}

/// The token symbol a command's amounts are in, when it says (ICY and DFG by their token
/// addresses).
pub fn command_symbol(command: &Command, icy: &Address, dfg: &Address) -> Option<&'static str> {
    let token = |t: &Address| {
        if t == icy {
            Some("ICY")
        } else if t == dfg {
            Some("DFG")
        } else {
            None
        }
    };
    match command {
        Command::Transfer(c) => token(&c.token),
        Command::Approve(c) => token(&c.token),
        Command::TransferFrom(c) => token(&c.token),
        Command::Burn(_) | Command::Mint(_) | Command::SetMinter(_) => Some("ICY"),
        Command::CreateVesting(_) => Some("DFG"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(n: u64) -> U256 {
        U256::from(n) * U256::from(10u64).pow(U256::from(18u8))
    }

    #[test]
    fn groups_thousands_and_keeps_fractions_exact() {
        assert_eq!(group_thousands("0"), "0");
        assert_eq!(group_thousands("999"), "999");
        assert_eq!(group_thousands("1000"), "1,000");
        assert_eq!(group_thousands("100000000"), "100,000,000");
        assert_eq!(tokens(whole(1_234_567)), "1,234,567");
        assert_eq!(tokens(whole(15) / U256::from(10u8)), "1.5");
        assert_eq!(tokens(U256::from(1u8)), "0.000000000000000001");
        assert_eq!(tokens(whole(1_000) + U256::from(1u8)), "1,000.000000000000000001");
        assert_eq!(amount(whole(25) / U256::from(2u8), "ICY"), "12.5 ICY");
        assert_eq!(
            tokens(U256::MAX),
            "115,792,089,237,316,195,423,570,985,008,687,907,853,269,984,665,640,564,039,457.\
             584007913129639935"
        );
    }

    #[test]
    fn fees_signed_amounts_and_prices_are_exact() {
        assert_eq!(fee_percent(3000), "0.3 %");
        assert_eq!(fee_percent(2500), "0.25 %");
        assert_eq!(fee_percent(100), "0.01 %");
        assert_eq!(fee_percent(10_000), "1 %");
        assert_eq!(fee_percent(0), "0 %");
        let minus = I256::try_from(-14_300_000i64).expect("fits");
        assert_eq!(signed_units(minus, 6, "USDC"), "-14.3 USDC");
        assert_eq!(signed_units(-minus, 6, "USDC"), "14.3 USDC");
        // sqrtPriceX96 = 2^96 is one base unit of token1 per base unit of token0.
        let one = U256::ONE << 96;
        assert_eq!(price_of_sqrt(one, 18, 18, false), "1");
        assert_eq!(price_of_sqrt(one, 18, 6, false), "1,000,000,000,000");
        assert_eq!(price_of_sqrt(one, 6, 18, false), "0.000000000001");
        assert_eq!(price_of_sqrt(one, 6, 18, true), "1,000,000,000,000");
        // Twice the square root is four times the price; half of it a quarter.
        assert_eq!(price_of_sqrt(one << 1, 8, 8, false), "4");
        assert_eq!(price_of_sqrt(one >> 1, 8, 8, false), "0.25");
        // A third: eight significant digits, truncated.
        let third: U256 = (U256::ONE << 192) / U256::from(3u8);
        assert_eq!(ratio(Wide::from(1u8), Wide::from(3u8), PRICE_DIGITS), "0.33333333");
        assert_eq!(ratio(Wide::from(2u8), Wide::from(3u8), PRICE_DIGITS), "0.66666666");
        assert_eq!(ratio(Wide::from(200_000_001u64), Wide::from(3u8), 8), "66,666,667");
        assert!(price_of_sqrt(third.root(2), 0, 0, false).starts_with("0.3333333"));
        // The extremes of the tick range stay exact and bounded.
        let min = hoard_clmm::math::tick_math::MIN_SQRT_RATIO;
        let max = hoard_clmm::math::tick_math::MAX_SQRT_RATIO;
        let tiny = price_of_sqrt(min, 0, 18, false);
        let significant = tiny.trim_start_matches("0.").trim_start_matches('0');
        assert!(
            tiny.starts_with("0.000") && (1..=PRICE_DIGITS).contains(&significant.len()),
            "{tiny}"
        );
        let huge = price_of_sqrt(max, 18, 0, false);
        assert!(!huge.contains('.') && huge.len() > 70, "{huge}");
    }

    #[test]
    fn iso_dates_match_known_instants() {
        assert_eq!(iso_time(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_time(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(iso_time(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(iso_time(4_107_542_399), "2100-02-28T23:59:59Z");
        assert_eq!(iso_time(ISO_SECONDS_MAX), "9999-12-31T23:59:59Z");
        assert_eq!(iso_time(u64::MAX), format!("unix {}", u64::MAX));
    }

    #[test]
    fn durations_and_percentages() {
        assert_eq!(duration(0), "0s");
        assert_eq!(duration(59), "59s");
        assert_eq!(duration(3_600), "1h");
        assert_eq!(duration(90_061), "1d 1h 1m 1s");
        assert_eq!(duration(15_552_000), "180d");
        assert_eq!(percent(whole(60), whole(100)), "60.00 %");
        assert_eq!(percent(U256::from(1u8), U256::from(3u8)), "33.33 %");
        assert_eq!(percent(U256::from(2u8), U256::from(3u8)), "66.66 %", "truncated");
        assert_eq!(percent(U256::from(1u8), U256::ZERO), "0.00 %");
    }

    #[test]
    fn rejections_read_in_whole_tokens_and_iso_times() {
        let unit = "000000000000000000";
        let message =
            format!("insufficient balance: has 5000000{unit}, needs 125{}", "0".repeat(17));
        assert_eq!(
            readable_rejection("token.insufficient_balance", &message, Some("ICY")).as_deref(),
            Some("insufficient balance: has 5,000,000 ICY, needs 12.5 ICY")
        );
        // The token of a balance rejection comes from the command; unknown, nothing is guessed.
        assert_eq!(readable_rejection("token.insufficient_balance", &message, None), None);
        assert_eq!(
            readable_rejection(
                "icy.inflation_exceeded",
                &format!(
                    "minting 1{unit} would exceed this protocol year's inflation limit (0 left)"
                ),
                None
            )
            .as_deref(),
            Some("minting 1 ICY would exceed this protocol year's inflation limit (0 ICY left)")
        );
        assert_eq!(
            readable_rejection("pause.paused", "the protocol is paused until 1700000000", None)
                .as_deref(),
            Some("the protocol is paused until 2023-11-14T22:13:20Z")
        );
        // Other rejections keep their text: their numbers are not amounts.
        assert_eq!(
            readable_rejection(
                "pause.duration_out_of_range",
                "a pause lasts 1 s to 259200 s for this caller, not 262800 s",
                None
            ),
            None
        );
    }
}
