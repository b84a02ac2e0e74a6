//! The PSBT lifecycle (BIP-174): create, verify against the policy, sign with software keys,
//! combine, finalize, extract.
//!
//! Every signer, software or hardware, works from the same PSBT: inputs carry `witness_utxo`, the
//! `witness_script` and BIP-32 derivations of every key (and `non_witness_utxo` when the previous
//! transaction is known); change outputs carry their own script and derivations so a signer can
//! recognise them. Signatures are counted only when they verify against the input's sighash.

use core::str::FromStr;
use std::collections::{BTreeMap, BTreeSet};

use bitcoin::bip32::{ChildNumber, Fingerprint, Xpriv};
use bitcoin::hex::FromHex;
use bitcoin::psbt::{Psbt, SigningKeys};
use bitcoin::secp256k1::Message;
use bitcoin::sighash::{EcdsaSighashType, SighashCache};
use bitcoin::transaction::Version;
use bitcoin::{
    Amount, NetworkKind, OutPoint, ScriptBuf, Sequence, Transaction, TxIn, Witness, absolute,
};
use miniscript::psbt::PsbtExt;
use serde::{Deserialize, Serialize};

use crate::coin::{Payee, Utxo, check_payees, tx_weight};
use crate::error::{BtcError, Result};
use crate::policy::Keychain;
use crate::wallet::Wallet;

/// Largest PSBT accepted, in bytes.
pub const PSBT_BYTES_MAX: usize = 4 * 1024 * 1024;

/// Everything needed to build the unsigned transaction of a spend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpendPlan {
    /// Coins spent, in input order.
    pub inputs: Vec<Utxo>,
    /// Payees, in output order, before the change.
    pub payees: Vec<Payee>,
    /// Change output: derivation index on the internal chain and amount.
    pub change: Option<(u32, Amount)>,
    /// Absolute lock time as a block height (the chain tip discourages fee sniping; 0 for none).
    pub lock_time_height: u32,
    /// Spending path: the primary signers, or the recovery signers once the timelock has passed
    /// (inputs then carry `nSequence = older(n)`, which still signals BIP-125).
    #[serde(default)]
    pub path: SpendPath,
}

/// Builds the PSBT of a plan: version 2, every input signalling BIP-125 replaceability
/// (`nSequence = 0xFFFFFFFD`, or the recovery timelock on the recovery path), payees first then
/// change, inputs and change filled with the wallet's scripts and derivations, the policy's
/// account keys as global xpubs.
pub fn build_psbt(wallet: &Wallet, plan: &SpendPlan) -> Result<Psbt> {
    check_payees(&plan.payees)?;
    let sequence = match plan.path {
        SpendPath::Primary => Sequence::ENABLE_RBF_NO_LOCKTIME,
        SpendPath::Recovery => {
            let r = wallet
                .policy()
                .recovery()
                .ok_or_else(|| BtcError::InvalidPolicy("the wallet has no recovery path".into()))?;
            let blocks = u16::try_from(r.older_blocks())
                .expect("invariant: RecoveryPath::new bounds older_blocks to 16 bits");
            Sequence::from_height(blocks)
        }
    };
    let lock_time = absolute::LockTime::from_height(plan.lock_time_height)
        .map_err(|e| BtcError::PolicyViolation(format!("lock time: {e}")))?;
    let mut outputs: Vec<bitcoin::TxOut> = plan.payees.iter().map(Payee::txout).collect();
    if let Some((index, amount)) = plan.change {
        outputs.push(bitcoin::TxOut {
            value: amount,
            script_pubkey: wallet.script_pubkey(Keychain::Internal, index)?,
        });
    }
    let tx = Transaction {
        version: Version::TWO,
        lock_time,
        input: plan
            .inputs
            .iter()
            .map(|u| TxIn {
                previous_output: u.outpoint,
                script_sig: ScriptBuf::new(),
                sequence,
                witness: Witness::new(),
            })
            .collect(),
        output: outputs,
    };
    let mut psbt =
        Psbt::from_unsigned_tx(tx).map_err(|e| BtcError::MalformedPsbt(e.to_string()))?;
    // Global xpubs (BIP-174 PSBT_GLOBAL_XPUB): every account key of the policy with its origin.
    // Signers learn the wallet's keys, and its network (xpub or tpub), from them.
    for k in wallet.policy().all_keys() {
        psbt.xpub.insert(k.xpub, (k.fingerprint, k.path.clone()));
    }
    for (i, u) in plan.inputs.iter().enumerate() {
        if wallet.script_pubkey(u.keychain, u.index)? != u.txout.script_pubkey {
            return Err(BtcError::ForeignInput {
                index: i,
                reason: format!("coin {} is not at {:?}/{}", u.outpoint, u.keychain, u.index),
            });
        }
        psbt.inputs[i].witness_utxo = Some(u.txout.clone());
        if let Some(prev) = &u.prev_tx {
            if prev.compute_txid() != u.outpoint.txid {
                return Err(BtcError::PolicyViolation(format!(
                    "previous transaction of {} has another txid",
                    u.outpoint
                )));
            }
            psbt.inputs[i].non_witness_utxo = Some(prev.clone());
        }
        psbt.update_input_with_descriptor(i, &wallet.derive(u.keychain, u.index)?)
            .map_err(|e| BtcError::PolicyViolation(format!("input {i}: {e}")))?;
    }
    if let Some((index, _)) = plan.change {
        let derived = wallet.derive(Keychain::Internal, index)?;
        let out = psbt.outputs.len() - 1;
        psbt.update_output_with_descriptor(out, &derived)
            .map_err(|e| BtcError::PolicyViolation(format!("change output: {e}")))?;
    }
    Ok(psbt)
}

