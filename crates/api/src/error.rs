//! One error type for every endpoint: a status, a stable code, a human message. Internal
//! details (SQL, paths, panics) are logged, never sent.
//!
//! Errors produced outside the handlers are JSON too: [`json_errors`] replaces the plain-text or
//! empty bodies of axum's and tower-http's own answers (405 method not allowed, 413 body too
//! large, rejections of a path or body), the server ([`crate::server`]) answers 414, 431 and 503
//! itself with [`ApiError::to_http1`], and [`ApiQuery`] names what is wrong with a query string.
//! Client input echoed in a message is cut to [`ECHO_CHARS_MAX`] characters ([`echo`]).

use axum::{
    Json,
    extract::{FromRequestParts, Query, Request},
    http::{HeaderValue, StatusCode, header, request::Parts},
    middleware::Next,
    response::{IntoResponse, Response},
};
use serde::de::DeserializeOwned;

use crate::limits::{BODY_BYTES_MAX, HEADER_BYTES_MAX, HEADERS_MAX, URI_BYTES_MAX};

/// Client input echoed back in an error message: the engine's one rule (at most
/// [`ECHO_CHARS_MAX`] characters, then an ellipsis and the full length).
pub use hoard_core::rejection::{ECHO_CHARS_MAX, echo};
/// Characters of a message built from a library's description of bad input (a serde error, a
/// query-string error), which may quote that input; longer messages are cut.
pub const DETAIL_CHARS_MAX: usize = 300;

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
    /// An error with any status.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into() }
    }
    /// A 400 with a code.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }
    /// A 404.
    pub fn not_found(what: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "api.not_found", what)
    }
    /// A 500 whose detail is logged, not returned.
    pub fn internal(detail: impl std::fmt::Display) -> ApiError {
        tracing::error!(%detail, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "api.internal",
            "internal error; the operator's logs have the details",
        )
    }
    /// 414: the request target is longer than [`URI_BYTES_MAX`].
    pub fn uri_too_long() -> ApiError {
        ApiError::new(
            StatusCode::URI_TOO_LONG,
            "api.uri_too_long",
            format!("the request URI is longer than {URI_BYTES_MAX} bytes"),
        )
    }
    /// 431: the header section is larger than [`HEADER_BYTES_MAX`] or has more than
    /// [`HEADERS_MAX`] fields.
    pub fn headers_too_large() -> ApiError {
        ApiError::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "api.headers_too_large",
            format!(
                "the request headers are larger than {HEADER_BYTES_MAX} bytes or number more than {HEADERS_MAX}"
            ),
        )
    }

    /// The JSON body: `{"error": {"code", "message"}}`.
    pub fn body(&self) -> serde_json::Value {
        serde_json::json!({ "error": { "code": self.code, "message": self.message } })
    }

    /// A complete HTTP/1.1 response that closes the connection, for answers the server writes
    /// itself before (or instead of) handing a connection to hyper.
    pub fn to_http1(&self) -> Vec<u8> {
        let body = self.body().to_string();
        let mut out = format!(
            "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            self.status.as_u16(),
            self.status.canonical_reason().unwrap_or("Error"),
            body.len()
        )
        .into_bytes();
        out.extend_from_slice(body.as_bytes());
        out
    }

    /// The error standing for a bare status answered by a library (axum, tower-http).
    pub(crate) fn for_status(status: StatusCode) -> ApiError {
        let (code, message) = match status {
            StatusCode::BAD_REQUEST => ("api.bad_request", "the request is malformed".to_string()),
            StatusCode::NOT_FOUND => ("api.not_found", "no such resource".to_string()),
            StatusCode::METHOD_NOT_ALLOWED => (
                "api.method_not_allowed",
                "this path does not accept that method; the Allow header lists those it does"
                    .to_string(),
            ),
            StatusCode::PAYLOAD_TOO_LARGE => (
                "api.body_too_large",
                format!("the request body is larger than {BODY_BYTES_MAX} bytes (2 MiB)"),
            ),
            StatusCode::URI_TOO_LONG => return ApiError::uri_too_long(),
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => return ApiError::headers_too_large(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => (
                "api.unsupported_media_type",
                "the request body has a content type this endpoint does not accept".to_string(),
            ),
            s if s.is_server_error() => {
                return ApiError::internal(format!("a library answered {s} without a body"));
            }
            _ => ("api.bad_request", "the request was refused".to_string()),
        };
        ApiError::new(status, code, message)
    }
}

