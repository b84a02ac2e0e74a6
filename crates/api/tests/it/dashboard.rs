//! Dashboard tests: every page over real HTTP against a devnet node (figures, links, status
//! codes, escaping of hostile input), and the live overview in headless Chromium.

use std::{net::SocketAddr, time::Duration};

use alloy_primitives::{Address, B256, U256};
use hoard_core::{
    Receipt,
    command::{Burn, Command, SignedCommand, Transfer, Tx},
};
use hoard_node::{TxOutcome, devnet};

use crate::support::TestNode;

// ----- helpers -----

pub(crate) fn ether(whole: u64) -> U256 {
    U256::from(whole) * U256::from(10u64).pow(U256::from(18u8))
}

pub(crate) fn addr(name: &str) -> Address {
    devnet::account(name).expect("demo account").address
}

/// Signs `make(nonce)` as the demo account `from` with its next nonce (not submitted).
pub(crate) fn sign(t: &TestNode, from: &str, make: impl FnOnce(u64) -> Command) -> Tx {
    let account = devnet::account(from).expect("demo account");
    let (domain, nonce) = {
        let c = t.handle.committed();
        (c.engine.domain().clone(), c.engine.nonce(&account.address))
    };
    SignedCommand::sign(make(nonce), &domain, &account.secret)
        .verify(&domain)
        .expect("a devnet signature verifies")
}

/// Submits a signed command through the node handle and waits for its block. Returns the
/// hash, the height and the receipt.
pub(crate) fn send(t: &TestNode, tx: Tx) -> (B256, u64, Receipt) {
    let hash = tx.hash;
    let rx = t.handle.submit(vec![tx]).expect("submit");
    let outcomes = t.runtime.block_on(rx).expect("the sequencer answers");
    match outcomes.into_iter().next() {
        Some(TxOutcome::Included { receipt, height, .. }) => (hash, height, receipt),
        other => panic!("not included: {other:?}"),
    }
}

/// Signs `make(nonce)` as the demo account `from` with its next nonce, submits it through the
/// node handle and waits for its block. Returns the hash, the height and the receipt.
pub(crate) fn submit(
    t: &TestNode,
    from: &str,
    make: impl FnOnce(u64) -> Command,
) -> (B256, u64, Receipt) {
    send(t, sign(t, from, make))
}

pub(crate) fn transfer(
    t: &TestNode,
    from: &str,
    to: Address,
    amount: U256,
) -> (B256, u64, Receipt) {
    let icy = t.handle.committed().engine.addresses().icy;
    submit(t, from, |nonce| {
        Command::Transfer(Transfer { token: icy, to, amount, nonce, deadline: u64::MAX })
    })
}

/// One GET over HTTP/1.1: status, lower-cased head, body.
pub(crate) fn get(addr: SocketAddr, path: &str) -> (u16, String, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).expect("write");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read");
    let text = String::from_utf8(raw).expect("utf-8 response");
    let (head, body) = text.split_once("\r\n\r\n").expect("a complete response");
    let status = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).expect("status");
    let head = head.to_ascii_lowercase();
    let body =
        if head.contains("transfer-encoding: chunked") { dechunk(body) } else { body.into() };
    (status, head, body)
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).expect("chunk size");
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        s = &rest[n + 2..];
    }
    out
}

/// A page that must answer 200 with HTML.
pub(crate) fn page(t: &TestNode, path: &str) -> String {
    let (status, head, body) = get(t.addr, path);
    assert_eq!(status, 200, "{path}: {body}");
    assert!(head.contains("content-type: text/html; charset=utf-8"), "{path}: {head}");
    assert!(body.starts_with("<!doctype html>"), "{path}");
    body
}

/// The text between the element with `id` and the end of its table (or the page).
pub(crate) fn section<'a>(body: &'a str, id: &str) -> &'a str {
    let start = body.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no #{id}"));
    let rest = &body[start..];
    let end = rest.find("</table>").or_else(|| rest.find("</dl>")).unwrap_or(rest.len());
    &rest[..end]
}

