//! The UTXO manager: coins as reported by the chain, spends with the coins they reserve, fee
//! bumps that re-spend the same inputs.
//!
//! Invariants (checked by [`UtxoManager::check_invariants`], asserted after every mutation in
//! debug builds):
//! - no outpoint is an input of two live spends (status `reserved` or `broadcast`);
//! - every version of a spend pays exactly the same payees; a later version spends every input of
//!   the earlier ones, so at most one version can ever confirm: a bumped payout cannot be paid
//!   twice;
//! - coins are released only by abandoning a spend that was never broadcast, or when a version
//!   confirms (its inputs are gone, inputs only the other versions used are free again).
//!
//! The whole state is serde-serializable, and every mutation is also recorded as a mergeable
//! [`ChangeSet`] ([`UtxoManager::take_changeset`]) so the node can persist deltas.

use std::collections::{BTreeMap, BTreeSet};

use bitcoin::psbt::Psbt;
use bitcoin::{Amount, OutPoint, Txid};
use serde::{Deserialize, Serialize};

use crate::coin::{FeeTerms, Payee, Utxo, select_coins, tx_weight};
use crate::error::{BtcError, Result};
use crate::policy::Keychain;
use crate::psbt::{SpendPath, SpendPlan, build_psbt};
use crate::wallet::Wallet;

/// BIP-125 incremental relay fee used for replacements, in sat/vB (Bitcoin Core's default).
pub const INCREMENTAL_RELAY_SAT_VB: u64 = 1;
/// Longest spend id.
pub const SPEND_ID_LEN_MAX: usize = 128;
/// Most versions (original plus bumps) one spend may have.
pub const SPEND_VERSIONS_MAX: usize = 32;

/// Status of a spend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpendStatus {
    /// Coins reserved, PSBT being signed.
    Reserved,
    /// A version was broadcast: it may confirm at any time, the coins stay reserved.
    Broadcast,
    /// A version confirmed.
    Confirmed,
    /// Given up before any broadcast; its coins were released.
    Abandoned,
}

impl SpendStatus {
    /// True while the spend holds its coins.
    pub fn is_live(self) -> bool {
        matches!(self, Self::Reserved | Self::Broadcast)
    }
}

/// What a caller asks to pay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpendRequest {
    /// Payees in output order.
    pub payees: Vec<Payee>,
    /// Fee rate and maximum fee.
    pub fee: FeeTerms,
    /// Spending path; the recovery path only selects coins whose timelock has passed.
    #[serde(default)]
    pub path: SpendPath,
}

/// One version of a spend (the original or a replacement).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpendVersion {
    /// Txid of this version's unsigned transaction.
    pub txid: Txid,
    /// The plan, from which the PSBT is rebuilt deterministically.
    pub plan: SpendPlan,
    /// Fee paid.
    pub fee: Amount,
    /// Requested fee rate, sat/vB.
    pub fee_rate_sat_vb: u64,
}

/// A spend and its versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpendRecord {
    /// Caller's id (e.g. the payout id); unique, so a retry cannot create a second payment.
    pub id: String,
    /// Status.
    pub status: SpendStatus,
    /// Versions, oldest first; the last one is current.
    pub versions: Vec<SpendVersion>,
    /// The version that confirmed.
    pub confirmed_txid: Option<Txid>,
}

impl SpendRecord {
    /// The current (latest) version.
    pub fn current(&self) -> &SpendVersion {
        self.versions.last().expect("invariant: a spend record has at least one version")
    }

    /// Every outpoint any version spends.
    pub fn all_inputs(&self) -> BTreeSet<OutPoint> {
        self.versions.iter().flat_map(|v| v.plan.inputs.iter().map(|u| u.outpoint)).collect()
    }
}

