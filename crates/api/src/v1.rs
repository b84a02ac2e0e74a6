//! The JSON API under `/v1`, plus `/healthz` and `/metrics`.
//!
//! Amounts are decimal strings of base units (18 decimals for ICY and DFG); hashes, addresses
//! and byte strings are 0x-prefixed hex. Every error is `{"error": {"code", "message"}}`; client
//! input quoted in a message is cut to [`crate::error::ECHO_CHARS_MAX`] characters.
//!
//! A command's `chainId` may be a JSON number, a decimal string or a 0x hex string; its
//! `signature` 65 bytes `r || s || v` or 64 bytes EIP-2098 `r || yParityAndS`. Event cursors
//! carry a check ([`crate::cursor`]). `/v1/stream` is served by [`crate::sse`].

use alloy_primitives::{Address, B256, U256, hex};
use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use hoard_core::{
    Receipt,
    block::{Header, decode_body},
    command::{COMMANDS, Command, SignedCommand, Tx, type_defs},
    event::Log,
    facets::diamond,
    facets::token::TokenId,
    rejection::TxInvalid,
    roles,
};
use hoard_node::{BLOCK_TXS_MAX, TxOutcome};
use serde_json::{Value, json};

use crate::{
    ApiError, ApiResult, AppState,
    display::{amount, iso_time},
    error::{ApiQuery, cap, echo},
    holders,
    limits::{PAGE_DEFAULT, PAGE_MAX},
};

/// Routes of the JSON API, built from the documented table [`crate::openapi::ENDPOINTS`]: a
/// route cannot exist without its documentation, nor a documented path without its route.
pub fn routes() -> Router<AppState> {
    crate::openapi::ENDPOINTS
        .iter()
        .fold(Router::new(), |router, e| router.route(e.path, (e.route)()))
}

// ----- parsing helpers -----

fn u256_str(v: U256) -> String {
    v.to_string()
}

/// Parses an address; `field` names where it came from (a JSON field, a query parameter, the
/// path) in the error.
pub fn parse_address(field: &str, s: &str) -> ApiResult<Address> {
    s.parse::<Address>().map_err(|_| {
        ApiError::bad_request(
            "api.bad_address",
            format!("{field}: {} is not a 20-byte 0x hex address", echo(s)),
        )
    })
}

fn parse_b256(s: &str, what: &str) -> ApiResult<B256> {
    s.parse::<B256>().map_err(|_| {
        ApiError::bad_request("api.bad_hash", format!("{} is not a 32-byte 0x hex {what}", echo(s)))
    })
}

/// Parses a command's `chainId`: a JSON number, a decimal string or a 0x hex string.
fn parse_chain_id(v: &Value) -> ApiResult<U256> {
    let bad = || {
        ApiError::bad_request(
            "tx.bad_chain_id",
            format!(
                "chainId must be a non-negative integer: a JSON number, a decimal string or a 0x hex string, not {}",
                echo(&v.to_string())
            ),
        )
    };
    if let Some(n) = v.as_u64() {
        return Ok(U256::from(n));
    }
    let s = v.as_str().ok_or_else(bad)?;
    let (digits, radix) = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => (hex, 16),
        None => (s, 10),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return Err(bad());
    }
    U256::from_str_radix(digits, radix as u64).map_err(|_| bad())
}

/// Accepted signature forms, for messages.
const SIGNATURE_FORMS: &str =
    "0x hex of 65 bytes (r || s || v) or 64 bytes (EIP-2098 compact: r || yParityAndS)";

/// Parses a signature: 65 bytes `r || s || v`, or 64 bytes EIP-2098 `r || yParityAndS`
/// (converted: `s` is `yParityAndS` without its top bit, `v` is 27 plus that bit).
fn parse_signature(s: &str) -> ApiResult<[u8; 65]> {
    let bad = |message: String| ApiError::bad_request(TxInvalid::BadSignature.code(), message);
    let bytes = hex::decode(s)
        .map_err(|_| bad(format!("the signature {} is not {SIGNATURE_FORMS}", echo(s))))?;
    match bytes.len() {
        65 => Ok(<[u8; 65]>::try_from(bytes.as_slice()).expect("invariant: 65 bytes")),
        64 => {
            let mut out = [0u8; 65];
            out[..64].copy_from_slice(&bytes);
            let y_parity = out[32] >> 7;
            out[32] &= 0x7f;
            out[64] = 27 + y_parity;
            Ok(out)
        }
        n => Err(bad(format!("the signature is {n} bytes; it must be {SIGNATURE_FORMS}"))),
    }
}

fn parse_json(body: &Bytes) -> ApiResult<Value> {
    serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request("api.bad_json", format!("the body is not valid JSON: {e}"))
    })
}

fn tx_invalid(e: TxInvalid) -> ApiError {
    let status = match e {
        TxInvalid::NonceReused { .. } | TxInvalid::NonceGap { .. } => StatusCode::CONFLICT,
        _ => StatusCode::BAD_REQUEST,
    };
    let message = match e {
        // A malformed command's message may quote the client's input (serde's description).
        TxInvalid::Malformed(_) => cap(e.to_string()),
        _ => e.to_string(),
    };
    ApiError { status, code: e.code(), message }
}

