//! Commands: one EIP-712 struct per command, signed by the sender (what `eth_signTypedData_v4`,
//! MetaMask, ethers, viem, web3.py and alloy produce).
//!
//! Domain: name `Hoard`, version `1`, the network's chain id, `verifyingContract` = the diamond.
//! Every struct ends with the sender's `nonce` and a `deadline` (unix seconds). The log stores a
//! command as its type id, its ABI encoding, the 65-byte signature and the recovered sender.

use alloy_primitives::{Address, B256, keccak256};
use alloy_sol_types::{Eip712Domain, SolStruct, SolValue};
use secp256k1::{
    Message, SECP256K1, SecretKey,
    ecdsa::{RecoverableSignature, RecoveryId},
};

use crate::rejection::TxInvalid;

/// What the log and the diamond know of a command type, declared beside its struct in its
/// facet's `commands.rs` with [`command_specs!`].
pub trait CommandSpec {
    /// Stable id in the log. Never reuse one.
    const TYPE_ID: u16;
    /// Solidity-style signature whose keccak gives the selector.
    const SIGNATURE: &'static str;
    /// Whether the pause refuses it.
    const PAUSABLE: bool;
}

/// Declares the type id and signature of each of a facet's command structs.
/// A command marked `pausable` is refused while the protocol is paused (everything that moves
/// tokens is).
macro_rules! command_specs {
    ($($id:literal => $name:ident, $sig:literal $(, $pausable:ident)?;)*) => {
        $(impl $crate::command::CommandSpec for $name {
            const TYPE_ID: u16 = $id;
            const SIGNATURE: &'static str = $sig;
            const PAUSABLE: bool = $crate::command::command_specs!(@pausable $($pausable)?);
        })*
    };
    (@pausable pausable) => { true };
    (@pausable) => { false };
}
pub(crate) use command_specs;
/// Static description of a command type.
#[derive(Clone, Copy, Debug)]
pub struct CommandInfo {
    /// Stable id in the log. Never reuse one.
    pub type_id: u16,
    /// EIP-712 primary type name.
    pub name: &'static str,
    /// The number of the facet that declares and executes it.
    pub facet: u8,
    /// Solidity-style signature whose keccak gives the selector.
    pub signature: &'static str,
    /// Whether the pause refuses it.
    pub pausable: bool,
}

impl CommandInfo {
    /// Whether only the node makes it (a system transaction).
    pub fn is_system(&self) -> bool {
        self.facet == crate::facets::ledger::state::FACET
    }
    /// The 4-byte selector (cached).
    pub fn selector(&self) -> [u8; 4] {
        COMMANDS
            .iter()
            .position(|c| c.type_id == self.type_id)
            .map_or_else(|| selector(self.signature), |i| selector_table()[i])
    }
}

/// Selectors of [`COMMANDS`], in order, computed once.
fn selector_table() -> &'static [[u8; 4]] {
    static SELECTORS: std::sync::OnceLock<Vec<[u8; 4]>> = std::sync::OnceLock::new();
    SELECTORS.get_or_init(|| COMMANDS.iter().map(|c| selector(c.signature)).collect())
}

impl Command {
    /// This command's selector (cached).
    pub fn selector(&self) -> [u8; 4] {
        selector_table()[self.index()]
    }
}

/// First four bytes of keccak256 of a Solidity-style signature.
pub fn selector(signature: &str) -> [u8; 4] {
    let h = keccak256(signature.as_bytes());
    [h[0], h[1], h[2], h[3]]
}

