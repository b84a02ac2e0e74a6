//! Files that must be refused, each with its typed error, and quickly when hostile.

use std::time::{Duration, Instant};

use hoard_keystore::{Error, KdfParams, Keystore, decrypt, encrypt};
use serde_json::{Value, json};

fn light_file() -> Value {
    let ks = encrypt(&crate::vector_secret(), "pw", KdfParams::SCRYPT_LIGHT).unwrap();
    serde_json::from_str(&ks.to_json()).unwrap()
}

fn decrypt_value(v: &Value, password: &str) -> Result<[u8; 32], Error> {
    let ks = Keystore::from_json(&v.to_string())?;
    decrypt(&ks, password).map(|s| *s)
}

fn flip_hex_digit(s: &str, at: usize) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    chars[at] = if chars[at] == '0' { '1' } else { '0' };
    chars.into_iter().collect()
}

#[test]
fn the_unaltered_file_decrypts() {
    // The baseline of the tests below: the alterations, not the file, are refused.
    assert_eq!(decrypt_value(&light_file(), "pw").unwrap(), crate::vector_secret());
}

#[test]
fn tampered_ciphertext_is_refused() {
    let mut v = light_file();
    let ct = v["crypto"]["ciphertext"].as_str().unwrap().to_owned();
    v["crypto"]["ciphertext"] = json!(flip_hex_digit(&ct, 10));
    assert!(matches!(decrypt_value(&v, "pw"), Err(Error::WrongPassword)));
}

#[test]
fn tampered_mac_is_refused() {
    let mut v = light_file();
    let mac = v["crypto"]["mac"].as_str().unwrap().to_owned();
    v["crypto"]["mac"] = json!(flip_hex_digit(&mac, 63));
    assert!(matches!(decrypt_value(&v, "pw"), Err(Error::WrongPassword)));
}

#[test]
fn tampered_salt_is_refused() {
    let mut v = light_file();
    let salt = v["crypto"]["kdfparams"]["salt"].as_str().unwrap().to_owned();
    v["crypto"]["kdfparams"]["salt"] = json!(flip_hex_digit(&salt, 0));
    assert!(matches!(decrypt_value(&v, "pw"), Err(Error::WrongPassword)));
}

#[test]
fn a_wrong_address_field_is_refused() {
    let mut v = light_file();
    v["address"] = json!("7e5f4552091a69125d5dfcb7b8c2659029395bdf");
    let e = decrypt_value(&v, "pw").unwrap_err();
    assert_eq!(e.code(), "KEYSTORE_ADDRESS_MISMATCH");
}

#[test]
fn unsupported_kdf_cipher_prf_and_version_are_refused() {
    let mut v = light_file();
    v["crypto"]["kdf"] = json!("argon2id");
    assert!(matches!(decrypt_value(&v, "pw"), Err(Error::UnsupportedKdf(k)) if k == "argon2id"));

    let mut v = light_file();
    v["crypto"]["cipher"] = json!("aes-128-cbc");
    assert!(matches!(decrypt_value(&v, "pw"), Err(Error::UnsupportedCipher(_))));

    let mut v = light_file();
    v["version"] = json!(4);
    assert!(matches!(decrypt_value(&v, "pw"), Err(Error::UnsupportedVersion(4))));

    let ks = encrypt(&crate::vector_secret(), "pw", KdfParams::Pbkdf2 { rounds: 10 }).unwrap();
    let mut v: Value = serde_json::from_str(&ks.to_json()).unwrap();
    assert!(decrypt_value(&v, "pw").is_ok());
    v["crypto"]["kdfparams"]["prf"] = json!("hmac-sha512");
    let e = decrypt_value(&v, "pw").unwrap_err();
    assert_eq!(e.code(), "KEYSTORE_UNSUPPORTED_PRF");
}

/// Parameters that would cost gigabytes or minutes are refused before any work is done.
#[test]
fn absurd_kdf_parameters_are_refused_at_once() {
    let scrypt_cases = [
        // (n, r, p, dklen, field)
        (1u64 << 30, 8, 1, 32, "n"),          // 128 GiB
        (1u64 << 20, 8, 1, 32, "n"),          // 1 GiB: above SCRYPT_MEMORY_BYTES_MAX
        (1u64 << 62, 1, 1, 32, "n"),          // absurd
        (1u64 << 18, 8, 1_000_000, 32, "p"),  // years of work
        (1u64 << 18, 8, 12, 32, "p"),         // 3 GiB of mixing: above SCRYPT_WORK_BYTES_MAX
        (1u64 << 10, 1_000_000, 1, 32, "r"),  // 128 GB per block row
        (1u64 << 12, 8, 1, 1 << 30, "dklen"), // a gigabyte of output
        (1u64 << 12, 8, 1, 16, "dklen"),      // too short for key and MAC key
        (3000, 8, 1, 32, "n"),                // not a power of two
        (0, 8, 1, 32, "n"),
    ];
    for (n, r, p, dklen, field) in scrypt_cases {
        let mut v = light_file();
        v["crypto"]["kdfparams"] = json!({"dklen": dklen, "n": n, "r": r, "p": p, "salt": "00"});
        let start = Instant::now();
        let e = decrypt_value(&v, "pw").unwrap_err();
        assert!(start.elapsed() < Duration::from_secs(1), "n={n} r={r} p={p} took too long");
        match e {
            Error::KdfParamOutOfRange { field: f, .. } => assert_eq!(f, field, "n={n} r={r} p={p}"),
            other => panic!("n={n} r={r} p={p}: {other:?}"),
        }
    }

    let mut v = light_file();
    v["crypto"]["kdf"] = json!("pbkdf2");
    v["crypto"]["kdfparams"] =
        json!({"c": 4_000_000_000u64, "dklen": 32, "prf": "hmac-sha256", "salt": "00"});
    let start = Instant::now();
    let e = decrypt_value(&v, "pw").unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(1));
    assert!(matches!(e, Error::KdfParamOutOfRange { field: "c", .. }), "{e:?}");

    let mut v = light_file();
    v["crypto"]["kdfparams"]["salt"] = json!("ab".repeat(100_000));
    assert!(matches!(
        decrypt_value(&v, "pw"),
        Err(Error::KdfParamOutOfRange { field: "salt", .. })
    ));
}

#[test]
fn absurd_parameters_are_refused_on_encrypt_too() {
    let e = encrypt(&crate::vector_secret(), "pw", KdfParams::Scrypt { log_n: 24, r: 8, p: 1 })
        .unwrap_err();
    assert_eq!(e.code(), "KEYSTORE_KDF_PARAM_OUT_OF_RANGE");
}

#[test]
fn malformed_fields_are_refused() {
    let mut v = light_file();
    v["crypto"]["cipherparams"]["iv"] = json!("00ff");
    assert!(matches!(
        decrypt_value(&v, "pw"),
        Err(Error::Malformed { field: "cipherparams.iv", .. })
    ));

    let mut v = light_file();
    v["crypto"]["ciphertext"] = json!("not hex at all");
    assert!(matches!(decrypt_value(&v, "pw"), Err(Error::Malformed { field: "ciphertext", .. })));

    let mut v = light_file();
    v["crypto"]["kdfparams"] = json!({"n": "many"});
    assert!(matches!(decrypt_value(&v, "pw"), Err(Error::Malformed { field: "kdfparams", .. })));

    assert!(matches!(Keystore::from_json("{\"version\": 3}"), Err(Error::Json(_))));
}
