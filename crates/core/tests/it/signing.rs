//! EIP-712 signing and recovery, pinned to published vectors, and checked against an
//! independent implementation (Python eth-account) when it is installed.

use alloy_primitives::{Address, B256, U256, address, b256, keccak256};
use alloy_sol_types::{SolStruct, eip712_domain, sol};
use hoard_core::command::*;
use secp256k1::SecretKey;

use crate::harness::*;

sol! {
    struct Person { string name; address wallet; }
    struct Mail { Person from; Person to; string contents; }
}

/// The example of EIP-712 itself (eips.ethereum.org/EIPS/eip-712, "Example" and its test
/// vectors in the reference implementation Example.js): digest and signature by keccak("cow").
#[test]
fn eip712_reference_example() {
    let domain = eip712_domain! {
        name: "Ether Mail",
        version: "1",
        chain_id: 1,
        verifying_contract: address!("CcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"),
    };
    let mail = Mail {
        from: Person {
            name: "Cow".into(),
            wallet: address!("CD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"),
        },
        to: Person {
            name: "Bob".into(),
            wallet: address!("bBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"),
        },
        contents: "Hello, Bob!".into(),
    };
    let digest = mail.eip712_signing_hash(&domain);
    assert_eq!(digest, b256!("be609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2"));
    let cow = SecretKey::from_slice(keccak256("cow").as_slice()).expect("key");
    assert_eq!(address_of_secret(&cow), address!("CD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"));
    let sig = sign_hash(&digest, &cow);
    assert_eq!(
        B256::from_slice(&sig[..32]),
        b256!("4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d")
    );
    assert_eq!(
        B256::from_slice(&sig[32..64]),
        b256!("07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b91562")
    );
    assert_eq!(sig[64], 28);
    assert_eq!(recover_hash(&digest, &sig).expect("recovers"), address_of_secret(&cow));
}

/// web3.js documentation's `privateKeyToAccount` example.
#[test]
fn private_key_to_address_vector() {
    let k = SecretKey::from_slice(
        &alloy_primitives::hex::decode(
            "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318",
        )
        .expect("hex"),
    )
    .expect("key");
    assert_eq!(address_of_secret(&k), address!("2c7536E3605D9C16a7a3D7b1898e529396a65c23"));
}

#[test]
fn signatures_are_bound_to_domain_and_refuse_malleability() {
    let c = Chain::new();
    let cmd = Command::Transfer(Transfer {
        token: c.engine.addresses().icy,
        to: addr(BOB),
        amount: U256::from(1u8),
        nonce: 0,
        deadline: u64::MAX,
    });
    let signed = SignedCommand::sign(cmd.clone(), c.engine.domain(), &key(ALICE));
    assert_eq!(signed.clone().verify(c.engine.domain()).expect("verifies").sender, addr(ALICE));
    // Another chain id recovers another address: the signature is useless there.
    let other = domain(CHAIN_ID + 1, diamond());
    assert_ne!(signed.clone().verify(&other).map(|t| t.sender).ok(), Some(addr(ALICE)));
    // High-s twin of a valid signature is refused (EIP-2).
    let n = U256::from_be_bytes(
        b256!("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141").0,
    );
    let s = U256::from_be_slice(&signed.signature[32..64]);
    let mut twin = signed.signature;
    twin[32..64].copy_from_slice(&(n - s).to_be_bytes::<32>());
    twin[64] ^= 1;
    assert_eq!(
        recover_hash(&cmd.signing_hash(c.engine.domain()), &twin).expect_err("malleable").code(),
        "tx.bad_signature"
    );
    // Bad v.
    let mut bad = signed.signature;
    bad[64] = 5;
    assert!(recover_hash(&cmd.signing_hash(c.engine.domain()), &bad).is_err());
}

