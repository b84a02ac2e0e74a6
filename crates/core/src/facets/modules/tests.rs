//! The module mechanism exercised by a test module (facet `owners::TEST`, account
//! `Module::Test`): module accounts, protection of what they hold, internal calls that apply or
//! fail and leave nothing, nesting and its limit.

use alloy_primitives::{Address, U256};

use super::*;
use crate::{
    Engine, Env,
    command::{Approve, Command, Transfer},
    facets::token,
    genesis::{Allocation, DfgGenesis, Genesis, IcyGenesis, ParamsGenesis},
};

const T0: u64 = 1_767_225_600;

fn who(i: u8) -> Address {
    Address::repeat_byte(i)
}

fn tokens(n: u64) -> U256 {
    U256::from(n) * U256::from(10u64).pow(U256::from(18u8))
}

/// A chain where the test module's account holds 1,000 ICY and user 1 holds 1,000,000.
fn engine() -> Engine {
    let alloc = |account: Address, amount: &str| Allocation {
        account,
        amount: amount.into(),
        delegate: None,
    };
    let g = Genesis {
        chain_id: 31337,
        timestamp: T0,
        diamond: who(0xd1),
        steward: who(0x60),
        icy: IcyGenesis {
            allocations: vec![alloc(who(1), "1000000"), alloc(Module::Test.account(), "1000")],
            inflation_bps: 300,
            transfer_burn_bps: 0,
            minters: vec![],
            excluded: vec![],
        },
        dfg: DfgGenesis { allocations: vec![alloc(who(1), "10000000")], vesting: vec![] },
        roles: vec![],
        assets: vec![],
        pools: vec![],
        params: ParamsGenesis::default(),
    };
    g.build().expect("genesis")
}

fn env() -> Env {
    Env { chain_id: 31337, height: 1, time_s: T0 + 10 }
}

fn pay(e: &Engine, to: Address, amount: U256) -> Command {
    Command::Transfer(Transfer { token: e.addresses().icy, to, amount, nonce: 0, deadline: 0 })
}

fn icy(e: &Engine, a: &Address) -> U256 {
    token::balance(e.state(), &e.addresses().icy, a)
}

#[test]
fn module_accounts_are_derived_distinct_and_keyless() {
    let accounts: std::collections::BTreeSet<Address> =
        Module::ALL.iter().map(|m| m.account()).collect();
    assert_eq!(accounts.len(), Module::ALL.len());
    for m in Module::ALL {
        assert_eq!(Module::of(&m.account()), Some(m));
        assert_eq!(
            m.account(),
            Address::from_slice(
                &alloy_primitives::keccak256(format!("hoard.module.{}", m.name()))[12..]
            )
        );
    }
    assert_eq!(Module::of(&who(1)), None);
    assert_eq!(Module::VestingEscrow.account(), engine().addresses().vesting_escrow);
}

#[test]
fn an_internal_call_acts_as_the_module_without_nonce_or_deadline() {
    let mut e = engine();
    let cmd = pay(&e, who(2), tokens(10));
    // Deadline 0 and nonce 0 mean nothing to an internal call.
    let (out, logs) =
        e.run_handler(&env(), who(1), owners::TEST, |ctx| ctx.call_as(Module::Test, &cmd));
    assert_eq!(out, Ok(()));
    assert_eq!(icy(&e, &who(2)), tokens(10));
    assert_eq!(icy(&e, &Module::Test.account()), tokens(990));
    assert_eq!(logs.len(), 1, "the Transfer");
    assert_eq!(logs[0].topics[1], Module::Test.account().into_word(), "from the module account");
    assert_eq!(e.nonce(&Module::Test.account()), 0, "no nonce moves");
}

#[test]
fn a_failing_internal_call_leaves_nothing_and_the_caller_goes_on() {
    let mut e = engine();
    let root = e.state_root();
    let too_much = pay(&e, who(2), tokens(5_000));
    let fine = pay(&e, who(3), tokens(1));
    let (out, logs) = e.run_handler(&env(), who(1), owners::TEST, |ctx| {
        // An approval first, then a payment that fails: only the payment's writes and logs go.
        let approve = Command::Approve(Approve {
            token: ctx.addrs.icy,
            spender: who(9),
            amount: tokens(7),
            nonce: 0,
            deadline: 0,
        });
        assert_eq!(ctx.call_as(Module::Test, &approve), Ok(()));
        let err = ctx.call_as(Module::Test, &too_much).expect_err("more than it holds");
        assert_eq!(err.code(), "token.insufficient_balance");
        assert_eq!(ctx.logs.len(), 1, "only the approval's log");
        // The caller decides: it goes on with another payment.
        ctx.call_as(Module::Test, &fine)
    });
    assert_eq!(out, Ok(()));
    assert_eq!(logs.len(), 2);
    assert_eq!(icy(&e, &who(2)), U256::ZERO);
    assert_eq!(icy(&e, &who(3)), tokens(1));
    assert_eq!(
        token::allowance(e.state(), &e.addresses().icy, &Module::Test.account(), &who(9)),
        tokens(7)
    );
    // A handler that fails after successful internal calls leaves nothing at all.
    let mut e = engine();
    let pay_one = pay(&e, who(4), tokens(1));
    let (out, logs) = e.run_handler(&env(), who(1), owners::TEST, |ctx| {
        ctx.call_as(Module::Test, &pay_one)?;
        Err(crate::rejection::Rejection::NothingToRelease)
    });
    assert!(out.is_err());
    assert!(logs.is_empty());
    let _ = e.finish_block(&Env { height: 0, ..env() });
    assert_eq!(e.state_root(), root, "the root is as before");
}

#[test]
fn only_the_owner_moves_what_a_module_account_holds() {
    let mut e = engine();
    let module = Module::Test.account();
    // A user's command in the token facet cannot debit the module account...
    let (out, _) = e.run_handler(&env(), who(1), token::state::FACET, |ctx| {
        token::move_tokens(ctx, ctx.addrs.icy, module, who(1), tokens(1))
    });
    assert_eq!(out.map_err(|r| r.code()), Err("module.account_protected"));
    // ...nor can another facet act as the module.
    let cmd = pay(&e, who(2), tokens(1));
    let (out, _) =
        e.run_handler(&env(), who(1), token::state::FACET, |ctx| ctx.call_as(Module::Test, &cmd));
    assert_eq!(out.map_err(|r| r.code()), Err("module.not_owner"));
    // The vesting escrow is a module account of the vesting facet: the token facet cannot move
    // it, the vesting facet can.
    let escrow = Module::VestingEscrow.account();
    let (out, _) =
        e.run_handler(&env(), who(1), token::state::FACET, |ctx| ctx.check_may_debit(&escrow));
    assert_eq!(out.map_err(|r| r.code()), Err("module.account_protected"));
    let (out, _) = e.run_handler(&env(), who(1), crate::facets::vesting::state::FACET, |ctx| {
        ctx.check_may_debit(&escrow)
    });
    assert_eq!(out, Ok(()));
    assert_eq!(icy(&e, &module), tokens(1000), "nothing moved");
}

#[test]
fn internal_calls_nest_within_a_limit() {
    let mut e = engine();
    let cmd = pay(&e, who(2), tokens(1));
    let (out, _) = e.run_handler(&env(), who(1), owners::TEST, |ctx| {
        ctx.depth = CALL_DEPTH_MAX;
        ctx.call_as(Module::Test, &cmd)
    });
    assert_eq!(out.map_err(|r| r.code()), Err("module.call_too_deep"));
    assert_eq!(icy(&e, &who(2)), U256::ZERO);
}
