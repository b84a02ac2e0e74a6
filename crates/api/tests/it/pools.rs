//! The pools in the JSON API and on the dashboard, against the devnet's genesis pools (ICY/USDC
//! and WBTC/USDC in four flavours): `observe` against the accumulators derived from the
//! block times and ticks, liquidity by tick against the positions minted, swaps against the
//! receipts' `Swap` logs, the pool pages' figures, chart and tables against the API, and
//! every refusal with its code.

use alloy_primitives::{
    B256, I256, U256,
    aliases::{I24, U160},
};
use alloy_sol_types::SolEvent;
use hoard_clmm::math::tick_math::{MAX_SQRT_RATIO, MIN_SQRT_RATIO};
use hoard_core::{
    command::{AddLiquidity, Command, Swap},
    event,
};
use serde_json::Value;

use crate::{
    dashboard::{get, page, section, submit},
    pages::utc_iso,
    support::{TestNode, get_json},
};

fn code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("")
}

fn u(v: &Value) -> U256 {
    v.as_str().unwrap_or_else(|| panic!("a string: {v}")).parse().expect("decimal")
}

fn i(v: &Value) -> i128 {
    v.as_str().unwrap_or_else(|| panic!("a string: {v}")).parse().expect("decimal")
}

/// The pool with `id` as `/v1/pools` lists it.
pub(crate) fn pool_json(t: &TestNode, id: u64) -> Value {
    let (s, v) = get_json(t.addr, "/v1/pools");
    assert_eq!(s, 200, "{v}");
    v["pools"].as_array().expect("pools").iter().find(|p| p["id"] == id).expect("pool").clone()
}

