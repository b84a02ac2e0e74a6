//! A minimal blocking HTTP/1.1 JSON client for the CLI (plain HTTP to a node the user runs;
//! put TLS in front of a public node with a reverse proxy).

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::TcpStream,
    time::Duration,
};

use anyhow::{Context, bail};
use serde_json::Value;

/// Longest response accepted.
const RESPONSE_BYTES_MAX: usize = 64 * 1024 * 1024;
/// Socket timeout.
const TIMEOUT: Duration = Duration::from_secs(60);

/// A node URL split into host:port and path prefix.
#[derive(Clone, Debug)]
pub struct Client {
    authority: String,
}

impl Client {
    /// Parses `http://host:port`.
    pub fn new(url: &str) -> anyhow::Result<Client> {
        let rest = url.strip_prefix("http://").context("the node URL must start with http://")?;
        let authority = rest.trim_end_matches('/').to_string();
        if authority.is_empty() || authority.contains('/') {
            bail!("the node URL must be http://host:port");
        }
        Ok(Client { authority })
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
        let mut s = TcpStream::connect(&self.authority)
            .with_context(|| format!("cannot reach the node at {}", self.authority))?;
        s.set_read_timeout(Some(TIMEOUT))?;
        s.set_write_timeout(Some(TIMEOUT))?;
        let body = body.unwrap_or_default();
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: {}\r\n\r\n",
            self.authority,
            body.len()
        )?;
        s.write_all(body.as_bytes())?;
        let mut r = BufReader::new(s);
        let mut status_line = String::new();
        r.read_line(&mut status_line)?;
        let status: u16 = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .context("malformed HTTP response")?;
        let (mut length, mut chunked) = (None, false);
        loop {
            let mut line = String::new();
            r.read_line(&mut line)?;
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let lower = line.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                length = v.trim().parse::<usize>().ok();
            }
            if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
                chunked = true;
            }
        }
        let mut raw = Vec::new();
        if chunked {
            loop {
                let mut size = String::new();
                r.read_line(&mut size)?;
                let n = usize::from_str_radix(size.trim(), 16).context("malformed chunk")?;
                if n == 0 {
                    break;
                }
                if raw.len() + n > RESPONSE_BYTES_MAX {
                    bail!("response too large");
                }
                let mut chunk = vec![0u8; n + 2];
                r.read_exact(&mut chunk)?;
                raw.extend_from_slice(&chunk[..n]);
            }
        } else if let Some(n) = length {
            if n > RESPONSE_BYTES_MAX {
                bail!("response too large");
            }
            raw.resize(n, 0);
            r.read_exact(&mut raw)?;
        } else {
            r.take(RESPONSE_BYTES_MAX as u64).read_to_end(&mut raw)?;
        }
        let value = serde_json::from_slice(&raw)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&raw).into_owned()));
        Ok((status, value))
    }
}