/// Parses a PSBT from base64, hex or raw bytes.
pub fn parse_psbt(data: &[u8]) -> Result<Psbt> {
    if data.len() > PSBT_BYTES_MAX * 2 {
        return Err(BtcError::MalformedPsbt(format!("larger than {PSBT_BYTES_MAX} bytes")));
    }
    if data.starts_with(b"psbt\xff") {
        return Psbt::deserialize(data).map_err(|e| psbt_decode_error(&e));
    }
    let text = core::str::from_utf8(data)
        .map_err(|_| BtcError::MalformedPsbt("neither PSBT bytes nor text".into()))?
        .trim();
    let is_hex = !text.is_empty() && text.bytes().all(|b| b.is_ascii_hexdigit());
    if is_hex {
        let bytes = Vec::<u8>::from_hex(text)
            .map_err(|e| BtcError::MalformedPsbt(format!("invalid hex: {e}")))?;
        return Psbt::deserialize(&bytes).map_err(|e| psbt_decode_error(&e));
    }
    Psbt::from_str(text).map_err(|e| match e {
        bitcoin::psbt::PsbtParseError::PsbtEncoding(inner) => psbt_decode_error(&inner),
        other => {
            BtcError::MalformedPsbt(format!("invalid base64: {}", crate::error::describe(&other)))
        }
    })
}

/// The refusal of PSBT bytes that do not decode: "truncated" when they end early.
fn psbt_decode_error(e: &bitcoin::psbt::Error) -> BtcError {
    use bitcoin::consensus::encode;
    use bitcoin::psbt::Error as E;
    let eof = |io: &bitcoin::io::Error| io.kind() == bitcoin::io::ErrorKind::UnexpectedEof;
    match e {
        E::Io(io) | E::ConsensusEncoding(encode::Error::Io(io)) if eof(io) => {
            BtcError::MalformedPsbt("the PSBT is truncated: its data ends early".into())
        }
        other => BtcError::MalformedPsbt(crate::error::describe(other)),
    }
}

/// Base64 text of a PSBT (the usual interchange format).
pub fn psbt_to_base64(psbt: &Psbt) -> String {
    psbt.to_string()
}

/// What one signing pass did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignReport {
    /// Master fingerprint of the signer.
    pub signer: Fingerprint,
    /// Inputs that received a signature.
    pub inputs_signed: Vec<usize>,
}

