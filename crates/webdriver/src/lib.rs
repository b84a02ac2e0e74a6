//! A minimal, blocking W3C WebDriver client that drives headless Chromium through
//! `chromedriver`, so that Hoard's end-to-end browser tests stay in plain Rust test functions.
//!
//! # Purpose
//!
//! The dashboard and API pages are tested in a real browser. A full async WebDriver client would
//! pull tokio and a TLS-capable HTTP stack into every test build; this crate needs neither: it
//! talks to a chromedriver it starts itself, on the loopback interface, with a few hundred lines
//! of HTTP/1.1.
//!
//! # Design
//!
//! - [`Browser::launch`] checks that chromium and chromedriver exist ([`available`] answers the
//!   same question without starting anything, so tests can print
//!   `skipped: chromium/chromedriver not installed` and pass), picks a free port on 127.0.0.1,
//!   starts chromedriver there, polls `/status` until it is ready, and creates a session running
//!   Chromium headless with a fresh `--user-data-dir` in a temporary directory.
//! - Paths default to Debian's `/usr/bin/chromium` and `/usr/bin/chromedriver`; the environment
//!   variables `HOARD_CHROMIUM` and `HOARD_CHROMEDRIVER` override them ([`Config::from_env`]).
//! - Each command is one HTTP request on its own connection (`Connection: close`); answers are
//!   parsed as W3C JSON (`{"value": ...}`), and W3C errors become [`Error::Command`] with the
//!   error code (`no such element`, ...).
//! - [`Browser::wait_until`] polls a closure every [`POLL_INTERVAL_MS`] ms until it yields a value,
//!   treating transient errors (no such element, stale element) as "not yet".
//! - Dropping the [`Browser`] deletes the session (Chromium quits), asks chromedriver to shut
//!   down, kills it if it lingers, and removes the temporary directory.
//!
//! # Limits
//!
//! Responses above [`RESPONSE_BYTES_MAX`] are refused; every request has a timeout
//! ([`Config::request_timeout`]); chromedriver gets [`Config::startup_timeout`] to come up.
//! This is test tooling: it trusts the local chromedriver and never talks to the network itself.
//!
//! Its HTTP/1.1 client ([`http::request`]) is public: it is also the small blocking JSON client of
//! the `hoard` CLI and of the end-to-end tests, so the project has one such client, not several.

mod error;
pub mod http;

use std::fs;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use serde_json::{Value, json};

pub use error::{Error, Result};

/// Default path of the Chromium binary (Debian's `chromium` package).
pub const CHROMIUM_DEFAULT: &str = "/usr/bin/chromium";
/// Default path of chromedriver (Debian's `chromium-driver` package).
pub const CHROMEDRIVER_DEFAULT: &str = "/usr/bin/chromedriver";
/// Environment variable overriding the Chromium path.
pub const CHROMIUM_ENV: &str = "HOARD_CHROMIUM";
/// Environment variable overriding the chromedriver path.
pub const CHROMEDRIVER_ENV: &str = "HOARD_CHROMEDRIVER";
/// Largest HTTP response body accepted from chromedriver (screenshots are the big ones).
pub const RESPONSE_BYTES_MAX: usize = 64 * 1024 * 1024;
/// Interval between two polls of [`Browser::wait_until`] and of chromedriver's `/status`.
pub const POLL_INTERVAL_MS: u64 = 50;

/// The W3C key of an element reference in JSON.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
/// The Chromium flags every session gets (besides `--user-data-dir` and the window size).
pub const CHROMIUM_FLAGS: [&str; 8] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// Where the programs are and how long to wait for them.
#[derive(Debug, Clone)]
pub struct Config {
    /// The Chromium binary.
    pub chromium: PathBuf,
    /// The chromedriver binary.
    pub chromedriver: PathBuf,
    /// How long chromedriver may take to answer `/status` as ready.
    pub startup_timeout: Duration,
    /// Timeout of each WebDriver request (session creation included).
    pub request_timeout: Duration,
    /// Browser window size in CSS pixels (width, height), for reproducible screenshots.
    pub window_size: (u32, u32),
}

