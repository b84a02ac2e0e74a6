//! Wallet policies, descriptors, the default layout, addresses per network.

use std::str::FromStr;

use hoard_btc::bitcoin::{Address, Network};
use hoard_btc::descriptor::{ChecksumRule, ParsedDescriptor, parse_descriptor};
use hoard_btc::signer::devnet_treasury;
use hoard_btc::{
    Keychain, RecoveryPath, SignerKey, SignerSet, SoftwareSigner, Tier, TreasuryLayout, Wallet,
    WalletPolicy, parse_address,
};

use crate::common::{NET, signers};

fn keys(name: &str, n: u32, network: Network) -> Vec<SignerKey> {
    (0..n)
        .map(|i| SoftwareSigner::devnet(network, name, i).unwrap().signer_key(0).unwrap())
        .collect()
}

#[test]
fn refuses_bad_thresholds_and_duplicates() {
    let k = keys("p", 3, NET);
    assert_eq!(SignerSet::new(0, k.clone()).unwrap_err().code(), "btc.threshold_zero");
    assert_eq!(SignerSet::new(4, k.clone()).unwrap_err().code(), "btc.threshold_too_high");
    let mut dup = k.clone();
    dup.push(k[0].clone());
    assert_eq!(SignerSet::new(2, dup).unwrap_err().code(), "btc.duplicate_key");
    // The same xpub under another claimed origin is still the same key.
    let mut disguised = k[0].clone();
    disguised.fingerprint = k[1].fingerprint;
    assert_eq!(
        SignerSet::new(2, vec![k[0].clone(), disguised, k[2].clone()]).unwrap_err().code(),
        "btc.duplicate_key"
    );
    assert_eq!(SignerSet::new(1, keys("many", 21, NET)).unwrap_err().code(), "btc.too_many_keys");
    // A key shared by the primary and recovery paths.
    let primary = SignerSet::new(2, k.clone()).unwrap();
    let rec = RecoveryPath::new(1000, SignerSet::new(1, vec![k[2].clone()]).unwrap()).unwrap();
    assert_eq!(
        WalletPolicy::new("w", NET, primary, Some(rec)).unwrap_err().code(),
        "btc.duplicate_key"
    );
}

#[test]
fn refuses_out_of_range_timelocks() {
    let r = SignerSet::new(1, keys("r", 1, NET)).unwrap();
    for bad in [0, 65_536, u32::MAX] {
        assert_eq!(
            RecoveryPath::new(bad, r.clone()).unwrap_err().code(),
            "btc.timelock_out_of_range"
        );
    }
    assert!(RecoveryPath::new(1, r.clone()).is_ok());
    assert!(RecoveryPath::new(65_535, r).is_ok());
}

#[test]
fn refuses_mixed_and_wrong_networks() {
    let mut mixed = keys("m", 2, Network::Bitcoin);
    mixed.extend(keys("t", 1, Network::Testnet));
    assert_eq!(
        WalletPolicy::multisig("w", Network::Bitcoin, 2, mixed).unwrap_err().code(),
        "btc.mixed_networks"
    );
    let test_keys = keys("t", 3, Network::Testnet);
    assert_eq!(
        WalletPolicy::multisig("w", Network::Bitcoin, 2, test_keys.clone()).unwrap_err().code(),
        "btc.key_network_mismatch"
    );
    // tpubs serve every test network.
    for n in [Network::Testnet, Network::Signet, Network::Regtest] {
        assert!(WalletPolicy::multisig("w", n, 2, test_keys.clone()).is_ok());
    }
}

