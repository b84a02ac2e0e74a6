//! The pages: each reads the committed view once (short read lock, released before any store
//! query), then the store's projections, and renders HTML with [`super::render`].

use alloy_primitives::{Address, B256, U256, hex};
use hoard_core::{
    Receipt,
    block::{Header, decode_body},
    roles,
    state::TokenId,
};
use hoard_node::{Head, NodeHandle, devnet};
use hoard_store::{EventFilter, EventRecord, TxRecord};

use super::{
    ACCOUNT_EVENTS_MAX, ACCOUNT_TXS_MAX, Html, OVERVIEW_BLOCKS_MAX, OVERVIEW_EVENTS_MAX, PageError,
    PageResult,
    decode::{decode, log_of},
    render::{
        ChainMark, Names, abbr, account_link, block_link, count, esc, hex32, page, short, time_tag,
        tokens, truncate, tx_link, w,
    },
};

/// Characters of a burn reason or other free text shown in a table cell.
const DETAIL_CHARS_MAX: usize = 60;

/// What every page needs from the committed view.
struct View {
    chain: ChainMark,
    head: Head,
    names: Names,
    icy: Address,
    dfg: Address,
}

fn view_of(c: &hoard_node::Committed) -> View {
    let a = c.engine.addresses();
    let devnet = c.engine.chain_id() == devnet::DEVNET_CHAIN_ID;
    let mut names = Names::default();
    names.add(a.icy, "ICY token");
    names.add(a.dfg, "DFG token");
    names.add(a.diamond, "diamond");
    names.add(a.vesting_escrow, "vesting escrow");
    if devnet {
        for demo in devnet::accounts() {
            names.add(demo.address, format!("{} (demo)", demo.name));
        }
    }
    View {
        chain: ChainMark { chain_id: c.engine.chain_id(), devnet },
        head: c.head,
        names,
        icy: a.icy,
        dfg: a.dfg,
    }
}

impl View {
    fn token_symbol(&self, address: &Address) -> Option<&'static str> {
        if *address == self.icy {
            Some("ICY")
        } else if *address == self.dfg {
            Some("DFG")
        } else {
            None
        }
    }
}

/// The chain mark for page headers.
pub(super) fn chain_mark(node: &NodeHandle) -> ChainMark {
    let chain_id = node.committed().engine.chain_id();
    ChainMark { chain_id, devnet: chain_id == devnet::DEVNET_CHAIN_ID }
}

/// An error page; `message` is unescaped text.
pub(super) fn error_page(chain: ChainMark, status: u16, title: &str, message: &str) -> String {
    let body = format!(
        "<h1>{} <span class=\"sub\">{status}</span></h1><div class=\"error\"><p>{}</p>\
         <p><a href=\"/\">Back to the overview</a></p></div>",
        esc(title),
        esc(message)
    );
    page(title, chain, &body, false)
}

fn card(label: &str, value: &str, unit: &str, note: &str) -> String {
    let mut out = format!(
        "<div class=\"card\"><div class=\"label\">{}</div><div class=\"value\">{value} \
         <span class=\"unit\">{}</span></div>",
        esc(label),
        esc(unit)
    );
    if !note.is_empty() {
        w!(out, "<div class=\"note\">{note}</div>");
    }
    out.push_str("</div>");
    out
}

fn amount_cell(amount: U256, unit: &str) -> String {
    format!("{} <span class=\"unit muted\">{}</span>", tokens(amount), esc(unit))
}

fn status_html(success: bool, code: Option<&str>) -> String {
    if success {
        "<span class=\"ok\">success</span>".to_string()
    } else {
        format!(
            "<span class=\"bad\">rejected</span> <code>{}</code>",
            esc(code.unwrap_or("unknown"))
        )
    }
}

