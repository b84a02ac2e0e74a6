//! The HTTP/1.1 server: an accept loop of its own over hyper, so that no client can hold the
//! node's sockets.
//!
//! - At most [`ServeConfig::connections_max`] connections are open. At the cap, a new
//!   connection evicts the longest-idle one (no request in flight, which includes a half-sent
//!   request head); when every connection has a request in flight (a long poll, a server-sent
//!   event stream), the new one is answered 503 `api.too_many_connections` and closed.
//! - A request head must arrive whole within [`ServeConfig::header_read_timeout`] of its first
//!   byte; a connection with no request in flight is closed after
//!   [`ServeConfig::idle_timeout`]. A response still being sent (an SSE stream) is in flight and
//!   never idle.
//! - The head of a connection's first request is read and checked here before hyper sees it, so
//!   a target over [`URI_BYTES_MAX`] or a header section over [`HEADER_BYTES_MAX`] or
//!   [`HEADERS_MAX`] fields is answered with JSON 414 or 431 however large it is. Later requests
//!   on a kept-alive connection are checked by [`limits::check_head`] after hyper parsed them;
//!   hyper's own limits are set above ours ([`HYPER_BUF_BYTES`], [`HYPER_HEADERS_MAX`]). What
//!   hyper still answers itself (its fixed 64 KiB target limit, a malformed request line) is
//!   rewritten as JSON on the way out (the connection's writer, `Io`).
//! - When `shutdown` resolves, the listener is closed, server-sent event streams end, idle
//!   connections are closed, and in-flight requests get [`ServeConfig::shutdown_grace`] to finish.
//!
//! Each request carries `ConnectInfo<SocketAddr>` (the rate limiter's client address).

use std::{
    collections::HashMap,
    convert::Infallible,
    future::Future,
    io,
    net::SocketAddr,
    pin::Pin,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    task::{Context, Poll},
    time::{Duration, Instant},
};

use axum::{
    Router,
    body::{Body, Bytes},
    extract::ConnectInfo,
    http::{Request, StatusCode},
    response::IntoResponse,
};
use hyper::body::Incoming;
use tokio::{
    io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf},
    net::{TcpListener, TcpStream},
    sync::{Notify, Semaphore, watch},
    task::JoinSet,
};
use tower::ServiceExt;

use crate::{
    ApiError, AppState,
    limits::{
        self, CONNECTIONS_MAX, HEADER_BYTES_MAX, HEADER_READ_TIMEOUT, HEADERS_MAX, IDLE_TIMEOUT,
        SHUTDOWN_GRACE, URI_BYTES_MAX,
    },
};

/// hyper's read buffer, above the largest head we accept (request line and header section),
/// so hyper's own 431 is not reached first.
pub const HYPER_BUF_BYTES: usize = 128 * 1024;
/// hyper's header-count limit, above [`HEADERS_MAX`] for the same reason.
pub const HYPER_HEADERS_MAX: usize = 2 * HEADERS_MAX;
/// Bytes of a request line besides its target (method, spaces, version, CRLF).
pub const REQUEST_LINE_EXTRA_MAX: usize = 64;
/// Connections being refused (503) at once; beyond, a new connection is closed unanswered.
pub const REFUSALS_MAX: usize = 64;
/// How long a refused connection is kept to drain what the client sent, so the answer is
/// not lost to a TCP reset.
pub const REFUSAL_LINGER: Duration = Duration::from_secs(1);
/// Most bytes drained from a refused connection.
pub const REFUSAL_DRAIN_BYTES_MAX: usize = 256 * 1024;
/// Pause after a failed `accept` (out of file descriptors, say) before trying again.
pub const ACCEPT_ERROR_BACKOFF: Duration = Duration::from_millis(100);

