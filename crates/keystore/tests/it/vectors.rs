//! The test vectors of the Web3 Secret Storage Definition, version 3 (password "testpassword",
//! secret 7a28b5ba...14fe9d, address 008aeeda...ba786b).
//!
//! - pbkdf2: as published at
//!   https://ethereum.org/developers/docs/data-structures-and-encoding/web3-secret-storage/
//!   (section "Test vectors"; the same in every version of the definition).
//! - scrypt: the vector of the original definition,
//!   https://github.com/ethereum/wiki/wiki/Web3-Secret-Storage-Definition (n = 262144, r = 1,
//!   p = 8), reproduced verbatim by the Eth2.0 keystore draft that became EIP-2335 ("taken directly
//!   from the Eth1 keystore definition"); its intermediate derived key fac192ce...bba6bd is also
//!   pinned by keythereum's tests.
//! - The scrypt vector now on ethereum.org (salt 25710c2c..., r = 8, p = 1, mac 337aeb86...) is
//!   internally inconsistent: its listed derived key 7446f59e... is not scrypt of its stated salt
//!   and parameters, which is b4130dc8... (checked with OpenSSL through Python's hashlib.scrypt
//!   and with pycryptodome; pinned in the unit tests of `kdf.rs`). Every correct implementation
//!   must therefore refuse that file with a MAC mismatch; `published_scrypt_vector_on_ethereum_org_fails_its_mac`
//!   pins that.

use hoard_keystore::{Error, KdfParams, Keystore, address_hex, address_of, decrypt, encrypt_with};

use crate::{VECTOR_ADDRESS, vector_secret};

pub const PBKDF2_VECTOR: &str = r#"{
  "crypto": {
    "cipher": "aes-128-ctr",
    "cipherparams": { "iv": "6087dab2f9fdbbfaddc31a909735c1e6" },
    "ciphertext": "5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46",
    "kdf": "pbkdf2",
    "kdfparams": {
      "c": 262144,
      "dklen": 32,
      "prf": "hmac-sha256",
      "salt": "ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd"
    },
    "mac": "517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2"
  },
  "id": "3198bc9c-6672-5ab3-d995-4942343ae5b6",
  "version": 3
}"#;

pub const SCRYPT_VECTOR: &str = r#"{
  "crypto": {
    "cipher": "aes-128-ctr",
    "cipherparams": { "iv": "83dbcc02d8ccb40e466191a123791e0e" },
    "ciphertext": "d172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c",
    "kdf": "scrypt",
    "kdfparams": {
      "dklen": 32,
      "n": 262144,
      "p": 8,
      "r": 1,
      "salt": "ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19"
    },
    "mac": "2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097"
  },
  "id": "3198bc9c-6672-5ab3-d995-4942343ae5b6",
  "version": 3
}"#;

/// The scrypt vector as now printed on ethereum.org (inconsistent, see the module header).
pub const ETHEREUM_ORG_SCRYPT_VECTOR: &str = r#"{
  "crypto": {
    "cipher": "aes-128-ctr",
    "cipherparams": { "iv": "740770fce12ce862af21264dab25f1da" },
    "ciphertext": "dd8a1132cf57db67c038c6763afe2cbe6ea1949a86abc5843f8ca656ebbb1ea2",
    "kdf": "scrypt",
    "kdfparams": {
      "dklen": 32,
      "n": 262144,
      "p": 1,
      "r": 8,
      "salt": "25710c2ccd7c610b24d068af83b959b7a0e5f40641f0c82daeb1345766191034"
    },
    "mac": "337aeb86505d2d0bb620effe57f18381377d67d76dac1090626aa5cd20886a7c"
  },
  "id": "3198bc9c-6672-5ab3-d995-4942343ae5b6",
  "version": 3
}"#;

#[test]
fn the_vector_secret_has_the_published_address() {
    assert_eq!(address_hex(&address_of(&vector_secret()).unwrap()), VECTOR_ADDRESS);
}

#[test]
fn pbkdf2_vector_decrypts_to_the_published_secret() {
    let ks = Keystore::from_json(PBKDF2_VECTOR).unwrap();
    let secret = decrypt(&ks, "testpassword").unwrap();
    assert_eq!(*secret, vector_secret());
}

#[test]
fn pbkdf2_vector_refuses_a_wrong_password() {
    let ks = Keystore::from_json(PBKDF2_VECTOR).unwrap();
    let e = decrypt(&ks, "testpassword!").unwrap_err();
    assert!(matches!(e, Error::WrongPassword), "{e:?}");
    assert_eq!(e.code(), "KEYSTORE_WRONG_PASSWORD");
}

#[test]
fn scrypt_vector_decrypts_to_the_published_secret() {
    let ks = Keystore::from_json(SCRYPT_VECTOR).unwrap();
    let secret = decrypt(&ks, "testpassword").unwrap();
    assert_eq!(*secret, vector_secret());
    assert!(matches!(decrypt(&ks, "Testpassword"), Err(Error::WrongPassword)));
}

#[test]
fn published_scrypt_vector_on_ethereum_org_fails_its_mac() {
    let ks = Keystore::from_json(ETHEREUM_ORG_SCRYPT_VECTOR).unwrap();
    assert!(matches!(decrypt(&ks, "testpassword"), Err(Error::WrongPassword)));
}

/// With the vector's salt and IV, encryption reproduces the published ciphertext and MAC.
#[test]
fn encrypting_with_the_vector_randomness_reproduces_the_files() {
    let cases = [
        (PBKDF2_VECTOR, KdfParams::Pbkdf2 { rounds: 262_144 }),
        (SCRYPT_VECTOR, KdfParams::Scrypt { log_n: 18, r: 1, p: 8 }),
    ];
    for (json, kdf) in cases {
        let published = Keystore::from_json(json).unwrap();
        let salt = hex::decode(published.crypto.kdfparams["salt"].as_str().unwrap()).unwrap();
        let iv: [u8; 16] =
            hex::decode(&published.crypto.cipherparams.iv).unwrap().try_into().unwrap();
        let ours = encrypt_with(&vector_secret(), "testpassword", kdf, salt, iv, [0; 16]).unwrap();
        assert_eq!(ours.crypto.ciphertext, published.crypto.ciphertext);
        assert_eq!(ours.crypto.mac, published.crypto.mac);
        assert_eq!(ours.crypto.kdfparams, published.crypto.kdfparams);
        assert_eq!(ours.address.as_deref(), Some(VECTOR_ADDRESS));
    }
}