/// Builds [`Command`] and [`COMMANDS`] from the facet registry's list of every facet's commands.
macro_rules! commands {
    ($($facet:ident: [$($name:ident),* $(,)?];)*) => {
        $(pub use crate::facets::$facet::commands::*;)*

        /// Every command of the protocol.
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub enum Command { $($(#[allow(missing_docs)] $name($name),)*)* }

        /// Static information about every command type, in registry order.
        pub const COMMANDS: &[CommandInfo] = &[
            $($(CommandInfo {
                type_id: <$name as CommandSpec>::TYPE_ID,
                name: stringify!($name),
                facet: crate::facets::$facet::state::FACET,
                signature: <$name as CommandSpec>::SIGNATURE,
                pausable: <$name as CommandSpec>::PAUSABLE,
            },)*)*
        ];

        impl Command {
            /// Static information about this command's type.
            pub fn info(&self) -> &'static CommandInfo {
                &COMMANDS[self.index()]
            }
            /// Position of this command's type in [`COMMANDS`].
            pub fn index(&self) -> usize {
                let mut i = 0usize;
                $($(
                    if let Command::$name(_) = self { return i; }
                    i += 1;
                )*)*
                unreachable!("invariant: every variant is listed ({i} variants)")
            }
            /// Stable type id in the log.
            pub fn type_id(&self) -> u16 { match self { $($(Command::$name(_) => <$name as CommandSpec>::TYPE_ID,)*)* } }
            /// EIP-712 primary type name.
            pub fn name(&self) -> &'static str { match self { $($(Command::$name(_) => stringify!($name),)*)* } }
            /// The sender's nonce.
            pub fn nonce(&self) -> u64 { match self { $($(Command::$name(c) => c.nonce,)*)* } }
            /// Unix seconds after which the command is refused.
            pub fn deadline(&self) -> u64 { match self { $($(Command::$name(c) => c.deadline,)*)* } }
            /// The EIP-712 digest that the sender signs.
            pub fn signing_hash(&self, domain: &Eip712Domain) -> B256 {
                match self { $($(Command::$name(c) => c.eip712_signing_hash(domain),)*)* }
            }
            /// ABI encoding of the struct (the log's body format).
            pub fn abi_encode(&self) -> Vec<u8> { match self { $($(Command::$name(c) => c.abi_encode(),)*)* } }
            /// Decodes a command from its type id and ABI encoding.
            pub fn decode(type_id: u16, data: &[u8]) -> Result<Command, TxInvalid> {
                $($(if type_id == <$name as CommandSpec>::TYPE_ID {
                    return <$name as SolValue>::abi_decode(data).map(Command::$name)
                        .map_err(|e| TxInvalid::Malformed(format!("{} does not decode: {e}", stringify!($name))));
                })*)*
                Err(TxInvalid::Malformed(format!("unknown command type id {type_id}")))
            }
            /// Builds a command from its EIP-712 type name and JSON message
            /// (the `message` of `eth_signTypedData_v4`).
            pub fn from_json(name: &str, message: serde_json::Value) -> Result<Command, TxInvalid> {
                if !COMMANDS.iter().any(|c| c.name == name) {
                    return Err(TxInvalid::Malformed(format!("unknown command type {}", crate::rejection::echo(name))));
                }
                let message = canonical_message(name, message)?;
                match name {
                    $($(stringify!($name) => serde_json::from_value::<$name>(message).map(Command::$name)
                        .map_err(|e| TxInvalid::Malformed(format!("{} message: {e}", stringify!($name)))),)*)*
                    other => Err(TxInvalid::Malformed(format!("unknown command type {}", crate::rejection::echo(other)))),
                }
            }
            /// The JSON message (the inverse of [`Command::from_json`]): integers up to 64 bits
            /// as numbers, wider ones as decimal strings of base units.
            pub fn to_json(&self) -> serde_json::Value {
                let raw = match self { $($(Command::$name(c) => serde_json::to_value(c).expect("invariant: sol structs serialize"),)*)* };
                display_message(type_defs(self.name()).unwrap_or_default(), self.name(), raw)
            }
            /// EIP-712 `encodeType` of a command type by name.
            pub fn encode_type(name: &str) -> Option<String> {
                match name { $($(stringify!($name) => Some(<$name as SolStruct>::eip712_encode_type().into_owned()),)*)* _ => None }
            }
        }
    };
}

crate::facets::registry::every_facet!(commands);
/// Most elements of an array field of a JSON message.
pub const MESSAGE_ARRAY_LEN_MAX: usize = 1_024;

/// Validates a JSON message field by field against the EIP-712 types of command `name` and
/// rewrites it in the one form the struct decoder takes. Wallets send integers as JSON numbers,
/// decimal strings or 0x hex strings; all three are accepted, and nothing else: an empty string
/// or a bare `0x` is not zero. Every error names the field and what it expects, and quotes the
/// input cut to [`ECHO_CHARS_MAX`](crate::rejection::ECHO_CHARS_MAX) characters.
fn canonical_message(
    name: &str,
    message: serde_json::Value,
) -> Result<serde_json::Value, TxInvalid> {
    let defs = type_defs(name).unwrap_or_default();
    canonical_value(defs, name, name, message)
        .map_err(|e| TxInvalid::Malformed(format!("{name} message: {e}")))
}

fn canonical_value(
    defs: &[TypeDef],
    ty: &str,
    path: &str,
    value: serde_json::Value,
) -> Result<serde_json::Value, String> {
    use serde_json::Value;
    if let Some(element) = ty.strip_suffix("[]") {
        let Value::Array(items) = value else {
            return Err(format!("field `{path}`: expected an array of {element}"));
        };
        if items.len() > MESSAGE_ARRAY_LEN_MAX {
            return Err(format!(
                "field `{path}`: at most {MESSAGE_ARRAY_LEN_MAX} elements, got {}",
                items.len()
            ));
        }
        return items
            .into_iter()
            .enumerate()
            .map(|(i, item)| canonical_value(defs, element, &format!("{path}[{i}]"), item))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array);
    }
    if let Some(def) = defs.iter().find(|d| d.name == ty) {
        let Value::Object(mut map) = value else {
            return Err(format!("field `{path}`: expected an object ({ty})"));
        };
        let mut out = serde_json::Map::new();
        for field in &def.fields {
            let inner =
                if path == ty { field.name.clone() } else { format!("{path}.{}", field.name) };
            let v = map
                .remove(&field.name)
                .ok_or_else(|| format!("missing field `{inner}` ({})", field.ty))?;
            out.insert(field.name.clone(), canonical_value(defs, &field.ty, &inner, v)?);
        }
        if let Some(extra) = map.keys().next() {
            return Err(format!("unknown field {} in {ty}", crate::rejection::echo(extra)));
        }
        return Ok(Value::Object(out));
    }
    if let Some(bits) = ty.strip_prefix("int") {
        let bits: usize =
            bits.parse().map_err(|_| format!("field `{path}`: unsupported type {ty}"))?;
        let n = parse_int(&value, bits).map_err(|e| format!("field `{path}` ({ty}): {e}"))?;
        return Ok(Value::String(n.to_string()));
    }
    if let Some(bits) = ty.strip_prefix("uint") {
        let bits: usize =
            bits.parse().map_err(|_| format!("field `{path}`: unsupported type {ty}"))?;
        let n = parse_uint(&value, bits).map_err(|e| format!("field `{path}` ({ty}): {e}"))?;
        return Ok(if bits <= 64 {
            Value::from(n.to::<u64>())
        } else {
            Value::String(format!("{n:#x}"))
        });
    }
    let text = match &value {
        Value::String(s) => s.as_str(),
        _ if ty == "bool" => {
            return match value {
                Value::Bool(_) => Ok(value),
                _ => Err(format!("field `{path}`: expected true or false")),
            };
        }
        _ => return Err(format!("field `{path}`: expected a string ({ty})")),
    };
    match ty {
        "string" => Ok(value),
        "address" if hex_of_len(text, 20) => Ok(value.clone()),
        "address" => Err(format!(
            "field `{path}`: expected a 0x-prefixed 20-byte hex address, got {}",
            crate::rejection::echo(text)
        )),
        "bytes" if text.len() <= 2 + 2 * ACTION_BYTES_MAX && hex_of_even_len(text) => {
            Ok(value.clone())
        }
        "bytes" => Err(format!(
            "field `{path}`: expected 0x-prefixed hex of at most {ACTION_BYTES_MAX} bytes, got {}",
            crate::rejection::echo(text)
        )),
        _ => {
            let size: usize = ty
                .strip_prefix("bytes")
                .and_then(|n| n.parse().ok())
                .filter(|n| (1..=32).contains(n))
                .ok_or_else(|| format!("field `{path}`: unsupported type {ty}"))?;
            if hex_of_len(text, size) {
                return Ok(value.clone());
            }
            Err(format!(
                "field `{path}`: expected {size} bytes as 0x-prefixed hex ({} hex digits), got {}",
                2 * size,
                crate::rejection::echo(text)
            ))
        }
    }
}

/// Longest `bytes` field of a message (an encoded governance action).
pub const ACTION_BYTES_MAX: usize = 64 * 1024;

/// Whether `text` is `0x` followed by whole bytes of hex.
fn hex_of_even_len(text: &str) -> bool {
    text.len().is_multiple_of(2)
        && text.starts_with("0x")
        && text[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether `text` is `0x` followed by exactly `bytes` bytes of hex.
fn hex_of_len(text: &str, bytes: usize) -> bool {
    text.len() == 2 + 2 * bytes
        && text.starts_with("0x")
        && text[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// Parses a signed integer of `bits` bits from a JSON number or a decimal string (a leading
/// `-` for negatives; 0x hex for non-negative values).
fn parse_int(value: &serde_json::Value, bits: usize) -> Result<alloy_primitives::I256, String> {
    use alloy_primitives::{I256, U256};
    if !(8..=256).contains(&bits) || !bits.is_multiple_of(8) {
        return Err(format!("unsupported width {bits}"));
    }
    let n = match value {
        serde_json::Value::Number(n) => {
            n.as_i64().map(I256::try_from).and_then(Result::ok).ok_or_else(|| {
                format!("{n} is not a whole number (send large values as decimal strings)")
            })?
        }
        serde_json::Value::String(s) => {
            let (negative, digits) = match s.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, s.as_str()),
            };
            let magnitude = match digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")) {
                Some(hex) if !negative && !hex.is_empty() => U256::from_str_radix(hex, 16),
                _ if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) => {
                    return Err(format!("{} is not a whole number", crate::rejection::echo(s)));
                }
                _ => U256::from_str_radix(digits, 10),
            }
            .map_err(|_| format!("{} is out of range", crate::rejection::echo(s)))?;
            let n = I256::try_from(magnitude)
                .map_err(|_| format!("{} is out of range", crate::rejection::echo(s)))?;
            if negative { -n } else { n }
        }
        _ => return Err("expected a number or a decimal string".into()),
    };
    if bits < 256 {
        let max = (I256::ONE << (bits - 1)) - I256::ONE;
        let min = -(I256::ONE << (bits - 1));
        if n > max || n < min {
            return Err(format!("{n} does not fit in {bits} bits"));
        }
    }
    Ok(n)
}

/// Parses an unsigned integer of `bits` bits from a JSON number, a decimal string or a 0x hex
/// string.
fn parse_uint(value: &serde_json::Value, bits: usize) -> Result<alloy_primitives::U256, String> {
    use alloy_primitives::U256;
    let n = match value {
        serde_json::Value::Number(n) => n.as_u64().map(U256::from).ok_or_else(|| {
            format!(
                "{n} is not a whole number from 0 to 2^64-1 (send larger values as decimal strings)"
            )
        })?,
        serde_json::Value::String(s) => {
            if s.is_empty() {
                return Err("an empty string is not a number".into());
            }
            let (digits, radix) = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
                Some(hex) => (hex, 16),
                None => (s.as_str(), 10),
            };
            let valid = !digits.is_empty()
                && digits.len() <= 80
                && digits
                    .bytes()
                    .all(|b| if radix == 16 { b.is_ascii_hexdigit() } else { b.is_ascii_digit() });
            if !valid {
                return Err(format!(
                    "expected a decimal string of base units or a 0x hex string, got {}",
                    crate::rejection::echo(s)
                ));
            }
            U256::from_str_radix(digits, radix)
                .map_err(|_| format!("{} is larger than 2^256-1", crate::rejection::echo(s)))?
        }
        _ => return Err("expected a number or a decimal or 0x hex string".into()),
    };
    if bits < 256 && n >> bits != U256::ZERO {
        return Err(format!("{n} does not fit in {bits} bits"));
    }
    Ok(n)
}

