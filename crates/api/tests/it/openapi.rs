//! The OpenAPI document against the router: every route of the API is documented, every
//! documented path is a route with exactly its documented methods, and every JSON answer of a
//! live node matches its documented schema (so an undocumented field fails too). `GET /v1`
//! lists the same routes.

use std::collections::{BTreeMap, BTreeSet};

use alloy_primitives::{B256, U256};
use serde_json::{Value, json};

use crate::{
    dashboard::{addr, ether, transfer},
    support::{TestNode, get_json, http, post_json},
};

/// Documented (path, method) pairs.
fn documented(doc: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        for method in ops.as_object().expect("operations").keys() {
            out.insert((path.clone(), method.clone()));
        }
    }
    out
}

/// The routes in the crate's source: every `.route("<path>", <method>(…))` call, and every
/// entry of the endpoint table (`path: "<path>"` … `route: || <method>(…)`), so that a route
/// added anywhere in `src/` is seen.
fn routes_in_source() -> BTreeSet<(String, String)> {
    let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    let mut out = BTreeSet::new();
    let method_of = |s: &str| s.split('(').next().map(|m| m.trim().to_string());
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("src dir") {
            let p = entry.expect("entry").path();
            if p.is_dir() {
                dirs.push(p);
                continue;
            }
            let text = std::fs::read_to_string(&p).expect("source");
            for piece in text.split(".route(\"").skip(1) {
                let (path, rest) = piece.split_once('"').expect("a quoted path");
                let call = rest.trim_start_matches([',', ' ', '\n']);
                out.insert((path.to_string(), method_of(call).expect("method")));
            }
            for piece in text.split("path: \"").skip(1) {
                let (path, rest) = piece.split_once('"').expect("a quoted path");
                if let Some((_, call)) = rest.split_once("route: || ") {
                    out.insert((path.to_string(), method_of(call).expect("method")));
                }
            }
        }
    }
    out
}

fn is_api(path: &str) -> bool {
    hoard_api::is_api_path(path) || path == "/healthz" || path == "/metrics"
}

#[test]
fn the_document_and_the_router_list_the_same_routes() {
    let n = TestNode::start();
    let (s, doc) = get_json(n.addr, "/v1/openapi.json");
    assert_eq!(s, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    let doc_routes = documented(&doc);

    // Every API route of the source is documented, and nothing else is.
    let source: BTreeSet<(String, String)> =
        routes_in_source().into_iter().filter(|(p, _)| is_api(p)).collect();
    assert!(source.len() >= 20, "{source:?}");
    assert_eq!(source, doc_routes, "routes in the source vs paths in the document");

    // Every documented operation answers (not the router's 404 or 405), and every other
    // method of its path is refused with 405: the router has exactly the documented methods.
    let by_path: BTreeMap<&str, BTreeSet<&str>> =
        doc_routes.iter().fold(BTreeMap::new(), |mut m, (p, op)| {
            m.entry(p.as_str()).or_default().insert(op.as_str());
            m
        });
    for (path, methods) in &by_path {
        let concrete = path
            .replace("{address}", &addr("alice").to_string())
            .replace("{id}", "0")
            .replace("{hash}", &format!("0x{}", "00".repeat(32)))
            .replace("{selector}", "0xa9059cbb")
            .replace("{token}", "icy");
        for method in ["get", "post"] {
            if *path == "/v1/stream" && method == "get" {
                continue; // never ends; tests/it/sse.rs covers it
            }
            let (status, body) = http(
                n.addr,
                &method.to_ascii_uppercase(),
                &concrete,
                (method == "post").then_some("{}"),
            );
            if methods.contains(method) {
                assert_ne!(status, 405, "{method} {path}: {body}");
                assert!(
                    !body.contains("no such endpoint"),
                    "{method} {path} is documented but not routed: {body}"
                );
            } else {
                assert_eq!(status, 405, "{method} {path} is routed but not documented: {body}");
            }
        }
    }

    // Each operation documents its path parameters, a success and the error body.
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        for (method, op) in ops.as_object().expect("ops") {
            let names: Vec<&str> = op["parameters"]
                .as_array()
                .expect("parameters")
                .iter()
                .filter(|p| p["in"] == "path")
                .map(|p| p["name"].as_str().expect("name"))
                .collect();
            let segments: Vec<&str> = path
                .split('/')
                .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
                .collect();
            assert_eq!(names, segments, "{method} {path}");
            let responses = op["responses"].as_object().expect("responses");
            assert!(responses.contains_key("200"), "{method} {path}");
            assert_eq!(
                responses["500"]["content"]["application/json"]["schema"]["$ref"],
                "#/components/schemas/Error",
                "{method} {path}"
            );
            for (status, r) in responses {
                assert!(r["description"].is_string(), "{method} {path} {status}");
                assert!(r["content"].as_object().is_some_and(|c| !c.is_empty()));
            }
        }
    }

    // GET /v1 lists the same routes, and where the document is.
    let (s, index) = get_json(n.addr, "/v1");
    assert_eq!(s, 200, "{index}");
    assert_eq!(index["openapi"], "/v1/openapi.json");
    let listed: BTreeSet<(String, String)> = index["routes"]
        .as_array()
        .expect("routes")
        .iter()
        .map(|r| {
            assert!(r["summary"].as_str().is_some_and(|s| !s.is_empty()), "{r}");
            (
                r["path"].as_str().expect("path").to_string(),
                r["method"].as_str().expect("method").to_ascii_lowercase(),
            )
        })
        .collect();
    assert_eq!(listed, doc_routes);
}

