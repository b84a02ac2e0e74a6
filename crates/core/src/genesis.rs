//! Genesis from a file: chain parameters, ICY and DFG allocations, minters, the excluded set,
//! vesting schedules and roles. Validated completely before any state is built.
//!
//! Amounts in the file are whole tokens as decimal strings ("1000.5"), converted with 18
//! decimals.

use alloy_primitives::{Address, U256};
use hoard_primitives::parse_units;

use crate::{
    engine::Engine,
    facets::{
        Addresses, access, diamond, ledger, token,
        vesting::{self, Vesting},
        votes,
    },
    roles,
    state::State,
};

/// One genesis account's opening balances and delegate.
#[derive(Default)]
struct Opening {
    icy: U256,
    dfg: U256,
    delegate: Address,
}

/// ICY hard cap in whole tokens (SPEC 3.1).
pub const ICY_MAX_SUPPLY_TOKENS: u64 = 1_000_000_000;
/// DFG fixed supply in whole tokens (SPEC 3.2).
pub const DFG_SUPPLY_TOKENS: u64 = 10_000_000;
/// Default ICY inflation limit.
pub const ICY_INFLATION_BPS_DEFAULT: u16 = 300;
/// Default role grant delay: 2 days.
pub const ROLE_GRANT_DELAY_S_DEFAULT: u64 = 2 * hoard_primitives::DAY_S;
/// Default acceptance window: 7 days.
pub const ROLE_ACCEPT_WINDOW_S_DEFAULT: u64 = 7 * hoard_primitives::DAY_S;
/// Most allocations, schedules or roles of each kind in a genesis file.
pub const GENESIS_ENTRIES_MAX: usize = 10_000;

/// A genesis file.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Genesis {
    /// EIP-712 chain id.
    pub chain_id: u64,
    /// Genesis block time, unix seconds.
    pub timestamp: u64,
    /// The diamond address (EIP-712 `verifyingContract`).
    pub diamond: Address,
    /// The governance steward: the one key that may make the governance module act
    /// (`actAsGovernance`) until the governance facet's proposals do. Governance itself is a
    /// module account that no key signs for. (Older files call this field `governance`.)
    #[serde(alias = "governance")]
    pub steward: Address,
    /// ICY.
    pub icy: IcyGenesis,
    /// DFG.
    pub dfg: DfgGenesis,
    /// Initial role holders.
    #[serde(default)]
    pub roles: Vec<RoleGenesis>,
    /// Assets beside ICY and DFG (bridged tokens: USDC, WBTC, ...), registered at genesis.
    #[serde(default)]
    pub assets: Vec<AssetGenesis>,
    /// Pools created at genesis with their opening positions (paid from the owners' genesis
    /// balances).
    #[serde(default)]
    pub pools: Vec<PoolGenesis>,
    /// Parameters.
    #[serde(default)]
    pub params: ParamsGenesis,
}

/// ICY section.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IcyGenesis {
    /// Initial balances (their sum is the genesis supply).
    pub allocations: Vec<Allocation>,
    /// Yearly inflation limit, bps.
    #[serde(default = "default_inflation")]
    pub inflation_bps: u16,
    /// Transfer burn, bps.
    #[serde(default)]
    pub transfer_burn_bps: u16,
    /// Minters with allowances (whole tokens).
    #[serde(default)]
    pub minters: Vec<MinterGenesis>,
    /// Protocol-owned accounts excluded from circulating supply (version 1 of the set).
    #[serde(default)]
    pub excluded: Vec<Address>,
}

fn default_inflation() -> u16 {
    ICY_INFLATION_BPS_DEFAULT
}

/// DFG section.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DfgGenesis {
    /// Liquid balances.
    pub allocations: Vec<Allocation>,
    /// Vesting schedules (tokens go to the escrow).
    #[serde(default)]
    pub vesting: Vec<VestingGenesis>,
}