/// Rewrites a message from the struct encoder for people: integers wider than 64 bits as
/// decimal strings of base units (the encoder writes hex).
fn display_message(defs: &[TypeDef], ty: &str, value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    if let Some(element) = ty.strip_suffix("[]") {
        return match value {
            Value::Array(items) => {
                Value::Array(items.into_iter().map(|i| display_message(defs, element, i)).collect())
            }
            other => other,
        };
    }
    if let Some(def) = defs.iter().find(|d| d.name == ty) {
        return match value {
            Value::Object(mut map) => {
                for field in &def.fields {
                    if let Some(v) = map.remove(&field.name) {
                        map.insert(field.name.clone(), display_message(defs, &field.ty, v));
                    }
                }
                Value::Object(map)
            }
            other => other,
        };
    }
    if let Some(bits) = ty.strip_prefix("int").and_then(|b| b.parse::<usize>().ok()) {
        return match parse_int(&value, bits) {
            Ok(n) => Value::String(n.to_string()),
            Err(_) => value,
        };
    }
    match ty.strip_prefix("uint").and_then(|b| b.parse::<usize>().ok()) {
        Some(bits) if bits > 64 => match parse_uint(&value, bits) {
            Ok(n) => Value::String(n.to_string()),
            Err(_) => value,
        },
        _ => value,
    }
}

