//! The node's HTTP face: the JSON API under `/v1`, server-sent events, `/metrics`, `/healthz`,
//! the OpenAPI document, and the dashboard pages.
//!
//! Design (after the axum examples): [`router`] builds the whole application in one function so
//! tests drive it in-process with `oneshot`; one [`ApiError`] renders every failure as
//! `{"error": {"code", "message"}}` with a stable code; handlers read the node's committed view
//! (never uncommitted state) and the store's projections; request bodies, rates, page sizes and
//! time are bounded by named limits. Nothing internal (SQL, file paths, panics) reaches a client.

pub mod dashboard;
pub mod error;
pub mod limits;
pub mod openapi;
pub mod v1;

use std::sync::Arc;

use axum::Router;
pub use error::{ApiError, ApiResult};
use hoard_node::NodeHandle;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    /// The node.
    pub node: NodeHandle,
    /// Per-client rate limiter.
    pub limiter: Arc<limits::RateLimiter>,
}

impl AppState {
    /// State over a node with the default limits.
    pub fn new(node: NodeHandle) -> AppState {
        AppState {
            node,
            limiter: Arc::new(limits::RateLimiter::new(limits::RATE_PER_S, limits::RATE_BURST)),
        }
    }
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(v1::routes())
        .merge(dashboard::routes())
        .with_state(state.clone())
        .layer(axum::middleware::from_fn_with_state(state, limits::rate_limit))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(limits::BODY_BYTES_MAX))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            limits::REQUEST_TIMEOUT,
        ))
}

/// Serves the application until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