/// An asset registered at genesis, at its derived address (`keccak256("hoard.asset.<SYMBOL>")`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssetGenesis {
    /// Symbol: 1 to 11 upper-case letters or digits.
    pub symbol: String,
    /// Decimals of its base unit.
    pub decimals: u8,
    /// Opening balances, in whole tokens of this asset (no delegate).
    #[serde(default)]
    pub allocations: Vec<Allocation>,
    /// A faucet (devnets): each account may draw `amount` whole tokens every `interval_s`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub faucet: Option<FaucetGenesis>,
}

/// A pool created at genesis.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolGenesis {
    /// Symbol of one asset.
    pub asset_a: String,
    /// Symbol of the other.
    pub asset_b: String,
    /// `uniswap_v3`, `pancake_v3`, `algebra_integral` or `uniswap_v4`.
    pub flavour: String,
    /// Fee in pips (ignored by Algebra's adaptive fee).
    pub fee: u32,
    /// Tick spacing.
    pub tick_spacing: i32,
    /// The opening tick (the price is that tick's, token1 per token0 in base units).
    pub tick: i32,
    /// Opening positions.
    #[serde(default)]
    pub positions: Vec<PositionGenesis>,
}

/// An opening position.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PositionGenesis {
    /// Who owns (and pays for) it.
    pub owner: Address,
    /// Lower tick.
    pub tick_lower: i32,
    /// Upper tick.
    pub tick_upper: i32,
    /// Liquidity, as a decimal string.
    pub liquidity: String,
}

/// A devnet faucet.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaucetGenesis {
    /// Whole tokens per drip.
    pub amount: String,
    /// Seconds between two drips of one account.
    pub interval_s: u64,
}

/// One balance.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Allocation {
    /// Holder.
    pub account: Address,
    /// Whole tokens, decimal string.
    pub amount: String,
    /// DFG only: delegate at genesis (often the holder itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delegate: Option<Address>,
}

/// One minter.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinterGenesis {
    /// Minter account.
    pub account: Address,
    /// Allowance, whole tokens.
    pub allowance: String,
}

/// One vesting schedule.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VestingGenesis {
    /// Beneficiary.
    pub beneficiary: Address,
    /// Whole tokens.
    pub amount: String,
    /// Start, unix seconds.
    pub start: u64,
    /// Cliff from start, seconds.
    pub cliff_s: u64,
    /// Duration from start, seconds.
    pub duration_s: u64,
}

/// One role holder.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleGenesis {
    /// Role name (ADMIN, KEEPER, ...).
    pub role: String,
    /// Holder.
    pub account: Address,
}

/// Parameters with defaults.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ParamsGenesis {
    /// Role grant delay.
    pub role_grant_delay_s: u64,
    /// Role acceptance window.
    pub role_accept_window_s: u64,
    /// Diamond cut timelock.
    pub cut_delay_s: u64,
}

impl Default for ParamsGenesis {
    fn default() -> Self {
        ParamsGenesis {
            role_grant_delay_s: ROLE_GRANT_DELAY_S_DEFAULT,
            role_accept_window_s: ROLE_ACCEPT_WINDOW_S_DEFAULT,
            cut_delay_s: diamond::CUT_DELAY_S_DEFAULT,
        }
    }
}

/// Why a genesis file is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GenesisError {
    /// An amount is not a decimal number of tokens.
    #[error("{field}: {value:?} is not an amount of tokens (decimal, at most 18 decimals)")]
    BadAmount {
        /// Where.
        field: String,
        /// What.
        value: String,
    },
    /// A rule of the protocol is broken.
    #[error("{0}")]
    Invalid(String),
}

fn amount(field: &str, value: &str) -> Result<U256, GenesisError> {
    parse_units(value, 18)
        .ok_or_else(|| GenesisError::BadAmount { field: field.into(), value: value.into() })
}

