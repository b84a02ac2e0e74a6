//! A devnet node on a temporary SQLite file with the API served on 127.0.0.1.

use std::{net::SocketAddr, sync::Arc};

use alloy_primitives::{Address, U256};
use hoard_api::AppState;
use hoard_core::command::{Command, SignedCommand, Transfer};
use hoard_node::{Node, NodeConfig, NodeHandle, devnet};

pub struct TestNode {
    pub node: Option<Node>,
    pub handle: NodeHandle,
    pub addr: SocketAddr,
    pub _dir: tempfile::TempDir,
    /// Keeps the server's runtime alive for the node's lifetime.
    #[allow(dead_code)]
    pub runtime: Arc<tokio::runtime::Runtime>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestNode {
    /// Starts a devnet node with 20 ms blocks and serves the API on a free port.
    pub fn start() -> TestNode {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("hoard.sqlite");
        let store = hoard_store::open(&path.to_string_lossy()).expect("store");
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_secs();
        let genesis = devnet::genesis(now - 60);
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
        let state = AppState::new(handle.clone());
        runtime.spawn(async move {
            let _ = hoard_api::serve(listener, state, async move {
                let _ = rx.await;
            })
            .await;
        });
        TestNode { node: Some(node), handle, addr, _dir: dir, runtime, shutdown: Some(tx) }
    }

    #[allow(dead_code)]
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
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

/// A blocking HTTP/1.1 request over std (tests only): returns status and body.
pub fn http(addr: SocketAddr, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(std::time::Duration::from_secs(30))).expect("timeout");
    let body = body.unwrap_or("");
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    // A server may answer early (413 from the Content-Length header) and close without reading
    // the body: a failed write or a reset after the answer is not the test's concern, the answer is.
    let _ = s.write_all(req.as_bytes());
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let chunked = head.to_ascii_lowercase().contains("transfer-encoding: chunked");
    (status, if chunked { dechunk(rest) } else { rest.to_string() })
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}
