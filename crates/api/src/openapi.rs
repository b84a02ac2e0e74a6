//! The API's one table of endpoints ([`ENDPOINTS`]): each entry is a route of the router (its
//! handler, [`crate::v1::routes`] is built from the table) and its documentation (summary,
//! parameters, request body, responses with their JSON schemas). [`document`] turns the table
//! into the OpenAPI 3.1 document and `GET /v1` into its index, so that the router, the
//! document and the index cannot drift apart. A test checks every documented route against the
//! router and every JSON answer against its documented schema.

use axum::routing::{MethodRouter, get, post};
use serde_json::{Map, Value, json};

use crate::{AppState, sse, v1};

/// An HTTP method of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// GET.
    Get,
    /// POST.
    Post,
}

impl Method {
    /// The lower-case name, as OpenAPI keys operations.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "get",
            Method::Post => "post",
        }
    }
}

/// Where a parameter goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum In {
    /// A `{name}` segment of the path.
    Path,
    /// The query string.
    Query,
    /// A request header.
    Header,
}

/// One parameter.
pub struct Param {
    /// Name.
    pub name: &'static str,
    /// Where it goes.
    pub location: In,
    /// What it means.
    pub description: &'static str,
    /// Its JSON schema.
    pub schema: fn() -> Value,
}

/// What a response's body is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Media {
    /// `application/json`.
    Json,
    /// `text/plain` (Prometheus metrics).
    Text,
    /// `text/event-stream`.
    EventStream,
}

impl Media {
    fn as_str(self) -> &'static str {
        match self {
            Media::Json => "application/json",
            Media::Text => "text/plain",
            Media::EventStream => "text/event-stream",
        }
    }
}

/// One documented response (errors with the plain `Error` body are listed in
/// [`Endpoint::errors`] instead).
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// When it is answered.
    pub description: &'static str,
    /// The body's type.
    pub media: Media,
    /// The body's JSON schema.
    pub schema: fn() -> Value,
}

/// A JSON schema, built when the document is.
pub type Schema = fn() -> Value;