fn tokens(n: u64) -> U256 {
    U256::from(n) * U256::from(10u64).pow(U256::from(18u8))
}

impl Genesis {
    /// Parses and validates a genesis JSON document.
    pub fn from_json(text: &str) -> Result<Genesis, GenesisError> {
        let g: Genesis = serde_json::from_str(text)
            .map_err(|e| GenesisError::Invalid(format!("genesis file: {e}")))?;
        Ok(g)
    }

    /// Builds the genesis state and engine.
    pub fn build(&self) -> Result<Engine, GenesisError> {
        self.build_with(true)
    }

    /// Builds the genesis engine without a state commitment (simulation mode: every root is
    /// zero, nothing of the state is hashed).
    pub fn build_uncommitted(&self) -> Result<Engine, GenesisError> {
        self.build_with(false)
    }

    /// Creates the genesis pools and their positions, paid from the owners' balances.
    fn build_pools(&self, state: &mut State) -> Result<(), GenesisError> {
        use hoard_clmm::{Pool, PoolConfig};

        use crate::facets::{modules::Module, pools};
        let invalid = |m: String| Err(GenesisError::Invalid(m));
        for (i, g) in self.pools.iter().enumerate() {
            let at = format!("pools[{i}]");
            let by_symbol = |symbol: &str| {
                token::assets(state).find(|(_, asset)| asset.symbol == symbol).map(|(a, _)| *a)
            };
            let (Some(a), Some(b)) = (by_symbol(&g.asset_a), by_symbol(&g.asset_b)) else {
                return invalid(format!("{at}: two registered assets, by symbol"));
            };
            if a == b {
                return invalid(format!("{at}: two distinct registered assets"));
            }
            if [a, b].contains(&Addresses::new(self.diamond).dfg) {
                return invalid(format!("{at}: DFG pools are created after genesis (its votes)"));
            }
            let (token0, token1) = if a < b { (a, b) } else { (b, a) };
            let Some(flavour) = pools::flavour_number(&g.flavour) else {
                return invalid(format!("{at}: unknown flavour {:?}", g.flavour));
            };
            let meta = pools::state::PoolMeta {
                token0,
                token1,
                flavour,
                fee: g.fee,
                tick_spacing: g.tick_spacing,
            };
            let config: PoolConfig = pools::config_of(&meta).ok_or_else(|| {
                GenesisError::Invalid(format!(
                    "{at}: fee {} and spacing {} not allowed",
                    g.fee, g.tick_spacing
                ))
            })?;
            let id = state.cell(&pools::state::NEXT_POOL);
            let price = hoard_clmm::math::tick_math::get_sqrt_ratio_at_tick(g.tick)
                .map_err(|e| GenesisError::Invalid(format!("{at}.tick: {e}")))?;
            let time = self.timestamp as u32;
            let mut paid = Vec::new();
            {
                let mut pool = Pool::create(
                    config,
                    pools::storage::EngineStorage { state: &mut *state, pool: id },
                );
                pool.initialize(price, time)
                    .map_err(|e| GenesisError::Invalid(format!("{at}: {e}")))?;
                for (j, p) in g.positions.iter().enumerate() {
                    let liquidity: u128 = p.liquidity.parse().map_err(|_| {
                        GenesisError::Invalid(format!(
                            "{at}.positions[{j}].liquidity: a whole number"
                        ))
                    })?;
                    let (a0, a1) = pool
                        .mint(p.owner, p.tick_lower, p.tick_upper, liquidity, time)
                        .map_err(|e| GenesisError::Invalid(format!("{at}.positions[{j}]: {e}")))?;
                    paid.push((j, p.owner, a0, a1));
                }
            }
            let reserves = Module::Pools.account();
            for (j, owner, a0, a1) in paid {
                for (token, amount) in [(token0, a0), (token1, a1)] {
                    let held = token::balance(state, &token, &owner);
                    if held < amount {
                        return invalid(format!(
                            "{at}.positions[{j}]: {owner} holds {held} of {token}, the position needs {amount}"
                        ));
                    }
                    state.put(&token::state::BALANCES, (token, owner), held - amount);
                    state.update(&token::state::BALANCES, (token, reserves), |r| *r += amount);
                }
            }
            state.set_cell(&pools::state::NEXT_POOL, id + 1);
            state.put(&pools::state::POOLS, id, meta);
        }
        Ok(())
    }

