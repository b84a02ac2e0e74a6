//! The governance facet's tables (facet 7).

use alloy_primitives::Address;

use crate::state::{Cell, TableId, TableSpec};

/// The governance facet's number.
pub const FACET: u8 = 7;

/// The governance steward (absent once the stewardship ended).
pub const STEWARD: Cell<Address> = Cell::new(TableId::new(FACET, 0), "governance.steward");

/// Every table of the governance facet.
pub static TABLES: &[&dyn TableSpec] = &[&STEWARD];
