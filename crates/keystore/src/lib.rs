//! Ethereum keystore v3 files (the Web3 Secret Storage Definition), readable and writable by
//! geth, MetaMask exports, ethers and Python's eth-account.
//!
//! # Purpose
//!
//! Hoard's operators and test devnets hold secp256k1 keys. This crate keeps them on disk the way
//! the Ethereum tooling does, so a key made here opens in geth or eth-account and the other way
//! round: [`encrypt`] a 32-byte private key with a password into a [`Keystore`] (the JSON file),
//! [`decrypt`] it back, compute the [`address_of`] a key, and manage a geth-style directory of key
//! files with [`KeyDir`].
//!
//! # Design
//!
//! - The format: `derived_key = KDF(password, salt)` with scrypt (default, geth's standard
//!   n = 262144, r = 8, p = 1, or the light n = 4096, p = 6 for tests and devnets) or
//!   PBKDF2-HMAC-SHA256; `ciphertext = AES-128-CTR(key = derived_key[0..16], iv, secret)`;
//!   `mac = keccak256(derived_key[16..32] ++ ciphertext)`. Salt (32 bytes), IV and the v4 UUID
//!   are fresh OS randomness; [`encrypt_with`] takes them as arguments for known-answer tests.
//! - [`Keystore`] mirrors the file field for field and parses leniently; [`decrypt`] is where the
//!   file is validated, and every refusal is a typed [`Error`] with a stable [`Error::code`].
//! - [`KeyDir`] names files like geth (`UTC--<iso time>--<address>`), writes them mode 0600
//!   through a temporary file and a rename, and takes the time as an argument: no clock is read
//!   in this crate.
//!
//! # Security notes
//!
//! - A wrong password and an altered file are the same error ([`Error::WrongPassword`]): the MAC
//!   is checked (in constant time) before anything is decrypted. A file whose `address` field
//!   does not match its key is refused ([`Error::AddressMismatch`]).
//! - A hostile file cannot make us allocate gigabytes or spin for minutes: scrypt memory, total
//!   work, `r`, `p`, `log2(n)`, PBKDF2 rounds, salt and derived key lengths are bounded by the
//!   named constants below ([`SCRYPT_MEMORY_BYTES_MAX`] is 512 MiB, twice geth's standard), and
//!   key files above [`KEY_FILE_BYTES_MAX`] are not read.
//! - Private keys and derived keys live in [`Zeroizing`] buffers and are wiped on drop; the
//!   library never logs or formats them. Copies the `secp256k1` crate makes internally are erased
//!   on a best-effort basis. Passwords are borrowed `&str`: wiping them is the caller's business.
//! - Only `aes-128-ctr` and the `hmac-sha256` PRF are accepted, as every current writer uses.

mod address;
mod dir;
mod error;
mod kdf;
mod keystore;

pub use address::{address_hex, address_of, parse_address};
pub use dir::{
    KEY_DIR_ENTRIES_MAX, KEY_FILE_BYTES_MAX, KeyDir, KeyEntry, key_file_name, read_key_file,
};
pub use error::{Error, Result};
pub use kdf::{
    DKLEN_MAX, DKLEN_MIN, KdfParams, PBKDF2_ROUNDS_MAX, SALT_BYTES, SALT_BYTES_MAX,
    SCRYPT_LOG_N_MAX, SCRYPT_MEMORY_BYTES_MAX, SCRYPT_P_MAX, SCRYPT_R_MAX, SCRYPT_WORK_BYTES_MAX,
};
pub use keystore::{
    CIPHER_AES_128_CTR, CipherParams, CryptoSection, IV_BYTES, KEYSTORE_VERSION, Keystore, decrypt,
    encrypt, encrypt_with,
};
pub use zeroize::Zeroizing;
