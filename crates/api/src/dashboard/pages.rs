//! The detail pages (overview, block, transaction, account): each reads the committed view
//! once (short read lock, released before any store query), then the store's projections, and
//! renders HTML with [`super::render`]. Live pages build one body, served whole inside the page
//! shell or, for the script, as a fragment.

use alloy_primitives::{Address, B256, U256, hex};
use hoard_core::{
    Receipt,
    block::{Header, decode_body},
    command::{Command, type_defs},
    facets::token::TokenId,
    roles,
};
use hoard_node::{Head, NodeHandle, devnet};
use hoard_store::{EventFilter, EventRecord, TxRecord};

use super::{
    ACCOUNT_EVENTS_MAX, ACCOUNT_TXS_MAX, Html, OVERVIEW_BLOCKS_MAX, OVERVIEW_EVENTS_MAX, PageError,
    PageResult, charts,
    decode::{decode, log_of},
    render::{
        ChainMark, Live, Names, abbr, account_link, block_link, count, esc, fragment, hex32, page,
        short, table, time_tag, tokens, truncate, tx_link, w,
    },
};
use crate::{AppState, display};

/// Characters of a burn reason or other free text shown in a table cell.
const DETAIL_CHARS_MAX: usize = 60;

/// What every page needs from the committed view.
pub(super) struct View {
    pub(super) chain: ChainMark,
    pub(super) head: Head,
    pub(super) names: Names,
    icy: Address,
    dfg: Address,
}

pub(super) fn view_of(c: &hoard_node::Committed) -> View {
    let a = c.engine.addresses();
    let devnet = c.engine.chain_id() == devnet::DEVNET_CHAIN_ID;
    let mut names = Names::default();
    names.add(a.icy, "ICY token");
    names.add(a.dfg, "DFG token");
    names.add(a.diamond, "diamond");
    names.add(a.vesting_escrow, "vesting escrow");
    for m in hoard_core::facets::modules::Module::ALL {
        if m != hoard_core::facets::modules::Module::VestingEscrow
            && m != hoard_core::facets::modules::Module::Test
        {
            names.add(m.account(), format!("{} module", m.name().replace('_', " ")));
        }
    }
    for (token, asset, _) in c.engine.assets() {
        if token != a.icy && token != a.dfg {
            names.add(token, format!("{} token", asset.symbol));
        }
    }
    for p in crate::pools::infos(&c.engine) {
        names.add(p.address, format!("pool #{} {}", p.id, p.pair()));
    }
    if devnet {
        for demo in devnet::accounts() {
            names.add(demo.address, format!("{} (demo)", demo.name));
        }
    }
    View { chain: mark_of(c), head: c.head, names, icy: a.icy, dfg: a.dfg }
}

/// The chain mark of the committed view: chain id, devnet, and the pause when it holds now
/// (its end is after both the wall clock and the head block's time).
fn mark_of(c: &hoard_node::Committed) -> ChainMark {
    let chain_id = c.engine.chain_id();
    let until = c.engine.paused_until();
    let now = crate::unix_now_s().max(c.head.time_s);
    ChainMark {
        chain_id,
        devnet: chain_id == devnet::DEVNET_CHAIN_ID,
        paused_until: (until > now).then_some(until),
    }
}

impl View {
    pub(super) fn token_symbol(&self, address: &Address) -> Option<&'static str> {
        if *address == self.icy {
            Some("ICY")
        } else if *address == self.dfg {
            Some("DFG")
        } else {
            None
        }
    }

    /// A live page as a whole page, or as the fragment the script swaps in.
    pub(super) fn finish(
        &self,
        title: &str,
        body: &str,
        partial: String,
        as_fragment: bool,
    ) -> Html {
        if as_fragment {
            Html::Fragment(fragment(&self.chain, body))
        } else {
            let live = Live { partial, height: self.head.height };
            Html::Page(page(title, self.chain, body, Some(&live)))
        }
    }
}

/// The chain mark for page headers.
pub(super) fn chain_mark(node: &NodeHandle) -> ChainMark {
    mark_of(&node.committed())
}

/// An error page; `message` is unescaped text.
pub(super) fn error_page(chain: ChainMark, status: u16, title: &str, message: &str) -> String {
    let body = format!(
        "<h1>{} <span class=\"sub\">{status}</span></h1><div class=\"error\"><p>{}</p>\
         <p><a href=\"/\">Back to the overview</a></p></div>",
        esc(title),
        esc(message)
    );
    page(title, chain, &body, None)
}