/// A UTC date, computed independently of the dashboard by counting whole years and months.
pub(crate) fn utc_date(unix_s: u64) -> String {
    let leap = |y: u64| (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    let mut days = unix_s / 86_400;
    let mut year = 1970;
    while days >= if leap(year) { 366 } else { 365 } {
        days -= if leap(year) { 366 } else { 365 };
        year += 1;
    }
    let lengths = [31, if leap(year) { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut month = 0;
    while days >= lengths[month] {
        days -= lengths[month];
        month += 1;
    }
    format!("{year:04}-{:02}-{:02}", month + 1, days + 1)
}

// ----- pages over HTTP -----

#[test]
fn overview_shows_the_genesis_figures_head_and_chain() {
    let t = TestNode::start();
    let body = page(&t, "/");
    let head = t.handle.committed().head;
    assert!(body.contains("<title>Overview · Hoard devnet · chain 31337</title>"), "{body}");
    assert!(body.contains("id=\"chain\">devnet · chain 31337</span>"));
    assert!(body.contains("<a href=\"/\">Overview</a>"));
    let card = |label: &str, value: &str, unit: &str| {
        let needle = format!(
            "<div class=\"label\">{label}</div><div class=\"value\">{value} <span class=\"unit\">{unit}</span>"
        );
        assert!(body.contains(&needle), "missing {needle}");
    };
    // Devnet genesis: ICY 100M, of which the treasury (59M) and the minter (10M) are
    // protocol-owned; DFG 10M with 4.5M vesting and alice, bob and carol self-delegated (0.5M
    // each); the year's mint room is 3% of 100M.
    card("Total supply", "100,000,000", "ICY");
    card("Circulating supply", "31,000,000", "ICY");
    card("Total burned", "0", "ICY");
    card("Max supply", "1,000,000,000", "ICY");
    card("Mint room this protocol year", "3,000,000", "ICY");
    card("Total supply", "10,000,000", "DFG");
    card("Delegated voting power", "1,500,000", "DFG");
    card("Vesting escrow", "4,500,000", "DFG");
    // Head block, complete hash and root, UTC time.
    assert!(body.contains(&format!("id=\"head-height\" data-height=\"{}\"", head.height)));
    assert!(body.contains(&format!("{:#x}", head.hash)));
    assert!(body.contains(&format!("{:#x}", head.state_root)));
    assert!(body.contains(&format!("<time datetime=\"{}T", utc_date(head.time_s))));
    // The genesis block is listed, no events yet, and the page has its live script.
    assert!(section(&body, "blocks").contains("href=\"/blocks/0\""));
    assert!(section(&body, "events").contains("No events yet."));
    assert!(body.contains(&format!(
        "<div id=\"live\" data-partial=\"/partials/overview\" data-height=\"{}\">",
        head.height
    )));
    assert!(body.contains("new EventSource('/v1/stream?from_height='+(shown+1))"));
    assert!(body.contains("fetch(url,{cache:'no-store'})"));
    assert!(body.contains("setInterval(refresh,1000)"), "the polling fallback stays");
    assert!(!body.contains("<link") && !body.contains("src=\"http"), "no external resources");
}

#[test]
fn a_transfer_shows_on_the_account_block_tx_and_overview_pages() {
    let t = TestNode::start();
    let amount = ether(1_234) + ether(1) / U256::from(2u8); // 1,234.5 ICY
    let (hash, height, receipt) = transfer(&t, "alice", addr("dave"), amount);
    assert!(receipt.success(), "{receipt:?}");
    let hash_hex = format!("{hash:#x}");
    let tx_href = format!("href=\"/tx/{hash_hex}\"");

    // Account pages: new balances, nonce, the sent transaction, the Transfer event.
    let alice = page(&t, &format!("/account/{:#x}", addr("alice")));
    let balances = section(&alice, "balances");
    assert!(balances.contains(">9,998,765.5 <span class=\"unit\">ICY</span>"), "{balances}");
    assert!(balances.contains(">500,000 <span class=\"unit\">DFG</span>"), "{balances}");
    assert!(alice.contains("<div class=\"label\">Nonce</div><div class=\"value\">1 "));
    assert!(alice.contains("alice (demo)"));
    assert!(section(&alice, "delegate").contains("(itself)"));
    let sent = section(&alice, "account-txs");
    assert!(sent.contains(&tx_href) && sent.contains("Transfer") && sent.contains("success"));
    let events = section(&alice, "account-events");
    assert!(events.contains(&tx_href) && events.contains("Transfer"), "{events}");
    assert!(events.contains("1,234.5 <span class=\"unit muted\">ICY</span>"), "{events}");
    // Alice's team vesting: 2,000,000 DFG, 12-month cliff, 48 months, nothing vested yet.
    let vesting = section(&alice, "vesting");
    assert!(vesting.contains("2,000,000 <span class=\"unit muted\">DFG</span>"), "{vesting}");
    let start = t.handle.committed().engine.genesis_time();
    let month = 365 * 86_400 / 12;
    for date in [start, start + 12 * month, start + 48 * month] {
        assert!(vesting.contains(&format!("datetime=\"{}T", utc_date(date))), "{date}: {vesting}");
    }

    let dave = page(&t, &format!("/account/{}", addr("dave")));
    assert!(section(&dave, "balances").contains(">5,001,234.5 <span class=\"unit\">ICY</span>"));
    assert!(section(&dave, "account-txs").contains("No transactions sent."));
    assert!(section(&dave, "account-events").contains(&tx_href));
    assert!(section(&dave, "delegate").contains("not delegated"));

    // Block page: header and the transaction with its status.
    let block = page(&t, &format!("/blocks/{height}"));
    assert!(block.contains(&format!("<title>Block {height} · Hoard devnet · chain 31337</title>")));
    let txs = section(&block, "txs");
    assert!(txs.contains(&tx_href) && txs.contains("Transfer"), "{txs}");
    assert!(txs.contains("<span class=\"ok\">success</span>"));
    assert!(txs.contains(&format!("href=\"/account/{}\"", addr("alice"))));
    assert!(block.contains(&format!("href=\"/blocks/{}\" rel=\"prev\"", height - 1)));

    // Transaction page: sender, command, status, block, decoded log with topics and data.
    let tx = page(&t, &format!("/tx/{hash_hex}"));
    assert!(tx.contains(&format!("<dd class=\"mono\">{hash_hex}</dd>")));
    assert!(tx.contains(&format!("href=\"/account/{}\"", addr("alice"))));
    assert!(tx.contains("<code>Transfer</code>"));
    assert!(tx.contains("id=\"status\"><span class=\"ok\">success</span>"));
    assert!(tx.contains(&format!("href=\"/blocks/{height}\"")));
    let logs = &tx[tx.find("id=\"logs\"").expect("logs")..];
    assert!(logs.contains("#0 Transfer"));
    assert!(logs.contains("1,234.5 <span class=\"unit muted\">ICY</span>"));
    let topic_to = format!("{:#x}", B256::left_padding_from(addr("dave").as_slice()));
    assert!(logs.contains(&format!("[2] {topic_to}")), "{logs}");
    assert!(logs.contains(&alloy_primitives::hex::encode(amount.to_be_bytes::<32>())), "ABI data");
    assert!(tx.contains("id=\"message\""), "the signed message is shown");
    assert!(tx.contains("<dt>Nonce</dt><dd>0</dd>"));
    assert!(tx.contains("<dt>Deadline</dt><dd><span class=\"muted\">none</span>"));

    // Overview and its fragment: the new head and the event.
    let overview = page(&t, "/");
    assert!(overview.contains(&format!("data-height=\"{height}\"")));
    assert!(section(&overview, "events").contains(&tx_href));
    let (status, head, fragment) = get(t.addr, "/partials/overview");
    assert_eq!(status, 200);
    assert!(head.contains("cache-control: no-store"), "{head}");
    assert!(!fragment.contains("<html") && !fragment.contains("<script"), "a fragment only");
    assert!(fragment.contains(&format!("data-height=\"{height}\"")));
    assert!(section(&fragment, "events").contains(&tx_href));
    assert!(section(&fragment, "blocks").contains(&format!("href=\"/blocks/{height}\"")));
}

#[test]
fn a_rejected_command_shows_its_code_and_message() {
    let t = TestNode::start();
    let (hash, height, receipt) = transfer(&t, "carol", addr("dave"), ether(6_000_000));
    assert!(!receipt.success());
    let block = page(&t, &format!("/blocks/{height}"));
    assert!(
        section(&block, "txs").contains("rejected</span> <code>token.insufficient_balance</code>")
    );
    let tx = page(&t, &format!("/tx/{hash:#x}"));
    assert!(tx.contains("<code>token.insufficient_balance</code>"));
    // The engine's message in base units, and the same in whole tokens.
    assert!(
        tx.contains(
            "<dt>Rejection</dt><dd id=\"rejection\">insufficient balance: has 5,000,000 ICY, \
             needs 6,000,000 ICY<div class=\"muted\">as recorded: insufficient balance: has \
             5000000000000000000000000, needs 6000000000000000000000000</div>"
        ),
        "{tx}"
    );
    assert!(tx.contains("No logs: a rejected command"));
    // The nonce moved, the balance did not.
    let carol = page(&t, &format!("/account/{}", addr("carol")));
    assert!(section(&carol, "balances").contains(">5,000,000 <span class=\"unit\">ICY</span>"));
    assert!(carol.contains("<div class=\"label\">Nonce</div><div class=\"value\">1 "));
}

#[test]
fn hostile_text_is_escaped_everywhere() {
    let t = TestNode::start();
    let reason = "<script>alert(\"x\")</script><img src=x onerror='y'>";
    let (hash, _, receipt) = submit(&t, "dave", |nonce| {
        Command::Burn(Burn { amount: ether(5), reason: reason.into(), nonce, deadline: u64::MAX })
    });
    assert!(receipt.success(), "{receipt:?}");
    let escaped =
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=&#39;y&#39;&gt;";
    let tx = page(&t, &format!("/tx/{hash:#x}"));
    assert!(tx.contains(escaped), "{tx}");
    let overview = page(&t, "/");
    let dave = page(&t, &format!("/account/{}", addr("dave")));
    for body in [&tx, &overview, &dave] {
        assert!(!body.contains("<script>alert") && !body.contains("<img"), "{body}");
    }
    assert!(section(&overview, "events").contains("&lt;script&gt;alert"));
    assert!(overview.contains("<div class=\"label\">Total burned</div><div class=\"value\">5 "));

    // Hostile paths and queries come back escaped in 400 pages.
    for path in [
        "/account/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "/blocks/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "/tx/%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    ] {
        let (status, head, body) = get(t.addr, path);
        assert_eq!(status, 400, "{path}");
        assert!(head.contains("text/html"), "{path}");
        assert!(!body.contains("<script>alert"), "{path}: {body}");
        assert!(body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{path}: {body}");
    }
}

#[test]
fn bad_input_gives_400_pages_and_unknown_items_404_pages() {
    let t = TestNode::start();
    let zero_hash = format!("0x{}", "00".repeat(32));
    let cases: &[(&str, u16, &str)] = &[
        ("/blocks/abc", 400, "is not a block height"),
        ("/blocks/-1", 400, "is not a block height"),
        ("/blocks/1.5", 400, "is not a block height"),
        ("/blocks/99999999999999999999999", 400, "is not a block height"),
        ("/blocks/424242", 404, "There is no block at height 424242"),
        ("/tx/0x12", 400, "is not a transaction hash"),
        ("/tx/nothex", 400, "is not a transaction hash"),
        (&zero_hash, 0, ""),
        ("/account/0x123", 400, "is not an account address"),
        ("/account/0xZZ3456789012345678901234567890123456789", 400, "is not an account address"),
        ("/search?q=hello", 400, "is not a block height, a transaction or block hash"),
        ("/account/%FF%FE", 400, "not valid UTF-8"),
        ("/blocks/%C0", 400, "not valid UTF-8"),
        ("/search?q=1&q=2", 400, "Search with one q="),
    ];
    for (path, status, text) in cases.iter().filter(|c| c.1 != 0) {
        let (got, head, body) = get(t.addr, path);
        assert_eq!(got, *status, "{path}: {body}");
        assert!(head.contains("content-type: text/html"), "{path}");
        assert!(body.contains(text), "{path}: {body}");
        assert!(body.contains("<a href=\"/\">Back to the overview</a>"), "{path}");
        assert!(!body.to_lowercase().contains("panic") && !body.contains("store:"), "{path}");
    }
    let (status, _, body) = get(t.addr, &format!("/tx/{zero_hash}"));
    assert_eq!(status, 404);
    assert!(body.contains("No transaction with hash"), "{body}");
    // The genesis block exists and has no parent.
    let genesis = page(&t, "/blocks/0");
    assert!(genesis.contains("none (genesis)") && genesis.contains("No transactions."));
    assert!(!genesis.contains("rel=\"prev\""));
    // Any well-formed address has a page, even one the chain has never seen.
    let nobody = page(&t, &format!("/account/0x{}", "42".repeat(20)));
    assert!(section(&nobody, "balances").contains(">0 <span class=\"unit\">ICY</span>"));
}

#[test]
fn search_redirects_to_the_page_of_what_was_typed() {
    let t = TestNode::start();
    let hash = format!("0x{}", "ab".repeat(32));
    let alice = addr("alice");
    let lower = format!("{alice:#x}");
    for (q, to) in [
        ("7".to_string(), "/blocks/7".to_string()),
        (hash.clone(), format!("/tx/{hash}")),
        (lower, format!("/account/{alice}")),
        (String::new(), "/".to_string()),
        (format!("{:#x}", t.handle.genesis_hash()), "/blocks/0".to_string()),
    ] {
        let (status, head, _) = get(t.addr, &format!("/search?q={q}"));
        assert_eq!(status, 303, "{q}");
        assert!(head.contains(&format!("location: {}", to.to_ascii_lowercase())), "{q}: {head}");
    }
}

// ----- the live overview in headless Chromium -----

#[test]
fn overview_updates_live_in_chromium() {
    if !hoard_webdriver::available() {
        // Written to the stderr handle, which libtest does not capture, so a skip is always visible.
        let _ = std::io::Write::write_fmt(
            &mut std::io::stderr(),
            format_args!(
                "skipped: {}: chromium/chromedriver not installed\n",
                std::thread::current().name().unwrap_or("a test")
            ),
        );
        return;
    }
    let t = TestNode::start();
    let browser = hoard_webdriver::Browser::launch().expect("launch chromium");
    let (mode, hash, height) = follow_a_transfer(&t, &browser, &t.url("/"), "overview");
    assert_eq!(mode, "live", "the full API serves /v1/stream, so the page follows it");

    browser.navigate(&t.url(&format!("/tx/{hash:#x}"))).expect("tx page");
    assert_eq!(browser.find("#status").expect("status").text().expect("text"), "success");
    let logs = browser.find("#logs").expect("logs").text().expect("text");
    assert!(logs.contains("#0 Transfer") && logs.contains("42 ICY"), "{logs}");
    save_screenshot("tx.png", &browser.screenshot_png().expect("screenshot"));

    browser.navigate(&t.url(&format!("/blocks/{height}"))).expect("block page");
    let txs = browser.find("#txs").expect("txs").text().expect("text");
    assert!(txs.contains("Transfer") && txs.contains("success"), "{txs}");
    save_screenshot("block.png", &browser.screenshot_png().expect("screenshot"));

    browser.navigate(&t.url(&format!("/account/{}", addr("carol")))).expect("account page");
    assert!(browser.title().expect("title").starts_with("Account 0x"));
    let balances = browser.find("#balances").expect("balances").text().expect("text");
    assert!(balances.contains("5,000,042"), "{balances}");
    let png = browser.screenshot_png().expect("screenshot");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    save_screenshot("account.png", &png);
}

/// Without `/v1/stream` (a server with the dashboard routes only), the script falls back to
/// polling the fragment every second and still shows new blocks without reload.
#[test]
fn overview_polls_when_the_stream_is_missing() {
    if !hoard_webdriver::available() {
        // Written to the stderr handle, which libtest does not capture, so a skip is always visible.
        let _ = std::io::Write::write_fmt(
            &mut std::io::stderr(),
            format_args!(
                "skipped: {}: chromium/chromedriver not installed\n",
                std::thread::current().name().unwrap_or("a test")
            ),
        );
        return;
    }
    let t = TestNode::start();
    let app = hoard_api::dashboard::routes().with_state(hoard_api::AppState::new(t.handle.clone()));
    let listener = t.runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    t.runtime.spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let browser = hoard_webdriver::Browser::launch().expect("launch chromium");
    let (mode, ..) = follow_a_transfer(&t, &browser, &format!("{base}/"), "overview-polling");
    assert_eq!(mode, "live (polling every second)");
}

/// Opens the overview at `url`, waits for its script, submits a transfer and waits (10 s at
/// most) until the same page, not reloaded, shows the new head and the Transfer event. Returns
/// the live mode the page reports, the transaction hash and its block height.
fn follow_a_transfer(
    t: &TestNode,
    browser: &hoard_webdriver::Browser,
    url: &str,
    shot: &str,
) -> (String, B256, u64) {
    browser.navigate(url).expect("open the overview");
    assert!(browser.title().expect("title").starts_with("Overview · Hoard devnet"));
    let shown_height = |b: &hoard_webdriver::Browser| -> hoard_webdriver::Result<u64> {
        let h = b.find("#head-height")?.attribute("data-height")?.unwrap_or_default();
        Ok(h.parse().unwrap_or(0))
    };
    let before = shown_height(browser).expect("head height");
    assert_eq!(before, t.handle.committed().head.height);
    // The script reports whether it follows the stream or polls.
    let mode = browser
        .wait_until(Duration::from_secs(10), |b| {
            let s = b.find("#live-status")?.text()?;
            Ok(s.starts_with("live").then_some(s))
        })
        .expect("the live script starts");
    println!("{shot}: live mode: {mode}");
    // A marker on the window survives only if the page is not reloaded.
    browser.execute("window.hoardMarker = 'same page'; return null;", &[]).expect("marker");

    let (hash, height, receipt) = transfer(t, "alice", addr("carol"), ether(42));
    assert!(receipt.success() && height > before);
    let link = format!("#events a[href='/tx/{hash:#x}']");
    browser
        .wait_until(Duration::from_secs(10), |b| {
            let shown = shown_height(b)?;
            let rows = b.find_all(&link)?;
            Ok((shown >= height && !rows.is_empty()).then_some(()))
        })
        .expect("the overview shows the new block and its Transfer event without reload");
    let events = browser.find("#events").expect("events").text().expect("text");
    assert!(events.contains("Transfer") && events.contains("42 ICY"), "{events}");
    let marker = browser.execute("return window.hoardMarker || null;", &[]).expect("marker");
    assert_eq!(marker, serde_json::json!("same page"), "the page was reloaded");
    let png = browser.screenshot_png().expect("screenshot");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    save_screenshot(&format!("{shot}.png"), &png);
    // The lower half (blocks and events), for a human reviewer.
    browser.execute("document.getElementById('blocks').scrollIntoView(); return null;", &[]).ok();
    if let Ok(png) = browser.screenshot_png() {
        save_screenshot(&format!("{shot}-lists.png"), &png);
    }
    (mode, hash, height)
}

/// Keeps a screenshot for a human when `HOARD_SCREENSHOT_DIR` is set.
pub(crate) fn save_screenshot(name: &str, png: &[u8]) {
    if let Some(dir) = std::env::var_os("HOARD_SCREENSHOT_DIR") {
        let path = std::path::Path::new(&dir).join(name);
        std::fs::write(&path, png).expect("write screenshot");
    }
}

#[test]
fn account_pages_show_bridged_assets_and_name_module_accounts() {
    let t = TestNode::start();
    let alice = devnet::account("alice").expect("alice").address;
    let html = page(&t, &format!("/account/{alice}"));
    assert!(html.contains("USDC balance"), "the USDC card");
    assert!(html.contains("1,000,000"), "alice's USDC in whole tokens");
    assert!(html.contains("WBTC balance") && html.contains("WETH balance"));
    let governance = t.handle.committed().engine.governance();
    let html = page(&t, &format!("/account/{governance}"));
    assert!(html.contains("governance module"), "module accounts are named");
    let usdc = hoard_core::facets::token::asset_address("USDC");
    let html = page(&t, &format!("/account/{usdc}"));
    assert!(html.contains("USDC token"), "asset addresses are named");
}
