//! Event replay: apply a pool's recorded history (initialize, mint, burn, collect, swap) and
//! report the final state and every divergence from the recorded post-event state.
//!
//! # Inputs
//! - CSV in the column layout of demeter-fetch's `tick.csv` exports (the shipped mainnet file):
//!   `block_number, block_timestamp, tx_type, ..., sender, receipt, amount0, amount1,
//!   total_liquidity, total_liquidity_delta, sqrtPriceX96, current_tick, position_id, tick_lower,
//!   tick_upper, liquidity` (columns found by name).
//! - JSON Lines, one object per event:
//!   `{"type":"initialize","time":T,"sqrt_price_x96":"..."}`,
//!   `{"type":"mint"|"burn","time":T,"owner":"0x..","tick_lower":L,"tick_upper":U,"amount":"..",
//!     "amount0":"..","amount1":".."}`, `{"type":"collect",...,"amount0":"..","amount1":".."}`,
//!   `{"type":"swap","time":T,"amount0":"..","amount1":"..","sqrt_price_x96":"..","tick":N,
//!     "liquidity":".."}` (amounts signed from the pool's view; post-state fields optional).
//!
//! # Swaps
//! A swap event gives the signed amounts, not the call. The replay tries, in order: exact input
//! of the amount paid in; exact output of the amount paid out; exact input with the recorded
//! price as the limit; exact output and exact input of an unbounded amount with the recorded
//! price as the limit (a swap stopped by its limit). The first whose amounts, price, tick and
//! liquidity all equal the record wins; if none does, the first is kept, the divergence is reported and the pool is re-synced to
//! the recorded price, tick and liquidity.
//!
//! # Bootstrap from a history that starts mid-life
//! When the first event is not `initialize`, the pool starts from that event's recorded state
//! (price, tick, in-range liquidity); ticks and positions before it are unknown. Every spaced
//! tick is "unknown" until learned. Before each swap, the ticks the swap crosses (from the current
//! tick to the recorded one) are listed; the recorded liquidity after the swap minus the current
//! liquidity minus the nets of known crossed ticks is the net of the unknown ones. With one
//! unknown tick its liquidity net is exactly determined and seeded; with several, each
//! assignment of the whole residual to one of them (the others zero) is tried and kept only if the
//! swap then matches the record to the wei; otherwise the residual goes to the last crossed tick,
//! nothing is marked learned, and the divergence is reported. Burns of liquidity minted before the
//! history are first adopted as pre-existing positions (nets unchanged); collects of fees earned
//! before the history are credited as owed first (counted in the report). Balances start at a
//! virtual opening reserve of 2^128 per token and are reported as net flows since the start.

use std::collections::HashSet;

use alloy_primitives::{Address, I256, U256};

use crate::error::{ClmmError, Result};
use crate::flavour::PoolConfig;
use crate::math::tick_math::{MAX_SQRT_RATIO, MIN_SQRT_RATIO};
use crate::pool::{Pool, SwapResult};

/// Divergences kept in the report (the count is always exact).
pub const DIVERGENCES_MAX: usize = 100;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// Pool initialization.
    Initialize,
    /// Liquidity added.
    Mint,
    /// Liquidity removed.
    Burn,
    /// Tokens owed paid out.
    Collect,
    /// A swap.
    Swap,
}

/// One recorded event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Block number (0 if unknown).
    pub block: u64,
    /// Block time.
    pub time: u32,
    /// Kind.
    pub kind: EventKind,
    /// Position owner (mint, burn, collect).
    pub owner: Address,
    /// Lower tick (mint, burn, collect).
    pub tick_lower: i32,
    /// Upper tick.
    pub tick_upper: i32,
    /// Liquidity minted or burned.
    pub liquidity: u128,
    /// Token0 amount: signed from the pool's view for swaps, magnitude otherwise.
    pub amount0: I256,
    /// Token1 amount.
    pub amount1: I256,
    /// Recorded sqrt price after the event.
    pub sqrt_price_x96: Option<U256>,
    /// Recorded tick after the event.
    pub tick: Option<i32>,
    /// Recorded in-range liquidity after the event.
    pub pool_liquidity: Option<u128>,
}

/// A difference between the replay and the record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Divergence {
    /// 0-based index of the event in the input.
    pub event_index: usize,
    /// Block number.
    pub block: u64,
    /// Event kind.
    pub kind: EventKind,
    /// What differed, with recorded and replayed values.
    pub detail: String,
}

/// Counters and divergences of a replay.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ReplayReport {
    /// Events applied (the bootstrap event included).
    pub events: u64,
    /// Whether the pool was bootstrapped from a mid-life state.
    pub bootstrapped: bool,
    /// Swaps applied.
    pub swaps: u64,
    /// Swaps whose amounts, price, tick and liquidity all equal the record.
    pub swaps_exact: u64,
    /// Swaps with no recorded post-state to compare against.
    pub swaps_unchecked: u64,
    /// Swaps replayed as exact output (the rest exact input).
    pub swaps_exact_output: u64,
    /// Mints, burns, collects applied.
    pub mints: u64,
    /// Burns applied.
    pub burns: u64,
    /// Collects applied.
    pub collects: u64,
    /// Tick nets learned from crossings.
    pub ticks_learned: u64,
    /// Positions (or parts) adopted as pre-existing.
    pub positions_adopted: u64,
    /// Burns whose liquidity was minted through a proxy (moved to the burner first).
    pub proxy_mints: u64,
    /// Collects that needed pre-history fees credited.
    pub collects_credited: u64,
    /// Times the pool was re-synced to the record.
    pub resyncs: u64,
    /// Number of divergences.
    pub divergence_count: u64,
    /// The first [`DIVERGENCES_MAX`] divergences.
    pub divergences: Vec<Divergence>,
}

