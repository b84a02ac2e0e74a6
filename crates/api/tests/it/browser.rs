//! The dashboard in headless Chromium: every page fits a laptop (1366 px) and a phone
//! (390 px) screen with every table cell visible, and the live pages (account, block list,
//! transaction list, transaction, holders, a pool, and the pause banner) change without reload
//! when a block is committed; a pool's chart and swaps read as the API says. Each test prints `skipped: chromium/chromedriver not installed` and
//! passes when the browser is missing.

use std::{net::SocketAddr, time::Duration};

use alloy_primitives::{B256, U256};
use hoard_core::command::{Burn, Command, Pause, Transfer};
use hoard_webdriver::Browser;
use serde_json::{Value, json};

use crate::{
    dashboard::{addr, ether, save_screenshot, send, sign, submit, transfer},
    support::{TestNode, post_json},
};

/// Whether the browser is missing (then the test says so and passes).
fn skipped() -> bool {
    if hoard_webdriver::available() {
        return false;
    }
    // Written to the stderr handle, which libtest does not capture, so a skip is always visible.
    let _ = std::io::Write::write_fmt(
        &mut std::io::stderr(),
        format_args!(
            "skipped: {}: chromium/chromedriver not installed\n",
            std::thread::current().name().unwrap_or("a test")
        ),
    );
    true
}

/// One WebDriver command the client has no method for (W3C "Set Window Rect").
fn set_window_rect(browser: &Browser, width: i64, height: i64) {
    let driver = SocketAddr::from(([127, 0, 0, 1], browser.driver_port()));
    let path = format!("/session/{}/window/rect", browser.session_id());
    let body = json!({ "width": width, "height": height }).to_string();
    let r = hoard_webdriver::http::request(
        driver,
        "POST",
        &path,
        Some(body.as_bytes()),
        Duration::from_secs(30),
    )
    .expect("set window rect");
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
}

/// Sets the viewport (the page's layout width) to `width` CSS pixels through WebDriver's
/// window rect, allowing for whatever the window adds around the page.
fn set_viewport(browser: &Browser, width: i64, height: i64) {
    set_window_rect(browser, width, height);
    let inner = |b: &Browser| {
        b.execute("return [window.innerWidth, window.outerWidth];", &[]).expect("widths")
    };
    let v = inner(browser);
    let extra = v[1].as_i64().unwrap_or(0) - v[0].as_i64().unwrap_or(0);
    if extra != 0 {
        set_window_rect(browser, width + extra, height);
    }
    let v = inner(browser);
    if v[0].as_i64() != Some(width) {
        // Chromium's windows are at least 500 px wide: a phone's width is emulated through
        // chromedriver's DevTools command instead (as its device mode does).
        let driver = SocketAddr::from(([127, 0, 0, 1], browser.driver_port()));
        let path = format!("/session/{}/goog/cdp/execute", browser.session_id());
        let body = json!({
            "cmd": "Emulation.setDeviceMetricsOverride",
            "params": { "width": width, "height": height, "deviceScaleFactor": 1, "mobile": true },
        })
        .to_string();
        let r = hoard_webdriver::http::request(
            driver,
            "POST",
            &path,
            Some(body.as_bytes()),
            Duration::from_secs(30),
        )
        .expect("emulate the viewport");
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    }
    let v = inner(browser);
    assert_eq!(v[0].as_i64(), Some(width), "the viewport is {width} px wide: {v}");
}