/// Checks `value` against a schema of the document (the subset it uses: `$ref`, `type`,
/// `properties` with `required` and `additionalProperties`, `items`, `anyOf`, `const`,
/// `pattern` of the form `^[class]{n}$`-ish for hex strings). Returns what does not match.
fn check(doc: &Value, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.trim_start_matches("#/components/schemas/");
        return check(doc, &doc["components"]["schemas"][name], value, at, errors);
    }
    if let Some(options) = schema["anyOf"].as_array() {
        let fits = options.iter().any(|o| {
            let mut e = Vec::new();
            check(doc, o, value, at, &mut e);
            e.is_empty()
        });
        if !fits {
            errors.push(format!("{at}: {value} matches no anyOf option"));
        }
        return;
    }
    if let Some(c) = schema.get("const")
        && c != value
    {
        errors.push(format!("{at}: {value} is not {c}"));
    }
    let ok = match schema["type"].as_str() {
        None => true,
        Some("object") => value.is_object(),
        Some("array") => value.is_array(),
        Some("string") => value.is_string(),
        Some("integer") => value.is_u64() || value.is_i64(),
        Some("boolean") => value.is_boolean(),
        Some("null") => value.is_null(),
        Some(other) => panic!("schema type {other} not handled"),
    };
    if !ok {
        errors.push(format!("{at}: {value} is not of type {}", schema["type"]));
        return;
    }
    if let (Some(pattern), Some(s)) = (schema["pattern"].as_str(), value.as_str()) {
        let fits = match pattern {
            "^0x[0-9a-f]{64}$" => {
                s.len() == 66
                    && s.starts_with("0x")
                    && s[2..].bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            }
            "^0x[0-9a-fA-F]{40}$" => {
                s.len() == 42
                    && s.starts_with("0x")
                    && s[2..].bytes().all(|b| b.is_ascii_hexdigit())
            }
            "^0x([0-9a-f]{2})*$" => {
                s.starts_with("0x")
                    && s.len() % 2 == 0
                    && s[2..].bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            }
            "^[0-9]+$" => !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()),
            other => panic!("pattern {other} not handled"),
        };
        if !fits {
            errors.push(format!("{at}: {s:?} does not match {pattern}"));
        }
    }
    if let (Some(props), Some(obj)) = (schema["properties"].as_object(), value.as_object()) {
        for name in schema["required"].as_array().into_iter().flatten() {
            let name = name.as_str().expect("name");
            if !obj.contains_key(name) {
                errors.push(format!("{at}: missing {name}"));
            }
        }
        for (k, v) in obj {
            match props.get(k) {
                Some(s) => check(doc, s, v, &format!("{at}.{k}"), errors),
                None if schema["additionalProperties"] == json!(false) => {
                    errors.push(format!("{at}: {k} is not documented"));
                }
                None => {}
            }
        }
    } else if let (Some(extra), Some(obj)) =
        (schema["additionalProperties"].as_object(), value.as_object())
    {
        let extra = Value::Object(extra.clone());
        for (k, v) in obj {
            check(doc, &extra, v, &format!("{at}.{k}"), errors);
        }
    }
    if let (Some(items), Some(list)) = (schema.get("items"), value.as_array()) {
        for (i, v) in list.iter().enumerate() {
            check(doc, items, v, &format!("{at}[{i}]"), errors);
        }
    }
}

