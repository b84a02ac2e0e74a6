//! JSON API tests.
