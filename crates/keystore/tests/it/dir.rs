//! The key directory: geth-style names, listing, loading, importing.

use std::fs;
use std::time::{Duration, UNIX_EPOCH};

use hoard_keystore::{Error, KdfParams, KeyDir, address_hex, address_of, decrypt};

use crate::{VECTOR_ADDRESS, VECTOR_SECRET, vector_secret};

const LIGHT: KdfParams = KdfParams::SCRYPT_LIGHT;

fn at(secs: u64) -> std::time::SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

#[test]
fn import_list_and_load() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = KeyDir::open(tmp.path().join("keystore")).unwrap();
    assert!(dir.list().unwrap().is_empty());

    // 1700000000 is 2023-11-14T22:13:20Z.
    let imported =
        dir.import_hex(&format!("0x{VECTOR_SECRET}"), "pw1", LIGHT, at(1_700_000_000)).unwrap();
    assert_eq!(address_hex(&imported.address), VECTOR_ADDRESS);
    assert_eq!(
        imported.path.file_name().unwrap().to_str().unwrap(),
        format!("UTC--2023-11-14T22-13-20.000000000Z--{VECTOR_ADDRESS}")
    );

    let created = dir.new_key("pw2", LIGHT, at(1_800_000_000)).unwrap();
    assert_ne!(created.address, imported.address);

    let list = dir.list().unwrap();
    assert_eq!(list, vec![imported.clone(), created.clone()]);

    assert_eq!(*dir.load(&imported.address, "pw1").unwrap(), vector_secret());
    let secret2 = dir.load(&created.address, "pw2").unwrap();
    assert_eq!(address_of(&secret2).unwrap(), created.address);
    assert!(matches!(dir.load(&created.address, "pw1"), Err(Error::WrongPassword)));

    // The file on disk is a plain v3 file that decrypt reads.
    let ks = dir.read(&imported.address).unwrap();
    assert_eq!(*decrypt(&ks, "pw1").unwrap(), vector_secret());
}

#[test]
fn importing_an_address_twice_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = KeyDir::open(tmp.path()).unwrap();
    dir.import_hex(VECTOR_SECRET, "pw", LIGHT, at(1)).unwrap();
    let e = dir.import_hex(VECTOR_SECRET, "other", LIGHT, at(2)).unwrap_err();
    assert_eq!(e.code(), "KEYSTORE_ALREADY_EXISTS");
    assert_eq!(dir.list().unwrap().len(), 1);
}

#[test]
fn bad_hex_keys_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = KeyDir::open(tmp.path()).unwrap();
    for bad in ["", "12", "zz", &"00".repeat(32), &VECTOR_SECRET[..62]] {
        let e = dir.import_hex(bad, "pw", LIGHT, at(1)).unwrap_err();
        assert_eq!(e.code(), "KEYSTORE_INVALID_SECRET_KEY", "{bad:?}");
    }
    assert!(dir.list().unwrap().is_empty());
}

#[test]
fn unknown_address_is_not_found() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = KeyDir::open(tmp.path()).unwrap();
    assert!(matches!(dir.load(&[7; 20], "pw"), Err(Error::NotFound(_))));
}

#[test]
fn junk_files_are_skipped_and_big_files_not_read() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = KeyDir::open(tmp.path()).unwrap();
    let entry = dir.import_hex(VECTOR_SECRET, "pw", LIGHT, at(1)).unwrap();
    fs::write(tmp.path().join("README"), "not a key").unwrap();
    fs::write(tmp.path().join(".hidden"), fs::read(&entry.path).unwrap()).unwrap();
    fs::create_dir(tmp.path().join("subdir")).unwrap();
    let big = tmp.path().join("big.json");
    fs::write(&big, vec![b' '; 100_000]).unwrap();
    assert_eq!(dir.list().unwrap(), vec![entry]);
    assert!(matches!(hoard_keystore::read_key_file(&big), Err(Error::FileTooLarge { .. })));
}

#[cfg(unix)]
#[test]
fn key_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = KeyDir::open(tmp.path().join("k")).unwrap();
    let entry = dir.new_key("pw", LIGHT, at(1)).unwrap();
    let mode = fs::metadata(&entry.path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let dir_mode = fs::metadata(dir.path()).unwrap().permissions().mode();
    assert_eq!(dir_mode & 0o777, 0o700);
    // No temporary file is left behind.
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}
