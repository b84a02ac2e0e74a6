//! Integration tests of hoard-keystore: the specification's vectors, round trips, refusals,
//! the key directory, and interoperability with Python's eth-account.

// Helpers outside `#[test]` functions panic on purpose: a panic is a test failure.
#![allow(clippy::unwrap_used)]

mod dir;
mod eth_account;
mod refusals;
mod roundtrip;
mod vectors;

/// The private key of the Web3 Secret Storage Definition's test vectors.
pub const VECTOR_SECRET: &str = "7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d";
/// Its address, as given by the specification.
pub const VECTOR_ADDRESS: &str = "008aeeda4d805471df9b2a5b0f38a0c3bcba786b";

pub fn vector_secret() -> [u8; 32] {
    hex::decode(VECTOR_SECRET).unwrap().try_into().unwrap()
}
