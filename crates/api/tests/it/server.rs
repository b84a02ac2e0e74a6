//! The accept loop under hostile clients, over real sockets: the connection cap with eviction
//! of the longest-idle connection, 503 when every connection is busy, the header-read and idle
//! timeouts, server-sent event streams outliving the idle timeout, and graceful shutdown.

use std::{
    io::{BufReader, Write},
    net::TcpStream,
    time::{Duration, Instant},
};

use alloy_primitives::U256;
use hoard_api::{ApiConfig, ServeConfig};
use hoard_node::devnet;

use crate::support::{SseClient, TestNode, closed_within, connect, get_json, raw, read_response};

fn config(connections_max: usize, header: Duration, idle: Duration) -> ServeConfig {
    ServeConfig {
        connections_max,
        header_read_timeout: header,
        idle_timeout: idle,
        ..ServeConfig::default()
    }
}

/// Opens a connection and waits a little, so the server registers connections in order.
fn idle_connection(n: &TestNode, half_sent: bool) -> TcpStream {
    let mut s = connect(n.addr);
    if half_sent {
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").expect("write");
    }
    std::thread::sleep(Duration::from_millis(20));
    s
}

#[test]
fn idle_connections_beyond_the_cap_evict_the_longest_idle() {
    let n = TestNode::start_with(
        ApiConfig::default(),
        config(16, Duration::from_secs(30), Duration::from_secs(60)),
    );
    // 16 idle connections fill the cap; every fourth one has sent half a request head (it has
    // no request in flight, so it is idle too).
    let mut conns: Vec<TcpStream> = (0..16).map(|i| idle_connection(&n, i % 4 == 0)).collect();
    // A new client is still served: the longest-idle connection (the first) made room.
    let (s, v) = get_json(n.addr, "/healthz");
    assert_eq!(s, 200, "{v}");
    assert!(closed_within(&mut conns[0], Duration::from_secs(2)), "the oldest idle was evicted");
    for c in &mut conns[1..] {
        assert!(!closed_within(c, Duration::from_millis(20)), "younger connections stay open");
    }
    // The answered client disconnected, so one more fits; each after it evicts the next oldest.
    std::thread::sleep(Duration::from_millis(100));
    conns.extend((0..5).map(|_| idle_connection(&n, false)));
    for (i, c) in conns.iter_mut().enumerate().skip(1) {
        if i <= 4 {
            assert!(closed_within(c, Duration::from_secs(2)), "connection {i} evicted");
        } else {
            assert!(!closed_within(c, Duration::from_millis(20)), "connection {i} kept");
        }
    }
    // Far more idle sockets than the cap: the node keeps answering.
    let extra: Vec<TcpStream> = (0..40).map(|_| connect(n.addr)).collect();
    let (s, _) = get_json(n.addr, "/healthz");
    assert_eq!(s, 200);
    drop(extra);
}

