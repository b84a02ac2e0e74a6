//! A devnet node on a temporary SQLite file with the API served on 127.0.0.1, and raw HTTP/1.1
//! and server-sent-event clients for the tests that need to see the bytes.

#![allow(dead_code)]

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::{SocketAddr, TcpStream},
    sync::Arc,
    time::Duration,
};

use alloy_primitives::{Address, U256};
use hoard_api::{ApiConfig, AppState, ServeConfig};
use hoard_core::command::{Command, SignedCommand, Transfer};
use hoard_node::{Node, NodeConfig, NodeHandle, devnet};

pub struct TestNode {
    pub node: Option<Node>,
    pub handle: NodeHandle,
    /// The API's state (its SSE hub, its limiter).
    pub state: AppState,
    pub addr: SocketAddr,
    pub _dir: tempfile::TempDir,
    /// Keeps the server's runtime alive for the node's lifetime.
    pub runtime: Arc<tokio::runtime::Runtime>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl TestNode {
    /// Starts a devnet node with 20 ms blocks and serves the API on a free port.
    pub fn start() -> TestNode {
        TestNode::start_with(ApiConfig::default(), ServeConfig::default())
    }

    /// As [`TestNode::start`], with these API and server settings.
    pub fn start_with(api: ApiConfig, serve: ServeConfig) -> TestNode {
        TestNode::start_chain(devnet::DEVNET_CHAIN_ID, api, serve)
    }

    /// As [`TestNode::start_with`], on the devnet's genesis with another chain id (not the
    /// devnet, then: demo names and the devnet badge do not apply).
    pub fn start_chain(chain_id: u64, api: ApiConfig, serve: ServeConfig) -> TestNode {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("hoard.sqlite");
        let store = hoard_store::open(&path.to_string_lossy()).expect("store");
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_secs();
        let mut genesis = devnet::genesis(now - 60);
        genesis.chain_id = chain_id;
        let config = NodeConfig {
            block_interval: std::time::Duration::from_millis(20),
            ..NodeConfig::default()
        };
        let node = Node::open(store, &genesis, config).expect("node");
        let handle = node.handle();
        let runtime = Arc::new(
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime"),
        );
        let listener =
            runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let state = AppState::with_config(handle.clone(), api);
        let server =
            runtime.spawn(hoard_api::serve_with(listener, state.clone(), serve, async move {
                let _ = rx.await;
            }));
        TestNode {
            node: Some(node),
            handle,
            state,
            addr,
            _dir: dir,
            runtime,
            shutdown: Some(tx),
            server: Some(server),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Starts the server's graceful shutdown; the handle resolves when `serve_with` returns.
    pub fn stop_server(&mut self) -> tokio::task::JoinHandle<std::io::Result<()>> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.server.take().expect("server still running")
    }

    /// A command signed by a demo account, as the JSON body of `POST /v1/tx`.
    pub fn signed_json(&self, from: &str, cmd: Command) -> serde_json::Value {
        let domain = self.handle.committed().engine.domain().clone();
        let key = devnet::account(from).expect("demo account").secret;
        let signed = SignedCommand::sign(cmd.clone(), &domain, &key);
        serde_json::json!({
            "type": cmd.name(),
            "message": cmd.to_json(),
            "signature": alloy_primitives::hex::encode_prefixed(signed.signature),
        })
    }

    /// The next nonce of a demo account.
    pub fn nonce(&self, name: &str) -> u64 {
        let a = devnet::account(name).expect("demo account").address;
        self.handle.committed().engine.nonce(&a)
    }

    /// A signed ICY transfer from a demo account, as the JSON body of `POST /v1/tx`.
    pub fn signed_transfer_json(
        &self,
        from: &str,
        to: Address,
        amount: U256,
        nonce: u64,
    ) -> serde_json::Value {
        let c = self.handle.committed();
        let cmd = Command::Transfer(Transfer {
            token: c.engine.addresses().icy,
            to,
            amount,
            nonce,
            deadline: u64::MAX,
        });
        let key = devnet::account(from).expect("demo account").secret;
        let signed = SignedCommand::sign(cmd.clone(), c.engine.domain(), &key);
        serde_json::json!({
            "type": "Transfer",
            "message": cmd.to_json(),
            "signature": alloy_primitives::hex::encode_prefixed(signed.signature),
        })
    }

    /// Commits `blocks` blocks of `per_block` transfers from alice (starting at her `nonce`);
    /// returns the next nonce and the committed heights.
    pub fn transfer_blocks(
        &self,
        blocks: usize,
        per_block: u64,
        mut nonce: u64,
    ) -> (u64, Vec<u64>) {
        let bob = devnet::account("bob").expect("bob").address;
        let mut heights = Vec::new();
        for _ in 0..blocks {
            let commands: Vec<serde_json::Value> = (0..per_block)
                .map(|i| self.signed_transfer_json("alice", bob, U256::from(1u8), nonce + i))
                .collect();
            nonce += per_block;
            let (s, v) =
                post_json(self.addr, "/v1/txs", &serde_json::json!({ "commands": commands }));
            assert_eq!(s, 200, "{v}");
            let h = v["results"][0]["height"].as_u64().expect("height");
            assert!(
                v["results"].as_array().expect("results").iter().all(|r| r["height"] == h),
                "one block per batch"
            );
            heights.push(h);
        }
        (nonce, heights)
    }
}

impl Drop for TestNode {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(node) = self.node.take() {
            node.shutdown();
        }
    }
}

/// One HTTP request: status and body text.
pub fn http(addr: SocketAddr, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
    let r = hoard_webdriver::http::request(
        addr,
        method,
        path,
        body.map(str::as_bytes),
        std::time::Duration::from_secs(30),
    )
    .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    (r.status, String::from_utf8_lossy(&r.body).into_owned())
}

/// `GET`, the body as JSON (or a JSON string when it is not JSON).
pub fn get_json(addr: SocketAddr, path: &str) -> (u16, serde_json::Value) {
    let (s, b) = http(addr, "GET", path, None);
    (s, serde_json::from_str(&b).unwrap_or(serde_json::Value::String(b)))
}

/// `POST` a JSON body, the answer as JSON.
pub fn post_json(
    addr: SocketAddr,
    path: &str,
    body: &serde_json::Value,
) -> (u16, serde_json::Value) {
    let (s, b) = http(addr, "POST", path, Some(&body.to_string()));
    (s, serde_json::from_str(&b).unwrap_or(serde_json::Value::String(b)))
}

/// A response read off a raw socket.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    /// Header lines, names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?} {:?}", self.status, self.body))
    }

    /// The error code of a JSON error body.
    pub fn code(&self) -> String {
        self.json()["error"]["code"].as_str().unwrap_or("").to_string()
    }
}

