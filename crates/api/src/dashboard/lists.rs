//! The list pages: blocks, transactions and token holders, with cursor pagination. The first
//! page of each is live (it follows new blocks); a page further back is not (it does not change).

use alloy_primitives::{Address, B256};
use hoard_core::{Receipt, facets::token::TokenId};
use hoard_node::NodeHandle;

use super::{
    BLOCKS_PAGE_MAX, HOLDERS_PAGE_MAX, Html, PageError, PageResult, TXS_PAGE_MAX,
    TXS_SCAN_BLOCKS_MAX,
    pages::{amount_cell, card, status_html, tokens_html, view_of},
    render::{
        account_link, block_link, count, esc, hex32, page, pager, short, table, time_tag, tx_link,
    },
};
use crate::{
    AppState, display,
    holders::{self, Holder},
};

/// Where a page of blocks starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum BlocksFrom {
    /// The newest blocks.
    Newest,
    /// Blocks strictly below this height, newest first.
    Before(u64),
    /// Blocks strictly above this height (the page after, towards the head).
    After(u64),
}

/// A page of blocks, newest first.
pub(super) fn blocks(node: &NodeHandle, from: BlocksFrom, as_fragment: bool) -> PageResult {
    let view = view_of(&node.committed());
    let head = view.head.height;
    let store = node.store();
    let records = match from {
        BlocksFrom::Newest => store.recent_blocks(Some(head.saturating_add(1)), BLOCKS_PAGE_MAX)?,
        BlocksFrom::Before(h) => {
            store.recent_blocks(Some(h.min(head.saturating_add(1))), BLOCKS_PAGE_MAX)?
        }
        BlocksFrom::After(h) => {
            let mut up: Vec<_> = store
                .blocks_from(h.saturating_add(1), BLOCKS_PAGE_MAX)?
                .into_iter()
                .filter(|b| b.height <= head)
                .collect();
            up.reverse();
            up
        }
    };
    let mut body = String::from("<h1>Blocks</h1>");
    let rows = block_rows(&records);
    body.push_str(&table(
        "block-list",
        &[("Height", false), ("Hash", false), ("Time", false), ("Transactions", true)],
        &rows,
        "No blocks here.",
    ));
    let mut links = Vec::new();
    let newest = records.first().map(|b| b.height);
    let oldest = records.last().map(|b| b.height);
    if from != BlocksFrom::Newest {
        links.push(("Newest".to_string(), "/blocks".to_string(), "first"));
    }
    if let Some(n) = newest.filter(|n| *n < head) {
        links.push(("← Newer".to_string(), format!("/blocks?after={n}"), "prev"));
    }
    if let Some(o) = oldest.filter(|o| *o > 0) {
        links.push(("Older →".to_string(), format!("/blocks?before={o}"), "next"));
    }
    body.push_str(&pager(&links));
    if from == BlocksFrom::Newest {
        Ok(view.finish("Blocks", &body, "/partials/blocks".into(), as_fragment))
    } else {
        Ok(Html::Page(page("Blocks", view.chain, &body, None)))
    }
}

/// A transaction-list cursor: strictly before (height, index), newest first.
pub(super) type TxCursor = (u64, u32);

/// The text of a transaction-list cursor: `<height>-<index>`.
pub(super) fn tx_cursor_text(c: TxCursor) -> String {
    format!("{}-{}", c.0, c.1)
}

/// Parses a cursor made by [`tx_cursor_text`].
pub(super) fn parse_tx_cursor(text: &str) -> Option<TxCursor> {
    let (h, i) = text.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(h) || !digits(i) {
        return None;
    }
    let h: u64 = h.parse().ok().filter(|h| *h <= hoard_store::INTEGER_MAX)?;
    Some((h, i.parse().ok()?))
}

/// A page of transactions, newest first: the blocks below the cursor are read newest first
/// (skipping empty ones) until the page is full or [`TXS_SCAN_BLOCKS_MAX`] blocks were read.
pub(super) fn txs(node: &NodeHandle, before: Option<TxCursor>, as_fragment: bool) -> PageResult {
    let view = view_of(&node.committed());
    let head = view.head.height;
    let store = node.store();
    // Blocks strictly below `below` are still to read; the cursor's own block is read too.
    let mut below = match before {
        Some((h, _)) => h.min(head).saturating_add(1),
        None => head.saturating_add(1),
    };
    let mut rows: Vec<(hoard_store::TxRecord, u64)> = Vec::new();
    let mut scanned = 0usize;
    'scan: while below > 0 && scanned < TXS_SCAN_BLOCKS_MAX && rows.len() < TXS_PAGE_MAX {
        let want = (TXS_SCAN_BLOCKS_MAX - scanned).min(hoard_store::RECENT_BLOCKS_MAX);
        let blocks = store.recent_blocks(Some(below), want)?;
        if blocks.is_empty() {
            below = 0;
            break;
        }
        for b in &blocks {
            scanned += 1;
            below = b.height;
            if b.tx_count == 0 {
                continue;
            }
            let mut in_block = store.txs_in_block(b.height)?;
            in_block.reverse();
            for t in in_block {
                if before.is_some_and(|(h, i)| t.height == h && t.index >= i) {
                    continue;
                }
                if rows.len() == TXS_PAGE_MAX {
                    break 'scan;
                }
                rows.push((t, b.timestamp));
            }
        }
    }
    // Older transactions may remain: after the last row of a full page, or below the last
    // block read when the scan stopped first.
    let next: Option<TxCursor> = match rows.last() {
        _ if below == 0 => None,
        Some((r, _)) if rows.len() == TXS_PAGE_MAX => Some((r.height, r.index)),
        _ if scanned >= TXS_SCAN_BLOCKS_MAX => Some((below, 0)),
        _ => None,
    };

    let mut body = String::from("<h1>Transactions</h1>");
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|(t, time_s)| {
            let command =
                Receipt::decode(&t.receipt).map(|r| r.command).unwrap_or_else(|_| "?".into());
            vec![
                block_link(t.height),
                time_tag(*time_s),
                tx_link(&B256::from(t.hash)),
                account_link(&Address::from(t.sender), &view.names),
                esc(&command),
                status_html(t.success, t.code.as_deref()),
            ]
        })
        .collect();
    let empty = if scanned >= TXS_SCAN_BLOCKS_MAX {
        format!(
            "No transactions in the {TXS_SCAN_BLOCKS_MAX} blocks read; older ones may have some."
        )
    } else {
        "No transactions here.".to_string()
    };
    body.push_str(&table(
        "tx-list",
        &[
            ("Block", false),
            ("Time", false),
            ("Hash", false),
            ("Sender", false),
            ("Command", false),
            ("Status", false),
        ],
        &cells,
        &empty,
    ));
    let mut links = Vec::new();
    if before.is_some() {
        links.push(("Newest".to_string(), "/txs".to_string(), "first"));
    }
    if let Some(c) = next {
        links.push(("Older →".to_string(), format!("/txs?before={}", tx_cursor_text(c)), "next"));
    }
    body.push_str(&pager(&links));
    match before {
        None => Ok(view.finish("Transactions", &body, "/partials/txs".into(), as_fragment)),
        Some(_) => Ok(Html::Page(page("Transactions", view.chain, &body, None))),
    }
}