fn assert_matches(doc: &Value, path: &str, method: &str, status: u16, value: &Value) {
    let responses = &doc["paths"][path][method]["responses"];
    let schema = &responses[status.to_string()]["content"]["application/json"]["schema"];
    assert!(!schema.is_null(), "{method} {path} documents no JSON {status}");
    let mut errors = Vec::new();
    check(doc, schema, value, "$", &mut errors);
    assert!(errors.is_empty(), "{method} {path} {status}: {errors:#?}\n{value:#}");
}

#[test]
fn every_answer_matches_its_documented_schema() {
    let n = TestNode::start();
    let (tx_hash, height, _) = transfer(&n, "alice", addr("bob"), ether(3));
    // A swap, so that the swaps page has a row to check.
    crate::pools::swap(&n, "alice", 1, true, U256::from(100_000u64));
    let (_, doc) = get_json(n.addr, "/v1/openapi.json");
    let (_, facets) = get_json(n.addr, "/v1/facets");
    let facet = facets["facets"][0]["address"].as_str().expect("facet").to_string();
    let selector =
        facets["facets"][0]["selectors"][0]["selector"].as_str().expect("sel").to_string();
    let alice = addr("alice").to_string();
    let mut seen = BTreeSet::new();
    for (path, concrete) in [
        ("/v1", "/v1".to_string()),
        ("/healthz", "/healthz".to_string()),
        ("/v1/chain", "/v1/chain".to_string()),
        ("/v1/accounts/{address}", format!("/v1/accounts/{alice}")),
        ("/v1/tokens", "/v1/tokens".to_string()),
        ("/v1/tokens/{token}/holders", "/v1/tokens/dfg/holders?limit=3".to_string()),
        ("/v1/blocks", "/v1/blocks".to_string()),
        ("/v1/blocks/{id}", format!("/v1/blocks/{height}")),
        ("/v1/txs/{hash}", format!("/v1/txs/{tx_hash:#x}")),
        ("/v1/events", "/v1/events?limit=2".to_string()),
        ("/v1/facets", "/v1/facets".to_string()),
        ("/v1/facets/{address}", format!("/v1/facets/{facet}")),
        ("/v1/facets/selector/{selector}", format!("/v1/facets/selector/{selector}")),
        ("/v1/eip712/types", "/v1/eip712/types".to_string()),
        ("/v1/assets", "/v1/assets".to_string()),
        ("/v1/pools", "/v1/pools".to_string()),
        (
            "/v1/pools/{id}/quote",
            "/v1/pools/1/quote?zero_for_one=true&amount=100000000".to_string(),
        ),
        ("/v1/pools/{id}/observe", "/v1/pools/2/observe?secondsAgo=0,1".to_string()),
        ("/v1/pools/{id}/ticks", "/v1/pools/1/ticks".to_string()),
        ("/v1/pools/{id}/swaps", "/v1/pools/1/swaps".to_string()),
        ("/v1/proofs/balance/{address}", format!("/v1/proofs/balance/{alice}")),
    ] {
        let (status, v) = get_json(n.addr, &concrete);
        assert_eq!(status, 200, "{concrete}: {v}");
        assert_matches(&doc, path, "get", 200, &v);
        seen.insert(path);
    }
    // Every GET answering JSON was checked (the stream, the metrics and the document itself
    // are not objects with a schema to check).
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        if ops.get("get").is_some()
            && !["/v1/stream", "/metrics", "/v1/openapi.json"].contains(&path.as_str())
        {
            assert!(seen.contains(path.as_str()), "{path} was not checked");
        }
    }

    // Submissions: committed, rejected, refused, queued; batches; a dry run; plain errors.
    let body = n.signed_transfer_json("alice", addr("carol"), ether(1), n.nonce("alice"));
    let (s, v) = post_json(n.addr, "/v1/tx", &body);
    assert_eq!(s, 200);
    assert_matches(&doc, "/v1/tx", "post", 200, &v);
    let (s, v) = post_json(n.addr, "/v1/tx", &body);
    assert_eq!(s, 409, "{v}");
    assert_matches(&doc, "/v1/tx", "post", 409, &v);
    let too_much =
        n.signed_transfer_json("carol", addr("dave"), ether(9_000_000), n.nonce("carol"));
    let (s, v) = post_json(n.addr, "/v1/tx", &too_much);
    assert_eq!(s, 422, "{v}");
    assert_matches(&doc, "/v1/tx", "post", 422, &v);
    let queued = n.signed_transfer_json("alice", addr("carol"), ether(1), n.nonce("alice"));
    let (s, v) = post_json(n.addr, "/v1/tx?wait=false", &queued);
    assert_eq!(s, 202);
    assert_matches(&doc, "/v1/tx", "post", 202, &v);
    std::thread::sleep(std::time::Duration::from_millis(200));
    let batch = json!({ "commands": [n.signed_transfer_json("bob", addr("dave"), U256::from(1u8), n.nonce("bob"))] });
    let (s, v) = post_json(n.addr, "/v1/txs", &batch);
    assert_eq!(s, 200, "{v}");
    assert_matches(&doc, "/v1/txs", "post", 200, &v);
    let mut dry = n.signed_transfer_json("dave", addr("bob"), ether(1), n.nonce("dave"));
    dry.as_object_mut().expect("object").remove("signature");
    dry["from"] = json!(addr("dave"));
    let (s, v) = post_json(n.addr, "/v1/call", &dry);
    assert_eq!(s, 200, "{v}");
    assert_matches(&doc, "/v1/call", "post", 200, &v);
    for (path, concrete, status) in [
        ("/v1/accounts/{address}", "/v1/accounts/0x12".to_string(), 400),
        ("/v1/blocks/{id}", "/v1/blocks/999999".to_string(), 404),
        ("/v1/txs/{hash}", format!("/v1/txs/{:#x}", B256::ZERO), 404),
        ("/v1/tokens/{token}/holders", "/v1/tokens/btc/holders".to_string(), 404),
        ("/v1/pools/{id}/observe", "/v1/pools/1/observe?secondsAgo=4294967295".to_string(), 400),
        ("/v1/pools/{id}/ticks", "/v1/pools/99/ticks".to_string(), 404),
        ("/v1/pools/{id}/swaps", "/v1/pools/1/swaps?cursor=x".to_string(), 400),
    ] {
        let (s, v) = get_json(n.addr, &concrete);
        assert_eq!(s, status, "{concrete}: {v}");
        assert_matches(&doc, path, "get", status, &v);
    }
}