/// Signs every input the key can sign (found through the inputs' BIP-32 derivations) with
/// SIGHASH_ALL. Call [`verify_psbt`] first: signing does not check outputs or fees.
///
/// The key's network must be the PSBT's: BIP-32 derivation does not depend on the network, so a
/// mainnet `xprv` of the same seed would otherwise sign a test network's PSBT and a `tprv` a
/// mainnet one. The PSBT's network is read from its global xpubs (`PSBT_GLOBAL_XPUB`, which
/// [`build_psbt`] always writes): a key of another network is refused with
/// `btc.key_network_mismatch`, and a PSBT without global xpubs with `btc.network_unknown` (sign it
/// with [`sign_psbt_for_wallet`], whose wallet names the network).
pub fn sign_psbt(psbt: &mut Psbt, master: &Xpriv) -> Result<SignReport> {
    let kinds: BTreeSet<bool> = psbt.xpub.keys().map(|x| x.network == NetworkKind::Main).collect();
    match kinds.len() {
        0 => {
            return Err(BtcError::NetworkUnknown(
                "the PSBT does not say which network it is for (it has no global xpubs), so the \
                 signing key's network cannot be checked: sign it with the wallet's policy"
                    .into(),
            ));
        }
        1 if kinds.contains(&(master.network == NetworkKind::Main)) => {}
        1 => {
            return Err(BtcError::KeyNetworkMismatch {
                key: signing_key_name(master),
                network: match master.network {
                    NetworkKind::Main => "testnet/signet/regtest (the PSBT's keys are tpubs)",
                    NetworkKind::Test => "bitcoin (the PSBT's keys are xpubs)",
                }
                .into(),
            });
        }
        _ => {
            return Err(BtcError::PolicyViolation(
                "the PSBT's global xpubs mix mainnet and test-network keys".into(),
            ));
        }
    }
    sign_inputs(psbt, master)
}

/// [`sign_psbt`] for a PSBT of `wallet`: the key must be of the wallet's network (and of the
/// PSBT's, if it carries global xpubs), or signing is refused with `btc.key_network_mismatch`.
pub fn sign_psbt_for_wallet(
    wallet: &Wallet,
    psbt: &mut Psbt,
    master: &Xpriv,
) -> Result<SignReport> {
    if NetworkKind::from(wallet.network()) != master.network {
        return Err(BtcError::KeyNetworkMismatch {
            key: signing_key_name(master),
            network: wallet.network().to_string(),
        });
    }
    if psbt.xpub.is_empty() {
        return sign_inputs(psbt, master);
    }
    sign_psbt(psbt, master)
}

/// How a signing key is named in refusals: its fingerprint and kind, never the key.
fn signing_key_name(master: &Xpriv) -> String {
    let kind = match master.network {
        NetworkKind::Main => "mainnet xprv",
        NetworkKind::Test => "test-network tprv",
    };
    format!("{} ({kind})", master.fingerprint(secp256k1::SECP256K1))
}

fn sign_inputs(psbt: &mut Psbt, master: &Xpriv) -> Result<SignReport> {
    let secp = secp256k1::SECP256K1;
    let signer = master.fingerprint(secp);
    for (i, input) in psbt.inputs.iter().enumerate() {
        if let Some(t) = input.sighash_type
            && t.ecdsa_hash_ty().ok() != Some(EcdsaSighashType::All)
        {
            return Err(BtcError::PolicyViolation(format!("input {i}: sighash type {t} refused")));
        }
    }
    let signed = match psbt.sign(master, secp) {
        Ok(map) => map,
        Err((map, errors)) => {
            if map.values().all(|k| matches!(k, SigningKeys::Ecdsa(v) if v.is_empty())) {
                let first = errors.into_iter().next().map(|(i, e)| format!("input {i}: {e}"));
                return Err(BtcError::SigningFailed(first.unwrap_or_default()));
            }
            map
        }
    };
    let inputs_signed: Vec<usize> = signed
        .into_iter()
        .filter(|(_, keys)| match keys {
            SigningKeys::Ecdsa(v) => !v.is_empty(),
            SigningKeys::Schnorr(v) => !v.is_empty(),
        })
        .map(|(i, _)| i)
        .collect();
    if inputs_signed.is_empty() {
        return Err(BtcError::SignerNotInPolicy(signer.to_string()));
    }
    Ok(SignReport { signer, inputs_signed })
}

/// Combines PSBTs of the same unsigned transaction (BIP-174 combiner).
pub fn combine_psbts(psbts: Vec<Psbt>) -> Result<Psbt> {
    let mut it = psbts.into_iter();
    let mut acc = it.next().ok_or_else(|| BtcError::MalformedPsbt("nothing to combine".into()))?;
    let txid = acc.unsigned_tx.compute_txid();
    for p in it {
        let other = p.unsigned_tx.compute_txid();
        if other != txid {
            return Err(BtcError::PsbtMismatch(format!("{txid} vs {other}")));
        }
        acc.combine(p).map_err(|e| BtcError::PsbtMismatch(e.to_string()))?;
    }
    Ok(acc)
}

