//! DFG voting power (ERC20Votes, SPEC 3.2): delegation, per-delegate checkpoints by block time,
//! total-supply checkpoints, and past lookups that can never change once a second is over.

pub mod commands;
pub mod events;
pub mod state;

use alloy_primitives::{Address, U256};

use self::state::{
    CHECKPOINT_COUNTS, CHECKPOINTS, Checkpoint, DELEGATED, DELEGATES, SUPPLY_CHECKPOINTS,
};
use super::{Ctx, token};
use crate::{
    command, event,
    rejection::{Authority, Outcome, Rejection},
    state::State,
};

/// An account's delegate (zero: not delegated).
pub fn delegate_of(state: &State, a: &Address) -> Address {
    state.value(&DELEGATES, a)
}

/// Number of checkpoints of a delegate.
pub fn checkpoint_count(state: &State, a: &Address) -> u32 {
    state.value(&CHECKPOINT_COUNTS, a)
}

/// The i-th checkpoint of a delegate.
pub fn checkpoint(state: &State, a: &Address, i: u32) -> Checkpoint {
    state.value(&CHECKPOINTS, &(*a, i))
}

/// A delegate's current voting power.
pub fn current_votes(state: &State, a: &Address) -> U256 {
    match checkpoint_count(state, a) {
        0 => U256::ZERO,
        n => checkpoint(state, a, n - 1).value,
    }
}

/// The sum of every delegate's voting power.
pub fn total_delegated(state: &State) -> U256 {
    state.cell(&DELEGATED)
}

/// Value of `n` checkpoints at time `t` (inclusive): the last checkpoint with `time_s <= t`,
/// found by binary search.
fn value_at(n: u32, t: u64, at: impl Fn(u32) -> Checkpoint) -> U256 {
    let (mut lo, mut hi) = (0u32, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if at(mid).time_s <= t {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if lo == 0 { U256::ZERO } else { at(lo - 1).value }
}

/// A delegate's voting power at the end of second `t`.
pub fn votes_at(state: &State, a: &Address, t: u64) -> U256 {
    value_at(checkpoint_count(state, a), t, |i| checkpoint(state, a, i))
}

/// DFG total supply at the end of second `t`.
pub fn supply_at(state: &State, t: u64) -> U256 {
    let n = state.len(&SUPPLY_CHECKPOINTS) as u32;
    value_at(n, t, |i| state.value(&SUPPLY_CHECKPOINTS, &i))
}

/// Writes a delegate's voting checkpoint at `time_s`: updates the last one when it has the
/// same time, appends otherwise.
pub fn write_checkpoint(state: &mut State, a: Address, time_s: u64, value: U256) {
    let n = checkpoint_count(state, &a);
    let idx = if n > 0 && checkpoint(state, &a, n - 1).time_s == time_s { n - 1 } else { n };
    state.put(&CHECKPOINTS, (a, idx), Checkpoint { time_s, value });
    if idx == n {
        state.put(&CHECKPOINT_COUNTS, a, n + 1);
    }
}

/// Writes a DFG supply checkpoint at `time_s` (same rule as votes).
pub fn write_supply_checkpoint(state: &mut State, time_s: u64, value: U256) {
    let n = state.len(&SUPPLY_CHECKPOINTS) as u32;
    let last = n.checked_sub(1).map(|i| state.value(&SUPPLY_CHECKPOINTS, &i));
    let idx = if last.is_some_and(|c| c.time_s == time_s) { n - 1 } else { n };
    state.put(&SUPPLY_CHECKPOINTS, idx, Checkpoint { time_s, value });
}

/// Moves voting power between delegates (zero address: nobody) and writes checkpoints.
pub fn move_votes(ctx: &mut Ctx<'_>, src: Address, dst: Address, amount: U256) {
    if src == dst || amount.is_zero() {
        return;
    }
    let now = ctx.env.time_s;
    // The running total of delegated power changes only when power enters or leaves delegation.
    if (src == Address::ZERO) != (dst == Address::ZERO) {
        ctx.state.update(&DELEGATED, (), |d| {
            *d = if src == Address::ZERO {
                *d + amount
            } else {
                d.checked_sub(amount)
                    .expect("invariant: delegated total covers each delegate's votes")
            }
        });
    }
    if src != Address::ZERO {
        let old = current_votes(ctx.state, &src);
        let new = old
            .checked_sub(amount)
            .expect("invariant: a delegate's votes cover what its delegators hold");
        write_checkpoint(ctx.state, src, now, new);
        ctx.emit(
            ctx.addrs.dfg,
            event::DelegateVotesChanged { delegate: src, previousVotes: old, newVotes: new },
        );
    }
    if dst != Address::ZERO {
        let old = current_votes(ctx.state, &dst);
        let new = old + amount;
        write_checkpoint(ctx.state, dst, now, new);
        ctx.emit(
            ctx.addrs.dfg,
            event::DelegateVotesChanged { delegate: dst, previousVotes: old, newVotes: new },
        );
    }
}

/// `delegate(delegatee)`: moves the sender's DFG voting power.
pub fn delegate(ctx: &mut Ctx<'_>, c: &command::Delegate) -> Outcome {
    if ctx.sender == ctx.addrs.vesting_escrow {
        return Err(Rejection::Unauthorized { needs: Authority::NotTheEscrow });
    }
    let old = delegate_of(ctx.state, &ctx.sender);
    if old == c.delegatee {
        return Err(Rejection::AlreadyDelegated { delegate: old });
    }
    if c.delegatee == Address::ZERO {
        ctx.state.delete(&DELEGATES, &ctx.sender);
    } else {
        ctx.state.put(&DELEGATES, ctx.sender, c.delegatee);
    }
    let dfg = ctx.addrs.dfg;
    let balance = token::balance(ctx.state, &dfg, &ctx.sender);
    ctx.emit(
        dfg,
        event::DelegateChanged {
            delegator: ctx.sender,
            fromDelegate: old,
            toDelegate: c.delegatee,
        },
    );
    move_votes(ctx, old, c.delegatee, balance);
    Ok(())
}

/// The votes facet.
pub struct Definition;

/// Version 1.
const IMPLEMENTATIONS: &[super::Implementation] =
    &[super::Implementation::v1("votes", VIEWS, execute)];

/// The views of version 1.
const VIEWS: &[&str] = &[
    "getVotes(address)",
    "getPastVotes(address,uint256)",
    "getPastTotalSupply(uint256)",
    "delegates(address)",
];

impl super::Facet for Definition {
    super::facet_conventions!("votes");
    fn implementations(&self) -> &'static [super::Implementation] {
        IMPLEMENTATIONS
    }
}

/// Version 1's handler of each command.
fn execute(ctx: &mut Ctx<'_>, command: &crate::command::Command) -> Outcome {
    use crate::command::Command;
    match command {
        Command::Delegate(c) => delegate(ctx, c),
        other => super::no_commands(ctx, other),
    }
}