/// Runs in the page: the page's horizontal overflow, and every table cell that is not
/// entirely inside the viewport, has no size, or whose content overflows it.
const LAYOUT_CHECK: &str = r#"
var de = document.documentElement, vw = de.clientWidth, bad = [], cells = 0, tables = 0;
document.querySelectorAll('table').forEach(function (t) {
  tables++;
  var columns = t.querySelectorAll('thead th').length;
  var box = t.parentElement;
  if (box.scrollWidth > box.clientWidth + 1) bad.push(t.id + ': its box scrolls sideways');
  if (box.scrollHeight > box.clientHeight + 1) bad.push(t.id + ': its box scrolls (a cell overflows)');
  t.querySelectorAll('tbody tr').forEach(function (tr, ri) {
    var tds = tr.querySelectorAll('td');
    if (tds.length === 1 && tds[0].colSpan > 1) return;
    if (tds.length !== columns) bad.push(t.id + ' row ' + ri + ': ' + tds.length + ' cells, ' + columns + ' columns');
    tds.forEach(function (td, ci) {
      cells++;
      var r = td.getBoundingClientRect(), what = t.id + ' row ' + ri + ' ' + (td.dataset.label || ci);
      if (!(r.width > 0 && r.height > 0)) bad.push(what + ': no size');
      if (r.left < -0.5 || r.right > vw + 0.5) bad.push(what + ': ' + r.left + '..' + r.right + ' outside 0..' + vw);
      if (td.scrollWidth > td.clientWidth + 1) bad.push(what + ': content ' + td.scrollWidth + ' wider than ' + td.clientWidth);
    });
  });
});
var stacked = null, first = document.querySelector('table.rows td[data-label]');
if (first) stacked = getComputedStyle(first, '::before').content;
return { scroll: de.scrollWidth, client: vw, tables: tables, cells: cells, bad: bad, before: stacked };
"#;

/// The pages with tables (and the transaction page) after some activity worth showing: a
/// long amount, a burn, a rejection, names.
fn pages_with_tables(t: &TestNode) -> Vec<(String, usize)> {
    let odd = ether(1_234_567) + U256::from(123_456_789_012_345_678u64); // 18 decimals
    let (hash, height, _) = transfer(t, "alice", addr("dave"), odd);
    submit(t, "dave", |nonce| {
        Command::Burn(Burn {
            amount: ether(5) + U256::from(1u8),
            reason: "a reason long enough to need wrapping in a narrow column of the table".into(),
            nonce,
            deadline: u64::MAX,
        })
    });
    transfer(t, "carol", addr("bob"), ether(9_000_000)); // rejected
    // A swap for the pool page's table.
    let icy_is_0 = crate::pools::pool_json(t, 0)["symbol0"] == "ICY";
    crate::pools::swap(t, "bob", 0, icy_is_0, odd / U256::from(1_000u64));
    vec![
        ("/".to_string(), 2),
        ("/blocks".to_string(), 1),
        (format!("/blocks/{height}"), 1),
        ("/txs".to_string(), 1),
        (format!("/account/{}", addr("alice")), 3),
        (format!("/account/{}", addr("dave")), 2),
        ("/holders/icy".to_string(), 1),
        ("/holders/dfg".to_string(), 1),
        (format!("/tx/{hash:#x}"), 0),
        ("/pools".to_string(), 1),
        ("/pools/0".to_string(), 2),
    ]
}

