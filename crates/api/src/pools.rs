//! The engine's pools as the JSON API and the dashboard show them: a pool's summary (tokens
//! with their symbols and decimals, flavour, fee, price, liquidity, reserves), its liquidity by
//! tick around the current price, and its recent swaps from the store's event index.
//!
//! Every read is bounded: the tick window walks the pool's bitmap at most
//! [`TICK_WINDOW_MAX`] ticks each way and returns at most [`TICKS_SIDE_MAX`] initialized ticks
//! on each side of the price; a page of swaps is at most [`SWAPS_PAGE_MAX`] events (and as many
//! block reads, for their times). Amounts stay exact; prices for people come from
//! [`crate::display::price_of_sqrt`], in integers.

use alloy_primitives::{Address, B256, I256, U256};
use alloy_sol_types::SolEvent;
use hoard_clmm::{
    Pool, PoolStorage,
    math::tick_math::{MAX_TICK, MIN_TICK},
};
use hoard_core::{
    Engine, event,
    facets::pools::{self, state::PoolMeta},
};
use hoard_store::{EventCursor, EventFilter, Store, StoreError};

use crate::display::price_of_sqrt;

/// Ticks the window reaches each way from the current tick by default: about a factor of 10
/// in price (1.0001^23,027 is 10.0).
pub const TICK_WINDOW_DEFAULT: u32 = 23_027;
/// The widest window: the whole tick range from any tick.
pub const TICK_WINDOW_MAX: u32 = (MAX_TICK - MIN_TICK) as u32;
/// Initialized ticks listed on each side of the price by default.
pub const TICKS_SIDE_DEFAULT: usize = 50;
/// Most initialized ticks listed on each side of the price.
pub const TICKS_SIDE_MAX: usize = 250;
/// Swaps on a page by default.
pub const SWAPS_PAGE_DEFAULT: usize = 25;
/// Most swaps on a page.
pub const SWAPS_PAGE_MAX: usize = 100;

/// A pool's summary at the committed head.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolInfo {
    /// Its id.
    pub id: u32,
    /// The address its events come from.
    pub address: Address,
    /// Its configuration and tokens.
    pub meta: PoolMeta,
    /// Token 0's symbol and decimals.
    pub symbol0: String,
    /// Decimals of token 0.
    pub decimals0: u8,
    /// Token 1's symbol.
    pub symbol1: String,
    /// Decimals of token 1.
    pub decimals1: u8,
    /// The flavour's stable name.
    pub flavour: &'static str,
    /// The current fee in pips (Algebra's adaptive fee as last set).
    pub fee: u32,
    /// `slot0.sqrtPriceX96`.
    pub sqrt_price_x96: U256,
    /// `slot0.tick`.
    pub tick: i32,
    /// In-range liquidity.
    pub liquidity: u128,
    /// Token 0 held by the pool, base units.
    pub balance0: U256,
    /// Token 1 held.
    pub balance1: U256,
}

impl PoolInfo {
    /// `SYMBOL0/SYMBOL1`.
    pub fn pair(&self) -> String {
        format!("{}/{}", self.symbol0, self.symbol1)
    }
    /// Token 1 per token 0 in whole tokens (or token 0 per token 1 when `invert`).
    pub fn price(&self, invert: bool) -> String {
        self.price_at(self.sqrt_price_x96, invert)
    }
    /// The same at another sqrt price (a tick's, a swap's).
    pub fn price_at(&self, sqrt_price_x96: U256, invert: bool) -> String {
        price_of_sqrt(sqrt_price_x96, self.decimals0, self.decimals1, invert)
    }
    /// The human price at a tick.
    pub fn price_at_tick(&self, tick: i32) -> String {
        hoard_clmm::math::tick_math::get_sqrt_ratio_at_tick(tick)
            .map(|s| self.price_at(s, false))
            .unwrap_or_default()
    }
}

/// Pool `id` at the committed state, `None` when there is none.
pub fn info(engine: &Engine, id: u32) -> Option<PoolInfo> {
    let meta = pools::pool(engine.state(), id)?;
    let view = pools::view(engine.state(), id)?;
    let asset = |t: &Address| engine.asset(t).map(|a| (a.symbol, a.decimals)).unwrap_or_default();
    let ((symbol0, decimals0), (symbol1, decimals1)) = (asset(&meta.token0), asset(&meta.token1));
    let (balance0, balance1) = view.balances();
    Some(PoolInfo {
        id,
        address: pools::pool_address(id),
        meta,
        symbol0,
        decimals0,
        symbol1,
        decimals1,
        flavour: pools::flavour_name(meta.flavour),
        fee: view.fee(),
        sqrt_price_x96: view.sqrt_price_x96(),
        tick: view.tick(),
        liquidity: view.liquidity(),
        balance0,
        balance1,
    })
}

/// Every pool, by id.
pub fn infos(engine: &Engine) -> Vec<PoolInfo> {
    pools::pools(engine.state()).into_iter().filter_map(|(id, _)| info(engine, id)).collect()
}