/// One field of an EIP-712 struct type.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TypeField {
    /// Field name.
    pub name: String,
    /// Solidity type.
    #[serde(rename = "type")]
    pub ty: String,
}

/// One EIP-712 struct type.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TypeDef {
    /// Struct name.
    pub name: String,
    /// Fields in order.
    pub fields: Vec<TypeField>,
}

/// The EIP-712 struct types of a command type (the primary type first, then the types it
/// references), parsed once from its `encodeType`.
pub fn type_defs(name: &str) -> Option<&'static [TypeDef]> {
    static DEFS: std::sync::OnceLock<Vec<Vec<TypeDef>>> = std::sync::OnceLock::new();
    let defs = DEFS.get_or_init(|| {
        COMMANDS
            .iter()
            .map(|c| {
                Command::encode_type(c.name).map(|t| parse_encode_type(&t)).unwrap_or_default()
            })
            .collect()
    });
    COMMANDS.iter().position(|c| c.name == name).map(|i| defs[i].as_slice())
}

/// Parses an EIP-712 `encodeType` string ("A(uint256 x)B(address y)") into its struct types.
pub fn parse_encode_type(encoded: &str) -> Vec<TypeDef> {
    let mut out = Vec::new();
    let mut rest = encoded;
    while let Some(open) = rest.find('(') {
        let name = rest[..open].to_string();
        let Some(close) = rest[open..].find(')') else { break };
        let body = &rest[open + 1..open + close];
        let fields = body
            .split(',')
            .filter(|f| !f.is_empty())
            .filter_map(|f| {
                let (ty, name) = f.rsplit_once(' ')?;
                Some(TypeField { name: name.to_string(), ty: ty.to_string() })
            })
            .collect();
        out.push(TypeDef { name, fields });
        rest = &rest[open + close + 1..];
    }
    out
}

