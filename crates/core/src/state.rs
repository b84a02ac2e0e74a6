//! The engine's state: typed maps, a journal for atomic commands, and change sets.
//!
//! Every write goes through [`State::put`], which records the old value in the journal. A command
//! that is rejected is reverted from the journal, so nothing is ever half-applied; a command that
//! succeeds moves its keys to the block's dirty set. At the end of a block the dirty keys become a
//! [`ChangeSet`]: the node applies it to the committed replica that the API reads, and the state
//! commitment hashes it. State is a flat set of `(StateKey, StateValue)` entries; a value equal to
//! its default (zero balance, zero allowance) is the same as absent, so the commitment does not
//! depend on history.

use std::collections::{BTreeMap, BTreeSet};

use alloy_primitives::{Address, B256, U256, map::HashMap};

use crate::codec::{CodecError, Put, Reader};

/// Which token a balance or allowance belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum TokenId {
    /// The utility token.
    Icy = 0,
    /// The governance token.
    Dfg = 1,
}

impl TokenId {
    fn from_u8(v: u8) -> Result<TokenId, CodecError> {
        match v {
            0 => Ok(TokenId::Icy),
            1 => Ok(TokenId::Dfg),
            _ => Err(CodecError("unknown token id")),
        }
    }
}

/// Per-account state. `delegate == Address::ZERO` means "not delegated" (no voting power).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Account {
    /// Next nonce to use.
    pub nonce: u64,
    /// ICY balance, base units.
    pub icy: U256,
    /// DFG balance, base units.
    pub dfg: U256,
    /// DFG delegate.
    pub delegate: Address,
}

impl Account {
    /// Balance of one token.
    pub fn balance(&self, token: TokenId) -> U256 {
        match token {
            TokenId::Icy => self.icy,
            TokenId::Dfg => self.dfg,
        }
    }

    /// Mutable balance of one token.
    pub fn balance_mut(&mut self, token: TokenId) -> &mut U256 {
        match token {
            TokenId::Icy => &mut self.icy,
            TokenId::Dfg => &mut self.dfg,
        }
    }

    fn is_empty(&self) -> bool {
        *self == Account::default()
    }

    /// Canonical encoding (also the leaf value of balance proofs).
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.put_u64(self.nonce);
        out.put_u256(&self.icy);
        out.put_u256(&self.dfg);
        out.put_address(&self.delegate);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Account, CodecError> {
        Ok(Account { nonce: r.u64()?, icy: r.u256()?, dfg: r.u256()?, delegate: r.address()? })
    }
}

/// A voting-power or supply checkpoint: the value from `time_s` (block time) on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Checkpoint {
    /// Block time of the checkpoint.
    pub time_s: u64,
    /// Value from then on.
    pub value: U256,
}

/// A DFG vesting schedule: nothing before `start + cliff_s`, then linear from `start` to
/// `start + duration_s`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Vesting {
    /// Who may release.
    pub beneficiary: Address,
    /// Total amount locked.
    pub amount: U256,
    /// Start of vesting, unix seconds.
    pub start: u64,
    /// Cliff length from start.
    pub cliff_s: u64,
    /// Total duration from start.
    pub duration_s: u64,
    /// Already released.
    pub released: U256,
}

/// A pending two-step role grant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PendingGrant {
    /// From this time the account can accept.
    pub acceptable_at: u64,
    /// After this time the grant lapses.
    pub expires_at: u64,
}

/// One cut of a pending diamond cut.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CutEntry {
    /// Target facet address (ignored for remove).
    pub facet: Address,
    /// 0 add, 1 replace, 2 remove.
    pub action: u8,
    /// Selectors affected.
    pub selectors: Vec<[u8; 4]>,
}

/// A proposed diamond cut waiting for its timelock.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PendingCut {
    /// Who proposed it.
    pub proposer: Address,
    /// Executable from this time.
    pub eta: u64,
    /// The cuts, applied in order.
    pub cuts: Vec<CutEntry>,
}

