//! Coins (UTXOs as facts about the chain) and coin selection.
//!
//! Selection is deterministic: largest coins first (ties by outpoint), stopping at the first set
//! that pays the payees and the fee at the requested rate. Change below the dust limit of the
//! change script is never created: it goes to the fee, and only if the fee stays within the
//! caller's maximum. Unconfirmed coins are never candidates.

use bitcoin::{Amount, OutPoint, Script, ScriptBuf, Transaction, TxOut, Weight};
use serde::{Deserialize, Serialize};

use crate::error::{BtcError, Result};
use crate::policy::Keychain;

/// Highest fee rate accepted, in sat/vB (a guard against unit mistakes, e.g. sat/kvB).
pub const FEE_RATE_SAT_VB_MAX: u64 = 10_000;
/// Most payees in one batched spend.
pub const PAYEES_MAX: usize = 250;
/// Most inputs one spend may select.
pub const INPUTS_MAX: usize = 250;
/// Default confirmations a coin needs before it is spent.
pub const MIN_CONFIRMATIONS_DEFAULT: u32 = 1;

/// A coin of the wallet as reported by a chain source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Utxo {
    /// Where the coin is.
    pub outpoint: OutPoint,
    /// Its amount and script.
    pub txout: TxOut,
    /// Chain of the wallet that owns the script.
    pub keychain: Keychain,
    /// Derivation index of the script.
    pub index: u32,
    /// Height of the block that confirmed it; `None` while unconfirmed.
    pub confirmation_height: Option<u32>,
    /// The full previous transaction, when known (some hardware signers require it for segwit
    /// v0 inputs; see the segwit fee-overpayment attack).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prev_tx: Option<Transaction>,
}

impl Utxo {
    /// Amount of the coin.
    pub fn amount(&self) -> Amount {
        self.txout.value
    }

    /// True when the coin has at least `min_conf` confirmations at `tip_height`.
    pub fn is_mature(&self, tip_height: u32, min_conf: u32) -> bool {
        match self.confirmation_height {
            Some(h) if h <= tip_height => tip_height - h + 1 >= min_conf.max(1),
            _ => false,
        }
    }
}

/// One output of a spend.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Payee {
    /// Output script (from a validated address).
    pub script_pubkey: ScriptBuf,
    /// Amount paid.
    pub amount: Amount,
}

impl Payee {
    /// As a transaction output.
    pub fn txout(&self) -> TxOut {
        TxOut { value: self.amount, script_pubkey: self.script_pubkey.clone() }
    }
}

/// Fee terms of a spend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeTerms {
    /// Fee rate in sat/vB.
    pub rate_sat_vb: u64,
    /// Largest absolute fee the spend may pay.
    pub max_fee: Amount,
}

impl FeeTerms {
    /// Checks the rate is in `1..=FEE_RATE_SAT_VB_MAX`.
    pub fn validate(&self) -> Result<()> {
        if self.rate_sat_vb == 0 || self.rate_sat_vb > FEE_RATE_SAT_VB_MAX {
            return Err(BtcError::InvalidFeeRate {
                sat_per_vb: self.rate_sat_vb,
                max: FEE_RATE_SAT_VB_MAX,
            });
        }
        Ok(())
    }

    /// Fee for a transaction of `weight`: rate x vsize, vsize rounded up (as Bitcoin Core does).
    pub fn fee_for(&self, weight: Weight) -> Amount {
        Amount::from_sat(self.rate_sat_vb.saturating_mul(weight.to_vbytes_ceil()))
    }
}

/// The outcome of coin selection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// Coins to spend, in transaction order.
    pub inputs: Vec<Utxo>,
    /// Change amount, if a change output is created.
    pub change: Option<Amount>,
    /// The fee the transaction pays.
    pub fee: Amount,
    /// Estimated weight of the signed transaction (upper bound).
    pub weight: Weight,
}

fn varint_len(n: usize) -> u64 {
    match n {
        0..=0xfc => 1,
        0xfd..=0xffff => 3,
        0x1_0000..=0xffff_ffff => 5,
        _ => 9,
    }
}

/// Weight of a transaction output.
pub fn output_weight(script_pubkey: &Script) -> Weight {
    let len = script_pubkey.len();
    Weight::from_non_witness_data_size(8 + varint_len(len) + len as u64)
}