/// Settings of [`serve_with`].
#[derive(Clone, Debug)]
pub struct ServeConfig {
    /// Most open connections.
    pub connections_max: usize,
    /// Time to send a request head once its first byte arrived.
    pub header_read_timeout: Duration,
    /// Time a connection may stay open with no request in flight.
    pub idle_timeout: Duration,
    /// Time in-flight requests get to finish at shutdown.
    pub shutdown_grace: Duration,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            connections_max: CONNECTIONS_MAX,
            header_read_timeout: HEADER_READ_TIMEOUT,
            idle_timeout: IDLE_TIMEOUT,
            shutdown_grace: SHUTDOWN_GRACE,
        }
    }
}

/// Serves the application with the default [`ServeConfig`] until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    serve_with(listener, state, ServeConfig::default(), shutdown).await
}

/// Serves the application until `shutdown` resolves, then lets in-flight requests finish
/// within `config.shutdown_grace`.
pub async fn serve_with(
    listener: TcpListener,
    state: AppState,
    config: ServeConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let app = crate::router(state.clone());
    let registry = Arc::new(Registry::default());
    let refusals = Arc::new(Semaphore::new(REFUSALS_MAX));
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut tasks = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        while tasks.try_join_next().is_some() {}
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(ACCEPT_ERROR_BACKOFF).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        match registry.admit(config.connections_max) {
            Some(slot) => {
                let conn = Connection {
                    slot,
                    registry: Arc::clone(&registry),
                    config: config.clone(),
                    peer,
                };
                tasks.spawn(conn.run(stream, app.clone(), stop_rx.clone()));
            }
            None => match Arc::clone(&refusals).try_acquire_owned() {
                Ok(permit) => {
                    tasks.spawn(async move {
                        refuse(stream, &too_many_connections(config.connections_max)).await;
                        drop(permit);
                    });
                }
                Err(_) => drop(stream),
            },
        }
    }
    drop(listener);
    state.sse.close();
    let _ = stop_tx.send(true);
    let drained = async { while tasks.join_next().await.is_some() {} };
    if tokio::time::timeout(config.shutdown_grace, drained).await.is_err() {
        tracing::warn!(left = tasks.len(), "connections still open after the shutdown grace");
    }
    tasks.shutdown().await;
    Ok(())
}

fn too_many_connections(max: usize) -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "api.too_many_connections",
        format!("the server has {max} connections, each with a request in flight; retry shortly"),
    )
}

/// Writes `err` as the whole answer, then drains the connection briefly and closes it.
async fn refuse<S: AsyncRead + AsyncWrite + Unpin>(mut stream: S, err: &ApiError) {
    let linger = async {
        stream.write_all(&err.to_http1()).await?;
        stream.shutdown().await?;
        let mut buf = [0u8; 4096];
        let mut drained = 0;
        while drained < REFUSAL_DRAIN_BYTES_MAX {
            match stream.read(&mut buf).await? {
                0 => break,
                n => drained += n,
            }
        }
        Ok::<(), io::Error>(())
    };
    let _ = tokio::time::timeout(REFUSAL_LINGER, linger).await;
}

/// `t + d`, with `d` capped at a year so that no setting can overflow an `Instant`.
fn after(t: Instant, d: Duration) -> Instant {
    const YEAR: Duration = Duration::from_secs(365 * 24 * 3600);
    t + d.min(YEAR)
}

// ----- the connection registry -----

/// What a connection is doing, for the idle and header timeouts and for eviction.
struct Activity {
    /// Requests being answered (including response bodies still being sent).
    in_flight: u32,
    /// When the connection last had no request in flight (its start, or the end of its last
    /// response).
    idle_since: Instant,
    /// When the first byte of a request head arrived, while that head is incomplete.
    head_since: Option<Instant>,
}

/// One open connection.
struct Slot {
    id: u64,
    activity: Mutex<Activity>,
    /// Signalled to close the connection now (eviction).
    evict: Notify,
    /// Signalled when its deadline may have changed (a head started, a response ended).
    changed: Notify,
}

