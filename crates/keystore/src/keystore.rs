//! The v3 file format, [`encrypt`] and [`decrypt`].

use aes::cipher::{KeyIvInit, StreamCipher};
use alloy_primitives::keccak256;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::address::{address_of, parse_address};
use crate::error::{Error, Result};
use crate::kdf::{Derivation, KdfParams, SALT_BYTES};

/// The only cipher of v3 files in use.
pub const CIPHER_AES_128_CTR: &str = "aes-128-ctr";
/// The only version we read and write.
pub const KEYSTORE_VERSION: u64 = 3;
/// Length of the AES-128-CTR IV, in bytes.
pub const IV_BYTES: usize = 16;

type Aes128Ctr = ctr::Ctr128BE<aes::Aes128>;

/// A keystore v3 file, field for field (serialize it to get the file, deserialize a file to get
/// it). Parsing is lenient on purpose: [`decrypt`] validates every field and refuses what it does
/// not support with a typed error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Keystore {
    /// The address of the key, lowercase hex without `0x` (as geth writes it). Optional in the
    /// specification; checked against the decrypted key when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The encrypted key and how to decrypt it. (Old geth files spell it `Crypto`.)
    #[serde(alias = "Crypto")]
    pub crypto: CryptoSection,
    /// A random UUID (v4) naming the key.
    pub id: String,
    /// Always 3.
    pub version: u64,
}

/// The `crypto` object of a keystore file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CryptoSection {
    /// The cipher, `aes-128-ctr`.
    pub cipher: String,
    /// Parameters of the cipher.
    pub cipherparams: CipherParams,
    /// The encrypted private key, hex.
    pub ciphertext: String,
    /// The key derivation function, `scrypt` or `pbkdf2`.
    pub kdf: String,
    /// Parameters of the key derivation function (shape depends on `kdf`).
    pub kdfparams: serde_json::Value,
    /// keccak256(derived_key[16..32] ++ ciphertext), hex.
    pub mac: String,
}

/// The `cipherparams` object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CipherParams {
    /// The 16-byte initial counter block, hex.
    pub iv: String,
}

impl Keystore {
    /// Parses a key file. Does not decrypt or validate parameters (see [`decrypt`]).
    pub fn from_json(json: &str) -> Result<Self> {
        Ok(serde_json::from_str(json)?)
    }

    /// The file contents, pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self)
            .expect("invariant: a Keystore of strings, integers and JSON values serializes")
    }

    /// The `address` field parsed, if present and well formed.
    pub fn address(&self) -> Option<[u8; 20]> {
        self.address.as_deref().and_then(|a| parse_address(a).ok())
    }
}

/// Encrypts a secp256k1 private key with a password into a v3 key file, with a fresh random
/// salt, IV and UUID. Refuses an invalid private key and parameters outside the limits.
pub fn encrypt(secret: &[u8; 32], password: &str, kdf: KdfParams) -> Result<Keystore> {
    let mut rng = rand::rngs::OsRng;
    let mut salt = vec![0u8; SALT_BYTES];
    rng.fill_bytes(&mut salt);
    let mut iv = [0u8; IV_BYTES];
    rng.fill_bytes(&mut iv);
    let mut uuid = [0u8; 16];
    rng.fill_bytes(&mut uuid);
    encrypt_with(secret, password, kdf, salt, iv, uuid)
}

/// [`encrypt`] with given randomness: deterministic, for tests against known vectors.
pub fn encrypt_with(
    secret: &[u8; 32],
    password: &str,
    kdf: KdfParams,
    salt: Vec<u8>,
    iv: [u8; IV_BYTES],
    uuid: [u8; 16],
) -> Result<Keystore> {
    kdf.validate()?;
    if salt.len() > crate::kdf::SALT_BYTES_MAX {
        return Err(Error::KdfParamOutOfRange { field: "salt", reason: "too long" });
    }
    let address = address_of(secret)?;
    let derivation = Derivation { params: kdf, salt, dklen: 32 };
    let derived = derivation.derive(password)?;

    let mut ciphertext = *secret;
    apply_aes_128_ctr(&derived[..16], &iv, &mut ciphertext);
    let mac = mac(&derived[16..32], &ciphertext);

    Ok(Keystore {
        address: Some(hex::encode(address)),
        crypto: CryptoSection {
            cipher: CIPHER_AES_128_CTR.to_owned(),
            cipherparams: CipherParams { iv: hex::encode(iv) },
            ciphertext: hex::encode(ciphertext),
            kdf: kdf.name().to_owned(),
            kdfparams: derivation.to_json(),
            mac: hex::encode(mac),
        },
        id: uuid_v4(uuid),
        version: KEYSTORE_VERSION,
    })
}

