//! Dashboard pages: server-rendered HTML, readable without JavaScript, live with it.
//!
//! Routes ([`routes`]):
//!
//! | route | page |
//! |---|---|
//! | `/` | overview: ICY and DFG figures, head block, charts over time, latest blocks, recent events |
//! | `/blocks?before=&after=` | blocks, newest first, 25 a page |
//! | `/blocks/{height}` | a block: header fields and its transactions with their status |
//! | `/txs?before=` | transactions, newest first, 25 a page |
//! | `/tx/{hash}` | a transaction: sender, command, status, rejection, signed message, decoded logs |
//! | `/account/{address}` | an account: balances, nonce, delegation, votes, vesting, activity |
//! | `/holders/{icy,dfg}?after=` | a token's top holders by balance, 25 a page |
//! | `/pools` | the engine's pools: tokens, flavour, fee, price, liquidity, reserves |
//! | `/pools/{id}` | a pool: figures, liquidity by tick (chart and table), recent swaps |
//! | `/search?q=` | redirects a height, a hash, an address (or a demo name on the devnet) to its page |
//! | `/partials/...` | the live part of the overview, account, transaction, pool and first list pages |
//!
//! Design: pages are plain Rust string building ([`render`]) with one escaping helper; no
//! template engine, no external CSS, JavaScript or fonts. Each request reads the node's
//! committed view once (a short read lock, released before any store query) and the store's
//! projections on a blocking thread. Lists are bounded by the `*_MAX` constants below. Bad input
//! gives a readable 400 page, unknown blocks and transactions and unknown paths a 404 page;
//! storage failures a 500 page whose detail goes to the log only. Every page carries the pause
//! banner while the protocol is paused.
//!
//! Live updates: a live page names its fragment in `#live[data-partial]`; the script listens
//! to `GET /v1/stream` (server-sent `block` events) with `EventSource` and, on each block,
//! fetches the fragment and swaps it into the page (with the pause banner). When the stream is
//! unavailable, or the browser has no `EventSource`, it polls the fragment every second
//! instead. See `docs/DASHBOARD.md`.

pub mod charts;
mod decode;
mod lists;
mod pages;
mod pools;
mod render;

use axum::{
    Router,
    extract::{
        Path, Query, State,
        rejection::{PathRejection, QueryRejection},
    },
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use hoard_node::{NodeHandle, devnet};

use crate::{AppState, holders};

/// Blocks in the overview's "latest blocks".
pub const OVERVIEW_BLOCKS_MAX: usize = 10;
/// Events in the overview's "recent events".
pub const OVERVIEW_EVENTS_MAX: usize = 20;
/// Transactions listed on an account page.
pub const ACCOUNT_TXS_MAX: usize = 25;
/// Events listed on an account page.
pub const ACCOUNT_EVENTS_MAX: usize = 25;
/// Blocks on a page of the block list.
pub const BLOCKS_PAGE_MAX: usize = 25;
/// Transactions on a page of the transaction list.
pub const TXS_PAGE_MAX: usize = 25;
/// Blocks read (newest first, empty ones skipped) to fill one page of the transaction list.
pub const TXS_SCAN_BLOCKS_MAX: usize = 200;
/// Holders on a page of a holders list.
pub const HOLDERS_PAGE_MAX: usize = 25;
/// Swaps listed on a pool's page (the newest).
pub const POOL_SWAPS_MAX: usize = 25;
/// Initialized ticks listed and charted on each side of the price on a pool's page.
pub const POOL_TICKS_SIDE: usize = 25;
/// Characters of bad input echoed back in an error page.
pub const ECHO_CHARS_MAX: usize = 80;

/// Dashboard routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(overview))
        .route("/partials/overview", get(overview_partial))
        .route("/blocks", get(blocks))
        .route("/partials/blocks", get(blocks_partial))
        .route("/blocks/{height}", get(block))
        .route("/txs", get(txs))
        .route("/partials/txs", get(txs_partial))
        .route("/tx/{hash}", get(tx))
        .route("/partials/tx/{hash}", get(tx_partial))
        .route("/account/{address}", get(account))
        .route("/partials/account/{address}", get(account_partial))
        .route("/holders/{token}", get(holders_page))
        .route("/partials/holders/{token}", get(holders_partial))
        .route("/pools", get(pools_page))
        .route("/partials/pools", get(pools_partial))
        .route("/pools/{id}", get(pool_page))
        .route("/partials/pools/{id}", get(pool_partial))
        .route("/search", get(search))
}

/// Why a page cannot be shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PageError {
    /// The request is malformed (message for the reader, unescaped).
    BadRequest(String),
    /// The block, transaction or page does not exist.
    NotFound(String),
    /// Storage or decoding failed (detail for the log only).
    Internal(String),
}