/// The events table shared by the overview and the account page.
fn events_table(view: &View, events: &[EventRecord], id: &str, empty: &str) -> String {
    let mut out = format!("<div class=\"scroll\"><table id=\"{}\">", esc(id));
    out.push_str(
        "<thead><tr><th>Block</th><th>Tx</th><th>Event</th><th>Token</th><th>From</th>\
         <th>To</th><th class=\"num\">Amount</th></tr></thead><tbody>",
    );
    if events.is_empty() {
        w!(out, "<tr><td colspan=\"7\" class=\"muted\">{}</td></tr>", esc(empty));
    }
    for e in events {
        let log = log_of(e.address, &e.topics, &e.data);
        let d = decode(&log);
        let symbol = view.token_symbol(&log.address);
        let token = match symbol {
            Some(s) => esc(s),
            None => account_link(&log.address, &view.names),
        };
        let who = |a: Option<Address>| a.map(|a| account_link(&a, &view.names)).unwrap_or_default();
        let amount =
            d.amount.map(|v| amount_cell(v, symbol.or(d.unit).unwrap_or(""))).unwrap_or_default();
        let mut name = esc(d.name.unwrap_or("unknown event"));
        if let Some(detail) = &d.detail {
            w!(
                name,
                "<br><span class=\"muted\" title=\"{}\">{}</span>",
                esc(detail),
                esc(&truncate(detail, DETAIL_CHARS_MAX))
            );
        }
        w!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{name}</td><td>{token}</td><td>{}</td><td>{}</td>\
             <td class=\"num\">{amount}</td></tr>",
            block_link(e.height),
            tx_link(&B256::from(e.tx_hash)),
            who(d.from),
            who(d.to),
        );
    }
    out.push_str("</tbody></table></div>");
    out
}

/// The overview's figures, read together under one lock.
struct Figures {
    icy_supply: U256,
    circulating: U256,
    burned: U256,
    max_supply: U256,
    mint_room: U256,
    inflation_bps: u16,
    dfg_supply: U256,
    delegated: U256,
    escrow: Address,
    escrow_dfg: U256,
}