/// Singleton parameters and counters.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Globals {
    /// Block time of genesis; protocol years count from here.
    pub genesis_time: u64,
    /// The governance account (owns parameters and the diamond).
    pub governance: Address,
    /// ICY total supply.
    pub icy_supply: U256,
    /// ICY burned so far.
    pub icy_burned: U256,
    /// ICY hard cap.
    pub icy_max_supply: U256,
    /// Index of the protocol year of `icy_year_start_supply`.
    pub icy_year_index: u64,
    /// ICY supply at the start of that year.
    pub icy_year_start_supply: U256,
    /// ICY minted during that year.
    pub icy_minted_in_year: U256,
    /// Yearly inflation limit, basis points of the year-start supply.
    pub icy_inflation_bps: u16,
    /// Burn on transfer, basis points.
    pub icy_transfer_burn_bps: u16,
    /// Current version of the excluded-accounts set.
    pub icy_excluded_version: u32,
    /// DFG total supply (fixed at genesis).
    pub dfg_supply: U256,
    /// Sum of every delegate's voting power (DFG held by accounts that delegate).
    pub dfg_delegated: U256,
    /// Paused until this time (0: not paused).
    pub paused_until: u64,
    /// Next vesting schedule id.
    pub next_vesting_id: u64,
    /// Next diamond cut id.
    pub next_cut_id: u64,
    /// Delay before a role grant can be accepted.
    pub role_grant_delay_s: u64,
    /// Window to accept a grant once acceptable.
    pub role_accept_window_s: u64,
    /// Timelock of diamond cuts.
    pub cut_delay_s: u64,
}

impl Globals {
    fn encode(&self, out: &mut Vec<u8>) {
        out.put_u64(self.genesis_time);
        out.put_address(&self.governance);
        out.put_u256(&self.icy_supply);
        out.put_u256(&self.icy_burned);
        out.put_u256(&self.icy_max_supply);
        out.put_u64(self.icy_year_index);
        out.put_u256(&self.icy_year_start_supply);
        out.put_u256(&self.icy_minted_in_year);
        out.put_u16(self.icy_inflation_bps);
        out.put_u16(self.icy_transfer_burn_bps);
        out.put_u32(self.icy_excluded_version);
        out.put_u256(&self.dfg_supply);
        out.put_u256(&self.dfg_delegated);
        out.put_u64(self.paused_until);
        out.put_u64(self.next_vesting_id);
        out.put_u64(self.next_cut_id);
        out.put_u64(self.role_grant_delay_s);
        out.put_u64(self.role_accept_window_s);
        out.put_u64(self.cut_delay_s);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Globals, CodecError> {
        Ok(Globals {
            genesis_time: r.u64()?,
            governance: r.address()?,
            icy_supply: r.u256()?,
            icy_burned: r.u256()?,
            icy_max_supply: r.u256()?,
            icy_year_index: r.u64()?,
            icy_year_start_supply: r.u256()?,
            icy_minted_in_year: r.u256()?,
            icy_inflation_bps: r.u16()?,
            icy_transfer_burn_bps: r.u16()?,
            icy_excluded_version: r.u32()?,
            dfg_supply: r.u256()?,
            dfg_delegated: r.u256()?,
            paused_until: r.u64()?,
            next_vesting_id: r.u64()?,
            next_cut_id: r.u64()?,
            role_grant_delay_s: r.u64()?,
            role_accept_window_s: r.u64()?,
            cut_delay_s: r.u64()?,
        })
    }
}

/// The key of one state entry.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StateKey {
    /// Singleton parameters and counters.
    Globals,
    /// An account.
    Account(Address),
    /// Allowance (token, owner, spender).
    Allowance(TokenId, Address, Address),
    /// The i-th voting checkpoint of a delegate.
    VoteCheckpoint(Address, u32),
    /// The i-th DFG total-supply checkpoint.
    SupplyCheckpoint(u32),
    /// An ICY minter's remaining allowance.
    Minter(Address),
    /// A version of the excluded-accounts set.
    Excluded(u32),
    /// A vesting schedule.
    Vesting(u64),
    /// Role membership.
    Role(B256, Address),
    /// A pending role grant.
    Grant(B256, Address),
    /// The facet that serves a selector.
    Selector([u8; 4]),
    /// A pending diamond cut.
    Cut(u64),
}