/// Estimated weight of a segwit transaction with `n_inputs` wallet inputs and these outputs.
pub fn tx_weight(n_inputs: usize, input_weight: Weight, outputs: &[&Script]) -> Weight {
    // version 4 + lock time 4 + input count + output count, then segwit marker and flag (1 WU each).
    let base =
        Weight::from_non_witness_data_size(8 + varint_len(n_inputs) + varint_len(outputs.len()))
            + Weight::from_wu(2);
    let outs = outputs.iter().fold(Weight::ZERO, |acc, s| acc + output_weight(s));
    base + input_weight * n_inputs as u64 + outs
}

/// Checks payees: at least one, at most `PAYEES_MAX`, none below its script's dust limit.
pub fn check_payees(payees: &[Payee]) -> Result<()> {
    if payees.is_empty() {
        return Err(BtcError::NoPayees);
    }
    if payees.len() > PAYEES_MAX {
        return Err(BtcError::TooManyPayees { n: payees.len(), max: PAYEES_MAX });
    }
    for p in payees {
        let min = p.script_pubkey.minimal_non_dust();
        if p.amount < min {
            return Err(BtcError::DustOutput { amount: p.amount, min });
        }
    }
    Ok(())
}

/// Selects coins. `required` coins are always spent (a fee bump re-spends the original inputs);
/// `candidates` are added largest first as needed. The fee is at least `fee.fee_for(weight)` and
/// at least `min_fee`, and at most `fee.max_fee`.
pub fn select_coins(
    required: &[Utxo],
    candidates: &[Utxo],
    payees: &[Payee],
    change_script: &Script,
    input_weight: Weight,
    fee: &FeeTerms,
    min_fee: Amount,
) -> Result<Selection> {
    fee.validate()?;
    check_payees(payees)?;
    let target = payees
        .iter()
        .try_fold(Amount::ZERO, |acc, p| acc.checked_add(p.amount))
        .ok_or_else(|| BtcError::PolicyViolation("payee amounts overflow".into()))?;
    let mut pool: Vec<&Utxo> =
        candidates.iter().filter(|c| !required.iter().any(|r| r.outpoint == c.outpoint)).collect();
    pool.sort_by(|a, b| b.amount().cmp(&a.amount()).then(a.outpoint.cmp(&b.outpoint)));

    let payee_scripts: Vec<&Script> = payees.iter().map(|p| p.script_pubkey.as_script()).collect();
    let mut with_change = payee_scripts.clone();
    with_change.push(change_script);
    let dust = change_script.minimal_non_dust();

    let mut inputs: Vec<Utxo> = required.to_vec();
    let mut total = inputs.iter().map(Utxo::amount).sum::<Amount>();
    let mut next = pool.into_iter();
    let mut over_max: Option<Amount> = None;
    loop {
        if !inputs.is_empty() {
            let w_plain = tx_weight(inputs.len(), input_weight, &payee_scripts);
            let w_change = tx_weight(inputs.len(), input_weight, &with_change);
            let fee_plain = fee.fee_for(w_plain).max(min_fee);
            let fee_change = fee.fee_for(w_change).max(min_fee);
            if let Some(change) = total.checked_sub(target + fee_change)
                && change >= dust
            {
                if fee_change > fee.max_fee {
                    return Err(BtcError::FeeAboveMaximum { fee: fee_change, max: fee.max_fee });
                }
                return Ok(Selection {
                    inputs,
                    change: Some(change),
                    fee: fee_change,
                    weight: w_change,
                });
            }
            if total >= target + fee_plain {
                // No change: the excess (below the dust limit plus the change output's cost) is fee.
                let paid = total - target;
                if paid <= fee.max_fee {
                    return Ok(Selection { inputs, change: None, fee: paid, weight: w_plain });
                }
                over_max = Some(paid);
            }
        }
        match next.next() {
            Some(c) if inputs.len() < INPUTS_MAX => {
                total += c.amount();
                inputs.push(c.clone());
            }
            _ => break,
        }
    }
    if let Some(paid) = over_max {
        return Err(BtcError::FeeAboveMaximum { fee: paid, max: fee.max_fee });
    }
    let w = tx_weight(inputs.len().max(1), input_weight, &payee_scripts);
    Err(BtcError::InsufficientFunds {
        needed: target + fee.fee_for(w).max(min_fee),
        available: total,
    })
}
