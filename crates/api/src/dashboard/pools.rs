//! The pool pages: the list of the engine's pools and a pool's page (tokens, flavour, fee,
//! price, liquidity, reserves, its liquidity by tick as a chart and a table, its recent
//! swaps). Both are live. Figures come from the committed view (one read lock), swaps from the
//! store's event index, capped at the view's head.

use alloy_primitives::I256;
use hoard_node::NodeHandle;

use super::{
    POOL_SWAPS_MAX, POOL_TICKS_SIDE, PageError, PageResult, charts,
    pages::{amount_units_cell, card, view_of},
    render::{account_link, block_link, count, esc, table, time_tag, tx_link, w},
};
use crate::{
    display::{fee_percent, units_number},
    pools::{self, PoolInfo, TICK_WINDOW_DEFAULT},
};

/// `#id SYMBOL0/SYMBOL1`, linked to the pool's page.
fn pool_link(p: &PoolInfo) -> String {
    format!("<a href=\"/pools/{}\">#{} {}</a>", p.id, p.id, esc(&p.pair()))
}

/// The list of pools.
pub(super) fn list(node: &NodeHandle, as_fragment: bool) -> PageResult {
    let (view, infos) = {
        let c = node.committed();
        (view_of(&c), pools::infos(&c.engine))
    };
    let rows: Vec<Vec<String>> = infos
        .iter()
        .map(|p| {
            vec![
                pool_link(p),
                esc(p.flavour),
                esc(&fee_percent(p.fee)),
                format!(
                    "{} <span class=\"unit muted\">{} per {}</span>",
                    esc(&p.price(false)),
                    esc(&p.symbol1),
                    esc(&p.symbol0)
                ),
                p.tick.to_string(),
                esc(&count(p.liquidity)),
                format!(
                    "{}<br>{}",
                    amount_units_cell(p.balance0, p.decimals0, &p.symbol0),
                    amount_units_cell(p.balance1, p.decimals1, &p.symbol1)
                ),
            ]
        })
        .collect();
    let mut body = format!(
        "<h1>Pools <span class=\"sub\">{} pools inside the engine, as of block {}</span></h1>",
        count(infos.len() as u64),
        block_link(view.head.height)
    );
    body.push_str(&table(
        "pool-list",
        &[
            ("Pool", false),
            ("Flavour", false),
            ("Fee", true),
            ("Price", true),
            ("Tick", true),
            ("Active liquidity", true),
            ("Reserves", true),
        ],
        &rows,
        "No pools yet.",
    ));
    Ok(view.finish("Pools", &body, "/partials/pools".into(), as_fragment))
}

