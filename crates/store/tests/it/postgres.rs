//! The conformance suite on PostgreSQL, when `HOARD_TEST_POSTGRES_URL` is set.
