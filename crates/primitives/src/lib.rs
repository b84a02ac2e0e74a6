//! hoard-primitives (work in progress).