    fn build_with(&self, commitment: bool) -> Result<Engine, GenesisError> {
        let invalid = |m: String| Err(GenesisError::Invalid(m));
        let addrs = Addresses::new(self.diamond);
        if self.chain_id == 0 {
            return invalid("chain_id must be positive".into());
        }
        if self.diamond == Address::ZERO || self.steward == Address::ZERO {
            return invalid("diamond and steward must be non-zero addresses".into());
        }
        let lists = [
            self.icy.allocations.len(),
            self.dfg.allocations.len(),
            self.dfg.vesting.len(),
            self.roles.len(),
            self.icy.minters.len(),
            self.assets.len(),
            self.assets.iter().map(|a| a.allocations.len()).max().unwrap_or(0),
        ];
        if lists.iter().any(|n| *n > GENESIS_ENTRIES_MAX) {
            return invalid(format!("at most {GENESIS_ENTRIES_MAX} entries per list"));
        }
        if !(token::INFLATION_BPS_MIN..=token::INFLATION_BPS_MAX).contains(&self.icy.inflation_bps)
        {
            return invalid(format!(
                "icy.inflation_bps must be {}-{}",
                token::INFLATION_BPS_MIN,
                token::INFLATION_BPS_MAX
            ));
        }
        if self.icy.transfer_burn_bps > token::TRANSFER_BURN_BPS_MAX {
            return invalid(format!(
                "icy.transfer_burn_bps must be at most {}",
                token::TRANSFER_BURN_BPS_MAX
            ));
        }
        let p = &self.params;
        if !(access::GRANT_DELAY_S_MIN..=access::GRANT_DELAY_S_MAX).contains(&p.role_grant_delay_s)
            || !(access::ACCEPT_WINDOW_S_MIN..=access::ACCEPT_WINDOW_S_MAX)
                .contains(&p.role_accept_window_s)
        {
            return invalid("role delays must be 1 to 30 days".into());
        }
        if !(diamond::CUT_DELAY_S_MIN..=diamond::CUT_DELAY_S_MAX).contains(&p.cut_delay_s) {
            return invalid(format!(
                "params.cut_delay_s must be {} to {} s (7 to 30 days): a diamond cut is a \
                 constitutional change and never skips its timelock",
                diamond::CUT_DELAY_S_MIN,
                diamond::CUT_DELAY_S_MAX
            ));
        }
        token::validate_excluded(&self.icy.excluded)
            .map_err(|e| GenesisError::Invalid(format!("icy.excluded: {e}")))?;

        let mut state = State::default();
        let mut accounts: std::collections::BTreeMap<Address, Opening> = Default::default();
        let mut icy_supply = U256::ZERO;
        for (i, a) in self.icy.allocations.iter().enumerate() {
            let v = amount(&format!("icy.allocations[{i}]"), &a.amount)?;
            if a.account == Address::ZERO || a.delegate.is_some() {
                return invalid(format!("icy.allocations[{i}]: non-zero account, no delegate"));
            }
            accounts.entry(a.account).or_default().icy += v;
            icy_supply += v;
        }
        let max = tokens(ICY_MAX_SUPPLY_TOKENS);
        if icy_supply > max {
            return invalid("ICY allocations exceed the supply cap".into());
        }
        let mut dfg_total = U256::ZERO;
        for (i, a) in self.dfg.allocations.iter().enumerate() {
            let v = amount(&format!("dfg.allocations[{i}]"), &a.amount)?;
            if a.account == Address::ZERO || a.account == addrs.vesting_escrow {
                return invalid(format!("dfg.allocations[{i}]: bad account"));
            }
            let acc = accounts.entry(a.account).or_default();
            acc.dfg += v;
            if let Some(d) = a.delegate {
                if acc.delegate != Address::ZERO && acc.delegate != d {
                    return invalid(format!(
                        "dfg.allocations[{i}]: conflicting delegates for {}",
                        a.account
                    ));
                }
                acc.delegate = d;
            }
            dfg_total += v;
        }
        let mut schedules = Vec::new();
        for (i, s) in self.dfg.vesting.iter().enumerate() {
            let v = amount(&format!("dfg.vesting[{i}]"), &s.amount)?;
            vesting::validate(s.beneficiary, v, s.cliff_s, s.duration_s)
                .map_err(|e| GenesisError::Invalid(format!("dfg.vesting[{i}]: {e}")))?;
            accounts.entry(addrs.vesting_escrow).or_default().dfg += v;
            dfg_total += v;
            schedules.push(Vesting {
                beneficiary: s.beneficiary,
                amount: v,
                start: s.start,
                cliff_s: s.cliff_s,
                duration_s: s.duration_s,
                released: U256::ZERO,
            });
        }
        if dfg_total != tokens(DFG_SUPPLY_TOKENS) {
            return invalid(format!(
                "DFG allocations and vesting must total exactly {DFG_SUPPLY_TOKENS} DFG"
            ));
        }

        state.set_cell(
            &ledger::state::CHAIN,
            ledger::state::Chain {
                genesis_time: self.timestamp,
                height: 0,
                time_s: self.timestamp,
            },
        );
        state.set_cell(&crate::facets::governance::state::STEWARD, self.steward);
        state.set_cell(
            &access::state::DELAYS,
            access::RoleDelays {
                grant_delay_s: p.role_grant_delay_s,
                accept_window_s: p.role_accept_window_s,
            },
        );
        state.set_cell(
            &diamond::state::PARAMS,
            diamond::DiamondParams { cut_delay_s: p.cut_delay_s, next_cut_id: 0 },
        );
        state.set_cell(
            &token::state::ICY_PARAMS,
            token::state::IcyParams {
                max_supply: max,
                inflation_bps: self.icy.inflation_bps,
                transfer_burn_bps: self.icy.transfer_burn_bps,
            },
        );
        state.set_cell(
            &token::state::ICY_YEAR,
            token::state::IcyYear { index: 0, start_supply: icy_supply, minted: U256::ZERO },
        );
        state.put(
            &token::state::SUPPLY,
            addrs.icy,
            token::state::Supply { total: icy_supply, burned: U256::ZERO },
        );
        state.put(
            &token::state::SUPPLY,
            addrs.dfg,
            token::state::Supply { total: dfg_total, burned: U256::ZERO },
        );
        // Voting power of genesis delegations.
        let mut delegated: std::collections::BTreeMap<Address, U256> = Default::default();
        for (account, o) in &accounts {
            state.put(&token::state::BALANCES, (addrs.icy, *account), o.icy);
            state.put(&token::state::BALANCES, (addrs.dfg, *account), o.dfg);
            if o.delegate != Address::ZERO {
                state.put(&votes::state::DELEGATES, *account, o.delegate);
                *delegated.entry(o.delegate).or_default() += o.dfg;
            }
        }
        state.set_cell(&votes::state::DELEGATED, delegated.values().copied().sum::<U256>());
        for (delegate, power) in delegated {
            votes::write_checkpoint(&mut state, delegate, self.timestamp, power);
        }
        votes::write_supply_checkpoint(&mut state, self.timestamp, dfg_total);
        let schedule_count = schedules.len() as u64;
        for (id, s) in schedules.into_iter().enumerate() {
            state.put(&vesting::state::SCHEDULES, id as u64, s);
        }
        state.set_cell(&vesting::state::NEXT_ID, schedule_count);
        for (i, m) in self.icy.minters.iter().enumerate() {
            let v = amount(&format!("icy.minters[{i}]"), &m.allowance)?;
            state.put(&token::state::MINTERS, m.account, v);
            // A genesis minter holds the MINTER role from the start (genesis is trusted).
            state.put(&access::state::MEMBERS, (roles::MINTER.id(), m.account), true);
        }
        // The ledger's assets: ICY and DFG, then the genesis's bridged assets.
        token::register(&mut state, addrs.icy, token::Asset { symbol: "ICY".into(), decimals: 18 });
        token::register(&mut state, addrs.dfg, token::Asset { symbol: "DFG".into(), decimals: 18 });
        for (i, g) in self.assets.iter().enumerate() {
            let field = |f: &str| format!("assets[{i}].{f}");
            if !token::valid_symbol(&g.symbol) || g.decimals > token::ASSET_DECIMALS_MAX {
                return invalid(format!(
                    "{}: a symbol is 1 to 11 upper-case letters or digits, with at most {} decimals",
                    field("symbol"),
                    token::ASSET_DECIMALS_MAX
                ));
            }
            let address = token::asset_address(&g.symbol);
            if token::asset(&state, &address).is_some() {
                return invalid(format!("{}: {} is registered twice", field("symbol"), g.symbol));
            }
            token::register(
                &mut state,
                address,
                token::Asset { symbol: g.symbol.clone(), decimals: g.decimals },
            );
            let units = |f: String, v: &str| {
                parse_units(v, g.decimals)
                    .ok_or(GenesisError::BadAmount { field: f, value: v.to_string() })
            };
            let mut supply = U256::ZERO;
            for (j, a) in g.allocations.iter().enumerate() {
                let v = units(field(&format!("allocations[{j}]")), &a.amount)?;
                if a.account == Address::ZERO || a.delegate.is_some() {
                    return invalid(format!(
                        "{}: non-zero account, no delegate",
                        field(&format!("allocations[{j}]"))
                    ));
                }
                state.update(&token::state::BALANCES, (address, a.account), |b| *b += v);
                supply += v;
            }
            state.put(
                &token::state::SUPPLY,
                address,
                token::state::Supply { total: supply, burned: U256::ZERO },
            );
            if let Some(f) = &g.faucet {
                let amount = units(field("faucet.amount"), &f.amount)?;
                if amount.is_zero() || f.interval_s == 0 {
                    return invalid(format!("{}: a positive amount and interval", field("faucet")));
                }
                state.put(
                    &token::state::FAUCETS,
                    address,
                    token::Faucet { amount, interval_s: f.interval_s },
                );
            }
        }
        self.build_pools(&mut state)?;
        state.set_cell(&token::state::EXCLUDED_VERSION, 1);
        state.put(&token::state::EXCLUDED, 1, self.icy.excluded.clone());
        for (i, r) in self.roles.iter().enumerate() {
            let Some(role) = roles::by_name(&r.role) else {
                return invalid(format!("roles[{i}]: unknown role {:?}", r.role));
            };
            state.put(&access::state::MEMBERS, (role.id(), r.account), true);
        }
        for (sel, facet) in diamond::genesis_selectors() {
            state.put(&diamond::state::SELECTORS, sel, facet);
        }
        state.commit_journal();
        let _ = state.take_changes();
        debug_assert_eq!(
            token::balance(&state, &addrs.dfg, &addrs.vesting_escrow),
            self.dfg
                .vesting
                .iter()
                .map(|s| parse_units(&s.amount, 18).unwrap_or_default())
                .sum::<U256>()
        );
        Ok(if commitment {
            Engine::new(self.chain_id, self.diamond, state)
        } else {
            Engine::new_uncommitted(self.chain_id, self.diamond, state)
        })
    }
}
