//! ICY and DFG: ERC-20 semantics for both; ICY's minters, cap, yearly inflation limit, burns with
//! reason, transfer burn and circulating supply (SPEC 3.1); DFG's fixed supply and ERC20Votes
//! delegation with checkpoints (SPEC 3.2).

use alloy_primitives::{Address, U256};
use hoard_primitives::{Bps, Rounding, YEAR_S};

use super::Ctx;
use crate::{
    command, event,
    rejection::{Outcome, Rejection},
    roles,
    state::{State, TokenId},
};

/// Longest burn reason, bytes.
pub const BURN_REASON_BYTES_MAX: usize = 256;
/// Most accounts in one excluded-accounts set.
pub const EXCLUDED_ACCOUNTS_MAX: usize = 64;
/// Inflation limit bounds (SPEC 3.1: governance range 2-5%).
pub const INFLATION_BPS_MIN: u16 = 200;
/// Upper bound of the inflation limit.
pub const INFLATION_BPS_MAX: u16 = 500;
/// Transfer burn bound (SPEC 3.1: max 100 bps).
pub const TRANSFER_BURN_BPS_MAX: u16 = 100;

fn token_id(ctx: &Ctx<'_>, token: Address) -> Result<TokenId, Rejection> {
    if token == ctx.addrs.icy {
        Ok(TokenId::Icy)
    } else if token == ctx.addrs.dfg {
        Ok(TokenId::Dfg)
    } else {
        Err(Rejection::InvalidParameter(format!("{token} is not a Hoard token")))
    }
}

fn token_address(ctx: &Ctx<'_>, token: TokenId) -> Address {
    match token {
        TokenId::Icy => ctx.addrs.icy,
        TokenId::Dfg => ctx.addrs.dfg,
    }
}

/// Whether an account is in the current excluded (protocol-owned) set.
pub fn is_excluded(state: &State, a: &Address) -> bool {
    let v = state.globals().icy_excluded_version;
    state.excluded_sets().get(&v).is_some_and(|set| set.contains(a))
}

/// ICY circulating supply: total supply minus the balances of the current excluded set.
/// Burns are already out of `totalSupply` and are not subtracted again (SPEC 3.1).
pub fn circulating_supply(state: &State) -> U256 {
    let g = state.globals();
    let excluded: U256 = state
        .excluded_sets()
        .get(&g.icy_excluded_version)
        .map(|set| set.iter().map(|a| state.balance(TokenId::Icy, a)).sum())
        .unwrap_or_default();
    g.icy_supply.saturating_sub(excluded)
}

/// Moves `amount` of `token` from `from` to `to`, with ICY's transfer burn and DFG's votes.
pub fn move_tokens(
    ctx: &mut Ctx<'_>,
    token: TokenId,
    from: Address,
    to: Address,
    amount: U256,
) -> Outcome {
    if to == Address::ZERO {
        return Err(Rejection::InvalidParameter("cannot transfer to the zero address".into()));
    }
    let mut f = ctx.state.account(&from);
    let available = f.balance(token);
    if available < amount {
        return Err(Rejection::InsufficientBalance { available, needed: amount });
    }
    let burn_bps = ctx.state.globals().icy_transfer_burn_bps;
    let burn = if token == TokenId::Icy
        && burn_bps > 0
        && !is_excluded(ctx.state, &from)
        && !is_excluded(ctx.state, &to)
    {
        // A fee-like deduction: rounded up, in the protocol's favour.
        Bps::new_unbounded(burn_bps)
            .of(amount, Rounding::Up)
            .expect("invariant: bps of a balance fits")
    } else {
        U256::ZERO
    };
    *f.balance_mut(token) -= amount;
    ctx.state.put_account(from, f);
    let received = amount - burn;
    let mut t = ctx.state.account(&to);
    *t.balance_mut(token) += received;
    ctx.state.put_account(to, t);
    let addr = token_address(ctx, token);
    ctx.emit(addr, event::Transfer { from, to, value: received });
    if !burn.is_zero() {
        let mut g = ctx.state.globals().clone();
        g.icy_supply -= burn;
        g.icy_burned += burn;
        ctx.state.put_globals(g);
        ctx.emit(addr, event::Transfer { from, to: Address::ZERO, value: burn });
        ctx.emit(addr, event::Burned { from, amount: burn, reason: "transfer burn".into() });
    }
    if token == TokenId::Dfg {
        let (src, dst) = (ctx.state.account(&from).delegate, ctx.state.account(&to).delegate);
        move_votes(ctx, src, dst, amount);
    }
    Ok(())
}

