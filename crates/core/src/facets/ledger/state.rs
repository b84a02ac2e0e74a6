//! The ledger's tables (facet 0).

use alloy_primitives::Address;

use crate::{
    codec::{CodecError, Put, Reader},
    state::{Cell, Ordered, Table, TableId, TableSpec, Value},
};

/// The ledger's facet number.
pub const FACET: u8 = 0;

/// Next nonce of each account.
pub const NONCES: Table<Address, u64> = Table::new(TableId::new(FACET, 0), "ledger.nonces");
/// The chain's clock.
pub const CHAIN: Cell<Chain> = Cell::new(TableId::new(FACET, 1), "ledger.chain");

/// `(due time, sequence) -> task`: work the facets scheduled, run in this order when due.
pub const TASKS: Ordered<(u64, u64), Task> = Ordered::new(TableId::new(FACET, 2), "ledger.tasks");
/// The next task's sequence number.
pub const TASK_SEQ: Cell<u64> = Cell::new(TableId::new(FACET, 3), "ledger.task_seq");

/// Every table of the ledger.
pub static TABLES: &[&dyn TableSpec] = &[&NONCES, &CHAIN, &TASKS, &TASK_SEQ];

/// Longest payload of a scheduled task, bytes.
pub const TASK_PAYLOAD_BYTES_MAX: usize = 1024;

/// A scheduled task: which facet runs it, what kind, and its payload.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Task {
    /// The owning facet's number.
    pub facet: u8,
    /// The facet's kind of task.
    pub kind: u16,
    /// Its payload (the facet's own encoding).
    pub payload: Vec<u8>,
}

impl Value for Task {
    fn encode_value(&self, out: &mut Vec<u8>) {
        out.put_u8(self.facet);
        out.put_u16(self.kind);
        out.put_bytes(&self.payload);
    }
    fn decode_value(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(Task { facet: r.u8()?, kind: r.u16()?, payload: r.bytes()?.to_vec() })
    }
}

/// The chain's clock: the genesis time and the last block begun.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Chain {
    /// Block time of genesis; protocol years count from here.
    pub genesis_time: u64,
    /// Height of the last block begun (0: genesis).
    pub height: u64,
    /// Its time; the next block's time is never earlier.
    pub time_s: u64,
}

impl Value for Chain {
    fn encode_value(&self, out: &mut Vec<u8>) {
        out.put_u64(self.genesis_time);
        out.put_u64(self.height);
        out.put_u64(self.time_s);
    }
    fn decode_value(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(Chain { genesis_time: r.u64()?, height: r.u64()?, time_s: r.u64()? })
    }
}
