//! The overview's charts: ICY supply, ICY minted and burned, and transactions over time, as
//! server-rendered SVG (readable without JavaScript; no chart library).
//!
//! Data: one summary per block (time, transaction count, ICY minted and burned: the `Transfer`
//! events of the ICY token from and to the zero address) for the newest [`CHART_BLOCKS_MAX`]
//! blocks, kept in memory ([`ChartCache`]) and extended as the head moves, so that a request
//! reads only the blocks it has not seen (at most [`CHART_LOAD_BLOCKS_MAX`] per request: new
//! blocks first, then older ones until the window is full). The supply of each period is the
//! committed supply walked back through the later mints and burns. The window is split into
//! [`CHART_PERIODS`] equal periods of time.

use std::{collections::VecDeque, sync::Mutex};

use alloy_primitives::{Address, U256};
use alloy_sol_types::SolEvent;
use hoard_core::event;
use hoard_store::{EventCursor, EventFilter, Store};

use super::{
    decode::{decode, log_of},
    render::{esc, w},
};
use crate::{
    display::{amount, count, iso_time},
    pools::{PoolInfo, TickWindow},
};

/// Blocks summarised for the charts (the newest ones).
pub const CHART_BLOCKS_MAX: usize = 4_096;
/// Blocks read from the store by one request to extend the summaries.
pub const CHART_LOAD_BLOCKS_MAX: usize = 256;
/// Periods each chart splits its window into.
pub const CHART_PERIODS: usize = 24;

/// What the charts keep of one block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct BlockPoint {
    height: u64,
    time_s: u64,
    txs: u32,
    minted: U256,
    burned: U256,
}

/// Summaries of consecutive blocks, oldest first.
#[derive(Debug, Default)]
struct Series {
    points: VecDeque<BlockPoint>,
}

impl Series {
    fn first_height(&self) -> Option<u64> {
        self.points.front().map(|p| p.height)
    }
    fn last_height(&self) -> Option<u64> {
        self.points.back().map(|p| p.height)
    }
}

/// The block summaries behind the charts, shared by every request of one application.
#[derive(Debug, Default)]
pub struct ChartCache {
    series: Mutex<Series>,
}

/// One period of a chart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Period {
    /// First second of the period.
    pub(crate) start_s: u64,
    /// Last second of the period.
    pub(crate) end_s: u64,
    /// Transactions in its blocks.
    pub(crate) txs: u64,
    /// ICY minted.
    pub(crate) minted: U256,
    /// ICY burned.
    pub(crate) burned: U256,
    /// ICY total supply at its end.
    pub(crate) supply: U256,
}

/// The data of the three charts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Charts {
    /// First and last block summarised.
    pub(crate) from_height: u64,
    /// Newest block summarised (the head).
    pub(crate) to_height: u64,
    /// ICY supply just before the first block of the window.
    pub(crate) supply_before: U256,
    /// The periods, oldest first.
    pub(crate) periods: Vec<Period>,
}

impl ChartCache {
    /// Extends the summaries to `head` (the committed view's height) and returns the charts;
    /// `supply` is the ICY total supply at `head`. Blocking: store queries.
    pub(crate) fn charts(
        &self,
        store: &dyn Store,
        icy: Address,
        head: u64,
        head_time_s: u64,
        supply: U256,
    ) -> Result<Charts, hoard_store::StoreError> {
        let mut series = self.series.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        extend(&mut series, store, icy, head)?;
        Ok(aggregate(&series.points, head, head_time_s, supply))
    }
}

