//! A directory of key files, named and laid out as geth's `keystore/` directory.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rand::RngCore;
use zeroize::Zeroizing;

use crate::address::{address_hex, address_of};
use crate::error::{Error, Result};
use crate::kdf::KdfParams;
use crate::keystore::{Keystore, decrypt, encrypt};

/// Largest key file read, in bytes (a v3 file is about 500 bytes).
pub const KEY_FILE_BYTES_MAX: u64 = 64 * 1024;
/// Largest number of directory entries scanned by [`KeyDir::list`].
pub const KEY_DIR_ENTRIES_MAX: usize = 10_000;

/// A key file found in a [`KeyDir`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyEntry {
    /// The address from the file's `address` field.
    pub address: [u8; 20],
    /// The file.
    pub path: PathBuf,
}

/// A directory of v3 key files named `UTC--<iso time>--<address>` like geth's.
///
/// The directory holds no state besides its files; every call reads the directory afresh. Time is
/// an argument (the file name's timestamp), never read from a clock here.
#[derive(Debug, Clone)]
pub struct KeyDir {
    root: PathBuf,
}

impl KeyDir {
    /// Opens a key directory, creating it (mode 0700 on Unix) if missing.
    pub fn open(root: impl Into<PathBuf>) -> Result<Self> {
        let root = root.into();
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(&root).map_err(|e| Error::io(&root, e))?;
        Ok(KeyDir { root })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// Generates a new random private key, stores it encrypted, and returns its entry.
    pub fn new_key(&self, password: &str, kdf: KdfParams, now: SystemTime) -> Result<KeyEntry> {
        let mut secret = Zeroizing::new([0u8; 32]);
        // A uniformly random 32-byte string is a valid key except with probability ~2^-128.
        loop {
            rand::rngs::OsRng.fill_bytes(&mut secret[..]);
            if address_of(&secret).is_ok() {
                break;
            }
        }
        self.import_secret(&secret, password, kdf, now)
    }

    /// Imports a private key given as hex (64 digits, optional `0x`).
    pub fn import_hex(
        &self,
        secret_hex: &str,
        password: &str,
        kdf: KdfParams,
        now: SystemTime,
    ) -> Result<KeyEntry> {
        let trimmed = secret_hex.trim();
        let digits = trimmed.strip_prefix("0x").unwrap_or(trimmed);
        let mut secret = Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(digits, &mut secret[..]).map_err(|_| Error::InvalidSecretKey)?;
        self.import_secret(&secret, password, kdf, now)
    }

    /// Stores a private key encrypted. Refuses a key whose address already has a file.
    pub fn import_secret(
        &self,
        secret: &[u8; 32],
        password: &str,
        kdf: KdfParams,
        now: SystemTime,
    ) -> Result<KeyEntry> {
        let address = address_of(secret)?;
        if self.list()?.iter().any(|e| e.address == address) {
            return Err(Error::AlreadyExists(address_hex(&address)));
        }
        let ks = encrypt(secret, password, kdf)?;
        let path = self.root.join(key_file_name(now, &address)?);
        write_private(&path, ks.to_json().as_bytes())?;
        Ok(KeyEntry { address, path })
    }

    /// The key files of the directory with their addresses, sorted by file name (so by creation
    /// time for geth-named files). Files that are not key files with an `address` field (other
    /// files, hidden files, directories, unparsable JSON) are skipped, as geth does.
    pub fn list(&self) -> Result<Vec<KeyEntry>> {
        let mut entries = Vec::new();
        let read = fs::read_dir(&self.root).map_err(|e| Error::io(&self.root, e))?;
        for (count, item) in read.enumerate() {
            if count >= KEY_DIR_ENTRIES_MAX {
                return Err(Error::TooManyFiles);
            }
            let item = item.map_err(|e| Error::io(&self.root, e))?;
            let path = item.path();
            let hidden = item.file_name().to_string_lossy().starts_with('.');
            let is_file = item.file_type().map(|t| t.is_file()).unwrap_or(false);
            if hidden || !is_file {
                continue;
            }
            let Ok(ks) = read_key_file(&path) else { continue };
            if let Some(address) = ks.address() {
                entries.push(KeyEntry { address, path });
            }
        }
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(entries)
    }

    /// The entry of an address ([`Error::NotFound`] if none; the first by name if several).
    pub fn find(&self, address: &[u8; 20]) -> Result<KeyEntry> {
        self.list()?
            .into_iter()
            .find(|e| &e.address == address)
            .ok_or_else(|| Error::NotFound(address_hex(address)))
    }

    /// The key file of an address, not decrypted.
    pub fn read(&self, address: &[u8; 20]) -> Result<Keystore> {
        read_key_file(&self.find(address)?.path)
    }

    /// Decrypts the private key of an address with its password.
    pub fn load(&self, address: &[u8; 20], password: &str) -> Result<Zeroizing<[u8; 32]>> {
        decrypt(&self.read(address)?, password)
    }
}

/// Reads and parses one key file, refusing files above [`KEY_FILE_BYTES_MAX`].
pub fn read_key_file(path: &Path) -> Result<Keystore> {
    let file = fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut text = String::new();
    file.take(KEY_FILE_BYTES_MAX + 1).read_to_string(&mut text).map_err(|e| Error::io(path, e))?;
    if text.len() as u64 > KEY_FILE_BYTES_MAX {
        return Err(Error::FileTooLarge { path: path.to_owned() });
    }
    Keystore::from_json(&text)
}

/// Writes a file readable by its owner only, through a temporary file and a rename so that a
/// crash never leaves a half-written key file under the final name.
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let result = (|| {
        let mut f = options.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(Error::io(path, e));
    }
    Ok(())
}

/// geth's key file name: `UTC--YYYY-MM-DDTHH-MM-SS.NNNNNNNNNZ--<address>`.
pub fn key_file_name(time: SystemTime, address: &[u8; 20]) -> Result<String> {
    let since = time.duration_since(UNIX_EPOCH).map_err(|_| Error::TimeOutOfRange)?;
    let secs = since.as_secs();
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    if y > 9999 {
        return Err(Error::TimeOutOfRange);
    }
    Ok(format!(
        "UTC--{y:04}-{m:02}-{d:02}T{:02}-{:02}-{:02}.{:09}Z--{}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        since.subsec_nanos(),
        address_hex(address)
    ))
}

/// Gregorian (year, month, day) of a day count since 1970-01-01.
///
/// Shifts the calendar to start on 0000-03-01 so that the leap day ends a year, then splits into
/// 400-year eras (146097 days), years of the era, and a month index from March.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    // Days from 0000-03-01 to 1970-01-01.
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 { month_from_march + 3 } else { month_from_march - 9 };
    let year = era * 400 + year_of_era + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(59), (1970, 3, 1));
        // 2000-02-29 (a leap day of a century divisible by 400) is day 11016.
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(11_017), (2000, 3, 1));
        // 2100 is not a leap year: 2100-02-28 is day 47540, the next day is March 1st.
        assert_eq!(civil_from_days(47_540), (2100, 2, 28));
        assert_eq!(civil_from_days(47_541), (2100, 3, 1));
        assert_eq!(civil_from_days(20_454), (2026, 1, 1));
    }

    #[test]
    fn file_name_is_gethlike() {
        // 2016-03-22T12:57:55.920751759Z is 1458651475 s after the epoch.
        let t = UNIX_EPOCH + Duration::new(1_458_651_475, 920_751_759);
        let name = key_file_name(t, &[0xab; 20]).unwrap();
        assert_eq!(
            name,
            "UTC--2016-03-22T12-57-55.920751759Z--abababababababababababababababababababab"
        );
    }

    #[test]
    fn time_before_epoch_is_refused() {
        let t = UNIX_EPOCH - Duration::from_secs(1);
        assert!(matches!(key_file_name(t, &[0; 20]), Err(Error::TimeOutOfRange)));
    }
}