/// Moves voting power between delegates (zero address: nobody) and writes checkpoints.
pub fn move_votes(ctx: &mut Ctx<'_>, src: Address, dst: Address, amount: U256) {
    if src == dst || amount.is_zero() {
        return;
    }
    let now = ctx.env.time_s;
    // The running total of delegated power changes only when power enters or leaves delegation.
    if (src == Address::ZERO) != (dst == Address::ZERO) {
        let mut g = ctx.state.globals().clone();
        g.dfg_delegated = if src == Address::ZERO {
            g.dfg_delegated + amount
        } else {
            g.dfg_delegated
                .checked_sub(amount)
                .expect("invariant: delegated total covers each delegate's votes")
        };
        ctx.state.put_globals(g);
    }
    if src != Address::ZERO {
        let old = current_votes(ctx.state, &src);
        let new = old
            .checked_sub(amount)
            .expect("invariant: a delegate's votes cover what its delegators hold");
        ctx.state.write_vote_checkpoint(src, now, new);
        ctx.emit(
            ctx.addrs.dfg,
            event::DelegateVotesChanged { delegate: src, previousVotes: old, newVotes: new },
        );
    }
    if dst != Address::ZERO {
        let old = current_votes(ctx.state, &dst);
        let new = old + amount;
        ctx.state.write_vote_checkpoint(dst, now, new);
        ctx.emit(
            ctx.addrs.dfg,
            event::DelegateVotesChanged { delegate: dst, previousVotes: old, newVotes: new },
        );
    }
}

/// A delegate's current voting power.
pub fn current_votes(state: &State, a: &Address) -> U256 {
    state.vote_checkpoints(a).last().map_or(U256::ZERO, |c| c.value)
}

/// Value of a checkpoint list at time `t` (inclusive): the last checkpoint with `time_s <= t`.
pub fn value_at(cps: &[crate::state::Checkpoint], t: u64) -> U256 {
    let idx = cps.partition_point(|c| c.time_s <= t);
    if idx == 0 { U256::ZERO } else { cps[idx - 1].value }
}

/// `transfer(token, to, amount)`.
pub fn transfer(ctx: &mut Ctx<'_>, c: &command::Transfer) -> Outcome {
    let token = token_id(ctx, c.token)?;
    move_tokens(ctx, token, ctx.sender, c.to, c.amount)
}

/// `approve(token, spender, amount)`.
pub fn approve(ctx: &mut Ctx<'_>, c: &command::Approve) -> Outcome {
    let token = token_id(ctx, c.token)?;
    if c.spender == Address::ZERO {
        return Err(Rejection::InvalidParameter("cannot approve the zero address".into()));
    }
    ctx.state.put_allowance(token, ctx.sender, c.spender, c.amount);
    let addr = token_address(ctx, token);
    ctx.emit(addr, event::Approval { owner: ctx.sender, spender: c.spender, value: c.amount });
    Ok(())
}

/// `transferFrom(token, from, to, amount)`; an allowance of `U256::MAX` is never decreased.
pub fn transfer_from(ctx: &mut Ctx<'_>, c: &command::TransferFrom) -> Outcome {
    let token = token_id(ctx, c.token)?;
    let allowance = ctx.state.allowance(token, &c.from, &ctx.sender);
    if allowance < c.amount {
        return Err(Rejection::InsufficientAllowance { available: allowance, needed: c.amount });
    }
    if allowance != U256::MAX {
        ctx.state.put_allowance(token, c.from, ctx.sender, allowance - c.amount);
    }
    move_tokens(ctx, token, c.from, c.to, c.amount)
}