impl From<hoard_store::StoreError> for PageError {
    fn from(e: hoard_store::StoreError) -> Self {
        PageError::Internal(format!("store: {e}"))
    }
}

/// A rendered page or fragment.
pub(crate) enum Html {
    /// A whole page.
    Page(String),
    /// A whole page answered with 404 (a transaction not committed yet, followed live).
    Missing(String),
    /// A fragment that must not be cached.
    Fragment(String),
}

type PageResult = Result<Html, PageError>;

/// Runs `build` on a blocking thread (store queries block) and turns its result into a
/// response, rendering errors as pages.
async fn serve_page<F>(state: AppState, build: F) -> Response
where
    F: FnOnce(&AppState) -> PageResult + Send + 'static,
{
    let worker = state.clone();
    let result = tokio::task::spawn_blocking(move || build(&worker))
        .await
        .unwrap_or_else(|e| Err(PageError::Internal(format!("page task failed: {e}"))));
    let html = [(header::CONTENT_TYPE, "text/html; charset=utf-8")];
    let no_store = [(header::CACHE_CONTROL, "no-store")];
    match result {
        Ok(Html::Page(body)) => (StatusCode::OK, html, body).into_response(),
        Ok(Html::Missing(body)) => (StatusCode::NOT_FOUND, html, no_store, body).into_response(),
        Ok(Html::Fragment(body)) => (StatusCode::OK, html, no_store, body).into_response(),
        Err(e) => {
            let (status, title, message) = match e {
                PageError::BadRequest(m) => (StatusCode::BAD_REQUEST, "Bad request", m),
                PageError::NotFound(m) => (StatusCode::NOT_FOUND, "Not found", m),
                PageError::Internal(detail) => {
                    tracing::error!(%detail, "dashboard page failed");
                    (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "Internal error",
                        "The page could not be built; the operator's logs have the details."
                            .to_string(),
                    )
                }
            };
            let chain = pages::chain_mark(&state.node);
            (status, html, pages::error_page(chain, status.as_u16(), title, &message))
                .into_response()
        }
    }
}

/// The styled 404 page of a path no route serves (outside `/v1`).
pub(crate) async fn not_found(state: AppState, path: &str) -> Response {
    let message = format!(
        "There is no page at {}. The header links to the overview, the blocks, the \
         transactions, the holders and the pools; the search box takes heights, hashes and \
         addresses.",
        render::truncate(path, ECHO_CHARS_MAX)
    );
    serve_page(state, move |_| Err(PageError::NotFound(message))).await
}

async fn overview(State(state): State<AppState>) -> Response {
    serve_page(state, |s| pages::overview(s, false)).await
}

async fn overview_partial(State(state): State<AppState>) -> Response {
    serve_page(state, |s| pages::overview(s, true)).await
}

/// A path segment, or a 400 page when it is not valid percent-encoded UTF-8.
type Segment = Result<Path<String>, PathRejection>;

fn segment(path: Segment) -> Result<String, PageError> {
    path.map(|Path(s)| s).map_err(|_| {
        PageError::BadRequest("The address bar holds bytes that are not valid UTF-8 text.".into())
    })
}

/// A query string, or a 400 page when it does not parse.
type ListQueryResult = Result<Query<ListQuery>, QueryRejection>;

#[derive(serde::Deserialize)]
struct ListQuery {
    before: Option<String>,
    after: Option<String>,
}

fn list_query(q: ListQueryResult) -> Result<ListQuery, PageError> {
    q.map(|Query(q)| q).map_err(|_| {
        PageError::BadRequest("Use at most one before=… and one after=… parameter.".into())
    })
}

fn blocks_from(q: ListQueryResult) -> Result<lists::BlocksFrom, PageError> {
    let q = list_query(q)?;
    let height = |s: &str| {
        parse_height(s).map_err(|_| lists::bad_cursor("block list", s, "use a block height"))
    };
    match (q.before.as_deref(), q.after.as_deref()) {
        (None, None) => Ok(lists::BlocksFrom::Newest),
        (Some(b), None) => Ok(lists::BlocksFrom::Before(height(b)?)),
        (None, Some(a)) => Ok(lists::BlocksFrom::After(height(a)?)),
        (Some(_), Some(_)) => {
            Err(PageError::BadRequest("Give before=… or after=…, not both.".into()))
        }
    }
}

async fn blocks(State(state): State<AppState>, q: ListQueryResult) -> Response {
    serve_page(state, move |s| lists::blocks(&s.node, blocks_from(q)?, false)).await
}

