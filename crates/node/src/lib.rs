//! hoard-node (work in progress).
