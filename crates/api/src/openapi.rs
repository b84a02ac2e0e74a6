//! The OpenAPI 3.1 document of the API, built from one table of endpoints.

use serde_json::{Value, json};

/// One documented endpoint: method, path, summary, path/query parameters, body description.
pub struct Endpoint {
    /// HTTP method.
    pub method: &'static str,
    /// Path with `{param}` segments.
    pub path: &'static str,
    /// One-line summary.
    pub summary: &'static str,
    /// Query parameters (name, description).
    pub query: &'static [(&'static str, &'static str)],
    /// Request body description, if any.
    pub body: Option<&'static str>,
}

/// Every endpoint.
pub const ENDPOINTS: &[Endpoint] = &[
    Endpoint {
        method: "get",
        path: "/healthz",
        summary: "Liveness: 200 while the sequencer runs, with the head height",
        query: &[],
        body: None,
    },
    Endpoint {
        method: "get",
        path: "/metrics",
        summary: "Prometheus metrics",
        query: &[],
        body: None,
    },
    Endpoint {
        method: "get",
        path: "/v1/openapi.json",
        summary: "This document",
        query: &[],
        body: None,
    },
    Endpoint {
        method: "get",
        path: "/v1/chain",
        summary: "Chain id, genesis hash, well-known addresses, head",
        query: &[],
        body: None,
    },
    Endpoint {
        method: "post",
        path: "/v1/tx",
        summary: "Submit one signed command; by default waits until its block is durably committed and returns the receipt (422 with the rejection code when the command was included but rejected)",
        query: &[(
            "wait",
            "false to return 202 as soon as the command is queued (not yet committed)",
        )],
        body: Some(
            "{\"type\": EIP-712 primary type, \"message\": the typed-data message, \"signature\": 0x hex of 65 bytes r||s||v or 64 bytes EIP-2098 r||yParityAndS, \"chainId\"?: number, decimal string or 0x hex string, \"verifyingContract\"?: address}",
        ),
    },
    Endpoint {
        method: "post",
        path: "/v1/txs",
        summary: "Submit a batch of up to 1,000 signed commands, sequenced in order in one block",
        query: &[("wait", "false to return 202 once queued")],
        body: Some("{\"commands\": [command, ...]} with commands as for /v1/tx"),
    },
    Endpoint {
        method: "post",
        path: "/v1/call",
        summary: "Dry-run a command against the committed state; nothing is kept",
        query: &[],
        body: Some("a command as for /v1/tx, with either \"signature\" or \"from\" (address)"),
    },
    Endpoint {
        method: "get",
        path: "/v1/accounts/{address}",
        summary: "Balances, nonce, delegate, votes, vesting schedules and roles of an account",
        query: &[],
        body: None,
    },
    Endpoint {
        method: "get",
        path: "/v1/tokens",
        summary: "ICY supply, circulating supply, burned, cap, minters, excluded set; DFG supply and delegation",
        query: &[],
        body: None,
    },
    Endpoint {
        method: "get",
        path: "/v1/blocks",
        summary: "Blocks, newest first",
        query: &[("before", "only blocks below this height"), ("limit", "page size, 1 to 200")],
        body: None,
    },
    Endpoint {
        method: "get",
        path: "/v1/blocks/{id}",
        summary: "A block by height or 0x hash, with its transactions",
        query: &[],
        body: None,
    },
    Endpoint {
        method: "get",
        path: "/v1/txs/{hash}",
        summary: "A transaction's receipt and logs",
        query: &[],
        body: None,
    },
    Endpoint {
        method: "get",
        path: "/v1/events",
        summary: "Event logs with eth_getLogs-style filters and cursor pagination",
        query: &[
            ("address", "comma-separated emitter addresses"),
            ("topic0", "comma-separated topic0 values (event signature hashes)"),
            ("topic1", "comma-separated topic1 values"),
            ("topic2", "comma-separated topic2 values"),
            ("topic3", "comma-separated topic3 values"),
            ("account", "an address appearing as topic1, topic2 or topic3"),
            ("from_height", "lowest height, inclusive"),
            ("to_height", "highest height, inclusive"),
            ("cursor", "next_cursor of the previous page (opaque; an altered cursor is refused)"),
            ("limit", "page size, 1 to 500"),
            ("order", "asc (default) or desc"),
        ],
        body: None,
    },
    Endpoint {
        method: "get",
        path: "/v1/facets",
        summary: "Diamond loupe: facets with their selectors, facet addresses, pending cuts",
        query: &[],
        body: None,
    },
    Endpoint {
        method: "get",
        path: "/v1/facets/{address}",
        summary: "Loupe facetFunctionSelectors(address)",
        query: &[],
        body: None,
    },
    Endpoint {
        method: "get",
        path: "/v1/facets/selector/{selector}",
        summary: "Loupe facetAddress(bytes4)",
        query: &[],
        body: None,
    },
    Endpoint {
        method: "get",
        path: "/v1/eip712/types",
        summary: "EIP-712 domain and the type definitions of every command, with selectors",
        query: &[],
        body: None,
    },
    Endpoint {
        method: "get",
        path: "/v1/proofs/balance/{address}",
        summary: "Merkle inclusion proof of an account's balances against the head block's state root",
        query: &[],
        body: None,
    },
    Endpoint {
        method: "get",
        path: "/v1/stream",
        summary: "Server-sent events: `block` (id \"<height>\") for each committed block, then `log` (id \"<height>-<log index>\") for each of its logs; resumes right after the Last-Event-ID header's event; a final `lagged` event ({resume_from_height, reason, hint}) when the client fell behind the server's buffer",
        query: &[(
            "from_height",
            "start with this block (ignored when Last-Event-ID is sent); older blocks are replayed from the store within a bound",
        )],
        body: None,
    },
];

/// The OpenAPI document.
pub fn document() -> Value {
    let mut paths = serde_json::Map::new();
    for e in ENDPOINTS {
        let mut params: Vec<Value> = e
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
            .collect();
        params.extend(e.query.iter().map(|(name, d)| json!({ "name": name, "in": "query", "required": false, "description": d, "schema": { "type": "string" } })));
        let mut op = json!({
            "summary": e.summary,
            "parameters": params,
            "responses": {
                "200": { "description": "success (JSON)" },
                "4XX": { "description": "client error", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
            },
        });
        if let Some(b) = e.body {
            op["requestBody"] = json!({ "required": true, "description": b, "content": { "application/json": { "schema": { "type": "object" } } } });
        }
        let entry = paths.entry(e.path.to_string()).or_insert_with(|| json!({}));
        entry[e.method] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": { "title": "Hoard node API", "version": env!("CARGO_PKG_VERSION"), "description": "Amounts are decimal strings of base units; hashes and addresses are 0x hex. Errors are {\"error\": {\"code\", \"message\"}} with stable codes." },
        "paths": paths,
        "components": { "schemas": { "Error": {
            "type": "object",
            "properties": { "error": { "type": "object", "properties": { "code": { "type": "string" }, "message": { "type": "string" } }, "required": ["code", "message"] } },
        } } },
    })
}