async fn blocks_partial(State(state): State<AppState>) -> Response {
    serve_page(state, |s| lists::blocks(&s.node, lists::BlocksFrom::Newest, true)).await
}

async fn block(State(state): State<AppState>, path: Segment) -> Response {
    serve_page(state, move |s| pages::block(&s.node, parse_height(&segment(path)?)?)).await
}

fn tx_cursor(q: ListQueryResult) -> Result<Option<lists::TxCursor>, PageError> {
    let q = list_query(q)?;
    if q.after.is_some() {
        return Err(PageError::BadRequest("The transaction list pages with before=… only.".into()));
    }
    q.before
        .map(|b| {
            lists::parse_tx_cursor(&b).ok_or_else(|| {
                lists::bad_cursor("transaction list", &b, "use <height>-<index>, such as 42-0")
            })
        })
        .transpose()
}

async fn txs(State(state): State<AppState>, q: ListQueryResult) -> Response {
    serve_page(state, move |s| lists::txs(&s.node, tx_cursor(q)?, false)).await
}

async fn txs_partial(State(state): State<AppState>) -> Response {
    serve_page(state, |s| lists::txs(&s.node, None, true)).await
}

async fn tx(State(state): State<AppState>, path: Segment) -> Response {
    serve_page(state, move |s| pages::tx(&s.node, parse_hash(&segment(path)?)?, false)).await
}

async fn tx_partial(State(state): State<AppState>, path: Segment) -> Response {
    serve_page(state, move |s| pages::tx(&s.node, parse_hash(&segment(path)?)?, true)).await
}

/// A demo account's address for its name, on the devnet only (any letter case).
fn demo_address(node: &NodeHandle, text: &str) -> Option<alloy_primitives::Address> {
    if node.chain_id() != devnet::DEVNET_CHAIN_ID {
        return None;
    }
    devnet::accounts().iter().find(|a| a.name.eq_ignore_ascii_case(text)).map(|a| a.address)
}

async fn account(State(state): State<AppState>, path: Segment) -> Response {
    // On the devnet, /account/alice is the page of alice's address.
    if let Ok(Path(text)) = &path
        && parse_address(text).is_err()
        && let Some(a) = demo_address(&state.node, text)
    {
        return Redirect::to(&format!("/account/{}", a.to_checksum(None))).into_response();
    }
    serve_page(state, move |s| pages::account(&s.node, parse_address(&segment(path)?)?, false))
        .await
}

async fn account_partial(State(state): State<AppState>, path: Segment) -> Response {
    serve_page(state, move |s| pages::account(&s.node, parse_address(&segment(path)?)?, true)).await
}

fn token(path: Segment) -> Result<hoard_core::facets::token::TokenId, PageError> {
    let text = segment(path)?;
    holders::parse_token(&text).ok_or_else(|| {
        PageError::NotFound(format!(
            "There is no token “{}”: the holders pages are /holders/icy and /holders/dfg.",
            render::truncate(&text, ECHO_CHARS_MAX)
        ))
    })
}

async fn holders_page(
    State(state): State<AppState>,
    path: Segment,
    q: ListQueryResult,
) -> Response {
    serve_page(state, move |s| {
        let token = token(path)?;
        let q = list_query(q)?;
        if q.before.is_some() {
            return Err(PageError::BadRequest("The holders list pages with after=… only.".into()));
        }
        let after = q
            .after
            .map(|a| {
                holders::parse_cursor(&a).ok_or_else(|| {
                    lists::bad_cursor("holders", &a, "use <balance in base units>:<address>")
                })
            })
            .transpose()?;
        lists::holders(s, token, after, false)
    })
    .await
}

async fn holders_partial(State(state): State<AppState>, path: Segment) -> Response {
    serve_page(state, move |s| lists::holders(s, token(path)?, None, true)).await
}

async fn pools_page(State(state): State<AppState>) -> Response {
    serve_page(state, |s| pools::list(&s.node, false)).await
}

async fn pools_partial(State(state): State<AppState>) -> Response {
    serve_page(state, |s| pools::list(&s.node, true)).await
}

async fn pool_page(State(state): State<AppState>, path: Segment) -> Response {
    serve_page(state, move |s| pools::pool(&s.node, pools::parse_pool_id(&segment(path)?)?, false))
        .await
}

async fn pool_partial(State(state): State<AppState>, path: Segment) -> Response {
    serve_page(state, move |s| pools::pool(&s.node, pools::parse_pool_id(&segment(path)?)?, true))
        .await
}

#[derive(serde::Deserialize)]
struct SearchQuery {
    q: Option<String>,
}

