//! Limits on everything a client can ask for, and a per-client token-bucket rate limiter.

use std::{
    collections::HashMap,
    net::{IpAddr, SocketAddr},
    sync::Mutex,
    time::{Duration, Instant},
};

use axum::{
    extract::{ConnectInfo, Request, State},
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

/// A token bucket per client address, counted in millitokens (integers only): one request
/// costs 1,000, and `per_s` tokens per second refill `per_s` millitokens per millisecond.
pub struct RateLimiter {
    per_s: u64,
    burst: u32,
    buckets: Mutex<HashMap<IpAddr, (u64, Instant)>>,
}

impl RateLimiter {
    /// A limiter allowing `per_s` sustained and `burst` at once.
    pub fn new(per_s: u32, burst: u32) -> RateLimiter {
        RateLimiter { per_s: per_s as u64, burst, buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one token for `ip`; false when the client must wait.
    pub fn check(&self, ip: IpAddr) -> bool {
        let now = Instant::now();
        let cap = self.burst as u64 * 1000;
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() >= RATE_CLIENTS_MAX
            && !buckets.contains_key(&ip)
            && let Some(oldest) = buckets.iter().min_by_key(|(_, (_, t))| *t).map(|(k, _)| *k)
        {
            buckets.remove(&oldest);
        }
        let (tokens, last) = buckets.entry(ip).or_insert((cap, now));
        let refill = now.duration_since(*last).as_millis() as u64 * self.per_s;
        *tokens = (*tokens + refill).min(cap);
        *last = now;
        if *tokens >= 1000 {
            *tokens -= 1000;
            true
        } else {
            false
        }
    }
}

/// Middleware: 429 with a JSON error when the client exceeds its rate.
pub async fn rate_limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));
    if !state.limiter.check(ip) {
        return ApiError {
            status: axum::http::StatusCode::TOO_MANY_REQUESTS,
            code: "api.rate_limited",
            message: format!("more than {RATE_PER_S} requests per second; slow down"),
        }
        .into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_allows_burst_then_refuses_then_refills() {
        let l = RateLimiter::new(1_000, 3);
        let ip = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1));
        assert!(l.check(ip) && l.check(ip) && l.check(ip));
        assert!(!l.check(ip), "burst exhausted");
        // Another client has its own bucket.
        assert!(l.check(IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 2))));
        std::thread::sleep(Duration::from_millis(5));
        assert!(l.check(ip), "1,000 per second refills a token within a few ms");
    }
}
