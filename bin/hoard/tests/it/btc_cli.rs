//! `hoard btc ...` refusals and fee bumps through the binary: every refusal's first line on
//! stderr is `Error: [btc.<code>] message` (the `Error: ` is `main`'s), with no "Caused by:"
//! chain that would push the code below the first line.

use std::path::Path;
use std::process::Output;

use hoard_btc::bitcoin::bip32::Xpriv;
use hoard_btc::bitcoin::hashes::{Hash, sha256d};
use hoard_btc::bitcoin::{
    Amount, Network, NetworkKind, OutPoint, ScriptBuf, Sequence, Transaction, TxIn, TxOut, Txid,
    Witness, absolute, transaction,
};
use hoard_btc::descriptor::with_checksum;
use hoard_btc::{Keychain, SoftwareSigner, Utxo, Wallet, WalletPolicy};
use serde_json::Value;

use crate::support::hoard;

fn run(args: &[&str]) -> Output {
    hoard().arg("btc").args(args).output().expect("run hoard")
}

/// The first line of a refused command's stderr; panics if the command succeeded or the error
/// carries a cause chain.
fn refusal(args: &[&str]) -> String {
    let out = run(args);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!out.status.success(), "hoard btc {args:?} succeeded: {err}");
    assert!(!err.contains("Caused by"), "hoard btc {args:?}: {err}");
    err.lines().next().unwrap_or_default().to_string()
}

