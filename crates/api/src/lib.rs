//! The node's HTTP face: the JSON API under `/v1`, server-sent events, `/metrics`, `/healthz`,
//! the OpenAPI document, and the dashboard pages.
//!
//! Design (after the axum examples): [`router`] builds the whole application in one function so
//! tests drive it in-process with `oneshot`; one [`ApiError`] renders every failure as
//! `{"error": {"code", "message"}}` with a stable code; handlers read the node's committed view
//! (never uncommitted state) and the store's projections; request bodies, rates, page sizes and
//! time are bounded by named limits. Nothing internal (SQL, file paths, panics) reaches a client.
//!
//! [`serve`] runs the application on [`server`]'s own accept loop over hyper (HTTP/1.1), which
//! bounds connections and closes idle and half-sent ones; [`sse`] serves `/v1/stream` from one
//! bounded buffer of recent blocks per [`AppState`]. docs/API-LIMITS.md lists every limit.

pub mod cursor;
pub mod dashboard;
pub mod display;
pub mod error;
pub mod holders;
pub mod limits;
pub mod openapi;
pub mod pools;
pub mod server;
pub mod sse;
pub mod v1;

use std::{sync::Arc, time::Duration};

use axum::{
    Router,
    extract::State,
    http::Uri,
    response::{IntoResponse, Response},
};
pub use error::{ApiError, ApiResult};
use hoard_node::NodeHandle;
pub use server::{ServeConfig, serve, serve_with};

/// Settings of the application (the server's own are in [`ServeConfig`]).
#[derive(Clone, Debug)]
pub struct ApiConfig {
    /// Sustained requests per second per client address.
    pub rate_per_s: u32,
    /// Burst per client address.
    pub rate_burst: u32,
    /// Longest request before a 408.
    pub request_timeout: Duration,
    /// The server-sent events buffer.
    pub sse: sse::SseConfig,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            rate_per_s: limits::RATE_PER_S,
            rate_burst: limits::RATE_BURST,
            request_timeout: limits::REQUEST_TIMEOUT,
            sse: sse::SseConfig::default(),
        }
    }
}

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    /// The node.
    pub node: NodeHandle,
    /// Per-client rate limiter.
    pub limiter: Arc<limits::RateLimiter>,
    /// The buffer of recent blocks behind `/v1/stream`.
    pub sse: Arc<sse::Hub>,
    /// Top holders of each token, ranked once per committed head.
    pub holders: Arc<holders::HoldersCache>,
    /// Block summaries behind the overview's charts.
    pub charts: Arc<dashboard::charts::ChartCache>,
    /// Settings.
    pub config: ApiConfig,
}

impl AppState {
    /// State over a node with the default limits.
    pub fn new(node: NodeHandle) -> AppState {
        AppState::with_config(node, ApiConfig::default())
    }

    /// State over a node with these settings.
    pub fn with_config(node: NodeHandle, config: ApiConfig) -> AppState {
        AppState {
            limiter: Arc::new(limits::RateLimiter::new(config.rate_per_s, config.rate_burst)),
            sse: Arc::new(sse::Hub::new(node.clone(), config.sse.clone())),
            holders: Arc::new(holders::HoldersCache::default()),
            charts: Arc::new(dashboard::charts::ChartCache::default()),
            node,
            config,
        }
    }
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(v1::routes())
        .merge(dashboard::routes())
        .fallback(not_found)
        .with_state(state.clone())
        .layer(axum::middleware::from_fn_with_state(state.clone(), limits::rate_limit))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(limits::BODY_BYTES_MAX))
        .layer(axum::middleware::from_fn_with_state(state, limits::timeout))
        .layer(axum::middleware::from_fn(error::json_errors))
}

/// Whether a path belongs to the JSON API (`/v1` and below).
pub fn is_api_path(path: &str) -> bool {
    path == "/v1" || path.starts_with("/v1/")
}

/// Paths no route serves: a JSON error under `/v1`, the dashboard's 404 page elsewhere.
async fn not_found(State(state): State<AppState>, uri: Uri) -> Response {
    if is_api_path(uri.path()) {
        ApiError::not_found("no such endpoint; see /v1/openapi.json").into_response()
    } else {
        dashboard::not_found(state, uri.path()).await
    }
}

/// The wall clock in unix seconds (0 if it is before 1970).
pub(crate) fn unix_now_s() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
