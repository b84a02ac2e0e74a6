//! V4 singleton (placeholder).