/// The overview page, or only its live part when `fragment`.
pub(super) fn overview(node: &NodeHandle, fragment: bool) -> PageResult {
    let (view, f) = {
        let c = node.committed();
        let e = &c.engine;
        let g = e.state().globals();
        let escrow = e.addresses().vesting_escrow;
        let figures = Figures {
            icy_supply: e.total_supply(TokenId::Icy),
            circulating: e.circulating_supply(),
            burned: e.total_burned(),
            max_supply: g.icy_max_supply,
            mint_room: e.inflation_room(c.head.time_s),
            inflation_bps: g.icy_inflation_bps,
            dfg_supply: e.total_supply(TokenId::Dfg),
            delegated: e.total_delegated(),
            escrow,
            escrow_dfg: e.balance_of(TokenId::Dfg, &escrow),
        };
        (view_of(&c), figures)
    };
    let head = view.head;
    let store = node.store();
    // The store may already hold a block the committed view has not applied yet: show only
    // what the view shows, so that figures and lists agree.
    let blocks = store.recent_blocks(Some(head.height.saturating_add(1)), OVERVIEW_BLOCKS_MAX)?;
    let filter = EventFilter { to_height: Some(head.height), ..EventFilter::default() };
    let (events, _) = store.events(&filter, None, true, OVERVIEW_EVENTS_MAX)?;

    let mut live = String::with_capacity(16 * 1024);
    live.push_str(
        "<section><h2>ICY <span class=\"muted\">utility token</span></h2><div class=\"cards\">",
    );
    live.push_str(&card("Total supply", &tokens(f.icy_supply), "ICY", ""));
    live.push_str(&card(
        "Circulating supply",
        &tokens(f.circulating),
        "ICY",
        "total supply minus protocol-owned accounts",
    ));
    live.push_str(&card("Total burned", &tokens(f.burned), "ICY", ""));
    live.push_str(&card("Max supply", &tokens(f.max_supply), "ICY", "hard cap"));
    live.push_str(&card(
        "Mint room this protocol year",
        &tokens(f.mint_room),
        "ICY",
        &format!(
            "limit {}.{:02} % of the year-start supply",
            f.inflation_bps / 100,
            f.inflation_bps % 100
        ),
    ));
    live.push_str("</div></section>");
    live.push_str(
        "<section><h2>DFG <span class=\"muted\">governance token</span></h2><div class=\"cards\">",
    );
    live.push_str(&card("Total supply", &tokens(f.dfg_supply), "DFG", "fixed at genesis"));
    live.push_str(&card(
        "Delegated voting power",
        &tokens(f.delegated),
        "DFG",
        "balances of accounts that delegate",
    ));
    live.push_str(&card(
        "Vesting escrow",
        &tokens(f.escrow_dfg),
        "DFG",
        &format!("unvested, does not vote · {}", account_link(&f.escrow, &Names::default())),
    ));
    live.push_str("</div></section>");

    w!(
        live,
        "<section><h2>Head block</h2><dl class=\"kv\" id=\"head\">\
         <dt>Height</dt><dd><a id=\"head-height\" data-height=\"{h}\" href=\"/blocks/{h}\">{}</a></dd>\
         <dt>Hash</dt><dd class=\"mono\" title=\"{hash}\">{hash}</dd>\
         <dt>Time</dt><dd>{}</dd>\
         <dt>State root</dt><dd class=\"mono\" title=\"{root}\">{root}</dd></dl></section>",
        count(head.height),
        time_tag(head.time_s),
        h = head.height,
        hash = esc(&hex32(&head.hash)),
        root = esc(&hex32(&head.state_root)),
    );

    live.push_str(
        "<div class=\"split\"><section><h2>Latest blocks</h2><div class=\"scroll\">\
        <table id=\"blocks\"><thead><tr><th>Height</th><th>Hash</th><th>Time</th>\
        <th class=\"num\">Txs</th></tr></thead><tbody>",
    );
    for b in &blocks {
        let hash = B256::from(b.hash);
        w!(
            live,
            "<tr><td>{}</td><td><a class=\"mono\" href=\"/blocks/{}\" title=\"{full}\">{}</a></td>\
             <td>{}</td><td class=\"num\">{}</td></tr>",
            block_link(b.height),
            b.height,
            esc(&short(&hex32(&hash))),
            time_tag(b.timestamp),
            count(u64::from(b.tx_count)),
            full = esc(&hex32(&hash)),
        );
    }
    live.push_str("</tbody></table></div></section>");
    live.push_str("<section><h2>Recent events</h2>");
    live.push_str(&events_table(&view, &events, "events", "No events yet."));
    live.push_str("</section></div>");

    if fragment {
        return Ok(Html::Fragment(live));
    }
    let body = format!(
        "<h1>Overview <span id=\"live-status\" class=\"live\">as of block {}; reload for news</span>\
         </h1><div id=\"live\">{live}</div>",
        count(head.height)
    );
    Ok(Html::Page(page("Overview", view.chain, &body, true)))
}