/// `burn(amount, reason)`: ICY only.
pub fn burn(ctx: &mut Ctx<'_>, c: &command::Burn) -> Outcome {
    if c.reason.len() > BURN_REASON_BYTES_MAX {
        return Err(Rejection::InvalidParameter(format!(
            "burn reason is {} bytes, at most {BURN_REASON_BYTES_MAX}",
            c.reason.len()
        )));
    }
    if c.amount.is_zero() {
        return Err(Rejection::InvalidParameter("burn amount must be positive".into()));
    }
    let mut acc = ctx.state.account(&ctx.sender);
    if acc.icy < c.amount {
        return Err(Rejection::InsufficientBalance { available: acc.icy, needed: c.amount });
    }
    acc.icy -= c.amount;
    ctx.state.put_account(ctx.sender, acc);
    let mut g = ctx.state.globals().clone();
    g.icy_supply -= c.amount;
    g.icy_burned += c.amount;
    ctx.state.put_globals(g);
    let icy = ctx.addrs.icy;
    ctx.emit(icy, event::Transfer { from: ctx.sender, to: Address::ZERO, value: c.amount });
    ctx.emit(icy, event::Burned { from: ctx.sender, amount: c.amount, reason: c.reason.clone() });
    Ok(())
}

/// What may still be minted in the protocol year of `now`: `(limit_left, rolled_globals)`.
pub fn inflation_room(state: &State, now: u64) -> (U256, crate::state::Globals) {
    let mut g = state.globals().clone();
    let year = now.saturating_sub(g.genesis_time) / YEAR_S;
    if year != g.icy_year_index {
        g.icy_year_index = year;
        g.icy_year_start_supply = g.icy_supply;
        g.icy_minted_in_year = U256::ZERO;
    }
    let limit = Bps::new_unbounded(g.icy_inflation_bps)
        .of(g.icy_year_start_supply, Rounding::Down)
        .expect("invariant: bps of the supply fits");
    (limit.saturating_sub(g.icy_minted_in_year), g)
}

/// `mint(to, amount)`: registered minters only.
pub fn mint(ctx: &mut Ctx<'_>, c: &command::Mint) -> Outcome {
    let Some(remaining) = ctx.state.minters().get(&ctx.sender).copied() else {
        return Err(Rejection::Unauthorized("only a registered minter can mint ICY"));
    };
    if c.to == Address::ZERO || c.amount.is_zero() {
        return Err(Rejection::InvalidParameter(
            "mint needs a recipient and a positive amount".into(),
        ));
    }
    if c.amount > remaining {
        return Err(Rejection::MinterAllowanceExceeded { amount: c.amount, remaining });
    }
    let (room, mut g) = inflation_room(ctx.state, ctx.env.time_s);
    let cap = g.icy_max_supply;
    if g.icy_supply.checked_add(c.amount).is_none_or(|s| s > cap) {
        return Err(Rejection::CapExceeded { amount: c.amount, cap });
    }
    if c.amount > room {
        return Err(Rejection::InflationExceeded { amount: c.amount, remaining: room });
    }
    g.icy_supply += c.amount;
    g.icy_minted_in_year += c.amount;
    ctx.state.put_globals(g);
    ctx.state.put(
        crate::state::StateKey::Minter(ctx.sender),
        Some(crate::state::StateValue::Amount(remaining - c.amount)),
    );
    let mut acc = ctx.state.account(&c.to);
    acc.icy += c.amount;
    ctx.state.put_account(c.to, acc);
    let icy = ctx.addrs.icy;
    ctx.emit(icy, event::Transfer { from: Address::ZERO, to: c.to, value: c.amount });
    Ok(())
}

/// `setMinter(minter, allowance)`: ADMIN or governance; allowance 0 removes the minter.
pub fn set_minter(ctx: &mut Ctx<'_>, c: &command::SetMinter) -> Outcome {
    if !ctx.is_governance() && !ctx.state.has_role(&roles::ADMIN.id(), &ctx.sender) {
        return Err(Rejection::Unauthorized("setMinter needs ADMIN or governance"));
    }
    if c.minter == Address::ZERO {
        return Err(Rejection::InvalidParameter("minter cannot be the zero address".into()));
    }
    let value = (!c.allowance.is_zero()).then_some(crate::state::StateValue::Amount(c.allowance));
    ctx.state.put(crate::state::StateKey::Minter(c.minter), value);
    ctx.emit(ctx.addrs.icy, event::MinterSet { minter: c.minter, allowance: c.allowance });
    Ok(())
}

