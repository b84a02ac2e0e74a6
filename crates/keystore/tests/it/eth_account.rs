//! Interoperability with an independent implementation: Python's eth-account
//! (`Account.decrypt`, `Account.encrypt`). Skipped, and passing, when it is not installed.

use std::process::Command;

use hoard_keystore::{KdfParams, Keystore, address_hex, address_of, decrypt, encrypt};

const PASSWORD: &str = "interop pässword ✓";

fn eth_account_available() -> bool {
    Command::new("python3")
        .args(["-c", "import eth_account"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// Runs a Python snippet with arguments; returns its trimmed stdout, panicking with stderr.
fn python(script: &str, args: &[&str]) -> String {
    let out = Command::new("python3").arg("-c").arg(script).args(args).output().unwrap();
    assert!(out.status.success(), "python3 failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

const DECRYPT: &str = r#"
import sys
from eth_account import Account
key = Account.decrypt(sys.argv[1], sys.argv[2])
print(bytes(key).hex(), Account.from_key(key).address.lower())
"#;

const ENCRYPT: &str = r#"
import json, sys
from eth_account import Account
print(json.dumps(Account.encrypt(sys.argv[1], sys.argv[2], kdf=sys.argv[3], iterations=int(sys.argv[4]))))
"#;

#[test]
fn eth_account_reads_our_files_and_we_read_its_files() {
    if !eth_account_available() {
        // Written to the stderr handle, which libtest does not capture, so a skip is always visible.
        let _ = std::io::Write::write_fmt(
            &mut std::io::stderr(),
            format_args!(
                "skipped: {}: python eth-account not installed\n",
                std::thread::current().name().unwrap_or("a test")
            ),
        );
        return;
    }
    let secret = crate::vector_secret();
    let address = address_hex(&address_of(&secret).unwrap());

    // Files we wrote, read by eth-account.
    for kdf in [KdfParams::SCRYPT_LIGHT, KdfParams::Pbkdf2 { rounds: 2048 }] {
        let ours = encrypt(&secret, PASSWORD, kdf).unwrap();
        let answer = python(DECRYPT, &[&ours.to_json(), PASSWORD]);
        assert_eq!(answer, format!("{} 0x{address}", hex::encode(secret)), "{kdf:?}");
    }

    // Files eth-account wrote, read by us (its scrypt uses r = 8, p = 1; its salt is 16 bytes).
    for (kdf, work) in [("scrypt", "16384"), ("pbkdf2", "4096")] {
        let json = python(ENCRYPT, &[&format!("0x{}", hex::encode(secret)), PASSWORD, kdf, work]);
        let theirs = Keystore::from_json(&json).unwrap();
        assert_eq!(theirs.crypto.kdf, kdf);
        assert_eq!(theirs.address(), Some(address_of(&secret).unwrap()));
        assert_eq!(*decrypt(&theirs, PASSWORD).unwrap(), secret, "{kdf}");
        assert!(decrypt(&theirs, "not the password").is_err());
    }
}
