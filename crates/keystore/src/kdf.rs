//! Key derivation: the parameters we write, the limits we accept, and the derivation itself.

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// Largest scrypt `log2(n)` accepted (n = 1,048,576).
pub const SCRYPT_LOG_N_MAX: u8 = 20;
/// Largest scrypt `r` accepted.
pub const SCRYPT_R_MAX: u32 = 32;
/// Largest scrypt `p` accepted.
pub const SCRYPT_P_MAX: u32 = 16;
/// Largest scrypt working memory accepted, `128 * r * n` bytes: 512 MiB, twice geth's standard
/// (256 MiB), so a hostile file cannot make us allocate gigabytes.
pub const SCRYPT_MEMORY_BYTES_MAX: u64 = 512 * 1024 * 1024;
/// Largest total scrypt work accepted, `128 * r * n * p` bytes mixed: 8x geth's standard.
pub const SCRYPT_WORK_BYTES_MAX: u64 = 2 * 1024 * 1024 * 1024;
/// Largest pbkdf2 iteration count accepted (eth-keyfile writes 1,000,000 by default).
pub const PBKDF2_ROUNDS_MAX: u32 = 10_000_000;
/// Smallest derived key length: the AES key and the MAC key take 16 bytes each.
pub const DKLEN_MIN: u32 = 32;
/// Largest derived key length accepted (only the first 32 bytes are used).
pub const DKLEN_MAX: u32 = 64;
/// Largest salt accepted, in bytes.
pub const SALT_BYTES_MAX: usize = 128;
/// Salt length we write, in bytes (as geth does).
pub const SALT_BYTES: usize = 32;

/// Which key derivation function and cost to use when encrypting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KdfParams {
    /// scrypt with `n = 2^log_n`.
    Scrypt {
        /// log2 of the cost parameter `n`.
        log_n: u8,
        /// Block size.
        r: u32,
        /// Parallelism.
        p: u32,
    },
    /// PBKDF2 with HMAC-SHA256.
    Pbkdf2 {
        /// Iteration count `c`.
        rounds: u32,
    },
}

impl KdfParams {
    /// geth's standard scrypt parameters: n = 262144, r = 8, p = 1 (256 MiB, about a second).
    pub const SCRYPT_STANDARD: KdfParams = KdfParams::Scrypt { log_n: 18, r: 8, p: 1 };
    /// geth's "light" scrypt parameters: n = 4096, r = 8, p = 6 (4 MiB). For tests and devnets.
    pub const SCRYPT_LIGHT: KdfParams = KdfParams::Scrypt { log_n: 12, r: 8, p: 6 };
    /// PBKDF2-HMAC-SHA256 with c = 262144, as in the specification's test vector.
    pub const PBKDF2_STANDARD: KdfParams = KdfParams::Pbkdf2 { rounds: 262_144 };

    /// Checks these parameters against the limits of this crate.
    pub fn validate(&self) -> Result<()> {
        match *self {
            KdfParams::Scrypt { log_n, r, p } => validate_scrypt(log_n, r, p),
            KdfParams::Pbkdf2 { rounds } => validate_pbkdf2(rounds),
        }
    }

    /// The `kdf` string of the file.
    pub fn name(&self) -> &'static str {
        match self {
            KdfParams::Scrypt { .. } => KDF_SCRYPT,
            KdfParams::Pbkdf2 { .. } => KDF_PBKDF2,
        }
    }
}

pub(crate) const KDF_SCRYPT: &str = "scrypt";
pub(crate) const KDF_PBKDF2: &str = "pbkdf2";
pub(crate) const PRF_HMAC_SHA256: &str = "hmac-sha256";

fn out_of_range(field: &'static str, reason: &'static str) -> Error {
    Error::KdfParamOutOfRange { field, reason }
}

fn validate_scrypt(log_n: u8, r: u32, p: u32) -> Result<()> {
    if log_n == 0 || log_n > SCRYPT_LOG_N_MAX {
        return Err(out_of_range("n", "must be a power of two between 2 and 2^20"));
    }
    if r == 0 || r > SCRYPT_R_MAX {
        return Err(out_of_range("r", "must be between 1 and SCRYPT_R_MAX"));
    }
    if p == 0 || p > SCRYPT_P_MAX {
        return Err(out_of_range("p", "must be between 1 and SCRYPT_P_MAX"));
    }
    // Cannot overflow: 2^7 * 2^5 * 2^20 * 2^4 = 2^36.
    let memory = 128 * u64::from(r) * (1u64 << log_n);
    if memory > SCRYPT_MEMORY_BYTES_MAX {
        return Err(out_of_range("n", "128 * r * n exceeds SCRYPT_MEMORY_BYTES_MAX"));
    }
    if memory * u64::from(p) > SCRYPT_WORK_BYTES_MAX {
        return Err(out_of_range("p", "128 * r * n * p exceeds SCRYPT_WORK_BYTES_MAX"));
    }
    Ok(())
}