fn stdout_json(out: &Output) -> Value {
    assert!(out.status.success(), "hoard failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn devnet_policy(name: &str, k: usize, n: u32) -> (WalletPolicy, Vec<SoftwareSigner>) {
    let signers: Vec<SoftwareSigner> = (0..n)
        .map(|i| SoftwareSigner::devnet(Network::Regtest, name, i).expect("devnet signer"))
        .collect();
    let keys = signers.iter().map(|s| s.signer_key(0).expect("key")).collect();
    (WalletPolicy::multisig(name, Network::Regtest, k, keys).expect("policy"), signers)
}

#[test]
fn btc_refusals_start_with_their_code() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    // A policy file with a threshold above its number of keys: the code used to be printed
    // only after "Caused by:", below the file name.
    let (policy, _) = devnet_policy("cli-errors", 2, 3);
    let mut v = serde_json::to_value(&policy).expect("json");
    v["primary"]["threshold"] = 4.into();
    let too_high = d.join("too-high.json");
    std::fs::write(&too_high, v.to_string()).expect("write");
    let line = refusal(&["descriptor", "--policy", path(&too_high)]);
    assert!(
        line.starts_with("Error: [btc.threshold_too_high] threshold 4 is larger than the number"),
        "{line}"
    );
    assert!(line.ends_with(&format!("(policy file {})", too_high.display())), "{line}");
    // A bad key keeps its own code.
    v["primary"]["threshold"] = 2.into();
    v["primary"]["keys"][1] = "[deadbeef/48h/1h/0h/2h]tpubnotakey".into();
    let bad_key = d.join("bad-key.json");
    std::fs::write(&bad_key, v.to_string()).expect("write");
    let line = refusal(&["addresses", "--policy", path(&bad_key)]);
    assert!(line.starts_with("Error: [btc.invalid_key] invalid key: "), "{line}");
    let not_json = d.join("not-json.json");
    std::fs::write(&not_json, "{ nope").expect("write");
    let line = refusal(&["descriptor", "--policy", path(&not_json)]);
    assert!(
        line.starts_with("Error: [btc.invalid_policy] invalid policy: the file is not"),
        "{line}"
    );
    let line = refusal(&["descriptor", "--policy", path(&d.join("missing.json"))]);
    assert!(line.starts_with("Error: [btc.read_failed] cannot read the policy file "), "{line}");
    let line = refusal(&["descriptor"]);
    assert!(line.starts_with("Error: [btc.usage] give --policy FILE or --devnet-wallet"), "{line}");
    let line = refusal(&["descriptor", "--devnet-wallet", "nope"]);
    assert!(line.starts_with("Error: [btc.unknown_wallet] no wallet nope"), "{line}");

    // An empty headers file had no code at all.
    let empty = d.join("empty.bin");
    std::fs::write(&empty, b"").expect("write");
    let line = refusal(&["headers", "verify", path(&empty), "--height", "0"]);
    assert!(
        line.starts_with(&format!(
            "Error: [btc.invalid_header] the headers file {} is empty",
            empty.display()
        )),
        "{line}"
    );

    // A hardened wildcard below an xpub (BIP-32 test vector 1, m/0'/1/2'/2/1000000000).
    let xpub = "xpub6H1LXWLaKsWFhvm6RVpEL9P4KfRZSW7abD2ttkWP3SSQvnyA8FSVqNTEcYFgJS2UaFcxupHiYkro49S8yGasTvXEYBVPamhGW6cFJodrTHy";
    for wildcard in ["*h", "*'"] {
        let desc = with_checksum(&format!("wsh(pk({xpub}/0/{wildcard}))")).expect("checksum");
        let line = refusal(&["descriptor", "--check", &desc, "--devnet-network", "bitcoin"]);
        assert!(line.starts_with("Error: [btc.hardened_from_xpub] the key "), "{line}");
        assert!(line.contains("a public key cannot derive hardened children"), "{line}");
    }
    let ok = with_checksum(&format!("wsh(pk({xpub}/0/*))")).expect("checksum");
    stdout_json(&run(&["descriptor", "--check", &ok, "--devnet-network", "bitcoin"]));

    // An uncompressed key under wsh: miniscript's text spoke of Taproot.
    let u = "04a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd5b8dec5235a0fa8722476c7709c02559e3aa73aa03918ba2d492eea75abea235";
    let desc = with_checksum(&format!("wsh(pk({u}))")).expect("checksum");
    let line = refusal(&["descriptor", "--check", &desc]);
    assert_eq!(
        line,
        "Error: [btc.invalid_descriptor] invalid descriptor: an uncompressed public key cannot \
         be used in a wsh \
         (SegWit v0) descriptor: SegWit v0 scripts take compressed keys only"
    );

    // A bad bech32 checksum (BIP-173 vector, last character changed) said "base58 error".
    let a = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5";
    let line = refusal(&["address", a]);
    assert_eq!(
        line,
        format!("Error: [btc.address_checksum] the address {a} has an invalid bech32 checksum")
    );

    // A truncated Merkle proof said "IO error".
    let proof = d.join("proof.bin");
    std::fs::write(&proof, [0u8; 82]).expect("write");
    let line = refusal(&["proof", "verify", path(&proof)]);
    assert_eq!(
        line,
        "Error: [btc.invalid_merkle_proof] the Merkle proof is truncated: its 82 bytes end \
         before the proof does"
    );

    // Payees and missing keys.
    let line = refusal(&[
        "psbt",
        "verify",
        "--devnet-wallet",
        "trading",
        path(&proof),
        "--to",
        "x",
        "--max-fee",
        "1",
    ]);
    assert_eq!(line, "Error: [btc.invalid_payee] payee x: expected ADDRESS:SATS");
    let out = hoard()
        .args(["btc", "psbt", "sign", path(&proof), "--key-env", "HOARD_TEST_UNSET_KEY"])
        .env_remove("HOARD_TEST_UNSET_KEY")
        .output()
        .expect("run hoard");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("Error: [btc.key_unavailable] environment variable HOARD_TEST_UNSET_KEY"),
        "{err}"
    );
}