/// A position in the final state.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PositionSnapshot {
    /// Owner.
    pub owner: Address,
    /// Lower tick.
    pub tick_lower: i32,
    /// Upper tick.
    pub tick_upper: i32,
    /// Liquidity.
    pub liquidity: String,
    /// Token0 owed.
    pub tokens_owed0: String,
    /// Token1 owed.
    pub tokens_owed1: String,
}

/// The pool's state in decimal strings (JSON-friendly).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PoolSnapshot {
    /// Flavour name.
    pub flavour: &'static str,
    /// Fee (pips).
    pub fee: u32,
    /// Tick spacing.
    pub tick_spacing: i32,
    /// Sqrt price Q64.96.
    pub sqrt_price_x96: String,
    /// Tick.
    pub tick: i32,
    /// In-range liquidity.
    pub liquidity: String,
    /// Fee growth global token0 (Q128.128).
    pub fee_growth_global0_x128: String,
    /// Fee growth global token1.
    pub fee_growth_global1_x128: String,
    /// Protocol fees token0.
    pub protocol_fees0: String,
    /// Protocol fees token1.
    pub protocol_fees1: String,
    /// Token0 balance (fresh pools) or net flow since the first event (bootstrapped pools).
    pub balance0: String,
    /// Token1 balance or net flow.
    pub balance1: String,
    /// Initialized ticks.
    pub initialized_ticks: usize,
    /// Positions with liquidity or tokens owed.
    pub positions: Vec<PositionSnapshot>,
}

/// Snapshot of a pool; `opening` is subtracted from balances (the bootstrap's virtual reserve).
pub fn snapshot(pool: &Pool, opening: U256) -> PoolSnapshot {
    let (b0, b1) = pool.balances();
    let net = |b: U256| {
        if opening.is_zero() {
            b.to_string()
        } else if b >= opening {
            (b - opening).to_string()
        } else {
            format!("-{}", opening - b)
        }
    };
    let (f0, f1) = pool.fee_growth_global_x128();
    let (p0, p1) = pool.protocol_fees();
    PoolSnapshot {
        flavour: pool.config().flavour.name(),
        fee: pool.fee(),
        tick_spacing: pool.config().tick_spacing,
        sqrt_price_x96: pool.sqrt_price_x96().to_string(),
        tick: pool.tick(),
        liquidity: pool.liquidity().to_string(),
        fee_growth_global0_x128: f0.to_string(),
        fee_growth_global1_x128: f1.to_string(),
        protocol_fees0: p0.to_string(),
        protocol_fees1: p1.to_string(),
        balance0: net(b0),
        balance1: net(b1),
        initialized_ticks: pool.ticks_sorted().len(),
        positions: pool
            .positions_sorted()
            .into_iter()
            .filter(|(_, p)| p.liquidity > 0 || p.tokens_owed0 > 0 || p.tokens_owed1 > 0)
            .map(|(k, p)| PositionSnapshot {
                owner: k.owner,
                tick_lower: k.tick_lower,
                tick_upper: k.tick_upper,
                liquidity: p.liquidity.to_string(),
                tokens_owed0: p.tokens_owed0.to_string(),
                tokens_owed1: p.tokens_owed1.to_string(),
            })
            .collect(),
    }
}

/// Final state and report.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReplayOutcome {
    /// The pool's final state.
    pub state: PoolSnapshot,
    /// Counters and divergences.
    pub report: ReplayReport,
}

/// Applies events one by one.
#[derive(Debug, Clone)]
pub struct Replayer {
    config: PoolConfig,
    pool: Option<Pool>,
    known: HashSet<i32>,
    minted: std::collections::BTreeSet<crate::position::PositionKey>,
    opening: U256,
    index: usize,
    report: ReplayReport,
}

/// One trial of a swap event: (zero_for_one, amount_specified, limit).
type Trial = (bool, I256, U256);
/// Readings of a swap event tried in order (see the module docs).
const TRIALS: usize = 5;
/// Most unknown crossed ticks for which every pair is tried by bisection (3 pairs): each pair
/// costs about 200 planned swaps, so the bound keeps the replay fast.
const UNKNOWN_PAIRS_MAX_TICKS: usize = 3;

impl Replayer {
    /// A replayer for pools of `config`.
    pub fn new(config: PoolConfig) -> Self {
        Self {
            config,
            pool: None,
            known: HashSet::new(),
            minted: Default::default(),
            opening: U256::ZERO,
            index: 0,
            report: ReplayReport::default(),
        }
    }

    /// The pool so far (None before the first event).
    pub fn pool(&self) -> Option<&Pool> {
        self.pool.as_ref()
    }

    /// The report so far.
    pub fn report(&self) -> &ReplayReport {
        &self.report
    }

    /// The final state and report.
    pub fn finish(self) -> Result<ReplayOutcome> {
        let pool = self.pool.ok_or(ClmmError::NotInitialized)?;
        Ok(ReplayOutcome { state: snapshot(&pool, self.opening), report: self.report })
    }