/// A block page.
pub(super) fn block(node: &NodeHandle, height: u64) -> PageResult {
    let view = view_of(&node.committed());
    let store = node.store();
    let Some(record) = store.block(height)? else {
        return Err(PageError::NotFound(format!(
            "There is no block at height {height}; the newest block is {}.",
            view.head.height
        )));
    };
    let header = Header::decode(&record.header)
        .map_err(|e| PageError::Internal(format!("block {height} header: {e:?}")))?;
    let txs = store.txs_in_block(height)?;
    let hash = B256::from(record.hash);

    let mut body = format!("<h1>Block {}</h1><div class=\"pager\">", count(height));
    if height > 0 {
        w!(
            body,
            "<a href=\"/blocks/{}\" rel=\"prev\">← Block {}</a>",
            height - 1,
            count(height - 1)
        );
    }
    if height < view.head.height {
        w!(
            body,
            "<a href=\"/blocks/{}\" rel=\"next\">Block {} →</a>",
            height + 1,
            count(height + 1)
        );
    }
    body.push_str("</div><dl class=\"kv\" id=\"header\">");
    let mono = |v: &B256| {
        let full = hex32(v);
        format!("<span class=\"mono\" title=\"{0}\">{0}</span>", esc(&full))
    };
    w!(body, "<dt>Height</dt><dd>{}</dd>", count(header.height));
    w!(body, "<dt>Hash</dt><dd>{}</dd>", mono(&hash));
    if height > 0 {
        w!(
            body,
            "<dt>Parent</dt><dd><a class=\"mono\" href=\"/blocks/{}\" title=\"{1}\">{1}</a></dd>",
            height - 1,
            esc(&hex32(&header.parent_hash))
        );
    } else {
        body.push_str("<dt>Parent</dt><dd class=\"muted\">none (genesis)</dd>");
    }
    w!(body, "<dt>Time</dt><dd>{}</dd>", time_tag(header.time_s));
    w!(body, "<dt>Chain id</dt><dd>{}</dd>", header.chain_id);
    w!(body, "<dt>Transactions</dt><dd>{}</dd>", count(u64::from(header.tx_count)));
    w!(body, "<dt>Transactions root</dt><dd>{}</dd>", mono(&header.tx_root));
    w!(body, "<dt>Receipts root</dt><dd>{}</dd>", mono(&header.receipts_root));
    w!(body, "<dt>State root</dt><dd>{}</dd>", mono(&header.state_root));
    body.push_str("</dl>");

    w!(body, "<h2>Transactions ({})</h2><div class=\"scroll\"><table id=\"txs\">", txs.len());
    body.push_str(
        "<thead><tr><th class=\"num\">#</th><th>Hash</th><th>Sender</th><th>Command</th>\
         <th>Status</th><th class=\"num\">Logs</th></tr></thead><tbody>",
    );
    if txs.is_empty() {
        body.push_str("<tr><td colspan=\"6\" class=\"muted\">No transactions.</td></tr>");
    }
    for t in &txs {
        let receipt = Receipt::decode(&t.receipt).ok();
        w!(
            body,
            "<tr><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td class=\"num\">{}</td></tr>",
            t.index,
            tx_link(&B256::from(t.hash)),
            account_link(&Address::from(t.sender), &view.names),
            esc(receipt.as_ref().map(|r| r.command.as_str()).unwrap_or("?")),
            status_html(t.success, t.code.as_deref()),
            receipt.map(|r| r.logs.len().to_string()).unwrap_or_else(|| "?".into()),
        );
    }
    body.push_str("</tbody></table></div>");
    Ok(Html::Page(page(&format!("Block {height}"), view.chain, &body, false)))
}