/// One initialized tick of a window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TickRow {
    /// The tick.
    pub tick: i32,
    /// Liquidity added when the price crosses it upwards (`liquidityNet`).
    pub liquidity_net: i128,
    /// Liquidity of the positions bounded by it (`liquidityGross`).
    pub liquidity_gross: u128,
    /// The active liquidity from this tick up to the next initialized one (or the window's
    /// end): what a swap through that range trades against.
    pub liquidity_active: u128,
}

/// The liquidity by tick around the current price.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TickWindow {
    /// The current tick.
    pub tick: i32,
    /// The in-range liquidity (that of the range holding the current tick).
    pub liquidity: u128,
    /// The lowest tick walked to.
    pub lower: i32,
    /// The highest tick walked to.
    pub upper: i32,
    /// The active liquidity below the first row.
    pub liquidity_below: u128,
    /// Initialized ticks in the window, ascending, at most `side` each side of the price.
    pub rows: Vec<TickRow>,
    /// Whether initialized ticks below the first row were left out (the side was full).
    pub more_below: bool,
    /// Whether initialized ticks above the last row were left out.
    pub more_above: bool,
}

/// A tick whose `liquidityNet` takes the running liquidity out of `uint128`: the pool's
/// invariant (the active liquidity is the sum of the nets below the price) is broken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invariant: the liquidity net of tick {tick} takes the active liquidity out of range")]
pub struct BrokenLiquidity {
    /// The tick.
    pub tick: i32,
}

/// The initialized ticks within `window` ticks of the current one, at most `side` on each
/// side (both clamped to their maxima), with the active liquidity of each range between them:
/// walking up from the current range, each tick crossed adds its `liquidityNet`; walking down,
/// each removes it.
pub fn tick_window<S: PoolStorage>(
    pool: &Pool<S>,
    window: u32,
    side: usize,
) -> Result<TickWindow, BrokenLiquidity> {
    let window = window.min(TICK_WINDOW_MAX) as i32;
    let side = side.min(TICKS_SIDE_MAX);
    let (tick, liquidity) = (pool.tick(), pool.liquidity());
    let lower = tick.saturating_sub(window).max(MIN_TICK);
    let upper = tick.saturating_add(window).min(MAX_TICK);
    // One more than the side asks for tells whether the side was cut.
    let mut down = pool.initialized_ticks_from(tick, true, lower, side + 1);
    let mut up = pool.initialized_ticks_from(tick, false, upper, side + 1);
    let (more_below, more_above) = (down.len() > side, up.len() > side);
    down.truncate(side);
    up.truncate(side);
    let mut rows = Vec::with_capacity(down.len() + up.len());
    let mut active = liquidity;
    for (t, info) in &down {
        rows.push(TickRow {
            tick: *t,
            liquidity_net: info.liquidity_net,
            liquidity_gross: info.liquidity_gross,
            liquidity_active: active,
        });
        active = info
            .liquidity_net
            .checked_neg()
            .and_then(|n| active.checked_add_signed(n))
            .ok_or(BrokenLiquidity { tick: *t })?;
    }
    let liquidity_below = active;
    rows.reverse();
    let mut active = liquidity;
    for (t, info) in &up {
        active =
            active.checked_add_signed(info.liquidity_net).ok_or(BrokenLiquidity { tick: *t })?;
        rows.push(TickRow {
            tick: *t,
            liquidity_net: info.liquidity_net,
            liquidity_gross: info.liquidity_gross,
            liquidity_active: active,
        });
    }
    Ok(TickWindow { tick, liquidity, lower, upper, liquidity_below, rows, more_below, more_above })
}

/// One `Swap` event of a pool, with its block's time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SwapRow {
    /// Block height.
    pub height: u64,
    /// Position of its transaction in the block.
    pub tx_index: u32,
    /// Position of the log in the block.
    pub log_index: u32,
    /// Its transaction.
    pub tx_hash: B256,
    /// Its block's time.
    pub time_s: u64,
    /// Who swapped.
    pub sender: Address,
    /// Who received the output.
    pub recipient: Address,
    /// Token 0 into the pool (negative: out of it), base units.
    pub amount0: I256,
    /// Token 1 into the pool (negative: out of it).
    pub amount1: I256,
    /// The price after.
    pub sqrt_price_x96: U256,
    /// The in-range liquidity after.
    pub liquidity: u128,
    /// The tick after.
    pub tick: i32,
}

