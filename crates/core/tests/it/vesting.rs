//! Vesting schedules: cliff, linear release, beneficiary only, escrow does not vote.

use alloy_primitives::U256;
use hoard_core::{command::*, facets::token::TokenId};

use crate::harness::*;

fn release(c: &Chain, who: u32, id: u64) -> Command {
    Command::ReleaseVested(ReleaseVested {
        scheduleId: id,
        nonce: c.nonce(who),
        deadline: c.deadline(),
    })
}

#[test]
fn nothing_before_the_cliff_then_linear() {
    let mut c = Chain::new();
    let cmd = release(&c, CAROL, 0);
    c.rejected(CAROL, cmd, "vesting.nothing_to_release");
    c.warp(365 * DAY - 10);
    let cmd = release(&c, CAROL, 0);
    c.rejected(CAROL, cmd, "vesting.nothing_to_release");
    // At the cliff (1 of 4 years): a quarter.
    c.time_s = T0 + 365 * DAY;
    let before = c.engine.balance_of(TokenId::Dfg, &addr(CAROL));
    let cmd = release(&c, CAROL, 0);
    c.ok(CAROL, cmd);
    assert_eq!(c.engine.balance_of(TokenId::Dfg, &addr(CAROL)) - before, tokens(500_000));
    // Someone else cannot release it.
    let cmd = release(&c, BOB, 0);
    c.rejected(BOB, cmd, "access.unauthorized");
    let cmd = release(&c, CAROL, 9);
    c.rejected(CAROL, cmd, "vesting.not_found");
    // After the end: everything, never more.
    c.time_s = T0 + 10 * 365 * DAY;
    let cmd = release(&c, CAROL, 0);
    c.ok(CAROL, cmd);
    assert_eq!(c.engine.balance_of(TokenId::Dfg, &addr(CAROL)) - before, tokens(2_000_000));
    assert_eq!(c.engine.balance_of(TokenId::Dfg, &c.engine.addresses().vesting_escrow), U256::ZERO);
    let cmd = release(&c, CAROL, 0);
    c.rejected(CAROL, cmd, "vesting.nothing_to_release");
}

#[test]
fn create_vesting_locks_sender_tokens_and_their_votes() {
    let mut c = Chain::new();
    let cmd = Command::CreateVesting(CreateVesting {
        beneficiary: addr(BOB),
        amount: tokens(100_000),
        start: c.time_s,
        cliffS: 0,
        durationS: 100,
        nonce: c.nonce(ALICE),
        deadline: c.deadline(),
    });
    c.ok(ALICE, cmd);
    assert_eq!(c.engine.votes(&addr(ALICE)), tokens(900_000));
    assert_eq!(c.engine.vesting_of(&addr(BOB), c.time_s).len(), 1);
    c.warp(49);
    let id = c.engine.vesting_of(&addr(BOB), c.time_s)[0].0;
    let cmd = release(&c, BOB, id);
    c.ok(BOB, cmd);
    // Bob self-delegated at genesis: released tokens vote at once; 50 of 100 seconds elapsed.
    assert_eq!(c.engine.votes(&addr(BOB)), tokens(550_000));
    let bad = Command::CreateVesting(CreateVesting {
        beneficiary: addr(BOB),
        amount: tokens(1),
        start: c.time_s,
        cliffS: 200,
        durationS: 100,
        nonce: c.nonce(ALICE),
        deadline: c.deadline(),
    });
    c.rejected(ALICE, bad, "vesting.bad_duration");
}
