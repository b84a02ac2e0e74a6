//! Defects an independent review of the engine found, each pinned by a test that failed before
//! its fix: minting power only through the two-step MINTER grant, revokeAll's cancelled grants
//! visible, the yearly inflation room taken at the year's start, the cut timelock bounded at
//! genesis, vesting events from the diamond.

use alloy_primitives::{Address, U256};
use hoard_core::{command::*, facets::diamond, roles};

use crate::harness::*;

fn mint(c: &Chain, who: u32, to: u32, amount: U256) -> Command {
    Command::Mint(Mint { to: addr(to), amount, nonce: c.nonce(who), deadline: c.deadline() })
}

fn set_minter(c: &Chain, who: u32, minter: u32, allowance: U256) -> Command {
    Command::SetMinter(SetMinter {
        minter: addr(minter),
        allowance,
        nonce: c.nonce(who),
        deadline: c.deadline(),
    })
}

fn grant(c: &Chain, role: roles::Role, to: u32) -> Command {
    Command::GrantRole(GrantRole {
        role: role.id(),
        account: addr(to),
        nonce: c.nonce(ADMIN),
        deadline: c.deadline(),
    })
}

fn accept(c: &Chain, who: u32, role: roles::Role) -> Command {
    Command::AcceptRole(AcceptRole { role: role.id(), nonce: c.nonce(who), deadline: c.deadline() })
}

#[test]
fn set_minter_gives_no_minting_power_without_the_minter_role() {
    let mut c = Chain::new();
    // An allowance alone: still no power to mint.
    let cmd = set_minter(&c, ADMIN, ALICE, tokens(1_000));
    c.ok(ADMIN, cmd);
    assert!(!c.engine.is_minter(&addr(ALICE)));
    let cmd = mint(&c, ALICE, BOB, tokens(1));
    c.rejected(ALICE, cmd, "access.unauthorized");
    // The two-step grant: proposed, refused before its delay, accepted after.
    let cmd = grant(&c, roles::MINTER, ALICE);
    c.ok(ADMIN, cmd);
    let cmd = accept(&c, ALICE, roles::MINTER);
    c.rejected(ALICE, cmd, "access.grant_not_yet_acceptable");
    c.warp(2 * DAY);
    let cmd = accept(&c, ALICE, roles::MINTER);
    c.ok(ALICE, cmd);
    let cmd = mint(&c, ALICE, BOB, tokens(1));
    c.ok(ALICE, cmd);
    assert_eq!(c.engine.minter_allowance(&addr(ALICE)), Some(tokens(999)));
}

#[test]
fn revoke_all_minter_stops_every_minter() {
    let mut c = Chain::new();
    let cmd = mint(&c, MINTER, BOB, tokens(1));
    c.ok(MINTER, cmd);
    let cmd = Command::RevokeAll(RevokeAll {
        role: roles::MINTER.id(),
        nonce: c.nonce(ADMIN),
        deadline: c.deadline(),
    });
    c.ok(ADMIN, cmd);
    assert!(c.engine.minters().is_empty());
    // Its allowance is left, but no power to use it.
    assert!(c.engine.minter_allowance(&addr(MINTER)).is_some());
    let cmd = mint(&c, MINTER, BOB, tokens(1));
    c.rejected(MINTER, cmd, "access.unauthorized");
}

#[test]
fn the_yearly_inflation_room_comes_from_the_supply_at_the_start_of_the_year() {
    let mut c = Chain::new();
    // Year 1 opens with 100M ICY; a burn of 10M early in the year does not shrink the room,
    // which is 3% of the supply at the year's first second.
    c.warp(365 * DAY + 10);
    let cmd = Command::Burn(Burn {
        amount: tokens(10_000_000),
        reason: "early burn".into(),
        nonce: c.nonce(TREASURY),
        deadline: c.deadline(),
    });
    c.ok(TREASURY, cmd);
    c.warp(DAY);
    assert_eq!(c.engine.inflation_room(c.time_s), tokens(3_000_000));
    let cmd = mint(&c, MINTER, BOB, tokens(3_000_000));
    c.ok(MINTER, cmd);
    let cmd = mint(&c, MINTER, BOB, tokens(1));
    c.rejected(MINTER, cmd, "icy.inflation_exceeded");
    // Year 2 starts from year 1's closing supply: 93M, so 2.79M.
    c.warp(365 * DAY);
    assert_eq!(c.engine.inflation_room(c.time_s), tokens(2_790_000));
}

#[test]
fn genesis_bounds_the_cut_timelock() {
    for (delay, ok) in [
        (0, false),
        (diamond::CUT_DELAY_S_MIN - 1, false),
        (diamond::CUT_DELAY_S_MIN, true),
        (diamond::CUT_DELAY_S_MAX, true),
        (diamond::CUT_DELAY_S_MAX + 1, false),
    ] {
        let mut g = genesis();
        g.params.cut_delay_s = delay;
        match g.build() {
            Ok(_) => assert!(ok, "cut_delay_s {delay} accepted"),
            Err(e) => {
                assert!(!ok, "cut_delay_s {delay} refused: {e}");
                assert!(e.to_string().contains("cut_delay_s"), "{e}");
            }
        }
    }
}

