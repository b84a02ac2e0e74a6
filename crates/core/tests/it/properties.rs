//! Property tests of the invariants over random command sequences.

use std::collections::BTreeMap;

use alloy_primitives::{Address, U256};
use hoard_core::{command::*, facets::token::TokenId, facets::vesting::vested_at};
use proptest::prelude::*;

use crate::harness::*;

const ACTORS: [u32; 5] = [ALICE, BOB, CAROL, TREASURY, MINTER];

#[derive(Clone, Debug)]
enum Op {
    Transfer { from: usize, to: usize, dfg: bool, amount: u64 },
    Delegate { who: usize, to: Option<usize> },
    Approve { owner: usize, spender: usize, amount: u64 },
    TransferFrom { spender: usize, from: usize, to: usize, amount: u64 },
    Burn { who: usize, amount: u64 },
    Mint { to: usize, amount: u64 },
    Release,
    Warp { seconds: u64 },
    UsdcTransfer { from: usize, to: usize, amount: u64 },
    Drip { who: usize },
}

fn op() -> impl Strategy<Value = Op> {
    let who = 0..ACTORS.len();
    // Amounts in whole tokens, sized so that some succeed and some fail.
    let amount = prop_oneof![1u64..1_000, 1u64..3_000_000];
    prop_oneof![
        (who.clone(), who.clone(), any::<bool>(), amount.clone())
            .prop_map(|(from, to, dfg, amount)| Op::Transfer { from, to, dfg, amount }),
        (who.clone(), proptest::option::of(who.clone()))
            .prop_map(|(who, to)| Op::Delegate { who, to }),
        (who.clone(), who.clone(), amount.clone())
            .prop_map(|(owner, spender, amount)| Op::Approve { owner, spender, amount }),
        (who.clone(), who.clone(), who.clone(), amount.clone())
            .prop_map(|(spender, from, to, amount)| Op::TransferFrom { spender, from, to, amount }),
        (who.clone(), amount.clone()).prop_map(|(who, amount)| Op::Burn { who, amount }),
        (who.clone(), amount.clone()).prop_map(|(to, amount)| Op::Mint { to, amount }),
        Just(Op::Release),
        (1u64..200 * DAY).prop_map(|seconds| Op::Warp { seconds }),
        (who.clone(), who.clone(), amount.clone())
            .prop_map(|(from, to, amount)| Op::UsdcTransfer { from, to, amount }),
        who.clone().prop_map(|who| Op::Drip { who }),
    ]
}

fn command(c: &Chain, op: &Op) -> Option<(u32, Command)> {
    let a = |i: usize| ACTORS[i];
    let (icy, dfg) = (c.engine.addresses().icy, c.engine.addresses().dfg);
    let d = c.deadline();
    Some(match *op {
        Op::Transfer { from, to, dfg: is_dfg, amount } => (
            a(from),
            Command::Transfer(Transfer {
                token: if is_dfg { dfg } else { icy },
                to: addr(a(to)),
                amount: tokens(amount),
                nonce: c.nonce(a(from)),
                deadline: d,
            }),
        ),
        Op::Delegate { who, to } => (
            a(who),
            Command::Delegate(Delegate {
                delegatee: to.map_or(Address::ZERO, |t| addr(a(t))),
                nonce: c.nonce(a(who)),
                deadline: d,
            }),
        ),
        Op::Approve { owner, spender, amount } => (
            a(owner),
            Command::Approve(Approve {
                token: dfg,
                spender: addr(a(spender)),
                amount: tokens(amount),
                nonce: c.nonce(a(owner)),
                deadline: d,
            }),
        ),
        Op::TransferFrom { spender, from, to, amount } => (
            a(spender),
            Command::TransferFrom(TransferFrom {
                token: dfg,
                from: addr(a(from)),
                to: addr(a(to)),
                amount: tokens(amount),
                nonce: c.nonce(a(spender)),
                deadline: d,
            }),
        ),
        Op::Burn { who, amount } => (
            a(who),
            Command::Burn(Burn {
                amount: tokens(amount),
                reason: "p".into(),
                nonce: c.nonce(a(who)),
                deadline: d,
            }),
        ),
        Op::Mint { to, amount } => (
            MINTER,
            Command::Mint(Mint {
                to: addr(a(to)),
                amount: tokens(amount),
                nonce: c.nonce(MINTER),
                deadline: d,
            }),
        ),
        Op::Release => (
            CAROL,
            Command::ReleaseVested(ReleaseVested {
                scheduleId: 0,
                nonce: c.nonce(CAROL),
                deadline: d,
            }),
        ),
        Op::UsdcTransfer { from, to, amount } => (
            a(from),
            Command::Transfer(Transfer {
                token: hoard_core::facets::token::asset_address("USDC"),
                to: addr(a(to)),
                amount: U256::from(amount) * U256::from(1_000_000u64),
                nonce: c.nonce(a(from)),
                deadline: d,
            }),
        ),
        Op::Drip { who } => (
            a(who),
            Command::Drip(Drip {
                asset: hoard_core::facets::token::asset_address("USDC"),
                nonce: c.nonce(a(who)),
                deadline: d,
            }),
        ),
        Op::Warp { .. } => return None,
    })
}