impl StateKey {
    /// Canonical encoding: a tag byte then the fields.
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            StateKey::Globals => out.put_u8(0),
            StateKey::Account(a) => {
                out.put_u8(1);
                out.put_address(a);
            }
            StateKey::Allowance(t, o, s) => {
                out.put_u8(2);
                out.put_u8(*t as u8);
                out.put_address(o);
                out.put_address(s);
            }
            StateKey::VoteCheckpoint(a, i) => {
                out.put_u8(3);
                out.put_address(a);
                out.put_u32(*i);
            }
            StateKey::SupplyCheckpoint(i) => {
                out.put_u8(4);
                out.put_u32(*i);
            }
            StateKey::Minter(a) => {
                out.put_u8(5);
                out.put_address(a);
            }
            StateKey::Excluded(v) => {
                out.put_u8(6);
                out.put_u32(*v);
            }
            StateKey::Vesting(id) => {
                out.put_u8(7);
                out.put_u64(*id);
            }
            StateKey::Role(r, a) => {
                out.put_u8(8);
                out.put_b256(r);
                out.put_address(a);
            }
            StateKey::Grant(r, a) => {
                out.put_u8(9);
                out.put_b256(r);
                out.put_address(a);
            }
            StateKey::Selector(s) => {
                out.put_u8(10);
                out.extend_from_slice(s);
            }
            StateKey::Cut(id) => {
                out.put_u8(11);
                out.put_u64(*id);
            }
        }
    }

    /// Decodes a key.
    pub fn decode(r: &mut Reader<'_>) -> Result<StateKey, CodecError> {
        Ok(match r.u8()? {
            0 => StateKey::Globals,
            1 => StateKey::Account(r.address()?),
            2 => StateKey::Allowance(TokenId::from_u8(r.u8()?)?, r.address()?, r.address()?),
            3 => StateKey::VoteCheckpoint(r.address()?, r.u32()?),
            4 => StateKey::SupplyCheckpoint(r.u32()?),
            5 => StateKey::Minter(r.address()?),
            6 => StateKey::Excluded(r.u32()?),
            7 => StateKey::Vesting(r.u64()?),
            8 => StateKey::Role(r.b256()?, r.address()?),
            9 => StateKey::Grant(r.b256()?, r.address()?),
            10 => {
                let b = r.take(4)?;
                StateKey::Selector([b[0], b[1], b[2], b[3]])
            }
            11 => StateKey::Cut(r.u64()?),
            _ => return Err(CodecError("unknown state key tag")),
        })
    }
}

/// The value of one state entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StateValue {
    /// For [`StateKey::Globals`].
    Globals(Box<Globals>),
    /// For [`StateKey::Account`].
    Account(Account),
    /// For allowances and minter allowances.
    Amount(U256),
    /// For vote and supply checkpoints.
    Checkpoint(Checkpoint),
    /// For excluded-account sets.
    Addresses(Vec<Address>),
    /// For vesting schedules.
    Vesting(Vesting),
    /// For role membership.
    Member,
    /// For pending grants.
    Grant(PendingGrant),
    /// For selectors.
    Facet(Address),
    /// For pending cuts.
    Cut(PendingCut),
}