    fn diverge(&mut self, ev: &Event, detail: String) {
        self.report.divergence_count += 1;
        if self.report.divergences.len() < DIVERGENCES_MAX {
            self.report.divergences.push(Divergence {
                event_index: self.index,
                block: ev.block,
                kind: ev.kind,
                detail,
            });
        }
    }

    /// Applies all `events`.
    pub fn apply_all(&mut self, events: &[Event]) -> Result<()> {
        for ev in events {
            self.apply(ev)?;
        }
        Ok(())
    }

    /// Applies one event. Errors are only for unusable input (a first event without state);
    /// everything the pool refuses is reported as a divergence.
    pub fn apply(&mut self, ev: &Event) -> Result<()> {
        self.report.events += 1;
        let result = self.apply_inner(ev);
        self.index += 1;
        result
    }

    fn apply_inner(&mut self, ev: &Event) -> Result<()> {
        if self.pool.is_none() {
            return self.start(ev);
        }
        match ev.kind {
            EventKind::Initialize => {
                self.diverge(ev, "initialize of an initialized pool".into());
                Ok(())
            }
            EventKind::Mint => self.mint(ev),
            EventKind::Burn => self.burn(ev),
            EventKind::Collect => self.collect(ev),
            EventKind::Swap => self.swap(ev),
        }
    }

    fn start(&mut self, ev: &Event) -> Result<()> {
        if ev.kind == EventKind::Initialize {
            let price = ev.sqrt_price_x96.ok_or(ClmmError::Parse {
                line: self.index + 1,
                reason: "initialize without sqrt price".into(),
            })?;
            let mut pool = Pool::new(self.config);
            pool.initialize(price, ev.time)?;
            self.pool = Some(pool);
            return Ok(());
        }
        let (Some(price), Some(tick), Some(liquidity)) =
            (ev.sqrt_price_x96, ev.tick, ev.pool_liquidity)
        else {
            return Err(ClmmError::Parse {
                line: self.index + 1,
                reason: "the first event must be initialize or carry the pool's state".into(),
            });
        };
        let mut pool = Pool::from_recorded_state(self.config, price, tick, liquidity, ev.time)?;
        self.opening = U256::from(1u8) << 128;
        pool.credit_balances(self.opening, self.opening);
        self.pool = Some(pool);
        self.report.bootstrapped = true;
        if ev.kind == EventKind::Swap {
            self.report.swaps += 1;
            self.report.swaps_unchecked += 1;
        }
        Ok(())
    }

    fn pool_mut(&mut self) -> &mut Pool {
        self.pool.as_mut().expect("invariant: the pool exists after the first event")
    }

    fn mint(&mut self, ev: &Event) -> Result<()> {
        self.report.mints += 1;
        let r = self.pool_mut().mint(ev.owner, ev.tick_lower, ev.tick_upper, ev.liquidity, ev.time);
        if r.is_ok() {
            self.minted.insert(crate::position::PositionKey {
                owner: ev.owner,
                tick_lower: ev.tick_lower,
                tick_upper: ev.tick_upper,
            });
        }
        match r {
            Ok((a0, a1)) => {
                if a0 != ev.amount0.unsigned_abs() || a1 != ev.amount1.unsigned_abs() {
                    self.diverge(
                        ev,
                        format!(
                            "mint amounts recorded ({}, {}) replayed ({a0}, {a1})",
                            ev.amount0, ev.amount1
                        ),
                    );
                }
            }
            Err(e) => self.diverge(ev, format!("mint refused: {e}")),
        }
        Ok(())
    }

    fn burn(&mut self, ev: &Event) -> Result<()> {
        self.report.burns += 1;
        let bootstrapped = self.report.bootstrapped;
        let mut held = self
            .pool_mut()
            .position(ev.owner, ev.tick_lower, ev.tick_upper)
            .map_or(0, |p| p.liquidity);
        if held < ev.liquidity
            && let Some(from) = self.proxy_position(ev, ev.liquidity - held)
        {
            // demeter's CSV records the caller of `mint`, which may be a proxy minting for the
            // burner: the liquidity moves to the burner (ticks and nets are unchanged).
            let missing = ev.liquidity - held;
            match self.pool_mut().move_position_liquidity(from, ev.owner, missing) {
                Ok(()) => {
                    self.report.proxy_mints += 1;
                    held += missing;
                }
                Err(e) => self.diverge(ev, format!("proxy move refused: {e}")),
            }
        }
        if bootstrapped && held < ev.liquidity {
            let missing = ev.liquidity - held;
            let time = ev.time;
            if let Err(e) = self.pool_mut().adopt_position(
                ev.owner,
                ev.tick_lower,
                ev.tick_upper,
                missing,
                time,
            ) {
                self.diverge(ev, format!("adoption refused: {e}"));
                return Ok(());
            }
            self.report.positions_adopted += 1;
        }
        if ev.liquidity == 0 && held == 0 && bootstrapped {
            // A poke of a position from before the history: nothing the replay can credit.
            return Ok(());
        }
        match self.pool_mut().burn(ev.owner, ev.tick_lower, ev.tick_upper, ev.liquidity, ev.time) {
            Ok((a0, a1)) => {
                if a0 != ev.amount0.unsigned_abs() || a1 != ev.amount1.unsigned_abs() {
                    self.diverge(
                        ev,
                        format!(
                            "burn amounts recorded ({}, {}) replayed ({a0}, {a1})",
                            ev.amount0, ev.amount1
                        ),
                    );
                }
            }
            Err(e) => self.diverge(ev, format!("burn refused: {e}")),
        }
        Ok(())
    }

