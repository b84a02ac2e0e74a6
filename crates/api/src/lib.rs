//! hoard-api (work in progress).
