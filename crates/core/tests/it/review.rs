//! Defects an independent review of the engine found, each pinned by a test that failed before
//! its fix: minting power only through the two-step MINTER grant, revokeAll's cancelled grants
//! visible, the yearly inflation room taken at the year's start, the cut timelock bounded at
//! genesis, vesting events from the diamond.

use alloy_primitives::U256;
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
    c.rejected(ALICE, cmd, "state.wrong_state");
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
