//! Dashboard pages added with the lists: the block and transaction lists and their cursors,
//! the holders pages, the overview's charts, the styled 404, the pause banner on every page,
//! readable amounts and times, and demo names in the search (over HTTP, no browser).

use std::collections::{BTreeSet, HashSet};

use alloy_primitives::{Address, B256, U256};
use hoard_api::{ApiConfig, ServeConfig};
use hoard_core::{
    command::{Burn, Command, Mint, Pause, Transfer},
    facets::token::TokenId,
};

use crate::{
    dashboard::{addr, ether, get, page, section, submit, transfer, utc_date},
    support::{TestNode, get_json, post_json},
};

/// UTC ISO 8601 of unix seconds, from the independent date helper.
pub(crate) fn utc_iso(unix_s: u64) -> String {
    let rem = unix_s % 86_400;
    format!("{}T{:02}:{:02}:{:02}Z", utc_date(unix_s), rem / 3600, rem / 60 % 60, rem % 60)
}

/// Every `href="…"` of `html` that starts with `prefix`.
fn hrefs(html: &str, prefix: &str) -> Vec<String> {
    let needle = format!("href=\"{prefix}");
    html.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &html[i + 6..];
            rest[..rest.find('"').expect("closing quote")].replace("&amp;", "&")
        })
        .collect()
}

/// The `rel="next"` link of a pager, if any.
fn next_link(html: &str) -> Option<String> {
    let i = html.find("rel=\"next\"")?;
    let start = html[..i].rfind("href=\"")? + 6;
    Some(html[start..].split('"').next()?.replace("&amp;", "&"))
}

/// Follows `rel="next"` from `first`, returning each page's body (at most `max` pages).
fn pages(t: &TestNode, first: &str, max: usize) -> Vec<String> {
    let mut out = vec![page(t, first)];
    while let Some(next) = next_link(out.last().expect("a page")) {
        assert!(out.len() < max, "more than {max} pages from {first}");
        out.push(page(t, &next));
    }
    out
}

#[test]
fn block_and_transaction_lists_page_through_everything_once() {
    let t = TestNode::start();
    let (_, heights) = t.transfer_blocks(27, 1, 0);
    let head = t.handle.committed().head.height;
    assert_eq!(*heights.last().expect("heights"), head);

    // Blocks: 25 a page, newest first, down to genesis, each once.
    let block_pages = pages(&t, "/blocks", 10);
    let mut seen = Vec::new();
    for (i, body) in block_pages.iter().enumerate() {
        let rows: Vec<u64> = hrefs(section(body, "block-list"), "/blocks/")
            .iter()
            .filter_map(|h| h.trim_start_matches("/blocks/").parse().ok())
            .collect::<BTreeSet<u64>>()
            .into_iter()
            .rev()
            .collect();
        if i + 1 < block_pages.len() {
            assert_eq!(rows.len(), hoard_api::dashboard::BLOCKS_PAGE_MAX, "page {i}");
        }
        seen.extend(rows);
    }
    assert_eq!(seen, (0..=head).rev().collect::<Vec<_>>(), "every block once, newest first");
    // The first page follows the stream; older pages do not change, so they are static.
    assert!(block_pages[0].contains("data-partial=\"/partials/blocks\""));
    assert!(!block_pages[1].contains("data-partial") && block_pages[1].contains("rel=\"first\""));
    // From the second page, "newer" leads back to the blocks above it.
    let newer = block_pages[1]
        .split("rel=\"prev\"")
        .next()
        .and_then(|b| b.rsplit("href=\"").next())
        .and_then(|h| h.split('"').next())
        .expect("a newer link")
        .to_string();
    assert_eq!(newer, format!("/blocks?after={}", head - 25));
    let back = page(&t, &newer);
    let first_rows = section(&back, "block-list");
    assert!(first_rows.contains(&format!("href=\"/blocks/{head}\"")));
    assert!(!first_rows.contains(&format!("href=\"/blocks/{}\"", head - 25)));

    // Transactions: every committed transaction once, newest first.
    let mut expected = Vec::new();
    for h in (0..=head).rev() {
        let mut txs = t.handle.store().txs_in_block(h).expect("txs");
        txs.reverse();
        expected.extend(txs.iter().map(|x| format!("/tx/{:#x}", B256::from(x.hash))));
    }
    assert_eq!(expected.len(), 27);
    let tx_pages = pages(&t, "/txs", 10);
    assert_eq!(tx_pages.len(), 2);
    let listed: Vec<String> =
        tx_pages.iter().flat_map(|b| hrefs(section(b, "tx-list"), "/tx/")).collect::<Vec<_>>();
    let mut unique = Vec::new();
    for h in listed {
        if unique.last() != Some(&h) {
            unique.push(h);
        }
    }
    assert_eq!(unique, expected);
    assert!(tx_pages[0].contains("data-partial=\"/partials/txs\""));
    assert!(section(&tx_pages[0], "tx-list").contains("alice (demo)"));

    // Bad cursors are readable 400 pages.
    for (path, text) in [
        ("/blocks?before=x", "is not a block list cursor"),
        ("/blocks?before=1&after=2", "not both"),
        ("/txs?before=12", "is not a transaction list cursor"),
        ("/txs?after=1-0", "with before=… only"),
        ("/holders/icy?after=nonsense", "is not a holders cursor"),
    ] {
        let (status, _, body) = get(t.addr, path);
        assert_eq!(status, 400, "{path}");
        assert!(body.contains(text), "{path}: {body}");
    }
}

