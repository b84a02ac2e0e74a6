//! State roots, balance proofs, snapshots and replay.

use alloy_primitives::{Address, B256, U256};
use hoard_core::{
    Engine,
    block::{self, Header},
    command::Command,
    commitment::{merkle_root, verify_balance_proof},
    facets::token::TokenId,
    state::State,
};

use crate::{harness::*, token::transfer};

fn busy_chain() -> Chain {
    let mut c = Chain::new();
    let icy = c.engine.addresses().icy;
    let dfg = c.engine.addresses().dfg;
    for i in 0..20u64 {
        let cmd = transfer(&c, ALICE, icy, addr(10 + i as u32), tokens(i + 1));
        c.ok(ALICE, cmd);
        let cmd = transfer(&c, BOB, dfg, addr(CAROL), tokens(1));
        c.ok(BOB, cmd);
    }
    // A rejected command is part of the log too.
    let cmd = transfer(&c, CAROL, icy, addr(BOB), tokens(5));
    c.rejected(CAROL, cmd, "token.insufficient_balance");
    c
}

#[test]
fn balance_proofs_verify_against_the_state_root() {
    let c = busy_chain();
    let root = c.engine.state_root();
    let (who, icy, dfg) = (addr(ALICE), c.engine.addresses().icy, c.engine.addresses().dfg);
    let proof = c.engine.prove_balance(&icy, &who).expect("alice holds ICY");
    let balance = c.engine.balance_of(TokenId::Icy, &who);
    assert!(verify_balance_proof(&root, &icy, &who, &balance, &proof));
    // A different balance, holder, token or root fails.
    let lie = balance + alloy_primitives::U256::from(1u8);
    assert!(!verify_balance_proof(&root, &icy, &who, &lie, &proof));
    assert!(!verify_balance_proof(&root, &icy, &addr(BOB), &balance, &proof));
    assert!(!verify_balance_proof(&root, &dfg, &who, &balance, &proof));
    assert!(!verify_balance_proof(&B256::repeat_byte(1), &icy, &who, &balance, &proof));
    // Tampered siblings fail.
    let mut bad = proof.clone();
    bad.siblings[0] = B256::repeat_byte(3);
    assert!(!verify_balance_proof(&root, &icy, &who, &balance, &bad));
    let mut short = proof.clone();
    short.siblings.pop();
    assert!(!verify_balance_proof(&root, &icy, &who, &balance, &short));
    // No inclusion proof for a zero balance (nothing stored), but a proof of its absence, which
    // cannot be made for a balance that exists.
    let nobody = Address::repeat_byte(0x42);
    assert!(c.engine.prove_balance(&icy, &nobody).is_none());
    let absent = c.engine.prove_balance_or_zero(&icy, &nobody);
    assert!(hoard_core::commitment::verify_zero_balance_proof(&root, &icy, &nobody, &absent));
    assert!(!hoard_core::commitment::verify_zero_balance_proof(&root, &icy, &who, &absent));
    assert!(!hoard_core::commitment::verify_zero_balance_proof(&root, &icy, &who, &proof));
    assert!(!verify_balance_proof(&root, &icy, &nobody, &U256::ZERO, &absent));
}

#[test]
fn incremental_root_equals_root_rebuilt_from_scratch() {
    let c = busy_chain();
    let rebuilt = Engine::new(CHAIN_ID, diamond(), c.engine.state().clone());
    assert_eq!(rebuilt.state_root(), c.engine.state_root());
}

#[test]
fn snapshot_round_trip_preserves_root() {
    let c = busy_chain();
    let bytes = c.engine.state().encode_snapshot();
    let state = State::decode_snapshot(&bytes).expect("decodes");
    let loaded = Engine::new(CHAIN_ID, diamond(), state);
    assert_eq!(loaded.state_root(), c.engine.state_root());
    assert!(State::decode_snapshot(&bytes[..bytes.len() - 1]).is_err());
    assert!(State::decode_snapshot(b"garbage").is_err());
}

#[test]
fn full_replay_from_genesis_reproduces_every_root() {
    let c = busy_chain();
    let mut engine = genesis().build().expect("genesis");
    let mut parent = B256::ZERO;
    for b in &c.blocks {
        let header_bytes = b.header.encode();
        let header = Header::decode(&header_bytes).expect("header decodes");
        let body = block::encode_body(&b.txs);
        let txs = block::decode_body(&body).expect("body decodes");
        let replayed =
            block::replay_block(&mut engine, parent, &header, txs, true).expect("replays");
        assert_eq!(replayed.hash, b.hash);
        parent = replayed.hash;
    }
    assert_eq!(engine.state_root(), c.engine.state_root());
}

#[test]
fn replay_detects_tampering() {
    let c = busy_chain();
    let b = &c.blocks[0];
    // Wrong parent.
    let mut engine = genesis().build().expect("genesis");
    let err =
        block::replay_block(&mut engine, B256::repeat_byte(1), &b.header, b.txs.clone(), false)
            .expect_err("bad parent");
    assert!(matches!(err, block::ReplayError::BadParent { .. }));
    // A forged state root.
    let mut engine = genesis().build().expect("genesis");
    let mut h = b.header.clone();
    h.state_root = B256::repeat_byte(2);
    let err = block::replay_block(&mut engine, B256::ZERO, &h, b.txs.clone(), false)
        .expect_err("bad root");
    assert!(matches!(err, block::ReplayError::RootMismatch { root: "state", .. }));
    // A transaction whose recorded sender is not its signer.
    let mut engine = genesis().build().expect("genesis");
    let mut tx = b.txs[0].clone();
    tx.sender = addr(BOB);
    let err = block::replay_block(&mut engine, B256::ZERO, &b.header, vec![tx], true)
        .expect_err("forged sender");
    assert!(matches!(err, block::ReplayError::BadSignature { .. }));
}

