//! hoard-store (work in progress).
