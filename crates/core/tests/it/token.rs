//! ICY and DFG token rules, with adversarial cases.

use alloy_primitives::{Address, U256};
use hoard_core::{command::*, facets::token::TokenId};

use crate::harness::*;

fn icy(c: &Chain) -> Address {
    c.engine.addresses().icy
}

pub fn transfer(c: &Chain, who: u32, token: Address, to: Address, amount: U256) -> Command {
    Command::Transfer(Transfer { token, to, amount, nonce: c.nonce(who), deadline: c.deadline() })
}

fn mint(c: &Chain, who: u32, to: Address, amount: U256) -> Command {
    Command::Mint(Mint { to, amount, nonce: c.nonce(who), deadline: c.deadline() })
}

#[test]
fn transfer_moves_balance_and_emits_erc20_log() {
    let mut c = Chain::new();
    let cmd = transfer(&c, ALICE, icy(&c), addr(CAROL), tokens(10));
    let r = c.ok(ALICE, cmd);
    assert_eq!(c.engine.balance_of(TokenId::Icy, &addr(ALICE)), tokens(999_990));
    assert_eq!(c.engine.balance_of(TokenId::Icy, &addr(CAROL)), tokens(10));
    assert_eq!(r.logs.len(), 1);
    let log = &r.logs[0];
    assert_eq!(log.address, icy(&c));
    // topic0 = keccak("Transfer(address,address,uint256)"), the standard ERC-20 topic.
    assert_eq!(
        log.topics[0].to_string(),
        "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
    );
    assert_eq!(log.name(), Some("Transfer"));
}

#[test]
fn insufficient_balance_is_rejected_without_change() {
    let mut c = Chain::new();
    let cmd = transfer(&c, ALICE, icy(&c), addr(BOB), tokens(1_000_001));
    c.rejected(ALICE, cmd, "token.insufficient_balance");
}

#[test]
fn transfer_to_zero_and_unknown_token_are_rejected() {
    let mut c = Chain::new();
    let cmd = transfer(&c, ALICE, icy(&c), Address::ZERO, tokens(1));
    c.rejected(ALICE, cmd, "token.to_zero_address");
    let cmd = transfer(&c, ALICE, Address::repeat_byte(7), addr(BOB), tokens(1));
    c.rejected(ALICE, cmd, "token.unknown");
}

#[test]
fn nonces_are_sequential_and_deadlines_enforced() {
    let mut c = Chain::new();
    let mut cmd = transfer(&c, ALICE, icy(&c), addr(BOB), tokens(1));
    if let Command::Transfer(t) = &mut cmd {
        t.nonce = 5;
    }
    assert!(matches!(
        c.try_run(ALICE, cmd),
        Err(hoard_core::rejection::TxInvalid::NonceGap { expected: 0, got: 5 })
    ));
    let cmd = transfer(&c, ALICE, icy(&c), addr(BOB), tokens(1));
    c.ok(ALICE, cmd.clone());
    // The same signed command again: nonce reused.
    let err = c.try_run(ALICE, cmd).expect_err("replay refused");
    assert_eq!(err.code(), "tx.nonce_reused");
    let mut cmd = transfer(&c, ALICE, icy(&c), addr(BOB), tokens(1));
    if let Command::Transfer(t) = &mut cmd {
        t.deadline = c.time_s - 1;
    }
    assert_eq!(c.try_run(ALICE, cmd).expect_err("expired").code(), "tx.expired");
}

#[test]
fn allowances_and_transfer_from() {
    let mut c = Chain::new();
    let token = icy(&c);
    let cmd = Command::TransferFrom(TransferFrom {
        token,
        from: addr(ALICE),
        to: addr(CAROL),
        amount: tokens(5),
        nonce: c.nonce(BOB),
        deadline: c.deadline(),
    });
    c.rejected(BOB, cmd, "token.insufficient_allowance");
    let cmd = Command::Approve(Approve {
        token,
        spender: addr(BOB),
        amount: tokens(7),
        nonce: c.nonce(ALICE),
        deadline: c.deadline(),
    });
    c.ok(ALICE, cmd);
    let cmd = Command::TransferFrom(TransferFrom {
        token,
        from: addr(ALICE),
        to: addr(CAROL),
        amount: tokens(5),
        nonce: c.nonce(BOB),
        deadline: c.deadline(),
    });
    c.ok(BOB, cmd);
    assert_eq!(c.engine.allowance(TokenId::Icy, &addr(ALICE), &addr(BOB)), tokens(2));
    assert_eq!(c.engine.balance_of(TokenId::Icy, &addr(CAROL)), tokens(5));
    let cmd = Command::TransferFrom(TransferFrom {
        token,
        from: addr(ALICE),
        to: addr(CAROL),
        amount: tokens(3),
        nonce: c.nonce(BOB),
        deadline: c.deadline(),
    });
    c.rejected(BOB, cmd, "token.insufficient_allowance");
    // Infinite approval is never decreased.
    let cmd = Command::Approve(Approve {
        token,
        spender: addr(BOB),
        amount: U256::MAX,
        nonce: c.nonce(ALICE),
        deadline: c.deadline(),
    });
    c.ok(ALICE, cmd);
    let cmd = Command::TransferFrom(TransferFrom {
        token,
        from: addr(ALICE),
        to: addr(CAROL),
        amount: tokens(3),
        nonce: c.nonce(BOB),
        deadline: c.deadline(),
    });
    c.ok(BOB, cmd);
    assert_eq!(c.engine.allowance(TokenId::Icy, &addr(ALICE), &addr(BOB)), U256::MAX);
}