impl Slot {
    fn activity(&self) -> std::sync::MutexGuard<'_, Activity> {
        self.activity.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Bytes arrived from the client.
    fn on_read(&self) {
        let mut a = self.activity();
        if a.in_flight == 0 && a.head_since.is_none() {
            a.head_since = Some(Instant::now());
            drop(a);
            self.changed.notify_one();
        }
    }

    /// A request head was parsed; its answer is in flight until [`InFlight`] drops.
    fn begin(self: &Arc<Self>) -> InFlight {
        let mut a = self.activity();
        a.in_flight += 1;
        a.head_since = None;
        InFlight(Arc::clone(self))
    }

    /// Since when the connection has been idle (no request in flight), if it is.
    fn idle_since(&self) -> Option<Instant> {
        let a = self.activity();
        (a.in_flight == 0).then_some(a.idle_since)
    }

    /// When the connection must be closed if nothing changes: the header deadline while a head
    /// is arriving, the idle deadline while idle, `None` with a request in flight.
    fn deadline(&self, config: &ServeConfig) -> Option<Instant> {
        let a = self.activity();
        if a.in_flight > 0 {
            return None;
        }
        Some(match a.head_since {
            Some(t) => after(t, config.header_read_timeout),
            None => after(a.idle_since, config.idle_timeout),
        })
    }
}

/// Marks a request in flight on its connection until dropped (with the response body).
struct InFlight(Arc<Slot>);

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut a = self.0.activity();
        a.in_flight = a.in_flight.saturating_sub(1);
        if a.in_flight == 0 {
            a.idle_since = Instant::now();
            drop(a);
            self.0.changed.notify_one();
        }
    }
}

#[derive(Default)]
struct Registry {
    slots: Mutex<HashMap<u64, Arc<Slot>>>,
    next_id: AtomicU64,
}

impl Registry {
    /// Registers a new connection, evicting the longest-idle one at the cap; `None` when at
    /// the cap with every connection busy.
    fn admit(&self, max: usize) -> Option<Arc<Slot>> {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        if slots.len() >= max.max(1) {
            let victim = slots
                .values()
                .filter_map(|s| s.idle_since().map(|t| (t, s.id)))
                .min()
                .map(|(_, id)| id)?;
            if let Some(v) = slots.remove(&victim) {
                v.evict.notify_one();
            }
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let slot = Arc::new(Slot {
            id,
            activity: Mutex::new(Activity {
                in_flight: 0,
                idle_since: Instant::now(),
                head_since: None,
            }),
            evict: Notify::new(),
            changed: Notify::new(),
        });
        slots.insert(id, Arc::clone(&slot));
        Some(slot)
    }

    fn remove(&self, id: u64) {
        self.slots.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
    }
}

// ----- one connection -----

struct Connection {
    slot: Arc<Slot>,
    registry: Arc<Registry>,
    config: ServeConfig,
    peer: SocketAddr,
}

/// Why a connection task stops waiting on its connection.
enum Stop {
    /// Close it now: evicted, timed out, or shutting down while idle.
    Close,
    /// Shutdown began: finish what is in flight, then close.
    Drain,
}

impl Connection {
    async fn run(self, stream: TcpStream, app: Router, mut stop: watch::Receiver<bool>) {
        let mut io = Io {
            stream,
            prefix: Vec::new(),
            prefix_pos: 0,
            slot: Arc::clone(&self.slot),
            replacement: Replacement::None,
        };
        // The first request head, read and checked here.
        let first = tokio::select! {
            head = read_first_head(&mut io) => head,
            _ = self.closing(&mut stop, false) => return,
        };
        match first {
            Ok(FirstHead::Complete(buf)) => io.prefix = buf,
            Ok(FirstHead::Refused(err)) => {
                refuse(&mut io.stream, &err).await;
                return;
            }
            Ok(FirstHead::Closed) | Err(_) => return,
        }
        let service = {
            let (slot, peer) = (Arc::clone(&self.slot), self.peer);
            hyper::service::service_fn(move |mut req: Request<Incoming>| {
                let in_flight = slot.begin();
                let app = app.clone();
                async move {
                    let res = match limits::check_head(&req) {
                        Some(err) => err.into_response(),
                        None => {
                            req.extensions_mut().insert(ConnectInfo(peer));
                            match app.oneshot(req).await {
                                Ok(res) => res,
                                Err(never) => match never {},
                            }
                        }
                    };
                    Ok::<_, Infallible>(res.map(|body| Tracked { body, _in_flight: in_flight }))
                }
            })
        };
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .max_buf_size(HYPER_BUF_BYTES)
            .max_headers(HYPER_HEADERS_MAX)
            .header_read_timeout(None::<Duration>);
        let conn = builder.serve_connection(hyper_util::rt::TokioIo::new(io), service);
        tokio::pin!(conn);
        let mut draining = false;
        loop {
            tokio::select! {
                _ = conn.as_mut() => break,
                why = self.closing(&mut stop, draining) => match why {
                    Stop::Close => break,
                    Stop::Drain => {
                        draining = true;
                        conn.as_mut().graceful_shutdown();
                    }
                },
            }
        }
    }