impl StateValue {
    /// Canonical encoding.
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            StateValue::Globals(g) => g.encode(out),
            StateValue::Account(a) => a.encode(out),
            StateValue::Amount(v) => out.put_u256(v),
            StateValue::Checkpoint(c) => {
                out.put_u64(c.time_s);
                out.put_u256(&c.value);
            }
            StateValue::Addresses(list) => {
                out.put_u32(list.len() as u32);
                for a in list {
                    out.put_address(a);
                }
            }
            StateValue::Vesting(v) => {
                out.put_address(&v.beneficiary);
                out.put_u256(&v.amount);
                out.put_u64(v.start);
                out.put_u64(v.cliff_s);
                out.put_u64(v.duration_s);
                out.put_u256(&v.released);
            }
            StateValue::Member => out.put_u8(1),
            StateValue::Grant(g) => {
                out.put_u64(g.acceptable_at);
                out.put_u64(g.expires_at);
            }
            StateValue::Facet(a) => out.put_address(a),
            StateValue::Cut(c) => {
                out.put_address(&c.proposer);
                out.put_u64(c.eta);
                out.put_u32(c.cuts.len() as u32);
                for e in &c.cuts {
                    out.put_address(&e.facet);
                    out.put_u8(e.action);
                    out.put_u32(e.selectors.len() as u32);
                    for s in &e.selectors {
                        out.extend_from_slice(s);
                    }
                }
            }
        }
    }

    /// Decodes the value of `key`.
    pub fn decode(key: &StateKey, r: &mut Reader<'_>) -> Result<StateValue, CodecError> {
        Ok(match key {
            StateKey::Globals => StateValue::Globals(Box::new(Globals::decode(r)?)),
            StateKey::Account(_) => StateValue::Account(Account::decode(r)?),
            StateKey::Allowance(..) | StateKey::Minter(_) => StateValue::Amount(r.u256()?),
            StateKey::VoteCheckpoint(..) | StateKey::SupplyCheckpoint(_) => {
                StateValue::Checkpoint(Checkpoint { time_s: r.u64()?, value: r.u256()? })
            }
            StateKey::Excluded(_) => {
                let n = r.u32()? as usize;
                let mut list = Vec::with_capacity(n.min(1024));
                for _ in 0..n {
                    list.push(r.address()?);
                }
                StateValue::Addresses(list)
            }
            StateKey::Vesting(_) => StateValue::Vesting(Vesting {
                beneficiary: r.address()?,
                amount: r.u256()?,
                start: r.u64()?,
                cliff_s: r.u64()?,
                duration_s: r.u64()?,
                released: r.u256()?,
            }),
            StateKey::Role(..) => {
                if r.u8()? != 1 {
                    return Err(CodecError("bad membership marker"));
                }
                StateValue::Member
            }
            StateKey::Grant(..) => {
                StateValue::Grant(PendingGrant { acceptable_at: r.u64()?, expires_at: r.u64()? })
            }
            StateKey::Selector(_) => StateValue::Facet(r.address()?),
            StateKey::Cut(_) => {
                let proposer = r.address()?;
                let eta = r.u64()?;
                let n = r.u32()? as usize;
                let mut cuts = Vec::with_capacity(n.min(256));
                for _ in 0..n {
                    let facet = r.address()?;
                    let action = r.u8()?;
                    let m = r.u32()? as usize;
                    let mut selectors = Vec::with_capacity(m.min(1024));
                    for _ in 0..m {
                        let b = r.take(4)?;
                        selectors.push([b[0], b[1], b[2], b[3]]);
                    }
                    cuts.push(CutEntry { facet, action, selectors });
                }
                StateValue::Cut(PendingCut { proposer, eta, cuts })
            }
        })
    }
}

/// The entries a block changed, with their new values (`None`: deleted). Sorted by key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChangeSet {
    /// Changed entries.
    pub entries: Vec<(StateKey, Option<StateValue>)>,
}

/// The whole protocol state.
#[derive(Clone, Debug, Default)]
pub struct State {
    globals: Globals,
    accounts: HashMap<Address, Account>,
    allowances: HashMap<(TokenId, Address, Address), U256>,
    vote_checkpoints: HashMap<Address, Vec<Checkpoint>>,
    supply_checkpoints: Vec<Checkpoint>,
    minters: BTreeMap<Address, U256>,
    excluded: BTreeMap<u32, Vec<Address>>,
    vestings: BTreeMap<u64, Vesting>,
    roles: BTreeMap<B256, BTreeSet<Address>>,
    grants: BTreeMap<(B256, Address), PendingGrant>,
    selectors: BTreeMap<[u8; 4], Address>,
    cuts: BTreeMap<u64, PendingCut>,
    journal: Vec<(StateKey, Option<StateValue>)>,
    dirty: Vec<StateKey>,
}