#[test]
fn holders_are_ranked_by_balance_and_paginated() {
    let t = TestNode::start();
    // 30 new holders with distinct balances (1..=30 ICY), in one block.
    let nonce = t.nonce("alice");
    let newcomers: Vec<Address> = (1..=30u8).map(|i| Address::repeat_byte(0x40 + i)).collect();
    let commands: Vec<serde_json::Value> = newcomers
        .iter()
        .enumerate()
        .map(|(i, to)| t.signed_transfer_json("alice", *to, ether(i as u64 + 1), nonce + i as u64))
        .collect();
    let (s, v) = post_json(t.addr, "/v1/txs", &serde_json::json!({ "commands": commands }));
    assert_eq!(s, 200, "{v}");

    // The ranking computed independently from the committed state.
    let want: Vec<(Address, U256)> = {
        let c = t.handle.committed();
        let mut all: Vec<(Address, U256)> = c.engine.holders(TokenId::Icy).collect();
        all.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        all
    };
    assert!(want.len() > hoard_api::dashboard::HOLDERS_PAGE_MAX);

    let bodies = pages(&t, "/holders/icy", 5);
    assert_eq!(bodies.len(), 2);
    let listed: Vec<Address> = bodies
        .iter()
        .flat_map(|b| hrefs(section(b, "holders"), "/account/"))
        .map(|h| h.trim_start_matches("/account/").parse().expect("address"))
        .collect();
    assert_eq!(listed, want.iter().map(|w| w.0).collect::<Vec<_>>());
    let first = &bodies[0];
    // Rank 1 is the treasury: 59,000,000 of 100,000,000 ICY.
    let table = section(first, "holders");
    let treasury = table.find(&format!("{}", addr("treasury"))).expect("treasury listed");
    assert!(table[..treasury].contains(">1</td>"), "the treasury ranks first");
    assert!(table.contains("59,000,000 <span class=\"unit muted\">ICY</span>"));
    assert!(table.contains("59.00 %"));
    assert!(first.contains(&format!("<div class=\"value\">{} ", want.len())), "holder count");
    assert!(first.contains("data-partial=\"/partials/holders/icy\""));
    assert!(bodies[1].contains(">26</td>"), "ranks go on across pages");

    // DFG has its own ranking: the treasury's 2,500,000 first, the escrow's 4,500,000 before it.
    let dfg = page(&t, "/holders/DFG");
    let rows = section(&dfg, "holders");
    let escrow = t.handle.committed().engine.addresses().vesting_escrow;
    let (e, tr) = (
        rows.find(&escrow.to_checksum(None)).expect("escrow"),
        rows.find(&addr("treasury").to_checksum(None)).expect("treasury"),
    );
    assert!(e < tr, "4.5M before 2.5M");
    assert!(rows.contains("45.00 %") && rows.contains("25.00 %"), "{rows}");

    // The JSON API pages the same ranking with next_after.
    let mut json_rows = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            None => "/v1/tokens/icy/holders?limit=7".to_string(),
            Some(a) => format!("/v1/tokens/icy/holders?limit=7&after={a}"),
        };
        let (s, v) = get_json(t.addr, &path);
        assert_eq!(s, 200, "{v}");
        for h in v["top"].as_array().expect("top") {
            json_rows.push((
                h["address"].as_str().expect("address").parse::<Address>().expect("address"),
                U256::from_str_radix(h["balance"].as_str().expect("balance"), 10).expect("u256"),
                h["rank"].as_u64().expect("rank"),
            ));
        }
        match v["next_after"].as_str() {
            Some(a) => after = Some(a.to_string()),
            None => break,
        }
    }
    let ranks: Vec<u64> = json_rows.iter().map(|r| r.2).collect();
    assert_eq!(ranks, (1..=want.len() as u64).collect::<Vec<_>>());
    assert_eq!(json_rows.iter().map(|r| (r.0, r.1)).collect::<Vec<_>>(), want);
    let (_, v) = get_json(t.addr, "/v1/tokens/icy/holders?limit=1");
    assert_eq!(v["top"][0]["balance_display"], "59,000,000 ICY");
    assert_eq!(v["top"][0]["share"], "59.00 %");
    let (s, v) = get_json(t.addr, "/v1/tokens/btc/holders");
    assert_eq!((s, v["error"]["code"].as_str()), (404, Some("api.not_found")));
    let (s, v) = get_json(t.addr, "/v1/tokens/icy/holders?after=1:2");
    assert_eq!((s, v["error"]["code"].as_str()), (400, Some("api.bad_cursor")));

    // One ranking per head: the same head gives the same computation, a new head a new one.
    let a = t.state.holders.get(&t.handle);
    let b = t.state.holders.get(&t.handle);
    assert!(std::sync::Arc::ptr_eq(&a, &b), "no second scan at the same head");
    transfer(&t, "bob", addr("carol"), ether(1));
    let c = t.state.holders.get(&t.handle);
    assert!(c.height > a.height && !std::sync::Arc::ptr_eq(&a, &c));
    assert_eq!(c.of(TokenId::Icy).top.len(), want.len());
}