#[test]
fn vesting_events_come_from_the_diamond() {
    let mut c = Chain::new();
    let cmd = Command::CreateVesting(CreateVesting {
        beneficiary: addr(BOB),
        amount: tokens(10),
        start: c.time_s,
        cliffS: 0,
        durationS: 10,
        nonce: c.nonce(ALICE),
        deadline: c.deadline(),
    });
    let r = c.ok(ALICE, cmd);
    let created = r.logs.iter().find(|l| l.name() == Some("VestingCreated")).expect("created");
    assert_eq!(created.address, c.engine.addresses().diamond);
    // The token movement itself stays a DFG Transfer.
    let transfer = r.logs.iter().find(|l| l.name() == Some("Transfer")).expect("transfer");
    assert_eq!(transfer.address, c.engine.addresses().dfg);
    c.warp(20);
    let id = c.engine.vesting_of(&addr(BOB), c.time_s)[0].0;
    let cmd = Command::ReleaseVested(ReleaseVested {
        scheduleId: id,
        nonce: c.nonce(BOB),
        deadline: c.deadline(),
    });
    let r = c.ok(BOB, cmd);
    let released = r.logs.iter().find(|l| l.name() == Some("VestingReleased")).expect("released");
    assert_eq!(released.address, c.engine.addresses().diamond);
}

#[test]
fn block_time_never_goes_backwards_in_the_engine_or_in_replay() {
    let mut c = Chain::new();
    let cmd = crate::token::transfer(&c, ALICE, c.engine.addresses().icy, addr(CAROL), tokens(1));
    c.ok(ALICE, cmd);
    // Bob moves his votes at T0 + 700: at T0 + 699 Alice's power was what genesis gave her.
    c.warp(700);
    let cmd = Command::Delegate(Delegate {
        delegatee: addr(ALICE),
        nonce: c.nonce(BOB),
        deadline: c.deadline(),
    });
    c.ok(BOB, cmd);
    let late = c.engine.clone();
    // A block at an earlier time is refused by the engine itself.
    let back = hoard_core::Env { chain_id: CHAIN_ID, height: c.height + 1, time_s: T0 + 100 };
    let err = c.engine.begin_block(&back).expect_err("time went back");
    assert_eq!(err.code(), "block.time_went_back");
    assert!(err.to_string().contains("never goes backwards"), "{err}");
    // Skipped or repeated heights and other chains are refused too.
    for (env, code) in [
        (hoard_core::Env { height: c.height + 2, ..c.env() }, "block.bad_height"),
        (hoard_core::Env { height: c.height, ..c.env() }, "block.bad_height"),
        (hoard_core::Env { chain_id: CHAIN_ID + 1, ..c.env() }, "block.wrong_chain"),
    ] {
        assert_eq!(c.engine.begin_block(&env).map_err(|e| e.code()), Err(code));
    }
    // The same second is fine.
    assert!(c.engine.begin_block(&c.env()).is_ok());

    // Replay: a stored block whose header says an earlier time than its parent is refused.
    let mut forged = c.blocks.last().expect("a block").header.clone();
    let parent = c.blocks[c.blocks.len() - 2].hash;
    forged.time_s = T0 - 1;
    let mut replay = genesis().build().expect("genesis");
    let mut p = alloy_primitives::B256::ZERO;
    for b in &c.blocks[..c.blocks.len() - 1] {
        p = hoard_core::block::replay_block(&mut replay, p, &b.header, b.txs.clone(), false)
            .expect("replays")
            .hash;
    }
    assert_eq!(p, parent);
    let txs = c.blocks.last().expect("a block").txs.clone();
    let err = hoard_core::block::replay_block(&mut replay.clone(), p, &forged, txs.clone(), false)
        .expect_err("time went back");
    assert!(
        matches!(
            err,
            hoard_core::block::ReplayError::Refused {
                source: hoard_core::rejection::BlockInvalid::TimeWentBack { .. },
                ..
            }
        ),
        "{err}"
    );
    // Every field of the header is compared, not only the roots.
    let mut miscounted = c.blocks.last().expect("a block").header.clone();
    miscounted.tx_count += 1;
    let err = hoard_core::block::replay_block(&mut replay, p, &miscounted, txs, false)
        .expect_err("count differs");
    assert!(
        matches!(
            err,
            hoard_core::block::ReplayError::HeaderMismatch { field: "transaction count", .. }
        ),
        "{err}"
    );
    // And the past stays what it was: 699 s after genesis Alice had her genesis votes only.
    assert_eq!(late.past_votes(&addr(ALICE), T0 + 699, T0 + 700), Ok(tokens(1_000_000)));
}

