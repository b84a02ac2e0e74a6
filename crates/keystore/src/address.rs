//! Ethereum addresses of secp256k1 private keys.

use alloy_primitives::keccak256;
use secp256k1::{PublicKey, SECP256K1, SecretKey};

use crate::error::{Error, Result};

/// The Ethereum address of a private key: the last 20 bytes of keccak256 of the uncompressed
/// public key without its `0x04` prefix. Refuses zero and values not below the curve order.
pub fn address_of(secret: &[u8; 32]) -> Result<[u8; 20]> {
    let mut sk = SecretKey::from_slice(secret).map_err(|_| Error::InvalidSecretKey)?;
    let public = PublicKey::from_secret_key(SECP256K1, &sk).serialize_uncompressed();
    sk.non_secure_erase();
    let hash = keccak256(&public[1..]);
    let mut address = [0u8; 20];
    address.copy_from_slice(&hash[12..]);
    Ok(address)
}

/// Lowercase hex without `0x`, as geth writes addresses in key files and file names.
pub fn address_hex(address: &[u8; 20]) -> String {
    hex::encode(address)
}

/// Parses an address written as hex, with or without `0x`, in any case.
pub fn parse_address(s: &str) -> Result<[u8; 20]> {
    crate::keystore::decode_hex("address", s)?
        .try_into()
        .map_err(|_| Error::Malformed { field: "address", reason: "not 20 bytes" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_one_has_the_well_known_address() {
        // The private key 1 maps to 0x7e5f4552091a69125d5dfcb7b8c2659029395bdf (G's address).
        let mut one = [0u8; 32];
        one[31] = 1;
        assert_eq!(
            address_hex(&address_of(&one).unwrap()),
            "7e5f4552091a69125d5dfcb7b8c2659029395bdf"
        );
    }

    #[test]
    fn zero_and_order_are_refused() {
        assert!(matches!(address_of(&[0u8; 32]), Err(Error::InvalidSecretKey)));
        assert!(matches!(address_of(&[0xff; 32]), Err(Error::InvalidSecretKey)));
    }

    #[test]
    fn parse_address_forms() {
        let a = parse_address("0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf").unwrap();
        assert_eq!(parse_address("7e5f4552091a69125d5dfcb7b8c2659029395bdf").unwrap(), a);
        assert!(parse_address("7e5f").is_err());
    }
}
