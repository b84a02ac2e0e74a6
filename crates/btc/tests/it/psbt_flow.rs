//! The PSBT lifecycle on a 5-of-7 vault: create, verify, sign by five signers in separate steps,
//! combine, finalize, extract, and check the scripts with libbitcoinconsensus.

use hoard_btc::bitcoin::consensus::serialize;
use hoard_btc::bitcoin::psbt::Psbt;
use hoard_btc::bitcoin::sighash::EcdsaSighashType;
use hoard_btc::bitcoin::{Amount, Transaction, TxOut};
use hoard_btc::coin::MIN_CONFIRMATIONS_DEFAULT;
use hoard_btc::psbt::OutputRole;
use hoard_btc::{
    Expectations, FeeTerms, Payee, SpendRequest, UtxoManager, Wallet, combine_psbts, extract_tx,
    finalize_psbt, parse_psbt, signature_status, verify_psbt,
};

use crate::common::{NET, coin, outsider, wallet};

pub fn request(amount: u64, rate: u64) -> SpendRequest {
    SpendRequest {
        payees: vec![Payee {
            script_pubkey: outsider(NET).script_pubkey(),
            amount: Amount::from_sat(amount),
        }],
        fee: FeeTerms { rate_sat_vb: rate, max_fee: Amount::from_sat(100_000) },
        path: Default::default(),
    }
}

/// Checks every input of `tx` with Bitcoin Core's script interpreter.
pub fn consensus_verify(tx: &Transaction, prevouts: &[TxOut]) {
    let bytes = serialize(tx);
    for (i, prev) in prevouts.iter().enumerate() {
        bitcoinconsensus::verify(
            prev.script_pubkey.as_bytes(),
            prev.value.to_sat(),
            &bytes,
            None,
            i,
        )
        .unwrap_or_else(|e| panic!("input {i}: {e:?}"));
    }
}

fn funded_vault() -> (Wallet, Vec<hoard_btc::SoftwareSigner>, UtxoManager) {
    let (w, signers) = wallet("vault-1", 5, 7);
    let mut m = UtxoManager::new();
    m.apply_utxos(vec![
        coin(&w, 0, 60_000, Some(100), 1),
        coin(&w, 1, 50_000, Some(101), 2),
        coin(&w, 2, 5_000, Some(102), 3),
    ]);
    (w, signers, m)
}

#[test]
fn five_of_seven_signed_separately_combined_finalized_and_valid() {
    let (w, signers, mut m) = funded_vault();
    let req = request(80_000, 5);
    let psbt = m.create_spend(&w, "payout-1", &req, 200, MIN_CONFIRMATIONS_DEFAULT).unwrap();
    let expect = Expectations { payees: Some(req.payees.clone()), max_fee: Some(req.fee.max_fee) };
    let report = verify_psbt(&w, &psbt, &expect).unwrap();
    assert_eq!(report.inputs.len(), 2, "the two largest coins cover 80k + fee");
    assert!(report.rbf);
    assert!(!report.ready_to_finalize);
    assert_eq!(report.input_sats, 110_000);
    assert_eq!(report.outputs.iter().filter(|o| o.role == OutputRole::Payee).count(), 1);
    assert!(
        matches!(report.outputs[1].role, OutputRole::Wallet { .. }),
        "change returns to the wallet"
    );
    assert_eq!(report.input_sats - report.output_sats, report.fee_sats);
    assert!(report.fee_sats >= 5 * report.estimated_vsize, "fee rate honoured");

    // Each signer receives the PSBT as text, signs alone, returns text.
    let unsigned = psbt.to_string();
    let mut partials = Vec::new();
    for s in &signers[..5] {
        let mut p = parse_psbt(unsigned.as_bytes()).unwrap();
        verify_psbt(&w, &p, &expect).unwrap();
        let r = s.sign(&mut p).unwrap();
        assert_eq!(r.inputs_signed, vec![0, 1]);
        assert_eq!(r.signer, s.fingerprint());
        partials.push(p.to_string());
    }
    let parsed: Vec<Psbt> = partials.iter().map(|t| parse_psbt(t.as_bytes()).unwrap()).collect();

    // Four signatures do not finalize.
    let mut four = combine_psbts(parsed[..4].to_vec()).unwrap();
    let st = signature_status(&w, &four).unwrap();
    assert!(st.iter().all(|s| s.primary_signers.len() == 4 && !s.threshold_met));
    let err = finalize_psbt(&w, &mut four).unwrap_err();
    assert_eq!(err.code(), "btc.threshold_not_met");
    assert_eq!(extract_tx(&four).unwrap_err().code(), "btc.extract_failed");

    // Five do, and the result is a valid transaction.
    let mut five = combine_psbts(parsed).unwrap();
    let st = signature_status(&w, &five).unwrap();
    let mut who: Vec<_> = st[0].primary_signers.clone();
    who.sort();
    let mut expected: Vec<_> = signers[..5].iter().map(|s| s.fingerprint()).collect();
    expected.sort();
    assert_eq!(who, expected, "the report names exactly the five signers");
    assert!(st.iter().all(|s| s.threshold_met && s.invalid_signatures == 0));
    let prevouts: Vec<TxOut> =
        five.inputs.iter().map(|i| i.witness_utxo.clone().unwrap()).collect();
    finalize_psbt(&w, &mut five).unwrap();
    let tx = extract_tx(&five).unwrap();
    assert_eq!(tx.compute_txid(), psbt.unsigned_tx.compute_txid());
    consensus_verify(&tx, &prevouts);
    // The real size stays within the estimate the fee was computed on.
    assert!(tx.vsize() as u64 <= report.estimated_vsize);

    // A tampered signature is detected by libbitcoinconsensus.
    let mut bad = tx.clone();
    let w0 = bad.input[0].witness.to_vec();
    let mut items = w0.clone();
    let sig = &mut items[1];
    let last = sig.len() - 2;
    sig[last] ^= 1;
    bad.input[0].witness = items.into();
    let bytes = serialize(&bad);
    assert!(
        bitcoinconsensus::verify(
            prevouts[0].script_pubkey.as_bytes(),
            prevouts[0].value.to_sat(),
            &bytes,
            None,
            0
        )
        .is_err()
    );
}

