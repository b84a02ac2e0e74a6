//! Timeouts, retries with backoff, failover across endpoints.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use hoard_chain::{ChainSource, EsploraClient, HttpConfig};

use crate::esplora::{esplora_server, quick};
use crate::fixtures::fixture;
use crate::server::{Request, dead_url, serve};

#[test]
fn fails_over_from_a_dead_endpoint() {
    let f = Arc::new(fixture());
    let good = esplora_server(f);
    let c = EsploraClient::new(vec![dead_url(), good.url.clone()], quick()).unwrap();
    assert_eq!(c.tip_height().unwrap(), 7);
}

#[test]
fn retries_transient_errors_with_backoff() {
    let calls = Arc::new(AtomicUsize::new(0));
    let n = calls.clone();
    let server = serve(move |_r: &Request| {
        if n.fetch_add(1, Ordering::SeqCst) < 2 {
            (503, "text/plain", "busy".into())
        } else {
            (200, "text/plain", "42".into())
        }
    });
    let cfg = HttpConfig {
        timeout_ms: 2_000,
        attempts_per_endpoint: 3,
        backoff_initial_ms: 30,
        backoff_max_ms: 100,
    };
    let c = EsploraClient::new(vec![server.url.clone()], cfg).unwrap();
    let start = Instant::now();
    assert_eq!(c.tip_height().unwrap(), 42);
    assert_eq!(server.hits(), 3);
    assert!(start.elapsed() >= Duration::from_millis(30 + 60), "backoff waited");
    // With fewer attempts than failures, the error is reported, not hidden.
    let calls = Arc::new(AtomicUsize::new(0));
    let n = calls.clone();
    let flaky = serve(move |_r: &Request| {
        n.fetch_add(1, Ordering::SeqCst);
        (503, "text/plain", "busy".into())
    });
    let c =
        EsploraClient::new(vec![flaky.url.clone()], HttpConfig { attempts_per_endpoint: 2, ..cfg })
            .unwrap();
    assert_eq!(c.tip_height().unwrap_err().code(), "chain.http_status");
    assert_eq!(flaky.hits(), 2);
}

#[test]
fn permanent_errors_are_not_retried_but_fail_over() {
    let bad = serve(|_r: &Request| (200, "text/plain", "garbage".into()));
    let good = serve(|_r: &Request| (200, "text/plain", "7".into()));
    let c = EsploraClient::new(vec![bad.url.clone(), good.url.clone()], quick()).unwrap();
    assert_eq!(c.tip_height().unwrap(), 7);
    assert_eq!(bad.hits(), 1, "a decode error is not retried on the same endpoint");
    // Both failing: every endpoint is named.
    let bad2 = serve(|_r: &Request| (200, "text/plain", "garbage".into()));
    let c = EsploraClient::new(vec![bad.url.clone(), bad2.url.clone()], quick()).unwrap();
    let e = c.tip_height().unwrap_err();
    assert_eq!(e.code(), "chain.all_endpoints_failed");
    assert!(e.to_string().contains(&bad.url) && e.to_string().contains(&bad2.url), "{e}");
}

#[test]
fn slow_endpoints_time_out() {
    let slow = serve(|_r: &Request| {
        std::thread::sleep(Duration::from_millis(1_500));
        (200, "text/plain", "1".into())
    });
    let cfg = HttpConfig {
        timeout_ms: 200,
        attempts_per_endpoint: 1,
        backoff_initial_ms: 1,
        backoff_max_ms: 1,
    };
    let c = EsploraClient::new(vec![slow.url.clone()], cfg).unwrap();
    let start = Instant::now();
    assert_eq!(c.tip_height().unwrap_err().code(), "chain.timeout");
    assert!(start.elapsed() < Duration::from_millis(1_200));
}

#[test]
fn configuration_is_validated() {
    assert_eq!(EsploraClient::new(vec![], quick()).unwrap_err().code(), "chain.config");
    assert_eq!(
        EsploraClient::new(vec!["ftp://x".into()], quick()).unwrap_err().code(),
        "chain.config"
    );
    let zero = HttpConfig { attempts_per_endpoint: 0, ..quick() };
    assert_eq!(
        EsploraClient::new(vec!["http://127.0.0.1:1".into()], zero).unwrap_err().code(),
        "chain.config"
    );
}
