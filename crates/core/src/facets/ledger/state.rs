//! The ledger's tables (facet 0).

use alloy_primitives::Address;

use crate::{
    codec::{CodecError, Put, Reader},
    state::{Cell, Table, TableId, TableSpec, Value},
};

/// The ledger's facet number.
pub const FACET: u8 = 0;

/// Next nonce of each account.
pub const NONCES: Table<Address, u64> = Table::new(TableId::new(FACET, 0), "ledger.nonces");
/// The chain's clock.
pub const CHAIN: Cell<Chain> = Cell::new(TableId::new(FACET, 1), "ledger.chain");

/// Every table of the ledger.
pub static TABLES: &[&dyn TableSpec] = &[&NONCES, &CHAIN];

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