/// A spending path of the policy (and the path a key belongs to).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpendPath {
    /// The primary k-of-n.
    #[default]
    Primary,
    /// The timelocked recovery path.
    Recovery,
}

/// Signature state of one input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputSignatures {
    /// Input index.
    pub index: usize,
    /// Signers (master fingerprints) with a valid signature on the primary path.
    pub primary_signers: Vec<Fingerprint>,
    /// Signers with a valid signature on the recovery path.
    pub recovery_signers: Vec<Fingerprint>,
    /// Signatures present that do not verify or belong to no key of the input.
    pub invalid_signatures: usize,
    /// Primary threshold.
    pub threshold: usize,
    /// True if the input can be finalized.
    pub threshold_met: bool,
    /// True if the input already carries a final witness.
    pub finalized: bool,
}

/// Counts valid signatures per input and tells which keys signed. Fails if an input does not
/// belong to the wallet.
pub fn signature_status(wallet: &Wallet, psbt: &Psbt) -> Result<Vec<InputSignatures>> {
    let secp = secp256k1::SECP256K1;
    let mut cache = SighashCache::new(&psbt.unsigned_tx);
    let policy = wallet.policy();
    let mut out = Vec::with_capacity(psbt.inputs.len());
    for (i, input) in psbt.inputs.iter().enumerate() {
        let utxo = input.witness_utxo.as_ref().ok_or(BtcError::MissingUtxo(i))?;
        let (keychain, index) = wallet
            .recognise(&utxo.script_pubkey, &input.bip32_derivation)
            .ok_or_else(|| BtcError::ForeignInput {
                index: i,
                reason: "script not derived from the policy".into(),
            })?;
        let witness_script = wallet.witness_script(keychain, index)?;
        // Expected public key of every signer at this derivation.
        let mut expected = BTreeMap::new();
        let child =
            [ChildNumber::Normal { index: keychain.index() }, ChildNumber::Normal { index }];
        let sets = [(SpendPath::Primary, Some(policy.primary()))]
            .into_iter()
            .chain(policy.recovery().map(|r| (SpendPath::Recovery, Some(r.signers()))));
        for (path, set) in sets {
            for k in set.into_iter().flat_map(|s| s.keys()) {
                let pk = k
                    .xpub
                    .derive_pub(secp, &child)
                    .map_err(|e| BtcError::InvalidKey(e.to_string()))?
                    .public_key;
                expected.insert(pk, (path, k.fingerprint));
            }
        }
        let mut primary = BTreeSet::new();
        let mut recovery = BTreeSet::new();
        let mut invalid = 0usize;
        for (pk, sig) in &input.partial_sigs {
            let Some(&(path, fp)) = expected.get(&pk.inner) else {
                invalid += 1;
                continue;
            };
            let ok = sig.sighash_type == EcdsaSighashType::All
                && cache
                    .p2wsh_signature_hash(i, &witness_script, utxo.value, sig.sighash_type)
                    .ok()
                    .map(|h| {
                        secp.verify_ecdsa(&Message::from(h), &sig.signature, &pk.inner).is_ok()
                    })
                    .unwrap_or(false);
            if !ok {
                invalid += 1;
                continue;
            }
            match path {
                SpendPath::Primary => primary.insert(fp),
                SpendPath::Recovery => recovery.insert(fp),
            };
        }
        let finalized = input.final_script_witness.is_some();
        let threshold = policy.primary().threshold();
        let recovery_ok = policy.recovery().is_some_and(|r| {
            recovery.len() >= r.signers().threshold()
                && psbt.unsigned_tx.input[i].sequence.to_relative_lock_time().is_some_and(|lt| {
                    matches!(lt, bitcoin::relative::LockTime::Blocks(h) if u32::from(h.value()) >= r.older_blocks())
                })
        });
        out.push(InputSignatures {
            index: i,
            threshold_met: finalized || primary.len() >= threshold || recovery_ok,
            primary_signers: primary.into_iter().collect(),
            recovery_signers: recovery.into_iter().collect(),
            invalid_signatures: invalid,
            threshold,
            finalized,
        });
    }
    Ok(out)
}