#[test]
fn the_overview_charts_supply_burns_and_activity() {
    let t = TestNode::start();
    let (_, _, minted) = submit(&t, "minter", |nonce| {
        Command::Mint(Mint { to: addr("dave"), amount: ether(1_000), nonce, deadline: u64::MAX })
    });
    assert!(minted.success(), "{minted:?}");
    let (_, _, burned) = submit(&t, "dave", |nonce| {
        Command::Burn(Burn { amount: ether(5), reason: "chart".into(), nonce, deadline: u64::MAX })
    });
    assert!(burned.success(), "{burned:?}");
    transfer(&t, "alice", addr("bob"), ether(3));
    let head = t.handle.committed().head.height;
    let body = page(&t, "/");
    let txs: u64 = (0..=head)
        .map(|h| u64::from(t.handle.store().block(h).expect("block").expect("some").tx_count))
        .sum();
    assert_eq!(txs, 3);

    let supply = section(&body, "chart-supply");
    assert!(
        supply.contains(&format!("blocks 0–{head}: from 100,000,000 ICY to 100,000,995 ICY")),
        "{supply}"
    );
    assert!(supply.contains("<svg ") && supply.contains("<polyline"), "an SVG line");
    assert!(supply.contains(": 100,000,995 ICY</title>"), "the last period's supply");
    let burns = section(&body, "chart-burns");
    assert!(burns.contains("5 ICY burned, 1,000 ICY minted"), "{burns}");
    assert_eq!(burns.matches(": 5 ICY burned</title>").count(), 1, "one period burned 5");
    let activity = section(&body, "chart-activity");
    assert!(activity.contains(&format!("{txs} transactions")), "{activity}");
    // Each bar's title: "<period>: N transactions".
    let bars: u64 = activity
        .split("<rect ")
        .skip(1)
        .map(|r| {
            let title =
                &r[r.find("<title>").expect("a title") + 7..r.find("</title>").expect("end")];
            let n = title.rsplit(": ").next().and_then(|n| n.strip_suffix(" transactions"));
            n.and_then(|n| n.parse::<u64>().ok()).expect("a count")
        })
        .sum();
    assert_eq!(bars, txs, "the bars add up to the transactions");
    // The axis is labelled with ISO times; the charts are plain SVG, no script.
    let genesis = t.handle.store().block(0).expect("block").expect("genesis").timestamp;
    assert!(supply.contains(&utc_iso(genesis)), "{supply}");
    let charts = &body[body.find("id=\"chart-supply\"").expect("charts")..];
    let charts = &charts[..charts.find("</section>").expect("end")];
    assert!(!charts.contains("<script"), "no script in the SVG");
}