/// A coin of `w` at receive index `index`, confirmed at height 10.
fn coin(w: &Wallet, index: u32, sats: u64, salt: u8) -> Utxo {
    let funding = Transaction {
        version: transaction::Version::TWO,
        lock_time: absolute::LockTime::ZERO,
        input: vec![TxIn {
            previous_output: OutPoint {
                txid: Txid::from_raw_hash(sha256d::Hash::hash(&[salt])),
                vout: 0,
            },
            script_sig: ScriptBuf::new(),
            sequence: Sequence::MAX,
            witness: Witness::new(),
        }],
        output: vec![TxOut {
            value: Amount::from_sat(sats),
            script_pubkey: w.script_pubkey(Keychain::External, index).expect("script"),
        }],
    };
    Utxo {
        outpoint: OutPoint { txid: funding.compute_txid(), vout: 0 },
        txout: funding.output[0].clone(),
        keychain: Keychain::External,
        index,
        confirmation_height: Some(10),
        prev_tx: Some(funding),
    }
}

/// `psbt create` then `psbt bump` through the binary, on the state file; the bump is refused
/// below the fee rate the original really pays, and the bumped PSBT is refused to the mainnet
/// twin of a signer's testnet key.
#[test]
fn btc_psbt_bump_through_the_binary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let (policy, signers) = devnet_policy("cli-bump", 2, 3);
    let policy_file = d.join("policy.json");
    std::fs::write(&policy_file, serde_json::to_string(&policy).expect("json")).expect("write");
    let w = Wallet::new(policy).expect("wallet");
    let coins = d.join("coins.json");
    std::fs::write(&coins, serde_json::to_string(&vec![coin(&w, 0, 60_000, 1)]).expect("json"))
        .expect("write");
    let state = d.join("state.json");
    let payee = format!("{}:25000", w.address(Keychain::External, 7).expect("address"));
    let base = ["--policy", path(&policy_file), "--state", path(&state), "--id", "p-1"];
    let mut create = vec!["psbt", "create", "--utxos", path(&coins), "--to", &payee];
    create.extend(base);
    create.extend(["--fee-rate", "3", "--max-fee", "10000", "--tip", "50"]);
    let created = stdout_json(&run(&create));
    let txid = created["report"]["txid"].as_str().expect("txid").to_string();
    let bump = |rate: &str| {
        let mut args = vec!["psbt", "bump"];
        args.extend(base);
        args.extend(["--fee-rate", rate, "--max-fee", "10000", "--tip", "50"]);
        run(&args)
    };
    let out = bump("3");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.starts_with("Error: [btc.fee_bump_rate_too_low] fee bump too low"), "{err}");
    let bumped = stdout_json(&bump("12"));
    assert_eq!(bumped["replaces"].as_str(), Some(txid.as_str()));
    let fee = bumped["report"]["fee_sats"].as_u64().expect("fee");
    let vsize = bumped["report"]["estimated_vsize"].as_u64().expect("vsize");
    let original = bumped["original_fee_sats"].as_u64().expect("original fee");
    assert_eq!(original, created["report"]["fee_sats"].as_u64().expect("fee"));
    assert!(fee >= original + vsize && fee >= 12 * vsize, "{fee} {original} {vsize}");
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(&state).expect("state")).expect("json");
    assert_eq!(saved["spends"]["p-1"]["versions"].as_array().map(Vec::len), Some(2));

    let psbt_file = d.join("bumped.psbt");
    std::fs::write(&psbt_file, bumped["psbt"].as_str().expect("psbt")).expect("write");
    let twin = Xpriv { network: NetworkKind::Main, ..*signers[1].master() };
    let sign = |key: String, with_policy: bool| {
        let mut cmd = hoard();
        cmd.args(["btc", "psbt", "sign", path(&psbt_file)]).env("HOARD_BTC_XPRV", key);
        if with_policy {
            cmd.args(["--policy", path(&policy_file)]);
        }
        cmd.output().expect("run hoard")
    };
    for with_policy in [true, false] {
        let out = sign(twin.to_string(), with_policy);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert!(err.starts_with("Error: [btc.key_network_mismatch] key "), "{err}");
        assert!(!err.contains("Caused by"), "{err}");
    }
    let signed = stdout_json(&sign(signers[1].master().to_string(), true));
    assert_eq!(signed["signer"].as_str(), Some(signers[1].fingerprint().to_string().as_str()));
}