/// The EIP-712 domain of a Hoard network.
pub fn domain(chain_id: u64, diamond: Address) -> Eip712Domain {
    Eip712Domain::new(
        Some("Hoard".into()),
        Some("1".into()),
        Some(alloy_primitives::U256::from(chain_id)),
        Some(diamond),
        None,
    )
}

/// Half the order of secp256k1: signatures with a larger `s` are malleable (EIP-2) and refused.
const SECP256K1_HALF_N: [u8; 32] = [
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
];

/// Signs a digest: 65 bytes `r || s || v` with `v` in {27, 28}, as Ethereum wallets produce.
pub fn sign_hash(hash: &B256, secret: &SecretKey) -> [u8; 65] {
    let msg = Message::from_digest(hash.0);
    let sig = SECP256K1.sign_ecdsa_recoverable(&msg, secret);
    let (recid, compact) = sig.serialize_compact();
    let mut out = [0u8; 65];
    out[..64].copy_from_slice(&compact);
    out[64] = 27 + recid.to_i32() as u8;
    out
}

/// Recovers the signer's address of a digest. Accepts `v` in {0, 1, 27, 28}; refuses high `s`.
pub fn recover_hash(hash: &B256, signature: &[u8; 65]) -> Result<Address, TxInvalid> {
    if signature[32..64] > SECP256K1_HALF_N[..] {
        return Err(TxInvalid::BadSignature);
    }
    let v = match signature[64] {
        0 | 27 => 0,
        1 | 28 => 1,
        _ => return Err(TxInvalid::BadSignature),
    };
    let recid = RecoveryId::from_i32(v).map_err(|_| TxInvalid::BadSignature)?;
    let sig = RecoverableSignature::from_compact(&signature[..64], recid)
        .map_err(|_| TxInvalid::BadSignature)?;
    let key = SECP256K1
        .recover_ecdsa(&Message::from_digest(hash.0), &sig)
        .map_err(|_| TxInvalid::BadSignature)?;
    Ok(address_of_key(&key))
}