/// Finalizes every input once its threshold of valid signatures is met (BIP-174 finalizer).
/// Fails, leaving the PSBT unchanged, if any input is short of signatures.
pub fn finalize_psbt(wallet: &Wallet, psbt: &mut Psbt) -> Result<()> {
    let status = signature_status(wallet, psbt)?;
    if let Some(s) = status.iter().find(|s| !s.threshold_met) {
        return Err(BtcError::ThresholdNotMet {
            input: s.index,
            have: s.primary_signers.len(),
            need: s.threshold,
        });
    }
    let mut work = psbt.clone();
    work.finalize_mut(secp256k1::SECP256K1).map_err(|errs| {
        BtcError::FinalizeFailed(
            errs.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "),
        )
    })?;
    *psbt = work;
    Ok(())
}

/// Extracts the signed transaction of a finalized PSBT; miniscript's interpreter re-checks every
/// input's witness and signatures first (BIP-174 extractor).
pub fn extract_tx(psbt: &Psbt) -> Result<Transaction> {
    psbt.extract(secp256k1::SECP256K1).map_err(|e| BtcError::ExtractFailed(e.to_string()))
}

/// What the caller expects a PSBT to do.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Expectations {
    /// Exactly these payees (as a multiset), if given; any output that is not provably the
    /// wallet's own is a payee.
    pub payees: Option<Vec<Payee>>,
    /// Largest fee accepted; `None` accepts any fee (inspection only).
    pub max_fee: Option<Amount>,
}

/// One input of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputReport {
    /// Coin spent.
    pub outpoint: OutPoint,
    /// Its amount in sats.
    pub amount_sats: u64,
    /// Wallet chain and index of its script.
    pub keychain: Keychain,
    /// Derivation index.
    pub index: u32,
    /// Signature state.
    pub signatures: InputSignatures,
}

/// Role of an output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum OutputRole {
    /// Pays someone else.
    Payee,
    /// Returns to the wallet (change, or a self-transfer to a receive address).
    Wallet {
        /// Chain.
        keychain: Keychain,
        /// Index.
        index: u32,
    },
}

/// One output of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputReport {
    /// Output index.
    pub index: usize,
    /// Address on the wallet's network, if the script has one.
    pub address: Option<String>,
    /// Amount in sats.
    pub amount_sats: u64,
    /// Payee or the wallet's own.
    pub role: OutputRole,
}

/// A verified summary of a PSBT, for the humans and machines that sign it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PsbtReport {
    /// Txid of the unsigned transaction (stable across signing for segwit).
    pub txid: String,
    /// Inputs.
    pub inputs: Vec<InputReport>,
    /// Outputs.
    pub outputs: Vec<OutputReport>,
    /// Sum of inputs.
    pub input_sats: u64,
    /// Sum of outputs.
    pub output_sats: u64,
    /// Fee paid.
    pub fee_sats: u64,
    /// Upper bound of the signed transaction's virtual size.
    pub estimated_vsize: u64,
    /// Fee rate over the estimated vsize, rounded down, in sat/vB.
    pub fee_rate_sat_vb: u64,
    /// Every input signals BIP-125 replaceability.
    pub rbf: bool,
    /// Every input has met its threshold.
    pub ready_to_finalize: bool,
}