/// `setIcyParams(inflationBps, transferBurnBps)`: governance only, within SPEC bounds.
pub fn set_icy_params(ctx: &mut Ctx<'_>, c: &command::SetIcyParams) -> Outcome {
    if !ctx.is_governance() {
        return Err(Rejection::Unauthorized("ICY parameters are set by governance"));
    }
    if !(INFLATION_BPS_MIN..=INFLATION_BPS_MAX).contains(&c.inflationBps) {
        return Err(Rejection::InvalidParameter(format!(
            "inflation must be {INFLATION_BPS_MIN}-{INFLATION_BPS_MAX} bps, got {}",
            c.inflationBps
        )));
    }
    if c.transferBurnBps > TRANSFER_BURN_BPS_MAX {
        return Err(Rejection::InvalidParameter(format!(
            "transfer burn must be at most {TRANSFER_BURN_BPS_MAX} bps, got {}",
            c.transferBurnBps
        )));
    }
    let mut g = ctx.state.globals().clone();
    g.icy_inflation_bps = c.inflationBps;
    g.icy_transfer_burn_bps = c.transferBurnBps;
    ctx.state.put_globals(g);
    ctx.emit(
        ctx.addrs.icy,
        event::IcyParamsSet { inflationBps: c.inflationBps, transferBurnBps: c.transferBurnBps },
    );
    Ok(())
}

/// `setExcludedAccounts(accounts)`: governance only; creates a new version of the set.
pub fn set_excluded_accounts(ctx: &mut Ctx<'_>, c: &command::SetExcludedAccounts) -> Outcome {
    if !ctx.is_governance() {
        return Err(Rejection::Unauthorized("the excluded-accounts set is set by governance"));
    }
    let list = validate_excluded(&c.accounts)?;
    let mut g = ctx.state.globals().clone();
    g.icy_excluded_version += 1;
    let version = g.icy_excluded_version;
    ctx.state.put_globals(g);
    ctx.state.put(
        crate::state::StateKey::Excluded(version),
        Some(crate::state::StateValue::Addresses(list.clone())),
    );
    ctx.emit(ctx.addrs.icy, event::ExcludedAccountsSet { version, accounts: list });
    Ok(())
}

/// Checks an excluded set: bounded, no duplicates, no zero address.
pub fn validate_excluded(accounts: &[Address]) -> Result<Vec<Address>, Rejection> {
    if accounts.len() > EXCLUDED_ACCOUNTS_MAX {
        return Err(Rejection::InvalidParameter(format!(
            "at most {EXCLUDED_ACCOUNTS_MAX} excluded accounts"
        )));
    }
    let mut sorted = accounts.to_vec();
    sorted.sort();
    sorted.dedup();
    if sorted.len() != accounts.len() || sorted.contains(&Address::ZERO) {
        return Err(Rejection::InvalidParameter(
            "excluded accounts must be distinct and non-zero".into(),
        ));
    }
    Ok(accounts.to_vec())
}

/// `delegate(delegatee)`: moves the sender's DFG voting power.
pub fn delegate(ctx: &mut Ctx<'_>, c: &command::Delegate) -> Outcome {
    if ctx.sender == ctx.addrs.vesting_escrow {
        return Err(Rejection::Unauthorized("the vesting escrow never delegates"));
    }
    let mut acc = ctx.state.account(&ctx.sender);
    let old = acc.delegate;
    if old == c.delegatee {
        return Err(Rejection::WrongState("already delegated to this address".into()));
    }
    acc.delegate = c.delegatee;
    let balance = acc.dfg;
    ctx.state.put_account(ctx.sender, acc);
    let dfg = ctx.addrs.dfg;
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
