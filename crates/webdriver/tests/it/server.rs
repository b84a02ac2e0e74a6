//! A one-page HTTP server on 127.0.0.1 for the browser to load.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

const PAGE: &str = r#"<!doctype html>
<html>
<head><meta charset="utf-8"><title>Hoard WebDriver test</title></head>
<body>
  <h1 id="greeting">loading</h1>
  <ul class="items"><li>one</li><li>two</li><li>three</li></ul>
  <button id="counter-button" data-role="counter">add one</button>
  <div id="count">0</div>
  <script>
    window.addEventListener("load", function () {
      setTimeout(function () {
        document.getElementById("greeting").textContent = "ready";
      }, 300);
    });
    document.getElementById("counter-button").addEventListener("click", function () {
      var count = document.getElementById("count");
      count.textContent = String(Number(count.textContent) + 1);
    });
  </script>
</body>
</html>
"#;

pub struct Server {
    port: u16,
    requests: Arc<AtomicUsize>,
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// How many requests for the page were served.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

/// Serves `PAGE` at `/` and 404 elsewhere, on a background thread, for the life of the process.
pub fn start() -> Server {
    let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    let requests = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&requests);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            // Skip the headers.
            let mut line = String::new();
            while reader.read_line(&mut line).map(|n| n > 2).unwrap_or(false) {
                line.clear();
            }
            let path = request_line.split(' ').nth(1).unwrap_or("");
            let (status, body) = if path == "/" {
                counter.fetch_add(1, Ordering::SeqCst);
                ("200 OK", PAGE)
            } else {
                ("404 Not Found", "not found")
            };
            let response = format!(
                "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes());
        }
    });
    Server { port, requests }
}
