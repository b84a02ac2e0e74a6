//! Errors of the chain adapters.

/// Result alias of this crate.
pub type Result<T, E = ChainError> = core::result::Result<T, E>;

/// What can go wrong when asking a chain source. Each variant has a stable `code()`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
    /// The source has no such object (unknown txid, height above the tip...).
    #[error("not found: {0}")]
    NotFound(String),
    /// A request timed out.
    #[error("timeout talking to {0}")]
    Timeout(String),
    /// Connection or protocol failure.
    #[error("transport error with {endpoint}: {detail}")]
    Transport {
        /// Endpoint.
        endpoint: String,
        /// What failed.
        detail: String,
    },
    /// An HTTP status that is an error.
    #[error("{endpoint} answered HTTP {status}: {body}")]
    Http {
        /// Endpoint.
        endpoint: String,
        /// Status code.
        status: u16,
        /// Start of the body.
        body: String,
    },
    /// A JSON-RPC error from Bitcoin Core.
    #[error("RPC error {code}: {message}")]
    Rpc {
        /// Core's error code.
        code: i64,
        /// Message.
        message: String,
    },
    /// An answer that does not decode as the API promises.
    #[error("cannot decode answer of {endpoint}: {detail}")]
    Decode {
        /// Endpoint.
        endpoint: String,
        /// What was wrong.
        detail: String,
    },
    /// Bad configuration (no endpoint, bad URL).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The source serves another chain than the wallet's network (genesis block differs).
    #[error("the source serves another chain: genesis {got}, expected {expected} ({network})")]
    WrongNetwork {
        /// The wallet's network.
        network: String,
        /// That network's genesis block hash.
        expected: String,
        /// The source's block at height 0.
        got: String,
    },
    /// Every endpoint failed; the last error of each is listed.
    #[error("all endpoints failed: {0}")]
    AllEndpointsFailed(String),
}

impl ChainError {
    /// Stable code, `chain.<snake_case>`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound(_) => "chain.not_found",
            Self::Timeout(_) => "chain.timeout",
            Self::Transport { .. } => "chain.transport",
            Self::Http { .. } => "chain.http_status",
            Self::Rpc { .. } => "chain.rpc_error",
            Self::Decode { .. } => "chain.decode",
            Self::Config(_) => "chain.config",
            Self::WrongNetwork { .. } => "chain.wrong_network",
            Self::AllEndpointsFailed(_) => "chain.all_endpoints_failed",
        }
    }

    /// True for failures worth retrying on the same endpoint (timeouts, connection errors,
    /// HTTP 5xx and 429).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Timeout(_) | Self::Transport { .. } => true,
            Self::Http { status, .. } => *status >= 500 || *status == 429,
            _ => false,
        }
    }
}
