//! Helpers shared by the test modules.
#![allow(dead_code)]

use alloy_primitives::{U256, U512};

/// `encodePriceSqrt(reserve1, reserve0)` of Uniswap's test utilities: floor(sqrt(r1 / r0) * 2^96),
/// computed exactly with an integer square root.
pub fn encode_price_sqrt(reserve1: u128, reserve0: u128) -> U256 {
    let num: U512 = U512::from(reserve1) << 192;
    let q = num / U512::from(reserve0);
    let r = q.root(2);
    U256::from_limbs([r.as_limbs()[0], r.as_limbs()[1], r.as_limbs()[2], r.as_limbs()[3]])
}

pub fn u(s: &str) -> U256 {
    U256::from_str_radix(s, 10).unwrap()
}

pub fn e18(n: u128) -> U256 {
    U256::from(n) * U256::from(10u128.pow(18))
}