fn check_invariants(c: &Chain) {
    let st = c.engine.state();
    let mut icy = U256::ZERO;
    let mut dfg = U256::ZERO;
    let mut delegated: BTreeMap<Address, U256> = BTreeMap::new();
    for (_, b) in c.engine.holders(TokenId::Icy) {
        icy += b;
    }
    for (holder, b) in c.engine.holders(TokenId::Dfg) {
        dfg += b;
        let d = c.engine.delegate_of(&holder);
        if d != Address::ZERO {
            *delegated.entry(d).or_default() += b;
        }
    }
    assert_eq!(icy, c.engine.total_supply(TokenId::Icy), "ICY supply = sum of balances");
    assert_eq!(dfg, c.engine.total_supply(TokenId::Dfg), "DFG supply = sum of balances");
    assert_eq!(dfg, tokens(10_000_000), "DFG supply is fixed");
    // Every asset's supply is the sum of its balances.
    for (asset, info, supply) in c.engine.assets() {
        let held: U256 = c.engine.asset_holders(asset).map(|(_, b)| b).sum();
        assert_eq!(held, supply.total, "{} supply = sum of balances", info.symbol);
    }
    assert_eq!(
        c.engine.total_burned() + icy,
        tokens(100_000_000) + minted(c),
        "supply + burned = genesis + minted"
    );
    // The running total of delegated power equals what delegating accounts hold.
    assert_eq!(
        c.engine.total_delegated(),
        delegated.values().copied().sum::<U256>(),
        "delegated total"
    );
    // Every delegate's votes equal what its delegators hold.
    for (d, v) in &delegated {
        assert_eq!(c.engine.votes(d), *v, "votes of {d}");
    }
    for a in ACTORS {
        if !delegated.contains_key(&addr(a)) {
            assert_eq!(c.engine.votes(&addr(a)), U256::ZERO);
        }
    }
    for (_, v) in st.iter(&hoard_core::facets::vesting::state::SCHEDULES) {
        assert!(v.released <= vested_at(v, c.time_s), "vesting never releases more than vested");
        assert!(v.released <= v.amount);
    }
}

fn minted(c: &Chain) -> U256 {
    tokens(5_000_000) - c.engine.minter_allowance(&addr(MINTER)).unwrap_or_default()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_over_random_sequences(ops in proptest::collection::vec(op(), 1..60)) {
        let mut c = Chain::new();
        // Past votes recorded at earlier times must never change.
        let mut observed: Vec<(Address, u64, U256)> = Vec::new();
        for op in &ops {
            if let Op::Warp { seconds } = op {
                c.warp(*seconds);
                continue;
            }
            let (who, cmd) = command(&c, op).expect("not a warp");
            let root_before = c.engine.state_root();
            c.run(who, cmd);
            prop_assert_ne!(c.engine.state_root(), root_before);
            check_invariants(&c);
            let now = c.time_s;
            for a in ACTORS {
                observed.push((addr(a), now - 1, c.engine.past_votes(&addr(a), now - 1, now).expect("past")));
            }
            for (a, t, v) in &observed {
                prop_assert_eq!(c.engine.past_votes(a, *t, c.time_s).expect("past"), *v);
            }
        }
        // Replaying the same blocks on a fresh engine reproduces the root.
        let mut replay = genesis().build().expect("genesis");
        let mut parent = alloy_primitives::B256::ZERO;
        for b in &c.blocks {
            let sealed = hoard_core::block::replay_block(&mut replay, parent, &b.header, b.txs.clone(), false).expect("replays");
            parent = sealed.hash;
        }
        prop_assert_eq!(replay.state_root(), c.engine.state_root());
    }

    #[test]
    fn vesting_is_monotone_and_bounded(amount in 1u64..1_000_000_000, start in 0u64..1_000_000, cliff in 0u64..1000, extra in 1u64..100_000, t1 in 0u64..2_000_000, dt in 0u64..2_000_000) {
        let v = hoard_core::facets::vesting::Vesting { beneficiary: addr(1), amount: U256::from(amount), start, cliff_s: cliff, duration_s: cliff + extra, released: U256::ZERO };
        let a = vested_at(&v, t1);
        let b = vested_at(&v, t1 + dt);
        prop_assert!(a <= b);
        prop_assert!(b <= v.amount);
        prop_assert_eq!(vested_at(&v, start + cliff + extra), v.amount);
        if t1 < start + cliff { prop_assert_eq!(a, U256::ZERO); }
    }
}