impl State {
    // ----- reads -----

    /// Parameters and counters.
    pub fn globals(&self) -> &Globals {
        &self.globals
    }
    /// An account (default when never touched).
    pub fn account(&self, a: &Address) -> Account {
        self.accounts.get(a).cloned().unwrap_or_default()
    }
    /// Whether the address has any state of its own: an account entry (a nonce, a balance or
    /// a delegate), a role, a pending role grant, a minter allowance, or being the governance account. Cheap: a handful of map
    /// lookups (roles and pending grants are few, set by privileged accounts only).
    pub fn is_known(&self, a: &Address) -> bool {
        self.accounts.contains_key(a)
            || self.globals.governance == *a
            || self.minters.contains_key(a)
            || self.roles.values().any(|members| members.contains(a))
            || self.grants.keys().any(|(_, grantee)| grantee == a)
    }
    /// An account's nonce.
    pub fn nonce(&self, a: &Address) -> u64 {
        self.accounts.get(a).map_or(0, |x| x.nonce)
    }
    /// A token balance.
    pub fn balance(&self, token: TokenId, a: &Address) -> U256 {
        self.accounts.get(a).map_or(U256::ZERO, |x| x.balance(token))
    }
    /// An allowance.
    pub fn allowance(&self, token: TokenId, owner: &Address, spender: &Address) -> U256 {
        self.allowances.get(&(token, *owner, *spender)).copied().unwrap_or_default()
    }
    /// A delegate's voting checkpoints, oldest first.
    pub fn vote_checkpoints(&self, a: &Address) -> &[Checkpoint] {
        self.vote_checkpoints.get(a).map_or(&[], |v| v.as_slice())
    }
    /// DFG total-supply checkpoints, oldest first.
    pub fn supply_checkpoints(&self) -> &[Checkpoint] {
        &self.supply_checkpoints
    }
    /// Registered minters and their remaining allowances.
    pub fn minters(&self) -> &BTreeMap<Address, U256> {
        &self.minters
    }
    /// Every version of the excluded set.
    pub fn excluded_sets(&self) -> &BTreeMap<u32, Vec<Address>> {
        &self.excluded
    }
    /// Vesting schedules by id.
    pub fn vestings(&self) -> &BTreeMap<u64, Vesting> {
        &self.vestings
    }
    /// Role members by role.
    pub fn roles(&self) -> &BTreeMap<B256, BTreeSet<Address>> {
        &self.roles
    }
    /// Whether an account holds a role.
    pub fn has_role(&self, role: &B256, a: &Address) -> bool {
        self.roles.get(role).is_some_and(|m| m.contains(a))
    }
    /// Pending grants.
    pub fn grants(&self) -> &BTreeMap<(B256, Address), PendingGrant> {
        &self.grants
    }
    /// Selector registry.
    pub fn selectors(&self) -> &BTreeMap<[u8; 4], Address> {
        &self.selectors
    }
    /// Pending cuts.
    pub fn cuts(&self) -> &BTreeMap<u64, PendingCut> {
        &self.cuts
    }
    /// Number of accounts with state.
    pub fn account_count(&self) -> usize {
        self.accounts.len()
    }
    /// Iterates accounts (unordered).
    pub fn accounts(&self) -> impl Iterator<Item = (&Address, &Account)> {
        self.accounts.iter()
    }

