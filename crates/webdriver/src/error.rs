//! The one error type of this crate.

use std::path::PathBuf;

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong starting or driving the browser.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// chromium or chromedriver is not at its configured path.
    #[error("{what} not found at {path} (install chromium and chromium-driver, or set {env})")]
    NotInstalled {
        /// `chromium` or `chromedriver`.
        what: &'static str,
        /// The path looked at.
        path: PathBuf,
        /// The environment variable that overrides it.
        env: &'static str,
    },
    /// Starting chromedriver, or preparing its temporary directory, failed.
    #[error("cannot start chromedriver: {0}")]
    Spawn(#[source] std::io::Error),
    /// chromedriver did not answer `/status` as ready in time, or exited.
    #[error("chromedriver not ready after {waited_ms} ms: {detail}")]
    StartTimeout {
        /// How long we waited.
        waited_ms: u128,
        /// What we saw last (exit status, last log lines).
        detail: String,
    },
    /// The HTTP exchange with chromedriver failed (connection, timeout, malformed response).
    #[error("http exchange with chromedriver failed: {0}")]
    Http(String),
    /// chromedriver answered with a W3C WebDriver error.
    #[error("webdriver error {error:?} (http {status}): {message}")]
    Command {
        /// HTTP status code.
        status: u16,
        /// The W3C error code, such as `no such element`.
        error: String,
        /// chromedriver's message (first line).
        message: String,
    },
    /// A success answer did not have the expected shape.
    #[error("unexpected webdriver answer: {0}")]
    Protocol(String),
    /// A response body above [`crate::RESPONSE_BYTES_MAX`].
    #[error("webdriver response larger than {max} bytes", max = crate::RESPONSE_BYTES_MAX)]
    ResponseTooLarge,
    /// [`crate::Browser::wait_until`] ran out of time.
    #[error("condition not met within {waited_ms} ms")]
    WaitTimeout {
        /// How long we waited.
        waited_ms: u128,
    },
}

impl Error {
    /// A stable, machine-readable code for this error.
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotInstalled { .. } => "WEBDRIVER_NOT_INSTALLED",
            Error::Spawn(_) => "WEBDRIVER_SPAWN",
            Error::StartTimeout { .. } => "WEBDRIVER_START_TIMEOUT",
            Error::Http(_) => "WEBDRIVER_HTTP",
            Error::Command { .. } => "WEBDRIVER_COMMAND",
            Error::Protocol(_) => "WEBDRIVER_PROTOCOL",
            Error::ResponseTooLarge => "WEBDRIVER_RESPONSE_TOO_LARGE",
            Error::WaitTimeout { .. } => "WEBDRIVER_WAIT_TIMEOUT",
        }
    }

    /// True for the W3C `no such element` error (a selector that matched nothing).
    pub fn is_no_such_element(&self) -> bool {
        matches!(self, Error::Command { error, .. } if error == "no such element")
    }

    /// True for errors that a later poll may not see: no such element, stale element reference,
    /// element not interactable (still hidden or animating).
    pub fn is_transient(&self) -> bool {
        matches!(self, Error::Command { error, .. }
            if matches!(error.as_str(),
                "no such element" | "stale element reference" | "element not interactable"))
    }
}
