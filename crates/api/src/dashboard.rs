//! Dashboard pages (server-rendered HTML, readable without JavaScript, live over SSE with it).

use axum::Router;

use crate::AppState;

/// Dashboard routes.
pub fn routes() -> Router<AppState> {
    Router::new()
}