/// A command as clients send it: `{"type", "message", "signature", "chainId"?,
/// "verifyingContract"?}` (the pieces of `eth_signTypedData_v4`).
fn parse_command(
    v: &Value,
    state: &AppState,
    need_signature: bool,
) -> ApiResult<(Command, Option<[u8; 65]>, Option<Address>)> {
    let obj = v
        .as_object()
        .ok_or_else(|| tx_invalid(TxInvalid::Malformed("a command is a JSON object".into())))?;
    let ty = obj.get("type").and_then(Value::as_str).ok_or_else(|| {
        tx_invalid(TxInvalid::Malformed("missing \"type\" (the EIP-712 primary type)".into()))
    })?;
    match COMMANDS.iter().find(|c| c.name == ty) {
        None => {
            return Err(tx_invalid(TxInvalid::Malformed(format!(
                "unknown command type {}; GET /v1/eip712/types lists them",
                echo(ty)
            ))));
        }
        Some(c) if c.is_system() => {
            return Err(tx_invalid(TxInvalid::SystemOnly(c.name)));
        }
        Some(_) => {}
    }
    let message = obj
        .get("message")
        .cloned()
        .ok_or_else(|| tx_invalid(TxInvalid::Malformed("missing \"message\"".into())))?;
    let (chain_id, diamond) = (state.node.chain_id(), state.node.addresses().diamond);
    if let Some(cid) = obj.get("chainId") {
        let got = parse_chain_id(cid)?;
        if got != U256::from(chain_id) {
            return Err(match u64::try_from(got) {
                Ok(got) => tx_invalid(TxInvalid::WrongChain { expected: chain_id, got }),
                Err(_) => ApiError::bad_request(
                    TxInvalid::WrongChain { expected: chain_id, got: 0 }.code(),
                    format!(
                        "the command was signed for chain {got}, this network is chain {chain_id}"
                    ),
                ),
            });
        }
    }
    if let Some(vc) = obj.get("verifyingContract") {
        let vc = vc.as_str().ok_or_else(|| {
            ApiError::bad_request("api.bad_address", "verifyingContract: must be a 0x hex string")
        })?;
        if parse_address("verifyingContract", vc)? != diamond {
            return Err(ApiError::bad_request(
                "tx.wrong_domain",
                format!("verifyingContract must be the diamond {diamond}"),
            ));
        }
    }
    let command = Command::from_json(ty, message).map_err(tx_invalid)?;
    let signature = match obj.get("signature") {
        Some(Value::String(s)) => Some(parse_signature(s)?),
        Some(_) => {
            return Err(ApiError::bad_request(
                TxInvalid::BadSignature.code(),
                format!("signature must be a string: {SIGNATURE_FORMS}"),
            ));
        }
        None if need_signature => {
            return Err(ApiError::bad_request(
                TxInvalid::BadSignature.code(),
                format!("missing \"signature\" ({SIGNATURE_FORMS})"),
            ));
        }
        None => None,
    };
    let from = match obj.get("from") {
        None => None,
        Some(Value::String(s)) => Some(parse_address("from", s)?),
        Some(_) => {
            return Err(ApiError::bad_request("api.bad_address", "from: must be a 0x hex string"));
        }
    };
    Ok((command, signature, from))
}

fn verify(state: &AppState, command: Command, signature: [u8; 65]) -> ApiResult<Tx> {
    SignedCommand { command, signature }.verify(state.node.domain()).map_err(tx_invalid)
}

// ----- JSON views -----

/// A log as JSON.
pub fn log_json(l: &Log) -> Value {
    json!({
        "address": l.address,
        "name": l.name(),
        "topics": l.topics,
        "data": hex::encode_prefixed(&l.data),
    })
}

/// A receipt as JSON. A rejection whose numbers are amounts or times also has
/// `message_display`: the same message in whole tokens (`symbol` is the token of the command's
/// amounts, when known) and ISO 8601 times; `message` stays as recorded, in base units.
pub fn receipt_json(r: &Receipt, symbol: Option<&str>) -> Value {
    let mut v = json!({
        "tx_hash": r.tx_hash,
        "sender": r.sender,
        "command": r.command,
        "success": r.success(),
        "code": r.code(),
        "message": r.message(),
        "logs": r.logs.iter().map(log_json).collect::<Vec<_>>(),
    });
    if let Some(readable) = rejection_display(r, symbol) {
        v["message_display"] = json!(readable);
    }
    v
}

fn rejection_display(r: &Receipt, symbol: Option<&str>) -> Option<String> {
    crate::display::readable_rejection(r.code()?, &r.message()?, symbol)
}

/// The token symbol of a command's amounts in this node's chain.
fn symbol_of(state: &AppState, command: &Command) -> Option<&'static str> {
    let committed = state.node.committed();
    let a = committed.engine.addresses();
    crate::display::command_symbol(command, &a.icy, &a.dfg)
}

fn header_json(h: &Header, hash: B256) -> Value {
    json!({
        "height": h.height,
        "hash": hash,
        "parent_hash": h.parent_hash,
        "time_s": h.time_s,
        "time_iso": iso_time(h.time_s),
        "tx_count": h.tx_count,
        "tx_root": h.tx_root,
        "receipts_root": h.receipts_root,
        "state_root": h.state_root,
        "chain_id": h.chain_id,
    })
}

fn outcome_json(o: &TxOutcome, hash: B256, symbol: Option<&str>) -> (StatusCode, Value) {
    match o {
        TxOutcome::Included { receipt, height, index } => {
            let mut v = json!({ "hash": hash, "status": "committed", "height": height, "index": index, "receipt": receipt_json(receipt, symbol) });
            if receipt.success() {
                (StatusCode::OK, v)
            } else {
                v["error"] = json!({ "code": receipt.code(), "message": receipt.message() });
                if let Some(readable) = rejection_display(receipt, symbol) {
                    v["error"]["message_display"] = json!(readable);
                }
                (StatusCode::UNPROCESSABLE_ENTITY, v)
            }
        }
        TxOutcome::Invalid(e) => {
            let err = tx_invalid(e.clone());
            (
                err.status,
                json!({ "hash": hash, "status": "refused", "error": { "code": err.code, "message": err.message } }),
            )
        }
        TxOutcome::Failed(m) => (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({ "hash": hash, "status": "failed", "error": { "code": "node.commit_failed", "message": m } }),
        ),
    }
}

#[derive(serde::Deserialize)]
pub(crate) struct WaitQuery {
    wait: Option<bool>,
}

// ----- handlers -----

/// Liveness and health: 200 only while the sequencer runs and no damage of the database was
/// seen; otherwise 503 saying why (the stop reason, the damage).
pub(crate) async fn healthz(State(state): State<AppState>) -> Response {
    let health = state.node.health();
    let head = state.node.committed().head.height;
    let status = if health.ok() { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let summary = match (&health.damage, health.sequencer_running) {
        (Some(_), _) => "database damaged",
        (None, false) => "sequencer stopped",
        (None, true) => "ok",
    };
    (
        status,
        Json(json!({
            "status": summary,
            "head": head,
            "sequencer_running": health.sequencer_running,
            "stop_reason": health.stop_reason,
            "damage": health.damage,
            "integrity_checked": health.integrity_checked,
        })),
    )
        .into_response()
}

pub(crate) async fn metrics(State(state): State<AppState>) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.node.metrics().render())
        .into_response()
}

pub(crate) async fn openapi() -> Json<Value> {
    Json(crate::openapi::document())
}

