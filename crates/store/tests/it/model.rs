//! Model-based property test (to come).
