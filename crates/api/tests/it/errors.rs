//! Every error is `{"error": {"code", "message"}}`, over raw sockets: 405, 408, 413, 414, 431,
//! query-string errors, cursors out of range or altered, and the rate limit's exemptions.

use std::{
    io::{BufReader, Write},
    time::Duration,
};

use alloy_primitives::U256;
use hoard_api::{
    ApiConfig, ServeConfig,
    limits::{BODY_BYTES_MAX, HEADER_BYTES_MAX, HEADERS_MAX, URI_BYTES_MAX},
};
use hoard_node::devnet;
use hoard_store::EventCursor;

use crate::support::{RawResponse, TestNode, connect, get_json, raw, read_response};

/// A JSON error with this status and code, and a non-empty message.
fn assert_error(r: &RawResponse, status: u16, code: &str) {
    assert_eq!(r.status, status, "{r:?}");
    assert!(r.header("content-type").is_some_and(|c| c.starts_with("application/json")), "{r:?}");
    assert_eq!(r.code(), code, "{r:?}");
    assert!(r.json()["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{r:?}");
}

fn get(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").into_bytes()
}

#[test]
fn body_method_and_query_errors_are_json() {
    let n = TestNode::start();
    let over = format!(
        "POST /v1/txs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        BODY_BYTES_MAX + 10
    );
    assert_error(&raw(n.addr, over.as_bytes()), 413, "api.body_too_large");
    let r = raw(n.addr, b"DELETE /v1/chain HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_error(&r, 405, "api.method_not_allowed");
    assert!(r.header("allow").is_some_and(|a| a.contains("GET")), "{r:?}");
    assert_error(&raw(n.addr, &get_post("/healthz")), 405, "api.method_not_allowed");
    for path in ["/v1/blocks?limit=abc", "/v1/events?from_height=-1", "/v1/tx?wait=maybe"] {
        let req = if path.starts_with("/v1/tx?") { post(path, "{}") } else { get(path) };
        let r = raw(n.addr, &req);
        assert_error(&r, 400, "api.bad_query");
        let message = r.json()["error"]["message"].as_str().unwrap_or("").to_string();
        let name = path.split(['?', '=']).nth(1).unwrap_or("");
        assert!(message.contains(name), "{path}: {message}");
    }
    // A path axum cannot decode.
    assert_error(&raw(n.addr, &get("/v1/accounts/%FF")), 400, "api.bad_request");
    // A stream resume query too.
    assert_error(&raw(n.addr, &get("/v1/stream?from_height=x")), 400, "api.bad_query");
    assert_error(
        &raw(n.addr, b"GET /v1/stream HTTP/1.1\r\nHost: x\r\nLast-Event-ID: 12-x\r\n\r\n"),
        400,
        "api.bad_event_id",
    );
}

fn get_post(path: &str) -> Vec<u8> {
    post(path, "")
}

fn post(path: &str, body: &str) -> Vec<u8> {
    format!("POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{body}", body.len())
        .into_bytes()
}

#[test]
fn a_request_over_the_time_limit_gets_a_json_408() {
    let n = TestNode::start_with(
        ApiConfig { request_timeout: Duration::from_millis(300), ..ApiConfig::default() },
        ServeConfig::default(),
    );
    // A body that never finishes arriving.
    let mut s = connect(n.addr);
    s.write_all(b"POST /v1/tx HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"type\"")
        .expect("write");
    let r = read_response(&mut BufReader::new(s));
    assert_error(&r, 408, "api.timeout");
}

#[test]
fn long_uris_and_large_headers_get_json_414_and_431() {
    let n = TestNode::start();
    let q = |len: usize| format!("/v1/chain?x={}", "a".repeat(len));
    // First request of a connection, checked before hyper parses it: just over our limit, and
    // beyond hyper's fixed 64 KiB.
    assert_error(&raw(n.addr, &get(&q(URI_BYTES_MAX))), 414, "api.uri_too_long");
    assert_error(&raw(n.addr, &get(&q(70 * 1024))), 414, "api.uri_too_long");
    assert_eq!(raw(n.addr, &get(&q(1024))).status, 200);
    let header = |name: &str, len: usize| format!("{name}: {}\r\n", "h".repeat(len));
    let with_headers =
        |headers: &str| format!("GET /v1/chain HTTP/1.1\r\nHost: x\r\n{headers}\r\n").into_bytes();
    assert_error(
        &raw(n.addr, &with_headers(&header("x-big", HEADER_BYTES_MAX))),
        431,
        "api.headers_too_large",
    );
    assert_error(
        &raw(n.addr, &with_headers(&header("x-huge", 200 * 1024))),
        431,
        "api.headers_too_large",
    );
    let many: String = (0..HEADERS_MAX).map(|i| format!("x-{i}: 1\r\n")).collect();
    assert_error(&raw(n.addr, &with_headers(&many)), 431, "api.headers_too_large");
    let enough: String = (0..HEADERS_MAX - 1).map(|i| format!("x-{i}: 1\r\n")).collect();
    assert_eq!(raw(n.addr, &with_headers(&enough)).status, 200);

    // Later requests on a kept-alive connection, checked after hyper parsed them.
    let mut s = connect(n.addr);
    let mut reader = BufReader::new(s.try_clone().expect("clone"));
    s.write_all(&get("/healthz")).expect("write");
    assert_eq!(read_response(&mut reader).status, 200);
    s.write_all(&get(&q(URI_BYTES_MAX))).expect("write");
    assert_error(&read_response(&mut reader), 414, "api.uri_too_long");
    let mut s = connect(n.addr);
    let mut reader = BufReader::new(s.try_clone().expect("clone"));
    s.write_all(&get("/healthz")).expect("write");
    assert_eq!(read_response(&mut reader).status, 200);
    s.write_all(&get(&q(60 * 1024))).expect("write");
    assert_error(&read_response(&mut reader), 414, "api.uri_too_long");
    let mut s = connect(n.addr);
    let mut reader = BufReader::new(s.try_clone().expect("clone"));
    s.write_all(&get("/healthz")).expect("write");
    assert_eq!(read_response(&mut reader).status, 200);
    s.write_all(&with_headers(&header("x-big", HEADER_BYTES_MAX + 10))).expect("write");
    assert_error(&read_response(&mut reader), 431, "api.headers_too_large");
    // Beyond hyper's own fixed limits on a kept-alive connection (a 70 KiB target, a 200 KiB
    // header, a malformed request line): hyper answers these itself, and its bodiless answer is
    // replaced by the same status in JSON.
    let later = |request: Vec<u8>| {
        let mut s = connect(n.addr);
        let mut reader = BufReader::new(s.try_clone().expect("clone"));
        s.write_all(&get("/healthz")).expect("write");
        assert_eq!(read_response(&mut reader).status, 200);
        s.write_all(&request).expect("write");
        read_response(&mut reader)
    };
    assert_error(&later(get(&q(70 * 1024))), 414, "api.uri_too_long");
    assert_error(&later(with_headers(&header("x-huge", 200 * 1024))), 431, "api.headers_too_large");
    assert_error(&later(b"GARBAGE\r\n\r\n".to_vec()), 400, "api.bad_request");
    // ... and on a first request too.
    assert_error(&raw(n.addr, b"GET / HTTP/9.9 x\r\n\r\n"), 400, "api.bad_request");
    // The node keeps serving.
    assert_eq!(get_json(n.addr, "/healthz").0, 200);
}

#[test]
fn cursors_out_of_range_or_altered_are_refused() {
    let n = TestNode::start();
    let bob = devnet::account("bob").expect("bob").address;
    for nonce in 0..3 {
        let (s, v) = crate::support::post_json(
            n.addr,
            "/v1/tx",
            &n.signed_transfer_json("alice", bob, U256::from(1u8), nonce),
        );
        assert_eq!(s, 200, "{v}");
    }
    let (s, page) = get_json(n.addr, &format!("/v1/events?account={bob}&limit=1"));
    assert_eq!(s, 200, "{page}");
    let cursor = page["next_cursor"].as_str().expect("a next page").to_string();
    let (s, next) = get_json(n.addr, &format!("/v1/events?account={bob}&limit=1&cursor={cursor}"));
    assert_eq!(s, 200, "{next}");
    assert_ne!(next["events"][0], page["events"][0]);
    // One changed character, anywhere, is refused.
    for i in [0, 10, 23, 24, 31] {
        let mut altered: Vec<char> = cursor.chars().collect();
        altered[i] = if altered[i] == '0' { '1' } else { '0' };
        let altered: String = altered.into_iter().collect();
        let (s, v) =
            get_json(n.addr, &format!("/v1/events?account={bob}&limit=1&cursor={altered}"));
        assert_eq!((s, v["error"]["code"].as_str()), (400, Some("api.bad_cursor")), "{altered}");
    }
    // A well-formed cursor above the highest storable height is a 400, not a 500.
    for height in [1u64 << 63, u64::MAX] {
        let token = hoard_api::cursor::encode(&EventCursor { height, log_index: 0 });
        let (s, v) = get_json(n.addr, &format!("/v1/events?cursor={token}"));
        assert_eq!((s, v["error"]["code"].as_str()), (400, Some("api.bad_cursor")), "{v}");
    }
    // Heights out of range elsewhere are answered, not failed.
    let (s, v) = get_json(n.addr, &format!("/v1/events?from_height={}", 1u64 << 63));
    assert_eq!(s, 200, "{v}");
    let (s, _) = get_json(n.addr, &format!("/v1/blocks/{}", u64::MAX));
    assert_eq!(s, 404);
    let (s, v) = get_json(n.addr, &format!("/v1/blocks?before={}", u64::MAX));
    assert_eq!(s, 200, "{v}");
    let (s, v) = get_json(n.addr, "/v1/blocks?before=18446744073709551616");
    assert_eq!((s, v["error"]["code"].as_str()), (400, Some("api.bad_query")));
}

#[test]
fn health_and_metrics_answer_while_a_client_is_rate_limited() {
    let n = TestNode::start_with(
        ApiConfig { rate_per_s: 1, rate_burst: 3, ..ApiConfig::default() },
        ServeConfig::default(),
    );
    for _ in 0..3 {
        assert_eq!(get_json(n.addr, "/v1/chain").0, 200);
    }
    let (s, v) = get_json(n.addr, "/v1/chain");
    assert_eq!((s, v["error"]["code"].as_str()), (429, Some("api.rate_limited")), "{v}");
    for _ in 0..10 {
        assert_eq!(get_json(n.addr, "/healthz").0, 200);
        let (s, m) = crate::support::http(n.addr, "GET", "/metrics", None);
        assert_eq!(s, 200);
        assert!(m.contains("hoard_head_height"));
    }
    // The exemption does not refill the bucket.
    assert_eq!(get_json(n.addr, "/v1/chain").0, 429);
    // Buckets are per client address (the server passes each connection's peer address on):
    // another loopback address is not limited.
    let socket =
        socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).expect("socket");
    let other: std::net::SocketAddr = "127.0.0.2:0".parse().expect("address");
    socket.bind(&other.into()).expect("bind 127.0.0.2");
    socket.connect(&n.addr.into()).expect("connect");
    let mut s: std::net::TcpStream = socket.into();
    s.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    s.write_all(&get("/v1/chain")).expect("write");
    assert_eq!(read_response(&mut BufReader::new(s)).status, 200);
}
