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

/// Says plainly, past libtest's capture, that the running test skipped and why.
pub fn skip(why: &str) {
    let test = std::thread::current().name().unwrap_or("a test").to_string();
    let _ =
        std::io::Write::write_fmt(&mut std::io::stderr(), format_args!("skipped: {test}: {why}\n"));
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

pub struct NodeProcess {
    pub child: Child,
    pub port: u16,
}

/// Runs `hoard node --dev` on `data_dir` with `extra` arguments, expecting it to refuse to start:
/// returns its stderr, or panics if it serves instead.
pub fn node_refuses(data_dir: &Path, extra: &[&str]) -> String {
    let port = free_port();
    let mut child = hoard()
        .args(["node", "--dev", "--listen", &format!("127.0.0.1:{port}"), "--data-dir"])
        .arg(data_dir)
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("hoard node starts");
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(30) {
        if let Ok(Some(status)) = child.try_wait() {
            assert!(!status.success(), "the node was expected to refuse to start");
            let mut err = String::new();
            if let Some(mut pipe) = child.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut pipe, &mut err);
            }
            return err;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the node kept running although it should have refused to start");
}

impl NodeProcess {
    /// Spawns `hoard node --dev` on `data_dir` with `extra` arguments and waits until `/healthz`
    /// satisfies `ready`.
    fn spawn_until(
        data_dir: &Path,
        extra: &[&str],
        what: &str,
        ready: impl Fn(u16, &Value) -> bool,
    ) -> NodeProcess {
        let port = free_port();
        let child = hoard()
            .args(["node", "--dev", "--listen", &format!("127.0.0.1:{port}"), "--data-dir"])
            .arg(data_dir)
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("hoard node starts");
        let n = NodeProcess { child, port };
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(30) {
            if n.get("/healthz").is_some_and(|(s, v)| ready(s, &v)) {
                return n;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the node did not become {what}");
    }

    /// Starts `hoard node --dev` with extra arguments.
    pub fn start_with(data_dir: &Path, extra: &[&str]) -> NodeProcess {
        NodeProcess::spawn_until(data_dir, extra, "healthy", |s, _| s == 200)
    }

    /// Starts a node that serves but whose `/healthz` reports damage (503 with `damage`).
    pub fn start_unhealthy(data_dir: &Path) -> NodeProcess {
        NodeProcess::spawn_until(data_dir, &[], "unhealthy with damage", |s, v| {
            s == 503 && v["damage"].is_string()
        })
    }

    pub fn start(data_dir: &Path) -> NodeProcess {
        NodeProcess::start_with(data_dir, &[])
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
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let r = hoard_webdriver::http::request(
        addr,
        method,
        path,
        body.map(str::as_bytes),
        Duration::from_secs(30),
    )
    .ok()?;
    Some((r.status, r.json()))
}
