//! ICY and DFG: ERC-20 semantics for both; ICY's minters, cap, yearly inflation limit, burns with
//! reason, transfer burn and circulating supply (SPEC 3.1); DFG's fixed supply and ERC20Votes
//! delegation with checkpoints (SPEC 3.2).

use alloy_primitives::{Address, U256};
use hoard_primitives::{Bps, Rounding, YEAR_S};

pub mod commands;
pub mod events;
pub mod state;

use self::state::{
    ALLOWANCES, ASSETS, BALANCES, DRIPS, EXCLUDED, EXCLUDED_VERSION, FAUCETS, ICY_PARAMS, ICY_YEAR,
    IcyYear, MINTERS, SUPPLY, Supply,
};
pub use self::state::{Asset, Faucet};

/// Most decimals of an asset.
pub const ASSET_DECIMALS_MAX: u8 = 36;
use super::{Addresses, Ctx, ledger, votes};
use crate::{
    command, event,
    rejection::{Authority, Outcome, Rejection},
    roles,
    state::State,
};

/// One of the protocol's own tokens, for the views that name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum TokenId {
    /// The utility token.
    Icy,
    /// The governance token.
    Dfg,
}

impl TokenId {
    /// Its address on a chain.
    pub fn address(self, addrs: &Addresses) -> Address {
        match self {
            TokenId::Icy => addrs.icy,
            TokenId::Dfg => addrs.dfg,
        }
    }
    /// Its symbol.
    pub fn symbol(self) -> &'static str {
        match self {
            TokenId::Icy => "ICY",
            TokenId::Dfg => "DFG",
        }
    }
}

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

fn known_token(ctx: &Ctx<'_>, token: Address) -> Result<Address, Rejection> {
    if ctx.state.contains(&ASSETS, &token) {
        Ok(token)
    } else {
        Err(Rejection::UnknownToken { token })
    }
}

/// The address of the asset with this symbol: `keccak256("hoard.asset.<SYMBOL>")[12..]`
/// (ICY and DFG have their own, `Addresses`).
pub fn asset_address(symbol: &str) -> Address {
    super::derived_address(&format!("hoard.asset.{symbol}"))
}

/// Checks an asset symbol: 1 to 11 upper-case ASCII letters or digits.
pub fn valid_symbol(symbol: &str) -> bool {
    (1..=state::SYMBOL_BYTES_MAX).contains(&symbol.len())
        && symbol.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// A registered asset.
pub fn asset<'a>(state: &'a State, token: &Address) -> Option<&'a Asset> {
    state.get(&ASSETS, token)
}

/// Every registered asset, by address.
pub fn assets(state: &State) -> impl Iterator<Item = (&Address, &Asset)> {
    state.iter(&ASSETS)
}

/// Registers an asset (genesis and `registerAsset`).
pub fn register(state: &mut State, token: Address, asset: Asset) {
    state.put(&ASSETS, token, asset);
}

/// `registerAsset(symbol, decimals)`: governance registers a bridged asset at its derived
/// address; a symbol is registered once.
pub fn register_asset(ctx: &mut Ctx<'_>, c: &command::RegisterAsset) -> Outcome {
    if !ctx.is_governance() {
        return Err(Rejection::Unauthorized { needs: Authority::Governance });
    }
    if !valid_symbol(&c.symbol) || c.decimals > ASSET_DECIMALS_MAX {
        return Err(Rejection::BadAsset {
            decimals: c.decimals.into(),
            max: ASSET_DECIMALS_MAX.into(),
        });
    }
    let token = asset_address(&c.symbol);
    if ctx.state.contains(&ASSETS, &token) {
        return Err(Rejection::AssetRegistered { token });
    }
    register(ctx.state, token, Asset { symbol: c.symbol.clone(), decimals: c.decimals });
    ctx.emit(
        ctx.addrs.diamond,
        event::AssetRegistered { asset: token, symbol: c.symbol.clone(), decimals: c.decimals },
    );
    Ok(())
}