impl Config {
    /// Defaults, with the paths overridden by `HOARD_CHROMIUM` and `HOARD_CHROMEDRIVER` if set.
    pub fn from_env() -> Self {
        let path = |var: &str, default: &str| {
            std::env::var_os(var)
                .filter(|v| !v.is_empty())
                .map_or_else(|| PathBuf::from(default), PathBuf::from)
        };
        Config {
            chromium: path(CHROMIUM_ENV, CHROMIUM_DEFAULT),
            chromedriver: path(CHROMEDRIVER_ENV, CHROMEDRIVER_DEFAULT),
            startup_timeout: Duration::from_secs(20),
            request_timeout: Duration::from_secs(60),
            window_size: (1280, 800),
        }
    }

    /// Whether both programs exist at their configured paths.
    pub fn available(&self) -> bool {
        self.check().is_ok()
    }

    fn check(&self) -> Result<()> {
        if !self.chromium.is_file() {
            let path = self.chromium.clone();
            return Err(Error::NotInstalled { what: "chromium", path, env: CHROMIUM_ENV });
        }
        if !self.chromedriver.is_file() {
            let path = self.chromedriver.clone();
            return Err(Error::NotInstalled { what: "chromedriver", path, env: CHROMEDRIVER_ENV });
        }
        Ok(())
    }
}

/// Whether chromium and chromedriver are installed (at the paths of [`Config::from_env`]).
pub fn available() -> bool {
    Config::from_env().available()
}

/// A running chromedriver with one Chromium session. Dropping it ends both.
#[derive(Debug)]
pub struct Browser {
    driver: Child,
    addr: SocketAddr,
    session_id: String,
    temp_dir: PathBuf,
    request_timeout: Duration,
}