/// A mergeable set of changes to a [`UtxoManager`] (BDK style): what to write to storage after a
/// mutation. Merging keeps the latest value per key; applying the merged log of every change set
/// to an empty manager rebuilds the state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeSet {
    /// Coins added or updated (`Some`) or removed (`None`).
    pub coins: BTreeMap<OutPoint, Option<Utxo>>,
    /// Spend records written (the whole record; records are small).
    pub spends: BTreeMap<String, SpendRecord>,
    /// New next change index.
    pub next_change_index: Option<u32>,
}

impl ChangeSet {
    /// Folds a later change set into this one.
    pub fn merge(&mut self, later: ChangeSet) {
        self.coins.extend(later.coins);
        self.spends.extend(later.spends);
        if later.next_change_index.is_some() {
            self.next_change_index = later.next_change_index;
        }
    }

    /// True when nothing changed.
    pub fn is_empty(&self) -> bool {
        self.coins.is_empty() && self.spends.is_empty() && self.next_change_index.is_none()
    }
}

/// Keys changed since the last [`UtxoManager::take_changeset`].
#[derive(Debug, Clone, Default)]
struct Dirty {
    coins: BTreeSet<OutPoint>,
    spends: BTreeSet<String>,
    index: bool,
}

/// Coins and spends of one wallet.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct UtxoManager {
    coins: BTreeMap<OutPoint, Utxo>,
    spends: BTreeMap<String, SpendRecord>,
    next_change_index: u32,
    #[serde(skip)]
    dirty: Dirty,
}

impl PartialEq for UtxoManager {
    /// Equal state; pending change tracking is not state.
    fn eq(&self, other: &Self) -> bool {
        self.coins == other.coins
            && self.spends == other.spends
            && self.next_change_index == other.next_change_index
    }
}

impl Eq for UtxoManager {}

impl UtxoManager {
    /// Empty state.
    pub fn new() -> Self {
        Self::default()
    }

    /// The changes since the last call (or since construction), to persist.
    pub fn take_changeset(&mut self) -> ChangeSet {
        let dirty = core::mem::take(&mut self.dirty);
        ChangeSet {
            coins: dirty.coins.into_iter().map(|op| (op, self.coins.get(&op).cloned())).collect(),
            spends: dirty
                .spends
                .into_iter()
                .filter_map(|id| self.spends.get(&id).map(|r| (id, r.clone())))
                .collect(),
            next_change_index: dirty.index.then_some(self.next_change_index),
        }
    }

    /// Applies a change set (from storage), e.g. the merged log onto an empty manager.
    pub fn apply_changeset(&mut self, changes: &ChangeSet) {
        for (op, coin) in &changes.coins {
            match coin {
                Some(c) => self.coins.insert(*op, c.clone()),
                None => self.coins.remove(op),
            };
        }
        for (id, rec) in &changes.spends {
            self.spends.insert(id.clone(), rec.clone());
        }
        if let Some(i) = changes.next_change_index {
            self.next_change_index = i;
        }
        self.debug_check();
    }

    /// A manager rebuilt from a change set.
    pub fn from_changeset(changes: &ChangeSet) -> Self {
        let mut m = Self::new();
        m.apply_changeset(changes);
        m
    }

    /// Replaces the known coin set with the chain's facts. Coins reserved by live spends are
    /// kept even if the chain no longer lists them (a broadcast version spent them).
    pub fn apply_utxos(&mut self, utxos: Vec<Utxo>) {
        let reserved = self.reserved();
        let mut next: BTreeMap<OutPoint, Utxo> = self
            .coins
            .iter()
            .filter(|(op, _)| reserved.contains_key(*op))
            .map(|(k, v)| (*k, v.clone()))
            .collect();
        for u in utxos {
            next.insert(u.outpoint, u);
        }
        self.dirty.coins.extend(self.coins.keys().chain(next.keys()).copied());
        self.coins = next;
        self.debug_check();
    }

    /// Adds or updates one coin.
    pub fn insert_coin(&mut self, utxo: Utxo) {
        self.dirty.coins.insert(utxo.outpoint);
        self.coins.insert(utxo.outpoint, utxo);
    }