#[test]
fn at_the_cap_with_every_connection_busy_a_new_one_gets_a_json_503() {
    let n = TestNode::start_with(
        ApiConfig::default(),
        config(4, Duration::from_secs(30), Duration::from_secs(60)),
    );
    // Four event streams: each a request in flight, none evictable.
    let mut streams: Vec<SseClient> =
        (0..4).map(|_| SseClient::open(n.addr, "/v1/stream", "")).collect();
    let r = raw(n.addr, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(r.status, 503, "{r:?}");
    assert_eq!(r.code(), "api.too_many_connections");
    assert_eq!(r.header("connection"), Some("close"));
    assert!(r.json()["error"]["message"].as_str().is_some_and(|m| m.contains("retry")));
    // One stream ends: its slot frees and new clients are served again.
    drop(streams.pop());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let r = raw(n.addr, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        if r.status == 200 {
            break;
        }
        assert_eq!(r.code(), "api.too_many_connections");
        assert!(Instant::now() < deadline, "the closed stream's slot was never freed");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_half_sent_request_is_closed_after_the_header_timeout() {
    let n = TestNode::start_with(
        ApiConfig::default(),
        config(64, Duration::from_millis(300), Duration::from_secs(30)),
    );
    // The head starts a while after the connection opened: the timeout runs from its first byte.
    let mut half = connect(n.addr);
    std::thread::sleep(Duration::from_millis(500));
    let started = Instant::now();
    half.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").expect("write");
    // Silent connections and kept-alive ones are idle, not half-sent: the header timeout does
    // not apply to them.
    let mut silent = connect(n.addr);
    let mut kept = connect(n.addr);
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").expect("write");
    let mut kept_reader = BufReader::new(kept.try_clone().expect("clone"));
    assert_eq!(read_response(&mut kept_reader).status, 200);
    assert!(closed_within(&mut half, Duration::from_secs(5)), "half-sent head closed");
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(250) && elapsed < Duration::from_secs(3),
        "closed {elapsed:?} after the head began"
    );
    std::thread::sleep(Duration::from_millis(500));
    assert!(!closed_within(&mut silent, Duration::from_millis(50)), "idle, not timed out");
    assert!(!closed_within(&mut kept, Duration::from_millis(50)), "kept alive");
    // The kept-alive connection still serves requests.
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").expect("write");
    assert_eq!(read_response(&mut kept_reader).status, 200);
    // A head sent slowly, byte by byte, is closed at the timeout although bytes keep coming; on a
    // kept-alive connection too.
    let mut slow = connect(n.addr);
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").expect("write");
    assert_eq!(read_response(&mut BufReader::new(slow.try_clone().expect("clone"))).status, 200);
    std::thread::sleep(Duration::from_millis(400));
    let started = Instant::now();
    let mut closed = false;
    for b in b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    {
        if slow.write_all(&[*b]).is_err() {
            closed = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    assert!(closed || closed_within(&mut slow, Duration::from_secs(5)));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "a slow head is not kept alive by its bytes"
    );
}

#[test]
fn idle_connections_close_after_the_idle_timeout_but_event_streams_stay() {
    let n = TestNode::start_with(
        ApiConfig::default(),
        config(64, Duration::from_secs(10), Duration::from_millis(400)),
    );
    let mut sse = SseClient::open(n.addr, "/v1/stream", "");
    let started = Instant::now();
    let mut kept = connect(n.addr);
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").expect("write");
    assert_eq!(read_response(&mut BufReader::new(kept.try_clone().expect("clone"))).status, 200);
    assert!(closed_within(&mut kept, Duration::from_secs(5)), "idle keep-alive closed");
    assert!(started.elapsed() >= Duration::from_millis(350), "{:?}", started.elapsed());
    // The stream has been quiet for longer than the idle timeout; it still delivers.
    std::thread::sleep(Duration::from_millis(1_200));
    let bob = devnet::account("bob").expect("bob").address;
    let (s, v) = crate::support::post_json(
        n.addr,
        "/v1/tx",
        &n.signed_transfer_json("alice", bob, U256::from(1u8), 0),
    );
    assert_eq!(s, 200, "{v}");
    let height = v["height"].as_u64().expect("height");
    let e = sse.next().expect("the stream is alive");
    assert_eq!((e.event.as_str(), e.id), ("block", Some(height.to_string())));
}

#[test]
fn shutdown_closes_idle_connections_ends_streams_and_returns() {
    let mut n = TestNode::start_with(
        ApiConfig::default(),
        ServeConfig { shutdown_grace: Duration::from_secs(5), ..ServeConfig::default() },
    );
    let mut idle = connect(n.addr);
    let mut sse = SseClient::open(n.addr, "/v1/stream", "");
    let started = Instant::now();
    let server = n.stop_server();
    let result = n.runtime.block_on(server).expect("the server task");
    assert!(result.is_ok());
    assert!(started.elapsed() < Duration::from_secs(3), "no wait for the grace period");
    assert!(closed_within(&mut idle, Duration::from_secs(1)));
    assert_eq!(sse.next(), None, "the stream ended cleanly");
    assert!(TcpStream::connect(n.addr).is_err(), "no longer listening");
}