#[test]
fn change_sets_bring_a_replica_to_the_same_root() {
    let mut c = Chain::new();
    let mut replica = genesis().build().expect("genesis");
    let icy = c.engine.addresses().icy;
    for i in 0..5u64 {
        let cmd: Command = transfer(&c, ALICE, icy, addr(20), tokens(i + 1));
        c.ok(ALICE, cmd);
        let changes = &c.blocks.last().expect("block").changes;
        let root = replica.apply_changes(changes);
        assert_eq!(root, c.engine.state_root());
    }
}

#[test]
fn merkle_root_of_lists() {
    assert_eq!(merkle_root(&[]), B256::ZERO);
    let a = B256::repeat_byte(1);
    assert_eq!(merkle_root(&[a]), a);
    let b = B256::repeat_byte(2);
    let ab = alloy_primitives::keccak256([a.as_slice(), b.as_slice()].concat());
    assert_eq!(merkle_root(&[a, b]), ab);
    assert_eq!(
        merkle_root(&[a, b, a]),
        alloy_primitives::keccak256([ab.as_slice(), a.as_slice()].concat())
    );
}

mod sparse {
    //! The sparse Merkle tree against a model: random sets and changes, the incremental root
    //! equal to the root rebuilt from scratch, every present key provable, every absent key
    //! provably absent, and proofs of logarithmic size.

    use std::collections::BTreeMap;

    use alloy_primitives::B256;
    use hoard_core::{
        commitment::{Commitment, verify_absence_proof, verify_entry_proof},
        state::{Change, ChangeSet},
    };
    use proptest::prelude::*;

    fn rebuilt(model: &BTreeMap<Vec<u8>, Vec<u8>>) -> Commitment {
        Commitment::from_entries(model.iter().map(|(k, v)| (k.as_slice(), v.as_slice())))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        #[test]
        fn incremental_updates_match_the_model(
            blocks in proptest::collection::vec(
                proptest::collection::vec((0u16..300, proptest::option::of(0u8..4)), 0..40),
                1..8,
            ),
        ) {
            let mut model: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
            let mut c = Commitment::default();
            prop_assert_eq!(c.root(), B256::ZERO);
            for block in blocks {
                let mut changes: BTreeMap<Vec<u8>, Option<Vec<u8>>> = BTreeMap::new();
                for (k, v) in block {
                    let key = k.to_be_bytes().to_vec();
                    let value = v.map(|v| vec![v; 3]);
                    match &value {
                        Some(v) => model.insert(key.clone(), v.clone()),
                        None => model.remove(&key),
                    };
                    changes.insert(key, value);
                }
                let set = ChangeSet {
                    entries: changes.into_iter().map(|(key, value)| Change { key, value }).collect(),
                };
                let root = c.update(&set);
                prop_assert_eq!(root, rebuilt(&model).root());
                for k in 0u16..300 {
                    let key = k.to_be_bytes();
                    let proof = c.prove_key(&key);
                    match model.get(key.as_slice()) {
                        Some(v) => {
                            prop_assert!(verify_entry_proof(&root, &key, v, &proof));
                            prop_assert!(!verify_absence_proof(&root, &key, &proof));
                            prop_assert!(!verify_entry_proof(&root, &key, b"other", &proof));
                        }
                        None => {
                            prop_assert!(verify_absence_proof(&root, &key, &proof));
                            prop_assert!(!verify_entry_proof(&root, &key, &[0, 0, 0], &proof));
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn proofs_stay_logarithmic() {
        let entries: Vec<(Vec<u8>, Vec<u8>)> =
            (0u32..100_000).map(|i| (i.to_be_bytes().to_vec(), vec![1u8; 32])).collect();
        let c = Commitment::from_entries(entries.iter().map(|(k, v)| (k.as_slice(), v.as_slice())));
        let deepest = (0u32..100_000)
            .step_by(997)
            .map(|i| c.prove_key(&i.to_be_bytes()).siblings.len())
            .max()
            .expect("proofs");
        // log2(100,000) is about 17; random keys add a few levels.
        assert!((14..=40).contains(&deepest), "depth {deepest}");
        let bytes = serde_json::to_vec(&c.prove_key(&7u32.to_be_bytes())).expect("json").len();
        assert!(bytes < 4_000, "{bytes} bytes of JSON");
    }
}

#[test]
fn simulation_mode_runs_the_same_commands_without_hashing_the_state() {
    let c = busy_chain();
    let mut sim = genesis().build_uncommitted().expect("genesis");
    assert!(!sim.has_commitment());
    assert_eq!(sim.state_root(), B256::ZERO);
    for b in &c.blocks {
        let env = hoard_core::Env {
            chain_id: b.header.chain_id,
            height: b.header.height,
            time_s: b.header.time_s,
        };
        sim.begin_block(&env).expect("follows");
        for tx in &b.txs {
            sim.execute(&env, tx).expect("includable");
        }
        let (changes, root) = sim.finish_block(&env);
        assert_eq!(root, B256::ZERO);
        assert_eq!(changes, b.changes, "the same change sets");
    }
    assert_eq!(sim.state().encoded_entries(), c.engine.state().encoded_entries());
    assert!(sim.prove_balance(&sim.addresses().icy, &addr(ALICE)).is_none());
}
