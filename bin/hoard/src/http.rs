//! The CLI's view of a node: `http://host:port`, JSON in and out, over the project's one small
//! blocking HTTP/1.1 client (`hoard_webdriver::http`). Plain HTTP to a node the user runs; put
//! TLS in front of a public node with a reverse proxy.

use std::{
    net::{SocketAddr, ToSocketAddrs},
    time::Duration,
};

use anyhow::{Context, bail};
use serde_json::Value;

/// Timeout of each step of a request (a submission waits for its block's durable commit).
const TIMEOUT: Duration = Duration::from_secs(60);

/// A node's address.
#[derive(Clone, Debug)]
pub struct Client {
    authority: String,
    addr: SocketAddr,
}

impl Client {
    /// Parses and resolves `http://host:port`.
    pub fn new(url: &str) -> anyhow::Result<Client> {
        let rest = url.strip_prefix("http://").context("the node URL must start with http://")?;
        let authority = rest.trim_end_matches('/').to_string();
        if authority.is_empty() || authority.contains('/') {
            bail!("the node URL must be http://host:port");
        }
        let addr = authority
            .to_socket_addrs()
            .with_context(|| format!("cannot resolve {authority}"))?
            .next()
            .with_context(|| format!("{authority} resolves to no address"))?;
        Ok(Client { authority, addr })
    }

    /// GET a JSON document: (status, body).
    pub fn get(&self, path: &str) -> anyhow::Result<(u16, Value)> {
        self.request("GET", path, None)
    }

    /// POST a JSON document: (status, body).
    pub fn post(&self, path: &str, body: &Value) -> anyhow::Result<(u16, Value)> {
        self.request("POST", path, Some(body.to_string()))
    }

    fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
    ) -> anyhow::Result<(u16, Value)> {
        let r = hoard_webdriver::http::request(
            self.addr,
            method,
            path,
            body.as_deref().map(str::as_bytes),
            TIMEOUT,
        )
        .map_err(|e| {
            // The shared client's message speaks of chromedriver (its other user); say what it
            // means here.
            let detail = match e {
                hoard_webdriver::Error::Http(d) => d,
                other => other.to_string(),
            };
            anyhow::anyhow!(
                "cannot reach the node at {} ({detail}); is `hoard node` running there? Start a \
                 local devnet with `hoard node --dev`, or give --node http://HOST:PORT",
                self.authority
            )
        })?;
        Ok((r.status, r.json()))
    }
}