    /// A position on the burn's range, minted in the history by another address, holding at
    /// least `missing` liquidity (an exact amount first, else the largest).
    fn proxy_position(&self, ev: &Event, missing: u128) -> Option<crate::position::PositionKey> {
        let pool = self.pool.as_ref()?;
        let mut best: Option<(crate::position::PositionKey, u128)> = None;
        for key in &self.minted {
            if key.tick_lower != ev.tick_lower
                || key.tick_upper != ev.tick_upper
                || key.owner == ev.owner
            {
                continue;
            }
            let l =
                pool.position(key.owner, key.tick_lower, key.tick_upper).map_or(0, |p| p.liquidity);
            if l < missing {
                continue;
            }
            if l == missing {
                return Some(*key);
            }
            if best.is_none_or(|(k, b)| l > b || (l == b && *key < k)) {
                best = Some((*key, l));
            }
        }
        best.map(|(k, _)| k)
    }

    fn collect(&mut self, ev: &Event) -> Result<()> {
        self.report.collects += 1;
        let want0 = u128::try_from(ev.amount0.unsigned_abs()).unwrap_or(u128::MAX);
        let want1 = u128::try_from(ev.amount1.unsigned_abs()).unwrap_or(u128::MAX);
        let (owed0, owed1) = self
            .pool_mut()
            .position(ev.owner, ev.tick_lower, ev.tick_upper)
            .map_or((0, 0), |p| (p.tokens_owed0, p.tokens_owed1));
        if want0 > owed0 || want1 > owed1 {
            let (c0, c1) = (want0.saturating_sub(owed0), want1.saturating_sub(owed1));
            if self.report.bootstrapped {
                // Fees earned before the history: credited so the collect can pay them.
                let pool = self.pool_mut();
                pool.credit_owed(ev.owner, ev.tick_lower, ev.tick_upper, c0, c1);
                pool.credit_balances(U256::from(c0), U256::from(c1));
                self.report.collects_credited += 1;
            } else {
                self.diverge(
                    ev,
                    format!("collect of ({want0}, {want1}) above owed ({owed0}, {owed1})"),
                );
            }
        }
        if let Err(e) =
            self.pool_mut().collect(ev.owner, ev.tick_lower, ev.tick_upper, want0, want1)
        {
            self.diverge(ev, format!("collect refused: {e}"));
        }
        Ok(())
    }

    fn trials(ev: &Event) -> Option<[Trial; TRIALS]> {
        let (a0, a1) = (ev.amount0, ev.amount1);
        let zero_for_one = if a0.is_positive() {
            true
        } else if a1.is_positive() {
            false
        } else {
            return None;
        };
        let (amount_in, amount_out) = if zero_for_one { (a0, a1) } else { (a1, a0) };
        let far =
            if zero_for_one { MIN_SQRT_RATIO + U256::ONE } else { MAX_SQRT_RATIO - U256::ONE };
        let recorded_limit = ev.sqrt_price_x96.unwrap_or(far);
        let out = if amount_out.is_negative() { amount_out } else { I256::ZERO };
        // A swap stopped by its price limit with input or output left over: any larger amount
        // with the recorded price as the limit reproduces it.
        let unbounded = I256::MAX;
        Some([
            (zero_for_one, amount_in, far),
            (zero_for_one, out, far),
            (zero_for_one, amount_in, recorded_limit),
            (zero_for_one, -unbounded, recorded_limit),
            (zero_for_one, unbounded, recorded_limit),
        ])
    }

    fn matches(ev: &Event, r: &SwapResult) -> bool {
        r.amount0 == ev.amount0
            && r.amount1 == ev.amount1
            && ev.sqrt_price_x96.is_none_or(|p| p == r.sqrt_price_x96)
            && ev.tick.is_none_or(|t| t == r.tick)
            && ev.pool_liquidity.is_none_or(|l| l == r.liquidity)
    }

    /// Plans the trials; returns the index and plan of the first exact match.
    fn first_match(
        &self,
        ev: &Event,
        trials: &[Trial; TRIALS],
    ) -> Option<(usize, crate::pool::SwapPlan)> {
        let pool = self.pool.as_ref().expect("invariant: the pool exists after the first event");
        trials.iter().enumerate().find_map(|(i, &(z, amount, limit))| {
            if amount.is_zero() {
                return None;
            }
            let plan = pool.plan_swap_at(z, amount, limit, ev.time).ok()?;
            Self::matches(ev, plan.result()).then_some((i, plan))
        })
    }