/// A transaction page.
pub(super) fn tx(node: &NodeHandle, hash: B256) -> PageResult {
    let view = view_of(&node.committed());
    let store = node.store();
    let Some(record) = store.tx(&hash.0)? else {
        return Err(PageError::NotFound(format!(
            "No transaction with hash {hash:#x} is in a committed block."
        )));
    };
    let receipt = Receipt::decode(&record.receipt)
        .map_err(|e| PageError::Internal(format!("receipt of {hash:#x}: {e:?}")))?;
    let block = store.block(record.height)?;
    let command = block
        .as_ref()
        .and_then(|b| decode_body(&b.body).ok())
        .and_then(|txs| txs.into_iter().nth(record.index as usize))
        .filter(|t| t.hash == hash)
        .map(|t| t.command);

    let full = hex32(&hash);
    let mut body = format!(
        "<h1>Transaction <span class=\"mono\" title=\"{0}\">{1}</span></h1><dl class=\"kv\" id=\"tx\">",
        esc(&full),
        esc(&short(&full))
    );
    w!(body, "<dt>Hash</dt><dd class=\"mono\">{}</dd>", esc(&full));
    w!(
        body,
        "<dt>Status</dt><dd id=\"status\">{}</dd>",
        status_html(receipt.success, receipt.code.as_deref())
    );
    if let Some(message) = &receipt.message {
        w!(body, "<dt>Rejection</dt><dd>{}</dd>", esc(message));
    }
    w!(
        body,
        "<dt>Block</dt><dd>{} <span class=\"muted\">position {}</span></dd>",
        block_link(record.height),
        record.index
    );
    if let Some(b) = &block {
        w!(body, "<dt>Time</dt><dd>{}</dd>", time_tag(b.timestamp));
    }
    w!(body, "<dt>Sender</dt><dd>{}</dd>", account_link(&receipt.sender, &view.names));
    w!(body, "<dt>Command</dt><dd><code>{}</code></dd>", esc(&receipt.command));
    if let Some(c) = &command {
        w!(body, "<dt>Nonce</dt><dd>{}</dd>", c.nonce());
        let deadline = match c.deadline() {
            u64::MAX => "<span class=\"muted\">none</span>".to_string(),
            d => time_tag(d),
        };
        w!(body, "<dt>Deadline</dt><dd>{deadline}</dd>");
    }
    body.push_str("</dl>");
    if let Some(c) = &command {
        let json = serde_json::to_string_pretty(&c.to_json()).unwrap_or_default();
        w!(body, "<h2>Message</h2><pre id=\"message\">{}</pre>", esc(&json));
    }

    w!(body, "<h2>Logs ({})</h2>", receipt.logs.len());
    if receipt.logs.is_empty() {
        body.push_str(if receipt.success {
            "<p class=\"muted\">No logs.</p>"
        } else {
            "<p class=\"muted\">No logs: a rejected command changes nothing but the nonce.</p>"
        });
    }
    body.push_str("<div id=\"logs\">");
    for (i, log) in receipt.logs.iter().enumerate() {
        let d = decode(log);
        let symbol = view.token_symbol(&log.address);
        w!(
            body,
            "<h3 class=\"log\">#{i} {}</h3><dl class=\"kv\">",
            esc(d.name.unwrap_or("unknown event"))
        );
        w!(body, "<dt>Emitter</dt><dd>{}</dd>", account_link(&log.address, &view.names));
        if let Some(a) = d.from {
            w!(body, "<dt>From</dt><dd>{}</dd>", account_link(&a, &view.names));
        }
        if let Some(a) = d.to {
            w!(body, "<dt>To</dt><dd>{}</dd>", account_link(&a, &view.names));
        }
        if let Some(v) = d.amount {
            w!(body, "<dt>Amount</dt><dd>{}</dd>", amount_cell(v, symbol.or(d.unit).unwrap_or("")));
        }
        if let Some(detail) = &d.detail {
            w!(body, "<dt>Detail</dt><dd>{}</dd>", esc(detail));
        }
        body.push_str("<dt>Topics</dt><dd>");
        for (j, t) in log.topics.iter().enumerate() {
            w!(body, "<div class=\"mono\">[{j}] {}</div>", esc(&hex32(t)));
        }
        if log.topics.is_empty() {
            body.push_str("<span class=\"muted\">none</span>");
        }
        w!(
            body,
            "</dd><dt>Data</dt><dd class=\"mono\">{}</dd></dl>",
            if log.data.is_empty() {
                "<span class=\"muted\">empty</span>".to_string()
            } else {
                esc(&hex::encode_prefixed(&log.data))
            }
        );
    }
    body.push_str("</div>");
    Ok(Html::Page(page(&format!("Transaction {}", short(&full)), view.chain, &body, false)))
}