    /// Known coins.
    pub fn coins(&self) -> impl Iterator<Item = &Utxo> {
        self.coins.values()
    }

    /// All spends by id.
    pub fn spends(&self) -> impl Iterator<Item = &SpendRecord> {
        self.spends.values()
    }

    /// One spend.
    pub fn spend(&self, id: &str) -> Option<&SpendRecord> {
        self.spends.get(id)
    }

    /// Outpoints held by live spends, with the spend holding each.
    pub fn reserved(&self) -> BTreeMap<OutPoint, &str> {
        let mut out = BTreeMap::new();
        for s in self.spends.values().filter(|s| s.status.is_live()) {
            for op in s.all_inputs() {
                out.insert(op, s.id.as_str());
            }
        }
        out
    }

    /// Coins that can be selected: mature at `tip_height` and not reserved.
    pub fn available(&self, tip_height: u32, min_conf: u32) -> Vec<Utxo> {
        let reserved = self.reserved();
        self.coins
            .values()
            .filter(|u| u.is_mature(tip_height, min_conf) && !reserved.contains_key(&u.outpoint))
            .cloned()
            .collect()
    }

    /// Confirmed balance not reserved, and reserved amount.
    pub fn balances(&self, tip_height: u32, min_conf: u32) -> (Amount, Amount) {
        let reserved = self.reserved();
        let mut free = Amount::ZERO;
        let mut held = Amount::ZERO;
        for u in self.coins.values() {
            if reserved.contains_key(&u.outpoint) {
                held += u.amount();
            } else if u.is_mature(tip_height, min_conf) {
                free += u.amount();
            }
        }
        (free, held)
    }

    /// Selects and reserves coins for a new spend and returns its unsigned PSBT. `id` must be
    /// new: retrying a payout with the same id fails with `btc.spend_exists` instead of paying
    /// twice. Only coins with `min_conf` confirmations at `tip_height` are used; the lock time is
    /// set to the tip.
    pub fn create_spend(
        &mut self,
        wallet: &Wallet,
        id: &str,
        request: &SpendRequest,
        tip_height: u32,
        min_conf: u32,
    ) -> Result<Psbt> {
        if id.is_empty() || id.len() > SPEND_ID_LEN_MAX {
            return Err(BtcError::InvalidPolicy(format!(
                "spend id must be 1..={SPEND_ID_LEN_MAX} bytes"
            )));
        }
        if self.spends.contains_key(id) {
            return Err(BtcError::SpendExists(id.to_string()));
        }
        let min_conf = self.path_min_conf(wallet, request.path, min_conf)?;
        let candidates = self.available(tip_height, min_conf);
        let change_index = self.next_change_index;
        let change_script = wallet.script_pubkey(Keychain::Internal, change_index)?;
        let sel = select_coins(
            &[],
            &candidates,
            &request.payees,
            &change_script,
            wallet.input_weight(),
            &request.fee,
            Amount::ZERO,
        )?;
        let plan = SpendPlan {
            inputs: sel.inputs,
            payees: request.payees.clone(),
            change: sel.change.map(|a| (change_index, a)),
            lock_time_height: tip_height,
            path: request.path,
        };
        let psbt = build_psbt(wallet, &plan)?;
        if plan.change.is_some() {
            self.next_change_index = change_index
                .checked_add(1)
                .ok_or_else(|| BtcError::InvalidPolicy("change index space exhausted".into()))?;
        }
        let version = SpendVersion {
            txid: psbt.unsigned_tx.compute_txid(),
            plan,
            fee: sel.fee,
            fee_rate_sat_vb: request.fee.rate_sat_vb,
        };
        self.dirty.spends.insert(id.to_string());
        self.dirty.index = true;
        self.spends.insert(
            id.to_string(),
            SpendRecord {
                id: id.to_string(),
                status: SpendStatus::Reserved,
                versions: vec![version],
                confirmed_txid: None,
            },
        );
        self.debug_check();
        Ok(psbt)
    }