#[test]
fn signatures_from_outsiders_and_invalid_signatures_do_not_count() {
    let (w, signers, mut m) = funded_vault();
    let mut psbt = m.create_spend(&w, "p", &request(20_000, 2), 200, 1).unwrap();
    // A signer of another wallet holds no key here.
    let stranger = hoard_btc::SoftwareSigner::devnet(NET, "other", 0).unwrap();
    assert_eq!(stranger.sign(&mut psbt.clone()).unwrap_err().code(), "btc.signer_not_in_policy");
    for s in &signers[..5] {
        s.sign(&mut psbt).unwrap();
    }
    // Corrupt one signature: it must not count, leaving 4 of 5.
    let (pk, sig) = psbt.inputs[0].partial_sigs.iter().next().map(|(k, v)| (*k, *v)).unwrap();
    let mut other = sig;
    other.signature = psbt.inputs[0].partial_sigs.values().nth(1).unwrap().signature;
    psbt.inputs[0].partial_sigs.insert(pk, other);
    let st = signature_status(&w, &psbt).unwrap();
    assert_eq!(st[0].invalid_signatures, 1);
    assert_eq!(st[0].primary_signers.len(), 4);
    assert_eq!(finalize_psbt(&w, &mut psbt).unwrap_err().code(), "btc.threshold_not_met");
}