pub(crate) async fn chain(State(state): State<AppState>) -> Json<Value> {
    let c = state.node.committed();
    let a = c.engine.addresses();
    Json(json!({
        "chain_id": c.engine.chain_id(),
        "genesis_hash": state.node.genesis_hash(),
        "diamond": a.diamond,
        "icy": a.icy,
        "dfg": a.dfg,
        "vesting_escrow": a.vesting_escrow,
        "governance": c.engine.governance(),
        "governance_steward": (c.engine.governance_steward() != Address::ZERO).then(|| c.engine.governance_steward()),
        "head": { "height": c.head.height, "hash": c.head.hash, "time_s": c.head.time_s, "time_iso": iso_time(c.head.time_s), "state_root": c.head.state_root },
    }))
}

pub(crate) async fn submit_one(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<WaitQuery>,
    body: Bytes,
) -> ApiResult<Response> {
    let v = parse_json(&body)?;
    let (command, signature, _) = parse_command(&v, &state, true)?;
    let signature = signature.ok_or_else(|| tx_invalid(TxInvalid::BadSignature))?;
    let tx = verify(&state, command, signature)?;
    let hash = tx.hash;
    let symbol = symbol_of(&state, &tx.command);
    let rx = state.node.submit(vec![tx])?;
    if q.wait == Some(false) {
        return Ok((StatusCode::ACCEPTED, Json(json!({ "hash": hash, "status": "queued" })))
            .into_response());
    }
    let outcomes = rx.await.map_err(|_| ApiError::internal("sequencer dropped a submission"))?;
    let (status, body) = outcome_json(&outcomes[0], hash, symbol);
    Ok((status, Json(body)).into_response())
}