    /// Confirmations a coin needs on `path`: on the recovery path, at least the timelock (a
    /// younger coin could not be spent by that path yet).
    fn path_min_conf(&self, wallet: &Wallet, path: SpendPath, min_conf: u32) -> Result<u32> {
        match path {
            SpendPath::Primary => Ok(min_conf),
            SpendPath::Recovery => {
                let r = wallet.policy().recovery().ok_or_else(|| {
                    BtcError::InvalidPolicy("the wallet has no recovery path".into())
                })?;
                Ok(min_conf.max(r.older_blocks()))
            }
        }
    }

    /// The PSBT of a spend's current version, rebuilt from its plan.
    pub fn psbt(&self, wallet: &Wallet, id: &str) -> Result<Psbt> {
        let rec = self.spends.get(id).ok_or_else(|| BtcError::UnknownSpend(id.to_string()))?;
        build_psbt(wallet, &rec.current().plan)
    }

    fn live_mut(&mut self, id: &str, action: &'static str) -> Result<&mut SpendRecord> {
        let rec = self.spends.get_mut(id).ok_or_else(|| BtcError::UnknownSpend(id.to_string()))?;
        if !rec.status.is_live() {
            return Err(BtcError::SpendStatus {
                id: id.to_string(),
                status: format!("{:?}", rec.status).to_lowercase(),
                action,
            });
        }
        Ok(rec)
    }

    /// Gives up a spend that was never broadcast and releases its coins. A broadcast spend can
    /// only be bumped or confirmed: its transaction may still confirm.
    pub fn abandon(&mut self, id: &str) -> Result<()> {
        let rec = self.live_mut(id, "abandon")?;
        if rec.status != SpendStatus::Reserved {
            return Err(BtcError::SpendStatus {
                id: id.to_string(),
                status: "broadcast".into(),
                action: "abandon",
            });
        }
        rec.status = SpendStatus::Abandoned;
        self.dirty.spends.insert(id.to_string());
        self.debug_check();
        Ok(())
    }

    /// Records that a version of the spend was broadcast.
    pub fn mark_broadcast(&mut self, id: &str, txid: Txid) -> Result<()> {
        let rec = self.live_mut(id, "broadcast")?;
        if !rec.versions.iter().any(|v| v.txid == txid) {
            return Err(BtcError::PolicyViolation(format!(
                "{txid} is not a version of spend {id}"
            )));
        }
        rec.status = SpendStatus::Broadcast;
        self.dirty.spends.insert(id.to_string());
        Ok(())
    }