/// A raw connection with a read timeout.
pub fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    s
}

/// Reads one response (a `Content-Length` body, or up to EOF without one) off `reader`.
pub fn read_response(reader: &mut BufReader<TcpStream>) -> RawResponse {
    let mut line = String::new();
    reader.read_line(&mut line).expect("status line");
    let status = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {line:?}"));
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).expect("header line");
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let (n, v) = l.split_once(':').expect("header");
        headers.push((n.trim().to_ascii_lowercase(), v.trim().to_string()));
    }
    let len = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map(|(_, v)| v.parse::<usize>().expect("length"));
    let mut body = Vec::new();
    match len {
        Some(n) => {
            body.resize(n, 0);
            reader.read_exact(&mut body).expect("body");
        }
        None => {
            reader.read_to_end(&mut body).expect("body");
        }
    }
    RawResponse { status, headers, body: String::from_utf8_lossy(&body).into_owned() }
}

/// Writes `request` on a new connection and reads the answer.
pub fn raw(addr: SocketAddr, request: &[u8]) -> RawResponse {
    let mut s = connect(addr);
    s.write_all(request).expect("write");
    read_response(&mut BufReader::new(s))
}

/// Whether the server closed `s` (EOF or reset) within `within`; false if it is still open.
pub fn closed_within(s: &mut TcpStream, within: Duration) -> bool {
    s.set_read_timeout(Some(within)).expect("timeout");
    let mut b = [0u8; 1];
    match s.read(&mut b) {
        Ok(0) => true,
        Ok(_) => panic!("unexpected data"),
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) =>
        {
            false
        }
        Err(_) => true,
    }
}

/// One server-sent event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    pub id: Option<String>,
    pub event: String,
    pub data: String,
}

impl SseEvent {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.data).expect("event data is JSON")
    }
}