#[test]
fn every_page_fits_a_laptop_and_a_phone_with_every_cell_visible() {
    if skipped() {
        return;
    }
    let t = TestNode::start();
    let pages = pages_with_tables(&t);
    let browser = Browser::launch().expect("launch chromium");
    for (width, height) in [(1366, 800), (390, 844)] {
        set_viewport(&browser, width, height);
        for (path, tables) in &pages {
            browser.navigate(&t.url(path)).expect("open");
            // Each live page before this one closed its stream when it was left: Chromium
            // allows six connections per host, so open streams would stall this navigation.
            let waited = browser
                .execute(
                    "var n = performance.getEntriesByType('navigation')[0]; \
                     return n.connectStart - n.fetchStart;",
                    &[],
                )
                .expect("navigation timing");
            assert!(waited.as_f64().is_some_and(|ms| ms < 5_000.0), "{path}: waited {waited} ms");
            let v: Value = browser.execute(LAYOUT_CHECK, &[]).expect("layout check");
            let name = format!("{width}px {path}");
            assert!(
                v["scroll"].as_i64() <= v["client"].as_i64(),
                "{name}: the page scrolls sideways ({} > {})",
                v["scroll"],
                v["client"]
            );
            // The viewport is `width` wide; a classic scrollbar may take a few pixels of it.
            let client = v["client"].as_i64().unwrap_or(0);
            assert!((width - 20..=width).contains(&client), "{name}: {client} px of layout");
            assert_eq!(v["tables"].as_u64(), Some(*tables as u64), "{name}");
            assert_eq!(v["bad"], json!([]), "{name}");
            if *tables > 0 {
                assert!(v["cells"].as_u64() > Some(0), "{name}: cells were checked");
                // On the phone the cells stack as "label: value"; on the laptop they do not.
                let before = v["before"].as_str().unwrap_or("");
                if width < 760 {
                    assert!(before.starts_with('"') && before.len() > 2, "{name}: {before}");
                } else {
                    assert!(before == "none" || before.is_empty(), "{name}: {before}");
                }
            }
            // For a human reviewer (HOARD_SCREENSHOT_DIR): the top, and the last table.
            let shot = format!("{width}{}", path.replace(['/', '?', '='], "_"));
            save_screenshot(&format!("{shot}.png"), &browser.screenshot_png().expect("png"));
            if path == "/" {
                browser
                    .execute(
                        "document.querySelector('.charts').scrollIntoView(); return null;",
                        &[],
                    )
                    .expect("scroll");
                save_screenshot(
                    &format!("{shot}-charts.png"),
                    &browser.screenshot_png().expect("png"),
                );
            }
            if *tables > 0 {
                browser
                    .execute(
                        "var t = document.querySelectorAll('table'); \
                         t[t.length - 1].scrollIntoView(); return null;",
                        &[],
                    )
                    .expect("scroll");
                save_screenshot(
                    &format!("{shot}-table.png"),
                    &browser.screenshot_png().expect("png"),
                );
            }
        }
    }
}

/// Opens `path`, marks the window, runs `act`, then waits (10 s at most) until `changed` holds
/// on the same page (the marker proves there was no reload).
fn follows_live(
    t: &TestNode,
    browser: &Browser,
    path: &str,
    act: impl FnOnce(),
    changed: impl Fn(&Browser) -> hoard_webdriver::Result<bool>,
) {
    browser.navigate(&t.url(path)).expect("open");
    browser
        .wait_until(Duration::from_secs(10), |b| {
            let s = b.find("#live-status")?.text()?;
            Ok((s == "live").then_some(()))
        })
        .unwrap_or_else(|e| panic!("{path}: the live script follows the stream: {e}"));
    assert!(!changed(browser).expect("check"), "{path}: changed before the block");
    browser.execute("window.hoardMarker = 'same page'; return null;", &[]).expect("marker");
    act();
    browser
        .wait_until(Duration::from_secs(10), |b| Ok(changed(b)?.then_some(())))
        .unwrap_or_else(|e| panic!("{path}: the page did not change without reload: {e}"));
    let marker = browser.execute("return window.hoardMarker || null;", &[]).expect("marker");
    assert_eq!(marker, json!("same page"), "{path} was reloaded");
}

fn text(b: &Browser, css: &str) -> hoard_webdriver::Result<String> {
    b.find(css)?.text()
}

