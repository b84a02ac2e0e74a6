//! The PostgreSQL backend (work in progress).

use crate::{Result, StoreError};

/// The PostgreSQL store.
#[derive(Debug)]
pub struct PostgresStore {}

impl PostgresStore {
    /// Connects to `url` and migrates the schema.
    pub fn open(_url: &str) -> Result<Self> {
        Err(StoreError::Invalid { what: "the PostgreSQL backend is not implemented yet" })
    }
}
