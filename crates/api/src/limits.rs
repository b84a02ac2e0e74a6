//! Limits on everything a client can ask for, and a per-client token-bucket rate limiter.
//!
//! The bucket counts in token-nanoseconds, so the refill is exact: `elapsed_ns x per_s` is
//! added on every request (nothing is rounded away) and a request costs 10^9. `/healthz` and
//! `/metrics` are not rate limited, so a liveness probe keeps answering during a flood.
//! Connection limits (count, header and idle timeouts) are enforced by [`crate::server`];
//! docs/API-LIMITS.md lists every limit.

use std::{
    collections::HashMap,
    net::{IpAddr, SocketAddr},
    sync::Mutex,
    time::{Duration, Instant},
};

use axum::{
    extract::{ConnectInfo, Request, State},
    http::StatusCode,
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::{ApiError, AppState};

/// Largest request body (a batch of 1,000 signed commands is about 600 KB).
pub const BODY_BYTES_MAX: usize = 2 * 1024 * 1024;
/// Longest request (a submission waits for its block's durable commit).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Sustained requests per second per client address.
pub const RATE_PER_S: u32 = 2_000;
/// Burst per client address.
pub const RATE_BURST: u32 = 4_000;
/// Most client addresses tracked; the oldest are forgotten first.
pub const RATE_CLIENTS_MAX: usize = 10_000;
/// Default page size.
pub const PAGE_DEFAULT: usize = 50;
/// Largest page.
pub const PAGE_MAX: usize = 500;
/// Longest request target (path and query), answered 414 `api.uri_too_long` beyond.
pub const URI_BYTES_MAX: usize = 8 * 1024;
/// Largest header section (every `name: value` line), answered 431 `api.headers_too_large`.
pub const HEADER_BYTES_MAX: usize = 32 * 1024;
/// Most header fields in a request, answered 431 `api.headers_too_large` beyond.
pub const HEADERS_MAX: usize = 100;
/// Most open connections; at the cap the longest-idle one is closed to admit a new one, and
/// when every connection has a request in flight a new one gets 503
/// `api.too_many_connections`.
pub const CONNECTIONS_MAX: usize = 512;
/// Time a client has to send a request's whole head once its first byte arrived.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Time a connection may stay open with no request in flight (keep-alive).
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// Time in-flight requests get to finish once shutdown begins.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// One request, in token-nanoseconds.
const REQUEST_COST: u64 = 1_000_000_000;

/// A token bucket per client address. Tokens are counted in token-nanoseconds: a request costs
/// 10^9, `per_s` tokens per second refill `per_s` per elapsed nanosecond, the bucket holds at
/// most `burst x 10^9`. Integers only, saturating, and no remainder is ever dropped.
pub struct RateLimiter {
    per_s: u64,
    cap: u64,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

struct Bucket {
    /// Token-nanoseconds available.
    tokens: u64,
    /// When `tokens` was last brought up to date.
    last: Instant,
}

impl RateLimiter {
    /// A limiter allowing `per_s` sustained and `burst` at once.
    pub fn new(per_s: u32, burst: u32) -> RateLimiter {
        RateLimiter {
            per_s: u64::from(per_s),
            cap: u64::from(burst).saturating_mul(REQUEST_COST),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// The sustained rate, requests per second.
    pub fn per_s(&self) -> u64 {
        self.per_s
    }

    /// Takes one token for `ip` now; false when the client must wait.
    pub fn check(&self, ip: IpAddr) -> bool {
        self.check_at(ip, Instant::now())
    }

    /// Takes one token for `ip` at the instant `now`; false when the client must wait. An
    /// instant earlier than the bucket's last update (two threads racing) refills nothing.
    pub fn check_at(&self, ip: IpAddr, now: Instant) -> bool {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() >= RATE_CLIENTS_MAX
            && !buckets.contains_key(&ip)
            && let Some(oldest) = buckets.iter().min_by_key(|(_, b)| b.last).map(|(k, _)| *k)
        {
            buckets.remove(&oldest);
        }
        let bucket = buckets.entry(ip).or_insert(Bucket { tokens: self.cap, last: now });
        let elapsed_ns = u64::try_from(now.saturating_duration_since(bucket.last).as_nanos())
            .unwrap_or(u64::MAX);
        bucket.tokens =
            bucket.tokens.saturating_add(elapsed_ns.saturating_mul(self.per_s)).min(self.cap);
        bucket.last = bucket.last.max(now);
        if bucket.tokens >= REQUEST_COST {
            bucket.tokens -= REQUEST_COST;
            true
        } else {
            false
        }
    }
}

/// Paths that are never rate limited: liveness probes and scrapers must get through a flood.
pub const RATE_EXEMPT_PATHS: &[&str] = &["/healthz", "/metrics"];

/// Middleware: 429 with a JSON error when the client exceeds its rate.
pub async fn rate_limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if RATE_EXEMPT_PATHS.contains(&req.uri().path()) {
        return next.run(req).await;
    }
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));
    if !state.limiter.check(ip) {
        return ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "api.rate_limited",
            format!("more than {} requests per second; slow down", state.limiter.per_s()),
        )
        .into_response();
    }
    next.run(req).await
}