#[test]
fn descriptor_has_origins_and_checksum() {
    let s = signers("d", 3);
    let k: Vec<SignerKey> = s.iter().map(|s| s.signer_key(0).unwrap()).collect();
    let p = WalletPolicy::multisig("d", NET, 2, k.clone()).unwrap();
    let text = p.descriptor_string(Keychain::External).unwrap();
    assert!(text.starts_with("wsh(sortedmulti(2,["), "{text}");
    for key in &k {
        let expected = format!("[{}/48'/1'/0'/2']{}/0/*", key.fingerprint, key.xpub);
        assert!(text.contains(&expected), "{text} lacks {expected}");
    }
    let change = p.descriptor_string(Keychain::Internal).unwrap();
    assert!(change.contains("/1/*"));
    // The checksum verifies (BIP-380) and the descriptor re-parses to the same scripts.
    let parsed = parse_descriptor(&text, NET, ChecksumRule::Required).unwrap();
    let wallet = Wallet::new(p.clone()).unwrap();
    assert_eq!(
        parsed.script_pubkey_at(7).unwrap(),
        wallet.script_pubkey(Keychain::External, 7).unwrap()
    );
    // sortedmulti: the order keys were listed in does not change the scripts.
    let mut rev = k.clone();
    rev.reverse();
    let p2 = Wallet::new(WalletPolicy::multisig("d", NET, 2, rev).unwrap()).unwrap();
    assert_eq!(
        p2.script_pubkey(Keychain::External, 3).unwrap(),
        wallet.script_pubkey(Keychain::External, 3).unwrap()
    );
    // Keys round-trip through text.
    for key in &k {
        assert_eq!(SignerKey::from_str(&key.to_string()).unwrap(), *key);
    }
    assert_eq!(
        SignerKey::from_str(&format!("{}", k[0].xpub)).unwrap_err().code(),
        "btc.invalid_key"
    );
    assert_eq!(
        SignerKey::from_str(&format!("{}/0/*", k[0])).unwrap_err().code(),
        "btc.invalid_key"
    );
}

#[test]
fn recovery_path_descriptor() {
    let prim = SignerSet::new(2, keys("prim", 3, NET)).unwrap();
    let rec = RecoveryPath::new(4320, SignerSet::new(1, keys("rec", 2, NET)).unwrap()).unwrap();
    let p = WalletPolicy::new("with-recovery", NET, prim, Some(rec)).unwrap();
    let text = p.descriptor_string(Keychain::External).unwrap();
    assert!(text.starts_with("wsh(or_d(multi(2,"), "{text}");
    assert!(text.contains("and_v(v:multi(1,") && text.contains("older(4320)"), "{text}");
    match parse_descriptor(&text, NET, ChecksumRule::Required).unwrap() {
        ParsedDescriptor::Miniscript { descriptor, .. } => assert_eq!(descriptor.to_string(), text),
        other => panic!("{other:?}"),
    }
    // Serde round trip re-validates.
    let json = serde_json::to_string(&p).unwrap();
    let back: WalletPolicy = serde_json::from_str(&json).unwrap();
    assert_eq!(back, p);
    let tampered = json.replace("\"older_blocks\":4320", "\"older_blocks\":0");
    assert!(serde_json::from_str::<WalletPolicy>(&tampered).is_err());
}

#[test]
fn default_layout_matches_the_seed() {
    let l = TreasuryLayout::dwarves_default();
    l.validate().unwrap();
    let shape: Vec<(&str, usize, usize)> =
        l.wallets.iter().map(|w| (w.name.as_str(), w.threshold, w.signers)).collect();
    assert_eq!(
        shape,
        [
            ("vault-1", 5, 7),
            ("vault-2", 5, 7),
            ("emergency-vault", 7, 7),
            ("dca", 3, 5),
            ("rebalancing", 3, 5),
            ("liquidity", 3, 5),
            ("trading", 2, 3),
            ("hot-emergency", 2, 3)
        ]
    );
    let bps: Vec<(Tier, u16)> = l.tiers.iter().map(|t| (t.tier, t.target_bps)).collect();
    assert_eq!(bps, [(Tier::Cold, 8000), (Tier::Operational, 1500), (Tier::Hot, 500)]);
    let t = devnet_treasury(Network::Regtest).unwrap();
    assert_eq!(t.len(), 8);
    for (policy, signers) in &t {
        assert_eq!(policy.primary().keys().len(), signers.len());
    }
    let mut bad = l.clone();
    bad.tiers[0].target_bps = 7000;
    assert_eq!(bad.validate().unwrap_err().code(), "btc.invalid_policy");
}

#[test]
fn addresses_per_network() {
    let k = keys("addr", 3, Network::Testnet);
    let prefixes =
        [(Network::Testnet, "tb1q"), (Network::Signet, "tb1q"), (Network::Regtest, "bcrt1q")];
    for (n, prefix) in prefixes {
        let w = Wallet::new(WalletPolicy::multisig("a", n, 2, k.clone()).unwrap()).unwrap();
        let a = w.address(Keychain::External, 0).unwrap().to_string();
        assert!(a.starts_with(prefix), "{a}");
        assert_eq!(parse_address(&a, n).unwrap().to_string(), a);
        assert_ne!(
            w.address(Keychain::External, 1).unwrap(),
            w.address(Keychain::External, 0).unwrap()
        );
        assert_ne!(
            w.address(Keychain::Internal, 0).unwrap(),
            w.address(Keychain::External, 0).unwrap()
        );
    }
    let main = Wallet::new(
        WalletPolicy::multisig("m", Network::Bitcoin, 2, keys("m", 3, Network::Bitcoin)).unwrap(),
    )
    .unwrap();
    let a = main.address(Keychain::External, 0).unwrap().to_string();
    assert!(a.starts_with("bc1q") && a.len() == 62, "{a}");
}