#[test]
fn burn_with_reason_tracks_total_burned_and_circulating() {
    let mut c = Chain::new();
    let circ0 = c.engine.circulating_supply();
    // Treasury is excluded: circulating = 100M - 98M.
    assert_eq!(circ0, tokens(2_000_000));
    let cmd = Command::Burn(Burn {
        amount: tokens(100),
        reason: "quarterly burn".into(),
        nonce: c.nonce(ALICE),
        deadline: c.deadline(),
    });
    let r = c.ok(ALICE, cmd);
    assert_eq!(r.logs.len(), 2);
    assert_eq!(r.logs[1].name(), Some("Burned"));
    assert_eq!(c.engine.total_burned(), tokens(100));
    assert_eq!(c.engine.total_supply(TokenId::Icy), tokens(100_000_000) - tokens(100));
    // Burns are subtracted once (not `totalSupply - totalBurned` again: SPEC 3.1).
    assert_eq!(c.engine.circulating_supply(), circ0 - tokens(100));
    let cmd = Command::Burn(Burn {
        amount: tokens(1),
        reason: "x".repeat(300),
        nonce: c.nonce(ALICE),
        deadline: c.deadline(),
    });
    c.rejected(ALICE, cmd, "token.burn_reason_too_long");
    let cmd = Command::Burn(Burn {
        amount: tokens(2_000_000),
        reason: String::new(),
        nonce: c.nonce(ALICE),
        deadline: c.deadline(),
    });
    c.rejected(ALICE, cmd, "token.insufficient_balance");
}

#[test]
fn minting_respects_minter_allowance_inflation_and_cap() {
    let mut c = Chain::new();
    // Not a minter.
    let cmd = mint(&c, ALICE, addr(ALICE), tokens(1));
    c.rejected(ALICE, cmd, "access.unauthorized");
    // Year 0 room: 3% of 100M = 3M.
    assert_eq!(c.engine.inflation_room(c.time_s), tokens(3_000_000));
    let cmd = mint(&c, MINTER, addr(BOB), tokens(3_000_001));
    c.rejected(MINTER, cmd, "icy.inflation_exceeded");
    let cmd = mint(&c, MINTER, addr(BOB), tokens(3_000_000));
    c.ok(MINTER, cmd);
    let cmd = mint(&c, MINTER, addr(BOB), tokens(1));
    c.rejected(MINTER, cmd, "icy.inflation_exceeded");
    // Next protocol year: room is 3% of 103M, but the minter has 2M of allowance left.
    c.warp(365 * DAY);
    assert_eq!(c.engine.inflation_room(c.time_s), tokens(3_090_000));
    let cmd = mint(&c, MINTER, addr(BOB), tokens(2_000_001));
    c.rejected(MINTER, cmd, "icy.minter_allowance_exceeded");
    let cmd = mint(&c, MINTER, addr(BOB), tokens(2_000_000));
    c.ok(MINTER, cmd);
    assert!(!c.engine.minters().is_empty());
    // Admin raises the allowance beyond the cap: the cap still holds.
    let cmd = Command::SetMinter(SetMinter {
        minter: addr(MINTER),
        allowance: tokens(2_000_000_000),
        nonce: c.nonce(ADMIN),
        deadline: c.deadline(),
    });
    c.ok(ADMIN, cmd);
    let cmd = mint(&c, MINTER, addr(BOB), tokens(900_000_000));
    c.rejected(MINTER, cmd, "icy.cap_exceeded");
    // Only ADMIN or governance registers minters.
    let cmd = Command::SetMinter(SetMinter {
        minter: addr(ALICE),
        allowance: tokens(1),
        nonce: c.nonce(ALICE),
        deadline: c.deadline(),
    });
    c.rejected(ALICE, cmd, "access.unauthorized");
}

