//! Parsing of user-supplied output script descriptors (BIP-380 to BIP-385): checksum check, the
//! miniscript-covered forms (`pk`, `pkh`, `wpkh`, `sh`, `wsh`, `multi`, `sortedmulti`, `tr`) and
//! the `raw(HEX)` / `addr(ADDR)` forms of BIP-385 that miniscript does not cover.

use core::str::FromStr;

use bitcoin::hex::FromHex;
use bitcoin::{Address, Network, ScriptBuf};
use miniscript::Descriptor;
use miniscript::descriptor::{DescriptorPublicKey, KeyMap, checksum};

use crate::address::parse_address;
use crate::error::{BtcError, Result};

/// Longest descriptor text accepted.
pub const DESCRIPTOR_LEN_MAX: usize = 16 * 1024;

/// A parsed descriptor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParsedDescriptor {
    /// A miniscript descriptor. Private keys, if the text had any, were moved to `secrets`.
    Miniscript {
        /// The public descriptor.
        descriptor: Box<Descriptor<DescriptorPublicKey>>,
        /// Private keys found in the text (for tests and vectors; never logged).
        secrets: KeyMap,
    },
    /// `raw(HEX)`: a literal output script.
    Raw(ScriptBuf),
    /// `addr(ADDR)`: the output script of an address.
    Addr(ScriptBuf),
}

impl ParsedDescriptor {
    /// The output script at `index` (ignored for descriptors without wildcard).
    pub fn script_pubkey_at(&self, index: u32) -> Result<ScriptBuf> {
        match self {
            Self::Raw(s) | Self::Addr(s) => Ok(s.clone()),
            Self::Miniscript { descriptor, .. } => Ok(descriptor
                .at_derivation_index(index)
                .map_err(|e| BtcError::InvalidDescriptor(e.to_string()))?
                .script_pubkey()),
        }
    }
}

/// How strictly to treat the checksum suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChecksumRule {
    /// A checksum must be present and correct (what Hoard requires of descriptors it imports).
    Required,
    /// A checksum, if present, must be correct.
    IfPresent,
}

/// Parses a descriptor. `network` is used for `addr()` (an address of another network is
/// refused); hardened derivation below an xpub and other non-derivable forms are refused by
/// miniscript.
pub fn parse_descriptor(
    text: &str,
    network: Network,
    rule: ChecksumRule,
) -> Result<ParsedDescriptor> {
    if text.len() > DESCRIPTOR_LEN_MAX {
        return Err(BtcError::InvalidDescriptor(format!("longer than {DESCRIPTOR_LEN_MAX} bytes")));
    }
    let body = match text.find('#') {
        Some(_) => checksum::verify_checksum(text)
            .map_err(|e| BtcError::DescriptorChecksum(e.to_string()))?,
        None if rule == ChecksumRule::Required => {
            return Err(BtcError::DescriptorChecksum("missing checksum".into()));
        }
        None => {
            // The character set check of BIP-380 applies with or without checksum.
            checksum::Engine::new()
                .input(text)
                .map_err(|e| BtcError::InvalidDescriptor(e.to_string()))?;
            text
        }
    };
    if let Some(inner) = strip_call(body, "raw") {
        let bytes = Vec::<u8>::from_hex(inner)
            .map_err(|e| BtcError::InvalidDescriptor(format!("raw(): {e}")))?;
        return Ok(ParsedDescriptor::Raw(ScriptBuf::from_bytes(bytes)));
    }
    if let Some(inner) = strip_call(body, "addr") {
        let addr: Address = parse_address(inner, network)?;
        return Ok(ParsedDescriptor::Addr(addr.script_pubkey()));
    }
    let (descriptor, secrets) =
        Descriptor::<DescriptorPublicKey>::parse_descriptor(secp256k1::SECP256K1, body)
            .map_err(|e| BtcError::InvalidDescriptor(e.to_string()))?;
    descriptor.sanity_check().map_err(|e| BtcError::InvalidDescriptor(e.to_string()))?;
    Ok(ParsedDescriptor::Miniscript { descriptor: Box::new(descriptor), secrets })
}

/// Appends the BIP-380 checksum to a descriptor body.
pub fn with_checksum(body: &str) -> Result<String> {
    let mut eng = checksum::Engine::new();
    eng.input(body).map_err(|e| BtcError::InvalidDescriptor(e.to_string()))?;
    Ok(format!("{body}#{}", eng.checksum()))
}

fn strip_call<'a>(s: &'a str, name: &str) -> Option<&'a str> {
    s.strip_prefix(name)?.strip_prefix('(')?.strip_suffix(')')
}

impl FromStr for ParsedDescriptor {
    type Err = BtcError;

    /// Parses with [`ChecksumRule::IfPresent`] on mainnet.
    fn from_str(s: &str) -> Result<Self> {
        parse_descriptor(s, Network::Bitcoin, ChecksumRule::IfPresent)
    }
}
