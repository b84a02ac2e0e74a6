//! Encrypt then decrypt, through the JSON text, with each KDF.

use hoard_keystore::{
    Error, KdfParams, Keystore, address_hex, address_of, decrypt, encrypt, parse_address,
};

use crate::vector_secret;

fn through_json(ks: &Keystore) -> Keystore {
    Keystore::from_json(&ks.to_json()).unwrap()
}

#[test]
fn scrypt_light_round_trip() {
    let secret = vector_secret();
    let ks = encrypt(&secret, "correct horse", KdfParams::SCRYPT_LIGHT).unwrap();
    let back = through_json(&ks);
    assert_eq!(back, ks);
    assert_eq!(*decrypt(&back, "correct horse").unwrap(), secret);
    assert!(matches!(decrypt(&back, "correct horse ").unwrap_err(), Error::WrongPassword));
}

#[test]
fn pbkdf2_round_trip_with_a_unicode_password() {
    let secret = [0x11u8; 32];
    let password = "pässwörd ✓ 密码";
    let ks = encrypt(&secret, password, KdfParams::Pbkdf2 { rounds: 1000 }).unwrap();
    assert_eq!(*decrypt(&through_json(&ks), password).unwrap(), secret);
    assert!(decrypt(&ks, "passwörd ✓ 密码").is_err());
}

#[test]
fn empty_password_is_a_password() {
    let secret = [0x22u8; 32];
    let ks = encrypt(&secret, "", KdfParams::SCRYPT_LIGHT).unwrap();
    assert_eq!(*decrypt(&ks, "").unwrap(), secret);
    assert!(decrypt(&ks, " ").is_err());
}

#[test]
fn the_file_has_gethlike_fields() {
    let secret = vector_secret();
    let ks = encrypt(&secret, "pw", KdfParams::SCRYPT_LIGHT).unwrap();
    let v: serde_json::Value = serde_json::from_str(&ks.to_json()).unwrap();
    assert_eq!(v["version"], 3);
    assert_eq!(v["address"], address_hex(&address_of(&secret).unwrap()));
    assert_eq!(v["crypto"]["cipher"], "aes-128-ctr");
    assert_eq!(v["crypto"]["kdf"], "scrypt");
    let p = &v["crypto"]["kdfparams"];
    assert_eq!((p["n"].as_u64(), p["r"].as_u64(), p["p"].as_u64()), (Some(4096), Some(8), Some(6)));
    assert_eq!(p["dklen"], 32);
    assert_eq!(p["salt"].as_str().unwrap().len(), 64);
    assert_eq!(v["crypto"]["cipherparams"]["iv"].as_str().unwrap().len(), 32);
    assert_eq!(v["crypto"]["ciphertext"].as_str().unwrap().len(), 64);
    assert_eq!(v["crypto"]["mac"].as_str().unwrap().len(), 64);
    // A v4 UUID: 8-4-4-4-12 hex, version nibble 4, variant 10xx.
    let id = v["id"].as_str().unwrap();
    let groups: Vec<&str> = id.split('-').collect();
    assert_eq!(groups.iter().map(|g| g.len()).collect::<Vec<_>>(), vec![8, 4, 4, 4, 12]);
    assert!(groups[2].starts_with('4'), "{id}");
    assert!(matches!(groups[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'), "{id}");
    // The address field is lowercase without 0x, as geth writes it.
    let address = v["address"].as_str().unwrap();
    assert!(!address.starts_with("0x") && address == address.to_lowercase());
    assert_eq!(parse_address(address).unwrap(), address_of(&secret).unwrap());
}

#[test]
fn each_encryption_uses_fresh_randomness() {
    let secret = vector_secret();
    let a = encrypt(&secret, "pw", KdfParams::SCRYPT_LIGHT).unwrap();
    let b = encrypt(&secret, "pw", KdfParams::SCRYPT_LIGHT).unwrap();
    assert_ne!(a.crypto.kdfparams["salt"], b.crypto.kdfparams["salt"]);
    assert_ne!(a.crypto.cipherparams.iv, b.crypto.cipherparams.iv);
    assert_ne!(a.crypto.ciphertext, b.crypto.ciphertext);
    assert_ne!(a.id, b.id);
}

#[test]
fn a_file_without_address_and_with_the_old_crypto_spelling_decrypts() {
    let secret = [0x33u8; 32];
    let ks = encrypt(&secret, "pw", KdfParams::SCRYPT_LIGHT).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&ks.to_json()).unwrap();
    let obj = v.as_object_mut().unwrap();
    obj.remove("address");
    let crypto = obj.remove("crypto").unwrap();
    obj.insert("Crypto".into(), crypto);
    let old = Keystore::from_json(&v.to_string()).unwrap();
    assert_eq!(old.address, None);
    assert_eq!(*decrypt(&old, "pw").unwrap(), secret);
}

#[test]
fn invalid_private_keys_are_not_encrypted() {
    let e = encrypt(&[0u8; 32], "pw", KdfParams::SCRYPT_LIGHT).unwrap_err();
    assert_eq!(e.code(), "KEYSTORE_INVALID_SECRET_KEY");
    // The curve order n itself is not a valid key.
    let order: [u8; 32] =
        hex::decode("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
            .unwrap()
            .try_into()
            .unwrap();
    assert!(matches!(encrypt(&order, "pw", KdfParams::SCRYPT_LIGHT), Err(Error::InvalidSecretKey)));
}
