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