    /// Resolves when the connection must stop: evicted, past its deadline, or shutdown (idle
    /// connections close at once, busy ones drain). `draining`: shutdown was already seen.
    async fn closing(&self, stop: &mut watch::Receiver<bool>, draining: bool) -> Stop {
        loop {
            let wake = match self.slot.deadline(&self.config) {
                Some(d) if d <= Instant::now() => return Stop::Close,
                Some(d) => d,
                None => after(Instant::now(), self.config.idle_timeout),
            };
            tokio::select! {
                () = self.slot.evict.notified() => return Stop::Close,
                () = self.slot.changed.notified() => {}
                () = tokio::time::sleep_until(wake.into()) => {}
                changed = stop.changed(), if !draining => {
                    if changed.is_err() || *stop.borrow() {
                        return if self.slot.idle_since().is_some() { Stop::Close } else { Stop::Drain };
                    }
                }
            }
        }
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.registry.remove(self.slot.id);
    }
}

/// The outcome of reading a connection's first request head.
enum FirstHead {
    /// The head is within the limits: these bytes (the head and whatever followed) go to hyper.
    Complete(Vec<u8>),
    /// Over a limit: answer this and close.
    Refused(ApiError),
    /// The client closed the connection first.
    Closed,
}

/// Reads until the first request head is complete or over a limit (the connection's deadline
/// bounds the time).
async fn read_first_head(io: &mut Io) -> io::Result<FirstHead> {
    let mut buf = Vec::with_capacity(4096);
    loop {
        match check_raw_head(&buf) {
            Head::Complete => return Ok(FirstHead::Complete(buf)),
            Head::TooLarge(err) => return Ok(FirstHead::Refused(err)),
            Head::Incomplete => {}
        }
        buf.reserve(4096);
        if io.read_buf(&mut buf).await? == 0 {
            return Ok(FirstHead::Closed);
        }
    }
}

/// What a buffer holding the start of a request says about its head.
#[derive(Debug, PartialEq, Eq)]
enum Head {
    /// The head ends within the buffer and is within the limits.
    Complete,
    /// The head is over a limit (known without reading further).
    TooLarge(ApiError),
    /// More bytes are needed.
    Incomplete,
}

/// Checks the raw start of a request against [`URI_BYTES_MAX`], [`HEADER_BYTES_MAX`] and
/// [`HEADERS_MAX`]. Lines end at LF (a CR before it is part of the line ending); the target is
/// the request line's second space-separated field. Anything malformed within the limits is left
/// to hyper.
fn check_raw_head(buf: &[u8]) -> Head {
    let Some(line_end) = buf.iter().position(|&b| b == b'\n') else {
        return if buf.len() > URI_BYTES_MAX + REQUEST_LINE_EXTRA_MAX {
            Head::TooLarge(ApiError::uri_too_long())
        } else {
            Head::Incomplete
        };
    };
    let line = &buf[..line_end];
    if let Some(sp) = line.iter().position(|&b| b == b' ') {
        let rest = &line[sp + 1..];
        let target = rest.iter().position(|&b| b == b' ' || b == b'\r').unwrap_or(rest.len());
        if target > URI_BYTES_MAX {
            return Head::TooLarge(ApiError::uri_too_long());
        }
    }
    if line.len() > URI_BYTES_MAX + REQUEST_LINE_EXTRA_MAX {
        return Head::TooLarge(ApiError::uri_too_long());
    }
    let section_start = line_end + 1;
    let mut pos = section_start;
    let mut fields = 0;
    while let Some(i) = buf[pos..].iter().position(|&b| b == b'\n') {
        let field = &buf[pos..pos + i];
        let field = field.strip_suffix(b"\r").unwrap_or(field);
        if field.is_empty() {
            // The blank line: the section is every field line before it.
            return if pos - section_start > HEADER_BYTES_MAX {
                Head::TooLarge(ApiError::headers_too_large())
            } else {
                Head::Complete
            };
        }
        fields += 1;
        if fields > HEADERS_MAX {
            return Head::TooLarge(ApiError::headers_too_large());
        }
        pos += i + 1;
    }
    if buf.len() - section_start > HEADER_BYTES_MAX {
        Head::TooLarge(ApiError::headers_too_large())
    } else {
        Head::Incomplete
    }
}

/// The client socket: bytes already read by [`read_first_head`] are replayed first, and every
/// read is reported to the connection's [`Slot`] (for the header timeout).
///
/// Writes pass through, except hyper's own answers to requests it could not parse (a target
/// over its fixed 64 KiB limit, a malformed request line on a kept-alive connection): those are
/// bodiless 4xx/5xx heads written while no request is in flight (every response of ours is
/// written with its request in flight, see [`Tracked`]), and they are replaced by the same
/// answer as JSON ([`ApiError::for_status`]); hyper closes the connection after them.
struct Io {
    stream: TcpStream,
    prefix: Vec<u8>,
    prefix_pos: usize,
    slot: Arc<Slot>,
    replacement: Replacement,
}

/// The state of replacing one of hyper's own error answers.
enum Replacement {
    /// Nothing replaced: writes pass through.
    None,
    /// Writing our answer; `pos` bytes of it are written.
    Writing { answer: Vec<u8>, pos: usize },
    /// Our answer is written (in place of hyper's); further writes fail, so hyper closes.
    Done,
}

/// The status of a bodiless error head that hyper writes on its own, if `buf` is one.
fn hyper_error_status(buf: &[u8]) -> Option<StatusCode> {
    let head = buf.get(..buf.len().min(512))?;
    let rest = head.strip_prefix(b"HTTP/1.1 ")?;
    let code = std::str::from_utf8(rest.get(..3)?).ok()?.parse::<u16>().ok()?;
    let status = StatusCode::from_u16(code).ok()?;
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let bodiless = text.contains("\r\ncontent-length: 0\r\n");
    ((status.is_client_error() || status.is_server_error()) && bodiless).then_some(status)
}

impl AsyncRead for Io {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.prefix_pos < this.prefix.len() {
            let n = (this.prefix.len() - this.prefix_pos).min(buf.remaining());
            buf.put_slice(&this.prefix[this.prefix_pos..this.prefix_pos + n]);
            this.prefix_pos += n;
            if this.prefix_pos == this.prefix.len() {
                this.prefix = Vec::new();
                this.prefix_pos = 0;
            }
            return Poll::Ready(Ok(()));
        }
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.stream).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.slot.on_read();
        }
        polled
    }
}

