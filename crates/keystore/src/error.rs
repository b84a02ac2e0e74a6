//! The one error type of this crate.

use std::path::PathBuf;

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong reading, writing, encrypting or decrypting a key file.
///
/// Every variant has a stable [`Error::code`] for logs and API answers. Messages never contain
/// a password, a derived key or a private key.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file is not JSON of the keystore shape.
    #[error("keystore file is not valid JSON of the v3 shape: {0}")]
    Json(#[from] serde_json::Error),
    /// `version` is not 3.
    #[error("unsupported keystore version {0} (only 3 is supported)")]
    UnsupportedVersion(u64),
    /// `crypto.cipher` is not `aes-128-ctr`.
    #[error("unsupported cipher {0:?} (only aes-128-ctr is supported)")]
    UnsupportedCipher(String),
    /// `crypto.kdf` is neither `scrypt` nor `pbkdf2`.
    #[error("unsupported key derivation function {0:?} (scrypt and pbkdf2 are supported)")]
    UnsupportedKdf(String),
    /// `kdfparams.prf` of a pbkdf2 file is not `hmac-sha256`.
    #[error("unsupported pbkdf2 prf {0:?} (only hmac-sha256 is supported)")]
    UnsupportedPrf(String),
    /// A KDF parameter is outside the accepted range (see the `*_MAX` constants).
    #[error("kdf parameter {field} out of range: {reason}")]
    KdfParamOutOfRange {
        /// The JSON field name.
        field: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A field is missing, not hex, or of the wrong length.
    #[error("malformed field {field}: {reason}")]
    Malformed {
        /// The JSON field name.
        field: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The MAC does not match: the password is wrong, or the file was altered.
    #[error("wrong password (or the key file was altered: its MAC does not match)")]
    WrongPassword,
    /// The file decrypts, but to a key of another address than its `address` field.
    #[error("key file content does not match its address field")]
    AddressMismatch,
    /// 32 bytes that are not a valid secp256k1 private key (zero, or not below the group order),
    /// or a hex private key that is not 32 bytes of hex.
    #[error("not a valid secp256k1 private key")]
    InvalidSecretKey,
    /// No key file for this address in the key directory.
    #[error("no key file for address {0}")]
    NotFound(String),
    /// The key directory already holds a key file for this address.
    #[error("a key file for address {0} already exists")]
    AlreadyExists(String),
    /// A key file is larger than [`crate::KEY_FILE_BYTES_MAX`].
    #[error("key file {path} is larger than {max} bytes", max = crate::KEY_FILE_BYTES_MAX)]
    FileTooLarge {
        /// The file.
        path: PathBuf,
    },
    /// The key directory has more entries than [`crate::KEY_DIR_ENTRIES_MAX`].
    #[error("key directory holds more than {max} entries", max = crate::KEY_DIR_ENTRIES_MAX)]
    TooManyFiles,
    /// A time before 1970 or after 9999 was given for a file name.
    #[error("time out of range for a key file name")]
    TimeOutOfRange,
    /// A file system operation failed.
    #[error("i/o error on {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl Error {
    /// A stable, machine-readable code for this error.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Json(_) => "KEYSTORE_JSON",
            Error::UnsupportedVersion(_) => "KEYSTORE_UNSUPPORTED_VERSION",
            Error::UnsupportedCipher(_) => "KEYSTORE_UNSUPPORTED_CIPHER",
            Error::UnsupportedKdf(_) => "KEYSTORE_UNSUPPORTED_KDF",
            Error::UnsupportedPrf(_) => "KEYSTORE_UNSUPPORTED_PRF",
            Error::KdfParamOutOfRange { .. } => "KEYSTORE_KDF_PARAM_OUT_OF_RANGE",
            Error::Malformed { .. } => "KEYSTORE_MALFORMED",
            Error::WrongPassword => "KEYSTORE_WRONG_PASSWORD",
            Error::AddressMismatch => "KEYSTORE_ADDRESS_MISMATCH",
            Error::InvalidSecretKey => "KEYSTORE_INVALID_SECRET_KEY",
            Error::NotFound(_) => "KEYSTORE_NOT_FOUND",
            Error::AlreadyExists(_) => "KEYSTORE_ALREADY_EXISTS",
            Error::FileTooLarge { .. } => "KEYSTORE_FILE_TOO_LARGE",
            Error::TooManyFiles => "KEYSTORE_TOO_MANY_FILES",
            Error::TimeOutOfRange => "KEYSTORE_TIME_OUT_OF_RANGE",
            Error::Io { .. } => "KEYSTORE_IO",
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }
}