/// Brings `series` up to `head` within [`CHART_LOAD_BLOCKS_MAX`] block reads: new blocks
/// first (or, if more are new than that, a fresh series ending at `head`), then older blocks
/// while the window has room.
fn extend(
    series: &mut Series,
    store: &dyn Store,
    icy: Address,
    head: u64,
) -> Result<(), hoard_store::StoreError> {
    let mut budget = CHART_LOAD_BLOCKS_MAX as u64;
    // A series that is ahead of the head (another view of the chain) or too far behind starts
    // over at the head.
    let behind = series.last_height().map(|last| head.checked_sub(last));
    match behind {
        Some(Some(gap)) if gap <= budget => {}
        None => {}
        _ => series.points.clear(),
    }
    let from = match series.last_height() {
        Some(last) => last + 1,
        None => head.saturating_sub(budget - 1),
    };
    if from <= head {
        let loaded = load(store, icy, from, head)?;
        budget -= loaded.len() as u64;
        series.points.extend(loaded);
    }
    // Older blocks, while the window and the budget have room.
    if let Some(first) = series.first_height() {
        let room = (CHART_BLOCKS_MAX - series.points.len().min(CHART_BLOCKS_MAX)) as u64;
        let n = room.min(budget).min(first);
        if n > 0 {
            let older = load(store, icy, first - n, first - 1)?;
            for p in older.into_iter().rev() {
                series.points.push_front(p);
            }
        }
    }
    while series.points.len() > CHART_BLOCKS_MAX {
        series.points.pop_front();
    }
    Ok(())
}