/// A `GET /v1/stream` client over a raw socket: de-chunks the body and parses events.
pub struct SseClient {
    reader: BufReader<TcpStream>,
    text: String,
    ended: bool,
}

impl SseClient {
    /// Opens the stream with extra request header lines (`"Last-Event-ID: 5\r\n"`), checks the
    /// 200 and the content type.
    pub fn open(addr: SocketAddr, path_and_query: &str, extra_headers: &str) -> SseClient {
        SseClient::open_on(connect(addr), path_and_query, extra_headers)
    }

    /// As [`SseClient::open`] on a socket the caller configured.
    pub fn open_on(mut s: TcpStream, path_and_query: &str, extra_headers: &str) -> SseClient {
        write!(
            s,
            "GET {path_and_query} HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n{extra_headers}\r\n"
        )
        .expect("write");
        let mut reader = BufReader::new(s);
        let mut line = String::new();
        reader.read_line(&mut line).expect("status");
        assert!(line.starts_with("HTTP/1.1 200"), "{line}");
        let mut chunked = false;
        loop {
            line.clear();
            reader.read_line(&mut line).expect("header");
            if line == "\r\n" {
                break;
            }
            let lower = line.to_ascii_lowercase();
            chunked |= lower.starts_with("transfer-encoding:") && lower.contains("chunked");
            if lower.starts_with("content-type:") {
                assert!(lower.contains("text/event-stream"), "{line}");
            }
        }
        assert!(chunked, "an SSE response is chunked");
        SseClient { reader, text: String::new(), ended: false }
    }

    /// Reads one chunk of the body into `text`; false at the end of the body.
    fn read_chunk(&mut self) -> bool {
        let mut line = String::new();
        if self.reader.read_line(&mut line).expect("chunk size") == 0 {
            return false;
        }
        let size = usize::from_str_radix(line.trim(), 16).expect("chunk size");
        if size == 0 {
            return false;
        }
        let mut data = vec![0u8; size + 2];
        self.reader.read_exact(&mut data).expect("chunk");
        self.text.push_str(std::str::from_utf8(&data[..size]).expect("utf8"));
        true
    }

    /// The next event (comments skipped); `None` when the stream ended.
    pub fn next(&mut self) -> Option<SseEvent> {
        loop {
            if let Some(end) = self.text.find("\n\n") {
                let block: String = self.text.drain(..end + 2).collect();
                let mut ev = SseEvent { id: None, event: "message".into(), data: String::new() };
                let mut any = false;
                for line in block.lines() {
                    if line.starts_with(':') || line.is_empty() {
                        continue;
                    }
                    any = true;
                    let (field, value) = line.split_once(':').unwrap_or((line, ""));
                    let value = value.strip_prefix(' ').unwrap_or(value);
                    match field {
                        "id" => ev.id = Some(value.to_string()),
                        "event" => ev.event = value.to_string(),
                        "data" => ev.data.push_str(value),
                        _ => {}
                    }
                }
                if any {
                    return Some(ev);
                }
                continue;
            }
            if self.ended || !self.read_chunk() {
                self.ended = true;
                return None;
            }
        }
    }

    /// Events until (and including) the one with id `last`.
    pub fn until_id(&mut self, last: &str) -> Vec<SseEvent> {
        let mut out = Vec::new();
        while let Some(e) = self.next() {
            let done = e.id.as_deref() == Some(last);
            out.push(e);
            if done {
                return out;
            }
        }
        panic!("the stream ended before event {last}: got {:?}", out.last());
    }
}

/// The ids of every event of the blocks `from..=to` in order, from the store: `"<h>"`, then
/// `"<h>-<i>"` for each log of block `h`.
pub fn expected_ids(handle: &NodeHandle, from: u64, to: u64) -> Vec<String> {
    let mut ids = Vec::new();
    for h in from..=to {
        if handle.store().block(h).expect("block").is_none() {
            continue;
        }
        ids.push(h.to_string());
        let logs: usize = handle
            .store()
            .txs_in_block(h)
            .expect("txs")
            .iter()
            .map(|t| hoard_core::Receipt::decode(&t.receipt).expect("receipt").logs.len())
            .sum();
        ids.extend((0..logs).map(|i| format!("{h}-{i}")));
    }
    ids
}