/// An element of the current page, found by [`Browser::find`] or [`Browser::find_all`].
#[derive(Debug, Clone)]
pub struct Element<'b> {
    browser: &'b Browser,
    id: String,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium session with [`Config::from_env`].
    pub fn launch() -> Result<Self> {
        Self::launch_with(Config::from_env())
    }

    /// Starts chromedriver and a headless Chromium session.
    pub fn launch_with(config: Config) -> Result<Self> {
        config.check()?;
        let temp_dir = make_temp_dir()?;
        let port = free_port()?;
        let log_path = temp_dir.join("chromedriver.log");
        let log = fs::File::create(&log_path).map_err(Error::Spawn)?;
        let driver = Command::new(&config.chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| {
                let _ = fs::remove_dir_all(&temp_dir);
                Error::Spawn(e)
            })?;
        // From here on, Drop cleans up whatever exists.
        let mut browser = Browser {
            driver,
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
            session_id: String::new(),
            temp_dir,
            request_timeout: config.request_timeout,
        };
        browser.wait_for_driver(config.startup_timeout, &log_path)?;
        browser.session_id = browser.new_session(&config)?;
        Ok(browser)
    }

    fn wait_for_driver(&mut self, timeout: Duration, log_path: &Path) -> Result<()> {
        let start = Instant::now();
        loop {
            if let Ok(Some(status)) = self.driver.try_wait() {
                return Err(Error::StartTimeout {
                    waited_ms: start.elapsed().as_millis(),
                    detail: format!("chromedriver exited ({status}): {}", log_tail(log_path)),
                });
            }
            let poll = Duration::from_millis(500);
            if let Ok(r) = http::request(self.addr, "GET", "/status", None, poll) {
                let ready = serde_json::from_slice::<Value>(&r.body)
                    .ok()
                    .and_then(|v| v["value"]["ready"].as_bool())
                    .unwrap_or(false);
                if r.status == 200 && ready {
                    return Ok(());
                }
            }
            if start.elapsed() > timeout {
                return Err(Error::StartTimeout {
                    waited_ms: start.elapsed().as_millis(),
                    detail: log_tail(log_path),
                });
            }
            std::thread::sleep(Duration::from_millis(POLL_INTERVAL_MS));
        }
    }

    fn new_session(&self, config: &Config) -> Result<String> {
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|f| (*f).to_owned()).collect();
        args.push(format!("--user-data-dir={}", self.temp_dir.join("profile").display()));
        args.push(format!("--window-size={},{}", config.window_size.0, config.window_size.1));
        let caps = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": {
                        "binary": config.chromium.to_string_lossy(),
                        "args": args,
                    }
                }
            }
        });
        let value = self.call("POST", "/session", Some(&caps))?;
        value["sessionId"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| Error::Protocol(format!("no sessionId in {value}")))
    }

    /// The port chromedriver listens on (127.0.0.1).
    pub fn driver_port(&self) -> u16 {
        self.addr.port()
    }

    /// The WebDriver session id.
    pub fn session_id(&self) -> &str {
        &self.session_id
    }

    /// Loads a URL and waits for the page load (the W3C "normal" page load strategy).
    pub fn navigate(&self, url: &str) -> Result<()> {
        self.session_call("POST", "/url", Some(&json!({ "url": url }))).map(drop)
    }

    /// The URL of the current page.
    pub fn current_url(&self) -> Result<String> {
        as_string(self.session_call("GET", "/url", None)?)
    }

    /// The title of the current page.
    pub fn title(&self) -> Result<String> {
        as_string(self.session_call("GET", "/title", None)?)
    }

    /// The serialized DOM of the current page.
    pub fn page_source(&self) -> Result<String> {
        as_string(self.session_call("GET", "/source", None)?)
    }

    /// The first element matching a CSS selector; [`Error::is_no_such_element`] if none.
    pub fn find(&self, css: &str) -> Result<Element<'_>> {
        let query = json!({ "using": "css selector", "value": css });
        let value = self.session_call("POST", "/element", Some(&query))?;
        self.element(&value)
    }

    /// All elements matching a CSS selector, in document order (possibly none).
    pub fn find_all(&self, css: &str) -> Result<Vec<Element<'_>>> {
        let query = json!({ "using": "css selector", "value": css });
        let value = self.session_call("POST", "/elements", Some(&query))?;
        let items = value
            .as_array()
            .ok_or_else(|| Error::Protocol(format!("elements is not an array: {value}")))?;
        items.iter().map(|v| self.element(v)).collect()
    }

    /// Runs a script synchronously in the page (`return ...;` gives the result); `args` are
    /// available as `arguments[i]`. Element results come back as W3C element references.
    pub fn execute(&self, script: &str, args: &[Value]) -> Result<Value> {
        let body = json!({ "script": script, "args": args });
        self.session_call("POST", "/execute/sync", Some(&body))
    }

    /// A PNG screenshot of the viewport.
    pub fn screenshot_png(&self) -> Result<Vec<u8>> {
        let encoded = as_string(self.session_call("GET", "/screenshot", None)?)?;
        base64::engine::general_purpose::STANDARD
            .decode(encoded.as_bytes())
            .map_err(|e| Error::Protocol(format!("screenshot is not base64: {e}")))
    }

    /// Polls `condition` every [`POLL_INTERVAL_MS`] ms until it returns `Ok(Some(value))`, and
    /// returns that value. `Ok(None)` and transient errors ([`Error::is_transient`]) mean "not
    /// yet"; other errors end the wait. After `timeout`, [`Error::WaitTimeout`].
    pub fn wait_until<T>(
        &self,
        timeout: Duration,
        mut condition: impl FnMut(&Browser) -> Result<Option<T>>,
    ) -> Result<T> {
        let start = Instant::now();
        loop {
            match condition(self) {
                Ok(Some(value)) => return Ok(value),
                Ok(None) => {}
                Err(e) if e.is_transient() => {}
                Err(e) => return Err(e),
            }
            if start.elapsed() >= timeout {
                return Err(Error::WaitTimeout { waited_ms: start.elapsed().as_millis() });
            }
            std::thread::sleep(Duration::from_millis(POLL_INTERVAL_MS));
        }
    }

    fn element(&self, value: &Value) -> Result<Element<'_>> {
        let id = value[ELEMENT_KEY]
            .as_str()
            .ok_or_else(|| Error::Protocol(format!("not an element reference: {value}")))?;
        Ok(Element { browser: self, id: id.to_owned() })
    }

    fn session_call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value> {
        let full = format!("/session/{}{path}", http::encode_segment(&self.session_id));
        self.call(method, &full, body)
    }

    /// One WebDriver command: the `value` of a success, or the W3C error.
    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value> {
        let bytes = body.map(|b| b.to_string().into_bytes());
        let r = http::request(self.addr, method, path, bytes.as_deref(), self.request_timeout)?;
        let mut answer: Value = serde_json::from_slice(&r.body).map_err(|e| {
            Error::Protocol(format!("{method} {path}: http {} with a non-JSON body: {e}", r.status))
        })?;
        let value = answer["value"].take();
        if (200..300).contains(&r.status) {
            return Ok(value);
        }
        let text = |key: &str| value[key].as_str().unwrap_or_default().to_owned();
        Err(Error::Command {
            status: r.status,
            error: text("error"),
            message: text("message").lines().next().unwrap_or_default().to_owned(),
        })
    }
}