    /// The current value of any entry.
    pub fn get(&self, key: &StateKey) -> Option<StateValue> {
        match key {
            StateKey::Globals => Some(StateValue::Globals(Box::new(self.globals.clone()))),
            StateKey::Account(a) => self.accounts.get(a).cloned().map(StateValue::Account),
            StateKey::Allowance(t, o, s) => {
                self.allowances.get(&(*t, *o, *s)).copied().map(StateValue::Amount)
            }
            StateKey::VoteCheckpoint(a, i) => self
                .vote_checkpoints
                .get(a)
                .and_then(|v| v.get(*i as usize))
                .copied()
                .map(StateValue::Checkpoint),
            StateKey::SupplyCheckpoint(i) => {
                self.supply_checkpoints.get(*i as usize).copied().map(StateValue::Checkpoint)
            }
            StateKey::Minter(a) => self.minters.get(a).copied().map(StateValue::Amount),
            StateKey::Excluded(v) => self.excluded.get(v).cloned().map(StateValue::Addresses),
            StateKey::Vesting(id) => self.vestings.get(id).cloned().map(StateValue::Vesting),
            StateKey::Role(r, a) => self.has_role(r, a).then_some(StateValue::Member),
            StateKey::Grant(r, a) => self.grants.get(&(*r, *a)).copied().map(StateValue::Grant),
            StateKey::Selector(s) => self.selectors.get(s).copied().map(StateValue::Facet),
            StateKey::Cut(id) => self.cuts.get(id).cloned().map(StateValue::Cut),
        }
    }

    // ----- writes -----

    /// Sets an entry, recording the old value in the journal.
    pub fn put(&mut self, key: StateKey, value: Option<StateValue>) {
        let old = self.raw_set(&key, value);
        self.journal.push((key, old));
    }

    /// Sets an account.
    pub fn put_account(&mut self, a: Address, account: Account) {
        self.put(StateKey::Account(a), Some(StateValue::Account(account)));
    }
    /// Sets the globals.
    pub fn put_globals(&mut self, g: Globals) {
        self.put(StateKey::Globals, Some(StateValue::Globals(Box::new(g))));
    }
    /// Sets an allowance.
    pub fn put_allowance(&mut self, t: TokenId, owner: Address, spender: Address, v: U256) {
        self.put(StateKey::Allowance(t, owner, spender), Some(StateValue::Amount(v)));
    }
    /// Writes a delegate's voting checkpoint at `time_s`: updates the last one when it has the
    /// same time, appends otherwise.
    pub fn write_vote_checkpoint(&mut self, a: Address, time_s: u64, value: U256) {
        let cps = self.vote_checkpoints(&a);
        let idx = match cps.last() {
            Some(last) if last.time_s == time_s => cps.len() - 1,
            _ => cps.len(),
        };
        let cp = Checkpoint { time_s, value };
        self.put(StateKey::VoteCheckpoint(a, idx as u32), Some(StateValue::Checkpoint(cp)));
    }
    /// Writes a supply checkpoint at `time_s` (same rule as votes).
    pub fn write_supply_checkpoint(&mut self, time_s: u64, value: U256) {
        let cps = &self.supply_checkpoints;
        let idx = match cps.last() {
            Some(last) if last.time_s == time_s => cps.len() - 1,
            _ => cps.len(),
        };
        let cp = Checkpoint { time_s, value };
        self.put(StateKey::SupplyCheckpoint(idx as u32), Some(StateValue::Checkpoint(cp)));
    }