/// Verifies a PSBT against the wallet policy before anyone signs it: every input is the wallet's
/// (script re-derived from its derivation, witness script matching, UTXO data consistent),
/// sighash types are SIGHASH_ALL, outputs are the expected payees plus provable change, no dust,
/// and the fee is within bounds. Returns the report shown to signers.
pub fn verify_psbt(wallet: &Wallet, psbt: &Psbt, expect: &Expectations) -> Result<PsbtReport> {
    let tx = &psbt.unsigned_tx;
    let mut seen = BTreeSet::new();
    let mut input_sats = Amount::ZERO;
    let mut inputs = Vec::with_capacity(tx.input.len());
    let status = signature_status(wallet, psbt)?;
    for (i, (txin, input)) in tx.input.iter().zip(&psbt.inputs).enumerate() {
        if !seen.insert(txin.previous_output) {
            return Err(BtcError::PolicyViolation(format!("input {i} spends a coin twice")));
        }
        let utxo = input.witness_utxo.as_ref().ok_or(BtcError::MissingUtxo(i))?;
        if let Some(prev) = &input.non_witness_utxo {
            let consistent = prev.compute_txid() == txin.previous_output.txid
                && prev.output.get(txin.previous_output.vout as usize) == Some(utxo);
            if !consistent {
                return Err(BtcError::PolicyViolation(format!(
                    "input {i}: previous transaction does not match the witness UTXO"
                )));
            }
        }
        if let Some(t) = input.sighash_type
            && t.ecdsa_hash_ty().ok() != Some(EcdsaSighashType::All)
        {
            return Err(BtcError::PolicyViolation(format!("input {i}: sighash type {t} refused")));
        }
        let (keychain, index) = wallet
            .recognise(&utxo.script_pubkey, &input.bip32_derivation)
            .ok_or_else(|| BtcError::ForeignInput {
                index: i,
                reason: "script not derived from the policy".into(),
            })?;
        if let Some(ws) = &input.witness_script {
            let expected = wallet.witness_script(keychain, index)?;
            if *ws != expected {
                return Err(BtcError::ForeignInput {
                    index: i,
                    reason: "witness script differs from the policy's".into(),
                });
            }
        }
        input_sats = input_sats
            .checked_add(utxo.value)
            .ok_or_else(|| BtcError::PolicyViolation("input amounts overflow".into()))?;
        inputs.push(InputReport {
            outpoint: txin.previous_output,
            amount_sats: utxo.value.to_sat(),
            keychain,
            index,
            signatures: status[i].clone(),
        });
    }
    let mut output_sats = Amount::ZERO;
    let mut outputs = Vec::with_capacity(tx.output.len());
    let mut payees = Vec::new();
    for (i, (txout, out)) in tx.output.iter().zip(&psbt.outputs).enumerate() {
        let min = txout.script_pubkey.minimal_non_dust();
        if txout.value < min {
            return Err(BtcError::DustOutput { amount: txout.value, min });
        }
        output_sats = output_sats
            .checked_add(txout.value)
            .ok_or_else(|| BtcError::PolicyViolation("output amounts overflow".into()))?;
        let role = match wallet.recognise(&txout.script_pubkey, &out.bip32_derivation) {
            Some((keychain, index)) => OutputRole::Wallet { keychain, index },
            None => {
                payees.push(Payee {
                    script_pubkey: txout.script_pubkey.clone(),
                    amount: txout.value,
                });
                OutputRole::Payee
            }
        };
        outputs.push(OutputReport {
            index: i,
            address: bitcoin::Address::from_script(&txout.script_pubkey, wallet.network())
                .ok()
                .map(|a| a.to_string()),
            amount_sats: txout.value.to_sat(),
            role,
        });
    }
    if let Some(want) = &expect.payees {
        let mut got = payees.clone();
        let mut want = want.clone();
        got.sort();
        want.sort();
        if got != want {
            return Err(BtcError::PolicyViolation(format!(
                "payees differ from the request: {} expected, {} found",
                want.len(),
                got.len()
            )));
        }
    }
    let fee = input_sats
        .checked_sub(output_sats)
        .ok_or_else(|| BtcError::PolicyViolation("outputs exceed inputs".into()))?;
    if let Some(max) = expect.max_fee
        && fee > max
    {
        return Err(BtcError::FeeAboveMaximum { fee, max });
    }
    let scripts: Vec<&bitcoin::Script> =
        tx.output.iter().map(|o| o.script_pubkey.as_script()).collect();
    let vsize = tx_weight(tx.input.len(), wallet.input_weight(), &scripts).to_vbytes_ceil();
    Ok(PsbtReport {
        txid: tx.compute_txid().to_string(),
        ready_to_finalize: status.iter().all(|s| s.threshold_met),
        inputs,
        outputs,
        input_sats: input_sats.to_sat(),
        output_sats: output_sats.to_sat(),
        fee_sats: fee.to_sat(),
        estimated_vsize: vsize,
        fee_rate_sat_vb: fee.to_sat() / vsize.max(1),
        rbf: tx.input.iter().all(|i| i.sequence.is_rbf()),
    })
}