    /// Replaces the spend's current version with one paying a higher fee (BIP-125): the same
    /// payees, every input of the previous version (so the versions conflict and only one can
    /// confirm), plus more coins only if needed.
    ///
    /// The replacement must satisfy Bitcoin Core's replacement rules against what the original
    /// *really* pays, its inputs minus its outputs (more than the requested rate when its change
    /// was below the dust limit and went to the fee): a higher fee rate (rule 6, refused with
    /// `btc.fee_bump_rate_too_low`), and an absolute fee of at least the original's plus the
    /// incremental relay fee times its own virtual size (rules 3 and 4, `btc.fee_bump_too_low`).
    /// Both fee rates are measured on the same size estimate, the upper bound of the signed
    /// transaction (see [`plan_vsize`]).
    pub fn bump_fee(
        &mut self,
        wallet: &Wallet,
        id: &str,
        fee: FeeTerms,
        tip_height: u32,
        min_conf: u32,
    ) -> Result<Psbt> {
        let path = self.spends.get(id).map(|s| s.current().plan.path).unwrap_or_default();
        let min_conf = self.path_min_conf(wallet, path, min_conf)?;
        let candidates = self.available(tip_height, min_conf);
        let rec = self.live_mut(id, "bump fee")?;
        if rec.versions.len() >= SPEND_VERSIONS_MAX {
            return Err(BtcError::SpendStatus {
                id: id.to_string(),
                status: "at its version limit".into(),
                action: "bump fee",
            });
        }
        let old = rec.current().clone();
        fee.validate()?;
        let old_fee = plan_fee(&old.plan)?;
        let old_vsize = plan_vsize(wallet, &old.plan)?;
        // Rule 6 at the requested rate: the replacement pays at least `rate` per vbyte of its own
        // size, so `rate * old_vsize > old_fee` makes its rate exceed the original's.
        if u128::from(fee.rate_sat_vb) * u128::from(old_vsize) <= u128::from(old_fee.to_sat()) {
            return Err(rate_too_low(
                fee.rate_sat_vb.saturating_mul(1000),
                old_fee.to_sat(),
                old_vsize,
            ));
        }
        let change_index = old.plan.change.map(|(i, _)| i);
        let change_index = match change_index {
            Some(i) => i,
            None => self.next_change_index,
        };
        let change_script = wallet.script_pubkey(Keychain::Internal, change_index)?;
        let mut min_fee = old_fee;
        let mut attempt = 0;
        let sel = loop {
            let sel = select_coins(
                &old.plan.inputs,
                &candidates,
                &old.plan.payees,
                &change_script,
                wallet.input_weight(),
                &fee,
                min_fee,
            )?;
            let need = min_replacement_fee(old_fee, sel.weight.to_vbytes_ceil());
            if sel.fee >= need {
                break sel;
            }
            attempt += 1;
            if attempt > 2 {
                return Err(BtcError::FeeBumpTooLow { new_fee: sel.fee, min_fee: need });
            }
            min_fee = need;
        };
        let plan = SpendPlan {
            inputs: sel.inputs,
            payees: old.plan.payees.clone(),
            change: sel.change.map(|a| (change_index, a)),
            lock_time_height: old.plan.lock_time_height,
            path: old.plan.path,
        };
        // The replacement as built, checked against both rules with its own real fee.
        let new_fee = plan_fee(&plan)?;
        let new_vsize = plan_vsize(wallet, &plan)?;
        let need = min_replacement_fee(old_fee, new_vsize);
        if new_fee < need {
            return Err(BtcError::FeeBumpTooLow { new_fee, min_fee: need });
        }
        if u128::from(new_fee.to_sat()) * u128::from(old_vsize)
            <= u128::from(old_fee.to_sat()) * u128::from(new_vsize)
        {
            return Err(rate_too_low(
                new_fee.to_sat().saturating_mul(1000) / new_vsize.max(1),
                old_fee.to_sat(),
                old_vsize,
            ));
        }
        let psbt = build_psbt(wallet, &plan)?;
        let uses_new_change = plan.change.is_some() && old.plan.change.is_none();
        let rec = self.spends.get_mut(id).expect("invariant: spend checked live above");
        rec.versions.push(SpendVersion {
            txid: psbt.unsigned_tx.compute_txid(),
            plan,
            fee: new_fee,
            fee_rate_sat_vb: fee.rate_sat_vb,
        });
        if uses_new_change {
            self.next_change_index = self.next_change_index.saturating_add(1);
            self.dirty.index = true;
        }
        self.dirty.spends.insert(id.to_string());
        self.debug_check();
        Ok(psbt)
    }

    /// Records that version `txid` of the spend confirmed: its inputs leave the coin set, and
    /// coins that only other versions used become free again.
    pub fn confirm(&mut self, id: &str, txid: Txid) -> Result<()> {
        let rec = self.live_mut(id, "confirm")?;
        let version = rec.versions.iter().find(|v| v.txid == txid).ok_or_else(|| {
            BtcError::PolicyViolation(format!("{txid} is not a version of spend {id}"))
        })?;
        let spent: Vec<OutPoint> = version.plan.inputs.iter().map(|u| u.outpoint).collect();
        rec.status = SpendStatus::Confirmed;
        rec.confirmed_txid = Some(txid);
        self.dirty.spends.insert(id.to_string());
        for op in spent {
            self.coins.remove(&op);
            self.dirty.coins.insert(op);
        }
        self.debug_check();
        Ok(())
    }

