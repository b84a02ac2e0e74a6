//! `/v1/stream` over real sockets: event ids, resuming with `Last-Event-ID` or `?from_height=`
//! (from the buffer and from the store), a stalled subscriber told it lagged with the block to
//! resume from, and the buffer's memory bound.

use std::time::Duration;

use alloy_primitives::{U256, hex};
use hoard_api::{ApiConfig, ServeConfig, sse::SseConfig};
use hoard_core::command::{Burn, Command, SignedCommand};
use hoard_node::devnet;
use serde_json::json;

use crate::support::{SseClient, SseEvent, TestNode, expected_ids, post_json};

fn ids(events: &[SseEvent]) -> Vec<String> {
    events.iter().map(|e| e.id.clone().unwrap_or_else(|| format!("<{}>", e.event))).collect()
}

/// The ids of blocks `from..=to` that come after `after` (which must be among them).
fn ids_after(n: &TestNode, after: &str, from: u64, to: u64) -> Vec<String> {
    let all = expected_ids(&n.handle, from, to);
    let i = all.iter().position(|id| id == after).expect("the id is in the range");
    all[i + 1..].to_vec()
}

fn head(n: &TestNode) -> u64 {
    n.handle.committed().head.height
}

/// Each event's data agrees with its id.
fn check_data(events: &[SseEvent]) {
    for e in events {
        let id = e.id.as_deref().expect("an id");
        let v = e.json();
        match id.split_once('-') {
            None => {
                assert_eq!(e.event, "block");
                assert_eq!(v["height"].to_string(), id);
                let time = v["time_s"].as_u64().expect("time_s");
                assert_eq!(v["time_iso"], crate::pages::utc_iso(time), "{v}");
            }
            Some((h, i)) => {
                assert_eq!(e.event, "log");
                assert_eq!(v["height"].to_string(), h);
                assert_eq!(v["log_index"].to_string(), i);
                assert!(v["tx_hash"].is_string() && v["name"].is_string(), "{v}");
            }
        }
    }
}

#[test]
fn resuming_gets_exactly_the_missed_events_in_order() {
    let n = TestNode::start();
    let mut a = SseClient::open(n.addr, "/v1/stream", "");
    let (nonce, heights) = n.transfer_blocks(3, 5, 0);
    // Read into the middle of the second block, then disconnect.
    let stop = format!("{}-2", heights[1]);
    let seen = a.until_id(&stop);
    let want = expected_ids(&n.handle, heights[0], heights[1]);
    let upto = want.iter().position(|id| *id == stop).expect("stop is an event") + 1;
    assert_eq!(ids(&seen), want[..upto]);
    check_data(&seen);
    drop(a);
    let (nonce, _) = n.transfer_blocks(2, 4, nonce);
    let head = head(&n);
    // Right after the last event seen, from the buffer.
    let mut b = SseClient::open(n.addr, "/v1/stream", &format!("Last-Event-ID: {stop}\r\n"));
    let want = ids_after(&n, &stop, heights[1], head);
    let got = b.until_id(want.last().expect("events"));
    assert_eq!(ids(&got), want);
    check_data(&got);
    // And then live, with nothing skipped or repeated.
    let (_, more) = n.transfer_blocks(1, 2, nonce);
    let next = b.next().expect("live event");
    assert_eq!(next.id, Some(more[0].to_string()));
    // From a block with the query parameter.
    let mut c = SseClient::open(n.addr, &format!("/v1/stream?from_height={}", heights[2]), "");
    let want = expected_ids(&n.handle, heights[2], more[0]);
    assert_eq!(ids(&c.until_id(want.last().expect("events"))), want);
    // Right after a block event: its logs come next.
    let mut d =
        SseClient::open(n.addr, "/v1/stream", &format!("Last-Event-ID: {}\r\n", heights[2]));
    let next = d.next().expect("event");
    assert_eq!(next.id, Some(format!("{}-0", heights[2])));
}