/// The Ethereum address of a public key: the last 20 bytes of keccak256 of its uncompressed form.
pub fn address_of_key(key: &secp256k1::PublicKey) -> Address {
    let uncompressed = key.serialize_uncompressed();
    Address::from_slice(&keccak256(&uncompressed[1..])[12..])
}

/// The Ethereum address of a secret key.
pub fn address_of_secret(secret: &SecretKey) -> Address {
    address_of_key(&secret.public_key(SECP256K1))
}

/// A command with its signature, as a client submits it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedCommand {
    /// The command.
    pub command: Command,
    /// 65-byte `r || s || v` signature over the EIP-712 digest.
    pub signature: [u8; 65],
}

impl SignedCommand {
    /// Signs a command for a domain.
    pub fn sign(command: Command, domain: &Eip712Domain, secret: &SecretKey) -> SignedCommand {
        let signature = sign_hash(&command.signing_hash(domain), secret);
        SignedCommand { command, signature }
    }

    /// Checks the signature and returns the transaction with its sender.
    pub fn verify(self, domain: &Eip712Domain) -> Result<Tx, TxInvalid> {
        let sender = recover_hash(&self.command.signing_hash(domain), &self.signature)?;
        Ok(Tx::new(sender, self.command, self.signature))
    }
}

/// A command whose signature has been verified: what the sequencer orders and the log stores.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tx {
    /// The recovered signer.
    pub sender: Address,
    /// The command.
    pub command: Command,
    /// The signature, kept so anyone can re-verify the log.
    pub signature: [u8; 65],
    /// keccak256 of the encoding (type id, ABI body, signature).
    pub hash: B256,
    /// The command's ABI encoding, kept from hashing so that sealing a block does not encode
    /// it again.
    body: Vec<u8>,
}

impl Tx {
    /// Builds a transaction and computes its hash.
    pub fn new(sender: Address, command: Command, signature: [u8; 65]) -> Tx {
        let body = command.abi_encode();
        Tx::with_body(sender, command, signature, body)
    }

    /// Builds a transaction from a command and its ABI encoding `body`.
    fn with_body(sender: Address, command: Command, signature: [u8; 65], body: Vec<u8>) -> Tx {
        let mut buf = Vec::with_capacity(2 + body.len() + 65);
        buf.extend_from_slice(&command.type_id().to_be_bytes());
        buf.extend_from_slice(&body);
        buf.extend_from_slice(&signature);
        Tx { sender, command, signature, hash: keccak256(&buf), body }
    }

    /// Appends the log encoding: type id (u16), sender (20), signature (65), body length (u32),
    /// ABI body.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.command.type_id().to_be_bytes());
        out.extend_from_slice(self.sender.as_slice());
        out.extend_from_slice(&self.signature);
        out.extend_from_slice(&(self.body.len() as u32).to_be_bytes());
        out.extend_from_slice(&self.body);
    }

    /// Decodes one transaction from the front of `input`, advancing it.
    pub fn decode(input: &mut &[u8]) -> Result<Tx, TxInvalid> {
        let bad = || TxInvalid::Malformed("truncated transaction encoding".into());
        if input.len() < 2 + 20 + 65 + 4 {
            return Err(bad());
        }
        let type_id = u16::from_be_bytes([input[0], input[1]]);
        let sender = Address::from_slice(&input[2..22]);
        let mut signature = [0u8; 65];
        signature.copy_from_slice(&input[22..87]);
        let len = u32::from_be_bytes([input[87], input[88], input[89], input[90]]) as usize;
        let rest = &input[91..];
        if rest.len() < len {
            return Err(bad());
        }
        let command = Command::decode(type_id, &rest[..len])?;
        // The stored bytes are the body: a non-canonical encoding hashes differently, so a
        // tampered body fails the block's transactions root on replay.
        let tx = Tx::with_body(sender, command, signature, rest[..len].to_vec());
        *input = &rest[len..];
        Ok(tx)
    }
}
