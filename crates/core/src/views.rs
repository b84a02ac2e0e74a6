//! Read-only queries (the diamond's view functions), used by the API and tests.

use alloy_primitives::{Address, U256};

use crate::{
    engine::Engine,
    facets::{diamond, token, vesting},
    state::{TokenId, Vesting},
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
    /// `balanceOf`.
    pub fn balance_of(&self, token: TokenId, account: &Address) -> U256 {
        self.state().balance(token, account)
    }
    /// `totalSupply`.
    pub fn total_supply(&self, token: TokenId) -> U256 {
        match token {
            TokenId::Icy => self.state().globals().icy_supply,
            TokenId::Dfg => self.state().globals().dfg_supply,
        }
    }
    /// ICY circulating supply.
    pub fn circulating_supply(&self) -> U256 {
        token::circulating_supply(self.state())
    }
    /// ICY burned.
    pub fn total_burned(&self) -> U256 {
        self.state().globals().icy_burned
    }
    /// Current excluded set and its version.
    pub fn excluded_accounts(&self) -> (u32, Vec<Address>) {
        let v = self.state().globals().icy_excluded_version;
        (v, self.state().excluded_sets().get(&v).cloned().unwrap_or_default())
    }
    /// What may still be minted this protocol year at time `now`.
    pub fn inflation_room(&self, now: u64) -> U256 {
        token::inflation_room(self.state(), now).0
    }
    /// `getVotes`.
    pub fn votes(&self, account: &Address) -> U256 {
        token::current_votes(self.state(), account)
    }
    /// `delegates`.
    pub fn delegate_of(&self, account: &Address) -> Address {
        self.state().account(account).delegate
    }
    /// `getPastVotes(account, t)`: voting power at the end of second `t`; `t` must be before
    /// `now` (the latest block time) so the answer can never change.
    pub fn past_votes(&self, account: &Address, t: u64, now: u64) -> Result<U256, FutureLookup> {
        if t >= now {
            return Err(FutureLookup { requested: t, now });
        }
        Ok(token::value_at(self.state().vote_checkpoints(account), t))
    }
    /// `getPastTotalSupply(t)`.
    pub fn past_total_supply(&self, t: u64, now: u64) -> Result<U256, FutureLookup> {
        if t >= now {
            return Err(FutureLookup { requested: t, now });
        }
        Ok(token::value_at(self.state().supply_checkpoints(), t))
    }
    /// Total DFG voting power delegated (sum of every delegate's votes), kept as a running total.
    pub fn total_delegated(&self) -> U256 {
        self.state().globals().dfg_delegated
    }
    /// Vesting schedules of a beneficiary with what is releasable at `now`.
    pub fn vesting_of(&self, beneficiary: &Address, now: u64) -> Vec<(u64, Vesting, U256, U256)> {
        self.state()
            .vestings()
            .iter()
            .filter(|(_, v)| v.beneficiary == *beneficiary)
            .map(|(id, v)| {
                (*id, v.clone(), vesting::vested_at(v, now), vesting::releasable_at(v, now))
            })
            .collect()
    }
    /// Loupe `facets()`.
    pub fn facets(&self) -> Vec<(Address, Vec<[u8; 4]>)> {
        diamond::loupe_facets(self.state().selectors())
    }
    /// Loupe `facetAddress(selector)`.
    pub fn facet_address(&self, sel: &[u8; 4]) -> Option<Address> {
        self.state().selectors().get(sel).copied()
    }
}
