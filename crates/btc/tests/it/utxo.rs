//! The UTXO manager: reservations, abandon, broadcast, fee bumps, confirmation; property tests.

use std::collections::BTreeSet;

use hoard_btc::bitcoin::Amount;
use hoard_btc::coin::{FeeTerms, Payee, select_coins, tx_weight};
use hoard_btc::utxo::{INCREMENTAL_RELAY_SAT_VB, plan_fee, plan_vsize};
use hoard_btc::{Keychain, SpendRequest, SpendStatus, UtxoManager, Wallet};
use proptest::prelude::*;

use crate::common::{NET, coin, outsider, wallet};
use crate::psbt_flow::request;

fn manager(w: &Wallet, amounts: &[(u64, Option<u32>)]) -> UtxoManager {
    let mut m = UtxoManager::new();
    m.apply_utxos(
        amounts.iter().enumerate().map(|(i, (a, h))| coin(w, i as u32, *a, *h, i as u32)).collect(),
    );
    m
}

#[test]
fn two_spends_never_share_coins() {
    let (w, _) = wallet("hot", 2, 3);
    let mut m = manager(&w, &[(50_000, Some(10)), (40_000, Some(10))]);
    let a = m.create_spend(&w, "a", &request(30_000, 2), 100, 1).unwrap();
    let b = m.create_spend(&w, "b", &request(30_000, 2), 100, 1).unwrap();
    let ia: BTreeSet<_> = a.unsigned_tx.input.iter().map(|i| i.previous_output).collect();
    let ib: BTreeSet<_> = b.unsigned_tx.input.iter().map(|i| i.previous_output).collect();
    assert!(ia.is_disjoint(&ib));
    // Nothing left: a third spend fails instead of re-using reserved coins.
    assert_eq!(
        m.create_spend(&w, "c", &request(1_000, 2), 100, 1).unwrap_err().code(),
        "btc.insufficient_funds"
    );
    // A retry under the same id is refused: a payout is created once.
    assert_eq!(
        m.create_spend(&w, "a", &request(1_000, 2), 100, 1).unwrap_err().code(),
        "btc.spend_exists"
    );
    // Abandoning releases the coins.
    m.abandon("a").unwrap();
    assert!(m.create_spend(&w, "c", &request(1_000, 2), 100, 1).is_ok());
    assert_eq!(m.check_invariants(), Ok(()));
}

#[test]
fn broadcast_spends_cannot_be_abandoned_and_bumps_respend_inputs() {
    let (w, _) = wallet("ops", 3, 5);
    let mut m = manager(&w, &[(100_000, Some(10)), (20_000, Some(10)), (7_000, Some(11))]);
    let v1 = m.create_spend(&w, "payout", &request(90_000, 2), 100, 1).unwrap();
    m.mark_broadcast("payout", v1.unsigned_tx.compute_txid()).unwrap();
    assert_eq!(m.abandon("payout").unwrap_err().code(), "btc.spend_status");
    // A lower or equal rate is not a bump.
    assert_eq!(
        m.bump_fee(
            &w,
            "payout",
            FeeTerms { rate_sat_vb: 2, max_fee: Amount::from_sat(100_000) },
            100,
            1
        )
        .unwrap_err()
        .code(),
        "btc.fee_bump_rate_too_low"
    );
    let v2 = m
        .bump_fee(
            &w,
            "payout",
            FeeTerms { rate_sat_vb: 20, max_fee: Amount::from_sat(100_000) },
            100,
            1,
        )
        .unwrap();
    let old_in: BTreeSet<_> = v1.unsigned_tx.input.iter().map(|i| i.previous_output).collect();
    let new_in: BTreeSet<_> = v2.unsigned_tx.input.iter().map(|i| i.previous_output).collect();
    assert!(old_in.is_subset(&new_in), "the bump conflicts with the original");
    assert_eq!(v1.unsigned_tx.output[0], v2.unsigned_tx.output[0], "same payee, same amount");
    let fee = |p: &hoard_btc::bitcoin::psbt::Psbt| p.fee().unwrap();
    assert!(fee(&v2) > fee(&v1));
    assert!(v2.unsigned_tx.input.iter().all(|i| i.sequence.is_rbf()));
    // The original confirms after all: the spend is done, the extra coin of the bump is free.
    m.confirm("payout", v1.unsigned_tx.compute_txid()).unwrap();
    assert_eq!(m.spend("payout").unwrap().status, SpendStatus::Confirmed);
    assert_eq!(
        m.bump_fee(
            &w,
            "payout",
            FeeTerms { rate_sat_vb: 50, max_fee: Amount::from_sat(100_000) },
            100,
            1
        )
        .unwrap_err()
        .code(),
        "btc.spend_status"
    );
    let spent: BTreeSet<_> = old_in.iter().copied().collect();
    assert!(m.coins().all(|c| !spent.contains(&c.outpoint)));
    assert!(m.reserved().is_empty());
    // Serialized state round-trips.
    let json = serde_json::to_string(&m).unwrap();
    let back: UtxoManager = serde_json::from_str(&json).unwrap();
    assert_eq!(back, m);
}

