//! Event replay (placeholder).