/// A pool's page.
pub(super) fn pool(node: &NodeHandle, id: u32, as_fragment: bool) -> PageResult {
    let (view, info, window) = {
        let c = node.committed();
        let missing =
            || PageError::NotFound(format!("There is no pool {id}: /pools lists the pools."));
        let info = pools::info(&c.engine, id).ok_or_else(missing)?;
        let pool = hoard_core::facets::pools::view(c.engine.state(), id).ok_or_else(missing)?;
        let window = pools::tick_window(&pool, TICK_WINDOW_DEFAULT, POOL_TICKS_SIDE)
            .map_err(|e| PageError::Internal(e.to_string()))?;
        (view_of(&c), info, window)
    };
    let (swaps, _) =
        pools::swaps(node.store().as_ref(), id, view.head.height, None, POOL_SWAPS_MAX)?;
    let (s0, s1) = (info.symbol0.as_str(), info.symbol1.as_str());

    let mut body = format!(
        "<h1>Pool #{id} {} <span class=\"sub\">{} · {} · as of block {}</span></h1>",
        esc(&info.pair()),
        esc(info.flavour),
        esc(&fee_percent(info.fee)),
        block_link(view.head.height)
    );
    body.push_str("<div class=\"cards\" id=\"pool-figures\">");
    body.push_str(&card(
        "Price",
        &esc(&info.price(false)),
        &format!("{s1} per {s0}"),
        &format!("1 {} = {} {}", esc(s1), esc(&info.price(true)), esc(s0)),
    ));
    body.push_str(&card(
        "Tick",
        &info.tick.to_string(),
        "",
        &format!("sqrtPriceX96 <span class=\"mono\">{}</span>", info.sqrt_price_x96),
    ));
    body.push_str(&card(
        "Active liquidity",
        &esc(&count(info.liquidity)),
        "",
        "the liquidity of the range holding the price",
    ));
    body.push_str(&card(
        &format!("Reserve {s0}"),
        &esc(&units_number(info.balance0, info.decimals0)),
        s0,
        "held by the pool",
    ));
    body.push_str(&card(
        &format!("Reserve {s1}"),
        &esc(&units_number(info.balance1, info.decimals1)),
        s1,
        "held by the pool",
    ));
    body.push_str(&card(
        "Fee",
        &esc(&fee_percent(info.fee)),
        "",
        &format!("{} · tick spacing {}", esc(info.flavour), info.meta.tick_spacing),
    ));
    body.push_str("</div><h2>Details</h2><dl class=\"kv\" id=\"pool-details\">");
    w!(
        body,
        "<dt>Pool address</dt><dd>{} <span class=\"muted\">(its events come from it)</span></dd>",
        account_link(&info.address, &view.names)
    );
    for (label, token, symbol, decimals) in [
        ("Token 0", info.meta.token0, s0, info.decimals0),
        ("Token 1", info.meta.token1, s1, info.decimals1),
    ] {
        w!(
            body,
            "<dt>{label}</dt><dd>{} {} <span class=\"muted\">({decimals} decimals)</span></dd>",
            esc(symbol),
            account_link(&token, &view.names)
        );
    }
    w!(body, "<dt>sqrtPriceX96</dt><dd class=\"mono\">{}</dd>", info.sqrt_price_x96);
    body.push_str("</dl>");

    body.push_str("<section><h2>Liquidity by tick</h2><div class=\"charts\">");
    body.push_str(&charts::liquidity_chart(&info, &window));
    body.push_str("</div><h2>Initialized ticks near the price</h2>");
    // The range holding the price starts at the highest tick at or below it.
    let holding = window.rows.iter().rposition(|r| r.tick <= window.tick);
    let rows: Vec<Vec<String>> = window
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mark = if Some(i) == holding {
                " <span class=\"tag\">the price is in this range</span>"
            } else {
                ""
            };
            vec![
                format!("{}{mark}", r.tick),
                esc(&info.price_at_tick(r.tick)),
                esc(&signed_count(r.liquidity_net)),
                esc(&count(r.liquidity_active)),
            ]
        })
        .collect();
    body.push_str(&table(
        "pool-ticks",
        &[
            ("Tick", false),
            (&format!("Price ({s1} per {s0})"), true),
            ("Liquidity net", true),
            ("Active liquidity above", true),
        ],
        &rows,
        "No initialized ticks near the price.",
    ));
    body.push_str("</section>");

    w!(body, "<h2>Recent swaps <span class=\"muted\">(the newest {POOL_SWAPS_MAX})</span></h2>");
    let rows: Vec<Vec<String>> = swaps
        .iter()
        .map(|s| {
            // Positive amounts went into the pool (sold), negative ones out (bought).
            let side = |a: I256, decimals: u8, symbol: &str, into: bool| -> Option<String> {
                (a.is_positive() == into && !a.is_zero())
                    .then(|| amount_units_cell(a.unsigned_abs(), decimals, symbol))
            };
            let sold = side(s.amount0, info.decimals0, s0, true)
                .or_else(|| side(s.amount1, info.decimals1, s1, true))
                .unwrap_or_default();
            let bought = side(s.amount0, info.decimals0, s0, false)
                .or_else(|| side(s.amount1, info.decimals1, s1, false))
                .unwrap_or_default();
            vec![
                time_tag(s.time_s),
                tx_link(&s.tx_hash),
                account_link(&s.sender, &view.names),
                sold,
                bought,
                esc(&info.price_at(s.sqrt_price_x96, false)),
                s.tick.to_string(),
            ]
        })
        .collect();
    body.push_str(&table(
        "pool-swaps",
        &[
            ("Time", false),
            ("Tx", false),
            ("Trader", false),
            ("Sold", true),
            ("Bought", true),
            (&format!("Price after ({s1} per {s0})"), true),
            ("Tick after", true),
        ],
        &rows,
        "No swaps yet.",
    ));
    Ok(view.finish(
        &format!("Pool #{id} {}", info.pair()),
        &body,
        format!("/partials/pools/{id}"),
        as_fragment,
    ))
}

/// A signed liquidity with thousands separators (`-1,000`).
fn signed_count(n: i128) -> String {
    let sign = if n < 0 { "-" } else { "" };
    format!("{sign}{}", count(n.unsigned_abs()))
}

/// A pool id of the address bar: decimal digits, a `uint32`.
pub(super) fn parse_pool_id(text: &str) -> Result<u32, PageError> {
    let ok = !text.is_empty() && text.len() <= 10 && text.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| text.parse::<u32>().ok()).flatten().ok_or_else(|| {
        PageError::BadRequest(format!(
            "“{}” is not a pool id: use a whole number such as 0 (/pools lists them).",
            super::render::truncate(text, super::ECHO_CHARS_MAX)
        ))
    })
}