/// The original's change was below the dust limit and went to the fee: it really pays about
/// 4 sat/vB although 2 were asked. A bump to 3 sat/vB used to be accepted (3 > 2, the requested
/// rate), paying a lower fee rate than the original; Bitcoin Core refuses such a replacement
/// (`doc/policy/mempool-replacements.md`, rule 6). The bump must beat the original's real rate,
/// and pay its real fee plus 1 sat/vB of its own size (rules 3 and 4).
#[test]
fn bump_beats_the_fee_rate_the_original_really_pays() {
    let (w, _) = wallet("dust-bump", 2, 3);
    let req = request(50_000, 2);
    let payee = req.payees[0].script_pubkey.clone();
    let plain_vsize = tx_weight(1, w.input_weight(), &[payee.as_script()]).to_vbytes_ceil();
    // 300 sats over payee + fee: less than the change output's cost plus its dust limit.
    let amount = 50_000 + 2 * plain_vsize + 300;
    let mut m = manager(&w, &[(amount, Some(10))]);
    let v1 = m.create_spend(&w, "payout", &req, 100, 1).unwrap();
    assert_eq!(v1.unsigned_tx.output.len(), 1, "no change: the 300 sats went to the fee");
    let old_fee = v1.fee().unwrap().to_sat();
    assert_eq!(old_fee, 2 * plain_vsize + 300);
    let rec = m.spend("payout").unwrap().current().clone();
    assert_eq!(plan_fee(&rec.plan).unwrap().to_sat(), old_fee);
    let old_vsize = plan_vsize(&w, &rec.plan).unwrap();
    assert_eq!(old_vsize, plain_vsize);
    assert!(old_fee / old_vsize >= 4, "the original really pays 4 sat/vB or more");
    // A coin that arrives later: the bump may add it.
    m.insert_coin(crate::common::coin(&w, 1, 100_000, Some(11), 99));
    let terms = |rate| FeeTerms { rate_sat_vb: rate, max_fee: Amount::from_sat(100_000) };
    for rate in [3, 4] {
        let e = m.bump_fee(&w, "payout", terms(rate), 100, 1).unwrap_err();
        assert_eq!(e.code(), "btc.fee_bump_rate_too_low", "{rate}: {e}");
        match e {
            hoard_btc::BtcError::FeeBumpRateTooLow { min_sat_vb, original_sat_kvb, .. } => {
                assert_eq!(min_sat_vb, old_fee / old_vsize + 1);
                assert_eq!(original_sat_kvb, old_fee * 1000 / old_vsize);
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(m.spend("payout").unwrap().versions.len(), 1, "refused bumps change nothing");
    let v2 = m.bump_fee(&w, "payout", terms(5), 100, 1).unwrap();
    let new_fee = v2.fee().unwrap().to_sat();
    let new_vsize = plan_vsize(&w, &m.spend("payout").unwrap().current().plan).unwrap();
    assert!(new_fee * old_vsize > old_fee * new_vsize, "a higher fee rate than really paid");
    assert!(new_fee >= old_fee + INCREMENTAL_RELAY_SAT_VB * new_vsize, "rules 3 and 4");
    assert_eq!(m.check_invariants(), Ok(()));
}

#[test]
fn unconfirmed_and_shallow_coins_are_not_spent() {
    let (w, _) = wallet("hot", 2, 3);
    let mut m = manager(&w, &[(100_000, None), (100_000, Some(99))]);
    // At tip 100 the confirmed coin has 2 confirmations: enough for 1 and 2, not for 3.
    assert_eq!(
        m.create_spend(&w, "x", &request(10_000, 2), 100, 3).unwrap_err().code(),
        "btc.insufficient_funds"
    );
    let p = m.create_spend(&w, "y", &request(10_000, 2), 100, 2).unwrap();
    assert_eq!(p.unsigned_tx.input.len(), 1);
    assert_eq!(p.inputs[0].witness_utxo.as_ref().unwrap().value, Amount::from_sat(100_000));
    assert_eq!(
        m.create_spend(&w, "z", &request(10_000, 2), 100, 1).unwrap_err().code(),
        "btc.insufficient_funds"
    );
}

#[test]
fn fee_limits_and_dust() {
    let (w, _) = wallet("hot", 2, 3);
    let mut m = manager(&w, &[(100_000, Some(1))]);
    let mut r = request(10_000, 500);
    r.fee.max_fee = Amount::from_sat(1_000);
    assert_eq!(m.create_spend(&w, "a", &r, 10, 1).unwrap_err().code(), "btc.fee_above_maximum");
    assert_eq!(
        m.create_spend(&w, "b", &request(100, 2), 10, 1).unwrap_err().code(),
        "btc.dust_output"
    );
    assert_eq!(
        m.create_spend(&w, "c", &request(1_000, 0), 10, 1).unwrap_err().code(),
        "btc.invalid_fee_rate"
    );
    let empty = SpendRequest { payees: vec![], ..request(1, 1) };
    assert_eq!(m.create_spend(&w, "d", &empty, 10, 1).unwrap_err().code(), "btc.no_payees");
    assert_eq!(m.check_invariants(), Ok(()));
    assert!(m.reserved().is_empty(), "failed attempts reserve nothing");
}

#[test]
fn batched_outputs() {
    let (w, _) = wallet("ops", 3, 5);
    let mut m = manager(&w, &[(500_000, Some(1)), (300_000, Some(1))]);
    let payees: Vec<Payee> = (1..=10u64)
        .map(|i| Payee {
            script_pubkey: outsider(NET).script_pubkey(),
            amount: Amount::from_sat(i * 10_000),
        })
        .collect();
    let req = SpendRequest {
        payees: payees.clone(),
        fee: FeeTerms { rate_sat_vb: 3, max_fee: Amount::from_sat(50_000) },
        path: Default::default(),
    };
    let p = m.create_spend(&w, "batch", &req, 10, 1).unwrap();
    assert_eq!(p.unsigned_tx.output.len(), 11);
    for (o, want) in p.unsigned_tx.output.iter().zip(&payees) {
        assert_eq!(o.value, want.amount);
    }
}

fn arb_coins() -> impl Strategy<Value = Vec<(u64, Option<u32>)>> {
    prop::collection::vec((1_000u64..2_000_000, prop::option::weighted(0.8, 0u32..100)), 1..12)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    /// Random sequences of creates, abandons, bumps and confirms never let two live spends share
    /// an outpoint, never select unconfirmed coins, and bumps keep every original output; the
    /// merged change sets rebuild the state.
    #[test]
    fn reservations_never_overlap(coins in arb_coins(), ops in prop::collection::vec((0u8..4, 0usize..6, 5_000u64..400_000, 1u64..40), 1..12)) {
        let (w, _) = wallet("prop", 2, 3);
        let mut m = manager(&w, &coins);
        let mut log = m.take_changeset();
        let tip = 100;
        for (n, (op, target, amount, rate)) in ops.into_iter().enumerate() {
            let id = format!("s{target}");
            match op {
                0 | 1 => {
                    if let Ok(p) = m.create_spend(&w, &format!("s{n}"), &request(amount, rate), tip, 1) {
                        for i in &p.inputs {
                            let c = m.coins().find(|c| Some(&c.txout) == i.witness_utxo.as_ref()).unwrap();
                            prop_assert!(c.confirmation_height.is_some());
                        }
                    }
                }
                2 => {
                    let before = m.spend(&id).map(|s| s.current().clone());
                    if let Ok(p) = m.bump_fee(&w, &id, FeeTerms { rate_sat_vb: rate + 40, max_fee: Amount::from_sat(1_000_000) }, tip, 1) {
                        let before = before.unwrap();
                        // Core's replacement rules against what the original really paid.
                        let (old_fee, old_v) = (plan_fee(&before.plan).unwrap().to_sat(), plan_vsize(&w, &before.plan).unwrap());
                        let new_fee = p.fee().unwrap().to_sat();
                        let new_v = plan_vsize(&w, &m.spend(&id).unwrap().current().plan).unwrap();
                        prop_assert!(new_fee >= old_fee + INCREMENTAL_RELAY_SAT_VB * new_v);
                        prop_assert!(u128::from(new_fee) * u128::from(old_v) > u128::from(old_fee) * u128::from(new_v));
                        let payees: Vec<_> = p.unsigned_tx.output[..before.plan.payees.len()].iter().map(|o| (o.script_pubkey.clone(), o.value)).collect();
                        let want: Vec<_> = before.plan.payees.iter().map(|x| (x.script_pubkey.clone(), x.amount)).collect();
                        prop_assert_eq!(payees, want);
                        let extra = p.unsigned_tx.output.len() - before.plan.payees.len();
                        prop_assert!(extra <= 1, "a bump adds no payee");
                        for old in &before.plan.inputs {
                            prop_assert!(p.unsigned_tx.input.iter().any(|i| i.previous_output == old.outpoint));
                        }
                    }
                }
                _ => {
                    if let Some(s) = m.spend(&id).cloned() {
                        match n % 3 {
                            0 => { let _ = m.abandon(&id); }
                            1 => { let _ = m.confirm(&id, s.current().txid); }
                            _ => { let _ = m.mark_broadcast(&id, s.current().txid); }
                        }
                    }
                }
            }
            prop_assert_eq!(m.check_invariants(), Ok(()));
            log.merge(m.take_changeset());
        }
        // The merged change sets rebuild exactly the state (what the node persists).
        prop_assert_eq!(UtxoManager::from_changeset(&log), m.clone());
        prop_assert!(m.take_changeset().is_empty());
    }

    /// Whatever the coins, tip and depth asked, a spend only selects coins with that depth.
    #[test]
    fn only_mature_coins_are_selected(coins in arb_coins(), tip in 0u32..120, min_conf in 1u32..8, amount in 5_000u64..500_000) {
        let (w, _) = wallet("mature", 2, 3);
        let mut m = manager(&w, &coins);
        if let Ok(p) = m.create_spend(&w, "s", &request(amount, 2), tip, min_conf) {
            for input in &p.unsigned_tx.input {
                let c = m.coins().find(|c| c.outpoint == input.previous_output).unwrap();
                let h = c.confirmation_height.unwrap();
                prop_assert!(h <= tip && tip - h + 1 >= min_conf);
            }
        } else {
            let total: u64 = m.coins().filter(|c| c.is_mature(tip, min_conf)).map(|c| c.amount().to_sat()).sum();
            prop_assert!(total < amount + 50_000, "refused although {total} sats are mature");
        }
    }

    /// Coin selection never produces dust change, never spends more than the fee cap, and pays
    /// exactly the payees.
    #[test]
    fn selection_has_no_dust_change(coins in arb_coins(), amount in 1_000u64..1_000_000, rate in 1u64..100) {
        let (w, _) = wallet("sel", 2, 3);
        let utxos: Vec<_> = coins.iter().enumerate().filter(|(_, (_, h))| h.is_some()).map(|(i, (a, h))| coin(&w, i as u32, *a, *h, i as u32)).collect();
        let change = w.script_pubkey(Keychain::Internal, 0).unwrap();
        let payees = vec![Payee { script_pubkey: outsider(NET).script_pubkey(), amount: Amount::from_sat(amount) }];
        let fee = FeeTerms { rate_sat_vb: rate, max_fee: Amount::from_sat(60_000) };
        if let Ok(sel) = select_coins(&[], &utxos, &payees, &change, w.input_weight(), &fee, Amount::ZERO) {
            let total: Amount = sel.inputs.iter().map(|u| u.amount()).sum();
            let change_amt = sel.change.unwrap_or(Amount::ZERO);
            prop_assert_eq!(total, Amount::from_sat(amount) + change_amt + sel.fee);
            if let Some(c) = sel.change { prop_assert!(c >= change.minimal_non_dust()); }
            prop_assert!(sel.fee <= fee.max_fee);
            prop_assert!(sel.fee >= fee.fee_for(sel.weight));
        }
    }
}