    fn swap(&mut self, ev: &Event) -> Result<()> {
        self.report.swaps += 1;
        let Some(trials) = Self::trials(ev) else {
            self.diverge(ev, "swap with no positive amount".into());
            return Ok(());
        };
        if self.report.bootstrapped {
            self.learn_crossings(ev, &trials)?;
        }
        if let Some((i, plan)) = self.first_match(ev, &trials) {
            return self.swap_matched(ev, i, &plan);
        }
        let (z, amount, limit) = trials[0];
        match self.pool_mut().swap(z, amount, limit, ev.time) {
            Ok(r) => {
                self.diverge(
                    ev,
                    format!(
                        "swap recorded amounts ({}, {}) price {:?} tick {:?} liquidity {:?}; replayed ({}, {}) price {} tick {} liquidity {}",
                        ev.amount0,
                        ev.amount1,
                        ev.sqrt_price_x96.map(|p| p.to_string()),
                        ev.tick,
                        ev.pool_liquidity,
                        r.amount0,
                        r.amount1,
                        r.sqrt_price_x96,
                        r.tick,
                        r.liquidity
                    ),
                );
                self.resync(ev);
            }
            Err(e) => {
                self.diverge(ev, format!("swap refused: {e}"));
                self.resync(ev);
            }
        }
        Ok(())
    }

    /// Commits trial `i`'s plan, which matches the record.
    fn swap_matched(&mut self, ev: &Event, i: usize, plan: &crate::pool::SwapPlan) -> Result<()> {
        let recorded =
            ev.sqrt_price_x96.is_some() || ev.tick.is_some() || ev.pool_liquidity.is_some();
        self.pool_mut().commit_swap(plan, ev.time)?;
        if i == 1 || i == 3 {
            self.report.swaps_exact_output += 1;
        }
        if recorded {
            self.report.swaps_exact += 1;
        } else {
            self.report.swaps_unchecked += 1;
        }
        Ok(())
    }

    fn resync(&mut self, ev: &Event) {
        if let (Some(p), Some(t), Some(l)) = (ev.sqrt_price_x96, ev.tick, ev.pool_liquidity) {
            self.pool_mut().resync(p, t, l);
            self.report.resyncs += 1;
        }
    }

    /// Bootstrap: seeds the liquidity nets of unknown ticks that this swap crosses.
    fn learn_crossings(&mut self, ev: &Event, trials: &[Trial; TRIALS]) -> Result<()> {
        let (Some(tick_after), Some(liquidity_after)) = (ev.tick, ev.pool_liquidity) else {
            return Ok(());
        };
        let zero_for_one = trials[0].0;
        let pool = self.pool.as_ref().expect("invariant: the pool exists after the first event");
        let spacing = pool.config().tick_spacing;
        let tick_now = pool.tick();
        let crossed = crossed_ticks(tick_now, tick_after, spacing, zero_for_one);
        if crossed.is_empty() {
            return Ok(());
        }
        let mut residual = i128::try_from(liquidity_after).unwrap_or(i128::MAX)
            - i128::try_from(pool.liquidity()).unwrap_or(i128::MAX);
        let mut unknown = Vec::new();
        for &b in &crossed {
            if self.known.contains(&b) {
                let net = pool.tick_info(b).map_or(0, |t| t.liquidity_net);
                residual -= if zero_for_one { -net } else { net };
            } else {
                unknown.push(b);
            }
        }
        if unknown.is_empty() {
            return Ok(());
        }
        // Signed liquidity change when crossing in the swap's direction: net going up, -net down.
        let sign: i128 = if zero_for_one { -1 } else { 1 };
        let time = ev.time;
        let k = unknown.len();
        // 1. The whole residual at one unknown tick (or nothing anywhere), the others zero; first
        //    leaving zero-net ticks uninitialized, then initialized (a tick with gross liquidity
        //    but zero net splits a swap step and can change a rounding).
        let targets: Vec<Option<usize>> =
            if residual == 0 { vec![None] } else { (0..k).map(Some).collect() };
        for init_all in [false, true] {
            for &target in &targets {
                let nets: Vec<i128> =
                    (0..k).map(|i| if Some(i) == target { sign * residual } else { 0 }).collect();
                if self.try_assignment(ev, trials, &unknown, &nets, init_all, time)? {
                    return Ok(());
                }
            }
        }
        // 2. Two of the unknown ticks carry the residual (the others zero): the liquidity between
        //    them is found by bisection on the final price, for the exact-input and the
        //    exact-output reading of the event; every pair is tried (up to a bound).
        if (2..=UNKNOWN_PAIRS_MAX_TICKS).contains(&k) {
            for a in 0..k {
                for b in a + 1..k {
                    if self.bisect_pair(
                        ev,
                        trials,
                        &crossed,
                        &unknown,
                        (a, b),
                        residual,
                        sign,
                        time,
                    )? {
                        return Ok(());
                    }
                }
            }
        }
        // No assignment reproduces the swap: keep the residual at the last crossed unknown tick
        // (so the liquidity after the swap is right) without marking anything learned.
        let nets: Vec<i128> =
            (0..k).map(|i| if i + 1 == k { sign * residual } else { 0 }).collect();
        let _ = self.seed_all(&unknown, &nets, false, time)?;
        Ok(())
    }

    /// Seeds `nets` (total nets, path order) on `unknown`; keeps them and marks the ticks learned
    /// if the swap then matches the record, otherwise undoes them.
    fn try_assignment(
        &mut self,
        ev: &Event,
        trials: &[Trial; TRIALS],
        unknown: &[i32],
        nets: &[i128],
        init_all: bool,
        time: u32,
    ) -> Result<bool> {
        let undo = self.seed_all(unknown, nets, init_all, time)?;
        if self.first_match(ev, trials).is_some() {
            self.known.extend(unknown.iter().copied());
            self.report.ticks_learned += unknown.len() as u64;
            return Ok(true);
        }
        self.unseed_all(undo)?;
        Ok(false)
    }