    /// Sets (Some) or deletes (None) an entry without journaling: the raw primitive under
    /// [`State::put`], [`State::revert`] and [`State::apply`]. Returns the old value.
    fn raw_set(&mut self, key: &StateKey, value: Option<StateValue>) -> Option<StateValue> {
        let old = self.get(key);
        match (key, value) {
            (StateKey::Globals, Some(StateValue::Globals(g))) => self.globals = *g,
            (StateKey::Globals, None) => self.globals = Globals::default(),
            (StateKey::Account(a), Some(StateValue::Account(acc))) if !acc.is_empty() => {
                self.accounts.insert(*a, acc);
            }
            (StateKey::Account(a), _) => {
                self.accounts.remove(a);
            }
            (StateKey::Allowance(t, o, s), Some(StateValue::Amount(v))) if !v.is_zero() => {
                self.allowances.insert((*t, *o, *s), v);
            }
            (StateKey::Allowance(t, o, s), _) => {
                self.allowances.remove(&(*t, *o, *s));
            }
            (StateKey::VoteCheckpoint(a, i), value) => {
                let cps = self.vote_checkpoints.entry(*a).or_default();
                set_indexed(cps, *i as usize, value);
                if cps.is_empty() {
                    self.vote_checkpoints.remove(a);
                }
            }
            (StateKey::SupplyCheckpoint(i), value) => {
                set_indexed(&mut self.supply_checkpoints, *i as usize, value);
            }
            (StateKey::Minter(a), Some(StateValue::Amount(v))) => {
                self.minters.insert(*a, v);
            }
            (StateKey::Minter(a), _) => {
                self.minters.remove(a);
            }
            (StateKey::Excluded(v), Some(StateValue::Addresses(list))) => {
                self.excluded.insert(*v, list);
            }
            (StateKey::Excluded(v), _) => {
                self.excluded.remove(v);
            }
            (StateKey::Vesting(id), Some(StateValue::Vesting(v))) => {
                self.vestings.insert(*id, v);
            }
            (StateKey::Vesting(id), _) => {
                self.vestings.remove(id);
            }
            (StateKey::Role(r, a), Some(StateValue::Member)) => {
                self.roles.entry(*r).or_default().insert(*a);
            }
            (StateKey::Role(r, a), _) => {
                if let Some(m) = self.roles.get_mut(r) {
                    m.remove(a);
                    if m.is_empty() {
                        self.roles.remove(r);
                    }
                }
            }
            (StateKey::Grant(r, a), Some(StateValue::Grant(g))) => {
                self.grants.insert((*r, *a), g);
            }
            (StateKey::Grant(r, a), _) => {
                self.grants.remove(&(*r, *a));
            }
            (StateKey::Selector(s), Some(StateValue::Facet(f))) => {
                self.selectors.insert(*s, f);
            }
            (StateKey::Selector(s), _) => {
                self.selectors.remove(s);
            }
            (StateKey::Cut(id), Some(StateValue::Cut(c))) => {
                self.cuts.insert(*id, c);
            }
            (StateKey::Cut(id), _) => {
                self.cuts.remove(id);
            }
            (key, Some(value)) => {
                panic!("invariant: state value type matches its key ({key:?} <- {value:?})")
            }
        }
        old
    }

    // ----- journal -----

    /// Number of journal entries; a checkpoint to revert to.
    pub fn checkpoint(&self) -> usize {
        self.journal.len()
    }

    /// Whether the writes after `checkpoint` changed any entry (an entry written back to its
    /// old value is unchanged).
    pub fn changed_since(&self, checkpoint: usize) -> bool {
        let mut seen = BTreeSet::new();
        self.journal[checkpoint.min(self.journal.len())..]
            .iter()
            .any(|(key, old)| seen.insert(key) && self.get(key) != *old)
    }

    /// Undoes every write after `checkpoint`.
    pub fn revert(&mut self, checkpoint: usize) {
        while self.journal.len() > checkpoint {
            let (key, old) = self.journal.pop().expect("invariant: journal longer than checkpoint");
            self.raw_set(&key, old);
        }
    }

    /// Keeps every journaled write: the keys join the block's dirty set.
    pub fn commit_journal(&mut self) {
        let journal = std::mem::take(&mut self.journal);
        self.dirty.extend(journal.into_iter().map(|(k, _)| k));
    }

    /// Ends a block: the dirty keys with their current values, sorted and deduplicated.
    pub fn take_changes(&mut self) -> ChangeSet {
        debug_assert!(self.journal.is_empty(), "a block ends between commands");
        let mut keys = std::mem::take(&mut self.dirty);
        keys.sort_unstable();
        keys.dedup();
        let entries = keys
            .into_iter()
            .map(|k| {
                let v = self.get(&k);
                (k, v)
            })
            .collect();
        ChangeSet { entries }
    }

    /// Applies a change set produced by another copy of the same state (the committed replica).
    pub fn apply(&mut self, changes: &ChangeSet) {
        for (k, v) in &changes.entries {
            self.raw_set(k, v.clone());
        }
    }