fn validate_pbkdf2(rounds: u32) -> Result<()> {
    if rounds == 0 || rounds > PBKDF2_ROUNDS_MAX {
        return Err(out_of_range("c", "must be between 1 and PBKDF2_ROUNDS_MAX"));
    }
    Ok(())
}

/// `kdfparams` of a scrypt file, as written (field order is geth's).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct ScryptJson {
    pub dklen: u32,
    pub n: u64,
    pub p: u32,
    pub r: u32,
    pub salt: String,
}

/// `kdfparams` of a pbkdf2 file, as written.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Pbkdf2Json {
    pub c: u32,
    pub dklen: u32,
    pub prf: String,
    pub salt: String,
}

/// Validated KDF parameters read from a file, with the salt and derived key length.
#[derive(Debug)]
pub(crate) struct Derivation {
    pub params: KdfParams,
    pub salt: Vec<u8>,
    pub dklen: u32,
}

impl Derivation {
    /// Parses and validates `kdf` and `kdfparams` of a file.
    pub fn from_file(kdf: &str, kdfparams: &serde_json::Value) -> Result<Self> {
        let malformed = |_| Error::Malformed { field: "kdfparams", reason: "unexpected shape" };
        let (params, salt_hex, dklen) = match kdf {
            KDF_SCRYPT => {
                let j: ScryptJson = serde_json::from_value(kdfparams.clone()).map_err(malformed)?;
                if j.n < 2 || !j.n.is_power_of_two() {
                    return Err(out_of_range("n", "must be a power of two of at least 2"));
                }
                let log_n = u8::try_from(j.n.trailing_zeros())
                    .expect("invariant: trailing_zeros of a u64 is at most 64");
                (KdfParams::Scrypt { log_n, r: j.r, p: j.p }, j.salt, j.dklen)
            }
            KDF_PBKDF2 => {
                let j: Pbkdf2Json = serde_json::from_value(kdfparams.clone()).map_err(malformed)?;
                if j.prf != PRF_HMAC_SHA256 {
                    return Err(Error::UnsupportedPrf(j.prf));
                }
                (KdfParams::Pbkdf2 { rounds: j.c }, j.salt, j.dklen)
            }
            other => return Err(Error::UnsupportedKdf(other.to_owned())),
        };
        params.validate()?;
        if !(DKLEN_MIN..=DKLEN_MAX).contains(&dklen) {
            return Err(out_of_range("dklen", "must be between DKLEN_MIN and DKLEN_MAX"));
        }
        if salt_hex.len() > 2 * SALT_BYTES_MAX + 2 {
            return Err(out_of_range("salt", "longer than SALT_BYTES_MAX"));
        }
        let salt = crate::keystore::decode_hex("kdfparams.salt", &salt_hex)?;
        if salt.len() > SALT_BYTES_MAX {
            return Err(out_of_range("salt", "longer than SALT_BYTES_MAX"));
        }
        Ok(Derivation { params, salt, dklen })
    }

    /// The `kdfparams` JSON object for this derivation.
    pub fn to_json(&self) -> serde_json::Value {
        let salt = hex::encode(&self.salt);
        let value = match self.params {
            KdfParams::Scrypt { log_n, r, p } => {
                serde_json::to_value(ScryptJson { dklen: self.dklen, n: 1u64 << log_n, p, r, salt })
            }
            KdfParams::Pbkdf2 { rounds } => serde_json::to_value(Pbkdf2Json {
                c: rounds,
                dklen: self.dklen,
                prf: PRF_HMAC_SHA256.to_owned(),
                salt,
            }),
        };
        value.expect("invariant: plain structs of integers and strings serialize to JSON")
    }