impl Element<'_> {
    /// The rendered text of the element (as `innerText`).
    pub fn text(&self) -> Result<String> {
        as_string(self.call("GET", "/text", None)?)
    }

    /// An attribute (or, as WebDriver defines it, the property for a few boolean ones), `None`
    /// when absent.
    pub fn attribute(&self, name: &str) -> Result<Option<String>> {
        let path = format!("/attribute/{}", http::encode_segment(name));
        match self.call("GET", &path, None)? {
            Value::Null => Ok(None),
            Value::String(s) => Ok(Some(s)),
            other => Ok(Some(other.to_string())),
        }
    }

    /// Clicks the element (scrolling it into view first, as WebDriver does).
    pub fn click(&self) -> Result<()> {
        self.call("POST", "/click", Some(&json!({}))).map(drop)
    }

    /// The W3C element reference, to pass the element to [`Browser::execute`].
    pub fn to_json(&self) -> Value {
        json!({ ELEMENT_KEY: self.id })
    }

    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value> {
        let full = format!("/element/{}{path}", http::encode_segment(&self.id));
        self.browser.session_call(method, &full, body)
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let quick = Duration::from_secs(10);
        if !self.session_id.is_empty() {
            let path = format!("/session/{}", http::encode_segment(&self.session_id));
            let _ = http::request(self.addr, "DELETE", &path, None, quick);
        }
        // chromedriver's own endpoint to exit cleanly (it quits any browser it still drives).
        let _ = http::request(self.addr, "GET", "/shutdown", None, Duration::from_secs(2));
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if matches!(self.driver.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(Duration::from_millis(POLL_INTERVAL_MS));
        }
        if matches!(self.driver.try_wait(), Ok(None)) {
            let _ = self.driver.kill();
            let _ = self.driver.wait();
        }
        let _ = fs::remove_dir_all(&self.temp_dir);
    }
}

fn as_string(value: Value) -> Result<String> {
    match value {
        Value::String(s) => Ok(s),
        other => Err(Error::Protocol(format!("expected a string, got {other}"))),
    }
}

/// A port on 127.0.0.1 that was free a moment ago (the OS picks it; we release it for
/// chromedriver to bind).
fn free_port() -> Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(Error::Spawn)?;
    Ok(listener.local_addr().map_err(Error::Spawn)?.port())
}

/// A fresh private directory under the system temporary directory.
fn make_temp_dir() -> Result<PathBuf> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let mut last_error = None;
    for _ in 0..16 {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir()
            .join(format!("hoard-webdriver-{}-{nanos}-{n}", std::process::id()));
        match fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) => last_error = Some(e),
        }
    }
    Err(Error::Spawn(last_error.unwrap_or_else(|| std::io::Error::other("no temp dir"))))
}

/// The last lines of chromedriver's log, for error messages.
fn log_tail(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(5)..].join(" | ")
}