pub(crate) async fn submit_batch(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<WaitQuery>,
    body: Bytes,
) -> ApiResult<Response> {
    let v = parse_json(&body)?;
    let list = v.get("commands").and_then(Value::as_array).ok_or_else(|| {
        tx_invalid(TxInvalid::Malformed("a batch is {\"commands\": [...]}".into()))
    })?;
    if list.is_empty() || list.len() > BLOCK_TXS_MAX {
        return Err(ApiError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            code: "api.batch_size",
            message: format!("a batch holds 1 to {BLOCK_TXS_MAX} commands"),
        });
    }
    // Parse everything first: a malformed element refuses the whole batch, naming its index.
    let mut parsed = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let (command, signature, _) = parse_command(item, &state, true)
            .map_err(|e| ApiError { message: format!("commands[{i}]: {}", e.message), ..e })?;
        let signature = signature.ok_or_else(|| tx_invalid(TxInvalid::BadSignature))?;
        parsed.push((command, signature));
    }
    // Signature recovery is the expensive part: off the async workers.
    let domain = state.node.domain().clone();
    let txs = tokio::task::spawn_blocking(move || {
        parsed
            .into_iter()
            .enumerate()
            .map(|(i, (command, signature))| {
                SignedCommand { command, signature }.verify(&domain).map_err(|e| (i, e))
            })
            .collect::<Result<Vec<Tx>, _>>()
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(|(i, e)| {
        let err = tx_invalid(e);
        ApiError { message: format!("commands[{i}]: {}", err.message), ..err }
    })?;
    let hashes: Vec<B256> = txs.iter().map(|t| t.hash).collect();
    let symbols: Vec<Option<&str>> = txs.iter().map(|t| symbol_of(&state, &t.command)).collect();
    let rx = state.node.submit(txs)?;
    if q.wait == Some(false) {
        return Ok((StatusCode::ACCEPTED, Json(json!({ "hashes": hashes, "status": "queued" })))
            .into_response());
    }
    let outcomes = rx.await.map_err(|_| ApiError::internal("sequencer dropped a submission"))?;
    let results: Vec<Value> = outcomes
        .iter()
        .zip(hashes.iter().zip(symbols))
        .map(|(o, (h, symbol))| outcome_json(o, *h, symbol).1)
        .collect();
    let committed = outcomes.iter().filter(|o| matches!(o, TxOutcome::Included { .. })).count();
    Ok(Json(json!({ "committed": committed, "results": results })).into_response())
}

pub(crate) async fn call(State(state): State<AppState>, body: Bytes) -> ApiResult<Json<Value>> {
    let v = parse_json(&body)?;
    let (command, signature, from) = parse_command(&v, &state, false)?;
    let tx = match (signature, from) {
        (Some(sig), _) => verify(&state, command, sig)?,
        (None, Some(from)) => Tx::new(from, command, [0u8; 65]),
        (None, None) => {
            return Err(ApiError::bad_request(
                "api.missing_sender",
                "a dry run needs \"signature\" or \"from\"",
            ));
        }
    };
    let receipt = state.node.dry_run(&tx, crate::unix_now_s()).map_err(tx_invalid)?;
    let symbol = symbol_of(&state, &tx.command);
    Ok(Json(json!({ "dry_run": true, "receipt": receipt_json(&receipt, symbol) })))
}

pub(crate) async fn account(
    State(state): State<AppState>,
    Path(address): Path<String>,
) -> ApiResult<Json<Value>> {
    let a = parse_address("the address in the path", &address)?;
    let c = state.node.committed();
    let e = &c.engine;
    let acc = e.account(&a);
    let vesting: Vec<Value> = e
        .vesting_of(&a, c.head.time_s)
        .into_iter()
        .map(|(id, v, vested, releasable)| {
            json!({
                "id": id, "amount": u256_str(v.amount), "amount_display": amount(v.amount, "DFG"),
                "start": v.start, "start_iso": iso_time(v.start), "cliff_s": v.cliff_s,
                "cliff_iso": iso_time(v.start.saturating_add(v.cliff_s)),
                "duration_s": v.duration_s, "end_iso": iso_time(v.start.saturating_add(v.duration_s)),
                "released": u256_str(v.released), "released_display": amount(v.released, "DFG"),
                "vested": u256_str(vested), "vested_display": amount(vested, "DFG"),
                "releasable": u256_str(releasable), "releasable_display": amount(releasable, "DFG"),
            })
        })
        .collect();
    let role_names: Vec<&str> =
        roles::ALL.iter().filter(|r| e.has_role(&r.id(), &a)).map(|r| r.0).collect();
    Ok(Json(json!({
        "address": a,
        "nonce": acc.nonce,
        "icy": u256_str(acc.icy),
        "icy_display": amount(acc.icy, "ICY"),
        "dfg": u256_str(acc.dfg),
        "dfg_display": amount(acc.dfg, "DFG"),
        "delegate": (acc.delegate != Address::ZERO).then_some(acc.delegate),
        "votes": u256_str(e.votes(&a)),
        "votes_display": amount(e.votes(&a), "DFG"),
        "vesting": vesting,
        "roles": role_names,
        "is_minter": e.is_minter(&a),
        "assets": e
            .assets()
            .into_iter()
            .filter_map(|(token, asset, _)| {
                let balance = e.asset_balance(&token, &a);
                (!balance.is_zero()).then(|| json!({
                    "address": token, "symbol": asset.symbol, "decimals": asset.decimals,
                    "balance": u256_str(balance),
                    "balance_display": crate::display::units(balance, asset.decimals, &asset.symbol),
                }))
            })
            .collect::<Vec<_>>(),
        "block": c.head.height,
    })))
}

fn pool_json(p: &crate::pools::PoolInfo) -> Value {
    json!({
        "id": p.id,
        "address": p.address,
        "token0": p.meta.token0, "symbol0": p.symbol0, "decimals0": p.decimals0,
        "token1": p.meta.token1, "symbol1": p.symbol1, "decimals1": p.decimals1,
        "flavour": p.flavour, "fee": p.fee, "tick_spacing": p.meta.tick_spacing,
        "sqrt_price_x96": u256_str(p.sqrt_price_x96), "tick": p.tick,
        "price": p.price(false), "price_inverse": p.price(true),
        "liquidity": p.liquidity.to_string(),
        "balance0": u256_str(p.balance0), "balance1": u256_str(p.balance1),
        "balance0_display": crate::display::units(p.balance0, p.decimals0, &p.symbol0),
        "balance1_display": crate::display::units(p.balance1, p.decimals1, &p.symbol1),
    })
}

pub(crate) async fn pools(State(state): State<AppState>) -> Json<Value> {
    let c = state.node.committed();
    let list: Vec<Value> = crate::pools::infos(&c.engine).iter().map(pool_json).collect();
    Json(json!({ "pools": list, "block": c.head.height }))
}

/// A pool id of the path: a decimal `uint32`.
fn parse_pool_id(id: &str) -> ApiResult<u32> {
    id.parse().map_err(|_| {
        ApiError::bad_request(
            "api.bad_pool",
            format!("a pool id is a whole number (uint32), not {}", echo(id)),
        )
    })
}

fn no_pool(id: u32) -> ApiError {
    ApiError::not_found(format!("no pool {id}; GET /v1/pools lists them"))
}

#[derive(serde::Deserialize)]
pub(crate) struct ObserveQuery {
    #[serde(rename = "secondsAgo")]
    seconds_ago: Option<String>,
}

/// `observe(pool, secondsAgos)` at the head block's time: Uniswap V3's oracle accumulators.
pub(crate) async fn pool_observe(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<ObserveQuery>,
) -> ApiResult<Json<Value>> {
    use hoard_core::facets::pools::{OBSERVE_SECONDS_AGOS_MAX, ObserveError};
    let id = parse_pool_id(&id)?;
    let text = q.seconds_ago.unwrap_or_default();
    let bad = |why: String| ApiError::bad_request("api.bad_seconds_ago", why);
    let items: Vec<&str> = text.split(',').collect();
    if text.is_empty() {
        return Err(bad("give secondsAgo=0,60,3600: seconds before the head block's time".into()));
    }
    if items.len() > OBSERVE_SECONDS_AGOS_MAX {
        return Err(bad(format!(
            "{} secondsAgo values; at most {OBSERVE_SECONDS_AGOS_MAX}",
            items.len()
        )));
    }
    let seconds_agos = items
        .iter()
        .map(|s| {
            s.trim().parse::<u32>().map_err(|_| {
                bad(format!(
                    "secondsAgo is a comma-separated list of whole seconds (uint32), and {} is not one",
                    echo(s)
                ))
            })
        })
        .collect::<ApiResult<Vec<u32>>>()?;
    let c = state.node.committed();
    let o = c.engine.pool_observe(id, &seconds_agos, c.head.time_s).map_err(|e| match e {
        ObserveError::NotFound { pool } => no_pool(pool),
        ObserveError::TooOld { .. } => {
            ApiError::bad_request("pools.observation_too_old", e.to_string())
        }
        ObserveError::TooMany { .. } => bad(e.to_string()),
        ObserveError::Refused { .. } => ApiError::bad_request("pools.refused", e.to_string()),
    })?;
    Ok(Json(json!({
        "pool": id,
        "block": c.head.height,
        "time_s": c.head.time_s,
        "seconds_agos": seconds_agos,
        "tick_cumulatives": o.tick_cumulatives.iter().map(i64::to_string).collect::<Vec<_>>(),
        "seconds_per_liquidity_cumulative_x128s":
            o.seconds_per_liquidity_cumulative_x128s.iter().map(|v| u256_str(*v)).collect::<Vec<_>>(),
        "observation_cardinality": o.cardinality,
        "observation_cardinality_next": o.cardinality_next,
        "seconds_ago_max": o.seconds_ago_max,
    })))
}

#[derive(serde::Deserialize)]
pub(crate) struct TicksQuery {
    window: Option<u32>,
    limit: Option<usize>,
}

/// The initialized ticks around the price with the active liquidity of each range.
pub(crate) async fn pool_ticks(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<TicksQuery>,
) -> ApiResult<Json<Value>> {
    use crate::pools::{TICK_WINDOW_DEFAULT, TICK_WINDOW_MAX, TICKS_SIDE_DEFAULT, TICKS_SIDE_MAX};
    let id = parse_pool_id(&id)?;
    let window = q.window.unwrap_or(TICK_WINDOW_DEFAULT).clamp(1, TICK_WINDOW_MAX);
    let side = q.limit.unwrap_or(TICKS_SIDE_DEFAULT).clamp(1, TICKS_SIDE_MAX);
    let c = state.node.committed();
    let info = crate::pools::info(&c.engine, id).ok_or_else(|| no_pool(id))?;
    let view = hoard_core::facets::pools::view(c.engine.state(), id).ok_or_else(|| no_pool(id))?;
    let w = crate::pools::tick_window(&view, window, side).map_err(ApiError::internal)?;
    let rows: Vec<Value> = w
        .rows
        .iter()
        .map(|r| {
            json!({
                "tick": r.tick,
                "price": info.price_at_tick(r.tick),
                "liquidity_net": r.liquidity_net.to_string(),
                "liquidity_gross": r.liquidity_gross.to_string(),
                "liquidity_active": r.liquidity_active.to_string(),
            })
        })
        .collect();
    Ok(Json(json!({
        "pool": id,
        "block": c.head.height,
        "tick": w.tick,
        "tick_spacing": info.meta.tick_spacing,
        "sqrt_price_x96": u256_str(info.sqrt_price_x96),
        "price": info.price(false),
        "liquidity": w.liquidity.to_string(),
        "window_lower": w.lower,
        "window_upper": w.upper,
        "liquidity_below": w.liquidity_below.to_string(),
        "ticks": rows,
        "more_below": w.more_below,
        "more_above": w.more_above,
    })))
}

#[derive(serde::Deserialize)]
pub(crate) struct SwapsQuery {
    cursor: Option<String>,
    limit: Option<usize>,
}

/// A pool's swaps, newest first, from the store's event index.
pub(crate) async fn pool_swaps(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<SwapsQuery>,
) -> ApiResult<Json<Value>> {
    use crate::pools::{SWAPS_PAGE_DEFAULT, SWAPS_PAGE_MAX};
    let id = parse_pool_id(&id)?;
    let cursor = q.cursor.as_deref().map(crate::cursor::decode).transpose()?;
    let limit = q.limit.unwrap_or(SWAPS_PAGE_DEFAULT).clamp(1, SWAPS_PAGE_MAX);
    let (info, head) = {
        let c = state.node.committed();
        (crate::pools::info(&c.engine, id).ok_or_else(|| no_pool(id))?, c.head.height)
    };
    let store = state.node.store().clone();
    let (rows, next) = tokio::task::spawn_blocking(move || {
        crate::pools::swaps(store.as_ref(), id, head, cursor, limit)
    })
    .await
    .map_err(ApiError::internal)??;
    let list: Vec<Value> = rows
        .iter()
        .map(|s| {
            json!({
                "height": s.height,
                "tx_index": s.tx_index,
                "log_index": s.log_index,
                "tx_hash": s.tx_hash,
                "time_s": s.time_s,
                "time_iso": iso_time(s.time_s),
                "sender": s.sender,
                "recipient": s.recipient,
                "amount0": s.amount0.to_string(),
                "amount1": s.amount1.to_string(),
                "amount0_display": crate::display::signed_units(s.amount0, info.decimals0, &info.symbol0),
                "amount1_display": crate::display::signed_units(s.amount1, info.decimals1, &info.symbol1),
                "sqrt_price_x96": u256_str(s.sqrt_price_x96),
                "price": info.price_at(s.sqrt_price_x96, false),
                "liquidity": s.liquidity.to_string(),
                "tick": s.tick,
            })
        })
        .collect();
    Ok(Json(json!({
        "pool": id,
        "block": head,
        "swaps": list,
        "next_cursor": next.map(|c| crate::cursor::encode(&c)),
    })))
}

#[derive(serde::Deserialize)]
pub(crate) struct QuoteQuery {
    zero_for_one: Option<bool>,
    amount: Option<String>,
}

/// A swap's outcome at the head, nothing kept: amounts in and out, the price after, the ticks
/// crossed and the fee paid.
pub(crate) async fn pool_quote(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<QuoteQuery>,
) -> ApiResult<Json<Value>> {
    let id = parse_pool_id(&id)?;
    let zero_for_one = q.zero_for_one.ok_or_else(|| {
        ApiError::bad_request("api.missing_direction", "give zero_for_one=true or false")
    })?;
    let text = q.amount.unwrap_or_default();
    let amount: alloy_primitives::I256 = text.parse().map_err(|_| {
        ApiError::bad_request(
            "api.bad_amount",
            format!(
                "amount is a decimal number of base units (positive: exact input, negative: \
                 exact output), not {}",
                echo(&text)
            ),
        )
    })?;
    let c = state.node.committed();
    let view = hoard_core::facets::pools::view(c.engine.state(), id).ok_or_else(|| no_pool(id))?;
    let limit = if zero_for_one {
        hoard_clmm::math::tick_math::MIN_SQRT_RATIO + U256::ONE
    } else {
        hoard_clmm::math::tick_math::MAX_SQRT_RATIO - U256::ONE
    };
    let r = view.quote(zero_for_one, amount, limit, c.head.time_s as u32).map_err(|e| {
        ApiError::bad_request("pools.refused", format!("pool {id} refuses this swap: {e}"))
    })?;
    Ok(Json(json!({
        "pool": id,
        "zero_for_one": zero_for_one,
        "amount0": r.amount0.to_string(),
        "amount1": r.amount1.to_string(),
        "sqrt_price_x96_after": u256_str(r.sqrt_price_x96),
        "tick_after": r.tick,
        "ticks_crossed": r.ticks_crossed,
        "fee_amount": u256_str(r.fee_amount),
        "block": c.head.height,
    })))
}

pub(crate) async fn assets(State(state): State<AppState>) -> Json<Value> {
    let c = state.node.committed();
    let e = &c.engine;
    let list: Vec<Value> = e
        .assets()
        .into_iter()
        .map(|(token, asset, supply)| {
            json!({
                "address": token, "symbol": asset.symbol, "decimals": asset.decimals,
                "total_supply": u256_str(supply.total),
                "total_supply_display": crate::display::units(supply.total, asset.decimals, &asset.symbol),
                "faucet": e.state().contains(&hoard_core::facets::token::state::FAUCETS, &token),
            })
        })
        .collect();
    Json(json!({ "assets": list, "block": c.head.height }))
}

pub(crate) async fn tokens(State(state): State<AppState>) -> Json<Value> {
    let c = state.node.committed();
    let e = &c.engine;
    let g = e.icy_params();
    let (version, excluded) = e.excluded_accounts();
    let minters: Vec<Value> = e
        .minters()
        .iter()
        .map(|(m, a)| {
            json!({ "account": m, "allowance": u256_str(*a), "allowance_display": amount(*a, "ICY") })
        })
        .collect();
    let escrow = e.addresses().vesting_escrow;
    let paused = e.paused_until() > crate::unix_now_s().max(c.head.time_s);
    let (icy_supply, circulating, burned, room) = (
        e.total_supply(TokenId::Icy),
        e.circulating_supply(),
        e.total_burned(),
        e.inflation_room(c.head.time_s),
    );
    let (dfg_supply, delegated, escrow_balance) =
        (e.total_supply(TokenId::Dfg), e.total_delegated(), e.balance_of(TokenId::Dfg, &escrow));
    Json(json!({
        "block": c.head.height,
        "icy": {
            "address": e.addresses().icy, "decimals": 18, "symbol": "ICY",
            "total_supply": u256_str(icy_supply),
            "total_supply_display": amount(icy_supply, "ICY"),
            "circulating_supply": u256_str(circulating),
            "circulating_supply_display": amount(circulating, "ICY"),
            "total_burned": u256_str(burned),
            "total_burned_display": amount(burned, "ICY"),
            "max_supply": u256_str(g.max_supply),
            "max_supply_display": amount(g.max_supply, "ICY"),
            "inflation_bps": g.inflation_bps,
            "transfer_burn_bps": g.transfer_burn_bps,
            "mintable_this_year": u256_str(room),
            "mintable_this_year_display": amount(room, "ICY"),
            "excluded": { "version": version, "accounts": excluded },
            "minters": minters,
            "paused_until": e.paused_until(),
            "paused_until_iso": (e.paused_until() != 0).then(|| iso_time(e.paused_until())),
            "paused": paused,
        },
        "dfg": {
            "address": e.addresses().dfg, "decimals": 18, "symbol": "DFG",
            "total_supply": u256_str(dfg_supply),
            "total_supply_display": amount(dfg_supply, "DFG"),
            "delegated_votes": u256_str(delegated),
            "delegated_votes_display": amount(delegated, "DFG"),
            "vesting_escrow": escrow,
            "escrow_balance": u256_str(escrow_balance),
            "escrow_balance_display": amount(escrow_balance, "DFG"),
        },
    }))
}

#[derive(serde::Deserialize)]
pub(crate) struct HoldersQuery {
    after: Option<String>,
    limit: Option<usize>,
}

/// A token's top holders, from the ranking of the committed head ([`crate::holders`]).
pub(crate) async fn token_holders(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ApiQuery(q): ApiQuery<HoldersQuery>,
) -> ApiResult<Json<Value>> {
    let token = holders::parse_token(&token).ok_or_else(|| {
        ApiError::not_found(format!("no token {}; the tokens are icy and dfg", echo(&token)))
    })?;
    let after = q
        .after
        .as_deref()
        .map(|a| {
            holders::parse_cursor(a).ok_or_else(|| {
                ApiError::bad_request(
                    "api.bad_cursor",
                    format!("after must be <balance in base units>:<0x address>, not {}", echo(a)),
                )
            })
        })
        .transpose()?;
    let limit = q.limit.unwrap_or(PAGE_DEFAULT).clamp(1, PAGE_MAX);
    let cache = state.holders.clone();
    let node = state.node.clone();
    let rankings =
        tokio::task::spawn_blocking(move || cache.get(&node)).await.map_err(ApiError::internal)?;
    let ranking = rankings.of(token);
    let symbol = holders::symbol(token);
    let start = ranking.start_after(after.as_ref());
    let rest = ranking.top.get(start..).unwrap_or_default();
    let page = &rest[..rest.len().min(limit)];
    let list: Vec<Value> = page
        .iter()
        .enumerate()
        .map(|(i, h)| {
            json!({
                "rank": start + i + 1,
                "address": h.address,
                "balance": u256_str(h.balance),
                "balance_display": amount(h.balance, symbol),
                "share": crate::display::percent(h.balance, ranking.supply),
            })
        })
        .collect();
    let next = (rest.len() > page.len()).then(|| page.last().map(holders::cursor_text)).flatten();
    Ok(Json(json!({
        "token": symbol,
        "block": rankings.height,
        "total_supply": u256_str(ranking.supply),
        "total_supply_display": amount(ranking.supply, symbol),
        "holders": ranking.holders,
        "ranked": ranking.top.len(),
        "ranked_max": holders::HOLDERS_RANKED_MAX,
        "top": list,
        "next_after": next,
    })))
}

/// `GET /v1`: what the API serves, one line per route, and where its OpenAPI document is.
pub(crate) async fn index(State(state): State<AppState>) -> Json<Value> {
    let routes: Vec<Value> = crate::openapi::ENDPOINTS
        .iter()
        .map(|e| json!({ "method": e.method.as_str().to_ascii_uppercase(), "path": e.path, "summary": e.summary }))
        .collect();
    Json(json!({
        "name": "Hoard node API",
        "version": env!("CARGO_PKG_VERSION"),
        "chain_id": state.node.chain_id(),
        "openapi": "/v1/openapi.json",
        "dashboard": "/",
        "amounts": "decimal strings of base units (18 decimals); *_display fields give whole tokens with the symbol",
        "errors": "{\"error\": {\"code\", \"message\"}}",
        "routes": routes,
    }))
}

#[derive(serde::Deserialize)]
pub(crate) struct PageQuery {
    before: Option<u64>,
    limit: Option<usize>,
}

fn stored_header(rec: &hoard_store::BlockRecord) -> ApiResult<Header> {
    Header::decode(&rec.header).map_err(ApiError::internal)
}

pub(crate) async fn blocks(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<Value>> {
    // The store returns at most RECENT_BLOCKS_MAX blocks: a larger page would look complete.
    let limit =
        q.limit.unwrap_or(PAGE_DEFAULT).clamp(1, PAGE_MAX.min(hoard_store::RECENT_BLOCKS_MAX));
    let store = state.node.store().clone();
    let recs = tokio::task::spawn_blocking(move || store.recent_blocks(q.before, limit))
        .await
        .map_err(ApiError::internal)??;
    let mut out = Vec::with_capacity(recs.len());
    for r in &recs {
        out.push(header_json(&stored_header(r)?, B256::from(r.hash)));
    }
    let next = if recs.len() == limit { recs.last().map(|r| r.height) } else { None };
    Ok(Json(json!({ "blocks": out, "next_before": next })))
}

pub(crate) async fn block(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let store = state.node.store().clone();
    let rec = if id.starts_with("0x") {
        let h = parse_b256(&id, "block hash")?;
        tokio::task::spawn_blocking(move || store.block_by_hash(&h.0))
            .await
            .map_err(ApiError::internal)??
    } else {
        let height: u64 = id.parse().map_err(|_| {
            ApiError::bad_request(
                "api.bad_block_id",
                format!("{} is neither a height nor a 0x block hash", echo(&id)),
            )
        })?;
        tokio::task::spawn_blocking(move || store.block(height))
            .await
            .map_err(ApiError::internal)??
    };
    let rec = rec.ok_or_else(|| ApiError::not_found(format!("block {id} not found")))?;
    let header = stored_header(&rec)?;
    let store = state.node.store().clone();
    let height = rec.height;
    let txs = tokio::task::spawn_blocking(move || store.txs_in_block(height))
        .await
        .map_err(ApiError::internal)??;
    let mut v = header_json(&header, B256::from(rec.hash));
    v["transactions"] = txs
        .iter()
        .map(|t| json!({ "hash": B256::from(t.hash), "index": t.index, "sender": Address::from(t.sender), "success": t.success, "code": t.code }))
        .collect();
    Ok(Json(v))
}

pub(crate) async fn tx(
    State(state): State<AppState>,
    Path(hash): Path<String>,
) -> ApiResult<Json<Value>> {
    let h = parse_b256(&hash, "transaction hash")?;
    let store = state.node.store().clone();
    // The command is read from its block only for a rejection, whose message may name amounts.
    let found = tokio::task::spawn_blocking(move || -> Result<_, hoard_store::StoreError> {
        let Some(rec) = store.tx(&h.0)? else { return Ok(None) };
        let receipt = Receipt::decode(&rec.receipt);
        let command = match &receipt {
            Ok(r) if !r.success() => store
                .block(rec.height)?
                .and_then(|b| decode_body(&b.body).ok())
                .and_then(|txs| txs.into_iter().nth(rec.index as usize))
                .filter(|t| t.hash == h)
                .map(|t| t.command),
            _ => None,
        };
        Ok(Some((rec, receipt, command)))
    })
    .await
    .map_err(ApiError::internal)??;
    let (rec, receipt, command) =
        found.ok_or_else(|| ApiError::not_found(format!("transaction {hash} not found")))?;
    let receipt = receipt.map_err(ApiError::internal)?;
    let symbol = command.as_ref().and_then(|c| symbol_of(&state, c));
    Ok(Json(
        json!({ "hash": h, "height": rec.height, "index": rec.index, "receipt": receipt_json(&receipt, symbol) }),
    ))
}

#[derive(serde::Deserialize)]
pub(crate) struct EventsQuery {
    address: Option<String>,
    topic0: Option<String>,
    topic1: Option<String>,
    topic2: Option<String>,
    topic3: Option<String>,
    account: Option<String>,
    from_height: Option<u64>,
    to_height: Option<u64>,
    cursor: Option<String>,
    limit: Option<usize>,
    order: Option<String>,
}

fn list<T>(s: &Option<String>, parse: impl Fn(&str) -> ApiResult<T>) -> ApiResult<Option<Vec<T>>> {
    match s {
        None => Ok(None),
        Some(s) => {
            let items: Vec<&str> = s.split(',').filter(|x| !x.is_empty()).collect();
            if items.len() > hoard_store::FILTER_SET_MAX {
                return Err(ApiError::bad_request(
                    "api.filter_too_large",
                    format!("at most {} values per filter", hoard_store::FILTER_SET_MAX),
                ));
            }
            items.into_iter().map(parse).collect::<ApiResult<Vec<T>>>().map(Some)
        }
    }
}

pub(crate) async fn events(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<EventsQuery>,
) -> ApiResult<Json<Value>> {
    let topic = |s: &str| parse_b256(s, "topic").map(|b| b.0);
    let filter = hoard_store::EventFilter {
        from_height: q.from_height,
        to_height: q.to_height,
        addresses: list(&q.address, |s| parse_address("address", s).map(|a| a.0.0))?
            .unwrap_or_default(),
        topics: [
            list(&q.topic0, topic)?,
            list(&q.topic1, topic)?,
            list(&q.topic2, topic)?,
            list(&q.topic3, topic)?,
        ],
        account: q
            .account
            .as_deref()
            .map(|s| parse_address("account", s))
            .transpose()?
            .map(|a| a.0.0),
    };
    let cursor = q.cursor.as_deref().map(crate::cursor::decode).transpose()?;
    let descending = match q.order.as_deref() {
        None | Some("asc") => false,
        Some("desc") => true,
        Some(o) => {
            return Err(ApiError::bad_request(
                "api.bad_order",
                format!("order must be asc or desc, not {}", echo(o)),
            ));
        }
    };
    let limit = q.limit.unwrap_or(PAGE_DEFAULT).clamp(1, PAGE_MAX);
    let store = state.node.store().clone();
    let (evs, next) =
        tokio::task::spawn_blocking(move || store.events(&filter, cursor, descending, limit))
            .await
            .map_err(ApiError::internal)??;
    let out: Vec<Value> = evs
        .iter()
        .map(|e| {
            let log = Log {
                address: Address::from(e.address),
                topics: e.topics.iter().map(|t| B256::from(*t)).collect(),
                data: e.data.clone(),
            };
            let mut v = log_json(&log);
            v["height"] = json!(e.height);
            v["tx_index"] = json!(e.tx_index);
            v["log_index"] = json!(e.log_index);
            v["tx_hash"] = json!(B256::from(e.tx_hash));
            v
        })
        .collect();
    Ok(Json(json!({ "events": out, "next_cursor": next.map(|c| crate::cursor::encode(&c)) })))
}

fn facet_json(address: Address, selectors: &[[u8; 4]]) -> Value {
    let implementation = diamond::facet_at(&address);
    let sels: Vec<Value> = selectors
        .iter()
        .map(|s| {
            let signature = implementation.and_then(|f| {
                f.functions.iter().find(|sig| hoard_core::command::selector(sig) == *s)
            });
            json!({ "selector": hex::encode_prefixed(s), "signature": signature })
        })
        .collect();
    json!({
        "address": address,
        "name": implementation.map(|f| f.name),
        "version": implementation.map(|f| f.version),
        "selectors": sels,
    })
}

pub(crate) async fn facets(State(state): State<AppState>) -> Json<Value> {
    let c = state.node.committed();
    let list: Vec<Value> = c.engine.facets().iter().map(|(a, s)| facet_json(*a, s)).collect();
    let pending: Vec<Value> = c
        .engine
        .pending_cuts()
        .iter()
        .map(|(id, cut)| json!({ "id": id, "eta": cut.eta, "proposer": cut.proposer, "entries": cut.cuts.len() }))
        .collect();
    Json(
        json!({ "facets": list, "facet_addresses": c.engine.facets().iter().map(|(a, _)| *a).collect::<Vec<_>>(), "pending_cuts": pending }),
    )
}

pub(crate) async fn facet(
    State(state): State<AppState>,
    Path(address): Path<String>,
) -> ApiResult<Json<Value>> {
    let a = parse_address("the address in the path", &address)?;
    let c = state.node.committed();
    let sels = c
        .engine
        .facets()
        .into_iter()
        .find(|(f, _)| *f == a)
        .map(|(_, s)| s)
        .ok_or_else(|| ApiError::not_found(format!("no facet at {a}")))?;
    Ok(Json(facet_json(a, &sels)))
}

pub(crate) async fn facet_of_selector(
    State(state): State<AppState>,
    Path(selector): Path<String>,
) -> ApiResult<Json<Value>> {
    let bytes = hex::decode(&selector)
        .ok()
        .filter(|b| b.len() == 4)
        .ok_or_else(|| ApiError::bad_request("api.bad_selector", "a selector is 4 bytes of hex"))?;
    let sel = [bytes[0], bytes[1], bytes[2], bytes[3]];
    let c = state.node.committed();
    let facet = c.engine.facet_address(&sel);
    Ok(Json(json!({ "selector": hex::encode_prefixed(sel), "facet": facet })))
}

pub(crate) async fn eip712_types(State(state): State<AppState>) -> Json<Value> {
    let mut types = serde_json::Map::new();
    types.insert(
        "EIP712Domain".into(),
        json!([
            {"name": "name", "type": "string"}, {"name": "version", "type": "string"},
            {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"},
        ]),
    );
    let mut commands = Vec::new();
    // System commands are made by the node only: not for clients to sign.
    for info in COMMANDS.iter().filter(|c| !c.is_system()) {
        let encoded = Command::encode_type(info.name).unwrap_or_default();
        for def in type_defs(info.name).unwrap_or_default() {
            types.insert(def.name.clone(), json!(def.fields));
        }
        commands.push(json!({
            "type": info.name, "type_id": info.type_id, "selector": hex::encode_prefixed(info.selector()),
            "signature": info.signature, "facet": hoard_core::facets::registry::facet(info.facet).map(|f| f.name()), "encode_type": encoded,
        }));
    }
    Json(json!({
        "domain": { "name": "Hoard", "version": "1", "chainId": state.node.chain_id(), "verifyingContract": state.node.addresses().diamond },
        "types": types,
        "commands": commands,
        "roles": roles::ALL.iter().map(|r| json!({ "name": r.0, "id": r.id() })).collect::<Vec<_>>(),
    }))
}

#[derive(serde::Deserialize)]
pub(crate) struct ProofQuery {
    token: Option<String>,
    height: Option<u64>,
}

pub(crate) async fn balance_proof(
    State(state): State<AppState>,
    Path(address): Path<String>,
    ApiQuery(q): ApiQuery<ProofQuery>,
) -> ApiResult<Json<Value>> {
    let a = parse_address("the address in the path", &address)?;
    let name = q.token.as_deref().unwrap_or("icy");
    let token = holders::parse_token(name).ok_or_else(|| {
        ApiError::bad_request(
            "api.bad_token",
            format!("token must be icy or dfg, not {}", echo(name)),
        )
    })?;
    let (head, chain_id, diamond) = {
        let c = state.node.committed();
        (c.head, c.engine.chain_id(), c.engine.addresses().diamond)
    };
    // At the head, from the committed replica; at a past block, from that block's snapshot
    // while the node keeps it (the commitment is rebuilt from the snapshot's entries).
    // A height of the head is the head.
    let past = q.height.filter(|h| *h != head.height);
    let (height, hash, root, proof, balance, token_address) = match past {
        None => {
            let c = state.node.committed();
            let token_address = token.address(c.engine.addresses());
            (
                c.head.height,
                c.head.hash,
                c.head.state_root,
                c.engine.prove_balance_or_zero(&token_address, &a),
                c.engine.balance_of(token, &a),
                token_address,
            )
        }
        Some(h) => {
            let store = state.node.store().clone();
            let found = tokio::task::spawn_blocking(move || {
                let snapshot = store.snapshot(h)?;
                let heights = store.snapshot_heights()?;
                let block = store.block(h)?;
                Ok::<_, hoard_store::StoreError>((snapshot, heights, block))
            })
            .await
            .map_err(ApiError::internal)??;
            let (Some(snapshot), _, Some(block)) = found else {
                let kept: Vec<String> = found.1.iter().map(u64::to_string).collect();
                return Err(ApiError::not_found(format!(
                    "no snapshot of block {h} is kept, so its state cannot be proved; proofs \
                     are served at the head ({}) and at the blocks whose snapshots are kept: {}",
                    head.height,
                    if kept.is_empty() { "none".to_string() } else { kept.join(", ") }
                )));
            };
            let engine = tokio::task::spawn_blocking(move || {
                hoard_core::state::State::decode_snapshot(&snapshot.bytes)
                    .map(|s| hoard_core::Engine::new(chain_id, diamond, s))
            })
            .await
            .map_err(ApiError::internal)?
            .map_err(ApiError::internal)?;
            let header = stored_header(&block)?;
            if engine.state_root() != header.state_root {
                return Err(ApiError::internal("a kept snapshot does not match its block"));
            }
            let token_address = token.address(engine.addresses());
            (
                h,
                B256::from(block.hash),
                header.state_root,
                engine.prove_balance_or_zero(&token_address, &a),
                engine.balance_of(token, &a),
                token_address,
            )
        }
    };
    Ok(Json(json!({
        "address": a,
        "token": token.symbol(),
        "token_address": token_address,
        "balance": u256_str(balance),
        "balance_display": amount(balance, token.symbol()),
        "present": !balance.is_zero(),
        "block": { "height": height, "hash": hash, "state_root": root },
        "proof": proof,
        "verification": "key = 0x01 || 0x00 || token_address || address (the token facet's balances table); key_hash = keccak256(key). \
    A non-zero balance is an inclusion proof: proof.leaf must be {key_hash, value_hash = keccak256(balance as 32 bytes big-endian)}; start from h = keccak256(0x00 || key_hash || value_hash). \
    A zero balance is stored as nothing and proved absent: proof.leaf is null (start from h = 0) or another entry's leaf whose key_hash has the same first len(siblings) bits (start from h = keccak256(0x00 || its key_hash || its value_hash)). \
    Then for i from len(siblings)-1 down to 0: if bit i of key_hash (most significant bit first) is 1, h = keccak256(0x01 || siblings[i] || h), else h = keccak256(0x01 || h || siblings[i]). The result must equal state_root.",
    })))
}