#[test]
fn icy_params_are_governance_only_and_bounded() {
    let mut c = Chain::new();
    let p = |c: &Chain, who, i, b| {
        Command::SetIcyParams(SetIcyParams {
            inflationBps: i,
            transferBurnBps: b,
            nonce: c.nonce(who),
            deadline: c.deadline(),
        })
    };
    let cmd = p(&c, ADMIN, 400, 0);
    c.rejected(ADMIN, cmd, "access.unauthorized");
    let cmd = p(&c, GOV, 600, 0);
    c.rejected(GOV, cmd, "icy.inflation_out_of_range");
    let cmd = p(&c, GOV, 400, 101);
    c.rejected(GOV, cmd, "icy.transfer_burn_too_high");
    let cmd = p(&c, GOV, 400, 100);
    c.ok(GOV, cmd);
    // 1% transfer burn, rounded up, in the protocol's favour.
    let supply = c.engine.total_supply(TokenId::Icy);
    let cmd = transfer(&c, ALICE, icy(&c), addr(CAROL), U256::from(150u64));
    c.ok(ALICE, cmd);
    assert_eq!(c.engine.balance_of(TokenId::Icy, &addr(CAROL)), U256::from(148u64));
    assert_eq!(c.engine.total_supply(TokenId::Icy), supply - U256::from(2u64));
    assert_eq!(c.engine.total_burned(), U256::from(2u64));
    // Transfers involving protocol accounts are exempt.
    let cmd = transfer(&c, TREASURY, icy(&c), addr(CAROL), U256::from(100u64));
    c.ok(TREASURY, cmd);
    assert_eq!(c.engine.balance_of(TokenId::Icy, &addr(CAROL)), U256::from(248u64));
}

#[test]
fn excluded_set_is_versioned() {
    let mut c = Chain::new();
    assert_eq!(c.engine.excluded_accounts(), (1, vec![addr(TREASURY)]));
    let cmd = Command::SetExcludedAccounts(SetExcludedAccounts {
        accounts: vec![addr(TREASURY), addr(BOB)],
        nonce: c.nonce(GOV),
        deadline: c.deadline(),
    });
    c.ok(GOV, cmd);
    assert_eq!(c.engine.excluded_accounts().0, 2);
    assert_eq!(c.engine.circulating_supply(), tokens(1_000_000));
    // Version 1 is still on record.
    assert_eq!(c.engine.excluded_set(1), Some(vec![addr(TREASURY)]));
    let cmd = Command::SetExcludedAccounts(SetExcludedAccounts {
        accounts: vec![addr(BOB), addr(BOB)],
        nonce: c.nonce(GOV),
        deadline: c.deadline(),
    });
    c.rejected(GOV, cmd, "icy.excluded_not_distinct");
}

#[test]
fn pause_blocks_token_moves_for_its_duration() {
    let mut c = Chain::new();
    let cmd = Command::Pause(Pause {
        durationS: 73 * 3600,
        nonce: c.nonce(GUARDIAN),
        deadline: c.deadline(),
    });
    c.rejected(GUARDIAN, cmd, "pause.duration_out_of_range");
    let cmd =
        Command::Pause(Pause { durationS: 3600, nonce: c.nonce(ALICE), deadline: c.deadline() });
    c.rejected(ALICE, cmd, "access.unauthorized");
    let cmd = Command::Pause(Pause {
        durationS: 72 * 3600,
        nonce: c.nonce(GUARDIAN),
        deadline: c.deadline(),
    });
    c.ok(GUARDIAN, cmd);
    let cmd = transfer(&c, ALICE, icy(&c), addr(BOB), tokens(1));
    c.rejected(ALICE, cmd, "pause.paused");
    // Approvals and delegation still work.
    let cmd = Command::Approve(Approve {
        token: icy(&c),
        spender: addr(BOB),
        amount: tokens(1),
        nonce: c.nonce(ALICE),
        deadline: c.deadline(),
    });
    c.ok(ALICE, cmd);
    // A guardian cannot extend; governance can.
    let cmd =
        Command::Pause(Pause { durationS: 3600, nonce: c.nonce(GUARDIAN), deadline: c.deadline() });
    c.rejected(GUARDIAN, cmd, "pause.already_paused");
    c.warp(72 * 3600);
    let cmd = transfer(&c, ALICE, icy(&c), addr(BOB), tokens(1));
    c.ok(ALICE, cmd);
    let cmd =
        Command::Pause(Pause { durationS: 30 * DAY, nonce: c.nonce(GOV), deadline: c.deadline() });
    c.ok(GOV, cmd);
    // A guardian cannot lift governance's pause; governance can.
    let cmd = Command::Unpause(Unpause { nonce: c.nonce(GUARDIAN), deadline: c.deadline() });
    c.rejected(GUARDIAN, cmd, "pause.set_by_governance");
    let cmd = Command::Unpause(Unpause { nonce: c.nonce(GOV), deadline: c.deadline() });
    c.ok(GOV, cmd);
    let cmd = transfer(&c, ALICE, icy(&c), addr(BOB), tokens(1));
    c.ok(ALICE, cmd);
    let cmd = Command::Unpause(Unpause { nonce: c.nonce(GOV), deadline: c.deadline() });
    c.rejected(GOV, cmd, "pause.not_paused");
}