/// Decrypts a v3 key file with its password and returns the private key (zeroized on drop).
///
/// Checks, in order: the version, the cipher, the KDF and its parameters against the limits,
/// the lengths of IV, ciphertext and MAC, then the MAC ([`Error::WrongPassword`] on mismatch),
/// the private key's validity, and the `address` field when present
/// ([`Error::AddressMismatch`]).
pub fn decrypt(ks: &Keystore, password: &str) -> Result<Zeroizing<[u8; 32]>> {
    if ks.version != KEYSTORE_VERSION {
        return Err(Error::UnsupportedVersion(ks.version));
    }
    let c = &ks.crypto;
    if c.cipher != CIPHER_AES_128_CTR {
        return Err(Error::UnsupportedCipher(c.cipher.clone()));
    }
    let derivation = Derivation::from_file(&c.kdf, &c.kdfparams)?;
    let iv: [u8; IV_BYTES] = decode_hex_array("cipherparams.iv", &c.cipherparams.iv)?;
    let ciphertext: [u8; 32] = decode_hex_array("ciphertext", &c.ciphertext)?;
    let expected_mac: [u8; 32] = decode_hex_array("mac", &c.mac)?;
    let expected_address = match &ks.address {
        Some(a) => Some(parse_address(a)?),
        None => None,
    };

    let derived = derivation.derive(password)?;
    if !constant_time_eq(&mac(&derived[16..32], &ciphertext), &expected_mac) {
        return Err(Error::WrongPassword);
    }
    let mut secret = Zeroizing::new(ciphertext);
    apply_aes_128_ctr(&derived[..16], &iv, &mut secret[..]);

    let address = address_of(&secret)?;
    if expected_address.is_some_and(|expected| expected != address) {
        return Err(Error::AddressMismatch);
    }
    Ok(secret)
}

fn apply_aes_128_ctr(key: &[u8], iv: &[u8; IV_BYTES], data: &mut [u8]) {
    let mut cipher = Aes128Ctr::new_from_slices(key, iv)
        .expect("invariant: a 16-byte key and a 16-byte IV are valid for AES-128-CTR");
    cipher.apply_keystream(data);
}

fn mac(mac_key: &[u8], ciphertext: &[u8]) -> [u8; 32] {
    let mut body = Zeroizing::new(Vec::with_capacity(mac_key.len() + ciphertext.len()));
    body.extend_from_slice(mac_key);
    body.extend_from_slice(ciphertext);
    keccak256(&body[..]).0
}

fn constant_time_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b.iter()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Formats 16 random bytes as a version-4 UUID.
fn uuid_v4(mut b: [u8; 16]) -> String {
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

/// Decodes hex with an optional `0x` prefix.
pub(crate) fn decode_hex(field: &'static str, s: &str) -> Result<Vec<u8>> {
    let s = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")).unwrap_or(s);
    hex::decode(s).map_err(|_| Error::Malformed { field, reason: "not hex" })
}

fn decode_hex_array<const N: usize>(field: &'static str, s: &str) -> Result<[u8; N]> {
    decode_hex(field, s)?.try_into().map_err(|_| Error::Malformed { field, reason: "wrong length" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_has_version_4_and_rfc_variant() {
        let u = uuid_v4([0xff; 16]);
        assert_eq!(u, "ffffffff-ffff-4fff-bfff-ffffffffffff");
        let u = uuid_v4([0; 16]);
        assert_eq!(u, "00000000-0000-4000-8000-000000000000");
    }

    #[test]
    fn constant_time_eq_compares_every_byte() {
        let a = [1u8; 32];
        let mut b = a;
        assert!(constant_time_eq(&a, &b));
        b[31] ^= 1;
        assert!(!constant_time_eq(&a, &b));
    }

    #[test]
    fn hex_accepts_prefix_and_refuses_garbage() {
        assert_eq!(decode_hex("x", "0xAb01").unwrap(), vec![0xab, 0x01]);
        assert!(decode_hex("x", "zz").is_err());
        assert!(decode_hex_array::<2>("x", "abcdef").is_err());
    }

    #[test]
    fn aes_ctr_matches_the_specification_vector() {
        // Cipher key and ciphertext of the pbkdf2 vector of the Web3 Secret Storage Definition
        // (https://ethereum.org/developers/docs/data-structures-and-encoding/web3-secret-storage/).
        let key = hex::decode("f06d69cdc7da0faffb1008270bca38f5").unwrap();
        let iv: [u8; 16] =
            hex::decode("6087dab2f9fdbbfaddc31a909735c1e6").unwrap().try_into().unwrap();
        let mut data =
            hex::decode("7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d")
                .unwrap();
        apply_aes_128_ctr(&key, &iv, &mut data);
        assert_eq!(
            hex::encode(&data),
            "5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46"
        );
    }
}