/// `drip(asset)`: a devnet faucet mints its amount to the sender, once per interval.
pub fn drip(ctx: &mut Ctx<'_>, c: &command::Drip) -> Outcome {
    let token = known_token(ctx, c.asset)?;
    let Some(f) = ctx.state.get(&FAUCETS, &token).copied() else {
        return Err(Rejection::NoFaucet { token });
    };
    let now = ctx.env.time_s;
    if let Some(last) = ctx.state.get(&DRIPS, &(token, ctx.sender)).copied() {
        let from = last.saturating_add(f.interval_s);
        if now < from {
            return Err(Rejection::FaucetCoolingDown { from });
        }
    }
    ctx.state.put(&DRIPS, (token, ctx.sender), now);
    ctx.state.update(&SUPPLY, token, |s| s.total += f.amount);
    add_balance(ctx, token, ctx.sender, f.amount);
    ctx.emit(token, event::Transfer { from: Address::ZERO, to: ctx.sender, value: f.amount });
    Ok(())
}

/// A holder's balance of a token.
pub fn balance(state: &State, token: &Address, holder: &Address) -> U256 {
    state.value(&BALANCES, &(*token, *holder))
}

/// An allowance.
pub fn allowance(state: &State, token: &Address, owner: &Address, spender: &Address) -> U256 {
    state.value(&ALLOWANCES, &(*token, *owner, *spender))
}

/// A token's supply.
pub fn supply(state: &State, token: &Address) -> Supply {
    state.value(&SUPPLY, token)
}

/// A minter's remaining allowance (`None`: none set, or used up).
pub fn minter_allowance(state: &State, minter: &Address) -> Option<U256> {
    state.get(&MINTERS, minter).copied()
}

/// Whether an account may mint: minting power is the MINTER role, granted in two steps (delay,
/// acceptance window) and stopped by `revokeAll(MINTER)`; the allowance only bounds it.
pub fn is_minter(state: &State, a: &Address) -> bool {
    super::access::has_role(state, &roles::MINTER.id(), a)
}

/// Every minter with its remaining allowance, in address order.
pub fn minters(state: &State) -> Vec<(Address, U256)> {
    super::access::members(state, &roles::MINTER.id())
        .into_iter()
        .map(|a| (a, minter_allowance(state, &a).unwrap_or_default()))
        .collect()
}

/// The current excluded set and its version.
pub fn excluded(state: &State) -> (u32, Vec<Address>) {
    let v = state.cell(&EXCLUDED_VERSION);
    (v, state.value(&EXCLUDED, &v))
}

/// Whether an account is in the current excluded (protocol-owned) set.
pub fn is_excluded(state: &State, a: &Address) -> bool {
    let v = state.cell(&EXCLUDED_VERSION);
    state.get(&EXCLUDED, &v).is_some_and(|set| set.contains(a))
}

/// ICY circulating supply: total supply minus the balances of the current excluded set.
/// Burns are already out of `totalSupply` and are not subtracted again (SPEC 3.1).
pub fn circulating_supply(state: &State, icy: &Address) -> U256 {
    let (_, set) = excluded(state);
    let excluded: U256 = set.iter().map(|a| balance(state, icy, a)).sum();
    supply(state, icy).total.saturating_sub(excluded)
}

fn add_balance(ctx: &mut Ctx<'_>, token: Address, holder: Address, amount: U256) {
    ctx.state.update(&BALANCES, (token, holder), |b| *b += amount);
}

/// Burns `amount` of ICY already taken from a balance: out of the supply, into the burned
/// total. The protocol year rolls first, so the year's room is taken from the supply at the
/// year's start.
fn burn_supply(ctx: &mut Ctx<'_>, amount: U256) {
    roll_icy_year(ctx);
    let icy = ctx.addrs.icy;
    ctx.state.update(&SUPPLY, icy, |s| {
        s.total -= amount;
        s.burned += amount;
    });
}