impl From<hoard_store::StoreError> for ApiError {
    fn from(e: hoard_store::StoreError) -> Self {
        match e {
            hoard_store::StoreError::Damaged { .. } | hoard_store::StoreError::Corrupt { .. } => {
                tracing::error!(error = %e, "a read hit damaged storage");
                ApiError {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    code: "api.storage_damaged",
                    message: "the node's database is damaged where this data is stored; the \
                              operator is alerted (see /healthz)"
                        .into(),
                }
            }
            other => ApiError::internal(other),
        }
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
        (self.status, Json(self.body())).into_response()
    }
}

/// Result alias for handlers.
pub type ApiResult<T> = Result<T, ApiError>;

/// A message at most [`DETAIL_CHARS_MAX`] characters long (an ellipsis marks a cut).
pub fn cap(message: String) -> String {
    match message.char_indices().nth(DETAIL_CHARS_MAX) {
        None => message,
        Some((cut, _)) => format!("{}…", &message[..cut]),
    }
}

/// A query string deserialized into `T`; when it does not parse, a 400 `api.bad_query` that
/// says which parameter is wrong (axum's own rejection is plain text).
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(q)) => Ok(ApiQuery(q)),
            Err(rejection) => Err(ApiError::bad_request(
                "api.bad_query",
                cap(format!("the query string is not valid: {}", rejection.body_text())),
            )),
        }
    }
}

/// Middleware: an error response that is neither JSON nor an HTML page (the dashboard's) is
/// replaced by the JSON error for its status, keeping its `Allow` header.
pub async fn json_errors(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let content_type =
        res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if content_type.starts_with("application/json") || content_type.starts_with("text/html") {
        return res;
    }
    let allow: Option<HeaderValue> = res.headers().get(header::ALLOW).cloned();
    let mut out = ApiError::for_status(status).into_response();
    if let Some(allow) = allow {
        out.headers_mut().insert(header::ALLOW, allow);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echo_cuts_long_input() {
        assert_eq!(echo("0x12"), "\"0x12\"");
        let long = "a".repeat(100_000);
        let e = echo(&long);
        assert_eq!(e, format!("\"{}\"… (100000 characters)", "a".repeat(ECHO_CHARS_MAX)));
        // Multi-byte characters are cut on a character boundary.
        let wide = "é".repeat(ECHO_CHARS_MAX + 1);
        assert_eq!(
            echo(&wide),
            format!("\"{}\"… ({} characters)", "é".repeat(ECHO_CHARS_MAX), ECHO_CHARS_MAX + 1)
        );
        assert_eq!(
            echo(&"é".repeat(ECHO_CHARS_MAX)),
            format!("\"{}\"", "é".repeat(ECHO_CHARS_MAX))
        );
    }

    #[test]
    fn cap_bounds_messages() {
        assert_eq!(cap("short".into()), "short");
        let m = cap("x".repeat(10_000));
        assert_eq!(m.chars().count(), DETAIL_CHARS_MAX + 1);
        assert!(m.ends_with('…'));
    }

    #[test]
    fn raw_response_is_complete_json() {
        let raw = String::from_utf8(ApiError::uri_too_long().to_http1()).expect("utf8");
        let (head, body) = raw.split_once("\r\n\r\n").expect("head and body");
        assert!(head.starts_with("HTTP/1.1 414 URI Too Long\r\n"), "{head}");
        assert!(head.contains(&format!("content-length: {}", body.len())), "{head}");
        let v: serde_json::Value = serde_json::from_str(body).expect("json");
        assert_eq!(v["error"]["code"], "api.uri_too_long");
    }
}