#[test]
fn verify_refuses_what_the_policy_forbids() {
    let (w, _signers, mut m) = funded_vault();
    let req = request(30_000, 3);
    let psbt = m.create_spend(&w, "p", &req, 200, 1).unwrap();
    let expect = Expectations { payees: Some(req.payees.clone()), max_fee: Some(req.fee.max_fee) };
    verify_psbt(&w, &psbt, &expect).unwrap();

    // A PSBT of another wallet.
    let (other, _) = wallet("vault-2", 5, 7);
    assert_eq!(verify_psbt(&other, &psbt, &expect).unwrap_err().code(), "btc.foreign_input");

    // Payee amount changed after creation (e.g. by a compromised coordinator).
    let mut t = psbt.clone();
    t.unsigned_tx.output[0].value = Amount::from_sat(31_000);
    assert_eq!(verify_psbt(&w, &t, &expect).unwrap_err().code(), "btc.policy_violation");

    // Change redirected to an outsider: it becomes an unexpected payee.
    let mut t = psbt.clone();
    t.unsigned_tx.output[1].script_pubkey = outsider(NET).script_pubkey();
    assert_eq!(verify_psbt(&w, &t, &expect).unwrap_err().code(), "btc.policy_violation");

    // Fee above the maximum.
    let tight = Expectations { payees: expect.payees.clone(), max_fee: Some(Amount::from_sat(10)) };
    assert_eq!(verify_psbt(&w, &psbt, &tight).unwrap_err().code(), "btc.fee_above_maximum");

    // Missing UTXO data.
    let mut t = psbt.clone();
    t.inputs[0].witness_utxo = None;
    assert_eq!(verify_psbt(&w, &t, &expect).unwrap_err().code(), "btc.missing_utxo");

    // Witness UTXO that lies about the amount: the previous transaction contradicts it.
    let mut t = psbt.clone();
    if let Some(u) = t.inputs[0].witness_utxo.as_mut() {
        u.value = Amount::from_sat(1);
    }
    assert_eq!(verify_psbt(&w, &t, &expect).unwrap_err().code(), "btc.policy_violation");

    // A sighash type other than ALL.
    let mut t = psbt.clone();
    t.inputs[0].sighash_type = Some(EcdsaSighashType::NonePlusAnyoneCanPay.into());
    assert_eq!(verify_psbt(&w, &t, &expect).unwrap_err().code(), "btc.policy_violation");

    // Combining PSBTs of different transactions.
    let other_psbt = m.create_spend(&w, "q", &request(3_000, 3), 200, 1).unwrap();
    assert_eq!(combine_psbts(vec![psbt, other_psbt]).unwrap_err().code(), "btc.psbt_mismatch");
}

/// The timelocked recovery path: coins younger than the timelock are not selected; older ones are
/// spent with `nSequence = older(n)`, signed by the recovery signers alone, and the result passes
/// libbitcoinconsensus (with CHECKSEQUENCEVERIFY).
#[test]
fn recovery_path_spend_after_timelock() {
    use hoard_btc::psbt::SpendPath;
    use hoard_btc::{RecoveryPath, SignerSet, WalletPolicy};

    let primary = crate::common::signers("rec-primary", 3);
    let backup = crate::common::signers("rec-backup", 2);
    let keys =
        |s: &[hoard_btc::SoftwareSigner]| s.iter().map(|x| x.signer_key(0).unwrap()).collect();
    let policy = WalletPolicy::new(
        "with-recovery",
        NET,
        SignerSet::new(2, keys(&primary)).unwrap(),
        Some(RecoveryPath::new(10, SignerSet::new(1, keys(&backup)).unwrap()).unwrap()),
    )
    .unwrap();
    let w = Wallet::new(policy).unwrap();
    let mut m = UtxoManager::new();
    m.apply_utxos(vec![coin(&w, 0, 80_000, Some(100), 21)]);
    let mut req = request(50_000, 3);
    req.path = SpendPath::Recovery;
    // At tip 105 the coin has 6 confirmations: the recovery path is not open yet.
    assert_eq!(m.create_spend(&w, "r", &req, 105, 1).unwrap_err().code(), "btc.insufficient_funds");
    let mut psbt = m.create_spend(&w, "r", &req, 109, 1).unwrap();
    assert_eq!(psbt.unsigned_tx.input[0].sequence.0, 10);
    assert!(psbt.unsigned_tx.input[0].sequence.is_rbf());
    let prevouts: Vec<TxOut> =
        psbt.inputs.iter().map(|i| i.witness_utxo.clone().unwrap()).collect();
    backup[1].sign(&mut psbt).unwrap();
    let st = signature_status(&w, &psbt).unwrap();
    assert_eq!(st[0].recovery_signers, vec![backup[1].fingerprint()]);
    assert!(st[0].primary_signers.is_empty() && st[0].threshold_met);
    finalize_psbt(&w, &mut psbt).unwrap();
    let tx = extract_tx(&psbt).unwrap();
    consensus_verify(&tx, &prevouts);
    // The same signature on a transaction without the timelock does not satisfy the script.
    let mut early = tx.clone();
    early.input[0].sequence = hoard_btc::bitcoin::Sequence::from_height(9);
    let bytes = serialize(&early);
    assert!(
        bitcoinconsensus::verify(
            prevouts[0].script_pubkey.as_bytes(),
            prevouts[0].value.to_sat(),
            &bytes,
            None,
            0
        )
        .is_err()
    );
    // A wallet without recovery path refuses recovery spends.
    let (plain, _) = wallet("plain", 2, 3);
    let mut m2 = UtxoManager::new();
    m2.apply_utxos(vec![coin(&plain, 0, 80_000, Some(1), 22)]);
    assert_eq!(
        m2.create_spend(&plain, "r", &req, 200, 1).unwrap_err().code(),
        "btc.invalid_policy"
    );
}