#[test]
fn json_round_trip_and_type_definitions() {
    let cmd = Command::CreateVesting(CreateVesting {
        beneficiary: addr(BOB),
        amount: tokens(3),
        start: 10,
        cliffS: 0,
        durationS: 100,
        nonce: 4,
        deadline: 99,
    });
    let json = cmd.to_json();
    assert_eq!(Command::from_json("CreateVesting", json.clone()).expect("parses"), cmd);
    // Wallets may send small integers as strings.
    let mut s = json;
    s["nonce"] = serde_json::Value::String("4".into());
    s["deadline"] = serde_json::Value::String("0x63".into());
    assert_eq!(Command::from_json("CreateVesting", s).expect("parses"), cmd);
    assert!(Command::from_json("Nope", serde_json::json!({})).is_err());
    assert!(Command::from_json("Transfer", serde_json::json!({"to": 1})).is_err());
    let types = parse_encode_type(&Command::encode_type("ProposeCut").expect("known"));
    assert_eq!(types[0].name, "ProposeCut");
    assert_eq!(types[1].name, "FacetCut");
    assert_eq!(types[1].fields[2].ty, "bytes4[]");
    // Selectors are unique.
    let mut sels: Vec<[u8; 4]> = COMMANDS.iter().map(CommandInfo::selector).collect();
    sels.sort();
    sels.dedup();
    assert_eq!(sels.len(), COMMANDS.len());
    assert_eq!(selector("transfer(address,uint256)"), [0xa9, 0x05, 0x9c, 0xbb]);
}

#[test]
fn log_encoding_round_trips() {
    let mut c = Chain::new();
    let cmd = crate::token::transfer(&c, ALICE, c.engine.addresses().icy, addr(BOB), tokens(1));
    let r = c.ok(ALICE, cmd);
    let mut buf = Vec::new();
    r.encode(&mut buf);
    assert_eq!(hoard_core::Receipt::decode(&buf).expect("decodes"), r);
}

/// Independent EIP-712 implementation: Python eth-account signs a Hoard command and we recover
/// the signer; we sign and it recovers ours.
#[test]
fn python_eth_account_interoperates() {
    let probe = std::process::Command::new("python3").args(["-c", "import eth_account"]).output();
    if !probe.is_ok_and(|o| o.status.success()) {
        // Written to the stderr handle, which libtest does not capture, so a skip is always visible.
        let _ = std::io::Write::write_fmt(
            &mut std::io::stderr(),
            format_args!(
                "skipped: {}: python eth-account not installed (pip install eth-account)\n",
                std::thread::current().name().unwrap_or("a test")
            ),
        );
        return;
    }
    let c = Chain::new();
    let cmd = Command::Transfer(Transfer {
        token: c.engine.addresses().icy,
        to: addr(BOB),
        amount: tokens(12),
        nonce: 7,
        deadline: 1_900_000_000,
    });
    let ours = SignedCommand::sign(cmd.clone(), c.engine.domain(), &key(ALICE));
    let typed = serde_json::json!({
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}
            ],
            "Transfer": parse_encode_type(&Command::encode_type("Transfer").expect("known"))[0].fields,
        },
        "primaryType": "Transfer",
        "domain": {"name": "Hoard", "version": "1", "chainId": CHAIN_ID, "verifyingContract": diamond().to_string()},
        "message": {"token": c.engine.addresses().icy.to_string(), "to": addr(BOB).to_string(), "amount": tokens(12).to_string(), "nonce": 7, "deadline": 1_900_000_000u64},
    });
    let script = r#"
import json, sys
from eth_account import Account
from eth_account.messages import encode_typed_data
d = json.loads(sys.argv[1])
msg = encode_typed_data(full_message=d)
signed = Account.sign_message(msg, private_key=sys.argv[2])
print(signed.signature.hex().removeprefix("0x"))
print(Account.recover_message(msg, signature=bytes.fromhex(sys.argv[3])))
"#;
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            script,
            &typed.to_string(),
            &alloy_primitives::hex::encode(key(ALICE).secret_bytes()),
            &alloy_primitives::hex::encode(ours.signature),
        ])
        .output()
        .expect("python runs");
    assert!(out.status.success(), "python failed: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let mut lines = text.lines();
    let their_sig: [u8; 65] = alloy_primitives::hex::decode(lines.next().expect("sig"))
        .expect("hex")
        .try_into()
        .expect("65 bytes");
    let recovered_by_them: Address = lines.next().expect("addr").trim().parse().expect("address");
    assert_eq!(recovered_by_them, addr(ALICE), "eth-account recovers our signer");
    let theirs = SignedCommand { command: cmd, signature: their_sig };
    assert_eq!(
        theirs.verify(c.engine.domain()).expect("verifies").sender,
        addr(ALICE),
        "we recover eth-account's signer"
    );
}