/// Moves `amount` of `token` from `from` to `to`, with ICY's transfer burn and DFG's votes.
pub fn move_tokens(
    ctx: &mut Ctx<'_>,
    token: Address,
    from: Address,
    to: Address,
    amount: U256,
) -> Outcome {
    if to == Address::ZERO {
        return Err(Rejection::ToZeroAddress);
    }
    ctx.check_may_debit(&from)?;
    let available = balance(ctx.state, &token, &from);
    if available < amount {
        return Err(Rejection::InsufficientBalance { available, needed: amount });
    }
    let is_icy = token == ctx.addrs.icy;
    let burn_bps = if is_icy { ctx.state.cell(&ICY_PARAMS).transfer_burn_bps } else { 0 };
    // The transfer burn falls on users' transfers, not on the protocol's own movements (to or
    // from a module account: pool reserves, escrows), which must arrive whole.
    let protocol = |a: &Address| super::modules::Module::of(a).is_some();
    let burn = if burn_bps > 0
        && !is_excluded(ctx.state, &from)
        && !is_excluded(ctx.state, &to)
        && !protocol(&from)
        && !protocol(&to)
    {
        // A fee-like deduction: rounded up, in the protocol's favour.
        Bps::new_unbounded(burn_bps)
            .of(amount, Rounding::Up)
            .expect("invariant: bps of a balance fits")
    } else {
        U256::ZERO
    };
    ctx.state.put(&BALANCES, (token, from), available - amount);
    let received = amount - burn;
    add_balance(ctx, token, to, received);
    ctx.emit(token, event::Transfer { from, to, value: received });
    if !burn.is_zero() {
        burn_supply(ctx, burn);
        ctx.emit(token, event::Transfer { from, to: Address::ZERO, value: burn });
        ctx.emit(token, event::Burned { from, amount: burn, reason: "transfer burn".into() });
    }
    if token == ctx.addrs.dfg {
        let (src, dst) = (votes::delegate_of(ctx.state, &from), votes::delegate_of(ctx.state, &to));
        votes::move_votes(ctx, src, dst, amount);
    }
    Ok(())
}

/// `transfer(token, to, amount)`.
pub fn transfer(ctx: &mut Ctx<'_>, c: &command::Transfer) -> Outcome {
    let token = known_token(ctx, c.token)?;
    move_tokens(ctx, token, ctx.sender, c.to, c.amount)
}

/// `approve(token, spender, amount)`.
pub fn approve(ctx: &mut Ctx<'_>, c: &command::Approve) -> Outcome {
    let token = known_token(ctx, c.token)?;
    if c.spender == Address::ZERO {
        return Err(Rejection::ApproveZeroAddress);
    }
    ctx.state.put(&ALLOWANCES, (token, ctx.sender, c.spender), c.amount);
    ctx.emit(token, event::Approval { owner: ctx.sender, spender: c.spender, value: c.amount });
    Ok(())
}

/// `transferFrom(token, from, to, amount)`; an allowance of `U256::MAX` is never decreased.
pub fn transfer_from(ctx: &mut Ctx<'_>, c: &command::TransferFrom) -> Outcome {
    let token = known_token(ctx, c.token)?;
    let allowance = allowance(ctx.state, &token, &c.from, &ctx.sender);
    if allowance < c.amount {
        return Err(Rejection::InsufficientAllowance { available: allowance, needed: c.amount });
    }
    if allowance != U256::MAX {
        ctx.state.put(&ALLOWANCES, (token, c.from, ctx.sender), allowance - c.amount);
    }
    move_tokens(ctx, token, c.from, c.to, c.amount)
}

/// `burn(amount, reason)`: ICY only.
pub fn burn(ctx: &mut Ctx<'_>, c: &command::Burn) -> Outcome {
    if c.reason.len() > BURN_REASON_BYTES_MAX {
        return Err(Rejection::BurnReasonTooLong {
            bytes: c.reason.len() as u64,
            max: BURN_REASON_BYTES_MAX as u64,
        });
    }
    if c.amount.is_zero() {
        return Err(Rejection::ZeroAmount);
    }
    let icy = ctx.addrs.icy;
    ctx.check_may_debit(&ctx.sender)?;
    let held = balance(ctx.state, &icy, &ctx.sender);
    if held < c.amount {
        return Err(Rejection::InsufficientBalance { available: held, needed: c.amount });
    }
    ctx.state.put(&BALANCES, (icy, ctx.sender), held - c.amount);
    burn_supply(ctx, c.amount);
    ctx.emit(icy, event::Transfer { from: ctx.sender, to: Address::ZERO, value: c.amount });
    ctx.emit(icy, event::Burned { from: ctx.sender, amount: c.amount, reason: c.reason.clone() });
    Ok(())
}