    /// Checks the manager's invariants; returns the first violation.
    pub fn check_invariants(&self) -> core::result::Result<(), String> {
        let mut owner: BTreeMap<OutPoint, &str> = BTreeMap::new();
        for s in self.spends.values() {
            if s.versions.is_empty() {
                return Err(format!("spend {} has no version", s.id));
            }
            let first = &s.versions[0].plan;
            for pair in s.versions.windows(2) {
                let (a, b) = (&pair[0].plan, &pair[1].plan);
                if b.payees != first.payees {
                    return Err(format!("spend {}: a version changed the payees", s.id));
                }
                if !a.inputs.iter().all(|i| b.inputs.iter().any(|j| j.outpoint == i.outpoint)) {
                    return Err(format!("spend {}: a version dropped an input", s.id));
                }
            }
            if !s.status.is_live() {
                continue;
            }
            for op in s.all_inputs() {
                if let Some(other) = owner.insert(op, &s.id) {
                    return Err(format!("coin {op} reserved by {other} and {}", s.id));
                }
            }
        }
        Ok(())
    }

    fn debug_check(&self) {
        debug_assert_eq!(self.check_invariants(), Ok(()));
    }
}

/// Smallest fee of a replacement of `vsize` vbytes for an original paying `old_fee` (Bitcoin
/// Core's replacement rules 3 and 4).
fn min_replacement_fee(old_fee: Amount, vsize: u64) -> Amount {
    old_fee + Amount::from_sat(INCREMENTAL_RELAY_SAT_VB.saturating_mul(vsize))
}

/// The refusal of a replacement whose rate (`new_sat_kvb`) is not above `old_fee / old_vsize`.
fn rate_too_low(new_sat_kvb: u64, old_fee: u64, old_vsize: u64) -> BtcError {
    let old_vsize = old_vsize.max(1);
    BtcError::FeeBumpRateTooLow {
        new_sat_kvb,
        original_sat_kvb: old_fee.saturating_mul(1000) / old_vsize,
        min_sat_vb: old_fee / old_vsize + 1,
    }
}

/// The fee a plan really pays: its inputs minus its outputs (payees and change).
pub fn plan_fee(plan: &SpendPlan) -> Result<Amount> {
    let overflow = || BtcError::PolicyViolation("amounts of the spend overflow".into());
    let inputs = plan.inputs.iter().try_fold(Amount::ZERO, |acc, u| acc.checked_add(u.amount()));
    let outputs = plan
        .payees
        .iter()
        .map(|p| p.amount)
        .chain(plan.change.map(|(_, a)| a))
        .try_fold(Amount::ZERO, |acc, a| acc.checked_add(a));
    inputs
        .ok_or_else(overflow)?
        .checked_sub(outputs.ok_or_else(overflow)?)
        .ok_or_else(|| BtcError::PolicyViolation("the spend's outputs exceed its inputs".into()))
}

/// Estimated vsize of a plan's transaction when signed (upper bound).
pub fn plan_vsize(wallet: &Wallet, plan: &SpendPlan) -> Result<u64> {
    let mut scripts: Vec<bitcoin::ScriptBuf> =
        plan.payees.iter().map(|p| p.script_pubkey.clone()).collect();
    if let Some((i, _)) = plan.change {
        scripts.push(wallet.script_pubkey(Keychain::Internal, i)?);
    }
    let refs: Vec<&bitcoin::Script> = scripts.iter().map(|s| s.as_script()).collect();
    Ok(tx_weight(plan.inputs.len(), wallet.input_weight(), &refs).to_vbytes_ceil())
}
