//! Address validation of user input for the network in use.

use core::str::FromStr;

use bitcoin::address::{NetworkUnchecked, ParseError};
use bitcoin::{Address, AddressType, Network};

use crate::error::{BtcError, Result};

/// Longest address text accepted (bech32 limit is 90 characters).
pub const ADDRESS_LEN_MAX: usize = 90;

/// Parses and checks an address for `network`.
///
/// Refuses, each with its own error: text that is not an address (`btc.invalid_address`), a bad
/// base58 or bech32 checksum (`btc.address_checksum`), an address of another network
/// (`btc.address_wrong_network`; testnet, testnet4 and signet share their encodings and cannot be
/// told apart), and witness versions Hoard does not pay to (`btc.address_unsupported`).
pub fn parse_address(text: &str, network: Network) -> Result<Address> {
    let text = text.trim();
    if text.is_empty() || text.len() > ADDRESS_LEN_MAX {
        return Err(BtcError::InvalidAddress(format!("length {} out of range", text.len())));
    }
    let unchecked: Address<NetworkUnchecked> =
        Address::from_str(text).map_err(|e| classify(text, e))?;
    let address = unchecked.require_network(network).map_err(|_| {
        BtcError::AddressWrongNetwork { address: text.to_string(), network: network.to_string() }
    })?;
    match address.address_type() {
        Some(
            AddressType::P2pkh
            | AddressType::P2sh
            | AddressType::P2wpkh
            | AddressType::P2wsh
            | AddressType::P2tr,
        ) => Ok(address),
        Some(other) => Err(BtcError::AddressUnsupported(format!("{text}: {other}"))),
        None => Err(BtcError::AddressUnsupported(format!("{text}: unknown witness program"))),
    }
}

fn classify(text: &str, e: ParseError) -> BtcError {
    let detail = e.to_string();
    let lower = text.to_ascii_lowercase();
    let bech32 = ["bc1", "tb1", "bcrt1"].iter().any(|p| lower.starts_with(p));
    // `Address::from_str` falls back to base58 when bech32 decoding fails, which hides the
    // bech32 error: decode again to tell a checksum mismatch from other faults.
    let checksum = if bech32 {
        bitcoin::bech32::segwit::decode(text)
            .err()
            .is_some_and(|d| format!("{d:?}").to_ascii_lowercase().contains("checksum"))
    } else {
        matches!(&e, ParseError::Base58(b) if format!("{b:?}").to_ascii_lowercase().contains("checksum"))
    };
    if checksum {
        BtcError::AddressChecksum(format!("{text}: {detail}"))
    } else {
        BtcError::InvalidAddress(format!("{text}: {detail}"))
    }
}
