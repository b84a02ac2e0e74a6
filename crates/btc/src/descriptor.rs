//! Parsing of user-supplied output script descriptors (BIP-380 to BIP-385): checksum check, the
//! miniscript-covered forms (`pk`, `pkh`, `wpkh`, `sh`, `wsh`, `multi`, `sortedmulti`, `tr`) and
//! the `raw(HEX)` / `addr(ADDR)` forms of BIP-385 that miniscript does not cover.

use core::str::FromStr;

use bitcoin::bip32::DerivationPath;
use bitcoin::hex::FromHex;
use bitcoin::{Address, Network, ScriptBuf};
use miniscript::Descriptor;
use miniscript::descriptor::{DescriptorPublicKey, KeyMap, Wildcard, checksum};

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
/// refused). Hardened derivation below an extended public key (`xpub/0/*h`, `xpub/1h/*`) is
/// refused with `btc.hardened_from_xpub`: a public key cannot derive hardened children. Other
/// non-derivable forms are refused by miniscript.
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
            .map_err(|e| miniscript_error(body, &e))?;
    descriptor.sanity_check().map_err(|e| miniscript_error(body, &e))?;
    check_public_derivation(&descriptor, &secrets)?;
    Ok(ParsedDescriptor::Miniscript { descriptor: Box::new(descriptor), secrets })
}

/// Refuses hardened derivation steps or a hardened wildcard below an extended public key. Keys
/// given as private keys are exempt here: their hardened steps were already applied to the
/// private key, and a hardened wildcard below one is refused when a script is derived.
fn check_public_derivation(
    descriptor: &Descriptor<DescriptorPublicKey>,
    secrets: &KeyMap,
) -> Result<()> {
    for key in descriptor.iter_pk() {
        if secrets.get(&key).is_some() {
            continue;
        }
        let (wildcard, paths): (Wildcard, Vec<&DerivationPath>) = match &key {
            DescriptorPublicKey::XPub(x) => (x.wildcard, vec![&x.derivation_path]),
            DescriptorPublicKey::MultiXPub(x) => {
                (x.wildcard, x.derivation_paths.paths().iter().collect())
            }
            DescriptorPublicKey::Single(_) => continue,
        };
        let step = paths.iter().flat_map(|p| p.into_iter()).find(|c| c.is_hardened());
        let what = match (wildcard, step) {
            (Wildcard::Hardened, _) => "a hardened wildcard (`*h`)".to_string(),
            (_, Some(c)) => format!("the hardened step `{c}`"),
            _ => continue,
        };
        return Err(BtcError::HardenedFromXpub(format!(
            "the key {key} derives {what} below an extended public key, and a public key cannot \
             derive hardened children: use unhardened steps (e.g. `/0/*`)"
        )));
    }
    Ok(())
}

/// A miniscript refusal, reworded where miniscript's text names the wrong thing (it says
/// "Taproot" for an uncompressed key in any SegWit context).
fn miniscript_error(body: &str, e: &miniscript::Error) -> BtcError {
    // miniscript does not export the context error type: its variant is read from `Debug`
    // (`UncompressedKeysNotAllowed`, `CompressedOnly(..)`), pinned by the tests.
    let uncompressed = match e {
        miniscript::Error::ContextError(c) => {
            let name = format!("{c:?}");
            name == "UncompressedKeysNotAllowed" || name.starts_with("CompressedOnly(")
        }
        _ => false,
    };
    if uncompressed {
        const V0: &str = "SegWit v0 scripts take compressed keys only";
        let context = [
            ("sh(wsh(", "sh(wsh()) (SegWit v0 nested in P2SH)", V0),
            ("sh(wpkh(", "sh(wpkh()) (SegWit v0 nested in P2SH)", V0),
            ("wsh(", "wsh (SegWit v0)", V0),
            ("wpkh(", "wpkh (SegWit v0)", V0),
            ("tr(", "tr (Taproot)", "Taproot takes x-only or compressed keys only"),
        ]
        .into_iter()
        .find(|(prefix, _, _)| body.starts_with(prefix));
        if let Some((_, name, why)) = context {
            return BtcError::InvalidDescriptor(format!(
                "an uncompressed public key cannot be used in a {name} descriptor: {why}"
            ));
        }
    }
    BtcError::InvalidDescriptor(e.to_string())
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
