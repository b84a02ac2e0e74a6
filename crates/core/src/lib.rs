//! hoard-core (work in progress).