/// One endpoint: a route and its documentation.
pub struct Endpoint {
    /// HTTP method.
    pub method: Method,
    /// Path with `{param}` segments.
    pub path: &'static str,
    /// One-line summary.
    pub summary: &'static str,
    /// Path, query and header parameters.
    pub params: &'static [Param],
    /// Request body: description and schema.
    pub body: Option<(&'static str, Schema)>,
    /// Responses other than plain errors.
    pub replies: &'static [Reply],
    /// Statuses answered with the plain `Error` body, besides 408 and 500 (every endpoint) and
    /// 429 (every endpoint under the rate limit).
    pub errors: &'static [u16],
    /// The route's handler.
    pub route: fn() -> MethodRouter<AppState>,
}

// ----- schemas -----

fn r(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}
fn int() -> Value {
    json!({ "type": "integer", "minimum": 0 })
}
fn boolean() -> Value {
    json!({ "type": "boolean" })
}
fn text(description: &str) -> Value {
    json!({ "type": "string", "description": description })
}
fn string() -> Value {
    json!({ "type": "string" })
}
fn hash() -> Value {
    json!({ "type": "string", "pattern": "^0x[0-9a-f]{64}$", "description": "32 bytes, 0x hex" })
}
fn address() -> Value {
    json!({ "type": "string", "pattern": "^0x[0-9a-fA-F]{40}$", "description": "20 bytes, 0x hex (EIP-55)" })
}
fn hex_bytes() -> Value {
    json!({ "type": "string", "pattern": "^0x([0-9a-f]{2})*$", "description": "bytes, 0x hex" })
}
fn units() -> Value {
    json!({ "type": "string", "pattern": "^[0-9]+$", "description": "decimal base units (18 decimals), exact" })
}
fn display() -> Value {
    text("whole tokens with the symbol, exact, for people: \"12.5 ICY\"")
}
fn iso() -> Value {
    text("UTC ISO 8601, for people: \"2026-11-21T08:34:37Z\"")
}
fn nullable(v: Value) -> Value {
    json!({ "anyOf": [v, { "type": "null" }] })
}
fn array(items: Value) -> Value {
    json!({ "type": "array", "items": items })
}
fn constant(value: &str) -> Value {
    json!({ "type": "string", "const": value })
}
/// An object whose every listed property is present (possibly null) and no other.
fn object(props: &[(&str, Value)]) -> Value {
    let mut properties = Map::new();
    for (name, schema) in props {
        properties.insert((*name).to_string(), schema.clone());
    }
    let required: Vec<&str> = props.iter().map(|(n, _)| *n).collect();
    json!({ "type": "object", "properties": properties, "required": required, "additionalProperties": false })
}
/// `object` with further properties that are present only sometimes.
fn with_optional(mut object: Value, props: &[(&str, Value)]) -> Value {
    for (name, schema) in props {
        object["properties"][*name] = schema.clone();
    }
    object
}
fn message_display() -> Value {
    text(
        "the rejection message with amounts in whole tokens and times in ISO 8601; only for rejections whose numbers are amounts or times",
    )
}
fn error_body() -> Value {
    object(&[(
        "error",
        object(&[("code", text("stable machine-readable code")), ("message", text("for people"))]),
    )])
}
fn header_fields() -> Vec<(&'static str, Value)> {
    vec![
        ("height", int()),
        ("hash", hash()),
        ("parent_hash", hash()),
        ("time_s", int()),
        ("time_iso", iso()),
        ("tx_count", int()),
        ("tx_root", hash()),
        ("receipts_root", hash()),
        ("state_root", hash()),
        ("chain_id", int()),
    ]
}
fn log_fields() -> Vec<(&'static str, Value)> {
    vec![
        ("address", address()),
        ("name", nullable(text("the event's name when it is one of the protocol's"))),
        ("topics", array(hash())),
        ("data", hex_bytes()),
    ]
}
fn receipt() -> Value {
    let fields = object(&[
        ("tx_hash", hash()),
        ("sender", address()),
        ("command", text("EIP-712 primary type")),
        ("success", boolean()),
        ("code", nullable(text("rejection code"))),
        (
            "message",
            nullable(text("rejection message (amounts in base units, times in unix seconds)")),
        ),
        ("logs", array(r("Log"))),
    ]);
    with_optional(fields, &[("message_display", message_display())])
}
fn committed_fields() -> Vec<(&'static str, Value)> {
    vec![
        ("hash", hash()),
        ("status", constant("committed")),
        ("height", int()),
        ("index", int()),
        ("receipt", r("Receipt")),
    ]
}
fn rejected() -> Value {
    let mut fields = committed_fields();
    fields.push(("error", r("ErrorDetail")));
    object(&fields)
}
fn refused() -> Value {
    object(&[("hash", hash()), ("status", constant("refused")), ("error", r("ErrorDetail"))])
}
fn failed() -> Value {
    object(&[("hash", hash()), ("status", constant("failed")), ("error", r("ErrorDetail"))])
}
fn command_body() -> Value {
    json!({
        "type": "object",
        "required": ["type", "message"],
        "properties": {
            "type": text("EIP-712 primary type (GET /v1/eip712/types lists them)"),
            "message": { "type": "object", "description": "the typed-data message; integers as numbers, decimal or 0x hex strings" },
            "signature": text("0x hex of 65 bytes r||s||v or 64 bytes EIP-2098 r||yParityAndS"),
            "chainId": { "description": "a JSON number, a decimal string or a 0x hex string; refused when not this chain" },
            "verifyingContract": address(),
            "from": address(),
        },
    })
}
fn vesting() -> Value {
    object(&[
        ("id", int()),
        ("amount", units()),
        ("amount_display", display()),
        ("start", int()),
        ("start_iso", iso()),
        ("cliff_s", int()),
        ("cliff_iso", iso()),
        ("duration_s", int()),
        ("end_iso", iso()),
        ("released", units()),
        ("released_display", display()),
        ("vested", units()),
        ("vested_display", display()),
        ("releasable", units()),
        ("releasable_display", display()),
    ])
}
fn account() -> Value {
    object(&[
        ("address", address()),
        ("nonce", int()),
        ("icy", units()),
        ("icy_display", display()),
        ("dfg", units()),
        ("dfg_display", display()),
        ("delegate", nullable(address())),
        ("votes", units()),
        ("votes_display", display()),
        ("vesting", array(vesting())),
        ("roles", array(string())),
        ("is_minter", boolean()),
        (
            "assets",
            array(object(&[
                ("address", address()),
                ("symbol", string()),
                ("decimals", int()),
                ("balance", units()),
                ("balance_display", display()),
            ])),
        ),
        ("block", int()),
    ])
}
fn pools() -> Value {
    object(&[
        (
            "pools",
            array(object(&[
                ("id", int()),
                ("address", address()),
                ("token0", address()),
                ("symbol0", string()),
                ("decimals0", int()),
                ("token1", address()),
                ("symbol1", string()),
                ("decimals1", int()),
                ("flavour", text("uniswap_v3, pancake_v3, algebra_integral or uniswap_v4")),
                ("fee", text_int("the current fee in pips (millionths): 3000 is 0.3 %")),
                ("tick_spacing", int()),
                ("sqrt_price_x96", units()),
                ("tick", signed_int()),
                ("price", price()),
                ("price_inverse", text("token0 per token1 in whole tokens, as price")),
                ("liquidity", units()),
                ("balance0", text_units("token0 held by the pool, base units")),
                ("balance1", text_units("token1 held by the pool, base units")),
                ("balance0_display", text("balance0 in whole tokens with the symbol")),
                ("balance1_display", text("balance1 in whole tokens with the symbol")),
            ])),
        ),
        ("block", int()),
    ])
}
fn signed_int() -> Value {
    json!({ "type": "integer" })
}
fn text_int(description: &str) -> Value {
    json!({ "type": "integer", "minimum": 0, "description": description })
}
fn text_units(description: &str) -> Value {
    json!({ "type": "string", "pattern": "^[0-9]+$", "description": description })
}
fn signed_units(description: &str) -> Value {
    text(description)
}
fn price() -> Value {
    text(
        "token1 per token0 in whole tokens (decimals applied), for people: 8 significant digits, truncated, from sqrtPriceX96 in integers",
    )
}
fn observe() -> Value {
    object(&[
        ("pool", int()),
        ("block", int()),
        ("time_s", text_int("the head block's time: the observation time (uint32 of it)")),
        ("seconds_agos", array(int())),
        (
            "tick_cumulatives",
            array(signed_units("tickCumulatives[i] (int56, decimal, may be negative)")),
        ),
        (
            "seconds_per_liquidity_cumulative_x128s",
            array(text_units("secondsPerLiquidityCumulativeX128s[i] (uint160, decimal)")),
        ),
        ("observation_cardinality", text_int("observations the ring holds")),
        ("observation_cardinality_next", text_int("what the ring grows to once it wraps")),
        (
            "seconds_ago_max",
            text_int("the largest secondsAgo answered now (the oldest observation's age)"),
        ),
    ])
}
fn ticks() -> Value {
    object(&[
        ("pool", int()),
        ("block", int()),
        ("tick", signed_int()),
        ("tick_spacing", int()),
        ("sqrt_price_x96", units()),
        ("price", price()),
        ("liquidity", text_units("the in-range liquidity")),
        ("window_lower", signed_int()),
        ("window_upper", signed_int()),
        ("liquidity_below", text_units("the active liquidity below the first tick listed")),
        (
            "ticks",
            array(object(&[
                ("tick", signed_int()),
                ("price", price()),
                ("liquidity_net", signed_units("liquidityNet (int128, decimal)")),
                ("liquidity_gross", text_units("liquidityGross")),
                (
                    "liquidity_active",
                    text_units("the active liquidity from this tick up to the next one listed"),
                ),
            ])),
        ),
        ("more_below", boolean()),
        ("more_above", boolean()),
    ])
}
fn swaps() -> Value {
    object(&[
        ("pool", int()),
        ("block", int()),
        (
            "swaps",
            array(object(&[
                ("height", int()),
                ("tx_index", int()),
                ("log_index", int()),
                ("tx_hash", hash()),
                ("time_s", int()),
                ("time_iso", iso()),
                ("sender", address()),
                ("recipient", address()),
                ("amount0", signed_units("token0 into the pool, base units (negative: out)")),
                ("amount1", signed_units("token1 into the pool, base units (negative: out)")),
                ("amount0_display", text("amount0 in whole tokens with the symbol")),
                ("amount1_display", text("amount1 in whole tokens with the symbol")),
                ("sqrt_price_x96", units()),
                ("price", price()),
                ("liquidity", text_units("the in-range liquidity after")),
                ("tick", signed_int()),
            ])),
        ),
        ("next_cursor", nullable(text("the cursor of the next (older) page"))),
    ])
}
fn assets() -> Value {
    object(&[
        (
            "assets",
            array(object(&[
                ("address", address()),
                ("symbol", string()),
                ("decimals", int()),
                ("total_supply", units()),
                ("total_supply_display", display()),
                ("faucet", boolean()),
            ])),
        ),
        ("block", int()),
    ])
}
fn tokens() -> Value {
    let icy = object(&[
        ("address", address()),
        ("decimals", int()),
        ("symbol", constant("ICY")),
        ("total_supply", units()),
        ("total_supply_display", display()),
        ("circulating_supply", units()),
        ("circulating_supply_display", display()),
        ("total_burned", units()),
        ("total_burned_display", display()),
        ("max_supply", units()),
        ("max_supply_display", display()),
        ("inflation_bps", int()),
        ("transfer_burn_bps", int()),
        ("mintable_this_year", units()),
        ("mintable_this_year_display", display()),
        ("excluded", object(&[("version", int()), ("accounts", array(address()))])),
        (
            "minters",
            array(object(&[
                ("account", address()),
                ("allowance", units()),
                ("allowance_display", display()),
            ])),
        ),
        ("paused_until", int()),
        ("paused_until_iso", nullable(iso())),
        ("paused", boolean()),
    ]);
    let dfg = object(&[
        ("address", address()),
        ("decimals", int()),
        ("symbol", constant("DFG")),
        ("total_supply", units()),
        ("total_supply_display", display()),
        ("delegated_votes", units()),
        ("delegated_votes_display", display()),
        ("vesting_escrow", address()),
        ("escrow_balance", units()),
        ("escrow_balance_display", display()),
    ]);
    object(&[("block", int()), ("icy", icy), ("dfg", dfg)])
}
fn holders() -> Value {
    object(&[
        ("token", text("ICY or DFG")),
        ("block", int()),
        ("total_supply", units()),
        ("total_supply_display", display()),
        ("holders", int()),
        ("ranked", int()),
        ("ranked_max", int()),
        (
            "top",
            array(object(&[
                ("rank", int()),
                ("address", address()),
                ("balance", units()),
                ("balance_display", display()),
                ("share", text("share of the total supply, two decimals, truncated: \"60.00 %\"")),
            ])),
        ),
        ("next_after", nullable(text("the after= of the next page"))),
    ])
}
fn facet() -> Value {
    object(&[
        ("address", address()),
        ("name", nullable(string())),
        ("version", nullable(int())),
        (
            "selectors",
            array(object(&[("selector", hex_bytes()), ("signature", nullable(string()))])),
        ),
    ])
}
fn facets() -> Value {
    object(&[
        ("facets", array(r("Facet"))),
        ("facet_addresses", array(address())),
        (
            "pending_cuts",
            array(object(&[
                ("id", int()),
                ("eta", int()),
                ("proposer", address()),
                ("entries", int()),
            ])),
        ),
    ])
}
fn eip712() -> Value {
    let field = object(&[("name", string()), ("type", string())]);
    object(&[
        (
            "domain",
            object(&[
                ("name", constant("Hoard")),
                ("version", constant("1")),
                ("chainId", int()),
                ("verifyingContract", address()),
            ]),
        ),
        ("types", json!({ "type": "object", "additionalProperties": array(field) })),
        (
            "commands",
            array(object(&[
                ("type", string()),
                ("type_id", int()),
                ("selector", hex_bytes()),
                ("signature", string()),
                ("facet", text("the name of the facet that declares and executes it: \"token\"")),
                ("encode_type", string()),
            ])),
        ),
        ("roles", array(object(&[("name", string()), ("id", hash())]))),
    ])
}
fn proof() -> Value {
    object(&[
        ("address", address()),
        ("token", text("ICY or DFG")),
        ("token_address", address()),
        ("balance", units()),
        ("balance_display", display()),
        ("block", object(&[("height", int()), ("hash", hash()), ("state_root", hash())])),
        ("present", boolean()),
        (
            "proof",
            object(&[
                ("siblings", array(hash())),
                ("leaf", nullable(object(&[("key_hash", hash()), ("value_hash", hash())]))),
            ]),
        ),
        ("verification", text("how to check the proof with keccak alone")),
    ])
}
fn chain() -> Value {
    object(&[
        ("chain_id", int()),
        ("genesis_hash", hash()),
        ("diamond", address()),
        ("icy", address()),
        ("dfg", address()),
        ("vesting_escrow", address()),
        ("governance", address()),
        ("governance_steward", nullable(address())),
        (
            "head",
            object(&[
                ("height", int()),
                ("hash", hash()),
                ("time_s", int()),
                ("time_iso", iso()),
                ("state_root", hash()),
            ]),
        ),
    ])
}
fn health() -> Value {
    object(&[
        ("status", text("ok, sequencer stopped, or database damaged")),
        ("head", int()),
        ("sequencer_running", boolean()),
        ("stop_reason", nullable(string())),
        ("damage", nullable(string())),
        ("integrity_checked", boolean()),
    ])
}
fn index() -> Value {
    object(&[
        ("name", string()),
        ("version", string()),
        ("chain_id", int()),
        ("openapi", text("path of the OpenAPI document")),
        ("dashboard", text("path of the dashboard")),
        ("amounts", string()),
        ("errors", string()),
        (
            "routes",
            array(object(&[("method", string()), ("path", string()), ("summary", string())])),
        ),
    ])
}
fn block() -> Value {
    let mut fields = header_fields();
    fields.push((
        "transactions",
        array(object(&[
            ("hash", hash()),
            ("index", int()),
            ("sender", address()),
            ("success", boolean()),
            ("code", nullable(string())),
        ])),
    ));
    object(&fields)
}
fn event() -> Value {
    let mut fields = log_fields();
    fields.extend([
        ("height", int()),
        ("tx_index", int()),
        ("log_index", int()),
        ("tx_hash", hash()),
    ]);
    object(&fields)
}

/// The named schemas of `components.schemas`.
fn components() -> Value {
    json!({
        "Error": error_body(),
        "ErrorDetail": with_optional(
            object(&[("code", string()), ("message", string())]),
            &[("message_display", message_display())]
        ),
        "Header": object(&header_fields()),
        "Log": object(&log_fields()),
        "Receipt": receipt(),
        "Facet": facet(),
    })
}

// ----- parameters -----

const ADDRESS: Param = Param {
    name: "address",
    location: In::Path,
    description: "0x and 40 hex digits, any letter case",
    schema: address,
};
const TOKEN: Param = Param {
    name: "token",
    location: In::Query,
    description: "icy (the default) or dfg",
    schema: string,
};
const HEIGHT: Param = Param {
    name: "height",
    location: In::Query,
    description: "a past block whose snapshot the node keeps (default: the head)",
    schema: int,
};
const WAIT: Param = Param {
    name: "wait",
    location: In::Query,
    description: "false to answer 202 as soon as the command is queued (not yet committed)",
    schema: boolean,
};
const POOL: Param = Param {
    name: "id",
    location: In::Path,
    description: "the pool's id (GET /v1/pools)",
    schema: int,
};
const LIMIT: Param =
    Param { name: "limit", location: In::Query, description: "page size, 1 to 500", schema: int };

fn comma_list() -> Value {
    text("comma-separated values, at most 256")
}

// ----- replies -----

const fn json_reply(status: u16, description: &'static str, schema: fn() -> Value) -> Reply {
    Reply { status, description, media: Media::Json, schema }
}

/// Every endpoint of the JSON API.
pub static ENDPOINTS: &[Endpoint] = &[
    Endpoint {
        method: Method::Get,
        path: "/v1",
        summary: "This index: every route with one line, and where the OpenAPI document is",
        params: &[],
        body: None,
        replies: &[json_reply(200, "the index", index)],
        errors: &[],
        route: || get(v1::index),
    },
    Endpoint {
        method: Method::Get,
        path: "/healthz",
        summary: "Health: 200 while the sequencer runs and no damage was seen, 503 otherwise (saying why)",
        params: &[],
        body: None,
        replies: &[
            json_reply(200, "healthy", health),
            json_reply(503, "the sequencer stopped or the database is damaged", health),
        ],
        errors: &[],
        route: || get(v1::healthz),
    },
    Endpoint {
        method: Method::Get,
        path: "/metrics",
        summary: "Prometheus metrics (text exposition format 0.0.4)",
        params: &[],
        body: None,
        replies: &[Reply {
            status: 200,
            description: "metrics",
            media: Media::Text,
            schema: string,
        }],
        errors: &[],
        route: || get(v1::metrics),
    },
    Endpoint {
        method: Method::Get,
        path: "/v1/openapi.json",
        summary: "This document (OpenAPI 3.1)",
        params: &[],
        body: None,
        replies: &[json_reply(200, "the document", || json!({ "type": "object" }))],
        errors: &[],
        route: || get(v1::openapi),
    },
    Endpoint {
        method: Method::Get,
        path: "/v1/chain",
        summary: "Chain id, genesis hash, well-known addresses, head block",
        params: &[],
        body: None,
        replies: &[json_reply(200, "the chain", chain)],
        errors: &[],
        route: || get(v1::chain),
    },
    Endpoint {
        method: Method::Post,
        path: "/v1/tx",
        summary: "Submit one signed command; by default waits until its block is durably committed and returns the receipt",
        params: &[WAIT],
        body: Some(("a signed command (the pieces of eth_signTypedData_v4)", command_body)),
        replies: &[
            json_reply(200, "committed and applied", || object(&committed_fields())),
            json_reply(202, "queued (wait=false)", || {
                object(&[("hash", hash()), ("status", constant("queued"))])
            }),
            json_reply(
                400,
                "malformed, badly signed or for another chain; or refused before inclusion",
                || json!({ "anyOf": [r("Error"), refused()] }),
            ),
            json_reply(
                409,
                "nonce reused or skipped ahead: refused, nothing changed",
                || json!({ "anyOf": [r("Error"), refused()] }),
            ),
            json_reply(
                422,
                "committed but rejected: only the nonce moved (the error names why)",
                rejected,
            ),
            json_reply(
                503,
                "the node is overloaded or stopped, or the commit failed",
                || json!({ "anyOf": [r("Error"), failed()] }),
            ),
        ],
        errors: &[413],
        route: || post(v1::submit_one),
    },
    Endpoint {
        method: Method::Post,
        path: "/v1/txs",
        summary: "Submit a batch of up to 1,000 signed commands, sequenced in order in one block",
        params: &[WAIT],
        body: Some((
            "{\"commands\": [command, ...]}, each as for /v1/tx",
            || json!({ "type": "object", "required": ["commands"], "properties": { "commands": array(command_body()) } }),
        )),
        replies: &[
            json_reply(200, "every command's outcome, in order", || {
                object(&[
                    ("committed", int()),
                    (
                        "results",
                        array(
                            json!({ "anyOf": [object(&committed_fields()), rejected(), refused(), failed()] }),
                        ),
                    ),
                ])
            }),
            json_reply(202, "queued (wait=false)", || {
                object(&[("hashes", array(hash())), ("status", constant("queued"))])
            }),
        ],
        errors: &[400, 409, 413, 503],
        route: || post(v1::submit_batch),
    },
    Endpoint {
        method: Method::Post,
        path: "/v1/call",
        summary: "Dry-run a command against the committed state; nothing is kept",
        params: &[],
        body: Some((
            "a command as for /v1/tx, with either \"signature\" or \"from\"",
            command_body,
        )),
        replies: &[json_reply(200, "the receipt it would have", || {
            object(&[("dry_run", boolean()), ("receipt", r("Receipt"))])
        })],
        errors: &[400, 409, 413],
        route: || post(v1::call),
    },
    Endpoint {
        method: Method::Get,
        path: "/v1/accounts/{address}",
        summary: "Balances, nonce, delegate, votes, vesting schedules and roles of an account",
        params: &[ADDRESS],
        body: None,
        replies: &[json_reply(
            200,
            "the account (zero balances if the chain never saw it)",
            account,
        )],
        errors: &[400],
        route: || get(v1::account),
    },
    Endpoint {
        method: Method::Get,
        path: "/v1/pools",
        summary: "Every pool inside the engine: tokens, flavour, fee, price, tick, liquidity and reserves",
        params: &[],
        body: None,
        replies: &[json_reply(200, "the pools", pools)],
        errors: &[],
        route: || get(v1::pools),
    },
    Endpoint {
        method: Method::Get,
        path: "/v1/pools/{id}/quote",
        summary: "A swap's outcome at the head, nothing kept: signed amounts (positive into the pool), the price and tick after, ticks crossed, fee",
        params: &[
            POOL,
            Param {
                name: "zero_for_one",
                location: In::Query,
                description: "true to sell token0 for token1",
                schema: boolean,
            },
            Param {
                name: "amount",
                location: In::Query,
                description: "base units, decimal: positive for exact input, negative for exact output",
                schema: string,
            },
        ],
        body: None,
        replies: &[json_reply(200, "the quote", || {
            object(&[
                ("pool", int()),
                ("zero_for_one", boolean()),
                ("amount0", string()),
                ("amount1", string()),
                ("sqrt_price_x96_after", units()),
                ("tick_after", json!({ "type": "integer" })),
                ("ticks_crossed", int()),
                ("fee_amount", units()),
                ("block", int()),
            ])
        })],
        errors: &[400, 404],
        route: || get(v1::pool_quote),
    },
    Endpoint {
        method: Method::Get,
        path: "/v1/pools/{id}/observe",
        summary: "observe(pool, secondsAgos) at the head block's time: tick and seconds-per-liquidity cumulatives exactly as Uniswap V3's oracle, or pools.observation_too_old (the contract's OLD) naming the largest secondsAgo in reach",
        params: &[
            POOL,
            Param {
                name: "secondsAgo",
                location: In::Query,
                description: "comma-separated whole seconds before the head block's time (uint32), at most 64: 0,60,3600",
                schema: string,
            },
        ],
        body: None,
        replies: &[json_reply(200, "the accumulators, one per secondsAgo in order", observe)],
        errors: &[400, 404],
        route: || get(v1::pool_observe),
    },
    Endpoint {
        method: Method::Get,
        path: "/v1/pools/{id}/ticks",
        summary: "Liquidity by tick: the initialized ticks around the price (liquidityNet, liquidityGross) with the active liquidity of each range between them, within a window and at most limit each side",
        params: &[
            POOL,
            Param {
                name: "window",
                location: In::Query,
                description: "ticks walked each way from the current tick, 1 to 1774544 (default 23027, about a factor of 10 in price)",
                schema: int,
            },
            Param {
                name: "limit",
                location: In::Query,
                description: "initialized ticks listed each side of the price, 1 to 250 (default 50)",
                schema: int,
            },
        ],
        body: None,
        replies: &[json_reply(200, "the ticks, ascending", ticks)],
        errors: &[400, 404],
        route: || get(v1::pool_ticks),
    },
    Endpoint {
        method: Method::Get,
        path: "/v1/pools/{id}/swaps",
        summary: "A pool's Swap events, newest first, with their blocks' times, amounts in base units and whole tokens, and the price after",
        params: &[
            POOL,
            Param {
                name: "cursor",
                location: In::Query,
                description: "next_cursor of the previous page (opaque; an altered cursor is refused)",
                schema: string,
            },
            Param {
                name: "limit",
                location: In::Query,
                description: "page size, 1 to 100 (default 25)",
                schema: int,
            },
        ],
        body: None,
        replies: &[json_reply(200, "a page of swaps", swaps)],
        errors: &[400, 404],
        route: || get(v1::pool_swaps),
    },
    Endpoint {
        method: Method::Get,
        path: "/v1/assets",
        summary: "Every asset of the ledger (ICY, DFG and bridged tokens) with its decimals, supply and whether a faucet gives it",
        params: &[],
        body: None,
        replies: &[json_reply(200, "the assets", assets)],
        errors: &[],
        route: || get(v1::assets),
    },
    Endpoint {
        method: Method::Get,
        path: "/v1/tokens",
        summary: "ICY supply, circulating supply, burned, cap, minters, excluded set, pause; DFG supply and delegation",
        params: &[],
        body: None,
        replies: &[json_reply(200, "both tokens", tokens)],
        errors: &[],
        route: || get(v1::tokens),
    },
    Endpoint {
        method: Method::Get,
        path: "/v1/tokens/{token}/holders",
        summary: "A token's top holders by balance, ranked once per committed head (the top ranked_max holders)",
        params: &[
            Param { name: "token", location: In::Path, description: "icy or dfg", schema: string },
            Param {
                name: "after",
                location: In::Query,
                description: "next_after of the previous page: <balance in base units>:<0x address>",
                schema: string,
            },
            LIMIT,
        ],
        body: None,
        replies: &[json_reply(200, "a page of holders", holders)],
        errors: &[400, 404],
        route: || get(v1::token_holders),
    },
    Endpoint {
        method: Method::Get,
        path: "/v1/blocks",
        summary: "Blocks, newest first",
        params: &[
            Param {
                name: "before",
                location: In::Query,
                description: "only blocks below this height",
                schema: int,
            },
            Param {
                name: "limit",
                location: In::Query,
                description: "page size, 1 to 200",
                schema: int,
            },
        ],
        body: None,
        replies: &[json_reply(200, "a page of block headers", || {
            object(&[("blocks", array(r("Header"))), ("next_before", nullable(int()))])
        })],
        errors: &[400],
        route: || get(v1::blocks),
    },
    Endpoint {
        method: Method::Get,
        path: "/v1/blocks/{id}",
        summary: "A block by height or 0x hash, with its transactions",
        params: &[Param {
            name: "id",
            location: In::Path,
            description: "a height, or 0x and 64 hex digits",
            schema: string,
        }],
        body: None,
        replies: &[json_reply(200, "the block", block)],
        errors: &[400, 404],
        route: || get(v1::block),
    },
    Endpoint {
        method: Method::Get,
        path: "/v1/txs/{hash}",
        summary: "A transaction's block, position, receipt and logs",
        params: &[Param {
            name: "hash",
            location: In::Path,
            description: "0x and 64 hex digits",
            schema: hash,
        }],
        body: None,
        replies: &[json_reply(200, "the transaction", || {
            object(&[
                ("hash", hash()),
                ("height", int()),
                ("index", int()),
                ("receipt", r("Receipt")),
            ])
        })],
        errors: &[400, 404],
        route: || get(v1::tx),
    },
    Endpoint {
        method: Method::Get,
        path: "/v1/events",
        summary: "Event logs with eth_getLogs-style filters and cursor pagination",
        params: &[
            Param {
                name: "address",
                location: In::Query,
                description: "emitter addresses",
                schema: comma_list,
            },
            Param {
                name: "topic0",
                location: In::Query,
                description: "topic0 values (event signature hashes)",
                schema: comma_list,
            },
            Param {
                name: "topic1",
                location: In::Query,
                description: "topic1 values",
                schema: comma_list,
            },
            Param {
                name: "topic2",
                location: In::Query,
                description: "topic2 values",
                schema: comma_list,
            },
            Param {
                name: "topic3",
                location: In::Query,
                description: "topic3 values",
                schema: comma_list,
            },
            Param {
                name: "account",
                location: In::Query,
                description: "an address appearing as topic1, topic2 or topic3",
                schema: address,
            },
            Param {
                name: "from_height",
                location: In::Query,
                description: "lowest height, inclusive",
                schema: int,
            },
            Param {
                name: "to_height",
                location: In::Query,
                description: "highest height, inclusive",
                schema: int,
            },
            Param {
                name: "cursor",
                location: In::Query,
                description: "next_cursor of the previous page (opaque; an altered cursor is refused)",
                schema: string,
            },
            LIMIT,
            Param {
                name: "order",
                location: In::Query,
                description: "asc (default) or desc",
                schema: string,
            },
        ],
        body: None,
        replies: &[json_reply(200, "a page of events", || {
            object(&[("events", array(event())), ("next_cursor", nullable(string()))])
        })],
        errors: &[400],
        route: || get(v1::events),
    },
    Endpoint {
        method: Method::Get,
        path: "/v1/facets",
        summary: "Diamond loupe: facets with their selectors, facet addresses, pending cuts",
        params: &[],
        body: None,
        replies: &[json_reply(200, "the registry", facets)],
        errors: &[],
        route: || get(v1::facets),
    },
    Endpoint {
        method: Method::Get,
        path: "/v1/facets/{address}",
        summary: "Loupe facetFunctionSelectors(address)",
        params: &[ADDRESS],
        body: None,
        replies: &[json_reply(200, "the facet", || r("Facet"))],
        errors: &[400, 404],
        route: || get(v1::facet),
    },
    Endpoint {
        method: Method::Get,
        path: "/v1/facets/selector/{selector}",
        summary: "Loupe facetAddress(bytes4)",
        params: &[Param {
            name: "selector",
            location: In::Path,
            description: "4 bytes of hex, 0x optional",
            schema: string,
        }],
        body: None,
        replies: &[json_reply(200, "the facet serving it, null when none", || {
            object(&[("selector", hex_bytes()), ("facet", nullable(address()))])
        })],
        errors: &[400],
        route: || get(v1::facet_of_selector),
    },
    Endpoint {
        method: Method::Get,
        path: "/v1/eip712/types",
        summary: "EIP-712 domain and the type definitions of every command, with selectors and roles",
        params: &[],
        body: None,
        replies: &[json_reply(200, "the types", eip712)],
        errors: &[],
        route: || get(v1::eip712_types),
    },
    Endpoint {
        method: Method::Get,
        path: "/v1/proofs/balance/{address}",
        summary: "Merkle proof of an account's balance of one token against the head block's state root: inclusion, or absence for a zero balance",
        params: &[ADDRESS, TOKEN, HEIGHT],
        body: None,
        replies: &[json_reply(200, "the proof and how to verify it", proof)],
        errors: &[400, 404],
        route: || get(v1::balance_proof),
    },
    Endpoint {
        method: Method::Get,
        path: "/v1/stream",
        summary: "Server-sent events: `block` (id \"<height>\", data {height, hash, time_s, time_iso, tx_count, state_root}) for each committed block, then `log` (id \"<height>-<log index>\") for each of its logs; a final `lagged` event ({resume_from_height, oldest_buffered_height, reason, hint}) when the client fell behind",
        params: &[
            Param {
                name: "from_height",
                location: In::Query,
                description: "start with this block (ignored when Last-Event-ID is sent); older blocks are replayed from the store within a bound",
                schema: int,
            },
            Param {
                name: "Last-Event-ID",
                location: In::Header,
                description: "resume right after this event: <height> or <height>-<log index>",
                schema: string,
            },
        ],
        body: None,
        replies: &[Reply {
            status: 200,
            description: "the event stream",
            media: Media::EventStream,
            schema: string,
        }],
        errors: &[400],
        route: || get(sse::stream),
    },
];

/// What a plain error status means.
fn error_description(status: u16) -> &'static str {
    match status {
        400 => "malformed input; the code says what (api.bad_address, api.bad_query, ...)",
        404 => "not found",
        408 => "the request took longer than the request timeout (api.timeout)",
        409 => "a nonce conflict",
        413 => "the body is too large (api.body_too_large, api.batch_size)",
        429 => "rate limited (api.rate_limited)",
        500 => "internal error; details are logged, never returned",
        503 => "the node is overloaded or stopped",
        _ => "error",
    }
}

