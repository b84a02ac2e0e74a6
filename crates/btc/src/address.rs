//! Address validation of user input for the network in use.

use core::str::FromStr;

use bitcoin::address::{NetworkUnchecked, ParseError};
use bitcoin::{Address, AddressType, Network};

use crate::error::{BtcError, Result};

/// Longest address text accepted (bech32 limit is 90 characters).
pub const ADDRESS_LEN_MAX: usize = 90;

/// Parses and checks an address for `network`.
///
/// Refuses, each with its own error and a message naming what is wrong with the text: text that is
/// not an address (`btc.invalid_address`), a bad base58, bech32 or bech32m checksum
/// (`btc.address_checksum`), an address of another network
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

/// The 58 characters of base58 (no `0`, `O`, `I`, `l`).
const BASE58_ALPHABET: &str = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
/// Bytes of a base58check address: version, 20-byte hash, 4-byte checksum.
const BASE58_ADDRESS_LEN: usize = 25;

/// Why `text` is not an address, named for what it looks like. `Address::from_str` falls back to
/// base58 when bech32 decoding fails and reports a base58 error even for a mistyped `bc1...`
/// address: the text is decoded again here to tell which part is wrong.
fn classify(text: &str, e: ParseError) -> BtcError {
    let lower = text.to_ascii_lowercase();
    if ["bc1", "tb1", "bcrt1"].iter().any(|p| lower.starts_with(p)) {
        classify_segwit(text, &lower, &e)
    } else {
        classify_base58(text, &e)
    }
}

fn classify_segwit(text: &str, lower: &str, e: &ParseError) -> BtcError {
    use bitcoin::bech32::primitives::decode::{
        CharError, ChecksumError, SegwitHrpstringError as E, UncheckedHrpstringError,
    };
    let invalid = |why: String| BtcError::InvalidAddress(format!("the address {text} {why}"));
    let err = match bitcoin::bech32::segwit::decode(text) {
        Ok(_) => return invalid(format!("is not valid: {}", crate::error::describe(e))),
        Err(d) => d.0,
    };
    match err {
        E::Checksum(ChecksumError::InvalidResidue) => {
            // Witness version 0 uses bech32 (BIP-173), versions 1 to 16 bech32m (BIP-350).
            let v0 = lower.rsplit_once('1').is_some_and(|(_, data)| data.starts_with('q'));
            BtcError::AddressChecksum {
                address: text.to_string(),
                encoding: if v0 { "bech32" } else { "bech32m" },
            }
        }
        E::Checksum(ChecksumError::InvalidLength) => {
            invalid("is too short to hold a bech32 checksum".into())
        }
        E::Checksum(ChecksumError::CodeLength(_)) | E::TooLong(_) => {
            invalid(format!("is longer than the {ADDRESS_LEN_MAX} characters of a segwit address"))
        }
        E::Unchecked(UncheckedHrpstringError::Char(CharError::InvalidChar(c))) => {
            invalid(format!("contains '{c}', which is not a bech32 character"))
        }
        E::Unchecked(UncheckedHrpstringError::Char(CharError::MixedCase)) => {
            invalid("mixes upper and lower case letters".into())
        }
        E::Unchecked(UncheckedHrpstringError::Char(_)) | E::NoData => {
            invalid("has no witness program after its prefix".into())
        }
        E::InvalidWitnessVersion(v) => invalid(format!("has an invalid witness version {v}")),
        E::WitnessLength(w) => invalid(format!("has a witness program of a wrong length: {w}")),
        E::Padding(_) => invalid("has invalid padding in its witness program".into()),
        other => invalid(format!("is not a valid segwit address: {other}")),
    }
}

fn classify_base58(text: &str, e: &ParseError) -> BtcError {
    let invalid = |why: String| BtcError::InvalidAddress(format!("the address {text} {why}"));
    if let Some(c) = text.chars().find(|c| !BASE58_ALPHABET.contains(*c)) {
        return invalid(format!(
            "is not an address: '{c}' is not a base58 character and it has no segwit prefix \
             (bc1, tb1, bcrt1)"
        ));
    }
    match bitcoin::base58::decode(text) {
        Ok(bytes) if bytes.len() != BASE58_ADDRESS_LEN => invalid(format!(
            "is not an address: it decodes to {} bytes, a base58 address has {BASE58_ADDRESS_LEN}",
            bytes.len()
        )),
        Ok(_) if matches!(e, ParseError::Base58(bitcoin::base58::Error::IncorrectChecksum(_))) => {
            BtcError::AddressChecksum { address: text.to_string(), encoding: "base58" }
        }
        Ok(bytes) => match e {
            ParseError::InvalidLegacyPrefix(_) => invalid(format!(
                "has the version byte {:#04x}, which is neither P2PKH nor P2SH",
                bytes[0]
            )),
            other => invalid(format!("is not valid: {}", crate::error::describe(other))),
        },
        Err(_) => invalid(format!("is not valid base58: {}", crate::error::describe(e))),
    }
}