    /// Bisection for two of the unknown crossed ticks, `unknown[a]` before `unknown[b]` on the
    /// path, the other unknown ticks at zero: `m` is the in-range liquidity just after crossing
    /// `unknown[a]`; the residual fixes `unknown[b]`'s share. The final price is monotone in `m`.
    #[allow(clippy::too_many_arguments)]
    fn bisect_pair(
        &mut self,
        ev: &Event,
        trials: &[Trial; TRIALS],
        crossed: &[i32],
        unknown: &[i32],
        (a, b): (usize, usize),
        residual: i128,
        sign: i128,
        time: u32,
    ) -> Result<bool> {
        let Some(recorded) = ev.sqrt_price_x96 else { return Ok(false) };
        let pool = self.pool.as_ref().expect("invariant: the pool exists after the first event");
        // Liquidity just before unknown[a]: current liquidity plus the known ticks crossed before
        // it (unknown ones count zero in this assignment).
        let mut before = i128::try_from(pool.liquidity()).unwrap_or(i128::MAX);
        for &t in crossed.iter().take_while(|&&t| t != unknown[a]) {
            if !unknown.contains(&t) {
                before += sign * pool.tick_info(t).map_or(0, |i| i.liquidity_net);
            }
        }
        let k = unknown.len();
        let nets_for = |m: i128| -> Vec<i128> {
            let c = m - before;
            (0..k)
                .map(|i| {
                    if i == a {
                        sign * c
                    } else if i == b {
                        sign * (residual - c)
                    } else {
                        0
                    }
                })
                .collect()
        };
        let up = sign > 0;
        for trial in [0usize, 1] {
            let (z, amount, limit) = trials[trial];
            if amount.is_zero() {
                continue;
            }
            // P(m): m is at most the true value (the plan fails, or the price went at least as
            // far as recorded). Largest m with P true, by bisection over [0, 2^100].
            let (mut lo, mut hi) = (0i128, 1i128 << 100);
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                let undo = self.seed_all(unknown, &nets_for(mid), true, time)?;
                let p = self.pool.as_ref().expect("invariant: pool exists");
                let far = match p.plan_swap_at(z, amount, limit, ev.time) {
                    Err(_) => true,
                    Ok(plan) => {
                        let price = plan.result().sqrt_price_x96;
                        if up { price >= recorded } else { price <= recorded }
                    }
                };
                self.unseed_all(undo)?;
                if far {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            for m in [lo, hi, lo - 1, hi + 1] {
                if m >= 0 && self.try_assignment(ev, trials, unknown, &nets_for(m), true, time)? {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    #[allow(clippy::type_complexity)]
    fn seed_all(
        &mut self,
        unknown: &[i32],
        nets: &[i128],
        init_all: bool,
        time: u32,
    ) -> Result<Vec<(i32, Option<crate::tick::TickInfo>, bool)>> {
        let mut undo = Vec::with_capacity(unknown.len());
        for (&b, &net) in unknown.iter().zip(nets) {
            let pool = self.pool_mut();
            let info = pool.tick_info(b);
            let initialized = info.is_some_and(|t| t.initialized);
            let delta = net - info.map_or(0, |t| t.liquidity_net);
            if delta == 0 && (initialized || !init_all) {
                continue;
            }
            let (prev, flipped) = pool.seed_tick(b, delta, time)?;
            undo.push((b, prev, flipped));
        }
        Ok(undo)
    }

    fn unseed_all(&mut self, undo: Vec<(i32, Option<crate::tick::TickInfo>, bool)>) -> Result<()> {
        for (b, prev, flipped) in undo.into_iter().rev() {
            self.pool_mut().unseed_tick(b, prev, flipped)?;
        }
        Ok(())
    }
}

/// The spaced ticks a swap from `tick_now` to `tick_after` crosses, in path order: moving down,
/// every multiple `b` of the spacing with `tick_after < b <= tick_now`; moving up,
/// `tick_now < b <= tick_after`.
fn crossed_ticks(tick_now: i32, tick_after: i32, spacing: i32, zero_for_one: bool) -> Vec<i32> {
    if zero_for_one {
        let first = crate::tick_bitmap::floor_div(tick_now, spacing) * spacing;
        (0..).map(|k| first - k * spacing).take_while(|&b| b > tick_after).collect()
    } else {
        let first = (crate::tick_bitmap::floor_div(tick_now, spacing) + 1) * spacing;
        (0..).map(|k| first + k * spacing).take_while(|&b| b <= tick_after).collect()
    }
}

/// Replays `events` for pools of `config`.
pub fn replay(config: PoolConfig, events: &[Event]) -> Result<ReplayOutcome> {
    let mut r = Replayer::new(config);
    r.apply_all(events)?;
    r.finish()
}

// ----- parsing -----------------------------------------------------------------------------

/// Bound on input lines, a limit against runaway inputs.
pub const EVENTS_MAX: usize = 50_000_000;

fn parse_err(line: usize, reason: impl Into<String>) -> ClmmError {
    ClmmError::Parse { line, reason: reason.into() }
}

fn parse_i256(s: &str, line: usize) -> Result<I256> {
    let s = s.trim();
    let s = s.strip_suffix(".0").unwrap_or(s);
    if s.is_empty() {
        return Ok(I256::ZERO);
    }
    I256::from_dec_str(s).map_err(|_| parse_err(line, format!("bad integer {s:?}")))
}

fn parse_u256(s: &str, line: usize) -> Result<U256> {
    let s = s.trim();
    let s = s.strip_suffix(".0").unwrap_or(s);
    U256::from_str_radix(s, 10).map_err(|_| parse_err(line, format!("bad unsigned integer {s:?}")))
}

fn parse_u128(s: &str, line: usize) -> Result<u128> {
    let s = s.trim();
    let s = s.strip_suffix(".0").unwrap_or(s);
    s.parse().map_err(|_| parse_err(line, format!("bad u128 {s:?}")))
}

fn parse_i32(s: &str, line: usize) -> Result<i32> {
    let s = s.trim();
    let s = s.strip_suffix(".0").unwrap_or(s);
    s.parse().map_err(|_| parse_err(line, format!("bad tick {s:?}")))
}

fn parse_address(s: &str, line: usize) -> Result<Address> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(Address::ZERO);
    }
    s.parse().map_err(|_| parse_err(line, format!("bad address {s:?}")))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's civil algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parses a time as unix seconds or `YYYY-MM-DD HH:MM:SS` (UTC).
fn parse_time(s: &str, line: usize) -> Result<u32> {
    let s = s.trim();
    if let Ok(t) = s.parse::<u32>() {
        return Ok(t);
    }
    let bad = || parse_err(line, format!("bad time {s:?}"));
    let (date, clock) = s.split_once([' ', 'T']).ok_or_else(bad)?;
    let d: Vec<i64> = date
        .split('-')
        .map(|x| x.parse::<i64>())
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| bad())?;
    let c: Vec<i64> = clock
        .trim_end_matches('Z')
        .split(':')
        .map(|x| x.parse::<i64>())
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| bad())?;
    if d.len() != 3 || c.len() != 3 {
        return Err(bad());
    }
    let secs = days_from_civil(d[0], d[1], d[2]) * 86_400 + c[0] * 3600 + c[1] * 60 + c[2];
    u32::try_from(secs).map_err(|_| bad())
}

/// Parses the demeter-fetch CSV layout (see the module docs).
pub fn parse_csv(text: &str) -> Result<Vec<Event>> {
    let mut lines = text.lines().enumerate();
    let (_, header) = lines.next().ok_or_else(|| parse_err(1, "empty input"))?;
    let cols: Vec<&str> = header.split(',').map(str::trim).collect();
    let col = |name: &str| {
        cols.iter()
            .position(|c| *c == name)
            .ok_or_else(|| parse_err(1, format!("missing column {name}")))
    };
    let (c_block, c_time, c_type) =
        (col("block_number")?, col("block_timestamp")?, col("tx_type")?);
    let (c_sender, c_a0, c_a1) = (col("sender")?, col("amount0")?, col("amount1")?);
    let (c_tl, c_price, c_tick) =
        (col("total_liquidity")?, col("sqrtPriceX96")?, col("current_tick")?);
    let (c_lower, c_upper, c_liq) = (col("tick_lower")?, col("tick_upper")?, col("liquidity")?);
    let mut events = Vec::new();
    for (i, raw) in lines {
        let line = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        if events.len() >= EVENTS_MAX {
            return Err(parse_err(line, "too many events"));
        }
        let f: Vec<&str> = raw.split(',').collect();
        let get = |c: usize| f.get(c).copied().unwrap_or("");
        let kind = match get(c_type).trim() {
            "SWAP" => EventKind::Swap,
            "MINT" => EventKind::Mint,
            "BURN" => EventKind::Burn,
            "COLLECT" => EventKind::Collect,
            "INITIALIZE" => EventKind::Initialize,
            other => return Err(parse_err(line, format!("unknown tx_type {other:?}"))),
        };
        let positional = kind != EventKind::Swap && kind != EventKind::Initialize;
        events.push(Event {
            block: get(c_block).trim().parse().unwrap_or(0),
            time: parse_time(get(c_time), line)?,
            kind,
            owner: parse_address(get(c_sender), line)?,
            tick_lower: if positional { parse_i32(get(c_lower), line)? } else { 0 },
            tick_upper: if positional { parse_i32(get(c_upper), line)? } else { 0 },
            liquidity: if positional && kind != EventKind::Collect {
                parse_u128(get(c_liq), line)?
            } else {
                0
            },
            amount0: parse_i256(get(c_a0), line)?,
            amount1: parse_i256(get(c_a1), line)?,
            // demeter's post-state columns are exact after swaps; after mints and burns they may
            // lag (taken before the event), so only swaps and initializations carry them.
            sqrt_price_x96: if positional { None } else { Some(parse_u256(get(c_price), line)?) },
            tick: if positional { None } else { Some(parse_i32(get(c_tick), line)?) },
            pool_liquidity: if positional { None } else { Some(parse_u128(get(c_tl), line)?) },
        });
    }
    Ok(events)
}

/// Parses JSON Lines (see the module docs).
pub fn parse_jsonl(text: &str) -> Result<Vec<Event>> {
    let mut events = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        if events.len() >= EVENTS_MAX {
            return Err(parse_err(line, "too many events"));
        }
        let v: serde_json::Value =
            serde_json::from_str(raw).map_err(|e| parse_err(line, e.to_string()))?;
        let s = |k: &str| -> Option<String> {
            match v.get(k)? {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            }
        };
        let kind = match s("type").as_deref() {
            Some("initialize") => EventKind::Initialize,
            Some("mint") => EventKind::Mint,
            Some("burn") => EventKind::Burn,
            Some("collect") => EventKind::Collect,
            Some("swap") => EventKind::Swap,
            other => return Err(parse_err(line, format!("unknown type {other:?}"))),
        };
        let opt_i32 = |k: &str| s(k).map(|x| parse_i32(&x, line)).transpose();
        events.push(Event {
            block: s("block").and_then(|b| b.parse().ok()).unwrap_or(0),
            time: parse_time(&s("time").unwrap_or_else(|| "0".into()), line)?,
            kind,
            owner: parse_address(&s("owner").unwrap_or_default(), line)?,
            tick_lower: opt_i32("tick_lower")?.unwrap_or(0),
            tick_upper: opt_i32("tick_upper")?.unwrap_or(0),
            liquidity: s("amount").map(|x| parse_u128(&x, line)).transpose()?.unwrap_or(0),
            amount0: parse_i256(&s("amount0").unwrap_or_default(), line)?,
            amount1: parse_i256(&s("amount1").unwrap_or_default(), line)?,
            sqrt_price_x96: s("sqrt_price_x96").map(|x| parse_u256(&x, line)).transpose()?,
            tick: opt_i32("tick")?,
            pool_liquidity: s("liquidity").map(|x| parse_u128(&x, line)).transpose()?,
        });
    }
    Ok(events)
}

/// Parses CSV or JSON Lines, whichever the text looks like.
pub fn parse_events(text: &str) -> Result<Vec<Event>> {
    if text.trim_start().starts_with('{') { parse_jsonl(text) } else { parse_csv(text) }
}

/// Renders events as JSON Lines in the format [`parse_jsonl`] reads.
pub fn to_jsonl(events: &[Event]) -> String {
    let mut out = String::new();
    for e in events {
        let kind = match e.kind {
            EventKind::Initialize => "initialize",
            EventKind::Mint => "mint",
            EventKind::Burn => "burn",
            EventKind::Collect => "collect",
            EventKind::Swap => "swap",
        };
        let mut v = serde_json::json!({
            "type": kind, "block": e.block, "time": e.time,
            "amount0": e.amount0.to_string(), "amount1": e.amount1.to_string(),
            "owner": e.owner.to_string(),
        });
        if e.kind != EventKind::Swap && e.kind != EventKind::Initialize {
            v["tick_lower"] = serde_json::json!(e.tick_lower);
            v["tick_upper"] = serde_json::json!(e.tick_upper);
            v["amount"] = serde_json::json!(e.liquidity.to_string());
        }
        if let Some(p) = e.sqrt_price_x96 {
            v["sqrt_price_x96"] = serde_json::json!(p.to_string());
        }
        if let Some(t) = e.tick {
            v["tick"] = serde_json::json!(t);
        }
        if let Some(l) = e.pool_liquidity {
            v["liquidity"] = serde_json::json!(l.to_string());
        }
        out.push_str(&v.to_string());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_as_utc() {
        // 2024-01-01T00:00:00Z is 1,704,067,200.
        assert_eq!(parse_time("2024-01-05 00:00:23", 1).unwrap(), 1_704_067_200 + 4 * 86_400 + 23);
        assert_eq!(parse_time("2024-01-05T00:00:23Z", 1).unwrap(), 1_704_412_823);
        assert_eq!(parse_time("1704412823", 1).unwrap(), 1_704_412_823);
        assert_eq!(parse_time("1970-01-01 00:00:00", 1).unwrap(), 0);
        assert!(parse_time("yesterday", 1).is_err());
    }

    #[test]
    fn crossed_ticks_follow_the_contracts_tick_convention() {
        // Down from 199,045 to 199,019: 199,040, 199,030, 199,020 are crossed.
        assert_eq!(crossed_ticks(199_045, 199_019, 10, true), vec![199_040, 199_030, 199_020]);
        // Ending one below a boundary after crossing it down counts it; staying at it does not.
        assert_eq!(crossed_ticks(199_045, 199_039, 10, true), vec![199_040]);
        assert_eq!(crossed_ticks(199_045, 199_040, 10, true), Vec::<i32>::new());
        // Up: boundaries in (now, after].
        assert_eq!(crossed_ticks(199_039, 199_040, 10, false), vec![199_040]);
        assert_eq!(crossed_ticks(-15, 5, 10, false), vec![-10, 0]);
        assert_eq!(crossed_ticks(-5, -25, 10, true), vec![-10, -20]);
    }

    #[test]
    fn parse_errors_name_the_line() {
        let e = parse_jsonl("{\"type\":\"swap\"}\n{\"type\":\"teleport\"}\n").unwrap_err();
        assert!(matches!(e, ClmmError::Parse { line: 2, .. }), "{e:?}");
        let e = parse_csv("block_number,nothing\n1,2\n").unwrap_err();
        assert!(matches!(e, ClmmError::Parse { line: 1, .. }), "{e:?}");
    }
}