/// The OpenAPI document.
pub fn document() -> Value {
    let mut paths = Map::new();
    for e in ENDPOINTS {
        let params: Vec<Value> = e
            .params
            .iter()
            .map(|p| {
                let location = match p.location {
                    In::Path => "path",
                    In::Query => "query",
                    In::Header => "header",
                };
                json!({
                    "name": p.name, "in": location, "required": p.location == In::Path,
                    "description": p.description, "schema": (p.schema)(),
                })
            })
            .collect();
        let mut responses = Map::new();
        for reply in e.replies {
            responses.insert(
                reply.status.to_string(),
                json!({ "description": reply.description, "content": { reply.media.as_str(): { "schema": (reply.schema)() } } }),
            );
        }
        let limited = e.path != "/healthz" && e.path != "/metrics";
        let common: &[u16] = if limited { &[408, 429, 500] } else { &[408, 500] };
        for status in e.errors.iter().chain(common) {
            responses.entry(status.to_string()).or_insert_with(|| {
                json!({ "description": error_description(*status), "content": { "application/json": { "schema": r("Error") } } })
            });
        }
        let mut op = json!({
            "operationId": format!("{}{}", e.method.as_str(), e.path.replace(['/', '{', '}', '.'], "_")),
            "summary": e.summary,
            "parameters": params,
            "responses": responses,
        });
        if let Some((description, schema)) = e.body {
            op["requestBody"] = json!({ "required": true, "description": description, "content": { "application/json": { "schema": schema() } } });
        }
        let entry = paths.entry(e.path.to_string()).or_insert_with(|| json!({}));
        entry[e.method.as_str()] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Hoard node API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Amounts are decimal strings of base units (18 decimals), with *_display fields in whole tokens beside them; times are unix seconds, with *_iso fields beside them; hashes and addresses are 0x hex. Errors are {\"error\": {\"code\", \"message\"}} with stable codes. GET /v1 lists the routes.",
        },
        "paths": paths,
        "components": { "schemas": components() },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_path_and_method_is_listed_once_with_its_path_parameters() {
        let mut seen = std::collections::HashSet::new();
        for e in ENDPOINTS {
            assert!(seen.insert((e.method, e.path)), "{} {} twice", e.method.as_str(), e.path);
            let in_path: Vec<&str> = e
                .path
                .split('/')
                .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
                .collect();
            let documented: Vec<&str> =
                e.params.iter().filter(|p| p.location == In::Path).map(|p| p.name).collect();
            assert_eq!(in_path, documented, "{}", e.path);
            assert!(!e.replies.is_empty(), "{} documents no answer", e.path);
        }
    }

    #[test]
    fn every_reference_resolves() {
        let doc = document();
        let text = doc.to_string();
        let names: Vec<&str> = text
            .split("\"#/components/schemas/")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .collect();
        assert!(!names.is_empty());
        for name in names {
            assert!(doc["components"]["schemas"].get(name).is_some(), "{name} is not defined");
        }
    }
}
