//! DFG delegation, checkpoints and past-vote queries.

use alloy_primitives::{Address, U256};
use hoard_core::command::*;

use crate::{harness::*, token::transfer};

fn delegate(c: &Chain, who: u32, to: Address) -> Command {
    Command::Delegate(Delegate { delegatee: to, nonce: c.nonce(who), deadline: c.deadline() })
}

#[test]
fn genesis_delegations_give_votes() {
    let c = Chain::new();
    assert_eq!(c.engine.votes(&addr(ALICE)), tokens(1_000_000));
    assert_eq!(c.engine.votes(&addr(BOB)), tokens(500_000));
    // Carol holds DFG but has not delegated: no votes. The escrow never votes.
    assert_eq!(c.engine.votes(&addr(CAROL)), U256::ZERO);
    assert_eq!(c.engine.votes(&c.engine.addresses().vesting_escrow), U256::ZERO);
    assert_eq!(c.engine.total_delegated(), tokens(1_500_000));
}

#[test]
fn delegation_and_transfers_move_votes() {
    let mut c = Chain::new();
    let cmd = delegate(&c, CAROL, addr(ALICE));
    c.ok(CAROL, cmd);
    assert_eq!(c.engine.votes(&addr(ALICE)), tokens(1_500_000));
    let dfg = c.engine.addresses().dfg;
    let cmd = transfer(&c, CAROL, dfg, addr(BOB), tokens(100_000));
    c.ok(CAROL, cmd);
    assert_eq!(c.engine.votes(&addr(ALICE)), tokens(1_400_000));
    assert_eq!(c.engine.votes(&addr(BOB)), tokens(600_000));
    // Re-delegating to the same delegate is refused.
    let cmd = delegate(&c, CAROL, addr(ALICE));
    c.rejected(CAROL, cmd, "votes.already_delegated");
    // Undelegate (to zero): votes vanish.
    let cmd = delegate(&c, CAROL, Address::ZERO);
    c.ok(CAROL, cmd);
    assert_eq!(c.engine.votes(&addr(ALICE)), tokens(1_000_000));
}

#[test]
fn past_votes_are_fixed_and_future_lookups_refused() {
    let mut c = Chain::new();
    let t1 = c.time_s;
    c.warp(100);
    let cmd = delegate(&c, CAROL, addr(ALICE));
    c.ok(CAROL, cmd);
    let t2 = c.time_s;
    c.warp(100);
    let now = c.time_s;
    assert_eq!(c.engine.past_votes(&addr(ALICE), t1, now).expect("past"), tokens(1_000_000));
    assert_eq!(c.engine.past_votes(&addr(ALICE), t2, now).expect("past"), tokens(1_500_000));
    assert_eq!(c.engine.past_votes(&addr(ALICE), T0 - 1, now).expect("past"), U256::ZERO);
    assert!(c.engine.past_votes(&addr(ALICE), now, now).is_err());
    assert_eq!(c.engine.past_total_supply(t1, now).expect("past"), tokens(10_000_000));
    assert!(c.engine.past_total_supply(now + 5, now).is_err());
}

#[test]
fn many_changes_in_one_second_keep_one_checkpoint() {
    let mut c = Chain::new();
    let dfg = c.engine.addresses().dfg;
    // Two transfers in the same block second: a single checkpoint is updated in place.
    c.warp(10);
    let before = c.engine.vote_checkpoint_count(&addr(ALICE)) as usize;
    let t = c.time_s;
    let cmd = transfer(&c, ALICE, dfg, addr(CAROL), tokens(1));
    c.ok(ALICE, cmd);
    c.time_s = t;
    let cmd = transfer(&c, ALICE, dfg, addr(CAROL), tokens(1));
    c.ok(ALICE, cmd);
    assert_eq!(c.engine.vote_checkpoint_count(&addr(ALICE)) as usize, before + 1);
    assert_eq!(c.engine.votes(&addr(ALICE)), tokens(999_998));
}
