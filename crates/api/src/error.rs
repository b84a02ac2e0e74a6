//! One error type for every endpoint: a status, a stable code, a human message. Internal
//! details (SQL, paths, panics) are logged, never sent.

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};

/// An API error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine-readable code.
    pub code: &'static str,
    /// Human-readable message.
    pub message: String,
}

impl ApiError {
    /// A 400 with a code.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status: StatusCode::BAD_REQUEST, code, message: message.into() }
    }
    /// A 404.
    pub fn not_found(what: impl Into<String>) -> ApiError {
        ApiError { status: StatusCode::NOT_FOUND, code: "api.not_found", message: what.into() }
    }
    /// A 500 whose detail is logged, not returned.
    pub fn internal(detail: impl std::fmt::Display) -> ApiError {
        tracing::error!(%detail, "internal error");
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "api.internal",
            message: "internal error; the operator's logs have the details".into(),
        }
    }
}

impl From<hoard_store::StoreError> for ApiError {
    fn from(e: hoard_store::StoreError) -> Self {
        ApiError::internal(e)
    }
}

impl From<hoard_node::NodeError> for ApiError {
    fn from(e: hoard_node::NodeError) -> Self {
        let status = match &e {
            hoard_node::NodeError::Overloaded => StatusCode::SERVICE_UNAVAILABLE,
            hoard_node::NodeError::Stopped => StatusCode::SERVICE_UNAVAILABLE,
            hoard_node::NodeError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            _ => return ApiError::internal(e),
        };
        ApiError { status, code: e.code(), message: e.to_string() }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": { "code": self.code, "message": self.message } });
        (self.status, Json(body)).into_response()
    }
}

/// Result alias for handlers.
pub type ApiResult<T> = Result<T, ApiError>;