    /// Derives the key from the password. The parameters must have been validated.
    pub fn derive(&self, password: &str) -> Result<Zeroizing<Vec<u8>>> {
        let len = usize::try_from(self.dklen)
            .map_err(|_| out_of_range("dklen", "does not fit in memory"))?;
        let mut out = Zeroizing::new(vec![0u8; len]);
        match self.params {
            KdfParams::Scrypt { log_n, r, p } => {
                let params = scrypt::Params::new(log_n, r, p)
                    .map_err(|_| out_of_range("n", "rejected by scrypt"))?;
                scrypt::scrypt(password.as_bytes(), &self.salt, &params, &mut out)
                    .map_err(|_| out_of_range("dklen", "rejected by scrypt"))?;
            }
            KdfParams::Pbkdf2 { rounds } => {
                pbkdf2::pbkdf2_hmac::<sha2::Sha256>(
                    password.as_bytes(),
                    &self.salt,
                    rounds,
                    &mut out,
                );
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_are_within_limits() {
        KdfParams::SCRYPT_STANDARD.validate().unwrap();
        KdfParams::SCRYPT_LIGHT.validate().unwrap();
        KdfParams::PBKDF2_STANDARD.validate().unwrap();
    }

    #[test]
    fn limits_refuse_gigabytes() {
        // n = 2^20, r = 8: 1 GiB of memory.
        let e = KdfParams::Scrypt { log_n: 20, r: 8, p: 1 }.validate().unwrap_err();
        assert_eq!(e.code(), "KEYSTORE_KDF_PARAM_OUT_OF_RANGE");
        // 2^21 is above SCRYPT_LOG_N_MAX.
        assert!(KdfParams::Scrypt { log_n: 21, r: 1, p: 1 }.validate().is_err());
        // Work bound: 256 MiB * 16 = 4 GiB of mixing.
        assert!(KdfParams::Scrypt { log_n: 18, r: 8, p: 16 }.validate().is_err());
        assert!(KdfParams::Scrypt { log_n: 18, r: 8, p: 8 }.validate().is_ok());
        assert!(KdfParams::Scrypt { log_n: 12, r: 0, p: 1 }.validate().is_err());
        assert!(KdfParams::Scrypt { log_n: 12, r: 8, p: 0 }.validate().is_err());
        assert!(KdfParams::Pbkdf2 { rounds: PBKDF2_ROUNDS_MAX + 1 }.validate().is_err());
        assert!(KdfParams::Pbkdf2 { rounds: 0 }.validate().is_err());
    }

    #[test]
    fn json_round_trip_keeps_parameters() {
        let d = Derivation { params: KdfParams::SCRYPT_LIGHT, salt: vec![7; 32], dklen: 32 };
        let json = d.to_json();
        assert_eq!(json["n"], 4096);
        assert_eq!(json["p"], 6);
        let back = Derivation::from_file("scrypt", &json).unwrap();
        assert_eq!(back.params, KdfParams::SCRYPT_LIGHT);
        assert_eq!(back.salt, vec![7; 32]);
    }

    #[test]
    fn n_must_be_a_power_of_two() {
        let json = serde_json::json!({"dklen": 32, "n": 4095, "p": 1, "r": 8, "salt": "00"});
        let e = Derivation::from_file("scrypt", &json).unwrap_err();
        assert!(matches!(e, Error::KdfParamOutOfRange { field: "n", .. }), "{e:?}");
    }

    /// scrypt of the Web3 Secret Storage scrypt vectors' salts. The first is the original
    /// definition's vector (its published intermediate derived key); the second is geth's standard
    /// parameters over the salt of the vector now on ethereum.org, whose published derived key
    /// (7446f59e...) is wrong: this value was computed with OpenSSL (Python's hashlib.scrypt) and
    /// with pycryptodome, which agree.
    #[test]
    fn scrypt_known_answers() {
        let cases = [
            (
                "ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19",
                KdfParams::Scrypt { log_n: 18, r: 1, p: 8 },
                "fac192ceb5fd772906bea3e118a69e8bbb5cc24229e20d8766fd298291bba6bd",
            ),
            (
                "25710c2ccd7c610b24d068af83b959b7a0e5f40641f0c82daeb1345766191034",
                KdfParams::SCRYPT_STANDARD,
                "b4130dc81619f55f01a84b16c68f54fc0a166a2ca5903d9b24d2262dbd0420ec",
            ),
        ];
        for (salt, params, expected) in cases {
            let d = Derivation { params, salt: hex::decode(salt).unwrap(), dklen: 32 };
            assert_eq!(hex::encode(&*d.derive("testpassword").unwrap()), expected);
        }
    }

    #[test]
    fn pbkdf2_matches_rfc7914_vector() {
        // RFC 7914 section 11: PBKDF2-HMAC-SHA256 (P="passwd", S="salt", c=1, dkLen=64).
        let d = Derivation {
            params: KdfParams::Pbkdf2 { rounds: 1 },
            salt: b"salt".to_vec(),
            dklen: 64,
        };
        assert_eq!(
            hex::encode(&*d.derive("passwd").unwrap()),
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc\
             49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"
        );
    }
}
