//! A small blocking HTTP layer on `ureq`: per-request timeout, bounded retries with exponential
//! backoff on transient failures, failover across endpoints in order.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{ChainError, Result};

/// Most endpoints one client holds.
pub const ENDPOINTS_MAX: usize = 16;
/// Most attempts per endpoint and request.
pub const ATTEMPTS_MAX: u32 = 10;
/// Largest response body read, in bytes.
pub const BODY_BYTES_MAX: u64 = 8 * 1024 * 1024;

/// Timeouts and retry behaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpConfig {
    /// Whole-request timeout (connect, send, receive), milliseconds.
    pub timeout_ms: u64,
    /// Attempts per endpoint for transient failures (1 = no retry), at most [`ATTEMPTS_MAX`].
    pub attempts_per_endpoint: u32,
    /// First backoff, milliseconds; doubles after each failed attempt.
    pub backoff_initial_ms: u64,
    /// Backoff cap, milliseconds.
    pub backoff_max_ms: u64,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            timeout_ms: 10_000,
            attempts_per_endpoint: 3,
            backoff_initial_ms: 250,
            backoff_max_ms: 4_000,
        }
    }
}

/// A response: status and body.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
}

/// The HTTP agent and the endpoint list.
#[derive(Debug)]
pub(crate) struct Http {
    agent: ureq::Agent,
    config: HttpConfig,
    endpoints: Vec<String>,
}

impl Http {
    pub(crate) fn new(endpoints: Vec<String>, config: HttpConfig) -> Result<Self> {
        if endpoints.is_empty() || endpoints.len() > ENDPOINTS_MAX {
            return Err(ChainError::Config(format!("1..={ENDPOINTS_MAX} endpoints required")));
        }
        if config.attempts_per_endpoint == 0 || config.attempts_per_endpoint > ATTEMPTS_MAX {
            return Err(ChainError::Config(format!(
                "attempts per endpoint must be 1..={ATTEMPTS_MAX}"
            )));
        }
        for e in &endpoints {
            if !(e.starts_with("http://") || e.starts_with("https://")) {
                return Err(ChainError::Config(format!(
                    "{e}: URL must start with http:// or https://"
                )));
            }
        }
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_millis(config.timeout_ms)))
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .into();
        let endpoints =
            endpoints.into_iter().map(|e| e.trim_end_matches('/').to_string()).collect();
        Ok(Self { agent, config, endpoints })
    }

    /// One request to one endpoint.
    pub(crate) fn request(
        &self,
        endpoint: &str,
        path: &str,
        post: Option<(&str, &[u8])>,
        auth: Option<&str>,
    ) -> Result<Reply> {
        let url = format!("{endpoint}{path}");
        let result = match post {
            None => {
                let mut r = self.agent.get(&url);
                if let Some(a) = auth {
                    r = r.header("Authorization", a);
                }
                r.call()
            }
            Some((content_type, body)) => {
                let mut r = self.agent.post(&url).header("Content-Type", content_type);
                if let Some(a) = auth {
                    r = r.header("Authorization", a);
                }
                r.send(body)
            }
        };
        let mut resp = result.map_err(|e| classify(endpoint, e))?;
        let status = resp.status().as_u16();
        let body = resp
            .body_mut()
            .with_config()
            .limit(BODY_BYTES_MAX)
            .read_to_vec()
            .map_err(|e| classify(endpoint, e))?;
        Ok(Reply { status, body })
    }

    /// Runs `op` against each endpoint in order until one succeeds: transient failures are
    /// retried on the same endpoint with exponential backoff, other failures move on to the
    /// next endpoint. `NotFound` from every endpoint is returned as `NotFound`.
    pub(crate) fn failover<T>(&self, mut op: impl FnMut(&str) -> Result<T>) -> Result<T> {
        let mut failures = Vec::new();
        let mut all_not_found = true;
        for endpoint in &self.endpoints {
            let mut backoff = self.config.backoff_initial_ms;
            for attempt in 1..=self.config.attempts_per_endpoint {
                match op(endpoint) {
                    Ok(v) => return Ok(v),
                    Err(e) => {
                        let transient = e.is_transient();
                        if !matches!(e, ChainError::NotFound(_)) {
                            all_not_found = false;
                        }
                        let last = e;
                        if transient && attempt < self.config.attempts_per_endpoint {
                            std::thread::sleep(Duration::from_millis(backoff));
                            backoff = backoff.saturating_mul(2).min(self.config.backoff_max_ms);
                            continue;
                        }
                        failures.push((endpoint.clone(), last));
                        break;
                    }
                }
            }
        }
        if all_not_found && let Some((_, e)) = failures.pop() {
            return Err(e);
        }
        if failures.len() == 1
            && let Some((_, e)) = failures.pop()
        {
            return Err(e);
        }
        Err(ChainError::AllEndpointsFailed(
            failures.iter().map(|(ep, e)| format!("{ep}: {e}")).collect::<Vec<_>>().join("; "),
        ))
    }
}

fn classify(endpoint: &str, e: ureq::Error) -> ChainError {
    match e {
        ureq::Error::Timeout(_) => ChainError::Timeout(endpoint.to_string()),
        ureq::Error::StatusCode(status) => {
            ChainError::Http { endpoint: endpoint.to_string(), status, body: String::new() }
        }
        other => {
            ChainError::Transport { endpoint: endpoint.to_string(), detail: other.to_string() }
        }
    }
}

/// Maps a non-success HTTP reply to an error (404 is `NotFound`).
pub(crate) fn status_error(endpoint: &str, what: &str, reply: &Reply) -> ChainError {
    let body: String = String::from_utf8_lossy(&reply.body).chars().take(200).collect();
    if reply.status == 404 {
        return ChainError::NotFound(format!("{what}: {}", body.trim()));
    }
    ChainError::Http { endpoint: endpoint.to_string(), status: reply.status, body }
}