/// The ICY mint counter of the protocol year of `now`: the stored one, or a fresh one for a new
/// year starting from the current supply. Every change of the supply rolls the year first
/// ([`roll_icy_year`]), so a year's start supply is the supply at its first second.
pub fn icy_year_at(state: &State, icy: &Address, now: u64) -> IcyYear {
    let year = now.saturating_sub(ledger::genesis_time(state)) / YEAR_S;
    let stored = state.cell(&ICY_YEAR);
    if stored.index == year && stored != IcyYear::default() {
        stored
    } else {
        IcyYear { index: year, start_supply: supply(state, icy).total, minted: U256::ZERO }
    }
}

/// Records the start of a new protocol year before the supply changes.
fn roll_icy_year(ctx: &mut Ctx<'_>) {
    let icy = ctx.addrs.icy;
    let year = icy_year_at(ctx.state, &icy, ctx.env.time_s);
    if year != ctx.state.cell(&ICY_YEAR) {
        ctx.state.set_cell(&ICY_YEAR, year);
    }
}

/// What may still be minted in the protocol year of `now`.
pub fn inflation_room(state: &State, icy: &Address, now: u64) -> U256 {
    let year = icy_year_at(state, icy, now);
    let limit = Bps::new_unbounded(state.cell(&ICY_PARAMS).inflation_bps)
        .of(year.start_supply, Rounding::Down)
        .expect("invariant: bps of the supply fits");
    limit.saturating_sub(year.minted)
}

/// `mint(to, amount)`: holders of the MINTER role, within their allowance.
pub fn mint(ctx: &mut Ctx<'_>, c: &command::Mint) -> Outcome {
    if !is_minter(ctx.state, &ctx.sender) {
        return Err(Rejection::Unauthorized { needs: Authority::Minter });
    }
    let remaining = minter_allowance(ctx.state, &ctx.sender).unwrap_or_default();
    if c.to == Address::ZERO {
        return Err(Rejection::ToZeroAddress);
    }
    if c.amount.is_zero() {
        return Err(Rejection::ZeroAmount);
    }
    if c.amount > remaining {
        return Err(Rejection::MinterAllowanceExceeded { amount: c.amount, remaining });
    }
    let icy = ctx.addrs.icy;
    let cap = ctx.state.cell(&ICY_PARAMS).max_supply;
    let total = supply(ctx.state, &icy).total;
    if total.checked_add(c.amount).is_none_or(|s| s > cap) {
        return Err(Rejection::CapExceeded { amount: c.amount, cap });
    }
    let room = inflation_room(ctx.state, &icy, ctx.env.time_s);
    if c.amount > room {
        return Err(Rejection::InflationExceeded { amount: c.amount, remaining: room });
    }
    roll_icy_year(ctx);
    ctx.state.update(&ICY_YEAR, (), |y| y.minted += c.amount);
    ctx.state.update(&SUPPLY, icy, |s| s.total += c.amount);
    ctx.state.put(&MINTERS, ctx.sender, remaining - c.amount);
    add_balance(ctx, icy, c.to, c.amount);
    ctx.emit(icy, event::Transfer { from: Address::ZERO, to: c.to, value: c.amount });
    Ok(())
}

/// `setMinter(minter, allowance)`: ADMIN or governance set how much a minter may still mint
/// (0 clears it). It gives no minting power by itself: that is the MINTER role.
pub fn set_minter(ctx: &mut Ctx<'_>, c: &command::SetMinter) -> Outcome {
    if !ctx.is_governance() && !super::access::has_role(ctx.state, &roles::ADMIN.id(), &ctx.sender)
    {
        return Err(Rejection::Unauthorized { needs: Authority::AdminOrGovernance });
    }
    if c.minter == Address::ZERO {
        return Err(Rejection::MinterZeroAddress);
    }
    if c.allowance.is_zero() {
        ctx.state.delete(&MINTERS, &c.minter);
    } else {
        ctx.state.put(&MINTERS, c.minter, c.allowance);
    }
    ctx.emit(ctx.addrs.icy, event::MinterSet { minter: c.minter, allowance: c.allowance });
    Ok(())
}