#[test]
fn unknown_pages_get_the_styled_404_and_v1_stays_json() {
    let t = TestNode::start();
    for path in ["/nope", "/blocks/1/extra", "/holders/btc", "/account", "/v1x"] {
        let (status, head, body) = get(t.addr, path);
        assert_eq!(status, 404, "{path}");
        assert!(head.contains("content-type: text/html"), "{path}: {head}");
        assert!(body.contains("id=\"chain\">devnet · chain 31337</span>"), "{path}: styled");
        assert!(body.contains("<a href=\"/\">Back to the overview</a>"), "{path}");
        assert!(body.contains("<style>"), "{path}");
    }
    let (_, _, body) = get(t.addr, "/%3Cscript%3E");
    assert!(body.contains("There is no page at /%3Cscript%3E."), "{body}");
    for path in ["/v1/nope", "/v1/", "/v1/blocks/1/extra"] {
        let (status, v) = get_json(t.addr, path);
        assert_eq!(status, 404, "{path}");
        assert_eq!(v["error"]["code"], "api.not_found", "{path}: {v}");
    }
}

#[test]
fn demo_names_are_addresses_on_the_devnet_only() {
    let t = TestNode::start();
    for (q, name) in [("alice", "alice"), ("Bob", "bob"), ("%20carol%20", "carol")] {
        let (status, head, _) = get(t.addr, &format!("/search?q={q}"));
        assert_eq!(status, 303, "{q}");
        let to = format!("location: /account/{}", addr(name)).to_ascii_lowercase();
        assert!(head.contains(&to), "{q}: {head}");
    }
    let (status, head, _) = get(t.addr, "/account/dave");
    assert_eq!(status, 303);
    assert!(head.contains(&format!("location: /account/{}", addr("dave")).to_ascii_lowercase()));
    let (status, _, body) = get(t.addr, "/search?q=mallory");
    assert_eq!(status, 400);
    assert!(body.contains("or a demo name (alice, bob, …)"), "{body}");
    assert!(page(&t, "/").contains("placeholder=\"height, hash, address or demo name\""));

    // Another chain: the same names are nothing.
    let other = TestNode::start_chain(7, ApiConfig::default(), ServeConfig::default());
    let (status, _, body) = get(other.addr, "/search?q=alice");
    assert_eq!(status, 400, "{body}");
    assert!(!body.contains("demo name"), "{body}");
    let (status, _, _) = get(other.addr, "/account/alice");
    assert_eq!(status, 400);
    assert!(page(&other, "/").contains("id=\"chain\">chain 7</span>"));
}