    /// Every entry, for snapshots and for rebuilding the commitment. Checkpoints come in index
    /// order so that loading appends them in order.
    pub fn entries(&self) -> Vec<(StateKey, StateValue)> {
        let mut out = Vec::with_capacity(self.accounts.len() + self.allowances.len() + 64);
        out.push((StateKey::Globals, StateValue::Globals(Box::new(self.globals.clone()))));
        for (a, acc) in &self.accounts {
            out.push((StateKey::Account(*a), StateValue::Account(acc.clone())));
        }
        for ((t, o, s), v) in &self.allowances {
            out.push((StateKey::Allowance(*t, *o, *s), StateValue::Amount(*v)));
        }
        for (a, cps) in &self.vote_checkpoints {
            for (i, c) in cps.iter().enumerate() {
                out.push((StateKey::VoteCheckpoint(*a, i as u32), StateValue::Checkpoint(*c)));
            }
        }
        for (i, c) in self.supply_checkpoints.iter().enumerate() {
            out.push((StateKey::SupplyCheckpoint(i as u32), StateValue::Checkpoint(*c)));
        }
        for (a, v) in &self.minters {
            out.push((StateKey::Minter(*a), StateValue::Amount(*v)));
        }
        for (v, list) in &self.excluded {
            out.push((StateKey::Excluded(*v), StateValue::Addresses(list.clone())));
        }
        for (id, v) in &self.vestings {
            out.push((StateKey::Vesting(*id), StateValue::Vesting(v.clone())));
        }
        for (r, members) in &self.roles {
            for a in members {
                out.push((StateKey::Role(*r, *a), StateValue::Member));
            }
        }
        for ((r, a), g) in &self.grants {
            out.push((StateKey::Grant(*r, *a), StateValue::Grant(*g)));
        }
        for (s, f) in &self.selectors {
            out.push((StateKey::Selector(*s), StateValue::Facet(*f)));
        }
        for (id, c) in &self.cuts {
            out.push((StateKey::Cut(*id), StateValue::Cut(c.clone())));
        }
        out
    }

    /// Serializes every entry (snapshot format v1).
    pub fn encode_snapshot(&self) -> Vec<u8> {
        let entries = self.entries();
        let mut out = Vec::with_capacity(entries.len() * 128);
        out.extend_from_slice(SNAPSHOT_MAGIC);
        out.put_u64(entries.len() as u64);
        let mut buf = Vec::with_capacity(256);
        for (k, v) in &entries {
            buf.clear();
            k.encode(&mut buf);
            out.put_bytes(&buf);
            buf.clear();
            v.encode(&mut buf);
            out.put_bytes(&buf);
        }
        out
    }

    /// Loads a snapshot written by [`State::encode_snapshot`].
    pub fn decode_snapshot(bytes: &[u8]) -> Result<State, CodecError> {
        let mut r = Reader::new(bytes);
        if r.take(SNAPSHOT_MAGIC.len())? != SNAPSHOT_MAGIC {
            return Err(CodecError("not a Hoard snapshot"));
        }
        let n = r.u64()?;
        let mut state = State::default();
        for _ in 0..n {
            let key = StateKey::decode(&mut Reader::new(r.bytes()?))?;
            let mut vr = Reader::new(r.bytes()?);
            let value = StateValue::decode(&key, &mut vr)?;
            vr.finish()?;
            if let StateKey::VoteCheckpoint(a, i) = &key
                && *i as usize != state.vote_checkpoints(a).len()
            {
                return Err(CodecError("checkpoints out of order"));
            }
            state.raw_set(&key, Some(value));
        }
        r.finish()?;
        Ok(state)
    }
}

const SNAPSHOT_MAGIC: &[u8] = b"HOARD-SNAPSHOT-1";

fn set_indexed(v: &mut Vec<Checkpoint>, i: usize, value: Option<StateValue>) {
    match value {
        Some(StateValue::Checkpoint(c)) if i == v.len() => v.push(c),
        Some(StateValue::Checkpoint(c)) if i < v.len() => v[i] = c,
        None if i + 1 == v.len() => {
            v.pop();
        }
        None if i >= v.len() => {}
        other => panic!("invariant: checkpoints are written in order (index {i}, {other:?})"),
    }
}