pub(super) fn card(label: &str, value: &str, unit: &str, note: &str) -> String {
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

/// Fraction digits from which an amount may break after its decimal point.
const LONG_FRACTION_DIGITS: usize = 7;

/// An amount in whole tokens, exact, as HTML: a long fraction may go to the next line after
/// the decimal point (`<wbr>`), so that a narrow box breaks the number there rather than
/// between two digits.
pub(super) fn tokens_html(amount: U256) -> String {
    let text = tokens(amount);
    match text.split_once('.') {
        Some((int, frac)) if frac.len() >= LONG_FRACTION_DIGITS => format!("{int}.<wbr>{frac}"),
        _ => text,
    }
}

/// An amount in whole tokens with its unit, exact; the base units in the `title`. A long
/// fraction may go to the next line after the decimal point (`<wbr>`), so that a narrow
/// column breaks the number there rather than between two digits.
pub(super) fn amount_cell(amount: U256, unit: &str) -> String {
    let text = tokens_html(amount);
    format!(
        "<span title=\"{amount} base units\">{text} <span class=\"unit muted\">{}</span></span>",
        esc(unit)
    )
}

/// An amount of an asset with `decimals` decimals in whole tokens with its unit, exact; the
/// base units in the `title` (as [`amount_cell`]).
pub(super) fn amount_units_cell(amount: U256, decimals: u8, unit: &str) -> String {
    let text = display::units_number(amount, decimals);
    let text = match text.split_once('.') {
        Some((int, frac)) if frac.len() >= LONG_FRACTION_DIGITS => format!("{int}.<wbr>{frac}"),
        _ => text,
    };
    format!(
        "<span title=\"{amount} base units\">{text} <span class=\"unit muted\">{}</span></span>",
        esc(unit)
    )
}

pub(super) fn status_html(success: bool, code: Option<&str>) -> String {
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
    let columns = [
        ("Block", false),
        ("Tx", false),
        ("Event", false),
        ("Token", false),
        ("From", false),
        ("To", false),
        ("Amount", true),
    ];
    let rows: Vec<Vec<String>> = events
        .iter()
        .map(|e| {
            let log = log_of(e.address, &e.topics, &e.data);
            let d = decode(&log);
            let symbol = view.token_symbol(&log.address);
            let token = match symbol {
                Some(s) => esc(s),
                None => account_link(&log.address, &view.names),
            };
            let who =
                |a: Option<Address>| a.map(|a| account_link(&a, &view.names)).unwrap_or_default();
            let amount = d
                .amount
                .map(|v| amount_cell(v, symbol.or(d.unit).unwrap_or("")))
                .unwrap_or_default();
            let mut name = esc(d.name.unwrap_or("unknown event"));
            if let Some(detail) = &d.detail {
                w!(
                    name,
                    "<br><span class=\"muted\" title=\"{}\">{}</span>",
                    esc(detail),
                    esc(&truncate(detail, DETAIL_CHARS_MAX))
                );
            }
            vec![
                block_link(e.height),
                tx_link(&B256::from(e.tx_hash)),
                name,
                token,
                who(d.from),
                who(d.to),
                amount,
            ]
        })
        .collect();
    table(id, &columns, &rows, empty)
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

/// The overview page, or only its live part when `as_fragment`.
pub(super) fn overview(state: &AppState, as_fragment: bool) -> PageResult {
    let node = &state.node;
    let (view, f) = {
        let c = node.committed();
        let e = &c.engine;
        let g = e.icy_params();
        let escrow = e.addresses().vesting_escrow;
        let figures = Figures {
            icy_supply: e.total_supply(TokenId::Icy),
            circulating: e.circulating_supply(),
            burned: e.total_burned(),
            max_supply: g.max_supply,
            mint_room: e.inflation_room(c.head.time_s),
            inflation_bps: g.inflation_bps,
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
    let chart_data =
        state.charts.charts(store.as_ref(), view.icy, head.height, head.time_s, f.icy_supply)?;

    let mut body = String::with_capacity(32 * 1024);
    body.push_str("<h1>Overview</h1>");
    body.push_str(
        "<section><h2>ICY <span class=\"muted\">utility token</span></h2><div class=\"cards\">",
    );
    body.push_str(&card("Total supply", &tokens_html(f.icy_supply), "ICY", ""));
    body.push_str(&card(
        "Circulating supply",
        &tokens_html(f.circulating),
        "ICY",
        "total supply minus protocol-owned accounts",
    ));
    body.push_str(&card("Total burned", &tokens_html(f.burned), "ICY", ""));
    body.push_str(&card("Max supply", &tokens_html(f.max_supply), "ICY", "hard cap"));
    body.push_str(&card(
        "Mint room this protocol year",
        &tokens_html(f.mint_room),
        "ICY",
        &format!(
            "limit {}.{:02} % of the year-start supply",
            f.inflation_bps / 100,
            f.inflation_bps % 100
        ),
    ));
    body.push_str("</div></section>");
    body.push_str(
        "<section><h2>DFG <span class=\"muted\">governance token</span></h2><div class=\"cards\">",
    );
    body.push_str(&card("Total supply", &tokens_html(f.dfg_supply), "DFG", "fixed at genesis"));
    body.push_str(&card(
        "Delegated voting power",
        &tokens_html(f.delegated),
        "DFG",
        "balances of accounts that delegate",
    ));
    body.push_str(&card(
        "Vesting escrow",
        &tokens_html(f.escrow_dfg),
        "DFG",
        &format!("unvested, does not vote · {}", account_link(&f.escrow, &Names::default())),
    ));
    body.push_str("</div></section>");

    w!(
        body,
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
    body.push_str(&charts::render(&chart_data));

    body.push_str(
        "<section><h2>Latest blocks <a class=\"sub\" href=\"/blocks\">all blocks</a></h2>",
    );
    let rows = super::lists::block_rows(&blocks);
    body.push_str(&table(
        "blocks",
        &[("Height", false), ("Hash", false), ("Time", false), ("Txs", true)],
        &rows,
        "No blocks.",
    ));
    body.push_str("</section><section><h2>Recent events <a class=\"sub\" href=\"/txs\">all transactions</a></h2>");
    body.push_str(&events_table(&view, &events, "events", "No events yet."));
    body.push_str("</section>");
    Ok(view.finish("Overview", &body, "/partials/overview".into(), as_fragment))
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
    w!(body, "<a href=\"/blocks?before={}\">in the list of blocks</a>", height.saturating_add(1));
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

    w!(body, "<h2>Transactions ({})</h2>", txs.len());
    let rows: Vec<Vec<String>> = txs
        .iter()
        .map(|t| {
            let receipt = Receipt::decode(&t.receipt).ok();
            vec![
                t.index.to_string(),
                tx_link(&B256::from(t.hash)),
                account_link(&Address::from(t.sender), &view.names),
                esc(receipt.as_ref().map(|r| r.command.as_str()).unwrap_or("?")),
                status_html(t.success, t.code.as_deref()),
                receipt.map(|r| r.logs.len().to_string()).unwrap_or_else(|| "?".into()),
            ]
        })
        .collect();
    body.push_str(&table(
        "txs",
        &[
            ("#", true),
            ("Hash", false),
            ("Sender", false),
            ("Command", false),
            ("Status", false),
            ("Logs", true),
        ],
        &rows,
        "No transactions.",
    ));
    Ok(Html::Page(page(&format!("Block {height}"), view.chain, &body, None)))
}

/// The token symbol a command's amounts are in, when it says.
fn command_symbol(view: &View, command: &Command) -> Option<&'static str> {
    display::command_symbol(command, &view.icy, &view.dfg)
}

/// The signed message as a list of fields: amounts in whole tokens with their symbol (base
/// units in the `title`), times in ISO 8601, durations in days and hours, roles by name.
fn message_fields(view: &View, command: &Command) -> String {
    let json = command.to_json();
    let symbol = command_symbol(view, command);
    let fields = type_defs(command.name()).and_then(|d| d.first()).map(|d| d.fields.as_slice());
    let mut out = String::from("<dl class=\"kv\" id=\"message\">");
    for field in fields.unwrap_or_default() {
        let value = &json[field.name.as_str()];
        let as_u64 = value.as_u64();
        let text = match (field.ty.as_str(), field.name.as_str()) {
            ("uint256", _) => match value.as_str().and_then(|s| U256::from_str_radix(s, 10).ok()) {
                Some(v) => match symbol {
                    Some(s) => amount_cell(v, s),
                    None => {
                        format!("{} <span class=\"muted\">base units</span>", esc(&v.to_string()))
                    }
                },
                None => esc(&value.to_string()),
            },
            ("address", _) => match value.as_str().and_then(|s| s.parse::<Address>().ok()) {
                Some(a) => account_link(&a, &view.names),
                None => esc(&value.to_string()),
            },
            ("uint64", "deadline") => match as_u64 {
                Some(u64::MAX) => "<span class=\"muted\">none</span>".to_string(),
                Some(t) => time_tag(t),
                None => esc(&value.to_string()),
            },
            ("uint64", "start") => as_u64.map(time_tag).unwrap_or_else(|| esc(&value.to_string())),
            ("uint64", name) if name.ends_with('S') => match as_u64 {
                Some(s) => format!(
                    "{} <span class=\"muted\">({} s)</span>",
                    esc(&display::duration(s)),
                    count(s)
                ),
                None => esc(&value.to_string()),
            },
            ("bytes32", "role") => {
                let role = value
                    .as_str()
                    .and_then(|s| s.parse::<B256>().ok())
                    .and_then(|id| roles::by_id(&id));
                match role {
                    Some(r) => format!("<code>{}</code>", esc(r.0)),
                    None => {
                        format!("<span class=\"mono\">{}</span>", esc(value.as_str().unwrap_or("")))
                    }
                }
            }
            (_, _) => match value {
                serde_json::Value::String(s) => esc(s),
                other => format!("<span class=\"mono\">{}</span>", esc(&other.to_string())),
            },
        };
        w!(out, "<dt>{}</dt><dd>{text}</dd>", esc(&field.name));
    }
    out.push_str("</dl>");
    let raw = serde_json::to_string_pretty(&json).unwrap_or_default();
    w!(
        out,
        "<details><summary>As signed: the EIP-712 message (amounts in base units)</summary>\
         <pre id=\"message-json\">{}</pre></details>",
        esc(&raw)
    );
    out
}

/// A transaction page, or its live part. A hash not (yet) in a committed block gives a 404
/// page that follows new blocks and shows the transaction once it is committed.
pub(super) fn tx(node: &NodeHandle, hash: B256, as_fragment: bool) -> PageResult {
    let view = view_of(&node.committed());
    let store = node.store();
    let full = hex32(&hash);
    let partial = format!("/partials/tx/{full}");
    let record = store.tx(&hash.0)?.filter(|r| r.height <= view.head.height);
    let Some(record) = record else {
        if as_fragment {
            return Err(PageError::NotFound(format!("No transaction with hash {full} yet.")));
        }
        let body = format!(
            "<h1>Transaction {} <span class=\"sub\">404</span></h1><div class=\"error\" id=\"pending\">\
             <p>No transaction with hash <span class=\"mono\">{}</span> is in a committed block (yet).</p>\
             <p>A command just submitted appears within a block or two: with JavaScript this page \
             shows it as soon as it is committed; without, reload it.</p>\
             <p><a href=\"/\">Back to the overview</a></p></div>",
            abbr(&full),
            esc(&full)
        );
        let live = Live { partial, height: view.head.height };
        return Ok(Html::Missing(page("Transaction not found", view.chain, &body, Some(&live))));
    };
    let receipt = Receipt::decode(&record.receipt)
        .map_err(|e| PageError::Internal(format!("receipt of {full}: {e:?}")))?;
    let block = store.block(record.height)?;
    let command = block
        .as_ref()
        .and_then(|b| decode_body(&b.body).ok())
        .and_then(|txs| txs.into_iter().nth(record.index as usize))
        .filter(|t| t.hash == hash)
        .map(|t| t.command);

    let mut body = format!(
        "<h1>Transaction <span class=\"mono\" title=\"{0}\">{1}</span></h1><dl class=\"kv\" id=\"tx\">",
        esc(&full),
        esc(&short(&full))
    );
    w!(body, "<dt>Hash</dt><dd class=\"mono\">{}</dd>", esc(&full));
    w!(
        body,
        "<dt>Status</dt><dd id=\"status\">{}</dd>",
        status_html(receipt.success(), receipt.code())
    );
    if let Some(message) = &receipt.message() {
        let symbol = command.as_ref().and_then(|c| command_symbol(&view, c));
        match display::readable_rejection(receipt.code().unwrap_or(""), message, symbol) {
            Some(readable) => w!(
                body,
                "<dt>Rejection</dt><dd id=\"rejection\">{}<div class=\"muted\">as recorded: {}</div></dd>",
                esc(&readable),
                esc(message)
            ),
            None => w!(body, "<dt>Rejection</dt><dd id=\"rejection\">{}</dd>", esc(message)),
        }
    }
    let later = view.head.height.saturating_sub(record.height);
    w!(
        body,
        "<dt>Block</dt><dd>{} <span class=\"muted\">position {}</span></dd>\
         <dt>Confirmations</dt><dd id=\"confirmations\">{} later block{} <span class=\"muted\">(head {})</span></dd>",
        block_link(record.height),
        record.index,
        count(later),
        if later == 1 { "" } else { "s" },
        block_link(view.head.height),
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
        body.push_str("<h2>Signed message</h2>");
        body.push_str(&message_fields(&view, c));
    }

    w!(body, "<h2>Logs ({})</h2>", receipt.logs.len());
    if receipt.logs.is_empty() {
        body.push_str(if receipt.success() {
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
    Ok(view.finish(&format!("Transaction {}", short(&full)), &body, partial, as_fragment))
}

/// An account page, or its live part.
pub(super) fn account(node: &NodeHandle, address: Address, as_fragment: bool) -> PageResult {
    let (view, acc, votes, vestings, role_names, excluded, minter, assets) = {
        let c = node.committed();
        let e = &c.engine;
        // Bridged assets it holds (ICY and DFG have their own cards).
        let assets: Vec<(String, u8, U256)> = e
            .assets()
            .into_iter()
            .filter(|(token, _, _)| *token != e.addresses().icy && *token != e.addresses().dfg)
            .map(|(token, asset, _)| {
                (asset.symbol, asset.decimals, e.asset_balance(&token, &address))
            })
            .filter(|(_, _, balance)| !balance.is_zero())
            .collect();
        let role_names: Vec<&'static str> =
            roles::ALL.iter().filter(|r| e.has_role(&r.id(), &address)).map(|r| r.0).collect();
        (
            view_of(&c),
            e.account(&address),
            e.votes(&address),
            e.vesting_of(&address, c.head.time_s),
            role_names,
            e.excluded_accounts().1.contains(&address),
            e.is_minter(&address).then(|| e.minter_allowance(&address).unwrap_or_default()),
            assets,
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
    body.push_str(&card("ICY balance", &tokens_html(acc.icy), "ICY", ""));
    body.push_str(&card("DFG balance", &tokens_html(acc.dfg), "DFG", ""));
    body.push_str(&card("Votes", &tokens_html(votes), "DFG", "voting power delegated to it"));
    body.push_str(&card("Nonce", &count(acc.nonce), "", "next nonce to sign with"));
    for (symbol, decimals, balance) in &assets {
        let number = display::units(*balance, *decimals, symbol);
        let number = number.strip_suffix(&format!(" {symbol}")).unwrap_or(&number).to_string();
        body.push_str(&card(
            &format!("{symbol} balance"),
            &esc(&number),
            symbol,
            "a bridged asset",
        ));
    }
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
        let rows: Vec<Vec<String>> = vestings
            .iter()
            .map(|(id, v, vested, releasable)| {
                vec![
                    id.to_string(),
                    amount_cell(v.amount, "DFG"),
                    amount_cell(*vested, "DFG"),
                    amount_cell(v.released, "DFG"),
                    amount_cell(*releasable, "DFG"),
                    time_tag(v.start),
                    time_tag(v.start.saturating_add(v.cliff_s)),
                    time_tag(v.start.saturating_add(v.duration_s)),
                ]
            })
            .collect();
        body.push_str(&table(
            "vesting",
            &[
                ("#", false),
                ("Amount", true),
                ("Vested", true),
                ("Released", true),
                ("Releasable", true),
                ("Start", false),
                ("Cliff", false),
                ("End", false),
            ],
            &rows,
            "None.",
        ));
    }

    body.push_str("<h2>Recent transactions</h2>");
    let rows: Vec<Vec<String>> = txs
        .iter()
        .map(|t| {
            let command =
                Receipt::decode(&t.receipt).map(|r| r.command).unwrap_or_else(|_| "?".into());
            vec![
                block_link(t.height),
                tx_link(&B256::from(t.hash)),
                esc(&command),
                status_html(t.success, t.code.as_deref()),
            ]
        })
        .collect();
    body.push_str(&table(
        "account-txs",
        &[("Block", false), ("Tx", false), ("Command", false), ("Status", false)],
        &rows,
        "No transactions sent.",
    ));
    body.push_str("<h2>Events involving this account</h2>");
    body.push_str(&events_table(&view, &events, "account-events", "No events."));
    Ok(view.finish(
        &format!("Account {}", short(&full)),
        &body,
        format!("/partials/account/{full}"),
        as_fragment,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_fractions_may_break_after_the_decimal_point_only() {
        let unit = U256::from(10u64).pow(U256::from(18u8));
        assert!(
            amount_cell(unit * U256::from(1_234_567u64) / U256::from(10u8), "ICY")
                .contains(">123,456.7 <span class=\"unit muted\">ICY</span>")
        );
        let long = amount_cell(unit + U256::from(1u8), "ICY");
        assert!(long.contains(">1.<wbr>000000000000000001 <span"), "{long}");
        assert!(long.contains("title=\"1000000000000000001 base units\""), "{long}");
    }
}
