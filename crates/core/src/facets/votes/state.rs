//! The votes facet's tables (facet 2): delegates, each delegate's voting checkpoints (one entry
//! per checkpoint, so a transfer changes O(1) entries however long the history), DFG
//! total-supply checkpoints and the running total of delegated power.

use alloy_primitives::{Address, U256};

use crate::{
    codec::{CodecError, Put, Reader},
    state::{Cell, Ordered, Table, TableId, TableSpec, Value},
};

/// The votes facet's number.
pub const FACET: u8 = 2;

/// `delegator -> delegate` (absent: not delegated, no voting power).
pub const DELEGATES: Table<Address, Address> =
    Table::new(TableId::new(FACET, 0), "votes.delegates");
/// `(delegate, index) -> checkpoint`, oldest first.
pub const CHECKPOINTS: Table<(Address, u32), Checkpoint> =
    Table::new(TableId::new(FACET, 1), "votes.checkpoints");
/// `delegate -> number of checkpoints`.
pub const CHECKPOINT_COUNTS: Table<Address, u32> =
    Table::new(TableId::new(FACET, 2), "votes.checkpoint_counts");
/// `index -> DFG total-supply checkpoint`.
pub const SUPPLY_CHECKPOINTS: Ordered<u32, Checkpoint> =
    Ordered::new(TableId::new(FACET, 3), "votes.supply_checkpoints");
/// Sum of every delegate's voting power.
pub const DELEGATED: Cell<U256> = Cell::new(TableId::new(FACET, 4), "votes.delegated");

/// Every table of the votes facet.
pub static TABLES: &[&dyn TableSpec] =
    &[&DELEGATES, &CHECKPOINTS, &CHECKPOINT_COUNTS, &SUPPLY_CHECKPOINTS, &DELEGATED];

/// A voting-power or supply checkpoint: the value from `time_s` (block time) on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Checkpoint {
    /// Block time of the checkpoint.
    pub time_s: u64,
    /// Value from then on.
    pub value: U256,
}

impl Value for Checkpoint {
    fn encode_value(&self, out: &mut Vec<u8>) {
        out.put_u64(self.time_s);
        out.put_u256(&self.value);
    }
    fn decode_value(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(Checkpoint { time_s: r.u64()?, value: r.u256()? })
    }
}