/// Whole tokens of `amount` base units with `decimals`, with thousands separators, trailing
/// zeros trimmed: written here apart from the crate's formatter.
pub(crate) fn whole(amount: U256, decimals: u8) -> String {
    let digits = format!("{amount:0>width$}", width = decimals as usize + 1);
    let (int, frac) = digits.split_at(digits.len() - decimals as usize);
    let mut grouped = String::new();
    for (k, c) in int.chars().enumerate() {
        if k > 0 && (int.len() - k) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() { grouped } else { format!("{grouped}.{frac}") }
}

/// `account` sells `amount` base units of token0 (`zero_for_one`) or token1 in pool `id`;
/// returns the transaction hash, the block and the pool's `Swap` log.
pub(crate) fn swap(
    t: &TestNode,
    account: &str,
    id: u32,
    zero_for_one: bool,
    amount: U256,
) -> (B256, u64, event::Swap) {
    let limit = if zero_for_one { MIN_SQRT_RATIO + U256::ONE } else { MAX_SQRT_RATIO - U256::ONE };
    let (hash, height, receipt) = submit(t, account, |nonce| {
        Command::Swap(Swap {
            pool: id,
            zeroForOne: zero_for_one,
            amountSpecified: I256::from_raw(amount),
            sqrtPriceLimitX96: U160::from(limit),
            amountLimit: U256::ZERO,
            nonce,
            deadline: u64::MAX,
        })
    });
    assert!(receipt.success(), "{:?}", receipt.rejection);
    let pool_address = hoard_core::facets::pools::pool_address(id);
    let log = receipt
        .logs
        .iter()
        .find(|l| l.address == pool_address && l.name() == Some("Swap"))
        .expect("a Swap from the pool");
    let s = event::Swap::decode_raw_log(log.topics.iter().copied(), &log.data).expect("decodes");
    (hash, height, s)
}

/// Whole units of token `symbol` as base units.
fn tokens(whole: u64, decimals: u8) -> U256 {
    U256::from(whole) * U256::from(10u64).pow(U256::from(decimals))
}

/// Pool 0 (ICY/USDC) and whether ICY is its token0.
fn icy_pool(t: &TestNode) -> (Value, bool) {
    let p = pool_json(t, 0);
    assert_eq!(p["flavour"], "uniswap_v3", "{p}");
    let icy_is_0 = p["symbol0"] == "ICY";
    assert!(icy_is_0 || p["symbol1"] == "ICY", "{p}");
    (p, icy_is_0)
}

#[test]
fn observe_gives_the_accumulators_of_the_ticks_and_times_and_refuses_old() {
    let t = TestNode::start();
    let (p, icy_is_0) = icy_pool(&t);
    let tick0 = p["tick"].as_i64().expect("tick");
    let genesis_s = t.handle.store().block(0).expect("block").expect("genesis").timestamp as i64;
    let (s, o) = get_json(t.addr, "/v1/pools/0/observe?secondsAgo=0");
    assert_eq!(s, 200, "{o}");
    let now = o["time_s"].as_i64().expect("time");
    assert_eq!(now, t.handle.committed().head.time_s as i64);
    // One observation, written at genesis with the opening tick: the cumulative since then.
    assert_eq!(o["observation_cardinality"], 1);
    assert_eq!(o["seconds_ago_max"].as_i64(), Some(now - genesis_s));
    assert_eq!(i(&o["tick_cumulatives"][0]), i128::from(tick0 * (now - genesis_s)), "{o}");
    let (s, o) = get_json(t.addr, &format!("/v1/pools/0/observe?secondsAgo={}", now - genesis_s));
    assert_eq!(s, 200, "{o}");
    assert_eq!(i(&o["tick_cumulatives"][0]), 0, "genesis itself");

    // A swap moves the tick: the ring's one slot now holds the swap's block.
    let (_, height, logged) = swap(&t, "alice", 0, icy_is_0, tokens(20_000, 18));
    let swap_s = t.handle.store().block(height).expect("block").expect("swap block").timestamp;
    let tick1 = i64::from(logged.tick.as_i32());
    assert_ne!(tick1, tick0, "the swap moves the tick (else this test proves little)");
    let liquidity = U256::from(logged.liquidity);
    let (s, o) = get_json(t.addr, "/v1/pools/0/observe?secondsAgo=0");
    assert_eq!(s, 200, "{o}");
    let now = o["time_s"].as_i64().expect("time");
    let back = now - swap_s as i64;
    let (s, o) = get_json(t.addr, &format!("/v1/pools/0/observe?secondsAgo=0,{back}"));
    assert_eq!(s, 200, "{o}");
    assert_eq!(o["seconds_agos"], serde_json::json!([0, back]));
    assert_eq!(o["seconds_ago_max"].as_i64(), Some(back));
    let at_swap = tick0 * (swap_s as i64 - genesis_s);
    assert_eq!(i(&o["tick_cumulatives"][1]), i128::from(at_swap), "{o}");
    assert_eq!(i(&o["tick_cumulatives"][0]), i128::from(at_swap + tick1 * back), "{o}");
    // Seconds per liquidity grow by (seconds << 128) / liquidity since the swap.
    let spl = |k: usize| u(&o["seconds_per_liquidity_cumulative_x128s"][k]);
    assert_eq!(spl(0) - spl(1), (U256::from(back) << 128) / liquidity, "{o}");

    // The contract's OLD, one second further back: the code, and the reach in the message.
    let (s, e) = get_json(t.addr, &format!("/v1/pools/0/observe?secondsAgo=0,{}", back + 1));
    assert_eq!((s, code(&e)), (400, "pools.observation_too_old"), "{e}");
    let message = e["error"]["message"].as_str().expect("message");
    assert!(message.starts_with(&format!("OLD: secondsAgo {}", back + 1)), "{message}");
    assert!(message.contains(&format!("{back} seconds ago")), "{message}");

    // Bad input and unknown pools.
    let many = vec!["1"; 65].join(",");
    for (path, status, want) in [
        ("/v1/pools/0/observe", 400, "api.bad_seconds_ago"),
        ("/v1/pools/0/observe?secondsAgo=", 400, "api.bad_seconds_ago"),
        ("/v1/pools/0/observe?secondsAgo=0,x", 400, "api.bad_seconds_ago"),
        ("/v1/pools/0/observe?secondsAgo=-5", 400, "api.bad_seconds_ago"),
        ("/v1/pools/0/observe?secondsAgo=4294967296", 400, "api.bad_seconds_ago"),
        (&format!("/v1/pools/0/observe?secondsAgo={many}"), 400, "api.bad_seconds_ago"),
        ("/v1/pools/zero/observe?secondsAgo=0", 400, "api.bad_pool"),
        ("/v1/pools/99/observe?secondsAgo=0", 404, "api.not_found"),
    ] {
        let (s, e) = get_json(t.addr, path);
        assert_eq!((s, code(&e)), (status, want), "{path}: {e}");
    }
}

/// The ticks of a position as the pool stores them.
fn i24(v: i64) -> I24 {
    I24::try_from(v).expect("fits int24")
}

#[test]
fn liquidity_by_tick_is_the_sum_of_the_positions_covering_each_range() {
    let t = TestNode::start();
    let (p, _) = icy_pool(&t);
    let tick = p["tick"].as_i64().expect("tick");
    let spacing = p["tick_spacing"].as_i64().expect("spacing");
    let genesis_liquidity = u(&p["liquidity"]);
    // The genesis position: the two ticks of the whole window, net +L and -L.
    let (s, w) = get_json(t.addr, "/v1/pools/0/ticks?window=1774544");
    assert_eq!(s, 200, "{w}");
    let rows = w["ticks"].as_array().expect("ticks");
    assert_eq!(rows.len(), 2, "{w}");
    let (lower, upper) =
        (rows[0]["tick"].as_i64().expect("t"), rows[1]["tick"].as_i64().expect("t"));
    assert!(lower <= tick && tick < upper, "{w}");
    assert_eq!(U256::from(i(&rows[0]["liquidity_net"]) as u128), genesis_liquidity);
    assert_eq!(i(&rows[1]["liquidity_net"]), -i(&rows[0]["liquidity_net"]));

    // Bob adds a narrow position around the price.
    let (mine_lower, mine_upper) = (
        tick.div_euclid(spacing) * spacing - 2 * spacing,
        tick.div_euclid(spacing) * spacing + 3 * spacing,
    );
    let mine = 7_000_000_000_000_000u128;
    let (_, _, receipt) = submit(&t, "bob", |nonce| {
        Command::AddLiquidity(AddLiquidity {
            pool: 0,
            tickLower: i24(mine_lower),
            tickUpper: i24(mine_upper),
            liquidity: U256::from(mine),
            amount0Max: U256::MAX,
            amount1Max: U256::MAX,
            nonce,
            deadline: u64::MAX,
        })
    });
    assert!(receipt.success(), "{:?}", receipt.rejection);
    let positions = [(lower, upper, genesis_liquidity), (mine_lower, mine_upper, U256::from(mine))];
    let covering = |at: i64| -> U256 {
        positions.iter().filter(|(l, u, _)| *l <= at && at < *u).map(|(_, _, x)| *x).sum()
    };
    let (_, w) = get_json(t.addr, "/v1/pools/0/ticks?window=1774544");
    let rows = w["ticks"].as_array().expect("ticks");
    let listed: Vec<i64> = rows.iter().map(|r| r["tick"].as_i64().expect("tick")).collect();
    assert_eq!(listed, vec![lower, mine_lower, mine_upper, upper], "{w}");
    for r in rows {
        let at = r["tick"].as_i64().expect("tick");
        assert_eq!(u(&r["liquidity_active"]), covering(at), "tick {at}: {w}");
    }
    assert_eq!(u(&w["liquidity"]), covering(tick));
    assert_eq!(u(&w["liquidity_below"]), U256::ZERO);
    assert_eq!(rows.iter().map(|r| i(&r["liquidity_net"])).sum::<i128>(), 0);
    assert_eq!(w["more_below"], false);
    assert_eq!(w["more_above"], false);

    // One tick each side: the nearest, and the rest flagged.
    let (_, w) = get_json(t.addr, "/v1/pools/0/ticks?limit=1");
    let listed: Vec<i64> = w["ticks"]
        .as_array()
        .expect("ticks")
        .iter()
        .map(|r| r["tick"].as_i64().expect("t"))
        .collect();
    assert_eq!(listed, vec![mine_lower, mine_upper], "{w}");
    assert_eq!((w["more_below"].as_bool(), w["more_above"].as_bool()), (Some(true), Some(true)));
    assert_eq!(u(&w["liquidity_below"]), genesis_liquidity, "below bob's range");
    // A window short of bob's ticks lists nothing.
    let (_, w) = get_json(t.addr, "/v1/pools/0/ticks?window=1");
    assert!(
        (tick - mine_lower) > 1 && (mine_upper - tick) > 1,
        "bob's ticks are more than one tick away"
    );
    assert_eq!(w["ticks"], serde_json::json!([]), "{w}");
    assert_eq!(
        (w["window_lower"].as_i64(), w["window_upper"].as_i64()),
        (Some(tick - 1), Some(tick + 1))
    );

    for (path, status, want) in [
        ("/v1/pools/0/ticks?window=wide", 400, "api.bad_query"),
        ("/v1/pools/0/ticks?limit=-1", 400, "api.bad_query"),
        ("/v1/pools/x/ticks", 400, "api.bad_pool"),
        ("/v1/pools/4294967296/ticks", 400, "api.bad_pool"),
        ("/v1/pools/99/ticks", 404, "api.not_found"),
    ] {
        let (s, e) = get_json(t.addr, path);
        assert_eq!((s, code(&e)), (status, want), "{path}: {e}");
    }
}

#[test]
fn swaps_are_listed_newest_first_with_amounts_times_and_cursors() {
    let t = TestNode::start();
    let (p, icy_is_0) = icy_pool(&t);
    let (d0, d1) =
        (p["decimals0"].as_u64().expect("d") as u8, p["decimals1"].as_u64().expect("d") as u8);
    let (s0, s1) = (p["symbol0"].as_str().expect("s"), p["symbol1"].as_str().expect("s"));
    let usdc_decimals = if icy_is_0 { d1 } else { d0 };
    // Three swaps: ICY in, USDC in, ICY in.
    let done = [
        swap(&t, "alice", 0, icy_is_0, tokens(100, 18)),
        swap(&t, "bob", 0, !icy_is_0, tokens(50, usdc_decimals)),
        swap(&t, "carol", 0, icy_is_0, tokens(7, 18)),
    ];
    // Another pool's swap is not this pool's.
    swap(&t, "alice", 1, true, U256::from(1_000u64));
    let (s, first) = get_json(t.addr, "/v1/pools/0/swaps?limit=2");
    assert_eq!(s, 200, "{first}");
    let (s, second) = get_json(
        t.addr,
        &format!(
            "/v1/pools/0/swaps?limit=2&cursor={}",
            first["next_cursor"].as_str().expect("cursor")
        ),
    );
    assert_eq!(s, 200, "{second}");
    assert_eq!(second["next_cursor"], Value::Null, "{second}");
    let listed: Vec<&Value> = first["swaps"]
        .as_array()
        .expect("swaps")
        .iter()
        .chain(second["swaps"].as_array().expect("swaps"))
        .collect();
    assert_eq!(listed.len(), 3);
    for (row, (hash, height, logged)) in listed.iter().zip(done.iter().rev()) {
        assert_eq!(row["tx_hash"], format!("{hash:#x}"));
        assert_eq!(row["height"], *height);
        let time = t.handle.store().block(*height).expect("block").expect("some").timestamp;
        assert_eq!(row["time_s"], time);
        assert_eq!(row["time_iso"], utc_iso(time));
        assert_eq!(row["amount0"], logged.amount0.to_string());
        assert_eq!(row["amount1"], logged.amount1.to_string());
        assert_eq!(row["tick"], logged.tick.as_i32());
        assert_eq!(row["sqrt_price_x96"], logged.sqrtPriceX96.to_string());
        assert_eq!(row["liquidity"], logged.liquidity.to_string());
        let sender: alloy_primitives::Address =
            row["sender"].as_str().expect("sender").parse().expect("an address");
        assert_eq!(sender, logged.sender);
        let display = |a: I256, d: u8, s: &str| {
            format!("{}{} {s}", if a.is_negative() { "-" } else { "" }, whole(a.unsigned_abs(), d))
        };
        assert_eq!(row["amount0_display"], display(logged.amount0, d0, s0));
        assert_eq!(row["amount1_display"], display(logged.amount1, d1, s1));
    }
    // The first swap sold exactly 100 ICY into the pool.
    let icy_in = if icy_is_0 { &listed[2]["amount0"] } else { &listed[2]["amount1"] };
    assert_eq!(u(icy_in), tokens(100, 18));

    for (path, status, want) in [
        ("/v1/pools/0/swaps?cursor=nonsense", 400, "api.bad_cursor"),
        ("/v1/pools/0/swaps?limit=many", 400, "api.bad_query"),
        ("/v1/pools/-1/swaps", 400, "api.bad_pool"),
        ("/v1/pools/99/swaps", 404, "api.not_found"),
    ] {
        let (s, e) = get_json(t.addr, path);
        assert_eq!((s, code(&e)), (status, want), "{path}: {e}");
    }
    // A pool without swaps has an empty first page.
    let (_, v) = get_json(t.addr, "/v1/pools/2/swaps");
    assert_eq!(
        (v["swaps"].clone(), v["next_cursor"].clone()),
        (serde_json::json!([]), Value::Null)
    );
}

/// The `data-…` attribute values of every element of `html` that has `name`.
fn attributes(html: &str, name: &str) -> Vec<String> {
    let needle = format!("{name}=\"");
    html.match_indices(&needle)
        .map(|(k, _)| {
            let rest = &html[k + needle.len()..];
            rest[..rest.find('"').expect("closing quote")].to_string()
        })
        .collect()
}

#[test]
fn the_pools_page_lists_every_pool_with_its_price_and_links() {
    let t = TestNode::start();
    let (_, list) = get_json(t.addr, "/v1/pools");
    let body = page(&t, "/pools");
    assert!(body.contains("<a href=\"/pools\">Pools</a>"), "the navigation links it");
    assert!(page(&t, "/").contains("<a href=\"/pools\">Pools</a>"));
    assert!(body.contains("data-partial=\"/partials/pools\""), "live");
    // Long fractions may break after the point (`<wbr>`); the digits are what is compared.
    let table = section(&body, "pool-list").replace("<wbr>", "");
    let table = table.as_str();
    let pools = list["pools"].as_array().expect("pools");
    assert_eq!(pools.len(), 5);
    assert_eq!(table.matches("<tr>").count(), 1 + pools.len(), "a header and a row per pool");
    for p in pools {
        let id = p["id"].as_u64().expect("id");
        let pair =
            format!("{}/{}", p["symbol0"].as_str().expect("s"), p["symbol1"].as_str().expect("s"));
        assert!(table.contains(&format!("<a href=\"/pools/{id}\">#{id} {pair}</a>")), "{table}");
        assert!(table.contains(p["price"].as_str().expect("price")), "{p}");
        assert!(table.contains(p["flavour"].as_str().expect("flavour")));
        let b0 = whole(u(&p["balance0"]), p["decimals0"].as_u64().expect("d") as u8);
        assert!(table.contains(&b0), "{b0} in {table}");
    }
    for flavour in ["uniswap_v3", "pancake_v3", "algebra_integral", "uniswap_v4"] {
        assert!(table.contains(flavour), "{flavour}");
    }
    // Every cell is labelled for the phone layout.
    assert_eq!(table.matches("<td").count(), table.matches("<td data-label=\"").count());
}

#[test]
fn a_pool_page_shows_its_figures_chart_ticks_and_swaps() {
    let t = TestNode::start();
    let (_, icy_is_0) = icy_pool(&t);
    let (hash, _, logged) = swap(&t, "dave", 0, icy_is_0, tokens(1_234, 18));
    let p = pool_json(&t, 0);
    let (_, w) = get_json(t.addr, "/v1/pools/0/ticks?limit=25");
    let body = page(&t, "/pools/0");
    let (s0, s1) = (p["symbol0"].as_str().expect("s"), p["symbol1"].as_str().expect("s"));
    let (d0, d1) =
        (p["decimals0"].as_u64().expect("d") as u8, p["decimals1"].as_u64().expect("d") as u8);
    assert!(body.contains(&format!("<title>Pool #0 {s0}/{s1} · Hoard devnet")), "{body}");
    assert!(body.contains("data-partial=\"/partials/pools/0\""));
    let figures = &body[body.find("id=\"pool-figures\"").expect("figures")..];
    let figures = &figures[..figures.find("</div><h2>").expect("end of the cards")];
    let card = |label: &str, value: &str, unit: &str| {
        let needle = format!(
            "<div class=\"label\">{label}</div><div class=\"value\">{value} <span class=\"unit\">{unit}</span>"
        );
        assert!(figures.contains(&needle), "missing {needle} in {figures}");
    };
    card("Price", p["price"].as_str().expect("price"), &format!("{s1} per {s0}"));
    card("Tick", &p["tick"].to_string(), "");
    card(&format!("Reserve {s0}"), &whole(u(&p["balance0"]), d0), s0);
    card(&format!("Reserve {s1}"), &whole(u(&p["balance1"]), d1), s1);
    assert!(figures.contains(p["sqrt_price_x96"].as_str().expect("sqrt")));
    assert!(figures.contains(p["price_inverse"].as_str().expect("inverse")));

    // The chart: one bar per range of nonzero active liquidity between the listed ticks, each
    // with the API's liquidity; the price line at the API's tick.
    let chart = &body[body.find("id=\"chart-liquidity\"").expect("chart")..];
    let chart = &chart[..chart.find("</figure>").expect("end of the chart")];
    let rows = w["ticks"].as_array().expect("ticks");
    let expected: Vec<String> = std::iter::once(w["liquidity_below"].clone())
        .chain(rows.iter().map(|r| r["liquidity_active"].clone()))
        .map(|v| v.as_str().expect("liquidity").to_string())
        .filter(|v| v != "0")
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(attributes(chart, "data-liquidity"), expected, "{chart}");
    assert_eq!(attributes(chart, "data-tick"), vec![p["tick"].to_string()]);
    assert!(
        chart.contains(&format!("current price {} {s1} per {s0}", p["price"].as_str().expect("p")))
    );
    // The ticks table lists the API's ticks.
    let ticks = section(&body, "pool-ticks");
    for r in rows {
        assert!(ticks.contains(&format!(">{}", r["tick"].as_i64().expect("tick"))), "{ticks}");
    }
    // The swap, in whole tokens: what dave sold and what he got.
    let swaps = section(&body, "pool-swaps");
    assert!(swaps.contains(&format!("href=\"/tx/{hash:#x}\"")), "{swaps}");
    let (icy, usdc, usdc_d) = if icy_is_0 {
        (logged.amount0, logged.amount1, d1)
    } else {
        (logged.amount1, logged.amount0, d0)
    };
    assert_eq!(icy, I256::from_raw(tokens(1_234, 18)));
    assert!(usdc.is_negative());
    assert!(swaps.contains(">1,234 <span class=\"unit muted\">ICY</span>"), "{swaps}");
    // Six decimals: short enough never to be broken after the point.
    let got = whole(usdc.unsigned_abs(), usdc_d);
    assert!(
        swaps.contains(&format!(">{got} <span class=\"unit muted\">USDC</span>")),
        "{got} in {swaps}"
    );
    assert!(swaps.contains("dave (demo)"));
    assert_eq!(swaps.matches("<td").count(), swaps.matches("<td data-label=\"").count());

    // Bad and unknown pools.
    let (status, _, body) = get(t.addr, "/pools/nope");
    assert_eq!(status, 400);
    assert!(body.contains("is not a pool id"), "{body}");
    let (status, _, body) = get(t.addr, "/pools/99");
    assert_eq!(status, 404);
    assert!(body.contains("There is no pool 99"), "{body}");
    // The live fragment is the page's content.
    let (status, head, fragment) = get(t.addr, "/partials/pools/0");
    assert_eq!(status, 200);
    assert!(head.contains("cache-control: no-store"));
    assert!(fragment.contains("id=\"chart-liquidity\"") && !fragment.contains("<!doctype"));
}