async fn search(
    State(state): State<AppState>,
    query: Result<Query<SearchQuery>, QueryRejection>,
) -> Response {
    let Ok(Query(query)) = query else {
        return serve_page(state, |_| {
            Err(PageError::BadRequest("Search with one q=… parameter.".into()))
        })
        .await;
    };
    let q = query.q.unwrap_or_default();
    let q = q.trim();
    let target = if q.is_empty() {
        Some("/".to_string())
    } else if let Ok(h) = parse_height(q) {
        Some(format!("/blocks/{h}"))
    } else if let Ok(h) = parse_hash(q) {
        // 64 hex digits name a transaction or a block: a block hash goes to its block.
        let store = state.node.store().clone();
        let block = tokio::task::spawn_blocking(move || store.block_by_hash(&h.0)).await;
        match block {
            Ok(Ok(Some(b))) => Some(format!("/blocks/{}", b.height)),
            _ => Some(format!("/tx/{h:#x}")),
        }
    } else if let Ok(a) = parse_address(q) {
        Some(format!("/account/{}", a.to_checksum(None)))
    } else {
        demo_address(&state.node, q).map(|a| format!("/account/{}", a.to_checksum(None)))
    };
    match target {
        Some(to) => Redirect::to(&to).into_response(),
        None => {
            let q = q.to_string();
            let names = if demo_address(&state.node, "alice").is_some() {
                ", an address (0x and 40 hex digits) or a demo name (alice, bob, …)"
            } else {
                " or an address (0x and 40 hex digits)"
            };
            serve_page(state, move |_| {
                Err(PageError::BadRequest(format!(
                    "“{}” is not a block height, a transaction or block hash (0x and 64 hex \
                     digits){names}.",
                    render::truncate(&q, ECHO_CHARS_MAX)
                )))
            })
            .await
        }
    }
}

/// Hex digits after an optional `0x`, exactly `len` of them.
fn hex_body(text: &str, len: usize) -> Option<&str> {
    let body = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")).unwrap_or(text);
    (body.len() == len && body.bytes().all(|b| b.is_ascii_hexdigit())).then_some(body)
}

/// A block height: decimal digits only, within what the store can hold.
pub(crate) fn parse_height(text: &str) -> Result<u64, PageError> {
    let bad = || {
        PageError::BadRequest(format!(
            "“{}” is not a block height: use a whole number such as 42.",
            render::truncate(text, ECHO_CHARS_MAX)
        ))
    };
    if text.is_empty() || text.len() > 20 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    text.parse::<u64>().ok().filter(|h| *h <= hoard_store::INTEGER_MAX).ok_or_else(bad)
}

/// A transaction hash: 64 hex digits, optionally after `0x`.
pub(crate) fn parse_hash(text: &str) -> Result<alloy_primitives::B256, PageError> {
    hex_body(text, 64).and_then(|h| h.parse().ok()).ok_or_else(|| {
        PageError::BadRequest(format!(
            "“{}” is not a transaction hash: a hash is 0x followed by 64 hex digits.",
            render::truncate(text, ECHO_CHARS_MAX)
        ))
    })
}

/// An account address: 40 hex digits, optionally after `0x`, in any letter case.
pub(crate) fn parse_address(text: &str) -> Result<alloy_primitives::Address, PageError> {
    hex_body(text, 40).and_then(|h| h.parse().ok()).ok_or_else(|| {
        PageError::BadRequest(format!(
            "“{}” is not an account address: an address is 0x followed by 40 hex digits.",
            render::truncate(text, ECHO_CHARS_MAX)
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heights_are_plain_decimal_numbers() {
        assert_eq!(parse_height("0"), Ok(0));
        assert_eq!(parse_height("42"), Ok(42));
        for bad in
            ["", "-1", "+1", "1.0", "0x10", " 1", "99999999999999999999", "9223372036854775808"]
        {
            assert!(matches!(parse_height(bad), Err(PageError::BadRequest(_))), "{bad:?}");
        }
    }

    #[test]
    fn hashes_and_addresses_need_the_exact_length() {
        let h = format!("0x{}", "ab".repeat(32));
        assert!(parse_hash(&h).is_ok());
        assert!(parse_hash(&h[2..]).is_ok());
        assert!(parse_hash(&h[..65]).is_err());
        assert!(parse_hash(&format!("0x{}", "zz".repeat(32))).is_err());
        let a = format!("0x{}", "Cd".repeat(20));
        assert!(parse_address(&a).is_ok());
        assert!(parse_address(&a[..41]).is_err());
        assert!(parse_address("0x<script>").is_err());
    }

    #[test]
    fn bad_input_is_echoed_truncated() {
        let long = "x".repeat(500);
        let Err(PageError::BadRequest(message)) = parse_height(&long) else {
            panic!("a long height must be refused");
        };
        assert!(message.len() < 200, "{message}");
    }
}