#[test]
fn a_pause_puts_a_banner_with_its_end_on_every_page() {
    let t = TestNode::start();
    let (hash, height, _) = transfer(&t, "alice", addr("bob"), ether(1));
    let paths = [
        "/".to_string(),
        "/blocks".to_string(),
        format!("/blocks/{height}"),
        "/txs".to_string(),
        format!("/tx/{hash:#x}"),
        format!("/account/{}", addr("bob")),
        "/holders/icy".to_string(),
        "/holders/dfg".to_string(),
    ];
    let partials = ["/partials/overview".to_string(), format!("/partials/account/{}", addr("bob"))];
    for p in &paths {
        assert!(!page(&t, p).contains("paused until"), "{p} before the pause");
    }

    // The devnet guardian (admin) pauses for an hour with a signed Pause over the API.
    let pause =
        Command::Pause(Pause { durationS: 3_600, nonce: t.nonce("admin"), deadline: u64::MAX });
    let (s, v) = post_json(t.addr, "/v1/tx", &t.signed_json("admin", pause));
    assert_eq!(s, 200, "{v}");
    let until = t.handle.committed().engine.paused_until();
    let block_time = t.handle.committed().head.time_s;
    assert_eq!(until, block_time + 3_600);
    let banner =
        format!("The protocol is paused until <time datetime=\"{0}\">{0}</time>", utc_iso(until));
    for p in &paths {
        let body = page(&t, p);
        assert!(body.contains(&banner), "{p}: {body}");
    }
    // The fragments carry it too, so that a live page shows a pause without reload.
    for p in &partials {
        let (status, _, body) = get(t.addr, p);
        assert_eq!(status, 200);
        assert!(body.starts_with("<div id=\"banner\"") && body.contains(&banner), "{p}: {body}");
    }
    for (p, status) in [("/nope", 404), ("/blocks/abc", 400)] {
        let (got, _, body) = get(t.addr, p);
        assert_eq!(got, status);
        assert!(body.contains(&banner), "{p}: the error pages carry it too");
    }
    let (_, tokens) = get_json(t.addr, "/v1/tokens");
    assert_eq!(tokens["icy"]["paused"], true);
    assert_eq!(tokens["icy"]["paused_until_iso"], utc_iso(until));

    // A transfer is now rejected, and its rejection reads in ISO time.
    let icy = t.handle.committed().engine.addresses().icy;
    let (hash, _, receipt) = submit(&t, "carol", |nonce| {
        Command::Transfer(Transfer {
            token: icy,
            to: addr("dave"),
            amount: ether(1),
            nonce,
            deadline: u64::MAX,
        })
    });
    assert_eq!(receipt.code(), Some("pause.paused"));
    let tx = page(&t, &format!("/tx/{hash:#x}"));
    assert!(
        section(&tx, "tx").contains(&format!("the protocol is paused until {}", utc_iso(until))),
        "{tx}"
    );
}