/// A page of a token's top holders, from the ranking of the committed head
/// ([`crate::holders`]).
pub(super) fn holders(
    state: &AppState,
    token: TokenId,
    after: Option<Holder>,
    as_fragment: bool,
) -> PageResult {
    let view = view_of(&state.node.committed());
    let rankings = state.holders.get(&state.node);
    let ranking = rankings.of(token);
    let symbol = holders::symbol(token);
    let lower = symbol.to_ascii_lowercase();
    let start = ranking.start_after(after.as_ref());
    let page_rows = ranking.top.get(start..).unwrap_or_default();
    let shown = &page_rows[..page_rows.len().min(HOLDERS_PAGE_MAX)];

    let mut body = format!(
        "<h1>{symbol} holders <span class=\"sub\">as of block {}</span></h1>",
        block_link(rankings.height)
    );
    body.push_str("<div class=\"cards\" id=\"holder-figures\">");
    body.push_str(&card("Holders", &count(ranking.holders as u64), "", "accounts with a balance"));
    body.push_str(&card("Total supply", &tokens_html(ranking.supply), symbol, ""));
    body.push_str(&card(
        "Ranked",
        &count(ranking.top.len() as u64),
        "",
        &format!("the top {} are listed", count(holders::HOLDERS_RANKED_MAX as u64)),
    ));
    body.push_str("</div><h2>Top holders</h2>");
    let cells: Vec<Vec<String>> = shown
        .iter()
        .enumerate()
        .map(|(i, h)| {
            vec![
                count((start + i + 1) as u64),
                account_link(&h.address, &view.names),
                amount_cell(h.balance, symbol),
                esc(&display::percent(h.balance, ranking.supply)),
            ]
        })
        .collect();
    body.push_str(&table(
        "holders",
        &[("Rank", true), ("Account", false), ("Balance", true), ("Share of supply", true)],
        &cells,
        "No holders here.",
    ));
    let mut links = Vec::new();
    if after.is_some() {
        links.push(("Top".to_string(), format!("/holders/{lower}"), "first"));
    }
    if page_rows.len() > shown.len()
        && let Some(last) = shown.last()
    {
        links.push((
            "Next →".to_string(),
            format!("/holders/{lower}?after={}", holders::cursor_text(last)),
            "next",
        ));
    }
    body.push_str(&pager(&links));
    let title = format!("{symbol} holders");
    match after {
        None => Ok(view.finish(&title, &body, format!("/partials/holders/{lower}"), as_fragment)),
        Some(_) => Ok(Html::Page(page(&title, view.chain, &body, None))),
    }
}

/// The 400 of a bad list cursor.
pub(super) fn bad_cursor(what: &str, text: &str, expected: &str) -> PageError {
    PageError::BadRequest(format!(
        "“{}” is not a {what} cursor: {expected}.",
        super::render::truncate(text, super::ECHO_CHARS_MAX)
    ))
}

/// Table rows of blocks: height, hash, time, transaction count (the block list and the
/// overview's latest blocks).
pub(super) fn block_rows(records: &[hoard_store::BlockRecord]) -> Vec<Vec<String>> {
    records
        .iter()
        .map(|b| {
            let hash = hex32(&B256::from(b.hash));
            vec![
                block_link(b.height),
                format!(
                    "<a class=\"mono\" href=\"/blocks/{}\" title=\"{}\">{}</a>",
                    b.height,
                    esc(&hash),
                    esc(&short(&hash))
                ),
                time_tag(b.timestamp),
                count(u64::from(b.tx_count)),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tx_cursors_round_trip_and_garbage_is_refused() {
        assert_eq!(parse_tx_cursor(&tx_cursor_text((42, 7))), Some((42, 7)));
        assert_eq!(parse_tx_cursor("0-0"), Some((0, 0)));
        for bad in ["", "-", "1-", "-1", "1-2-3", "a-1", "1-99999999999", "9223372036854775808-0"] {
            assert_eq!(parse_tx_cursor(bad), None, "{bad:?}");
        }
    }
}