/// An account page.
pub(super) fn account(node: &NodeHandle, address: Address) -> PageResult {
    let (view, acc, votes, vestings, role_names, excluded, minter) = {
        let c = node.committed();
        let e = &c.engine;
        let st = e.state();
        let role_names: Vec<&'static str> =
            roles::ALL.iter().filter(|r| st.has_role(&r.id(), &address)).map(|r| r.0).collect();
        (
            view_of(&c),
            st.account(&address),
            e.votes(&address),
            e.vesting_of(&address, c.head.time_s),
            role_names,
            e.excluded_accounts().1.contains(&address),
            st.minters().get(&address).copied(),
        )
    };
    let store = node.store();
    let txs: Vec<TxRecord> = store
        .txs_by_sender(&address.0.0, None, ACCOUNT_TXS_MAX)?
        .into_iter()
        .filter(|t| t.height <= view.head.height)
        .collect();
    let filter = EventFilter {
        to_height: Some(view.head.height),
        account: Some(address.0.0),
        ..EventFilter::default()
    };
    let (events, _) = store.events(&filter, None, true, ACCOUNT_EVENTS_MAX)?;

    let full = address.to_checksum(None);
    let mut body = format!("<h1>Account {}", abbr(&full));
    if let Some(name) = view.names.name_of(&address) {
        w!(body, " <span class=\"tag\">{}</span>", esc(name));
    }
    w!(body, " <span class=\"sub\">as of block {}</span></h1>", block_link(view.head.height));
    body.push_str("<div class=\"cards\" id=\"balances\">");
    body.push_str(&card("ICY balance", &tokens(acc.icy), "ICY", ""));
    body.push_str(&card("DFG balance", &tokens(acc.dfg), "DFG", ""));
    body.push_str(&card("Votes", &tokens(votes), "DFG", "voting power delegated to it"));
    body.push_str(&card("Nonce", &count(acc.nonce), "", "next nonce to sign with"));
    body.push_str("</div><h2>Details</h2><dl class=\"kv\" id=\"details\">");
    w!(body, "<dt>Address</dt><dd class=\"mono\">{}</dd>", esc(&full));
    let delegate = if acc.delegate == Address::ZERO {
        "<span class=\"muted\">not delegated: its DFG does not vote</span>".to_string()
    } else if acc.delegate == address {
        format!(
            "{} <span class=\"muted\">(itself)</span>",
            account_link(&acc.delegate, &view.names)
        )
    } else {
        account_link(&acc.delegate, &view.names)
    };
    w!(body, "<dt>Delegate</dt><dd id=\"delegate\">{delegate}</dd>");
    let roles_text = if role_names.is_empty() { "none".to_string() } else { role_names.join(", ") };
    w!(body, "<dt>Roles</dt><dd>{}</dd>", esc(&roles_text));
    if let Some(allowance) = minter {
        w!(body, "<dt>Minter allowance</dt><dd>{}</dd>", amount_cell(allowance, "ICY"));
    }
    if excluded {
        body.push_str(
            "<dt>Supply</dt><dd>protocol-owned: excluded from the circulating supply</dd>",
        );
    }
    body.push_str("</dl>");

    w!(body, "<h2>Vesting schedules ({})</h2>", vestings.len());
    if vestings.is_empty() {
        body.push_str("<p class=\"muted\">None.</p>");
    } else {
        body.push_str(
            "<div class=\"scroll\"><table id=\"vesting\"><thead><tr><th>#</th>\
             <th class=\"num\">Amount</th><th class=\"num\">Vested</th>\
             <th class=\"num\">Released</th><th class=\"num\">Releasable</th><th>Start</th>\
             <th>Cliff</th><th>End</th></tr></thead><tbody>",
        );
        for (id, v, vested, releasable) in &vestings {
            w!(
                body,
                "<tr><td>{id}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
                 <td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td>\
                 <td>{}</td></tr>",
                amount_cell(v.amount, "DFG"),
                amount_cell(*vested, "DFG"),
                amount_cell(v.released, "DFG"),
                amount_cell(*releasable, "DFG"),
                time_tag(v.start),
                time_tag(v.start.saturating_add(v.cliff_s)),
                time_tag(v.start.saturating_add(v.duration_s)),
            );
        }
        body.push_str("</tbody></table></div>");
    }

    body.push_str("<h2>Recent transactions</h2><div class=\"scroll\"><table id=\"account-txs\">");
    body.push_str(
        "<thead><tr><th>Block</th><th>Tx</th><th>Command</th><th>Status</th></tr></thead><tbody>",
    );
    if txs.is_empty() {
        body.push_str("<tr><td colspan=\"4\" class=\"muted\">No transactions sent.</td></tr>");
    }
    for t in &txs {
        let command = Receipt::decode(&t.receipt).map(|r| r.command).unwrap_or_else(|_| "?".into());
        w!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            block_link(t.height),
            tx_link(&B256::from(t.hash)),
            esc(&command),
            status_html(t.success, t.code.as_deref()),
        );
    }
    body.push_str("</tbody></table></div><h2>Events involving this account</h2>");
    body.push_str(&events_table(&view, &events, "account-events", "No events."));
    Ok(Html::Page(page(&format!("Account {}", short(&full)), view.chain, &body, false)))
}