/// BIP-32 derivation ignores the network: the mainnet `xprv` of a testnet signer's seed has the
/// same fingerprint and keys, and signed a regtest wallet's PSBT (and a `tprv` a mainnet one).
/// Signing now refuses a key of another network than the PSBT's global xpubs or the wallet,
/// with the code policy building uses, and signs nothing.
#[test]
fn signing_keys_of_another_network_are_refused() {
    use hoard_btc::bitcoin::NetworkKind;
    use hoard_btc::bitcoin::bip32::Xpriv;
    use hoard_btc::{SoftwareSigner, WalletPolicy};

    let twin = |s: &SoftwareSigner, network| SoftwareSigner::new(Xpriv { network, ..*s.master() });
    // A regtest wallet (tpub keys), signed by the mainnet twin of one of its signers.
    let (w, signers) = wallet("net-check", 2, 3);
    let mut m = UtxoManager::new();
    m.apply_utxos(vec![coin(&w, 0, 50_000, Some(10), 1)]);
    let psbt = m.create_spend(&w, "p", &request(20_000, 2), 20, 1).unwrap();
    assert_eq!(psbt.xpub.len(), 3, "the PSBT carries the policy's account keys");
    let mainnet = twin(&signers[0], NetworkKind::Main);
    assert_eq!(mainnet.fingerprint(), signers[0].fingerprint(), "same seed, same keys");
    let mut p = psbt.clone();
    let e = mainnet.sign(&mut p).unwrap_err();
    assert_eq!(e.code(), "btc.key_network_mismatch", "{e}");
    assert!(e.to_string().contains("mainnet xprv"), "{e}");
    assert_eq!(p, psbt, "nothing was signed");
    let e = mainnet.sign_for(&w, &mut p).unwrap_err();
    assert_eq!(e.code(), "btc.key_network_mismatch", "{e}");
    assert!(e.to_string().contains("regtest"), "{e}");
    assert_eq!(p, psbt);
    // The right key signs through both entry points.
    signers[0].sign(&mut p.clone()).unwrap();
    signers[0].sign_for(&w, &mut p).unwrap();
    assert_eq!(p.inputs[0].partial_sigs.len(), 1);

    // A PSBT without global xpubs (another coordinator's): without a wallet its network is
    // unknown and nothing is signed; with the wallet the key's network is checked against it.
    let mut bare = psbt.clone();
    bare.xpub.clear();
    assert_eq!(signers[0].sign(&mut bare.clone()).unwrap_err().code(), "btc.network_unknown");
    assert_eq!(
        mainnet.sign_for(&w, &mut bare.clone()).unwrap_err().code(),
        "btc.key_network_mismatch"
    );
    signers[0].sign_for(&w, &mut bare).unwrap();

    // A mainnet wallet (xpub keys), signed by the tprv twin of one of its signers.
    let main_signers: Vec<SoftwareSigner> = (0..3)
        .map(|i| {
            SoftwareSigner::devnet(hoard_btc::bitcoin::Network::Bitcoin, "net-main", i).unwrap()
        })
        .collect();
    let keys = main_signers.iter().map(|s| s.signer_key(0).unwrap()).collect();
    let main_wallet = Wallet::new(
        WalletPolicy::multisig("m", hoard_btc::bitcoin::Network::Bitcoin, 2, keys).unwrap(),
    )
    .unwrap();
    let mut mm = UtxoManager::new();
    mm.apply_utxos(vec![coin(&main_wallet, 0, 50_000, Some(10), 2)]);
    let main_psbt = mm.create_spend(&main_wallet, "p", &request(20_000, 2), 20, 1).unwrap();
    let testnet = twin(&main_signers[1], NetworkKind::Test);
    for r in [
        testnet.sign(&mut main_psbt.clone()),
        testnet.sign_for(&main_wallet, &mut main_psbt.clone()),
    ] {
        let e = r.unwrap_err();
        assert_eq!(e.code(), "btc.key_network_mismatch", "{e}");
        assert!(e.to_string().contains("test-network tprv"), "{e}");
    }
    main_signers[1].sign_for(&main_wallet, &mut main_psbt.clone()).unwrap();
}
