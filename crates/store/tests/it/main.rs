//! Integration tests of hoard-store: the conformance suite on SQLite (always) and PostgreSQL
//! (when `HOARD_TEST_POSTGRES_URL` is set), backend-specific tests, and a model-based proptest.

mod crash;
mod faults;
mod model;
mod postgres;
mod sqlite;

/// Declares one `#[test]` per conformance function, given an expression that opens a fresh
/// store (`fresh()`) and one that yields a reopen factory (`factory()`), each returning `None`
/// when the backend is unavailable (then the test passes after saying it was skipped).
macro_rules! conformance_tests {
    ($fresh:path, $factory:path; stores: [$($one:ident),* $(,)?]; factories: [$($two:ident),* $(,)?]) => {
        $(
            #[test]
            fn $one() {
                let Some(store) = $fresh() else { return };
                hoard_store::conformance::$one(store.as_ref());
            }
        )*
        $(
            #[test]
            fn $two() {
                let Some(open) = $factory() else { return };
                hoard_store::conformance::$two(&*open);
            }
        )*
    };
}

pub(crate) use conformance_tests;
