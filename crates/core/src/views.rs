//! Read-only queries (the diamond's view functions), used by the API and tests. Each reads a
//! facet through its public functions.

use alloy_primitives::{Address, B256, U256};

use crate::{
    engine::Engine,
    facets::{
        access, diamond, ledger, pause, pools,
        token::{self, TokenId},
        vesting::{self, Vesting},
        votes,
    },
};

/// Why a past-time query is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "time {requested} is not in the past (latest block time {now}); past queries need a finished second"
)]
pub struct FutureLookup {
    /// Requested time.
    pub requested: u64,
    /// Latest block time.
    pub now: u64,
}

/// What an account holds in the protocol's own tokens, its nonce and its delegate.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Account {
    /// Next nonce to use.
    pub nonce: u64,
    /// ICY balance, base units.
    pub icy: U256,
    /// DFG balance, base units.
    pub dfg: U256,
    /// DFG delegate (zero: not delegated).
    pub delegate: Address,
}

impl Engine {
    /// The token at an address.
    pub fn token_id(&self, token: &Address) -> Option<TokenId> {
        let a = self.addresses();
        if *token == a.icy {
            Some(TokenId::Icy)
        } else if *token == a.dfg {
            Some(TokenId::Dfg)
        } else {
            None
        }
    }
    /// An account's nonce, balances and delegate.
    pub fn account(&self, a: &Address) -> Account {
        let s = self.state();
        Account {
            nonce: ledger::nonce(s, a),
            icy: self.balance_of(TokenId::Icy, a),
            dfg: self.balance_of(TokenId::Dfg, a),
            delegate: votes::delegate_of(s, a),
        }
    }
    /// An account's next nonce.
    pub fn nonce(&self, a: &Address) -> u64 {
        ledger::nonce(self.state(), a)
    }
    /// `balanceOf`.
    pub fn balance_of(&self, token: TokenId, account: &Address) -> U256 {
        token::balance(self.state(), &token.address(self.addresses()), account)
    }
    /// `allowance`.
    pub fn allowance(&self, token: TokenId, owner: &Address, spender: &Address) -> U256 {
        token::allowance(self.state(), &token.address(self.addresses()), owner, spender)
    }
    /// Every holder of a token with a non-zero balance (unordered).
    pub fn holders(&self, token: TokenId) -> impl Iterator<Item = (Address, U256)> + '_ {
        self.asset_holders(token.address(self.addresses()))
    }
    /// `totalSupply`.
    pub fn total_supply(&self, token: TokenId) -> U256 {
        token::supply(self.state(), &token.address(self.addresses())).total
    }
    /// Every registered asset (ICY and DFG included) with its supply, by address.
    pub fn assets(&self) -> Vec<(Address, token::Asset, token::state::Supply)> {
        token::assets(self.state())
            .map(|(a, asset)| (*a, asset.clone(), token::supply(self.state(), a)))
            .collect()
    }
    /// A registered asset.
    pub fn asset(&self, token: &Address) -> Option<token::Asset> {
        token::asset(self.state(), token).cloned()
    }
    /// A holder's balance of any asset.
    pub fn asset_balance(&self, token: &Address, holder: &Address) -> U256 {
        token::balance(self.state(), token, holder)
    }
    /// Every holder of an asset with a non-zero balance (unordered).
    pub fn asset_holders(&self, token: Address) -> impl Iterator<Item = (Address, U256)> + '_ {
        self.state()
            .iter(&token::state::BALANCES)
            .filter(move |((tok, _), _)| *tok == token)
            .map(|((_, holder), b)| (*holder, *b))
    }
    /// ICY circulating supply.
    pub fn circulating_supply(&self) -> U256 {
        token::circulating_supply(self.state(), &self.addresses().icy)
    }
    /// ICY burned.
    pub fn total_burned(&self) -> U256 {
        token::supply(self.state(), &self.addresses().icy).burned
    }
    /// ICY's parameters.
    pub fn icy_params(&self) -> token::state::IcyParams {
        self.state().cell(&token::state::ICY_PARAMS)
    }
    /// Current excluded set and its version.
    pub fn excluded_accounts(&self) -> (u32, Vec<Address>) {
        token::excluded(self.state())
    }
    /// Minters (holders of the MINTER role) and their remaining allowances, in address order.
    pub fn minters(&self) -> Vec<(Address, U256)> {
        token::minters(self.state())
    }
    /// A version of the excluded set.
    pub fn excluded_set(&self, version: u32) -> Option<Vec<Address>> {
        self.state().get(&token::state::EXCLUDED, &version).cloned()
    }
    /// A minter's remaining allowance (`None`: no allowance set).
    pub fn minter_allowance(&self, a: &Address) -> Option<U256> {
        token::minter_allowance(self.state(), a)
    }
    /// Whether an account may mint: it holds the MINTER role (its allowance bounds how much).
    pub fn is_minter(&self, a: &Address) -> bool {
        token::is_minter(self.state(), a)
    }
    /// What may still be minted this protocol year at time `now`.
    pub fn inflation_room(&self, now: u64) -> U256 {
        token::inflation_room(self.state(), &self.addresses().icy, now)
    }
    /// Block time of genesis.
    pub fn genesis_time(&self) -> u64 {
        ledger::genesis_time(self.state())
    }
    /// `getVotes`.
    pub fn votes(&self, account: &Address) -> U256 {
        votes::current_votes(self.state(), account)
    }
    /// Number of voting checkpoints of a delegate.
    pub fn vote_checkpoint_count(&self, account: &Address) -> u32 {
        votes::checkpoint_count(self.state(), account)
    }
    /// `delegates`.
    pub fn delegate_of(&self, account: &Address) -> Address {
        votes::delegate_of(self.state(), account)
    }
    /// `getPastVotes(account, t)`: voting power at the end of second `t`; `t` must be before
    /// `now` (the latest block time) so the answer can never change.
    pub fn past_votes(&self, account: &Address, t: u64, now: u64) -> Result<U256, FutureLookup> {
        if t >= now {
            return Err(FutureLookup { requested: t, now });
        }
        Ok(votes::votes_at(self.state(), account, t))
    }
    /// `getPastTotalSupply(t)`.
    pub fn past_total_supply(&self, t: u64, now: u64) -> Result<U256, FutureLookup> {
        if t >= now {
            return Err(FutureLookup { requested: t, now });
        }
        Ok(votes::supply_at(self.state(), t))
    }
    /// Total DFG voting power delegated (sum of every delegate's votes), kept as a running total.
    pub fn total_delegated(&self) -> U256 {
        votes::total_delegated(self.state())
    }
    /// Vesting schedules of a beneficiary with what is releasable at `now`.
    pub fn vesting_of(&self, beneficiary: &Address, now: u64) -> Vec<(u64, Vesting, U256, U256)> {
        vesting::schedules_of(self.state(), beneficiary)
            .map(|(id, v)| {
                (id, v.clone(), vesting::vested_at(v, now), vesting::releasable_at(v, now))
            })
            .collect()
    }
    /// The governance account (a module account: no key signs for it).
    pub fn governance(&self) -> Address {
        crate::facets::governance::account()
    }
    /// The governance steward (zero once the stewardship ended).
    pub fn governance_steward(&self) -> Address {
        crate::facets::governance::steward(self.state())
    }
    /// Whether an account holds a role.
    pub fn has_role(&self, role: &B256, account: &Address) -> bool {
        access::has_role(self.state(), role, account)
    }
    /// A pending role grant.
    pub fn pending_grant(&self, role: &B256, account: &Address) -> Option<access::PendingGrant> {
        access::pending_grant(self.state(), role, account)
    }
    /// Until when the protocol is paused (0: never; a past time: no longer).
    pub fn paused_until(&self) -> u64 {
        pause::paused_until(self.state())
    }
    /// Pending diamond cuts by id.
    pub fn pending_cuts(&self) -> Vec<(u64, diamond::PendingCut)> {
        diamond::pending_cuts(self.state()).map(|(id, c)| (id, c.clone())).collect()
    }
    /// The selector registry.
    pub fn selectors(&self) -> std::collections::BTreeMap<[u8; 4], Address> {
        diamond::selectors(self.state())
    }
    /// Loupe `facets()`.
    pub fn facets(&self) -> Vec<(Address, Vec<[u8; 4]>)> {
        diamond::loupe_facets(&diamond::selectors(self.state()))
    }
    /// `observe(pool, secondsAgos)` at `now` (the latest block time, as the contract's
    /// `uint32(block.timestamp)`): tick and seconds-per-liquidity cumulatives, exactly Uniswap
    /// V3's, or the contract's `OLD` as [`pools::ObserveError::TooOld`].
    pub fn pool_observe(
        &self,
        pool: u32,
        seconds_agos: &[u32],
        now: u64,
    ) -> Result<pools::Observed, pools::ObserveError> {
        pools::observe(self.state(), pool, now as u32, seconds_agos)
    }
    /// Loupe `facetAddress(selector)`.
    pub fn facet_address(&self, sel: &[u8; 4]) -> Option<Address> {
        diamond::facet_of(self.state(), sel)
    }
}