#[test]
fn guardians_cannot_chain_pauses_and_cannot_lift_governance_s() {
    let mut c = Chain::new();
    let pause = |c: &Chain, who: u32, s: u64| {
        Command::Pause(Pause { durationS: s, nonce: c.nonce(who), deadline: c.deadline() })
    };
    let h72 = 72 * 3600;
    let cmd = pause(&c, GUARDIAN, h72);
    c.ok(GUARDIAN, cmd);
    let ended = T0 + h72;
    // The moment it ends, and for a week after, the guardian cannot pause again.
    c.time_s = ended;
    assert!(c.engine.paused_until() <= c.time_s);
    let cmd = pause(&c, GUARDIAN, h72);
    let r = c.rejected(GUARDIAN, cmd, "pause.guardian_cooling_down");
    assert!(r.message().as_deref().is_some_and(|m| m.contains("needs governance")), "{r:?}");
    c.time_s = ended + 7 * DAY - 1;
    let cmd = pause(&c, GUARDIAN, 60);
    c.rejected(GUARDIAN, cmd, "pause.guardian_cooling_down");
    // Unpausing early does not reset the clock: the cooldown counts from the ordered end.
    assert_eq!(c.time_s, ended + 7 * DAY);
    let cmd = pause(&c, GUARDIAN, h72);
    c.ok(GUARDIAN, cmd);
    let cmd = Command::Unpause(Unpause { nonce: c.nonce(GUARDIAN), deadline: c.deadline() });
    c.ok(GUARDIAN, cmd);
    let cmd = pause(&c, GUARDIAN, 60);
    c.rejected(GUARDIAN, cmd, "pause.guardian_cooling_down");
    // Governance is not bound by the cooldown, and a guardian cannot lift its pause.
    let at = c.time_s;
    let cmd = pause(&c, GOV, 10 * DAY);
    c.ok(GOV, cmd);
    let cmd = Command::Unpause(Unpause { nonce: c.nonce(GUARDIAN), deadline: c.deadline() });
    c.rejected(GUARDIAN, cmd, "pause.set_by_governance");
    assert_eq!(c.engine.paused_until(), at + 10 * DAY);
}

#[test]
fn governance_is_a_keyless_module_that_the_steward_makes_act() {
    let mut c = Chain::new();
    let gov = c.engine.governance();
    assert_eq!(gov, hoard_core::facets::modules::Module::Governance.account());
    assert_eq!(c.engine.governance_steward(), addr(GOV));
    let params = |c: &Chain, who: u32| {
        Command::SetIcyParams(SetIcyParams {
            inflationBps: 400,
            transferBurnBps: 10,
            nonce: c.nonce(who),
            deadline: c.deadline(),
        })
    };
    // Signed directly by the steward's key, a governance command is not governance's.
    let direct = SignedCommand::sign(params(&c, GOV), c.engine.domain(), &key(GOV))
        .verify(c.engine.domain())
        .expect("verifies");
    let r = c.run_tx(direct).expect("included");
    assert_eq!(r.code(), Some("access.unauthorized"));
    // Made to act by the steward, governance sets them; the act is recorded first.
    let r = c.ok(GOV, params(&c, GOV));
    let names: Vec<&str> = r.logs.iter().filter_map(|l| l.name()).collect();
    assert_eq!(names, ["GovernanceActed", "IcyParamsSet"]);
    assert_eq!(c.engine.icy_params().inflation_bps, 400);
    // Anyone else's actAsGovernance is refused; so are malformed and nested actions.
    let act = |c: &Chain, who: u32, command_type: u16, bytes: Vec<u8>| {
        Command::ActAsGovernance(ActAsGovernance {
            commandType: command_type,
            command: bytes.into(),
            nonce: c.nonce(who),
            deadline: c.deadline(),
        })
    };
    let inner = params(&c, ALICE);
    let cmd = act(&c, ALICE, inner.type_id(), inner.abi_encode());
    c.rejected(ALICE, cmd, "access.unauthorized");
    let cmd = act(&c, GOV, 999, vec![1, 2, 3]);
    c.rejected(GOV, cmd, "governance.bad_action");
    let cmd = act(&c, GOV, inner.type_id(), vec![0xff; 7]);
    c.rejected(GOV, cmd, "governance.bad_action");
    let nested = Command::EndStewardship(EndStewardship { nonce: 0, deadline: 0 });
    let cmd = act(&c, GOV, nested.type_id(), nested.abi_encode());
    c.rejected(GOV, cmd, "governance.nested_action");
    // An action governance may not take fails as a whole, with its own code.
    let too_high = Command::SetIcyParams(SetIcyParams {
        inflationBps: 900,
        transferBurnBps: 0,
        nonce: c.nonce(GOV),
        deadline: c.deadline(),
    });
    c.rejected(GOV, too_high, "icy.inflation_out_of_range");
    // The stewardship ends for good.
    let cmd =
        Command::EndStewardship(EndStewardship { nonce: c.nonce(GOV), deadline: c.deadline() });
    let r = c.ok(GOV, cmd);
    assert_eq!(r.logs[0].name(), Some("StewardshipEnded"));
    assert_eq!(c.engine.governance_steward(), Address::ZERO);
    let cmd = params(&c, GOV);
    c.rejected(GOV, cmd, "access.unauthorized");
}