/// Summaries of the blocks `from..=to` (at most [`CHART_LOAD_BLOCKS_MAX`] blocks).
fn load(
    store: &dyn Store,
    icy: Address,
    from: u64,
    to: u64,
) -> Result<Vec<BlockPoint>, hoard_store::StoreError> {
    let mut points: Vec<BlockPoint> = Vec::new();
    let mut next = from;
    while next <= to {
        let want = usize::try_from(to - next + 1).unwrap_or(usize::MAX);
        let blocks = store.blocks_from(next, want.min(hoard_store::BLOCKS_FROM_MAX))?;
        let Some(last) = blocks.last().map(|b| b.height) else { break };
        points.extend(blocks.iter().filter(|b| b.height <= to).map(|b| BlockPoint {
            height: b.height,
            time_s: b.timestamp,
            txs: b.tx_count,
            minted: U256::ZERO,
            burned: U256::ZERO,
        }));
        next = last + 1;
    }
    let Some(first) = points.first().map(|p| p.height) else { return Ok(points) };
    let filter = EventFilter {
        from_height: Some(first),
        to_height: Some(to),
        addresses: vec![icy.0.0],
        topics: [Some(vec![event::Transfer::SIGNATURE_HASH.0]), None, None, None],
        account: Some([0u8; 20]),
    };
    let mut cursor: Option<EventCursor> = None;
    loop {
        let (events, next) = store.events(&filter, cursor, false, hoard_store::EVENTS_PAGE_MAX)?;
        for e in &events {
            let d = decode(&log_of(e.address, &e.topics, &e.data));
            let (Some(from), Some(to), Some(value)) = (d.from, d.to, d.amount) else { continue };
            let Some(p) = usize::try_from(e.height - first).ok().and_then(|i| points.get_mut(i))
            else {
                continue;
            };
            if from == Address::ZERO && to != Address::ZERO {
                p.minted = p.minted.saturating_add(value);
            } else if to == Address::ZERO && from != Address::ZERO {
                p.burned = p.burned.saturating_add(value);
            }
        }
        match next {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    Ok(points)
}

/// Splits the window of `points` into [`CHART_PERIODS`] periods of equal time.
fn aggregate(points: &VecDeque<BlockPoint>, head: u64, head_time_s: u64, supply: U256) -> Charts {
    let start_s = points.front().map_or(head_time_s, |p| p.time_s);
    let end_s = head_time_s.max(points.back().map_or(head_time_s, |p| p.time_s));
    let span = end_s - start_s + 1;
    let n = CHART_PERIODS as u64;
    let length = span.div_ceil(n).max(1);
    let mut periods: Vec<Period> = (0..n)
        .map(|i| Period {
            start_s: start_s + i * length,
            end_s: start_s + (i + 1) * length - 1,
            txs: 0,
            minted: U256::ZERO,
            burned: U256::ZERO,
            supply: U256::ZERO,
        })
        .collect();
    for p in points {
        let i = usize::try_from((p.time_s.max(start_s) - start_s) / length)
            .unwrap_or(usize::MAX)
            .min(CHART_PERIODS - 1);
        let period = &mut periods[i];
        period.txs += u64::from(p.txs);
        period.minted = period.minted.saturating_add(p.minted);
        period.burned = period.burned.saturating_add(p.burned);
    }
    // Walk the committed supply back through each later period's mints and burns.
    let mut at_end = supply;
    for period in periods.iter_mut().rev() {
        period.supply = at_end;
        at_end = at_end.saturating_add(period.burned).saturating_sub(period.minted);
    }
    Charts {
        from_height: points.front().map_or(head, |p| p.height),
        to_height: points.back().map_or(head, |p| p.height),
        supply_before: at_end,
        periods,
    }
}

// ----- SVG -----

/// Drawing area of a chart, in SVG units: about its width on the page, so that its 11-unit
/// labels read as 11 px text (the element scales to its container, keeping its proportions).
const WIDTH: u64 = 360;
/// Space above the plot for the scale's label.
const PLOT_TOP: u64 = 18;
/// Height of the plot area.
const PLOT_HEIGHT: u64 = 120;
/// Where the plot's baseline (the time axis) is.
const BASELINE: u64 = PLOT_TOP + PLOT_HEIGHT;
/// Space below the plot for the time labels.
const LABELS_HEIGHT: u64 = 22;

/// `value / max` of `PLOT_HEIGHT`, in integers: values too large to multiply are first shifted
/// right together (a pixel needs far fewer than the 200 bits kept).
fn scale(value: U256, max: U256) -> u64 {
    if max.is_zero() {
        return 0;
    }
    let shift = max.bit_len().saturating_sub(200);
    let (v, m) = (value.min(max) >> shift, max >> shift);
    let h = v * U256::from(PLOT_HEIGHT) / m;
    u64::try_from(h).unwrap_or(PLOT_HEIGHT)
}

fn period_label(p: &Period) -> String {
    format!("{} – {}", iso_time(p.start_s), iso_time(p.end_s))
}

/// The shell of one chart over time: a figure with a caption, and an SVG with its time axis.
fn figure(id: &str, title: &str, caption: &str, c: &Charts, plot: &str, top_label: &str) -> String {
    let first = c.periods.first().map_or(0, |p| p.start_s);
    let last = c.periods.last().map_or(0, |p| p.end_s);
    shell(id, title, caption, plot, top_label, (&iso_time(first), &iso_time(last)))
}

/// The shell of one chart: a figure with a caption, and an SVG with its horizontal axis
/// labelled at both ends.
fn shell(
    id: &str,
    title: &str,
    caption: &str,
    plot: &str,
    top_label: &str,
    (left, right): (&str, &str),
) -> String {
    let height = BASELINE + LABELS_HEIGHT;
    let mut out = format!(
        "<figure class=\"chart\" id=\"{}\"><figcaption><strong>{}</strong> <span class=\"muted\">{}\
         </span></figcaption><svg viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" \
         aria-label=\"{}\"><title>{}</title>",
        esc(id),
        esc(title),
        esc(caption),
        esc(title),
        esc(caption),
    );
    w!(
        out,
        "<line class=\"axis\" x1=\"0\" y1=\"{BASELINE}\" x2=\"{WIDTH}\" y2=\"{BASELINE}\"/>{plot}\
         <text class=\"label\" x=\"2\" y=\"12\">{}</text>\
         <text class=\"label\" x=\"2\" y=\"{}\">{}</text>\
         <text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text></svg></figure>",
        esc(top_label),
        height - 6,
        esc(left),
        WIDTH - 2,
        height - 6,
        esc(right),
    );
    out
}

/// Bars of one value per period, each with a `<title>` naming its period and value.
fn bars(periods: &[Period], values: &[U256], class: &str, text: impl Fn(U256) -> String) -> String {
    let max = values.iter().copied().max().unwrap_or(U256::ZERO);
    let n = periods.len().max(1) as u64;
    let slot = WIDTH / n;
    let mut out = String::new();
    for (i, (p, v)) in periods.iter().zip(values).enumerate() {
        let h = scale(*v, max).max(u64::from(!v.is_zero()));
        w!(
            out,
            "<rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{h}\"><title>{}: {}\
             </title></rect>",
            i as u64 * slot + 1,
            BASELINE - h,
            slot.saturating_sub(2).max(1),
            esc(&period_label(p)),
            esc(&text(*v)),
        );
    }
    out
}

/// The three charts as HTML.
pub(crate) fn render(c: &Charts) -> String {
    let blocks = format!("blocks {}–{}", count(c.from_height), count(c.to_height));
    let mut out = String::from("<section><h2>Over time</h2><div class=\"charts\">");

    // Supply: a line between the lowest and highest supply of the window.
    let supplies: Vec<U256> = c.periods.iter().map(|p| p.supply).collect();
    let low = supplies.iter().copied().chain([c.supply_before]).min().unwrap_or(U256::ZERO);
    let high = supplies.iter().copied().chain([c.supply_before]).max().unwrap_or(U256::ZERO);
    let n = c.periods.len().max(1) as u64;
    let slot = WIDTH / n;
    let y = |v: U256| {
        if high == low { BASELINE - PLOT_HEIGHT / 2 } else { BASELINE - scale(v - low, high - low) }
    };
    let mut line = format!("<polyline class=\"line\" points=\"0,{}", y(c.supply_before));
    for (i, s) in supplies.iter().enumerate() {
        w!(line, " {},{}", (i as u64 + 1) * slot, y(*s));
    }
    line.push_str("\"/>");
    for (i, (p, s)) in c.periods.iter().zip(&supplies).enumerate() {
        w!(
            line,
            "<circle class=\"dot\" cx=\"{}\" cy=\"{}\" r=\"3\"><title>{}: {}</title></circle>",
            (i as u64 + 1) * slot,
            y(*s),
            esc(&period_label(p)),
            esc(&amount(*s, "ICY")),
        );
    }
    let last_supply = supplies.last().copied().unwrap_or(c.supply_before);
    out.push_str(&figure(
        "chart-supply",
        "ICY total supply",
        &format!(
            "{blocks}: from {} to {}",
            amount(c.supply_before, "ICY"),
            amount(last_supply, "ICY")
        ),
        c,
        &line,
        &format!("{} (low {})", amount(high, "ICY"), amount(low, "ICY")),
    ));

    // Mints and burns.
    let minted: Vec<U256> = c.periods.iter().map(|p| p.minted).collect();
    let burned: Vec<U256> = c.periods.iter().map(|p| p.burned).collect();
    let total_minted = minted.iter().fold(U256::ZERO, |a, b| a.saturating_add(*b));
    let total_burned = burned.iter().fold(U256::ZERO, |a, b| a.saturating_add(*b));
    out.push_str(&figure(
        "chart-burns",
        "ICY burned per period",
        &format!(
            "{blocks}: {} burned, {} minted",
            amount(total_burned, "ICY"),
            amount(total_minted, "ICY")
        ),
        c,
        &bars(&c.periods, &burned, "bar burn", |v| format!("{} burned", amount(v, "ICY"))),
        &amount(burned.iter().copied().max().unwrap_or(U256::ZERO), "ICY"),
    ));

    // Activity.
    let txs: Vec<U256> = c.periods.iter().map(|p| U256::from(p.txs)).collect();
    let total_txs: u64 = c.periods.iter().map(|p| p.txs).sum();
    let busiest = c.periods.iter().map(|p| p.txs).max().unwrap_or(0);
    out.push_str(&figure(
        "chart-activity",
        "Transactions per period",
        &format!("{blocks}: {} transactions", count(total_txs)),
        c,
        &bars(&c.periods, &txs, "bar", |v| format!("{v} transactions")),
        &format!("{} per period at most", count(busiest)),
    ));
    out.push_str("</div></section>");
    out
}

// ----- a pool's liquidity by tick -----

/// One bar of the liquidity chart: the active liquidity of the ticks `from..to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LiquidityBar {
    /// First tick of the range.
    pub(crate) from: i32,
    /// The tick where the range ends (the next initialized tick, or the chart's edge).
    pub(crate) to: i32,
    /// Its active liquidity.
    pub(crate) liquidity: u128,
}

/// The ranges of the chart: below the first initialized tick (from `left`), between each two,
/// and above the last (to `right`); `left`..`right` spans the listed ticks and the current one
/// with a margin of an eighth of that span (at least one tick spacing) on each side.
pub(crate) fn liquidity_bars(w: &TickWindow, spacing: i32) -> (i32, i32, Vec<LiquidityBar>) {
    use hoard_clmm::math::tick_math::{MAX_TICK, MIN_TICK};
    let first = w.rows.first().map_or(w.tick, |r| r.tick.min(w.tick));
    let last = w.rows.last().map_or(w.tick, |r| r.tick.max(w.tick));
    let margin = ((last - first) / 8).max(spacing.max(1));
    let (left, right) =
        (first.saturating_sub(margin).max(MIN_TICK), last.saturating_add(margin).min(MAX_TICK));
    let mut bars = Vec::with_capacity(w.rows.len() + 1);
    let mut from = left;
    let mut liquidity = w.liquidity_below;
    for r in &w.rows {
        bars.push(LiquidityBar { from, to: r.tick, liquidity });
        from = r.tick;
        liquidity = r.liquidity_active;
    }
    bars.push(LiquidityBar { from, to: right, liquidity });
    bars.retain(|b| b.to > b.from);
    (left, right, bars)
}

/// The liquidity-by-tick chart of a pool: one bar per range of active liquidity (titled with
/// its ticks, prices and liquidity), the current price marked by a line, the prices at both
/// ends on the axis.
pub(crate) fn liquidity_chart(p: &PoolInfo, w: &TickWindow) -> String {
    let (left, right, bars) = liquidity_bars(w, p.meta.tick_spacing);
    let span = i64::from(right - left).max(1);
    let x = |t: i32| (i64::from(t - left) * WIDTH as i64 / span).clamp(0, WIDTH as i64) as u64;
    let max = bars.iter().map(|b| b.liquidity).max().unwrap_or(0);
    let units = format!("{} per {}", p.symbol1, p.symbol0);
    let mut plot = String::new();
    for b in bars.iter().filter(|b| b.liquidity > 0) {
        let h = scale(U256::from(b.liquidity), U256::from(max)).max(1);
        let (x0, x1) = (x(b.from), x(b.to));
        w!(
            plot,
            "<rect class=\"bar\" x=\"{x0}\" y=\"{}\" width=\"{}\" height=\"{h}\" \
             data-from=\"{}\" data-to=\"{}\" data-liquidity=\"{}\"><title>ticks {} to {} \
             ({} to {} {}): liquidity {}</title></rect>",
            BASELINE - h,
            x1.saturating_sub(x0).max(1),
            b.from,
            b.to,
            b.liquidity,
            b.from,
            b.to,
            esc(&p.price_at_tick(b.from)),
            esc(&p.price_at_tick(b.to)),
            esc(&units),
            esc(&count(b.liquidity)),
        );
    }
    let now = x(w.tick);
    w!(
        plot,
        "<line class=\"now\" x1=\"{now}\" y1=\"{PLOT_TOP}\" x2=\"{now}\" y2=\"{BASELINE}\" \
         data-tick=\"{}\"><title>current price {} {} (tick {}), liquidity {}</title></line>",
        w.tick,
        esc(&p.price(false)),
        esc(&units),
        w.tick,
        esc(&count(w.liquidity)),
    );
    let listed = w.rows.len();
    let mut caption = format!(
        "{listed} initialized tick{} between ticks {} and {}; current tick {}, in-range \
         liquidity {}",
        if listed == 1 { "" } else { "s" },
        w.lower,
        w.upper,
        w.tick,
        count(w.liquidity),
    );
    if w.more_below || w.more_above {
        caption.push_str("; more beyond the ticks shown");
    }
    caption.push_str(&format!("; prices in {units}; the dashed line is the price now"));
    shell(
        "chart-liquidity",
        "Liquidity by tick",
        &caption,
        &plot,
        &format!("at most {}", count(max)),
        (&axis_label(p, left), &axis_label(p, right)),
    )
}

/// Characters of a price at an end of the axis; a longer price would run into the other end's
/// label, so the tick stands there instead (the bars' titles keep the prices).
const AXIS_LABEL_CHARS_MAX: usize = 14;

/// The label of an end of the liquidity chart's axis: the price at that tick, or the tick.
fn axis_label(p: &PoolInfo, tick: i32) -> String {
    let price = p.price_at_tick(tick);
    if price.chars().count() <= AXIS_LABEL_CHARS_MAX { price } else { format!("tick {tick}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(height: u64, time_s: u64, txs: u32, minted: u64, burned: u64) -> BlockPoint {
        BlockPoint { height, time_s, txs, minted: U256::from(minted), burned: U256::from(burned) }
    }

    #[test]
    fn periods_add_up_and_supply_walks_back() {
        let points: VecDeque<BlockPoint> =
            [point(10, 1_000, 2, 0, 0), point(11, 1_012, 1, 50, 0), point(12, 1_023, 4, 0, 5)]
                .into_iter()
                .collect();
        let c = aggregate(&points, 12, 1_023, U256::from(1_045u64));
        assert_eq!(c.periods.len(), CHART_PERIODS);
        assert_eq!((c.from_height, c.to_height), (10, 12));
        // 24 seconds in 24 periods of one second.
        assert_eq!((c.periods[0].start_s, c.periods[0].end_s), (1_000, 1_000));
        assert_eq!(c.periods.iter().map(|p| p.txs).sum::<u64>(), 7);
        assert_eq!(c.periods[12].minted, U256::from(50u8));
        assert_eq!(c.periods[23].burned, U256::from(5u8));
        // 1,045 now; before the burn 1,050; before the mint 1,000.
        assert_eq!(c.periods[23].supply, U256::from(1_045u64));
        assert_eq!(c.periods[22].supply, U256::from(1_050u64));
        assert_eq!(c.periods[11].supply, U256::from(1_000u64));
        assert_eq!(c.supply_before, U256::from(1_000u64));
    }

    fn window(rows: &[(i32, u128)], tick: i32, liquidity: u128, below: u128) -> TickWindow {
        TickWindow {
            tick,
            liquidity,
            lower: -1_000,
            upper: 1_000,
            liquidity_below: below,
            rows: rows
                .iter()
                .map(|(t, a)| crate::pools::TickRow {
                    tick: *t,
                    liquidity_net: 0,
                    liquidity_gross: 0,
                    liquidity_active: *a,
                })
                .collect(),
            more_below: false,
            more_above: false,
        }
    }

    #[test]
    fn liquidity_bars_cover_the_ticks_and_the_price_edge_to_edge() {
        // Ticks -120 and 180 around tick 10: margin (300 / 8 = 37, at least the spacing 60).
        let w = window(&[(-120, 40), (180, 0)], 10, 40, 0);
        let (left, right, bars) = liquidity_bars(&w, 60);
        assert_eq!((left, right), (-180, 240));
        assert_eq!(
            bars,
            vec![
                LiquidityBar { from: -180, to: -120, liquidity: 0 },
                LiquidityBar { from: -120, to: 180, liquidity: 40 },
                LiquidityBar { from: 180, to: 240, liquidity: 0 },
            ]
        );
        // Bars meet: each starts where the one before ends.
        assert!(bars.windows(2).all(|p| p[0].to == p[1].from));
        // No ticks at all: one empty range around the price.
        let (left, right, bars) = liquidity_bars(&window(&[], 0, 0, 0), 10);
        assert_eq!((left, right, bars.len()), (-10, 10, 1));
    }

    #[test]
    fn scaling_is_exact_and_bounded() {
        assert_eq!(scale(U256::ZERO, U256::ZERO), 0);
        assert_eq!(scale(U256::from(5u8), U256::from(10u8)), PLOT_HEIGHT / 2);
        assert_eq!(scale(U256::MAX, U256::MAX), PLOT_HEIGHT);
        assert_eq!(scale(U256::MAX, U256::from(1u8)), PLOT_HEIGHT);
    }

    #[test]
    fn the_svg_names_every_period_and_escapes_nothing_raw() {
        let points: VecDeque<BlockPoint> = [point(0, 0, 3, 0, 0)].into_iter().collect();
        let html = render(&aggregate(&points, 0, 0, U256::from(7u8)));
        assert_eq!(html.matches("<rect ").count(), 2 * CHART_PERIODS);
        assert_eq!(html.matches("<circle ").count(), CHART_PERIODS);
        assert!(html.contains("3 transactions</title>"), "{html}");
        assert!(html.contains("id=\"chart-supply\"") && html.contains("id=\"chart-activity\""));
    }
}