impl AsyncWrite for Io {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if matches!(this.replacement, Replacement::None)
            && this.slot.idle_since().is_some()
            && let Some(status) = hyper_error_status(buf)
        {
            let answer = ApiError::for_status(status).to_http1();
            this.replacement = Replacement::Writing { answer, pos: 0 };
        }
        loop {
            match &mut this.replacement {
                Replacement::None => return Pin::new(&mut this.stream).poll_write(cx, buf),
                Replacement::Done => {
                    // The answer said `connection: close`: nothing more goes out.
                    return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()));
                }
                Replacement::Writing { answer, pos } => {
                    if *pos == answer.len() {
                        this.replacement = Replacement::Done;
                        return Poll::Ready(Ok(buf.len()));
                    }
                    match Pin::new(&mut this.stream).poll_write(cx, &answer[*pos..]) {
                        Poll::Ready(Ok(0)) => {
                            return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
                        }
                        Poll::Ready(Ok(n)) => *pos += n,
                        other => return other,
                    }
                }
            }
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        // Not vectored (see `is_write_vectored`): hyper hands whole heads to `poll_write`.
        let first = bufs.iter().find(|b| !b.is_empty()).map_or(&[][..], |b| &**b);
        self.poll_write(cx, first)
    }

    fn is_write_vectored(&self) -> bool {
        // hyper then flattens each response into one buffer, so a head always starts a write
        // and is seen whole by the check above.
        false
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

/// A response body that keeps its request in flight until it is sent (or dropped).
struct Tracked {
    body: Body,
    _in_flight: InFlight,
}

impl http_body::Body for Tracked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(h: Head) -> &'static str {
        match h {
            Head::TooLarge(e) => e.code,
            Head::Complete => "complete",
            Head::Incomplete => "incomplete",
        }
    }

    #[test]
    fn raw_head_checks() {
        assert_eq!(code(check_raw_head(b"")), "incomplete");
        assert_eq!(code(check_raw_head(b"GET / HTTP/1.1\r\nHost: x\r\n")), "incomplete");
        assert_eq!(code(check_raw_head(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")), "complete");
        assert_eq!(code(check_raw_head(b"GET / HTTP/1.1\nHost: x\n\nbody")), "complete");
        // A target over the limit is refused before its line ends.
        let mut long = b"GET /".to_vec();
        long.extend(std::iter::repeat_n(b'a', URI_BYTES_MAX + REQUEST_LINE_EXTRA_MAX));
        assert_eq!(code(check_raw_head(&long)), "api.uri_too_long");
        let line = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(URI_BYTES_MAX));
        assert_eq!(code(check_raw_head(line.as_bytes())), "api.uri_too_long");
        let line = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(URI_BYTES_MAX - 1));
        assert_eq!(code(check_raw_head(line.as_bytes())), "complete");
        // Header section size and count.
        let big = format!("GET / HTTP/1.1\r\nx: {}\r\n", "b".repeat(HEADER_BYTES_MAX));
        assert_eq!(code(check_raw_head(big.as_bytes())), "api.headers_too_large");
        let many = format!("GET / HTTP/1.1\r\n{}\r\n", "a: 1\r\n".repeat(HEADERS_MAX + 1));
        assert_eq!(code(check_raw_head(many.as_bytes())), "api.headers_too_large");
        let enough = format!("GET / HTTP/1.1\r\n{}\r\n", "a: 1\r\n".repeat(HEADERS_MAX));
        assert_eq!(code(check_raw_head(enough.as_bytes())), "complete");
    }

    #[test]
    fn admission_evicts_the_longest_idle_and_refuses_when_all_busy() {
        let r = Registry::default();
        let a = r.admit(2).expect("a");
        std::thread::sleep(Duration::from_millis(2));
        let b = r.admit(2).expect("b");
        let _busy_b = b.begin();
        // At the cap: a (idle) is evicted, b (busy) is kept.
        let c = r.admit(2).expect("c");
        let slots = r.slots.lock().expect("lock");
        assert!(!slots.contains_key(&a.id) && slots.contains_key(&b.id));
        drop(slots);
        let _busy_c = c.begin();
        assert!(r.admit(2).is_none(), "every connection busy");
    }
}