#[test]
fn resuming_from_before_the_buffer_reads_the_store_within_the_bound() {
    let sse = SseConfig { backfill_blocks_max: 4, ..SseConfig::default() };
    let n = TestNode::start_with(ApiConfig { sse, ..ApiConfig::default() }, ServeConfig::default());
    // Blocks committed before any subscriber: none of them is in the buffer.
    let (_, heights) = n.transfer_blocks(6, 3, 0);
    let head = head(&n);
    assert_eq!(head, heights[5]);
    // Four blocks back (3..=6) is within the bound: replayed from the store, exactly.
    let last = format!("{}-1", heights[2]);
    let mut a = SseClient::open(n.addr, "/v1/stream", &format!("Last-Event-ID: {last}\r\n"));
    let want = ids_after(&n, &last, heights[2], head);
    let got = a.until_id(want.last().expect("events"));
    assert_eq!(ids(&got), want);
    check_data(&got);
    // Five blocks back is not: a final `lagged` event (no id), then the stream ends.
    let mut b = SseClient::open(n.addr, &format!("/v1/stream?from_height={}", heights[1]), "");
    let lagged = b.next().expect("lagged");
    assert_eq!((lagged.event.as_str(), lagged.id.as_deref()), ("lagged", None));
    let v = lagged.json();
    assert_eq!(v["resume_from_height"], json!(heights[1]));
    assert!(v["reason"].as_str().is_some_and(|r| r.contains("older")), "{v}");
    assert!(v["hint"].as_str().is_some_and(|h| h.contains("Last-Event-ID")), "{v}");
    assert_eq!(b.next(), None);
}

/// A burn with the longest reason: about 1 KB of event per command.
fn burn(n: &TestNode, nonce: u64) -> serde_json::Value {
    let c = n.handle.committed();
    let cmd = Command::Burn(Burn {
        amount: U256::from(1u8),
        reason: "r".repeat(256),
        nonce,
        deadline: u64::MAX,
    });
    let key = devnet::account("alice").expect("alice").secret;
    let signed = SignedCommand::sign(cmd.clone(), c.engine.domain(), &key);
    json!({ "type": "Burn", "message": cmd.to_json(), "signature": hex::encode_prefixed(signed.signature) })
}

#[test]
fn a_stalled_subscriber_gets_lagged_with_the_block_to_resume_from() {
    const BUFFER: usize = 2 * 1024 * 1024;
    let sse =
        SseConfig { buffer_bytes_max: BUFFER, buffer_blocks_max: 64, backfill_blocks_max: 64 };
    let n = TestNode::start_with(ApiConfig { sse, ..ApiConfig::default() }, ServeConfig::default());
    // A subscriber with a small receive buffer that reads nothing while blocks are produced.
    let socket =
        socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).expect("socket");
    socket.set_recv_buffer_size(4096).expect("rcvbuf");
    socket.connect(&n.addr.into()).expect("connect");
    let stream: std::net::TcpStream = socket.into();
    stream.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    let mut stalled = SseClient::open_on(stream, "/v1/stream", "");
    let start = n.state.sse.stats().next_height;
    // About 9 MB of events: more than the kernel's socket buffers (a few MB) plus the ring.
    let mut nonce = 0;
    for _ in 0..9 {
        let commands: Vec<_> = (0..1000).map(|i| burn(&n, nonce + i)).collect();
        nonce += 1000;
        let (s, v) = post_json(n.addr, "/v1/txs", &json!({ "commands": commands }));
        assert_eq!(s, 200, "{v}");
        let stats = n.state.sse.stats();
        assert!(stats.bytes <= BUFFER && stats.bytes_peak <= BUFFER, "{stats:?}");
        assert!(stats.blocks <= 64);
    }
    let head = head(&n);
    // Now read: contiguous events from the start, then `lagged` naming the next block.
    let mut got = Vec::new();
    let lagged = loop {
        let e = stalled.next().expect("the stream ends with lagged, not silently");
        if e.event == "lagged" {
            break e;
        }
        got.push(e);
    };
    assert_eq!(stalled.next(), None, "the stream ends after lagged");
    assert!(!got.is_empty());
    let last_block: u64 = got
        .last()
        .and_then(|e| e.id.as_deref())
        .map(|id| id.split('-').next().unwrap_or("").parse().expect("height"))
        .expect("an id");
    // Every event up to the end of its last block, none skipped.
    assert_eq!(ids(&got), expected_ids(&n.handle, start, last_block));
    let v = lagged.json();
    assert_eq!(v["resume_from_height"], json!(last_block + 1), "{v}");
    let stats = n.state.sse.stats();
    assert!(stats.first_height > last_block + 1, "the ring moved past the subscriber: {stats:?}");
    assert_eq!(v["oldest_buffered_height"].as_u64().map(|h| h <= stats.first_height), Some(true));
    assert!(stats.bytes_peak <= BUFFER && stats.bytes_peak > 0, "{stats:?}");
    assert!(last_block < head);
    // Reconnecting with the last id seen resumes exactly where it stopped.
    let last_id = got.last().and_then(|e| e.id.clone()).expect("id");
    let mut again = SseClient::open(n.addr, "/v1/stream", &format!("Last-Event-ID: {last_id}\r\n"));
    let want = expected_ids(&n.handle, last_block + 1, head);
    let resumed = again.until_id(want.last().expect("events"));
    assert_eq!(ids(&resumed), want);
}