#[test]
fn address_validation_errors() {
    let main_addr = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"; // BIP-173 vector
    assert!(parse_address(main_addr, Network::Bitcoin).is_ok());
    assert_eq!(
        parse_address(main_addr, Network::Testnet).unwrap_err().code(),
        "btc.address_wrong_network"
    );
    assert_eq!(
        parse_address(main_addr, Network::Regtest).unwrap_err().code(),
        "btc.address_wrong_network"
    );
    // One character changed: bech32 checksum fails.
    let e =
        parse_address("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", Network::Bitcoin).unwrap_err();
    assert_eq!(e.code(), "btc.address_checksum", "{e}");
    // Base58: the BIP-385 P2SH vector, then with its last character changed.
    assert!(parse_address("3PUNyaW7M55oKWJ3kDukwk9bsKvryra15j", Network::Bitcoin).is_ok());
    let e = parse_address("3PUNyaW7M55oKWJ3kDukwk9bsKvryra15k", Network::Bitcoin).unwrap_err();
    assert_eq!(e.code(), "btc.address_checksum", "{e}");
    for junk in ["", "hello", "bc1", "0x52908400098527886E0F7030069857D2E4169EE7"] {
        assert_eq!(
            parse_address(junk, Network::Bitcoin).unwrap_err().code(),
            "btc.invalid_address",
            "{junk:?}"
        );
    }
    // A valid address of a future witness version (BIP-350 vector, witness v16): not payable.
    assert_eq!(
        parse_address("BC1SW50QGDZ25J", Network::Bitcoin).unwrap_err().code(),
        "btc.address_unsupported"
    );
    let _: Address = crate::common::outsider(Network::Regtest);
}

/// Each refusal names what is wrong with the address given: a bad bech32 checksum used to be
/// reported as a "base58 error" (rust-bitcoin falls back to base58 when bech32 fails).
#[test]
fn address_errors_name_what_is_wrong() {
    let refusal = |a: &str| {
        let e = parse_address(a, Network::Bitcoin).unwrap_err();
        (e.code(), e.to_string())
    };
    // BIP-173 P2WPKH vector with its last character changed, in both cases.
    for a in
        ["bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T5"]
    {
        let (code, text) = refusal(a);
        assert_eq!(code, "btc.address_checksum");
        assert_eq!(text, format!("the address {a} has an invalid bech32 checksum"));
    }
    // BIP-350 P2TR vector (witness v1, bech32m) with its last character changed.
    assert!(
        parse_address(
            "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
            Network::Bitcoin
        )
        .is_ok()
    );
    let (code, text) = refusal("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jjq");
    assert_eq!((code, text.contains("invalid bech32m checksum")), ("btc.address_checksum", true));
    // BIP-173's v1+ address with a bech32 (not bech32m) checksum is invalid since BIP-350.
    let (code, text) =
        refusal("bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx");
    assert_eq!((code, text.contains("bech32m")), ("btc.address_checksum", true), "{text}");
    // Base58: the BIP-385 P2SH vector with its last character changed.
    let (code, text) = refusal("3PUNyaW7M55oKWJ3kDukwk9bsKvryra15k");
    assert_eq!(code, "btc.address_checksum");
    assert_eq!(
        text,
        "the address 3PUNyaW7M55oKWJ3kDukwk9bsKvryra15k has an invalid base58 checksum"
    );
    // Not-a-checksum faults, each named.
    let cases = [
        (
            "bc1qw508d6qejxtdg4y5r3zarvarybc5xw7kv8f3t4",
            "contains 'b', which is not a bech32 character",
        ),
        ("bc1qw508d6qejxtdg4y5r3zarvAry0c5xw7kv8f3t4", "mixes upper and lower case"),
        ("hello", "'l' is not a base58 character"),
        ("notanaddress", "decodes to 9 bytes, a base58 address has 25"),
    ];
    for (a, want) in cases {
        let (code, text) = refusal(a);
        assert_eq!(code, "btc.invalid_address", "{a}: {text}");
        assert!(text.contains(want), "{a}: {text}");
    }
    for a in
        ["bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", "bc1qw508d6qejxtdg4y5r3zarvarybc5xw7kv8f3t4"]
    {
        assert!(!refusal(a).1.contains("base58"), "{a}");
    }
}