#[test]
fn account_lists_and_transaction_pages_update_live() {
    if skipped() {
        return;
    }
    let t = TestNode::start();
    let browser = Browser::launch().expect("launch chromium");

    // The account page: carol's balance and her new event.
    let carol = addr("carol");
    follows_live(
        &t,
        &browser,
        &format!("/account/{carol}"),
        || {
            transfer(&t, "alice", carol, ether(42));
        },
        |b| {
            Ok(text(b, "#balances")?.contains("5,000,042")
                && text(b, "#account-events")?.contains("Transfer"))
        },
    );

    // The block list: the new block on top.
    let next = t.handle.committed().head.height + 1;
    follows_live(
        &t,
        &browser,
        "/blocks",
        || {
            transfer(&t, "alice", carol, ether(1));
        },
        |b| Ok(!b.find_all(&format!("#block-list a[href='/blocks/{next}']"))?.is_empty()),
    );

    // The transaction list: the new transaction.
    let icy = t.handle.committed().engine.addresses().icy;
    let tx = sign(&t, "bob", |nonce| {
        Command::Transfer(Transfer {
            token: icy,
            to: carol,
            amount: ether(2),
            nonce,
            deadline: u64::MAX,
        })
    });
    let link = format!("#tx-list a[href='/tx/{:#x}']", tx.hash);
    follows_live(
        &t,
        &browser,
        "/txs",
        || {
            send(&t, tx);
        },
        |b| Ok(!b.find_all(&link)?.is_empty()),
    );

    // The transaction page of a command signed but not yet submitted: a 404 that turns into
    // the transaction once it is committed, then counts the blocks after it.
    let tx = sign(&t, "dave", |nonce| {
        Command::Transfer(Transfer {
            token: icy,
            to: carol,
            amount: ether(3),
            nonce,
            deadline: u64::MAX,
        })
    });
    let hash: B256 = tx.hash;
    let path = format!("/tx/{hash:#x}");
    follows_live(
        &t,
        &browser,
        &path,
        || {
            send(&t, tx);
        },
        |b| {
            Ok(b.find_all("#status")?.first().map(|s| s.text()).transpose()?.as_deref()
                == Some("success"))
        },
    );
    assert!(text(&browser, "#confirmations").expect("confirmations").starts_with("0 later blocks"));
    transfer(&t, "alice", carol, ether(1));
    browser
        .wait_until(Duration::from_secs(10), |b| {
            Ok(text(b, "#confirmations")?.starts_with("1 later block").then_some(()))
        })
        .expect("the confirmations follow the head");
    save_screenshot("tx-live.png", &browser.screenshot_png().expect("screenshot"));

    // The holders page: carol's new balance.
    follows_live(
        &t,
        &browser,
        "/holders/icy",
        || {
            transfer(&t, "alice", carol, ether(1_000));
        },
        |b| Ok(text(b, "#holders")?.contains("5,001,049")),
    );
}

#[test]
fn the_pause_banner_appears_live() {
    if skipped() {
        return;
    }
    let t = TestNode::start();
    let browser = Browser::launch().expect("launch chromium");
    let until = std::cell::Cell::new(0u64);
    follows_live(
        &t,
        &browser,
        "/",
        || {
            let pause = Command::Pause(Pause {
                durationS: 600,
                nonce: t.nonce("admin"),
                deadline: u64::MAX,
            });
            let (s, v) = post_json(t.addr, "/v1/tx", &t.signed_json("admin", pause));
            assert_eq!(s, 200, "{v}");
            until.set(t.handle.committed().engine.paused_until());
        },
        |b| Ok(text(b, "#banner")?.contains("paused until")),
    );
    let iso = browser
        .find("#banner time")
        .and_then(|e| e.attribute("datetime"))
        .expect("the banner's time")
        .expect("datetime");
    let rem = until.get() % 86_400;
    let want = format!(
        "{}T{:02}:{:02}:{:02}Z",
        crate::dashboard::utc_date(until.get()),
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    );
    assert_eq!(iso, want);
    save_screenshot("paused.png", &browser.screenshot_png().expect("screenshot"));
}

