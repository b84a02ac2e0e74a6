//! The crate's one error type.

/// Result of every store operation.
pub type Result<T> = std::result::Result<T, StoreError>;

/// Boxed backend error kept as the `source` of [`StoreError::Backend`] for logs.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong in the store. Display messages are meant for people and never
/// contain SQL text, URLs or credentials; the backend's own error is kept as the `source`, for
/// logs only. [`StoreError::code`] gives a stable code for APIs and metrics.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The block does not extend the log's head (wrong height or parent, or a duplicate hash).
    /// Nothing was written.
    #[error("block {height} does not extend the log: {reason}")]
    Conflict { height: u64, reason: &'static str },

    /// The caller passed something the store refuses (too large a batch, rows that do not belong
    /// to their block, too many topics, ...). Nothing was written.
    #[error("invalid store input: {what}")]
    Invalid { what: &'static str },

    /// Stored data cannot be decoded (a hash of the wrong length, a negative height, ...).
    #[error("stored data is corrupt: {what}")]
    Corrupt { what: &'static str },

    /// The database was written by a newer version of Hoard.
    #[error("database schema version {found} is newer than this build supports ({supported})")]
    SchemaTooNew { found: i64, supported: i64 },

    /// The database file is damaged where this operation read or wrote (SQLite's
    /// `SQLITE_CORRUPT` / `SQLITE_NOTADB`): a disk or file-system fault, never a rule of the
    /// protocol. `hoard verify` names the damaged blocks; `hoard reindex` rebuilds projections
    /// from a readable log.
    #[error("the database file is damaged (found while {op})")]
    Damaged { op: &'static str },

    /// This store held the sequencer lock and lost its connection, so it no longer holds it.
    #[error("the sequencer lock was lost with the database connection")]
    LockLost,

    /// The database failed (I/O, connection, constraint, ...). `op` says what the store was
    /// doing; `source` has the backend's detail.
    #[error("storage backend failed while {op}")]
    Backend {
        op: &'static str,
        #[source]
        source: BoxError,
    },
}

impl StoreError {
    /// Stable, machine-readable code of the error kind.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Conflict { .. } => "store.conflict",
            Self::Invalid { .. } => "store.invalid",
            Self::Corrupt { .. } => "store.corrupt",
            Self::SchemaTooNew { .. } => "store.schema",
            Self::Damaged { .. } => "store.damaged",
            Self::LockLost => "store.lock_lost",
            Self::Backend { .. } => "store.backend",
        }
    }

    /// The underlying cause in words for logs ("disk full (SQLITE_FULL)", "errno 28: No space
    /// left on device", "SQLSTATE 53100 disk_full: ..."), found by walking the error's sources.
    /// `None` when there is nothing more to say than the message.
    pub fn cause(&self) -> Option<String> {
        let mut next: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(self);
        while let Some(err) = next {
            if let Some(e) = err.downcast_ref::<rusqlite::Error>() {
                return Some(crate::sqlite::describe(e));
            }
            if let Some(e) = err.downcast_ref::<postgres::Error>() {
                return Some(crate::postgres::describe(e));
            }
            if let Some(e) = err.downcast_ref::<std::io::Error>() {
                return Some(describe_io(e));
            }
            next = err.source();
        }
        None
    }

    pub(crate) fn backend(op: &'static str, source: impl Into<BoxError>) -> Self {
        Self::Backend { op, source: source.into() }
    }
}

/// An I/O error with its errno, when it has one.
pub(crate) fn describe_io(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(errno) => format!("errno {errno}: {e}"),
        None => e.to_string(),
    }
}

/// Attaches the operation name to a backend error.
pub(crate) trait Context<T> {
    fn op(self, op: &'static str) -> Result<T>;
}

impl<T, E: Into<BoxError>> Context<T> for std::result::Result<T, E> {
    fn op(self, op: &'static str) -> Result<T> {
        self.map_err(|source| StoreError::backend(op, source))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_keeps_backend_detail_out() {
        let err = StoreError::backend(
            "appending blocks",
            "INSERT INTO blocks failed for postgres://user:secret@host",
        );
        let shown = err.to_string();
        assert_eq!(shown, "storage backend failed while appending blocks");
        assert!(!shown.contains("secret") && !shown.contains("INSERT"));
        let source = std::error::Error::source(&err).map(ToString::to_string);
        assert!(source.is_some_and(|s| s.contains("INSERT")));
        assert_eq!(err.code(), "store.backend");
    }
}