/// `setIcyParams(inflationBps, transferBurnBps)`: governance only, within SPEC bounds.
pub fn set_icy_params(ctx: &mut Ctx<'_>, c: &command::SetIcyParams) -> Outcome {
    if !ctx.is_governance() {
        return Err(Rejection::Unauthorized { needs: Authority::Governance });
    }
    if !(INFLATION_BPS_MIN..=INFLATION_BPS_MAX).contains(&c.inflationBps) {
        return Err(Rejection::InflationOutOfRange {
            bps: c.inflationBps.into(),
            min: INFLATION_BPS_MIN.into(),
            max: INFLATION_BPS_MAX.into(),
        });
    }
    if c.transferBurnBps > TRANSFER_BURN_BPS_MAX {
        return Err(Rejection::TransferBurnTooHigh {
            bps: c.transferBurnBps.into(),
            max: TRANSFER_BURN_BPS_MAX.into(),
        });
    }
    ctx.state.update(&ICY_PARAMS, (), |p| {
        p.inflation_bps = c.inflationBps;
        p.transfer_burn_bps = c.transferBurnBps;
    });
    ctx.emit(
        ctx.addrs.icy,
        event::IcyParamsSet { inflationBps: c.inflationBps, transferBurnBps: c.transferBurnBps },
    );
    Ok(())
}

/// `setExcludedAccounts(accounts)`: governance only; creates a new version of the set.
pub fn set_excluded_accounts(ctx: &mut Ctx<'_>, c: &command::SetExcludedAccounts) -> Outcome {
    if !ctx.is_governance() {
        return Err(Rejection::Unauthorized { needs: Authority::Governance });
    }
    let list = validate_excluded(&c.accounts)?;
    let version = ctx.state.cell(&EXCLUDED_VERSION) + 1;
    ctx.state.set_cell(&EXCLUDED_VERSION, version);
    ctx.state.put(&EXCLUDED, version, list.clone());
    ctx.emit(ctx.addrs.icy, event::ExcludedAccountsSet { version, accounts: list });
    Ok(())
}

/// Checks an excluded set: bounded, no duplicates, no zero address.
pub fn validate_excluded(accounts: &[Address]) -> Result<Vec<Address>, Rejection> {
    if accounts.len() > EXCLUDED_ACCOUNTS_MAX {
        return Err(Rejection::TooManyExcluded {
            count: accounts.len() as u64,
            max: EXCLUDED_ACCOUNTS_MAX as u64,
        });
    }
    let mut sorted = accounts.to_vec();
    sorted.sort();
    sorted.dedup();
    if sorted.len() != accounts.len() || sorted.contains(&Address::ZERO) {
        return Err(Rejection::ExcludedNotDistinct);
    }
    Ok(accounts.to_vec())
}

/// The token facet.
pub struct Definition;

/// Version 1.
const IMPLEMENTATIONS: &[super::Implementation] =
    &[super::Implementation::v1("token", VIEWS, execute)];

/// The views of version 1.
const VIEWS: &[&str] = &[
    "balanceOf(address,address)",
    "allowance(address,address,address)",
    "totalSupply(address)",
    "circulatingSupply()",
    "totalBurned()",
    "minterAllowance(address)",
    "excludedAccounts()",
];

impl super::Facet for Definition {
    super::facet_conventions!("token");
    fn implementations(&self) -> &'static [super::Implementation] {
        IMPLEMENTATIONS
    }
}

/// Version 1's handler of each command.
fn execute(ctx: &mut Ctx<'_>, command: &crate::command::Command) -> Outcome {
    use crate::command::Command;
    match command {
        Command::Transfer(c) => transfer(ctx, c),
        Command::Approve(c) => approve(ctx, c),
        Command::TransferFrom(c) => transfer_from(ctx, c),
        Command::Burn(c) => burn(ctx, c),
        Command::Mint(c) => mint(ctx, c),
        Command::SetMinter(c) => set_minter(ctx, c),
        Command::SetIcyParams(c) => set_icy_params(ctx, c),
        Command::SetExcludedAccounts(c) => set_excluded_accounts(ctx, c),
        Command::RegisterAsset(c) => register_asset(ctx, c),
        Command::Drip(c) => drip(ctx, c),
        other => super::no_commands(ctx, other),
    }
}