#[test]
fn a_pool_page_draws_its_liquidity_and_lists_its_swaps_in_chromium() {
    if skipped() {
        return;
    }
    let t = TestNode::start();
    let pool = crate::pools::pool_json(&t, 0);
    let icy_is_0 = pool["symbol0"] == "ICY";
    let usdc_decimals = if icy_is_0 { &pool["decimals1"] } else { &pool["decimals0"] };
    let usdc_decimals = usdc_decimals.as_u64().expect("decimals") as u8;
    // Carol adds a narrow range around the price, so the chart has three levels; then three
    // swaps, both ways.
    let tick = pool["tick"].as_i64().expect("tick");
    let spacing = pool["tick_spacing"].as_i64().expect("spacing");
    let base = tick.div_euclid(spacing) * spacing;
    let i24 = |v: i64| alloy_primitives::aliases::I24::try_from(v).expect("int24");
    let (_, _, r) = crate::dashboard::submit(&t, "carol", |nonce| {
        Command::AddLiquidity(hoard_core::command::AddLiquidity {
            pool: 0,
            tickLower: i24(base - 4 * spacing),
            tickUpper: i24(base + 4 * spacing),
            liquidity: U256::from(30_000_000_000_000_000u128),
            amount0Max: U256::MAX,
            amount1Max: U256::MAX,
            nonce,
            deadline: u64::MAX,
        })
    });
    assert!(r.success(), "{:?}", r.rejection);
    let usdc = |n: u64| U256::from(n) * U256::from(10u64).pow(U256::from(usdc_decimals));
    let swaps = [
        crate::pools::swap(&t, "alice", 0, icy_is_0, ether(250)),
        crate::pools::swap(&t, "bob", 0, !icy_is_0, usdc(120)),
        crate::pools::swap(&t, "dave", 0, icy_is_0, ether(3)),
    ];
    let (_, ticks) = crate::support::get_json(t.addr, "/v1/pools/0/ticks?limit=25");
    let pool = crate::pools::pool_json(&t, 0);

    let browser = Browser::launch().expect("launch chromium");
    for (width, height) in [(1366, 800), (390, 844)] {
        set_viewport(&browser, width, height);
        browser.navigate(&t.url("/pools/0")).expect("open");
        // The chart as drawn: its bars' liquidities and extents, and the price line.
        let drawn: Value = browser
            .execute(
                "var svg = document.querySelector('#chart-liquidity svg'); \
                 var box = svg.getBoundingClientRect(); \
                 var bars = Array.from(svg.querySelectorAll('rect.bar')).map(function (r) { \
                   var b = r.getBoundingClientRect(); \
                   return { liquidity: r.dataset.liquidity, from: +r.dataset.from, to: +r.dataset.to, \
                            left: b.left, right: b.right, height: b.height, title: r.textContent }; }); \
                 var line = svg.querySelector('line.now'), l = line.getBoundingClientRect(); \
                 return { width: box.width, left: box.left, bars: bars, tick: +line.dataset.tick, \
                          x: l.left + l.width / 2, title: line.textContent };",
                &[],
            )
            .expect("the chart");
        let bars = drawn["bars"].as_array().expect("bars");
        let rows = ticks["ticks"].as_array().expect("ticks");
        // One bar per nonzero range: below the first tick, then from each tick up.
        let expected: Vec<&str> = std::iter::once(&ticks["liquidity_below"])
            .chain(rows.iter().map(|r| &r["liquidity_active"]))
            .map(|v| v.as_str().expect("liquidity"))
            .filter(|v| *v != "0")
            .collect();
        let got: Vec<&str> = bars.iter().map(|b| b["liquidity"].as_str().expect("l")).collect();
        assert_eq!(got, expected, "{width}px: {drawn}");
        assert!(expected.len() >= 3, "the genesis range, carol's range inside it: {ticks}");
        // Taller bars for more liquidity, bars left to right in tick order, inside the chart.
        let number = |b: &Value| b["liquidity"].as_str().expect("l").parse::<u128>().expect("n");
        let deepest = bars.iter().max_by_key(|b| number(b)).expect("a bar");
        let shallowest = bars.iter().min_by_key(|b| number(b)).expect("a bar");
        assert!(deepest["height"].as_f64() > shallowest["height"].as_f64(), "{drawn}");
        let left = drawn["left"].as_f64().expect("left");
        let right = left + drawn["width"].as_f64().expect("width");
        for pair in bars.windows(2) {
            assert!(pair[0]["to"].as_i64() <= pair[1]["from"].as_i64(), "{drawn}");
            assert!(pair[0]["left"].as_f64() <= pair[1]["left"].as_f64(), "{drawn}");
        }
        for b in bars {
            let (l, r) = (b["left"].as_f64().expect("l"), b["right"].as_f64().expect("r"));
            assert!(l >= left - 0.5 && r <= right + 0.5, "{width}px: a bar outside the chart");
        }
        // The price line sits at the current tick, inside the bar whose range holds it.
        assert_eq!(drawn["tick"].as_i64(), pool["tick"].as_i64());
        assert!(
            drawn["title"].as_str().expect("title").contains(pool["price"].as_str().expect("p")),
            "{drawn}"
        );
        let x = drawn["x"].as_f64().expect("x");
        let tick = pool["tick"].as_i64().expect("tick");
        let holding = bars
            .iter()
            .find(|b| b["from"].as_i64() <= Some(tick) && Some(tick) < b["to"].as_i64())
            .expect("a bar holds the price");
        assert!(
            holding["left"].as_f64().expect("l") - 1.0 <= x
                && x <= holding["right"].as_f64().expect("r") + 1.0,
            "{width}px: the line at {x} is not over its range: {holding}"
        );

        // The swaps table: newest first, the amounts in whole tokens.
        let cells: Value = browser
            .execute(
                "return Array.from(document.querySelectorAll('#pool-swaps tbody tr')).map(function (tr) { \
                   return Array.from(tr.querySelectorAll('td')).map(function (td) { return td.innerText.trim(); }); });",
                &[],
            )
            .expect("the swaps table");
        let table = cells.as_array().expect("rows");
        assert_eq!(table.len(), swaps.len(), "{cells}");
        let (d0, d1) = (
            pool["decimals0"].as_u64().expect("d") as u8,
            pool["decimals1"].as_u64().expect("d") as u8,
        );
        let (s0, s1) = (pool["symbol0"].as_str().expect("s"), pool["symbol1"].as_str().expect("s"));
        for (row, (hash, _, logged)) in table.iter().zip(swaps.iter().rev()) {
            let text = row.as_array().expect("cells");
            let hex = format!("{hash:#x}");
            assert!(text[1].as_str().is_some_and(|c| c.starts_with(&hex[..6])), "{row}");
            // Positive amounts went into the pool: what the trader sold.
            let (sold, bought) = if logged.amount0.is_positive() {
                (
                    format!("{} {s0}", crate::pools::whole(logged.amount0.unsigned_abs(), d0)),
                    format!("{} {s1}", crate::pools::whole(logged.amount1.unsigned_abs(), d1)),
                )
            } else {
                (
                    format!("{} {s1}", crate::pools::whole(logged.amount1.unsigned_abs(), d1)),
                    format!("{} {s0}", crate::pools::whole(logged.amount0.unsigned_abs(), d0)),
                )
            };
            assert_eq!(text[3].as_str(), Some(sold.as_str()), "{row}");
            assert_eq!(text[4].as_str(), Some(bought.as_str()), "{row}");
            assert_eq!(text[6].as_str(), Some(logged.tick.as_i32().to_string().as_str()), "{row}");
        }
        // The phone layout holds on this page too.
        let v: Value = browser.execute(LAYOUT_CHECK, &[]).expect("layout check");
        assert!(v["scroll"].as_i64() <= v["client"].as_i64(), "{width}px: {v}");
        assert_eq!(v["bad"], json!([]), "{width}px");
        save_screenshot(&format!("{width}_pool.png"), &browser.screenshot_png().expect("png"));
        browser
            .execute(
                "document.querySelector('#chart-liquidity').scrollIntoView(); return null;",
                &[],
            )
            .expect("scroll");
        save_screenshot(
            &format!("{width}_pool-chart.png"),
            &browser.screenshot_png().expect("png"),
        );
    }

    // The page is live: a new swap shows without reload.
    let next = std::cell::Cell::new(B256::ZERO);
    follows_live(
        &t,
        &browser,
        "/pools/0",
        || next.set(crate::pools::swap(&t, "alice", 0, icy_is_0, ether(1)).0),
        |b| {
            let hex = format!("{:#x}", next.get());
            Ok(next.get() != B256::ZERO
                && !b.find_all(&format!("#pool-swaps a[href='/tx/{hex}']"))?.is_empty())
        },
    );
}