/// Middleware: a request that takes longer than the configured timeout is answered 408
/// `api.timeout` (a streamed response body, such as server-sent events, is not timed).
pub async fn timeout(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let limit = state.config.request_timeout;
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(res) => res,
        Err(_) => ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "api.timeout",
            format!(
                "the request did not complete within {} ms and was cancelled",
                limit.as_millis()
            ),
        )
        .into_response(),
    }
}

/// The 414 or 431 a parsed request head deserves under [`URI_BYTES_MAX`], [`HEADER_BYTES_MAX`]
/// and [`HEADERS_MAX`]; `None` when it is within them. (The server also checks the raw head of a
/// connection's first request before hyper parses it.)
pub fn check_head<B>(req: &axum::http::Request<B>) -> Option<ApiError> {
    let uri_len = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if uri_len > URI_BYTES_MAX {
        return Some(ApiError::uri_too_long());
    }
    let headers = req.headers();
    // As on the wire: `name: value\r\n`.
    let bytes: usize = headers.iter().map(|(n, v)| n.as_str().len() + v.len() + 4).sum();
    if headers.len() > HEADERS_MAX || bytes > HEADER_BYTES_MAX {
        return Some(ApiError::headers_too_large());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(last: u8) -> IpAddr {
        IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, last))
    }

    #[test]
    fn bucket_allows_burst_then_refuses_then_refills() {
        let l = RateLimiter::new(1_000, 3);
        let t0 = Instant::now();
        assert!(l.check_at(ip(1), t0) && l.check_at(ip(1), t0) && l.check_at(ip(1), t0));
        assert!(!l.check_at(ip(1), t0), "burst exhausted");
        // Another client has its own bucket.
        assert!(l.check_at(ip(2), t0));
        // 1,000 per second: one token per millisecond, not before.
        assert!(!l.check_at(ip(1), t0 + Duration::from_micros(999)));
        assert!(l.check_at(ip(1), t0 + Duration::from_millis(1)));
        assert!(!l.check_at(ip(1), t0 + Duration::from_millis(1)));
        // A long pause refills the burst, no more.
        let later = t0 + Duration::from_secs(3_600);
        assert!(l.check_at(ip(1), later) && l.check_at(ip(1), later) && l.check_at(ip(1), later));
        assert!(!l.check_at(ip(1), later));
    }

    /// Requests far more frequent than a millisecond (what made the old millisecond refill
    /// accept about 1,230 of the documented 2,000 per second): over a measured window the
    /// accepted count is the documented rate, to one request.
    #[test]
    fn accepted_rate_matches_the_documented_rate() {
        for gap_ns in [137_000u64, 499_999, 1_300_000, 7_777] {
            let l = RateLimiter::new(RATE_PER_S, RATE_BURST);
            let t0 = Instant::now();
            // Drain the burst first, so what follows is the sustained rate alone.
            let mut burst = 0;
            while l.check_at(ip(1), t0) {
                burst += 1;
            }
            assert_eq!(burst, RATE_BURST);
            let window = Duration::from_secs(10);
            let (mut t, mut accepted) = (Duration::ZERO, 0u64);
            while t <= window {
                accepted += u64::from(l.check_at(ip(1), t0 + t));
                t += Duration::from_nanos(gap_ns);
            }
            let offered = window.as_nanos() as u64 / gap_ns + 1;
            let expected = (u64::from(RATE_PER_S) * 10).min(offered);
            assert!(
                accepted.abs_diff(expected) <= 1,
                "gap {gap_ns} ns: accepted {accepted}, expected {expected}"
            );
        }
    }

    #[test]
    fn an_earlier_instant_refills_nothing() {
        let l = RateLimiter::new(1_000, 1);
        let t0 = Instant::now() + Duration::from_secs(1);
        assert!(l.check_at(ip(1), t0));
        assert!(!l.check_at(ip(1), t0 - Duration::from_millis(500)));
        assert!(!l.check_at(ip(1), t0 + Duration::from_micros(500)));
        assert!(l.check_at(ip(1), t0 + Duration::from_millis(1)));
    }

    #[test]
    fn head_limits() {
        let ok = axum::http::Request::builder().uri("/v1/chain").body(()).expect("request");
        assert_eq!(check_head(&ok), None);
        let long = format!("/v1/chain?x={}", "a".repeat(URI_BYTES_MAX));
        let req = axum::http::Request::builder().uri(long.as_str()).body(()).expect("request");
        assert_eq!(check_head(&req).map(|e| e.code), Some("api.uri_too_long"));
        let mut b = axum::http::Request::builder().uri("/");
        for i in 0..=HEADERS_MAX {
            b = b.header(format!("x-h{i}"), "1");
        }
        assert_eq!(
            check_head(&b.body(()).expect("request")).map(|e| e.code),
            Some("api.headers_too_large")
        );
        let big = axum::http::Request::builder()
            .uri("/")
            .header("x-big", "b".repeat(HEADER_BYTES_MAX))
            .body(())
            .expect("request");
        assert_eq!(check_head(&big).map(|e| e.code), Some("api.headers_too_large"));
    }
}