/// A page of pool `id`'s swaps, newest first, at most `limit` (clamped to
/// `1..=`[`SWAPS_PAGE_MAX`]), from the store's event index (emitter: the pool's address,
/// topic0: `Swap`), no later than `to_height` (the committed head, which the store may be
/// ahead of) and strictly before the cursor `before`. Blocking: store queries.
pub fn swaps(
    store: &dyn Store,
    id: u32,
    to_height: u64,
    before: Option<EventCursor>,
    limit: usize,
) -> Result<(Vec<SwapRow>, Option<EventCursor>), StoreError> {
    let filter = EventFilter {
        to_height: Some(to_height),
        addresses: vec![pools::pool_address(id).0.0],
        topics: [Some(vec![event::Swap::SIGNATURE_HASH.0]), None, None, None],
        ..EventFilter::default()
    };
    let (events, next) = store.events(&filter, before, true, limit.clamp(1, SWAPS_PAGE_MAX))?;
    let mut times: Vec<(u64, u64)> = Vec::new();
    let mut rows = Vec::with_capacity(events.len());
    for e in &events {
        let topics = e.topics.iter().map(|t| B256::from(*t));
        let Ok(s) = event::Swap::decode_raw_log(topics, &e.data) else {
            tracing::warn!(height = e.height, log = e.log_index, "a Swap log does not decode");
            continue;
        };
        let time_s = match times.iter().find(|(h, _)| *h == e.height) {
            Some((_, t)) => *t,
            None => {
                let t = store.block(e.height)?.map_or(0, |b| b.timestamp);
                times.push((e.height, t));
                t
            }
        };
        rows.push(SwapRow {
            height: e.height,
            tx_index: e.tx_index,
            log_index: e.log_index,
            tx_hash: B256::from(e.tx_hash),
            time_s,
            sender: s.sender,
            recipient: s.recipient,
            amount0: s.amount0,
            amount1: s.amount1,
            sqrt_price_x96: U256::from(s.sqrtPriceX96),
            liquidity: s.liquidity,
            tick: s.tick.as_i32(),
        });
    }
    Ok((rows, next))
}

#[cfg(test)]
mod tests {
    use hoard_clmm::{Flavour, PoolConfig};

    use super::*;

    fn pool(ranges: &[(i32, i32, u128)]) -> Pool {
        let mut p = Pool::new(PoolConfig::new(Flavour::UniswapV3, 3000, 60).expect("config"));
        p.initialize(U256::ONE << 96, 1).expect("initialize");
        for (i, (l, u, liquidity)) in ranges.iter().enumerate() {
            p.mint(Address::repeat_byte(i as u8 + 1), *l, *u, *liquidity, 1).expect("mint");
        }
        p
    }

    #[test]
    fn the_active_liquidity_is_the_sum_of_the_nets_below() {
        // Three positions around the price (tick 0): the active liquidity of each range is the
        // sum of the positions covering it, computed here from the ranges themselves.
        let ranges = [(-600, 600, 1_000u128), (-120, 180, 50), (300, 900, 7)];
        let p = pool(&ranges);
        let w = tick_window(&p, TICK_WINDOW_DEFAULT, TICKS_SIDE_DEFAULT).expect("window");
        let covering = |t: i32| -> u128 {
            ranges.iter().filter(|(l, u, _)| *l <= t && t < *u).map(|(_, _, x)| x).sum()
        };
        let ticks: Vec<i32> = w.rows.iter().map(|r| r.tick).collect();
        assert_eq!(ticks, vec![-600, -120, 180, 300, 600, 900]);
        for r in &w.rows {
            assert_eq!(r.liquidity_active, covering(r.tick), "tick {}", r.tick);
        }
        assert_eq!(w.liquidity, covering(0));
        assert_eq!(w.liquidity_below, 0);
        assert_eq!(w.rows.last().map(|r| r.liquidity_active), Some(0));
        assert!(!w.more_below && !w.more_above);
        assert_eq!(w.rows.iter().map(|r| r.liquidity_net).sum::<i128>(), 0);
    }

    #[test]
    fn the_window_and_the_side_bound_what_is_listed() {
        let ranges = [(-600, 600, 1_000u128), (-120, 180, 50), (300, 900, 7)];
        let p = pool(&ranges);
        // One tick each side: the nearest ones, and the rest flagged.
        let w = tick_window(&p, TICK_WINDOW_DEFAULT, 1).expect("window");
        assert_eq!(w.rows.iter().map(|r| r.tick).collect::<Vec<_>>(), vec![-120, 180]);
        assert!(w.more_below && w.more_above);
        // Below -120 the range [-600, -120) holds only the first position.
        assert_eq!(w.liquidity_below, 1_000);
        // 200 ticks each way: only -120 and 180.
        let w = tick_window(&p, 200, TICKS_SIDE_MAX).expect("window");
        assert_eq!(w.rows.iter().map(|r| r.tick).collect::<Vec<_>>(), vec![-120, 180]);
        assert_eq!((w.lower, w.upper), (-200, 200));
        assert!(!w.more_below && !w.more_above, "nothing beyond the side was cut");
        // No side at all.
        let w = tick_window(&p, TICK_WINDOW_MAX, 0).expect("window");
        assert!(w.rows.is_empty() && w.more_below && w.more_above);
        assert_eq!((w.lower, w.upper), (MIN_TICK, MAX_TICK));
    }
}