#[test]
fn amounts_and_times_read_as_tokens_and_iso_with_exact_units_kept() {
    let t = TestNode::start();
    let amount = ether(12) + ether(1) / U256::from(2u8); // 12.5 ICY
    let (hash, height, _) = transfer(&t, "alice", addr("dave"), amount);

    let (_, alice) = get_json(t.addr, &format!("/v1/accounts/{}", addr("alice")));
    assert_eq!(alice["icy"], "9999987500000000000000000");
    assert_eq!(alice["icy_display"], "9,999,987.5 ICY");
    assert_eq!(alice["dfg_display"], "500,000 DFG");
    assert_eq!(alice["votes_display"], "500,000 DFG");
    let vesting = &alice["vesting"][0];
    assert_eq!(vesting["amount_display"], "2,000,000 DFG");
    assert_eq!(vesting["start_iso"], utc_iso(vesting["start"].as_u64().expect("start")));
    let (_, tokens) = get_json(t.addr, "/v1/tokens");
    assert_eq!(tokens["icy"]["total_supply"], "100000000000000000000000000");
    assert_eq!(tokens["icy"]["total_supply_display"], "100,000,000 ICY");
    assert_eq!(tokens["icy"]["paused"], false);
    assert_eq!(tokens["icy"]["paused_until_iso"], serde_json::Value::Null);
    assert_eq!(tokens["dfg"]["escrow_balance_display"], "4,500,000 DFG");
    let (_, block) = get_json(t.addr, &format!("/v1/blocks/{height}"));
    assert_eq!(block["time_iso"], utc_iso(block["time_s"].as_u64().expect("time")));
    let (_, list) = get_json(t.addr, "/v1/blocks?limit=2");
    for b in list["blocks"].as_array().expect("blocks") {
        assert_eq!(b["time_iso"], utc_iso(b["time_s"].as_u64().expect("time")));
    }
    let (_, chain) = get_json(t.addr, "/v1/chain");
    assert_eq!(chain["head"]["time_iso"], utc_iso(chain["head"]["time_s"].as_u64().expect("t")));

    // The transaction page's signed message: whole tokens and names, the base units only in
    // the title and in the message as signed.
    let tx = page(&t, &format!("/tx/{hash:#x}"));
    let message = section(&tx, "message");
    assert!(message.contains("<dt>amount</dt><dd><span title=\"12500000000000000000 base units\">12.5 <span class=\"unit muted\">ICY</span>"), "{message}");
    assert!(message.contains("<dt>token</dt><dd>") && message.contains("ICY token"), "{message}");
    assert!(message.contains("dave (demo)"), "{message}");
    assert!(
        message.contains("<dt>deadline</dt><dd><span class=\"muted\">none</span>"),
        "{message}"
    );
    let signed = &tx[tx.find("id=\"message-json\"").expect("message as signed")..];
    assert!(signed.contains("&quot;amount&quot;: &quot;12500000000000000000&quot;"), "{signed}");
    // Nowhere does the page show a unix time as a number.
    let time = t.handle.store().block(height).expect("block").expect("some").timestamp;
    assert!(!tx.contains(&format!(">{time}<")) && tx.contains(&utc_iso(time)));
}

#[test]
fn every_table_cell_is_labelled_for_narrow_screens() {
    let t = TestNode::start();
    let (_, height, _) = transfer(&t, "alice", addr("carol"), ether(7));
    let bodies = [
        page(&t, "/"),
        page(&t, "/blocks"),
        page(&t, &format!("/blocks/{height}")),
        page(&t, "/txs"),
        page(&t, &format!("/account/{}", addr("alice"))),
        page(&t, "/holders/icy"),
    ];
    let mut labels = HashSet::new();
    let mut tables = 0;
    for body in &bodies {
        for table in body.split("<table ").skip(1) {
            tables += 1;
            let table = &table[..table.find("</table>").expect("end of table")];
            assert!(table.starts_with("id=") && table.contains("class=\"rows\""), "{table}");
            let cells = table.matches("<td").count();
            let labelled = table.matches("<td data-label=\"").count();
            let empty_rows = table.matches("class=\"muted empty\"").count();
            assert_eq!(cells, labelled + empty_rows, "every cell has its label: {table}");
            for l in table.split("data-label=\"").skip(1) {
                labels.insert(l.split('"').next().expect("label").to_string());
            }
        }
    }
    assert!(tables >= 9, "{tables} tables");
    for l in ["Amount", "From", "To", "Balance", "Share of supply", "Sender", "Releasable"] {
        assert!(labels.contains(l), "{l} in {labels:?}");
    }
}
