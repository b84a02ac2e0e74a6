//! Runs `hoard node --dev` as a child process.

use std::{
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use serde_json::Value;

pub fn hoard() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hoard"))
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

pub struct NodeProcess {
    pub child: Child,
    pub port: u16,
}

impl NodeProcess {
    pub fn start(data_dir: &Path) -> NodeProcess {
        let port = free_port();
        let child = hoard()
            .args(["node", "--dev", "--listen", &format!("127.0.0.1:{port}"), "--data-dir"])
            .arg(data_dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("hoard node starts");
        let n = NodeProcess { child, port };
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(30) {
            if n.get("/healthz").is_some_and(|(s, _)| s == 200) {
                return n;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the node did not become healthy");
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn get(&self, path: &str) -> Option<(u16, Value)> {
        request(self.port, "GET", path, None)
    }

    pub fn post(&self, path: &str, body: &Value) -> Option<(u16, Value)> {
        request(self.port, "POST", path, Some(&body.to_string()))
    }

    /// kill -9.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP request; None when the connection fails (e.g. the node was killed).
pub fn request(port: u16, method: &str, path: &str, body: Option<&str>) -> Option<(u16, Value)> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    let body = body.unwrap_or("");
    write!(s, "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len()).ok()?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).ok()?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, rest) = text.split_once("\r\n\r\n")?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    let body = if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        let mut out = String::new();
        let mut s = rest;
        while let Some((size, tail)) = s.split_once("\r\n") {
            let n = usize::from_str_radix(size.trim(), 16).ok()?;
            if n == 0 || tail.len() < n {
                break;
            }
            out.push_str(&tail[..n]);
            s = tail[n..].trim_start_matches("\r\n");
        }
        out
    } else {
        rest.to_string()
    };
    Some((status, serde_json::from_str(&body).unwrap_or(Value::String(body))))
}
